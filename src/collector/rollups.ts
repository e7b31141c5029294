/**
 * Central rollups (issue 13, collector migration 4), maintained by the collector in the
 * transaction that stores a batch, from the rows that transaction really inserted, so a
 * redelivered, overlapping or re-queued batch adds nothing twice:
 *
 *  rollup_dialogues_hourly  hour × site × protocol × procedure × status × result (code, name,
 *                           source) × home country × visited country / operator / MCC / MNC:
 *                           dialogues, latency (t-digest, ms), devices (HyperLogLog of pseudonyms)
 *  rollup_dialogues_minute  minute × site × protocol: dialogues, failed, devices (storms)
 *  rollup_tunnels_hourly    hour × site × protocol × home / visited country, operator, MCC, MNC ×
 *                           APN × end reason × delete cause: creates, accepted, zero-byte,
 *                           setup-delay and duration digests, bytes and packets up/down, the
 *                           report's duration and bytes histograms (exact), devices (HLL)
 *  device_day               UTC day × site × device × home / visited country × visited network:
 *                           dialogues, LU attempts / successes / Roaming-Not-Allowed, the request
 *                           times of the RNAs and successful LUs, accepted tunnels — the exact
 *                           device-level state of the roaming matrix, steering of roaming, silent
 *                           roamers and inbound/outbound
 *  raw_dropped_days         the days retention dropped the raw partitions of (rollups only)
 *
 * Only dialogues with a request time are rolled up (the report's period is by request time).
 *
 * "Rows this transaction inserted": the record table's rows of the batch's probe, spool file and
 * id range whose stored_at is now() (the transaction's start time, the column's default). The
 * COPY path inserts every row of the batch; the ON CONFLICT DO NOTHING path only the new ones —
 * the rows stored before carry an earlier stored_at. (Two collectors storing the same batch in
 * transactions that started in the same microsecond would both count it: not seen in practice.)
 *
 * The definitions (LU, RNA, failed, accepted tunnel, zero bytes, visited network) are those of
 * src/analytics/definitions.ts, used here through its SQL fragments.
 *
 * Hours and days are UTC (date_trunc(..., 'UTC')), whatever the session's TimeZone.
 */
import { escapeIdentifier, type Pool, type PoolClient } from 'pg';
import { sql as definitionSql } from '../analytics/definitions';
import { SigprobeError } from '../config/errors';
import type { BatchHeader, ShipTable } from '../ship/batch';

/** The PostgreSQL extensions the rollups need, with the Debian package that installs each. */
export const REQUIRED_EXTENSIONS: readonly (readonly [name: string, deb: string])[] = [
  ['hll', 'postgresql-15-hll'],
  ['tdigest', 'postgresql-15-tdigest'],
];

/** The one line the collector refuses to start with when an extension is not available. */
export function missingExtensionMessage(name: string, deb: string): string {
  return `PostgreSQL extension ${name} is not installed (apt-get install ${deb})`;
}

/**
 * Throws SigprobeError (E_CONFIG: exit 2) when one of `exts` is neither created in the database
 * nor available to create (its package is not installed on the PostgreSQL host).
 */
export async function checkExtensions(c: Pick<PoolClient, 'query'>, exts: readonly (readonly [string, string])[] = REQUIRED_EXTENSIONS): Promise<void> {
  const r = await c.query('SELECT name FROM pg_available_extensions WHERE name = ANY($1::text[])', [exts.map(([n]) => n)]);
  const have = new Set((r.rows as { name: string }[]).map((x) => x.name));
  for (const [name, deb] of exts) if (!have.has(name)) throw new SigprobeError('E_CONFIG', missingExtensionMessage(name, deb));
}

/** The message when the collector's role may not CREATE EXTENSION (hll and tdigest are not trusted extensions). */
export function extensionPrivilegeMessage(database: string): string {
  return `PostgreSQL extensions hll and tdigest must be created by a superuser first: sudo -u postgres psql ${database} -c 'CREATE EXTENSION IF NOT EXISTS hll; CREATE EXTENSION IF NOT EXISTS tdigest'`;
}

/** The definitions' SQL over the record table aliased d. */
const D = definitionSql('postgres', 'd.');

