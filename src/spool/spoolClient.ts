import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { SigprobeError } from '../config/errors';
import type { DialogueRecord, RecordSink, TunnelRecord, TunnelSink } from '../correlate/record';
import { DIALOGUE_COLUMNS, DIALOGUE_DICTIONARY, SpoolTable, toRow, TUNNEL_COLUMNS, TUNNEL_DICTIONARY, tunnelToRow, type RowValue } from './row';
import { RowEncoder } from './rowCodec';
import { Ctrl, ERROR_TEXT_BYTES } from './spoolCtrl';
import type { CheckpointDelta, RowPart } from './spool';

export interface SpoolClientOptions {
  /** Records per batch sent to the worker. */
  batchSize?: number;
  /** Batches sent and not yet committed at most; beyond it write() waits (back-pressure). */
  maxInFlightBatches?: number;
  /**
   * How long the spool may keep failing (disk full...) with nothing committed before a wait for
   * it gives up and throws E_SPOOL `spool write failed: ...` (the held batches are abandoned,
   * what was committed stays). Default Infinity: hold and retry for ever (the live daemon;
   * its stop bounds the wait with beginDrain()). `sigprobe replay` passes REPLAY_FAIL_AFTER_MS.
   */
  failAfterMs?: number;
  /** The worker prints nothing on stderr (the caller reports failures itself). */
  quiet?: boolean;
}

/** Replay (a batch job): a spool that keeps failing for 10 s with no progress fails the command. */
export const REPLAY_FAIL_AFTER_MS = 10_000;

/** What was handed to the worker (or still batched) and not committed. */
export interface Unwritten {
  /** Dialogue rows. */
  dialogues: number;
  /** Tunnel rows. */
  tunnelRows: number;
  /** Distinct active tunnels whose checkpointed state (upsert or delete) was not committed. */
  tunnelStates: number;
}

interface InFlight {
  seq: number;
  dialogues: number;
  tunnelRows: number;
  /** Checkpoint keys the batch upserts or deletes. */
  keys: number[] | null;
}

/**
 * The capture thread's side of the spool: records are encoded into compact row batches and
 * handed to the spool worker thread (transferred, not cloned), which writes them to SQLite.
 * Back-pressure is bounded: at most maxInFlightBatches uncommitted batches, then write() waits
 * for the worker (a live probe then lags, and the kernel's drop counter says so). close() waits
 * until every record is committed. Each batch also carries the tunnel checkpoint delta taken at
 * that moment (checkpointSource), committed in the batch's transaction.
 */
export class SpoolClient implements RecordSink, TunnelSink {
  private readonly worker: Worker;
  private readonly ctrl: Int32Array;
  private readonly errText: Uint8Array;
  private readonly enc = new RowEncoder(DIALOGUE_COLUMNS.length, 1 << 20, DIALOGUE_DICTIONARY);
  private readonly row: RowValue[] = new Array(DIALOGUE_COLUMNS.length);
  private readonly tenc = new RowEncoder(TUNNEL_COLUMNS.length, 1 << 16, TUNNEL_DICTIONARY);
  private readonly trow: RowValue[] = new Array(TUNNEL_COLUMNS.length);
  private sentTunnels = 0;
  private readonly batchSize: number;
  private readonly maxInFlight: number;
  private readonly failAfterMs: number;
  private seq = 0;
  private sentRecords = 0;
  private inFlight: InFlight[] = [];
  /** Wall time (ms) after which no wait blocks any longer (beginDrain); Infinity until then. */
  private deadline = Infinity;
  private abandoned = false;
  /** Times write() had to wait for the worker. */
  stalls = 0;
  /** Tunnel checkpoint delta to send with each batch (the live probe's TunnelCheckpoint.take). */
  checkpointSource: (() => CheckpointDelta | null) | null = null;

