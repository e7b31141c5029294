import { SigprobeError } from '../config/errors';
import { loadConfig } from '../config/load';
import { LiveCapture } from '../capture/live';
import { PacketRing } from '../capture/packetRing';
import { bpfFilter } from '../dispatch/bpf';
import { buildProbe, keepGtpTunnels, restoreGtpTunnels } from './probe';
import { applyReload } from './reload';
import { createLogger } from '../metrics/log';
import type { Server } from 'node:http';
import { serveRegistry } from '../metrics/server';
import { parseArgs, strOption } from './args';
import { probeHealth, SystemdNotifier } from './notify';

export const RUN_USAGE = 'usage: sigprobe run --config <file> [--interface <if>]';

/**
 * Drain period of a stop: a spool that keeps failing (disk full) is retried this long after
 * SIGTERM; then what it still holds is reported (stderr, log, the session's `runs` row) and the
 * daemon exits 1 — well inside systemd's TimeoutStopSec=30 (systemd/sigprobe-probe@.service),
 * which would otherwise SIGKILL it before it can say what was lost. (While capturing, failed
 * writes are held and retried for as long as it takes.)
 */
export const STOP_DRAIN_MS = 20_000;

/**
 * The live daemon: capture → pipeline → spool. Buffered records are flushed every
 * spool.flushIntervalMs; timers advance with packet time, and with the wall clock while the link
 * is idle. The active GTP tunnels are checkpointed with every spool batch (restored at the next
 * start, even after kill -9). SIGTERM / SIGINT: stop capture, keep the active GTP tunnels, close
 * every pending dialogue (end_reason shutdown), flush, close the spool, exit 0 (1 when records
 * could not be written within STOP_DRAIN_MS). Each session has a `runs` row (mode live).
 */
