/**
 * The systemd service protocol of the daemons (units `Type=notify`, `WatchdogSec=`,
 * `NotifyAccess=all`; sd_notify(3), systemd.service(5)): READY=1 once a daemon does its work
 * (the probe: capturing), WATCHDOG=1 every WatchdogSec/4 while it is healthy — only then — and
 * STOPPING=1 at a graceful stop. systemd restarts a unit whose pings stop for WatchdogSec.
 *
 * Transport: Node has no AF_UNIX datagram sockets, so each message is sent by `systemd-notify`
 * (systemd's own client, on every host that runs systemd), one process at a time, in order. It
 * waits until the service manager has read the message (sd_notify_barrier, systemd ≥ 246; Debian
 * 12 has 252), so the sender is still alive when systemd attributes it to the unit by its cgroup:
 * no message is lost to the race of a short-lived sender. It is not the main PID, hence
 * NotifyAccess=all. Cost: one fork/exec every WatchdogSec/4 (~7 s), a few ms of CPU.
 *
 * Nothing happens when NOTIFY_SOCKET is not set (not under systemd); the watchdog only when
 * WATCHDOG_USEC is set (and WATCHDOG_PID, if set, is this process).
 */
import { spawn } from 'node:child_process';

export type NotifyLog = (level: 'debug' | 'info' | 'warn' | 'error', event: string, fields?: Record<string, string | number | boolean | null>) => void;

/** Why the daemon is not healthy (a short text), or null when it is. */
export type HealthCheck = () => string | null;

/** Queued messages at most while systemd-notify is slow (the oldest WATCHDOG=1 go first). */
const MAX_QUEUED = 16;

export class SystemdNotifier {
  private readonly queue: string[][] = [];
  private busy = false;
  private disabled = false;
  private timer: NodeJS.Timeout | null = null;
  private unhealthy: string | null = null;
  /** WATCHDOG=1 sent so far (for tests and the log). */
  pings = 0;

  /**
   * @param watchdogUs WATCHDOG_USEC (0: no watchdog)
   * @param command the notify client (tests may pass another one)
   */
  constructor(
    readonly watchdogUs: number,
    private readonly log: NotifyLog = () => {},
    private readonly command = 'systemd-notify',
  ) {}

  /** From the environment systemd sets (null when not started by systemd with Type=notify). */
  static fromEnv(log?: NotifyLog, env: NodeJS.ProcessEnv = process.env): SystemdNotifier | null {
    if (!env.NOTIFY_SOCKET) return null;
    const us = Number(env.WATCHDOG_USEC);
    const pidOk = env.WATCHDOG_PID === undefined || env.WATCHDOG_PID === '' || Number(env.WATCHDOG_PID) === process.pid;
    return new SystemdNotifier(Number.isSafeInteger(us) && us > 0 && pidOk ? us : 0, log);
  }

  /** Interval of the health checks and pings: a quarter of WatchdogSec. */
  get intervalMs(): number {
    return Math.max(100, Math.floor(this.watchdogUs / 4000));
  }

  /** How long a component may make no progress while it has work: half of WatchdogSec. */
  get stallBoundMs(): number {
    return Math.max(200, Math.floor(this.watchdogUs / 2000));
  }

  /** Sends `VAR=value` assignments (one datagram). */
  send(...assignments: string[]): void {
    if (this.disabled) return;
    if (this.queue.length >= MAX_QUEUED) {
      const i = this.queue.findIndex((m) => m.length === 1 && m[0] === 'WATCHDOG=1');
      this.queue.splice(i >= 0 ? i : 0, 1);
    }
    this.queue.push(assignments);
    this.pump();
  }

  ready(status?: string): void {
    this.send('READY=1', ...(status ? [`STATUS=${status}`] : []));
  }

  status(status: string): void {
    this.send(`STATUS=${status}`);
  }

  /** Start-up takes longer than planned (waiting for a server): extends systemd's start timeout. */
  extendTimeout(ms: number): void {
    this.send(`EXTEND_TIMEOUT_USEC=${Math.round(ms * 1000)}`);
  }

  /** At a graceful stop: no more pings; STOPPING=1 at once (not behind a message in flight: the daemon exits soon). */
  stopping(): void {
    this.stopWatchdog();
    this.queue.length = 0;
    if (!this.disabled) this.spawnOne(['STOPPING=1'], () => {});
  }

