import { Layer } from '../metrics/layers';
import type { Counters } from '../metrics/anomalies';
import type { SctpMessageView } from '../net/types';
import type { SctpUpper } from './registry';
import { decodeM3ua } from '../protocols/m3ua/decode';
import { decodeM2ua } from '../protocols/m2ua/decode';
import { createM3uaView } from '../protocols/m3ua/types';
import type { M3uaView } from '../protocols/m3ua/types';
import { decodeSccp, sccpAddressKey } from '../protocols/sccp/decode';
import { SccpAnomaly } from '../protocols/sccp/constants';
import { createSccpView } from '../protocols/sccp/types';
import type { SccpView } from '../protocols/sccp/types';
import { XudtReassembler } from '../protocols/sccp/segmentation';
import { decodeTcap } from '../protocols/tcap/decode';
import { createTcapView } from '../protocols/tcap/types';
import type { TcapCorrelator, TcapInput } from '../correlate/tcapDialogues';

/** MTP3 service indicators (Q.704 §14.2.1) routed above MTP3 — data, not code. */
export const enum ServiceIndicator {
  Sccp = 3,
  Tup = 4,
  Isup = 5,
}

/** SCCP anomaly codes from this value on (bad address, reserved GTI, optional part) keep the data. */
const SccpAnomalyKeepsData = SccpAnomaly.BadCalledAddress;

/** SCCP message types (Q.713 §1.1.2) that carry connectionless user data. */
const enum SccpType {
  Udt = 0x09,
  Udts = 0x0a,
  Xudt = 0x11,
  Xudts = 0x12,
  Ludt = 0x13,
  Ludts = 0x14,
}

export interface SigtranLimits {
  xudtMaxMessages: number;
  xudtMaxBytes: number;
  xudtTimeoutUs: number;
}

export const DEFAULT_SIGTRAN_LIMITS: SigtranLimits = {
  xudtMaxMessages: 4096,
  xudtMaxBytes: 16 * 1024 * 1024,
  xudtTimeoutUs: 10_000_000,
};

/** Counters of what the SIGTRAN stack saw besides anomalies (exported as metrics). */
export class SigtranStats {
  /** M3UA messages by class (RFC 4666 §3.1.2): index = class. */
  readonly m3uaByClass = new Float64Array(16);
  readonly m2uaNonData = { count: 0 };
  /** MTP3 user parts by SI. */
  readonly bySi = new Float64Array(16);
  /** SCCP messages by type. */
  readonly sccpByType = new Float64Array(32);
  /** UDTS / XUDTS / LUDTS by return cause (Q.713 §3.12). */
  readonly returnCauses = new Float64Array(256);
  /** TCAP messages by type (low 4 bits of the tag). */
  readonly tcapByType = new Float64Array(16);
}

/**
 * M3UA / M2UA → MTP3 → SCCP (XUDT reassembly) → TCAP → dialogue correlation.
 * One instance per pipeline; every view is allocated once and reused.
 */
export class SigtranHandler {
  readonly stats = new SigtranStats();
  readonly xudt: XudtReassembler;
  private readonly mtp: M3uaView = createM3uaView();
  private readonly sccp: SccpView = createSccpView();
  private readonly input: TcapInput;
  private frame = 0;
  private tsUs = 0;

  /** Entry point registered for M3UA (PPID 3). */
  readonly m3ua: SctpUpper = { onSctpMessage: (m, f, t) => this.onAdaptation(m, f, t, false) };
  /** Entry point registered for M2UA (PPID 2). */
  readonly m2ua: SctpUpper = { onSctpMessage: (m, f, t) => this.onAdaptation(m, f, t, true) };

  constructor(
    private readonly counters: Counters,
    private readonly correlator: TcapCorrelator,
    limits: SigtranLimits = DEFAULT_SIGTRAN_LIMITS,
  ) {
    this.xudt = new XudtReassembler(limits.xudtMaxMessages, limits.xudtMaxBytes, limits.xudtTimeoutUs);
    this.input = {
      tcap: createTcapView(),
      tcapBuf: Buffer.alloc(0),
      tcapStart: 0,
      tcapEnd: 0,
      sccp: this.sccp,
      sccpBuf: Buffer.alloc(0),
      mtp: this.mtp,
      frame: 0,
      tsUs: 0,
    };
  }

