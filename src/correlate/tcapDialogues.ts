import { Layer } from '../metrics/layers';
import type { Counters } from '../metrics/anomalies';
import type { TcapView, TcapComponentView } from '../protocols/tcap/types';
import type { SccpView } from '../protocols/sccp/types';
import type { Mtp3View } from '../protocols/m3ua/types';
import { acnToString } from '../protocols/tcap/decode';
import { AARE_RESULT_NAMES, ABORT_SOURCE_NAMES, P_ABORT_CAUSE_NAMES, REJECT_PROBLEM_NAMES, REJECT_PROBLEM_TYPE_NAMES } from '../protocols/tcap/constants';
import { gtDigits, sccpAddressKey } from '../protocols/sccp/decode';
import { decodeCapParameter, decodeMapParameter, isdnToString, isupNumberToString, tbcdToString } from '../protocols/map/decode';
import { createMapInfoView } from '../protocols/map/types';
import type { MapInfoView } from '../protocols/map/types';
import { procedureName, mapErrorName, capErrorName } from '../protocols/map/constants';
import { LruList, type LruNode } from './lru';
import type { DialogueRecord, EndReason, Protocol, RecordSink, Status } from './record';
import type { IdentityProtector } from './identities';
import { splitImsi } from './plmn';
import { fnv1a } from './fnv';
import { ssnFamily, AppFamily } from '../dispatch/ssn';

/** TCAP message types, Q.773 §4.2.1 (Table 8). */
const enum TcapType {
  Unidirectional = 0x61,
  Begin = 0x62,
  End = 0x64,
  Continue = 0x65,
  Abort = 0x67,
}

/** Component kinds, Q.773 §4.2.2. */
const enum Comp {
  Invoke = 1,
  ReturnResultLast = 2,
  ReturnError = 3,
  Reject = 4,
  ReturnResultNotLast = 7,
}

/** Anomalies of the TCAP dialogue layer (Layer.Correlate). */
export const enum TcapDialogueAnomaly {
  Ok = 0,
  MissingTid = 1,
  OrphanContinue = 2,
  OrphanEnd = 3,
  OrphanAbort = 4,
  RetransmittedBegin = 5,
  TidReused = 6,
  Evicted = 7,
  IdleTimeout = 8,
  MapParameter = 9,
}
export const TCAP_DIALOGUE_ANOMALY_NAMES: readonly string[] = [
  'ok',
  'missing_tid',
  'orphan_continue',
  'orphan_end',
  'orphan_abort',
  'retransmitted_begin',
  'tid_reused',
  'evicted',
  'idle_timeout',
  'map_parameter',
];

/** One TCAP message as seen by the correlator (a reused object filled by the SIGTRAN handler). */
export interface TcapInput {
  tcap: TcapView;
  /** Buffer holding the TCAP message [tcapStart, tcapEnd) (may be an XUDT reassembly buffer). */
  tcapBuf: Buffer;
  tcapStart: number;
  tcapEnd: number;
  sccp: SccpView;
  /** Buffer holding the SCCP header (party addresses). */
  sccpBuf: Buffer;
  mtp: Mtp3View;
  frame: number;
  tsUs: number;
}

export interface TcapLimits {
  /** Pending dialogues at most; the least recently active one is evicted beyond it. */
  maxPending: number;
  /** Idle timeout in µs of packet time. */
  idleTimeoutUs: number;
}

export const DEFAULT_TCAP_LIMITS: TcapLimits = { maxPending: 500_000, idleTimeoutUs: 60_000_000 };

