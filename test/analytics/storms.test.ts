/**
 * Storm minutes over a hand-built spool: 140 minutes of 10 dialogues each, with bursts placed at
 * the edges of the definition (warm-up, k × median exactly, first verdict minute).
 */
import { describe, expect, it } from 'vitest';
import { computeReport } from '../../src/analytics/compute';
import { median, nearestRank, stormMinutes } from '../../src/analytics/definitions';
import type { DialogueRecord } from '../../src/correlate/record';
import { buildSpool, dlg, MIN, T0 } from './spoolBuild';

describe('storm rule (definitions.ts)', () => {
  it('nearest rank and median', () => {
    expect([50, 95, 99].map((p) => nearestRank(p, 100))).toEqual([50, 95, 99]);
    expect([50, 95, 99].map((p) => nearestRank(p, 7))).toEqual([4, 7, 7]);
    expect([50, 95, 99].map((p) => nearestRank(p, 1))).toEqual([1, 1, 1]);
    expect(nearestRank(50, 6)).toBe(3);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('count > k × median of the preceding 60 minutes, no verdict in the warm-up, never on a 0 median', () => {
    const p = { k: 3, windowMinutes: 60, warmupMinutes: 10 };
    const c = new Array(80).fill(10);
    c[9] = 1000; // warm-up: no verdict
    c[10] = 31; // first verdict
    c[20] = 30; // = 3 × 10: not above
    expect(stormMinutes(c, p).map((v) => [v.index, v.ratio])).toEqual([[10, 3.1]]);
    // the window is 60 minutes: after 60 minutes of 100, 100 is the median
    const d = [...new Array(70).fill(1), ...new Array(61).fill(100), 301];
    // minute 70 + j has j 100s and 60 − j 1s behind it: the median is 1 up to j = 29, (1 + 100) / 2 at j = 30
    const v = stormMinutes(d, p);
    expect(v.map((x) => x.index)).toEqual([...Array.from({ length: 30 }, (_, j) => 70 + j), 131]);
    expect(v.at(-1)?.median).toBe(100);
    // an all-zero history never storms
    expect(stormMinutes([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5], p)).toEqual([]);
  });
});

describe('storms in the report', () => {
  // minute m has 10 dialogues from devices bg0..bg9; bursts add devices st10, st11, ...
  const sizes = new Map([[5, 100], [9, 31], [10, 31], [70, 31], [71, 30], [130, 40]]);
  const rows: DialogueRecord[] = [];
  for (let m = 0; m < 140; m++) {
    const n = sizes.get(m) ?? 10;
    for (let j = 0; j < n; j++) {
      const failed = m === 70 && j === 30;
      rows.push(dlg(T0 + m * 60_000_000 + j * 1000, {
        protocol: 'diameter', procedure: 'AIR', opcode: 318, imsi: j < 10 ? `bg${j}` : `st${j}`,
        status: failed ? 'error' : 'ok', resultCode: failed ? 5001 : 2001, resultName: failed ? 'DIAMETER_ERROR_USER_UNKNOWN' : null,
      }));
    }
  }
  const r = computeReport({ files: [buildSpool(rows)] });

  it('storm minutes, ratio, devices share, error rates, periodicity', () => {
    expect(r.period.minutes).toBe(140);
    // minute 9 is in the warm-up; minute 10: median of 0..9 (eight 10s, 100, 31) = 10; minute 71: 30 = 3 × 10, not above;
    // minute 130: median of 70..129 = 10
    expect(r.storms).toEqual([
      { minute: '2026-12-07T10:10:00Z', dialogues: 31, ratio: 3.1, median: 10, devices: 31, devices_share: 31 / 100 },
      { minute: '2026-12-07T11:10:00Z', dialogues: 31, ratio: 3.1, median: 10, devices: 31, devices_share: 31 / 100 },
      { minute: '2026-12-07T12:10:00Z', dialogues: 40, ratio: 4, median: 10, devices: 40, devices_share: 40 / 100 },
    ]);
    expect(r.summary.devices).toBe(100); // bg0..bg9, st10..st99
    expect(r.storm_summary.storm_minutes).toBe(3);
    expect(r.storm_summary.error_rate_inside).toBe(1 / (31 + 31 + 40));
    expect(r.storm_summary.error_rate_outside).toBe(0);
    expect(r.storm_summary.periodicity).toEqual([{ minute_of_hour: 10, storm_minutes: 3, hours: 3 }]);
    expect(r.per_minute).toHaveLength(140);
    expect(r.per_minute[5]).toEqual({ minute: '2026-12-07T10:05:00Z', dialogues: 100, median: null });
    expect(r.per_minute[10].median).toBe(10);
  });

  it('a quiet minute inside the period counts as 0', () => {
    const gap = rows.filter((d) => Math.floor(((d.reqTimeUs as number) - T0) / MIN) !== 50);
    const g = computeReport({ files: [buildSpool(gap)] });
    expect(g.per_minute[50]).toMatchObject({ dialogues: 0 });
    expect(g.per_minute).toHaveLength(140);
  });

  it('--storm-k', () => {
    const k4 = computeReport({ files: [buildSpool(rows)], stormK: 3.5 });
    expect(k4.storms.map((s) => s.minute)).toEqual(['2026-12-07T12:10:00Z']);
  });
});
