/**
 * GTP-C request/response correlation (TS 29.060 §7.6, TS 29.274 §7.6) into dialogue records, and
 * the tunnel bookkeeping each completed exchange implies (gtpTunnels.ts).
 *
 * Key: (version, requester address, requester UDP port, responder address, sequence number). A
 * sequence number is only unique per requester and path, so the address pair is always part of
 * the key — two SGWs may use the same number towards one PGW. The response travels from the
 * request's destination back to its source address and port; its own source port is not part
 * of the key (a GTPv2 response may leave from another port than the one the request reached).
 *
 *  - A request whose key is pending with the same type and the same bytes is a retransmission
 *    (counted on the dialogue); a different request on a pending key closes the old one as
 *    `tid_reused`.
 *  - An answered key lingers `answeredLingerUs`: a late retransmission of the request, or the
 *    peer's repeated response to it, is counted (lateRetransmissions / duplicateResponses)
 *    instead of making a second dialogue or an orphan.
 *  - A response with nothing pending is an orphan record (orphan = 1, end_reason orphan_end).
 *  - A GTPv2 Command (Modify / Delete Bearer Command, Bearer Resource Command) is answered by its
 *    Failure Indication, or by the Update / Delete / Create Bearer Request it triggers with the
 *    same sequence number (§7.6): that request closes the command (ok) and is a dialogue itself.
 *  - Pending requests are bounded (maxPending, least recently active evicted) and time out after
 *    timeoutUs of packet time (status timeout, end_reason idle_timeout).
 */
import { addrPairEquals, AddrPair, hashAddrPair, mix32, storeAddrPair } from '../net/addrKey';
import { addrPairText } from '../net/addrText';
import { GtpMsgKind } from '../protocols/gtp/messages';
import type { GtpMessageTable } from '../protocols/gtp/messages';
import { apnToString, imeiTac } from '../protocols/gtp/strings';
import { gtpv1CellId } from '../protocols/gtpv1c/uli';
import { gtpv2UliCellId } from '../protocols/gtpv2c/uli';
import { isdnToString, tbcdToString } from '../protocols/map/strings';
import {
  GTPV1_CAUSE_ACCEPT_MAX, GTPV1_CAUSE_ACCEPT_MIN, GTPV1_CAUSE_NAMES, GTPV1_MESSAGES, GTPV1_RAT_NAMES, Gtpv1Msg,
} from '../protocols/gtpv1c/constants';
import {
  GTPV2_CAUSE_ACCEPT_MAX, GTPV2_CAUSE_ACCEPT_MIN, GTPV2_CAUSE_NAMES, GTPV2_MESSAGES, GTPV2_RAT_NAMES, Gtpv2Msg,
} from '../protocols/gtpv2c/constants';
import { fnv1a } from './fnv';
import type { GtpMessage } from './gtpMessage';
import { GtpTunnels, TunnelSide, type CreateExchange, type Tunnel } from './gtpTunnels';
import type { IdentityProtector } from './identities';
import { LruList, type LruNode } from './lru';
import { decodePlmnId, splitImsi } from './plmn';
import type { DialogueRecord, EndReason, RecordSink, Status } from './record';
import type { RecordContext } from '../dispatch/pipeline';

export interface GtpTransactionLimits {
  /** Pending requests at most; the least recently active one is closed as evicted beyond it. */
  maxPending: number;
  /** A request unanswered for this long (packet time, µs) is closed as timeout. */
  timeoutUs: number;
  /** An answered key is remembered this long to absorb late retransmissions and repeated responses. */
  answeredLingerUs: number;
  /** Dialogues about an existing tunnel (Delete, Modify...) carry the tunnel's IMSI, MSISDN, APN, RAT. */
  inheritFromTunnel: boolean;
}

