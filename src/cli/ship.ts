import { SigprobeError } from '../config/errors';
import { loadConfig } from '../config/load';
import { configDir, resolveRedisPaths } from '../ship/connectionPaths';
import { createLogger } from '../ship/log';
import { parseArgs, strOption } from './args';
import { runUntilSignal } from './daemon';
import { shipperMetrics } from '../metrics/shipMetrics';
import { serveRegistry } from '../metrics/server';

export const SHIP_USAGE = 'usage: sigprobe ship --config <file>';

/**
 * The shipper daemon (its own process next to `sigprobe run`): spool → Redis (BullMQ), see
 * src/ship/shipper.ts. Logs one JSON line per event on stderr. SIGTERM / SIGINT: stop cutting
 * batches, wait up to 5 s for the adds in flight, exit 0 (what was not acknowledged is re-added
 * with the same job ids at the next start).
 */
export async function shipMain(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const p = parseArgs(argv, { config: 'string' });
  const cfgFile = strOption(p, 'config');
  if (!cfgFile) throw new SigprobeError('E_USAGE', `--config <file> is required\n${SHIP_USAGE}`);
  const cfg = loadConfig(cfgFile);
  // Loaded here, not at the top: bullmq / ioredis cost every other command ~0.1 s of start-up.
  const { Shipper } = require('../ship/shipper') as typeof import('../ship/shipper');
  if (!cfg.ship) throw new SigprobeError('E_CONFIG', `${cfgFile}: ship: required for 'ship'`);
  const ship = { ...cfg.ship, redis: resolveRedisPaths(cfg.ship.redis, configDir(cfgFile)) };
  const probeId = ship.probeId ?? cfg.site;
  const log = createLogger('ship', ship.logLevel);
  const shipper = new Shipper({ probeId, spoolPath: cfg.spool.path, ship, log });
  out(`sigprobe: shipping ${cfg.spool.path} as probe ${probeId} to queue ${ship.queue} on ${ship.redis.host}:${ship.redis.port}`);
  const server = ship.metricsListen
    ? await serveRegistry(
        ship.metricsListen,
        shipperMetrics(
          {
            counters: shipper.counters,
            get redisDown() {
              return shipper.redisDown;
            },
            lag: () => shipper.lag(),
            retentionCounters: () => shipper.retention?.counters ?? null,
          },
          probeId,
        ),
        out,
      )
    : null;
  return runUntilSignal(shipper, server, () => `shipper stopped; ${shipper.counters.recordsShipped} records in ${shipper.counters.batchesShipped} batches shipped`, out, log);
}
