// Ground-truth output: one JSON line per dialogue, sorted by req_frame (ties by rsp_frame, a
// missing response first), written as soon as every dialogue with a smaller req_frame is over.
// Dialogues enter the queue when their request is written, so queue order = req_frame order.
// Any protocol's transactions go through the same queue (TruthItem): MAP/CAP dialogues here,
// Diameter and GTP transactions from src/gen/ip.
import * as fs from 'fs';
import type { Dialogue } from './dialogue';

export interface TruthRecord {
  protocol: 'map' | 'cap' | 'diameter' | 'gtpv1' | 'gtpv2';
  req_frame: number;
  rsp_frame: number | null;
  opcode: number;
  procedure: string;
  status: 'ok' | 'error' | 'abort' | 'reject' | 'timeout';
  result_code: number | null;
  imsi: string | null;
  latency_us: number | null;
}

/** MCC / MNC of a visited network (E.212) */
export interface VisitedPlmn {
  mcc: string;
  mnc: string;
}

/** one dialogue / transaction of the truth file, as the writer's queue sees it */
export interface TruthItem {
  /** frame of the request (known when the item is enqueued) */
  reqFrame: number;
  /** packet time of the request, µs */
  reqT: number;
  /** visited network of the exchange when the generator knows it */
  visited: VisitedPlmn | null;
  /** the device the exchange belongs to when the request names none (a GTP Update / Delete: the tunnel's IMSI) */
  deviceImsi?: string | null;
  rspFrame: number | null;
  /** no more packets of it will be written */
  done: boolean;
  toTruth(): TruthRecord;
}

const FLUSH_BYTES = 1 << 16;

export interface TruthWriterOptions {
  /** append req_time_us, visited_mcc, visited_mnc to every line (roaming scenario) */
  extended?: boolean;
  /** sees every line as it is written, in req_frame order */
  onEmit?: (item: TruthItem, r: TruthRecord) => void;
}

export class TruthWriter {
  readonly byProcedure: Record<string, number> = {};
  readonly byStatus: Record<string, number> = {};
  readonly byProtocol: Record<string, number> = {};
  lines = 0;
  private readonly fd: number;
  private buf = '';
  private queue: (TruthItem | undefined)[] = [];
  private head = 0;

  constructor(
    path: string,
    private readonly o: TruthWriterOptions = {},
  ) {
    this.fd = fs.openSync(path, 'w');
  }

  /** the dialogue's request has been written (its req_frame is known) */
  enqueue(d: TruthItem): void {
    this.queue.push(d);
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  /** write out every finished dialogue at the head of the queue */
  drain(): void {
    const q = this.queue;
    while (this.head < q.length) {
      const first = q[this.head]!;
      // dialogues completed by the same packet share a req_frame: emit them together
      let end = this.head + 1;
      while (end < q.length && q[end]!.reqFrame === first.reqFrame) end++;
      for (let i = this.head; i < end; i++) if (!q[i]!.done) return this.compact();
      const group = q.slice(this.head, end) as TruthItem[];
      if (group.length > 1) group.sort((a, b) => (a.rspFrame ?? 0) - (b.rspFrame ?? 0));
      for (let i = this.head; i < end; i++) q[i] = undefined;
      this.head = end;
      for (const d of group) this.emit(d);
    }
    this.compact();
  }

  close(): void {
    this.drain();
    if (this.pending > 0) throw new Error(`truth: ${this.pending} dialogues never finished`);
    if (this.buf.length > 0) fs.writeSync(this.fd, this.buf);
    this.buf = '';
    fs.closeSync(this.fd);
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private emit(d: TruthItem): void {
    const r = d.toTruth();
    this.byProcedure[r.procedure] = (this.byProcedure[r.procedure] ?? 0) + 1;
    this.byStatus[r.status] = (this.byStatus[r.status] ?? 0) + 1;
    this.byProtocol[r.protocol] = (this.byProtocol[r.protocol] ?? 0) + 1;
    this.lines++;
    if (this.o.onEmit) this.o.onEmit(d, r);
    this.buf += (this.o.extended ? formatExtendedTruthLine(r, d) : formatTruthLine(r)) + '\n';
    if (this.buf.length >= FLUSH_BYTES) {
      fs.writeSync(this.fd, this.buf);
      this.buf = '';
    }
  }
}

export function toRecord(d: Dialogue): TruthRecord {
  const answered = d.rspFrame !== null;
  return {
    protocol: d.protocol,
    req_frame: d.reqFrame,
    rsp_frame: d.rspFrame,
    opcode: d.opcode,
    procedure: d.procedure,
    status: d.status,
    result_code: d.resultCode,
    imsi: d.imsi,
    latency_us: answered ? d.rspT - d.reqT : null,
  };
}

/** the record as one JSON line, keys in the fixed order, Python json.dumps spacing (like the oracle) */
export function formatTruthLine(r: TruthRecord): string {
  const v = (x: unknown) => JSON.stringify(x);
  return (
    `{"protocol": ${v(r.protocol)}, "req_frame": ${r.req_frame}, "rsp_frame": ${v(r.rsp_frame)}, "opcode": ${r.opcode}, ` +
    `"procedure": ${v(r.procedure)}, "status": ${v(r.status)}, "result_code": ${v(r.result_code)}, "imsi": ${v(r.imsi)}, ` +
    `"latency_us": ${v(r.latency_us)}}`
  );
}

/**
 * The roaming scenario's line: the fixed keys, then the request's packet time, the visited
 * network the generator planted (null when the exchange has none, e.g. CER / DWR / Echo) and the
 * device it belongs to (= imsi, or for a GTP Update / Delete the IMSI of its tunnel, which the
 * probe's tunnel table lends such rows).
 */
export function formatExtendedTruthLine(r: TruthRecord, d: TruthItem): string {
  const l = formatTruthLine(r);
  const v = d.visited;
  const dev = r.imsi ?? d.deviceImsi ?? null;
  return (
    `${l.slice(0, -1)}, "req_time_us": ${d.reqT}, "visited_mcc": ${v ? JSON.stringify(v.mcc) : 'null'}, "visited_mnc": ${v ? JSON.stringify(v.mnc) : 'null'}, ` +
    `"device_imsi": ${JSON.stringify(dev)}}`
  );
}
