// The dialogue columns the device features read, as ONE select list for the spool (SQLite) and
// the central store (PostgreSQL): both sources hand the same raw row arrays
// [imsi, id, ...FEATURE_COLUMNS] to the DeviceGrouper, which cuts them into devices and runs the one
// feature definition (features.ts) on each. Memory: one device's rows.
import { DialogueRow, FeatureVector, deviceFeatures } from './features';

export interface DeviceRow {
  device: string;
  features: FeatureVector;
  /** its dialogues in the period */
  dialogues: number;
}

/** columns of spool migration 4 / collector migration 3 (absent on an older spool: NULL) */
export const OPTIONAL_COLUMNS = ['visited_country', 'visited_operator', 'cell_id'] as const;

/**
 * The select list after `imsi, id`: `t` is the request time, else the answer's (an orphan).
 * `opt` maps an optional column to its expression (itself, or `NULL AS col`).
 */
export function FEATURE_COLUMNS_SQL(opt: Readonly<Record<string, string>> = {}): string {
  const o = (c: (typeof OPTIONAL_COLUMNS)[number]): string => opt[c] ?? c;
  return `protocol, procedure, status, result_code, result_source, end_reason, coalesce(req_time_us, rsp_time_us) AS t,
      calling_ssn, called_ssn, calling_gt, called_gt, vlr_number, sgsn_number, origin_host, dest_host, visited_mcc, visited_mnc,
      ${o('visited_country')}, ${o('visited_operator')}, ${o('cell_id')}, teid, req_ctrl_teid, rsp_ctrl_teid`;
}

/**
 * Cuts a stream of raw rows ordered by imsi into devices. `sortRows`: put each device's rows in
 * (time, id) order here (the spool walks its imsi index unsorted within a device); false when
 * the source already ordered them so (the central query's ORDER BY imsi, t, ...).
 */
export class DeviceGrouper {
  private cur: string | null = null;
  private rows: Row[] = [];
  constructor(private readonly periodMinutes: number, private readonly sortRows: boolean) {}

  /** adds one row; returns the previous device when this row starts a new one */
  push(a: unknown[]): DeviceRow | null {
    const imsi = a[0] as string;
    let done: DeviceRow | null = null;
    if (imsi !== this.cur) {
      if (this.cur !== null) done = this.finish(this.cur);
      this.cur = imsi;
      this.rows = [];
    }
    this.rows.push(new Row(a));
    return done;
  }

  /** the last device (null when there was none) */
  end(): DeviceRow | null {
    const d = this.cur !== null ? this.finish(this.cur) : null;
    this.cur = null;
    this.rows = [];
    return d;
  }

  private finish(device: string): DeviceRow {
    const rows = this.rows;
    if (this.sortRows) rows.sort(byTime);
    return { device, features: deviceFeatures(rows, { periodMinutes: this.periodMinutes }), dialogues: rows.length };
  }
}

function byTime(a: Row, b: Row): number {
  return a.t - b.t || a.id - b.id;
}

/** one dialogues row (fixed shape) from the raw column array [imsi, id, ...FEATURE_COLUMNS_SQL] */
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