/** T3-RESPONSE × N3-REQUESTS is typically 3 s × 5 (TS 29.060 §7.6, TS 29.274 §7.6): 20 s covers it. */
export const DEFAULT_GTP_TRANSACTION_LIMITS: GtpTransactionLimits = {
  maxPending: 200_000,
  timeoutUs: 20_000_000,
  answeredLingerUs: 10_000_000,
  inheritFromTunnel: true,
};

/** Counters besides the closed records (exported as metrics). */
export class GtpTransactionStats {
  retransmissions = 0;
  lateRetransmissions = 0;
  duplicateResponses = 0;
  orphanResponses = 0;
  /** Pending requests closed because the key was reused by another request. */
  tidReused = 0;
  /** Commands answered by the request they triggered. */
  triggered = 0;
  /** Requests whose header TEID found an active tunnel. */
  tunnelHits = 0;
}

const enum TxnState {
  Pending = 0,
  Answered = 1,
}

/** One request in flight (then, answered, a tombstone until the linger expires). */
class Txn implements LruNode, CreateExchange {
  lruPrev: LruNode | null = null;
  lruNext: LruNode | null = null;
  lastUs = 0;
  hashNext: Txn | null = null;
  hash = 0;
  state = TxnState.Pending;
  orphan = false;
  version: 1 | 2 = 1;
  reqType = 0;
  seq = 0;
  /** a = requester, b = responder. */
  readonly pair = new AddrPair();
  reqPort = 0;
  rspPort = 0;
  reqFrame: number | null = null;
  reqUs = 0;
  contentHash = 0;
  contentLen = 0;
  teid = -1;
  bearerId = -1;
  lbi = -1;
  teardown = false;
  imsi: string | null = null;
  msisdn: string | null = null;
  homeMcc: string | null = null;
  homeMnc: string | null = null;
  visitedMcc: string | null = null;
  visitedMnc: string | null = null;
  apn: string | null = null;
  ratType: string | null = null;
  imeiTac: string | null = null;
  /** cell id text (ULI / RAI: protocols/gtpv2c/uli.ts), of the request or else its response */
  cellId: string | null = null;
  reqCtrlTeid = -1;
  reqCtrlAddr: Buffer | null = null;
  reqDataTeid = -1;
  reqDataAddr: Buffer | null = null;
  rspCtrlTeid = -1;
  rspCtrlAddr: Buffer | null = null;
  rspDataTeid = -1;
  rspDataAddr: Buffer | null = null;
  rspFrame: number | null = null;
  rspUs: number | null = null;
  cause = -1;
  messages = 0;
  retransmissions = 0;
  /** The tunnel the request's header TEID named (and which of its endpoints), or the tunnels a Delete removes. */
  tunnel: Tunnel | null = null;
  tunnelSide = -1;
  deletes: Tunnel[] | null = null;
}

interface VersionRules {
  protocol: 'gtpv1' | 'gtpv2';
  table: GtpMessageTable;
  okMin: number;
  okMax: number;
  causeNames: ReadonlyMap<number, string>;
  ratNames: readonly string[];
}

const RULES: readonly VersionRules[] = [
  { protocol: 'gtpv1', table: GTPV1_MESSAGES, okMin: GTPV1_CAUSE_ACCEPT_MIN, okMax: GTPV1_CAUSE_ACCEPT_MAX, causeNames: GTPV1_CAUSE_NAMES, ratNames: GTPV1_RAT_NAMES },
  { protocol: 'gtpv2', table: GTPV2_MESSAGES, okMin: GTPV2_CAUSE_ACCEPT_MIN, okMax: GTPV2_CAUSE_ACCEPT_MAX, causeNames: GTPV2_CAUSE_NAMES, ratNames: GTPV2_RAT_NAMES },
];

function rules(version: 1 | 2): VersionRules {
  return RULES[version - 1];
}

function isCreate(version: number, type: number): boolean {
  return version === 1 ? type === Gtpv1Msg.CreatePdpContextRequest : type === Gtpv2Msg.CreateSessionRequest;
}

