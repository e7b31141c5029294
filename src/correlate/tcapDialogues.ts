import { Layer } from '../metrics/layers';
import type { Counters } from '../metrics/anomalies';
import type { TcapView, TcapComponentView } from '../protocols/tcap/types';
import type { SccpAddressView, SccpView } from '../protocols/sccp/types';
import { SccpGti } from '../protocols/sccp/constants';
import type { Mtp3View } from '../protocols/m3ua/types';
import { acnToString } from '../protocols/tcap/decode';
import { AARE_RESULT_NAMES, ABORT_SOURCE_NAMES, P_ABORT_CAUSE_NAMES, REJECT_PROBLEM_NAMES, REJECT_PROBLEM_TYPE_NAMES } from '../protocols/tcap/constants';
import { gtDigits } from '../protocols/sccp/decode';
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

/** '00'..'ff' */
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The TID as lowercase hex of len octets ((v >>> 0).toString(16).padStart(2 * len, '0') for len 1..4). */
function tidHex(v: number, len: number): string {
  if (len < 1 || len > 4) return (v >>> 0).toString(16).padStart(len * 2, '0');
  const u = v >>> 0;
  const lo = HEX2[u & 255];
  if (len === 1) return lo;
  const b1 = HEX2[(u >>> 8) & 255];
  if (len === 2) return b1 + lo;
  const b2 = HEX2[(u >>> 16) & 255];
  if (len === 3) return b2 + b1 + lo;
  return HEX2[u >>> 24] + b2 + b1 + lo;
}

/**
 * Pending dialogues are kept as columns (typed arrays indexed by a slot number) instead of one
 * object per dialogue: a pending Begin allocates nothing on the JS heap (no object, no key string,
 * no boxed timestamp), which keeps the heap per pending dialogue small and gives the garbage
 * collector nothing to trace. Digit strings (GTs, IMSI, MSISDN, VLR / SGSN numbers) of up to 15
 * decimal digits are kept as the number "1<digits>" (exact in a double, leading zeros kept) and
 * turned back into the same string when the record is built; any other digit string (signals
 * a-f, * or #, more than 15 digits) is kept as the string itself in `rare`.
 */

/** Digit fields of a dialogue (index into the `digits` column, 7 per slot). */
const enum Dg {
  CallingGt = 0,
  CalledGt = 1,
  ResponderGt = 2,
  Imsi = 3,
  Msisdn = 4,
  Vlr = 5,
  Sgsn = 6,
  Count = 7,
}
/** `rare` key of the reject problem text (after the digit fields). */
const RARE_REJECT = 7;
/** Digit column values: absent, or the string is in `rare`. */
const D_NONE = -1;
const D_RARE = -2;

/** Bits of the `info` column. */
const enum Info {
  Orphan = 1,
  /** the responder's TID is known (respKey set) */
  Resp = 2,
  /** the dialogue has an initiator key (not Unidirectional) */
  Init = 4,
  /** some field of the slot is in `rare` */
  Rare = 8,
  StatusShift = 4,
  StatusMask = 7 << 4,
}

const STATUS: readonly Status[] = ['ok', 'error', 'reject', 'abort', 'timeout'];
const enum St {
  Ok = 0,
  Error = 1,
  Reject = 2,
  Abort = 3,
  Timeout = 4,
}

/** resultCode column: absent. */
const NO_RESULT = -2147483648;

/** "1<digits>" as a number, D_RARE when the string is not 0-15 decimal digits. */
function digitsNumber(s: string): number {
  const n = s.length;
  if (n > 15) return D_RARE;
  let v = 1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return D_RARE;
    v = v * 10 + c;
  }
  return v;
}

const DIGIT = '0123456789';
/** '00'..'99' */
const DIGIT2: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** Digits after the leading 1 of h (1 ≤ h < 2^31). */
function smallDigits(h: number): string {
  let p = 1;
  while (p * 10 <= h) p *= 10;
  h -= p;
  let s = '';
  for (p = (p / 10) | 0; p >= 1; p = (p / 10) | 0) {
    const d = (h / p) | 0;
    s += DIGIT[d];
    h -= d * p;
  }
  return s;
}

/**
 * The digit string of a digitsNumber() value (String(v).slice(1), without the slow double to
 * string conversion: two small integers, digits by table).
 */
function numberDigits(v: number): string {
  if (v < 1e8) return smallDigits(v);
  const hi = Math.floor(v / 1e8);
  let lo = v - hi * 1e8;
  const a = (lo / 1e6) | 0;
  lo -= a * 1e6;
  const b = (lo / 1e4) | 0;
  lo -= b * 1e4;
  const c = (lo / 100) | 0;
  return smallDigits(hi) + DIGIT2[a] + DIGIT2[b] + DIGIT2[c] + DIGIT2[lo - c * 100];
}

