import { Layer } from '../metrics/layers';
import type { Counters } from '../metrics/anomalies';
import type { AddrPair } from '../net/addrKey';
import { addrPairText, ipv4Text, ipv6Text } from '../net/addrText';
import { DiameterAnomaly, DiameterFlag, commandAbbreviation, ratTypeName, resultCodeName } from '../protocols/diameter/constants';
import type { DiameterView } from '../protocols/diameter/types';
import { imsiText } from '../protocols/diameter/strings';
import { TextCache } from './textCache';
import { LruList, type LruNode } from './lru';
import type { DialogueRecord, EndReason, RecordSink, Status } from './record';
import type { IdentityProtector } from './identities';
import { decodePlmnId, splitImsi } from './plmn';
import type { RecordContext } from '../dispatch/pipeline';

/** One decoded Diameter message as the correlator sees it (a reused object filled by the dispatcher). */
export interface DiameterInput {
  view: DiameterView;
  /** The buffer the view's offsets point into (valid during the call only). */
  buf: Buffer;
  /** Transport: TCP (true) or SCTP. */
  tcp: boolean;
  /** The sender's transport direction (SCTP assocKey / TCP stream key) and the reverse one (-1 unknown). */
  connKey: number;
  peerKey: number;
  /** Sender (a) and receiver (b) addresses, and the ports. */
  addrs: AddrPair;
  srcPort: number;
  dstPort: number;
  frame: number;
  tsUs: number;
}

export interface DiameterLimits {
  /** Pending requests at most; the least recently active one is evicted beyond it. */
  maxPending: number;
  /** A request without an answer for this long (packet time, µs) is closed as a timeout. */
  idleTimeoutUs: number;
}

export const DEFAULT_DIAMETER_LIMITS: DiameterLimits = { maxPending: 500_000, idleTimeoutUs: 60_000_000 };

/** A (connection, hop-by-hop id) under which a transaction is found; collisions of the numeric key chain. */
class KeyRef {
  tag = 0;
  hbh = 0;
  next: KeyRef | null = null;
  txn: Txn | null = null;
}

/** A request waiting for its answer. */
class Txn extends KeyRef implements LruNode {
  lruPrev: LruNode | null = null;
  lruNext: LruNode | null = null;
  lastUs = 0;
  /** The key of a retransmission sent on another connection (T flag), if any. */
  alias: KeyRef | null = null;
  e2eNext: Txn | null = null;
  e2e = 0;
  cmd = 0;
  appId = 0;
  reqFrame = 0;
  reqUs = 0;
  messages = 1;
  retransmissions = 0;
  originHost: string | null = null;
  originRealm: string | null = null;
  destHost: string | null = null;
  destRealm: string | null = null;
  imsi: string | null = null;
  /** Visited-PLMN-Id octets packed (b0 << 16 | b1 << 8 | b2), -1 absent. */
  visitedPlmn = -1;
  ratType = -1;
  /** Request's addresses: version, IPv4 numbers or the IPv6 pair (32 octets), ports. */
  ipVersion = 0;
  src4 = 0;
  dst4 = 0;
  ip6: Buffer | null = null;
  srcPort = 0;
  dstPort = 0;
  constructor() {
    super();
    this.txn = this;
  }
}

/** 2^21: connection tags are folded into the upper 21 bits of a 53-bit numeric key. */
const TAG_FOLD = 2097152;
const TWO32 = 4294967296;

function connTag(connKey: number, tcp: boolean): number {
  return connKey * 2 + (tcp ? 1 : 0);
}

function numericKey(tag: number, hbh: number): number {
  return (tag % TAG_FOLD) * TWO32 + hbh;
}

/**
 * Diameter request/answer correlation (RFC 6733 §6.2: an answer carries the request's
 * Hop-by-Hop and End-to-End Identifiers).
 *
 * - An answer is looked up by hop-by-hop id within the transport connection it came back on
 *   (the request's SCTP association direction / TCP stream, i.e. the answer's reverse
 *   direction) and confirmed by end-to-end id and command code.
 * - Every hop is its own transaction: a relay or a DRA gives a new hop-by-hop id on each side, so
 *   the two legs are two records; they share end_to_end (and origin_host), which joins them.
 * - The same request again while pending (same hop-by-hop and end-to-end id: a duplicate or a T
 *   flag retransmission on the same connection), or a T-flagged request with the same end-to-end
 *   id, command and sender on another connection (failover, RFC 6733 §5.5.4): one transaction,
 *   `retransmissions` + 1; the answer may come on either connection.
 * - A new request on a pending hop-by-hop id with another end-to-end id closes the old one
 *   (`tid_reused`).
 * - An answer without a pending request is an orphan: counted and recorded (orphan = 1).
 * Pending requests are bounded by count (least recently active evicted) and by an idle timeout in
 * packet time; every expiry or eviction becomes a `timeout` record and is counted.
 */