/** Requests that end tunnels: Delete PDP Context, Delete Session, Delete Bearer (with a Linked EBI). */
function isDelete(version: number, type: number): boolean {
  return version === 1
    ? type === Gtpv1Msg.DeletePdpContextRequest
    : type === Gtpv2Msg.DeleteSessionRequest || type === Gtpv2Msg.DeleteBearerRequest;
}

/** Requests that may move a tunnel's user-plane endpoints: Update PDP Context, Modify Bearer. */
function isDataUpdate(version: number, type: number): boolean {
  return version === 1 ? type === Gtpv1Msg.UpdatePdpContextRequest : type === Gtpv2Msg.ModifyBearerRequest;
}

function isCommand(type: number): boolean {
  return type === Gtpv2Msg.ModifyBearerCommand || type === Gtpv2Msg.DeleteBearerCommand || type === Gtpv2Msg.BearerResourceCommand;
}

function isTriggeredByCommand(type: number): boolean {
  return type === Gtpv2Msg.CreateBearerRequest || type === Gtpv2Msg.UpdateBearerRequest || type === Gtpv2Msg.DeleteBearerRequest;
}

/** A copy of the address octets at buf[off, off + len) (kept by tunnels and transactions). */
function copyAddr(buf: Buffer, off: number, len: number): Buffer {
  return Buffer.from(buf.subarray(off, off + len));
}

export class GtpTransactions {
  private readonly table = new Map<number, Txn>();
  private readonly pending = new LruList<Txn>();
  private readonly answered = new LruList<Txn>();
  readonly stats = new GtpTransactionStats();
  /** Closed-record counts by end reason (exported as metrics). */
  readonly closed: Record<EndReason, number> = {
    end: 0, abort: 0, idle_timeout: 0, evicted: 0, tid_reused: 0, capture_end: 0, shutdown: 0, orphan_end: 0, unidirectional: 0,
  };
  private readonly side: number[] = [0];

  constructor(
    private readonly sink: RecordSink,
    private readonly ids: IdentityProtector,
    readonly tunnels: GtpTunnels,
    private readonly ctx: RecordContext,
    private readonly limits: GtpTransactionLimits = DEFAULT_GTP_TRANSACTION_LIMITS,
  ) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  /** A request (GtpMsgKind.Request) or a response (GtpMsgKind.Response); other kinds are ignored. */
  onMessage(m: GtpMessage): void {
    if (m.seq < 0) return; // GTPv1 without S flag: nothing to correlate on
    if (m.kind === GtpMsgKind.Request) this.onRequest(m);
    else if (m.kind === GtpMsgKind.Response) this.onResponse(m);
  }

  // ------------------------------------------------------------------ keys

  private keyHash(m: GtpMessage, reversed: boolean, port: number): number {
    return hashAddrPair(m.ip, reversed, mix32(mix32(mix32(0x6a09e667, m.version), m.seq), port));
  }

  private find(m: GtpMessage, reversed: boolean, port: number, hash: number): Txn | null {
    let t = this.table.get(hash) ?? null;
    while (t !== null) {
      if (t.hash === hash && t.version === m.version && t.seq === m.seq && t.reqPort === port && addrPairEquals(t.pair, m.ip, reversed)) return t;
      t = t.hashNext;
    }
    return null;
  }

  private insert(t: Txn): void {
    t.hashNext = this.table.get(t.hash) ?? null;
    this.table.set(t.hash, t);
  }

  private unindex(t: Txn): void {
    let p = this.table.get(t.hash);
    if (p === undefined) return;
    if (p === t) {
      if (t.hashNext === null) this.table.delete(t.hash);
      else this.table.set(t.hash, t.hashNext);
    } else {
      while (p.hashNext !== null && p.hashNext !== t) p = p.hashNext;
      if (p.hashNext === t) p.hashNext = t.hashNext;
    }
    t.hashNext = null;
  }

  // ------------------------------------------------------------------ requests