  /**
   * Every intervalMs: WATCHDOG=1 when `health()` says healthy; otherwise nothing (systemd kills
   * and restarts the unit after WatchdogSec without a ping), logged once with the reason, and
   * logged again when it recovers. The timer itself runs on the event loop: a blocked loop sends
   * nothing either.
   */
  startWatchdog(health: HealthCheck): void {
    if (this.watchdogUs === 0 || this.timer) return;
    const tick = () => {
      let why: string | null;
      try {
        why = health();
      } catch (e) {
        why = `health check failed: ${(e as Error).message}`;
      }
      if (why === null) {
        if (this.unhealthy !== null) {
          this.log('info', 'watchdog_resumed', { after: this.unhealthy });
          this.unhealthy = null;
        }
        this.pings++;
        this.send('WATCHDOG=1');
      } else if (this.unhealthy === null) {
        this.unhealthy = why;
        this.log('error', 'watchdog_withheld', { reason: why, watchdogSec: this.watchdogUs / 1e6 });
        this.send(`STATUS=unhealthy: ${why}`);
      }
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  stopWatchdog(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private pump(): void {
    if (this.busy || this.queue.length === 0 || this.disabled) return;
    const msg = this.queue.shift() as string[];
    this.busy = true;
    this.spawnOne(msg, () => {
      this.busy = false;
      this.pump();
    });
  }

  /** Runs the notify client for one message; `then` once it has exited (or failed to start). */
  private spawnOne(msg: string[], then: () => void): void {
    let done = false;
    const finish = (err?: string) => {
      if (done) return;
      done = true;
      if (err) this.log('warn', 'systemd_notify_failed', { error: err, message: msg.join(' ') });
      then();
    };
    try {
      const child = spawn(this.command, msg, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        if (stderr.length < 500) stderr += d.toString();
      });
      child.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') {
          this.disabled = true;
          this.queue.length = 0;
          this.log('error', 'systemd_notify_missing', { command: this.command });
        }
        finish(e.message);
      });
      child.once('exit', (code) => finish(code === 0 ? undefined : `exit ${code}: ${stderr.trim()}`));
      child.unref();
    } catch (e) {
      finish((e as Error).message);
    }
  }
}

/**
 * Stall detector of a component that works through a queue: `stalledFor()` is how long it has
 * had work (`busy`) while its progress counter did not move, once that exceeds `boundMs` (0
 * before). A counter that moves, or no work, is healthy.
 */
export class ProgressWatch {
  private last = Number.NaN;
  private sinceMs = 0;

  constructor(private readonly boundMs: number) {}

  /** Milliseconds without progress while busy (0 when healthy). */
  stalledFor(progress: number, busy: boolean, nowMs = Date.now()): number {
    if (progress !== this.last || !busy) {
      this.last = progress;
      this.sinceMs = nowMs;
      return 0;
    }
    const d = nowMs - this.sinceMs;
    return d > this.boundMs ? d : 0;
  }
}

/** The spool writer's counters (SpoolClient.progress). */
export interface SpoolProgress {
  /** batches handed to the worker */
  sent: number;
  /** batches committed */
  acked: number;
  /** failed write attempts (the worker retries a failing batch every second) */
  retries: number;
}

/**
 * The live probe's health (`sigprobe run`): both its loops make progress.
 *  - the packet loop: the flush tick (every spool.flushIntervalMs, on an idle link too: it runs
 *    the wall-clock timers, flushes the spool) completed within `boundMs` — it shares the event
 *    loop with the capture callbacks, so a decoder that never returns, or a capture thread
 *    blocked on back-pressure, stops it;
 *  - the spool writer (its own thread): when it has batches to commit, it commits one, or at
 *    least retries (a failing disk is retried every second and alerted — spool_write_failing,
 *    metrics —; a restart would not mend it and would lose the batches held), within `boundMs`.
 *    A worker blocked in a write (a hung disk or file system) does neither.
 */
export function probeHealth(lastTickMs: () => number, spool: () => SpoolProgress, boundMs: () => number): HealthCheck {
  const writer = new ProgressWatch(0);
  return () => {
    const now = Date.now();
    const bound = boundMs();
    const sinceTick = now - lastTickMs();
    if (sinceTick > bound) return `packet loop: no flush tick for ${Math.round(sinceTick / 1000)} s`;
    const p = spool();
    const stalled = writer.stalledFor(p.acked + p.retries, p.sent > p.acked, now);
    if (stalled > bound) return `spool writer: ${p.sent - p.acked} batches not committed, no progress for ${Math.round(stalled / 1000)} s`;
    return null;
  };
}
