/**
 * The batches the dispatcher (capture thread) sends to a shard worker: a flat byte stream of
 * messages, appended in packet order and transferred (not cloned) to the worker. Each message is
 * a 1-octet kind followed by its fields (little-endian). The worker reads them in order, so a
 * tick or the end reaches every worker at the same place of its stream as it would in one thread.
 */

export const enum ShardMsg {
  /** TCAP message: frame, tsUs, opc, dpc, SCCP octets, TCAP range (within them, or own octets). */
  Tcap = 1,
  /** Diameter message: frame, tsUs, transport, connection keys, ports, addresses, message octets. */
  Diameter = 2,
  /** Timer work at packet time (the pipeline's tick). */
  Tick = 3,
  /** The record `source` from here on. */
  Source = 4,
  /** End of input: flush (reason) and report. */
  Finish = 5,
  /** Close the TCAP dialogue pending under a key as tid_reused (a collision seen by another shard). */
  TcapReused = 6,
}

/** A growable output batch. */
export class BatchWriter {
  buf: Buffer;
  len = 0;
  /** Messages in the batch (statistics). */
  messages = 0;

  constructor(private readonly initial = 1 << 18) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = Buffer.allocUnsafe(size);
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }

  u8(v: number): void {
    this.buf[this.len++] = v;
  }

  u16(v: number): void {
    this.buf.writeUInt16LE(v, this.len);
    this.len += 2;
  }

  i32(v: number): void {
    this.buf.writeInt32LE(v, this.len);
    this.len += 4;
  }

  u32(v: number): void {
    this.buf.writeUInt32LE(v >>> 0, this.len);
    this.len += 4;
  }

  f64(v: number): void {
    this.buf.writeDoubleLE(v, this.len);
    this.len += 8;
  }

  bytes(src: Buffer, start: number, end: number): void {
    const n = end - start;
    this.buf.writeUInt32LE(n, this.len);
    this.len += 4;
    src.copy(this.buf, this.len, start, end);
    this.len += n;
  }

  str(s: string): void {
    const n = Buffer.byteLength(s);
    this.ensure(4 + n);
    this.buf.writeUInt32LE(n, this.len);
    this.len += 4;
    this.buf.write(s, this.len);
    this.len += n;
  }

  /** Hands the filled part over (a fresh buffer for the next batch) — its ArrayBuffer can be transferred. */
  take(): Uint8Array {
    const out = new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.len);
    this.buf = Buffer.allocUnsafe(this.initial);
    this.len = 0;
    this.messages = 0;
    return out;
  }
}

/** Reads a batch in order. */
export class BatchReader {
  pos = 0;
  buf: Buffer = Buffer.alloc(0);

  reset(b: Uint8Array): void {
    this.buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    this.pos = 0;
  }

  get more(): boolean {
    return this.pos < this.buf.length;
  }

  u8(): number {
    return this.buf[this.pos++];
  }

  u16(): number {
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  i32(): number {
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  u32(): number {
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A length-prefixed octet string, as a view into the batch (valid while the batch is). */
  bytes(): Buffer {
    const n = this.u32();
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  str(): string {
    const n = this.u32();
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}
