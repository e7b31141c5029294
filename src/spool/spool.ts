import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SigprobeError } from '../config/errors';
import type { DialogueRecord, RecordSink, TunnelRecord, TunnelSink } from '../correlate/record';
import { MIGRATIONS } from './migrations';
import { DIALOGUE_COLUMNS, insertSql, SpoolTable, toRow, TUNNEL_COLUMNS, tunnelToRow, type RowValue } from './row';
import { decodeRows } from './rowCodec';

/**
 * What changed in the live probe's active GTP tunnel table since the previous checkpoint
 * (src/spool/activeTunnels.ts): `states[i]` (one JSON TunnelState) is upserted as row `keys[i]`
 * of gtp_active_tunnels, the rows `deleted` are removed (tunnels that ended or left).
 */
export interface CheckpointDelta {
  keys: number[];
  states: string[];
  deleted: number[];
}

/** One encoded row batch (rowCodec.ts) of one table. */
export interface RowPart {
  table: SpoolTable;
  rows: number;
  ab: ArrayBuffer;
}

export interface SpoolOptions {
  /** Records per insert transaction (the writer also flushes on flush()/close()). */
  batchSize?: number;
}


/** Opens (creating if needed) a spool database and brings its schema up to date. */
export function openSpool(path: string): Db {
  let db: Db;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
  } catch (e) {
    throw new SigprobeError('E_SPOOL', `cannot open spool ${path}: ${(e as Error).message}`);
  }
  try {
    // 16 KiB pages for a new spool (no effect on an existing one): fewer page splits in the
    // three indexes; measured here +15 % insert rate (75k → 86k rows/s).
    db.pragma('page_size = 16384');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    // Checkpoint every 16k pages (256 MiB of WAL with 16 KiB pages) instead of 1k: with
    // synchronous=NORMAL each checkpoint is an fsync, and measured here that alone took the insert
    // rate from ~45k to ~67k rows/s. journal_size_limit truncates the WAL file back to 64 MiB
    // after a checkpoint (so it peaks at ~256 MiB, then shrinks).
    db.pragma('wal_autocheckpoint = 16384');
    db.pragma('journal_size_limit = 67108864');
    // 64 MiB of page cache (default 2 MiB): the pages every insert touches — the table's last
    // pages, the tails of dialogues_time and of each dialogues_proc group, the newest bucket of
    // the imsi indexes (migration 5) — stay in memory. Measured with --spool-scale: 27 → 11 µs/row.
    db.pragma('cache_size = -65536');
    migrate(db);
  } catch (e) {
    db.close();
    throw new SigprobeError('E_SPOOL', `spool ${path}: ${(e as Error).message}`);
  }
  return db;
}

export function migrate(db: Db): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const have = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  let applied = 0;
  for (const m of MIGRATIONS) {
    if (have.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    })();
    applied++;
  }
  return applied;
}

/**
 * Writes dialogue records to the spool in batched transactions with one prepared statement.
 * Records are buffered up to batchSize; flush() writes what is buffered. Used directly by tests
 * and tools, and inside the spool worker (see spoolClient.ts) by the probe.
 */
export class SpoolWriter implements RecordSink, TunnelSink {
  private readonly insertMany: (rows: DialogueRecord[]) => void;
  private readonly insertTunnels: (rows: TunnelRecord[]) => void;
  /** Inserts encoded rows (each a reused array) of one table in one transaction. */
  readonly insertRows: (table: SpoolTable, each: (onRow: (row: RowValue[]) => void) => number) => number;
  /**
   * Writes encoded row batches and a tunnel checkpoint delta in ONE transaction: the checkpoint
   * never runs ahead of (or behind) the tunnel rows it accounts for.
   */
  readonly writeBatch: (parts: readonly RowPart[], ckpt: CheckpointDelta | null) => void;
  private readonly applyCheckpoint: (c: CheckpointDelta) => void;
  /** Tunnel checkpoint source for flush() (the live probe's TunnelCheckpoint.take). */
  checkpointSource: (() => CheckpointDelta | null) | null = null;
  private buf: DialogueRecord[] = [];
  private tunnels: TunnelRecord[] = [];
  /** Checkpoint deltas taken and not yet committed (kept in order across a failed flush). */
  private heldCkpt: CheckpointDelta[] = [];
  private readonly batchSize: number;
  written = 0;
  tunnelsWritten = 0;

