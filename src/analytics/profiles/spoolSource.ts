// Streams a spool's dialogues device by device (ORDER BY imsi, time through the imsi index, with an
// iterator: memory holds one device's rows) and computes each device's features.
import type { Database as Db } from 'better-sqlite3';
import { openSpoolForReading, type SpoolNeeds } from '../../spool/readSpool';
import { DeviceGrouper, DeviceRow, FEATURE_COLUMNS_SQL, OPTIONAL_COLUMNS } from './rows';

export type { DeviceRow } from './rows';

export interface Period {
  /** µs since the epoch, inclusive; null = from the first dialogue */
  fromUs: number | null;
  /** µs since the epoch, exclusive; null = to the last dialogue */
  toUs: number | null;
}


/** how much of a spool is memory-mapped when read (1 GiB) */
export const SPOOL_MMAP_BYTES = 1 << 30;

/** the columns the features read of every spool (the OPTIONAL ones may be absent: NULL) */
const NEEDS: SpoolNeeds = { code: 'E_USAGE', reader: 'sigprobe devices', version: 2, columns: { dialogues: ['imsi', 'req_time_us', 'teid', 'visited_mcc'] } };

/** opens a spool read-only (src/spool/readSpool.ts: missing, not SQLite, not a spool → E_USAGE) */
export function openSpoolReadOnly(path: string): Db {
  const db = openSpoolForReading(path, NEEDS);
  // memory-mapped reads: the imsi-order walk visits table pages at random; measured here the
  // mapping halves its CPU (12 → 6 µs a row on a 1 GB spool). Mapped pages are the OS page
  // cache (file-backed, shared, reclaimable), not the process's own memory.
  db.pragma(`mmap_size = ${SPOOL_MMAP_BYTES}`);
  return db;
}

/**
 * The period actually covered: the given bounds, else the first request time to just after the
 * last one (the time index: no scan); `empty` when no dialogue with an IMSI falls inside it.
 */
export function resolvePeriod(db: Db, p: Period): { fromUs: number; toUs: number; empty: boolean } {
  let fromUs = p.fromUs;
  let toUs = p.toUs;
  if (fromUs === null || toUs === null) {
    const r = db.prepare('SELECT min(req_time_us) AS a, max(req_time_us) AS b FROM dialogues').get() as { a: number | null; b: number | null };
    fromUs ??= r.a ?? 0;
    toUs ??= r.b !== null ? r.b + 1 : 0;
  }
  const any =
    db.prepare('SELECT 1 FROM dialogues WHERE req_time_us >= ? AND req_time_us < ? AND imsi IS NOT NULL LIMIT 1').get(fromUs, toUs) ??
    db.prepare('SELECT 1 FROM dialogues WHERE req_time_us IS NULL AND rsp_time_us >= ? AND rsp_time_us < ? AND imsi IS NOT NULL LIMIT 1').get(fromUs, toUs);
  return { fromUs, toUs, empty: any === undefined };
}

/**
 * Every device of the period with its features, in pseudonym order: the rows come by imsi from
 * SQLite (the imsi index), one device at a time, and are sorted by (time, id) per device.
 */
export function* spoolDevices(db: Db, period: { fromUs: number; toUs: number }): Generator<DeviceRow> {
  const cols = new Set((db.prepare('PRAGMA table_info(dialogues)').all() as { name: string }[]).map((r) => r.name));
  const opt = Object.fromEntries(OPTIONAL_COLUMNS.map((c) => [c, cols.has(c) ? c : `NULL AS ${c}`]));
  const idx = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'dialogues_imsi'").get() as unknown) ? 'INDEXED BY dialogues_imsi' : '';
  // ORDER BY imsi alone walks the imsi index without a sort; each device's few rows are put in
  // time order by the grouper (raw arrays: better-sqlite3 builds row objects ~2x slower than this)
  const sql = `SELECT imsi, id, ${FEATURE_COLUMNS_SQL(opt)}
    FROM dialogues ${idx}
    WHERE imsi IS NOT NULL AND coalesce(req_time_us, rsp_time_us) >= ? AND coalesce(req_time_us, rsp_time_us) < ?
    ORDER BY imsi`;
  const st = db.prepare(sql).raw(true);
  const g = new DeviceGrouper((period.toUs - period.fromUs) / 60e6, true);
  for (const a of st.iterate(period.fromUs, period.toUs) as IterableIterator<unknown[]>) {
    const d = g.push(a);
    if (d !== null) yield d;
  }
  const last = g.end();
  if (last !== null) yield last;
}
