/**
 * Test helper: `sigprobe run` as a real daemon on one end of a veth pair, fed with tcpreplay on
 * the other end (needs root, iproute2, tcpreplay), and capture files cut by frame range.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LINKTYPE_ETHERNET, PcapWriter } from '../../src/capture/pcapWriter';
import { PcapReader } from '../../src/capture/pcapReader';

export const MAIN = resolve(__dirname, '../../dist/cli/main.js');

/** Why the live tests cannot run here (null: they can). */
export function liveSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (veth + raw capture)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'iproute2 missing';
  if (spawnSync('tcpreplay', ['-V']).status !== 0) return 'tcpreplay missing';
  return null;
}

/** A veth pair: tcpreplay sends on `a`, the probe captures on `b`. */
export function vethPair(tag: string): { a: string; b: string; del: () => void } {
  const a = `${tag}a`;
  const b = `${tag}b`;
  spawnSync('ip', ['link', 'del', a]);
  execFileSync('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
  execFileSync('ip', ['link', 'set', a, 'up']);
  execFileSync('ip', ['link', 'set', b, 'up']);
  return { a, b, del: () => void spawnSync('ip', ['link', 'del', a]) };
}

export async function until(pred: () => boolean | Promise<boolean>, ms: number, stepMs = 100): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await pred()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return pred();
}

export interface Daemon {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The /metrics URL (after started()). */
  url: string;
  /** A metric line's value (first sample matching `re`, a RegExp over the sample line). */
  metric: (re: RegExp) => Promise<number>;
}

/** Starts `sigprobe run --config cfg` and waits until it captures and serves /metrics. */
export async function startDaemon(cfg: string, main = MAIN): Promise<Daemon> {
  const child = spawn(process.execPath, [main, 'run', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (x) => (out += x));
  child.stderr?.on('data', (x) => (err += x));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  const ok = await until(() => /metrics on (http:\S+)/.test(out) && /capturing on/.test(out), 20_000);
  if (!ok) {
    child.kill('SIGKILL');
    throw new Error(`daemon did not start: ${out}${err}`);
  }
  const url = (/metrics on (http:\S+)/.exec(out) as RegExpExecArray)[1];
  const metric = async (re: RegExp): Promise<number> => {
    const text = await (await fetch(url)).text();
    for (const l of text.split('\n')) if (!l.startsWith('#') && re.test(l)) return Number(l.slice(l.lastIndexOf(' ') + 1));
    return NaN;
  };
  return { child, out: () => out, err: () => err, exited, url, metric };
}

/** Waits until the daemon has seen `n` packets (sigprobe_packets_total). */
export async function waitPackets(d: Daemon, n: number, ms = 30_000): Promise<number> {
  let seen = 0;
  await until(async () => {
    seen = await d.metric(/^sigprobe_packets_total\{/);
    return seen >= n;
  }, ms, 200);
  return seen;
}

/** tcpreplay of a capture onto `iface` at `pps`. */
export function tcpreplay(iface: string, file: string, pps: number): void {
  const r = spawnSync('tcpreplay', ['-q', '-i', iface, '--pps', String(pps), file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tcpreplay: ${r.stderr}`);
}

/** Frames [from, to) (0-based) of a capture, written to a new pcap (µs times); returns its path. */
export function cutCapture(file: string, from: number, to: number, name: string): string {
  const out = join(mkdtempSync(join(tmpdir(), 'sigprobe-cut-')), name);
  const w = PcapWriter.create(out, { linkType: LINKTYPE_ETHERNET });
  const r = PcapReader.open(file);
  let i = 0;
  const each = (buf: Buffer, start: number, capLen: number, _orig: number, tsUs: number): void => {
    if (i >= from && i < to) w.write(tsUs, buf, start, start + capLen);
    i++;
  };
  while (r.read(each, 65536) > 0) {
    /* stream */
  }
  r.close();
  w.close();
  return out;
}