/** Rollup key columns (each table has UNIQUE NULLS NOT DISTINCT over its key: the upserts' conflict target). */
export const DIALOGUE_KEY = ['hour', 'site', 'protocol', 'procedure', 'status', 'result_code', 'result_name', 'result_source',
  'home_country', 'visited_country', 'visited_operator', 'visited_mcc', 'visited_mnc'] as const;
export const MINUTE_KEY = ['minute', 'site', 'protocol'] as const;
export const TUNNEL_KEY = ['hour', 'site', 'protocol', 'home_country', 'visited_country', 'visited_operator', 'visited_mcc', 'visited_mnc',
  'apn', 'end_reason', 'delete_cause'] as const;
export const DEVICE_KEY = ['day', 'site', 'imsi', 'home_country', 'visited_country', 'visited_network'] as const;

/** Histogram buckets of accepted tunnels (the report's: src/analytics/compute.ts), [column, lower bound, upper bound). */
export const DURATION_BUCKETS: readonly (readonly [string, number, number])[] = [
  ['dur_lt_1m', -Infinity, 60e6], ['dur_1_10m', 60e6, 600e6], ['dur_10_60m', 600e6, 3600e6],
  ['dur_1_6h', 3600e6, 21600e6], ['dur_6_24h', 21600e6, 86400e6], ['dur_ge_24h', 86400e6, Infinity],
];
export const BYTES_BUCKETS: readonly (readonly [string, number, number])[] = [
  ['bytes_0', -Infinity, 1], ['bytes_lt_1k', 1, 1e3], ['bytes_1k_10k', 1e3, 1e4], ['bytes_10k_100k', 1e4, 1e5],
  ['bytes_100k_1m', 1e5, 1e6], ['bytes_1m_10m', 1e6, 1e7], ['bytes_ge_10m', 1e7, Infinity],
];

/**
 * Rollup rows are updated in place by every batch that touches their group: with room left in
 * their pages (fillfactor) the update is HOT (no key column changes), so the unique index is not
 * written again for each new version.
 */
const FILLFACTOR = 70;

/** The DDL of the rollup tables (collector migration 4). */
export const ROLLUP_DDL = `
CREATE EXTENSION IF NOT EXISTS hll;
CREATE EXTENSION IF NOT EXISTS tdigest;
-- Dialogues with a request time (the report's period is by request time), per UTC hour of it.
CREATE TABLE {s}.rollup_dialogues_hourly (
  hour timestamptz NOT NULL, site text NOT NULL, protocol text NOT NULL, procedure text, status text NOT NULL,
  result_code bigint, result_name text, result_source text,
  home_country text, visited_country text, visited_operator text, visited_mcc text, visited_mnc text,
  dialogues bigint NOT NULL,
  latency tdigest,                 -- latency_us / 1000 (ms), compression 100; NULL: no latency in the group
  devices hll NOT NULL,            -- hll_hash_text(imsi), default parameters (log2m 11, regwidth 5)
  UNIQUE NULLS NOT DISTINCT (${DIALOGUE_KEY.join(', ')})
) WITH (fillfactor = ${FILLFACTOR});
-- Per minute (storms): dialogues, failed (status <> 'ok'), devices.
CREATE TABLE {s}.rollup_dialogues_minute (
  minute timestamptz NOT NULL, site text NOT NULL, protocol text NOT NULL,
  dialogues bigint NOT NULL, failed bigint NOT NULL, devices hll NOT NULL,
  UNIQUE NULLS NOT DISTINCT (${MINUTE_KEY.join(', ')})
) WITH (fillfactor = ${FILLFACTOR});
-- Tunnels per UTC hour of their Create.
CREATE TABLE {s}.rollup_tunnels_hourly (
  hour timestamptz NOT NULL, site text NOT NULL, protocol text NOT NULL,
  home_country text, visited_country text, visited_operator text, visited_mcc text, visited_mnc text, apn text,
  end_reason text NOT NULL, delete_cause bigint,
  creates bigint NOT NULL, accepted bigint NOT NULL, accepted_zero_bytes bigint NOT NULL,
  setup_delay tdigest,             -- accepted tunnels' setup_delay_us / 1000 (ms)
  duration tdigest,                -- accepted tunnels' duration_us / 1e6 (s)
  bytes_up bigint NOT NULL, bytes_down bigint NOT NULL, packets_up bigint NOT NULL, packets_down bigint NOT NULL,
  ${[...DURATION_BUCKETS, ...BYTES_BUCKETS].map(([c]) => `${c} bigint NOT NULL`).join(', ')},
  devices hll NOT NULL,
  UNIQUE NULLS NOT DISTINCT (${TUNNEL_KEY.join(', ')})
) WITH (fillfactor = ${FILLFACTOR});
-- One row per UTC day, site, device (pseudonym) and home country / visited country / visited
-- network (mcc-mnc, NULL unless both known) of its dialogues (with a request time) and tunnels.
CREATE TABLE {s}.device_day (
  day date NOT NULL, site text NOT NULL, imsi text NOT NULL,
  home_country text, visited_country text, visited_network text,
  home_network text,               -- home_mcc-home_mnc (max over the rows)
  dialogues integer NOT NULL,
  lu integer NOT NULL,             -- location update attempts (any outcome)
  lu_ok integer NOT NULL,          -- successful
  rna integer NOT NULL,            -- Roaming-Not-Allowed answers
  rna_us bigint[],                 -- request times (µs) of the RNAs (unordered; NULL: none)
  ok_us bigint[],                  -- request times (µs) of the successful LUs (unordered; NULL: none)
  ok_last_us bigint,               -- max(ok_us)
  tunnels_accepted integer NOT NULL,
  UNIQUE NULLS NOT DISTINCT (${DEVICE_KEY.join(', ')})
) WITH (fillfactor = ${FILLFACTOR});
-- The UTC days whose raw partitions retention dropped: served from the rollups only.
CREATE TABLE {s}.raw_dropped_days (
  day date PRIMARY KEY,
  dropped_at timestamptz NOT NULL DEFAULT now()
);
`;

