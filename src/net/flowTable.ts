/**
 * Transport flow directions keyed by (src addr, dst addr, src port, dst port): one entry per
 * direction, with an integer id (`key`, never reused for the life of the table) and a link to
 * the reverse direction (`peer`). Shared by SCTP associations (sctpAssoc.ts) and TCP
 * connections (tcpStreams.ts). Lookups hash the 4-tuple to a number (addrKey.ts) and resolve
 * collisions by comparing the stored tuple: no strings, no allocation per lookup.
 *
 * Bounded: at most maxFlows directions (the least recently used one is evicted beyond it) and
 * directions idle for timeoutUs of packet time expire. Counters by reason.
 */
import { AddrPair, addrPairEquals, hashAddrPair, storeAddrPair } from './addrKey';
import type { IpView } from './types';

/** Base of a flow direction; D is the concrete subclass (so that `peer` has its type). */
export class FlowDirection<D> {
  readonly addrs = new AddrPair();
  srcPort = 0;
  dstPort = 0;
  hash = 0;
  /** Unique for the life of the table (never reused). */
  key = 0;
  peer: D | null = null;
  /** Packet time of the last lookup. */
  lastUs = 0;
  chainNext: D | null = null;
  lruOlder: D | null = null;
  lruNewer: D | null = null;
  /** true while the direction is in its table. */
  inTable = false;
}

export interface FlowTableCounters {
  created: number;
  /** Removed because the table was full (least recently used). */
  evicted: number;
  /** Removed after timeoutUs without a packet. */
  expired: number;
  /** Removed by the owner (connection closed). */
  closed: number;
  /** Gauge: directions held now. */
  active: number;
}

function portSeed(srcPort: number, dstPort: number): number {
  return ((srcPort << 16) | dstPort) >>> 0;
}

export class FlowTable<D extends FlowDirection<D>> {
  readonly counters: FlowTableCounters = { created: 0, evicted: 0, expired: 0, closed: 0, active: 0 };
  private readonly table = new Map<number, D>();
  private oldest: D | null = null;
  private newest: D | null = null;
  private nextKey = 1;

  /**
   * create: a new, empty direction object. onRemove is called for every direction evicted,
   * expired or removed (to release its state) while it is still linked to its peer.
   */
  constructor(
    private readonly maxFlows: number,
    private readonly timeoutUs: number,
    private readonly create: () => D,
    private readonly onRemove: (dir: D, reason: 'evicted' | 'expired' | 'closed') => void,
  ) {}

  /** The direction of this packet (created if new), marked as used at tsUs. */
  lookup(ip: IpView, srcPort: number, dstPort: number, tsUs: number): D {
    const hash = hashAddrPair(ip, false, portSeed(srcPort, dstPort));
    let d = this.findHashed(hash, ip, false, srcPort, dstPort);
    if (d === null) d = this.add(hash, ip, srcPort, dstPort);
    else this.unlinkLru(d);
    d.lastUs = tsUs;
    this.pushNewest(d);
    return d;
  }

  /** The direction of this packet if it exists (not created), marked as used at tsUs. */
  lookupExisting(ip: IpView, srcPort: number, dstPort: number, tsUs: number): D | null {
    const d = this.findHashed(hashAddrPair(ip, false, portSeed(srcPort, dstPort)), ip, false, srcPort, dstPort);
    if (d !== null) {
      this.unlinkLru(d);
      d.lastUs = tsUs;
      this.pushNewest(d);
    }
    return d;
  }

  /** The reverse direction of this packet (dst → src) if it exists; not marked as used. */
  findReverse(ip: IpView, srcPort: number, dstPort: number): D | null {
    return this.findHashed(hashAddrPair(ip, true, portSeed(dstPort, srcPort)), ip, true, dstPort, srcPort);
  }

  /** Removes directions idle for timeoutUs at nowUs (counted `expired`). */
  expire(nowUs: number): void {
    while (this.oldest !== null && this.oldest.lastUs + this.timeoutUs <= nowUs) {
      const d = this.oldest;
      this.counters.expired++;
      this.unlink(d, 'expired');
    }
  }

  /** Removes one direction on the owner's request (counted `closed`). */
  remove(d: D): void {
    if (!d.inTable) return;
    this.counters.closed++;
    this.unlink(d, 'closed');
  }

  /** Removes every direction (counted `closed`), e.g. at the end of a capture. */
  clear(): void {
    while (this.oldest !== null) this.remove(this.oldest);
  }

  private findHashed(hash: number, ip: IpView, reversed: boolean, srcPort: number, dstPort: number): D | null {
    let d = this.table.get(hash) ?? null;
    while (d !== null) {
      if (d.srcPort === srcPort && d.dstPort === dstPort && addrPairEquals(d.addrs, ip, reversed)) return d;
      d = d.chainNext;
    }
    return null;
  }

  private add(hash: number, ip: IpView, srcPort: number, dstPort: number): D {
    if (this.counters.active >= this.maxFlows && this.oldest !== null) {
      this.counters.evicted++;
      this.unlink(this.oldest, 'evicted');
    }
    const d = this.create();
    storeAddrPair(d.addrs, ip, false);
    d.srcPort = srcPort;
    d.dstPort = dstPort;
    d.hash = hash;
    d.key = this.nextKey++;
    d.inTable = true;
    d.chainNext = this.table.get(hash) ?? null;
    this.table.set(hash, d);
    const peer = this.findHashed(hashAddrPair(ip, true, portSeed(dstPort, srcPort)), ip, true, dstPort, srcPort);
    if (peer !== null) {
      d.peer = peer;
      peer.peer = d;
    }
    this.counters.created++;
    this.counters.active++;
    return d;
  }

  private unlink(d: D, reason: 'evicted' | 'expired' | 'closed'): void {
    this.onRemove(d, reason);
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
    if (d.peer !== null) {
      d.peer.peer = null;
      d.peer = null;
    }
    this.unlinkLru(d);
    d.inTable = false;
    this.counters.active--;
  }

  private pushNewest(d: D): void {
    d.lruOlder = this.newest;
    d.lruNewer = null;
    if (this.newest !== null) this.newest.lruNewer = d;
    else this.oldest = d;
    this.newest = d;
  }

  private unlinkLru(d: D): void {
    if (d.lruOlder !== null) d.lruOlder.lruNewer = d.lruNewer;
    else if (this.oldest === d) this.oldest = d.lruNewer;
    if (d.lruNewer !== null) d.lruNewer.lruOlder = d.lruOlder;
    else if (this.newest === d) this.newest = d.lruOlder;
    d.lruOlder = d.lruNewer = null;
  }
}
