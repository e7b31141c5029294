/**
 * Central rollups (issue 13) against a private PostgreSQL, with the records of a generated roaming
 * capture replayed into a spool (the built CLI) and stored as the shipper renders them:
 *  - migration 4 over a migration-3 store with records: rebuild from raw fills the rollups;
 *  - batches stored in pieces, delivered again, overlapping (COPY path and ON CONFLICT path):
 *    the incrementally maintained rollups equal a rebuild from raw, and the counts equal the
 *    generator's planted truth (x.roaming.json) and the spool's own rows;
 *  - rebuild is idempotent and refuses the days retention dropped;
 *  - a missing extension: the one line the collector refuses to start with.
 * Collector kill -9 and re-queue with real daemons: rollupsCollect.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, linkSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkExtensions, missingExtensionMessage, rebuildRollups } from '../../src/collector/rollups';
import { BatchStore, migrateCentral } from '../../src/collector/store';
import { generate } from '../../src/gen/index';
import type { RoamingTruthFile } from '../../src/gen/roaming/truth';
import { BATCH_VERSION, ENCODINGS, type BatchHeader, type ShipTable } from '../../src/ship/batch';
import { SpoolTableSource } from '../../src/ship/spoolSource';
import { PgServer, serversMissing } from '../helpers/servers';
import { MAIN, writeCollectConfig } from '../helpers/shipCollect';
import { rollupSnapshot } from '../helpers/rollups';

const missing = serversMissing();
const SPOOL_ID = 'e'.repeat(32);
let pgs: PgServer;
let pool: Pool;
let dir = '';
let spool = '';
let truth: RoamingTruthFile;

/** The spool's records of `table` as format 2 batches of about `size` records (as the shipper renders them). */
function spoolBatches(table: ShipTable, size: number, probe = 'p'): { h: BatchHeader; text: Buffer }[] {
  const db = new Database(spool, { readonly: true });
  const src = new SpoolTableSource(db, table);
  const out: { h: BatchHeader; text: Buffer }[] = [];
  for (let after = 0; ; ) {
    const r = src.readAfter(after, size);
    if (!r) break;
    out.push({
      h: { v: BATCH_VERSION, probe, spool: SPOOL_ID, table, first: r.first, last: r.last, count: r.count, cols: r.cols, days: r.days, tmax: r.tmax, bytes: r.text.length, enc: ENCODINGS.gzip },
      text: r.text,
    });
    after = r.last;
  }
  db.close();
  return out;
}

/** The records first..last of a batch (a piece of it: overlap). */
function piece(b: { h: BatchHeader; text: Buffer }, from: number, to: number): { h: BatchHeader; text: Buffer } {
  const lines = b.text.toString().split('\n').slice(from, to);
  const ids = lines.map((l) => Number(/^(\d+),/.exec(l)![1]));
  return { h: { ...b.h, first: ids[0], last: ids[ids.length - 1], count: lines.length, bytes: undefined }, text: Buffer.from(lines.join('\n')) };
}

const ALL = [0, 4e15] as const;

beforeAll(async () => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), 'sp-rollups-'));
  const out = join(dir, 'r.pcap');
  const s = generate({ out, seed: 5, dialogues: 0, scenario: 'roaming', devices: 300, hours: 1.5 });
  truth = JSON.parse(readFileSync(s.roamingPath!, 'utf8')) as RoamingTruthFile;
  spool = join(dir, 's.db');
  const r = spawnSync(process.execPath, [MAIN, 'replay', out, '--spool', spool, '--networks', s.networksPath!, '--site', 'lab'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`replay failed: ${r.stderr}`);
  pgs = await PgServer.start();
  pool = new Pool({ connectionString: pgs.url, max: 4 });
  pool.on('error', () => {});
}, 120_000);

afterAll(async () => {
  await pool?.end().catch(() => {});
  await pgs?.destroy();
});

