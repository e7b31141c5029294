/**
 * Reassembly of fragmented SCTP user messages (RFC 9260 §6.9, RFC 8260 §2.1).
 *
 * Fragments are grouped per association direction by a numeric key:
 *   DATA ordered (U = 0):   (stream, SSN)  — every fragment carries the message's SSN;
 *   DATA unordered (U = 1): (stream)       — the fragments of one message have consecutive TSNs;
 *   I-DATA:                 (U, stream, MID).
 * Within a group a fragment's sequence number is its TSN (DATA) or FSN (I-DATA), and a message is
 * complete when a run of consecutive sequence numbers goes from a B fragment to an E fragment
 * (arrival order does not matter). Duplicate TSNs are removed before (TsnWindow).
 * I-DATA FSN numbering differs between stacks: RFC 8260 §2.1 / FreeBSD give the B fragment FSN 0
 * (implicit) and number the next fragment 1; Linux numbers the first non-B fragment 0. The B
 * fragment is therefore placed at 0, or at 2^32 - 1 (just before 0) once a direction has shown a
 * non-B fragment with FSN 0 (its earlier pending B fragments are moved).
 *
 * Limits (constructor): maxMessageBytes (a message growing past it is dropped, `too_big`, and
 * its later fragments up to E are discarded), maxPendingBytesPerAssoc (per direction) and
 * maxTotalPendingBytes, maxPendingMessages (groups held) — the oldest groups are evicted to make
 * room (`evicted`) — and timeoutUs (incomplete messages expire, `expired`, see expire()).
 */
import { SctpDirection } from './sctpAssoc';
import { SctpChunkView, SctpMessageView } from './types';

export const enum SctpReassemblyAnomaly {
  Ok = 0,
  /** A TSN already seen in this direction (retransmission / duplicated capture): chunk dropped. */
  DuplicateTsn = 1,
  /** A user message larger than maxMessageBytes, or with too many fragments: dropped. */
  TooBig = 2,
  /** Incomplete messages dropped to respect the pending limits. */
  Evicted = 3,
  /** Incomplete message dropped by expire() (counter only). */
  Expired = 4,
  /** A fragment whose sequence number is already held with different data placement (same
   *  FSN twice, or a B/E fragment inside a run): dropped. */
  Inconsistent = 5,
  /** The TSN window jumped far backwards and was reset (association restarted unseen). */
  TsnResync = 6,
  /** Association directions evicted from the table (maxAssociations; counter only). */
  AssocEvicted = 7,
  /** Idle association directions expired (counter only). */
  AssocExpired = 8,
}

export const SCTP_REASSEMBLY_ANOMALY_NAMES: readonly string[] = [
  'ok', 'duplicate_tsn', 'too_big', 'evicted', 'expired', 'inconsistent', 'tsn_resync',
  'assoc_evicted', 'assoc_expired',
];

/** Cap on fragments of one user message (bounds the completion walk). */
export const MAX_SCTP_FRAGMENTS_PER_MESSAGE = 2048;

export interface SctpReassemblyLimits {
  /** Association directions held (LRU eviction). */
  maxAssociations: number;
  /** Pending (incomplete) user data octets per association direction. */
  maxPendingBytesPerAssoc: number;
  /** Pending user data octets in all. */
  maxTotalPendingBytes: number;
  /** Incomplete user messages held in all. */
  maxPendingMessages: number;
  /** Largest user message reassembled (e.g. 256 KiB). */
  maxMessageBytes: number;
  /** Idle association / incomplete message lifetime, µs of packet time. */
  timeoutUs: number;
}

export const DEFAULT_SCTP_LIMITS: SctpReassemblyLimits = {
  maxAssociations: 16384, // ~1 KiB per direction (TSN window 512 B + tables)
  maxPendingBytesPerAssoc: 1024 * 1024,
  maxTotalPendingBytes: 64 * 1024 * 1024,
  maxPendingMessages: 16384,
  maxMessageBytes: 256 * 1024,
  timeoutUs: 60_000_000,
};

export interface SctpReassemblyCounters {
  /** Messages rebuilt from several chunks and delivered. */
  completed: number;
  duplicatesDropped: number;
  tooBig: number;
  evicted: number;
  expired: number;
  inconsistent: number;
  /** Pending messages dropped because their association was reset (INIT, ABORT, SHUTDOWN
   *  COMPLETE, new Verification Tag) or removed from the table. */
  reset: number;
  /** Gauges. */
  pendingMessages: number;
  pendingBytes: number;
}

class Frag {
  constructor(
    readonly tsn: number,
    readonly begin: boolean,
    readonly end: boolean,
    readonly ppid: number,
    readonly ssn: number,
    readonly data: Buffer,
  ) {}
}

