/**
 * Spool → `sigprobe ship` → Redis (BullMQ) → `sigprobe collect` → PostgreSQL, with real servers:
 * a private redis-server (password, AOF) and a private PostgreSQL cluster (initdb + pg_ctl in a
 * temp dir), on free ports, shared by the tests of this file; each test has its own queue, probe
 * and schema. The daemons are the built CLI in child processes, so faults are real: SIGKILL,
 * Redis stopped for 30 s, PostgreSQL crashed and restarted. Every test compares the central rows
 * with the spool's, column by column: same records, each exactly once.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { Collector } from '../../src/collector/collector';
import { CENTRAL_COLUMNS } from '../../src/collector/schema';
import { CollectorSectionSchema, ShipSectionSchema } from '../../src/config/schema';
import { Shipper } from '../../src/ship/shipper';
import { generate } from '../../src/gen/index';
import type { TunnelRecord } from '../../src/correlate/record';
import { openSpool, SpoolWriter } from '../../src/spool/spool';
import { PgServer, RedisServer, serversMissing } from '../helpers/servers';
import {
  centralCount, centralRows, Daemon, MAIN, replayInto, spoolCount, spoolRows, waitFor, writeCollectConfig, writeShipConfig,
} from '../helpers/shipCollect';
import { BATCH_VERSION, compress, ENCODINGS, JOB_BACKOFF_TYPE } from '../../src/ship/batch';
import { SpoolTableSource } from '../../src/ship/spoolSource';

const missing = serversMissing();
if (missing) console.log(`ship/collect tests skipped: ${missing}`);

const PASSWORD = 'test-redis-secret';
let dir = '';
let redis: RedisServer;
let pgs: PgServer;
let pool: Pool;
let pwFile = '';
const captures: string[] = [];
const daemons: Daemon[] = [];

function start(cmd: 'ship' | 'collect', config: string): Daemon {
  const d = Daemon.start(cmd, config);
  daemons.push(d);
  return d;
}

/** A fresh spool filled by replaying capture `i` as site `site`; returns its path and size. */
function filledSpool(name: string, site: string, ...caps: number[]): { spool: string; records: number } {
  const spool = join(dir, `${name}.db`);
  let records = 0;
  for (const i of caps) records += replayInto(captures[i], spool, site);
  return { spool, records };
}

/** Asserts the central rows of `probe` are exactly the spool's rows (ids, every column, once each). */
async function expectCentralEqualsSpool(schema: string, probe: string, spool: string, table: 'dialogues' | 'tunnels' = 'dialogues', base = 0) {
  const want = spoolRows(spool, table).map((r) => [(r[0] as number) + base, ...r.slice(1)]);
  const got = await centralRows(pool, schema, probe, table);
  expect(got.length).toBe(want.length);
  expect(got).toEqual(want);
  // ts is the record's time, as the partition key
  const t = table === 'dialogues' ? 'coalesce(req_time_us, rsp_time_us, 0)' : 'create_time_us';
  const bad = await pool.query(`SELECT count(*)::int AS n FROM ${schema}.${table} WHERE ts <> timestamptz 'epoch' + ${t} * interval '1 microsecond'`);
  expect(bad.rows[0].n).toBe(0);
}

async function progress(schema: string, probe: string): Promise<{ records: number; duplicates: number; batches: number }> {
  const r = await pool.query(
    `SELECT coalesce(sum(records), 0)::int AS records, coalesce(sum(duplicates), 0)::int AS duplicates, coalesce(sum(batches), 0)::int AS batches FROM ${schema}.probe_progress WHERE probe_id = $1`,
    [probe],
  );
  return r.rows[0];
}

beforeAll(async () => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), 'sp-shipcollect-'));
  pwFile = join(dir, 'redis.pw');
  writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
  [redis, pgs] = await Promise.all([RedisServer.start({ password: PASSWORD }), PgServer.start()]);
  pool = new Pool({ connectionString: pgs.url, max: 2 });
  pool.on('error', () => {});
  for (let i = 0; i < 3; i++) {
    const out = join(dir, `cap${i}.pcap`);
    generate({ out, seed: 100 + i, dialogues: 8000 });
    captures.push(out);
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
  await pool?.end().catch(() => {});
  await redis?.destroy();
  await pgs?.destroy();
});

