/**
 * The shipper: spool → BullMQ, one process per probe, so capture never waits on the network.
 *
 * Per table (dialogues, tunnels) it reads the records after the watermark in id order, cuts them
 * into batches (maxRecords, or whatever is there once the oldest has waited maxAgeMs), and adds
 * each batch as a job whose id is derived from its bounds. Up to `inFlight` adds are outstanding
 * (they pipeline on one connection: WAN latency is paid once per window, not per batch). Bounds
 * are written to ship_state.pending before the add; the watermark moves only over batches Redis
 * acknowledged, in id order. After a crash the pending batches are re-read and re-added with the
 * same ids (BullMQ ignores an add whose job exists), then shipping resumes after the watermark.
 *
 * While Redis is unreachable every add waits behind one shared backoff (exponential, jittered);
 * the spool keeps filling and the lag (unshipped records, age of the oldest) is in stats().
 */
import type { Database as Db } from 'better-sqlite3';
import { Queue, type JobsOptions } from 'bullmq';
import type { ShipConfig } from '../config/schema';
import { openSpool } from '../spool/spool';
import { backoffDelay, settledWithin, sleep } from './backoff';
import { BATCH_VERSION, type BatchJobData, batchJobId, batchJobOptions, compress, ENCODINGS, SHIP_TABLES, type ShipTable } from './batch';
import { checkRedisDurability, redisLabel, redisOptions } from './connection';
import { silentLogger, type Logger } from './log';
import { Retention } from './retention';
import { ShipStateStore, SpoolTableSource, type Range, type RenderedRows } from './spoolSource';

/** At stop: how long BullMQ may take to close. */
const STOP_REDIS_GRACE_MS = 5_000;

export interface ShipperOptions {
  probeId: string;
  spoolPath: string;
  ship: ShipConfig;
  log?: Logger;
  /** Queue (or a stand-in) to add jobs to; default: a BullMQ Queue on ship.redis. */
  queue?: Pick<Queue, 'add' | 'close'>;
}

interface Batch {
  table: ShipTable;
  first: number;
  last: number;
  count: number;
  jobId: string;
  data: BatchJobData;
  bytes: number;
  acked: boolean;
  /** resolves when acknowledged (or the shipper stops) */
  done: Promise<void>;
}

export interface ShipCounters {
  batchesShipped: number;
  recordsShipped: number;
  /** compressed payload bytes acknowledged */
  bytesShipped: number;
  /** adds that failed (Redis unreachable, timeout...) and were retried */
  addFailures: number;
  /** periods during which Redis could not be reached */
  redisOutages: number;
  /** batches re-added after a restart (their bounds were in ship_state.pending) */
  batchesResent: number;
}

export interface TableLag {
  table: ShipTable;
  shippedId: number;
  maxId: number;
  /** records after the watermark */
  unshipped: number;
  /** now minus the record time of the oldest unshipped record (packet time, seconds); 0 if none */
  oldestUnshippedAgeSeconds: number;
}

export class Shipper {
  readonly counters: ShipCounters = {
    batchesShipped: 0,
    recordsShipped: 0,
    bytesShipped: 0,
    addFailures: 0,
    redisOutages: 0,
    batchesResent: 0,
  };
  retention: Retention | null = null;
  /** true while adds fail */
  redisDown = false;

  private db: Db | null = null;
  private state: ShipStateStore | null = null;
  private sources = new Map<ShipTable, SpoolTableSource>();
  private spoolId = '';
  private queue: Pick<Queue, 'add' | 'close'> | null = null;
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private timers: NodeJS.Timeout[] = [];
  /** shared Redis backoff: adds wait until this time (ms) */
  private retryAt = 0;
  private outageAttempts = 0;
  private outageSince = 0;
  private readonly readUpTo = new Map<ShipTable, number>();
  private readonly jobOpts: JobsOptions;
  private lastConnectionError: string | undefined;

  constructor(private readonly opts: ShipperOptions) {
    this.log = opts.log ?? silentLogger;
    const s = opts.ship;
    this.jobOpts = batchJobOptions(keep(s.removeOnComplete), keep(s.removeOnFail));
  }

