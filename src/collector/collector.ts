/**
 * The collector: BullMQ workers that store the probes' batches in PostgreSQL. Several collector
 * processes (on one host or several) may run side by side on the same queue; each batch is stored
 * idempotently in one transaction (store.ts), so a batch delivered twice — a worker killed after
 * COMMIT but before BullMQ heard of it, a shipper that re-added it — leaves one row per record.
 *
 * A batch that fails for a transient reason (PostgreSQL down or restarting...) is retried with a
 * capped, jittered backoff, without limit. A batch that can never be stored (undecodable, rejected
 * by PostgreSQL as data) is recorded in failed_batches with its reason and failed at once
 * (UnrecoverableError): it never blocks the batches behind it.
 */
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Pool } from 'pg';
import type { CollectorConfig } from '../config/schema';
import { backoffDelay, settledWithin, sleep } from '../ship/backoff';
import { decompress, JOB_BACKOFF_TYPE, validateBatch, type BatchJobData } from '../ship/batch';
import { checkRedisDurability, redisLabel, redisOptions, tlsOptions } from '../ship/connection';
import { silentLogger, type Logger } from '../ship/log';
import { errorReason, isConnectionError, isPermanentPgError, PoisonBatchError } from './errors';
import { BatchStore, migrateCentral } from './store';
import { SigprobeError } from '../config/errors';

/** Attempts after which a batch whose records have no partition is given up (its day list lies). */
const MAX_NO_PARTITION_ATTEMPTS = 5;
const PARTITION_RETENTION_INTERVAL_MS = 3600_000;
/** At stop: how long the stores in progress may take to finish their transaction. */
const STOP_STORE_GRACE_MS = 30_000;
/** At stop: how long BullMQ may take to close (it needs Redis, which may be unreachable). */
const STOP_REDIS_GRACE_MS = 5_000;
/** Queue hygiene of jobs that carry none, and of the jobs the collector adds itself (requeue.ts). */
export const COLLECTOR_REMOVE_ON_COMPLETE = { count: 1000, age: 3600 };
export const COLLECTOR_REMOVE_ON_FAIL = { count: 10_000, age: 7 * 86400 };

/** The collector's PostgreSQL pool (TLS, password, timeouts), also for one-shot commands. */
export function collectorPool(cfg: CollectorConfig, pgPassword?: string): Pool {
  const pg = cfg.postgres;
  const pool = new Pool({
    connectionString: pg.url,
    password: pgPassword,
    ssl: pg.tls ? tlsOptions(pg.tls, new URL(pg.url).hostname) : undefined,
    max: cfg.concurrency + 2,
    application_name: 'sigprobe-collector',
    connectionTimeoutMillis: 10_000,
    // a store that hangs this long is abandoned (the batch is retried)
    statement_timeout: 300_000,
  });
  // Idle connections die when PostgreSQL restarts: the pool drops them and opens new ones.
  // (Checked-out clients have a listener of their own while they are out: store.ts withClient.)
  pool.on('error', () => {});
  return pool;
}

export interface CollectorOptions {
  cfg: CollectorConfig;
  /** PostgreSQL password (from postgres.passwordFile), if any */
  pgPassword?: string;
  log?: Logger;
}

export interface CollectorCounters {
  batchesStored: number;
  /** rows inserted */
  recordsStored: number;
  /** rows of batches delivered again, already stored */
  duplicateRecords: number;
  /** batches moved to the failed set */
  poisonBatches: number;
  /** attempts that failed for a transient reason (retried) */
  transientFailures: number;
}

export class Collector {
  readonly counters: CollectorCounters = { batchesStored: 0, recordsStored: 0, duplicateRecords: 0, poisonBatches: 0, transientFailures: 0 };
  readonly pool: Pool;
  readonly store: BatchStore;
  private worker: Worker | null = null;
  private queue: Queue | null = null;
  private timers: NodeJS.Timeout[] = [];
  private readonly log: Logger;
  private readonly abort = new AbortController();
  /** stores in progress (their PostgreSQL transactions) */
  private readonly storing = new Set<Promise<unknown>>();
  /** wall time (ms) when a store first failed for want of PostgreSQL, 0 while it answers */
  private pgDownSince = 0;

  constructor(private readonly opts: CollectorOptions) {
    this.log = opts.log ?? silentLogger;
    this.pool = collectorPool(opts.cfg, opts.pgPassword);
    this.store = new BatchStore(this.pool, opts.cfg.postgres.schema, { rollups: opts.cfg.rollups });
  }