export function runMain(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const p = parseArgs(argv, { config: 'string', interface: 'string' });
  const cfgFile = strOption(p, 'config');
  if (!cfgFile) throw new SigprobeError('E_USAGE', `--config <file> is required\n${RUN_USAGE}`);
  const cfg = loadConfig(cfgFile);
  const iface = strOption(p, 'interface') ?? cfg.capture?.interface;
  if (!iface) throw new SigprobeError('E_CONFIG', `${cfgFile}: capture.interface: required for 'run' (or pass --interface)`);
  // Sharded correlation (src/dispatch/shard.ts) is replay-only in this version: the live stop
  // would have to wait for the workers' last records before the spool closes.
  if ((cfg.capture?.workers ?? 1) > 1) {
    throw new SigprobeError('E_CONFIG', `${cfgFile}: capture.workers: ${cfg.capture?.workers} worker threads are supported by 'replay' only in this version; 'run' needs capture.workers: 1`);
  }
  const log = createLogger('probe');
  const probe = buildProbe(cfg, undefined, iface, true);
  const { pipeline, writer, db, metrics, metricSources } = probe;
  pipeline.setSource(iface);
  const c = cfg.capture;
  const filter = !c || c.filter === 'auto' ? bpfFilter(pipeline.sctpDispatch, [...pipeline.tcpPorts.keys()], [], pipeline.udpDispatch.captureFilters()) : c.filter;
  // GTP tunnels active at the previous run's last checkpoint (its stop, or its last flush before
  // a crash) are tracked on; from now on each spool batch checkpoints the changes.
  const restored = restoreGtpTunnels(probe);
  // The session's runs row, completed at the stop (a row without finished_at: a session that died).
  let runId: number | null = null;
  try {
    runId = Number(
      db.prepare("INSERT INTO runs (started_at, mode, sources, site) VALUES (?, 'live', ?, ?)").run(new Date().toISOString(), iface, cfg.site).lastInsertRowid,
    );
  } catch (e) {
    log('warn', 'runs_row_failed', { error: (e as Error).message });
  }
  // Wall time (ms) of the latest packet: its libpcap timestamp comes from this host's clock, so
  // the packet path needs no clock read of its own.
  let lastPacketWall = Date.now();
  // capture.packetRing (off by default): the packets kept for trace --pcap (src/capture/packetRing.ts)
  const ring = PacketRing.fromConfig(cfg, iface);
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
      ring?.write(buf, start, capLen, origLen, tsUs, linkType, frame);
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
  // systemd (Type=notify, README "Watchdog"): ready once capturing; WATCHDOG=1 only while the
  // packet loop ticks and the spool writer commits what it has (within max(WatchdogSec/2, 3 ticks)).
  let lastTickMs = Date.now();
  const sd = SystemdNotifier.fromEnv(log);
  sd?.ready(`capturing on ${iface}`);
  sd?.startWatchdog(probeHealth(() => lastTickMs, () => writer.progress, () => Math.max(sd.stallBoundMs, 3 * cfg.spool.flushIntervalMs)));
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
      lastTickMs = Date.now();
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
      sd?.stopping();
      let code = 0;
      try {
        clearInterval(flushTimer);
        (metricsServer as Server | null)?.close();
        const st = capture.stats();
        capture.close();
        ring?.close();
        // Every wait from here on ends within the drain period, even on a spool that keeps failing.
        writer.beginDrain(STOP_DRAIN_MS);
        // Active GTP tunnels outlive the probe: checkpointed for the next start, not closed as shutdown.
        const kept = keepGtpTunnels(probe);
        pipeline.finish('shutdown');
        const lost = writer.close(STOP_DRAIN_MS) ? null : writer.unwritten();
        if (lost !== null) {
          code = 1;
          const records = lost.dialogues + lost.tunnelRows;
          process.stderr.write(
            `sigprobe: ${sig}: spool write failed: ${writer.lastError || 'no progress'}; after ${STOP_DRAIN_MS / 1000} s of retries ${records} records` +
              ` (${lost.dialogues} dialogues, ${lost.tunnelRows} tunnels) and ${lost.tunnelStates} active GTP tunnel states could not be written to ${cfg.spool.path}\n`,
          );
          log('error', 'spool_records_lost', { signal: sig, records, dialogues: lost.dialogues, tunnelRows: lost.tunnelRows, tunnelStates: lost.tunnelStates, error: writer.lastError, drainSeconds: STOP_DRAIN_MS / 1000 });
        }
        logAnomalies();
        const summary = {
          signal: sig,
          packets: pipeline.stats.packets,
          kernel: { received: st.received, dropped: st.dropped, ifDropped: st.ifDropped },
          written: writer.written,
          tunnelsWritten: writer.tunnelsWritten,
          gtpTunnels: { restored, kept },
          spoolUnwritten: lost === null ? null : { records: lost.dialogues + lost.tunnelRows, ...lost, error: writer.lastError },
        };
        // The session's runs row (a small write: on a full disk it usually still fits in the WAL
        // pages the failed batches left behind; if not, the log line above is the record).
        try {
          const finished = new Date().toISOString();
          const json = JSON.stringify(summary);
          if (runId === null || db.prepare('UPDATE runs SET finished_at = ?, packets = ?, dialogues = ?, summary = ? WHERE id = ?').run(finished, summary.packets, summary.written, json, runId).changes === 0) {
            db.prepare("INSERT INTO runs (started_at, finished_at, mode, sources, site, packets, dialogues, summary) VALUES (?, ?, 'live', ?, ?, ?, ?, ?)").run(finished, finished, iface, cfg.site, summary.packets, summary.written, json);
          }
        } catch (e) {
          log('error', 'runs_row_failed', { error: (e as Error).message });
        }
        try {
          db.close();
        } catch {
          // closing checkpoints the WAL; on a full disk the WAL stays for the next open
        }
        log('info', 'capture_stopped', { signal: sig, packets: pipeline.stats.packets, kernelReceived: st.received, kernelDropped: st.dropped, ifDropped: st.ifDropped, records: writer.written, tunnelsSaved: kept, ...(lost === null ? {} : { recordsLost: lost.dialogues + lost.tunnelRows, tunnelStatesLost: lost.tunnelStates }) });
        out(`sigprobe: ${sig}: stopped; packets ${pipeline.stats.packets}, kernel received ${st.received}, dropped ${st.dropped}, if-dropped ${st.ifDropped}; ${writer.written} records written${kept > 0 ? `; ${kept} GTP tunnels saved` : ''}`);
      } catch (e) {
        code = 1;
        process.stderr.write(`sigprobe: ${sig}: stop failed: ${(e as Error).message}\n`);
        log('error', 'stop_failed', { signal: sig, error: (e as Error).message });
      }
      resolve(code);
      // node_pcap keeps a handle open after close(): exit explicitly.
      setImmediate(() => process.exit(code));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
