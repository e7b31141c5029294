// Streaming capture writer: classic libpcap or pcapng (SHB + IDBs + EPBs; more interfaces, e.g.
// one per link type, with addInterface).
// Constant memory: records are appended to one fixed chunk buffer that is written to the file
// with fs.writeSync when full; a record larger than the chunk is written directly.
//
// libpcap file format: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-03.html
// pcapng: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html (§4.1 SHB, §4.2 IDB, §4.3 EPB)
import * as fs from 'fs';

/** LINKTYPE_* values (tcpdump.org link-layer header types). */
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;

export interface PcapWriterOptions {
  /** link type of the file (pcap) or of interface 0 (pcapng; null: none yet, see addInterface) */
  linkType: number | null;
  /** default 'pcap' */
  format?: 'pcap' | 'pcapng';
  /** nanosecond timestamps (pcap magic 0xa1b23c4d / pcapng if_tsresol = 9) */
  nanos?: boolean;
  /** default 262144; longer packets are truncated (captured length < original length) */
  snaplen?: number;
  /** chunk size in bytes, default 1 MiB */
  chunkBytes?: number;
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_IDB = 0x00000001;
const PCAPNG_EPB = 0x00000006;
const PCAPNG_BOM = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const TWO32 = 4294967296;
const DEFAULT_SNAPLEN = 262144;
const DEFAULT_CHUNK = 1 << 20;

export class PcapWriter {
  /** packets written so far */
  packets = 0;
  /** bytes written to the file so far (including headers and the unflushed chunk) */
  bytes = 0;

  private fd: number;
  private readonly chunk: Buffer;
  private used = 0;
  private readonly ng: boolean;
  private readonly nanos: boolean;
  private readonly snaplen: number;
  private closed = false;
  /** pcapng interfaces written so far */
  private interfaces = 0;

  private constructor(fd: number, opts: PcapWriterOptions) {
    this.fd = fd;
    this.ng = opts.format === 'pcapng';
    this.nanos = opts.nanos === true;
    this.snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
    this.chunk = Buffer.allocUnsafe(Math.max(4096, opts.chunkBytes ?? DEFAULT_CHUNK));
    if (this.ng) {
      this.writeShb();
      if (opts.linkType !== null) this.addInterface(opts.linkType);
    } else {
      if (opts.linkType === null) throw new Error('PcapWriter: a pcap file needs its link type');
      this.writePcapHeader(opts.linkType);
    }
  }

  static create(path: string, opts: PcapWriterOptions): PcapWriter {
    const fd = fs.openSync(path, 'w');
    return new PcapWriter(fd, opts);
  }

  /**
   * Append one packet; tsUs = microseconds since the epoch (integer). `wireLen`: its length on the
   * wire when data[start, end) is already cut (default end - start); `ifId`: its pcapng interface.
   */
  write(tsUs: number, data: Buffer, start = 0, end = data.length, wireLen = end - start, ifId = 0): void {
    if (this.closed) throw new Error('PcapWriter: write after close');
    const len = end - start;
    const capLen = len > this.snaplen ? this.snaplen : len;
    const origLen = wireLen > capLen ? wireLen : capLen;
    const sec = Math.floor(tsUs / 1e6);
    const usec = tsUs - sec * 1e6;
    if (this.ng) {
      const pad = (4 - (capLen & 3)) & 3;
      const total = 28 + capLen + pad + 4;
      const b = this.reserve(total);
      let o = this.used;
      // EPB: timestamp in units of if_tsresol (µs by default, ns when if_tsresol = 9)
      let hi: number;
      let lo: number;
      if (this.nanos) {
        // tsUs * 1000 exceeds 2^53: split tsUs = h * 2^32 + l, then multiply each half
        const h = Math.floor(tsUs / TWO32);
        const l = tsUs - h * TWO32;
        const lk = l * 1000;
        const carry = Math.floor(lk / TWO32);
        hi = h * 1000 + carry;
        lo = lk - carry * TWO32;
      } else {
        hi = Math.floor(tsUs / TWO32);
        lo = tsUs - hi * TWO32;
      }
      o = b.writeUInt32LE(PCAPNG_EPB, o);
      o = b.writeUInt32LE(total, o);
      o = b.writeUInt32LE(ifId, o); // interface id
      o = b.writeUInt32LE(hi >>> 0, o);
      o = b.writeUInt32LE(lo >>> 0, o);
      o = b.writeUInt32LE(capLen, o);
      o = b.writeUInt32LE(origLen, o);
      o += data.copy(b, o, start, start + capLen);
      for (let i = 0; i < pad; i++) b[o++] = 0;
      o = b.writeUInt32LE(total, o);
      this.commit(b, o, total);
    } else {
      const total = 16 + capLen;
      const b = this.reserve(total);
      let o = this.used;
      o = b.writeUInt32LE(sec >>> 0, o);
      o = b.writeUInt32LE((this.nanos ? usec * 1000 : usec) >>> 0, o);
      o = b.writeUInt32LE(capLen, o);
      o = b.writeUInt32LE(origLen, o);
      o += data.copy(b, o, start, start + capLen);
      this.commit(b, o, total);
    }
    this.packets++;
  }