export class DiameterTransactions {
  private readonly byHbh = new Map<number, KeyRef>();
  private readonly byE2e = new Map<number, Txn>();
  private readonly lru = new LruList<Txn>();
  private readonly hosts = new TextCache();
  private readonly plmnScratch = Buffer.alloc(3);
  /** Closed-record counts by end reason. */
  readonly closed: Record<EndReason, number> = {
    end: 0, abort: 0, idle_timeout: 0, evicted: 0, tid_reused: 0, capture_end: 0, shutdown: 0, orphan_end: 0, unidirectional: 0,
  };
  /** Requests / answers seen, orphan answers. */
  readonly stats = { requests: 0, answers: 0, orphans: 0, retransmissions: 0 };

  constructor(
    private readonly sink: RecordSink,
    private readonly counters: Counters,
    private readonly ids: IdentityProtector,
    private readonly ctx: RecordContext,
    private readonly limits: DiameterLimits = DEFAULT_DIAMETER_LIMITS,
  ) {}

  get pending(): number {
    return this.lru.size;
  }

  onMessage(m: DiameterInput): void {
    if ((m.view.flags & DiameterFlag.Request) !== 0) this.onRequest(m);
    else this.onAnswer(m);
  }

  /** Closes requests idle for longer than the timeout at packet time nowUs. */
  expire(nowUs: number): void {
    const limit = nowUs - this.limits.idleTimeoutUs;
    let t = this.lru.head;
    while (t !== null && t.lastUs < limit) {
      this.counters.anomaly(Layer.Diameter, DiameterAnomaly.IdleTimeout);
      this.finish(t, 'idle_timeout', null);
      t = this.lru.head;
    }
  }

  /** Closes every pending request (end of a replay, or shutdown of the live probe). */
  flush(reason: 'capture_end' | 'shutdown'): void {
    let t = this.lru.head;
    while (t !== null) {
      this.finish(t, reason, null);
      t = this.lru.head;
    }
  }

  // ------------------------------------------------------------------ requests / answers

