/**
 * IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5) fragment reassembly.
 *
 * Key: (src, dst, Identification, Protocol) for IPv4; (src, dst, Identification) for IPv6
 * (RFC 8200 §4.5: the Next Header of non-first fragments may differ; the offset-0 fragment's is
 * used). The key is a 32-bit hash into a Map plus a by-value comparison (no strings).
 *
 * Policy (the one Linux applies since 4.19, RFC 5722 for IPv6):
 * - a fragment entirely inside data already received is a duplicate: dropped, datagram kept;
 * - any other overlap discards the whole datagram (counted `overlap`);
 * - a fragment with M = 1 whose length is not a multiple of 8, or a zero-length fragment, is
 *   dropped (`bad_length`); an end past maxBytesPerDatagram is dropped (`too_big`);
 * - a last fragment disagreeing with the known end, or data past the end, discards the
 *   datagram (`inconsistent`).
 * Memory: `bytesHeld` (sum of reassembly buffer capacities) never exceeds maxTotalBytes;
 * the oldest datagrams are evicted (`evicted_limit`) to make room, as when maxDatagrams is hit.
 * Time: a datagram expires timeoutUs after its first fragment (packet time), see expire().
 */
import { AddrPair, addrPairEquals, hashAddrPair, mix32, storeAddrPair } from './addrKey';
import { IpView } from './types';

export const enum IpReassemblyAnomaly {
  Ok = 0,
  Duplicate = 1,
  Overlap = 2,
  TooBig = 3,
  BadLength = 4,
  Inconsistent = 5,
  /** More than MAX_FRAGMENT_RANGES disjoint pieces in one datagram. */
  TooManyFragments = 6,
  /** Datagrams dropped to respect maxDatagrams / maxTotalBytes (counted on the packet that caused it). */
  EvictedLimit = 7,
  /** Incomplete datagram dropped by expire() (counter only). */
  Expired = 8,
}

export const IP_REASSEMBLY_ANOMALY_NAMES: readonly string[] = [
  'ok', 'duplicate', 'overlap', 'too_big', 'bad_length', 'inconsistent', 'too_many_fragments',
  'evicted_limit', 'expired',
];

/** Cap on disjoint received ranges per datagram (bounds the per-fragment work). */
export const MAX_FRAGMENT_RANGES = 64;
/** First reassembly buffer size; buffers grow by doubling up to maxBytesPerDatagram. */
const INITIAL_CAPACITY = 2048;

export interface IpReassemblyLimits {
  /** Incomplete datagrams held at once (e.g. 1024). */
  maxDatagrams: number;
  /** Largest reassembled payload (≥ 65535 for full IPv4/IPv6 support). */
  maxBytesPerDatagram: number;
  /** Sum of all reassembly buffers. */
  maxTotalBytes: number;
  /** Incomplete datagram lifetime from its first fragment, µs of packet time (e.g. 30 s). */
  timeoutUs: number;
}

export const DEFAULT_IP_REASSEMBLY_LIMITS: IpReassemblyLimits = {
  maxDatagrams: 1024,
  maxBytesPerDatagram: 65535,
  maxTotalBytes: 16 * 1024 * 1024,
  timeoutUs: 30_000_000,
};

export interface IpReassemblyCounters {
  completed: number;
  expired: number;
  evictedLimit: number;
  overlap: number;
  tooBig: number;
  duplicates: number;
  badLength: number;
  inconsistent: number;
  tooManyFragments: number;
  /** Gauges: incomplete datagrams and bytes of reassembly buffers held now. */
  datagrams: number;
  bytesHeld: number;
}

class Datagram {
  readonly addrs = new AddrPair();
  hash = 0;
  id = 0;
  /** IPv4: key protocol; IPv6: Next Header of the offset-0 fragment (-1 until it arrives). */
  proto = -1;
  buf: Buffer;
  /** Received ranges, sorted and coalesced: [start0, end0, start1, end1, ...]. */
  readonly ranges: number[] = [];
  /** Payload length once the last fragment (M = 0) arrived, else -1. */
  totalLen = -1;
  createdUs = 0;
  /** Hash-chain link (same 32-bit hash) and age list (creation order). */
  chainNext: Datagram | null = null;
  older: Datagram | null = null;
  newer: Datagram | null = null;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }
}