  private onRequest(m: GtpMessage): void {
    if (m.version === 2 && isTriggeredByCommand(m.msgType)) {
      const h = this.keyHash(m, true, m.dstPort);
      const cmd = this.find(m, true, m.dstPort, h);
      if (cmd !== null && cmd.state === TxnState.Pending && isCommand(cmd.reqType)) {
        this.stats.triggered++;
        cmd.messages++;
        cmd.rspFrame = m.frame;
        cmd.rspUs = m.tsUs;
        this.finish(cmd, 'end');
      }
    }
    const hash = this.keyHash(m, false, m.srcPort);
    const contentHash = fnv1a(m.buf, m.msgStart, m.msgEnd);
    const len = m.msgEnd - m.msgStart;
    const old = this.find(m, false, m.srcPort, hash);
    if (old !== null) {
      if (old.reqType === m.msgType && old.contentHash === contentHash && old.contentLen === len && !old.orphan) {
        old.retransmissions++;
        old.messages++;
        if (old.state === TxnState.Pending) {
          this.stats.retransmissions++;
          this.pending.touch(old, m.tsUs);
        } else {
          this.stats.lateRetransmissions++;
        }
        return;
      }
      if (old.state === TxnState.Pending) {
        this.stats.tidReused++;
        this.finish(old, 'tid_reused');
      } else {
        this.drop(old);
      }
    }
    const t = new Txn();
    t.hash = hash;
    t.version = m.version;
    t.reqType = m.msgType;
    t.seq = m.seq;
    storeAddrPair(t.pair, m.ip, false);
    t.reqPort = m.srcPort;
    t.rspPort = m.dstPort;
    t.reqFrame = m.frame;
    t.reqUs = m.tsUs;
    t.contentHash = contentHash;
    t.contentLen = len;
    t.teid = m.teid;
    t.bearerId = m.bearerId;
    t.lbi = m.lbi;
    t.teardown = m.teardown;
    t.messages = 1;
    this.identities(t, m);
    // The sender's control endpoint; for a Create its address even without a TEID (the tunnel
    // row names the nodes of a rejected attempt too).
    if (m.ctrlTeid >= 0 || isCreate(m.version, m.msgType)) {
      t.reqCtrlTeid = m.ctrlTeid;
      t.reqCtrlAddr = m.ctrlTeid >= 0 && m.ctrlAddrOff >= 0 ? copyAddr(m.buf, m.ctrlAddrOff, m.ctrlAddrLen) : this.packetAddr(m, false);
    }
    if (m.dataTeid >= 0) {
      t.reqDataTeid = m.dataTeid;
      t.reqDataAddr = m.dataAddrOff >= 0 ? copyAddr(m.buf, m.dataAddrOff, m.dataAddrLen) : this.packetAddr(m, false);
    }
    this.linkTunnel(t, m);
    this.insert(t);
    t.lastUs = m.tsUs;
    this.pending.push(t);
    this.bound();
  }

  /** The request's header TEID names the receiver's endpoint of an existing tunnel (TS 29.060 §6, TS 29.274 §5.5.2). */
  private linkTunnel(t: Txn, m: GtpMessage): void {
    if (m.teid <= 0) return; // 0: "not yet known" (Create, Echo, node-level messages)
    const len = m.ip.version === 4 ? 4 : 16;
    const tn = this.tunnels;
    if (isDelete(m.version, m.msgType) && (m.version === 1 || m.msgType === Gtpv2Msg.DeleteSessionRequest || m.lbi >= 0)) {
      t.deletes = tn.findAll(m.ip.addrBuf, m.ip.dstOff, m.ip.addrBuf, m.ip.srcOff, len, m.teid, m.bearerId, m.version === 1 && m.teardown);
      if (t.deletes.length > 0) t.tunnel = t.deletes[0];
    } else {
      t.tunnel = tn.find(m.ip.addrBuf, m.ip.dstOff, m.ip.addrBuf, m.ip.srcOff, len, m.teid, m.bearerId, this.side);
      t.tunnelSide = this.side[0];
    }
    if (t.tunnel !== null) {
      this.stats.tunnelHits++;
      if (t.deletes !== null) for (const d of t.deletes) tn.touch(d, m.tsUs);
      else tn.touch(t.tunnel, m.tsUs);
    }
  }

