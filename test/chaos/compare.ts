/**
 * What the chaos run measures: the central store against the truth, per fault.
 *
 * The generator's truth file names each dialogue by its request / response frame numbers in the
 * capture file and carries the raw IMSI. Live, frame numbers restart with every probe process and
 * the store holds pseudonyms, so the truth is carried over to fields that survive both: the
 * capture file is replayed offline (`sigprobe replay`, same key file) into a reference spool,
 * whose rows are checked against the truth line by line on (req_frame, rsp_frame, protocol,
 * procedure, status, result_code); each reference row is then known by its protocol identifiers
 * — TCAP otid/dtid (Q.773 §3.2), SCCP addresses and point codes, Diameter hop-by-hop and
 * end-to-end ids (RFC 6733 §3), GTP sequence number and TEIDs (TS 29.060 §6, TS 29.274 §5.5),
 * IP addresses and ports — and by its packet time in the capture, which says which fault's time
 * slice it belongs to. Rows are compared as multisets of that key, so a key that happens to occur
 * twice in the capture is still counted right.
 */
import Database from 'better-sqlite3';
import type { Pool } from 'pg';
import { readFileSync } from 'node:fs';

/** Dialogue key: identifiers that neither pseudonymization nor a live capture change. */
export const DIALOGUE_KEY = [
  'protocol', 'procedure', 'opcode', 'status', 'result_code', 'otid', 'dtid', 'hop_by_hop', 'end_to_end', 'seq', 'teid',
  'req_ctrl_teid', 'src_ip', 'dst_ip', 'src_port', 'dst_port', 'orphan', 'calling_gt', 'called_gt', 'opc', 'dpc',
  'calling_ssn', 'called_ssn', 'app_context',
] as const;

/** Tunnel key (TS 29.060 §7.3.1 / TS 29.274 §7.2.1 control and user plane F-TEIDs, causes). */
export const TUNNEL_KEY = [
  'protocol', 'sgsn_ip', 'ggsn_ip', 'sgsn_ctrl_teid', 'ggsn_ctrl_teid', 'sgsn_data_teid', 'ggsn_data_teid', 'create_cause',
  'delete_cause', 'end_reason', 'apn',
] as const;

/** Tunnel rows a live probe writes as the reference does: ended by signalling inside the capture. */
export const TUNNEL_ENDS = ['delete', 'delete_bearer', 'error_indication', 'create_rejected'];

export interface Row {
  key: string;
  /** key + the (pseudonymized) IMSI: a row that lost its subscriber differs here only */
  keyId: string;
  /** µs: capture time for the reference, wall time live */
  t0: number;
  t1: number;
  /** both times known (a request and its answer; a tunnel's create and end) */
  answered: boolean;
}

/** One replayed stretch of the capture: its capture times and when (wall clock) its replay began. */
export interface Part {
  capFromUs: number;
  capToUs: number;
  wallStartUs: number;
}

/** A fault's time slice of the capture; `atWallUs`: when the fault struck (wall clock). */
export interface Slice {
  fault: string;
  capFromUs: number;
  capToUs: number;
  atWallUs: number | null;
  /** probe kill: the capture instant the probe died at (packets before it went to the old process) */
  cutCapUs?: number;
}

export interface SliceCounts {
  truth: number;
  lost: number;
  duplicated: number;
  lostAtProbe: number;
  lostInTransport: number;
  dupAtProbe: number;
  /** central rows with no reference row (e.g. an orphan End after a probe restart) */
  extra: number;
  /** rows present but with a different (or no) IMSI */
  identityLost: number;
  /** capture seconds from the first to the last lost dialogue that was over before the fault
   *  (by the time of its last message: answer, or request when unanswered), 0 when none */
  lossWindowS: number;
  /** where that window lies relative to the fault instant (s) */
  lossFromS: number | null;
  lossToS: number | null;
  /** lost dialogues in flight when the probe died: request before, answer after (or none yet) */
  lostInFlight: number;
  /** a few keys of each kind, to look at */
  samples: { lost: string[]; extra: string[]; identity: string[] };
  tunnelsRef: number;
  tunnelsLost: number;
  tunnelsDuplicated: number;
}

/** Text columns; every other key column is an integer (PostgreSQL bigint arrives as a string). */
const TEXT = new Set(['protocol', 'procedure', 'status', 'otid', 'dtid', 'src_ip', 'dst_ip', 'calling_gt', 'called_gt', 'app_context', 'sgsn_ip', 'ggsn_ip', 'end_reason', 'apn']);

