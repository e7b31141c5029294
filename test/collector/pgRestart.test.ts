/**
 * PostgreSQL restarted under a running collector (issue 17, item 3): `pg_ctl stop -m fast` (the
 * server terminates every backend: "terminating connection due to administrator command", then
 * the sockets close) and `-m immediate` (a crash: the sockets are reset, crash recovery at
 * restart), each while the collector is working through a backlog. Before the fix the collector
 * died of an unhandled 'error' event of a checked-out pg client. Now: the process stays alive,
 * the batches in progress are retried, it catches up on its own, and the central store ends
 * equal to the spool, column by column (no loss, each record once).
 *
 * Real servers: a private redis-server and a private PostgreSQL cluster (initdb / pg_ctl in temp
 * dirs, test/helpers/servers.ts); the daemons are the built CLI in child processes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgServer, RedisServer, serversMissing } from '../helpers/servers';
import { centralCount, centralRows, Daemon, MAIN, replayInto, spoolRows, waitFor, writeCollectConfig, writeShipConfig } from '../helpers/shipCollect';

const missing = serversMissing();
if (missing) console.log(`PostgreSQL restart tests skipped: ${missing}`);

const PASSWORD = 'test-redis-secret';
let dir = '';
let redis: RedisServer;
let pgs: PgServer;
let pool: Pool;
let pwFile = '';
let capture = '';
const daemons: Daemon[] = [];

function start(cmd: 'ship' | 'collect', config: string): Daemon {
  const d = Daemon.start(cmd, config);
  daemons.push(d);
  return d;
}

function alive(d: Daemon): boolean {
  return d.proc.exitCode === null && d.proc.signalCode === null;
}

beforeAll(async () => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), 'sp-pgrestart-'));
  pwFile = join(dir, 'redis.pw');
  writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
  [redis, pgs] = await Promise.all([RedisServer.start({ password: PASSWORD }), PgServer.start()]);
  pool = new Pool({ connectionString: pgs.url, max: 2 });
  pool.on('error', () => {});
  capture = join(dir, 'cap.pcap');
  execFileSync(process.execPath, [MAIN, 'gen', '--out', capture, '--seed', '417', '--dialogues', '40000'], { stdio: 'ignore' });
}, 180_000);

afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
  await pool?.end().catch(() => {});
  await redis?.destroy();
  await pgs?.destroy();
});

describe.skipIf(missing !== null)('the collector while PostgreSQL restarts', () => {
  it('pg_ctl -m fast, then -m immediate, mid-stream: the collector lives on, retries, catches up; central = spool', async () => {
    const spool = join(dir, 'spool.db');
    // the capture three times over (ids go on): ~130k records
    let records = 0;
    for (let i = 0; i < 3; i++) records += replayInto(capture, spool, 'mad9');
    expect(records).toBeGreaterThan(120_000);
    const queue = 'qr';
    // The whole spool is queued first, then the collector works through the backlog, so a store
    // (a transaction of 2,000 records) is in progress whenever PostgreSQL goes away.
    const ship = start('ship', writeShipConfig(dir, { site: 'mad9', spool, redisPort: redis.port, passwordFile: pwFile, queue, maxRecords: 2000, inFlight: 8 }));
    await waitFor('all shipped', () => ship.events('stats').some((l) => l.recordsShipped === records), 120_000);
    const coll = start('collect', writeCollectConfig(dir, { redisPort: redis.port, passwordFile: pwFile, pgUrl: pgs.url, queue, schema: 'cr', concurrency: 2 }));

    const outages: { mode: 'fast' | 'immediate'; storedAtStop: number; retriesBefore: number }[] = [];
    for (const [mode, at] of [['fast', 0.15], ['immediate', 0.5]] as const) {
      await waitFor(`${at * 100} % stored`, async () => (await centralCount(pool, 'cr', 'mad9')) >= records * at, 120_000, 10);
      const retriesBefore = coll.events('batch_retry').length;
      await pgs.stop(mode);
      // down for 2 s: the retries meet a refused connection too
      await new Promise((r) => setTimeout(r, 2000));
      await pgs.start();
      // (the test's own pool lost its connections too: the first query after the restart may fail)
      let storedAtStop = 0;
      await waitFor('PostgreSQL back', async () => (storedAtStop = await centralCount(pool, 'cr', 'mad9')) > 0, 20_000);
      outages.push({ mode, storedAtStop, retriesBefore });
      expect(storedAtStop, `${mode}: the restart came mid-stream`).toBeLessThan(records);
      // the batches in progress failed and are retried; the process did not die
      await waitFor(`${mode}: a batch retried`, () => coll.events('batch_retry').length > retriesBefore || !alive(coll), 30_000);
      expect(alive(coll), `collector died at -m ${mode}: ${JSON.stringify(coll.lines.slice(-8))}`).toBe(true);
    }
    await waitFor('all records stored', async () => (await centralCount(pool, 'cr', 'mad9')) === records || !alive(coll), 180_000, 250);
    expect(alive(coll), `collector died: ${JSON.stringify(coll.lines.slice(-5))}`).toBe(true);

    // central = spool: every record once, every column
    const got = await centralRows(pool, 'cr', 'mad9');
    expect(got.length).toBe(records);
    expect(got).toEqual(spoolRows(spool));
    const p = (await pool.query(`SELECT sum(records)::int AS records, sum(duplicates)::int AS duplicates FROM cr.probe_progress WHERE probe_id = 'mad9'`)).rows[0];
    // a batch whose COMMIT reached the server but whose answer was lost is delivered again and
    // skipped record by record (duplicates); the stored rows are still one per record
    expect(p.records).toBe(records);
    // each outage was seen, logged once, and its end too
    const down = coll.events('postgres_down');
    const up = coll.events('postgres_up');
    expect(down.length).toBeGreaterThanOrEqual(2);
    expect(up.length).toBeGreaterThanOrEqual(2);
    expect(coll.lines.filter((l) => l.level === 'raw' && /unhandled|internal error|ECONNRESET/i.test(l.event))).toEqual([]);
    for (const o of outages) expect(o.storedAtStop).toBeGreaterThan(0);
    expect(await coll.stop()).toBe(0);
    expect(await ship.stop()).toBe(0);
  }, 420_000);
});