  /** Flush the chunk and close the file (idempotent). */
  close(): void {
    if (this.closed) return;
    this.flush();
    fs.closeSync(this.fd);
    this.closed = true;
  }

  private writePcapHeader(linkType: number): void {
    const b = this.reserve(24);
    let o = this.used;
    o = b.writeUInt32LE(this.nanos ? PCAP_MAGIC_NS : PCAP_MAGIC_US, o);
    o = b.writeUInt16LE(2, o); // version major
    o = b.writeUInt16LE(4, o); // version minor
    o = b.writeInt32LE(0, o); // thiszone
    o = b.writeUInt32LE(0, o); // sigfigs
    o = b.writeUInt32LE(this.snaplen, o);
    o = b.writeUInt32LE(linkType, o);
    this.commit(b, o, 24);
  }

  /** pcapng: a new interface (IDB, §4.2) of `linkType`; returns its id for write(). */
  addInterface(linkType: number): number {
    if (!this.ng) throw new Error('PcapWriter: interfaces are pcapng only');
    this.writeIdb(linkType);
    return this.interfaces++;
  }

  private writeShb(): void {
    // SHB (§4.1): type, length, byte-order magic, version 1.0, section length -1 (unknown), length
    const shbLen = 28;
    const b = this.reserve(shbLen);
    let o = this.used;
    o = b.writeUInt32LE(PCAPNG_SHB, o);
    o = b.writeUInt32LE(shbLen, o);
    o = b.writeUInt32LE(PCAPNG_BOM, o);
    o = b.writeUInt16LE(1, o);
    o = b.writeUInt16LE(0, o);
    o = b.writeInt32LE(-1, o);
    o = b.writeInt32LE(-1, o);
    o = b.writeUInt32LE(shbLen, o);
    this.commit(b, o, shbLen);
  }

  private writeIdb(linkType: number): void {
    // IDB (§4.2): link type, reserved, snaplen, options [if_tsresol], opt_endofopt, length
    const optLen = this.nanos ? 8 + 4 : 4;
    const idbLen = 20 + optLen;
    const b = this.reserve(idbLen);
    let o = this.used;
    o = b.writeUInt32LE(PCAPNG_IDB, o);
    o = b.writeUInt32LE(idbLen, o);
    o = b.writeUInt16LE(linkType, o);
    o = b.writeUInt16LE(0, o);
    o = b.writeUInt32LE(this.snaplen, o);
    if (this.nanos) {
      o = b.writeUInt16LE(OPT_IF_TSRESOL, o);
      o = b.writeUInt16LE(1, o);
      b[o++] = 9; // 10^-9 s
      b[o++] = 0;
      b[o++] = 0;
      b[o++] = 0;
    }
    o = b.writeUInt16LE(OPT_ENDOFOPT, o);
    o = b.writeUInt16LE(0, o);
    o = b.writeUInt32LE(idbLen, o);
    this.commit(b, o, idbLen);
  }

  /** Buffer to write `n` bytes into at offset this.used (the chunk, or a one-off buffer). */
  private reserve(n: number): Buffer {
    if (this.used + n <= this.chunk.length) return this.chunk;
    this.flush();
    if (n <= this.chunk.length) return this.chunk;
    return Buffer.allocUnsafe(n); // oversize record, written directly in commit()
  }

  private commit(b: Buffer, o: number, n: number): void {
    if (b === this.chunk) {
      this.used = o;
    } else {
      fs.writeSync(this.fd, b, 0, n);
    }
    this.bytes += n;
  }

  /** Writes the buffered chunk to the file (readers then see every packet written so far). */
  flush(): void {
    let off = 0;
    while (off < this.used) off += fs.writeSync(this.fd, this.chunk, off, this.used - off);
    this.used = 0;
  }
}
