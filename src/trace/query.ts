/**
 * Subscriber trace over spool files: every dialogue of one device (or one node GT), in time
 * order, with the related records that carry no identity of their own, and its tunnels.
 *
 * Index use (spool migrations 1-2): `dialogues_imsi` (imsi), `tunnels_imsi` (imsi),
 * `dialogues_time` (req_time_us) for the joins below — each join is a bounded time range of the
 * time index filtered by protocol identifiers, never a scan of the table. An MSISDN or GT lookup
 * has no index of its own in spool migrations 1-4: it reads the period's rows through
 * `dialogues_time` (the whole table without --from/--to) — an index on dialogues(msisdn), when a
 * migration adds one, is used as it is; see README "Subscriber trace".
 */
import type { Database as Db } from 'better-sqlite3';
import { basename } from 'node:path';
import { openSpoolForReading, type SpoolNeeds } from '../spool/readSpool';

/** A spool row as the spool stores it (the spool's column names). */
export type SpoolRow = Record<string, string | number | null> & {
  id: number;
  protocol: string;
  req_time_us: number | null;
  rsp_time_us: number | null;
  source: string;
};

export interface TraceRow extends SpoolRow {}

/** What a trace looks for, with the identity already in its stored (pseudonymized) form. */
export interface TraceSelector {
  kind: 'imsi' | 'msisdn' | 'gt';
  /** stored form: the pseudonym (or the raw value in a spool replayed with identities raw) */
  value: string;
  /** msisdn: the subscriber-number GT forms (`<cc>:<pseudonym>`) that stand for it */
  gtForms?: string[];
}

export interface TraceQuery {
  files: readonly string[];
  selector: TraceSelector;
  fromUs?: number;
  toUs?: number;
}

/** Why a record is in the trace. */
export type JoinReason = 'identity' | 'msisdn' | 'gt' | 'tunnel' | 'end_to_end';

export interface TraceRecord {
  /** the spool file it came from */
  spool: string;
  row: SpoolRow;
  via: JoinReason;
}

export interface TraceTunnel {
  spool: string;
  row: SpoolRow;
}

export interface TraceResult {
  records: TraceRecord[];
  tunnels: TraceTunnel[];
  /** the device pseudonyms the trace covers (for --msisdn / --gt: those found) */
  imsis: string[];
  /** per spool: the statements run and SQLite's plan of each (EXPLAIN QUERY PLAN) */
  plans: { sql: string; plan: string[] }[];
}

/** Diameter legs of one request are joined within this time of each other (relay hops take ms). */
export const E2E_WINDOW_US = 60_000_000;
/** A tunnel without an end (capture end, still active) is followed this long after its last known record. */
const OPEN_TUNNEL_TAIL_US = 3_600_000_000;

/** what the trace reads of a spool (the Diameter and GTP join columns arrived with migration 2) */
const NEEDS: SpoolNeeds = {
  code: 'E_USAGE',
  reader: 'the trace',
  version: 2,
  columns: { dialogues: ['imsi', 'msisdn', 'req_time_us', 'req_frame', 'rsp_frame', 'end_to_end', 'origin_host', 'teid', 'source'], tunnels: ['imsi'] },
};

/** opens a spool read-only (src/spool/readSpool.ts: missing, not SQLite, locked, not a spool → E_USAGE) */
export function openTraceSpool(file: string): Db {
  return openSpoolForReading(file, NEEDS);
}

/** a record's place in the trace: its request time, an orphan's answer time */
export function timeOf(r: SpoolRow): number {
  return (r.req_time_us ?? r.rsp_time_us ?? 0) as number;
}

/**
 * The span in which a tunnel's GTP dialogues without an IMSI join the trace: from its create to
 * its end; a tunnel the probe stopped following (idle, evicted, capture end, shutdown) may still
 * get its Delete later, so it is followed like an open one, until OPEN_TUNNEL_TAIL_US after the
 * last thing known of it or of the device (`lastOfDevice`).
 */
