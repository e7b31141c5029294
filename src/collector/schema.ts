/**
 * The central PostgreSQL schema, as numbered migrations applied by the collector at start (under
 * an advisory lock: several collectors may start together). Never edit a released migration: add
 * the next one. Every SQL text uses the schema placeholder `{s}` (collector.postgres.schema).
 *
 * Record tables (dialogues, tunnels) hold the spool's columns plus (as of migration 2):
 *   probe_id   the probe that shipped the record (ship.probeId, default its site)
 *   spool_no   which of the probe's spool files it came from (0, 1, ...: see probe_spools)
 *   record_id  the record's id in that spool file
 *   ts         the record's time (dialogues: request time, else response time; tunnels: create
 *              time), the partition key: one partition per UTC day, created on demand
 *   stored_at  when the collector stored it (stored_at - ts = end-to-end lag in live operation)
 * The primary key (record_id, spool_no, probe_id, ts) makes every store idempotent: ts is a
 * function of the record, so the same record always lands in the same partition, under the same
 * key. probe_id and spool_no default to the storing transaction's settings sigprobe.probe_id and
 * sigprobe.spool_no (set by the collector from the batch header), so a batch's lines are COPYed
 * into the table as they are (store.ts).
 */
import type { ShipTable } from '../ship/batch';
import { ROLLUP_DDL } from './rollups';

/** Spool columns as stored centrally: [name, PostgreSQL type, NOT NULL]. */
export type ColumnDef = readonly [name: string, type: 'text' | 'bigint', notNull: boolean];

const T = 'text';
const B = 'bigint';

export const CENTRAL_COLUMNS: Record<ShipTable, readonly ColumnDef[]> = {
  dialogues: [
    ['protocol', T, true], ['procedure', T, false], ['opcode', B, false], ['status', T, true],
    ['result_code', B, false], ['result_name', T, false], ['end_reason', T, true], ['orphan', B, true],
    ['req_frame', B, false], ['rsp_frame', B, false], ['req_time_us', B, false], ['rsp_time_us', B, false],
    ['latency_us', B, false], ['imsi', T, false], ['msisdn', T, false], ['home_mcc', T, false],
    ['home_mnc', T, false], ['calling_gt', T, false], ['called_gt', T, false], ['responder_gt', T, false],
    ['opc', B, false], ['dpc', B, false], ['calling_ssn', B, false], ['called_ssn', B, false],
    ['vlr_number', T, false], ['sgsn_number', T, false], ['app_context', T, false], ['otid', T, false],
    ['dtid', T, false], ['messages', B, true], ['nested_ops', B, true], ['retransmissions', B, true],
    ['abort_cause', T, false], ['site', T, true], ['source', T, true],
    ['src_ip', T, false], ['dst_ip', T, false], ['src_port', B, false], ['dst_port', B, false],
    ['app_id', B, false], ['result_source', T, false], ['result_vendor', B, false], ['origin_host', T, false],
    ['origin_realm', T, false], ['dest_host', T, false], ['dest_realm', T, false], ['visited_mcc', T, false],
    ['visited_mnc', T, false], ['rat_type', T, false], ['hop_by_hop', B, false], ['end_to_end', B, false],
    ['seq', B, false], ['apn', T, false], ['teid', B, false], ['req_ctrl_teid', B, false],
    ['rsp_ctrl_teid', B, false], ['imei_tac', T, false],
    // migration 3
    ['home_country', T, false], ['visited_country', T, false], ['visited_operator', T, false], ['cell_id', T, false],
  ],
  tunnels: [
    ['protocol', T, true], ['imsi', T, false], ['msisdn', T, false], ['home_mcc', T, false],
    ['home_mnc', T, false], ['visited_mcc', T, false], ['visited_mnc', T, false], ['apn', T, false],
    ['rat_type', T, false], ['sgsn_ip', T, false], ['ggsn_ip', T, false], ['sgsn_ctrl_teid', B, false],
    ['ggsn_ctrl_teid', B, false], ['sgsn_data_teid', B, false], ['ggsn_data_teid', B, false],
    ['create_cause', B, false], ['create_time_us', B, true], ['setup_delay_us', B, false],
    ['end_time_us', B, false], ['duration_us', B, false], ['delete_cause', B, false], ['end_reason', T, true],
    ['create_frame', B, false], ['end_frame', B, false], ['site', T, true], ['source', T, true],
    // migration 3
    ['home_country', T, false], ['visited_country', T, false], ['visited_operator', T, false],
    ['packets_up', B, true], ['packets_down', B, true], ['bytes_up', B, true], ['bytes_down', B, true],
    ['first_user_us', B, false], ['last_user_us', B, false],
  ],
};

