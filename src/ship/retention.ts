/**
 * Spool retention, run by the shipper (it knows what was shipped):
 *   - age: shipped records whose time is older than maxAge are deleted, oldest id first. Unshipped
 *     records are never deleted for age.
 *   - size: while the spool's pages in use exceed maxBytes, the oldest records are deleted in
 *     chunks — shipped ones first; only when no shipped record is left, unshipped ones (never one
 *     the shipper holds in memory for a batch in flight). Each unshipped record deleted is lost to
 *     the central store: counted (ship_state.deleted_unshipped, retention_log) and logged as an
 *     error.
 * The newest record of a table is never deleted: SQLite gives a new row max(id)+1, so keeping it
 * keeps ids growing (a reused id would sit below the watermark and never be shipped).
 * Deletes are chunked: each is a short write transaction next to the probe's inserts.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import { TIME_COLUMNS, type ShipTable } from './batch';
import type { Logger } from './log';
import type { ShipStateStore, SpoolTableSource } from './spoolSource';

export interface RetentionOptions {
  maxAgeUs: number;
  maxBytes: number;
  /** records per DELETE statement */
  chunk?: number;
}

export interface RetentionPass {
  table: ShipTable;
  reason: 'age' | 'size';
  shipped: number;
  unshipped: number;
  firstId: number;
  lastId: number;
}

export interface RetentionCounters {
  passes: number;
  deletedShipped: number;
  deletedUnshipped: number;
}

const MAX_SIZE_ROUNDS = 10_000;

interface TableStmts {
  source: SpoolTableSource;
  prefix: Statement;
  deleteRange: Statement;
  oldestShipped: Statement;
  oldestUnshipped: Statement;
  count: Statement;
}

export class Retention {
  readonly counters: RetentionCounters = { passes: 0, deletedShipped: 0, deletedUnshipped: 0 };
  private readonly chunk: number;
  private readonly tables: TableStmts[];
  private readonly logStmt: Statement;