/** A TCAP dialogue in flight. */
class Dialogue implements LruNode {
  lruPrev: LruNode | null = null;
  lruNext: LruNode | null = null;
  lastUs = 0;
  /** Key of the initiator's TID (initiator address + otid); and of the responder's, once known. */
  initKey = '';
  respKey: string | null = null;
  orphan = false;
  beginFrame: number | null = null;
  beginUs: number | null = null;
  beginHash = 0;
  beginLen = 0;
  firstInvokeId = -1;
  opcode = -1;
  acnFamily = 0;
  ssnFamily = AppFamily.Unknown;
  status: Status = 'ok';
  resultCode: number | null = null;
  abortCause: string | null = null;
  rejectProblem: string | null = null;
  messages = 0;
  nestedOps = 0;
  retransmissions = 0;
  imsi: string | null = null;
  msisdn: string | null = null;
  vlr: string | null = null;
  sgsn: string | null = null;
  callingGt: string | null = null;
  calledGt: string | null = null;
  responderGt: string | null = null;
  /** GT numbering plans (Q.713 §3.4.2.3.3), -1 absent: subscriber GTs are protected at emit. */
  callingNp = -1;
  calledNp = -1;
  responderNp = -1;
  opc: number | null = null;
  dpc: number | null = null;
  callingSsn: number | null = null;
  calledSsn: number | null = null;
  appContext: string | null = null;
  otid: string | null = null;
  dtid: string | null = null;
}

/**
 * The key of a TID: the SCCP address of the node that allocated it (calling party for an otid,
 * called party for a dtid; see sccpAddressKey) and the TID with its length. Built only for the
 * side a message needs.
 */
function tidKey(m: TcapInput, calling: boolean, tid: number, len: number): string {
  const a = calling ? sccpAddressKey(m.sccpBuf, m.sccp.calling, m.mtp.opc) : sccpAddressKey(m.sccpBuf, m.sccp.called, m.mtp.dpc);
  return a + '#' + len + ':' + tid;
}

/**
 * Dotted ACN strings of the common 0.4.0.0.1.0.<ac>.<v> form (7 content octets 04 00 00 01 00 ac v),
 * keyed by (ac, v): a handful of distinct values, each built once. Other OIDs are built per use.
 */
const acnCache = new Map<number, string>();
function acnText(m: TcapInput): string {
  const t = m.tcap;
  const b = m.tcapBuf;
  const s = t.acnStart;
  if (t.acnEnd - s !== 7 || b[s] !== 0x04 || b[s + 1] !== 0 || b[s + 2] !== 0 || b[s + 3] !== 1 || b[s + 4] !== 0 || b[s + 5] > 127 || b[s + 6] > 127) {
    return acnToString(b, s, t.acnEnd);
  }
  const k = b[s + 5] * 256 + b[s + 6];
  let v = acnCache.get(k);
  if (v === undefined) {
    v = acnToString(m.tcapBuf, t.acnStart, t.acnEnd);
    if (acnCache.size < 4096) acnCache.set(k, v);
  }
  return v;
}

function tidHex(v: number, len: number): string {
  return (v >>> 0).toString(16).padStart(len * 2, '0');
}


/**
 * Correlates TCAP messages (Q.774 transaction sub-layer) into dialogue records.
 *
 * Keys: a TID is only unique within the node that allocated it, so every TID is indexed together
 * with the SCCP address of that node: the initiator's otid with the Begin's calling address, the
 * responder's otid with the calling address of its first Continue (which may differ from the
 * Begin's called address). A message carrying a dtid is looked up with its *called* address.
 * TIDs alone are never a key; MTP3 point codes only stand in when an address has no GT.
 *
 * Pending dialogues are bounded by count (LRU eviction), by an idle deadline in packet time and
 * by the collision rule (a new Begin on a key still pending closes the old one as tid_reused,
 * unless it is a byte-identical retransmission). Every expiry or eviction becomes a record.
 */
export class TcapCorrelator {
  private readonly table = new Map<string, Dialogue>();
  private readonly lru = new LruList<Dialogue>();
  private readonly mapInfo: MapInfoView = createMapInfoView();
  /** Closed-record counts by end reason (exported as metrics). */
  readonly closed: Record<EndReason, number> = {
    end: 0, abort: 0, idle_timeout: 0, evicted: 0, tid_reused: 0, capture_end: 0, shutdown: 0, orphan_end: 0, unidirectional: 0,
  };

