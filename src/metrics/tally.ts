/**
 * Local, exact counting for the metrics that change per record (dialogues, latency, tunnels):
 * the record path adds to plain numbers found through nested Maps keyed by the label values
 * (no label object, no hashing of a label string, no prom-client call); prom-client reads the
 * totals when it is scraped (the metric's collect()). Series keep their first-seen order.
 */
import type { Counter, Histogram } from 'prom-client';

/** One series of a tally: its label values, in the order of the metric's label names. */
export interface TallySeries {
  readonly labels: Record<string, string>;
  /** count of add() / observe() calls */
  count: number;
  /** histograms: sum of the observed values (added in observation order, as prom-client does) */
  sum: number;
  /** histograms: non-cumulative counts per upper bound (index = bucket), values above the last bound only in count */
  readonly buckets: Float64Array | null;
}

type Level = Map<string, Level | TallySeries>;

/** Series of up to three labels, created on first use. */
export class Tally {
  private readonly root: Level = new Map();
  /** every series, in the order first seen */
  readonly series: TallySeries[] = [];

  /** `bounds`: histogram upper bounds (ascending), or null for a counter. */
  constructor(
    private readonly names: readonly string[],
    readonly bounds: readonly number[] | null = null,
  ) {
    if (names.length < 1 || names.length > 3) throw new Error('Tally: 1 to 3 labels');
  }

  /** The series of these label values (as many as the tally's label names). */
  get(a: string, b = '', c = ''): TallySeries {
    const n = this.names.length;
    let l1 = this.root.get(a);
    if (n === 1) return (l1 as TallySeries | undefined) ?? this.create(this.root, a, [a]);
    if (l1 === undefined) {
      l1 = new Map();
      this.root.set(a, l1);
    }
    const m1 = l1 as Level;
    const l2 = m1.get(b);
    if (n === 2) return (l2 as TallySeries | undefined) ?? this.create(m1, b, [a, b]);
    let m2 = l2 as Level | undefined;
    if (m2 === undefined) {
      m2 = new Map();
      m1.set(b, m2);
    }
    return (m2.get(c) as TallySeries | undefined) ?? this.create(m2, c, [a, b, c]);
  }

  /** Counter: one more for these label values. */
  add(a: string, b = '', c = ''): void {
    this.get(a, b, c).count++;
  }

  /** Histogram: one observation. */
  observe(value: number, a: string, b = '', c = ''): void {
    const s = this.get(a, b, c);
    s.count++;
    s.sum += value;
    const bounds = this.bounds as readonly number[];
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        (s.buckets as Float64Array)[i]++;
        break;
      }
    }
  }

  private create(level: Level, key: string, values: string[]): TallySeries {
    const labels: Record<string, string> = {};
    for (let i = 0; i < this.names.length; i++) labels[this.names[i]] = values[i];
    const s: TallySeries = { labels, count: 0, sum: 0, buckets: this.bounds === null ? null : new Float64Array(this.bounds.length) };
    level.set(key, s);
    this.series.push(s);
    return s;
  }
}

/** Counter.collect(): the counter's values become the tally's counts. */
export function publishCounter(c: Counter<string>, t: Tally): void {
  c.reset();
  for (const s of t.series) if (s.count > 0) c.inc(s.labels, s.count);
}

/** prom-client's per-series histogram state (Histogram.hashMap; it has no bulk-update API). */
interface HistogramEntry {
  labels: Record<string, string>;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

/**
 * Histogram.collect(): the histogram's series become the tally's (buckets, sum, count), as if
 * every value had been observed through prom-client. The histogram must have the tally's bounds.
 */
export function publishHistogram(h: Histogram<string>, t: Tally): void {
  h.reset();
  const bounds = t.bounds as readonly number[];
  for (const s of t.series) h.zero(s.labels);
  const entries = (h as unknown as { hashMap: Record<string, HistogramEntry> }).hashMap;
  const byLabels = new Map<Record<string, string>, HistogramEntry>();
  for (const k in entries) byLabels.set(entries[k].labels, entries[k]);
  for (const s of t.series) {
    const e = byLabels.get(s.labels);
    if (e === undefined) continue;
    e.sum = s.sum;
    e.count = s.count;
    const b = s.buckets as Float64Array;
    for (let i = 0; i < bounds.length; i++) e.bucketValues[bounds[i]] = b[i];
  }
}
