// Markdown rendering of the results: a metric | value table and notes.
import { METRICS } from './metrics';
import type { MetricValues } from './metrics';

/** 3 significant digits for small values, integers from 1000 up; never a thousands separator. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  if (a >= 1000 || Number.isInteger(v)) return Math.round(v).toString();
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

/** Rows of the metrics present in `values` (a partial run, e.g. --ship, has only its own). */
export function renderTable(values: Partial<MetricValues>, notes: readonly string[]): string {
  const lines = ['| metric | value |', '|---|---:|'];
  for (const m of METRICS) if (values[m.key] !== undefined) lines.push(`| ${m.label} | ${formatValue(values[m.key] as number)} |`);
  if (notes.length > 0) lines.push('', ...notes.map((n) => `- ${n}`));
  return lines.join('\n') + '\n';
}
