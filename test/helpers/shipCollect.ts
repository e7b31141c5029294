/**
 * Helpers of the ship → collect tests: config files, the `sigprobe ship` / `sigprobe collect`
 * daemons as child processes (so they can be killed with SIGKILL), spool filling, and the rows
 * of the spool and of the central store in one comparable shape.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import pg, { type Pool } from 'pg';
import { CENTRAL_COLUMNS } from '../../src/collector/schema';
import type { ShipTable } from '../../src/ship/batch';

/** bigint columns as JS numbers (every value here is far below 2^53). */
pg.types.setTypeParser(20, (v: string) => Number(v));

export const MAIN = resolve(__dirname, '../../dist/cli/main.js');

export interface ShipCfg {
  site: string;
  spool: string;
  redisPort: number;
  passwordFile: string;
  queue: string;
  maxRecords?: number;
  maxAgeMs?: number;
  inFlight?: number;
  compression?: 'gzip' | 'brotli';
}

export function writeShipConfig(dir: string, c: ShipCfg): string {
  const file = join(dir, `ship-${c.site}-${c.queue}.yaml`);
  writeFileSync(
    file,
    `site: ${c.site}
spool:
  path: ${c.spool}
ship:
  redis: { port: ${c.redisPort}, passwordFile: ${c.passwordFile} }
  queue: ${c.queue}
  batch: { maxRecords: ${c.maxRecords ?? 1000}, maxAgeMs: ${c.maxAgeMs ?? 200}, compression: ${c.compression ?? 'gzip'} }
  inFlight: ${c.inFlight ?? 4}
  retry: { baseMs: 100, maxMs: 1000 }
  retention: { maxAgeHours: 1000000 }
  statsIntervalSeconds: 1
`,
  );
  return file;
}

export interface CollectCfg {
  redisPort: number;
  passwordFile: string;
  pgUrl: string;
  queue: string;
  schema: string;
  concurrency?: number;
}

export function writeCollectConfig(dir: string, c: CollectCfg): string {
  const file = join(dir, `collect-${c.queue}.yaml`);
  writeFileSync(
    file,
    `# a central-site file: only the collector section
collector:
  redis: { port: ${c.redisPort}, passwordFile: ${c.passwordFile} }
  queue: ${c.queue}
  postgres: { url: "${c.pgUrl}", schema: ${c.schema} }
  concurrency: ${c.concurrency ?? 2}
  lockDurationMs: 2000
  stalledIntervalMs: 1000
  retry: { baseMs: 200, maxMs: 1000 }
  statsIntervalSeconds: 1
`,
  );
  return file;
}

export interface LogLine {
  level: string;
  event: string;
  [k: string]: unknown;
}

/** A `sigprobe ship|collect` child; its JSON log lines are collected. */
export class Daemon {
  readonly lines: LogLine[] = [];
  readonly stdout: string[] = [];
  readonly exited: Promise<number | null>;
  private constructor(readonly proc: ChildProcess) {
    let buf = '';
    proc.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(l) as LogLine);
        } catch {
          this.lines.push({ level: 'raw', event: l });
        }
      }
    });
    proc.stdout!.on('data', (d: Buffer) => this.stdout.push(d.toString()));
    this.exited = new Promise((r) => proc.once('exit', (code) => r(code)));
  }

  static start(cmd: 'ship' | 'collect', config: string): Daemon {
    return new Daemon(spawn(process.execPath, [MAIN, cmd, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  events(name: string): LogLine[] {
    return this.lines.filter((l) => l.event === name);
  }

  /** SIGTERM (graceful) or SIGKILL; resolves with the exit code. */
  async stop(sig: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(sig);
    return this.exited;
  }
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000, everyMs = 100): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (await cond()) return;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** `sigprobe replay` of a capture into a spool (as site `site`); returns the records written. */
export function replayInto(pcap: string, spool: string, site: string): number {
  const r = spawnSync(process.execPath, [MAIN, 'replay', pcap, '--spool', spool, '--site', site, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`replay failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { written: number }).written;
}

const cols = (t: ShipTable) => CENTRAL_COLUMNS[t].map(([n]) => n);

/** The spool's rows of `table`: [id, ...central columns], by id. */
export function spoolRows(spool: string, table: ShipTable = 'dialogues'): unknown[][] {
  const db = new Database(spool, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT id, ${cols(table).join(', ')} FROM ${table} ORDER BY id`).raw(true).all() as unknown[][];
  } finally {
    db.close();
  }
}

export function spoolCount(spool: string, table: ShipTable = 'dialogues'): number {
  const db = new Database(spool, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** The central rows of one probe's spool file `spoolNo`: [record_id, ...central columns], by record_id. */
export async function centralRows(pool: Pool, schema: string, probe: string, table: ShipTable = 'dialogues', spoolNo = 0): Promise<unknown[][]> {
  const r = await pool.query({
    text: `SELECT record_id, ${cols(table).join(', ')} FROM ${schema}.${table} WHERE probe_id = $1 AND spool_no = $2 ORDER BY record_id`,
    values: [probe, spoolNo],
    rowMode: 'array',
  });
  return r.rows as unknown[][];
}

/** Rows stored for a probe (0 while the schema does not exist yet). */
export async function centralCount(pool: Pool, schema: string, probe: string, table: ShipTable = 'dialogues'): Promise<number> {
  try {
    const r = await pool.query(`SELECT count(*)::int AS n FROM ${schema}.${table} WHERE probe_id = $1`, [probe]);
    return r.rows[0].n as number;
  } catch {
    return 0;
  }
}