export class IpReassembler {
  readonly counters: IpReassemblyCounters = {
    completed: 0, expired: 0, evictedLimit: 0, overlap: 0, tooBig: 0, duplicates: 0, badLength: 0,
    inconsistent: 0, tooManyFragments: 0, datagrams: 0, bytesHeld: 0,
  };
  private readonly table = new Map<number, Datagram>();
  private oldest: Datagram | null = null;
  private newest: Datagram | null = null;
  private readonly limits: IpReassemblyLimits;

  constructor(limits: IpReassemblyLimits = DEFAULT_IP_REASSEMBLY_LIMITS) {
    this.limits = { ...limits };
    if (this.limits.maxTotalBytes < INITIAL_CAPACITY) this.limits.maxTotalBytes = INITIAL_CAPACITY;
  }

  /**
   * Adds the fragment described by `frag` (filled by decodeIpv4 / decodeIpv6 with isFragment
   * set; data = frag.buf[start, end)) received at tsUs. Returns an IpReassemblyAnomaly (Ok when
   * the fragment was accepted). When the datagram is complete, `frag` is rewritten in place:
   * buf = a buffer owned by the reassembler (valid until the next call), [start, end) = the
   * whole payload, proto = the offset-0 fragment's, reassembled = true, isFragment = false.
   */
  add(frag: IpView, tsUs: number): number {
    const c = this.counters;
    const off = frag.fragOffset;
    const len = frag.end - frag.start;
    const end = off + len;
    if (len <= 0 || (frag.moreFragments && (len & 7) !== 0)) {
      c.badLength++;
      return IpReassemblyAnomaly.BadLength;
    }
    if (end > this.limits.maxBytesPerDatagram) {
      c.tooBig++;
      return IpReassemblyAnomaly.TooBig;
    }
    const evictedBefore = c.evictedLimit;
    const keyProto = frag.version === 4 ? frag.proto : -1;
    const hash = mix32(hashAddrPair(frag, false, frag.fragId), keyProto);
    let d = this.find(hash, frag, keyProto);
    if (d === null) {
      if (c.datagrams >= this.limits.maxDatagrams) this.evictOldest();
      d = this.create(hash, frag, keyProto, tsUs);
    }
    // last fragment / known end consistency (RFC 8200 §4.5, RFC 791 §3.2)
    const r = d.ranges;
    if (!frag.moreFragments) {
      if ((d.totalLen >= 0 && d.totalLen !== end) || (r.length > 0 && r[r.length - 1] > end)) {
        return this.discard(d, IpReassemblyAnomaly.Inconsistent);
      }
    } else if (d.totalLen >= 0 && end > d.totalLen) {
      return this.discard(d, IpReassemblyAnomaly.Inconsistent);
    }
    // duplicate / overlap: p = first received range ending after `off`
    let p = 0;
    while (p < r.length && r[p + 1] <= off) p += 2;
    if (p < r.length) {
      if (r[p] <= off && end <= r[p + 1]) {
        c.duplicates++;
        return IpReassemblyAnomaly.Duplicate;
      }
      if (r[p] < end) return this.discard(d, IpReassemblyAnomaly.Overlap);
    }
    // insert [off, end) before p, coalescing with the neighbours it touches
    const joinPrev = p > 0 && r[p - 1] === off;
    const joinNext = p < r.length && r[p] === end;
    if (!joinPrev && !joinNext && r.length >= MAX_FRAGMENT_RANGES * 2) {
      return this.discard(d, IpReassemblyAnomaly.TooManyFragments);
    }
    if (end > d.buf.length && !this.grow(d, end)) return this.discard(d, IpReassemblyAnomaly.EvictedLimit);
    if (joinPrev && joinNext) {
      r[p - 1] = r[p + 1];
      r.splice(p, 2);
    } else if (joinPrev) r[p - 1] = end;
    else if (joinNext) r[p] = off;
    else r.splice(p, 0, off, end);
    frag.buf.copy(d.buf, off, frag.start, frag.end);
    if (!frag.moreFragments) d.totalLen = end;
    if (off === 0) d.proto = frag.proto;
    if (d.totalLen >= 0 && r.length === 2 && r[0] === 0 && r[1] === d.totalLen) {
      this.unlink(d);
      c.completed++;
      frag.buf = d.buf;
      frag.start = 0;
      frag.end = d.totalLen;
      frag.proto = d.proto;
      frag.reassembled = true;
      frag.isFragment = false;
    }
    return c.evictedLimit !== evictedBefore ? IpReassemblyAnomaly.EvictedLimit : IpReassemblyAnomaly.Ok;
  }

