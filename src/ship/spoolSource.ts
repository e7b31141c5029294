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
  /** column of each line's elements: 'id', 'ts', then the spool columns not NULL in every record */
  cols: string[];
  /** one record per line: JSON array elements without the brackets (UTF-8) */
  text: Buffer;
  /** distinct UTC days of the records' time, ascending */
  days: number[];
  /** newest record time, µs */
  tmax: number;
}

/** The records of a batch: after an id (count-limited) or an id range. */
type Where = 'after' | 'range';
const WHERE: Record<Where, string> = { after: 'WHERE id > ? ORDER BY id LIMIT ?', range: 'WHERE id BETWEEN ? AND ? ORDER BY id' };

/**
 * Batches re-learn which columns their records fill every this many batches (and whenever a
 * column left out turns out to be filled).
 */
export const DETECT_EVERY = 64;

interface RenderRow {
  count: number;
  first: number | null;
  last: number | null;
  tmax: number | null;
  days: string | null;
  text: Buffer | null;
  /** 1 when a column left out of the line is not NULL in some record */
  missed?: number;
}

/**
 * Reads one spool table for shipping. A line carries only the columns the batch's records fill:
 * columns NULL in every record are left out of the line and of the batch's column list, and the
 * collector's COPY gives them their default, NULL. (A MAP batch leaves out ~22 Diameter/GTP/IP
 * columns: ~25 % fewer bytes to render, compress, send and parse — about 1 µs a record in
 * PostgreSQL's COPY alone.) The set is learnt from a batch (count() per column), then each batch
 * is rendered with it and checked in the same pass (any left-out column not NULL?); a batch that
 * fails the check is learnt and rendered again.
 */
export class SpoolTableSource {
  /** every column that can be shipped: 'id', 'ts' (the record time, batch format 2), then the spool table's */
  readonly cols: string[];
  /** spool columns that may be NULL (candidates to leave out) */
  private readonly nullable: ReadonlySet<string>;
  private readonly spoolCols: string[];
  private readonly time: string;
  /** spool columns of the lines now; null: learn them at the next batch */
  private lineCols: string[] | null = null;
  private batchesSinceDetect = 0;
  private readonly statements = new Map<string, Statement>();
  private readonly max: Statement;
  private readonly count: Statement;
  private readonly oldest: Statement;
  /** batches rendered again because a left-out column was filled */
  rerenders = 0;

  constructor(readonly db: Db, readonly table: ShipTable) {
    const info = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; notnull: number }[];
    this.spoolCols = info.map((c) => c.name).filter((c) => c !== 'id');
    this.nullable = new Set(info.filter((c) => c.name !== 'id' && c.notnull === 0).map((c) => c.name));
    this.cols = ['id', 'ts', ...this.spoolCols];
    this.time = `coalesce(${TIME_COLUMNS[table].join(', ')}, 0)`;
    this.max = db.prepare(`SELECT max(id) AS m FROM ${table}`);
    this.count = db.prepare(`SELECT count(*) AS n FROM ${table} WHERE id > ?`);
    this.oldest = db.prepare(`SELECT ${this.time} AS t FROM ${table} WHERE id > ? ORDER BY id LIMIT 1`);
  }

  private statement(key: string, sql: () => string): Statement {
    let st = this.statements.get(key);
    if (!st) {
      st = this.db.prepare(sql());
      this.statements.set(key, st);
    }
    return st;
  }

  /** The render statement for lines of `cols` (spool columns), checking that the others are NULL. */
  private renderStatement(where: Where, cols: readonly string[]): Statement {
    return this.statement(`${where}:${cols.join(',')}`, () => {
      const time = this.time;
      // json_array() renders in C (~2 µs a record); ltrim/rtrim drop the brackets: the last
      // element ends in '"', 'l' (null) or a digit, so rtrim never eats into a value. ts as
      // PostgreSQL reads a timestamptz: "2023-11-14 22:13:20.034367+00".
      const ts = `printf('%s.%06d+00', datetime(${time} / 1000000, 'unixepoch'), ${time} % 1000000)`;
      const line = `rtrim(ltrim(json_array(id, ${ts}${cols.map((c) => `, ${c}`).join('')}), '['), ']')`;
      const left = this.spoolCols.filter((c) => !cols.includes(c));
      const filled = left.length === 0 ? '0' : left.length === 1 ? `${left[0]} IS NOT NULL` : `coalesce(${left.join(', ')}) IS NOT NULL`;
      // One pass (one level of subquery: SQLite runs it as a co-routine) renders the lines and
      // collects the bounds, the distinct days, the newest time and the check. The text comes
      // back as a Buffer (BLOB): no UTF-8 decoding into a JS string and encoding back.
      return (
        `SELECT count(*) AS count, min(id) AS first, max(id) AS last, max(t) AS tmax, group_concat(DISTINCT t / ${US_PER_DAY}) AS days, ` +
        `max(f) AS missed, CAST(group_concat(l, char(10)) AS BLOB) AS text ` +
        `FROM (SELECT id, ${time} AS t, ${filled} AS f, ${line} AS l FROM ${this.table} ${WHERE[where]})`
      );
    });
  }

  /** The spool columns some record of the batch fills (NOT NULL columns always). */
  private learn(where: Where, a: number, b: number): string[] {
    const nullable = this.spoolCols.filter((c) => this.nullable.has(c));
    const st = this.statement(`learn:${where}`, () => `SELECT ${nullable.map((c) => `count(${c})`).join(', ')} FROM (SELECT * FROM ${this.table} ${WHERE[where]})`);
    const counts = (st.raw(true).get(a, b) as number[] | undefined) ?? [];
    const filled = new Set(nullable.filter((_, i) => (counts[i] ?? 1) > 0));
    this.batchesSinceDetect = 0;
    return this.spoolCols.filter((c) => !this.nullable.has(c) || filled.has(c));
  }

  private read(where: Where, a: number, b: number): RenderedRows | null {
    if (this.lineCols === null || this.batchesSinceDetect >= DETECT_EVERY) this.lineCols = this.learn(where, a, b);
    let r = this.renderStatement(where, this.lineCols).get(a, b) as RenderRow;
    if (r.missed) {
      // a column left out is filled in this batch: learn again and render it again
      this.rerenders++;
      this.lineCols = this.learn(where, a, b);
      r = this.renderStatement(where, this.lineCols).get(a, b) as RenderRow;
    }
    this.batchesSinceDetect++;
    if (r.count === 0 || r.first === null || r.last === null) return null;
    const days = (r.days ?? '').split(',').map(Number).sort((x, y) => x - y);
    return { count: r.count, first: r.first, last: r.last, cols: ['id', 'ts', ...this.lineCols], tmax: r.tmax ?? 0, text: r.text ?? Buffer.alloc(0), days };
  }

  /** Up to `limit` records with id > afterId, in id order; null if there are none. */
  readAfter(afterId: number, limit: number): RenderedRows | null {
    return this.read('after', afterId, limit);
  }

  /** The records with first <= id <= last; null if there are none (any more). */
  readRange(first: number, last: number): RenderedRows | null {
    return this.read('range', first, last);
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