  get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  /** Opens the spool (waiting for it if it cannot be opened yet), connects, starts shipping. */
  async start(): Promise<void> {
    const s = this.opts.ship;
    for (let attempt = 0; !this.db; attempt++) {
      try {
        this.db = openSpool(this.opts.spoolPath);
      } catch (e) {
        if (this.stopping) return;
        this.log('warn', 'spool_unavailable', { spool: this.opts.spoolPath, error: (e as Error).message });
        await sleep(backoffDelay(attempt, s.retry), this.abort.signal);
        if (this.stopping) return;
      }
    }
    this.state = new ShipStateStore(this.db);
    this.spoolId = this.state.spoolId();
    for (const t of SHIP_TABLES) this.sources.set(t, new SpoolTableSource(this.db, t));
    this.retention = new Retention(
      this.db,
      this.state,
      [...this.sources.values()],
      { maxAgeUs: s.retention.maxAgeHours * 3600e6, maxBytes: s.retention.maxBytes },
      this.log,
      (t) => this.readUpTo.get(t) ?? 0,
    );
    this.queue = this.opts.queue ?? this.createQueue();
    if (!this.opts.queue) void checkRedisDurability(redisOptions(s.redis, 'producer'), (event, fields) => this.log('warn', event, fields));
    this.log('info', 'start', {
      probe: this.opts.probeId,
      spool: this.opts.spoolPath,
      spoolId: this.spoolId,
      redis: redisLabel(s.redis),
      queue: s.queue,
      maxRecords: s.batch.maxRecords,
      maxAgeMs: s.batch.maxAgeMs,
      inFlight: s.inFlight,
    });
    this.loops = SHIP_TABLES.map((t) => this.superviseTable(t));
    this.timers.push(setInterval(() => this.runRetention(), s.retention.intervalSeconds * 1000));
    this.timers.push(setInterval(() => this.log('info', 'stats', this.statsFields()), s.statsIntervalSeconds * 1000));
    this.runRetention();
  }

  private createQueue(): Queue {
    const q = new Queue(this.opts.ship.queue, { connection: redisOptions(this.opts.ship.redis, 'producer') });
    // Connection errors surface as failed adds, logged there with the last of them (e.g. a TLS
    // certificate refused: the add itself only times out).
    q.on('error', (e: Error) => {
      this.lastConnectionError = e.message;
    });
    return q;
  }

  /** Stops reading, waits (up to graceMs) for the adds in flight, closes Redis and the spool. */
  async stop(graceMs = 5000): Promise<void> {
    const grace = sleep(graceMs);
    this.stopDraining = Date.now() + graceMs;
    await Promise.race([Promise.all(this.loops), grace]);
    this.abort.abort();
    await Promise.all(this.loops);
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    // bounded: BullMQ's close may wait for an unreachable Redis (nothing is lost: unacknowledged
    // batches are in ship_state.pending and re-added at the next start)
    if (this.queue) await settledWithin(this.queue.close(), STOP_REDIS_GRACE_MS);
    this.log('info', 'stop', { ...this.statsFields() });
    this.db?.close();
    this.db = null;
  }
  private stopDraining = 0;

  /** Lag of each table (reads the spool). */
  lag(): TableLag[] {
    const out: TableLag[] = [];
    if (!this.state) return out;
    for (const [t, src] of this.sources) {
      const shippedId = this.state.load(t).shippedId;
      const oldest = src.oldestTimeAfter(shippedId);
      out.push({
        table: t,
        shippedId,
        maxId: src.maxId(),
        unshipped: src.countAfter(shippedId),
        oldestUnshippedAgeSeconds: oldest === null ? 0 : Math.max(0, (Date.now() * 1000 - oldest) / 1e6),
      });
    }
    return out;
  }

  statsFields(): Record<string, number | boolean> {
    const f: Record<string, number | boolean> = { ...this.counters, redisDown: this.redisDown };
    if (this.retention) {
      f.retentionDeletedShipped = this.retention.counters.deletedShipped;
      f.retentionDeletedUnshipped = this.retention.counters.deletedUnshipped;
    }
    if (this.db) {
      for (const l of this.lag()) {
        f[`${l.table}Unshipped`] = l.unshipped;
        f[`${l.table}OldestUnshippedAgeSeconds`] = Math.round(l.oldestUnshippedAgeSeconds * 10) / 10;
      }
    }
    return f;
  }

  private runRetention(): void {
    try {
      this.retention?.run();
    } catch (e) {
      this.log('warn', 'retention_failed', { error: (e as Error).message });
    }
  }

  // -------------------------------------------------------------------------------------------

