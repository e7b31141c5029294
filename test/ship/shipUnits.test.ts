/**
 * The shipper's parts without servers: batch format and validation, the spool reader's rendering
 * (checked against PostgreSQL's CSV rules by the collector's converter), ship state, retention,
 * backoff, and the Shipper loop against an in-memory queue (batch cutting by count and age,
 * resending after a crash with the same job ids, backoff while adds fail).
 */
import { gunzipSync } from 'node:zlib';
import type { Database as Db } from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ShipSectionSchema } from '../../src/config/schema';
import { csvSafe, jsonRowsToCopyText } from '../../src/collector/copyText';
import { backoffDelay } from '../../src/ship/backoff';
import { batchJobId, compress, decompress, validateBatch, type BatchJobData } from '../../src/ship/batch';
import { silentLogger } from '../../src/ship/log';
import { Retention } from '../../src/ship/retention';
import { Shipper } from '../../src/ship/shipper';
import { DETECT_EVERY, ShipStateStore, SpoolTableSource, type RenderedRows } from '../../src/ship/spoolSource';
import { openSpool, SpoolWriter } from '../../src/spool/spool';
import { mapDialogue, spoolWith, T0 } from '../helpers/spoolRecords';

const shipCfg = (over: Record<string, unknown> = {}) =>
  ShipSectionSchema.parse({ retry: { baseMs: 10, maxMs: 40 }, retention: { maxAgeHours: 1e6, intervalSeconds: 3600 }, statsIntervalSeconds: 3600, ...over });

describe('batch format', () => {
  const good: BatchJobData = {
    v: 1, probe: 'mia1', spool: 'a'.repeat(32), table: 'dialogues', first: 1, last: 3, count: 3, cols: ['id', 'protocol'],
    days: [19675], enc: 'jsonrows.gz', data: 'xx',
  };
  it('job ids are deterministic, distinct per table, spool and bounds, and have no ":"', () => {
    const a = batchJobId(good);
    expect(a).toBe('mia1.aaaaaaaaaaaaaaaa.d.1-3');
    expect(batchJobId({ ...good })).toBe(a);
    expect(batchJobId({ ...good, table: 'tunnels' })).not.toBe(a);
    expect(batchJobId({ ...good, spool: 'b'.repeat(32) })).not.toBe(a);
    expect(batchJobId({ ...good, last: 4 })).not.toBe(a);
    expect(a).not.toContain(':');
  });
  it('validation accepts a good header and names what is wrong with a bad one', () => {
    expect(validateBatch(good)).toBeNull();
    expect(validateBatch(null)).toBe('job data is not an object');
    expect(validateBatch({ ...good, v: 3 })).toMatch(/version/);
    // format 2: 'ts' second and the newest record time; format 1 has neither
    const good2 = { ...good, v: 2, cols: ['id', 'ts', 'protocol'], tmax: 1_700_000_000_000_000, bytes: 120 };
    expect(validateBatch(good2)).toBeNull();
    expect(validateBatch({ ...good2, cols: ['id', 'protocol'] })).toMatch(/format 2 without the 'ts' column/);
    expect(validateBatch({ ...good, cols: ['id', 'ts', 'protocol'] })).toMatch(/'ts' column in a format 1 batch/);
    expect(validateBatch({ ...good2, tmax: undefined })).toBe('bad tmax');
    expect(validateBatch({ ...good2, tmax: -1 })).toBe('bad tmax');
    expect(validateBatch({ ...good2, bytes: 0 })).toBe('bad size');
    expect(validateBatch({ ...good2, bytes: 2 ** 40 })).toBe('bad size');
    expect(validateBatch({ ...good, enc: 'zip' })).toMatch(/encoding/);
    expect(validateBatch({ ...good, probe: 'a:b' })).toMatch(/probe/);
    expect(validateBatch({ ...good, spool: 'xyz' })).toMatch(/spool/);
    expect(validateBatch({ ...good, table: 'runs' })).toMatch(/table/);
    expect(validateBatch({ ...good, last: 0 })).toMatch(/first\/last/);
    expect(validateBatch({ ...good, count: 4 })).toMatch(/count/);
    expect(validateBatch({ ...good, cols: ['protocol', 'id'] })).toMatch(/column/);
    expect(validateBatch({ ...good, cols: ['id', 'x;drop table'] })).toMatch(/column/);
    expect(validateBatch({ ...good, cols: ['id', 'a', 'a'] })).toMatch(/duplicate/);
    expect(validateBatch({ ...good, days: [] })).toMatch(/day/);
    expect(validateBatch({ ...good, days: Array.from({ length: 401 }, (_, i) => i) })).toMatch(/day/);
    expect(validateBatch({ ...good, data: '' })).toMatch(/payload/);
  });
  it('gzip and brotli payloads round-trip; gzip is zcat-able', async () => {
    const text = '1,"a\\"b",null\n2,"é漢字",3\n';
    const gz = await compress(text, 'gzip', 1);
    expect(gunzipSync(gz).toString()).toBe(text);
    expect((await decompress(gz, 'jsonrows.gz')).toString()).toBe(text);
    const br = await compress(text, 'brotli', 1);
    expect((await decompress(br, 'jsonrows.br')).toString()).toBe(text);
    await expect(decompress(Buffer.from('not gzip'), 'jsonrows.gz')).rejects.toThrow();
    // one output chunk of the announced size; a wrong size costs only speed
    const big = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `${i},"x${i * 7919}",null`).join('\n'));
    for (const how of ['gzip', 'brotli'] as const) {
      const z = await compress(big, how, 1);
      const enc = how === 'gzip' ? 'jsonrows.gz' : 'jsonrows.br';
      for (const size of [undefined, big.length, 10, big.length * 3]) expect((await decompress(z, enc, size)).equals(big)).toBe(true);
    }
  });
});

