/**
 * The subscriber trace from the central PostgreSQL store (src/collector/schema.ts): the same
 * selection and the same joins as the spool trace (query.ts), over the `dialogues` / `tunnels`
 * tables of every probe. Rows come back as spool rows (the spool's column names, `id` = the
 * record's id in its spool; bigint columns as numbers) so render.ts and pcapExport.ts take them
 * as they are; `spool` of a record = `<probe_id>/<spool_no>`.
 *
 * Index use (collector migrations 1-2): dialogues_imsi (BRIN bloom on imsi: equality only),
 * dialogues_ts (BRIN on ts, the partition key: every time window below is a ts range, so the day
 * partitions outside it are pruned), tunnels_imsi (btree imsi, ts). ts = coalesce(req_time_us,
 * rsp_time_us): an orphan answer sits at its answer time, so one ts window holds the legs and the
 * orphans. The msisdn column has no index centrally: an MSISDN trace reads the period's partitions
 * (the whole table without --from/--to).
 */
import type { Pool } from 'pg';
import { CENTRAL_COLUMNS } from '../collector/schema';
import { E2E_WINDOW_US, timeOf, tunnelJoinSpan, type JoinReason, type SpoolRow, type TraceQuery, type TraceRecord, type TraceResult, type TraceTunnel } from './query';

export interface CentralTraceQuery extends Omit<TraceQuery, 'files'> {
  pool: Pool;
  schema: string;
}


/** the record columns as spool rows: bigint → float8 (µs times < 2^53), record_id → id */
function selectList(table: 'dialogues' | 'tunnels'): string {
  const cols = CENTRAL_COLUMNS[table].map(([n, ty]) => (ty === 'bigint' ? `${n}::float8 AS ${n}` : n));
  return ['record_id::float8 AS id', ...cols, 'probe_id', 'spool_no'].join(', ');
}

/** a time bound as a timestamptz parameter (a constant for the planner: the day partitions outside are pruned at planning) */
const TS = (p: string) => `${p}::timestamptz`;

/** µs since the epoch → ISO-8601 with µs, clamped to 1970 … 9999 */
function tsParam(us: number): string {
  const u = Math.min(Math.max(Math.floor(us), 0), 253_402_300_799_999_999);
  const ms = Math.floor(u / 1000);
  return new Date(ms).toISOString().slice(0, 23) + String(u % 1000).padStart(3, '0') + 'Z';
}

function ident(s: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`schema name '${s}' is not a plain identifier`);
  return s;
}