function val(c: string, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (TEXT.has(c)) return String(v);
  return typeof v === 'boolean' ? Number(v) : Number(v);
}

function keyOf(r: Record<string, unknown>, cols: readonly string[]): string {
  return JSON.stringify(cols.map((c) => val(c, r[c])));
}

function toRow(r: Record<string, unknown>, cols: readonly string[], t0: string, t1: string): Row {
  const key = keyOf(r, cols);
  const a = r[t0] === null || r[t0] === undefined ? null : Number(r[t0]);
  const b = r[t1] === null || r[t1] === undefined ? null : Number(r[t1]);
  return { key, keyId: `${key}|${String(r.imsi ?? '')}`, t0: Number(a ?? b ?? 0), t1: Number(b ?? a ?? 0), answered: a !== null && b !== null };
}

const DLG_COLS = [...DIALOGUE_KEY, 'imsi', 'req_time_us', 'rsp_time_us'].join(', ');
const TUN_COLS = [...TUNNEL_KEY, 'imsi', 'create_time_us', 'end_time_us'].join(', ');
const TUN_WHERE = `end_reason IN (${TUNNEL_ENDS.map((e) => `'${e}'`).join(', ')})`;

export function spoolDialogues(path: string): Row[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT ${DLG_COLS} FROM dialogues`).all() as Record<string, unknown>[]).map((r) => toRow(r, DIALOGUE_KEY, 'req_time_us', 'rsp_time_us'));
  } finally {
    db.close();
  }
}

export function spoolTunnels(path: string): Row[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT ${TUN_COLS} FROM tunnels WHERE ${TUN_WHERE}`).all() as Record<string, unknown>[]).map((r) => toRow(r, TUNNEL_KEY, 'create_time_us', 'end_time_us'));
  } finally {
    db.close();
  }
}

export async function centralDialogues(pool: Pool, schema: string, probe: string): Promise<Row[]> {
  const r = await pool.query(`SELECT ${DLG_COLS} FROM ${schema}.dialogues WHERE probe_id = $1`, [probe]);
  return (r.rows as Record<string, unknown>[]).map((x) => toRow(x, DIALOGUE_KEY, 'req_time_us', 'rsp_time_us'));
}

export async function centralTunnels(pool: Pool, schema: string, probe: string): Promise<Row[]> {
  const r = await pool.query(`SELECT ${TUN_COLS} FROM ${schema}.tunnels WHERE probe_id = $1 AND ${TUN_WHERE}`, [probe]);
  return (r.rows as Record<string, unknown>[]).map((x) => toRow(x, TUNNEL_KEY, 'create_time_us', 'end_time_us'));
}

/**
 * The reference spool against the truth file: every truth line must be one non-orphan reference
 * row with the same frames, protocol, procedure, status and result code. Returns the lines that
 * are not (0 expected; anything else means the comparison itself is off and is reported).
 */
export function referenceMismatches(truthPath: string, refSpool: string): { truth: number; ref: number; mismatched: number } {
  const k = (r: { req_frame: unknown; rsp_frame: unknown; protocol: unknown; procedure: unknown; status: unknown; result_code: unknown }) =>
    JSON.stringify([r.req_frame, r.rsp_frame ?? null, r.protocol, r.procedure, r.status, r.result_code ?? null]);
  const want = new Map<string, number>();
  const lines = readFileSync(truthPath, 'utf8').split('\n').filter((l) => l !== '');
  for (const l of lines) {
    const key = k(JSON.parse(l));
    want.set(key, (want.get(key) ?? 0) + 1);
  }
  const db = new Database(refSpool, { readonly: true, fileMustExist: true });
  const rows = db.prepare('SELECT req_frame, rsp_frame, protocol, procedure, status, result_code FROM dialogues WHERE orphan = 0').all() as never[];
  db.close();
  let mismatched = 0;
  for (const r of rows) {
    const key = k(r);
    const n = want.get(key) ?? 0;
    if (n > 0) want.set(key, n - 1);
    else mismatched++;
  }
  for (const n of want.values()) mismatched += n;
  return { truth: lines.length, ref: rows.length, mismatched };
}

/** Wall time (µs) → capture time (µs) through the replayed parts (when each began). */
export function wallToCap(parts: readonly Part[], wallUs: number): number {
  let p = parts[0];
  for (const q of parts) if (q.wallStartUs > 0 && q.wallStartUs <= wallUs) p = q;
  return Math.min(p.capToUs, Math.max(p.capFromUs, p.capFromUs + (wallUs - p.wallStartUs)));
}

