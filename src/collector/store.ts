/**
 * Stores batches in PostgreSQL, idempotently, in one transaction per batch:
 *  - format 2 (lines carry the record time `ts`): COPY the lines straight into the record table
 *    (PostgreSQL routes them to the day partitions; probe_id and spool_no come from the column
 *    defaults, set for the transaction). A record already stored — a batch delivered twice,
 *    overlapping batches — fails the COPY on the primary key: then the batch goes the way of
 *    format 1, skipping what is stored.
 *  - format 1: COPY into a temporary staging table, then INSERT ... SELECT into the record table
 *    (plain; again with ON CONFLICT DO NOTHING if that meets a stored record).
 * and update the probe's progress row. Day partitions are created before the transaction (in
 * their own short transaction, under an advisory lock: CREATE ... PARTITION OF locks the parent).
 */
import { escapeIdentifier, type Pool, type PoolClient } from 'pg';
import { type BatchHeader, type ShipTable } from '../ship/batch';
import { copyFrom } from './pgCopy';
import { CSV_COPY_OPTIONS, csvSafe, jsonRowsToCopyText } from './copyText';
import { PoisonBatchError } from './errors';
import { CENTRAL_COLUMNS, columnDefaultSql, dayStartSql, partitionDay, partitionName, PG_MIGRATIONS, TIME_SQL } from './schema';
import { SigprobeError } from '../config/errors';
import { applyBatchRollups, checkExtensions, extensionPrivilegeMessage, RollupSql } from './rollups';

export interface StoreResult {
  /** rows inserted */
  inserted: number;
  /** rows already stored (a batch delivered again) */
  duplicates: number;
}

const ADVISORY_MIGRATE = 0x5167_0001;
const ADVISORY_PARTITIONS = 0x5167_0002;
const ADVISORY_SPOOLS = 0x5167_0003;

/**
 * Runs `fn` with a client checked out of the pool, and gives it back. pg emits 'error' on a client
 * whose connection breaks — PostgreSQL restarted (57P01 to the query, then the socket closes),
 * crashed (ECONNRESET) — even while the query in progress fails with it; the pool listens for that
 * only while a client is idle, so a checked-out client without a listener of its own would take
 * the whole process down. Here it has one for as long as it is out. After any error the client is
 * destroyed rather than reused (its session may be dead or in an unknown state); the caller's
 * error propagates (the batch is retried).
 */
export async function withClient<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let failed: Error | undefined;
  const onError = (e: Error) => {
    failed ??= e;
  };
  c.on('error', onError);
  try {
    return await fn(c);
  } catch (e) {
    failed ??= e instanceof Error ? e : new Error(String(e));
    throw e;
  } finally {
    // A failed client keeps the listener: late 'error' events of its dying socket are swallowed.
    if (failed === undefined) c.removeListener('error', onError);
    c.release(failed);
  }
}