  constructor(
    private readonly sink: RecordSink,
    private readonly counters: Counters,
    private readonly ids: IdentityProtector,
    private limits: TcapLimits = DEFAULT_TCAP_LIMITS,
    private readonly site = '',
    public source = '',
  ) {}

  get pending(): number {
    return this.lru.size;
  }

  /** New limits (config reload); a lower maxPending evicts on the next dialogue. */
  setLimits(l: TcapLimits): void {
    this.limits = { ...l };
  }

  onMessage(m: TcapInput): void {
    switch (m.tcap.msgType) {
      case TcapType.Begin:
        this.onBegin(m);
        break;
      case TcapType.Continue:
        this.onContinue(m);
        break;
      case TcapType.End:
      case TcapType.Abort:
        this.onClose(m);
        break;
      case TcapType.Unidirectional:
        this.onUnidirectional(m);
        break;
      default:
        break;
    }
  }

  /** Closes dialogues idle for longer than the timeout at packet time nowUs. */
  expire(nowUs: number): void {
    const limit = nowUs - this.limits.idleTimeoutUs;
    let d = this.lru.head;
    while (d !== null && d.lastUs < limit) {
      this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.IdleTimeout);
      this.finish(d, 'timeout', 'idle_timeout', null, null);
      d = this.lru.head;
    }
  }

  /** Closes every pending dialogue (end of a replay, or shutdown of the live probe). */
  flush(reason: 'capture_end' | 'shutdown'): void {
    let d = this.lru.head;
    while (d !== null) {
      this.finish(d, 'timeout', reason, null, null);
      d = this.lru.head;
    }
  }

  // ------------------------------------------------------------------ message kinds

  private onBegin(m: TcapInput): void {
    const t = m.tcap;
    if (t.otidLen === 0) {
      this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.MissingTid);
      return;
    }
    const key = tidKey(m, true, t.otid, t.otidLen);
    const hash = fnv1a(m.tcapBuf, m.tcapStart, m.tcapEnd);
    const len = m.tcapEnd - m.tcapStart;
    const old = this.table.get(key);
    if (old !== undefined) {
      if (old.respKey === null && !old.orphan && old.beginHash === hash && old.beginLen === len) {
        // Same Begin again (SCCP/M3UA retransmission, or the same message mirrored on two links).
        old.retransmissions++;
        this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.RetransmittedBegin);
        this.lru.touch(old, m.tsUs);
        return;
      }
      this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.TidReused);
      this.finish(old, 'timeout', 'tid_reused', null, null);
    }
    const d = new Dialogue();
    d.initKey = key;
    d.beginFrame = m.frame;
    d.beginUs = m.tsUs;
    d.beginHash = hash;
    d.beginLen = len;
    d.otid = tidHex(t.otid, t.otidLen);
    this.fillAddresses(d, m);
    if (t.acnEnd > t.acnStart) {
      d.acnFamily = t.acnFamily;
      d.appContext = acnText(m);
    }
    this.table.set(key, d);
    this.lru.push(d);
    d.lastUs = m.tsUs;
    d.messages = 1;
    this.components(d, m, true);
    this.bound();
  }

  private onContinue(m: TcapInput): void {
    const t = m.tcap;
    if (t.otidLen === 0 || t.dtidLen === 0) {
      this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.MissingTid);
      return;
    }
    const key = tidKey(m, false, t.dtid, t.dtidLen);
    let d = this.table.get(key);
    if (d === undefined) {
      // Continue of a dialogue whose Begin is not in the capture: track it from here, so that
      // its End still closes one record (flagged orphan) instead of two strays.
      this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.OrphanContinue);
      d = new Dialogue();
      d.orphan = true;
      d.initKey = key;
      d.otid = tidHex(t.dtid, t.dtidLen);
      this.fillAddresses(d, m);
      // The receiver of this Continue plays the initiator; swap the address view accordingly.
      d.calledGt = d.callingGt;
      d.calledNp = d.callingNp;
      d.callingGt = null;
      this.table.set(key, d);
      this.lru.push(d);
      this.bound();
    }
    const fromResponder = d.initKey === key;
    if (fromResponder && d.respKey === null) {
      const rkey = tidKey(m, true, t.otid, t.otidLen);
      const other = this.table.get(rkey);
      if (other !== undefined && other !== d) {
        this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.TidReused);
        this.finish(other, 'timeout', 'tid_reused', null, null);
      }
      d.respKey = rkey;
      d.dtid = tidHex(t.otid, t.otidLen);
      d.responderGt = this.gt(m.sccpBuf, m.sccp.calling);
      d.responderNp = m.sccp.calling.np;
      this.table.set(rkey, d);
      if (d.appContext === null && t.acnEnd > t.acnStart) {
        d.acnFamily = t.acnFamily;
        d.appContext = acnText(m);
      }
    }
    d.messages++;
    this.lru.touch(d, m.tsUs);
    this.components(d, m, !fromResponder);
  }

  private onClose(m: TcapInput): void {
    const t = m.tcap;
    const isAbort = t.msgType === TcapType.Abort;
    if (t.dtidLen === 0) {
      this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.MissingTid);
      return;
    }
    const key = tidKey(m, false, t.dtid, t.dtidLen);
    let d = this.table.get(key);
    let reason: EndReason = isAbort ? 'abort' : 'end';
    if (d === undefined) {
      this.counters.anomaly(Layer.Correlate, isAbort ? TcapDialogueAnomaly.OrphanAbort : TcapDialogueAnomaly.OrphanEnd);
      d = new Dialogue();
      d.orphan = true;
      d.initKey = key;
      d.otid = tidHex(t.dtid, t.dtidLen);
      this.fillAddresses(d, m);
      d.calledGt = d.callingGt;
      d.calledNp = d.callingNp;
      d.callingGt = null;
      reason = 'orphan_end';
      this.table.set(key, d);
      this.lru.push(d);
    }
    const fromResponder = d.initKey === key;
    if (d.appContext === null && t.acnEnd > t.acnStart) {
      d.acnFamily = t.acnFamily;
      d.appContext = acnText(m);
    }
    d.messages++;
    this.components(d, m, !fromResponder);
    if (isAbort) {
      d.status = 'abort';
      d.abortCause = this.abortCause(t);
    }
    this.finish(d, d.status, reason, m.frame, m.tsUs);
  }

  private onUnidirectional(m: TcapInput): void {
    const d = new Dialogue();
    d.beginFrame = m.frame;
    d.beginUs = m.tsUs;
    this.fillAddresses(d, m);
    const t = m.tcap;
    if (t.acnEnd > t.acnStart) {
      d.acnFamily = t.acnFamily;
      d.appContext = acnText(m);
    }
    d.messages = 1;
    this.components(d, m, true);
    this.emit(d, 'ok', 'unidirectional', null, null);
  }

  // ------------------------------------------------------------------ helpers

  private bound(): void {
    while (this.lru.size > this.limits.maxPending) {
      const h = this.lru.head as Dialogue;
      this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.Evicted);
      this.finish(h, 'timeout', 'evicted', null, null);
    }
  }

  private gt(buf: Buffer, a: SccpView['calling']): string | null {
    return a.present && a.gti !== 0 && a.digitsEnd > a.digitsStart ? gtDigits(buf, a.digitsStart, a.digitsEnd, a.digitsOdd) : null;
  }

  private fillAddresses(d: Dialogue, m: TcapInput): void {
    const s = m.sccp;
    d.callingGt = this.gt(m.sccpBuf, s.calling);
    d.calledGt = this.gt(m.sccpBuf, s.called);
    d.callingNp = s.calling.np;
    d.calledNp = s.called.np;
    d.callingSsn = s.calling.ssn >= 0 ? s.calling.ssn : null;
    d.calledSsn = s.called.ssn >= 0 ? s.called.ssn : null;
    d.opc = m.mtp.opc;
    d.dpc = m.mtp.dpc;
    const f = ssnFamily(s.called.ssn);
    d.ssnFamily = f !== AppFamily.Unknown ? f : ssnFamily(s.calling.ssn);
  }

  /**
   * Walks the components of one message. fromInitiator: sent by the dialogue initiator.
   * The first Invoke of the initiator names the dialogue; the responder's ReturnError / Reject
   * to that invoke sets the status (other invokes are nested operations: counted, and mined for
   * identities only).
   */
  private components(d: Dialogue, m: TcapInput, fromInitiator: boolean): void {
    const t = m.tcap;
    for (let i = 0; i < t.componentCount; i++) {
      const c: TcapComponentView = t.components[i];
      if (c.kind === Comp.Invoke) {
        if (fromInitiator && d.firstInvokeId < 0 && d.opcode < 0) {
          d.firstInvokeId = c.invokeId;
          d.opcode = c.opcode;
        } else {
          d.nestedOps++;
        }
        this.identities(d, m, c.opcode, true, c.paramStart, c.paramEnd);
      } else if (!fromInitiator) {
        // Orphans never saw the first invoke: the responder's answers are all we have.
        const first = d.firstInvokeId >= 0 ? c.invokeId === d.firstInvokeId : d.orphan;
        if (c.kind === Comp.ReturnError) {
          if (first) {
            d.status = 'error';
            d.resultCode = c.errorCode;
          }
        } else if (c.kind === Comp.Reject) {
          if (first || c.invokeId < 0) {
            d.status = 'reject';
            d.resultCode = null;
            d.rejectProblem =
              (REJECT_PROBLEM_TYPE_NAMES[c.problemType] ?? 'problem' + c.problemType) + ':' + (REJECT_PROBLEM_NAMES[c.problemType]?.[c.problemCode] ?? String(c.problemCode));
          }
        } else if (first) {
          // ReturnResult(Last/NotLast) of the first invoke: the result may carry the IMSI (SRI, SRI-SM).
          this.identities(d, m, d.opcode, false, c.paramStart, c.paramEnd);
        }
      }
    }
  }

  private identities(d: Dialogue, m: TcapInput, opcode: number, isInvoke: boolean, start: number, end: number): void {
    if (start < 0 || end <= start || opcode < 0) return;
    if (d.imsi !== null && d.msisdn !== null && d.vlr !== null) return;
    const info = this.mapInfo;
    const cap = this.family(d) === 'cap';
    const code = cap
      ? decodeCapParameter(opcode, isInvoke, m.tcapBuf, start, end, info)
      : decodeMapParameter(opcode, isInvoke, m.tcapBuf, start, end, info);
    if (code !== 0) {
      this.counters.anomaly(Layer.Map, code);
      return;
    }
    const b = m.tcapBuf;
    if (d.imsi === null && info.imsiEnd > info.imsiStart) d.imsi = tbcdToString(b, info.imsiStart, info.imsiEnd);
    if (d.msisdn === null && info.msisdnEnd > info.msisdnStart) d.msisdn = isdnToString(b, info.msisdnStart, info.msisdnEnd);
    if (d.vlr === null && info.vlrEnd > info.vlrStart) d.vlr = isdnToString(b, info.vlrStart, info.vlrEnd);
    if (d.sgsn === null && info.sgsnEnd > info.sgsnStart) d.sgsn = isdnToString(b, info.sgsnStart, info.sgsnEnd);
    // CAP: the calling party of an MO call is the subscriber (Q.763 §3.10 number format).
    if (d.msisdn === null && info.callingEnd > info.callingStart) d.msisdn = isupNumberToString(b, info.callingStart, info.callingEnd);
    if (d.vlr === null && cap && info.mscEnd > info.mscStart) d.vlr = isdnToString(b, info.mscStart, info.mscEnd);
  }

  /** 'p-abort:resourceLimitation', 'u-abort:aare-reject-permanent', 'u-abort:dialogue-service-user'... */
  private abortCause(t: TcapView): string {
    if (t.abortKind === 1) return 'p-abort:' + (P_ABORT_CAUSE_NAMES[t.pAbortCause] ?? String(t.pAbortCause));
    if (t.dialogue === 0x61) return 'u-abort:aare-' + (AARE_RESULT_NAMES[t.aareResult] ?? String(t.aareResult));
    if (t.dialogue === 0x64 && t.abortSource >= 0) return 'u-abort:' + (ABORT_SOURCE_NAMES[t.abortSource] ?? String(t.abortSource));
    return 'u-abort';
  }

  private family(d: Dialogue): Protocol {
    if (d.acnFamily === 2) return 'cap';
    if (d.acnFamily === 1) return 'map';
    if (d.ssnFamily === AppFamily.Cap) return 'cap';
    if (d.ssnFamily === AppFamily.Map) return 'map';
    return 'tcap';
  }

  private finish(d: Dialogue, status: Status, reason: EndReason, rspFrame: number | null, rspUs: number | null): void {
    this.table.delete(d.initKey);
    if (d.respKey !== null && this.table.get(d.respKey) === d) this.table.delete(d.respKey);
    this.lru.remove(d);
    this.emit(d, status, reason, rspFrame, rspUs);
  }

  private emit(d: Dialogue, status: Status, reason: EndReason, rspFrame: number | null, rspUs: number | null): void {
    this.closed[reason]++;
    const protocol = this.family(d);
    const opcode = d.opcode >= 0 ? d.opcode : null;
    const resultName =
      status === 'error' && d.resultCode !== null && d.resultCode >= 0
        ? protocol === 'cap'
          ? capErrorName(d.resultCode)
          : mapErrorName(d.resultCode)
        : status === 'abort'
          ? d.abortCause
          : status === 'reject'
            ? d.rejectProblem
            : null;
    const split = d.imsi !== null ? splitImsi(d.imsi) : null;
    const r: DialogueRecord = {
      protocol,
      procedure: opcode !== null ? procedureName(protocol === 'cap' ? 2 : 1, opcode) : null,
      opcode,
      status,
      resultCode: status === 'error' && d.resultCode !== null && d.resultCode >= 0 ? d.resultCode : null,
      resultName,
      endReason: reason,
      orphan: d.orphan,
      reqFrame: d.beginFrame,
      rspFrame: status === 'timeout' ? null : rspFrame,
      reqTimeUs: d.beginUs,
      rspTimeUs: status === 'timeout' ? null : rspUs,
      latencyUs: status !== 'timeout' && rspUs !== null && d.beginUs !== null ? rspUs - d.beginUs : null,
      imsi: this.ids.protect('imsi', d.imsi),
      msisdn: this.ids.protect('msisdn', d.msisdn),
      homeMcc: split ? split[0] : null,
      homeMnc: split ? split[1] : null,
      // Subscriber numbers among the GTs (MSISDN-routed, E.214 / E.212) are protected like identities.
      callingGt: this.ids.protectGt(d.callingGt, d.callingNp, d.msisdn, d.imsi),
      calledGt: this.ids.protectGt(d.calledGt, d.calledNp, d.msisdn, d.imsi),
      responderGt: this.ids.protectGt(d.responderGt, d.responderNp, d.msisdn, d.imsi),
      opc: d.opc,
      dpc: d.dpc,
      callingSsn: d.callingSsn,
      calledSsn: d.calledSsn,
      vlrNumber: d.vlr,
      sgsnNumber: d.sgsn,
      appContext: d.appContext,
      otid: d.otid,
      dtid: d.dtid,
      messages: d.messages,
      nestedOps: d.nestedOps,
      retransmissions: d.retransmissions,
      abortCause: d.abortCause,
      site: this.site,
      source: this.source,
    };
    this.sink.write(r);
  }
}