/** The fragments of one user message (or, DATA unordered, of one stream's messages). */
export class FragGroup {
  readonly frags = new Map<number, Frag>();
  bytes = 0;
  begins = 0;
  ends = 0;
  /** Dropped as too big: later fragments are discarded until the E fragment. */
  discarding = false;
  older: FragGroup | null = null;
  newer: FragGroup | null = null;

  constructor(
    readonly key: number,
    readonly dir: SctpDirection,
    readonly streamId: number,
    readonly unordered: boolean,
    /** I-DATA Message Identifier, -1 for DATA. */
    readonly mid: number,
    readonly createdUs: number,
  ) {}
}

const P32 = 4294967296;
const LAST_U32 = 0xffffffff;
const P48 = 281474976710656;

/** Group key (see the file comment): kind * 2^48 + stream * 2^32 + SSN / MID. */
function groupKey(c: SctpChunkView, iData: boolean): number {
  if (iData) return (c.unordered ? 3 : 2) * P48 + c.streamId * P32 + c.mid;
  return c.unordered ? P48 + c.streamId * P32 : c.streamId * P32 + c.ssn;
}

export class SctpReassembler {
  readonly counters: SctpReassemblyCounters = {
    completed: 0, duplicatesDropped: 0, tooBig: 0, evicted: 0, expired: 0, inconsistent: 0, reset: 0,
    pendingMessages: 0, pendingBytes: 0,
  };
  private oldest: FragGroup | null = null;
  private newest: FragGroup | null = null;
  private scratch: Buffer = Buffer.alloc(0);
  private readonly limits: SctpReassemblyLimits;

  constructor(limits: SctpReassemblyLimits) {
    this.limits = limits;
  }

  /**
   * Adds a DATA / I-DATA fragment (not B+E) of direction `dir` (chunk decoded from buf).
   * When it completes a user message, fills msg (buf = a reassembly buffer valid during the
   * call, reassembled = true; the caller set the association fields) and calls sink.
   * Returns an SctpReassemblyAnomaly.
   */
  add(
    dir: SctpDirection, c: SctpChunkView, iData: boolean, buf: Buffer, tsUs: number,
    msg: SctpMessageView, sink: (m: SctpMessageView) => void,
  ): number {
    const len = c.payloadEnd - c.payloadStart;
    const key = groupKey(c, iData);
    let g = dir.groups.get(key);
    if (g === undefined) {
      if (this.counters.pendingMessages >= this.limits.maxPendingMessages && this.oldest !== null) {
        this.dropGroup(this.oldest);
        this.counters.evicted++;
      }
      g = new FragGroup(key, dir, c.streamId, c.unordered, iData ? c.mid : -1, tsUs);
      this.addGroup(g);
    }
    if (g.discarding) {
      if (c.ending) this.dropGroup(g);
      return SctpReassemblyAnomaly.TooBig;
    }
    if (iData && !c.beginning && c.fsn === 0 && !dir.idataFsnFromZero) this.learnFsnFromZero(dir);
    const seq = !iData ? c.tsn : !c.beginning ? c.fsn : dir.idataFsnFromZero ? LAST_U32 : 0;
    if (g.frags.has(seq)) {
      this.counters.inconsistent++;
      return SctpReassemblyAnomaly.Inconsistent;
    }
    if (g.bytes + len > this.limits.maxMessageBytes || g.frags.size >= MAX_SCTP_FRAGMENTS_PER_MESSAGE) {
      return this.tooBig(g, c.ending);
    }
    let code: number = SctpReassemblyAnomaly.Ok;
    if (dir.pendingBytes + len > this.limits.maxPendingBytesPerAssoc) {
      for (const other of dir.groups.values()) {
        if (dir.pendingBytes + len <= this.limits.maxPendingBytesPerAssoc) break;
        if (other === g) continue;
        this.dropGroup(other);
        this.counters.evicted++;
        code = SctpReassemblyAnomaly.Evicted;
      }
      if (dir.pendingBytes + len > this.limits.maxPendingBytesPerAssoc) return this.tooBig(g, c.ending);
    }
    while (this.counters.pendingBytes + len > this.limits.maxTotalPendingBytes) {
      let victim = this.oldest;
      if (victim === g) victim = g.newer;
      if (victim === null) return this.tooBig(g, c.ending);
      this.dropGroup(victim);
      this.counters.evicted++;
      code = SctpReassemblyAnomaly.Evicted;
    }
    const data = Buffer.allocUnsafe(len);
    buf.copy(data, 0, c.payloadStart, c.payloadEnd);
    g.frags.set(seq, new Frag(c.tsn, c.beginning, c.ending, c.ppid, c.ssn, data));
    g.bytes += len;
    if (c.beginning) g.begins++;
    if (c.ending) g.ends++;
    dir.pendingBytes += len;
    this.counters.pendingBytes += len;
    if (g.begins > 0 && g.ends > 0) this.tryComplete(g, seq, msg, sink);
    return code;
  }

