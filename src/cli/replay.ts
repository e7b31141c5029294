import { basename, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { SigprobeError } from '../config/errors';
import { defaultConfig, loadConfig } from '../config/load';
import type { IdentityMode } from '../correlate/identities';
import { PcapReader } from '../capture/pcapReader';
import { isSupportedLinkType, linkTypeName, supportedLinkTypesText } from '../capture/linkTypes';
import { buildProbe } from './probe';
import { buildSummary, captureWarning, formatSummary, type Summary } from './summary';
import { Layer } from '../metrics/layers';
import { parseArgs, strOption } from './args';
import { loadNetworks } from '../correlate/networks';
import { MAX_WORKERS } from '../dispatch/shard';

export const REPLAY_USAGE = 'usage: sigprobe replay <capture>... --spool <db> [--config <file>] [--identities raw|pseudonymize|drop] [--site <id>] [--networks <networks.yaml>] [--workers <n>] [--json]';

/** Packets handed to the pipeline per read() call (keeps the loop synchronous and tight). */
const READ_BATCH = 65536;
/** With --workers N > 1: packets between two hand-overs to the workers. */
const SHARD_READ_BATCH = 4096;

/** --workers (or capture.workers): worker threads that correlate; 1 = this thread does everything. */
export function workersOption(opt: string | undefined, cfgWorkers: number | undefined): number {
  if (opt === undefined) return cfgWorkers ?? 1;
  const n = Number(opt);
  if (!/^\d+$/.test(opt) || n < 1 || n > MAX_WORKERS) throw new SigprobeError('E_USAGE', `--workers expects an integer from 1 to ${MAX_WORKERS}, got '${opt}'`);
  return n;
}

export async function replayMain(argv: readonly string[], out: (s: string) => void): Promise<Summary> {
  const p = parseArgs(argv, { spool: 'string', config: 'string', identities: 'string', site: 'string', networks: 'string', workers: 'string', json: 'flag' });
  if (p.positional.length === 0) throw new SigprobeError('E_USAGE', `no capture file given\n${REPLAY_USAGE}`);
  const cfgFile = strOption(p, 'config');
  const spoolOpt = strOption(p, 'spool');
  if (!cfgFile && !spoolOpt) throw new SigprobeError('E_USAGE', `--spool <db> (or --config with spool.path) is required\n${REPLAY_USAGE}`);
  const cfg = cfgFile ? loadConfig(cfgFile) : defaultConfig(spoolOpt as string);
  if (cfgFile && spoolOpt) cfg.spool.path = defaultConfig(spoolOpt).spool.path;
  const site = strOption(p, 'site');
  if (site) cfg.site = site;
  const idOpt = strOption(p, 'identities');
  if (idOpt !== undefined && idOpt !== 'raw' && idOpt !== 'pseudonymize' && idOpt !== 'drop') {
    throw new SigprobeError('E_USAGE', `--identities expects raw, pseudonymize or drop, got '${idOpt}'`);
  }
  // The operators file (config/networks.yaml format): checked here, before any capture is opened.
  const netOpt = strOption(p, 'networks');
  if (netOpt !== undefined) {
    cfg.networks = { file: resolve(netOpt) };
    loadNetworks(cfg.networks.file);
  }
  const workers = workersOption(strOption(p, 'workers'), cfg.capture?.workers);
  // Open every capture first: a bad argument fails before anything is written.
  const readers: PcapReader[] = [];
  try {
    for (const f of p.positional) {
      try {
        if (statSync(f).isDirectory()) throw new SigprobeError('E_CAPTURE_OPEN', `${f} is a directory, not a capture file`);
      } catch (e) {
        if (e instanceof SigprobeError) throw e;
      }
      const r = PcapReader.open(f);
      readers.push(r);
      // pcap has one link type for the whole file: refuse an unknown one up front. (pcapng names
      // link types per interface as it goes: packets of an unknown one are counted and skipped.)
      if (r.format === 'pcap' && !isSupportedLinkType(r.linkTypes[0])) {
        throw new SigprobeError(
          'E_LINKTYPE',
          `${f}: link type ${r.linkTypes[0]} (${linkTypeName(r.linkTypes[0])}) is not supported; supported: ${supportedLinkTypesText()}`,
        );
      }
    }
  } catch (e) {
    for (const r of readers) r.close();
    throw e;
  }
  const probe = buildProbe(cfg, idOpt as IdentityMode | undefined, undefined, false, workers);
  const { pipeline, writer, db, shards } = probe;
  const firstId = (db.prepare('SELECT coalesce(max(id), 0) m FROM dialogues').get() as { m: number }).m;
  const started = new Date();
  const t0 = process.hrtime.bigint();
  const onPacket = pipeline.onPacket.bind(pipeline);
  for (const r of readers) {
    pipeline.setSource(basename(r.path));
    if (shards === null) {
      while (r.read(onPacket, READ_BATCH) > 0) {
        /* streaming: READ_BATCH packets at a time */
      }
    } else {
      // Sharded: hand the batches over and let the workers' records in every few thousand packets.
      while (r.read(onPacket, SHARD_READ_BATCH) > 0) await shards.pump();
    }
    r.close();
    // A damaged file (cut inside a record, a bogus block length, garbage appended) stops reading
    // there: warn at once, count it (summary, runs), and replay exits 3 (README "Capture input").
    const warning = captureWarning(r);
    if (warning !== null) {
      process.stderr.write(warning + '\n');
      pipeline.counters.anomaly(Layer.Capture, r.stats.endAnomaly);
    }
  }
  pipeline.finish('capture_end');
  if (shards !== null) await shards.drain();
  writer.close();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const summary = buildSummary(pipeline, db, firstId, readers.length, seconds, cfg.spool.path, readers);
  db.prepare('INSERT INTO runs (started_at, finished_at, mode, sources, site, packets, dialogues, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    started.toISOString(),
    new Date().toISOString(),
    'replay',
    p.positional.join(' '),
    cfg.site,
    summary.packets,
    summary.written,
    JSON.stringify(summary),
  );
  db.close();
  out(p.options.has('json') ? JSON.stringify(summary) : formatSummary(summary));
  return summary;
}
