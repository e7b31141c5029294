import { createServer, type Server } from 'node:http';
import { SigprobeError } from '../config/errors';

/**
 * Serves GET /metrics (Prometheus text format) and GET /healthz on host:port. A scrape never
 * blocks capture for long: metrics are read from counters already kept by the pipeline.
 */
export function startMetricsServer(listen: string, metrics: () => Promise<string>, contentType: string): Promise<Server> {
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new SigprobeError('E_CONFIG', `metrics.listen: expected host:port, got '${listen}'`);
  const host = m[1].replace(/^\[(.*)\]$/, '$1');
  const port = Number(m[2]);
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': contentType });
          res.end(body);
        },
        (e) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(e));
        },
      );
    } else if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new SigprobeError('E_CONFIG', `metrics.listen ${listen}: ${(e as Error).message}`)));
    server.listen(port, host, () => resolve(server));
  });
}

/** Serves a prom-client registry and prints where (the probe, the shipper and the collector use it). */
export async function serveRegistry(
  listen: string,
  registry: { metrics(): Promise<string>; contentType: string },
  out: (s: string) => void,
): Promise<Server> {
  const s = await startMetricsServer(listen, () => registry.metrics(), registry.contentType);
  const a = s.address() as { address: string; port: number; family: string };
  out(`sigprobe: metrics on http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/metrics`);
  return s;
}
