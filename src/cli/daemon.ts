import type { Server } from 'node:http';
import { SystemdNotifier, type NotifyLog } from './notify';

/** A long-running service with an async start and a graceful stop (the shipper, the collector). */
export interface Daemon {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** While start() waits (for PostgreSQL, Redis...), systemd's start timeout is pushed back this often, by twice as much. */
const START_EXTEND_EVERY_MS = 10_000;

/**
 * Runs a daemon until SIGTERM / SIGINT: then closes its metrics server, stops it gracefully,
 * prints `sigprobe: <signal>: <stopped()>` and resolves 0. A failing start or stop rejects.
 *
 * Under systemd (Type=notify, src/cli/notify.ts): READY=1 once start() resolved — while it waits
 * for its servers the start timeout is extended (EXTEND_TIMEOUT_USEC), the process being alive —;
 * WATCHDOG=1 while the event loop runs (the daemons' work is asynchronous I/O: a loop that turns
 * is a daemon that proceeds; a loop blocked by a synchronous call that never returns sends
 * nothing and systemd restarts the unit); STOPPING=1 at the stop.
 */
export function runUntilSignal(d: Daemon, server: Server | null, stopped: () => string, out: (s: string) => void, log?: NotifyLog): Promise<number> {
  const sd = SystemdNotifier.fromEnv(log);
  return new Promise((resolve, reject) => {
    let stopping = false;
    let extend: NodeJS.Timeout | null = null;
    const stop = (sig: string) => {
      if (stopping) return;
      stopping = true;
      if (extend) clearInterval(extend);
      sd?.stopping();
      server?.close();
      d.stop().then(() => {
        out(`sigprobe: ${sig}: ${stopped()}`);
        resolve(0);
      }, reject);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    if (sd) {
      extend = setInterval(() => sd.extendTimeout(2 * START_EXTEND_EVERY_MS), START_EXTEND_EVERY_MS);
      extend.unref();
    }
    d.start().then(
      () => {
        if (extend) clearInterval(extend);
        if (stopping || !sd) return;
        sd.ready();
        sd.startWatchdog(() => null);
      },
      (e) => {
        if (extend) clearInterval(extend);
        reject(e);
      },
    );
  });
}
