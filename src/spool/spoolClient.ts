import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { SigprobeError } from '../config/errors';
import type { DialogueRecord, RecordSink, TunnelRecord, TunnelSink } from '../correlate/record';
import { DIALOGUE_COLUMNS, SpoolTable, toRow, TUNNEL_COLUMNS, tunnelToRow, type RowValue } from './row';
import { RowEncoder } from './rowCodec';
import { Ctrl } from './spoolCtrl';

export interface SpoolClientOptions {
  /** Records per batch sent to the worker. */
  batchSize?: number;
  /** Batches sent and not yet committed at most; beyond it write() waits (back-pressure). */
  maxInFlightBatches?: number;
}

/**
 * The capture thread's side of the spool: records are encoded into compact row batches and
 * handed to the spool worker thread (transferred, not cloned), which writes them to SQLite.
 * Back-pressure is bounded: at most maxInFlightBatches uncommitted batches, then write() waits
 * for the worker (a live probe then lags, and the kernel's drop counter says so). close() waits
 * until every record is committed.
 */
export class SpoolClient implements RecordSink, TunnelSink {
  private readonly worker: Worker;
  private readonly ctrl: Int32Array;
  private readonly enc = new RowEncoder(DIALOGUE_COLUMNS.length);
  private readonly row: RowValue[] = new Array(DIALOGUE_COLUMNS.length);
  private readonly tenc = new RowEncoder(TUNNEL_COLUMNS.length, 1 << 16);
  private readonly trow: RowValue[] = new Array(TUNNEL_COLUMNS.length);
  private sentTunnels = 0;
  private readonly batchSize: number;
  private readonly maxInFlight: number;
  private seq = 0;
  private sentRecords = 0;
  /** Times write() had to wait for the worker. */
  stalls = 0;

  constructor(readonly path: string, opts: SpoolClientOptions = {}) {
    this.batchSize = opts.batchSize ?? 2000;
    this.maxInFlight = opts.maxInFlightBatches ?? 64;
    const ctrlBuf = new SharedArrayBuffer(Ctrl.Size * 4);
    this.ctrl = new Int32Array(ctrlBuf);
    const file = join(__dirname, 'spoolWorker.js');
    if (!existsSync(file)) throw new SigprobeError('E_SPOOL', `spool worker ${file} missing (run the build)`);
    this.worker = new Worker(file, { workerData: { path, ctrlBuf } });
    this.worker.unref();
    // Wait for the database to be open: an unwritable spool fails here, before any capture.
    while (Atomics.load(this.ctrl, Ctrl.Ready) === 0) Atomics.wait(this.ctrl, Ctrl.Ready, 0, 100);
    if (Atomics.load(this.ctrl, Ctrl.Ready) < 0) throw new SigprobeError('E_SPOOL', `cannot open spool ${path}`);
  }

  write(r: DialogueRecord): void {
    this.enc.add(toRow(r, this.row));
    if (this.enc.rows >= this.batchSize) this.send(SpoolTable.Dialogues);
  }

  writeTunnel(t: TunnelRecord): void {
    this.tenc.add(tunnelToRow(t, this.trow));
    if (this.tenc.rows >= this.batchSize) this.send(SpoolTable.Tunnels);
  }

  /** Hands the buffered records to the worker (asynchronous commit). */
  flush(): void {
    if (this.enc.rows > 0) this.send(SpoolTable.Dialogues);
    if (this.tenc.rows > 0) this.send(SpoolTable.Tunnels);
  }

  /** Tunnels committed so far. */
  get tunnelsWritten(): number {
    return Atomics.load(this.ctrl, Ctrl.AckedTunnels) >>> 0;
  }

  /** Wall time (ms) when the worker last committed a batch (0: never). */
  get lastCommitMs(): number {
    const acked = Atomics.load(this.ctrl, Ctrl.Acked);
    if (acked !== this.seenAcked) {
      this.seenAcked = acked;
      this.lastAckMs = Date.now();
    }
    return this.lastAckMs;
  }
  private seenAcked = 0;
  private lastAckMs = 0;

  /** Records committed to the spool so far. */
  get written(): number {
    return Atomics.load(this.ctrl, Ctrl.AckedRecords) >>> 0;
  }

  /** Records handed to the worker and not yet committed, plus those still being batched. */
  get pendingRecords(): number {
    return this.sentRecords - this.written + this.enc.rows;
  }

  /** true while the worker's writes are failing (disk full...): records are held and retried. */
  get failing(): boolean {
    return Atomics.load(this.ctrl, Ctrl.Error) === 1;
  }

  private send(table: SpoolTable): void {
    const enc = table === SpoolTable.Tunnels ? this.tenc : this.enc;
    const rows = enc.rows;
    const ab = enc.take();
    this.seq++;
    if (table === SpoolTable.Tunnels) this.sentTunnels += rows;
    else this.sentRecords += rows;
    this.worker.postMessage({ seq: this.seq, rows, table, ab }, [ab]);
    if (this.seq - Atomics.load(this.ctrl, Ctrl.Acked) > this.maxInFlight) {
      this.stalls++;
      this.waitAcked(this.seq - this.maxInFlight, Infinity);
    }
  }

  /** Blocks until batch `seq` is committed or ms pass; true when committed. */
  private waitAcked(seq: number, ms: number): boolean {
    const deadline = Date.now() + ms;
    for (;;) {
      const acked = Atomics.load(this.ctrl, Ctrl.Acked);
      if (acked >= seq) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.ctrl, Ctrl.Acked, acked, Math.min(left, 1000));
    }
  }

  /** Flushes and waits until everything is committed (or timeoutMs); true when it all is. */
  drain(timeoutMs = Infinity): boolean {
    this.flush();
    return this.waitAcked(this.seq, timeoutMs);
  }

  /** Drains, closes the database in the worker and ends it. */
  close(timeoutMs = Infinity): boolean {
    const ok = this.drain(timeoutMs);
    this.worker.postMessage({ close: true });
    const deadline = Date.now() + (ok ? 10_000 : 1000);
    while (Atomics.load(this.ctrl, Ctrl.Closed) === 0 && Date.now() < deadline) Atomics.wait(this.ctrl, Ctrl.Closed, 0, 100);
    return ok;
  }
}
