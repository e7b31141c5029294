/**
 * Central rollups (issue 13), maintained by the collector in the transaction that stores a batch,
 * from the rows that transaction really inserted, so a redelivered or overlapping batch adds
 * nothing twice:
 *
 *  rollup_dialogues_hourly  hour × site × protocol × procedure × status × result_code ×
 *                           home_country × visited_country × visited_operator:
 *                           dialogues, latency (t-digest of latency in ms, compression 100),
 *                           devices (HyperLogLog of the IMSI pseudonyms)
 *  rollup_tunnels_hourly    hour × site × protocol × home_country × visited_country ×
 *                           visited_operator × apn: creates, accepted, accepted_zero_bytes,
 *                           setup_delay (t-digest, ms), duration (t-digest, s), bytes and packets
 *                           up/down, devices (HLL)
 *  device_day               day × device (pseudonym) × visited network (mcc||mnc, '' unknown):
 *                           LU attempts / successes / Roaming-Not-Allowed with their first/last
 *                           request times, accepted tunnels — the device-level state of steering
 *                           of roaming, silent roamers and the roaming matrix.
 *
 * "Rows this transaction inserted": the record table's rows of the batch's probe, spool file and
 * id range whose stored_at is now() (the transaction's start time, the column's default). The
 * COPY path inserts every row of the batch; the ON CONFLICT DO NOTHING path only the new ones —
 * the rows stored before carry an earlier stored_at. (Two collectors storing the same batch in
 * transactions that started in the same microsecond would both count it: not seen in practice.)
 *
 * The definitions (LU, RNA, accepted tunnel, visited network) are those of
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

/** Rollup key columns. */
const DIALOGUE_KEY = ['hour', 'site', 'protocol', 'procedure', 'status', 'result_code', 'home_country', 'visited_country', 'visited_operator'] as const;
const TUNNEL_KEY = ['hour', 'site', 'protocol', 'home_country', 'visited_country', 'visited_operator', 'apn'] as const;
const DEVICE_KEY = ['day', 'imsi', 'vnet'] as const;

/** The DDL of the rollup tables (collector migration 4). */
export const ROLLUP_DDL = `
CREATE EXTENSION IF NOT EXISTS hll;
CREATE EXTENSION IF NOT EXISTS tdigest;
CREATE TABLE {s}.rollup_dialogues_hourly (
  hour timestamptz NOT NULL, site text NOT NULL, protocol text NOT NULL, procedure text, status text NOT NULL,
  result_code bigint, home_country text, visited_country text, visited_operator text,
  dialogues bigint NOT NULL,
  latency tdigest,                 -- latency_us / 1000 (ms), compression 100; NULL: no latency in the group
  devices hll NOT NULL,            -- hll_hash_text(imsi), default parameters (log2m 11, regwidth 5)
  UNIQUE NULLS NOT DISTINCT (${DIALOGUE_KEY.join(', ')})
);
CREATE TABLE {s}.rollup_tunnels_hourly (
  hour timestamptz NOT NULL, site text NOT NULL, protocol text NOT NULL,
  home_country text, visited_country text, visited_operator text, apn text,
  creates bigint NOT NULL, accepted bigint NOT NULL, accepted_zero_bytes bigint NOT NULL,
  setup_delay tdigest,             -- accepted tunnels' setup_delay_us / 1000 (ms)
  duration tdigest,                -- duration_us / 1e6 (s)
  bytes_up bigint NOT NULL, bytes_down bigint NOT NULL, packets_up bigint NOT NULL, packets_down bigint NOT NULL,
  devices hll NOT NULL,
  UNIQUE NULLS NOT DISTINCT (${TUNNEL_KEY.join(', ')})
);
-- One row per device, UTC day and visited network (visited_mcc || visited_mnc, '' when unknown):
-- most devices stay on one network a day, so ~1 row per active device and day.
CREATE TABLE {s}.device_day (
  day date NOT NULL,
  imsi text NOT NULL,
  vnet text NOT NULL,
  home_country text,
  visited_country text,
  lu integer NOT NULL,             -- location update attempts (any outcome)
  lu_ok integer NOT NULL,          -- successful
  rna integer NOT NULL,            -- Roaming-Not-Allowed answers
  rna_first_us bigint,             -- request time (µs) of the first RNA
  ok_first_us bigint,              -- request times of the first and last successful LU
  ok_last_us bigint,
  tunnels_accepted integer NOT NULL,
  PRIMARY KEY (day, imsi, vnet)
);
`;