  private packetAddr(m: GtpMessage, dst: boolean): Buffer {
    const ip = m.ip;
    return copyAddr(ip.addrBuf, dst ? ip.dstOff : ip.srcOff, ip.version === 4 ? 4 : 16);
  }

  /** Identities and location of a request (or, where the request had none, of its response). */
  private identities(t: Txn, m: GtpMessage): void {
    const b = m.buf;
    if (t.imsi === null && m.imsiEnd > m.imsiStart) {
      const raw = tbcdToString(b, m.imsiStart, m.imsiEnd);
      if (raw !== '') {
        const split = splitImsi(raw);
        t.homeMcc = split ? split[0] : null;
        t.homeMnc = split ? split[1] : null;
        t.imsi = this.ids.protect('imsi', raw);
      }
    }
    if (t.msisdn === null && m.msisdnEnd > m.msisdnStart) {
      const raw = m.msisdnTon ? isdnToString(b, m.msisdnStart, m.msisdnEnd) : tbcdToString(b, m.msisdnStart, m.msisdnEnd);
      t.msisdn = this.ids.protect('msisdn', raw);
    }
    if (t.imeiTac === null && m.imeiEnd > m.imeiStart) t.imeiTac = imeiTac(b, m.imeiStart, m.imeiEnd);
    if (t.apn === null && m.apnEnd > m.apnStart) t.apn = apnToString(b, m.apnStart, m.apnEnd);
    if (t.ratType === null && m.ratType >= 0) t.ratType = rules(m.version).ratNames[m.ratType] || `rat${m.ratType}`;
    if (t.cellId === null && (m.uliStart >= 0 || m.rai >= 0)) {
      t.cellId = m.version === 2 ? gtpv2UliCellId(b, m.uliStart, m.uliEnd) : gtpv1CellId(b, m.uliStart, m.uliEnd, m.rai, m.msgEnd);
    }
    if (t.visitedMcc === null && m.plmn >= 0) {
      const p = decodePlmnId(b, m.plmn, m.msgEnd);
      if (p !== null) {
        t.visitedMcc = p[0];
        t.visitedMnc = p[1];
      }
    }
  }

  // ------------------------------------------------------------------ responses

  private onResponse(m: GtpMessage): void {
    const table = rules(m.version).table;
    const hash = this.keyHash(m, true, m.dstPort);
    const t = this.find(m, true, m.dstPort, hash);
    if (t !== null && table.pair[t.reqType] === m.msgType) {
      if (t.state === TxnState.Answered) {
        t.messages++;
        this.stats.duplicateResponses++;
        return;
      }
      t.messages++;
      t.rspFrame = m.frame;
      t.rspUs = m.tsUs;
      t.cause = m.cause;
      this.identities(t, m);
      if (m.ctrlTeid >= 0 || isCreate(t.version, t.reqType)) {
        t.rspCtrlTeid = m.ctrlTeid;
        t.rspCtrlAddr = m.ctrlTeid >= 0 && m.ctrlAddrOff >= 0 ? copyAddr(m.buf, m.ctrlAddrOff, m.ctrlAddrLen) : this.packetAddr(m, false);
      }
      if (m.dataTeid >= 0) {
        t.rspDataTeid = m.dataTeid;
        t.rspDataAddr = m.dataAddrOff >= 0 ? copyAddr(m.buf, m.dataAddrOff, m.dataAddrLen) : this.packetAddr(m, false);
      }
      this.finish(t, 'end');
      return;
    }
    // A response nothing is waiting for (request before the capture started, or lost on the way).
    this.stats.orphanResponses++;
    const o = new Txn();
    o.orphan = true;
    o.version = m.version;
    o.reqType = table.pair[m.msgType] >= 0 ? table.pair[m.msgType] : m.msgType;
    o.seq = m.seq;
    storeAddrPair(o.pair, m.ip, true);
    o.reqPort = m.dstPort;
    o.rspPort = m.srcPort;
    o.reqUs = m.tsUs;
    o.rspFrame = m.frame;
    o.rspUs = m.tsUs;
    o.cause = m.cause;
    o.messages = 1;
    this.identities(o, m);
    if (m.ctrlTeid >= 0) o.rspCtrlTeid = m.ctrlTeid;
    this.emit(o, 'orphan_end');
  }

