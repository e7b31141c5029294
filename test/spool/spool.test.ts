import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSpool, migrate, SpoolWriter } from '../../src/spool/spool';
import { MIGRATIONS } from '../../src/spool/migrations';
import { RowEncoder, decodeRows } from '../../src/spool/rowCodec';
import { DIALOGUE_COLUMNS, DIALOGUE_DICTIONARY, toRow, type RowValue } from '../../src/spool/row';
// The worker client runs the built worker (dist/spool/spoolWorker.js): scripts/test builds first.
import { SpoolClient } from '../../dist/spool/spoolClient';
import type { DialogueRecord } from '../../src/correlate/record';

function rec(i: number, over: Partial<DialogueRecord> = {}): DialogueRecord {
  return {
    protocol: 'map', procedure: 'sendAuthenticationInfo', opcode: 56, status: i % 7 === 0 ? 'error' : 'ok',
    resultCode: i % 7 === 0 ? 1 : null, resultName: i % 7 === 0 ? 'unknownSubscriber' : null, endReason: 'end',
    orphan: false, reqFrame: i * 2 + 1, rspFrame: i * 2 + 2, reqTimeUs: 1_700_000_000_000_000 + i * 1000,
    rspTimeUs: 1_700_000_000_050_000 + i * 1000, latencyUs: 50_000, imsi: `p${i}`, msisdn: null, homeMcc: '234',
    homeMnc: '15', callingGt: '447700900123', calledGt: '34600000001', responderGt: 'é漢字', opc: 600, dpc: 500,
    callingSsn: 7, calledSsn: 6, vlrNumber: '447700900123', sgsnNumber: null, appContext: '0.4.0.0.1.0.14.3',
    otid: '0a000001', dtid: null, messages: 2, nestedOps: 0, retransmissions: 0, abortCause: null, site: 'lab',
    source: 'x.pcap', ...over,
  };
}