/** Only dialogues with a request time are rolled up (the report's period is by request time). */
const DIALOGUE_FILTER = 'd.req_time_us IS NOT NULL';

/**
 * GROUP BY the first n columns (the key), in key order: concurrent batches (several collectors)
 * then lock the rollup rows they update in the same order, and never deadlock on them.
 */
function groupOrder(n: number): string {
  const cols = Array.from({ length: n }, (_, i) => i + 1).join(', ');
  return `GROUP BY ${cols} ORDER BY ${cols}`;
}

/** SELECT list + GROUP BY of the dialogue rollup over the rows `from` (a FROM ... WHERE clause, alias d). */
function dialogueRollupSelect(from: string): string {
  return (
    `SELECT date_trunc('hour', d.ts, 'UTC'), d.site, d.protocol, d.procedure, d.status, d.result_code, d.result_name, d.result_source, ` +
    `d.home_country, d.visited_country, d.visited_operator, d.visited_mcc, d.visited_mnc, ` +
    `count(*), tdigest((d.latency_us / 1000.0)::float8, 100), coalesce(hll_add_agg(hll_hash_text(d.imsi)), hll_empty()) ` +
    `${from} AND ${DIALOGUE_FILTER} ${groupOrder(DIALOGUE_KEY.length)}`
  );
}

function minuteRollupSelect(from: string): string {
  return (
    `SELECT date_trunc('minute', d.ts, 'UTC'), d.site, d.protocol, count(*), count(*) FILTER (WHERE ${D.isFailed}), ` +
    `coalesce(hll_add_agg(hll_hash_text(d.imsi)), hll_empty()) ${from} AND ${DIALOGUE_FILTER} ${groupOrder(MINUTE_KEY.length)}`
  );
}

function bucketSql(col: string, lo: number, hi: number): string {
  const c = [`${col} IS NOT NULL`];
  if (lo !== -Infinity) c.push(`${col} >= ${lo}`);
  if (hi !== Infinity) c.push(`${col} < ${hi}`);
  return `count(*) FILTER (WHERE ${D.isAccepted} AND ${c.join(' AND ')})`;
}