  // ------------------------------------------------------------------ closing

  /** Closes the dialogue of t: record, tunnel bookkeeping, then tombstone (answered) or gone. */
  private finish(t: Txn, reason: EndReason): void {
    this.pending.remove(t);
    this.emit(t, reason);
    this.applyToTunnels(t);
    if (reason === 'end') {
      t.state = TxnState.Answered;
      t.lastUs = t.rspUs ?? t.reqUs;
      this.answered.push(t);
      while (this.answered.size > this.limits.maxPending) this.drop(this.answered.head as Txn);
    } else {
      this.unindex(t);
    }
  }

  private drop(t: Txn): void {
    if (t.state === TxnState.Answered) this.answered.remove(t);
    else this.pending.remove(t);
    this.unindex(t);
  }

  private ok(t: Txn): boolean {
    if (t.cause < 0) return true;
    const r = rules(t.version);
    return t.cause >= r.okMin && t.cause <= r.okMax;
  }

  private applyToTunnels(t: Txn): void {
    const tn = this.tunnels;
    const answered = t.rspUs !== null;
    if (isCreate(t.version, t.reqType)) {
      if (!answered || t.cause < 0) return;
      if (this.ok(t)) tn.open(t);
      else tn.rejected(t);
      return;
    }
    if (t.deletes !== null) {
      const reason = t.version === 2 && t.reqType === Gtpv2Msg.DeleteBearerRequest ? 'delete_bearer' : 'delete';
      // The tunnel ends when the delete is answered (its duration: create request → delete
      // response); an unanswered delete still ends it, at the request.
      const endUs = answered ? (t.rspUs as number) : t.reqUs;
      const endFrame = answered ? t.rspFrame : t.reqFrame;
      for (const d of t.deletes) tn.end(d, reason, answered && t.cause >= 0 ? t.cause : null, endUs, endFrame);
      return;
    }
    // The request's sender announced a new control endpoint (SGSN / MME / SGW change): once
    // accepted, the tunnel follows it.
    const tu = t.tunnel;
    if (tu === null || !answered || !this.ok(t)) return;
    const senderSide = t.tunnelSide === TunnelSide.PeerCtrl ? TunnelSide.CreatorCtrl : TunnelSide.PeerCtrl;
    if (t.reqCtrlTeid >= 0 && t.reqCtrlAddr !== null) {
      const a = tu.addr[senderSide];
      if (tu.teid[senderSide] !== t.reqCtrlTeid || a === null || !a.equals(t.reqCtrlAddr)) tn.rekey(tu, senderSide, t.reqCtrlAddr, t.reqCtrlTeid);
    }
    // User-plane endpoints announced by an accepted Update PDP Context (TEID Data I + GSN Address
    // for user traffic, TS 29.060 §7.3.3-§7.3.4) or Modify Bearer (the bearer's F-TEID, TS 29.274
    // §7.2.7-§7.2.8): G-PDUs are counted on the new TEIDs from now on.
    if (isDataUpdate(t.version, t.reqType)) {
      const senderData = senderSide === TunnelSide.CreatorCtrl ? TunnelSide.CreatorData : TunnelSide.PeerData;
      const otherData = senderData === TunnelSide.CreatorData ? TunnelSide.PeerData : TunnelSide.CreatorData;
      if (t.reqDataTeid > 0 && t.reqDataAddr !== null) tn.moveData(tu, senderData, t.reqDataAddr, t.reqDataTeid);
      if (t.rspDataTeid > 0 && t.rspDataAddr !== null) tn.moveData(tu, otherData, t.rspDataAddr, t.rspDataTeid);
    }
  }