describe.skipIf(missing !== null)('ship → collect with real Redis and PostgreSQL', () => {
  it('replay → spool → ship → collect: central rows equal spool rows (dialogues and tunnels)', async () => {
    const { spool, records } = filledSpool('s1', 'mia1', 0);
    expect(records).toBeGreaterThan(8000);
    // a few tunnels too (the generated MAP captures have none)
    const db = openSpool(spool);
    const w = new SpoolWriter(db);
    for (let i = 0; i < 30; i++) w.writeTunnel(tunnel(i));
    w.flush();
    db.close();
    const queue = 'q1';
    const coll = start('collect', writeCollectConfig(dir, { redisPort: redis.port, passwordFile: pwFile, pgUrl: pgs.url, queue, schema: 'c1' }));
    const ship = start('ship', writeShipConfig(dir, { site: 'mia1', spool, redisPort: redis.port, passwordFile: pwFile, queue, compression: 'brotli' }));
    await waitFor('all records stored', async () => (await centralCount(pool, 'c1', 'mia1')) === records && (await centralCount(pool, 'c1', 'mia1', 'tunnels')) === 30);
    await expectCentralEqualsSpool('c1', 'mia1', spool);
    await expectCentralEqualsSpool('c1', 'mia1', spool, 'tunnels');
    expect(await progress('c1', 'mia1')).toMatchObject({ records: records + 30, duplicates: 0 });
    // day partitions were created on demand
    const parts = await pool.query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'c1.dialogues'::regclass`);
    expect(parts.rows.map((r) => r.relname)).toContain('dialogues_20231114');

    // A batch delivered again (e.g. a worker killed after COMMIT, before BullMQ heard of it): one row per record.
    const q = new Queue(queue, { connection: { port: redis.port, password: PASSWORD } });
    const done = await q.getCompleted(0, 0);
    expect(done.length).toBe(1);
    await q.add('dialogues', done[0].data, { jobId: `again-${done[0].id}` });
    await waitFor('the copy stored', async () => (await progress('c1', 'mia1')).duplicates === done[0].data.count);
    expect(await centralCount(pool, 'c1', 'mia1')).toBe(records);
    await q.close();

    // the README's psql queries run against this store
    const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Central store'));
    const statements = [...section.matchAll(/```sql\n([\s\S]*?)```/g)]
      .flatMap((m) => m[1].split(';'))
      .map((q) => q.replace(/--.*$/gm, '').trim())
      .filter((q) => q !== '');
    expect(statements.length).toBeGreaterThanOrEqual(5);
    const pseudonym = (await pool.query("SELECT imsi FROM c1.dialogues WHERE imsi IS NOT NULL LIMIT 1")).rows[0].imsi as string;
    let withRows = 0;
    for (const q of statements) {
      const r = await pool.query(q.replaceAll('sigprobe.', 'c1.').replace("'<pseudonym>'", `'${pseudonym}'`));
      if (r.rows.length > 0) withRows++;
    }
    expect(withRows).toBeGreaterThanOrEqual(statements.length - 2); // not the last day's, not failed batches

    // the shipper logged its stats with the lag (nothing unshipped now)
    await waitFor('a stats line with no lag', () => ship.events('stats').some((l) => l.dialoguesUnshipped === 0 && l.tunnelsUnshipped === 0 && l.recordsShipped === records + 30));
    expect(await ship.stop()).toBe(0);
    expect(await coll.stop()).toBe(0);
    expect(ship.lines.filter((l) => l.level === 'error')).toEqual([]);
    // no identity ever appears in a log line
    const imsi = spoolRows(spool).find((r) => r[CENTRAL_COLUMNS.dialogues.findIndex(([n]) => n === 'imsi') + 1])!;
    const someImsi = String(imsi[CENTRAL_COLUMNS.dialogues.findIndex(([n]) => n === 'imsi') + 1]);
    expect(JSON.stringify([...ship.lines, ...coll.lines])).not.toContain(someImsi);
  });

  it('kill -9 of the shipper in the middle of a batch, then restart: no loss, no duplicate', async () => {
    const { spool, records } = filledSpool('s2', 'mad1', 1, 2);
    const queue = 'q2';
    start('collect', writeCollectConfig(dir, { redisPort: redis.port, passwordFile: pwFile, pgUrl: pgs.url, queue, schema: 'c2' }));
    const cfg = writeShipConfig(dir, { site: 'mad1', spool, redisPort: redis.port, passwordFile: pwFile, queue, maxRecords: 300, inFlight: 8 });
    const ship1 = start('ship', cfg);
    // Kill while batches are in flight (their bounds are in ship_state.pending) and some are acknowledged.
    const ro = new Database(spool, { readonly: true });
    const state = () => ro.prepare("SELECT shipped_id, pending FROM ship_state WHERE tbl = 'dialogues'").get() as { shipped_id: number; pending: string };
    await waitFor('batches in flight', () => {
      const s = state();
      return s.shipped_id > 3000 && JSON.parse(s.pending).length > 0;
    }, 60_000, 1);
    await ship1.stop('SIGKILL');
    const atKill = state();
    ro.close();
    expect(atKill.shipped_id).toBeLessThan(records);
    expect(JSON.parse(atKill.pending).length).toBeGreaterThan(0);

    const ship2 = start('ship', cfg);
    await waitFor('all records stored', async () => (await centralCount(pool, 'c2', 'mad1')) === records);
    await expectCentralEqualsSpool('c2', 'mad1', spool);
    // the batches in flight were re-added with the same job ids: BullMQ kept one job each, so no batch was stored twice
    expect(ship2.events('resend_pending')[0]).toMatchObject({ table: 'dialogues' });
    expect(await progress('c2', 'mad1')).toMatchObject({ records, duplicates: 0 });
    await ship2.stop();
  });

  it('Redis stopped for 30 s while replay continues, then restarted: catch-up, no loss', async () => {
    const spool = join(dir, 's3.db');
    let records = replayInto(captures[0], spool, 'fra1');
    const queue = 'q3';
    const coll = start('collect', writeCollectConfig(dir, { redisPort: redis.port, passwordFile: pwFile, pgUrl: pgs.url, queue, schema: 'c3' }));
    const ship = start('ship', writeShipConfig(dir, { site: 'fra1', spool, redisPort: redis.port, passwordFile: pwFile, queue }));
    await waitFor('first capture stored', async () => (await centralCount(pool, 'c3', 'fra1')) === records);

    const stoppedAt = Date.now();
    await redis.stop();
    // replay continues into the spool while Redis is down
    records += replayInto(captures[1], spool, 'fra1');
    await new Promise((r) => setTimeout(r, 2000));
    records += replayInto(captures[2], spool, 'fra1');
    expect(spoolCount(spool)).toBe(records);
    await waitFor('the shipper to notice', () => ship.events('redis_down').length > 0, 20_000);
    // the lag is visible: records pile up unshipped, and nothing more reaches PostgreSQL
    await waitFor('a stats line with the lag', () => ship.events('stats').some((l) => l.redisDown === true && (l.dialoguesUnshipped as number) > 15_000), 20_000);
    const storedDuringOutage = await centralCount(pool, 'c3', 'fra1');
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - stoppedAt))));
    expect(await centralCount(pool, 'c3', 'fra1')).toBe(storedDuringOutage);

    await redis.start();
    await waitFor('catch-up', async () => (await centralCount(pool, 'c3', 'fra1')) === records, 90_000);
    await expectCentralEqualsSpool('c3', 'fra1', spool);
    expect(ship.events('redis_up').length).toBeGreaterThan(0);
    const down = ship.events('redis_down')[0];
    expect(down.level).toBe('warn');
    expect(ship.events('redis_up')[0].downForMs as number).toBeGreaterThan(25_000);
    await waitFor('lag back to zero', () => ship.events('stats').slice(-1)[0]?.dialoguesUnshipped === 0, 20_000);
    expect(await progress('c3', 'fra1')).toMatchObject({ records, duplicates: 0 });
    await ship.stop();
    await coll.stop();
  }, 180_000);

  it('SIGTERM while Redis is unreachable: shipper and collector exit 0 within seconds; the restart ships everything', async () => {
    const { spool, records } = filledSpool('s8', 'fra2', 0);
    const queue = 'q8';
    const collCfg = writeCollectConfig(dir, { redisPort: redis.port, passwordFile: pwFile, pgUrl: pgs.url, queue, schema: 'c8' });
    const shipCfg = writeShipConfig(dir, { site: 'fra2', spool, redisPort: redis.port, passwordFile: pwFile, queue, maxRecords: 500 });
    const coll = start('collect', collCfg);
    await waitFor('the collector to start', () => coll.events('start').length > 0, 20_000);
    await redis.stop();
    const ship = start('ship', shipCfg);
    await waitFor('the shipper to find Redis down', () => ship.events('redis_down').length > 0, 20_000);
    // (before the fix, ioredis' reconnect timers kept both processes alive after a graceful stop)
    const t0 = Date.now();
    expect(await Promise.all([ship.stop(), coll.stop()])).toEqual([0, 0]);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(ship.events('stop').length).toBe(1);
    await redis.start();
    const coll2 = start('collect', collCfg);
    const ship2 = start('ship', shipCfg);
    await waitFor('all records stored', async () => (await centralCount(pool, 'c8', 'fra2')) === records, 60_000);
    await expectCentralEqualsSpool('c8', 'fra2', spool);
    expect(await progress('c8', 'fra2')).toMatchObject({ records, duplicates: 0 });
    await ship2.stop();
    await coll2.stop();
  }, 120_000);

  it('collector killed mid-batch, PostgreSQL crashed and restarted: exactly one copy of every record', async () => {
    const { spool, records } = filledSpool('s4', 'mia2', 1, 2);
    const queue = 'q4';
    const collCfg = writeCollectConfig(dir, { redisPort: redis.port, passwordFile: pwFile, pgUrl: pgs.url, queue, schema: 'c4', concurrency: 2 });
    // everything queued first, then the collector works through the backlog
    const ship = start('ship', writeShipConfig(dir, { site: 'mia2', spool, redisPort: redis.port, passwordFile: pwFile, queue, maxRecords: 500 }));
    await waitFor('all shipped', () => ship.events('stats').some((l) => l.recordsShipped === records));
    const coll1 = start('collect', collCfg);
    await waitFor('some batches stored', async () => (await centralCount(pool, 'c4', 'mia2')) >= 3000, 60_000, 5);
    await coll1.stop('SIGKILL');
    const atKill = await centralCount(pool, 'c4', 'mia2');
    expect(atKill).toBeLessThan(records);
    // PostgreSQL crashes (immediate stop: crash recovery at restart); a new collector starts meanwhile
    await pgs.stop('immediate');
    const coll2 = start('collect', collCfg);
    await waitFor('the collector to wait for PostgreSQL', () => coll2.events('postgres_unavailable').length > 0, 20_000);
    await pgs.start();
    await waitFor('all records stored', async () => (await centralCount(pool, 'c4', 'mia2')) === records, 90_000, 250);
    await expectCentralEqualsSpool('c4', 'mia2', spool);
    const p = await progress('c4', 'mia2');
    expect(p.records).toBe(records);
    await coll2.stop();
    await ship.stop();
  });

  it('a poison batch is moved aside with its reason; later batches are still stored', async () => {
    const queue = 'q5';
    const q = new Queue(queue, { connection: { port: redis.port, password: PASSWORD } });
    const header = {
      v: 1, probe: 'bad1', spool: 'f'.repeat(32), table: 'dialogues', first: 1, last: 2, count: 2,
      cols: ['id', 'protocol', 'status', 'end_reason', 'orphan', 'messages', 'nested_ops', 'retransmissions', 'site', 'source', 'opcode'],
      days: [19675], enc: 'jsonrows.gz',
    };
    const line = (id: number, opcode: string) => `${id},"map","ok","end",0,2,0,0,"x","y",${opcode}`;
    const gz = (s: string) => gzipSync(s).toString('base64');
    await q.add('dialogues', { ...header, data: Buffer.from('not gzip at all').toString('base64') }, { jobId: 'poison-undecodable' });
    await q.add('dialogues', { ...header, data: gz(`${line(1, '1')}\n${line(2, '"two"')}\n`) }, { jobId: 'poison-bad-value', attempts: 1000 });
    await q.add('dialogues', 'just a string', { jobId: 'poison-not-a-batch' });
    await q.add('dialogues', { ...header, count: 3, last: 3, data: gz(`${line(1, '1')}\n${line(2, '2')}\n`) }, { jobId: 'poison-count' });

    const { spool, records } = filledSpool('s5', 'mad2', 0);
    const coll = start('collect', writeCollectConfig(dir, { redisPort: redis.port, passwordFile: pwFile, pgUrl: pgs.url, queue, schema: 'c5' }));
    const ship = start('ship', writeShipConfig(dir, { site: 'mad2', spool, redisPort: redis.port, passwordFile: pwFile, queue }));
    await waitFor('all good records stored', async () => (await centralCount(pool, 'c5', 'mad2')) === records);
    await expectCentralEqualsSpool('c5', 'mad2', spool);

    const failed = await pool.query('SELECT job_id, reason, probe_id, records FROM c5.failed_batches ORDER BY job_id');
    expect(failed.rows.map((r) => r.job_id)).toEqual(['poison-bad-value', 'poison-count', 'poison-not-a-batch', 'poison-undecodable']);
    const reason = Object.fromEntries(failed.rows.map((r) => [r.job_id, r.reason as string]));
    expect(reason['poison-undecodable']).toMatch(/^undecodable payload/);
    expect(reason['poison-bad-value']).toMatch(/^postgres 22P02: invalid input syntax for type bigint/);
    expect(reason['poison-not-a-batch']).toBe('job data is not an object');
    expect(reason['poison-count']).toBe('payload has 2 records, header says 3');
    // in BullMQ's failed set too, with the reason, after one attempt (no retry of a poison batch)
    const f = await q.getFailed();
    expect(f.map((j) => j.id).sort()).toEqual(['poison-bad-value', 'poison-count', 'poison-not-a-batch', 'poison-undecodable']);
    expect(f.find((j) => j.id === 'poison-bad-value')!.attemptsMade).toBe(1);
    expect(f.find((j) => j.id === 'poison-undecodable')!.failedReason).toMatch(/undecodable payload/);
    // nothing of the poison batches was stored
    expect(await centralCount(pool, 'c5', 'bad1')).toBe(0);
    expect(coll.events('batch_failed').map((l) => l.jobId).sort()).toEqual(f.map((j) => j.id).sort());
    await waitFor('a stats line counting them', () => coll.events('stats').some((l) => l.poisonBatches === 4 && l.failed === 4));
    await q.close();
    await ship.stop();
    await coll.stop();
  });

  it('a failed batch is re-queued once its cause is fixed (sigprobe collect --requeue), and stored', async () => {
    const queue = 'q9';
    const collCfg = writeCollectConfig(dir, { redisPort: redis.port, passwordFile: pwFile, pgUrl: pgs.url, queue, schema: 'c9' });
    const coll = start('collect', collCfg);
    // a batch whose header names the wrong day: its records have no partition (a shipper bug)
    const { spool } = filledSpool('s9', 'mia9', 0);
    const db = openSpool(spool);
    const src = new SpoolTableSource(db, 'dialogues');
    const rows = src.readAfter(0, 100)!;
    db.close();
    const z = await compress(rows.text, 'brotli', 1);
    const header = { v: BATCH_VERSION, probe: 'mia9', spool: 'e'.repeat(32), table: 'dialogues', first: rows.first, last: rows.last, count: rows.count, cols: rows.cols, days: [19000], tmax: rows.tmax, bytes: rows.text.length, enc: ENCODINGS.brotli };
    const q = new Queue(queue, { connection: { port: redis.port, password: PASSWORD } });
    await q.add('dialogues', { ...header, data: z.toString('base64') }, { jobId: 'wrong-day', attempts: 1000, backoff: { type: JOB_BACKOFF_TYPE } });
    await q.close();
    await waitFor('the batch moved aside', async () => (await pool.query("SELECT 1 FROM c9.failed_batches WHERE job_id = 'wrong-day'").catch(() => ({ rows: [] }))).rows.length === 1, 60_000);
    const failed = await pool.query("SELECT reason, requeued_at FROM c9.failed_batches WHERE job_id = 'wrong-day'");
    expect(failed.rows[0].reason).toMatch(/^no partition for some records/);
    expect(failed.rows[0].requeued_at).toBeNull();
    // the fix: the partitions of the records' days, made by hand
    for (const day of rows.days) {
      const from = new Date(day * 86_400_000).toISOString().slice(0, 10);
      const to = new Date((day + 1) * 86_400_000).toISOString().slice(0, 10);
      await pool.query(`CREATE TABLE c9.dialogues_${from.replaceAll('-', '')} PARTITION OF c9.dialogues FOR VALUES FROM ('${from}') TO ('${to}')`);
    }
    const requeue = () => spawnSync(process.execPath, [MAIN, 'collect', '--config', collCfg, '--requeue', 'all'], { encoding: 'utf8' });
    const r1 = requeue();
    expect(r1.status).toBe(0);
    expect(r1.stdout).toContain('requeued wrong-day as wrong-day.r1 (100 records)');
    await waitFor('the re-queued batch stored', async () => (await centralCount(pool, 'c9', 'mia9')) === 100, 30_000);
    expect(await centralRows(pool, 'c9', 'mia9')).toEqual(spoolRows(spool).slice(0, 100));
    const marked = await pool.query("SELECT requeued_as, requeued_at IS NOT NULL AS at FROM c9.failed_batches WHERE job_id = 'wrong-day'");
    expect(marked.rows[0]).toEqual({ requeued_as: 'wrong-day.r1', at: true });
    // a second run finds nothing left to re-queue
    const r2 = requeue();
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/no failed batch left to requeue/);
    await coll.stop();
  }, 120_000);

  it("a probe's new spool file (ids from 1 again) does not collide with the old one", async () => {
    const queue = 'q6';
    const coll = start('collect', writeCollectConfig(dir, { redisPort: redis.port, passwordFile: pwFile, pgUrl: pgs.url, queue, schema: 'c6' }));
    const a = filledSpool('s6a', 'mia3', 0);
    const b = filledSpool('s6b', 'mia3', 1);
    const sa = start('ship', writeShipConfig(dir, { site: 'mia3', spool: a.spool, redisPort: redis.port, passwordFile: pwFile, queue }));
    await waitFor('first spool stored', async () => (await centralCount(pool, 'c6', 'mia3')) === a.records);
    await sa.stop();
    const sb = start('ship', writeShipConfig(dir, { site: 'mia3', spool: b.spool, redisPort: redis.port, passwordFile: pwFile, queue }));
    await waitFor('second spool stored', async () => (await centralCount(pool, 'c6', 'mia3')) === a.records + b.records);
    const spools = await pool.query('SELECT spool_no FROM c6.probe_spools ORDER BY spool_no');
    expect(spools.rows.map((r) => r.spool_no)).toEqual([0, 1]);
    expect(await centralRows(pool, 'c6', 'mia3', 'dialogues', 0)).toEqual(spoolRows(a.spool));
    expect(await centralRows(pool, 'c6', 'mia3', 'dialogues', 1)).toEqual(spoolRows(b.spool));
    await sb.stop();
    await coll.stop();
  });
});

describe.skipIf(missing !== null)('Redis over TLS', () => {
  it('the shipper and the collector talk TLS (CA file) and a password; a shipper without the CA cannot', async () => {
    const tdir = mkdtempSync(join(tmpdir(), 'sp-tls-'));
    const f = (n: string) => join(tdir, n);
    const ssl = (...a: string[]) => execFileSync('openssl', a, { stdio: 'pipe' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=sigprobe test CA');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('srv.key'), '-out', f('srv.csr'), '-subj', '/CN=localhost');
    writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    ssl('x509', '-req', '-in', f('srv.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('srv.pem'), '-days', '2', '-extfile', f('san.ext'));
    const tls = await RedisServer.start({ password: PASSWORD, tls: { certFile: f('srv.pem'), keyFile: f('srv.key'), caFile: f('ca.pem') } });
    try {
      const { spool, records } = filledSpool('s7', 'mia4', 0);
      const redisCfg = { port: tls.port, passwordFile: pwFile, tls: { caFile: f('ca.pem') } };
      const collector = new Collector({ cfg: CollectorSectionSchema.parse({ redis: redisCfg, queue: 'q7', postgres: { url: pgs.url, schema: 'c7' }, statsIntervalSeconds: 3600 }) });
      await collector.start();
      const shipper = new Shipper({ probeId: 'mia4', spoolPath: spool, ship: ShipSectionSchema.parse({ redis: redisCfg, queue: 'q7', retention: { maxAgeHours: 1e6 } }) });
      await shipper.start();
      // without the CA the certificate is not trusted: nothing is added
      const lines: string[] = [];
      const untrusting = new Shipper({
        probeId: 'mia5', spoolPath: spool, ship: ShipSectionSchema.parse({ redis: { ...redisCfg, tls: {}, connectTimeoutMs: 1000 }, queue: 'q7x', retry: { baseMs: 50, maxMs: 200 } }),
        log: (_l, event, fl) => lines.push(`${event} ${String(fl?.connectionError ?? '')}`),
      });
      await untrusting.start();
      await waitFor('all records stored over TLS', async () => (await centralCount(pool, 'c7', 'mia4')) === records);
      await expectCentralEqualsSpool('c7', 'mia4', spool);
      await waitFor('the untrusting shipper to fail', () => lines.some((l) => l.startsWith('redis_down')), 20_000);
      expect(untrusting.counters.batchesShipped).toBe(0);
      expect(untrusting.redisDown).toBe(true);
      expect(lines.find((l) => l.startsWith('redis_down'))).toMatch(/certificate/i);
      await Promise.all([shipper.stop(), untrusting.stop(1000), collector.stop()]);
    } finally {
      await tls.destroy();
    }
  });
});

function tunnel(i: number): TunnelRecord {
  return {
    protocol: i % 2 ? 'gtpv2' : 'gtpv1', imsi: `t${i}`, msisdn: null, homeMcc: '214', homeMnc: '07', visitedMcc: '310', visitedMnc: '260',
    apn: i === 3 ? 'odd\tapn' : 'internet', ratType: 'EUTRAN', sgsnIp: '10.0.0.1', ggsnIp: '10.0.0.2', sgsnCtrlTeid: 0xfffffff0 + (i % 10),
    ggsnCtrlTeid: i, sgsnDataTeid: null, ggsnDataTeid: null, createCause: 16, createTimeUs: 1_700_000_000_000_000 + i * 1e6,
    setupDelayUs: 1500, endTimeUs: null, durationUs: null, deleteCause: null, endReason: 'capture_end', createFrame: i, endFrame: null,
    site: 'mia1', source: 'synthetic',
  };
}
