// Steps a-d of the bench: each runs one measurement in its own child process and returns what it
// measured (counts, seconds, bytes). Step e (tshark) is in tshark.ts.
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Capture } from './captures';
import { runNode, runWorker } from './child';
import type { ChildRun } from './child';
import type { DecodeResult, FramingResult, IdentityRun, PendingResult } from './measure';
import type { DecodeParams, FramingParams, PendingParams } from './worker';
import type { ShipCollectParams, ShipCollectResult } from './shipCollect';
import type { SpoolScaleParams, SpoolScaleResult } from './spoolScale';
import { CLI_MAIN } from './paths';

export interface DecodeStep extends DecodeResult {
  maxRssBytes: number;
}

export interface ReplayStep {
  packets: number;
  /** dialogue records written to the spool */
  written: number;
  /** the child's wall time (start-up, spool open and final flush included) */
  wallSeconds: number;
  /** the CLI's own timing of its read → flush loop */
  cliSeconds: number;
  maxRssBytes: number;
}

/** (a) framing only */
export function stepFraming(c: Capture): FramingResult {
  const params: FramingParams = { path: c.path };
  return runWorker<FramingResult>('framing', params).result;
}

/** (b) decode + correlate into a null sink; `nodeFlags` e.g. to take a CPU profile */
export function stepDecode(c: Capture, identities: IdentityRun, nodeFlags: readonly string[] = []): DecodeStep {
  const params: DecodeParams = { path: c.path, identities };
  const { result, run } = runWorker<DecodeResult>('decode', params, nodeFlags);
  return { ...result, maxRssBytes: run.maxRssBytes };
}

/** (c) the replay CLI into a fresh SQLite spool, identities raw */
export function stepReplay(c: Capture, workDir: string): ReplayStep {
  const spool = join(workDir, 'replay.db');
  for (const f of [spool, `${spool}-wal`, `${spool}-shm`]) rmSync(f, { force: true });
  const run: ChildRun = runNode(CLI_MAIN, ['replay', c.path, '--spool', spool, '--identities', 'raw', '--json']);
  const s = JSON.parse(run.stdout) as { packets: number; written: number; seconds: number };
  return { packets: s.packets, written: s.written, cliSeconds: s.seconds, wallSeconds: run.wallSeconds, maxRssBytes: run.maxRssBytes };
}

/**
 * (d) heap per pending dialogue. `spanSeconds` is the capture's span: the idle timeout is set
 * well beyond it and the pending cap above the Begin count, so nothing expires or is evicted.
 */
export function stepPending(c: Capture, spanSeconds: number): PendingResult {
  const params: PendingParams = {
    path: c.path,
    tcap: { maxPending: 2 * c.dialogues + 1, idleTimeoutUs: Math.ceil((2 * spanSeconds + 3600) * 1e6) },
  };
  // the heap grows to ~1 GB for a million dialogues: give it room (the default limit may be lower)
  return runWorker<PendingResult>('pending', params, ['--expose-gc', '--max-old-space-size=8192']).result;
}

export interface ShipCollectStep extends ShipCollectResult {
  /** the child's peak RSS (the bench side: servers and daemons are processes of their own) */
  maxRssBytes: number;
  /** end-to-end records/s of every pass (the step reports the best) */
  passRates: number[];
}

/** Passes of step g: the machine's noise (±10 % from run to run) is larger than most changes. */
export const SHIP_COLLECT_PASSES = 2;

/**
 * (g) the spool of step c shipped and collected end to end (private Redis and PostgreSQL, fresh
 * for each pass), best of SHIP_COLLECT_PASSES passes like the framing step
 */
export function stepShipCollect(workDir: string): ShipCollectStep {
  const params: ShipCollectParams = { spool: join(workDir, 'replay.db'), work: workDir };
  let best: ShipCollectStep | null = null;
  const passRates: number[] = [];
  for (let i = 0; i < SHIP_COLLECT_PASSES; i++) {
    const { result, run } = runWorker<ShipCollectResult>('shipcollect', params);
    passRates.push(result.records / result.seconds);
    if (!best || result.seconds < best.seconds) best = { ...result, maxRssBytes: run.maxRssBytes, passRates };
  }
  return best as ShipCollectStep;
}

export interface FullPathStep {
  packets: number;
  /** dialogue and tunnel rows in the spool afterwards */
  dialogues: number;
  tunnels: number;
  /** the child's wall time (start-up, spool open, final flush and the summary included) */
  wallSeconds: number;
  /** user + system CPU time of the child (all its threads: capture and spool worker) */
  cpuSeconds: number;
  maxRssBytes: number;
}

/**
 * (h) the headline: `sigprobe replay CAPTURE --spool DB` with default settings (pseudonymization
 * on, with its key created next to the spool; the indexes the spool ships with; the summary
 * printed) into a fresh spool
 */
export function stepFullPath(c: Capture, workDir: string): FullPathStep {
  const spool = join(workDir, 'replay-ipx.db');
  for (const f of [spool, `${spool}-wal`, `${spool}-shm`]) rmSync(f, { force: true });
  const run: ChildRun = runNode(CLI_MAIN, ['replay', c.path, '--spool', spool]);
  const db = new Database(spool, { readonly: true });
  const n = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  const r = { packets: c.packets, dialogues: n('dialogues'), tunnels: n('tunnels'), wallSeconds: run.wallSeconds, cpuSeconds: run.cpuSeconds, maxRssBytes: run.maxRssBytes };
  db.close();
  return r;
}

/** (s) the spool's insert rate as it grows (spoolScale.ts), rows of `template` written again to `sizes` rows */
export function stepSpoolScale(template: string, workDir: string, sizes: number[]): SpoolScaleResult {
  const params: SpoolScaleParams = { template, out: join(workDir, 'spool-scale.db'), sizes };
  return runWorker<SpoolScaleResult>('spoolscale', params).result;
}
