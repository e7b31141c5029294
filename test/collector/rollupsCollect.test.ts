/**
 * Rollups through the real daemons (built CLI): a roaming capture's spool → `sigprobe ship` →
 * Redis → `sigprobe collect` (killed with SIGKILL twice while it works through the backlog, i.e.
 * in the middle of batches' transactions), then a batch re-queued from failed_batches over
 * records already stored and the shipped batches added again under new job ids (redelivery).
 * Afterwards the rollups equal a rebuild from raw (`collect --rebuild-rollups`, run twice:
 * idempotent), and the totals equal the spool's. Also: --rebuild-rollups argument errors (exit 2,
 * one line) and retention (raw partitions dropped, rollups kept, raw_dropped_days, rebuild refused).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchStore } from '../../src/collector/store';
import { generate } from '../../src/gen/index';
import { BATCH_VERSION, batchJobId, compress, ENCODINGS } from '../../src/ship/batch';
import { SpoolTableSource } from '../../src/ship/spoolSource';
import { PgServer, RedisServer, serversMissing } from '../helpers/servers';
import { centralCount, Daemon, MAIN, waitFor, writeCollectConfig, writeShipConfig } from '../helpers/shipCollect';
import { rollupSnapshot } from '../helpers/rollups';

const missing = serversMissing();
const PASSWORD = 'rollups-redis-secret';
let dir = '';
let redis: RedisServer;
let pgs: PgServer;
let pool: Pool;
let pwFile = '';
let spool = '';
const daemons: Daemon[] = [];

function start(cmd: 'ship' | 'collect', config: string): Daemon {
  const d = Daemon.start(cmd, config);
  daemons.push(d);
  return d;
}

function collect(...args: string[]) {
  return spawnSync(process.execPath, [MAIN, 'collect', ...args], { encoding: 'utf8', timeout: 60_000 });
}

beforeAll(async () => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), 'sp-rollups-collect-'));
  pwFile = join(dir, 'redis.pw');
  writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
  const out = join(dir, 'r.pcap');
  const s = generate({ out, seed: 8, dialogues: 0, scenario: 'roaming', devices: 400, hours: 2 });
  spool = join(dir, 's.db');
  const r = spawnSync(process.execPath, [MAIN, 'replay', out, '--spool', spool, '--networks', s.networksPath!, '--site', 'ams1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`replay failed: ${r.stderr}`);
  [redis, pgs] = await Promise.all([RedisServer.start({ password: PASSWORD }), PgServer.start()]);
  pool = new Pool({ connectionString: pgs.url, max: 2 });
  pool.on('error', () => {});
}, 120_000);

afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
  await pool?.end().catch(() => {});
  await redis?.destroy();
  await pgs?.destroy();
});

describe.skipIf(missing !== null)('rollups with the real ship → collect daemons', () => {
  it('collector kill -9 mid-batch, re-queue, redelivery: rollups equal a rebuild from raw', async () => {
    const db = new Database(spool, { readonly: true });
    const nD = (db.prepare('SELECT count(*) AS n FROM dialogues').get() as { n: number }).n;
    const nDreq = (db.prepare('SELECT count(*) AS n FROM dialogues WHERE req_time_us IS NOT NULL').get() as { n: number }).n;
    const nT = (db.prepare('SELECT count(*) AS n FROM tunnels').get() as { n: number }).n;
    db.close();
    const queue = 'rq';
    const schema = 'rc';
    const collCfg = writeCollectConfig(dir, { redisPort: redis.port, passwordFile: pwFile, pgUrl: pgs.url, queue, schema, concurrency: 2 });
    const ship = start('ship', writeShipConfig(dir, { site: 'ams1', spool, redisPort: redis.port, passwordFile: pwFile, queue, maxRecords: 150 }));
    await waitFor('all shipped', () => ship.events('stats').some((l) => l.recordsShipped === nD + nT));
    const stored = async () => (await centralCount(pool, schema, 'ams1')) + (await centralCount(pool, schema, 'ams1', 'tunnels'));
    // two collectors killed with SIGKILL while they work through the backlog
    for (const part of [0.25, 0.6]) {
      const c = start('collect', collCfg);
      await waitFor('some batches stored', async () => (await stored()) >= part * (nD + nT), 60_000, 5);
      await c.stop('SIGKILL');
    }
    expect(await stored()).toBeLessThan(nD + nT);
    const coll = start('collect', collCfg);
    await waitFor('all records stored', async () => (await stored()) === nD + nT, 90_000, 100);

    // re-queue: a failed batch (as recorded by a collector) over records stored meanwhile
    const sdb = new Database(spool, { readonly: true });
    const src = new SpoolTableSource(sdb, 'dialogues');
    const r = src.readAfter(100, 400)!;
    sdb.close();
    const prog = await pool.query(`SELECT spool_id FROM ${schema}.probe_spools WHERE probe_id = 'ams1'`);
    expect(prog.rows.length).toBe(1);
    const dupsBefore = coll.events('batch_duplicates').length;
    const h = { v: BATCH_VERSION, probe: 'ams1', spool: prog.rows[0].spool_id as string, table: 'dialogues' as const, first: r.first, last: r.last, count: r.count, cols: r.cols, days: r.days, tmax: r.tmax, bytes: r.text.length, enc: ENCODINGS.gzip };
    const data = (await compress(r.text, 'gzip', 1)).toString('base64');
    await pool.query(`INSERT INTO ${schema}.failed_batches (job_id, probe_id, spool_id, tbl, first_id, last_id, records, reason, job_data) VALUES ('old-failure', 'ams1', $1, 'dialogues', $2, $3, $4, 'postgres down', $5)`, [h.spool, h.first, h.last, h.count, JSON.stringify({ ...h, data })]);
    const rq = collect('--config', collCfg, '--requeue', 'all');
    expect(rq.status).toBe(0);
    // redelivery: the same batch once more under another job id
    const q = new Queue(queue, { connection: { port: redis.port, password: PASSWORD } });
    await q.add('dialogues', { ...h, data }, { jobId: `${batchJobId(h)}.again` });
    await waitFor('the re-queued and redelivered batches done', () => coll.events('batch_duplicates').length >= dupsBefore + 2, 30_000);
    await q.close();
    expect(await stored()).toBe(nD + nT);

    const incremental = await rollupSnapshot(pool, schema);
    const sums = await pool.query(`SELECT (SELECT sum(dialogues)::int FROM ${schema}.rollup_dialogues_hourly) AS d, (SELECT sum(creates)::int FROM ${schema}.rollup_tunnels_hourly) AS t`);
    expect(sums.rows[0]).toEqual({ d: nDreq, t: nT });
    for (let i = 0; i < 2; i++) {
      const rb = collect('--config', collCfg, '--rebuild-rollups', '--from', '2000-01-01', '--to', '2100-01-01');
      expect(rb.stderr).toBe('');
      expect(rb.status).toBe(0);
      expect(rb.stdout).toMatch(/^sigprobe: rollups of 2000-01-01 to 2100-01-01 \(UTC days, end excluded\) rebuilt from raw in [\d.]+ s: \d+ dialogue-hour, \d+ dialogue-minute, \d+ tunnel-hour, \d+ device-day rows\n$/);
      expect(await rollupSnapshot(pool, schema)).toEqual(incremental);
    }
    await coll.stop();
    await ship.stop();
  }, 180_000);

  it('--rebuild-rollups: bad arguments exit 2 with one line', () => {
    const cfg = writeCollectConfig(dir, { redisPort: redis.port, passwordFile: pwFile, pgUrl: pgs.url, queue: 'args', schema: 'args' });
    const cases: [string[], string][] = [
      [['--rebuild-rollups'], '--rebuild-rollups needs --from <time> and --to <time>'],
      [['--rebuild-rollups', '--from', '2026-01-02', '--to', '2026-01-01'], '--to (2026-01-01) is not after --from (2026-01-02)'],
      [['--rebuild-rollups', '--from', 'yesterday', '--to', '2026-01-01'], "--from expects an ISO-8601 time (2026-12-07T10:00:00Z) or epoch seconds, got 'yesterday'"],
      [['--from', '2026-01-01'], '--from / --to go with --rebuild-rollups'],
      [['--rebuild-rollups', '--apply-retention', '--from', '1', '--to', '2'], '--requeue, --rebuild-rollups and --apply-retention are separate runs: give one'],
      [['--apply-retention'], 'collector.retentionDays is 0 (keep every raw day): nothing to apply'],
    ];
    for (const [args, msg] of cases) {
      const r = collect('--config', cfg, ...args);
      expect(r.stderr).toBe(`sigprobe: ${msg}\n`);
      expect(r.status).toBe(2);
    }
  });

  it('retention drops raw day partitions, keeps the rollups, records the days; rebuild refuses them', async () => {
    const schema = 'rc';
    const before = await rollupSnapshot(pool, schema);
    const days = (await pool.query(`SELECT DISTINCT (ts AT TIME ZONE 'UTC')::date::text AS d FROM ${schema}.dialogues ORDER BY 1`)).rows.map((x) => x.d as string);
    const store = new BatchStore(pool, schema);
    // "now" = the day after the last record: keep 1 day → every record day is dropped
    const last = Date.parse(days[days.length - 1]);
    const dropped = await store.dropPartitionsBefore(1, last + 86_400_000);
    expect(dropped.sort()).toEqual([...days.map((d) => `dialogues_${d.replaceAll('-', '')}`), ...days.map((d) => `tunnels_${d.replaceAll('-', '')}`)].sort());
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${schema}.dialogues`)).rows[0].n).toBe(0);
    expect((await pool.query(`SELECT day::text AS d FROM ${schema}.raw_dropped_days ORDER BY 1`)).rows.map((x) => x.d)).toEqual(days);
    expect(await rollupSnapshot(pool, schema)).toEqual(before);
    const cfg = writeCollectConfig(dir, { redisPort: redis.port, passwordFile: pwFile, pgUrl: pgs.url, queue: 'rq', schema });
    const r = collect('--config', cfg, '--rebuild-rollups', '--from', days[0], '--to', `${days[0]}T23:00:00Z`);
    expect(r.stderr).toBe(`sigprobe: cannot rebuild rollups of ${days[0]}: raw records dropped by retention (1 day(s) served from rollups only)\n`);
    expect(r.status).toBe(2);
    expect(await rollupSnapshot(pool, schema)).toEqual(before);
  });
});
