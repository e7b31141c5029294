/**
 * The chaos run's processes: `sigprobe run | ship | collect` as supervised children (a daemon
 * that exits without being asked to is recorded and restarted after 1 s, as systemd's
 * Restart=on-failure / RestartSec=1 would), tcpreplay, and the host set-up it needs (a veth pair,
 * a small tmpfs for the spool) — everything undone by `cleanup()` even when the run throws.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** The built CLI (SIGPROBE_CHAOS_MAIN: another build's, e.g. to measure a given commit). */
export const MAIN = process.env.SIGPROBE_CHAOS_MAIN ?? resolve(__dirname, '../../dist/cli/main.js');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms: number, everyMs = 100): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (await cond()) return;
    if (Date.now() - t0 > ms) throw new Error(`chaos: timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface LogLine {
  level?: string;
  event?: string;
  [k: string]: unknown;
}

export interface UnexpectedExit {
  daemon: string;
  atMs: number;
  code: number | null;
  signal: string | null;
  /** the last stderr lines before the exit (a stack trace, an error event) */
  tail: string[];
}

export type DaemonKind = 'run' | 'ship' | 'collect';

/**
 * One daemon under supervision. `kill()` / `stop()` are the harness's own actions (not counted);
 * any other exit is an UnexpectedExit, and the daemon is started again after `restartMs`.
 */
export class Supervised {
  child: ChildProcess | null = null;
  readonly lines: LogLine[] = [];
  readonly stdout: string[] = [];
  readonly stderrRaw: string[] = [];
  starts = 0;
  private expecting = false;
  private exitP: Promise<void> = Promise.resolve();
  private stopped = false;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly kind: DaemonKind,
    readonly config: string,
    private readonly exits: UnexpectedExit[],
    private readonly t0: number,
    private readonly restartMs = 1000,
  ) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get running(): boolean {
    return this.child !== null;
  }

  start(): void {
    if (this.child) return;
    this.stopped = false;
    this.expecting = false;
    this.starts++;
    const c = spawn(process.execPath, [MAIN, this.kind, '--config', this.config], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = c;
    const tail: string[] = [];
    let ebuf = '';
    c.stderr!.on('data', (d: Buffer) => {
      ebuf += d.toString();
      let nl: number;
      while ((nl = ebuf.indexOf('\n')) >= 0) {
        const l = ebuf.slice(0, nl);
        ebuf = ebuf.slice(nl + 1);
        this.stderrRaw.push(l);
        tail.push(l);
        if (tail.length > 40) tail.shift();
        const at = Date.now() - this.t0;
        try {
          this.lines.push({ ...(JSON.parse(l) as LogLine), _at: at });
        } catch {
          this.lines.push({ level: 'raw', event: l, _at: at });
        }
      }
    });
    let obuf = '';
    c.stdout!.on('data', (d: Buffer) => {
      obuf += d.toString();
      let nl: number;
      while ((nl = obuf.indexOf('\n')) >= 0) {
        this.stdout.push(obuf.slice(0, nl));
        obuf = obuf.slice(nl + 1);
      }
    });
    this.exitP = new Promise((res) =>
      c.once('exit', (code, signal) => {
        if (this.child === c) this.child = null;
        if (!this.expecting) {
          this.exits.push({ daemon: this.kind, atMs: Date.now() - this.t0, code, signal, tail: tail.slice(-20) });
          if (!this.stopped) this.restartTimer = setTimeout(() => !this.stopped && this.start(), this.restartMs);
        }
        res();
      }),
    );
  }

  events(name: string): LogLine[] {
    return this.lines.filter((l) => l.event === name);
  }

  /** A signal from the harness (SIGKILL as a fault, SIGHUP...); a SIGKILL / SIGTERM exit is not unexpected. */
  signal(sig: NodeJS.Signals): void {
    if (!this.child) return;
    if (sig === 'SIGKILL' || sig === 'SIGTERM') this.expecting = true;
    this.child.kill(sig);
  }

  /** kill -9 and wait for the exit. */
  async kill9(): Promise<void> {
    if (!this.child) return;
    this.signal('SIGKILL');
    await this.exitP;
  }

  /** Graceful stop (SIGTERM), bounded: SIGKILL after `ms`. Resolves with the exit code. */
  async stop(ms = 40_000): Promise<number | null> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const c = this.child;
    if (!c) return null;
    let code: number | null = null;
    c.once('exit', (k) => (code = k));
    this.signal('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), ms);
    await this.exitP;
    clearTimeout(t);
    return code;
  }

  /** No more restarts; SIGKILL whatever runs (cleanup). */
  destroy(): void {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.expecting = true;
    this.child?.kill('SIGKILL');
  }
}

/** Runs a command, resolves with its exit status and stderr; killed after `ms`. */
export function run(cmd: string, args: string[], ms: number): Promise<{ status: number | null; stderr: string; stdout: string }> {
  return new Promise((res) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    c.stderr.on('data', (d) => (stderr += d));
    c.stdout.on('data', (d) => (stdout += d));
    const t = setTimeout(() => c.kill('SIGKILL'), ms);
    c.once('exit', (status) => {
      clearTimeout(t);
      res({ status, stderr, stdout });
    });
  });
}

/** Host changes to undo (veth, tmpfs), run in reverse order by cleanup() and at process exit. */
const undo: (() => void)[] = [];
let hooked = false;
export function onCleanup(f: () => void): void {
  undo.push(f);
  if (!hooked) {
    hooked = true;
    process.on('exit', cleanup);
    // interrupted (Ctrl-C on npm run chaos, vitest ending its worker): exit, so that the exit
    // hooks (this cleanup, the private servers' stop) run
    const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
    for (const sig of Object.keys(codes) as (keyof typeof codes)[]) process.once(sig, () => process.exit(codes[sig]));
  }
}
export function cleanup(): void {
  while (undo.length > 0) {
    try {
      undo.pop()!();
    } catch {
      /* best effort */
    }
  }
}

/** A veth pair `a` <-> `b`, both up, IPv6 off (no router solicitations on the capture side). */
export function vethPair(a: string, b: string): void {
  spawnSync('ip', ['link', 'del', a]);
  const r = spawnSync('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`chaos: ip link add ${a}: ${r.stderr}`);
  onCleanup(() => spawnSync('ip', ['link', 'del', a]));
  for (const i of [a, b]) {
    spawnSync('sysctl', ['-q', '-w', `net.ipv6.conf.${i}.disable_ipv6=1`]);
    spawnSync('ip', ['link', 'set', i, 'up']);
  }
}

/** A tmpfs of `mib` MiB on `dir` (unmounted at cleanup). */
export function tmpfs(dir: string, mib: number): void {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`chaos: mount tmpfs on ${dir}: ${r.stderr}`);
  onCleanup(() => spawnSync('umount', ['-l', dir]));
}

/** Why the chaos run cannot run here (null: it can). */
export function chaosMissing(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (veth pair, raw capture, tmpfs mount)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'iproute2 missing';
  if (spawnSync('tcpreplay', ['-V']).status !== 0) return 'tcpreplay missing';
  return null;
}
