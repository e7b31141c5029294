import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { ProbeMetrics, type MetricSources } from '../../src/metrics/probeMetrics';
import { collectorMetrics, shipperMetrics, type CollectorView, type ShipperView } from '../../src/metrics/shipMetrics';

/** Metric names the probe exports (with histogram/counter suffixes). */
function exported(): Set<string> {
  const m = new ProbeMetrics({} as MetricSources, { site: 's', source: 'l' });
  const names = new Set<string>(['up']);
  const all = [
    ...m.registry.getMetricsAsArray(),
    ...shipperMetrics({} as ShipperView, 'p').getMetricsAsArray(),
    ...collectorMetrics({} as CollectorView, 'w').getMetricsAsArray(),
  ];
  for (const x of all) {
    names.add(x.name);
    for (const suf of ['_bucket', '_sum', '_count']) names.add(x.name + suf);
  }
  return names;
}

function referenced(expr: string): string[] {
  return [...expr.matchAll(/\b(sigprobe_[a-z0-9_]+|up)\b(?=\s*[{[)\s]|$)/g)].map((x) => x[1]);
}

describe('alert rules and dashboard', () => {
  const names = exported();
  it('every alert expression uses metrics the probe exports, with summary and severity', () => {
    const rules = parse(readFileSync(resolve(__dirname, '../../config/prometheus/sigprobe.rules.yaml'), 'utf8'));
    const all = rules.groups.flatMap((g: { rules: unknown[] }) => g.rules) as { alert: string; expr: string; labels: { severity: string }; annotations: { summary: string } }[];
    expect(all.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['SigprobeKernelDrops', 'SigprobeDecodeAnomalySpike', 'SigprobeNoTraffic', 'SigprobeSpoolWriteFailing', 'SigprobeShipperLag', 'SigprobeCollectorPoisonBatches']),
    );
    for (const r of all) {
      const used = referenced(r.expr);
      expect(used.length, r.alert).toBeGreaterThan(0);
      for (const n of used) expect(names.has(n), `${r.alert} uses ${n}`).toBe(true);
      expect(['warning', 'critical']).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(10);
    }
  });
  it('every dashboard query uses exported metrics', () => {
    const d = JSON.parse(readFileSync(resolve(__dirname, '../../config/grafana/sigprobe.dashboard.json'), 'utf8'));
    expect(d.panels.length).toBeGreaterThanOrEqual(8);
    for (const p of d.panels) {
      for (const t of p.targets) {
        const used = referenced(t.expr);
        expect(used.length, p.title).toBeGreaterThan(0);
        for (const n of used) expect(names.has(n), `${p.title}: ${n}`).toBe(true);
      }
    }
  });
});
