import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SigprobeError } from '../config/errors';
import { loadConfig } from '../config/load';
import type { Config } from '../config/schema';
import { IdentityProtector, loadOrCreateKey } from '../correlate/identities';
import { openTraceSpool } from '../trace/query';
import { captureDirs } from '../trace/pcapExport';
import { startServe, type ServeOptions } from '../serve/server';
import { defaultKeyFile } from './probe';
import { parseArgs, strOption } from './args';

export const SERVE_USAGE =
  'usage: sigprobe serve --spool <db> [<db> ...] [--listen <host:port>] [--config <file>] [--key-file <file>] [--captures <dir>[,<dir>...]]';

export const SERVE_SUMMARY = `A small read-only web UI over the spool files, on the code paths of the CLI: search (IMSI, MSISDN, pseudonym,
GT, period), the trace with its ladder (the page of trace --format html) and its packets as pcapng (trace --pcap),
and the roaming report (report) of a chosen period. Runs until SIGTERM / SIGINT.
  --listen     host:port (default serve.listen of --config, else 127.0.0.1:8080; port 0: any free port)
  --config     the site's config: serve.auth (basic auth), serve.tls (HTTPS), privacy (key file, identities mode),
               capture.packetRing.dir (live packets)
  --key-file   the pseudonymization key (default privacy.keyFile of --config, else next to the first spool): a typed
               raw IMSI / MSISDN is turned into its pseudonym with it; pages and URLs carry pseudonyms only
  --captures   directories of the capture files (and packet rings) for the pcap download (default: the spools' directory, cwd)
  --central    not available yet: serve reads spool files only
README "Web UI (sigprobe serve)".`;

function bad(msg: string): SigprobeError {
  return new SigprobeError('E_USAGE', msg);
}

/** host:port (IPv6 in brackets) → parts. */
export function parseListen(v: string): { host: string; port: number } {
  const m = /^(\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[4]) : NaN;
  if (!m || port > 65535) throw bad(`--listen expects host:port (127.0.0.1:8080, [::1]:8080), got '${v}'`);
  return { host: m[2] ?? m[3], port };
}

function readSecret(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n')[0].trim();
  } catch (e) {
    throw new SigprobeError('E_CONFIG', `${what}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new SigprobeError('E_CONFIG', `${what}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export async function serveMain(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const p = parseArgs(argv, { spool: 'string', central: 'string', listen: 'string', config: 'string', 'key-file': 'string', captures: 'string' });
  if (strOption(p, 'central') !== undefined) {
    throw bad('--central: serve over the central store is not available yet (it needs trace --central); serve the spool files with --spool');
  }
  const first = strOption(p, 'spool');
  if (first === undefined) throw bad(`--spool <db> is required\n${SERVE_USAGE}`);
  const files = [first, ...p.positional].map((f) => resolve(f));
  // every spool checked at start (missing, not a spool, too old → exit 2), then opened per request
  for (const f of files) openTraceSpool(f).close();
  if (strOption(p, 'key-file') !== undefined && strOption(p, 'config') !== undefined) throw bad('give --key-file or --config, not both');
  const cfgFile = strOption(p, 'config');
  const cfg: Config | null = cfgFile !== undefined ? loadConfig(cfgFile) : null;
  const listen = parseListen(strOption(p, 'listen') ?? cfg?.serve?.listen ?? '127.0.0.1:8080');
  const mode = cfg?.privacy.identities ?? 'pseudonymize';
  const keyFile = resolve(strOption(p, 'key-file') ?? cfg?.privacy.keyFile ?? defaultKeyFile(cfg?.spool.path ?? files[0]));
  let ids: IdentityProtector | null = null;
  const protector = (): IdentityProtector => {
    if (ids) return ids;
    if (mode === 'drop') throw new SigprobeError('E_USAGE', 'privacy.identities is drop: the spool holds no identities to trace (search by GT)');
    if (mode === 'raw') return (ids = new IdentityProtector('raw', null));
    // read on first use, never created: a typed identity needs the key the probe used
    if (!existsSync(keyFile)) throw new SigprobeError('E_USAGE', `privacy key file ${keyFile} does not exist: the pseudonym of a raw IMSI / MSISDN needs the key the probe used (serve --key-file or --config); search by pseudonym or GT instead`);
    return (ids = new IdentityProtector('pseudonymize', loadOrCreateKey(keyFile, false)));
  };
  const auth = cfg?.serve?.auth ? { user: cfg.serve.auth.user, password: readSecret(cfg.serve.auth.passwordFile, 'serve.auth.passwordFile') } : undefined;
  if (auth && auth.password === '') throw new SigprobeError('E_CONFIG', `serve.auth.passwordFile ${cfg?.serve?.auth?.passwordFile}: empty password`);
  const tls = cfg?.serve?.tls ? { cert: readPem(cfg.serve.tls.certFile, 'serve.tls.certFile'), key: readPem(cfg.serve.tls.keyFile, 'serve.tls.keyFile') } : undefined;
  const explicit = (strOption(p, 'captures') ?? '').split(',').filter((d) => d !== '');
  const ring = cfg?.capture?.packetRing?.dir;
  const opts: ServeOptions = {
    files,
    host: listen.host,
    port: listen.port,
    captureDirs: captureDirs(ring !== undefined ? [...explicit, ring] : explicit, files),
    protector,
    rawMode: mode === 'raw',
    auth,
    tls,
  };
  let started: Awaited<ReturnType<typeof startServe>>;
  try {
    started = await startServe(opts);
  } catch (e) {
    if (e instanceof SigprobeError) throw e;
    throw new SigprobeError('E_CONFIG', `serve: ${(e as Error).message}`); // e.g. a TLS key that does not match
  }
  const loopback = /^(127\.|::1$|localhost$)/.test(listen.host);
  if (!loopback && !auth) process.stderr.write(`sigprobe: warning: serve listens on ${listen.host} without serve.auth: anyone who reaches it can trace subscribers by pseudonym\n`);
  out(`sigprobe: serving ${files.length} spool file${files.length > 1 ? 's' : ''} on ${started.url}${auth ? ' (basic auth)' : ''}`);
  return new Promise((res) => {
    const stop = () => {
      started.server.close();
      started.server.closeAllConnections?.();
      res(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