  /** Applies the migrations (waiting for PostgreSQL if needed), then starts the workers. */
  async start(): Promise<void> {
    const cfg = this.opts.cfg;
    for (let attempt = 0; ; attempt++) {
      try {
        const applied = await migrateCentral(this.pool, cfg.postgres.schema);
        if (applied > 0) this.log('info', 'migrated', { schema: cfg.postgres.schema, applied });
        break;
      } catch (e) {
        // a missing extension (rollups.ts checkExtensions): no point waiting, the collector refuses to start
        if (e instanceof SigprobeError) throw e;
        this.log('warn', 'postgres_unavailable', { error: errorReason(e) });
        await sleep(backoffDelay(attempt, cfg.retry), this.abort.signal);
        if (this.abort.signal.aborted) return;
      }
    }
    const connection = redisOptions(cfg.redis, 'worker');
    await checkRedisDurability(connection, (event, fields) => this.log('warn', event, fields));
    this.worker = new Worker(cfg.queue, (job) => this.process(job), {
      connection,
      concurrency: cfg.concurrency,
      lockDuration: cfg.lockDurationMs,
      stalledInterval: cfg.stalledIntervalMs,
      maxStalledCount: cfg.maxStalledCount,
      removeOnComplete: COLLECTOR_REMOVE_ON_COMPLETE,
      removeOnFail: COLLECTOR_REMOVE_ON_FAIL,
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string) =>
          type === JOB_BACKOFF_TYPE || type === undefined ? backoffDelay(Math.max(0, attemptsMade - 1), cfg.retry) : cfg.retry.baseMs,
      },
    });
    let lastWorkerError = 0;
    this.worker.on('error', (e) => {
      // ioredis repeats connection errors while Redis is down: one line per 10 s is enough.
      if (Date.now() - lastWorkerError < 10_000) return;
      lastWorkerError = Date.now();
      this.log('warn', 'redis_error', { error: e.message, redis: redisLabel(cfg.redis) });
    });
    this.queue = new Queue(cfg.queue, { connection: redisOptions(cfg.redis, 'producer') });
    this.queue.on('error', () => {});
    this.log('info', 'start', { queue: cfg.queue, redis: redisLabel(cfg.redis), schema: cfg.postgres.schema, concurrency: cfg.concurrency });
    this.timers.push(setInterval(() => void this.logStats(), cfg.statsIntervalSeconds * 1000));
    if (cfg.retentionDays > 0) {
      const drop = () =>
        this.store.dropPartitionsBefore(cfg.retentionDays).then(
          (names) => names.length > 0 && this.log('info', 'partitions_dropped', { partitions: names }),
          (e) => this.log('warn', 'partition_retention_failed', { error: errorReason(e) }),
        );
      void drop();
      this.timers.push(setInterval(drop, PARTITION_RETENTION_INTERVAL_MS));
    }
  }

  /** Job counts of the queue (backlog: wait + delayed + prioritized). */
  async queueCounts(): Promise<Record<string, number>> {
    if (!this.queue) return {};
    return this.queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'failed', 'completed');
  }

  private async logStats(): Promise<void> {
    const counts = await this.queueCounts().catch(() => ({}));
    this.log('info', 'stats', { ...this.counters, ...this.store.counters, ...counts });
  }

  /**
   * Finishes the batches in progress, then disconnects. Bounded even when Redis is unreachable
   * (BullMQ's close waits for it): a batch whose completion Redis never heard of is delivered
   * again once its lock expires, and stored once (idempotent).
   */
  async stop(): Promise<void> {
    this.abort.abort();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const closing = this.worker ? this.worker.close() : Promise.resolve();
    await settledWithin(Promise.allSettled([...this.storing]), STOP_STORE_GRACE_MS);
    const closed = await settledWithin(closing, STOP_REDIS_GRACE_MS);
    if (this.queue) await settledWithin(this.queue.close(), STOP_REDIS_GRACE_MS);
    this.log('info', 'stop', { ...this.counters, ...(closed ? {} : { redisCloseTimedOut: true }) });
    await settledWithin(this.pool.end(), STOP_REDIS_GRACE_MS);
  }

  /** Stores one job's batch; the return value is kept with the completed job. */
  async process(job: Pick<Job, 'id' | 'data' | 'attemptsMade'>): Promise<{ inserted: number; duplicates: number }> {
    const jobId = job.id ?? '?';
    const reason = validateBatch(job.data);
    if (reason) return this.poison(jobId, job.data, reason);
    const h = job.data as BatchJobData;
    let payload: Buffer;
    try {
      payload = await decompress(Buffer.from(h.data, 'base64'), h.enc, h.bytes);
    } catch (e) {
      return this.poison(jobId, job.data, `undecodable payload: ${(e as Error).message}`);
    }
    const storing = this.store.store(h, payload);
    this.storing.add(storing);
    try {
      const r = await storing;
      if (this.pgDownSince !== 0) {
        this.log('info', 'postgres_up', { downForMs: Date.now() - this.pgDownSince });
        this.pgDownSince = 0;
      }
      this.counters.batchesStored++;
      this.counters.recordsStored += r.inserted;
      this.counters.duplicateRecords += r.duplicates;
      this.log('debug', 'batch_stored', { jobId, ...r });
      if (r.duplicates > 0) this.log('info', 'batch_duplicates', { jobId, inserted: r.inserted, duplicates: r.duplicates });
      return r;
    } catch (e) {
      if (e instanceof PoisonBatchError || isPermanentPgError(e)) return this.poison(jobId, job.data, errorReason(e));
      const code = (e as { code?: string }).code;
      if (code === '23514' && job.attemptsMade + 1 >= MAX_NO_PARTITION_ATTEMPTS) {
        return this.poison(jobId, job.data, `no partition for some records (their days are not in the batch header): ${errorReason(e)}`);
      }
      this.counters.transientFailures++;
      // PostgreSQL restarted, crashed or unreachable: logged once per outage (the batches are retried)
      if (this.pgDownSince === 0 && isConnectionError(e)) {
        this.pgDownSince = Date.now();
        this.log('warn', 'postgres_down', { error: errorReason(e) });
      }
      this.log('warn', 'batch_retry', { jobId, attempt: job.attemptsMade + 1, error: errorReason(e) });
      throw e;
    } finally {
      this.storing.delete(storing);
    }
  }

  /** Records the batch in failed_batches and fails the job for good (no retry). */
  private async poison(jobId: string, data: unknown, reason: string): Promise<never> {
    // If PostgreSQL is down this throws: the job is retried and lands here again later.
    await this.store.recordFailed(jobId, data, reason);
    this.counters.poisonBatches++;
    this.log('error', 'batch_failed', { jobId, reason });
    throw new UnrecoverableError(reason);
  }
}
