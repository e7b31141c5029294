import * as fs from 'fs';
import { ChunkSource, DEFAULT_CHUNK_BYTES } from './chunkSource';
import { captureOpenError, notACaptureError } from './errors';
import {
  isFrameNumberedBlock, PCAP_FILE_HEADER_LEN, PCAP_LINKTYPE_MASK, PCAP_MAGIC_MODIFIED, PCAP_MAGIC_NS, PCAP_MAGIC_US,
  PCAP_MODIFIED_RECORD_HEADER_LEN, PCAP_RECORD_HEADER_LEN,
  PCAP_VERSION_MAJOR, PCAPNG_BLOCK_OVERHEAD, PCAPNG_BOM, PCAPNG_DEFAULT_TSRESOL, PCAPNG_EPB,
  PCAPNG_EPB_MIN_LEN, PCAPNG_IDB, PCAPNG_IDB_MIN_LEN, PCAPNG_IF_TSOFFSET, PCAPNG_IF_TSRESOL,
  PCAPNG_OPT_ENDOFOPT, PCAPNG_PB, PCAPNG_SHB, PCAPNG_SHB_MIN_LEN, PCAPNG_SPB, PCAPNG_SPB_MIN_LEN,
  PCAPNG_VERSION_MAJOR,
} from './formats';
import { TsResolution } from './timestamp';
import {
  CAPTURE_ANOMALY_NAMES, CaptureAnomaly, CaptureReaderStats, createCaptureReaderStats, PacketHandler,
} from './types';

export type { PacketHandler } from './types';

/**
 * Hard cap on one record: snaplen plus this slack (the largest packet Wireshark accepts by
 * default, 256 KiB, plus 64 KiB for pcapng block headers and options). A record beyond it means
 * a corrupt length field: reading stops with CaptureAnomaly.OversizeRecord.
 */
export const RECORD_SLACK_BYTES = 256 * 1024 + 64 * 1024;
/** A snaplen above this (corrupt header / IDB) counts as this for the record cap. */
export const MAX_SNAPLEN_FOR_CAP = 16 * 1024 * 1024;
/** Largest IDB loaded to read its options (legitimate IDBs are tens of bytes). */
export const MAX_IDB_BYTES = 1024 * 1024;
/** IDBs per pcapng section beyond which the section is treated as corrupt. */
export const MAX_INTERFACES_PER_SECTION = 4096;
/** Options walked per IDB (the rest is ignored). */
export const MAX_IDB_OPTIONS = 256;

export interface PcapReaderOptions {
  /** Size of the reusable read buffer (default 4 MiB). */
  chunkBytes?: number;
}

const TWO_32 = 4294967296;

function u32(buf: Buffer, off: number, le: boolean): number {
  return le ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
}

function u16(buf: Buffer, off: number, le: boolean): number {
  return le ? buf.readUInt16LE(off) : buf.readUInt16BE(off);
}

/** A pcapng block type as the spec writes it, e.g. 0x00000006. */
function hexType(t: number): string {
  return '0x' + (t >>> 0).toString(16).padStart(8, '0');
}

function recordCap(snaplen: number): number {
  return RECORD_SLACK_BYTES + Math.min(snaplen, MAX_SNAPLEN_FOR_CAP);
}

/** Octets [off, off+n) as they are in the file: "34 cd b2 a1" (never a byte-swapped number). */
function fileBytes(buf: Buffer, off: number, n: number): string {
  const out: string[] = [];
  for (let i = off; i < off + n && i < buf.length; i++) out.push(buf[i].toString(16).padStart(2, '0'));
  return out.join(' ');
}

/**
 * Streaming replay of a pcap (µs or ns, either byte order; also the "modified" pcap of magic
 * a1b2cd34 with its 24-octet record headers) or pcapng file (any number of
 * sections of either byte order, interfaces of different link types and if_tsresol; EPB, SPB
 * and the obsolete PB; other blocks skipped unread) in constant memory: the file is read with
 * fs.readSync into one reusable chunk buffer that only grows for a record larger than itself
 * (up to the record cap).
 *
 * The capture owns its buffer: the `buf` passed to the handler is the reader's chunk buffer,
 * valid only during the callback. Reading never throws because of the file's contents: a
 * truncated last record or a corrupt block ends reading, counted in `stats` (endAnomaly says
 * which). Only open() / fromBuffer() throw (CaptureError).
 */
