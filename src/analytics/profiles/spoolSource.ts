// Streams a spool's dialogues device by device (ORDER BY imsi, time through the imsi index, with an
// iterator: memory holds one device's rows) and computes each device's features.
import type { Database as Db } from 'better-sqlite3';
import { openSpoolForReading, type SpoolNeeds } from '../../spool/readSpool';
import { DialogueRow, FeatureVector, deviceFeatures } from './features';

export interface Period {
  /** µs since the epoch, inclusive; null = from the first dialogue */
  fromUs: number | null;
  /** µs since the epoch, exclusive; null = to the last dialogue */
  toUs: number | null;
}

export interface DeviceRow {
  device: string;
  features: FeatureVector;
  /** its dialogues in the period */
  dialogues: number;
}

const OPTIONAL = ['visited_country', 'visited_operator', 'cell_id'] as const;

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
  const opt = OPTIONAL.map((c) => (cols.has(c) ? c : `NULL AS ${c}`));
  const idx = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'dialogues_imsi'").get() as unknown) ? 'INDEXED BY dialogues_imsi' : '';
  // ORDER BY imsi alone walks the imsi index without a sort; each device's few rows are put in
  // time order here (raw arrays: better-sqlite3 builds row objects ~2x slower than this)
  const sql = `SELECT imsi, id, protocol, procedure, status, result_code, result_source, end_reason, coalesce(req_time_us, rsp_time_us) AS t,
      calling_ssn, called_ssn, calling_gt, called_gt, vlr_number, sgsn_number, origin_host, dest_host, visited_mcc, visited_mnc,
      ${opt.join(', ')}, teid, req_ctrl_teid, rsp_ctrl_teid
    FROM dialogues ${idx}
    WHERE imsi IS NOT NULL AND coalesce(req_time_us, rsp_time_us) >= ? AND coalesce(req_time_us, rsp_time_us) < ?
    ORDER BY imsi`;
  const st = db.prepare(sql).raw(true);
  const periodMinutes = (period.toUs - period.fromUs) / 60e6;
  let cur: string | null = null;
  let rows: Row[] = [];
  const done = (device: string): DeviceRow => {
    rows.sort(byTime);
    return { device, features: deviceFeatures(rows, { periodMinutes }), dialogues: rows.length };
  };
  for (const a of st.iterate(period.fromUs, period.toUs) as IterableIterator<unknown[]>) {
    const imsi = a[0] as string;
    if (imsi !== cur) {
      if (cur !== null) yield done(cur);
      cur = imsi;
      rows = [];
    }
    rows.push(new Row(a));
  }
  if (cur !== null) yield done(cur);
}

function byTime(a: Row, b: Row): number {
  return a.t - b.t || a.id - b.id;
}

/** one dialogues row (fixed shape) from the raw column array of the query above */
class Row implements DialogueRow {
  id: number;
  protocol: string;
  procedure: string | null;
  status: string;
  result_code: number | null;
  result_source: string | null;
  end_reason: string;
  t: number;
  calling_ssn: number | null;
  called_ssn: number | null;
  calling_gt: string | null;
  called_gt: string | null;
  vlr_number: string | null;
  sgsn_number: string | null;
  origin_host: string | null;
  dest_host: string | null;
  visited_mcc: string | null;
  visited_mnc: string | null;
  visited_country: string | null;
  visited_operator: string | null;
  cell_id: string | null;
  teid: number | null;
  req_ctrl_teid: number | null;
  rsp_ctrl_teid: number | null;
  constructor(a: unknown[]) {
    this.id = a[1] as number;
    this.protocol = a[2] as string;
    this.procedure = a[3] as string | null;
    this.status = a[4] as string;
    this.result_code = a[5] as number | null;
    this.result_source = a[6] as string | null;
    this.end_reason = a[7] as string;
    this.t = a[8] as number;
    this.calling_ssn = a[9] as number | null;
    this.called_ssn = a[10] as number | null;
    this.calling_gt = a[11] as string | null;
    this.called_gt = a[12] as string | null;
    this.vlr_number = a[13] as string | null;
    this.sgsn_number = a[14] as string | null;
    this.origin_host = a[15] as string | null;
    this.dest_host = a[16] as string | null;
    this.visited_mcc = a[17] as string | null;
    this.visited_mnc = a[18] as string | null;
    this.visited_country = a[19] as string | null;
    this.visited_operator = a[20] as string | null;
    this.cell_id = a[21] as string | null;
    this.teid = a[22] as number | null;
    this.req_ctrl_teid = a[23] as number | null;
    this.rsp_ctrl_teid = a[24] as number | null;
  }
}