/** How many of CENTRAL_COLUMNS migration 1 created (its SQL must never change: later columns are added by later migrations). */
export const MIGRATION1_COLUMNS: Record<ShipTable, number> = { dialogues: 57, tunnels: 26 };

/** Defaults of NOT NULL columns added after migration 1 (rows stored before them get it). */
const ADDED_DEFAULTS: Readonly<Record<string, string>> = { packets_up: '0', packets_down: '0', bytes_up: '0', bytes_down: '0' };

/** SQL of the record time (µs) from the staging table's columns (format 1 batches): the same rule as batch.ts TIME_COLUMNS. */
export const TIME_SQL: Record<ShipTable, string> = {
  dialogues: 'coalesce(req_time_us, rsp_time_us, 0)',
  tunnels: 'coalesce(create_time_us, 0)',
};

function columnsDdl(t: ShipTable): string {
  return CENTRAL_COLUMNS[t]
    .slice(0, MIGRATION1_COLUMNS[t])
    .map(([n, ty, nn]) => `  ${n} ${ty}${nn ? ' NOT NULL' : ''},`)
    .join('\n');
}

/**
 * ` DEFAULT x` for a column added after migration 1 with a default, else ''. The staging table
 * (store.ts) carries it too: a line from a shipper that predates the column (the counters of
 * spool migration 4) gets the same value as a direct COPY.
 */
export function columnDefaultSql(name: string): string {
  const d = ADDED_DEFAULTS[name];
  return d !== undefined ? ` DEFAULT ${d}` : '';
}

/** ALTER TABLE adding the columns of CENTRAL_COLUMNS[t] from index `from` to `to` (partitions follow their parent). */
function addColumns(t: ShipTable, from: number, to: number): string {
  const cols = CENTRAL_COLUMNS[t].slice(from, to).map(([n, ty, nn]) => {
    const d = ADDED_DEFAULTS[n];
    return `ADD COLUMN ${n} ${ty}${d !== undefined ? ` DEFAULT ${d}` : ''}${nn ? ' NOT NULL' : ''}`;
  });
  return `ALTER TABLE {s}.${t} ${cols.join(', ')};`;
}

/**
 * Migration 2's change of a record table's key: record_id = spool_no * 2^40 + spool id becomes
 * (record_id = spool id, spool_no); probe_id and spool_no default to the transaction's settings.
 */