export function tunnelJoinSpan(t: SpoolRow, lastOfDevice: number): { start: number; end: number } {
  const start = t.create_time_us as number;
  const followed = t.end_reason === 'idle_timeout' || t.end_reason === 'evicted' || t.end_reason === 'capture_end' || t.end_reason === 'shutdown';
  const real = followed ? null : (t.end_time_us as number | null);
  const end = real ?? Math.max(start, (t.end_time_us as number | null) ?? 0, (t.last_user_us as number | null) ?? 0, lastOfDevice) + OPEN_TUNNEL_TAIL_US;
  return { start, end };
}

/** Runs the trace over every file; rows in time order (request time, orphans at their answer). */
export function runTrace(q: TraceQuery): TraceResult {
  const records: TraceRecord[] = [];
  const tunnels: TraceTunnel[] = [];
  const imsis = new Set<string>();
  const plans: { sql: string; plan: string[] }[] = [];
  for (const file of q.files) {
    const db = openTraceSpool(file);
    try {
      traceOne(db, basename(file), q, records, tunnels, imsis, plans);
    } finally {
      db.close();
    }
  }
  records.sort((a, b) => timeOf(a.row) - timeOf(b.row) || a.spool.localeCompare(b.spool) || a.row.id - b.row.id);
  tunnels.sort((a, b) => (a.row.create_time_us as number) - (b.row.create_time_us as number) || a.row.id - b.row.id);
  return { records, tunnels, imsis: [...imsis].sort(), plans };
}

