// Step g of the bench: the spool of step c shipped and collected end to end — `sigprobe ship` →
// private Redis → `sigprobe collect` → private PostgreSQL (src/bench/servers.ts), the daemons as
// child processes exactly as deployed. Measures the time from their start until the last record
// is in PostgreSQL, the shipper's own time (until Redis acknowledged the last batch), and the
// largest backlog (records acknowledged by Redis, not yet in PostgreSQL) seen meanwhile, and the
// CPU time each part used (shipper, collector, PostgreSQL, Redis), from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { openSpool } from '../spool/spool';
import { CLI_MAIN } from './paths';
import { cpuSecondsByProcess, cpuSecondsOf, PgServer, RedisServer } from './servers';

export interface ShipCollectParams {
  spool: string;
  work: string;
}

export interface ShipCollectResult {
  /** records in the spool (dialogues + tunnels), all stored centrally */
  records: number;
  /** daemons started → last record stored */
  seconds: number;
  /** daemons started → last batch acknowledged by Redis */
  shipSeconds: number;
  /** most records acknowledged by Redis and not yet stored, over the run */
  peakBacklog: number;
  batchRecords: number;
  collectorConcurrency: number;
  /** CPU seconds each part used over the run (start-up included): the machine's cores bound the rate */
  cpu: { shipper: number; collector: number; postgres: number; redis: number };
  /** PostgreSQL's CPU seconds by process (backends, checkpointer, autovacuum...) */
  postgresByProcess: Record<string, number>;
}

const BATCH_RECORDS = Number(process.env.BATCH ?? 5000);
const CONCURRENCY = Number(process.env.CONC ?? 2);
const POLL_MS = 100;
/**
 * PostgreSQL settings of the run: the README's recommendation for the central store scaled down
 * (it says 25 % of RAM for shared_buffers; 2 GB holds the run's ~1 GB of table and indexes, with
 * 512 MB the backends evict and write pages themselves: ~0.5-1.5 µs a record more, and noisier).
 */
export const PG_SETTINGS = { shared_buffers: '2GB', max_wal_size: '4GB', checkpoint_timeout: '15min' };

function daemon(cmd: string, config: string): ChildProcess {
  // SIGPROBE_BENCH_CPU_PROF=<dir>: V8 CPU profiles of the shipper and the collector
  const prof = process.env.SIGPROBE_BENCH_CPU_PROF;
  const flags = prof ? ['--cpu-prof', '--cpu-prof-dir', prof, '--cpu-prof-name', `${cmd}.cpuprofile`] : [];
  const c = spawn(process.execPath, [...flags, CLI_MAIN, cmd, '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  // keep warnings and errors visible on the bench's stderr; stats lines are noise here
  c.stderr!.on('data', (d: Buffer) => {
    for (const l of d.toString().split('\n')) if (/"level":"(warn|error)"/.test(l)) process.stderr.write(`[bench ${cmd}] ${l}\n`);
  });
  return c;
}

function stop(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  });
}

export async function measureShipCollect(p: ShipCollectParams): Promise<ShipCollectResult> {
  const [pg, redis] = await Promise.all([PgServer.start({ settings: PG_SETTINGS }), RedisServer.start()]);
  const spool = openSpool(p.spool);
  const pool = new Pool({ connectionString: pg.url, max: 1 });
  pool.on('error', () => {});
  const children: ChildProcess[] = [];
  try {
    // a spool shipped by an earlier run starts over
    spool.exec("UPDATE ship_state SET shipped_id = 0, pending = '[]'");
    const count = (t: string) => (spool.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    const records = count('dialogues') + count('tunnels');
    const shipped = spool.prepare('SELECT sum(shipped_id) AS s FROM ship_state').pluck(true);
    const maxIds = (spool.prepare('SELECT coalesce((SELECT max(id) FROM dialogues), 0) + coalesce((SELECT max(id) FROM tunnels), 0)').pluck(true).get() as number) ?? 0;
    const shipCfg = join(p.work, 'bench-ship.yaml');
    writeFileSync(
      shipCfg,
      `site: bench\nspool:\n  path: ${p.spool}\nship:\n  redis: { port: ${redis.port} }\n  batch: { maxRecords: ${BATCH_RECORDS} }\n  retention: { maxAgeHours: 1000000 }\n  logLevel: warn\n`,
    );
    const collectCfg = join(p.work, 'bench-collect.yaml');
    writeFileSync(
      collectCfg,
      `collector:\n  redis: { port: ${redis.port} }\n  postgres: { url: "${pg.url}" }\n  concurrency: ${CONCURRENCY}\n  logLevel: warn\n`,
    );
    const t0 = process.hrtime.bigint();
    const secs = () => Number(process.hrtime.bigint() - t0) / 1e9;
    children.push(daemon('collect', collectCfg), daemon('ship', shipCfg));
    let shipSeconds = 0;
    let peakBacklog = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const acked = shipped.get() as number;
      if (shipSeconds === 0 && acked >= maxIds) shipSeconds = secs();
      let stored = 0;
      try {
        stored = Number((await pool.query('SELECT coalesce(sum(records), 0) AS n FROM sigprobe.probe_progress')).rows[0].n);
      } catch {
        /* schema not migrated yet */
      }
      // acked counts ids, records may have gaps: the backlog is an estimate, never negative
      peakBacklog = Math.max(peakBacklog, Math.min(acked, records) - stored);
      if (stored >= records) break;
      for (const c of children) if (c.exitCode !== null) throw new Error('a ship/collect daemon exited early');
      if (secs() > 3600) throw new Error('ship+collect did not finish within an hour');
    }
    const seconds = secs();
    const [collector, shipper] = children.map((c) => cpuSecondsOf(c.pid as number));
    const postgresByProcess = cpuSecondsByProcess(pg.pid as number);
    const postgres = Object.values(postgresByProcess).reduce((a, b) => a + b, 0);
    const cpu = { shipper, collector, postgres, redis: cpuSecondsOf(redis.pid as number) };
    return { records, seconds, shipSeconds: shipSeconds || seconds, peakBacklog, batchRecords: BATCH_RECORDS, collectorConcurrency: CONCURRENCY, cpu, postgresByProcess };
  } finally {
    await Promise.all(children.map(stop));
    spool.close();
    await pool.end().catch(() => {});
    await Promise.all([pg.destroy(), redis.destroy()]);
  }
}
