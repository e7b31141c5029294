// Preloaded with `node -r` into every child the bench starts (workers and the CLI): at exit, writes
// process.resourceUsage() (maxRSS in KiB, CPU times in µs) to the file named by the environment.
import { writeFileSync } from 'node:fs';

export const RUSAGE_ENV = 'SIGPROBE_BENCH_RUSAGE';

const out = process.env[RUSAGE_ENV];
if (out !== undefined && out !== '') {
  process.on('exit', () => writeFileSync(out, JSON.stringify(process.resourceUsage())));
}