/** Runs the trace against the central store; rows in time order, like runTrace. */
export async function runCentralTrace(q: CentralTraceQuery): Promise<TraceResult> {
  const s = ident(q.schema);
  const D = selectList('dialogues');
  const T = selectList('tunnels');
  const from = q.fromUs ?? -4_000_000_000_000_000; // about -124,000 years: no bound, in PostgreSQL's range
  const to = q.toUs ?? 4_000_000_000_000_000;
  const plans: { sql: string; plan: string[] }[] = [];
  const client = await q.pool.connect();
  const records: TraceRecord[] = [];
  const tunnels: TraceTunnel[] = [];
  const imsis = new Set<string>();
  const seen = new Set<string>();
  const keyOf = (r: SpoolRow) => `${String(r.probe_id)}/${String(r.spool_no)}/${r.id}`;
  try {
    const run = async (sql: string, params: unknown[]): Promise<SpoolRow[]> => {
      if (!plans.some((p) => p.sql === sql)) {
        const e = await client.query({ text: 'EXPLAIN ' + sql, values: params });
        plans.push({ sql, plan: e.rows.map((r: Record<string, string>) => r['QUERY PLAN']) });
      }
      return (await client.query({ text: sql, values: params })).rows as SpoolRow[];
    };
    const add = (rows: SpoolRow[], via: JoinReason) => {
      for (const r of rows) {
        const k = keyOf(r);
        if (seen.has(k)) continue;
        seen.add(k);
        const spool = `${String(r.probe_id)}/${String(r.spool_no)}`;
        delete (r as Record<string, unknown>).probe_id;
        delete (r as Record<string, unknown>).spool_no;
        records.push({ spool, row: r, via });
        if (typeof r.imsi === 'string') imsis.add(r.imsi);
      }
    };
    // the period as a ts range (partition pruning, BRIN on ts); none without --from/--to
    const bounded = q.fromUs !== undefined || q.toUs !== undefined;
    const PERIOD = bounded ? ` AND ts >= ${TS('$2')} AND ts < ${TS('$3')}` : '';
    const P = (first: unknown) => (bounded ? [first, tsParam(from), tsParam(to)] : [first]);
    const sel = q.selector;
    if (sel.kind === 'imsi') {
      add(await run(`SELECT ${D} FROM ${s}.dialogues WHERE imsi = $1${PERIOD}`, P(sel.value)), 'identity');
      imsis.add(sel.value);
    } else if (sel.kind === 'msisdn') {
      add(await run(`SELECT ${D} FROM ${s}.dialogues WHERE msisdn = $1 AND req_time_us IS NOT NULL${PERIOD}`, P(sel.value)), 'msisdn');
      for (const t of await run(`SELECT DISTINCT imsi FROM ${s}.tunnels WHERE msisdn = $1 AND imsi IS NOT NULL`, [sel.value])) imsis.add(t.imsi as string);
      for (const imsi of [...imsis]) add(await run(`SELECT ${D} FROM ${s}.dialogues WHERE imsi = $1${PERIOD}`, P(imsi)), 'identity');
    } else {
      add(
        await run(
          `SELECT ${D} FROM ${s}.dialogues WHERE req_time_us IS NOT NULL AND (calling_gt = $1 OR called_gt = $1 OR responder_gt = $1 OR vlr_number = $1 OR sgsn_number = $1)${PERIOD}`,
          P(sel.value),
        ),
        'gt',
      );
    }
    const tun: SpoolRow[] = [];
    if (sel.kind !== 'gt') {
      for (const imsi of imsis) {
        for (const t of await run(`SELECT ${T} FROM ${s}.tunnels WHERE imsi = $1 AND create_time_us < $2 AND coalesce(end_time_us, create_time_us) >= $3`, [imsi, to, from])) {
          const spool = `${String(t.probe_id)}/${String(t.spool_no)}`;
          delete (t as Record<string, unknown>).probe_id;
          delete (t as Record<string, unknown>).spool_no;
          tun.push(t);
          tunnels.push({ spool, row: t });
        }
      }
    }
    const lastOfDevice = records.reduce((m, r) => Math.max(m, timeOf(r.row)), 0);
    for (const t of tun) {
      const { start, end } = tunnelJoinSpan(t, lastOfDevice);
      add(
        await run(
          `SELECT ${D} FROM ${s}.dialogues WHERE ts >= ${TS('$1')} AND ts <= ${TS('$2')} AND req_time_us IS NOT NULL AND imsi IS NULL AND protocol = $3
             AND ((teid = $4 AND dst_ip = $5) OR (teid = $6 AND dst_ip = $7))`,
          [tsParam(Math.max(start, from)), tsParam(Math.min(end, to - 1)), t.protocol, t.sgsn_ctrl_teid, t.sgsn_ip, t.ggsn_ctrl_teid, t.ggsn_ip],
        ),
        'tunnel',
      );
    }
    for (const d of records.filter((r) => r.row.protocol === 'diameter' && r.row.end_to_end !== null && r.row.orphan !== 1)) {
      const t = timeOf(d.row);
      const rows = await run(
        `SELECT ${D} FROM ${s}.dialogues WHERE ts >= ${TS('$1')} AND ts <= ${TS('$2')} AND protocol = 'diameter' AND end_to_end = $3
           AND ((req_time_us IS NOT NULL AND (origin_host = $4 OR origin_host IS NULL) AND (imsi IS NULL OR imsi = $5))
             OR (req_time_us IS NULL AND rsp_time_us >= $6 AND imsi IS NULL))`,
        [tsParam(Math.max(t - E2E_WINDOW_US, from)), tsParam(Math.min(t + E2E_WINDOW_US, to - 1)), d.row.end_to_end, d.row.origin_host, d.row.imsi, t],
      );
      add(rows, 'end_to_end');
    }
  } finally {
    client.release();
  }
  records.sort((a, b) => timeOf(a.row) - timeOf(b.row) || a.spool.localeCompare(b.spool) || a.row.id - b.row.id);
  tunnels.sort((a, b) => (a.row.create_time_us as number) - (b.row.create_time_us as number) || a.row.id - b.row.id);
  return { records, tunnels, imsis: [...imsis].sort(), plans };
}