function tunnelRollupSelect(from: string): string {
  const acc = D.isAccepted;
  return (
    `SELECT date_trunc('hour', d.ts, 'UTC'), d.site, d.protocol, d.home_country, d.visited_country, d.visited_operator, d.visited_mcc, d.visited_mnc, ` +
    `d.apn, d.end_reason, d.delete_cause, ` +
    `count(*), count(*) FILTER (WHERE ${acc}), count(*) FILTER (WHERE ${acc} AND ${D.isZeroBytes}), ` +
    `tdigest((d.setup_delay_us / 1000.0)::float8, 100) FILTER (WHERE ${acc}), tdigest((d.duration_us / 1e6)::float8, 100) FILTER (WHERE ${acc}), ` +
    `sum(d.bytes_up), sum(d.bytes_down), sum(d.packets_up), sum(d.packets_down), ` +
    `${DURATION_BUCKETS.map(([, lo, hi]) => bucketSql('d.duration_us', lo, hi)).join(', ')}, ` +
    `${BYTES_BUCKETS.map(([, lo, hi]) => bucketSql('(d.bytes_up + d.bytes_down)', lo, hi)).join(', ')}, ` +
    `coalesce(hll_add_agg(hll_hash_text(d.imsi)), hll_empty()) ` +
    `${from} ${groupOrder(TUNNEL_KEY.length)}`
  );
}

/** device_day rows from dialogues (with a request time) or tunnels (accepted ones counted), over `from` (alias d). */
function deviceDaySelect(table: ShipTable, from: string): string {
  const day = `(d.ts AT TIME ZONE 'UTC')::date`;
  const keys = `${day}, d.site, d.imsi, d.home_country, d.visited_country, ${D.visitedNetwork}, max(d.home_mcc || '-' || d.home_mnc)`;
  if (table === 'tunnels') {
    return (
      `SELECT ${keys}, 0, 0, 0, 0, NULL::bigint[], NULL::bigint[], NULL::bigint, count(*) FILTER (WHERE ${D.isAccepted})::int ` +
      `${from} AND d.imsi IS NOT NULL ${groupOrder(DEVICE_KEY.length)}`
    );
  }
  const lu = D.isLu;
  const ok = `${lu} AND ${D.isOk}`;
  const rna = `${lu} AND ${D.isRna}`;
  return (
    `SELECT ${keys}, count(*), count(*) FILTER (WHERE ${lu}), count(*) FILTER (WHERE ${ok}), count(*) FILTER (WHERE ${rna}), ` +
    `array_agg(d.req_time_us) FILTER (WHERE ${rna}), array_agg(d.req_time_us) FILTER (WHERE ${ok}), max(d.req_time_us) FILTER (WHERE ${ok}), 0 ` +
    `${from} AND d.imsi IS NOT NULL AND ${DIALOGUE_FILTER} ${groupOrder(DEVICE_KEY.length)}`
  );
}

type RollupTable = 'dialogues' | 'minute' | 'tunnels' | 'device_day';

function upsert(s: string, kind: RollupTable, select: string): string {
  const sum = (c: string) => `${c} = r.${c} + excluded.${c}`;
  const onConflict = (key: readonly string[], set: string[]) => `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${set.join(', ')}`;
  if (kind === 'dialogues') {
    return (
      `INSERT INTO ${s}.rollup_dialogues_hourly AS r (${DIALOGUE_KEY.join(', ')}, dialogues, latency, devices) ${select} ` +
      onConflict(DIALOGUE_KEY, [sum('dialogues'), 'latency = tdigest_union(r.latency, excluded.latency)', 'devices = hll_union(r.devices, excluded.devices)'])
    );
  }
  if (kind === 'minute') {
    return (
      `INSERT INTO ${s}.rollup_dialogues_minute AS r (${MINUTE_KEY.join(', ')}, dialogues, failed, devices) ${select} ` +
      onConflict(MINUTE_KEY, [sum('dialogues'), sum('failed'), 'devices = hll_union(r.devices, excluded.devices)'])
    );
  }
  if (kind === 'tunnels') {
    const counters = ['creates', 'accepted', 'accepted_zero_bytes', 'bytes_up', 'bytes_down', 'packets_up', 'packets_down'];
    const buckets = [...DURATION_BUCKETS, ...BYTES_BUCKETS].map(([c]) => c);
    return (
      `INSERT INTO ${s}.rollup_tunnels_hourly AS r (${TUNNEL_KEY.join(', ')}, creates, accepted, accepted_zero_bytes, setup_delay, duration, ` +
      `bytes_up, bytes_down, packets_up, packets_down, ${buckets.join(', ')}, devices) ${select} ` +
      onConflict(TUNNEL_KEY, [
        ...[...counters, ...buckets].map(sum),
        'setup_delay = tdigest_union(r.setup_delay, excluded.setup_delay)', 'duration = tdigest_union(r.duration, excluded.duration)',
        'devices = hll_union(r.devices, excluded.devices)',
      ])
    );
  }
  return (
    `INSERT INTO ${s}.device_day AS r (${DEVICE_KEY.join(', ')}, home_network, dialogues, lu, lu_ok, rna, rna_us, ok_us, ok_last_us, tunnels_accepted) ${select} ` +
    onConflict(DEVICE_KEY, [
      'home_network = coalesce(r.home_network, excluded.home_network)', sum('dialogues'), sum('lu'), sum('lu_ok'), sum('rna'),
      'rna_us = r.rna_us || excluded.rna_us', 'ok_us = r.ok_us || excluded.ok_us', 'ok_last_us = greatest(r.ok_last_us, excluded.ok_last_us)',
      sum('tunnels_accepted'),
    ])
  );
}

