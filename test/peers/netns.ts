/**
 * Harness for the live tests against genuine network elements (osmo-ggsn, freeDiameter): a
 * private network namespace, processes started in it and stopped by pid, `sigprobe run` on the
 * namespace's loopback next to dumpcap writing the same traffic (same BPF filter) to a pcap, and
 * the comparison of the live spool with `sigprobe replay` of that pcap.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

export const MAIN = resolve(__dirname, '../../dist/cli/main.js');

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/**
 * Why the live peer test cannot run here, or null. Missing Debian packages are installed with
 * apt-get (apt-get update only when a plain install fails); no apt access means skip.
 */
export function peerSkipReason(cmds: readonly string[], pkgs: readonly string[], files: readonly string[] = []): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespace, raw capture)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'iproute2 missing';
  const probe = `spprobe${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return 'cannot create network namespaces';
  spawnSync('ip', ['netns', 'del', probe]);
  if (!has('dumpcap')) return 'dumpcap missing';
  const missing = () => cmds.some((c) => !has(c)) || files.some((f) => !existsSync(f));
  if (missing()) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () => spawnSync('timeout', ['300', 'apt-get', 'install', '-y', '--no-install-recommends', ...pkgs], { env, stdio: 'ignore' }).status === 0;
    if (!install()) {
      spawnSync('timeout', ['180', 'apt-get', 'update'], { env, stdio: 'ignore' });
      install();
    }
    if (missing()) return `packages ${pkgs.join(' ')} not installed and apt-get could not install them`;
  }
  return null;
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

export async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (pred()) return true;
    await sleep(100);
  }
  return pred();
}

export interface Proc {
  name: string;
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
  done: boolean;
}

/** A network namespace with its loopback up, a work dir, and the processes started in it. */
export class Netns {
  readonly name: string;
  readonly dir: string;
  private procs: Proc[] = [];

  constructor(tag: string, addrs: readonly string[] = []) {
    this.name = `sp${tag}${process.pid}`;
    this.dir = mkdtempSync(join(tmpdir(), `sp-${tag}-`));
    spawnSync('ip', ['netns', 'del', this.name]);
    run('ip', ['netns', 'add', this.name]);
    run('ip', ['-n', this.name, 'link', 'set', 'lo', 'up']);
    for (const a of addrs) run('ip', ['-n', this.name, 'addr', 'add', `${a}/32`, 'dev', 'lo']);
  }

  /** Runs a command inside the namespace to completion. */
  exec(cmd: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', this.name, cmd, ...args], { encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Starts a process inside the namespace (`ip netns exec` execs it: the pid is the process's own). */
  start(name: string, cmd: string, args: readonly string[]): Proc {
    const child = spawn('ip', ['netns', 'exec', this.name, cmd, ...args], { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (x) => (out += x));
    child.stderr?.on('data', (x) => (out += x));
    const p: Proc = { name, child, out: () => out, exited: Promise.resolve(null), done: false };
    p.exited = new Promise((res) => child.on('exit', (c, sig) => { p.done = true; res(c ?? (sig ? -1 : null)); }));
    this.procs.push(p);
    return p;
  }

  /** SIGTERM (or `sig`), then SIGKILL after graceMs; resolves with the exit code. */
  async stop(p: Proc, sig: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<number | null> {
    if (!p.done && p.child.pid) p.child.kill(sig);
    const t = setTimeout(() => { if (!p.done) p.child.kill('SIGKILL'); }, graceMs);
    const c = await p.exited;
    clearTimeout(t);
    return c;
  }

  /** Stops every process still running (newest first, by pid), deletes the namespace and the work dir. */
  async close(keepDir = false): Promise<void> {
    for (const p of [...this.procs].reverse()) if (!p.done) await this.stop(p, 'SIGTERM', 3000);
    const left = spawnSync('ip', ['netns', 'pids', this.name], { encoding: 'utf8' }).stdout?.trim();
    for (const pid of (left ?? '').split(/\s+/).filter(Boolean)) {
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    }
    spawnSync('ip', ['netns', 'del', this.name]);
    if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

export interface Capture {
  probe: Proc;
  dumpcap: Proc;
  metricsUrl: string;
  spool: string;
  pcap: string;
}

/**
 * Starts `sigprobe run` on the namespace's loopback (filter auto), then dumpcap with the filter
 * sigprobe printed, and waits until both capture.
 */
export async function startCapture(ns: Netns): Promise<Capture> {
  const spool = join(ns.dir, 'live.db');
  const pcap = join(ns.dir, 'same.pcap');
  const cfg = join(ns.dir, 'live.yaml');
  writeFileSync(cfg, `site: peers\nspool:\n  path: ${spool}\n  flushIntervalMs: 200\nprivacy:\n  identities: raw\ncapture:\n  interface: lo\n  bufferMiB: 32\nmetrics:\n  listen: 127.0.0.1:0\n`);
  const probe = ns.start('sigprobe', process.execPath, [MAIN, 'run', '--config', cfg]);
  const ready = await until(() => /metrics on (http:\S+)/.test(probe.out()) && /capturing on lo/.test(probe.out()) || probe.done, 15000);
  if (!ready || probe.done) throw new Error(`sigprobe run did not start: ${probe.out()}`);
  const metricsUrl = (/metrics on (http:\S+)/.exec(probe.out()) as RegExpExecArray)[1];
  const filter = (/filter: (.*?)(?:; \d+ GTP tunnels restored)?$/m.exec(probe.out()) as RegExpExecArray)[1];
  const dumpcap = ns.start('dumpcap', 'dumpcap', ['-q', '-i', 'lo', '-P', '-f', filter, '-w', pcap]);
  if (!(await until(() => /Capturing on/.test(dumpcap.out()) || dumpcap.done, 15000)) || dumpcap.done) {
    throw new Error(`dumpcap did not start: ${dumpcap.out()}`);
  }
  return { probe, dumpcap, metricsUrl, spool, pcap };
}

/** GET /metrics from inside the namespace (the probe listens on the namespace's 127.0.0.1). */
export function metricsText(ns: Netns, url: string): string {
  const r = ns.exec(process.execPath, ['-e', `fetch(${JSON.stringify(url)}).then(r => r.text()).then(t => process.stdout.write(t), e => { console.error(e); process.exit(1); })`]);
  if (r.status !== 0) throw new Error(`metrics fetch failed: ${r.stderr}`);
  return r.stdout;
}

/** Rows of a spool query; [] while the spool does not exist yet. */
export function query<T = Record<string, unknown>>(path: string, sql: string): T[] {
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return db.prepare(sql).all() as T[];
  } catch {
    return [];
  } finally {
    db?.close();
  }
}

/** `sigprobe replay PCAP` into a fresh spool; returns its path and the packet count it read. */
export function replayToSpool(pcap: string, dir: string): { db: string; packets: number } {
  const db = join(dir, 'replay.db');
  const r = spawnSync(process.execPath, [MAIN, 'replay', pcap, '--spool', db, '--identities', 'raw'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`replay failed: ${r.stdout}${r.stderr}`);
  return { db, packets: Number(/^packets: (\d+)/m.exec(r.stdout)?.[1] ?? -1) };
}

/**
 * Dialogue columns that live capture and replay of the same packets must agree on. Not the packet
 * times: each capture socket gets its own kernel timestamp (they differ by a microsecond or two).
 */
export const DIALOGUE_COLS =
  'protocol, procedure, status, result_code, req_frame, rsp_frame, imsi, src_ip, dst_ip, src_port, dst_port, app_id, origin_host, dest_realm, hop_by_hop, end_to_end, seq, apn, teid, req_ctrl_teid, rsp_ctrl_teid';
