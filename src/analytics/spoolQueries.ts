/**
 * The report's SQL over one or more spool files (SQLite). The first file is opened read-only and
 * the others are ATTACHed to it (an attached file takes the connection's read-only flag), so one
 * query sees the union of all files and distinct device counts stay exact across files.
 * The predicates come from definitions.ts (`sql('sqlite')`); only the FROM clause and a few
 * functions are SQLite's own.
 */
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { SigprobeError } from '../config/errors';
import { checkSpoolPath, checkSpoolSchema, describeSqliteError, type SpoolNeeds } from '../spool/readSpool';
import { sql as defSql, US } from './definitions';

/** Error code of bad report input (missing / locked / foreign / old spool, empty period): exit 2. */
export const E_REPORT_INPUT = 'E_REPORT_INPUT';

/** The spool schema version whose columns the report reads (migration 4: countries, user-plane counters). */
export const REPORT_SCHEMA_VERSION = 4;
const NEEDED: Readonly<Record<'dialogues' | 'tunnels', readonly string[]>> = {
  dialogues: ['protocol', 'procedure', 'status', 'result_code', 'result_name', 'result_source', 'req_time_us', 'latency_us', 'imsi',
    'home_mcc', 'home_mnc', 'visited_mcc', 'visited_mnc', 'home_country', 'visited_country', 'visited_operator', 'site'],
  tunnels: ['imsi', 'apn', 'create_time_us', 'setup_delay_us', 'duration_us', 'delete_cause', 'end_reason', 'create_cause', 'protocol',
    'home_mcc', 'home_mnc', 'visited_mcc', 'visited_mnc', 'home_country', 'visited_country', 'visited_operator', 'site',
    'packets_up', 'packets_down', 'bytes_up', 'bytes_down'],
};
const NEEDS: SpoolNeeds = { code: E_REPORT_INPUT, reader: 'the report', version: REPORT_SCHEMA_VERSION, columns: NEEDED };
/** SQLite's default SQLITE_MAX_ATTACHED (10) plus the main file. */
export const MAX_SPOOL_FILES = 11;

export interface SpoolSet {
  db: Db;
  /** schema names: 'main', 's1', ... */
  schemas: string[];
  files: string[];
  close(): void;
}

function inputError(msg: string): SigprobeError {
  return new SigprobeError(E_REPORT_INPUT, msg);
}

/** Opens and checks the spool files (read-only); throws E_REPORT_INPUT with one clear line. */
export function openSpools(files: readonly string[]): SpoolSet {
  if (files.length === 0) throw inputError('no spool file given (--spool spool.db)');
  if (files.length > MAX_SPOOL_FILES) throw inputError(`at most ${MAX_SPOOL_FILES} spool files per report, got ${files.length}`);
  // checked first: ATTACH of a missing path would create an empty database
  for (const f of files) checkSpoolPath(f, NEEDS);
  let db: Db;
  try {
    db = new Database(files[0], { readonly: true, fileMustExist: true });
  } catch (e) {
    throw inputError(`cannot open spool ${files[0]}: ${(e as Error).message}`);
  }
  const schemas = ['main'];
  try {
    // A locked spool answers SQLITE_BUSY after this long instead of making the report hang.
    db.pragma('busy_timeout = 2000');
    // Bounded memory: 64 MiB of page cache per schema (the sorter's memory follows it); temp
    // tables and big sorts spill to temp files.
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = FILE');
    // the big GROUP BYs sort with a helper thread
    db.pragma('threads = 2');
    for (let i = 1; i < files.length; i++) {
      const name = `s${i}`;
      db.prepare(`ATTACH DATABASE ? AS ${name}`).run(files[i]);
      schemas.push(name);
    }
    for (let i = 0; i < files.length; i++) checkSpoolSchema(db, schemas[i], files[i], NEEDS);
  } catch (e) {
    db.close();
    if (e instanceof SigprobeError) throw e;
    throw inputError(describeSqliteError(e as Error & { code?: string }, files.join(', ')));
  }
  return { db, schemas, files: [...files], close: () => db.close() };
}

export { describeSqliteError };

export interface Filter {
  fromUs: number;
  toUs: number;
  site?: string;
  /**
   * The period covers every record of the files: filter with `+col` (no index) so that SQLite
   * reads the table sequentially instead of going through the time index row by row.
   */
  scan?: boolean;
  /** bounded further by the parameters @lo ≤ time < @hi (one hour of a streamed pass) */
  range?: boolean;
}

/**
 * The rows of `table` in the period (and site), as a UNION ALL over the files with the filter
 * inside every branch (so that each file's time index is used).
 */
