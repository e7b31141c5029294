import { describe, expect, it } from 'vitest';
import { Counter, Histogram, Registry } from 'prom-client';
import { Tally, publishCounter, publishHistogram } from '../../src/metrics/tally';

// The tally must expose exactly what prom-client shows when every value goes through it directly.
describe('metrics tally', () => {
  it('publishes counters and histograms identical to direct prom-client updates', async () => {
    const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10];
    const direct = new Registry();
    const viaTally = new Registry();
    const dc = new Counter({ name: 'c_total', help: 'c', labelNames: ['protocol', 'procedure', 'status'], registers: [direct] });
    const dh = new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['protocol', 'procedure'], buckets: bounds, registers: [direct] });
    const tc = new Tally(['protocol', 'procedure', 'status']);
    const th = new Tally(['protocol', 'procedure'], bounds);
    new Counter({ name: 'c_total', help: 'c', labelNames: ['protocol', 'procedure', 'status'], registers: [viaTally], collect() { publishCounter(this, tc); } });
    new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['protocol', 'procedure'], buckets: bounds, registers: [viaTally], collect() { publishHistogram(this, th); } });
    let x = 12345;
    const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const protos = ['map', 'cap', 'diameter'];
    const procs = ['updateLocation', 'sendAuthenticationInfo', 'unknown', 'initialDP'];
    const stats = ['ok', 'error', 'timeout'];
    for (let i = 0; i < 5000; i++) {
      const p = protos[Math.floor(rnd() * 3)];
      const q = procs[Math.floor(rnd() * 4)];
      const s = stats[Math.floor(rnd() * 3)];
      // values on bucket bounds, between them and above the last one
      const v = rnd() < 0.1 ? bounds[Math.floor(rnd() * bounds.length)] : rnd() * 12;
      dc.inc({ protocol: p, procedure: q, status: s });
      tc.add(p, q, s);
      dh.observe({ protocol: p, procedure: q }, v);
      th.observe(v, p, q);
    }
    const sortLines = (t: string) => t.split('\n').sort().join('\n');
    const a = await direct.metrics();
    expect(a).toContain('h_seconds_bucket{le="+Inf"');
    expect(sortLines(await viaTally.metrics())).toBe(sortLines(a));
    // a second scrape (collect runs again) gives the same text
    expect(sortLines(await viaTally.metrics())).toBe(sortLines(a));
  });
});
