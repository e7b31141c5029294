/**
 * The report over the central store (issue 13): the same sections, definitions and report.json
 * as the spool report (compute.ts), read from the collector's rollups (src/collector/rollups.ts):
 *
 *  DR  rollup_dialogues_hourly rows of the whole hours of the period, plus the same aggregate
 *      (count, t-digest, HLL) computed from the raw partitions for the partial hours at the edges;
 *  TR  the same for rollup_tunnels_hourly;
 *  DD  device_day rows of the whole UTC days of the period, plus day × device × visited network
 *      rows computed from the raw LU / tunnel rows of the partial days.
 *
 * Counts (dialogues, failed, tunnels, LU attempts, devices of the device-level analyses) are
 * exact; distinct devices over hours (summary, devices per day/protocol, records per device) are
 * HyperLogLog (hll_union_agg of the hourly sketches); percentiles are t-digest. What the rollups
 * do not hold (per-minute counts for the storms, records per device per hour, inbound/outbound,
 * the columns a section needs that a rollup table lacks) is read from the raw partitions, and
 * report.json `central.sources` says so; with --rollups-only (or when retention dropped the raw
 * days) those sections are left empty and listed in `central.unavailable`.
 *
 * The definitions' predicates come from definitions.ts (`sql('postgres')`), over the raw rows
 * (alias d) and over the rollup-shaped rows (no alias: the same column names).
 */
import { escapeIdentifier, escapeLiteral, type Pool, type PoolClient } from 'pg';
import { GTPV1_CAUSE_NAMES } from '../protocols/gtpv1c/constants';
import { GTPV2_CAUSE_NAMES } from '../protocols/gtpv2c/constants';
import { SigprobeError } from '../config/errors';
import { BYTES_BUCKETS, DURATION_BUCKETS } from '../collector/rollups';
import { percentilesOfRuns, stormAnalysis } from './compute';
import { DEFAULTS, sql as defSql, US } from './definitions';
import type { CentralInfo, CentralSource, Percentiles, ReportModel } from './model';

export type { CentralInfo, CentralSource };
import { E_REPORT_INPUT } from './spoolQueries';

/** HyperLogLog parameters of the rollups (hll extension defaults: rollups.ts hll_add_agg(hll_hash_text(imsi))). */
export const HLL = { log2m: 11, regwidth: 5 } as const;
/** One-sigma relative error of an HLL cardinality: 1.04 / sqrt(2^log2m) (≈ 2.3 % for log2m 11). */
export const HLL_REL_ERROR = 1.04 / Math.sqrt(2 ** HLL.log2m);
/** t-digest compression of the rollups' digests. */
export const TDIGEST_COMPRESSION = 100;

export interface CentralReportOptions {
  pool: Pool;
  schema: string;
  fromUs?: number;
  toUs?: number;
  site?: string;
  sorWindowSeconds?: number;
  stormK?: number;
  customers?: string[];
  /** never read raw partitions (only rollups and device_day): sections that need raw are left empty */
  rollupsOnly?: boolean;
  /** what the report reads from, for report.json (the config file) */
  label?: string;
  log?: (s: string) => void;
}

const HOUR = US.hour;
const DAY = US.day;
const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();
const isoUtc = (us: number) => {
  const s = iso(us);
  return s.endsWith('.000Z') ? s.slice(0, -5) + 'Z' : s;
};
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
/** SQLite's BINARY collation (the spool report orders these tables in SQL) */
const bin = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The whole units of [from, to) and the partial ranges at its edges. */
function split(from: number, to: number, unit: number): { full: [number, number] | null; edges: [number, number][] } {
  const a = Math.ceil(from / unit) * unit;
  const b = Math.floor(to / unit) * unit;
  if (b <= a) return { full: null, edges: [[from, to]] };
  const edges: [number, number][] = [];
  if (from < a) edges.push([from, a]);
  if (b < to) edges.push([b, to]);
  return { full: [a, b], edges };
}

/** Key columns of the rollup tables (rollups.ts DIALOGUE_KEY / TUNNEL_KEY without the hour). */
const DR_KEY = ['site', 'protocol', 'procedure', 'status', 'result_code', 'result_name', 'result_source', 'home_country', 'visited_country', 'visited_operator', 'visited_mcc', 'visited_mnc'];
const TR_KEY = ['site', 'protocol', 'home_country', 'visited_country', 'visited_operator', 'visited_mcc', 'visited_mnc', 'apn', 'end_reason', 'delete_cause'];
const BUCKETS = [...DURATION_BUCKETS, ...BYTES_BUCKETS].map(([c]) => c);
const DD_COLS = 'day, site, imsi, home_country, visited_country, visited_network, home_network, dialogues, lu, lu_ok, rna, rna_us, ok_us, ok_last_us, tunnels_accepted';

/** Computes the report from the central store. Throws SigprobeError(E_REPORT_INPUT) on bad input. */
export async function computeCentralReport(opts: CentralReportOptions): Promise<ReportModel> {
  let c: PoolClient;
  try {
    c = await opts.pool.connect();
  } catch (e) {
    throw new SigprobeError(E_REPORT_INPUT, `cannot connect to PostgreSQL: ${(e as Error).message}`);
  }
  let broken: Error | undefined;
  const onError = (e: Error) => void (broken ??= e);
  c.on('error', onError);
  try {
    return await compute(c, opts);
  } catch (e) {
    broken ??= e as Error;
    if (e instanceof SigprobeError) throw e;
    const err = e as Error & { code?: string };
    if (typeof err.code === 'string') throw new SigprobeError(E_REPORT_INPUT, `central store: ${err.message}`);
    throw e;
  } finally {
    c.removeListener('error', onError);
    c.release(broken !== undefined);
  }
}