export class PcapReader {
  readonly format: 'pcap' | 'pcapng';
  readonly path: string;
  readonly stats: CaptureReaderStats = createCaptureReaderStats();
  /** Sub-microsecond part (ns, 0..999) of the last delivered packet's timestamp. */
  lastTsNs = 0;
  /** File offset where reading stopped on an anomaly (-1 while none): the start of the damaged
   *  record / block. */
  endOffset = -1;
  /** What was wrong there, one phrase ('' while none), e.g. "the record holds 1514 octets, the
   *  file ends after 200". */
  endDetail = '';
  /** pcap only: the file is the modified (a1b2cd34) variant. */
  modified = false;

  private readonly src: ChunkSource;
  private done = false;
  private frame = 0;
  /** Byte order of the pcap file / the current pcapng section. */
  private le = true;
  // pcap
  private nsResolution = false;
  private recordHeaderLen = PCAP_RECORD_HEADER_LEN;
  private pcapLinkType = 0;
  private maxCapLen = 0;
  // pcapng, current section
  private readonly ifLinkType: number[] = [];
  private readonly ifSnaplen: number[] = [];
  private readonly ifTs: TsResolution[] = [];
  private maxBlockLen = 0;
  private lastTsUs = 0;

  private constructor(src: ChunkSource, path: string) {
    this.src = src;
    this.path = path;
    this.format = this.readFileHeader();
  }

