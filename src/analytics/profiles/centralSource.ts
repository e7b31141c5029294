// Device features from the central PostgreSQL store (issue 14, `sigprobe devices --central CONF`):
// the collector's dialogues table (src/collector/schema.ts), read through a server-side cursor
// ordered by device and time, so that the client holds one FETCH of rows plus one device's rows
// whatever the period's size. PostgreSQL does what it does best — the period's partitions only
// (ts is the partition key), the IMSI filter, the sort by (imsi, time) (spilling to disk on its
// own for big periods) — and the rows feed the same DeviceGrouper / feature definition as the
// spool (rows.ts, features.ts): one definition of every feature.
import pg, { Client, type ClientConfig } from 'pg';
import { SigprobeError } from '../../config/errors';
import type { CollectorConfig } from '../../config/schema';
import { tlsOptions } from '../../ship/connection';
import { DeviceGrouper, DeviceRow, FEATURE_COLUMNS_SQL, OPTIONAL_COLUMNS } from './rows';

/** rows per FETCH (a round trip; the next one is in flight while these are computed) */
export const CENTRAL_FETCH_ROWS = 20_000;

/** int8 as a JS number (every id, time in µs, TEID, code is far below 2^53) */
const TYPES = {
  getTypeParser: (oid: number, format?: string) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')),
};

export interface CentralStore {
  client: Client;
  schema: string;
  /** the columns of its dialogues table */
  columns: ReadonlySet<string>;
  /** for messages: host:port/db */
  label: string;
}

function qi(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

const US = (p: string) => `(timestamptz 'epoch' + ${p}::bigint * interval '1 microsecond')`;

/** Connects (the collector section's postgres: URL, password file, TLS) and checks the store is there. */
export async function openCentral(cfg: CollectorConfig, pgPassword: string | undefined, file: string): Promise<CentralStore> {
  const p = cfg.postgres;
  const url = new URL(p.url);
  const label = `${url.hostname}:${url.port || 5432}${url.pathname}`;
  const cc: ClientConfig = {
    connectionString: p.url,
    password: pgPassword,
    ssl: p.tls ? tlsOptions(p.tls, url.hostname) : undefined,
    application_name: 'sigprobe-devices',
    connectionTimeoutMillis: 10_000,
  };
  const client = new Client(cc);
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw new SigprobeError('E_CENTRAL', `cannot connect to PostgreSQL ${label} (${file}): ${(e as Error).message}`);
  }
  const r = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'dialogues'`,
    [p.schema],
  );
  if (r.rows.length === 0) {
    await client.end().catch(() => {});
    throw new SigprobeError('E_USAGE', `no sigprobe central store in schema ${p.schema} of ${label} (${file}): no table ${p.schema}.dialogues (has a collector run against it?)`);
  }
  return { client, schema: p.schema, columns: new Set(r.rows.map((x) => x.column_name)), label };
}

/**
 * The period actually covered, by the spool's rule (spoolSource.resolvePeriod): the given bounds,
 * else the first request time to just after the last one; `empty` when no dialogue with an IMSI
 * falls inside. Without --from/--to this scans the table's req_time_us (give the bounds on a big store).
 */
export async function resolveCentralPeriod(st: CentralStore, fromUs: number | null, toUs: number | null): Promise<{ fromUs: number; toUs: number; empty: boolean }> {
  const s = qi(st.schema);
  if (fromUs === null || toUs === null) {
    const r = await st.client.query({ text: `SELECT min(req_time_us) AS a, max(req_time_us) AS b FROM ${s}.dialogues`, types: TYPES });
    const a = r.rows[0].a as number | null;
    const b = r.rows[0].b as number | null;
    fromUs ??= a ?? 0;
    toUs ??= b !== null ? b + 1 : 0;
  }
  const any = await st.client.query({
    text: `SELECT 1 FROM ${s}.dialogues WHERE imsi IS NOT NULL AND ts >= ${US('$1')} AND ts < ${US('$2')} LIMIT 1`,
    values: [fromUs, toUs],
  });
  return { fromUs, toUs, empty: any.rows.length === 0 };
}

/**
 * Every device of the period with its features, in pseudonym order (byte order: COLLATE "C", as
 * the spool's SQLite), each device's rows in (time, probe, spool file, record id) order — for one
 * probe the spool's (time, id) order, so spool and central give the same features.csv.
 */
export async function* centralDevices(st: CentralStore, period: { fromUs: number; toUs: number }): AsyncGenerator<DeviceRow> {
  const s = qi(st.schema);
  const opt = Object.fromEntries(OPTIONAL_COLUMNS.map((c) => [c, st.columns.has(c) ? c : `NULL AS ${c}`]));
  const sql = `SELECT imsi, record_id, ${FEATURE_COLUMNS_SQL(opt)}
    FROM ${s}.dialogues
    WHERE imsi IS NOT NULL AND coalesce(req_time_us, rsp_time_us) IS NOT NULL AND ts >= ${US('$1')} AND ts < ${US('$2')}
    ORDER BY imsi COLLATE "C", t, probe_id COLLATE "C", spool_no, record_id`;
  const c = st.client;
  await c.query('BEGIN READ ONLY');
  let open = true;
  try {
    // the whole result is wanted: plan for total time, not for the first rows
    await c.query('SET LOCAL cursor_tuple_fraction = 1.0');
    await c.query({ text: `DECLARE sigprobe_devices NO SCROLL CURSOR FOR ${sql}`, values: [period.fromUs, period.toUs] });
    const fetch = () => c.query({ text: `FETCH FORWARD ${CENTRAL_FETCH_ROWS} FROM sigprobe_devices`, rowMode: 'array', types: TYPES });
    const g = new DeviceGrouper((period.toUs - period.fromUs) / 60e6, false);
    let next = fetch();
    for (;;) {
      const r = await next;
      const rows = r.rows as unknown[][];
      if (rows.length === 0) break;
      // the next round trip runs while this one is computed
      next = rows.length === CENTRAL_FETCH_ROWS ? fetch() : Promise.resolve({ rows: [] as unknown[][] } as unknown as typeof r);
      for (const a of rows) {
        const d = g.push(a);
        if (d !== null) yield d;
      }
    }
    const last = g.end();
    if (last !== null) yield last;
    await c.query('COMMIT');
    open = false;
  } finally {
    if (open) await c.query('ROLLBACK').catch(() => {});
  }
}