export function source(set: SpoolSet, table: 'dialogues' | 'tunnels', cols: string, f: Filter): string {
  const time = table === 'dialogues' ? 'req_time_us' : 'create_time_us';
  const tc = f.scan === true ? `+${time}` : time;
  const where =
    (f.range === true ? `${time} >= @lo AND ${time} < @hi` : `${tc} >= ${Math.trunc(f.fromUs)} AND ${tc} < ${Math.trunc(f.toUs)}`) +
    (f.site !== undefined ? ' AND site = @site' : '');
  const branches = set.schemas.map((s) => `SELECT ${cols} FROM ${s}.${table} WHERE ${where}`);
  return branches.length === 1 ? `(${branches[0]})` : `(${branches.join(' UNION ALL ')})`;
}

/** The time span of the records (dialogues by request, tunnels by Create) in the files, for the default period. */
export function spanSql(set: SpoolSet, site: string | undefined): string {
  const w = site !== undefined ? ' WHERE site = @site' : '';
  const parts = set.schemas.flatMap((s) => [
    `SELECT min(req_time_us) lo, max(req_time_us) hi FROM ${s}.dialogues${w}`,
    `SELECT min(create_time_us) lo, max(create_time_us) hi FROM ${s}.tunnels${w}`,
  ]);
  return `SELECT min(lo) lo, max(hi) hi FROM (${parts.join(' UNION ALL ')})`;
}

const D = defSql('sqlite');

