// bench/RESULTS.md: every run appends its table under a heading that says when, on what machine
// and at which commit it ran.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { REPO_ROOT, RESULTS_FILE } from './paths';

const RESULTS_PREAMBLE = '# sigprobe benchmark results\n\nAppended by `npm run bench` (src/bench/run.ts), newest last.\n';

export function machineDescription(): string {
  const c = cpus();
  const gib = totalmem() / 2 ** 30;
  return `${c[0]?.model.trim() ?? 'unknown CPU'}, ${c.length} cores, ${gib.toFixed(1)} GiB RAM, node ${process.version}`;
}

/** `git rev-parse --short HEAD` (read-only), or 'unknown' outside a work tree */
export function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

export function resultsHeading(mode: string, when: Date): string {
  return `## ${when.toISOString()} — ${mode} — ${machineDescription()} — commit ${gitCommit()}`;
}

export function appendResults(heading: string, body: string, file = RESULTS_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  const pre = existsSync(file) ? '' : RESULTS_PREAMBLE;
  appendFileSync(file, `${pre}\n${heading}\n\n${body}`);
}
