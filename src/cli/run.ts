import { SigprobeError } from '../config/errors';
import { loadConfig } from '../config/load';
import { LiveCapture } from '../capture/live';
import { bpfFilter } from '../dispatch/bpf';
import { buildProbe, restoreGtpTunnels, saveGtpTunnels } from './probe';
import { applyReload } from './reload';
import { createLogger } from '../metrics/log';
import type { Server } from 'node:http';
import { serveRegistry } from '../metrics/server';
import { parseArgs, strOption } from './args';

export const RUN_USAGE = 'usage: sigprobe run --config <file> [--interface <if>]';

/**
 * The live daemon: capture → pipeline → spool. Buffered records are flushed every
 * spool.flushIntervalMs; timers advance with packet time, and with the wall clock while the link
 * is idle. SIGTERM / SIGINT: stop capture, save the active GTP tunnels (restored at the next
 * start), close every pending dialogue (end_reason shutdown), flush, close the spool, exit 0.
 */
export function runMain(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const p = parseArgs(argv, { config: 'string', interface: 'string' });
  const cfgFile = strOption(p, 'config');
  if (!cfgFile) throw new SigprobeError('E_USAGE', `--config <file> is required\n${RUN_USAGE}`);
  const cfg = loadConfig(cfgFile);
  const iface = strOption(p, 'interface') ?? cfg.capture?.interface;
  if (!iface) throw new SigprobeError('E_CONFIG', `${cfgFile}: capture.interface: required for 'run' (or pass --interface)`);
  const log = createLogger('probe');
  const probe = buildProbe(cfg, undefined, iface);
  const { pipeline, writer, db, metrics, metricSources } = probe;
  pipeline.setSource(iface);
  const c = cfg.capture;
  const filter = !c || c.filter === 'auto' ? bpfFilter(pipeline.sctpDispatch, [...pipeline.tcpPorts.keys()], [], pipeline.udpDispatch.captureFilters()) : c.filter;
  // GTP tunnels active when the previous run stopped (saved on SIGTERM) are tracked on.
  const restored = restoreGtpTunnels(probe);
  // Wall time (ms) of the latest packet: its libpcap timestamp comes from this host's clock, so
  // the packet path needs no clock read of its own.
  let lastPacketWall = Date.now();
  const capture = LiveCapture.open(
    {
      iface,
      filter,
      snaplen: c?.snaplen ?? 65535,
      bufferSizeBytes: (c?.bufferMiB ?? 64) * 1024 * 1024,
      promiscuous: c?.promiscuous ?? true,
    },
    (buf, start, capLen, origLen, tsUs, linkType, frame) => {
      lastPacketWall = tsUs / 1000;
      pipeline.onPacket(buf, start, capLen, origLen, tsUs, linkType, frame);
    },
  );
  metricSources.captureStats = () => capture.stats();
  let metricsServer: Server | null = null;
  if (cfg.metrics.enabled) {
    serveRegistry(cfg.metrics.listen, metrics.registry, out).then(
      (srv) => {
        metricsServer = srv;
      },
      (e) => process.stderr.write(`sigprobe: ${(e as Error).message}\n`),
    );
  }
  out(`sigprobe: capturing on ${iface} (site ${cfg.site}), filter: ${filter}${restored > 0 ? `; ${restored} GTP tunnels restored` : ''}`);
  log('info', 'capture_started', { site: cfg.site, iface, filter, linkType: capture.linkType, spool: cfg.spool.path, identities: cfg.privacy.identities });
  // Decode anomalies are logged as a per-minute summary of what changed (rate-limited), never per packet.
  let anomalySeen = new Map<string, number>();
  let nextAnomalyLogMs = Date.now() + 60_000;
  const logAnomalies = () => {
    const now = new Map<string, number>();
    const delta: Record<string, number> = {};
    for (const a of pipeline.counters.anomalyList()) {
      const k = `${a.layer}/${a.reason}`;
      now.set(k, a.count);
      const d = a.count - (anomalySeen.get(k) ?? 0);
      if (d > 0) delta[k] = d;
    }
    anomalySeen = now;
    const keys = Object.keys(delta);
    if (keys.length > 0) log('warn', 'decode_anomalies', { kinds: keys.length, ...Object.fromEntries(keys.slice(0, 20).map((k) => [k, delta[k]])) });
  };
  const onFlushTick = () => {
    try {
      // Idle link: let timers run on the wall clock (packet time ≈ wall time live).
      if (Date.now() - lastPacketWall > 1000) pipeline.tick(Date.now() * 1000);
      metrics.notePacket(lastPacketWall);
      if (Date.now() >= nextAnomalyLogMs) {
        nextAnomalyLogMs = Date.now() + 60_000;
        logAnomalies();
      }
      writer.flush();
      if (writer.failing) log('error', 'spool_write_failing', { pending: writer.pendingRecords });
    } catch (e) {
      log('error', 'flush_failed', { error: (e as Error).message });
    }
  };
  let flushTimer = setInterval(onFlushTick, cfg.spool.flushIntervalMs);
  // SIGHUP: re-read the config; apply what can change without restarting capture.
  process.on('SIGHUP', () => {
    try {
      const next = loadConfig(cfgFile);
      const lines = applyReload(probe, next, (ms) => {
        clearInterval(flushTimer);
        flushTimer = setInterval(onFlushTick, ms);
      });
      out(`sigprobe: SIGHUP: ${lines.length ? lines.join('; ') : 'no change'}`);
      log('info', 'config_reloaded', { changes: lines });
    } catch (e) {
      process.stderr.write(`sigprobe: SIGHUP: config not reloaded, keeping the running one: ${(e as Error).message}\n`);
      log('error', 'config_reload_failed', { error: (e as Error).message });
    }
  });
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) return;
      stopping = true;
      clearInterval(flushTimer);
      (metricsServer as Server | null)?.close();
      const st = capture.stats();
      capture.close();
      // Active GTP tunnels outlive the probe: saved for the next start, not closed as shutdown.
      const saved = saveGtpTunnels(probe);
      pipeline.finish('shutdown');
      let code = 0;
      // Wait for every record to be committed; a spool that keeps failing is given 30 s.
      if (!writer.close(30_000)) {
        process.stderr.write(`sigprobe: ${writer.pendingRecords} records could not be written to the spool before shutdown\n`);
        code = 1;
      }
      db.close();
      logAnomalies();
      log('info', 'capture_stopped', { signal: sig, packets: pipeline.stats.packets, kernelReceived: st.received, kernelDropped: st.dropped, ifDropped: st.ifDropped, records: writer.written, tunnelsSaved: saved });
      out(`sigprobe: ${sig}: stopped; packets ${pipeline.stats.packets}, kernel received ${st.received}, dropped ${st.dropped}, if-dropped ${st.ifDropped}; ${writer.written} records written${saved > 0 ? `; ${saved} GTP tunnels saved` : ''}`);
      resolve(code);
      // node_pcap keeps a handle open after close(): exit explicitly.
      setImmediate(() => process.exit(code));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
