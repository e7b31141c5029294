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

export const COLLECT_USAGE = 'usage: sigprobe collect --config <file>';

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
  const p = parseArgs(argv, { config: 'string' });
  const cfgFile = strOption(p, 'config');
  if (!cfgFile) throw new SigprobeError('E_USAGE', `--config <file> is required\n${COLLECT_USAGE}`);
  const { cfg, pgPassword } = loadCollectorConfig(cfgFile);
  // Loaded here, not at the top: bullmq / pg cost every other command ~0.1 s of start-up.
  const { Collector } = require('../collector/collector') as typeof import('../collector/collector');
  const collector = new Collector({ cfg, pgPassword, log: createLogger('collect', cfg.logLevel) });
  out(`sigprobe: collecting queue ${cfg.queue} from ${cfg.redis.host}:${cfg.redis.port} into schema ${cfg.postgres.schema}`);
  const server = cfg.metricsListen ? await serveRegistry(cfg.metricsListen, collectorMetrics(collector, `${process.pid}`), out) : null;
  return runUntilSignal(collector, server, () => `collector stopped; ${collector.counters.recordsStored} records in ${collector.counters.batchesStored} batches stored`, out);
}
