/**
 * The daemons' systemd protocol (issue 17, item 7; units Type=notify + WatchdogSec): a test
 * supervisor stands in for systemd — an AF_UNIX datagram socket passed as NOTIFY_SOCKET, with
 * WATCHDOG_USEC set, as systemd does — and checks READY=1, regular WATCHDOG=1 pings, that the
 * pings stop when the daemon hangs (so that systemd, WatchdogSec without a ping, would kill and
 * restart it), that they come back when it recovers, and STOPPING=1 at SIGTERM.
 *
 * The probe's hang is a real one of its spool writer thread: SIGPROBE_DEBUG_SPOOL_STALL names a
 * file while which exists the writer blocks before each batch (a debug hook, off by default),
 * with live traffic (tcpreplay onto a veth pair) giving it batches to commit. The shipper's hang
 * is SIGSTOP of the whole process. (PID 1 here is not systemd, so systemd-run cannot be used; the
 * messages go through the real systemd-notify, as under systemd.)
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/servers';
import { NotifySocket, PYTHON } from '../helpers/notifySocket';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const hasNotify = spawnSync('systemd-notify', ['--version']).status === 0;
const whyNot = !PYTHON ? 'python3 missing' : !hasNotify ? 'systemd-notify missing' : null;
const whyNotLive =
  whyNot ?? (process.getuid?.() !== 0 ? 'needs root (veth + raw capture)' : spawnSync('ip', ['-V']).status !== 0 ? 'iproute2 missing' : spawnSync('tcpreplay', ['-V']).status !== 0 ? 'tcpreplay missing' : null);
if (whyNotLive) console.log(`watchdog tests (probe) skipped: ${whyNotLive}`);

const WATCHDOG_MS = 4000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const f of cleanups.reverse()) f();
});

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Largest gap (ms) between consecutive pings in [from, to], counting the window's edges. */
function maxGap(pings: number[], from: number, to: number): number {
  const ts = [from, ...pings.filter((t) => t > from && t < to), to];
  let g = 0;
  for (let i = 1; i < ts.length; i++) g = Math.max(g, ts[i] - ts[i - 1]);
  return g;
}

interface Child {
  proc: ChildProcess;
  out: () => string;
  logs: () => { event?: string; [k: string]: unknown }[];
  exited: Promise<number | null>;
}

function daemon(args: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  cleanups.push(() => proc.kill('SIGKILL'));
  return {
    proc,
    out: () => out + err,
    logs: () =>
      err
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l)),
    exited: new Promise((r) => proc.once('exit', (c) => r(c))),
  };
}