  /** Drops the datagrams whose first fragment is older than timeoutUs at nowUs (counted `expired`). */
  expire(nowUs: number): void {
    const timeout = this.limits.timeoutUs;
    while (this.oldest !== null && this.oldest.createdUs + timeout <= nowUs) {
      this.unlink(this.oldest);
      this.counters.expired++;
    }
  }

  private find(hash: number, frag: IpView, keyProto: number): Datagram | null {
    let d = this.table.get(hash) ?? null;
    while (d !== null) {
      if (d.id === frag.fragId && (keyProto < 0 || d.proto === keyProto) && addrPairEquals(d.addrs, frag, false)) return d;
      d = d.chainNext;
    }
    return null;
  }

  private create(hash: number, frag: IpView, keyProto: number, tsUs: number): Datagram {
    const cap = Math.min(INITIAL_CAPACITY, this.limits.maxBytesPerDatagram);
    this.makeRoom(cap, null);
    const d = new Datagram(cap);
    storeAddrPair(d.addrs, frag, false);
    d.hash = hash;
    d.id = frag.fragId;
    d.proto = keyProto;
    d.createdUs = tsUs;
    d.chainNext = this.table.get(hash) ?? null;
    this.table.set(hash, d);
    d.older = this.newest;
    if (this.newest !== null) this.newest.newer = d;
    else this.oldest = d;
    this.newest = d;
    this.counters.datagrams++;
    this.counters.bytesHeld += cap;
    return d;
  }

  /** Grows d's buffer to hold `needed` octets, evicting older datagrams if needed; false if
   *  it cannot fit even alone. */
  private grow(d: Datagram, needed: number): boolean {
    let cap = d.buf.length * 2;
    while (cap < needed) cap *= 2;
    if (cap > this.limits.maxBytesPerDatagram) cap = Math.max(needed, this.limits.maxBytesPerDatagram);
    const extra = cap - d.buf.length;
    this.makeRoom(extra, d);
    if (this.counters.bytesHeld + extra > this.limits.maxTotalBytes) return false;
    const nb = Buffer.allocUnsafe(cap);
    d.buf.copy(nb, 0, 0, d.buf.length);
    d.buf = nb;
    this.counters.bytesHeld += extra;
    return true;
  }

  /** Evicts the oldest datagrams (never `keep`) until `extra` more bytes fit. */
  private makeRoom(extra: number, keep: Datagram | null): void {
    while (this.counters.bytesHeld + extra > this.limits.maxTotalBytes) {
      let victim = this.oldest;
      if (victim === keep && victim !== null) victim = victim.newer;
      if (victim === null) break;
      this.unlink(victim);
      this.counters.evictedLimit++;
    }
  }

  private evictOldest(): void {
    if (this.oldest === null) return;
    this.unlink(this.oldest);
    this.counters.evictedLimit++;
  }

  /** Drops d and counts `reason`; returns reason. */
  private discard(d: Datagram, reason: number): number {
    this.unlink(d);
    const c = this.counters;
    if (reason === IpReassemblyAnomaly.Overlap) c.overlap++;
    else if (reason === IpReassemblyAnomaly.Inconsistent) c.inconsistent++;
    else if (reason === IpReassemblyAnomaly.TooManyFragments) c.tooManyFragments++;
    else if (reason === IpReassemblyAnomaly.EvictedLimit) c.evictedLimit++;
    return reason;
  }

  /** Removes d from the table and the age list and releases its bytes. */
  private unlink(d: Datagram): void {
    const head = this.table.get(d.hash);
    if (head === d) {
      if (d.chainNext === null) this.table.delete(d.hash);
      else this.table.set(d.hash, d.chainNext);
    } else {
      let p = head ?? null;
      while (p !== null && p.chainNext !== d) p = p.chainNext;
      if (p !== null) p.chainNext = d.chainNext;
    }
    d.chainNext = null;
    if (d.older !== null) d.older.newer = d.newer;
    else this.oldest = d.newer;
    if (d.newer !== null) d.newer.older = d.older;
    else this.newest = d.older;
    d.older = d.newer = null;
    this.counters.datagrams--;
    this.counters.bytesHeld -= d.buf.length;
  }
}