describe('spool schema', () => {
  it('migrates once, records versions, is idempotent', () => {
    const db = openSpool(':memory:');
    expect(migrate(db)).toBe(0);
    const v = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(v).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(db.pragma('journal_mode', { simple: true })).toBe('memory'); // :memory: cannot be WAL
    const cols = (db.prepare("SELECT name FROM pragma_table_info('dialogues')").all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(['id', ...DIALOGUE_COLUMNS]);
  });
  it('uses WAL on disk and writes batches', () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-spool-'));
    const db = openSpool(join(d, 's.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const w = new SpoolWriter(db, { batchSize: 10 });
    for (let i = 0; i < 25; i++) w.write(rec(i));
    expect(w.written).toBe(20);
    expect(w.buffered).toBe(5);
    w.flush();
    expect((db.prepare('SELECT count(*) n FROM dialogues').get() as { n: number }).n).toBe(25);
    const r = db.prepare('SELECT * FROM dialogues_human WHERE id = 1').get() as Record<string, unknown>;
    expect(r.req_time).toBe('2023-11-14T22:13:20.000Z');
    expect(r.latency_ms).toBe(50);
  });
});

describe('row codec', () => {
  it('round-trips nulls, integers, big µs times and UTF-8', () => {
    const enc = new RowEncoder(DIALOGUE_COLUMNS.length, 64); // tiny initial buffer: exercises growth
    const row: RowValue[] = new Array(DIALOGUE_COLUMNS.length);
    const want: RowValue[][] = [];
    for (let i = 0; i < 300; i++) {
      enc.add(toRow(rec(i), row));
      want.push([...row]);
    }
    const got: RowValue[][] = [];
    expect(decodeRows(enc.take(), (r) => got.push([...r]))).toBe(300);
    expect(got).toEqual(want);
    expect(enc.rows).toBe(0);
  });

  it('batch dictionary: repeated and unique strings, non-ASCII, long strings, batch after batch', () => {
    const enc = new RowEncoder(DIALOGUE_COLUMNS.length, 64, DIALOGUE_DICTIONARY);
    const row: RowValue[] = new Array(DIALOGUE_COLUMNS.length);
    const long = 'x'.repeat(70) + 'é';
    for (let b = 0; b < 3; b++) {
      const want: RowValue[][] = [];
      for (let i = 0; i < 200; i++) {
        const r = rec(i, { procedure: i % 3 === 0 ? 'updateLocation' : 'sendAuthenticationInfo', vlrNumber: i % 5 === 0 ? long : `4477${i % 4}`, source: b === 1 ? 'ü.pcap' : 'x.pcap' });
        enc.add(toRow(r, row));
        want.push([...row]);
      }
      const got: RowValue[][] = [];
      // each batch decodes on its own (a retried batch decodes the same), twice here
      const ab = enc.take();
      for (let k = 0; k < 2; k++) {
        got.length = 0;
        expect(decodeRows(ab, (r) => got.push([...r]))).toBe(200);
        expect(got).toEqual(want);
      }
    }
  });
});

describe('imsi index by id bucket (migration 5)', () => {
  it('"WHERE imsi = ?" uses dialogues_imsi / tunnels_imsi in a read-only session, and finds every row', () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-spool-'));
    const path = join(d, 's.db');
    const db = openSpool(path);
    const w = new SpoolWriter(db, { batchSize: 1000 });
    // ids past several 65,536-row buckets, the same device in each
    db.prepare('INSERT INTO dialogues (id, protocol, status, end_reason, messages, site, source) VALUES (200000, \'map\', \'ok\', \'end\', 1, \'x\', \'y\')').run();
    for (let i = 0; i < 3000; i++) w.write(rec(i, { imsi: `dev${i % 500}` }));
    w.flush();
    db.close();
    const ro = new Database(path, { readonly: true });
    for (const [t, idx] of [['dialogues', 'dialogues_imsi'], ['tunnels', 'tunnels_imsi']]) {
      const plan = (ro.prepare(`EXPLAIN QUERY PLAN SELECT * FROM ${t} WHERE imsi = ?`).all('dev7') as { detail: string }[]).map((r) => r.detail).join(' ');
      expect(plan).toContain(`USING INDEX ${idx}`);
    }
    const plan2 = (ro.prepare('EXPLAIN QUERY PLAN SELECT req_time, procedure FROM dialogues_human WHERE imsi = ? ORDER BY req_time').all('dev7') as { detail: string }[]).map((r) => r.detail).join(' ');
    expect(plan2).toContain('USING INDEX dialogues_imsi');
    expect((ro.prepare('SELECT count(*) n FROM dialogues WHERE imsi = ?').get('dev7') as { n: number }).n).toBe(6);
    expect((ro.prepare('SELECT count(*) n FROM dialogues NOT INDEXED WHERE imsi = ?').get('dev7') as { n: number }).n).toBe(6);
    ro.close();
  });

  it('a version-4 spool is migrated in place: rows kept, the index rebuilt', () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-spool-'));
    const path = join(d, 's.db');
    const old = new Database(path);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 4)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
    }
    const ins = old.prepare('INSERT INTO dialogues (protocol, status, end_reason, messages, site, source, imsi) VALUES (\'map\', \'ok\', \'end\', 1, \'x\', \'y\', ?)');
    for (let i = 0; i < 100; i++) ins.run(`p${i % 10}`);
    old.close();
    const db = openSpool(path);
    expect((db.prepare('SELECT max(version) v FROM schema_migrations').get() as { v: number }).v).toBe(MIGRATIONS[MIGRATIONS.length - 1].version);
    expect((db.prepare('SELECT count(*) n FROM dialogues WHERE imsi = ?').get('p3') as { n: number }).n).toBe(10);
    expect((db.prepare("SELECT sql FROM sqlite_master WHERE name = 'dialogues_imsi'").get() as { sql: string }).sql).toContain('(id >> 16), imsi');
    db.close();
  });
});