async function compute(c: PoolClient, opts: CentralReportOptions): Promise<ReportModel> {
  const s = escapeIdentifier(opts.schema);
  const log = opts.log ?? (() => {});
  const site = opts.site;
  const siteAnd = (a = '') => (site !== undefined ? ` AND ${a}site = ${escapeLiteral(site)}` : '');
  const sorWindowS = opts.sorWindowSeconds ?? DEFAULTS.sorWindowSeconds;
  const W = Math.trunc(sorWindowS * 1e6);
  const k = opts.stormK ?? DEFAULTS.stormK;
  const customers = opts.customers ?? [];
  const q = async <T>(name: string, text: string, values?: unknown[]): Promise<T[]> => {
    const t0 = process.hrtime.bigint();
    const r = await c.query(text, values);
    log(`report: ${name} ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(2)} s (${r.rowCount ?? 0} rows)`);
    return r.rows as T[];
  };
  const info: CentralInfo = {
    schema: opts.schema,
    store: opts.label ?? opts.schema,
    distinct: {
      hll: [],
      exact: [],
      hll_log2m: HLL.log2m,
      hll_regwidth: HLL.regwidth,
      hll_rel_error: HLL_REL_ERROR,
      note: `HyperLogLog (postgresql-hll, log2m ${HLL.log2m}, regwidth ${HLL.regwidth}): relative error ±${(100 * HLL_REL_ERROR).toFixed(2)} % one sigma (1.04/√2048); small sets are held exactly (explicit/sparse representation)`,
    },
    percentiles: `t-digest (tdigest extension, compression ${TDIGEST_COMPRESSION}): interpolated percentiles, not the spool's nearest rank`,
    sources: {},
    unavailable: [],
    rollup_only_days: [],
    period_widened: false,
    notes: [],
  };

  // ---- what the store holds: rollup tables, raw tables (a coordinator has none), days retention dropped
  const tables = new Set(
    (await q<{ t: string }>('tables', `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1`, [opts.schema])).map((r) => r.t),
  );
  for (const t of ['rollup_dialogues_hourly', 'rollup_dialogues_minute', 'rollup_tunnels_hourly', 'device_day']) {
    if (!tables.has(t)) throw new SigprobeError(E_REPORT_INPUT, `no rollup table ${opts.schema}.${t} in the central store (the collector's rollups migration is not applied: start sigprobe collect once)`);
  }
  const rawTables = tables.has('dialogues') && tables.has('tunnels');
  if (!rawTables) info.notes.push('no raw tables in this schema (a coordinator): rollups only');
  const dropped = new Set<number>();
  if (tables.has('raw_dropped_days')) {
    for (const r of await q<{ d: string }>('raw dropped days', `SELECT (extract(epoch FROM day::timestamp)::bigint / 86400) AS d FROM ${s}.raw_dropped_days`)) dropped.add(Number(r.d));
  }
  const readRaw = opts.rollupsOnly !== true && rawTables;
  const rawHas = (fromUs: number, toUs: number) => {
    if (!readRaw) return false;
    for (let d = Math.floor(fromUs / DAY); d <= Math.floor((toUs - 1) / DAY); d++) if (dropped.has(d)) return false;
    return true;
  };

  // ---- period
  let fromUs = opts.fromUs;
  let toUs = opts.toUs;
  if (fromUs === undefined || toUs === undefined) {
    const span = (
      await q<{ lo: Date | null; hi: Date | null }>(
        'span',
        `SELECT min(lo) AS lo, max(hi) AS hi FROM (SELECT min(minute) lo, max(minute) hi FROM ${s}.rollup_dialogues_minute WHERE true${siteAnd()}
         UNION ALL SELECT min(hour), max(hour) + interval '59 minutes' FROM ${s}.rollup_tunnels_hourly WHERE true${siteAnd()}) x`,
      )
    )[0];
    if (span.lo === null || span.hi === null) {
      throw new SigprobeError(E_REPORT_INPUT, `no records in the central store (schema ${opts.schema})${site !== undefined ? ` for site ${site}` : ''}: nothing to report`);
    }
    const loM = span.lo.getTime() * 1000;
    const hiM = span.hi.getTime() * 1000;
    // the first and the latest record (raw, inside the first / last hour), as the spool report's
    // default period runs from the minute of the first to just after the latest
    let lo = loM;
    let hi = hiM + US.minute - 1;
    const edge = async (agg: 'min' | 'max', h: number): Promise<number | null> => {
      const r = await q<{ v: string | null }>(
        `span ${agg}`,
        `SELECT ${agg}(v) AS v FROM (SELECT ${agg}(req_time_us) v FROM ${s}.dialogues WHERE ts >= $1 AND ts < $2 AND req_time_us IS NOT NULL${siteAnd()}
         UNION ALL SELECT ${agg}(create_time_us) FROM ${s}.tunnels WHERE ts >= $1 AND ts < $2${siteAnd()}) x`,
        [iso(h), iso(h + HOUR)],
      );
      return r[0].v === null ? null : Number(r[0].v);
    };
    const h0 = Math.floor(loM / HOUR) * HOUR;
    const h1 = Math.floor(hiM / HOUR) * HOUR;
    if (rawHas(h0, h0 + HOUR)) lo = (await edge('min', h0)) ?? lo;
    else info.period_widened = true;
    if (rawHas(h1, h1 + HOUR)) hi = (await edge('max', h1)) ?? hi;
    else info.period_widened = true;
    if (fromUs === undefined) fromUs = Math.floor(lo / US.minute) * US.minute;
    if (toUs === undefined) toUs = hi + 1;
  }
  if (!(toUs > fromUs)) throw new SigprobeError(E_REPORT_INPUT, `empty period: --to (${isoUtc(toUs)}) is not after --from (${isoUtc(fromUs)})`);
  const periodFrom = fromUs;
  const periodTo = toUs;
  for (let d = Math.floor(periodFrom / DAY); d <= Math.floor((periodTo - 1) / DAY); d++) if (dropped.has(d)) info.rollup_only_days.push(isoUtc(d * DAY).slice(0, 10));
  if (info.rollup_only_days.length > 0) info.notes.push(`raw partitions dropped by retention for ${info.rollup_only_days.join(', ')}: served from the rollups only`);
  if (opts.rollupsOnly === true) info.notes.push('--rollups-only: no raw partition read');
  const rawOk = rawHas(periodFrom, periodTo);

  const D = defSql('postgres', 'd.');
  const R = defSql('postgres', '');
  const acc = D.isAccepted;
  const tsRange = (lo: number, hi: number, col: string) =>
    // ts bounds at ms precision (floor / ceil: partition pruning), the exact bounds on the µs column
    `d.ts >= '${iso(lo)}' AND d.ts < '${iso(hi + 999)}' AND d.${col} >= ${lo} AND d.${col} < ${hi}${siteAnd('d.')}`;
  const rawWhere = (ranges: [number, number][], col: string) => (ranges.length === 0 ? 'false' : ranges.map(([lo, hi]) => `(${tsRange(lo, hi, col)})`).join(' OR '));
  const groupBy = (n: number) => Array.from({ length: n }, (_, i) => i + 1).join(', ');
  /** whole units of the period from the rollups; partial units at the edges from raw, or widened when raw is not read */
  const plan = (unit: number) => {
    const sp = split(periodFrom, periodTo, unit);
    let lo = sp.full?.[0] ?? Infinity;
    let hi = sp.full?.[1] ?? -Infinity;
    const raw: [number, number][] = [];
    for (const e of sp.edges) {
      if (rawHas(e[0], e[1])) raw.push(e);
      else {
        info.period_widened = true;
        lo = Math.min(lo, Math.floor(e[0] / unit) * unit);
        hi = Math.max(hi, Math.ceil(e[1] / unit) * unit);
      }
    }
    return { full: lo < hi ? ([lo, hi] as [number, number]) : null, raw, source: (raw.length > 0 ? 'rollups+raw edges' : 'rollups') as CentralSource };
  };
  await c.query('DROP TABLE IF EXISTS pg_temp.dr_edge, pg_temp.mr_edge, pg_temp.tr_edge, pg_temp.dd_edge');

  // ---- DR: hourly dialogue rollup rows (+ raw edges, the same aggregate)
  const hp = plan(HOUR);
  await q(
    'dialogue edges',
    readRaw
      ? `CREATE TEMP TABLE dr_edge AS SELECT (d.req_time_us / ${HOUR}) AS h, ${DR_KEY.map((x) => `d.${x}`).join(', ')}, count(*)::bigint AS dialogues,
           tdigest((d.latency_us / 1000.0)::float8, ${TDIGEST_COMPRESSION}) AS latency, coalesce(hll_add_agg(hll_hash_text(d.imsi)), hll_empty()) AS devices
         FROM ${s}.dialogues d WHERE ${rawWhere(hp.raw, 'req_time_us')} GROUP BY ${groupBy(DR_KEY.length + 1)}`
      : `CREATE TEMP TABLE dr_edge AS SELECT (extract(epoch FROM hour)::bigint / 3600) AS h, ${DR_KEY.join(', ')}, dialogues, latency, devices FROM ${s}.rollup_dialogues_hourly WHERE false`,
  );
  const DR = `(${hp.full ? `SELECT (extract(epoch FROM hour)::bigint / 3600) AS h, ${DR_KEY.join(', ')}, dialogues, latency, devices FROM ${s}.rollup_dialogues_hourly
     WHERE hour >= '${iso(hp.full[0])}' AND hour < '${iso(hp.full[1])}'${siteAnd()} UNION ALL ` : ''}SELECT * FROM dr_edge)`;
  // ---- MR: minute rollup rows (+ raw partial minutes)
  const mp = plan(US.minute);
  await q(
    'minute edges',
    readRaw
      ? `CREATE TEMP TABLE mr_edge AS SELECT (d.req_time_us / ${US.minute}) AS m, d.protocol, count(*)::bigint AS dialogues, count(*) FILTER (WHERE ${D.isFailed})::bigint AS failed,
           coalesce(hll_add_agg(hll_hash_text(d.imsi)), hll_empty()) AS devices FROM ${s}.dialogues d WHERE ${rawWhere(mp.raw, 'req_time_us')} GROUP BY 1, 2`
      : `CREATE TEMP TABLE mr_edge AS SELECT 0::bigint AS m, ''::text AS protocol, 0::bigint AS dialogues, 0::bigint AS failed, hll_empty() AS devices WHERE false`,
  );
  const MR = `(${mp.full ? `SELECT (extract(epoch FROM minute)::bigint / 60) AS m, protocol, dialogues, failed, devices FROM ${s}.rollup_dialogues_minute
     WHERE minute >= '${iso(mp.full[0])}' AND minute < '${iso(mp.full[1])}'${siteAnd()} UNION ALL ` : ''}SELECT * FROM mr_edge)`;
  // ---- TR: hourly tunnel rollup rows (+ raw edges)
  const bucketSql = (col: string, lo: number, hi: number) => {
    const cs = [`${col} IS NOT NULL`];
    if (lo !== -Infinity) cs.push(`${col} >= ${lo}`);
    if (hi !== Infinity) cs.push(`${col} < ${hi}`);
    return `count(*) FILTER (WHERE ${acc} AND ${cs.join(' AND ')})::bigint`;
  };
  const trCols = `creates, accepted, accepted_zero_bytes, setup_delay, duration, bytes_up, bytes_down, packets_up, packets_down, ${BUCKETS.join(', ')}, devices`;
  await q(
    'tunnel edges',
    readRaw
      ? `CREATE TEMP TABLE tr_edge AS SELECT (d.create_time_us / ${HOUR}) AS h, ${TR_KEY.map((x) => `d.${x}`).join(', ')}, count(*)::bigint AS creates,
           count(*) FILTER (WHERE ${acc})::bigint AS accepted, count(*) FILTER (WHERE ${acc} AND ${D.isZeroBytes})::bigint AS accepted_zero_bytes,
           tdigest((d.setup_delay_us / 1000.0)::float8, ${TDIGEST_COMPRESSION}) FILTER (WHERE ${acc}) AS setup_delay,
           tdigest((d.duration_us / 1e6)::float8, ${TDIGEST_COMPRESSION}) FILTER (WHERE ${acc}) AS duration,
           sum(d.bytes_up)::bigint AS bytes_up, sum(d.bytes_down)::bigint AS bytes_down, sum(d.packets_up)::bigint AS packets_up, sum(d.packets_down)::bigint AS packets_down,
           ${DURATION_BUCKETS.map(([col, lo, hi]) => `${bucketSql('d.duration_us', lo, hi)} AS ${col}`).join(', ')},
           ${BYTES_BUCKETS.map(([col, lo, hi]) => `${bucketSql('(d.bytes_up + d.bytes_down)', lo, hi)} AS ${col}`).join(', ')},
           coalesce(hll_add_agg(hll_hash_text(d.imsi)), hll_empty()) AS devices
         FROM ${s}.tunnels d WHERE ${rawWhere(hp.raw, 'create_time_us')} GROUP BY ${groupBy(TR_KEY.length + 1)}`
      : `CREATE TEMP TABLE tr_edge AS SELECT (extract(epoch FROM hour)::bigint / 3600) AS h, ${TR_KEY.join(', ')}, ${trCols} FROM ${s}.rollup_tunnels_hourly WHERE false`,
  );
  const TR = `(${hp.full ? `SELECT (extract(epoch FROM hour)::bigint / 3600) AS h, ${TR_KEY.join(', ')}, ${trCols} FROM ${s}.rollup_tunnels_hourly
     WHERE hour >= '${iso(hp.full[0])}' AND hour < '${iso(hp.full[1])}'${siteAnd()} UNION ALL ` : ''}SELECT * FROM tr_edge)`;
  // ---- DD: device_day rows of the whole days (+ the same rows from raw for the partial days)
  const dp = plan(DAY);
  const keys = `d.site, d.imsi, d.home_country, d.visited_country, ${D.visitedNetwork}`;
  const hn = `max(d.home_mcc || '-' || d.home_mnc)`;
  await q(
    'device day edges',
    readRaw
      ? `CREATE TEMP TABLE dd_edge AS
         SELECT (d.req_time_us / ${DAY}) AS day, ${keys} AS visited_network, ${hn} AS home_network, count(*)::int AS dialogues,
           (count(*) FILTER (WHERE ${D.isLu}))::int AS lu, (count(*) FILTER (WHERE ${D.isLu} AND ${D.isOk}))::int AS lu_ok,
           (count(*) FILTER (WHERE ${D.isLu} AND ${D.isRna}))::int AS rna, array_agg(d.req_time_us) FILTER (WHERE ${D.isLu} AND ${D.isRna}) AS rna_us,
           array_agg(d.req_time_us) FILTER (WHERE ${D.isLu} AND ${D.isOk}) AS ok_us, max(d.req_time_us) FILTER (WHERE ${D.isLu} AND ${D.isOk}) AS ok_last_us,
           0 AS tunnels_accepted
         FROM ${s}.dialogues d WHERE (${rawWhere(dp.raw, 'req_time_us')}) AND d.imsi IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6
         UNION ALL
         SELECT (d.create_time_us / ${DAY}), ${keys}, ${hn}, 0, 0, 0, 0, NULL::bigint[], NULL::bigint[], NULL::bigint, (count(*) FILTER (WHERE ${acc}))::int
         FROM ${s}.tunnels d WHERE (${rawWhere(dp.raw, 'create_time_us')}) AND d.imsi IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6`
      : `CREATE TEMP TABLE dd_edge AS SELECT (extract(epoch FROM day::timestamp)::bigint / 86400) AS day, ${DD_COLS.replace('day, ', '')} FROM ${s}.device_day WHERE false`,
  );
  const DD = `(${dp.full ? `SELECT (extract(epoch FROM day::timestamp)::bigint / 86400) AS day, ${DD_COLS.replace('day, ', '')} FROM ${s}.device_day
     WHERE day >= '${iso(dp.full[0]).slice(0, 10)}' AND day < '${iso(dp.full[1]).slice(0, 10)}'${siteAnd()} UNION ALL ` : ''}SELECT ${DD_COLS} FROM dd_edge)`;
  for (const sec of ['traffic', 'errors', 'error_rates', 'devices', 'latency']) info.sources[sec] = hp.source;
  for (const sec of ['matrix', 'sor', 'silent_roamers', 'inbound_outbound']) info.sources[sec] = dp.source;
  info.sources.data_sessions = hp.source;
  info.sources.per_minute = mp.source;
  info.sources.storms = mp.source;

  const hourIso = (h: number) => isoUtc(h * HOUR);
  const dayIso = (d: number) => isoUtc(d * DAY).slice(0, 10);
  const card = (expr: string) => `round(hll_cardinality(hll_union_agg(${expr})))::float8`;

  // ---- records, traffic, errors, error rates (exact counts)
  const totals = (
    await q<{ dialogues: string; failed: string }>('totals', `SELECT coalesce(sum(dialogues), 0) AS dialogues, coalesce(sum(dialogues) FILTER (WHERE ${R.isFailed}), 0) AS failed FROM ${DR} x`)
  )[0];
  const tunTotals = (
    await q<Record<string, string>>(
      'tunnel totals',
      `SELECT coalesce(sum(creates), 0) creates, coalesce(sum(accepted), 0) accepted, coalesce(sum(packets_up), 0) packets_up, coalesce(sum(packets_down), 0) packets_down,
         coalesce(sum(bytes_up), 0) bytes_up, coalesce(sum(bytes_down), 0) bytes_down, ${BUCKETS.map((b) => `coalesce(sum(${b}), 0) ${b}`).join(', ')} FROM ${TR} x`,
    )
  )[0];
  const records = { dialogues: num(totals.dialogues), tunnels: num(tunTotals.creates) };
  if (records.dialogues === 0 && records.tunnels === 0) {
    throw new SigprobeError(E_REPORT_INPUT, `empty period: no records from ${isoUtc(periodFrom)} to ${isoUtc(periodTo)}${site !== undefined ? ` for site ${site}` : ''} in the central store`);
  }
  const traffic = (
    await q<{ h: string; protocol: string; procedure: string; n: string }>(
      'traffic',
      `SELECT h, protocol, coalesce(procedure, '(unknown)') AS procedure, sum(dialogues) AS n FROM ${DR} x GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    )
  ).map((r) => ({ hour: hourIso(Number(r.h)), protocol: r.protocol, procedure: r.procedure, dialogues: num(r.n) }));
  const errorRates = (
    await q<{ protocol: string; procedure: string; n: string; f: string }>(
      'error rates',
      `SELECT protocol, coalesce(procedure, '(unknown)') AS procedure, sum(dialogues) AS n, coalesce(sum(dialogues) FILTER (WHERE ${R.isFailed}), 0) AS f FROM ${DR} x GROUP BY 1, 2`,
    )
  )
    .map((r) => ({ protocol: r.protocol, procedure: r.procedure, dialogues: num(r.n), failed: num(r.f), error_rate: num(r.f) / num(r.n) }))
    .sort((a, b) => b.dialogues - a.dialogues || a.protocol.localeCompare(b.protocol) || a.procedure.localeCompare(b.procedure));
  const errors = (
    await q<{ h: string; protocol: string; result: string; n: string }>(
      'errors',
      `SELECT h, protocol, result, sum(n) AS n FROM (SELECT h, protocol, ${R.result} AS result, dialogues AS n FROM ${DR} x WHERE ${R.isFailed}) y GROUP BY 1, 2, 3`,
    )
  )
    .map((r) => ({ hour: Number(r.h), protocol: r.protocol, result: r.result, dialogues: num(r.n) }))
    .sort((a, b) => a.hour - b.hour || a.protocol.localeCompare(b.protocol) || a.result.localeCompare(b.result))
    .map((e) => ({ ...e, hour: hourIso(e.hour) }));

  // ---- devices (HLL over hours)
  info.distinct.hll.push('summary.devices', 'devices[].devices', 'devices_per_protocol[].devices', 'storms[].devices');
  const devTotal = num((await q<{ n: number }>('devices', `SELECT ${card('devices')} AS n FROM ${DR} x`))[0].n);
  const devicesPerDay = (
    await q<{ day: string; protocol: string; n: number }>('devices per day', `SELECT (h / 24) AS day, protocol, ${card('devices')} AS n FROM ${DR} x GROUP BY 1, 2 ORDER BY 1, 2`)
  )
    .filter((r) => num(r.n) > 0)
    .map((r) => ({ day: dayIso(Number(r.day)), protocol: r.protocol, devices: num(r.n) }));
  const devicesPerProtocol = (await q<{ protocol: string; n: number }>('devices per protocol', `SELECT protocol, ${card('devices')} AS n FROM ${DR} x GROUP BY 1 ORDER BY 1`))
    .filter((r) => num(r.n) > 0)
    .map((r) => ({ protocol: r.protocol, devices: num(r.n) }));

  // ---- records per device per hour: each device's count per hour (raw only; the rollups cannot give the sd)
  let rpd: ReportModel['records_per_device'] = [];
  if (rawOk) {
    info.sources.records_per_device = 'raw';
    info.distinct.exact.push('records_per_device[].devices');
    rpd = (
      await q<{ h: string; protocol: string; devices: string; mean: number; sd: number }>(
        'records per device',
        `SELECT h, protocol, count(*) AS devices, avg(n)::float8 AS mean, stddev_pop(n)::float8 AS sd FROM (
           SELECT d.req_time_us / ${HOUR} AS h, d.protocol, d.imsi, count(*) AS n FROM ${s}.dialogues d
           WHERE ${tsRange(periodFrom, periodTo, 'req_time_us')} AND d.imsi IS NOT NULL GROUP BY 1, 2, 3) x GROUP BY 1, 2 ORDER BY 1, 2`,
      )
    ).map((r) => ({ hour: hourIso(Number(r.h)), protocol: r.protocol, devices: num(r.devices), mean: r.mean, sd: r.sd }));
  } else {
    info.sources.records_per_device = 'unavailable';
    info.unavailable.push('records_per_device');
  }

  // ---- device-level analyses over DD (exact: pseudonyms)
  info.distinct.exact.push('matrix', 'matrix_summary', 'summary.lu_devices', 'sor', 'silent_roamers', 'inbound_outbound');
  await c.query(`DROP TABLE IF EXISTS pg_temp.dd; CREATE TEMP TABLE dd AS SELECT * FROM ${DD} x`);
  let inOut: ReportModel['inbound_outbound'] = null;
  if (customers.length > 0) {
    const cust = `ARRAY[${customers.map((x) => escapeLiteral(x)).join(', ')}]::text[]`;
    inOut = (
      await q<{ day: string; inbound: string; outbound: string }>(
        'inbound/outbound',
        `SELECT day, count(DISTINCT CASE WHEN home_network = ANY(${cust}) AND visited_network IS NOT NULL AND visited_network <> home_network AND NOT (visited_network = ANY(${cust})) THEN imsi END) AS outbound,
           count(DISTINCT CASE WHEN NOT (home_network = ANY(${cust})) AND visited_network = ANY(${cust}) THEN imsi END) AS inbound
         FROM dd WHERE dialogues > 0 GROUP BY 1 ORDER BY 1`,
      )
    ).map((r) => ({ day: dayIso(Number(r.day)), inbound: num(r.inbound), outbound: num(r.outbound) }));
  }
  const home = new Map(
    (await q<{ hc: string; n: string }>('home devices', `SELECT home_country AS hc, count(DISTINCT imsi) AS n FROM dd WHERE lu_ok > 0 AND home_country IS NOT NULL GROUP BY 1`)).map((r) => [r.hc, num(r.n)]),
  );
  const matrix = (
    await q<{ hc: string; vc: string; n: string }>(
      'matrix',
      `SELECT home_country AS hc, visited_country AS vc, count(DISTINCT imsi) AS n FROM dd WHERE lu_ok > 0 AND home_country IS NOT NULL AND visited_country IS NOT NULL GROUP BY 1, 2`,
    )
  )
    .map((r) => ({ home_country: r.hc, visited_country: r.vc, devices: num(r.n), share: num(r.n) / (home.get(r.hc) as number) }))
    .sort((a, b) => b.devices - a.devices || a.home_country.localeCompare(b.home_country) || a.visited_country.localeCompare(b.visited_country));
  const ls = (
    await q<Record<string, string>>(
      'lu summary',
      `SELECT count(DISTINCT CASE WHEN lu_ok > 0 THEN imsi END) AS lu_devices,
         count(DISTINCT CASE WHEN lu_ok > 0 AND (home_country IS NULL OR visited_country IS NULL) THEN imsi END) AS unknown_devices,
         count(DISTINCT CASE WHEN lu_ok > 0 AND home_country IS NOT NULL THEN imsi END) AS known_home_devices,
         count(DISTINCT CASE WHEN lu_ok > 0 AND home_country = visited_country THEN imsi END) AS domestic_devices,
         coalesce(sum(lu), 0) AS lu_attempts FROM dd`,
    )
  )[0];
  const luSum = {
    lu_devices: num(ls.lu_devices),
    unknown_devices: num(ls.unknown_devices),
    known_home_devices: num(ls.known_home_devices),
    domestic_devices: num(ls.domestic_devices),
    lu_attempts: num(ls.lu_attempts),
  };
  const steered = new Map(
    (
      await q<{ hc: string; vc: string; n: string }>(
        'steered',
        `WITH r AS (SELECT imsi, home_country AS hc, visited_country AS vc, visited_network AS vn, unnest(rna_us) AS t FROM dd
                    WHERE rna > 0 AND visited_network IS NOT NULL AND home_country IS NOT NULL AND visited_country IS NOT NULL),
              o AS (SELECT imsi, visited_network AS vn, unnest(ok_us) AS t FROM dd WHERE lu_ok > 0 AND visited_network IS NOT NULL)
         SELECT hc, vc, count(DISTINCT imsi) AS n FROM r
         WHERE EXISTS (SELECT 1 FROM o WHERE o.imsi = r.imsi AND o.vn <> r.vn AND o.t >= r.t AND o.t <= r.t + ${W}) GROUP BY 1, 2`,
      )
    ).map((r) => [`${r.hc}\u0000${r.vc}`, num(r.n)]),
  );
  const sor = (
    await q<{ hc: string; vc: string; n: string; nr: string }>(
      'sor',
      `SELECT home_country AS hc, visited_country AS vc, count(DISTINCT imsi) AS n, count(DISTINCT CASE WHEN rna > 0 THEN imsi END) AS nr
       FROM dd WHERE lu > 0 AND home_country IS NOT NULL AND visited_country IS NOT NULL GROUP BY 1, 2`,
    )
  )
    .map((r) => ({
      home_country: r.hc,
      visited_country: r.vc,
      devices: num(r.n),
      devices_rna: num(r.nr),
      share_rna: num(r.nr) / num(r.n),
      steered: steered.get(`${r.hc}\u0000${r.vc}`) ?? 0,
    }))
    .sort((a, b) => b.devices_rna - a.devices_rna || b.devices - a.devices || a.home_country.localeCompare(b.home_country) || a.visited_country.localeCompare(b.visited_country));
  const silent: ReportModel['silent_roamers'] = [];
  let silentUnknown = 0;
  for (const r of await q<{ hc: string | null; vc: string | null; n: string }>(
    'silent roamers',
    `WITH dev AS (SELECT imsi FROM dd GROUP BY imsi HAVING sum(lu_ok) > 0 AND sum(tunnels_accepted) = 0),
     last AS (SELECT DISTINCT ON (imsi) imsi, home_country AS hc, visited_country AS vc FROM dd WHERE lu_ok > 0
              ORDER BY imsi, ok_last_us DESC, home_country NULLS FIRST, visited_country NULLS FIRST)
     SELECT hc, vc, count(*) AS n FROM last JOIN dev USING (imsi) GROUP BY 1, 2`,
  )) {
    if (r.hc === null || r.vc === null) silentUnknown += num(r.n);
    else silent.push({ home_country: r.hc, visited_country: r.vc, devices: num(r.n) });
  }
  silent.sort((a, b) => b.devices - a.devices || a.home_country.localeCompare(b.home_country) || a.visited_country.localeCompare(b.visited_country));
  await c.query('DROP TABLE IF EXISTS pg_temp.dd');

  // ---- data sessions
  const pOf = async (name: string, col: string, scale = 1): Promise<Percentiles> => {
    const r = await q<{ p: number[] | null }>(name, `SELECT tdigest_percentile(${col}, ARRAY[0.5, 0.95, 0.99]) AS p FROM ${TR} x WHERE ${col} IS NOT NULL`);
    const p = r[0]?.p ?? null;
    return p === null ? { p50: null, p95: null, p99: null } : { p50: p[0] * scale, p95: p[1] * scale, p99: p[2] * scale };
  };
  const setupDelay = await pOf('setup delay', 'setup_delay');
  const duration = await pOf('duration', 'duration');
  let bytesPer: Percentiles = { p50: null, p95: null, p99: null };
  if (rawOk) {
    info.sources['data_sessions.bytes_per_session'] = 'raw';
    bytesPer = percentilesOfRuns(
      (
        await q<{ v: string; n: string }>(
          'bytes per session (raw)',
          `SELECT (d.bytes_up + d.bytes_down) AS v, count(*) AS n FROM ${s}.tunnels d WHERE ${tsRange(periodFrom, periodTo, 'create_time_us')} AND ${acc} GROUP BY 1 ORDER BY 1`,
        )
      ).map((r) => ({ v: num(r.v), n: num(r.n) })),
    );
  } else {
    info.sources['data_sessions.bytes_per_session'] = 'unavailable';
    info.unavailable.push('data_sessions.bytes_per_session');
  }
  const byPartnerApn = (
    await q<{ partner: string; apn: string; creates: string; accepted: string }>(
      'by partner/apn',
      `SELECT ${R.partner} AS partner, coalesce(apn, '(none)') AS apn, sum(creates) AS creates, sum(accepted) AS accepted FROM ${TR} x GROUP BY 1, 2`,
    )
  )
    .map((r) => ({ partner: r.partner, apn: r.apn, creates: num(r.creates), accepted: num(r.accepted), success_rate: num(r.accepted) / num(r.creates) }))
    .sort((a, b) => b.creates - a.creates || bin(a.partner, b.partner) || bin(a.apn, b.apn));
  const ends = (
    await q<{ protocol: string; end_reason: string; delete_cause: string | null; n: string }>(
      'tunnel ends',
      `SELECT protocol, end_reason, delete_cause, sum(creates) AS n FROM ${TR} x GROUP BY 1, 2, 3`,
    )
  )
    .map((r) => {
      const dc = r.delete_cause === null ? null : Number(r.delete_cause);
      return {
        protocol: r.protocol,
        end_reason: r.end_reason,
        delete_cause: dc,
        cause_name: dc === null ? null : ((r.protocol === 'gtpv1' ? GTPV1_CAUSE_NAMES : GTPV2_CAUSE_NAMES).get(dc) ?? null),
        tunnels: num(r.n),
      };
    })
    .sort((a, b) => b.tunnels - a.tunnels || bin(a.protocol, b.protocol) || bin(a.end_reason, b.end_reason) || (a.delete_cause ?? -1) - (b.delete_cause ?? -1));
  const durLabels = ['< 1 min', '1–10 min', '10–60 min', '1–6 h', '6–24 h', '≥ 24 h'];
  const byLabels = ['0', '< 1 k', '1–10 k', '10–100 k', '0.1–1 M', '1–10 M', '≥ 10 M'];
  const durationHistogram = DURATION_BUCKETS.map(([col], i) => ({ bucket: durLabels[i], tunnels: num(tunTotals[col]) }));
  const bytesHistogram = BYTES_BUCKETS.map(([col], i) => ({ bucket: byLabels[i], tunnels: num(tunTotals[col]) }));
  const zeroBytes = (
    await q<{ hc: string | null; vc: string | null; n: string }>(
      'zero-byte tunnels',
      `SELECT home_country AS hc, visited_country AS vc, sum(accepted_zero_bytes) AS n FROM ${TR} x GROUP BY 1, 2 HAVING sum(accepted_zero_bytes) > 0`,
    )
  )
    .map((r) => ({ home_country: r.hc, visited_country: r.vc, tunnels: num(r.n) }))
    .sort((a, b) => b.tunnels - a.tunnels || String(a.home_country).localeCompare(String(b.home_country)) || String(a.visited_country).localeCompare(String(b.visited_country)));

  // ---- storms: per-minute counts from the minute rollup
  const firstMinute = Math.floor(periodFrom / US.minute);
  const lastMinute = Math.floor((periodTo - 1) / US.minute);
  const nMinutes = lastMinute - firstMinute + 1;
  const counts = new Array<number>(nMinutes).fill(0);
  const failedPm = new Array<number>(nMinutes).fill(0);
  for (const r of await q<{ m: string; n: string; f: string }>('per minute', `SELECT m, sum(dialogues) AS n, sum(failed) AS f FROM ${MR} x GROUP BY 1`)) {
    const i = Number(r.m) - firstMinute;
    if (i < 0 || i >= nMinutes) continue; // a widened edge
    counts[i] = num(r.n);
    failedPm[i] = num(r.f);
  }
  const { medians, verdicts, outN, outF, inN, inF, periodicity } = stormAnalysis(counts, failedPm, firstMinute, k);
  const storms: ReportModel['storms'] = [];
  if (verdicts.length > 0) {
    const ms = verdicts.map((v) => firstMinute + v.index);
    const devs = new Map(
      (await q<{ m: string; n: number }>('storm devices', `SELECT m, ${card('devices')} AS n FROM ${MR} x WHERE m = ANY($1::bigint[]) GROUP BY 1`, [ms])).map((r) => [Number(r.m), num(r.n)]),
    );
    for (const v of verdicts) {
      const minute = firstMinute + v.index;
      const devices = devs.get(minute) ?? 0;
      storms.push({ minute: isoUtc(minute * US.minute), dialogues: v.count, ratio: v.ratio, median: v.median, devices, devices_share: ratio(devices, devTotal) });
    }
  }

  // ---- latency (t-digest per protocol × procedure × partner)
  const latency: ReportModel['latency'] = (
    await q<{ protocol: string; procedure: string; partner: string; n: string; p: number[] }>(
      'latency',
      `SELECT protocol, procedure, partner, sum(tdigest_count(latency)) AS n, tdigest_percentile(latency, ARRAY[0.5, 0.95, 0.99]) AS p FROM (
         SELECT protocol, coalesce(procedure, '(unknown)') AS procedure, ${R.partner} AS partner, latency FROM ${DR} x WHERE latency IS NOT NULL) y
       GROUP BY 1, 2, 3`,
    )
  )
    .filter((r) => num(r.n) > 0)
    .map((r) => ({ protocol: r.protocol, procedure: r.procedure, partner: r.partner, dialogues: num(r.n), p50_ms: r.p[0], p95_ms: r.p[1], p99_ms: r.p[2] }))
    .sort((a, b) => b.dialogues - a.dialogues || a.protocol.localeCompare(b.protocol) || a.procedure.localeCompare(b.procedure) || a.partner.localeCompare(b.partner));
  await c.query('DROP TABLE IF EXISTS pg_temp.dr_edge, pg_temp.mr_edge, pg_temp.tr_edge, pg_temp.dd_edge');

  const nHours = Math.floor((periodTo - 1) / HOUR) - Math.floor(periodFrom / HOUR) + 1;
  return {
    version: 1,
    generated_at: new Date().toISOString(),
    source: 'central',
    distinct: 'hll',
    files: [],
    site: site ?? null,
    period: { from: isoUtc(periodFrom), to: isoUtc(periodTo), from_us: periodFrom, to_us: periodTo, minutes: nMinutes, hours: nHours },
    parameters: { sor_window_s: sorWindowS, storm_k: k, storm_window_min: DEFAULTS.stormWindowMinutes, storm_warmup_min: DEFAULTS.stormWarmupMinutes, customers },
    records,
    summary: {
      devices: devTotal,
      dialogues: records.dialogues,
      failed: num(totals.failed),
      error_rate: ratio(num(totals.failed), records.dialogues),
      tunnels: records.tunnels,
      lu_attempts: luSum.lu_attempts,
      lu_devices: luSum.lu_devices,
      storm_minutes: verdicts.length,
    },
    traffic,
    records_per_device: rpd,
    devices: devicesPerDay,
    devices_per_protocol: devicesPerProtocol,
    inbound_outbound: inOut,
    matrix,
    matrix_summary: {
      devices: luSum.lu_devices,
      unknown_devices: luSum.unknown_devices,
      domestic_devices: luSum.domestic_devices,
      domestic_share: ratio(luSum.domestic_devices, luSum.known_home_devices),
    },
    errors,
    error_rates: errorRates,
    sor,
    data_sessions: {
      creates: records.tunnels,
      accepted: num(tunTotals.accepted),
      success_rate: ratio(num(tunTotals.accepted), records.tunnels),
      setup_delay_ms: setupDelay,
      duration_s: duration,
      bytes_per_session: bytesPer,
      packets_up: num(tunTotals.packets_up),
      packets_down: num(tunTotals.packets_down),
      bytes_up: num(tunTotals.bytes_up),
      bytes_down: num(tunTotals.bytes_down),
      by_partner_apn: byPartnerApn,
      duration_histogram: durationHistogram,
      bytes_histogram: bytesHistogram,
      ends,
    },
    silent_roamers: silent,
    silent_roamers_unknown: silentUnknown,
    zero_byte_tunnels: zeroBytes,
    per_minute: counts.map((n, i) => ({ minute: isoUtc((firstMinute + i) * US.minute), dialogues: n, median: medians[i] as number | null })),
    storms,
    storm_summary: {
      minutes: nMinutes,
      storm_minutes: verdicts.length,
      error_rate_inside: ratio(inF, inN),
      error_rate_outside: ratio(outF, outN),
      periodicity,
    },
    latency,
    central: info,
  };
}