  /** Opens a capture file. Throws CaptureError E_CAPTURE_OPEN (cannot open / read) or
   *  E_NOT_A_CAPTURE (neither pcap nor pcapng). */
  static open(path: string, opts: PcapReaderOptions = {}): PcapReader {
    let fd: number;
    let seekable: boolean;
    try {
      fd = fs.openSync(path, 'r');
    } catch (err) {
      throw captureOpenError(path, err);
    }
    try {
      const st = fs.fstatSync(fd);
      if (st.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
      seekable = st.isFile();
    } catch (err) {
      fs.closeSync(fd);
      throw captureOpenError(path, err);
    }
    const src = ChunkSource.forFile(fd, opts.chunkBytes ?? DEFAULT_CHUNK_BYTES, seekable);
    try {
      return new PcapReader(src, path);
    } catch (err) {
      src.close();
      throw err;
    }
  }

  /** A reader over an in-memory capture image (tests, fuzzing). The buffer is not modified. */
  static fromBuffer(buf: Buffer, name = '<buffer>'): PcapReader {
    return new PcapReader(ChunkSource.forBuffer(buf), name);
  }

  /**
   * Reads up to maxPackets packets (default: all), calling onPacket synchronously for each.
   * Returns the number delivered; 0 at the end of the file (or after an anomaly / close()).
   * Exceptions thrown by onPacket propagate (the reader stays consistent: the packet counts as
   * read). onPacket must not call read() re-entrantly.
   */
  read(onPacket: PacketHandler, maxPackets: number = Infinity): number {
    if (this.done || !(maxPackets > 0)) return 0;
    return this.format === 'pcap' ? this.readPcap(onPacket, maxPackets) : this.readPcapng(onPacket, maxPackets);
  }

  /** Link types known so far: the pcap header's, or those of the current pcapng section's
   *  interfaces (index = interface id; IDBs are read as the walk reaches them). */
  get linkTypes(): readonly number[] {
    return this.format === 'pcap' ? [this.pcapLinkType] : this.ifLinkType.slice();
  }

  /**
   * The damage that ended reading, as one phrase naming the offset and what was wrong
   * ("truncated record at offset 123456 (the record holds 1514 octets, the file ends after
   * 200)"), or null when the file was read to its clean end (or not yet to the end).
   */
  damage(): string | null {
    const a = this.stats.endAnomaly;
    if (a === CaptureAnomaly.Ok) return null;
    const what = (CAPTURE_ANOMALY_NAMES[a] ?? 'anomaly ' + a).replace(/_/g, ' ');
    return `${what} at offset ${this.endOffset}${this.endDetail ? ` (${this.endDetail})` : ''}`;
  }

  /** Releases the file. Further read() calls return 0. */
  close(): void {
    this.done = true;
    this.src.close();
  }

  /** Detects the format and validates the file header (pcap) / first SHB (pcapng). */
  private readFileHeader(): 'pcap' | 'pcapng' {
    const src = this.src;
    const path = this.path;
    src.ensure(PCAP_FILE_HEADER_LEN);
    if (src.readError !== '') throw captureOpenError(path, { code: src.readError });
    const avail = src.end - src.pos;
    if (avail === 0) throw notACaptureError(path, 'empty file');
    if (avail < 4) throw notACaptureError(path, `${avail}-byte file`);
    const buf = src.buf;
    const magic = buf.readUInt32BE(0);
    if (magic === PCAPNG_SHB) {
      if (avail < 16) throw notACaptureError(path, 'truncated pcapng section header');
      const bom = buf.readUInt32BE(8);
      if (bom !== PCAPNG_BOM && bom !== 0x4d3c2b1a) {
        throw notACaptureError(path, `magic 0a 0d 0d 0a with byte-order magic ${fileBytes(buf, 8, 4)}`);
      }
      const le = bom !== PCAPNG_BOM;
      const major = u16(buf, 12, le);
      if (major !== PCAPNG_VERSION_MAJOR) {
        throw notACaptureError(path, `unsupported pcapng version ${major}.${u16(buf, 14, le)}`);
      }
      this.le = le;
      return 'pcapng'; // the block walker (re)reads this SHB
    }
    const leMagic = buf.readUInt32LE(0);
    const isPcap = (m: number): boolean => m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS || m === PCAP_MAGIC_MODIFIED;
    if (isPcap(magic)) this.le = false;
    else if (isPcap(leMagic)) this.le = true;
    else throw notACaptureError(path, `magic ${fileBytes(buf, 0, 4)}`);
    if (avail < PCAP_FILE_HEADER_LEN) throw notACaptureError(path, `truncated pcap file header (${avail} bytes)`);
    const le = this.le;
    const major = u16(buf, 4, le);
    if (major !== PCAP_VERSION_MAJOR) {
      throw notACaptureError(path, `unsupported pcap version ${major}.${u16(buf, 6, le)}`);
    }
    this.nsResolution = (le ? leMagic : magic) === PCAP_MAGIC_NS;
    this.modified = (le ? leMagic : magic) === PCAP_MAGIC_MODIFIED;
    if (this.modified) this.recordHeaderLen = PCAP_MODIFIED_RECORD_HEADER_LEN;
    this.maxCapLen = recordCap(u32(buf, 16, le));
    this.pcapLinkType = u32(buf, 20, le) & PCAP_LINKTYPE_MASK;
    src.pos = PCAP_FILE_HEADER_LEN;
    this.stats.sections = 1;
    this.stats.interfaces = 1;
    return 'pcap';
  }

  /**
   * Stops reading; counts the anomaly (a read error takes precedence: it caused the others).
   * `at`: file offset of the damaged record / block (default: the current position); `detail`:
   * what was wrong there (endDetail).
   */
  private stop(anomaly: CaptureAnomaly, at = -1, detail = ''): void {
    const st = this.stats;
    if (anomaly !== CaptureAnomaly.Ok && this.src.readError !== '') {
      anomaly = CaptureAnomaly.ReadError;
      detail = `read(2) failed: ${this.src.readError}`;
    }
    switch (anomaly) {
      case CaptureAnomaly.TruncatedRecord: st.truncatedRecords++; break;
      case CaptureAnomaly.BadBlock: st.badBlocks++; break;
      case CaptureAnomaly.OversizeRecord: st.oversizeRecords++; break;
      case CaptureAnomaly.ReadError: st.readErrors++; break;
      default: break;
    }
    if (anomaly !== CaptureAnomaly.Ok) {
      this.endOffset = at >= 0 ? at : this.src.offset;
      this.endDetail = detail;
    }
    st.endAnomaly = anomaly;
    this.done = true;
  }

  /**
   * pcap records: ts_sec, ts_usec|ts_nsec, caplen, len, data (draft-ietf-opsawg-pcap §5); in the
   * modified format the 16 octets are followed by ifindex, protocol, pkt_type, pad (8 octets,
   * not used: the link type is the file header's).
   */
  private readPcap(onPacket: PacketHandler, maxPackets: number): number {
    const src = this.src;
    const st = this.stats;
    const le = this.le;
    const ns = this.nsResolution;
    const linkType = this.pcapLinkType;
    const maxCapLen = this.maxCapLen;
    const hdrLen = this.recordHeaderLen;
    let n = 0;
    while (n < maxPackets && !this.done) {
      if (src.end - src.pos < hdrLen && !src.ensure(hdrLen)) {
        const left = src.end - src.pos;
        if (left > 0) {
          this.stop(CaptureAnomaly.TruncatedRecord, -1, `the file ends ${left} octet${left === 1 ? '' : 's'} into a ${hdrLen}-octet record header`);
        } else this.stop(CaptureAnomaly.Ok);
        break;
      }
      let buf = src.buf;
      let p = src.pos;
      const capLen = u32(buf, p + 8, le);
      if (capLen > maxCapLen) {
        this.stop(CaptureAnomaly.OversizeRecord, -1, `caplen ${capLen} beyond the ${maxCapLen}-octet cap: a corrupt length or not a record`);
        break;
      }
      const need = hdrLen + capLen;
      if (src.end - p < need) {
        const at = src.offset;
        if (!src.ensure(need)) {
          const got = src.end - src.pos - hdrLen;
          this.stop(CaptureAnomaly.TruncatedRecord, at, `the record holds ${capLen} octets, the file ends after ${got}`);
          break;
        }
        buf = src.buf;
        p = src.pos;
      }
      const sec = u32(buf, p, le);
      const sub = u32(buf, p + 4, le);
      const origLen = u32(buf, p + 12, le);
      let tsUs: number;
      if (ns) {
        const us = Math.floor(sub / 1000);
        this.lastTsNs = sub - us * 1000;
        tsUs = sec * 1e6 + us;
      } else {
        tsUs = sec * 1e6 + sub;
      }
      src.pos = p + need;
      st.packets++;
      st.bytes += capLen;
      n++;
      onPacket(buf, p + hdrLen, capLen, origLen, tsUs, linkType, ++this.frame);
    }
    return n;
  }

  /** pcapng block walker (draft-ietf-opsawg-pcapng §3.1 block structure). */
  private readPcapng(onPacket: PacketHandler, maxPackets: number): number {
    const src = this.src;
    const st = this.stats;
    let n = 0;
    while (n < maxPackets && !this.done) {
      if (src.end - src.pos < PCAPNG_BLOCK_OVERHEAD && !src.ensure(PCAPNG_BLOCK_OVERHEAD)) {
        const left = src.end - src.pos;
        if (left > 0) {
          this.stop(CaptureAnomaly.TruncatedRecord, -1, `the file ends ${left} octet${left === 1 ? '' : 's'} into a block header`);
        } else this.stop(CaptureAnomaly.Ok);
        break;
      }
      let buf = src.buf;
      let p = src.pos;
      const le = this.le;
      const type = u32(buf, p, le);
      if (type === PCAPNG_SHB) {
        this.readShb();
        continue;
      }
      const len = u32(buf, p + 4, le);
      const at = src.offset;
      // §3.1: the total length covers the whole block and is a multiple of 4.
      if (len < PCAPNG_BLOCK_OVERHEAD || (len & 3) !== 0) {
        this.stop(CaptureAnomaly.BadBlock, at, `block type ${hexType(type)}: total length ${len} ${len < PCAPNG_BLOCK_OVERHEAD ? 'below 12' : 'not a multiple of 4'}`);
        break;
      }
      if (type !== PCAPNG_EPB && type !== PCAPNG_SPB && type !== PCAPNG_PB) {
        if (type === PCAPNG_IDB) this.readIdb(len);
        else if (this.passBlock(len, at, type)) {
          st.skippedBlocks++;
          if (isFrameNumberedBlock(type)) this.frame++; // tshark gives it a frame number
        }
        continue;
      }
      if (this.ifLinkType.length === 0) {
        this.stop(CaptureAnomaly.BadBlock, at, `packet block before any interface description block of its section`);
        break;
      }
      if (len > this.maxBlockLen) {
        this.stop(CaptureAnomaly.OversizeRecord, at, `packet block of ${len} octets beyond the ${this.maxBlockLen}-octet cap: a corrupt length or not a block`);
        break;
      }
      if (src.end - p < len) {
        if (!src.ensure(len)) {
          this.stop(CaptureAnomaly.TruncatedRecord, at, `the block holds ${len} octets, the file ends after ${src.end - src.pos}`);
          break;
        }
        buf = src.buf;
        p = src.pos;
      }
      if (u32(buf, p + len - 4, le) !== len) {
        this.stop(CaptureAnomaly.BadBlock, at, `block total length ${len}, trailing length ${u32(buf, p + len - 4, le)}`);
        break;
      }
      let ifId: number;
      let capLen: number;
      let origLen: number;
      let data: number;
      let tsUs: number;
      if (type === PCAPNG_SPB) {
        // §4.4: original length, data; caplen = min(original length, snaplen of interface 0, room).
        if (len < PCAPNG_SPB_MIN_LEN) {
          this.stop(CaptureAnomaly.BadBlock, at, `simple packet block of ${len} octets (at least ${PCAPNG_SPB_MIN_LEN})`);
          break;
        }
        ifId = 0;
        origLen = u32(buf, p + 8, le);
        capLen = Math.min(origLen, len - PCAPNG_SPB_MIN_LEN);
        const snap = this.ifSnaplen[0];
        if (snap > 0 && capLen > snap) capLen = snap;
        data = p + 12;
        tsUs = this.lastTsUs; // an SPB carries no timestamp: keep packet time monotonic
        this.lastTsNs = 0;
      } else {
        // §4.3 EPB: interface id(4), ts high, ts low, caplen, origlen, data.
        // §A PB: interface id(2), drops count(2), then the same.
        if (len < PCAPNG_EPB_MIN_LEN) {
          this.stop(CaptureAnomaly.BadBlock, at, `packet block of ${len} octets (at least ${PCAPNG_EPB_MIN_LEN})`);
          break;
        }
        ifId = type === PCAPNG_EPB ? u32(buf, p + 8, le) : u16(buf, p + 8, le);
        capLen = u32(buf, p + 20, le);
        if (ifId >= this.ifLinkType.length) {
          this.stop(CaptureAnomaly.BadBlock, at, `packet of interface ${ifId}, ${this.ifLinkType.length} declared in the section`);
          break;
        }
        if (capLen > len - PCAPNG_EPB_MIN_LEN) {
          this.stop(CaptureAnomaly.BadBlock, at, `captured length ${capLen} beyond the ${len}-octet block`);
          break;
        }
        origLen = u32(buf, p + 24, le);
        data = p + 28;
        const ts = this.ifTs[ifId];
        tsUs = ts.toUs(u32(buf, p + 12, le), u32(buf, p + 16, le));
        this.lastTsNs = ts.subUsNs;
        this.lastTsUs = tsUs;
      }
      src.pos = p + len;
      st.packets++;
      st.bytes += capLen;
      n++;
      onPacket(buf, data, capLen, origLen, tsUs, this.ifLinkType[ifId], ++this.frame);
    }
    return n;
  }

  /**
   * Section Header Block (§4.1): sets the section's byte order from the byte-order magic and
   * forgets the previous section's interfaces. Its options are skipped.
   */
  private readShb(): void {
    const src = this.src;
    const at = src.offset;
    if (!src.ensure(16)) {
      this.stop(CaptureAnomaly.TruncatedRecord, at, `the file ends ${src.end - src.pos} octets into a section header block`);
      return;
    }
    const buf = src.buf;
    const p = src.pos;
    const bom = buf.readUInt32BE(p + 8);
    if (bom !== PCAPNG_BOM && bom !== 0x4d3c2b1a) {
      this.stop(CaptureAnomaly.BadBlock, at, `section header block with byte-order magic ${fileBytes(buf, p + 8, 4)}`);
      return;
    }
    const le = bom !== PCAPNG_BOM;
    const len = u32(buf, p + 4, le);
    if (len < PCAPNG_SHB_MIN_LEN || (len & 3) !== 0) {
      this.stop(CaptureAnomaly.BadBlock, at, `section header block total length ${len}`);
      return;
    }
    if (u16(buf, p + 12, le) !== PCAPNG_VERSION_MAJOR) {
      this.stop(CaptureAnomaly.BadBlock, at, `section header block of version ${u16(buf, p + 12, le)}.${u16(buf, p + 14, le)}`);
      return;
    }
    this.le = le;
    this.ifLinkType.length = 0;
    this.ifSnaplen.length = 0;
    this.ifTs.length = 0;
    this.maxBlockLen = 0;
    this.stats.sections++;
    this.passBlock(len, at, 0x0a0d0d0a);
  }

  /** Interface Description Block (§4.2): link type, snaplen, if_tsresol, if_tsoffset. */
  private readIdb(len: number): void {
    const src = this.src;
    const at = src.offset;
    if (len < PCAPNG_IDB_MIN_LEN || len > MAX_IDB_BYTES) {
      this.stop(CaptureAnomaly.BadBlock, at, `interface description block of ${len} octets (${PCAPNG_IDB_MIN_LEN} to ${MAX_IDB_BYTES})`);
      return;
    }
    if (this.ifLinkType.length >= MAX_INTERFACES_PER_SECTION) {
      this.stop(CaptureAnomaly.BadBlock, at, `more than ${MAX_INTERFACES_PER_SECTION} interfaces in one section`);
      return;
    }
    if (!src.ensure(len)) {
      this.stop(CaptureAnomaly.TruncatedRecord, at, `the block holds ${len} octets, the file ends after ${src.end - src.pos}`);
      return;
    }
    const buf = src.buf;
    const p = src.pos;
    const le = this.le;
    if (u32(buf, p + len - 4, le) !== len) {
      this.stop(CaptureAnomaly.BadBlock, at, `block total length ${len}, trailing length ${u32(buf, p + len - 4, le)}`);
      return;
    }
    const linkType = u16(buf, p + 8, le);
    const snaplen = u32(buf, p + 12, le);
    let tsresol = PCAPNG_DEFAULT_TSRESOL;
    let tsoffset = 0;
    // Options (§3.5): code(2) length(2) value padded to 32 bits; a malformed tail is ignored.
    const optEnd = p + len - 4;
    let o = p + 16;
    for (let i = 0; i < MAX_IDB_OPTIONS && o + 4 <= optEnd; i++) {
      const code = u16(buf, o, le);
      const olen = u16(buf, o + 2, le);
      if (code === PCAPNG_OPT_ENDOFOPT || o + 4 + olen > optEnd) break;
      if (code === PCAPNG_IF_TSRESOL && olen >= 1) {
        tsresol = buf[o + 4];
      } else if (code === PCAPNG_IF_TSOFFSET && olen >= 8) {
        // signed 64-bit seconds
        const hi = le ? buf.readInt32LE(o + 8) : buf.readInt32BE(o + 4);
        const lo = le ? buf.readUInt32LE(o + 4) : buf.readUInt32BE(o + 8);
        tsoffset = hi * TWO_32 + lo;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    const ts = new TsResolution(tsresol, tsoffset);
    if (!ts.valid) {
      this.stop(CaptureAnomaly.BadBlock, at, `interface description block with if_tsresol 0x${tsresol.toString(16).padStart(2, '0')}: no usable resolution`);
      return;
    }
    this.ifLinkType.push(linkType);
    this.ifSnaplen.push(snaplen);
    this.ifTs.push(ts);
    this.maxBlockLen = Math.max(this.maxBlockLen, recordCap(snaplen));
    this.stats.interfaces++;
    src.pos = p + len;
  }

  /** Steps over a block of total length len at file offset `at` without loading it (checking its
   *  trailing length). Returns false (reading stopped) when the file ends inside it or the
   *  trailer mismatches. */
  private passBlock(len: number, at: number, type: number): boolean {
    const src = this.src;
    if (!src.skip(len - 4) || !src.ensure(4)) {
      this.stop(CaptureAnomaly.TruncatedRecord, at, `block type ${hexType(type)} of ${len} octets: the file ends inside it`);
      return false;
    }
    const trailer = u32(src.buf, src.pos, this.le);
    if (trailer !== len) {
      this.stop(CaptureAnomaly.BadBlock, at, `block type ${hexType(type)}: total length ${len}, trailing length ${trailer}`);
      return false;
    }
    src.pos += 4;
    return true;
  }
}

