/**
 * The spool worker thread: owns the SQLite connection and writes the row batches the capture
 * thread sends (so capture never waits on the disk). Batches are written in order, one
 * transaction each; a failed batch (disk full, locked) is kept and retried every second, with the
 * error flagged to the capture thread — nothing is dropped. Progress is published in a shared
 * Int32Array (see spoolClient.ts for the slots).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSpool, SpoolWriter } from './spool';
import { decodeRows } from './rowCodec';
import { Ctrl } from './spoolCtrl';
import { SpoolTable } from './row';

interface Batch {
  seq: number;
  rows: number;
  table: SpoolTable;
  ab: ArrayBuffer;
}

const { path, ctrlBuf } = workerData as { path: string; ctrlBuf: SharedArrayBuffer };
const ctrl = new Int32Array(ctrlBuf);
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

function pump(): void {
  retryTimer = null;
  while (queue.length > 0) {
    const b = queue[0];
    try {
      writer.insertRows(b.table, (onRow) => decodeRows(b.ab, onRow));
    } catch (e) {
      const msg = (e as Error).message;
      if (msg !== lastError) process.stderr.write(`sigprobe: spool write failed, retrying every second (${queue.length} batches held): ${msg}\n`);
      lastError = msg;
      Atomics.store(ctrl, Ctrl.Error, 1);
      Atomics.add(ctrl, Ctrl.Retries, 1);
      Atomics.notify(ctrl, Ctrl.Acked);
      retryTimer = setTimeout(pump, 1000);
      return;
    }
    queue.shift();
    if (lastError !== '') {
      process.stderr.write('sigprobe: spool writes recovered\n');
      lastError = '';
    }
    Atomics.store(ctrl, Ctrl.Error, 0);
    Atomics.add(ctrl, b.table === SpoolTable.Tunnels ? Ctrl.AckedTunnels : Ctrl.AckedRecords, b.rows);
    Atomics.store(ctrl, Ctrl.Acked, b.seq);
    Atomics.notify(ctrl, Ctrl.Acked);
  }
  if (closing) finish();
}

function finish(): void {
  writer.db.close();
  Atomics.store(ctrl, Ctrl.Closed, 1);
  Atomics.notify(ctrl, Ctrl.Closed);
  process.exit(0);
}

parentPort?.on('message', (m: { seq?: number; rows?: number; table?: SpoolTable; ab?: ArrayBuffer; close?: boolean }) => {
  if (m.close) {
    closing = true;
    if (queue.length === 0 && retryTimer === null) finish();
    return;
  }
  queue.push({ seq: m.seq as number, rows: m.rows as number, table: m.table ?? SpoolTable.Dialogues, ab: m.ab as ArrayBuffer });
  if (retryTimer === null) pump();
});