  /** `dir` numbers I-DATA fragments after B from 0 (Linux): move its pending B fragments to 2^32 - 1. */
  private learnFsnFromZero(dir: SctpDirection): void {
    dir.idataFsnFromZero = true;
    for (const g of dir.groups.values()) {
      if (g.mid < 0) continue;
      const b = g.frags.get(0);
      if (b === undefined || !b.begin || g.frags.has(LAST_U32)) continue;
      g.frags.delete(0);
      g.frags.set(LAST_U32, b);
    }
  }

  /** Drops every pending message of `dir` (association reset or removed; counted `reset`). */
  dropDirection(dir: SctpDirection): void {
    if (dir.groups.size === 0) return;
    for (const g of dir.groups.values()) {
      this.unlinkAge(g);
      this.counters.reset++;
      this.counters.pendingMessages--;
      this.counters.pendingBytes -= g.bytes;
    }
    dir.groups.clear();
    dir.pendingBytes = 0;
  }

  /** Drops the incomplete messages older than timeoutUs at nowUs (counted `expired`). */
  expire(nowUs: number): void {
    while (this.oldest !== null && this.oldest.createdUs + this.limits.timeoutUs <= nowUs) {
      this.dropGroup(this.oldest);
      this.counters.expired++;
    }
  }

  /** If the run containing `seq` goes from a B to an E fragment, delivers it. */
  private tryComplete(g: FragGroup, seq: number, msg: SctpMessageView, sink: (m: SctpMessageView) => void): void {
    const frags = g.frags;
    let first = seq;
    let f = frags.get(first);
    while (f !== undefined && !f.begin) {
      first = (first - 1) >>> 0;
      f = frags.get(first);
      // an E before any B: seq's message starts after it, its B is missing
      if (f !== undefined && f.end) return;
    }
    if (f === undefined) return;
    const head = f;
    let last = first;
    let total = 0;
    for (;;) {
      total += f.data.length;
      if (f.end) break;
      last = (last + 1) >>> 0;
      f = frags.get(last);
      if (f === undefined) return;
      if (f.begin) {
        // a B inside the run (the previous message lost its E): it can never complete
        this.counters.inconsistent++;
        return;
      }
    }
    if (this.scratch.length < total) {
      this.scratch = Buffer.allocUnsafe(Math.max(total, Math.min(this.scratch.length * 2, this.limits.maxMessageBytes)));
    }
    let pos = 0;
    let n = 0;
    for (let s = first; ; s = (s + 1) >>> 0) {
      const p = frags.get(s) as Frag;
      p.data.copy(this.scratch, pos);
      pos += p.data.length;
      frags.delete(s);
      if (p.begin) g.begins--;
      if (p.end) g.ends--;
      n++;
      if (s === last) break;
    }
    g.bytes -= total;
    g.dir.pendingBytes -= total;
    this.counters.pendingBytes -= total;
    if (frags.size === 0) this.dropGroup(g);
    this.counters.completed++;
    msg.buf = this.scratch;
    msg.start = 0;
    msg.end = total;
    msg.ppid = head.ppid;
    msg.streamId = g.streamId;
    msg.tsn = head.tsn;
    msg.ssn = g.mid < 0 ? head.ssn : -1;
    msg.mid = g.mid;
    msg.unordered = g.unordered;
    msg.fragments = n;
    msg.reassembled = true;
    sink(msg);
  }

  /** Drops g's fragments; keeps it as a discarding tombstone unless `ending` (counted `too_big`). */
  private tooBig(g: FragGroup, ending: boolean): number {
    this.counters.tooBig++;
    this.releaseFrags(g);
    if (ending) this.dropGroup(g);
    else g.discarding = true;
    return SctpReassemblyAnomaly.TooBig;
  }

  private releaseFrags(g: FragGroup): void {
    g.dir.pendingBytes -= g.bytes;
    this.counters.pendingBytes -= g.bytes;
    g.bytes = 0;
    g.begins = g.ends = 0;
    g.frags.clear();
  }

  private addGroup(g: FragGroup): void {
    g.dir.groups.set(g.key, g);
    g.older = this.newest;
    if (this.newest !== null) this.newest.newer = g;
    else this.oldest = g;
    this.newest = g;
    this.counters.pendingMessages++;
  }

  private dropGroup(g: FragGroup): void {
    this.releaseFrags(g);
    g.dir.groups.delete(g.key);
    this.unlinkAge(g);
    this.counters.pendingMessages--;
  }

  private unlinkAge(g: FragGroup): void {
    if (g.older !== null) g.older.newer = g.newer;
    else if (this.oldest === g) this.oldest = g.newer;
    if (g.newer !== null) g.newer.older = g.older;
    else if (this.newest === g) this.newest = g.older;
    g.older = g.newer = null;
  }
}
