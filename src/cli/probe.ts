import { dirname, join } from 'node:path';
import { statSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import type { Config } from '../config/schema';
import { IdentityProtector, loadOrCreateKey, type IdentityMode } from '../correlate/identities';
import { Pipeline } from '../dispatch/pipeline';
import { openSpool } from '../spool/spool';
import { SpoolClient } from '../spool/spoolClient';
import { AnomalySampler } from '../capture/anomalySampler';
import { DEFAULT_GTP_PORTS, type GtpOptionsInput } from '../dispatch/gtp';
import { loadActiveTunnels, saveActiveTunnels } from '../spool/activeTunnels';
import { ProbeMetrics, type MetricSources } from '../metrics/probeMetrics';

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

export function buildProbe(cfg: Config, identities?: IdentityMode, source?: string): Probe {
  const mode = identities ?? cfg.privacy.identities;
  let key: Buffer | null = null;
  let keyFile: string | null = null;
  if (mode === 'pseudonymize') {
    keyFile = cfg.privacy.keyFile ?? defaultKeyFile(cfg.spool.path);
    key = loadOrCreateKey(keyFile, true);
  }
  const ids = new IdentityProtector(mode, key);
  const db = openSpool(cfg.spool.path);
  const writer = new SpoolClient(cfg.spool.path, { batchSize: cfg.spool.batchSize });
  const l = cfg.limits;
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
  const pipeline = new Pipeline(sink, ids, {
    site: cfg.site,
    tunnelSink: sink,
    sampler,
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
  });
  metricSources.pipeline = pipeline;
  return { cfg, db, writer, pipeline, ids, keyFile, metrics, metricSources };
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

/** Live start: the GTP tunnels saved by the previous run's stop become active again. */
export function restoreGtpTunnels(probe: Probe): number {
  const { states } = loadActiveTunnels(probe.db);
  return probe.pipeline.gtp.tunnels.importActive(states);
}

/**
 * Live stop: the active GTP tunnels are saved to the spool instead of being closed as
 * `shutdown` (call before pipeline.finish, which then finds none to close).
 */
export function saveGtpTunnels(probe: Probe): number {
  return saveActiveTunnels(probe.db, probe.pipeline.gtp.tunnels.exportActive(true));
}