describe('spool rendering (json_array lines) and the collector converter', () => {
  it('renders id, ts, then the columns the records fill, one line per record, with the days of the records and the newest time', () => {
    const { db } = spoolWith(10, (i) => (i === 10 ? { reqTimeUs: T0 + 86_400_000_000 } : i === 9 ? { reqTimeUs: T0 + 9 } : {}));
    const src = new SpoolTableSource(db, 'dialogues');
    expect(src.cols.slice(0, 2)).toEqual(['id', 'ts']);
    expect(src.cols).toContain('imei_tac');
    const r = src.readAfter(0, 100)!;
    expect([r.count, r.first, r.last]).toEqual([10, 1, 10]);
    expect(r.days).toEqual([Math.floor(T0 / 86_400_000_000), Math.floor(T0 / 86_400_000_000) + 1]);
    expect(r.tmax).toBe(T0 + 86_400_000_000);
    // columns NULL in every record are left out (MAP records: no Diameter/GTP/IP fields), the others kept in order
    expect(r.cols.slice(0, 2)).toEqual(['id', 'ts']);
    expect(r.cols).not.toContain('imei_tac');
    expect(r.cols).not.toContain('msisdn');
    expect(r.cols).toContain('result_code'); // NULL in 8 of the 10 records only
    expect(r.cols.slice(2)).toEqual(src.cols.slice(2).filter((c) => r.cols.includes(c)));
    const lines = r.text.toString().split('\n');
    expect(lines).toHaveLength(10);
    const rows = lines.map((l) => JSON.parse(`[${l}]`) as unknown[]).sort((a, b) => (a[0] as number) - (b[0] as number));
    const all = db.prepare('SELECT * FROM dialogues ORDER BY id').all() as Record<string, unknown>[];
    // every left-out column is NULL in every record
    for (const c of src.cols.slice(2).filter((c) => !r.cols.includes(c))) expect(all.every((row) => row[c] === null)).toBe(true);
    // ts: the record time (request, else response) as PostgreSQL reads a timestamptz, µs, UTC
    const tsText = (us: number) => `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 19).replace('T', ' ')}.${String(us % 1_000_000).padStart(6, '0')}+00`;
    expect(rows).toEqual(all.map((w) => r.cols.map((c) => (c === 'ts' ? tsText(w.req_time_us as number) : w[c]))));
    expect(rows[8][1]).toBe('2023-11-14 22:13:20.000009+00');
    expect(src.readAfter(10, 100)).toBeNull();
    expect(src.readRange(3, 5)!.count).toBe(3);
  });

  it('strings with quotes and backslashes stay COPY-CSV-safe; control characters are re-rendered exactly', () => {
    const weird = ['say "hi"', 'back\\slash', 'ends with ]', 'tab\there', 'nl\nx', 'cr\rx', 'nul\u0000x', 'é漢字 \u2028'];
    const { db } = spoolWith(weird.length, (i) => ({ apn: weird[i - 1] }));
    const src = new SpoolTableSource(db, 'dialogues');
    const r = src.readAfter(0, 100)!;
    const buf = r.text;
    expect(csvSafe(buf)).toBe(false); // \t, \n, \r, \u0000 are JSON escapes COPY CSV does not know
    const safe = src.readRange(1, 3)!;
    expect(csvSafe(safe.text)).toBe(true);
    // exact re-rendering: COPY text format, decoded back here by its rules
    const { data, nulReplaced } = jsonRowsToCopyText(buf, r.cols.length);
    expect(nulReplaced).toBe(1);
    const apnIdx = r.cols.indexOf('apn');
    const unescape = (f: string) => (f === '\\N' ? null : f.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[c] ?? c));
    const got = data.toString().split('\n').filter((l) => l !== '').map((l) => unescape(l.split('\t')[apnIdx]));
    const order = data.toString().split('\n').filter((l) => l !== '').map((l) => Number(l.split('\t')[0]));
    expect(got).toEqual(order.map((id) => weird[id - 1].replace('\u0000', '\uFFFD')));
  });

  it('a column left out that a later batch fills is caught in the same pass: that batch is learnt and rendered again', () => {
    // records 1-40 have no APN, 41-60 have one (Diameter/GTP-like), 61-400 none again
    const { db } = spoolWith(400, (i) => (i > 40 && i <= 60 ? { apn: `apn${i}.example` } : {}));
    const src = new SpoolTableSource(db, 'dialogues');
    const all = db.prepare('SELECT * FROM dialogues ORDER BY id').all() as Record<string, unknown>[];
    const check = (r: RenderedRows) => {
      const rows = r.text.toString().split('\n').map((l) => JSON.parse(`[${l}]`) as unknown[]);
      for (const row of rows) {
        const want = all[(row[0] as number) - 1];
        // every spool column is either in the line with its value, or NULL in the spool
        src.cols.slice(2).forEach((c) => (r.cols.includes(c) ? expect(row[r.cols.indexOf(c)]).toEqual(want[c]) : expect(want[c]).toBeNull()));
      }
    };
    const a = src.readAfter(0, 20)!; // learnt: no apn
    expect(a.cols).not.toContain('apn');
    check(a);
    const b = src.readAfter(20, 30)!; // 21-50: apn filled in 41-50 → rendered again with it
    expect(b.cols).toContain('apn');
    expect(src.rerenders).toBe(1);
    check(b);
    const c = src.readAfter(50, 20)!; // 51-70: still learnt with apn (no re-learning until DETECT_EVERY)
    expect(c.cols).toContain('apn');
    check(c);
    // after DETECT_EVERY batches the set is learnt again and apn left out
    let after = 70;
    let r: RenderedRows | null = null;
    for (let n = 0; n < DETECT_EVERY; n++) {
      r = src.readAfter(after, 5)!;
      check(r);
      after = r.last;
    }
    expect(r!.cols).not.toContain('apn');
    expect(src.rerenders).toBe(1);
    // readRange (resending after a crash) renders with the same rule
    const again = src.readRange(41, 60)!;
    expect(again.cols).toContain('apn');
    check(again);
  });

  it('the converter refuses lines that are not JSON array bodies of the right width', () => {
    expect(() => jsonRowsToCopyText(Buffer.from('1,2\n3,{'), 2)).toThrow(/line 2 is not JSON/);
    expect(() => jsonRowsToCopyText(Buffer.from('1,2,3'), 2)).toThrow(/3 fields, expected 2/);
    expect(() => jsonRowsToCopyText(Buffer.from('1,[2]'), 2)).toThrow(/not a scalar/);
  });
});