/** SELECT list + GROUP BY of the dialogue rollup over the rows `from` (a FROM ... WHERE clause, alias d). */
function dialogueRollupSelect(from: string): string {
  return (
    `SELECT date_trunc('hour', d.ts, 'UTC'), d.site, d.protocol, d.procedure, d.status, d.result_code, d.home_country, d.visited_country, d.visited_operator, ` +
    `count(*), tdigest((d.latency_us / 1000.0)::float8, 100), coalesce(hll_add_agg(hll_hash_text(d.imsi)), hll_empty()) ` +
    `${from} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9`
  );
}

function tunnelRollupSelect(from: string): string {
  const acc = D.isAccepted;
  return (
    `SELECT date_trunc('hour', d.ts, 'UTC'), d.site, d.protocol, d.home_country, d.visited_country, d.visited_operator, d.apn, ` +
    `count(*), count(*) FILTER (WHERE ${acc}), count(*) FILTER (WHERE ${acc} AND d.bytes_up + d.bytes_down = 0), ` +
    `tdigest((d.setup_delay_us / 1000.0)::float8, 100) FILTER (WHERE ${acc}), tdigest((d.duration_us / 1e6)::float8, 100), ` +
    `sum(d.bytes_up), sum(d.bytes_down), sum(d.packets_up), sum(d.packets_down), coalesce(hll_add_agg(hll_hash_text(d.imsi)), hll_empty()) ` +
    `${from} GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`
  );
}

/** device_day rows from dialogues (LU attempts) or tunnels (accepted), over `from` (alias d). */
function deviceDaySelect(table: ShipTable, from: string): string {
  const vnet = `coalesce(d.visited_mcc || d.visited_mnc, '')`;
  const day = `(d.ts AT TIME ZONE 'UTC')::date`;
  if (table === 'tunnels') {
    return (
      `SELECT ${day}, d.imsi, ${vnet}, max(d.home_country), max(d.visited_country), 0, 0, 0, NULL::bigint, NULL::bigint, NULL::bigint, count(*) ` +
      `${from} AND d.imsi IS NOT NULL AND ${D.isAccepted} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`
    );
  }
  const t = 'coalesce(d.req_time_us, d.rsp_time_us)';
  const ok = D.isOk;
  const rna = D.isRna;
  return (
    `SELECT ${day}, d.imsi, ${vnet}, max(d.home_country), max(d.visited_country), count(*), count(*) FILTER (WHERE ${ok}), count(*) FILTER (WHERE ${rna}), ` +
    `min(${t}) FILTER (WHERE ${rna}), min(${t}) FILTER (WHERE ${ok}), max(${t}) FILTER (WHERE ${ok}), 0 ` +
    `${from} AND d.imsi IS NOT NULL AND ${D.isLu} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`
  );
}

function upsert(s: string, kind: 'dialogues' | 'tunnels' | 'device_day', select: string): string {
  if (kind === 'dialogues') {
    return (
      `INSERT INTO ${s}.rollup_dialogues_hourly AS r (${DIALOGUE_KEY.join(', ')}, dialogues, latency, devices) ${select} ` +
      `ON CONFLICT (${DIALOGUE_KEY.join(', ')}) DO UPDATE SET dialogues = r.dialogues + excluded.dialogues, ` +
      `latency = tdigest_union(r.latency, excluded.latency), devices = hll_union(r.devices, excluded.devices)`
    );
  }
  if (kind === 'tunnels') {
    const sum = (c: string) => `${c} = r.${c} + excluded.${c}`;
    return (
      `INSERT INTO ${s}.rollup_tunnels_hourly AS r (${TUNNEL_KEY.join(', ')}, creates, accepted, accepted_zero_bytes, setup_delay, duration, ` +
      `bytes_up, bytes_down, packets_up, packets_down, devices) ${select} ` +
      `ON CONFLICT (${TUNNEL_KEY.join(', ')}) DO UPDATE SET ${['creates', 'accepted', 'accepted_zero_bytes', 'bytes_up', 'bytes_down', 'packets_up', 'packets_down'].map(sum).join(', ')}, ` +
      `setup_delay = tdigest_union(r.setup_delay, excluded.setup_delay), duration = tdigest_union(r.duration, excluded.duration), ` +
      `devices = hll_union(r.devices, excluded.devices)`
    );
  }
  return (
    `INSERT INTO ${s}.device_day AS r (${DEVICE_KEY.join(', ')}, home_country, visited_country, lu, lu_ok, rna, rna_first_us, ok_first_us, ok_last_us, tunnels_accepted) ${select} ` +
    `ON CONFLICT (${DEVICE_KEY.join(', ')}) DO UPDATE SET home_country = coalesce(r.home_country, excluded.home_country), ` +
    `visited_country = coalesce(r.visited_country, excluded.visited_country), lu = r.lu + excluded.lu, lu_ok = r.lu_ok + excluded.lu_ok, ` +
    `rna = r.rna + excluded.rna, rna_first_us = least(r.rna_first_us, excluded.rna_first_us), ` +
    `ok_first_us = least(r.ok_first_us, excluded.ok_first_us), ok_last_us = greatest(r.ok_last_us, excluded.ok_last_us), ` +
    `tunnels_accepted = r.tunnels_accepted + excluded.tunnels_accepted`
  );
}