  private emit(t: Txn, reason: EndReason): void {
    this.closed[reason]++;
    const r = rules(t.version);
    const answered = t.rspUs !== null;
    let status: Status = 'timeout';
    if (answered) status = this.ok(t) ? 'ok' : 'error';
    const cause = answered && t.cause >= 0 ? t.cause : null;
    // Identities of the tunnel the request concerned (Delete, Modify... carry only a TEID).
    const tu = this.limits.inheritFromTunnel ? t.tunnel : null;
    const imsi = t.imsi ?? tu?.imsi ?? null;
    const rec: DialogueRecord = {
      protocol: r.protocol,
      procedure: r.table.names[t.reqType] || null,
      opcode: t.reqType,
      status,
      resultCode: cause,
      resultName: cause !== null ? (r.causeNames.get(cause) ?? null) : null,
      endReason: reason,
      orphan: t.orphan,
      reqFrame: t.reqFrame,
      rspFrame: answered ? t.rspFrame : null,
      reqTimeUs: t.orphan ? null : t.reqUs,
      rspTimeUs: t.rspUs,
      latencyUs: answered && !t.orphan ? (t.rspUs as number) - t.reqUs : null,
      imsi,
      msisdn: t.msisdn ?? tu?.msisdn ?? null,
      homeMcc: t.imsi !== null ? t.homeMcc : (tu?.homeMcc ?? null),
      homeMnc: t.imsi !== null ? t.homeMnc : (tu?.homeMnc ?? null),
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
      messages: t.messages,
      nestedOps: 0,
      retransmissions: t.retransmissions,
      abortCause: null,
      site: this.ctx.site,
      source: this.ctx.source,
      srcIp: addrPairText(t.pair, false),
      dstIp: addrPairText(t.pair, true),
      srcPort: t.reqPort,
      dstPort: t.rspPort,
      visitedMcc: t.visitedMcc ?? tu?.visitedMcc ?? null,
      visitedMnc: t.visitedMcc !== null ? t.visitedMnc : (tu?.visitedMnc ?? null),
      ratType: t.ratType ?? tu?.ratType ?? null,
      seq: t.seq,
      apn: t.apn ?? tu?.apn ?? null,
      teid: t.teid >= 0 ? t.teid : null,
      reqCtrlTeid: t.reqCtrlTeid >= 0 ? t.reqCtrlTeid : null,
      rspCtrlTeid: t.rspCtrlTeid >= 0 ? t.rspCtrlTeid : null,
      imeiTac: t.imeiTac,
      cellId: t.cellId,
    };
    this.sink.write(rec);
  }

  // ------------------------------------------------------------------ timers

  private bound(): void {
    while (this.pending.size > this.limits.maxPending) this.finish(this.pending.head as Txn, 'evicted');
  }

  expire(nowUs: number): void {
    const limit = nowUs - this.limits.timeoutUs;
    let t = this.pending.head;
    while (t !== null && t.lastUs < limit) {
      this.finish(t, 'idle_timeout');
      t = this.pending.head;
    }
    const linger = nowUs - this.limits.answeredLingerUs;
    t = this.answered.head;
    while (t !== null && t.lastUs < linger) {
      this.drop(t);
      t = this.answered.head;
    }
  }

  /** Every pending request becomes a record (timeout); answered tombstones are forgotten. */
  flush(reason: 'capture_end' | 'shutdown'): void {
    let t = this.pending.head;
    while (t !== null) {
      this.finish(t, reason);
      t = this.pending.head;
    }
    t = this.answered.head;
    while (t !== null) {
      this.drop(t);
      t = this.answered.head;
    }
  }
}
