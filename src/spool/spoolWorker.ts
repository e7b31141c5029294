/**
 * The spool worker thread: owns the SQLite connection and writes the batches the capture thread
 * sends (so capture never waits on the disk). Batches are written in order, one transaction each
 * (its row parts and its tunnel checkpoint delta together); a failed batch (disk full, locked) is
 * kept and retried every second, with the error flagged to the capture thread — nothing is
 * dropped unless the capture thread abandons the held batches (SpoolClient.abandon: replay after
 * its bounded retry, the daemon's stop after its drain period), which it then reports. Progress
 * is published in a shared Int32Array (see spoolCtrl.ts for the slots).
 */
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openSpool, SpoolWriter, type CheckpointDelta, type RowPart } from './spool';
import { Ctrl } from './spoolCtrl';
import { SpoolTable } from './row';

interface Batch {
  seq: number;
  parts: RowPart[];
  ckpt: CheckpointDelta | null;
}

const { path, ctrlBuf, errBuf, quiet } = workerData as { path: string; ctrlBuf: SharedArrayBuffer; errBuf: SharedArrayBuffer; quiet: boolean };
const ctrl = new Int32Array(ctrlBuf);
const errText = new Uint8Array(errBuf);
const queue: Batch[] = [];
let closing = false;
let retryTimer: NodeJS.Timeout | null = null;
let lastError = '';

let writer: SpoolWriter;
try {
  writer = new SpoolWriter(openSpool(path));
  Atomics.store(ctrl, Ctrl.Ready, 1);
} catch (e) {
  Atomics.store(ctrl, Ctrl.Ready, -1);
  parentPort?.postMessage({ fatal: (e as Error).message });
  throw e;
}
Atomics.notify(ctrl, Ctrl.Ready);

function setErrorText(msg: string): void {
  const b = Buffer.from(msg, 'utf8').subarray(0, errText.length);
  errText.set(b);
  Atomics.store(ctrl, Ctrl.ErrorLen, b.length);
}

/**
 * Debug only (the watchdog tests; README "Watchdog"): while the file named by
 * SIGPROBE_DEBUG_SPOOL_STALL exists, the writer blocks before each batch, as on a hung disk.
 * Unset by default: nothing is checked then.
 */
const STALL_FILE = process.env.SIGPROBE_DEBUG_SPOOL_STALL || '';
const stallCell = new Int32Array(new SharedArrayBuffer(4));

function pump(): void {
  retryTimer = null;
  while (queue.length > 0) {
    const b = queue[0];
    if (STALL_FILE !== '') while (existsSync(STALL_FILE)) Atomics.wait(stallCell, 0, 0, 100);
    try {
      writer.writeBatch(b.parts, b.ckpt);
    } catch (e) {
      const msg = (e as Error).message;
      if (msg !== lastError) {
        setErrorText(msg);
        if (!quiet) process.stderr.write(`sigprobe: spool write failed, retrying every second (${queue.length} batches held): ${msg}\n`);
      }
      lastError = msg;
      Atomics.store(ctrl, Ctrl.Error, 1);
      Atomics.add(ctrl, Ctrl.Retries, 1);
      Atomics.notify(ctrl, Ctrl.Acked);
      retryTimer = setTimeout(pump, 1000);
      return;
    }
    queue.shift();
    if (lastError !== '') {
      if (!quiet) process.stderr.write('sigprobe: spool writes recovered\n');
      lastError = '';
    }
    Atomics.store(ctrl, Ctrl.Error, 0);
    for (const p of b.parts) Atomics.add(ctrl, p.table === SpoolTable.Tunnels ? Ctrl.AckedTunnels : Ctrl.AckedRecords, p.rows);
    Atomics.store(ctrl, Ctrl.Acked, b.seq);
    Atomics.notify(ctrl, Ctrl.Acked);
  }
  if (closing) finish();
}

function finish(): void {
  try {
    writer.db.close();
  } catch {
    // Closing checkpoints the WAL into the database file; on a full disk that fails and the WAL
    // (holding the committed transactions) stays for the next open.
  }
  Atomics.store(ctrl, Ctrl.Closed, 1);
  Atomics.notify(ctrl, Ctrl.Closed);
  process.exit(0);
}

parentPort?.on('message', (m: { seq?: number; parts?: RowPart[]; ckpt?: CheckpointDelta | null; close?: boolean; abandon?: boolean }) => {
  if (m.abandon) {
    // The capture thread gave up on the held batches (it reports them): drop, close, end.
    queue.length = 0;
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
    finish();
    return;
  }
  if (m.close) {
    closing = true;
    if (queue.length === 0 && retryTimer === null) finish();
    return;
  }
  queue.push({ seq: m.seq as number, parts: m.parts ?? [], ckpt: m.ckpt ?? null });
  if (retryTimer === null) pump();
});
