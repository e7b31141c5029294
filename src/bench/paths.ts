// Where the benchmark finds the built probe and keeps its files. Everything is resolved from this
// module's location (dist/bench/), so the bench runs from any working directory.
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
/** The built CLI the full-replay step runs as a child process. */
export const CLI_MAIN = join(REPO_ROOT, 'dist', 'cli', 'main.js');
/** Child-process entry of the in-process measurements. */
export const WORKER_MAIN = join(__dirname, 'worker.js');
/** Preloaded (`node -r`) into every Node child: reports its resource usage at exit. */
export const RUSAGE_PRELOAD = join(__dirname, 'rusage.js');
/** Built generator: its files fingerprint the cached captures. */
export const DIST_GEN = join(REPO_ROOT, 'dist', 'gen');
/** Captures, spool, tshark output and CPU profiles (git-ignored). */
export const DEFAULT_WORK_DIR = join(REPO_ROOT, 'bench', 'work');
export const RESULTS_FILE = join(REPO_ROOT, 'bench', 'RESULTS.md');