/** The statements that fold a stored batch into the rollups ($1 probe, $2 spool_no, $3/$4 id range, $5/$6 ts range). */
export class RollupSql {
  /**
   * Per table, one statement: the batch's new rows read once (a MATERIALIZED CTE over the primary
   * key's id range) and folded into every rollup table by data-modifying CTEs — one index scan
   * of the batch instead of one per rollup table.
   */
  readonly batch: Record<ShipTable, readonly string[]>;
  constructor(schema: string) {
    const s = escapeIdentifier(schema);
    const rows = (t: ShipTable) =>
      `WITH b AS MATERIALIZED (SELECT * FROM ${s}.${t} d WHERE d.probe_id = $1 AND d.spool_no = $2 AND d.record_id BETWEEN $3 AND $4 ` +
      `AND d.ts >= $5 AND d.ts < $6 AND d.stored_at = now())`;
    const from = 'FROM b d WHERE true';
    const combine = (t: ShipTable, stmts: string[]) =>
      `${rows(t)}, ${stmts.slice(0, -1).map((x, i) => `u${i} AS (${x})`).join(', ')} ${stmts[stmts.length - 1]}`;
    this.batch = {
      dialogues: [combine('dialogues', [upsert(s, 'dialogues', dialogueRollupSelect(from)), upsert(s, 'minute', minuteRollupSelect(from)), upsert(s, 'device_day', deviceDaySelect('dialogues', from))])],
      tunnels: [combine('tunnels', [upsert(s, 'tunnels', tunnelRollupSelect(from)), upsert(s, 'device_day', deviceDaySelect('tunnels', from))])],
    };
  }
}

/** Folds the rows the current transaction stored for batch `h` into the rollups (inside the batch's transaction). */
export async function applyBatchRollups(c: PoolClient, sql: RollupSql, schema: string, h: BatchHeader, spoolNo: number): Promise<void> {
  const lo = Math.min(...h.days);
  const hi = Math.max(...h.days) + 1;
  const values = [h.probe, spoolNo, h.first, h.last, new Date(lo * 86_400_000).toISOString(), new Date(hi * 86_400_000).toISOString()];
  const stmts = sql.batch[h.table];
  for (let i = 0; i < stmts.length; i++) await c.query({ name: `rollup_${h.table}_${i}_${schema}`, text: stmts[i], values });
}

export interface RebuildResult {
  /** day range rebuilt (ISO dates, [dayFrom, dayTo)) */
  dayFrom: string;
  dayTo: string;
  dialogueRows: number;
  minuteRows: number;
  tunnelRows: number;
  deviceDayRows: number;
}

const DAY_MS = 86_400_000;

/** The rollup tables, in the order rebuild and retention lock them. */
export const ROLLUP_TABLES = ['rollup_dialogues_hourly', 'rollup_dialogues_minute', 'rollup_tunnels_hourly', 'device_day'] as const;