  constructor(readonly db: Db, opts: SpoolOptions = {}) {
    this.batchSize = opts.batchSize ?? 2000;
    const insD: Statement = db.prepare(insertSql(SpoolTable.Dialogues));
    const insT: Statement = db.prepare(insertSql(SpoolTable.Tunnels));
    const row: RowValue[] = new Array(DIALOGUE_COLUMNS.length);
    const trow: RowValue[] = new Array(TUNNEL_COLUMNS.length);
    this.insertMany = db.transaction((rows: DialogueRecord[]) => {
      for (const r of rows) insD.run(...toRow(r, row));
    });
    this.insertTunnels = db.transaction((rows: TunnelRecord[]) => {
      for (const t of rows) insT.run(...tunnelToRow(t, trow));
    });
    this.insertRows = db.transaction((table: SpoolTable, each: (onRow: (row: RowValue[]) => void) => number) => {
      const st = table === SpoolTable.Tunnels ? insT : insD;
      return each((r) => st.run(...r));
    });
    const upsert = db.prepare('INSERT INTO gtp_active_tunnels (id, state) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state');
    const del = db.prepare('DELETE FROM gtp_active_tunnels WHERE id = ?');
    const applyCheckpoint = (c: CheckpointDelta): void => {
      for (const k of c.deleted) del.run(k);
      for (let i = 0; i < c.keys.length; i++) upsert.run(c.keys[i], c.states[i]);
    };
    this.applyCheckpoint = db.transaction(applyCheckpoint);
    this.writeBatch = db.transaction((parts: readonly RowPart[], ckpt: CheckpointDelta | null) => {
      for (const p of parts) {
        const st = p.table === SpoolTable.Tunnels ? insT : insD;
        // spread, not the array: better-sqlite3 binds arguments ~30 % faster than array elements
        decodeRows(p.ab, (r) => st.run(...r));
      }
      if (ckpt !== null) applyCheckpoint(ckpt);
    });
  }

  writeTunnel(t: TunnelRecord): void {
    this.tunnels.push(t);
    if (this.tunnels.length >= this.batchSize) this.flush();
  }

  write(r: DialogueRecord): void {
    this.buf.push(r);
    if (this.buf.length >= this.batchSize) this.flush();
  }

  get buffered(): number {
    return this.buf.length;
  }

  flush(): void {
    const ckpt = this.checkpointSource?.() ?? null;
    if (ckpt !== null) this.heldCkpt.push(ckpt);
    if (this.tunnels.length > 0 || this.heldCkpt.length > 0) {
      const ts = this.tunnels;
      const cs = this.heldCkpt;
      this.tunnels = [];
      this.heldCkpt = [];
      try {
        // The tunnel rows and the checkpoint deltas that account for them: one transaction.
        this.db.transaction(() => {
          this.insertTunnels(ts);
          for (const c of cs) this.applyCheckpoint(c);
        })();
      } catch (e) {
        this.tunnels = ts.concat(this.tunnels);
        this.heldCkpt = cs;
        throw new SigprobeError('E_SPOOL', `spool write failed (${ts.length} tunnels kept in memory): ${(e as Error).message}`);
      }
      this.tunnelsWritten += ts.length;
    }
    if (this.buf.length === 0) return;
    const rows = this.buf;
    this.buf = [];
    try {
      this.insertMany(rows);
    } catch (e) {
      // Keep the rows for the next attempt (disk full, locked): nothing is dropped silently.
      this.buf = rows.concat(this.buf);
      throw new SigprobeError('E_SPOOL', `spool write failed (${rows.length} records kept in memory): ${(e as Error).message}`);
    }
    this.written += rows.length;
  }
}
