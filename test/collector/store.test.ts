/**
 * BatchStore against a private PostgreSQL, without Redis: the two batch formats (2: lines with
 * `ts`, COPYed straight into the record table; 1: through the staging table) store the same rows;
 * a batch delivered again adds nothing; payloads with control characters are re-rendered; a
 * format 2 batch that lies about its count or carries a bad value is refused as a whole; and
 * migration 2 converts rows stored under migration 1's key (record_id = spool_no * 2^40 + id).
 */
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoisonBatchError } from '../../src/collector/errors';
import { CENTRAL_COLUMNS, MIGRATION1_COLUMNS, PG_MIGRATIONS } from '../../src/collector/schema';
import { BatchStore, migrateCentral } from '../../src/collector/store';
import type { DialogueRecord } from '../../src/correlate/record';
import { BATCH_VERSION, ENCODINGS, type BatchHeader } from '../../src/ship/batch';
import { SpoolTableSource } from '../../src/ship/spoolSource';
import { PgServer, serversMissing } from '../helpers/servers';
import { centralRows } from '../helpers/shipCollect';
import { spoolWith, T0 } from '../helpers/spoolRecords';

const missing = serversMissing();
const SPOOL_ID = 'c'.repeat(32);
let pgs: PgServer;
let pool: Pool;

/** A spool of `n` dialogues over ~n hours (several day partitions), rendered as the shipper does. */
function rendered(n: number, over: (i: number) => Partial<DialogueRecord> = () => ({})) {
  // hourly records (several day partitions), every seventh an orphan response, IMSIs as digits
  const { db } = spoolWith(n, (i) => ({
    procedure: i % 3 === 0 ? 'sendAuthenticationInfo' : 'updateLocation', resultName: i % 5 === 0 ? 'unknownSubscriber' : null,
    reqTimeUs: i % 7 === 0 ? null : T0 + i * 3_600_000_000, rspTimeUs: T0 + i * 3_600_000_000 + 500, imsi: `23415${String(i).padStart(10, '0')}`,
    ...over(i),
  }));
  const src = new SpoolTableSource(db, 'dialogues');
  const r = src.readAfter(0, n)!;
  const rows = db.prepare('SELECT * FROM dialogues ORDER BY id').raw(true).all() as unknown[][];
  db.close();
  return { src, r, rows };
}