/**
 * Wall → capture time through the dialogues themselves: the request times of rows whose key is
 * unique in both the live spool and the reference pair a live packet time with its capture
 * time, so the mapping holds however tcpreplay's pace drifted; the replayed parts are the
 * fallback before the first pair.
 */
function clockOf(parts: readonly Part[], ref: readonly Row[], live: readonly Row[]): (wallUs: number) => number {
  const r = group(ref, 'key');
  const l = group(live, 'key');
  const pairs: [number, number][] = [];
  for (const [k, a] of l) {
    const b = r.get(k);
    if (a.length === 1 && b?.length === 1 && a[0].answered === b[0].answered) pairs.push([a[0].t0, b[0].t0]);
  }
  pairs.sort((x, y) => x[0] - y[0]);
  const walls = pairs.map((p) => p[0]);
  return (w) => {
    let lo = 0;
    let hi = walls.length - 1;
    if (hi < 0 || w < walls[0]) return wallToCap(parts, w);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (walls[mid] <= w) lo = mid;
      else hi = mid - 1;
    }
    return pairs[lo][1] + (w - pairs[lo][0]);
  };
}

/** A dialogue in flight at capture instant `cut`: requested before, answered after or not at all
 *  (an unanswered request is pending until its timeout, ≥ 20 s: longer than any slice here). */
function inFlight(r: Row, cut: number | undefined): boolean {
  return cut !== undefined && r.t0 < cut && (r.t1 >= cut || !r.answered);
}

/** The slice a reference row belongs to: the probe kill it was in flight at, else its request time. */
function sliceOf(slices: readonly Slice[], r: Row): number {
  for (let i = 0; i < slices.length; i++) if (inFlight(r, slices[i].cutCapUs)) return i;
  for (let i = slices.length - 1; i >= 0; i--) if (r.t0 >= slices[i].capFromUs) return i;
  return 0;
}

function at(t: number): Row {
  return { key: '', keyId: '', t0: t, t1: t, answered: true };
}

function group(rows: readonly Row[], by: 'key' | 'keyId'): Map<string, Row[]> {
  const m = new Map<string, Row[]>();
  for (const r of rows) {
    const k = r[by];
    const l = m.get(k);
    if (l) l.push(r);
    else m.set(k, [r]);
  }
  return m;
}

export function emptyCounts(): SliceCounts {
  return {
    truth: 0, lost: 0, duplicated: 0, lostAtProbe: 0, lostInTransport: 0, dupAtProbe: 0, extra: 0, identityLost: 0,
    lossWindowS: 0, lossFromS: null, lossToS: null, lostInFlight: 0, tunnelsRef: 0, tunnelsLost: 0, tunnelsDuplicated: 0,
    samples: { lost: [], extra: [], identity: [] },
  };
}

/**
 * Per slice: reference rows (capture time) vs live spool rows vs central rows (wall time).
 * Within a key, the rows missing are taken as the latest ones of the reference (keys repeat
 * only for identical dialogues, so which one is immaterial).
 */
