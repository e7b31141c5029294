/**
 * Live packet ring: an optional rolling store of the captured packets, so that `sigprobe trace
 * --pcap` can write the packets of live dialogues too (a replayed record names its capture file
 * in `source`; a live record names the interface, and its req_frame / rsp_frame are the packet
 * ordinals of the capture session).
 *
 * Layout: <dir>/<site>/<interface>/ring-<session>-<firstFrame>.pcapng, one pcapng file
 * (src/capture/pcapWriter.ts: SHB, one IDB, EPBs with µs times) per rotation, and beside each
 * its index ring-<session>-<firstFrame>.idx: one 24-octet entry per packet in capture order —
 * frame (float64 LE), timestamp µs (float64 LE), offset of the EPB in the pcapng (uint32 LE),
 * captured length (uint32 LE). `session` is the wall time (ms) the capture session opened the
 * ring: live frame numbers restart at 1 with every `sigprobe run`, sessions tell them apart (a
 * record belongs to the newest session that started before its time).
 *
 * Bounds (capture.packetRing in the config): a file is closed and the next begun at fileBytes or
 * when its first packet is a quarter of maxAgeSeconds old; closed files are deleted, oldest
 * first, while the ring (pcapng + index) holds more than maxBytes or when their last packet is
 * older than maxAgeSeconds. Data are flushed every second (FLUSH_MS): the index never points
 * past what the pcapng holds on disk.
 *
 * Packet path cost: one copy of the packet into the writer's chunk and 24 octets of index.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema';
import { SigprobeError } from '../config/errors';
import { PcapWriter } from './pcapWriter';

export const IDX_ENTRY = 24;
const FLUSH_MS = 1000;
const FILE_RE = /^ring-(\d+)-(\d+)\.pcapng$/;

export interface PacketRingOptions {
  /** the ring's base directory (files go to <dir>/<site>/<source>/) */
  dir: string;
  site: string;
  /** the capture source the records name (the interface) */
  source: string;
  maxBytes: number;
  maxAgeSeconds: number;
  fileBytes: number;
  /** wall clock in ms (tests) */
  now?: () => number;
  /** flush / age-out timer (default on; tests call tick()) */
  timer?: boolean;
}

interface RingFile {
  base: string; // path without extension
  session: number;
  firstFrame: number;
  bytes: number;
  lastTsUs: number;
}

/** A ring directory name for a source: interface names are kept, anything odd is %-escaped. */
export function sourceDirName(source: string): string {
  return encodeURIComponent(source);
}

export function ringDirOf(dir: string, site: string, source: string): string {
  return join(dir, sourceDirName(site), sourceDirName(source));
}