function traceOne(
  db: Db, spool: string, q: TraceQuery,
  records: TraceRecord[], tunnels: TraceTunnel[], imsis: Set<string>, plans: { sql: string; plan: string[] }[],
): void {
  const seen = new Set<number>();
  const from = q.fromUs ?? -Number.MAX_SAFE_INTEGER;
  const to = q.toUs ?? Number.MAX_SAFE_INTEGER;
  const run = (sql: string, params: unknown[]): SpoolRow[] => {
    const st = db.prepare(sql);
    if (!plans.some((p) => p.sql === sql)) {
      const plan = (db.prepare('EXPLAIN QUERY PLAN ' + sql).all(...params) as { detail: string }[]).map((r) => r.detail);
      plans.push({ sql, plan });
    }
    return st.all(...params) as SpoolRow[];
  };
  const add = (rows: SpoolRow[], via: JoinReason) => {
    for (const r of rows) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      records.push({ spool, row: r, via });
      if (typeof r.imsi === 'string') imsis.add(r.imsi);
    }
  };
  // The period applies to request times; an orphan answer (no request seen) is at its answer time.
  const PERIOD = 'coalesce(req_time_us, rsp_time_us) >= ? AND coalesce(req_time_us, rsp_time_us) < ?';
  const sel = q.selector;
  if (sel.kind === 'imsi') {
    add(run(`SELECT * FROM dialogues WHERE imsi = ? AND ${PERIOD}`, [sel.value, from, to]), 'identity');
    imsis.add(sel.value);
  } else if (sel.kind === 'msisdn') {
    // A subscriber GT stored as `<cc>:<pseudonym>` is one equal to the dialogue's MSISDN (README
    // Privacy), so those rows have msisdn = the pseudonym too: the msisdn column alone finds them
    // (gtForms is implied). No INDEXED BY: an index on msisdn (spool migration, if there is one)
    // is used; without one, SQLite reads the period through dialogues_time (or the table).
    const rows = run(`SELECT * FROM dialogues WHERE msisdn = ? AND req_time_us >= ? AND req_time_us < ?`, [sel.value, from, to]);
    add(rows, 'msisdn');
    // the devices that carried this MSISDN: all their dialogues
    for (const t of run('SELECT DISTINCT imsi FROM tunnels WHERE msisdn = ? AND imsi IS NOT NULL', [sel.value]) as unknown as { imsi: string }[]) imsis.add(t.imsi);
    for (const imsi of [...imsis]) add(run(`SELECT * FROM dialogues WHERE imsi = ? AND ${PERIOD}`, [imsi, from, to]), 'identity');
  } else {
    const g = sel.value;
    add(
      run(
        `SELECT * FROM dialogues INDEXED BY dialogues_time WHERE req_time_us >= ? AND req_time_us < ? AND (calling_gt = ? OR called_gt = ? OR responder_gt = ? OR vlr_number = ? OR sgsn_number = ?)`,
        [from, to, g, g, g, g, g],
      ),
      'gt',
    );
  }
  // The device's tunnels (tunnels_imsi), those alive in the period.
  const tun: SpoolRow[] = [];
  if (sel.kind !== 'gt') {
    for (const imsi of imsis) {
      for (const t of run('SELECT * FROM tunnels WHERE imsi = ? AND create_time_us < ? AND coalesce(end_time_us, create_time_us) >= ?', [imsi, to, from])) {
        tun.push(t);
        tunnels.push({ spool, row: t });
      }
    }
  }
  // GTP dialogues of those tunnels that carry no IMSI (a Delete / Update whose tunnel state the
  // probe did not have): the request's header TEID is the receiver's control TEID (TS 29.060
  // §6 / TS 29.274 §5.5) — the SGSN's or GGSN's of the tunnel — sent to that node's address.
  const lastOfDevice = records.reduce((m, r) => Math.max(m, timeOf(r.row)), 0);
  for (const t of tun) {
    const { start, end } = tunnelJoinSpan(t, lastOfDevice);
    const rows = run(
      `SELECT * FROM dialogues INDEXED BY dialogues_time WHERE req_time_us >= ? AND req_time_us <= ? AND imsi IS NULL AND protocol = ?
         AND ((teid = ? AND dst_ip = ?) OR (teid = ? AND dst_ip = ?))`,
      [Math.max(start, from), Math.min(end, to - 1), t.protocol, t.sgsn_ctrl_teid, t.sgsn_ip, t.ggsn_ctrl_teid, t.ggsn_ip],
    );
    add(rows, 'tunnel');
  }
  // Diameter legs of the same request (a DRA / relay gives each hop its own hop-by-hop id; the
  // end-to-end id and the Origin-Host of the request stay, RFC 6733 §3, §6.1.3).
  const diam = records.filter((r) => r.spool === spool && r.row.protocol === 'diameter' && r.row.end_to_end !== null && r.row.orphan !== 1);
  for (const d of diam) {
    const t = timeOf(d.row);
    const rows = run(
      `SELECT * FROM dialogues INDEXED BY dialogues_time WHERE req_time_us >= ? AND req_time_us <= ? AND protocol = 'diameter' AND end_to_end = ?
         AND (origin_host = ? OR origin_host IS NULL)`,
      [Math.max(t - E2E_WINDOW_US, from), Math.min(t + E2E_WINDOW_US, to - 1), d.row.end_to_end, d.row.origin_host],
    );
    add(rows.filter((r) => r.imsi === null || r.imsi === d.row.imsi), 'end_to_end');
    // A leg whose request the probe did not see (orphan answer: no User-Name, and the Origin-Host
    // of the answer is the server's): its end-to-end id, answered within the window. Orphans have
    // no request time: the index's NULL entries, then the answer time.
    const orphans = run(
      `SELECT * FROM dialogues INDEXED BY dialogues_time WHERE req_time_us IS NULL AND rsp_time_us >= ? AND rsp_time_us <= ? AND protocol = 'diameter' AND end_to_end = ? AND imsi IS NULL`,
      [Math.max(t, from), Math.min(t + E2E_WINDOW_US, to - 1), d.row.end_to_end],
    );
    add(orphans, 'end_to_end');
  }
}
