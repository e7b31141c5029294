/**
 * Report benchmark (not a timed test; skipped unless SIGPROBE_REPORT_BENCH_DEVICES is set):
 * writes a spool of the rich roaming world (≈ 27 dialogues per device over 24 h) once at
 * SIGPROBE_REPORT_BENCH_SPOOL, then times `sigprobe report` over it (dist, a child process, so
 * that its peak RSS is its own) and prints the figures.
 *   SIGPROBE_REPORT_BENCH_DEVICES=400000 SIGPROBE_REPORT_BENCH_SPOOL=/tmp/bench-report.db \
 *     npx vitest run --config test/vitest.config.mts test/report/bench.report.test.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeRichSpool } from './richSpool';

const DEVICES = Number(process.env.SIGPROBE_REPORT_BENCH_DEVICES ?? 0);
const SPOOL = process.env.SIGPROBE_REPORT_BENCH_SPOOL ?? join(mkdtempSync(join(tmpdir(), 'sp-report-bench-')), 'bench.db');

describe.skipIf(!DEVICES)('report benchmark', () => {
  it('report over a big spool', { timeout: 3_600_000 }, () => {
    if (!existsSync(SPOOL)) {
      const t0 = Date.now();
      const rows = writeRichSpool(SPOOL, { devices: DEVICES, hours: 24, seed: 1, perHour: 1 });
      console.log(`bench: wrote ${rows.dialogues} dialogues + ${rows.tunnels} tunnels in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    const out = join(mkdtempSync(join(tmpdir(), 'sp-report-bench-out-')), 'out');
    const r = spawnSync('/usr/bin/time', ['-v', process.execPath, resolve(__dirname, '../../dist/cli/main.js'), 'report', '--spool', SPOOL, '--out', out, '--timings'], { encoding: 'utf8' });
    console.log(r.stdout);
    console.log(r.stderr.split('\n').filter((l) => /report:|Elapsed|Maximum resident|User time|System time/.test(l)).join('\n'));
    expect(r.status, r.stderr).toBe(0);
  });
});