  /**
   * `inMemoryUpTo(table)`: highest id the shipper has read into a batch that is not acknowledged
   * yet (such records are never deleted as unshipped: the batch may still need them after a crash).
   */
  constructor(
    readonly db: Db,
    private readonly state: ShipStateStore,
    sources: readonly SpoolTableSource[],
    private readonly opts: RetentionOptions,
    private readonly log: Logger,
    private readonly inMemoryUpTo: (t: ShipTable) => number,
    private readonly nowUs: () => number = () => Date.now() * 1000,
  ) {
    this.chunk = opts.chunk ?? 5000;
    this.tables = sources.map((source) => {
      const t = source.table;
      const time = TIME_COLUMNS[t].length > 1 ? `coalesce(${TIME_COLUMNS[t].join(', ')}, 0)` : `coalesce(${TIME_COLUMNS[t][0]}, 0)`;
      return {
        source,
        prefix: db.prepare(`SELECT id, ${time} AS t FROM ${t} WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`).raw(true),
        deleteRange: db.prepare(`DELETE FROM ${t} WHERE id >= ? AND id <= ?`),
        oldestShipped: db.prepare(`SELECT id FROM ${t} WHERE id <= ? ORDER BY id LIMIT 1 OFFSET ?`).pluck(true),
        oldestUnshipped: db.prepare(`SELECT id FROM ${t} WHERE id > ? AND id < ? ORDER BY id LIMIT ?`).pluck(true),
        count: db.prepare(`SELECT count(*) FROM ${t}`).pluck(true),
      };
    });
    this.logStmt = db.prepare('INSERT INTO retention_log (at, tbl, reason, shipped, unshipped, first_id, last_id) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  /** Bytes of the spool's pages in use (free pages left by deletes are reused, not counted). */
  usedBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  /** One retention pass: age, then size. Returns what was deleted. */
  run(): RetentionPass[] {
    this.counters.passes++;
    const done: RetentionPass[] = [];
    for (const t of this.tables) {
      const p = this.byAge(t);
      if (p) done.push(p);
    }
    done.push(...this.bySize());
    for (const p of done) {
      this.logStmt.run(new Date().toISOString(), p.table, p.reason, p.shipped, p.unshipped, p.firstId, p.lastId);
      this.state.addDeleted(p.table, p.shipped, p.unshipped);
      this.counters.deletedShipped += p.shipped;
      this.counters.deletedUnshipped += p.unshipped;
      if (p.unshipped > 0) {
        this.log('error', 'retention_deleted_unshipped', {
          table: p.table,
          records: p.unshipped,
          firstId: p.firstId,
          lastId: p.lastId,
          maxBytes: this.opts.maxBytes,
          note: 'spool size limit reached while records were not shipped: these records are lost to the central store',
        });
      } else {
        this.log('info', 'retention_deleted', { table: p.table, reason: p.reason, records: p.shipped, firstId: p.firstId, lastId: p.lastId });
      }
    }
    return done;
  }

  /** Deletes the prefix (by id) of shipped records older than maxAge. */
  private byAge(t: TableStmts): RetentionPass | null {
    const table = t.source.table;
    const upTo = Math.min(this.state.load(table).shippedId, t.source.maxId() - 1);
    const cutoff = this.nowUs() - this.opts.maxAgeUs;
    let after = 0;
    let deleted = 0;
    let firstId = 0;
    for (;;) {
      const rows = t.prefix.all(after, upTo, this.chunk) as [number, number][];
      let lastOld = 0;
      for (const [id, time] of rows) {
        if (time >= cutoff) break;
        lastOld = id;
      }
      if (lastOld === 0) break;
      const first = rows[0][0];
      if (firstId === 0) firstId = first;
      deleted += t.deleteRange.run(first, lastOld).changes;
      after = lastOld;
      if (lastOld !== rows[rows.length - 1][0] || rows.length < this.chunk) break;
    }
    return deleted > 0 ? { table, reason: 'age', shipped: deleted, unshipped: 0, firstId, lastId: after } : null;
  }

  /** Deletes the oldest records while the spool is above maxBytes: shipped ones first. */
  private bySize(): RetentionPass[] {
    const target = Math.floor(this.opts.maxBytes * 0.95);
    let used = this.usedBytes();
    if (used <= this.opts.maxBytes) return [];
    const acc = new Map<string, RetentionPass>();
    const note = (table: ShipTable, shipped: boolean, first: number, last: number, n: number): void => {
      const key = `${table}/${shipped}`;
      const p = acc.get(key) ?? { table, reason: 'size' as const, shipped: 0, unshipped: 0, firstId: first, lastId: last };
      if (shipped) p.shipped += n;
      else p.unshipped += n;
      p.lastId = last;
      acc.set(key, p);
    };
    // counted once (a count is a full scan), then kept up to date from the deletes
    let rows = this.tables.reduce((s, t) => s + (t.count.get() as number), 0);
    for (let round = 0; round < MAX_SIZE_ROUNDS && used > target && rows > 0; round++) {
      const want = Math.max(1, Math.min(this.chunk, Math.ceil((used - target) / Math.max(1, used / rows))));
      const n = this.deleteOldest(want, true, note) || this.deleteOldest(want, false, note);
      if (n === 0) break;
      rows -= n;
      used = this.usedBytes();
    }
    return [...acc.values()];
  }

  /** Deletes up to `want` of the oldest shipped (or unshipped) records of the first table that has some; returns how many. */
  private deleteOldest(want: number, shipped: boolean, note: (t: ShipTable, s: boolean, f: number, l: number, n: number) => void): number {
    for (const t of this.tables) {
      const table = t.source.table;
      const max = t.source.maxId();
      const w = this.state.load(table).shippedId;
      let first: number | undefined;
      let last: number | undefined;
      if (shipped) {
        const upTo = Math.min(w, max - 1);
        first = t.oldestShipped.get(upTo, 0) as number | undefined;
        if (first === undefined) continue;
        // the want-th shipped record, or the last one below upTo
        last = (t.oldestShipped.get(upTo, want - 1) as number | undefined) ?? upTo;
      } else {
        const after = Math.max(w, this.inMemoryUpTo(table));
        const ids = t.oldestUnshipped.all(after, max, want) as number[];
        if (ids.length === 0) continue;
        first = ids[0];
        last = ids[ids.length - 1];
      }
      const n = t.deleteRange.run(first, last).changes;
      if (n === 0) continue;
      note(table, shipped, first, last, n);
      return n;
    }
    return 0;
  }
}