describe('ship state and retention', () => {
  it('migration 3 gives every spool a random id and zero watermarks', () => {
    const a = new ShipStateStore(spoolWith(0).db);
    const b = new ShipStateStore(spoolWith(0).db);
    expect(a.spoolId()).toMatch(/^[0-9a-f]{32}$/);
    expect(a.spoolId()).not.toBe(b.spoolId());
    expect(a.load('dialogues')).toMatchObject({ shippedId: 0, pending: [], shippedRecords: 0 });
    a.savePending('dialogues', [[1, 5], [6, 9]]);
    expect(a.load('dialogues').pending).toEqual([[1, 5], [6, 9]]);
    a.ack('dialogues', 5, [[6, 9]], 5, 1);
    expect(a.load('dialogues')).toMatchObject({ shippedId: 5, pending: [[6, 9]], shippedRecords: 5, shippedBatches: 1 });
  });

  function retention(db: Db, shippedId: number, o: { maxAgeUs: number; maxBytes: number }, inMemory = 0) {
    const state = new ShipStateStore(db);
    state.ack('dialogues', shippedId, [], shippedId, 1);
    const lines: string[] = [];
    const r = new Retention(db, state, [new SpoolTableSource(db, 'dialogues'), new SpoolTableSource(db, 'tunnels')], { ...o, chunk: 100 },
      (level, event, f) => lines.push(`${level} ${event} ${JSON.stringify(f)}`), () => inMemory, () => T0 + 1000 * 1000);
    return { r, state, lines };
  }
  const ids = (db: Db) => (db.prepare('SELECT id FROM dialogues ORDER BY id').pluck(true).all() as number[]);

  it('age: deletes only shipped records older than maxAge, never an unshipped one', () => {
    const { db } = spoolWith(2000); // record i at T0 + i ms; "now" is T0 + 1000 ms
    const { r, state } = retention(db, 1500, { maxAgeUs: 100_000, maxBytes: 1e12 });
    const passes = r.run();
    // older than now - 100 ms: ids < 900
    expect(passes).toEqual([{ table: 'dialogues', reason: 'age', shipped: 899, unshipped: 0, firstId: 1, lastId: 899 }]);
    expect(ids(db)[0]).toBe(900);
    expect(state.load('dialogues').deletedShipped).toBe(899);
    expect(db.prepare('SELECT reason, shipped FROM retention_log').all()).toEqual([{ reason: 'age', shipped: 899 }]);
    // everything old but nothing shipped: nothing deleted
    const s2 = spoolWith(500);
    expect(retention(s2.db, 0, { maxAgeUs: 1, maxBytes: 1e12 }).r.run()).toEqual([]);
  });

  it('size: deletes shipped first, then unshipped (counted, logged as errors), never the newest record', () => {
    const { db } = spoolWith(3000, (i) => ({ source: 'x'.repeat(300) + i }));
    const used = new Retention(db, new ShipStateStore(db), [], { maxAgeUs: 1e18, maxBytes: 1 }, silentLogger, () => 0).usedBytes();
    // limit at a third of the size, 1000 records shipped: all shipped go, then unshipped ones
    const { r, state, lines } = retention(db, 1000, { maxAgeUs: 1e18, maxBytes: Math.floor(used / 3) }, 1200);
    const passes = r.run();
    const shipped = passes.find((p) => p.shipped > 0)!;
    const unshipped = passes.find((p) => p.unshipped > 0)!;
    expect(shipped.shipped).toBe(1000);
    expect(unshipped.unshipped).toBeGreaterThan(0);
    expect(unshipped.firstId).toBe(1201); // records read into a batch in flight (<= 1200) are kept
    const left = ids(db);
    expect(left).toContain(3000);
    expect(left.filter((i) => i > 1000 && i <= 1200)).toHaveLength(200);
    expect(state.load('dialogues').deletedUnshipped).toBe(unshipped.unshipped);
    expect(r.counters.deletedUnshipped).toBe(unshipped.unshipped);
    expect(lines.some((l) => l.startsWith('error retention_deleted_unshipped'))).toBe(true);
    expect(r.usedBytes()).toBeLessThanOrEqual(Math.floor(used / 3));
  });

  it('keeps the newest record even when everything is shipped and old', () => {
    const { db } = spoolWith(50);
    retention(db, 50, { maxAgeUs: 1, maxBytes: 1e12 }).r.run();
    expect(ids(db)).toEqual([50]);
    // a new record gets id 51, above the watermark: it will be shipped (were 50 deleted too,
    // SQLite would hand out id 1 again, below the watermark)
    const w = new SpoolWriter(db);
    w.write(mapDialogue(51));
    w.flush();
    expect(ids(db)).toEqual([50, 51]);
  });
});

