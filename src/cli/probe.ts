import { dirname, join } from 'node:path';
import { statSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import type { Config } from '../config/schema';
import { IdentityProtector, loadOrCreateKey, type IdentityMode } from '../correlate/identities';
import { Pipeline, type PipelineOptions } from '../dispatch/pipeline';
import { ShardDispatcher } from '../dispatch/shard';
import type { RecordSink, TunnelSink } from '../correlate/record';
import { openSpool } from '../spool/spool';
import { REPLAY_FAIL_AFTER_MS, SpoolClient } from '../spool/spoolClient';
import { AnomalySampler } from '../capture/anomalySampler';
import { DEFAULT_GTP_PORTS, type GtpOptionsInput } from '../dispatch/gtp';
import { loadActiveTunnels, TunnelCheckpoint } from '../spool/activeTunnels';
import { ProbeMetrics, type MetricSources } from '../metrics/probeMetrics';
import { loadNetworks, type NetworkDirectory } from '../correlate/networks';

/** Everything one capture source needs: spool, identity protection, pipeline. */
export interface Probe {
  cfg: Config;
  /** Main-thread connection (migrations, run bookkeeping, summaries). */
  db: Database;
  /** Record sink: batches go to the spool worker thread. */
  writer: SpoolClient;
  metrics: ProbeMetrics;
  metricSources: MetricSources;
  pipeline: Pipeline;
  ids: IdentityProtector;
  keyFile: string | null;
  /** The records' way to the spool (metrics, then the writer): where shard workers' records go. */
  sink: RecordSink & TunnelSink;
  /** capture.workers > 1: the worker threads that correlate (null: this thread does it all). */
  shards: ShardDispatcher | null;
}

function fileSize(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

/** Where the pseudonymization key lives when the config names none: next to the spool. */
export function defaultKeyFile(spoolPath: string): string {
  return join(dirname(spoolPath), 'sigprobe-pseudonym.key');
}

/**
 * `live`: the daemon's spool policy — a failing spool (disk full) is held and retried for as
 * long as it takes while capturing (its stop bounds the wait). Otherwise (replay, a batch job)
 * a spool that keeps failing for REPLAY_FAIL_AFTER_MS with nothing committed fails the command
 * (E_SPOOL `spool write failed: ...`), what was committed before staying intact.
 */
export function buildProbe(cfg: Config, identities?: IdentityMode, source?: string, live = false, workers = 1): Probe {
  // A bad networks file fails before the spool is touched.
  const networks = cfg.networks ? loadNetworks(cfg.networks.file) : null;
  const mode = identities ?? cfg.privacy.identities;
  let key: Buffer | null = null;
  let keyFile: string | null = null;
  if (mode === 'pseudonymize') {
    keyFile = cfg.privacy.keyFile ?? defaultKeyFile(cfg.spool.path);
    key = loadOrCreateKey(keyFile, true);
  }
  const ids = new IdentityProtector(mode, key);
  const db = openSpool(cfg.spool.path);
  const writer = new SpoolClient(
    cfg.spool.path,
    live ? { batchSize: cfg.spool.batchSize } : { batchSize: cfg.spool.batchSize, failAfterMs: REPLAY_FAIL_AFTER_MS, quiet: true },
  );
  const dbg = cfg.debug;
  const sampler = dbg.anomalyPcap
    ? new AnomalySampler({ path: dbg.anomalyPcap, maxPerSecondPerLayer: dbg.anomalyPcapPerSecond, maxPackets: dbg.anomalyPcapMaxPackets })
    : null;
  const metricSources = {
    spool: () => ({ written: writer.written, pending: writer.pendingRecords, failing: writer.failing, lastWriteMs: writer.lastCommitMs }),
    spoolBytes: () => fileSize(cfg.spool.path) + fileSize(cfg.spool.path + '-wal'),
  } as MetricSources;
  const metrics = new ProbeMetrics(metricSources, { site: cfg.site, source: source ?? '' });
  const sink = metrics.sink(writer);
  // capture.workers > 1: this thread dispatches, worker threads correlate (src/dispatch/shard.ts).
  const shards = workers > 1 ? new ShardDispatcher({ workers, cfg, identities: mode, key, sink }) : null;
  const pipeline = new Pipeline(sink, ids, { ...pipelineOptions(cfg, networks), tunnelSink: sink, sampler, shard: shards?.targets ?? null });
  shards?.attach(pipeline);
  metricSources.pipeline = pipeline;
  return { cfg, db, writer, pipeline, ids, keyFile, metrics, metricSources, sink, shards };
}

/**
 * The pipeline options the config gives (limits, ports, networks): the same for the capture
 * thread's pipeline and for every shard worker's (src/dispatch/workers/shardWorker.ts).
 */
export function pipelineOptions(cfg: Config, networks: NetworkDirectory | null): PipelineOptions {
  const l = cfg.limits;
  return {
    site: cfg.site,
    networks,
    tcap: { maxPending: l.tcap.maxPending, idleTimeoutUs: l.tcap.idleTimeoutSeconds * 1e6 },
    sigtran: { xudtMaxMessages: l.xudt.maxMessages, xudtMaxBytes: l.xudt.maxBytes, xudtTimeoutUs: l.xudt.timeoutSeconds * 1e6 },
    gtp: gtpOptions(cfg),
    diameter: {
      tcpPorts: cfg.diameter.tcpPorts,
      limits: { maxPending: cfg.diameter.maxPending, idleTimeoutUs: cfg.diameter.timeoutSeconds * 1e6 },
    },
    net: {
      ip: { maxDatagrams: l.ipReassembly.maxDatagrams, maxTotalBytes: l.ipReassembly.maxBytes, timeoutUs: l.ipReassembly.timeoutSeconds * 1e6 },
      tcp: {
        maxConnections: cfg.tcp.maxConnections,
        maxBufferedBytesPerDirection: cfg.tcp.maxBufferedBytesPerDirection,
        maxTotalBytes: cfg.tcp.maxTotalBytes,
        idleTimeoutUs: cfg.tcp.idleTimeoutSeconds * 1e6,
      },
      sctp: {
        maxAssociations: l.sctp.maxAssociations,
        maxTotalPendingBytes: l.sctp.maxPendingBytes,
        maxMessageBytes: l.sctp.maxMessageBytes,
        timeoutUs: l.sctp.timeoutSeconds * 1e6,
      },
    },
  };
}

/** GTP ports (the IANA ones plus the configured extras) and limits from the config. */
export function gtpOptions(cfg: Config): GtpOptionsInput {
  const g = cfg.limits.gtp;
  return {
    ports: {
      control: [...DEFAULT_GTP_PORTS.control, ...cfg.gtp.controlPorts],
      user: [...DEFAULT_GTP_PORTS.user, ...cfg.gtp.userPorts],
    },
    transactions: { maxPending: g.maxPending, timeoutUs: g.timeoutSeconds * 1e6 },
    tunnels: { maxActive: g.maxTunnels, idleTimeoutUs: g.tunnelIdleTimeoutHours * 3600e6 },
  };
}

/**
 * Live start: the GTP tunnels checkpointed by the previous run (at its last flush before a stop
 * or a crash) become active again, and from now on every spool batch carries the changes of the
 * active set (src/spool/activeTunnels.ts). Returns how many tunnels were restored.
 */
export function restoreGtpTunnels(probe: Pick<Probe, 'db' | 'pipeline'> & { writer: Pick<SpoolClient, 'checkpointSource'> }): number {
  const { states, lastKey } = loadActiveTunnels(probe.db);
  const tunnels = probe.pipeline.gtp.tunnels;
  const ckpt = new TunnelCheckpoint(lastKey);
  tunnels.changes = ckpt;
  probe.writer.checkpointSource = () => ckpt.take();
  return tunnels.importActive(states);
}

/**
 * Live stop: the active GTP tunnels outlive the probe. Their last changes go to the spool with
 * the batch flushed here; then they leave the table without rows (not closed as `shutdown`;
 * call before pipeline.finish, which then finds none to close) and the checkpoint keeps them for
 * the next start. Returns how many were kept.
 */
export function keepGtpTunnels(probe: Pick<Probe, 'pipeline'> & { writer: Pick<SpoolClient, 'flush' | 'checkpointSource'> }): number {
  const tunnels = probe.pipeline.gtp.tunnels;
  // User-plane counters are checkpointed at most once a minute per busy tunnel: bring them all in.
  tunnels.markUserPlaneChanged();
  probe.writer.flush();
  tunnels.changes = null;
  probe.writer.checkpointSource = null;
  return tunnels.exportActive(true).length;
}
