// `npm run bench`: throughput and memory of the probe. The FIRST LINE of stdout is the headline
// (issue 16): the full-path `sigprobe replay` of a generated IPX capture (MAP, Diameter, GTP) with
// default settings into a fresh spool, in packets/s, divided by tshark's field extraction of the
// same file in the same run. Then a markdown table: framing, decode+correlate of a seeded MAP
// capture of a million dialogues (raw / pseudonymized), the replay CLI into SQLite, heap per
// pending dialogue, tshark on the MAP capture, the spool's insert rate as it grows (step s), and
// the spool shipped to a central PostgreSQL (ship+collect); appended to bench/RESULTS.md.
//
//   node dist/bench/run.js [--quick] [--profile] [--no-append] [--work DIR] [--sizes 1M,10M,50M]
//     --quick        smoke run (50,000 MAP dialogues, 20,000 ipx dialogues, spool to 200k rows)
//     --profile      only step b (identities raw) under the V8 CPU profiler: writes
//                    DIR/decode-raw-*.cpuprofile and prints the top 15 self-time functions
//     --no-append    print the table, leave bench/RESULTS.md alone
//     --work DIR     captures, spool and profiles (default bench/work, git-ignored)
//     --sizes LIST   spool sizes of step s (rows; k/M suffixes), e.g. 1M,10M,50M (default 1M,10M)
//   One step alone (OPTIONAL_STEPS below; the headline line is printed by the full run only):
//     --headline     step h (the headline line and its rows)
//     --ship         step g (ship+collect), on the spool of step c (replayed first if missing)
//     --spool-scale  step s (spool insert rate at --sizes), template rows from step c's spool
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, strOption, type ParsedArgs } from '../cli/args';
import { reportFailure } from '../config/errors';
import { ensureCapture } from './captures';
import type { Capture } from './captures';
import { FULL, QUICK, captureSpecs } from './config';
import type { BenchConfig } from './config';
import { topSelfTime, renderSelfTime } from './cpuProfile';
import { log } from './log';
import { computeMetrics, fullPathMetrics, shipCollectMetrics, spoolScaleMetrics } from './metrics';
import { DEFAULT_WORK_DIR } from './paths';
import { appendResults, resultsHeading } from './results';
import { stepDecode, stepFraming, stepFullPath, stepPending, stepReplay, stepShipCollect, stepSpoolScale } from './steps';
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

/** What an optional step gets: the bench size, the work directory, append or not, and the parsed arguments. */
export interface StepContext {
  cfg: BenchConfig;
  work: string;
  append: boolean;
  args: ParsedArgs;
}

/**
 * Steps that run alone with `--<flag>`: each prints its own table (and appends it). One line per
 * step; helpers add theirs here (e.g. `--central`, `--devices`, `--trace`).
 */
const OPTIONAL_STEPS: readonly { flag: string; run: (ctx: StepContext) => void }[] = [
  { flag: 'headline', run: runHeadline },
  { flag: 'ship', run: runShip },
  { flag: 'spool-scale', run: runSpoolScale },
  { flag: 'trace', run: (ctx) => (require('./trace') as typeof import('./trace')).traceStep(ctx.work, ctx.append, false) }, // H4a: trace on 10M dialogues (spool)
  { flag: 'trace-central', run: (ctx) => (require('./trace') as typeof import('./trace')).traceStep(ctx.work, ctx.append, true) }, // H4a: the same + central PostgreSQL
  { flag: 'central', run: (ctx) => void (require('./central') as typeof import('./central')).runCentralBench(ctx.work, strOption(ctx.args, 'sizes') !== undefined ? spoolScaleSizes(ctx)[0] : 10_000_000, 3, ctx.append).catch((e: Error) => { process.stderr.write(`bench: ${e.stack ?? String(e)}\n`); process.exitCode = 1; }) }, // H1: store with rollups on vs off, report from rollups vs raw (--sizes N: records, default 10M)
];

function spoolScaleSizes(ctx: Pick<StepContext, 'cfg' | 'args'>): number[] {
  const v = strOption(ctx.args, 'sizes');
  if (v === undefined) return ctx.cfg.spoolScaleSizes;
  const sizes = v.split(',').map((x) => {
    const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(x.trim());
    if (m === null) throw new Error(`--sizes: '${x}' is not a row count (e.g. 1M,10M,50M)`);
    return Math.round(Number(m[1]) * (m[2] === '' ? 1 : /k/i.test(m[2]) ? 1e3 : 1e6));
  });
  if (sizes.some((n) => n < 2000)) throw new Error('--sizes: each size must be at least 2000 rows');
  return sizes.sort((a, b) => a - b);
}

/** The template spool of step s: step c's (the MAP replay), replayed first when missing. */
function spoolTemplate(cfg: BenchConfig, work: string): string {
  const spool = join(work, 'replay.db');
  if (!existsSync(spool)) timed('c. full replay → SQLite (CLI), for its spool', () => stepReplay(ensureCapture(work, captureSpecs(cfg).mix), work));
  return spool;
}

