/**
 * Opening a spool file for reading (report, devices, trace): read-only, never created, and
 * checked to be a sigprobe spool with the columns the reader needs. Every failure is one clear
 * line in a SigprobeError of the caller's code (exit 2): missing file, a directory, not SQLite,
 * locked, damaged, not a spool, a schema too old for the reader.
 */
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { SigprobeError } from '../config/errors';

/** What a reader needs of a spool. */
export interface SpoolNeeds {
  /** the error code of bad input (exit 2) */
  code: string;
  /** who reads, for the message: 'the report', 'the trace' … */
  reader: string;
  /** the spool schema version the needed columns arrived with */
  version: number;
  /** table → the columns the reader reads */
  columns: Readonly<Record<string, readonly string[]>>;
}

/** Checks that `file` exists and is not a directory (before opening or ATTACHing it: ATTACH of a missing path would create it). */
export function checkSpoolPath(file: string, needs: SpoolNeeds): void {
  if (!existsSync(file)) throw new SigprobeError(needs.code, `spool ${file} does not exist`);
  if (statSync(file).isDirectory()) throw new SigprobeError(needs.code, `spool ${file} is a directory, not a spool file`);
}

/** Opens one spool read-only and checks it against `needs`. */
export function openSpoolForReading(file: string, needs: SpoolNeeds): Db {
  checkSpoolPath(file, needs);
  let db: Db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new SigprobeError(needs.code, `cannot open spool ${file}: ${(e as Error).message}`);
  }
  try {
    checkSpoolSchema(db, 'main', file, needs);
  } catch (e) {
    db.close();
    if (e instanceof SigprobeError) throw e;
    throw new SigprobeError(needs.code, describeSqliteError(e as Error & { code?: string }, file));
  }
  return db;
}

/** One line for an SQLite failure on a spool. */
export function describeSqliteError(e: Error & { code?: string }, file: string): string {
  const code = e.code ?? '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || /locked/i.test(e.message)) return `spool ${file} is locked by another process (${e.message}); retry when it is released`;
  if (code === 'SQLITE_NOTADB' || /not a database/i.test(e.message)) return `${file} is not a sigprobe spool (not an SQLite database)`;
  if (code === 'SQLITE_CORRUPT') return `spool ${file} is damaged: ${e.message}`;
  return `spool ${file}: ${e.message}`;
}

/** Checks the spool in `schema` ('main' or an ATTACHed name) of `db` against `needs`. */
export function checkSpoolSchema(db: Db, schema: string, file: string, needs: SpoolNeeds): void {
  const err = (msg: string) => new SigprobeError(needs.code, msg);
  let tables: Set<string>;
  try {
    tables = new Set((db.prepare(`SELECT name FROM ${schema}.sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name));
  } catch (e) {
    throw err(describeSqliteError(e as Error & { code?: string }, file));
  }
  if (!tables.has('dialogues') || !tables.has('schema_migrations')) throw err(`${file} is not a sigprobe spool (no dialogues / schema_migrations table)`);
  const version = (db.prepare(`SELECT max(version) v FROM ${schema}.schema_migrations`).get() as { v: number | null }).v ?? 0;
  const tooOld = `spool ${file} has schema version ${version}; ${needs.reader} needs version ${needs.version} or later`;
  for (const [table, cols] of Object.entries(needs.columns)) {
    if (!tables.has(table)) throw err(`${tooOld} (no ${table} table): replay its captures again with this sigprobe`);
    const have = new Set((db.prepare(`PRAGMA ${schema}.table_info(${table})`).all() as { name: string }[]).map((r) => r.name));
    const missing = cols.filter((c) => !have.has(c));
    if (missing.length > 0) {
      throw err(`${tooOld} (missing ${table}.${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}): replay its captures again with this sigprobe`);
    }
  }
}
