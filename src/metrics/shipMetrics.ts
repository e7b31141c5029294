import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** What the shipper exposes (src/ship/shipper.ts): counters and per-table lag. */
export interface ShipperView {
  readonly counters: { batchesShipped: number; recordsShipped: number; bytesShipped: number; addFailures: number; redisOutages: number; batchesResent: number };
  readonly redisDown: boolean;
  lag(): { table: string; unshipped: number; oldestUnshippedAgeSeconds: number }[];
  retentionCounters(): { deletedShipped: number; deletedUnshipped: number } | null;
}

/** What the collector exposes (src/collector/collector.ts). */
export interface CollectorView {
  readonly counters: { batchesStored: number; recordsStored: number; duplicateRecords: number; poisonBatches: number; transientFailures: number };
  queueCounts(): Promise<Record<string, number>>;
}

function counter(r: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [r],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/**
 * Metrics of `sigprobe ship` (declared here with HELP, read from the shipper at scrape time):
 * batches/records/bytes shipped, add failures, Redis outages, lag per table (unshipped records,
 * age of the oldest unshipped record), Redis reachability, retention deletions.
 */
export function shipperMetrics(s: ShipperView, probeId: string, processMetrics = true): Registry {
  const r = new Registry();
  r.setDefaultLabels({ probe: probeId });
  if (processMetrics) collectDefaultMetrics({ register: r, prefix: 'sigprobe_shipper_' });
  counter(r, 'sigprobe_shipper_batches_total', 'Batches acknowledged by Redis (BullMQ jobs added).', () => s.counters.batchesShipped);
  counter(r, 'sigprobe_shipper_records_total', 'Records in the batches acknowledged by Redis.', () => s.counters.recordsShipped);
  counter(r, 'sigprobe_shipper_bytes_total', 'Compressed payload bytes acknowledged by Redis.', () => s.counters.bytesShipped);
  counter(r, 'sigprobe_shipper_add_failures_total', 'Job adds that failed (Redis unreachable, timeout) and are retried with backoff.', () => s.counters.addFailures);
  counter(r, 'sigprobe_shipper_redis_outages_total', 'Periods during which Redis could not be reached.', () => s.counters.redisOutages);
  counter(r, 'sigprobe_shipper_batches_resent_total', 'Batches re-added after a restart (same job ids: never stored twice).', () => s.counters.batchesResent);
  new Gauge({
    name: 'sigprobe_shipper_redis_down',
    help: '1 while Redis is unreachable (the spool keeps filling; lag grows).',
    registers: [r],
    collect() {
      this.set(s.redisDown ? 1 : 0);
    },
  });
  const lag = () => s.lag();
  new Gauge({
    name: 'sigprobe_shipper_unshipped_records',
    help: 'Spool records not yet acknowledged by Redis, by table.',
    labelNames: ['table'],
    registers: [r],
    collect() {
      for (const l of lag()) this.set({ table: l.table }, l.unshipped);
    },
  });
  new Gauge({
    name: 'sigprobe_shipper_oldest_unshipped_age_seconds',
    help: 'Age of the oldest record not yet acknowledged by Redis (record time), by table: the shipping lag.',
    labelNames: ['table'],
    registers: [r],
    collect() {
      for (const l of lag()) this.set({ table: l.table }, l.oldestUnshippedAgeSeconds);
    },
  });
  new Counter({
    name: 'sigprobe_shipper_retention_deleted_total',
    help: 'Spool records deleted by retention: kind=shipped, or kind=unshipped (lost: the disk limit forced it).',
    labelNames: ['kind'],
    registers: [r],
    collect() {
      this.reset();
      const c = s.retentionCounters();
      if (c) {
        this.inc({ kind: 'shipped' }, c.deletedShipped);
        this.inc({ kind: 'unshipped' }, c.deletedUnshipped);
      }
    },
  });
  return r;
}

/** Metrics of `sigprobe collect`: batches/records stored, duplicates skipped, poison batches, retries, queue depth. */
export function collectorMetrics(c: CollectorView, worker: string, processMetrics = true): Registry {
  const r = new Registry();
  r.setDefaultLabels({ worker });
  if (processMetrics) collectDefaultMetrics({ register: r, prefix: 'sigprobe_collector_' });
  counter(r, 'sigprobe_collector_batches_total', 'Batches stored in PostgreSQL (one transaction each).', () => c.counters.batchesStored);
  counter(r, 'sigprobe_collector_records_total', 'Records inserted in PostgreSQL.', () => c.counters.recordsStored);
  counter(r, 'sigprobe_collector_duplicate_records_total', 'Records already stored (a retried batch): skipped, never doubled.', () => c.counters.duplicateRecords);
  counter(r, 'sigprobe_collector_poison_batches_total', 'Batches that can never be stored: moved to failed_batches with a reason.', () => c.counters.poisonBatches);
  counter(r, 'sigprobe_collector_transient_failures_total', 'Batch attempts that failed transiently (PostgreSQL down...) and are retried with backoff.', () => c.counters.transientFailures);
  new Gauge({
    name: 'sigprobe_collector_queue_jobs',
    help: 'BullMQ jobs of the queue by state (wait, active, delayed, failed, completed): the central backlog.',
    labelNames: ['state'],
    registers: [r],
    async collect() {
      const counts = await c.queueCounts().catch(() => ({}) as Record<string, number>);
      for (const [k, v] of Object.entries(counts)) this.set({ state: k }, v);
    },
  });
  return r;
}
