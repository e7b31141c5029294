// Node child processes of the bench: the in-process measurements (worker.js) and the CLI. Each
// child gets rusage.js preloaded, so wall time, CPU time and peak RSS come back with its output.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUSAGE_PRELOAD, WORKER_MAIN } from './paths';
import { RUSAGE_ENV } from './rusage';

export interface ChildRun {
  stdout: string;
  /** wall time of the whole child, start-up included */
  wallSeconds: number;
  /** peak resident set size, bytes */
  maxRssBytes: number;
  /** user + system CPU time, seconds */
  cpuSeconds: number;
}

let runs = 0;

/** Run `node [nodeFlags] script args` to completion; throws on a non-zero exit. */
export function runNode(script: string, args: readonly string[], nodeFlags: readonly string[] = []): ChildRun {
  const usageFile = join(tmpdir(), `sigprobe-bench-rusage-${process.pid}-${++runs}.json`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...nodeFlags, '-r', RUSAGE_PRELOAD, script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, [RUSAGE_ENV]: usageFile },
  });
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  try {
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
    const u = JSON.parse(readFileSync(usageFile, 'utf8')) as NodeJS.ResourceUsage;
    return { stdout: r.stdout, wallSeconds, maxRssBytes: u.maxRSS * 1024, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6 };
  } finally {
    rmSync(usageFile, { force: true });
  }
}

/** One measurement of worker.ts in its own process; returns its JSON result and the child's usage. */
export function runWorker<T>(step: string, params: unknown, nodeFlags: readonly string[] = []): { result: T; run: ChildRun } {
  const run = runNode(WORKER_MAIN, [step, JSON.stringify(params)], nodeFlags);
  return { result: JSON.parse(run.stdout) as T, run };
}