describe.skipIf(missing !== null)('central rollups (PostgreSQL)', () => {
  it('incremental rollups (pieces, redelivery, overlap) equal a rebuild from raw, and the planted truth', async () => {
    await migrateCentral(pool, 'inc');
    const store = new BatchStore(pool, 'inc');
    expect(store.rollupsOn).toBe(true);
    for (const t of ['dialogues', 'tunnels'] as const) {
      const bs = spoolBatches(t, t === 'dialogues' ? 400 : 40);
      expect(bs.length).toBeGreaterThan(1);
      for (const b of bs) {
        const n = b.h.count;
        // the first half, then the whole batch (COPY meets stored keys → ON CONFLICT path), then again (nothing new)
        await store.store(piece(b, 0, n >> 1).h, piece(b, 0, n >> 1).text);
        expect(await store.store(b.h, b.text)).toEqual({ inserted: n - (n >> 1), duplicates: n >> 1 });
        expect(await store.store(b.h, b.text)).toEqual({ inserted: 0, duplicates: n });
      }
    }
    const incremental = await rollupSnapshot(pool, 'inc');
    const rb = await rebuildRollups(pool, 'inc', ALL[0], Date.now());
    expect(rb.dialogueRows).toBe(incremental.dialogues.length);
    const rebuilt = await rollupSnapshot(pool, 'inc');
    expect(incremental).toEqual(rebuilt);
    // idempotent
    await rebuildRollups(pool, 'inc', ALL[0], Date.now());
    expect(await rollupSnapshot(pool, 'inc')).toEqual(rebuilt);

    // against the spool and the planted truth
    const db = new Database(spool, { readonly: true });
    const spoolDialogues = (db.prepare('SELECT count(*) AS n FROM dialogues WHERE req_time_us IS NOT NULL').get() as { n: number }).n;
    db.close();
    const q = async (text: string) => (await pool.query(text)).rows[0];
    expect((await q('SELECT sum(dialogues)::int AS n FROM inc.rollup_dialogues_hourly')).n).toBe(spoolDialogues);
    expect((await q('SELECT sum(dialogues)::int AS n FROM inc.rollup_dialogues_minute')).n).toBe(spoolDialogues);
    expect(spoolDialogues).toBe(truth.dialogues);
    const ds = truth.data_sessions;
    expect(await q('SELECT sum(creates)::int AS creates, sum(accepted)::int AS accepted, sum(accepted_zero_bytes)::int AS zero, sum(bytes_up)::bigint AS bu, sum(packets_down)::bigint AS pd FROM inc.rollup_tunnels_hourly'))
      .toEqual({ creates: ds.creates, accepted: ds.accepted, zero: ds.zero_byte_tunnels, bu: ds.bytes_up, pd: ds.packets_down });
    // matrix: devices with a successful LU per home → visited country (device_day: exact)
    const matrix = await pool.query(
      `SELECT home_country, visited_country, count(DISTINCT imsi)::int AS devices FROM inc.device_day WHERE lu_ok > 0 AND home_country IS NOT NULL AND visited_country IS NOT NULL GROUP BY 1, 2`,
    );
    const key = (r: { home_country: string; visited_country: string; devices: number }) => `${r.home_country}>${r.visited_country}=${r.devices}`;
    expect(matrix.rows.map(key).sort()).toEqual(truth.matrix.map(key).sort());
    // SoR devices / devices with RNA per pair
    const sor = await pool.query(
      `SELECT home_country, visited_country, count(DISTINCT imsi)::int AS devices, count(DISTINCT imsi) FILTER (WHERE rna > 0)::int AS devices_rna ` +
        `FROM inc.device_day WHERE lu > 0 AND home_country IS NOT NULL AND visited_country IS NOT NULL GROUP BY 1, 2`,
    );
    const sk = (r: { home_country: string; visited_country: string; devices: number; devices_rna: number }) => `${r.home_country}>${r.visited_country}=${r.devices}/${r.devices_rna}`;
    expect(sor.rows.map(sk).sort()).toEqual(truth.sor.map(sk).sort());
    // steered: an RNA followed within the window by a successful LU on another known network
    const steered = await pool.query(
      `WITH r AS (SELECT imsi, home_country, visited_country, visited_network AS vn, unnest(rna_us) AS t FROM inc.device_day ` +
        `WHERE rna > 0 AND visited_network IS NOT NULL AND home_country IS NOT NULL AND visited_country IS NOT NULL), ` +
        `o AS (SELECT imsi, visited_network AS vn, unnest(ok_us) AS t FROM inc.device_day WHERE lu_ok > 0 AND visited_network IS NOT NULL) ` +
        `SELECT home_country, visited_country, count(DISTINCT imsi)::int AS steered FROM r WHERE EXISTS ` +
        `(SELECT 1 FROM o WHERE o.imsi = r.imsi AND o.vn <> r.vn AND o.t >= r.t AND o.t <= r.t + ${truth.definitions.sor_window_s * 1e6}) GROUP BY 1, 2`,
    );
    const st = (r: { home_country: string; visited_country: string; steered: number }) => `${r.home_country}>${r.visited_country}=${r.steered}`;
    expect(steered.rows.map(st).sort()).toEqual(truth.sor.filter((r) => r.steered > 0).map(st).sort());
    expect(steered.rows.length).toBeGreaterThan(0);
    // silent roamers: successful LU, no accepted tunnel; under the pair of the last successful LU
    const silent = await pool.query(
      `SELECT home_country, visited_country, count(*)::int AS devices FROM (` +
        `SELECT DISTINCT ON (imsi) imsi, home_country, visited_country FROM inc.device_day WHERE lu_ok > 0 ` +
        `ORDER BY imsi, ok_last_us DESC, home_country, visited_country) l ` +
        `WHERE imsi NOT IN (SELECT imsi FROM inc.device_day GROUP BY imsi HAVING sum(tunnels_accepted) > 0) GROUP BY 1, 2`,
    );
    const sl = (r: { home_country: string | null; visited_country: string | null; devices: number }) => `${r.home_country}>${r.visited_country}=${r.devices}`;
    expect(silent.rows.map(sl).sort()).toEqual(truth.silent_roamers.map(sl).sort());
    // distinct devices: HLL within its bound (log2m 11: 1.04/sqrt(2048) ≈ 2.3 %, exact below the explicit threshold)
    const dev = await q(`SELECT hll_cardinality(hll_union_agg(devices))::float8 AS n FROM inc.rollup_dialogues_hourly`);
    expect(Math.abs(dev.n - truth.devices) / truth.devices).toBeLessThan(0.05);
  }, 120_000);

  it('migration 4 over a migration-3 store with records; rebuild fills the rollups', async () => {
    expect(await migrateCentral(pool, 'm3', 3)).toBe(3);
    const old = new BatchStore(pool, 'm3', { rollups: false });
    for (const t of ['dialogues', 'tunnels'] as const) for (const b of spoolBatches(t, 1000)) await old.store(b.h, b.text);
    expect(await migrateCentral(pool, 'm3')).toBe(1);
    const empty = await pool.query('SELECT count(*)::int AS n FROM m3.rollup_dialogues_hourly');
    expect(empty.rows[0].n).toBe(0);
    await rebuildRollups(pool, 'm3', ALL[0], Date.now());
    // the same rollups as a store that maintained them from the start
    expect(await rollupSnapshot(pool, 'm3')).toEqual(await rollupSnapshot(pool, 'inc'));
  }, 60_000);

  it('rebuild refuses days served from the rollups only', async () => {
    await pool.query(`INSERT INTO m3.raw_dropped_days (day) VALUES ('2020-01-02')`);
    await expect(rebuildRollups(pool, 'm3', Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 5))).rejects.toThrow(
      'cannot rebuild rollups of 2020-01-02: raw records dropped by retention (1 day(s) served from rollups only)',
    );
  });

  it('the collector refuses to start, with one line, on a PostgreSQL without the hll / tdigest packages', async () => {
    // a private install of the same PostgreSQL whose share directory lacks the two extensions
    // (PostgreSQL finds share/ and lib/ relative to its binary): a host where the packages are missing
    const root = join(dir, 'pg-noext');
    const bin = join(root, 'lib/postgresql/15/bin');
    mkdirSync(bin, { recursive: true });
    const realBin = dirname(realpathSync(join(pgs.bin, 'pg_ctl')));
    for (const b of ['postgres', 'initdb', 'pg_ctl']) {
      try {
        linkSync(join(realBin, b), join(bin, b));
      } catch {
        copyFileSync(join(realBin, b), join(bin, b));
        chmodSync(join(bin, b), 0o755);
      }
    }
    const cfg = (o: string) => spawnSync(join(realBin, 'pg_config'), [o], { encoding: 'utf8' }).stdout?.trim();
    symlinkSync(cfg('--pkglibdir') || join(realBin, '../lib'), join(root, 'lib/postgresql/15/lib'));
    const share = cfg('--sharedir') || '/usr/share/postgresql/15';
    cpSync(share, join(root, 'share/postgresql/15'), { recursive: true, filter: (f) => !/\/extension\/(hll|tdigest)[-.]/.test(f) });
    for (const d of [dir, root]) chmodSync(d, 0o755);
    const bare = await PgServer.start({ bin });
    try {
      writeFileSync(join(dir, 'pw'), 'x\n');
      const conf = writeCollectConfig(dir, { redisPort: 1, passwordFile: join(dir, 'pw'), pgUrl: bare.url, queue: 'noext', schema: 'noext' });
      const r = spawnSync(process.execPath, [MAIN, 'collect', '--config', conf], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe(`sigprobe: ${missingExtensionMessage('hll', 'postgresql-15-hll')}\n`);
      expect(r.status).toBe(2);
      // nothing was created
      const p2 = new Pool({ connectionString: bare.url });
      const n = await p2.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'noext' AND tablename <> 'collector_migrations'`);
      await p2.end();
      expect(n.rows[0].n).toBe(0);
    } finally {
      await bare.destroy();
    }
  }, 60_000);

  it('a missing extension: one clear line (exit 2)', async () => {
    // hll and tdigest are installed here; a name that is not stands for a host without the package
    const c = await pool.connect();
    try {
      await expect(checkExtensions(c)).resolves.toBeUndefined();
      await expect(checkExtensions(c, [['hll_not_installed', 'postgresql-15-hll']])).rejects.toMatchObject({
        code: 'E_CONFIG',
        message: missingExtensionMessage('hll_not_installed', 'postgresql-15-hll'),
      });
    } finally {
      c.release();
    }
  });
});