function rekey(t: ShipTable): string {
  return `ALTER TABLE {s}.${t} DROP CONSTRAINT ${t}_pkey;
ALTER TABLE {s}.${t} ADD COLUMN spool_no integer;
UPDATE {s}.${t} SET spool_no = (record_id / 1099511627776)::integer, record_id = record_id % 1099511627776;
ALTER TABLE {s}.${t} ALTER COLUMN spool_no SET NOT NULL,
  ALTER COLUMN spool_no SET DEFAULT current_setting('sigprobe.spool_no')::integer,
  ALTER COLUMN probe_id SET DEFAULT current_setting('sigprobe.probe_id');
ALTER TABLE {s}.${t} ADD PRIMARY KEY (record_id, spool_no, probe_id, ts);`;
}

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'records (partitioned by day), probe spools and progress, failed batches',
    sql: `
CREATE TABLE {s}.dialogues (
  probe_id   text NOT NULL,
  record_id  bigint NOT NULL,
  ts         timestamptz NOT NULL,
${columnsDdl('dialogues')}
  stored_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (probe_id, record_id, ts)
) PARTITION BY RANGE (ts);
-- Each index costs insert throughput (a few µs a row): time; IMSI; procedure (and procedure +
-- status); status for the records that are not ok (partial: errors, rejects, aborts, timeouts are
-- what one looks for, and skipping the ok majority keeps the index small and cheap).
CREATE INDEX dialogues_ts ON {s}.dialogues (ts);
CREATE INDEX dialogues_imsi ON {s}.dialogues (imsi, ts);
CREATE INDEX dialogues_proc ON {s}.dialogues (procedure, status, ts);
CREATE INDEX dialogues_not_ok ON {s}.dialogues (status, ts) WHERE status <> 'ok';

CREATE TABLE {s}.tunnels (
  probe_id   text NOT NULL,
  record_id  bigint NOT NULL,
  ts         timestamptz NOT NULL,
${columnsDdl('tunnels')}
  stored_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (probe_id, record_id, ts)
) PARTITION BY RANGE (ts);
CREATE INDEX tunnels_ts ON {s}.tunnels (ts);
CREATE INDEX tunnels_imsi ON {s}.tunnels (imsi, ts);

-- Each spool file a probe shipped from; spool_no numbers them per probe (0, 1, ...).
CREATE TABLE {s}.probe_spools (
  probe_id    text NOT NULL,
  spool_id    text NOT NULL,
  spool_no    integer NOT NULL,
  first_seen  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (probe_id, spool_id),
  UNIQUE (probe_id, spool_no)
);

-- Per probe, spool file and table: what the collectors stored (updated in each batch's transaction).
CREATE TABLE {s}.probe_progress (
  probe_id        text NOT NULL,
  spool_id        text NOT NULL,
  tbl             text NOT NULL,
  max_spool_id    bigint NOT NULL,       -- highest spool record id stored
  records         bigint NOT NULL,       -- rows inserted
  duplicates      bigint NOT NULL,       -- rows of batches delivered again, already stored (skipped)
  batches         bigint NOT NULL,
  last_record_ts  timestamptz,           -- newest record time stored
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (probe_id, spool_id, tbl)
);

-- Batches that can never be stored (undecodable, rejected by PostgreSQL), with the reason and the
-- whole job (to re-inject after a fix); BullMQ's failed set holds them too, but only a bounded number.
CREATE TABLE {s}.failed_batches (
  job_id      text PRIMARY KEY,
  probe_id    text,
  spool_id    text,
  tbl         text,
  first_id    bigint,
  last_id     bigint,
  records     bigint,
  reason      text NOT NULL,
  failures    integer NOT NULL DEFAULT 1,
  first_failed_at timestamptz NOT NULL DEFAULT now(),
  failed_at   timestamptz NOT NULL DEFAULT now(),
  job_data    text NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'COPY straight into the record tables: spool_no column, probe_id/spool_no defaults, cheaper indexes; re-queued failed batches',
    // Measured on 1M dialogues (README, "Central store"): COPY into the table with these indexes
    // takes ~6 µs a row against 17 µs for COPY into a staging table + INSERT ... SELECT with the
    // btree indexes of migration 1. ts as BRIN: records arrive in time order, the index is a few
    // pages per day. IMSI as a BRIN bloom filter: equality lookups only (a few ms per day
    // partition, where a btree takes 3 µs per insert for its random key). Procedure (+ status)
    // only for the records that are not ok, like status: the selective queries (errors, rejects,
    // timeouts by procedure); the procedure mix is an aggregate over a time range (BRIN on ts). A
    // btree over every record's procedure took 1.5 µs a row and served no query the others do not.
    sql: `
${rekey('dialogues')}
DROP INDEX {s}.dialogues_ts, {s}.dialogues_imsi, {s}.dialogues_proc;
CREATE INDEX dialogues_ts ON {s}.dialogues USING brin (ts) WITH (autosummarize = on);
CREATE INDEX dialogues_imsi ON {s}.dialogues USING brin (imsi text_bloom_ops (n_distinct_per_range = 1000, false_positive_rate = 0.01))
  WITH (pages_per_range = 32, autosummarize = on);
CREATE INDEX dialogues_proc ON {s}.dialogues (procedure, status, ts) WHERE status <> 'ok';

-- a failed batch re-queued by \`sigprobe collect --requeue\` (src/collector/requeue.ts)
ALTER TABLE {s}.failed_batches ADD COLUMN requeued_at timestamptz, ADD COLUMN requeued_as text;

${rekey('tunnels')}
`,
  },
  {
    version: 3,
    name: 'visited network (home/visited country, operator, cell id) and GTP-U user-plane counters on tunnels',
    // The spool's migration 4 (src/spool/migrations.ts): the same columns, the same meaning.
    sql: `
${addColumns('dialogues', 57, 61)}
${addColumns('tunnels', 26, 35)}
`,
  },
  {
    version: 4,
    name: 'rollups: hourly dialogues and tunnels (t-digest, HyperLogLog), per-device day state, raw days dropped',
    // src/collector/rollups.ts: maintained in each batch's transaction; needs the hll and tdigest
    // extensions (checked before any migration runs: store.ts migrateCentral).
    sql: ROLLUP_DDL,
  },
];

/** Partition of `table` for UTC day `day` (days since the epoch), e.g. dialogues_20231114. */
export function partitionName(table: ShipTable, day: number): string {
  const d = new Date(day * 86_400_000);
  const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${table}_${ymd}`;
}

/** Day since the epoch of a partition name, or null if it is not one of ours. */
export function partitionDay(table: ShipTable, name: string): number | null {
  const m = new RegExp(`^${table}_(\\d{4})(\\d{2})(\\d{2})$`).exec(name);
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
}

export function dayStartSql(day: number): string {
  return `'${new Date(day * 86_400_000).toISOString()}'`;
}