  private onAdaptation(msg: SctpMessageView, frame: number, tsUs: number, m2ua: boolean): void {
    this.frame = frame;
    this.tsUs = tsUs;
    const mtp = this.mtp;
    const code = m2ua ? decodeM2ua(msg.buf, msg.start, msg.end, mtp) : decodeM3ua(msg.buf, msg.start, msg.end, mtp);
    const layer = m2ua ? Layer.M2ua : Layer.M3ua;
    if (code !== 0) {
      this.counters.anomaly(layer, code);
      return;
    }
    this.counters.ok(layer);
    if (!m2ua) this.stats.m3uaByClass[mtp.msgClass & 15]++;
    if (!mtp.hasData) {
      if (m2ua) this.stats.m2uaNonData.count++;
      return;
    }
    this.stats.bySi[mtp.si & 15]++;
    if (mtp.si === ServiceIndicator.Sccp) this.onSccp(msg.buf, mtp.dataStart, mtp.dataEnd);
  }

  private onSccp(buf: Buffer, start: number, end: number): void {
    const s = this.sccp;
    const code = decodeSccp(buf, start, end, s);
    if (code !== 0) {
      this.counters.anomaly(Layer.Sccp, code);
      // Address / optional-part problems (codes ≥ 5) still leave a valid user-data range: the
      // TCAP inside is decoded; header-level failures (truncated, bad pointer...) are skipped.
      if (code < SccpAnomalyKeepsData) return;
    } else {
      this.counters.ok(Layer.Sccp);
    }
    this.stats.sccpByType[s.msgType & 31]++;
    switch (s.msgType) {
      case SccpType.Udt:
        break;
      case SccpType.Xudt:
      case SccpType.Ludt:
        if (s.segmented) {
          const key = sccpAddressKey(buf, s.calling, this.mtp.opc);
          const whole = this.xudt.add(key, s, buf, this.tsUs);
          if (whole === null) return; // more segments to come (or dropped: counted by the reassembler)
          this.counters.ok(Layer.SccpReassembly);
          this.onTcap(buf, whole, 0, whole.length);
          return;
        }
        break;
      case SccpType.Udts:
      case SccpType.Xudts:
      case SccpType.Ludts:
        // A message SCCP could not deliver (returned with a cause): noted, not a dialogue message.
        if (s.returnCause >= 0) this.stats.returnCauses[s.returnCause & 255]++;
        return;
      default:
        return; // connection-oriented SCCP: counted by type only
    }
    if (s.dataEnd > s.dataStart) this.onTcap(buf, buf, s.dataStart, s.dataEnd);
  }

  private onTcap(sccpBuf: Buffer, buf: Buffer, start: number, end: number): void {
    const inp = this.input;
    const code = decodeTcap(buf, start, end, inp.tcap);
    if (code !== 0) {
      this.counters.anomaly(Layer.Tcap, code);
      // A decode that still found the transaction portion (e.g. too many components) goes on.
      if (inp.tcap.msgType === 0) return;
    } else {
      this.counters.ok(Layer.Tcap);
    }
    this.stats.tcapByType[inp.tcap.msgType & 15]++;
    inp.tcapBuf = buf;
    inp.tcapStart = start;
    inp.tcapEnd = end;
    inp.sccpBuf = sccpBuf;
    inp.frame = this.frame;
    inp.tsUs = this.tsUs;
    this.correlator.onMessage(inp);
  }

  expire(nowUs: number): void {
    this.xudt.expire(nowUs);
  }
}

/** Strict M3UA header heuristic (RFC 4666 §3.1): version 1, reserved 0, known class, exact length. */
export function looksLikeM3ua(buf: Buffer, start: number, end: number): boolean {
  if (end - start < 8) return false;
  if (buf[start] !== 1 || buf[start + 1] !== 0) return false;
  const cls = buf[start + 2];
  if (!(cls <= 4 || cls === 9)) return false;
  const len = buf.readUInt32BE(start + 4);
  return len === end - start && len >= 8;
}

/** Strict M2UA header heuristic (RFC 3331 §3.1): version 1, reserved 0, class MAUP (6) or IIM (10). */
export function looksLikeM2ua(buf: Buffer, start: number, end: number): boolean {
  if (end - start < 8) return false;
  if (buf[start] !== 1 || buf[start + 1] !== 0) return false;
  const cls = buf[start + 2];
  if (cls !== 6 && cls !== 10) return false;
  const len = buf.readUInt32BE(start + 4);
  return len === end - start;
}