/** The statements that fold a stored batch into the rollups ($1 probe, $2 spool_no, $3/$4 id range, $5/$6 ts range). */
export class RollupSql {
  readonly batch: Record<ShipTable, readonly string[]>;
  constructor(schema: string) {
    const s = escapeIdentifier(schema);
    const from = (t: ShipTable) =>
      `FROM ${s}.${t} d WHERE d.probe_id = $1 AND d.spool_no = $2 AND d.record_id BETWEEN $3 AND $4 AND d.ts >= $5 AND d.ts < $6 AND d.stored_at = now()`;
    this.batch = {
      dialogues: [upsert(s, 'dialogues', dialogueRollupSelect(from('dialogues'))), upsert(s, 'device_day', deviceDaySelect('dialogues', from('dialogues')))],
      tunnels: [upsert(s, 'tunnels', tunnelRollupSelect(from('tunnels'))), upsert(s, 'device_day', deviceDaySelect('tunnels', from('tunnels')))],
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
  /** hour range rebuilt (ISO) */
  from: string;
  to: string;
  /** day range of device_day rebuilt (whole UTC days covering the hours) */
  dayFrom: string;
  dayTo: string;
  dialogueRows: number;
  tunnelRows: number;
  deviceDayRows: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Recomputes the rollups of the hours in [fromMs, toMs) (widened to whole hours) and device_day
 * of the UTC days that cover them (whole days: a device's day state is one row) from the raw
 * partitions, in one transaction: delete the range, recompute. Idempotent. The rollup tables are
 * locked (EXCLUSIVE: readers go on) for the transaction, so a batch stored meanwhile is folded
 * either into what is rebuilt (committed before) or on top of it (after).
 */
export async function rebuildRollups(pool: Pool, schema: string, fromMs: number, toMs: number): Promise<RebuildResult> {
  const s = escapeIdentifier(schema);
  const h0 = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
  const h1 = Math.ceil(toMs / HOUR_MS) * HOUR_MS;
  const d0 = Math.floor(h0 / DAY_MS) * DAY_MS;
  const d1 = Math.ceil(h1 / DAY_MS) * DAY_MS;
  const iso = (ms: number) => new Date(ms).toISOString();
  const c = await pool.connect();
  let failed: Error | undefined;
  const onError = (e: Error) => void (failed ??= e);
  c.on('error', onError);
  try {
    await c.query('BEGIN');
    {
      await c.query(`LOCK TABLE ${s}.rollup_dialogues_hourly, ${s}.rollup_tunnels_hourly, ${s}.device_day IN EXCLUSIVE MODE`);
      const hours = [iso(h0), iso(h1)];
      const days = [iso(d0), iso(d1)];
      await c.query(`DELETE FROM ${s}.rollup_dialogues_hourly WHERE hour >= $1 AND hour < $2`, hours);
      await c.query(`DELETE FROM ${s}.rollup_tunnels_hourly WHERE hour >= $1 AND hour < $2`, hours);
      await c.query(`DELETE FROM ${s}.device_day WHERE day >= ($1::timestamptz AT TIME ZONE 'UTC')::date AND day < ($2::timestamptz AT TIME ZONE 'UTC')::date`, days);
      const range = (t: ShipTable) => `FROM ${s}.${t} d WHERE d.ts >= $1 AND d.ts < $2`;
      const dr = await c.query(upsert(s, 'dialogues', dialogueRollupSelect(range('dialogues'))), hours);
      const tr = await c.query(upsert(s, 'tunnels', tunnelRollupSelect(range('tunnels'))), hours);
      await c.query(upsert(s, 'device_day', deviceDaySelect('dialogues', range('dialogues'))), days);
      await c.query(upsert(s, 'device_day', deviceDaySelect('tunnels', range('tunnels'))), days);
      const n = await c.query(`SELECT count(*)::int AS n FROM ${s}.device_day WHERE day >= ($1::timestamptz AT TIME ZONE 'UTC')::date AND day < ($2::timestamptz AT TIME ZONE 'UTC')::date`, days);
      await c.query('COMMIT');
      return {
        from: iso(h0), to: iso(h1), dayFrom: iso(d0), dayTo: iso(d1),
        dialogueRows: dr.rowCount ?? 0, tunnelRows: tr.rowCount ?? 0, deviceDayRows: n.rows[0].n as number,
      };
    }
  } catch (e) {
    failed ??= e as Error;
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    if (failed === undefined) c.removeListener('error', onError);
    c.release(failed);
  }
}