function runAll(ctx: StepContext): void {
  const { cfg, work, append } = ctx;
  const started = new Date();
  const specs = captureSpecs(cfg);
  const capture = ensureCapture(work, specs.mix);
  const ipxCapture = ensureCapture(work, specs.ipx);
  const beginsCapture = ensureCapture(work, specs.begins);
  const fullPath = timed('h. full path: replay of the ipx capture, default settings (CLI)', () => stepFullPath(ipxCapture, work));
  const ipxTshark = timed('h. tshark fields, ipx capture', () => stepTshark(ipxCapture, work, cfg, 'ipx'));
  const framing = timed('a. framing only', () => stepFraming(capture));
  const raw = timed('b. decode+correlate, identities raw', () => stepDecode(capture, 'raw'));
  const pseudo = timed('b. decode+correlate, pseudonymized', () => stepDecode(capture, 'pseudonymize'));
  const replay = timed('c. full replay → SQLite (CLI)', () => stepReplay(capture, work));
  const pending = timed('d. bytes per pending dialogue', () => stepPending(beginsCapture, specs.begins.spanSeconds ?? 0));
  const tshark = timed('e. tshark fields', () => stepTshark(capture, work, cfg));
  const spoolScale = timed('s. spool insert rate as it grows', () => stepSpoolScale(join(work, 'replay.db'), work, spoolScaleSizes(ctx)));
  const shipCollect = timed('g. ship+collect (spool of c → Redis → PostgreSQL)', () => stepShipCollect(work));
  const { values, notes, headline } = computeMetrics({ capture, framing, raw, pseudo, replay, beginsCapture, pending, tshark, shipCollect, ipxCapture, fullPath, ipxTshark, spoolScale });
  const heading = resultsHeading(cfg.mode, started);
  const table = renderTable(values, [`capture: ${capture.path} (seed ${cfg.seed}, ${capture.reused ? 'cached' : 'generated'}); ipx capture: ${ipxCapture.path}.`, ...notes]);
  process.stdout.write(`${headline}\n\n${heading}\n\n${table}`);
  if (append) {
    appendResults(heading, `${headline}\n\n${table}`);
    log('appended to bench/RESULTS.md');
  }
}

function runHeadline(ctx: StepContext): void {
  const started = new Date();
  const ipxCapture = ensureCapture(ctx.work, captureSpecs(ctx.cfg).ipx);
  const fullPath = timed('h. full path: replay of the ipx capture, default settings (CLI)', () => stepFullPath(ipxCapture, ctx.work));
  const ipxTshark = timed('h. tshark fields, ipx capture', () => stepTshark(ipxCapture, ctx.work, ctx.cfg, 'ipx'));
  const { values, notes, headline } = fullPathMetrics(ipxCapture, fullPath, ipxTshark);
  const heading = resultsHeading(`${ctx.cfg.mode}, step h only`, started);
  const table = renderTable(values, notes);
  process.stdout.write(`${headline}\n\n${heading}\n\n${table}`);
  if (ctx.append) {
    appendResults(heading, `${headline}\n\n${table}`);
    log('appended to bench/RESULTS.md');
  }
}

function runSpoolScale(ctx: StepContext): void {
  const started = new Date();
  const template = spoolTemplate(ctx.cfg, ctx.work);
  const r = timed('s. spool insert rate as it grows', () => stepSpoolScale(template, ctx.work, spoolScaleSizes(ctx)));
  const { values, notes } = spoolScaleMetrics(r);
  const heading = resultsHeading(`${ctx.cfg.mode}, step s only`, started);
  const table = renderTable(values, notes);
  process.stdout.write(`${heading}\n\n${table}`);
  if (ctx.append) {
    appendResults(heading, table);
    log('appended to bench/RESULTS.md');
  }
}

function runShip(ctx: StepContext): void {
  const { cfg, work, append } = ctx;
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
  if (argv.includes('--devices')) return void (require('../analytics/profiles/bench') as typeof import('../analytics/profiles/bench')).benchDevicesMain(argv); // H3, issue 14: device features (own options --devices-n N --per-device M --work DIR --no-parquet)
  const known: Record<string, 'string' | 'flag'> = { quick: 'flag', profile: 'flag', 'no-append': 'flag', work: 'string', sizes: 'string' };
  for (const st of OPTIONAL_STEPS) known[st.flag] = 'flag';
  const p = parseArgs(argv, known);
  const cfg = p.options.has('quick') ? QUICK : FULL;
  const work = resolve(strOption(p, 'work') ?? DEFAULT_WORK_DIR);
  const ctx: StepContext = { cfg, work, append: !p.options.has('no-append'), args: p };
  const t0 = process.hrtime.bigint();
  const alone = OPTIONAL_STEPS.filter((st) => p.options.has(st.flag));
  if (p.options.has('profile')) runProfile(ensureCapture(work, captureSpecs(cfg).mix), work);
  else if (alone.length > 0) for (const st of alone) st.run(ctx);
  else runAll(ctx);
  log(`total ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(0)} s`);
}

/** `--help`: the options of the header comment; the steps that run alone are OPTIONAL_STEPS' flags, and `--devices`. */
function usage(): string {
  const steps = [...OPTIONAL_STEPS.map((st) => `--${st.flag}`), '--devices'].join(' | ');
  return `usage: node dist/bench/run.js [--quick] [--profile] [--no-append] [--work DIR] [--sizes 1M,10M,50M]\n  [${steps}]   (see src/bench/run.ts and bench/RESULTS.md)\n`;
}

try {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) process.stdout.write(usage());
  else main(argv);
} catch (e) {
  // The same line and exit code as every sigprobe command: a bad option exits 2.
  process.exitCode = reportFailure(e);
}
