/**
 * The shipper's view of the spool: records after the watermark in id order, and the per-table
 * shipping state (watermark, batches in flight) of migration 3. The shipper opens the spool file
 * the probe writes (WAL: one writer, any number of readers; busy_timeout covers the short write
 * transactions both sides make).
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import { TIME_COLUMNS, US_PER_DAY, type ShipTable } from './batch';

export type Range = [first: number, last: number];

export interface ShipState {
  /** every record with id <= shippedId was acknowledged by Redis */
  shippedId: number;
  /** batches being added when the shipper last stopped, in id order */
  pending: Range[];
  shippedRecords: number;
  shippedBatches: number;
  deletedShipped: number;
  deletedUnshipped: number;
}

/** A run of records rendered for a batch (see batch.ts). */
export interface RenderedRows {
  count: number;
  first: number;
  last: number;
  /** one record per line: JSON array elements without the brackets (UTF-8) */
  text: Buffer;
  /** distinct UTC days of the records' time, ascending */
  days: number[];
  /** newest record time, µs */
  tmax: number;
}

/** Reads one spool table for shipping. */
export class SpoolTableSource {
  /** columns shipped: 'id', 'ts' (the record time, batch format 2), then every other column of the spool table */
  readonly cols: string[];
  private readonly after: Statement;
  private readonly range: Statement;
  private readonly max: Statement;
  private readonly count: Statement;
  private readonly oldest: Statement;

  constructor(readonly db: Db, readonly table: ShipTable) {
    const info = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
    const spoolCols = info.map((c) => c.name).filter((c) => c !== 'id');
    this.cols = ['id', 'ts', ...spoolCols];
    const time = `coalesce(${TIME_COLUMNS[table].join(', ')}, 0)`;
    // json_array() renders in C (about 2 µs a record); ltrim/rtrim drop the brackets: the last
    // element ends in '"', 'l' (null) or a digit, so rtrim never eats into a value. ts as
    // PostgreSQL reads a timestamptz: "2023-11-14 22:13:20.034367+00".
    const ts = `printf('%s.%06d+00', datetime(${time} / 1000000, 'unixepoch'), ${time} % 1000000)`;
    const line = `rtrim(ltrim(json_array(id, ${ts}, ${spoolCols.join(', ')}), '['), ']')`;
    // One pass renders the lines and collects the bounds, the distinct days and the newest time
    // (one level of subquery: SQLite runs it as a co-routine; 0.6 µs a record less than two). The
    // text comes back as a Buffer (BLOB): no UTF-8 decoding into a JS string and encoding back.
    const agg = (where: string) =>
      `SELECT count(*) AS count, min(id) AS first, max(id) AS last, max(t) AS tmax, group_concat(DISTINCT t / ${US_PER_DAY}) AS days, ` +
      `CAST(group_concat(l, char(10)) AS BLOB) AS text FROM (SELECT id, ${time} AS t, ${line} AS l FROM ${table} ${where})`;
    this.after = db.prepare(agg('WHERE id > ? ORDER BY id LIMIT ?'));
    this.range = db.prepare(agg('WHERE id BETWEEN ? AND ? ORDER BY id'));
    this.max = db.prepare(`SELECT max(id) AS m FROM ${table}`);
    this.count = db.prepare(`SELECT count(*) AS n FROM ${table} WHERE id > ?`);
    this.oldest = db.prepare(`SELECT ${time} AS t FROM ${table} WHERE id > ? ORDER BY id LIMIT 1`);
  }

  private rendered(r: { count: number; first: number | null; last: number | null; tmax: number | null; days: string | null; text: Buffer | null }): RenderedRows | null {
    if (r.count === 0 || r.first === null || r.last === null) return null;
    const days = (r.days ?? '').split(',').map(Number).sort((a, b) => a - b);
    return { count: r.count, first: r.first, last: r.last, tmax: r.tmax ?? 0, text: r.text ?? Buffer.alloc(0), days };
  }

  /** Up to `limit` records with id > afterId, in id order; null if there are none. */
  readAfter(afterId: number, limit: number): RenderedRows | null {
    return this.rendered(this.after.get(afterId, limit) as never);
  }

  /** The records with first <= id <= last; null if there are none (any more). */
  readRange(first: number, last: number): RenderedRows | null {
    return this.rendered(this.range.get(first, last) as never);
  }

  maxId(): number {
    return (this.max.get() as { m: number | null }).m ?? 0;
  }

  countAfter(afterId: number): number {
    return (this.count.get(afterId) as { n: number }).n;
  }

  /** Record time (µs) of the first record after afterId, null if none. */
  oldestTimeAfter(afterId: number): number | null {
    const r = this.oldest.get(afterId) as { t: number | null } | undefined;
    return r?.t ?? null;
  }
}

/** ship_state and spool_meta (spool migration 3). */
export class ShipStateStore {
  private readonly get: Statement;
  private readonly setPending: Statement;
  private readonly ackStmt: Statement;
  private readonly deletedStmt: Statement;

  constructor(readonly db: Db) {
    this.get = db.prepare('SELECT * FROM ship_state WHERE tbl = ?');
    this.setPending = db.prepare('UPDATE ship_state SET pending = ?, updated_at = ? WHERE tbl = ?');
    this.ackStmt = db.prepare(
      'UPDATE ship_state SET shipped_id = max(shipped_id, ?), pending = ?, shipped_records = shipped_records + ?, ' +
        'shipped_batches = shipped_batches + ?, updated_at = ? WHERE tbl = ?',
    );
    this.deletedStmt = db.prepare(
      'UPDATE ship_state SET deleted_shipped = deleted_shipped + ?, deleted_unshipped = deleted_unshipped + ?, updated_at = ? WHERE tbl = ?',
    );
  }

  spoolId(): string {
    return (this.db.prepare("SELECT value FROM spool_meta WHERE key = 'spool_id'").get() as { value: string }).value;
  }

  load(table: ShipTable): ShipState {
    const r = this.get.get(table) as {
      shipped_id: number;
      pending: string;
      shipped_records: number;
      shipped_batches: number;
      deleted_shipped: number;
      deleted_unshipped: number;
    };
    let pending: Range[] = [];
    try {
      const p = JSON.parse(r.pending) as unknown;
      if (Array.isArray(p)) pending = p.filter((x): x is Range => Array.isArray(x) && x.length === 2 && Number.isSafeInteger(x[0]) && Number.isSafeInteger(x[1]));
    } catch {
      pending = [];
    }
    return {
      shippedId: r.shipped_id,
      pending,
      shippedRecords: r.shipped_records,
      shippedBatches: r.shipped_batches,
      deletedShipped: r.deleted_shipped,
      deletedUnshipped: r.deleted_unshipped,
    };
  }

  /** Records the batches about to be added (before the add: a crash re-adds exactly these). */
  savePending(table: ShipTable, pending: readonly Range[]): void {
    this.setPending.run(JSON.stringify(pending), new Date().toISOString(), table);
  }

  /** Moves the watermark after Redis acknowledged batches up to `shippedId`. */
  ack(table: ShipTable, shippedId: number, pending: readonly Range[], records: number, batches: number): void {
    this.ackStmt.run(shippedId, JSON.stringify(pending), records, batches, new Date().toISOString(), table);
  }

  addDeleted(table: ShipTable, shipped: number, unshipped: number): void {
    this.deletedStmt.run(shipped, unshipped, new Date().toISOString(), table);
  }
}
