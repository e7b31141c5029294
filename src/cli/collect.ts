import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { SigprobeError } from '../config/errors';
import { CollectorFileSchema, type CollectorConfig } from '../config/schema';
import { configDir, resolveRedisPaths, resolveTlsPaths } from '../ship/connectionPaths';
import { createLogger } from '../ship/log';
import { parseArgs, strOption } from './args';
import { runUntilSignal } from './daemon';
import { collectorMetrics } from '../metrics/shipMetrics';
import { serveRegistry } from '../metrics/server';

export const COLLECT_USAGE =
  'usage: sigprobe collect --config <file> [--requeue <failed job id> | --requeue all | --rebuild-rollups --from <time> --to <time> | --apply-retention]';

/**
 * Reads the `collector` section of a config file (a central-site file usually holds only that
 * section; a probe's file with one works too). Relative file names are relative to the file.
 */
export function loadCollectorConfig(file: string): { cfg: CollectorConfig; pgPassword?: string } {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SigprobeError('E_CONFIG', `cannot read config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message.split('\n')[0]}`);
  }
  const r = CollectorFileSchema.safeParse(raw ?? {});
  if (!r.success) {
    const why = r.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.join(', ')}` : i.message}`);
    throw new SigprobeError('E_CONFIG', `${file}: ${why.join('; ')}`);
  }
  const base = configDir(file);
  const cfg = r.data.collector;
  cfg.redis = resolveRedisPaths(cfg.redis, base);
  const pg = cfg.postgres;
  if (pg.tls) pg.tls = resolveTlsPaths(pg.tls, base);
  let pgPassword: string | undefined;
  if (pg.passwordFile) {
    pg.passwordFile = resolve(base, pg.passwordFile);
    try {
      pgPassword = readFileSync(pg.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new SigprobeError('E_CONFIG', `cannot read PostgreSQL password file ${pg.passwordFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return { cfg, pgPassword };
}

/**
 * The collector daemon (central site; run as many as wanted): Redis (BullMQ) → PostgreSQL, see
 * src/collector/collector.ts. SIGTERM / SIGINT: finish the batches in progress, exit 0.
 */
export async function collectMain(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const p = parseArgs(argv, { config: 'string', requeue: 'string', 'rebuild-rollups': 'flag', from: 'string', to: 'string', 'apply-retention': 'flag' });
  const cfgFile = strOption(p, 'config');
  if (!cfgFile) throw new SigprobeError('E_USAGE', `--config <file> is required\n${COLLECT_USAGE}`);
  const requeue = strOption(p, 'requeue');
  const rebuild = p.options.has('rebuild-rollups');
  const retention = p.options.has('apply-retention');
  if ([requeue !== undefined, rebuild, retention].filter(Boolean).length > 1) {
    throw new SigprobeError('E_USAGE', `--requeue, --rebuild-rollups and --apply-retention are separate runs: give one`);
  }
  const from = strOption(p, 'from');
  const to = strOption(p, 'to');
  if (!rebuild && (from !== undefined || to !== undefined)) throw new SigprobeError('E_USAGE', `--from / --to go with --rebuild-rollups`);
  let range: [number, number] | undefined;
  if (rebuild) {
    if (from === undefined || to === undefined) throw new SigprobeError('E_USAGE', `--rebuild-rollups needs --from <time> and --to <time>`);
    // (report.ts's parser: ISO-8601 UTC or epoch seconds; loaded here only)
    const { parseTime } = require('./report') as typeof import('./report');
    range = [Math.floor(parseTime('from', from) / 1000), Math.ceil(parseTime('to', to) / 1000)];
    if (!(range[1] > range[0])) throw new SigprobeError('E_USAGE', `--to (${to}) is not after --from (${from})`);
  }
  const { cfg, pgPassword } = loadCollectorConfig(cfgFile);
  if (requeue !== undefined) return requeueMain(cfg, pgPassword, requeue, out);
  if (range) return rebuildMain(cfg, pgPassword, range, out);
  if (retention) return retentionMain(cfg, pgPassword, out);
  // Loaded here, not at the top: bullmq / pg cost every other command ~0.1 s of start-up.
  const { Collector } = require('../collector/collector') as typeof import('../collector/collector');
  const log = createLogger('collect', cfg.logLevel);
  const collector = new Collector({ cfg, pgPassword, log });
  out(`sigprobe: collecting queue ${cfg.queue} from ${cfg.redis.host}:${cfg.redis.port} into schema ${cfg.postgres.schema}`);
  const server = cfg.metricsListen ? await serveRegistry(cfg.metricsListen, collectorMetrics(collector, `${process.pid}`), out) : null;
  return runUntilSignal(collector, server, () => `collector stopped; ${collector.counters.recordsStored} records in ${collector.counters.batchesStored} batches stored`, out, log);
}

/**
 * `--requeue <job id> | all`: puts batches of failed_batches back on the queue (after their cause
 * was fixed) and exits; the running collectors store them. Exit 2 when nothing matched.
 */
async function requeueMain(cfg: CollectorConfig, pgPassword: string | undefined, which: string, out: (s: string) => void): Promise<number> {
  const { Queue } = require('bullmq') as typeof import('bullmq');
  const { collectorPool } = require('../collector/collector') as typeof import('../collector/collector');
  const { migrateCentral } = require('../collector/store') as typeof import('../collector/store');
  const { requeueFailed } = require('../collector/requeue') as typeof import('../collector/requeue');
  const { redisOptions } = require('../ship/connection') as typeof import('../ship/connection');
  const pool = collectorPool(cfg, pgPassword);
  const queue = new Queue(cfg.queue, { connection: redisOptions(cfg.redis, 'producer') });
  queue.on('error', () => {});
  try {
    await migrateCentral(pool, cfg.postgres.schema);
    const r = await requeueFailed(pool, cfg.postgres.schema, queue, which);
    for (const [id, newId, records] of r.requeued) out(`requeued ${id} as ${newId} (${records} records)`);
    for (const [id, why] of r.skipped) out(`skipped ${id}: ${why}`);
    out(`sigprobe: ${r.requeued.length} failed batch(es) requeued, ${r.skipped.length} skipped`);
    if (r.requeued.length + r.skipped.length === 0) {
      process.stderr.write(`sigprobe: no failed batch ${which === 'all' ? 'left to requeue' : `'${which}' that is not requeued yet`} in ${cfg.postgres.schema}.failed_batches\n`);
      return 2;
    }
    return 0;
  } finally {
    await queue.close().catch(() => {});
    await pool.end().catch(() => {});
  }
}

/** The collector's pool after the migrations (the one-shot commands run against a current schema). */
async function migratedPool(cfg: CollectorConfig, pgPassword: string | undefined) {
  const { collectorPool } = require('../collector/collector') as typeof import('../collector/collector');
  const { migrateCentral } = require('../collector/store') as typeof import('../collector/store');
  const pool = collectorPool(cfg, pgPassword);
  try {
    await migrateCentral(pool, cfg.postgres.schema);
  } catch (e) {
    await pool.end().catch(() => {});
    throw e;
  }
  return pool;
}

/**
 * `--rebuild-rollups --from T --to T`: recomputes the rollups of the UTC days covering the range
 * from the raw partitions (after a definition change or a restore); idempotent. Refuses (exit 2)
 * days whose raw partitions retention dropped.
 */
async function rebuildMain(cfg: CollectorConfig, pgPassword: string | undefined, [fromMs, toMs]: [number, number], out: (s: string) => void): Promise<number> {
  const { rebuildRollups } = require('../collector/rollups') as typeof import('../collector/rollups');
  const pool = await migratedPool(cfg, pgPassword);
  try {
    const t0 = Date.now();
    const r = await rebuildRollups(pool, cfg.postgres.schema, fromMs, toMs);
    out(
      `sigprobe: rollups of ${r.dayFrom} to ${r.dayTo} (UTC days, end excluded) rebuilt from raw in ${((Date.now() - t0) / 1000).toFixed(1)} s: ` +
        `${r.dialogueRows} dialogue-hour, ${r.minuteRows} dialogue-minute, ${r.tunnelRows} tunnel-hour, ${r.deviceDayRows} device-day rows`,
    );
    return 0;
  } finally {
    await pool.end().catch(() => {});
  }
}

/** `--apply-retention`: drops the raw day partitions older than collector.retentionDays now (the collector does it hourly). */
async function retentionMain(cfg: CollectorConfig, pgPassword: string | undefined, out: (s: string) => void): Promise<number> {
  if (cfg.retentionDays === 0) throw new SigprobeError('E_USAGE', `collector.retentionDays is 0 (keep every raw day): nothing to apply`);
  const { BatchStore } = require('../collector/store') as typeof import('../collector/store');
  const pool = await migratedPool(cfg, pgPassword);
  try {
    const names = await new BatchStore(pool, cfg.postgres.schema, { rollups: cfg.rollups }).dropPartitionsBefore(cfg.retentionDays);
    for (const n of names) out(`dropped ${n}`);
    out(`sigprobe: ${names.length} raw partition(s) older than ${cfg.retentionDays} day(s) dropped; their rollups stay (${cfg.postgres.schema}.raw_dropped_days)`);
    return 0;
  } finally {
    await pool.end().catch(() => {});
  }
}