/** Key hash of (address id, TID, TID length). */
function keyHash(addr: number, tid: number, len: number): number {
  let h = Math.imul(tid ^ (len << 29), 0x85ebca6b) ^ Math.imul(addr + 0x165667b1, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}

/**
 * SCCP addresses of pending keys, as small reference-counted ids: a TID key is (address id, TID,
 * TID length), three numbers. The address identity is the one of sccpAddressKey() — a GT with
 * digits (GTI 1..4) by its odd / even flag and BCD octets (an odd count's filler nibble ignored),
 * else the point code (the address's own, or the MTP3 one of that side) and SSN — compared on
 * the packet's bytes, so a lookup builds no string. Addresses are few (the nodes that allocate
 * TIDs); an id is freed when no pending key uses it.
 */
class AddressIds {
  private readonly byHash = new Map<number, number>();
  private chainNext = new Int32Array(64);
  private refs = new Int32Array(64);
  private hashes = new Int32Array(64);
  /** PC addresses: (pc + 1) * 512 + ssn + 1; GT addresses: -1 */
  private pcKeys = new Float64Array(64);
  /** GT addresses: flag char (1 odd, 2 even) + the octets, the last one as keyed; PC: '' */
  private gts: string[] = [];
  private readonly free: number[] = [];
  private allocated = 0;
  size = 0;
  // the address being looked up (prepare())
  private buf: Buffer = Buffer.alloc(0);
  private gt = false;
  private pcKey = 0;
  private s = 0;
  private e = 0;
  private flag = 0;
  private last = 0;
  private hash = 0;

  private prepare(buf: Buffer, addr: SccpAddressView, mtp3Pc: number): void {
    const s = addr.digitsStart;
    let e = addr.digitsEnd;
    if (addr.gti >= SccpGti.Nai && addr.gti <= SccpGti.TtNpEsNai && e > s) {
      if (e > buf.length) e = buf.length;
      const last = buf[e - 1] | 0;
      const odd = addr.digitsOdd || last >> 4 === 0x0f;
      this.gt = true;
      this.buf = buf;
      this.s = s;
      this.e = e - 1 > s ? e - 1 : s;
      this.flag = odd ? 1 : 2;
      this.last = odd ? last & 0x0f : last;
      let h = Math.imul(0x811c9dc5 ^ this.flag, 0x01000193);
      for (let i = this.s; i < this.e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
      this.hash = Math.imul(h ^ this.last, 0x01000193) | 0;
    } else {
      const pc = addr.pc >= 0 ? addr.pc : mtp3Pc;
      this.gt = false;
      this.pcKey = (pc + 1) * 512 + addr.ssn + 1;
      this.hash = keyHash(pc | 0, addr.ssn, 7);
    }
  }

  private matches(id: number): boolean {
    if (!this.gt) return this.pcKeys[id] === this.pcKey;
    const g = this.gts[id];
    const n = this.e - this.s;
    if (g.length !== n + 2 || g.charCodeAt(0) !== this.flag || g.charCodeAt(n + 1) !== this.last) return false;
    const buf = this.buf;
    for (let i = 0; i < n; i++) if (g.charCodeAt(i + 1) !== buf[this.s + i]) return false;
    return true;
  }

  private findPrepared(): number {
    let id = this.byHash.get(this.hash);
    while (id !== undefined && id !== -1) {
      if (this.matches(id)) return id;
      id = this.chainNext[id];
    }
    return -1;
  }

  /** Id of the address, -1 when no pending key uses it. */
  find(buf: Buffer, addr: SccpAddressView, mtp3Pc: number): number {
    this.prepare(buf, addr, mtp3Pc);
    return this.findPrepared();
  }

  /** Id of the address, one more reference. */
  acquire(buf: Buffer, addr: SccpAddressView, mtp3Pc: number): number {
    this.prepare(buf, addr, mtp3Pc);
    let id = this.findPrepared();
    if (id === -1) {
      id = this.free.length > 0 ? (this.free.pop() as number) : this.allocated++;
      if (id >= this.refs.length) this.grow(this.refs.length * 2);
      this.refs[id] = 0;
      this.hashes[id] = this.hash;
      if (this.gt) {
        let g = String.fromCharCode(this.flag);
        for (let i = this.s; i < this.e; i++) g += String.fromCharCode(this.buf[i]);
        this.gts[id] = g + String.fromCharCode(this.last);
        this.pcKeys[id] = -1;
      } else {
        this.gts[id] = '';
        this.pcKeys[id] = this.pcKey;
      }
      const head = this.byHash.get(this.hash);
      this.chainNext[id] = head === undefined ? -1 : head;
      this.byHash.set(this.hash, id);
      this.size++;
    }
    this.refs[id]++;
    return id;
  }

  release(id: number): void {
    if (--this.refs[id] !== 0) return;
    const h = this.hashes[id];
    const head = this.byHash.get(h) as number;
    if (head === id) {
      if (this.chainNext[id] === -1) this.byHash.delete(h);
      else this.byHash.set(h, this.chainNext[id]);
    } else {
      let p = head;
      while (this.chainNext[p] !== id) p = this.chainNext[p];
      this.chainNext[p] = this.chainNext[id];
    }
    this.gts[id] = '';
    this.free.push(id);
    this.size--;
  }

  private grow(n: number): void {
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.chainNext = i32(this.chainNext);
    this.refs = i32(this.refs);
    this.hashes = i32(this.hashes);
    const f = new Float64Array(n);
    f.set(this.pcKeys);
    this.pcKeys = f;
  }
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
 *
 * Storage: a dialogue is a slot of the columns below; its two keys are nodes 2·slot (initiator)
 * and 2·slot + 1 (responder) of an open hash index (buckets → chains of nodes, exact compare of
 * address id, TID and TID length). The LRU is a doubly linked list through prev / next.
 */
export class TcapCorrelator {
  private readonly mapInfo: MapInfoView = createMapInfoView();
  /** Closed-record counts by end reason (exported as metrics). */
  readonly closed: Record<EndReason, number> = {
    end: 0, abort: 0, idle_timeout: 0, evicted: 0, tid_reused: 0, capture_end: 0, shutdown: 0, orphan_end: 0, unidirectional: 0,
  };

  private readonly addrs = new AddressIds();
  /** slots allocated (columns' length) */
  private cap = 0;
  /** next never-used slot; freed slots go to freeHead (chained through `next`) */
  private used = 0;
  private freeHead = -1;
  // LRU (least recent at the head)
  private head = -1;
  private tail = -1;
  private size = 0;
  // slot columns
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private lastUs = new Float64Array(0);
  /** NaN = null */
  private beginFrame = new Float64Array(0);
  private beginUs = new Float64Array(0);
  private beginHash = new Int32Array(0);
  private beginLen = new Int32Array(0);
  private firstInvokeId = new Int32Array(0);
  private opcode = new Int32Array(0);
  /** Info bits | status << 4 */
  private info = new Int32Array(0);
  /** acnFamily | ssnFamily << 8 */
  private fam = new Int32Array(0);
  /** (callingNp + 1) | (calledNp + 1) << 5 | (responderNp + 1) << 10 */
  private nps = new Int32Array(0);
  private opc = new Int32Array(0);
  private dpc = new Int32Array(0);
  /** (callingSsn + 1) | (calledSsn + 1) << 9 */
  private ssns = new Int32Array(0);
  private resultCode = new Int32Array(0);
  private messages = new Int32Array(0);
  private nestedOps = new Int32Array(0);
  private retransmissions = new Int32Array(0);
  /** Dg.Count per slot */
  private digits = new Float64Array(0);
  /** application context names (shared strings: a handful of values) */
  private appContext: (string | null)[] = [];
  /** strings that do not fit a column, by slot * 8 + field (Dg, RARE_REJECT) */
  private readonly rare = new Map<number, string>();
  // key nodes (2 per slot): address id, TID (as int32), TID length, chain, indexed flag
  private keyAddr = new Int32Array(0);
  private keyTid = new Int32Array(0);
  private keyLen = new Uint8Array(0);
  private indexed = new Uint8Array(0);
  private chain = new Int32Array(0);
  private buckets = new Int32Array(0);
  private bucketMask = -1;
  private nodes = 0;

  constructor(
    private readonly sink: RecordSink,
    private readonly counters: Counters,
    private readonly ids: IdentityProtector,
    private limits: TcapLimits = DEFAULT_TCAP_LIMITS,
    private readonly site = '',
    public source = '',
  ) {
    this.grow(1024);
    this.rehash(2048);
  }

  get pending(): number {
    return this.size;
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
    let d = this.head;
    while (d !== -1 && this.lastUs[d] < limit) {
      this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.IdleTimeout);
      this.finish(d, St.Timeout, 'idle_timeout', null, null, null);
      d = this.head;
    }
  }

  /** Closes every pending dialogue (end of a replay, or shutdown of the live probe). */
  flush(reason: 'capture_end' | 'shutdown'): void {
    let d = this.head;
    while (d !== -1) {
      this.finish(d, St.Timeout, reason, null, null, null);
      d = this.head;
    }
  }

  // ------------------------------------------------------------------ message kinds

  private onBegin(m: TcapInput): void {
    const t = m.tcap;
    if (t.otidLen === 0) {
      this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.MissingTid);
      return;
    }
    const addr = this.findAddress(m, true);
    const hash = fnv1a(m.tcapBuf, m.tcapStart, m.tcapEnd) | 0;
    const len = m.tcapEnd - m.tcapStart;
    const oldNode = this.lookup(addr, t.otid, t.otidLen);
    if (oldNode !== -1) {
      const old = oldNode >> 1;
      if ((this.info[old] & (Info.Resp | Info.Orphan)) === 0 && this.beginHash[old] === hash && this.beginLen[old] === len) {
        // Same Begin again (SCCP/M3UA retransmission, or the same message mirrored on two links).
        this.retransmissions[old]++;
        this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.RetransmittedBegin);
        this.touch(old, m.tsUs);
        return;
      }
      this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.TidReused);
      this.finish(old, St.Timeout, 'tid_reused', null, null, null);
    }
    const d = this.alloc();
    this.setKey(d << 1, m, true, t.otid, t.otidLen);
    this.info[d] = Info.Init;
    this.beginFrame[d] = m.frame;
    this.beginUs[d] = m.tsUs;
    this.beginHash[d] = hash;
    this.beginLen[d] = len;
    this.fillAddresses(d, m);
    if (t.acnEnd > t.acnStart) {
      this.fam[d] = (this.fam[d] & ~0xff) | t.acnFamily;
      this.appContext[d] = acnText(m);
    }
    this.index(d << 1);
    this.push(d);
    this.lastUs[d] = m.tsUs;
    this.messages[d] = 1;
    this.components(d, m, true);
    this.bound();
  }

  private onContinue(m: TcapInput): void {
    const t = m.tcap;
    if (t.otidLen === 0 || t.dtidLen === 0) {
      this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.MissingTid);
      return;
    }
    let node = this.lookup(this.findAddress(m, false), t.dtid, t.dtidLen);
    let d: number;
    if (node === -1) {
      // Continue of a dialogue whose Begin is not in the capture: track it from here, so that
      // its End still closes one record (flagged orphan) instead of two strays.
      this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.OrphanContinue);
      d = this.alloc();
      node = d << 1;
      this.setKey(node, m, false, t.dtid, t.dtidLen);
      this.info[d] = Info.Init | Info.Orphan;
      this.fillAddresses(d, m);
      // The receiver of this Continue plays the initiator; swap the address view accordingly.
      this.orphanSwap(d);
      this.index(node);
      this.push(d);
      this.bound();
    } else {
      d = node >> 1;
    }
    const fromResponder = this.isInitKey(d, node);
    if (fromResponder && (this.info[d] & Info.Resp) === 0) {
      const otherNode = this.lookup(this.findAddress(m, true), t.otid, t.otidLen);
      if (otherNode !== -1 && otherNode >> 1 !== d) {
        this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.TidReused);
        this.finish(otherNode >> 1, St.Timeout, 'tid_reused', null, null, null);
      }
      const rnode = (d << 1) | 1;
      this.setKey(rnode, m, true, t.otid, t.otidLen);
      this.info[d] |= Info.Resp;
      this.setDigits(d, Dg.ResponderGt, this.gt(m.sccpBuf, m.sccp.calling));
      this.nps[d] = (this.nps[d] & ~(31 << 10)) | ((m.sccp.calling.np + 1) << 10);
      // the responder's key is the initiator's own one (same address and TID): already indexed
      if (!this.sameKey(d << 1, rnode)) this.index(rnode);
      if (this.appContext[d] === null && t.acnEnd > t.acnStart) {
        this.fam[d] = (this.fam[d] & ~0xff) | t.acnFamily;
        this.appContext[d] = acnText(m);
      }
    }
    this.messages[d]++;
    this.touch(d, m.tsUs);
    this.components(d, m, !fromResponder);
  }

  private onClose(m: TcapInput): void {
    const t = m.tcap;
    const isAbort = t.msgType === TcapType.Abort;
    if (t.dtidLen === 0) {
      this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.MissingTid);
      return;
    }
    let node = this.lookup(this.findAddress(m, false), t.dtid, t.dtidLen);
    let reason: EndReason = isAbort ? 'abort' : 'end';
    let d: number;
    if (node === -1) {
      this.counters.anomaly(Layer.Correlate, isAbort ? TcapDialogueAnomaly.OrphanAbort : TcapDialogueAnomaly.OrphanEnd);
      d = this.alloc();
      node = d << 1;
      this.setKey(node, m, false, t.dtid, t.dtidLen);
      this.info[d] = Info.Init | Info.Orphan;
      this.fillAddresses(d, m);
      this.orphanSwap(d);
      reason = 'orphan_end';
      this.index(node);
      this.push(d);
    } else {
      d = node >> 1;
    }
    const fromResponder = this.isInitKey(d, node);
    if (this.appContext[d] === null && t.acnEnd > t.acnStart) {
      this.fam[d] = (this.fam[d] & ~0xff) | t.acnFamily;
      this.appContext[d] = acnText(m);
    }
    this.messages[d]++;
    this.components(d, m, !fromResponder);
    let abortCause: string | null = null;
    if (isAbort) {
      this.setStatus(d, St.Abort);
      abortCause = this.abortCause(t);
    }
    this.finish(d, this.status(d), reason, m.frame, m.tsUs, abortCause);
  }

  private onUnidirectional(m: TcapInput): void {
    const d = this.alloc();
    this.info[d] = 0;
    this.beginFrame[d] = m.frame;
    this.beginUs[d] = m.tsUs;
    this.fillAddresses(d, m);
    const t = m.tcap;
    if (t.acnEnd > t.acnStart) {
      this.fam[d] = (this.fam[d] & ~0xff) | t.acnFamily;
      this.appContext[d] = acnText(m);
    }
    this.messages[d] = 1;
    this.components(d, m, true);
    this.emit(d, St.Ok, 'unidirectional', null, null, null);
    this.release(d);
  }

  // ------------------------------------------------------------------ helpers

  private bound(): void {
    while (this.size > this.limits.maxPending) {
      this.counters.anomaly(Layer.Correlate, TcapDialogueAnomaly.Evicted);
      this.finish(this.head, St.Timeout, 'evicted', null, null, null);
    }
  }

  /** Address id of the calling (or called) party of the message, -1 when no pending key has it. */
  private findAddress(m: TcapInput, calling: boolean): number {
    return calling ? this.addrs.find(m.sccpBuf, m.sccp.calling, m.mtp.opc) : this.addrs.find(m.sccpBuf, m.sccp.called, m.mtp.dpc);
  }

  /** Address id of the calling (or called) party of the message, one more reference. */
  private acquireAddress(m: TcapInput, calling: boolean): number {
    return calling ? this.addrs.acquire(m.sccpBuf, m.sccp.calling, m.mtp.opc) : this.addrs.acquire(m.sccpBuf, m.sccp.called, m.mtp.dpc);
  }

  private gt(buf: Buffer, a: SccpView['calling']): string | null {
    return a.present && a.gti !== 0 && a.digitsEnd > a.digitsStart ? gtDigits(buf, a.digitsStart, a.digitsEnd, a.digitsOdd) : null;
  }

  private fillAddresses(d: number, m: TcapInput): void {
    const s = m.sccp;
    this.setDigits(d, Dg.CallingGt, this.gt(m.sccpBuf, s.calling));
    this.setDigits(d, Dg.CalledGt, this.gt(m.sccpBuf, s.called));
    this.nps[d] = (s.calling.np + 1) | ((s.called.np + 1) << 5);
    this.ssns[d] = (s.calling.ssn >= 0 ? s.calling.ssn + 1 : 0) | ((s.called.ssn >= 0 ? s.called.ssn + 1 : 0) << 9);
    this.opc[d] = m.mtp.opc;
    this.dpc[d] = m.mtp.dpc;
    const f = ssnFamily(s.called.ssn);
    this.fam[d] = (this.fam[d] & 0xff) | ((f !== AppFamily.Unknown ? f : ssnFamily(s.calling.ssn)) << 8);
  }

  /** Orphan: the called GT is the initiator's view of the calling one; the calling GT is unknown. */
  private orphanSwap(d: number): void {
    const b = d * Dg.Count;
    const v = this.digits[b + Dg.CallingGt];
    this.digits[b + Dg.CalledGt] = v;
    if (v === D_RARE) this.rare.set(d * 8 + Dg.CalledGt, this.rare.get(d * 8 + Dg.CallingGt) as string);
    this.digits[b + Dg.CallingGt] = D_NONE;
    this.rare.delete(d * 8 + Dg.CallingGt);
    const np = this.nps[d];
    this.nps[d] = (np & ~(31 << 5)) | ((np & 31) << 5);
  }

  private setDigits(d: number, f: Dg, v: string | null): void {
    const i = d * Dg.Count + f;
    if (v === null) {
      if (this.digits[i] === D_RARE) this.rare.delete(d * 8 + f);
      this.digits[i] = D_NONE;
      return;
    }
    const n = digitsNumber(v);
    this.digits[i] = n;
    if (n === D_RARE) {
      this.rare.set(d * 8 + f, v);
      this.info[d] |= Info.Rare;
    }
  }

  private hasDigits(d: number, f: Dg): boolean {
    return this.digits[d * Dg.Count + f] !== D_NONE;
  }

  private getDigits(d: number, f: Dg): string | null {
    const v = this.digits[d * Dg.Count + f];
    if (v === D_NONE) return null;
    if (v === D_RARE) return this.rare.get(d * 8 + f) as string;
    return numberDigits(v);
  }

  private status(d: number): St {
    return (this.info[d] & Info.StatusMask) >> Info.StatusShift;
  }

  private setStatus(d: number, st: St): void {
    this.info[d] = (this.info[d] & ~Info.StatusMask) | (st << Info.StatusShift);
  }

  /**
   * Walks the components of one message. fromInitiator: sent by the dialogue initiator.
   * The first Invoke of the initiator names the dialogue; the responder's ReturnError / Reject
   * to that invoke sets the status (other invokes are nested operations: counted, and mined for
   * identities only).
   */
  private components(d: number, m: TcapInput, fromInitiator: boolean): void {
    const t = m.tcap;
    for (let i = 0; i < t.componentCount; i++) {
      const c: TcapComponentView = t.components[i];
      if (c.kind === Comp.Invoke) {
        if (fromInitiator && this.firstInvokeId[d] < 0 && this.opcode[d] < 0) {
          this.firstInvokeId[d] = c.invokeId;
          this.opcode[d] = c.opcode;
        } else {
          this.nestedOps[d]++;
        }
        this.identities(d, m, c.opcode, true, c.paramStart, c.paramEnd);
      } else if (!fromInitiator) {
        // Orphans never saw the first invoke: the responder's answers are all we have.
        const first = this.firstInvokeId[d] >= 0 ? c.invokeId === this.firstInvokeId[d] : (this.info[d] & Info.Orphan) !== 0;
        if (c.kind === Comp.ReturnError) {
          if (first) {
            this.setStatus(d, St.Error);
            this.resultCode[d] = c.errorCode;
          }
        } else if (c.kind === Comp.Reject) {
          if (first || c.invokeId < 0) {
            this.setStatus(d, St.Reject);
            this.resultCode[d] = NO_RESULT;
            this.rare.set(
              d * 8 + RARE_REJECT,
              (REJECT_PROBLEM_TYPE_NAMES[c.problemType] ?? 'problem' + c.problemType) + ':' + (REJECT_PROBLEM_NAMES[c.problemType]?.[c.problemCode] ?? String(c.problemCode)),
            );
            this.info[d] |= Info.Rare;
          }
        } else if (first) {
          // ReturnResult(Last/NotLast) of the first invoke: the result may carry the IMSI (SRI, SRI-SM).
          this.identities(d, m, this.opcode[d], false, c.paramStart, c.paramEnd);
        }
      }
    }
  }

  private identities(d: number, m: TcapInput, opcode: number, isInvoke: boolean, start: number, end: number): void {
    if (start < 0 || end <= start || opcode < 0) return;
    if (this.hasDigits(d, Dg.Imsi) && this.hasDigits(d, Dg.Msisdn) && this.hasDigits(d, Dg.Vlr)) return;
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
    if (!this.hasDigits(d, Dg.Imsi) && info.imsiEnd > info.imsiStart) this.setDigits(d, Dg.Imsi, tbcdToString(b, info.imsiStart, info.imsiEnd));
    if (!this.hasDigits(d, Dg.Msisdn) && info.msisdnEnd > info.msisdnStart) this.setDigits(d, Dg.Msisdn, isdnToString(b, info.msisdnStart, info.msisdnEnd));
    if (!this.hasDigits(d, Dg.Vlr) && info.vlrEnd > info.vlrStart) this.setDigits(d, Dg.Vlr, isdnToString(b, info.vlrStart, info.vlrEnd));
    if (!this.hasDigits(d, Dg.Sgsn) && info.sgsnEnd > info.sgsnStart) this.setDigits(d, Dg.Sgsn, isdnToString(b, info.sgsnStart, info.sgsnEnd));
    // CAP: the calling party of an MO call is the subscriber (Q.763 §3.10 number format).
    if (!this.hasDigits(d, Dg.Msisdn) && info.callingEnd > info.callingStart) this.setDigits(d, Dg.Msisdn, isupNumberToString(b, info.callingStart, info.callingEnd));
    if (!this.hasDigits(d, Dg.Vlr) && cap && info.mscEnd > info.mscStart) this.setDigits(d, Dg.Vlr, isdnToString(b, info.mscStart, info.mscEnd));
  }

  /** 'p-abort:resourceLimitation', 'u-abort:aare-reject-permanent', 'u-abort:dialogue-service-user'... */
  private abortCause(t: TcapView): string {
    if (t.abortKind === 1) return 'p-abort:' + (P_ABORT_CAUSE_NAMES[t.pAbortCause] ?? String(t.pAbortCause));
    if (t.dialogue === 0x61) return 'u-abort:aare-' + (AARE_RESULT_NAMES[t.aareResult] ?? String(t.aareResult));
    if (t.dialogue === 0x64 && t.abortSource >= 0) return 'u-abort:' + (ABORT_SOURCE_NAMES[t.abortSource] ?? String(t.abortSource));
    return 'u-abort';
  }

  private family(d: number): Protocol {
    const f = this.fam[d];
    const acn = f & 0xff;
    if (acn === 2) return 'cap';
    if (acn === 1) return 'map';
    const ssn = f >> 8;
    if (ssn === AppFamily.Cap) return 'cap';
    if (ssn === AppFamily.Map) return 'map';
    return 'tcap';
  }

  private finish(d: number, status: St, reason: EndReason, rspFrame: number | null, rspUs: number | null, abortCause: string | null): void {
    this.unindex(d << 1);
    this.unindex((d << 1) | 1);
    this.unlink(d);
    this.emit(d, status, reason, rspFrame, rspUs, abortCause);
    this.release(d);
  }

  private emit(d: number, st: St, reason: EndReason, rspFrame: number | null, rspUs: number | null, abortCause: string | null): void {
    this.closed[reason]++;
    const status = STATUS[st];
    const protocol = this.family(d);
    const op = this.opcode[d];
    const opcode = op >= 0 ? op : null;
    const rc = this.resultCode[d];
    const resultCode = rc !== NO_RESULT ? rc : null;
    const info = this.info[d];
    const rejectProblem = st === St.Reject ? (this.rare.get(d * 8 + RARE_REJECT) ?? null) : null;
    const resultName =
      st === St.Error && resultCode !== null && resultCode >= 0
        ? protocol === 'cap'
          ? capErrorName(resultCode)
          : mapErrorName(resultCode)
        : st === St.Abort
          ? abortCause
          : st === St.Reject
            ? rejectProblem
            : null;
    const imsi = this.getDigits(d, Dg.Imsi);
    const msisdn = this.getDigits(d, Dg.Msisdn);
    const split = imsi !== null ? splitImsi(imsi) : null;
    const bf = this.beginFrame[d];
    const bu = this.beginUs[d];
    const beginUs = bu === bu ? bu : null;
    const nps = this.nps[d];
    const ssns = this.ssns[d];
    const csn = (ssns & 511) - 1;
    const dsn = (ssns >> 9) - 1;
    const r: DialogueRecord = {
      protocol,
      procedure: opcode !== null ? procedureName(protocol === 'cap' ? 2 : 1, opcode) : null,
      opcode,
      status,
      resultCode: st === St.Error && resultCode !== null && resultCode >= 0 ? resultCode : null,
      resultName,
      endReason: reason,
      orphan: (info & Info.Orphan) !== 0,
      reqFrame: bf === bf ? bf : null,
      rspFrame: st === St.Timeout ? null : rspFrame,
      reqTimeUs: beginUs,
      rspTimeUs: st === St.Timeout ? null : rspUs,
      latencyUs: st !== St.Timeout && rspUs !== null && beginUs !== null ? rspUs - beginUs : null,
      imsi: this.ids.protect('imsi', imsi),
      msisdn: this.ids.protect('msisdn', msisdn),
      homeMcc: split ? split[0] : null,
      homeMnc: split ? split[1] : null,
      // Subscriber numbers among the GTs (MSISDN-routed, E.214 / E.212) are protected like identities.
      callingGt: this.ids.protectGt(this.getDigits(d, Dg.CallingGt), (nps & 31) - 1, msisdn, imsi),
      calledGt: this.ids.protectGt(this.getDigits(d, Dg.CalledGt), ((nps >> 5) & 31) - 1, msisdn, imsi),
      responderGt: this.ids.protectGt(this.getDigits(d, Dg.ResponderGt), ((nps >> 10) & 31) - 1, msisdn, imsi),
      opc: this.opc[d],
      dpc: this.dpc[d],
      callingSsn: csn >= 0 ? csn : null,
      calledSsn: dsn >= 0 ? dsn : null,
      vlrNumber: this.getDigits(d, Dg.Vlr),
      sgsnNumber: this.getDigits(d, Dg.Sgsn),
      appContext: this.appContext[d],
      otid: (info & Info.Init) !== 0 ? tidHex(this.keyTid[d << 1], this.keyLen[d << 1]) : null,
      dtid: (info & Info.Resp) !== 0 ? tidHex(this.keyTid[(d << 1) | 1], this.keyLen[(d << 1) | 1]) : null,
      messages: this.messages[d],
      nestedOps: this.nestedOps[d],
      retransmissions: this.retransmissions[d],
      abortCause,
      site: this.site,
      source: this.source,
    };
    this.sink.write(r);
  }

  // ------------------------------------------------------------------ slots and LRU

  private alloc(): number {
    let d = this.freeHead;
    if (d !== -1) {
      this.freeHead = this.next[d];
    } else {
      if (this.used === this.cap) this.grow(this.cap * 2);
      d = this.used++;
    }
    this.prev[d] = -1;
    this.next[d] = -1;
    this.lastUs[d] = 0;
    this.beginFrame[d] = NaN;
    this.beginUs[d] = NaN;
    this.beginHash[d] = 0;
    this.beginLen[d] = 0;
    this.firstInvokeId[d] = -1;
    this.opcode[d] = -1;
    this.info[d] = 0;
    this.fam[d] = 0;
    this.nps[d] = 0;
    this.opc[d] = -1;
    this.dpc[d] = -1;
    this.ssns[d] = 0;
    this.resultCode[d] = NO_RESULT;
    this.messages[d] = 0;
    this.nestedOps[d] = 0;
    this.retransmissions[d] = 0;
    this.digits.fill(D_NONE, d * Dg.Count, d * Dg.Count + Dg.Count);
    this.appContext[d] = null;
    this.indexed[d << 1] = 0;
    this.indexed[(d << 1) | 1] = 0;
    return d;
  }

  /** Frees the slot (its keys are already out of the index, the slot out of the LRU). */
  private release(d: number): void {
    if ((this.info[d] & Info.Rare) !== 0) for (let f = 0; f < 8; f++) this.rare.delete(d * 8 + f);
    const info = this.info[d];
    if ((info & Info.Init) !== 0) this.addrs.release(this.keyAddr[d << 1]);
    if ((info & Info.Resp) !== 0) this.addrs.release(this.keyAddr[(d << 1) | 1]);
    this.info[d] = 0;
    this.appContext[d] = null;
    this.next[d] = this.freeHead;
    this.freeHead = d;
  }

  private push(d: number): void {
    this.prev[d] = this.tail;
    this.next[d] = -1;
    if (this.tail !== -1) this.next[this.tail] = d;
    else this.head = d;
    this.tail = d;
    this.size++;
  }

  private unlink(d: number): void {
    const p = this.prev[d];
    const x = this.next[d];
    if (p !== -1) this.next[p] = x;
    else if (this.head === d) this.head = x;
    else return; // not linked
    if (x !== -1) this.prev[x] = p;
    else this.tail = p;
    this.prev[d] = this.next[d] = -1;
    this.size--;
  }

  private touch(d: number, nowUs: number): void {
    this.lastUs[d] = nowUs;
    if (this.tail === d) return;
    this.unlink(d);
    this.push(d);
  }

  private grow(n: number): void {
    const f64 = (a: Float64Array, k = 1) => {
      const b = new Float64Array(n * k);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array, k = 1) => {
      const b = new Int32Array(n * k);
      b.set(a);
      return b;
    };
    const u8 = (a: Uint8Array, k = 1) => {
      const b = new Uint8Array(n * k);
      b.set(a);
      return b;
    };
    this.prev = i32(this.prev);
    this.next = i32(this.next);
    this.lastUs = f64(this.lastUs);
    this.beginFrame = f64(this.beginFrame);
    this.beginUs = f64(this.beginUs);
    this.beginHash = i32(this.beginHash);
    this.beginLen = i32(this.beginLen);
    this.firstInvokeId = i32(this.firstInvokeId);
    this.opcode = i32(this.opcode);
    this.info = i32(this.info);
    this.fam = i32(this.fam);
    this.nps = i32(this.nps);
    this.opc = i32(this.opc);
    this.dpc = i32(this.dpc);
    this.ssns = i32(this.ssns);
    this.resultCode = i32(this.resultCode);
    this.messages = i32(this.messages);
    this.nestedOps = i32(this.nestedOps);
    this.retransmissions = i32(this.retransmissions);
    this.digits = f64(this.digits, Dg.Count);
    for (let i = this.cap; i < n; i++) this.appContext.push(null);
    this.keyAddr = i32(this.keyAddr, 2);
    this.keyTid = i32(this.keyTid, 2);
    this.keyLen = u8(this.keyLen, 2);
    this.indexed = u8(this.indexed, 2);
    this.chain = i32(this.chain, 2);
    this.cap = n;
  }

  // ------------------------------------------------------------------ key index

  /** Node's key := (address of the calling / called party, tid, len); takes a reference on the address. */
  private setKey(node: number, m: TcapInput, calling: boolean, tid: number, len: number): void {
    this.keyAddr[node] = this.acquireAddress(m, calling);
    this.keyTid[node] = tid | 0;
    this.keyLen[node] = len;
  }

  private sameKey(a: number, b: number): boolean {
    return this.keyAddr[a] === this.keyAddr[b] && this.keyTid[a] === this.keyTid[b] && this.keyLen[a] === this.keyLen[b];
  }

  /** The message matched the dialogue's initiator key (not its responder key). */
  private isInitKey(d: number, node: number): boolean {
    return node === d << 1 || this.sameKey(node, d << 1);
  }

  /** Node holding (address id a, tid, len), or -1. */
  private lookup(a: number, tid: number, len: number): number {
    if (a === -1) return -1;
    const t = tid | 0;
    let n = this.buckets[keyHash(a, t, len) & this.bucketMask];
    while (n !== -1) {
      if (this.keyAddr[n] === a && this.keyTid[n] === t && this.keyLen[n] === len) return n;
      n = this.chain[n];
    }
    return -1;
  }

  private index(node: number): void {
    if (this.nodes >= this.buckets.length) this.rehash(this.buckets.length * 2);
    const b = keyHash(this.keyAddr[node], this.keyTid[node], this.keyLen[node]) & this.bucketMask;
    this.chain[node] = this.buckets[b];
    this.buckets[b] = node;
    this.indexed[node] = 1;
    this.nodes++;
  }

  private unindex(node: number): void {
    if (this.indexed[node] === 0) return;
    const b = keyHash(this.keyAddr[node], this.keyTid[node], this.keyLen[node]) & this.bucketMask;
    let n = this.buckets[b];
    if (n === node) {
      this.buckets[b] = this.chain[node];
    } else {
      while (n !== -1 && this.chain[n] !== node) n = this.chain[n];
      if (n !== -1) this.chain[n] = this.chain[node];
    }
    this.indexed[node] = 0;
    this.nodes--;
  }

  private rehash(size: number): void {
    this.buckets = new Int32Array(size).fill(-1);
    this.bucketMask = size - 1;
    for (let node = 0; node < 2 * this.used; node++) {
      if (this.indexed[node] === 0) continue;
      const b = keyHash(this.keyAddr[node], this.keyTid[node], this.keyLen[node]) & this.bucketMask;
      this.chain[node] = this.buckets[b];
      this.buckets[b] = node;
    }
  }
}