function fileSize(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

/** The ring files of one site + source, oldest first. */
function listRing(d: string): RingFile[] {
  let names: string[];
  try {
    names = readdirSync(d);
  } catch {
    return [];
  }
  const out: RingFile[] = [];
  for (const n of names) {
    const m = FILE_RE.exec(n);
    if (!m) continue;
    const base = join(d, n.slice(0, -'.pcapng'.length));
    const idx = base + '.idx';
    const isz = fileSize(idx);
    let lastTsUs = 0;
    if (isz >= IDX_ENTRY) lastTsUs = readIdx(idx, Math.floor(isz / IDX_ENTRY) - 1, 1)[0]?.ts ?? 0;
    out.push({ base, session: Number(m[1]), firstFrame: Number(m[2]), bytes: fileSize(base + '.pcapng') + isz, lastTsUs });
  }
  out.sort((a, b) => a.session - b.session || a.firstFrame - b.firstFrame);
  return out;
}

interface IdxEntry {
  frame: number;
  ts: number;
  offset: number;
  capLen: number;
}

function readIdx(path: string, from: number, count: number): IdxEntry[] {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(count * IDX_ENTRY);
    const n = readSync(fd, b, 0, b.length, from * IDX_ENTRY);
    const out: IdxEntry[] = [];
    for (let o = 0; o + IDX_ENTRY <= n; o += IDX_ENTRY) {
      out.push({ frame: b.readDoubleLE(o), ts: b.readDoubleLE(o + 8), offset: b.readUInt32LE(o + 16), capLen: b.readUInt32LE(o + 20) });
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** The writer side, in the live capture process. */
export class PacketRing {
  readonly dir: string;
  /** packets written since open, files deleted (age or size) */
  packets = 0;
  deleted = 0;
  private readonly o: Required<Omit<PacketRingOptions, 'timer'>>;
  private readonly session: number;
  private files: RingFile[];
  private cur: { file: RingFile; w: PcapWriter; idxFd: number; linkType: number; firstTsUs: number; ifId: number } | null = null;
  private idxBuf = Buffer.alloc(IDX_ENTRY * 4096);
  private idxUsed = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private lastTsUs = 0;

  constructor(opts: PacketRingOptions) {
    this.o = { now: Date.now, ...opts } as Required<Omit<PacketRingOptions, 'timer'>>;
    if (opts.maxBytes < 2 * opts.fileBytes) {
      throw new SigprobeError('E_CONFIG', `capture.packetRing: maxBytes (${opts.maxBytes}) must be at least 2 × fileBytes (${opts.fileBytes})`);
    }
    this.dir = ringDirOf(opts.dir, opts.site, opts.source);
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw new SigprobeError('E_CONFIG', `capture.packetRing.dir: cannot create ${this.dir}: ${(e as Error).message}`);
    }
    this.files = listRing(this.dir);
    // a session id newer than any in the directory (two sessions in one ms: the next ms)
    const last = this.files.length > 0 ? Math.max(...this.files.map((f) => f.session)) : 0;
    this.session = Math.max(Math.floor(this.o.now()), last + 1);
    this.enforce();
    if (opts.timer !== false) {
      this.timer = setInterval(() => this.tick(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** The ring of a live probe's config, or null when capture.packetRing is absent (the default). */
  static fromConfig(cfg: Config, source: string): PacketRing | null {
    const r = cfg.capture?.packetRing;
    if (!r) return null;
    return new PacketRing({ dir: r.dir ?? resolve(cfg.spool.path, '..', 'packet-ring'), site: cfg.site, source, maxBytes: r.maxBytes, maxAgeSeconds: r.maxAgeSeconds, fileBytes: r.fileBytes });
  }

  /** One captured packet (the live capture's callback arguments). Never throws: a failing disk stops the ring, not the probe. */
  write(buf: Buffer, start: number, capLen: number, origLen: number, tsUs: number, linkType: number, frame: number): void {
    if (this.closed) return;
    try {
      let c = this.cur;
      if (c === null || c.linkType !== linkType || c.w.bytes >= this.o.fileBytes || tsUs - c.firstTsUs > (this.o.maxAgeSeconds * 1e6) / 4) {
        this.rotate(linkType, frame, tsUs);
        c = this.cur as NonNullable<typeof this.cur>;
      }
      const offset = c.w.bytes;
      c.w.write(tsUs, buf, start, start + capLen, origLen, c.ifId);
      if (this.idxUsed + IDX_ENTRY > this.idxBuf.length) this.flushIdx();
      const b = this.idxBuf;
      const o = this.idxUsed;
      b.writeDoubleLE(frame, o);
      b.writeDoubleLE(tsUs, o + 8);
      b.writeUInt32LE(offset, o + 16);
      b.writeUInt32LE(Math.min(capLen, 262144), o + 20);
      this.idxUsed += IDX_ENTRY;
      c.file.lastTsUs = tsUs;
      this.lastTsUs = tsUs;
      this.packets++;
    } catch (e) {
      this.fail(e as Error);
    }
  }

  /** Flush to disk and delete what is beyond the bounds (the timer calls it every second). */
  tick(): void {
    if (this.closed) return;
    try {
      this.flush();
      this.enforce();
    } catch (e) {
      this.fail(e as Error);
    }
  }

  flush(): void {
    const c = this.cur;
    if (c === null) return;
    c.w.flush();
    this.flushIdx();
    c.file.bytes = c.w.bytes + fileSize(c.file.base + '.idx');
  }

  close(): void {
    if (this.closed) return;
    try {
      this.closeCurrent();
    } catch {
      /* best effort at stop */
    }
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Bytes the ring holds (pcapng + index, the open file as flushed). */
  totalBytes(): number {
    return this.files.reduce((a, f) => a + f.bytes, 0);
  }

  fileCount(): number {
    return this.files.length;
  }

  private fail(e: Error): void {
    process.stderr.write(`sigprobe: packet ring ${this.dir}: ${e.message}; the ring is off until the next start\n`);
    try {
      this.closeCurrent();
    } catch {
      /* already failing */
    }
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
  }

  private flushIdx(): void {
    const c = this.cur;
    if (c === null || this.idxUsed === 0) return;
    // the pcapng first: an index entry never points past the file's data
    c.w.flush();
    let off = 0;
    while (off < this.idxUsed) off += writeSync(c.idxFd, this.idxBuf, off, this.idxUsed - off);
    this.idxUsed = 0;
  }

  private closeCurrent(): void {
    const c = this.cur;
    if (c === null) return;
    this.flushIdx();
    c.w.close();
    closeSync(c.idxFd);
    c.file.bytes = fileSize(c.file.base + '.pcapng') + fileSize(c.file.base + '.idx');
    this.cur = null;
  }

  private rotate(linkType: number, frame: number, tsUs: number): void {
    this.closeCurrent();
    const base = join(this.dir, `ring-${this.session}-${frame}`);
    const w = PcapWriter.create(base + '.pcapng', { linkType: null, format: 'pcapng', chunkBytes: 256 * 1024 });
    const ifId = w.addInterface(linkType);
    const idxFd = openSync(base + '.idx', 'w');
    const file: RingFile = { base, session: this.session, firstFrame: frame, bytes: 0, lastTsUs: tsUs };
    this.files.push(file);
    this.cur = { file, w, idxFd, linkType, firstTsUs: tsUs, ifId };
    this.enforce();
  }

  /** Deletes closed files beyond maxAgeSeconds (by their last packet) or beyond maxBytes, oldest first. */
  private enforce(): void {
    const nowUs = Math.max(this.o.now() * 1000, this.lastTsUs);
    const minTs = nowUs - this.o.maxAgeSeconds * 1e6;
    let total = this.totalBytes();
    while (this.files.length > 0) {
      const f = this.files[0];
      if (this.cur !== null && f === this.cur.file) break;
      if (f.lastTsUs >= minTs && total <= this.o.maxBytes) break;
      for (const ext of ['.idx', '.pcapng']) {
        try {
          unlinkSync(f.base + ext);
        } catch {
          /* gone already */
        }
      }
      total -= f.bytes;
      this.files.shift();
      this.deleted++;
    }
  }
}

// ---- read side (trace --pcap) -------------------------------------------------------------------

export interface RingPacket {
  frame: number;
  ts: number;
  linkType: number;
  origLen: number;
  data: Buffer;
}

/** What the ring has of one dialogue's frames. */
export interface RingLookup {
  /** the ring directory searched */
  dir: string;
  packets: RingPacket[];
  /** frames not (any more) in the ring, and why */
  missing: { frame: number; reason: string }[];
}

/** The ring directory of a site + source among the directories (each may be the ring's base dir or hold `packet-ring/`). */
export function findRingDir(site: string, source: string, dirs: readonly string[]): string | null {
  for (const d of dirs) {
    for (const base of [d, join(d, 'packet-ring')]) {
      const rd = ringDirOf(base, site, source);
      if (existsSync(rd)) return rd;
    }
  }
  return null;
}

function readAt(path: string, offset: number, len: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(len);
    const n = readSync(fd, b, 0, len, offset);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The link type of a ring file's interface 0 (SHB then IDB, as PcapWriter writes them). */
function ringLinkType(pcapng: string): number {
  const h = readAt(pcapng, 0, 64);
  if (h.length < 28 || h.readUInt32LE(0) !== 0x0a0d0d0a) return -1;
  const shbLen = h.readUInt32LE(4);
  if (h.length < shbLen + 12 || h.readUInt32LE(shbLen) !== 1) return -1;
  return h.readUInt16LE(shbLen + 8);
}

/**
 * The packets of `frames` of one live record (site, source, the record's time) from the ring:
 * the session is the newest one that began at or before the record's time; the file the one of
 * that session whose first frame is the largest ≤ the frame; the frame is found in its index by
 * binary search. A frame whose file was deleted (age or size bound) is reported as aged out.
 */
export function ringPackets(ringDir: string, frames: readonly { frame: number; tsUs: number | null }[]): RingLookup {
  const files = listRing(ringDir);
  const out: RingLookup = { dir: ringDir, packets: [], missing: [] };
  const oldest = files.length > 0 ? files[0] : null;
  for (const { frame, tsUs } of frames) {
    const t = tsUs ?? Number.MAX_SAFE_INTEGER;
    const sessions = [...new Set(files.map((f) => f.session))].filter((s) => s * 1000 <= t + 1e6);
    const session = sessions.length > 0 ? sessions[sessions.length - 1] : null;
    const cands = files.filter((f) => f.session === session && f.firstFrame <= frame);
    const f = cands.length > 0 ? cands[cands.length - 1] : null;
    const aged = () => {
      const since = oldest !== null ? `; the oldest packet kept is of ${new Date(Math.floor(readIdx(oldest.base + '.idx', 0, 1)[0]?.ts ?? 0) / 1000).toISOString()}` : '; the ring is empty';
      return `aged out of the packet ring${since}`;
    };
    if (f === null) {
      out.missing.push({ frame, reason: aged() });
      continue;
    }
    const idx = f.base + '.idx';
    const n = Math.floor(fileSize(idx) / IDX_ENTRY);
    // entries are in frame order: binary search
    let lo = 0;
    let hi = n - 1;
    let hit: IdxEntry | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const e = readIdx(idx, mid, 1)[0];
      if (e === undefined) break;
      if (e.frame === frame) {
        hit = e;
        break;
      }
      if (e.frame < frame) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hit === null) {
      // a later file of the session starts after this frame, or the frame is newer than the last flush
      const later = files.some((x) => x.session === f.session && x.firstFrame > f.firstFrame);
      out.missing.push({ frame, reason: later || n === 0 ? aged() : 'not yet in the packet ring (newer than its last flush: retry in a second)' });
      continue;
    }
    if (tsUs !== null && Math.abs(hit.ts - tsUs) > 1e6) {
      out.missing.push({ frame, reason: aged() });
      continue;
    }
    const pcap = f.base + '.pcapng';
    const epb = readAt(pcap, hit.offset, 28 + hit.capLen);
    if (epb.length < 28 + hit.capLen || epb.readUInt32LE(0) !== 6) {
      out.missing.push({ frame, reason: `packet ring file ${pcap} is damaged at offset ${hit.offset}` });
      continue;
    }
    const capLen = epb.readUInt32LE(20);
    out.packets.push({ frame, ts: hit.ts, linkType: ringLinkType(pcap), origLen: epb.readUInt32LE(24), data: Buffer.from(epb.subarray(28, 28 + capLen)) });
  }
  return out;
}

/** A live record of a trace and the ring directory of its site + source. */
export interface RingRecord {
  row: { source: string; procedure?: unknown; req_frame?: unknown; rsp_frame?: unknown; req_time_us: number | null; rsp_time_us: number | null } & Record<string, unknown>;
  dir: string;
}

/**
 * trace --pcap for live records (src/trace/pcapExport.ts): the request and answer packets of each
 * record from its ring, each packet once; one warning per dialogue whose packets are not (all)
 * in the ring any more. (A ring holds no dialogue state: the Continues between a TCAP Begin and
 * its End are not looked for, only the frames the record names.)
 */
export function ringExport(recs: readonly RingRecord[]): { packets: (RingPacket & { src: string })[]; warnings: string[] } {
  const packets: (RingPacket & { src: string })[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const { row, dir } of recs) {
    const want: { frame: number; tsUs: number | null }[] = [];
    if (typeof row.req_frame === 'number' && row.req_frame > 0) want.push({ frame: row.req_frame, tsUs: row.req_time_us });
    if (typeof row.rsp_frame === 'number' && row.rsp_frame > 0 && row.rsp_frame !== row.req_frame) want.push({ frame: row.rsp_frame, tsUs: row.rsp_time_us });
    const todo = want.filter((w) => !seen.has(`${dir}|${w.frame}`));
    const got = ringPackets(dir, todo);
    for (const p of got.packets) {
      seen.add(`${dir}|${p.frame}`);
      packets.push({ ...p, src: row.source });
    }
    if (got.missing.length > 0) {
      const t = row.req_time_us ?? row.rsp_time_us;
      const when = typeof t === 'number' ? new Date(Math.floor(t / 1000)).toISOString() : '?';
      warnings.push(`${row.source}: ${String(row.procedure ?? '?')} at ${when}: packets ${got.missing.map((m) => `frame ${m.frame}`).join(', ')} ${got.missing[0].reason}`);
    }
  }
  return { packets, warnings };
}