/** The format 2 batch of `rendered`, and the same records as format 1 (no ts element). */
function batches(x: ReturnType<typeof rendered>, probe: string) {
  const v2: BatchHeader = {
    v: BATCH_VERSION, probe, spool: SPOOL_ID, table: 'dialogues', first: x.r.first, last: x.r.last, count: x.r.count,
    cols: x.r.cols, days: x.r.days, tmax: x.r.tmax, bytes: x.r.text.length, enc: ENCODINGS.gzip,
  };
  // format 1: drop the second element of each line (ts is a quoted string without commas)
  const v1text = x.r.text.toString().split('\n').map((l) => l.replace(/^(\d+),"[^"]*",/, '$1,')).join('\n');
  const v1: BatchHeader = { ...v2, v: 1, cols: x.r.cols.filter((c) => c !== 'ts'), tmax: undefined, bytes: undefined };
  return { v2, v2text: x.r.text, v1, v1text: Buffer.from(v1text) };
}

beforeAll(async () => {
  if (missing) return;
  pgs = await PgServer.start();
  pool = new Pool({ connectionString: pgs.url, max: 4 });
  pool.on('error', () => {});
}, 60_000);

afterAll(async () => {
  await pool?.end().catch(() => {});
  await pgs?.destroy();
});

describe.skipIf(missing !== null)('BatchStore (PostgreSQL)', () => {
  it('format 2 (COPY into the table) and format 1 (staging) store identical rows; ts, spool_no, progress', async () => {
    await migrateCentral(pool, 'f');
    const store = new BatchStore(pool, 'f');
    const x = rendered(60);
    expect(x.r.days.length).toBeGreaterThan(1);
    const b = batches(x, 'p2');
    expect(await store.store(b.v2, b.v2text)).toEqual({ inserted: 60, duplicates: 0 });
    expect(await store.store({ ...b.v1, probe: 'p1' }, b.v1text)).toEqual({ inserted: 60, duplicates: 0 });
    expect(store.counters.staged).toBe(1);
    expect(await centralRows(pool, 'f', 'p2')).toEqual(x.rows);
    expect(await centralRows(pool, 'f', 'p1')).toEqual(x.rows);
    const t = await pool.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE ts = timestamptz 'epoch' + coalesce(req_time_us, rsp_time_us) * interval '1 microsecond')::int AS ok, ` +
        `count(DISTINCT tableoid)::int AS parts, max(spool_no)::int AS spool_no FROM f.dialogues`,
    );
    expect(t.rows[0]).toEqual({ n: 120, ok: 120, parts: x.r.days.length, spool_no: 0 });
    const p = await pool.query(`SELECT probe_id, max_spool_id::int, records::int, last_record_ts = timestamptz 'epoch' + $1::bigint * interval '1 microsecond' AS ts_ok FROM f.probe_progress ORDER BY probe_id`, [x.r.tmax]);
    expect(p.rows).toEqual([
      { probe_id: 'p1', max_spool_id: 60, records: 60, ts_ok: true },
      { probe_id: 'p2', max_spool_id: 60, records: 60, ts_ok: true },
    ]);
  });

  it('a batch delivered again, or overlapping stored records, adds only what is new', async () => {
    await migrateCentral(pool, 'r');
    const store = new BatchStore(pool, 'r');
    const x = rendered(40);
    const b = batches(x, 'p');
    // first half, then the whole batch (format 2: the COPY meets stored keys → staging, ON CONFLICT)
    const half = x.r.text.toString().split('\n').slice(0, 20).join('\n');
    expect(await store.store({ ...b.v2, last: 20, count: 20 }, Buffer.from(half))).toEqual({ inserted: 20, duplicates: 0 });
    expect(await store.store(b.v2, b.v2text)).toEqual({ inserted: 20, duplicates: 20 });
    expect(await store.store(b.v2, b.v2text)).toEqual({ inserted: 0, duplicates: 40 });
    expect(await store.store(b.v1, b.v1text)).toEqual({ inserted: 0, duplicates: 40 });
    expect(store.counters.redelivered).toBe(3);
    expect(await centralRows(pool, 'r', 'p')).toEqual(x.rows);
  });

  it('control characters and NUL in strings: the payload is re-rendered, stored exactly (NUL as U+FFFD)', async () => {
    await migrateCentral(pool, 'w');
    const store = new BatchStore(pool, 'w');
    const weird = ['tab\there', 'nl\nx', 'quote " and \\ backslash', 'nul\u0000x', 'é漢字'];
    const x = rendered(weird.length, (i) => ({ apn: weird[i - 1] }));
    const b = batches(x, 'p');
    expect(await store.store(b.v2, b.v2text)).toEqual({ inserted: 5, duplicates: 0 });
    expect(store.counters.rerendered).toBe(1);
    const r = await pool.query('SELECT apn FROM w.dialogues ORDER BY record_id');
    expect(r.rows.map((row) => row.apn)).toEqual(weird.map((s) => s.replace('\u0000', '\uFFFD')));
  });

  it('a format 2 batch with a wrong count or a bad value is refused whole, nothing stored', async () => {
    await migrateCentral(pool, 'z');
    const store = new BatchStore(pool, 'z');
    const x = rendered(10);
    const b = batches(x, 'p');
    await expect(store.store({ ...b.v2, count: 9 }, b.v2text)).rejects.toBeInstanceOf(PoisonBatchError);
    const bad = x.r.text.toString().replace(/^(\d+,"[^"]*","map",)"updateLocation",2,/m, '$1"updateLocation","two",');
    await expect(store.store(b.v2, Buffer.from(bad))).rejects.toMatchObject({ code: '22P02' });
    const n = await pool.query('SELECT count(*)::int AS n FROM z.dialogues');
    expect(n.rows[0].n).toBe(0);
    // the same batch, intact, is stored afterwards (the failed transactions left nothing behind)
    expect(await store.store(b.v2, b.v2text)).toEqual({ inserted: 10, duplicates: 0 });
  });

  it('migration 2 converts rows stored under migration 1 (record_id = spool_no * 2^40 + id) and keeps them unique', async () => {
    expect(await migrateCentral(pool, 'm', 1)).toBe(1);
    // the columns migration 1 created (later ones come with later migrations)
    const names = CENTRAL_COLUMNS.dialogues.slice(0, MIGRATION1_COLUMNS.dialogues).map(([n]) => n);
    await pool.query(`CREATE TABLE m.dialogues_20231114 PARTITION OF m.dialogues FOR VALUES FROM ('2023-11-14') TO ('2023-11-15')`);
    const insert = (probe: string, recordId: number) =>
      pool.query(
        `INSERT INTO m.dialogues (probe_id, record_id, ts, ${names.join(', ')}) SELECT $1, $2, '2023-11-14 22:13:20.001+00', ` +
          names.map((n) => ({ protocol: "'map'", status: "'ok'", end_reason: "'end'", orphan: '0', messages: '2', nested_ops: '0', retransmissions: '0', site: "'lab'", source: "'x'" })[n] ?? 'NULL').join(', '),
        [probe, recordId],
      );
    await insert('a', 5);
    await insert('a', 2 ** 40 + 5);
    await insert('b', 2 * 2 ** 40 + 7);
    // migration 2, then the later ones (3: the visited network / user-plane columns, added to rows already stored)
    expect(await migrateCentral(pool, 'm')).toBe(PG_MIGRATIONS.length - 1);
    const r = await pool.query('SELECT probe_id, spool_no, record_id::int FROM m.dialogues ORDER BY probe_id, spool_no');
    expect(r.rows).toEqual([
      { probe_id: 'a', spool_no: 0, record_id: 5 },
      { probe_id: 'a', spool_no: 1, record_id: 5 },
      { probe_id: 'b', spool_no: 2, record_id: 7 },
    ]);
    const added = await pool.query('SELECT home_country, visited_country, visited_operator, cell_id FROM m.dialogues');
    expect(added.rows).toEqual(Array(3).fill({ home_country: null, visited_country: null, visited_operator: null, cell_id: null }));
    const pk = await pool.query(`SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conrelid = 'm.dialogues'::regclass AND contype = 'p'`);
    expect(pk.rows[0].d).toBe('PRIMARY KEY (record_id, spool_no, probe_id, ts)');
    const idx = await pool.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'm' AND tablename = 'dialogues' ORDER BY indexname`);
    const am = Object.fromEntries(idx.rows.map((i) => [i.indexname, /USING (\w+)/.exec(i.indexdef)![1]]));
    expect(am).toMatchObject({ dialogues_ts: 'brin', dialogues_imsi: 'brin', dialogues_proc: 'btree', dialogues_not_ok: 'btree', dialogues_pkey: 'btree' });
    // a record stored again after the migration is a duplicate, not a second row
    const store = new BatchStore(pool, 'm');
    const x = rendered(7, () => ({ reqTimeUs: T0 + 1000 }));
    const b = batches(x, 'a');
    expect(await store.store(b.v2, b.v2text)).toEqual({ inserted: 6, duplicates: 1 });
  });
});
