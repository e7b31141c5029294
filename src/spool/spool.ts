import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SigprobeError } from '../config/errors';
import type { DialogueRecord, RecordSink } from '../correlate/record';
import { MIGRATIONS } from './migrations';

export interface SpoolOptions {
  /** Records per insert transaction (the writer also flushes on flush()/close()). */
  batchSize?: number;
}

const COLUMNS = [
  'protocol', 'procedure', 'opcode', 'status', 'result_code', 'result_name', 'end_reason', 'orphan',
  'req_frame', 'rsp_frame', 'req_time_us', 'rsp_time_us', 'latency_us', 'imsi', 'msisdn', 'home_mcc',
  'home_mnc', 'calling_gt', 'called_gt', 'responder_gt', 'opc', 'dpc', 'calling_ssn', 'called_ssn',
  'vlr_number', 'sgsn_number', 'app_context', 'otid', 'dtid', 'messages', 'nested_ops',
  'retransmissions', 'abort_cause', 'site', 'source',
] as const;

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
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
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
 * Records are buffered up to batchSize; flush() writes what is buffered (the live probe calls it
 * on a timer, replay at the end).
 */
export class SpoolWriter implements RecordSink {
  private readonly insert: Statement;
  private readonly insertMany: (rows: DialogueRecord[]) => void;
  private buf: DialogueRecord[] = [];
  private readonly batchSize: number;
  written = 0;

  constructor(readonly db: Db, opts: SpoolOptions = {}) {
    this.batchSize = opts.batchSize ?? 2000;
    this.insert = db.prepare(`INSERT INTO dialogues (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
    const ins = this.insert;
    this.insertMany = db.transaction((rows: DialogueRecord[]) => {
      for (const r of rows) {
        ins.run(
          r.protocol, r.procedure, r.opcode, r.status, r.resultCode, r.resultName, r.endReason, r.orphan ? 1 : 0,
          r.reqFrame, r.rspFrame, r.reqTimeUs, r.rspTimeUs, r.latencyUs, r.imsi, r.msisdn, r.homeMcc,
          r.homeMnc, r.callingGt, r.calledGt, r.responderGt, r.opc, r.dpc, r.callingSsn, r.calledSsn,
          r.vlrNumber, r.sgsnNumber, r.appContext, r.otid, r.dtid, r.messages, r.nestedOps,
          r.retransmissions, r.abortCause, r.site, r.source,
        );
      }
    });
  }

  write(r: DialogueRecord): void {
    this.buf.push(r);
    if (this.buf.length >= this.batchSize) this.flush();
  }

  get buffered(): number {
    return this.buf.length;
  }

  flush(): void {
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
