/**
 * The visited-network and user-plane columns (spool migration 4, collector migration 3) from a
 * replayed capture to PostgreSQL: the shipper's rendering carries them (its column list is the
 * spool's), the collector stores them equal to the spool column by column, and a batch of a
 * shipper that predates them (format 1, no such columns) is stored with the counters' default 0
 * and NULL countries.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENTRAL_COLUMNS, MIGRATION1_COLUMNS } from '../../src/collector/schema';
import { BatchStore, migrateCentral } from '../../src/collector/store';
import { BATCH_VERSION, ENCODINGS, type BatchHeader, type ShipTable } from '../../src/ship/batch';
import { SpoolTableSource } from '../../src/ship/spoolSource';
import { PgServer, serversMissing } from '../helpers/servers';
import { centralRows, MAIN, spoolRows } from '../helpers/shipCollect';

const missing = serversMissing();
const SPOOL_ID = 'd'.repeat(32);
let pgs: PgServer;
let pool: Pool;
const dir = mkdtempSync(join(tmpdir(), 'sp-visited-central-'));
const spool = join(dir, 'r.db');

beforeAll(async () => {
  const pcap = join(dir, 'r.pcap');
  for (const args of [
    ['gen', '--scenario', 'roaming', '--out', pcap, '--devices', '120', '--seed', '9'],
    ['replay', pcap, '--spool', spool, '--networks', join(dir, 'r.networks.yaml')],
  ]) {
    const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`${args[0]} failed: ${r.stderr}`);
  }
  if (missing) return;
  pgs = await PgServer.start();
  pool = new Pool({ connectionString: pgs.url, max: 4 });
  pool.on('error', () => {});
}, 180_000);

afterAll(async () => {
  await pool?.end().catch(() => {});
  await pgs?.destroy();
});

function batch(table: ShipTable, probe: string): { h: BatchHeader; text: Buffer } {
  const db = new Database(spool, { readonly: true });
  try {
    const r = new SpoolTableSource(db, table).readAfter(0, 1_000_000)!;
    const h: BatchHeader = {
      v: BATCH_VERSION, probe, spool: SPOOL_ID, table, first: r.first, last: r.last, count: r.count, cols: r.cols, days: r.days,
      tmax: r.tmax, bytes: r.text.length, enc: ENCODINGS.gzip,
    };
    return { h, text: r.text };
  } finally {
    db.close();
  }
}

describe.skipIf(missing !== null)('visited network and user-plane columns, spool → PostgreSQL', () => {
  it('the spool has them filled and the shipper renders them', () => {
    const db = new Database(spool, { readonly: true });
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(n('SELECT count(*) n FROM tunnels WHERE bytes_up + bytes_down > 0')).toBeGreaterThan(10);
    expect(n("SELECT count(*) n FROM dialogues WHERE protocol = 'map' AND visited_operator IS NOT NULL")).toBeGreaterThan(10);
    db.close();
    const t = batch('tunnels', 'p');
    for (const c of ['home_country', 'visited_country', 'visited_operator', 'packets_up', 'packets_down', 'bytes_up', 'bytes_down', 'first_user_us', 'last_user_us']) {
      expect(t.h.cols).toContain(c);
    }
    expect(batch('dialogues', 'p').h.cols).toEqual(expect.arrayContaining(['home_country', 'visited_country', 'visited_operator']));
  });

  it('stored centrally equal to the spool, column by column (dialogues and tunnels)', async () => {
    await migrateCentral(pool, 'v');
    const store = new BatchStore(pool, 'v');
    for (const table of ['dialogues', 'tunnels'] as const) {
      const b = batch(table, 'p');
      expect(await store.store(b.h, b.text)).toEqual({ inserted: b.h.count, duplicates: 0 });
      expect(await centralRows(pool, 'v', 'p', table)).toEqual(spoolRows(spool, table));
    }
  });

  it('a batch of a shipper that predates the columns: counters 0, countries NULL', async () => {
    await migrateCentral(pool, 'o');
    const store = new BatchStore(pool, 'o');
    const b = batch('tunnels', 'old');
    // What an old shipper sends: format 1 (no ts) and only the columns of migration 1.
    const keep = new Set(['id', ...CENTRAL_COLUMNS.tunnels.slice(0, MIGRATION1_COLUMNS.tunnels).map(([n]) => n)]);
    const idx = b.h.cols.map((c, i) => (keep.has(c) ? i : -1)).filter((i) => i >= 0);
    const lines = b.text
      .toString()
      .split('\n')
      .map((l) => JSON.stringify(idx.map((i) => (JSON.parse(`[${l}]`) as unknown[])[i])).slice(1, -1));
    const h: BatchHeader = { ...b.h, v: 1, cols: idx.map((i) => b.h.cols[i]), tmax: undefined, bytes: undefined };
    expect(h.cols).not.toContain('packets_up');
    expect(await store.store(h, Buffer.from(lines.join('\n')))).toEqual({ inserted: b.h.count, duplicates: 0 });
    const r = await pool.query(
      `SELECT count(*)::int AS n, sum(packets_up + packets_down + bytes_up + bytes_down)::int AS counted, count(visited_country)::int AS countries FROM o.tunnels`,
    );
    expect(r.rows[0]).toEqual({ n: b.h.count, counted: 0, countries: 0 });
  });
});