  constructor(readonly path: string, opts: SpoolClientOptions = {}) {
    this.batchSize = opts.batchSize ?? 2000;
    this.maxInFlight = opts.maxInFlightBatches ?? 64;
    this.failAfterMs = opts.failAfterMs ?? Infinity;
    const ctrlBuf = new SharedArrayBuffer(Ctrl.Size * 4);
    const errBuf = new SharedArrayBuffer(ERROR_TEXT_BYTES);
    this.ctrl = new Int32Array(ctrlBuf);
    this.errText = new Uint8Array(errBuf);
    const file = join(__dirname, 'spoolWorker.js');
    if (!existsSync(file)) throw new SigprobeError('E_SPOOL', `spool worker ${file} missing (run the build)`);
    this.worker = new Worker(file, { workerData: { path, ctrlBuf, errBuf, quiet: opts.quiet === true } });
    this.worker.unref();
    // Wait for the database to be open: an unwritable spool fails here, before any capture.
    while (Atomics.load(this.ctrl, Ctrl.Ready) === 0) Atomics.wait(this.ctrl, Ctrl.Ready, 0, 100);
    if (Atomics.load(this.ctrl, Ctrl.Ready) < 0) throw new SigprobeError('E_SPOOL', `cannot open spool ${path}`);
  }

  write(r: DialogueRecord): void {
    this.enc.add(toRow(r, this.row));
    if (this.enc.rows >= this.batchSize) this.send(false);
  }

  writeTunnel(t: TunnelRecord): void {
    this.tenc.add(tunnelToRow(t, this.trow));
    if (this.tenc.rows >= this.batchSize) this.send(false);
  }