/** Applies the central migrations that are missing (`upTo`: only those up to that version); returns how many were applied. */
export async function migrateCentral(pool: Pool, schema: string, upTo = Infinity): Promise<number> {
  const s = escapeIdentifier(schema);
  return withClient(pool, async (c) => {
    try {
      await c.query('SELECT pg_advisory_lock($1)', [ADVISORY_MIGRATE]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${s}.collector_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const have = new Set((await c.query(`SELECT version FROM ${s}.collector_migrations`)).rows.map((r: { version: number }) => r.version));
      // the rollups' extensions (migration 4): a clear refusal before anything runs
      await checkExtensions(c);
      let applied = 0;
      for (const m of PG_MIGRATIONS) {
        if (have.has(m.version) || m.version > upTo) continue;
        await c.query('BEGIN');
        try {
          await c.query(m.sql.replaceAll('{s}', s));
          await c.query(`INSERT INTO ${s}.collector_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK').catch(() => {});
          // 42501: CREATE EXTENSION of an untrusted extension (hll, tdigest) by a role that is not superuser
          if ((e as { code?: string }).code === '42501' && /extension/i.test((e as Error).message)) {
            throw new SigprobeError('E_CONFIG', extensionPrivilegeMessage(c.database ?? 'sigprobe'));
          }
          throw e;
        }
        applied++;
      }
      return applied;
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [ADVISORY_MIGRATE]).catch(() => {});
    }
  });
}

interface TableSql {
  known: Set<string>;
  stageDdl: string;
  /** INSERT ... SELECT from the staging table; + ON CONFLICT DO NOTHING in insertIdempotent */
  insert: string;
  insertIdempotent: string;
  progress: string;
  progressStaged: string;
}

/** The rows a COPY read, if the batch header says as many; else the batch can never be stored. */
function checkCount(copied: number, h: BatchHeader): number {
  if (copied !== h.count) throw new PoisonBatchError(`payload has ${copied} records, header says ${h.count}`);
  return copied;
}

/** A payload as COPY reads it: CSV as shipped, or re-rendered to text format. */
interface CopyInput {
  data: Buffer;
  options: string;
}

export class BatchStore {
  readonly counters = {
    /** batches whose payload had escapes COPY CSV does not know (control characters): re-rendered */
    rerendered: 0,
    nulReplaced: 0,
    /** batches that met records already stored (delivered again): inserted skipping those */
    redelivered: 0,
    /** format 1 batches (through the staging table) */
    staged: 0,
  };
  private readonly s: string;
  private readonly tables: Record<ShipTable, TableSql>;
  /** partitions known to exist, per table (days) */
  private readonly partitions: Record<ShipTable, Set<number>> = { dialogues: new Set(), tunnels: new Set() };
  private partitionsLoaded = false;
  /** spool_no per probe + spool id */
  private readonly spoolNos = new Map<string, number>();
  /** connections that have their staging tables */
  private readonly staged = new WeakSet<PoolClient>();

  /** the rollup statements; null when collector.rollups is false */
  private readonly rollups: RollupSql | null;
  /** the rollups are maintained (collector.rollups, default on) */
  readonly rollupsOn: boolean;

  constructor(private readonly pool: Pool, readonly schema: string, opts: { rollups?: boolean } = {}) {
    this.s = escapeIdentifier(schema);
    this.rollupsOn = opts.rollups !== false;
    this.rollups = this.rollupsOn ? new RollupSql(schema) : null;
    const epochUs = (us: string) => `timestamptz 'epoch' + ${us} * interval '1 microsecond'`;
    const progress = (lastRecordTs: string) =>
      `INSERT INTO ${this.s}.probe_progress AS p (probe_id, spool_id, tbl, max_spool_id, records, duplicates, batches, last_record_ts, updated_at) ` +
      `SELECT $1, $2, $3, $4, $5, $6, 1, ${lastRecordTs}, now() ` +
      `ON CONFLICT (probe_id, spool_id, tbl) DO UPDATE SET max_spool_id = greatest(p.max_spool_id, excluded.max_spool_id), ` +
      `records = p.records + excluded.records, duplicates = p.duplicates + excluded.duplicates, batches = p.batches + 1, ` +
      `last_record_ts = greatest(p.last_record_ts, excluded.last_record_ts), updated_at = now()`;
    const mk = (t: ShipTable): TableSql => {
      const cols = CENTRAL_COLUMNS[t];
      const names = cols.map(([n]) => n);
      const stage = `pg_temp.stage_${t}`;
      // $1 probe id, $2 spool_no; ts from the line (format 2) or derived (format 1)
      const insert =
        `INSERT INTO ${this.s}.${t} (probe_id, spool_no, record_id, ts, ${names.join(', ')}) ` +
        `SELECT $1, $2, id, coalesce(ts, ${epochUs(TIME_SQL[t])}), ${names.join(', ')} FROM ${stage}`;
      return {
        known: new Set(['id', 'ts', ...names]),
        stageDdl: `CREATE TEMP TABLE IF NOT EXISTS stage_${t} (id bigint, ts timestamptz, ${cols.map(([n, ty]) => `${n} ${ty}${columnDefaultSql(n)}`).join(', ')}) ON COMMIT DELETE ROWS`,
        insert,
        insertIdempotent: `${insert} ON CONFLICT DO NOTHING`,
        // $3 table, $4 last id, $5 inserted, $6 duplicates; the newest record time from the
        // header ($7, µs: format 2) or from the staging table (format 1; format 2 does not touch
        // it, so its commit has no temporary table to empty)
        progress: progress(epochUs('$7::bigint')),
        progressStaged: progress(`(SELECT ${epochUs(`max(${TIME_SQL[t]})`)} FROM ${stage})`),
      };
    };
    this.tables = { dialogues: mk('dialogues'), tunnels: mk('tunnels') };
  }

  /** Columns a batch may carry for `table` ('id' and the central columns). */
  knownColumns(table: ShipTable): ReadonlySet<string> {
    return this.tables[table].known;
  }

  /** Stores one batch (header already validated, payload = the decompressed lines). */
  async store(h: BatchHeader, payload: Buffer): Promise<StoreResult> {
    const t = this.tables[h.table];
    const unknown = h.cols.filter((c) => !t.known.has(c));
    if (unknown.length > 0) throw new PoisonBatchError(`unknown column(s) ${unknown.join(', ')} in ${h.table}`);
    const spoolNo = await this.spoolNo(h.probe, h.spool);
    await this.ensurePartitions(h.table, h.days);
    const input = this.copyInput(payload, h.cols.length);
    try {
      // (a client that failed is not reused: withClient destroys it)
      return await withClient(this.pool, async (c) => {
        if (!this.staged.has(c)) {
          await c.query(`${this.tables.dialogues.stageDdl}; ${this.tables.tunnels.stageDdl}`);
          this.staged.add(c);
        }
        await c.query('BEGIN');
        try {
          let inserted: number;
          // format 2 (validated: 'ts' second, tmax present) goes straight into the table
          const direct = h.cols[1] === 'ts';
          if (direct) {
            // the column defaults of probe_id and spool_no read these (transaction-local)
            await c.query({ name: 'set_probe', text: "SELECT set_config('sigprobe.probe_id', $1, true), set_config('sigprobe.spool_no', $2, true)", values: [h.probe, String(spoolNo)] });
            const cols = ['record_id', ...h.cols.slice(1)];
            await c.query('SAVEPOINT direct');
            try {
              inserted = checkCount(await copyFrom(c, `COPY ${this.s}.${h.table} (${cols.join(', ')}) FROM STDIN ${input.options}`, input.data), h);
              await c.query('RELEASE SAVEPOINT direct');
            } catch (e) {
              if ((e as { code?: string }).code !== '23505') throw e;
              await c.query('ROLLBACK TO SAVEPOINT direct');
              this.counters.redelivered++;
              inserted = await this.viaStage(c, h, spoolNo, input, true);
            }
          } else {
            this.counters.staged++;
            inserted = await this.viaStage(c, h, spoolNo, input, false);
          }
          // the rollups, from the rows this transaction inserted (rollups.ts)
          if (this.rollups && inserted > 0) await applyBatchRollups(c, this.rollups, this.schema, h, spoolNo);
          const counts = [h.probe, h.spool, h.table, h.last, inserted, h.count - inserted];
          if (direct) await c.query({ name: `progress_${h.table}_${this.schema}`, text: t.progress, values: [...counts, h.tmax] });
          else await c.query({ name: `progress1_${h.table}_${this.schema}`, text: t.progressStaged, values: counts });
          await c.query('COMMIT');
          return { inserted, duplicates: h.count - inserted };
        } catch (e) {
          await c.query('ROLLBACK').catch(() => {});
          throw e;
        }
      });
    } catch (e) {
      // A missing partition means our cache is stale (another collector's retention dropped it).
      if ((e as { code?: string }).code === '23514') this.partitionsLoaded = false;
      throw e;
    }
  }

  /** The payload as COPY input: CSV as shipped when COPY CSV reads it exactly, else re-rendered. */
  private copyInput(payload: Buffer, width: number): CopyInput {
    if (csvSafe(payload)) return { data: payload, options: `WITH ${CSV_COPY_OPTIONS}` };
    const text = jsonRowsToCopyText(payload, width);
    this.counters.rerendered++;
    this.counters.nulReplaced += text.nulReplaced;
    return { data: text.data, options: '' };
  }

  /**
   * COPY into the staging table, then INSERT ... SELECT into the record table: plain (about half
   * the cost of ON CONFLICT: records are new but for a batch delivered again), then, if that meets
   * a stored record, again skipping those. `idempotent`: skip stored records from the start.
   */
  private async viaStage(c: PoolClient, h: BatchHeader, spoolNo: number, input: CopyInput, idempotent: boolean): Promise<number> {
    const t = this.tables[h.table];
    checkCount(await copyFrom(c, `COPY pg_temp.stage_${h.table} (${h.cols.join(', ')}) FROM STDIN ${input.options}`, input.data), h);
    const values = [h.probe, spoolNo];
    const idem = { name: `insi_${h.table}_${this.schema}`, text: t.insertIdempotent, values };
    if (idempotent) return (await c.query(idem)).rowCount ?? 0;
    await c.query('SAVEPOINT plain');
    try {
      const n = (await c.query({ name: `ins_${h.table}_${this.schema}`, text: t.insert, values })).rowCount ?? 0;
      await c.query('RELEASE SAVEPOINT plain');
      return n;
    } catch (e) {
      if ((e as { code?: string }).code !== '23505') throw e;
      await c.query('ROLLBACK TO SAVEPOINT plain');
      this.counters.redelivered++;
      return (await c.query(idem)).rowCount ?? 0;
    }
  }

  /** Records a batch that can never be stored (with its whole job data, to re-inject later). */
  async recordFailed(jobId: string, data: unknown, reason: string): Promise<void> {
    const h = (data && typeof data === 'object' ? data : {}) as Partial<BatchHeader>;
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    const num = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
    let json: string;
    try {
      json = JSON.stringify(data) ?? 'null';
    } catch {
      json = String(data);
    }
    await this.pool.query(
      `INSERT INTO ${this.s}.failed_batches (job_id, probe_id, spool_id, tbl, first_id, last_id, records, reason, job_data) ` +
        `VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (job_id) DO UPDATE SET reason = excluded.reason, ` +
        `failures = ${this.s}.failed_batches.failures + 1, failed_at = now(), job_data = excluded.job_data`,
      [jobId, str(h.probe), str(h.spool), str(h.table), num(h.first), num(h.last), num(h.count), reason, json.replaceAll('\0', '')],
    );
  }

  /** The probe's number for this spool file (assigned on first sight: 0, 1, ...). */
  private async spoolNo(probe: string, spool: string): Promise<number> {
    const key = `${probe}/${spool}`;
    const have = this.spoolNos.get(key);
    if (have !== undefined) return have;
    return withClient(this.pool, async (c) => {
      try {
        await c.query('BEGIN');
        await c.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_SPOOLS]);
        await c.query(
          `INSERT INTO ${this.s}.probe_spools (probe_id, spool_id, spool_no) ` +
            `SELECT $1, $2, coalesce(max(spool_no) + 1, 0) FROM ${this.s}.probe_spools WHERE probe_id = $1 ON CONFLICT (probe_id, spool_id) DO NOTHING`,
          [probe, spool],
        );
        const r = await c.query(`SELECT spool_no FROM ${this.s}.probe_spools WHERE probe_id = $1 AND spool_id = $2`, [probe, spool]);
        await c.query('COMMIT');
        const no = r.rows[0].spool_no as number;
        this.spoolNos.set(key, no);
        return no;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      }
    });
  }

  private async loadPartitions(): Promise<void> {
    for (const t of ['dialogues', 'tunnels'] as const) {
      const r = await this.pool.query(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`,
        [`${this.s}.${t}`],
      );
      this.partitions[t].clear();
      for (const row of r.rows as { relname: string }[]) {
        const d = partitionDay(t, row.relname);
        if (d !== null) this.partitions[t].add(d);
      }
    }
    this.partitionsLoaded = true;
  }

  /** Creates the day partitions of `table` that `days` need and that do not exist yet. */
  async ensurePartitions(table: ShipTable, days: readonly number[]): Promise<void> {
    if (!this.partitionsLoaded) await this.loadPartitions();
    const missing = days.filter((d) => !this.partitions[table].has(d));
    if (missing.length === 0) return;
    return withClient(this.pool, async (c) => {
      try {
        await c.query('BEGIN');
        await c.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_PARTITIONS]);
        for (const d of missing) {
          await c.query(
            `CREATE TABLE IF NOT EXISTS ${this.s}.${escapeIdentifier(partitionName(table, d))} PARTITION OF ${this.s}.${table} ` +
              `FOR VALUES FROM (${dayStartSql(d)}) TO (${dayStartSql(d + 1)})`,
          );
        }
        await c.query('COMMIT');
        for (const d of missing) this.partitions[table].add(d);
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      }
    });
  }

  /**
   * Drops the raw day partitions older than `keepDays` days (retention; the rollups stay) and
   * records their days in raw_dropped_days (served from the rollups only), in one transaction;
   * returns the names dropped.
   */
  async dropPartitionsBefore(keepDays: number, nowMs = Date.now()): Promise<string[]> {
    await this.loadPartitions();
    const firstKept = Math.floor(nowMs / 86_400_000) - keepDays + 1;
    const dropped: string[] = [];
    const gone: [ShipTable, number][] = [];
    await withClient(this.pool, async (c) => {
      try {
        await c.query('BEGIN');
        await c.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_PARTITIONS]);
        for (const t of ['dialogues', 'tunnels'] as const) {
          for (const d of [...this.partitions[t]].sort((a, b) => a - b)) {
            if (d >= firstKept) continue;
            const name = partitionName(t, d);
            await c.query(`DROP TABLE IF EXISTS ${this.s}.${escapeIdentifier(name)}`);
            dropped.push(name);
            gone.push([t, d]);
          }
        }
        const days = new Set(gone.map(([, d]) => d));
        if (days.size > 0) {
          await c.query(`INSERT INTO ${this.s}.raw_dropped_days (day) SELECT unnest($1::date[]) ON CONFLICT (day) DO NOTHING`, [
            [...days].sort((a, b) => a - b).map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10)),
          ]);
        }
        await c.query('COMMIT');
        for (const [t, d] of gone) this.partitions[t].delete(d);
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      }
    });
    return dropped;
  }
}