/**
 * Recomputes the rollups of the UTC days that cover [fromMs, toMs) (whole days: device_day holds
 * one row per device and day) from the raw partitions, in one transaction: delete the days,
 * recompute. Idempotent. Refuses (E_USAGE) when a day of the range is served from the rollups
 * only (its raw partitions dropped by retention: rebuilding would erase it). The rollup tables
 * are locked (EXCLUSIVE: readers go on, batches wait) for the transaction, so a batch is folded
 * either into what is rebuilt (committed before) or on top of it (after).
 */
export async function rebuildRollups(pool: Pool, schema: string, fromMs: number, toMs: number): Promise<RebuildResult> {
  const s = escapeIdentifier(schema);
  const d0 = Math.floor(fromMs / DAY_MS) * DAY_MS;
  const d1 = Math.max(d0 + DAY_MS, Math.ceil(toMs / DAY_MS) * DAY_MS);
  const iso = (ms: number) => new Date(ms).toISOString();
  const c = await pool.connect();
  let failed: Error | undefined;
  const onError = (e: Error) => void (failed ??= e);
  c.on('error', onError);
  try {
    await c.query('BEGIN');
    await c.query(`LOCK TABLE ${ROLLUP_TABLES.map((t) => `${s}.${t}`).join(', ')}, ${s}.raw_dropped_days IN EXCLUSIVE MODE`);
    const range = [iso(d0), iso(d1)];
    const dropped = await c.query(
      `SELECT min(day)::text AS lo, max(day)::text AS hi, count(*)::int AS n FROM ${s}.raw_dropped_days WHERE day >= ($1::timestamptz AT TIME ZONE 'UTC')::date AND day < ($2::timestamptz AT TIME ZONE 'UTC')::date`,
      range,
    );
    const dr0 = dropped.rows[0] as { lo: string | null; hi: string | null; n: number };
    if (dr0.n > 0) {
      throw new SigprobeError('E_USAGE', `cannot rebuild rollups of ${dr0.lo}${dr0.hi !== dr0.lo ? `..${dr0.hi}` : ''}: raw records dropped by retention (${dr0.n} day(s) served from rollups only)`);
    }
    const byHour = (col: string) => `${col} >= $1 AND ${col} < $2`;
    for (const t of ['rollup_dialogues_hourly', 'rollup_tunnels_hourly'] as const) await c.query(`DELETE FROM ${s}.${t} WHERE ${byHour('hour')}`, range);
    await c.query(`DELETE FROM ${s}.rollup_dialogues_minute WHERE ${byHour('minute')}`, range);
    await c.query(`DELETE FROM ${s}.device_day WHERE day >= ($1::timestamptz AT TIME ZONE 'UTC')::date AND day < ($2::timestamptz AT TIME ZONE 'UTC')::date`, range);
    const raw = (t: ShipTable) => `FROM ${s}.${t} d WHERE d.ts >= $1 AND d.ts < $2`;
    const n = async (kind: RollupTable, select: string) => (await c.query(upsert(s, kind, select), range)).rowCount ?? 0;
    const dialogueRows = await n('dialogues', dialogueRollupSelect(raw('dialogues')));
    const minuteRows = await n('minute', minuteRollupSelect(raw('dialogues')));
    const tunnelRows = await n('tunnels', tunnelRollupSelect(raw('tunnels')));
    await n('device_day', deviceDaySelect('dialogues', raw('dialogues')));
    await n('device_day', deviceDaySelect('tunnels', raw('tunnels')));
    const dd = await c.query(`SELECT count(*)::int AS n FROM ${s}.device_day WHERE day >= ($1::timestamptz AT TIME ZONE 'UTC')::date AND day < ($2::timestamptz AT TIME ZONE 'UTC')::date`, range);
    await c.query('COMMIT');
    return { dayFrom: iso(d0).slice(0, 10), dayTo: iso(d1).slice(0, 10), dialogueRows, minuteRows, tunnelRows, deviceDayRows: dd.rows[0].n as number };
  } catch (e) {
    failed ??= e as Error;
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    if (failed === undefined || failed instanceof SigprobeError) c.removeListener('error', onError);
    c.release(failed instanceof SigprobeError ? undefined : failed);
  }
}