  /** Runs a table's loop; after an unexpected error (spool locked too long...) restarts it from ship_state. */
  private async superviseTable(table: ShipTable): Promise<void> {
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        await this.runTable(table);
        return;
      } catch (e) {
        if (this.stopping) return;
        this.log('error', 'ship_loop_failed', { table, error: (e as Error).message });
        await sleep(backoffDelay(attempt, this.opts.ship.retry), this.abort.signal);
      }
    }
  }

  private async runTable(table: ShipTable): Promise<void> {
    const s = this.opts.ship;
    const state = this.state as ShipStateStore;
    const src = this.sources.get(table) as SpoolTableSource;
    const st = state.load(table);
    let shippedId = st.shippedId;
    let cursor = shippedId;
    const inflight: Batch[] = [];
    const pending = (): Range[] => inflight.map((b) => [b.first, b.last]);

    // Batches that were being added when the shipper stopped: the same bounds, the same job ids.
    for (const [first, last] of st.pending) {
      if (last <= shippedId) continue;
      const rows = src.readRange(Math.max(first, shippedId + 1), last);
      cursor = Math.max(cursor, last);
      if (!rows) continue;
      const b = await this.makeBatch(table, rows, first, last);
      this.counters.batchesResent++;
      inflight.push(b);
    }
    if (inflight.length > 0) this.log('info', 'resend_pending', { table, batches: inflight.length, first: inflight[0].first, last: cursor });
    this.readUpTo.set(table, cursor);
    state.savePending(table, pending());
    for (const b of inflight) this.launch(b);

    const pollMs = Math.max(10, Math.min(100, Math.floor(s.batch.maxAgeMs / 4)));
    let waitingSince = 0;
    while (!this.stopping) {
      // Cut new batches while the window has room.
      const draining = this.stopDraining > 0;
      while (!draining && inflight.length < s.inFlight) {
        const max = src.maxId();
        if (max <= cursor) {
          waitingSince = 0;
          break;
        }
        const now = Date.now();
        if (max - cursor < s.batch.maxRecords) {
          if (waitingSince === 0) waitingSince = now;
          if (now - waitingSince < s.batch.maxAgeMs) break;
        }
        const rows = src.readAfter(cursor, s.batch.maxRecords);
        if (!rows) {
          // ids above the cursor were deleted (retention) before being read
          cursor = max;
          break;
        }
        waitingSince = 0;
        const { first, last } = rows;
        const b = await this.makeBatch(table, rows, first, last);
        cursor = last;
        this.readUpTo.set(table, cursor);
        inflight.push(b);
        state.savePending(table, pending());
        this.launch(b);
      }
      if (draining && inflight.length === 0) break;
      // Wait for the oldest add, or the poll interval (more records may have arrived).
      if (inflight.length > 0) await Promise.race([inflight[0].done, sleep(pollMs, this.abort.signal)]);
      else await sleep(pollMs, this.abort.signal);
      let n = 0;
      let records = 0;
      while (inflight.length > 0 && inflight[0].acked) {
        const b = inflight.shift() as Batch;
        shippedId = b.last;
        records += b.count;
        n++;
      }
      if (n > 0) state.ack(table, shippedId, pending(), records, n);
    }
  }

  private async makeBatch(table: ShipTable, rows: RenderedRows, first: number, last: number): Promise<Batch> {
    const { compression, level } = this.opts.ship.batch;
    const z = await compress(rows.text, compression, level);
    const header = { probe: this.opts.probeId, spool: this.spoolId, table, first, last };
    const data: BatchJobData = {
      v: BATCH_VERSION,
      ...header,
      count: rows.count,
      cols: rows.cols,
      days: rows.days,
      tmax: rows.tmax,
      bytes: rows.text.length,
      enc: ENCODINGS[compression],
      data: z.toString('base64'),
    };
    return { table, first, last, count: rows.count, jobId: batchJobId(header), data, bytes: z.length, acked: false, done: Promise.resolve() };
  }

  /** Adds the batch, retrying behind the shared backoff until Redis acknowledges it. */
  private launch(b: Batch): void {
    b.done = (async () => {
      const queue = this.queue as Pick<Queue, 'add' | 'close'>;
      while (!this.stopping) {
        const wait = this.retryAt - Date.now();
        if (wait > 0) {
          await sleep(wait, this.abort.signal);
          continue;
        }
        try {
          // Bounded: before the first connection (Redis down at start, TLS refused) BullMQ waits
          // for the connection instead of failing. An add that completes after its timeout is
          // harmless: the retry has the same job id.
          await withTimeout(queue.add(b.table, b.data, { ...this.jobOpts, jobId: b.jobId }), this.opts.ship.redis.connectTimeoutMs);
          b.acked = true;
          this.counters.batchesShipped++;
          this.counters.recordsShipped += b.count;
          this.counters.bytesShipped += b.bytes;
          this.log('debug', 'batch_added', { jobId: b.jobId, records: b.count, bytes: b.bytes });
          if (this.redisDown) {
            this.redisDown = false;
            this.log('info', 'redis_up', { downForMs: Date.now() - this.outageSince, failedAdds: this.outageAttempts });
            this.outageAttempts = 0;
          }
          return;
        } catch (e) {
          if (this.stopping) return;
          this.counters.addFailures++;
          if (!this.redisDown) {
            this.redisDown = true;
            this.counters.redisOutages++;
            this.outageSince = Date.now();
            this.log('warn', 'redis_down', { error: (e as Error).message, connectionError: this.lastConnectionError, redis: redisLabel(this.opts.ship.redis) });
          }
          // One backoff for all adds in flight: the first failure of a round sets it.
          if (this.retryAt <= Date.now()) this.retryAt = Date.now() + backoffDelay(this.outageAttempts++, this.opts.ship.retry);
        }
      }
    })();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  p.catch(() => {}); // a late failure of an abandoned add is not unhandled
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

function keep(k: { count: number; ageSeconds?: number }): { count: number } | { age: number; count: number } {
  return k.ageSeconds ? { age: k.ageSeconds, count: k.count } : { count: k.count };
}