describe('spool worker client', () => {
  it('commits every record in order through the worker thread', () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-spool-'));
    const path = join(d, 's.db');
    openSpool(path).close();
    const c = new SpoolClient(path, { batchSize: 100, maxInFlightBatches: 2 });
    for (let i = 0; i < 5000; i++) c.write(rec(i));
    expect(c.close(30_000)).toBe(true);
    expect(c.written).toBe(5000);
    expect(c.stalls).toBeGreaterThan(0); // back-pressure engaged with 2 batches in flight
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT req_frame, imsi, responder_gt FROM dialogues ORDER BY id').all() as { req_frame: number; imsi: string; responder_gt: string }[];
    expect(rows.length).toBe(5000);
    rows.forEach((r, i) => {
      expect(r.req_frame).toBe(i * 2 + 1);
      expect(r.imsi).toBe(`p${i}`);
    });
    expect(rows[0].responder_gt).toBe('é漢字');
  });

  it.skipIf(process.getuid?.() !== 0)('full disk: writes are held and retried, nothing is lost once space returns', () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-full-'));
    const mnt = join(d, 'mnt');
    mkdirSync(mnt);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=600k', 'tmpfs', mnt]).status).toBe(0);
    try {
      const path = join(mnt, 's.db');
      openSpool(path).close();
      const c = new SpoolClient(path, { batchSize: 500, maxInFlightBatches: 1000 });
      const n = 20000; // ~5 MB of rows: far more than 600 KiB
      for (let i = 0; i < n; i++) c.write(rec(i, { resultName: 'x'.repeat(100) }));
      expect(c.drain(4000)).toBe(false); // the disk filled up
      expect(c.failing).toBe(true);
      const before = c.written;
      expect(before).toBeLessThan(n);
      expect(spawnSync('mount', ['-o', 'remount,size=64m', mnt]).status).toBe(0);
      expect(c.close(30_000)).toBe(true); // retried every second until it fit
      expect(c.written).toBe(n);
      const db = new Database(path, { readonly: true });
      expect((db.prepare('SELECT count(*) n, count(DISTINCT req_frame) f FROM dialogues').get() as { n: number; f: number })).toEqual({ n, f: n });
      db.close();
    } finally {
      spawnSync('umount', ['-l', mnt]);
    }
  });

  it.skipIf(process.getuid?.() !== 0)('full disk with a bounded retry (replay policy): E_SPOOL after failAfterMs, committed rows intact', () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-full-'));
    const mnt = join(d, 'mnt');
    mkdirSync(mnt);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]).status).toBe(0);
    try {
      const path = join(mnt, 's.db');
      openSpool(path).close();
      const c = new SpoolClient(path, { batchSize: 100, maxInFlightBatches: 4, failAfterMs: 2000, quiet: true });
      const t0 = Date.now();
      let err: (Error & { code?: string }) | null = null;
      try {
        for (let i = 0; i < 20000; i++) c.write(rec(i, { resultName: 'x'.repeat(100) }));
        c.close();
      } catch (e) {
        err = e as Error & { code?: string };
      }
      expect(err?.code).toBe('E_SPOOL');
      expect(err?.message).toMatch(/^spool write failed: database or disk is full \(.*s\.db\); gave up after 2 s of retries: \d+ records not written \(\d+ dialogues, 0 tunnels\), \d+ written before$/);
      expect(Date.now() - t0).toBeLessThan(15_000);
      const written = c.written;
      expect(written).toBeGreaterThan(0);
      const db = new Database(path);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = db.prepare('SELECT req_frame FROM dialogues ORDER BY id').all() as { req_frame: number }[];
      db.close();
      expect(rows.length).toBe(written);
      rows.forEach((r, i) => expect(r.req_frame).toBe(i * 2 + 1)); // the first records, in order
    } finally {
      spawnSync('umount', ['-l', mnt]);
    }
  });

  it('each batch carries the checkpoint delta, committed in its transaction', () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-ckpt-'));
    const path = join(d, 's.db');
    openSpool(path).close();
    const c = new SpoolClient(path, { batchSize: 100 });
    const deltas = [
      { keys: [1, 2, 3], states: ['{"a":1}', '{"a":2}', '{"a":3}'], deleted: [] },
      { keys: [2], states: ['{"a":22}'], deleted: [1] },
    ];
    c.checkpointSource = () => deltas.shift() ?? null;
    for (let i = 0; i < 150; i++) c.write(rec(i)); // one full batch (delta 1) ...
    c.flush(); // ... then the other 50 records with delta 2
    c.flush(); // nothing left: no batch at all
    expect(c.close(30_000)).toBe(true);
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT id, state FROM gtp_active_tunnels ORDER BY id').all()).toEqual([
      { id: 2, state: '{"a":22}' },
      { id: 3, state: '{"a":3}' },
    ]);
    expect(db.prepare('SELECT count(*) n FROM dialogues').get()).toEqual({ n: 150 });
    db.close();
  });
});
