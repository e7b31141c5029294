// `npm run bench`: throughput and memory of the probe on a seeded MAP capture of a million
// dialogues, against framing alone and against tshark, and the spool shipped to a central
// PostgreSQL end to end (ship+collect). Prints a markdown table and appends it to
// bench/RESULTS.md.
//
//   node dist/bench/run.js [--quick] [--profile] [--no-append] [--work DIR]
//     --quick      smoke run on 50,000 dialogues
//     --ship       only step g (ship+collect), on the spool of step c (replayed first if missing)
//     --profile    only step b (identities raw) under the V8 CPU profiler: writes
//                  DIR/decode-raw-*.cpuprofile and prints the top 15 self-time functions
//     --no-append  print the table, leave bench/RESULTS.md alone
//     --work DIR   captures, spool and profiles (default bench/work, git-ignored)
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, strOption } from '../cli/args';
import { ensureCapture } from './captures';
import type { Capture } from './captures';
import { FULL, QUICK, captureSpecs } from './config';
import type { BenchConfig } from './config';
import { topSelfTime, renderSelfTime } from './cpuProfile';
import { log } from './log';
import { computeMetrics, shipCollectMetrics } from './metrics';
import { DEFAULT_WORK_DIR } from './paths';
import { appendResults, resultsHeading } from './results';
import { stepDecode, stepFraming, stepPending, stepReplay, stepShipCollect } from './steps';
import { stepTshark } from './tshark';
import { renderTable } from './table';

const PROFILE_TOP = 15;

function timed<T>(name: string, fn: () => T): T {
  log(`${name}...`);
  const t0 = process.hrtime.bigint();
  const r = fn();
  log(`${name}: done in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);
  return r;
}

function runAll(cfg: BenchConfig, work: string, append: boolean): void {
  const started = new Date();
  const specs = captureSpecs(cfg);
  const capture = ensureCapture(work, specs.mix);
  const beginsCapture = ensureCapture(work, specs.begins);
  const framing = timed('a. framing only', () => stepFraming(capture));
  const raw = timed('b. decode+correlate, identities raw', () => stepDecode(capture, 'raw'));
  const pseudo = timed('b. decode+correlate, pseudonymized', () => stepDecode(capture, 'pseudonymize'));
  const replay = timed('c. full replay → SQLite (CLI)', () => stepReplay(capture, work));
  const pending = timed('d. bytes per pending dialogue', () => stepPending(beginsCapture, specs.begins.spanSeconds ?? 0));
  const tshark = timed('e. tshark fields', () => stepTshark(capture, work, cfg));
  const shipCollect = timed('g. ship+collect (spool of c → Redis → PostgreSQL)', () => stepShipCollect(work));
  const { values, notes } = computeMetrics({ capture, framing, raw, pseudo, replay, beginsCapture, pending, tshark, shipCollect });
  const heading = resultsHeading(cfg.mode, started);
  const table = renderTable(values, [`capture: ${capture.path} (seed ${cfg.seed}, ${capture.reused ? 'cached' : 'generated'}).`, ...notes]);
  process.stdout.write(`${heading}\n\n${table}`);
  if (append) {
    appendResults(heading, table);
    log('appended to bench/RESULTS.md');
  }
}

function runShip(cfg: BenchConfig, work: string, append: boolean): void {
  const started = new Date();
  const capture = ensureCapture(work, captureSpecs(cfg).mix);
  if (!existsSync(join(work, 'replay.db'))) timed('c. full replay → SQLite (CLI), for its spool', () => stepReplay(capture, work));
  const shipCollect = timed('g. ship+collect (spool of c → Redis → PostgreSQL)', () => stepShipCollect(work));
  const { values, notes } = shipCollectMetrics(shipCollect);
  const heading = resultsHeading(`${cfg.mode}, step g only`, started);
  const table = renderTable(values, [`spool: ${join(work, 'replay.db')} (replay of ${capture.path}).`, ...notes]);
  process.stdout.write(`${heading}\n\n${table}`);
  if (append) {
    appendResults(heading, table);
    log('appended to bench/RESULTS.md');
  }
}

function runProfile(capture: Capture, work: string): void {
  const name = `decode-raw-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`;
  const r = timed('b. decode+correlate, identities raw, CPU profile', () =>
    stepDecode(capture, 'raw', ['--cpu-prof', '--cpu-prof-dir', work, '--cpu-prof-name', name]),
  );
  const file = join(work, name);
  process.stdout.write(
    `CPU profile: ${file}\n` +
      `decode+correlate under the profiler: ${r.packets} packets, ${r.records} dialogues in ${r.seconds.toFixed(1)} s ` +
      `(${(r.packets / r.seconds).toFixed(0)} packets/s)\n\n` +
      `top ${PROFILE_TOP} functions by self time:\n\n` +
      renderSelfTime(topSelfTime(file, PROFILE_TOP)),
  );
}

function main(argv: readonly string[]): void {
  const p = parseArgs(argv, { quick: 'flag', profile: 'flag', ship: 'flag', 'no-append': 'flag', work: 'string' });
  const cfg = p.options.has('quick') ? QUICK : FULL;
  const work = resolve(strOption(p, 'work') ?? DEFAULT_WORK_DIR);
  const t0 = process.hrtime.bigint();
  if (p.options.has('profile')) runProfile(ensureCapture(work, captureSpecs(cfg).mix), work);
  else if (p.options.has('ship')) runShip(cfg, work, !p.options.has('no-append'));
  else runAll(cfg, work, !p.options.has('no-append'));
  log(`total ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(0)} s`);
}

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
}