describe('backoff', () => {
  it('doubles up to the cap, with jitter between half and all of it', () => {
    const o = { baseMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, o, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, o, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
  });
});

/** An in-memory stand-in for a BullMQ Queue: dedups by job id like BullMQ; can be made to fail. */
class FakeQueue {
  jobs = new Map<string, BatchJobData>();
  adds = 0;
  failing = false;
  delayMs = 0;
  async add(_name: string, data: BatchJobData, opts: { jobId?: string }): Promise<unknown> {
    this.adds++;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failing) throw new Error('Connection is closed.');
    if (!this.jobs.has(opts.jobId!)) this.jobs.set(opts.jobId!, data);
    return { id: opts.jobId };
  }
  async close(): Promise<void> {}
  /** ids covered by the jobs, in order */
  async ids(): Promise<number[]> {
    const out: number[] = [];
    for (const j of this.jobs.values()) {
      const text = (await decompress(Buffer.from(j.data, 'base64'), j.enc)).toString();
      for (const l of text.split('\n')) out.push(Number(l.split(',')[0]));
    }
    return out.sort((a, b) => a - b);
  }
}

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Shipper against an in-memory queue', () => {
  it('cuts batches by count, then ships the remainder once it is maxAgeMs old; moves the watermark', async () => {
    const { path } = spoolWith(2500);
    const q = new FakeQueue();
    const s = new Shipper({ probeId: 'p1', spoolPath: path, ship: shipCfg({ batch: { maxRecords: 1000, maxAgeMs: 300 } }), queue: q });
    const t0 = Date.now();
    await s.start();
    await until(() => q.jobs.size === 2);
    expect(Date.now() - t0).toBeLessThan(250);
    await until(() => q.jobs.size === 3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect([...q.jobs.keys()].map((k) => k.replace(/^p1\.\w+\./, ''))).toEqual(['d.1-1000', 'd.1001-2000', 'd.2001-2500']);
    expect(await q.ids()).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    await until(() => s.lag()[0].shippedId === 2500);
    expect(s.lag()[0]).toMatchObject({ table: 'dialogues', unshipped: 0, maxId: 2500 });
    expect(s.counters).toMatchObject({ batchesShipped: 3, recordsShipped: 2500, addFailures: 0 });
    await s.stop();
  });

  it('after a crash, re-adds the batches that were in flight with the same job ids (no second batch)', async () => {
    const { path, db } = spoolWith(3000);
    const q = new FakeQueue();
    // what a shipper killed during its adds leaves: 2 batches acknowledged, 2 in flight
    const st = new ShipStateStore(db);
    st.ack('dialogues', 1000, [[1001, 1500], [1501, 2000]], 1000, 2);
    const earlier = await (async () => {
      const src = new SpoolTableSource(db, 'dialogues');
      return [src.readRange(1001, 1500)!, src.readRange(1501, 2000)!];
    })();
    expect(earlier.map((r) => r.count)).toEqual([500, 500]);
    const s = new Shipper({ probeId: 'p1', spoolPath: path, ship: shipCfg({ batch: { maxRecords: 700, maxAgeMs: 50 } }), queue: q });
    await s.start();
    await until(() => s.lag()[0].shippedId === 3000);
    const keys = [...q.jobs.keys()].map((k) => k.replace(/^p1\.\w+\./, ''));
    expect(keys.slice(0, 2)).toEqual(['d.1001-1500', 'd.1501-2000']);
    expect(keys.slice(2)).toEqual(['d.2001-2700', 'd.2701-3000']);
    expect(s.counters.batchesResent).toBe(2);
    expect(await q.ids()).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1001));
    await s.stop();
  });

  it('while adds fail: retries behind one backoff, keeps the watermark, reports the lag; catches up after', async () => {
    const { path } = spoolWith(1200);
    const q = new FakeQueue();
    q.failing = true;
    const lines: string[] = [];
    const s = new Shipper({
      probeId: 'p1', spoolPath: path, ship: shipCfg({ batch: { maxRecords: 500, maxAgeMs: 20 }, inFlight: 2 }), queue: q,
      log: (level, event) => lines.push(`${level} ${event}`),
    });
    await s.start();
    await until(() => s.counters.addFailures >= 6);
    expect(s.redisDown).toBe(true);
    expect(s.lag()[0]).toMatchObject({ shippedId: 0, unshipped: 1200 });
    expect(s.lag()[0].oldestUnshippedAgeSeconds).toBeGreaterThan(0);
    expect(lines.filter((l) => l === 'warn redis_down')).toHaveLength(1);
    q.failing = false;
    await until(() => s.lag()[0].shippedId === 1200);
    expect(s.redisDown).toBe(false);
    expect(lines).toContain('info redis_up');
    expect(s.counters.redisOutages).toBe(1);
    expect(await q.ids()).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
    await s.stop();
  });

  it('stop() waits for the adds in flight', async () => {
    const { path } = spoolWith(100);
    const q = new FakeQueue();
    q.delayMs = 200;
    const s = new Shipper({ probeId: 'p1', spoolPath: path, ship: shipCfg({ batch: { maxRecords: 100, maxAgeMs: 10 } }), queue: q });
    await s.start();
    await until(() => q.adds === 1);
    await s.stop();
    expect(q.jobs.size).toBe(1);
    const db = openSpool(path);
    expect(new ShipStateStore(db).load('dialogues')).toMatchObject({ shippedId: 100, pending: [] });
  });
});
