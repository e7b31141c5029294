// Step e: tshark extracting the fields the oracle uses, single pass, timed as a child process.
// A first run on the first `tsharkProbePackets` packets estimates the whole-file time; the whole
// file is timed when that fits the budget, otherwise the probe's rate is scaled to the file.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Capture } from './captures';
import type { BenchConfig } from './config';
import { log } from './log';

/** tshark -n -r FILE -Y tcap -T fields ... (the fields of /work/shared/tools/oracle) */
const FIELD_ARGS = ['-Y', 'tcap', '-T', 'fields', '-e', 'frame.number', '-e', 'tcap.otid', '-e', 'tcap.dtid', '-e', 'gsm_old.opCode', '-e', 'e212.imsi'];
/** The IPX capture (step h): the same, plus the fields that pair Diameter and GTP requests with their answers. */
const IPX_FIELD_ARGS = [
  '-Y', 'tcap || diameter || gtp || gtpv2', '-T', 'fields',
  '-e', 'frame.number', '-e', 'tcap.otid', '-e', 'tcap.dtid', '-e', 'gsm_old.opCode', '-e', 'e212.imsi',
  '-e', 'diameter.cmd.code', '-e', 'diameter.hopbyhopid', '-e', 'diameter.endtoendid', '-e', 'gtp.seq_number', '-e', 'gtpv2.seq',
];
export type TsharkFields = 'tcap' | 'ipx';

export interface TsharkStep {
  /** packets of the timed run */
  packetsTimed: number;
  secondsTimed: number;
  /** output lines (TCAP packets) of the timed run */
  lines: number;
  /** the whole capture: measured, or scaled from the timed run */
  wholeFileSeconds: number;
  scaled: boolean;
}

interface TsharkRun {
  seconds: number;
  lines: number;
}

export function stepTshark(c: Capture, workDir: string, cfg: BenchConfig, fields: TsharkFields = 'tcap'): TsharkStep {
  const out = join(workDir, `tshark-fields-${fields}.tsv`);
  const args = fields === 'ipx' ? IPX_FIELD_ARGS : FIELD_ARGS;
  const whole = (r: TsharkRun): TsharkStep => ({ packetsTimed: c.packets, secondsTimed: r.seconds, lines: r.lines, wholeFileSeconds: r.seconds, scaled: false });
  if (c.packets <= cfg.tsharkProbePackets) return whole(runTshark(c.path, null, out, args));
  const probe = runTshark(c.path, cfg.tsharkProbePackets, out, args);
  const estimate = (probe.seconds * c.packets) / cfg.tsharkProbePackets;
  log(`tshark: first ${cfg.tsharkProbePackets} packets in ${probe.seconds.toFixed(1)} s; whole file ~${estimate.toFixed(0)} s`);
  if (estimate <= cfg.tsharkBudgetSeconds) return whole(runTshark(c.path, null, out, args));
  return { packetsTimed: cfg.tsharkProbePackets, secondsTimed: probe.seconds, lines: probe.lines, wholeFileSeconds: estimate, scaled: true };
}

function runTshark(path: string, count: number | null, outFile: string, fieldArgs: readonly string[]): TsharkRun {
  const args = ['-n', '-r', path, ...(count === null ? [] : ['-c', String(count)]), ...fieldArgs];
  const fd = openSync(outFile, 'w');
  const t0 = process.hrtime.bigint();
  let r;
  try {
    r = spawnSync('tshark', args, { stdio: ['ignore', fd, 'pipe'], maxBuffer: 16 * 1024 * 1024 });
  } finally {
    closeSync(fd);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw new Error(`cannot run tshark: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')} exited with ${r.status ?? r.signal}: ${r.stderr.toString().slice(0, 2000)}`);
  return { seconds, lines: countLines(outFile) };
}

function countLines(file: string): number {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let lines = 0;
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) {
      for (let i = buf.indexOf(10, 0); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) lines++;
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}