/** The statements of the report, over the period's rows. */
export function reportSql(set: SpoolSet, f: Filter, sorWindowUs: number) {
  const dAll = (cols: string) => source(set, 'dialogues', cols, f);
  const tAll = (cols: string) => source(set, 'tunnels', cols, f);
  return {
    /**
     * The period's dialogues hour by hour (@lo ≤ request time < @hi, through the time index), the
     * result already filed by the definition: streamed once for traffic, errors, error rates,
     * per-minute counts, devices and records per device. (SQLite has no hash aggregation: each
     * GROUP BY over N rows sorts N rows; one streamed pass with small per-hour maps is ~3× cheaper.)
     */
    hourRows: `SELECT req_time_us, protocol, coalesce(procedure, '(unknown)') AS procedure,
        CASE WHEN ${D.isOk} THEN NULL ELSE ${D.result} END AS result, imsi
      FROM ${source(set, 'dialogues', 'protocol, procedure, status, result_code, result_name, req_time_us, imsi', { ...f, scan: false, range: true })}`,
    /** devices signalling in one minute (storm minutes only: through the time index) */
    minuteDevices: (minute: number) =>
      `SELECT count(DISTINCT imsi) AS devices FROM ${source(set, 'dialogues', 'imsi', {
        ...f,
        scan: false,
        fromUs: Math.max(f.fromUs, minute * US.minute),
        toUs: Math.min(f.toUs, (minute + 1) * US.minute),
      })} WHERE imsi IS NOT NULL`,
    /** inbound / outbound devices per day (only with --customers): `cust` is a temp table of MCC-MNC */
    inOut: `SELECT ${D.bucket('req_time_us', 'day')} AS day,
        count(DISTINCT CASE WHEN hn IN (SELECT plmn FROM cust) AND vn IS NOT NULL AND vn <> hn AND vn NOT IN (SELECT plmn FROM cust) THEN imsi END) AS outbound,
        count(DISTINCT CASE WHEN hn NOT IN (SELECT plmn FROM cust) AND vn IN (SELECT plmn FROM cust) THEN imsi END) AS inbound
      FROM (SELECT req_time_us, imsi, home_mcc || '-' || home_mnc AS hn, ${D.visitedNetwork} AS vn
            FROM ${dAll('req_time_us, imsi, home_mcc, home_mnc, visited_mcc, visited_mnc')} WHERE imsi IS NOT NULL)
      GROUP BY 1 ORDER BY 1`,
    /** the period's location updates (temp table "lu") */
    lu: `CREATE TEMP TABLE lu AS SELECT imsi, req_time_us AS t, (${D.isOk}) AS ok, (${D.isRna}) AS rna,
        home_country AS hc, visited_country AS vc, ${D.visitedNetwork} AS vn
      FROM ${dAll('protocol, procedure, status, result_code, result_source, req_time_us, imsi, home_country, visited_country, visited_mcc, visited_mnc')}
      WHERE ${D.isLu} AND imsi IS NOT NULL`,
    luIndex: `CREATE INDEX temp.lu_dev ON lu (imsi, t)`,
    matrix: `SELECT hc, vc, count(DISTINCT imsi) AS devices FROM lu WHERE ok AND hc IS NOT NULL AND vc IS NOT NULL GROUP BY 1, 2`,
    homeDevices: `SELECT hc, count(DISTINCT imsi) AS devices FROM lu WHERE ok AND hc IS NOT NULL GROUP BY 1`,
    luSummary: `SELECT count(DISTINCT CASE WHEN ok THEN imsi END) AS lu_devices,
        count(DISTINCT CASE WHEN ok AND (hc IS NULL OR vc IS NULL) THEN imsi END) AS unknown_devices,
        count(DISTINCT CASE WHEN ok AND hc IS NOT NULL THEN imsi END) AS known_home_devices,
        count(DISTINCT CASE WHEN ok AND hc = vc THEN imsi END) AS domestic_devices,
        count(*) AS lu_attempts, sum(ok) AS lu_ok, sum(rna) AS rna_attempts FROM lu`,
    sor: `SELECT hc, vc, count(DISTINCT imsi) AS devices, count(DISTINCT CASE WHEN rna THEN imsi END) AS devices_rna
      FROM lu WHERE hc IS NOT NULL AND vc IS NOT NULL GROUP BY 1, 2`,
    steered: `SELECT r.hc, r.vc, count(DISTINCT r.imsi) AS steered FROM lu r
      WHERE r.rna AND r.vn IS NOT NULL AND r.hc IS NOT NULL AND r.vc IS NOT NULL AND EXISTS (
        SELECT 1 FROM lu s WHERE s.imsi = r.imsi AND s.t >= r.t AND s.t <= r.t + ${Math.trunc(sorWindowUs)}
          AND s.ok AND s.vn IS NOT NULL AND s.vn <> r.vn)
      GROUP BY 1, 2`,
    /** devices with an accepted tunnel created in the period (temp table "tdev") */
    tunnelDevices: `CREATE TEMP TABLE tdev AS SELECT DISTINCT imsi FROM ${tAll('imsi, end_reason')} WHERE imsi IS NOT NULL AND ${D.isAccepted}`,
    tunnelDevicesIndex: `CREATE UNIQUE INDEX temp.tdev_imsi ON tdev (imsi)`,
    silent: `SELECT hc, vc, count(*) AS devices FROM (
        SELECT imsi, hc, vc, row_number() OVER (PARTITION BY imsi ORDER BY t DESC, hc, vc) AS rk FROM lu WHERE ok)
      WHERE rk = 1 AND imsi NOT IN (SELECT imsi FROM tdev) GROUP BY 1, 2`,
    /** latency per protocol × procedure × partner: (value, count) runs in order, percentiles in JS */
    latency: `SELECT protocol, coalesce(procedure, '(unknown)') AS procedure, ${D.partner} AS partner, latency_us, count(*) AS n
      FROM ${dAll('protocol, procedure, latency_us, visited_operator, visited_mcc, visited_mnc, visited_country')}
      WHERE latency_us IS NOT NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    // ---- data sessions (tunnels)
    tunnelTotals: `SELECT count(*) AS creates, coalesce(sum(${D.isAccepted}), 0) AS accepted,
        coalesce(sum(packets_up), 0) AS packets_up, coalesce(sum(packets_down), 0) AS packets_down,
        coalesce(sum(bytes_up), 0) AS bytes_up, coalesce(sum(bytes_down), 0) AS bytes_down
      FROM ${tAll('end_reason, packets_up, packets_down, bytes_up, bytes_down')}`,
    /** nearest-rank percentiles of an accepted tunnels' column: value runs in order */
    tunnelValues: (expr: string) => `SELECT ${expr} AS v, count(*) AS n
      FROM ${tAll('end_reason, setup_delay_us, duration_us, bytes_up, bytes_down')} WHERE ${D.isAccepted} AND ${expr} IS NOT NULL GROUP BY 1 ORDER BY 1`,
    tunnelByPartnerApn: `SELECT ${D.partner} AS partner, coalesce(apn, '(none)') AS apn, count(*) AS creates, sum(${D.isAccepted}) AS accepted
      FROM ${tAll('apn, end_reason, visited_operator, visited_mcc, visited_mnc, visited_country')} GROUP BY 1, 2 ORDER BY creates DESC, 1, 2`,
    tunnelEnds: `SELECT protocol, end_reason, delete_cause, count(*) AS n
      FROM ${tAll('protocol, end_reason, delete_cause')} GROUP BY 1, 2, 3 ORDER BY n DESC, 1, 2, 3`,
    zeroBytes: `SELECT home_country AS hc, visited_country AS vc, count(*) AS tunnels
      FROM ${tAll('end_reason, bytes_up, bytes_down, home_country, visited_country')}
      WHERE ${D.isAccepted} AND ${D.isZeroBytes} GROUP BY 1, 2`,
    records: `SELECT (SELECT count(*) FROM ${dAll('id')}) AS dialogues, (SELECT count(*) FROM ${tAll('id')}) AS tunnels`,
  };
}
