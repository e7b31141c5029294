// Step s of the bench (`--spool-scale`): the spool's insert rate as it grows. Rows of a real
// replay (the template spool: step c's) are written again and again into a fresh spool through
// the spool worker's own code path (RowEncoder batches → SpoolWriter.writeBatch, one transaction
// per batch, the spool's shipped settings and indexes), each copy with fresh random pseudonyms
// (a device population of POPULATION) and its times shifted after the previous copy's, so the
// indexes grow as a probe's would. Only writeBatch is timed (the worker thread's work); the rate
// is reported per window of WINDOW rows, at each requested size (1M, 10M, 50M...).
import { rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { openSpool, SpoolWriter } from '../spool/spool';
import { DIALOGUE_COLUMNS, DIALOGUE_DICTIONARY, SpoolTable, type RowValue } from '../spool/row';
import { RowEncoder } from '../spool/rowCodec';

export interface SpoolScaleParams {
  /** spool whose dialogues are the template rows (read only) */
  template: string;
  /** the spool written (removed first) */
  out: string;
  /** sizes (rows) at which the rate is reported, ascending; the run stops at the last */
  sizes: number[];
  /** rows per transaction (the spool client's batch size by default) */
  batchRows?: number;
  /** keep the written spool (default: removed at the end, it is large) */
  keep?: boolean;
}

export interface SpoolScalePoint {
  /** rows in the spool at the end of the window */
  rows: number;
  /** rows/s over the window of WINDOW rows ending here */
  windowRps: number;
  /** CPU µs per row over the window (user + system of the process: the machine's load does not inflate it as it does wall time) */
  windowCpuUsPerRow: number;
  /** rows/s from the start up to here */
  cumulativeRps: number;
  /** size of the spool's database file + WAL here, bytes */
  fileBytes: number;
  walBytes: number;
}

export interface SpoolScaleResult {
  templateRows: number;
  batchRows: number;
  /** seconds inside writeBatch, in all */
  seconds: number;
  rows: number;
  points: SpoolScalePoint[];
  /** largest WAL seen (sampled at every window end) */
  peakWalBytes: number;
}

/** Rows over which the rate at a size is measured (the window ending at that size). */
export const SPOOL_SCALE_WINDOW = 500_000;
/** Devices of the synthetic population (pseudonyms repeat across the run as a real fleet's). */
const POPULATION = 20_000_000;
const IMSI = DIALOGUE_COLUMNS.indexOf('imsi');
const MSISDN = DIALOGUE_COLUMNS.indexOf('msisdn');
const REQ_T = DIALOGUE_COLUMNS.indexOf('req_time_us');
const RSP_T = DIALOGUE_COLUMNS.indexOf('rsp_time_us');

/** 32-bit integer mix (murmur3 finalizer). */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

function hex8(x: number): string {
  return x.toString(16).padStart(8, '0');
}

/** A 96-bit hex pseudonym (the spool's form) of device `d` in namespace `ns`. */
function pseudonym(d: number, ns: number): string {
  const a = mix32(d ^ ns);
  return hex8(a) + hex8(mix32(a ^ 0x9e3779b9)) + hex8(mix32(a + d));
}

function fileSize(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

export function measureSpoolScale(p: SpoolScaleParams): SpoolScaleResult {
  const src = new Database(p.template, { readonly: true, fileMustExist: true });
  const template = src.prepare(`SELECT ${DIALOGUE_COLUMNS.join(', ')} FROM dialogues ORDER BY id`).raw(true).all() as RowValue[][];
  src.close();
  if (template.length === 0) throw new Error(`template spool ${p.template} has no dialogues`);
  let t0us = Infinity;
  let t1us = -Infinity;
  for (const r of template) {
    const t = r[REQ_T];
    if (typeof t === 'number') {
      if (t < t0us) t0us = t;
      if (t > t1us) t1us = t;
    }
  }
  const spanUs = Number.isFinite(t0us) ? Math.max(1, t1us - t0us + 1) : 1;
  for (const f of [p.out, `${p.out}-wal`, `${p.out}-shm`]) rmSync(f, { force: true });
  const db = openSpool(p.out);
  const writer = new SpoolWriter(db);
  const batchRows = p.batchRows ?? 2000;
  const enc = new RowEncoder(DIALOGUE_COLUMNS.length, 1 << 20, DIALOGUE_DICTIONARY);
  const row: RowValue[] = new Array(DIALOGUE_COLUMNS.length);
  const sizes = [...p.sizes].sort((a, b) => a - b);
  const total = sizes[sizes.length - 1];
  const points: SpoolScalePoint[] = [];
  let seconds = 0;
  let windowSeconds = 0;
  let windowRows = 0;
  let windowCpuUs = 0;
  let written = 0;
  let next = 0;
  let peakWal = 0;
  let rng = 0x12345678;
  let windowFor = -1;
  while (written < total) {
    // the window of each size: the SPOOL_SCALE_WINDOW rows before it (from 0 when it is smaller)
    if (windowFor !== next && written >= sizes[next] - SPOOL_SCALE_WINDOW) {
      windowFor = next;
      windowRows = 0;
      windowSeconds = 0;
      windowCpuUs = 0;
    }
    const n = Math.min(batchRows, total - written);
    for (let i = 0; i < n; i++) {
      const k = written + i;
      const t = template[k % template.length];
      const copy = Math.floor(k / template.length);
      for (let c = 0; c < row.length; c++) row[c] = t[c];
      if (t[IMSI] !== null) {
        rng = mix32(rng + k);
        row[IMSI] = pseudonym(rng % POPULATION, 0x51ed);
      }
      if (t[MSISDN] !== null) row[MSISDN] = pseudonym(rng % POPULATION, 0x7a11);
      const shift = copy * spanUs;
      if (typeof t[REQ_T] === 'number') row[REQ_T] = (t[REQ_T] as number) + shift;
      if (typeof t[RSP_T] === 'number') row[RSP_T] = (t[RSP_T] as number) + shift;
      enc.add(row);
    }
    const ab = enc.take();
    const cpu0 = process.cpuUsage();
    const a = process.hrtime.bigint();
    writer.writeBatch([{ table: SpoolTable.Dialogues, rows: n, ab }], null);
    const s = Number(process.hrtime.bigint() - a) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    windowCpuUs += cpu.user + cpu.system;
    seconds += s;
    windowSeconds += s;
    windowRows += n;
    written += n;
    while (next < sizes.length && written >= sizes[next]) {
      const wal = fileSize(`${p.out}-wal`);
      peakWal = Math.max(peakWal, wal);
      points.push({ rows: written, windowRps: windowRows / windowSeconds, windowCpuUsPerRow: windowCpuUs / windowRows, cumulativeRps: written / seconds, fileBytes: fileSize(p.out), walBytes: wal });
      next++;
    }
    if (written % 1_000_000 < n) {
      peakWal = Math.max(peakWal, fileSize(`${p.out}-wal`));
      process.stderr.write(`[bench] spool scale: ${written} rows, ${(written / seconds).toFixed(0)} rows/s so far\n`);
    }
  }
  const a = process.hrtime.bigint();
  db.close();
  seconds += Number(process.hrtime.bigint() - a) / 1e9;
  if (p.keep !== true) for (const f of [p.out, `${p.out}-wal`, `${p.out}-shm`]) rmSync(f, { force: true });
  return { templateRows: template.length, batchRows, seconds, rows: written, points, peakWalBytes: peakWal };
}