  private onRequest(m: DiameterInput): void {
    const v = m.view;
    this.stats.requests++;
    const tag = connTag(m.connKey, m.tcp);
    const old = this.find(tag, v.hopByHop);
    if (old !== null) {
      if (old.e2e === v.endToEnd && old.cmd === v.commandCode) {
        this.retransmitted(old, m.tsUs);
        return;
      }
      this.counters.anomaly(Layer.Diameter, DiameterAnomaly.HopByHopReused);
      this.finish(old, 'tid_reused', null);
    }
    if ((v.flags & DiameterFlag.Retransmit) !== 0) {
      // RFC 6733 §5.5.4: after a failover the request is sent again, T flag set, same end-to-end id.
      const first = this.findRetransmitted(m);
      if (first !== null) {
        this.retransmitted(first, m.tsUs);
        const a = first.alias ?? new KeyRef();
        if (first.alias !== null) this.unlinkKey(a);
        a.txn = first;
        first.alias = a;
        this.linkKey(a, tag, v.hopByHop);
        return;
      }
    }
    const t = new Txn();
    t.e2e = v.endToEnd;
    t.cmd = v.commandCode;
    t.appId = v.appId;
    t.reqFrame = m.frame;
    t.reqUs = m.tsUs;
    t.lastUs = m.tsUs;
    const b = m.buf;
    const hosts = this.hosts;
    t.originHost = hosts.get(b, v.originHostStart, v.originHostEnd);
    t.originRealm = hosts.get(b, v.originRealmStart, v.originRealmEnd);
    t.destHost = hosts.get(b, v.destHostStart, v.destHostEnd);
    t.destRealm = hosts.get(b, v.destRealmStart, v.destRealmEnd);
    t.imsi = messageImsi(b, v);
    if (v.visitedPlmnOffset >= 0) {
      const o = v.visitedPlmnOffset;
      t.visitedPlmn = (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
    }
    t.ratType = v.ratType;
    const a = m.addrs;
    t.ipVersion = a.version;
    t.src4 = a.a4;
    t.dst4 = a.b4;
    if (a.version === 6 && a.a6 !== null) t.ip6 = Buffer.from(a.a6);
    t.srcPort = m.srcPort;
    t.dstPort = m.dstPort;
    this.linkKey(t, tag, v.hopByHop);
    t.e2eNext = this.byE2e.get(t.e2e) ?? null;
    this.byE2e.set(t.e2e, t);
    this.lru.push(t);
    this.bound();
  }

  private onAnswer(m: DiameterInput): void {
    const v = m.view;
    this.stats.answers++;
    const t = m.peerKey >= 0 ? this.find(connTag(m.peerKey, m.tcp), v.hopByHop) : null;
    if (t === null || t.e2e !== v.endToEnd || t.cmd !== v.commandCode) {
      this.counters.anomaly(Layer.Diameter, t === null ? DiameterAnomaly.OrphanAnswer : DiameterAnomaly.AnswerMismatch);
      this.stats.orphans++;
      this.orphan(m);
      return;
    }
    t.messages++;
    if (t.imsi === null) t.imsi = messageImsi(m.buf, v);
    this.finish(t, 'end', m);
  }

  private retransmitted(t: Txn, tsUs: number): void {
    t.retransmissions++;
    t.messages++;
    this.stats.retransmissions++;
    this.counters.anomaly(Layer.Diameter, DiameterAnomaly.Retransmission);
    this.lru.touch(t, tsUs);
  }

  /** A pending request with this end-to-end id and command from the same sender address. */
  private findRetransmitted(m: DiameterInput): Txn | null {
    const v = m.view;
    const a = m.addrs;
    for (let t = this.byE2e.get(v.endToEnd) ?? null; t !== null; t = t.e2eNext) {
      if (t.cmd !== v.commandCode || t.appId !== v.appId || t.ipVersion !== a.version) continue;
      if (a.version === 4 ? t.src4 === a.a4 : t.ip6 !== null && a.a6 !== null && t.ip6.compare(a.a6, 0, 16, 0, 16) === 0) return t;
    }
    return null;
  }

  // ------------------------------------------------------------------ tables

  private find(tag: number, hbh: number): Txn | null {
    for (let r = this.byHbh.get(numericKey(tag, hbh)) ?? null; r !== null; r = r.next) {
      if (r.tag === tag && r.hbh === hbh) return r.txn;
    }
    return null;
  }

  private linkKey(r: KeyRef, tag: number, hbh: number): void {
    r.tag = tag;
    r.hbh = hbh;
    const k = numericKey(tag, hbh);
    r.next = this.byHbh.get(k) ?? null;
    this.byHbh.set(k, r);
  }

  private unlinkKey(r: KeyRef): void {
    const k = numericKey(r.tag, r.hbh);
    const head = this.byHbh.get(k);
    if (head === r) {
      if (r.next === null) this.byHbh.delete(k);
      else this.byHbh.set(k, r.next);
    } else {
      let p = head ?? null;
      while (p !== null && p.next !== r) p = p.next;
      if (p !== null) p.next = r.next;
    }
    r.next = null;
  }

  private unlinkE2e(t: Txn): void {
    const head = this.byE2e.get(t.e2e);
    if (head === t) {
      if (t.e2eNext === null) this.byE2e.delete(t.e2e);
      else this.byE2e.set(t.e2e, t.e2eNext);
    } else {
      let p = head ?? null;
      while (p !== null && p.e2eNext !== t) p = p.e2eNext;
      if (p !== null) p.e2eNext = t.e2eNext;
    }
    t.e2eNext = null;
  }

  private bound(): void {
    while (this.lru.size > this.limits.maxPending) {
      const h = this.lru.head as Txn;
      this.counters.anomaly(Layer.Diameter, DiameterAnomaly.Evicted);
      this.finish(h, 'evicted', null);
    }
  }

  // ------------------------------------------------------------------ records

  /** Removes t from the tables and writes its record; ans = the answer (reason 'end') or null (timeout). */
  private finish(t: Txn, reason: EndReason, ans: DiameterInput | null): void {
    this.unlinkKey(t);
    if (t.alias !== null) this.unlinkKey(t.alias);
    this.unlinkE2e(t);
    this.lru.remove(t);
    this.closed[reason]++;
    const r = this.baseRecord(t.cmd, t.appId, reason, false);
    r.reqFrame = t.reqFrame;
    r.reqTimeUs = t.reqUs;
    r.messages = t.messages;
    r.retransmissions = t.retransmissions;
    r.originHost = t.originHost;
    r.originRealm = t.originRealm;
    r.destHost = t.destHost;
    r.destRealm = t.destRealm;
    r.hopByHop = t.hbh;
    r.endToEnd = t.e2e;
    r.srcPort = t.srcPort;
    r.dstPort = t.dstPort;
    if (t.ipVersion === 4) {
      r.srcIp = ipv4Text(t.src4);
      r.dstIp = ipv4Text(t.dst4);
    } else if (t.ip6 !== null) {
      r.srcIp = ipv6Text(t.ip6, 0);
      r.dstIp = ipv6Text(t.ip6, 16);
    }
    if (t.visitedPlmn >= 0) {
      const s = this.plmnScratch;
      s[0] = t.visitedPlmn >> 16;
      s[1] = (t.visitedPlmn >> 8) & 255;
      s[2] = t.visitedPlmn & 255;
      const p = decodePlmnId(s, 0, 3);
      if (p !== null) {
        r.visitedMcc = p[0];
        r.visitedMnc = p[1];
      }
    }
    if (t.ratType >= 0) r.ratType = ratTypeName(t.ratType);
    this.identity(r, t.imsi);
    if (ans !== null) {
      this.answerFields(r, ans, t.appId);
      r.latencyUs = r.rspTimeUs !== null ? r.rspTimeUs - t.reqUs : null;
    }
    this.sink.write(r);
  }

  /** An answer without its request: recorded on its own (orphan = 1, no request fields). */
  private orphan(m: DiameterInput): void {
    const v = m.view;
    this.closed.orphan_end++;
    const r = this.baseRecord(v.commandCode, v.appId, 'orphan_end', true);
    r.messages = 1;
    r.hopByHop = v.hopByHop;
    r.endToEnd = v.endToEnd;
    // The request would have gone the other way: its source is the answer's destination.
    r.srcIp = addrPairText(m.addrs, true);
    r.dstIp = addrPairText(m.addrs, false);
    r.srcPort = m.dstPort;
    r.dstPort = m.srcPort;
    // No request: the answering node's identity is all there is.
    r.originHost = this.hosts.get(m.buf, v.originHostStart, v.originHostEnd);
    r.originRealm = this.hosts.get(m.buf, v.originRealmStart, v.originRealmEnd);
    this.identity(r, messageImsi(m.buf, v));
    this.answerFields(r, m, v.appId);
    this.sink.write(r);
  }

  /** Status and result of an answer (oracle rules: 1xxx/2xxx ok; no result AVP: E bit → error). */
  private answerFields(r: DialogueRecord, ans: DiameterInput, appId: number): void {
    const v = ans.view;
    r.rspFrame = ans.frame;
    r.rspTimeUs = ans.tsUs;
    let code: number | null = null;
    if (v.resultCode >= 0) {
      code = v.resultCode;
      r.resultSource = 'result';
      r.resultName = resultCodeName(code, false, 0, appId);
    } else if (v.expResultCode >= 0) {
      code = v.expResultCode;
      r.resultSource = 'experimental';
      r.resultVendor = v.expVendorId >= 0 ? v.expVendorId : null;
      r.resultName = resultCodeName(code, true, v.expVendorId, appId);
    }
    r.resultCode = code;
    const status: Status = code !== null ? (code >= 1000 && code < 3000 ? 'ok' : 'error') : (v.flags & DiameterFlag.Error) !== 0 ? 'error' : 'ok';
    r.status = status;
  }

  private identity(r: DialogueRecord, imsi: string | null): void {
    const split = imsi !== null ? splitImsi(imsi) : null;
    r.imsi = this.ids.protect('imsi', imsi);
    r.homeMcc = split ? split[0] : null;
    r.homeMnc = split ? split[1] : null;
  }

  private baseRecord(cmd: number, appId: number, reason: EndReason, orphan: boolean): DialogueRecord {
    return {
      protocol: 'diameter',
      procedure: commandAbbreviation(cmd, appId, true),
      opcode: cmd,
      status: 'timeout',
      resultCode: null,
      resultName: null,
      endReason: reason,
      orphan,
      reqFrame: null,
      rspFrame: null,
      reqTimeUs: null,
      rspTimeUs: null,
      latencyUs: null,
      imsi: null,
      msisdn: null,
      homeMcc: null,
      homeMnc: null,
      callingGt: null,
      calledGt: null,
      responderGt: null,
      opc: null,
      dpc: null,
      callingSsn: null,
      calledSsn: null,
      vlrNumber: null,
      sgsnNumber: null,
      appContext: null,
      otid: null,
      dtid: null,
      messages: 0,
      nestedOps: 0,
      retransmissions: 0,
      abortCause: null,
      site: this.ctx.site,
      source: this.ctx.source,
      srcIp: null,
      dstIp: null,
      srcPort: null,
      dstPort: null,
      appId,
      resultSource: null,
      resultVendor: null,
      originHost: null,
      originRealm: null,
      destHost: null,
      destRealm: null,
      visitedMcc: null,
      visitedMnc: null,
      ratType: null,
      hopByHop: null,
      endToEnd: null,
    };
  }
}

/** The IMSI of a message: Subscription-Id of type END_USER_IMSI, else a User-Name of 5-15 digits. */
function messageImsi(buf: Buffer, v: DiameterView): string | null {
  return imsiText(buf, v.subscriptionImsiStart, v.subscriptionImsiEnd) ?? imsiText(buf, v.userNameStart, v.userNameEnd);
}