describe.skipIf(whyNotLive !== null)('sigprobe run under a systemd-like supervisor', () => {
  it('READY=1 once capturing, WATCHDOG=1 while healthy (idle link too); a stalled spool writer stops the pings; they resume', async () => {
    const sock = await NotifySocket.start();
    cleanups.push(() => sock.close());
    const d = mkdtempSync(join(tmpdir(), 'sp-wd-'));
    const a = `swa${process.pid % 10000}`;
    const b = `swb${process.pid % 10000}`;
    execFileSync('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    cleanups.push(() => spawnSync('ip', ['link', 'del', a]));
    execFileSync('ip', ['link', 'set', a, 'up']);
    execFileSync('ip', ['link', 'set', b, 'up']);
    const pcap = join(d, 'traffic.pcap');
    execFileSync(process.execPath, [MAIN, 'gen', '--out', pcap, '--dialogues', '3000', '--seed', '17', '--span-seconds', '5'], { stdio: 'ignore' });
    const cfg = join(d, 'probe.yaml');
    writeFileSync(cfg, `site: wd1\nspool:\n  path: spool.db\n  flushIntervalMs: 200\ncapture:\n  interface: ${b}\n  bufferMiB: 8\nmetrics:\n  listen: 127.0.0.1:0\n`);
    const stall = join(d, 'stall');
    const p = daemon(['run', '--config', cfg], { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: String(WATCHDOG_MS * 1000), SIGPROBE_DEBUG_SPOOL_STALL: stall });

    await until('READY=1', () => sock.with('READY=1').length > 0 || p.proc.exitCode !== null);
    expect(p.out()).toMatch(new RegExp(`capturing on ${b}`));
    const ready = sock.with('READY=1')[0];
    expect(ready.msg).toContain(`STATUS=capturing on ${b}`);
    // sent by a systemd-notify child, which waits on its barrier (a descriptor) until the
    // supervisor has read the message. (As root it sends in its parent's name, the daemon's pid;
    // as the unit's unprivileged user in its own: hence NotifyAccess=all.)
    expect(ready.pid).not.toBeNull();
    expect(sock.messages.some((m) => m.fds > 0)).toBe(true);

    // idle link: healthy, a ping every WatchdogSec/4
    const t0 = Date.now();
    await sleep(4500);
    const pings = () => sock.with('WATCHDOG=1').map((m) => m.t);
    expect(pings().filter((t) => t > t0).length).toBeGreaterThanOrEqual(3);
    expect(maxGap(pings(), t0, Date.now())).toBeLessThan(WATCHDOG_MS * 0.75);

    // the spool writer hangs while traffic gives it batches: the pings stop
    writeFileSync(stall, '');
    const replay = spawn('tcpreplay', ['-q', '-i', a, '--pps', '1500', pcap], { stdio: 'ignore' });
    const replayed = new Promise((r) => replay.once('exit', r));
    cleanups.push(() => replay.kill('SIGKILL'));
    const stalledAt = Date.now();
    await until('watchdog_withheld', () => p.logs().some((l) => l.event === 'watchdog_withheld'), 15_000);
    const withheld = p.logs().find((l) => l.event === 'watchdog_withheld')!;
    expect(withheld).toMatchObject({ level: 'error', watchdogSec: WATCHDOG_MS / 1000 });
    expect(String(withheld.reason)).toMatch(/^spool writer: \d+ batches not committed, no progress for \d+ s$/);
    const quietFrom = Date.now();
    await sleep(WATCHDOG_MS + 1500);
    // no ping for longer than WatchdogSec: systemd would have killed and restarted the probe
    expect(pings().filter((t) => t > quietFrom)).toEqual([]);
    const lastBefore = Math.max(...pings().filter((t) => t < quietFrom));
    expect(Date.now() - lastBefore).toBeGreaterThan(WATCHDOG_MS);
    expect(lastBefore - stalledAt).toBeLessThan(WATCHDOG_MS); // within the stall bound (+ one interval)
    expect(p.proc.exitCode).toBeNull();
    expect(sock.values('STATUS')).toContain(`unhealthy: ${withheld.reason}`);

    // the writer recovers: pings again, everything written
    rmSync(stall);
    await until('watchdog_resumed', () => p.logs().some((l) => l.event === 'watchdog_resumed'), 10_000);
    const resumedAt = Date.now();
    await until('a ping after recovery', () => pings().some((t) => t >= resumedAt - 100), 5000);
    await replayed;
    await sleep(1500);
    p.proc.kill('SIGTERM');
    expect(await p.exited, p.out()).toBe(0);
    expect(sock.with('STOPPING=1').length).toBe(1);
    const db = new Database(join(d, 'spool.db'), { readonly: true });
    const n = (db.prepare('SELECT count(*) AS n FROM dialogues').get() as { n: number }).n;
    db.close();
    expect(n).toBeGreaterThan(1000);
  }, 120_000);

  it('no NOTIFY_SOCKET: nothing is sent, the stall hook is off without its variable', async () => {
    // (the same daemon without the supervisor's variables: no systemd-notify is run at all)
    const { SystemdNotifier } = await import('../../src/cli/notify');
    expect(SystemdNotifier.fromEnv(undefined, {})).toBeNull();
    expect(SystemdNotifier.fromEnv(undefined, { NOTIFY_SOCKET: '/x' })!.watchdogUs).toBe(0);
    expect(SystemdNotifier.fromEnv(undefined, { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1' })!.watchdogUs).toBe(0);
    const n = SystemdNotifier.fromEnv(undefined, { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid) })!;
    expect([n.watchdogUs, n.intervalMs, n.stallBoundMs]).toEqual([30_000_000, 7500, 15_000]);
  });
});

describe.skipIf(whyNot !== null)('sigprobe ship under a systemd-like supervisor', () => {
  it('READY=1 after start, WATCHDOG=1 while its event loop runs; SIGSTOP (hung) stops them; STOPPING=1 at SIGTERM', async () => {
    const sock = await NotifySocket.start();
    cleanups.push(() => sock.close());
    const d = mkdtempSync(join(tmpdir(), 'sp-wds-'));
    // Redis unreachable (nothing listens on the port): the shipper runs and waits for it
    const cfg = join(d, 'ship.yaml');
    writeFileSync(cfg, `site: wd2\nspool:\n  path: spool.db\nship:\n  redis: { port: ${await freePort()} }\n  queue: qwd\n  retry: { baseMs: 100, maxMs: 500 }\n`);
    const s = daemon(['ship', '--config', cfg], { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '2000000' });
    await until('READY=1', () => sock.with('READY=1').length > 0 || s.proc.exitCode !== null);
    const pings = () => sock.with('WATCHDOG=1').map((m) => m.t);
    await until('3 pings', () => pings().length >= 3, 10_000);
    s.proc.kill('SIGSTOP');
    const stoppedAt = Date.now();
    await sleep(3500);
    expect(pings().filter((t) => t > stoppedAt + 300)).toEqual([]);
    s.proc.kill('SIGCONT');
    const contAt = Date.now();
    await until('pings again', () => pings().some((t) => t > contAt), 5000);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(sock.with('STOPPING=1').length).toBe(1);
  }, 60_000);
});

describe.skipIf(whyNot !== null)('sigprobe collect under a systemd-like supervisor', () => {
  it('while it waits for PostgreSQL at start: no READY=1, the start timeout is extended; SIGTERM still stops it', async () => {
    const sock = await NotifySocket.start();
    cleanups.push(() => sock.close());
    const d = mkdtempSync(join(tmpdir(), 'sp-wdc-'));
    const cfg = join(d, 'central.yaml');
    // nothing listens on either port
    writeFileSync(cfg, `collector:\n  redis: { port: ${await freePort()} }\n  queue: qwdc\n  postgres: { url: "postgres://x@127.0.0.1:${await freePort()}/x" }\n  retry: { baseMs: 200, maxMs: 1000 }\n`);
    const c = daemon(['collect', '--config', cfg], { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '2000000' });
    await until('EXTEND_TIMEOUT_USEC', () => sock.values('EXTEND_TIMEOUT_USEC').length > 0 || c.proc.exitCode !== null, 30_000);
    expect(sock.values('EXTEND_TIMEOUT_USEC')[0]).toBe('20000000');
    expect(c.logs().some((l) => l.event === 'postgres_unavailable')).toBe(true);
    expect(sock.with('READY=1')).toEqual([]);
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    expect(sock.with('STOPPING=1').length).toBe(1);
    expect(sock.with('READY=1')).toEqual([]);
  }, 60_000);
});
