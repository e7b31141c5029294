import { describe, expect, it } from 'vitest';
import { collectorMetrics, shipperMetrics } from '../../src/metrics/shipMetrics';

describe('shipper and collector metrics', () => {
  it('shipper: counters, Redis reachability, lag per table, retention', async () => {
    let down = false;
    const counters = { batchesShipped: 3, recordsShipped: 15000, bytesShipped: 123456, addFailures: 2, redisOutages: 1, batchesResent: 0 };
    const r = shipperMetrics(
      {
        counters,
        get redisDown() {
          return down;
        },
        lag: () => [
          { table: 'dialogues', unshipped: 4200, oldestUnshippedAgeSeconds: 31.5 },
          { table: 'tunnels', unshipped: 0, oldestUnshippedAgeSeconds: 0 },
        ],
        retentionCounters: () => ({ deletedShipped: 10, deletedUnshipped: 0 }),
      },
      'mad1',
      false,
    );
    let t = await r.metrics();
    expect(t).toContain('sigprobe_shipper_records_total{probe="mad1"} 15000');
    expect(t).toContain('sigprobe_shipper_add_failures_total{probe="mad1"} 2');
    expect(t).toContain('sigprobe_shipper_redis_down{probe="mad1"} 0');
    expect(t).toContain('sigprobe_shipper_unshipped_records{table="dialogues",probe="mad1"} 4200');
    expect(t).toContain('sigprobe_shipper_oldest_unshipped_age_seconds{table="dialogues",probe="mad1"} 31.5');
    expect(t).toContain('sigprobe_shipper_retention_deleted_total{kind="unshipped",probe="mad1"} 0');
    down = true;
    counters.recordsShipped = 20000;
    t = await r.metrics();
    expect(t).toContain('sigprobe_shipper_redis_down{probe="mad1"} 1');
    expect(t).toContain('sigprobe_shipper_records_total{probe="mad1"} 20000');
  });
  it('collector: stored, duplicates, poison batches, queue backlog', async () => {
    const r = collectorMetrics(
      {
        counters: { batchesStored: 7, recordsStored: 35000, duplicateRecords: 5000, poisonBatches: 1, transientFailures: 3 },
        queueCounts: async () => ({ wait: 12, active: 2, failed: 1 }),
      },
      'w1',
      false,
    );
    const t = await r.metrics();
    expect(t).toContain('sigprobe_collector_records_total{worker="w1"} 35000');
    expect(t).toContain('sigprobe_collector_poison_batches_total{worker="w1"} 1');
    expect(t).toContain('sigprobe_collector_queue_jobs{state="wait",worker="w1"} 12');
    for (const n of [...t.matchAll(/^# TYPE (\S+)/gm)].map((x) => x[1])) expect(t).toMatch(new RegExp(`# HELP ${n} \\S`));
  });
});
