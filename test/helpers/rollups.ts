/**
 * The central rollups of a schema in one comparable shape: every row of every rollup table by its
 * key, HyperLogLogs as their cardinality, t-digests as their count and p50/p95/p99 (rounded to
 * 1e-6: a digest of fewer points than its compression holds them all, exactly), the time arrays
 * of device_day sorted.
 */
import type { Pool } from 'pg';
import { BYTES_BUCKETS, DEVICE_KEY, DIALOGUE_KEY, DURATION_BUCKETS, MINUTE_KEY, TUNNEL_KEY } from '../../src/collector/rollups';

export interface RollupSnapshot {
  dialogues: unknown[][];
  minutes: unknown[][];
  tunnels: unknown[][];
  deviceDay: unknown[][];
}

const digest = (c: string) =>
  `tdigest_count(${c})::bigint, (SELECT array_agg(round(x::numeric, 6)) FROM unnest((SELECT tdigest_percentile(v, ARRAY[0.5, 0.95, 0.99]) FROM (SELECT ${c}) s(v))) x)`;
const card = (c: string) => `round(hll_cardinality(${c})::numeric, 3)`;
const sorted = (c: string) => `(SELECT array_agg(x ORDER BY x) FROM unnest(${c}) x)`;

export async function rollupSnapshot(pool: Pool, schema: string): Promise<RollupSnapshot> {
  const q = async (sql: string) => (await pool.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
  const by = (key: readonly string[]) => key.map((k) => `${k} NULLS FIRST`).join(', ');
  const buckets = [...DURATION_BUCKETS, ...BYTES_BUCKETS].map(([c]) => c).join(', ');
  return {
    dialogues: await q(`SELECT ${DIALOGUE_KEY.join(', ')}, dialogues, ${digest('latency')}, ${card('devices')} FROM ${schema}.rollup_dialogues_hourly ORDER BY ${by(DIALOGUE_KEY)}`),
    minutes: await q(`SELECT ${MINUTE_KEY.join(', ')}, dialogues, failed, ${card('devices')} FROM ${schema}.rollup_dialogues_minute ORDER BY ${by(MINUTE_KEY)}`),
    tunnels: await q(
      `SELECT ${TUNNEL_KEY.join(', ')}, creates, accepted, accepted_zero_bytes, ${digest('setup_delay')}, ${digest('duration')}, ` +
        `bytes_up, bytes_down, packets_up, packets_down, ${buckets}, ${card('devices')} FROM ${schema}.rollup_tunnels_hourly ORDER BY ${by(TUNNEL_KEY)}`,
    ),
    deviceDay: await q(
      `SELECT ${DEVICE_KEY.join(', ')}, home_network, dialogues, lu, lu_ok, rna, ${sorted('rna_us')}, ${sorted('ok_us')}, ok_last_us, tunnels_accepted ` +
        `FROM ${schema}.device_day ORDER BY ${by(DEVICE_KEY)}`,
    ),
  };
}
