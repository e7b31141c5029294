/**
 * SCTP association directions: one entry per (src addr, dst addr, src port, dst port), with an
 * integer id (the assocKey of delivered messages) and a link to the reverse direction
 * (assocPeer). Bounded (maxAssociations, least recently used evicted) and idle entries expire
 * (timeoutUs of packet time). Counters by reason.
 *
 * Note: a multi-homed association (RFC 9260 §6.4) that changes path appears as several
 * directions (one per address pair).
 */
import { AddrPair, addrPairEquals, hashAddrPair, storeAddrPair } from './addrKey';
import type { FragGroup } from './sctpReassembly';
import { TsnWindow } from './tsnWindow';
import { IpView } from './types';

export class SctpDirection {
  readonly addrs = new AddrPair();
  srcPort = 0;
  dstPort = 0;
  hash = 0;
  /** assocKey: unique for the life of the table (never reused). */
  key = 0;
  peer: SctpDirection | null = null;
  /** Verification Tag expected on this direction's packets (0 = not known yet). */
  vtag = 0;
  lastUs = 0;
  /** Recently seen TSNs (duplicate detection). */
  readonly tsns = new TsnWindow();
  /** Incomplete user messages of this direction, oldest first (owned by SctpReassembler). */
  readonly groups = new Map<number, FragGroup>();
  /** User data octets held in `groups`. */
  pendingBytes = 0;
  /** This direction numbers I-DATA fragments after B from FSN 0 (Linux), not 1 (RFC 8260). */
  idataFsnFromZero = false;
  chainNext: SctpDirection | null = null;
  lruOlder: SctpDirection | null = null;
  lruNewer: SctpDirection | null = null;
}

export interface SctpAssocCounters {
  created: number;
  evicted: number;
  expired: number;
  /** Gauge: directions held now. */
  active: number;
}

function portSeed(srcPort: number, dstPort: number): number {
  return ((srcPort << 16) | dstPort) >>> 0;
}

export class SctpAssocTable {
  readonly counters: SctpAssocCounters = { created: 0, evicted: 0, expired: 0, active: 0 };
  private readonly table = new Map<number, SctpDirection>();
  private oldest: SctpDirection | null = null;
  private newest: SctpDirection | null = null;
  private nextKey = 1;

  /** onRemove is called for every direction evicted or expired (to release its state). */
  constructor(
    private readonly maxAssociations: number,
    private readonly timeoutUs: number,
    private readonly onRemove: (dir: SctpDirection) => void,
  ) {}

  /** The direction of this packet (created if new), marked as used at tsUs. */
  lookup(ip: IpView, srcPort: number, dstPort: number, tsUs: number): SctpDirection {
    const hash = hashAddrPair(ip, false, portSeed(srcPort, dstPort));
    let d = this.find(hash, ip, false, srcPort, dstPort);
    if (d === null) d = this.create(hash, ip, srcPort, dstPort);
    else this.unlinkLru(d);
    d.lastUs = tsUs;
    this.pushNewest(d);
    return d;
  }

  /** Removes directions idle for timeoutUs at nowUs (counted `expired`). */
  expire(nowUs: number): void {
    while (this.oldest !== null && this.oldest.lastUs + this.timeoutUs <= nowUs) {
      const d = this.oldest;
      this.remove(d);
      this.counters.expired++;
    }
  }

  private find(hash: number, ip: IpView, reversed: boolean, srcPort: number, dstPort: number): SctpDirection | null {
    let d = this.table.get(hash) ?? null;
    while (d !== null) {
      if (d.srcPort === srcPort && d.dstPort === dstPort && addrPairEquals(d.addrs, ip, reversed)) return d;
      d = d.chainNext;
    }
    return null;
  }

  private create(hash: number, ip: IpView, srcPort: number, dstPort: number): SctpDirection {
    if (this.counters.active >= this.maxAssociations && this.oldest !== null) {
      this.remove(this.oldest);
      this.counters.evicted++;
    }
    const d = new SctpDirection();
    storeAddrPair(d.addrs, ip, false);
    d.srcPort = srcPort;
    d.dstPort = dstPort;
    d.hash = hash;
    d.key = this.nextKey++;
    d.chainNext = this.table.get(hash) ?? null;
    this.table.set(hash, d);
    const peer = this.find(hashAddrPair(ip, true, portSeed(dstPort, srcPort)), ip, true, dstPort, srcPort);
    if (peer !== null) {
      d.peer = peer;
      peer.peer = d;
    }
    this.counters.created++;
    this.counters.active++;
    return d;
  }

  private remove(d: SctpDirection): void {
    this.onRemove(d);
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
    this.counters.active--;
  }

  private pushNewest(d: SctpDirection): void {
    d.lruOlder = this.newest;
    d.lruNewer = null;
    if (this.newest !== null) this.newest.lruNewer = d;
    else this.oldest = d;
    this.newest = d;
  }

  private unlinkLru(d: SctpDirection): void {
    if (d.lruOlder !== null) d.lruOlder.lruNewer = d.lruNewer;
    else if (this.oldest === d) this.oldest = d.lruNewer;
    if (d.lruNewer !== null) d.lruNewer.lruOlder = d.lruOlder;
    else if (this.newest === d) this.newest = d.lruOlder;
    d.lruOlder = d.lruNewer = null;
  }
}