  /** Hands the buffered records and the checkpoint delta to the worker (asynchronous commit). */
  flush(): void {
    this.send(true);
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

  /** Batches sent, committed, and failed write attempts: the watchdog's view of the worker (src/cli/notify.ts probeHealth). */
  get progress(): { sent: number; acked: number; retries: number } {
    return { sent: this.seq, acked: Atomics.load(this.ctrl, Ctrl.Acked), retries: Atomics.load(this.ctrl, Ctrl.Retries) };
  }

  /** The message of the worker's last failed write ('' when none). */
  get lastError(): string {
    const n = Atomics.load(this.ctrl, Ctrl.ErrorLen);
    return n > 0 ? Buffer.from(this.errText.slice(0, n)).toString('utf8') : '';
  }

  /** What is not committed: batches in flight (or held by a failing worker) and those still being filled. */
  unwritten(): Unwritten {
    const acked = Atomics.load(this.ctrl, Ctrl.Acked);
    const keys = new Set<number>();
    let dialogues = this.enc.rows;
    let tunnelRows = this.tenc.rows;
    for (const b of this.inFlight) {
      if (b.seq <= acked) continue;
      dialogues += b.dialogues;
      tunnelRows += b.tunnelRows;
      if (b.keys !== null) for (const k of b.keys) keys.add(k);
    }
    return { dialogues, tunnelRows, tunnelStates: keys.size };
  }

  /**
   * From now on no wait lasts past `ms` from now (a stopping daemon): back-pressure stops
   * blocking at the deadline and drain()/close() return false there.
   */
  beginDrain(ms: number): void {
    this.deadline = Date.now() + ms;
  }

  /** `all`: both encoders (flush); else the full one. The checkpoint delta goes with every batch. */
  private send(all: boolean): void {
    if (this.abandoned) throw this.writeFailed();
    const parts: RowPart[] = [];
    const transfer: ArrayBuffer[] = [];
    let dialogues = 0;
    let tunnelRows = 0;
    if (this.enc.rows > 0 && (all || this.enc.rows >= this.batchSize)) {
      dialogues = this.enc.rows;
      const ab = this.enc.take();
      parts.push({ table: SpoolTable.Dialogues, rows: dialogues, ab });
      transfer.push(ab);
    }
    if (this.tenc.rows > 0 && (all || this.tenc.rows >= this.batchSize)) {
      tunnelRows = this.tenc.rows;
      const ab = this.tenc.take();
      parts.push({ table: SpoolTable.Tunnels, rows: tunnelRows, ab });
      transfer.push(ab);
    }
    // The tunnel rows' checkpoint deletes are in this delta (a tunnel leaves the table before its
    // row is emitted): rows and checkpoint commit together.
    const ckpt = this.checkpointSource?.() ?? null;
    if (parts.length === 0 && ckpt === null) return;
    this.seq++;
    this.sentRecords += dialogues;
    this.sentTunnels += tunnelRows;
    const acked = Atomics.load(this.ctrl, Ctrl.Acked);
    while (this.inFlight.length > 0 && this.inFlight[0].seq <= acked) this.inFlight.shift();
    this.inFlight.push({ seq: this.seq, dialogues, tunnelRows, keys: ckpt === null ? null : ckpt.keys.concat(ckpt.deleted) });
    this.worker.postMessage({ seq: this.seq, parts, ckpt }, transfer);
    if (this.seq - acked > this.maxInFlight) {
      this.stalls++;
      this.waitAcked(this.seq - this.maxInFlight, Infinity);
    }
  }

  /**
   * Blocks until batch `seq` is committed or ms pass (or the drain deadline); true when
   * committed. Throws E_SPOOL once the worker has kept failing for failAfterMs without progress.
   */
  private waitAcked(seq: number, ms: number): boolean {
    const deadline = Math.min(Date.now() + ms, this.deadline);
    let seen = Atomics.load(this.ctrl, Ctrl.Acked);
    let failingSince = 0;
    for (;;) {
      const acked = Atomics.load(this.ctrl, Ctrl.Acked);
      if (acked >= seq) return true;
      const now = Date.now();
      if (acked !== seen) {
        seen = acked;
        failingSince = 0;
      }
      if (this.failing) {
        if (failingSince === 0) failingSince = now;
        if (now - failingSince >= this.failAfterMs) {
          this.abandon();
          throw this.writeFailed();
        }
      } else failingSince = 0;
      const left = deadline - now;
      if (left <= 0) return false;
      Atomics.wait(this.ctrl, Ctrl.Acked, acked, Math.min(left, 1000));
    }
  }

  private writeFailed(): SigprobeError {
    const u = this.unwritten();
    const gave = Number.isFinite(this.failAfterMs) ? `gave up after ${Math.round(this.failAfterMs / 1000)} s of retries` : 'gave up';
    return new SigprobeError(
      'E_SPOOL',
      `spool write failed: ${this.lastError || 'unknown error'} (${this.path}); ${gave}: ${u.dialogues + u.tunnelRows} records not written` +
        ` (${u.dialogues} dialogues, ${u.tunnelRows} tunnels), ${this.written + this.tunnelsWritten} written before`,
    );
  }

  /**
   * Gives up on what the worker holds: it drops the held batches (their transactions never
   * committed: the spool keeps every committed row intact), closes the database and ends.
   */
  abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    this.worker.postMessage({ abandon: true });
    const until = Date.now() + 10_000;
    while (Atomics.load(this.ctrl, Ctrl.Closed) === 0 && Date.now() < until) Atomics.wait(this.ctrl, Ctrl.Closed, 0, 100);
  }

  /** Flushes and waits until everything is committed (or timeoutMs); true when it all is. */
  drain(timeoutMs = Infinity): boolean {
    this.flush();
    return this.waitAcked(this.seq, timeoutMs);
  }

  /**
   * Drains, closes the database in the worker and ends it; true when everything was committed.
   * When the drain times out, the held batches are abandoned (unwritten() says what they held).
   */
  close(timeoutMs = Infinity): boolean {
    if (this.abandoned) return false;
    const ok = this.drain(timeoutMs);
    if (!ok) {
      this.abandon();
      return false;
    }
    this.worker.postMessage({ close: true });
    const deadline = Date.now() + 10_000;
    while (Atomics.load(this.ctrl, Ctrl.Closed) === 0 && Date.now() < deadline) Atomics.wait(this.ctrl, Ctrl.Closed, 0, 100);
    return true;
  }
}
