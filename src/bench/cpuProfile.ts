// Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions by self time.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './paths';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** µs since the previous sample (the first one since startTime) */
  timeDeltas: number[];
}

export interface SelfTimeRow {
  fn: string;
  /** file:line (1-based), relative to the repo */
  where: string;
  selfMs: number;
  share: number;
}

/** The `n` functions with the most self time (samples of one function at one place summed). */
export function topSelfTime(file: string, n: number): SelfTimeRow[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byNode = new Map<number, ProfileNode>(p.nodes.map((x) => [x.id, x]));
  const self = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    // a sample stands for the time until the next one
    const us = p.timeDeltas[i + 1] ?? 0;
    const node = byNode.get(p.samples[i]);
    if (node === undefined) continue;
    const cf = node.callFrame;
    const where = cf.url === '' ? '' : `${shortUrl(cf.url)}:${cf.lineNumber + 1}`;
    const fn = cf.functionName === '' ? '(anonymous)' : cf.functionName;
    const key = `${fn} ${where}`;
    const row = self.get(key) ?? { fn, where, us: 0 };
    row.us += us;
    self.set(key, row);
    total += us;
  }
  return [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, n)
    .map((r) => ({ fn: r.fn, where: r.where, selfMs: r.us / 1000, share: total > 0 ? r.us / total : 0 }));
}

export function renderSelfTime(rows: readonly SelfTimeRow[]): string {
  const lines = ['| # | self ms | self % | function | where |', '|---:|---:|---:|---|---|'];
  rows.forEach((r, i) => lines.push(`| ${i + 1} | ${r.selfMs.toFixed(0)} | ${(r.share * 100).toFixed(1)} | ${r.fn} | ${r.where} |`));
  return lines.join('\n') + '\n';
}

function shortUrl(url: string): string {
  if (!url.startsWith('file://')) return url;
  return relative(REPO_ROOT, fileURLToPath(url));
}