export function compare(
  slices: readonly Slice[],
  parts: readonly Part[],
  ref: { dialogues: Row[]; tunnels: Row[] },
  spool: { dialogues: Row[]; tunnels: Row[] },
  central: { dialogues: Row[]; tunnels: Row[] },
  /** wall times (µs) the probe process died at (killed, or crashed) */
  probeRestartsWallUs: readonly number[] = [],
): SliceCounts[] {
  const out = slices.map(() => emptyCounts());
  const toCap = clockOf(parts, ref.dialogues, spool.dialogues);
  // each probe death, in capture time, with the slice it happened in: GTP tunnel state lost there
  // shows later (dialogues of older tunnels without their IMSI, Deletes of unknown tunnels)
  const deaths = probeRestartsWallUs.map((w) => {
    const c = toCap(w);
    return { capUs: c, slice: sliceOf(slices, at(c)) };
  }).sort((a, b) => a.capUs - b.capUs);
  const sinceDeath = (r: Row, otherwise: number): number => {
    let j = otherwise;
    for (const d of deaths) if (d.capUs <= r.t0) j = d.slice;
    return j;
  };
  const lostTimes: number[][] = slices.map(() => []);
  const refBy = group(ref.dialogues, 'key');
  const spBy = group(spool.dialogues, 'key');
  const ceBy = group(central.dialogues, 'key');
  for (const [k, rs] of refBy) {
    rs.sort((a, b) => a.t0 - b.t0);
    // truth dialogues: the reference's non-orphan rows (its orphans are the tails of dialogues
    // begun before the capture, not in the truth file, but compared all the same)
    const isOrphan = (JSON.parse(k) as unknown[])[DIALOGUE_KEY.indexOf('orphan')] === 1;
    if (!isOrphan) for (const r of rs) out[sliceOf(slices, r)].truth++;
    const s = spBy.get(k)?.length ?? 0;
    const c = ceBy.get(k)?.length ?? 0;
    const n = rs.length;
    const sl = sliceOf(slices, rs[n - 1]);
    // the missing ones: the latest reference rows beyond what was stored
    for (let i = Math.min(n, c); i < n; i++) {
      const j = sliceOf(slices, rs[i]);
      out[j].lost++;
      if (out[j].samples.lost.length < 5) out[j].samples.lost.push(k);
      if (inFlight(rs[i], slices[j].cutCapUs)) out[j].lostInFlight++;
      else lostTimes[j].push(rs[i].t1);
      if (i >= s) out[j].lostAtProbe++;
      else out[j].lostInTransport++;
    }
    if (c > n) out[sl].duplicated += c - n;
    if (s > n) out[sl].dupAtProbe += s - n;
  }
  // central rows no reference row has: attributed through the wall clock
  for (const [k, cs] of ceBy) {
    if (refBy.has(k)) continue;
    const orphan = (JSON.parse(k) as unknown[])[DIALOGUE_KEY.indexOf('orphan')] === 1;
    for (const c of cs) {
      // an answer without its request after a probe death: the request died with the probe
      const here = sliceOf(slices, at(toCap(c.t0)));
      const j = orphan ? sinceDeath(at(toCap(c.t0)), here) : here;
      out[j].extra++;
      if (out[j].samples.extra.length < 5) out[j].samples.extra.push(k);
    }
  }
  // the same with the IMSI in the key: what differs is a row stored without its subscriber
  const lostHere = slices.map(() => 0);
  for (const [k, rs] of refBy) {
    const c = ceBy.get(k)?.length ?? 0;
    for (let i = Math.min(rs.length, c); i < rs.length; i++) lostHere[sinceDeath(rs[i], sliceOf(slices, rs[i]))]++;
  }
  const refId = group(ref.dialogues, 'keyId');
  const ceId = group(central.dialogues, 'keyId');
  const lostId = slices.map(() => 0);
  for (const [k, rs] of refId) {
    const c = ceId.get(k)?.length ?? 0;
    rs.sort((a, b) => a.t0 - b.t0);
    for (let i = Math.min(rs.length, c); i < rs.length; i++) {
      const j = sinceDeath(rs[i], sliceOf(slices, rs[i]));
      lostId[j]++;
      if (out[j].samples.identity.length < 5 && (ceBy.get(rs[i].key)?.length ?? 0) >= (refBy.get(rs[i].key)?.length ?? 0)) out[j].samples.identity.push(k);
    }
  }
  for (let j = 0; j < slices.length; j++) {
    out[j].identityLost = Math.max(0, lostId[j] - lostHere[j]);
    const t = lostTimes[j];
    if (t.length > 0) {
      const lo = Math.min(...t);
      const hi = Math.max(...t);
      out[j].lossWindowS = (hi - lo) / 1e6;
      const w = slices[j].atWallUs;
      const at = slices[j].cutCapUs ?? (w === null ? null : toCap(w));
      if (at !== null) {
        out[j].lossFromS = (lo - at) / 1e6;
        out[j].lossToS = (hi - at) / 1e6;
      }
    }
  }
  // tunnels ended by signalling: by the probe kill they span, else their end time
  const tRef = group(ref.tunnels, 'key');
  const tCe = group(central.tunnels, 'key');
  for (const [k, rs] of tRef) {
    const c = tCe.get(k)?.length ?? 0;
    rs.sort((a, b) => a.t1 - b.t1);
    const of = (r: Row) => {
      for (const d of deaths) if (r.t0 < d.capUs && r.t1 >= d.capUs) return d.slice;
      for (let i = 0; i < slices.length; i++) if (inFlight(r, slices[i].cutCapUs)) return i;
      return sliceOf(slices, at(r.t1));
    };
    for (const r of rs) out[of(r)].tunnelsRef++;
    for (let i = Math.min(rs.length, c); i < rs.length; i++) out[of(rs[i])].tunnelsLost++;
    if (c > rs.length) out[of(rs[rs.length - 1])].tunnelsDuplicated += c - rs.length;
  }
  return out;
}
