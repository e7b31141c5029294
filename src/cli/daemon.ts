import type { Server } from 'node:http';

/** A long-running service with an async start and a graceful stop (the shipper, the collector). */
export interface Daemon {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs a daemon until SIGTERM / SIGINT: then closes its metrics server, stops it gracefully,
 * prints `sigprobe: <signal>: <stopped()>` and resolves 0. A failing start or stop rejects.
 */
export function runUntilSignal(d: Daemon, server: Server | null, stopped: () => string, out: (s: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) return;
      stopping = true;
      server?.close();
      d.stop().then(() => {
        out(`sigprobe: ${sig}: ${stopped()}`);
        resolve(0);
      }, reject);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    d.start().catch(reject);
  });
}
