/**
 * TCAP component portion (Q.773 §4.2.3): Invoke, ReturnResult(Not)Last, ReturnError, Reject.
 */
import { BER_INT_FAIL, BerStatus, berInteger, berIntegerOk, berRead, berReadClamped, createBerTlv } from './ber';
import {
  TCAP_GLOBAL, TCAP_MAX_COMPONENTS, TcapAnomaly, TcapComponentFieldTag, TcapComponentKind,
  TcapComponentTag, TcapTag,
} from './constants';
import { resetTcapComponentView } from './types';
import type { TcapComponentView, TcapView } from './types';

/** Most elements examined in one component portion (components plus skipped unknown ones). */
const MAX_PORTION_ELEMENTS = 2 * TCAP_MAX_COMPONENTS;

const compTlv = createBerTlv();
const elTlv = createBerTlv();
const seqTlv = createBerTlv();

/** Code read by readCode: a local value, TCAP_GLOBAL, or BER_INT_FAIL (anomaly in codeStatus). */
let codeStatus = 0;

function componentKind(tag: number): number {
  switch (tag) {
    case TcapComponentTag.Invoke: return TcapComponentKind.Invoke;
    case TcapComponentTag.ReturnResultLast: return TcapComponentKind.ReturnResultLast;
    case TcapComponentTag.ReturnError: return TcapComponentKind.ReturnError;
    case TcapComponentTag.Reject: return TcapComponentKind.Reject;
    case TcapComponentTag.ReturnResultNotLast: return TcapComponentKind.ReturnResultNotLast;
    default: return 0;
  }
}

/**
 * Decodes the value [start, end) of a ComponentPortion (0x6C) into out.components /
 * out.componentCount. Returns a TcapAnomaly code (the first one met).
 */
export function decodeComponentPortion(buf: Buffer, start: number, end: number, out: TcapView): number {
  let anomaly: number = TcapAnomaly.Ok;
  let pos = start;
  for (let n = 0; pos < end; n++) {
    if (n === MAX_PORTION_ELEMENTS) return anomaly || TcapAnomaly.TooManyElements;
    // clamped: a component cut by the end of the message still yields invokeID, opcode and the
    // parameter's leading part (reported as truncated)
    const st = berReadClamped(buf, pos, end, compTlv);
    if (st !== BerStatus.Ok) return anomaly || st;
    if (compTlv.clamped && anomaly === TcapAnomaly.Ok) anomaly = TcapAnomaly.Truncated;
    pos = compTlv.next;
    const kind = componentKind(compTlv.tag);
    if (kind === 0) {
      if (anomaly === TcapAnomaly.Ok) anomaly = TcapAnomaly.UnknownComponent;
      continue;
    }
    if (out.componentCount === TCAP_MAX_COMPONENTS) return anomaly || TcapAnomaly.TooManyComponents;
    const c = out.components[out.componentCount++];
    resetTcapComponentView(c);
    c.kind = kind;
    const a = decodeComponent(buf, compTlv.valueStart, compTlv.valueEnd, c);
    if (a !== TcapAnomaly.Ok && anomaly === TcapAnomaly.Ok) anomaly = a;
  }
  return anomaly;
}

/** Decodes one component's value [start, end) into `c` (c.kind already set). */
function decodeComponent(buf: Buffer, start: number, end: number, c: TcapComponentView): number {
  // invokeID InvokeIdType (INTEGER); a Reject may carry NULL instead (§4.2.3, Reject.invokeIDRej)
  if (start >= end) return TcapAnomaly.BadComponent;
  let st = berRead(buf, start, end, elTlv);
  if (st !== BerStatus.Ok) return st;
  if (elTlv.tag === TcapTag.Integer) {
    if (!berIntegerOk(elTlv.valueStart, elTlv.valueEnd)) return TcapAnomaly.BadInteger;
    c.invokeId = berInteger(buf, elTlv.valueStart, elTlv.valueEnd);
  } else if (elTlv.tag !== TcapTag.Null || c.kind !== TcapComponentKind.Reject) {
    return TcapAnomaly.BadComponent;
  }
  let pos = elTlv.next;

  switch (c.kind) {
    case TcapComponentKind.Invoke: {
      if (pos >= end) return TcapAnomaly.BadComponent;
      st = berRead(buf, pos, end, elTlv);
      if (st !== BerStatus.Ok) return st;
      const tag: number = elTlv.tag; // (a fresh read: no narrowing from the invokeID check)
      if (tag === TcapComponentFieldTag.LinkedId || tag === TcapComponentFieldTag.LinkedIdAbsent) {
        if (tag === TcapComponentFieldTag.LinkedId) {
          if (!berIntegerOk(elTlv.valueStart, elTlv.valueEnd)) return TcapAnomaly.BadInteger;
          c.linkedId = berInteger(buf, elTlv.valueStart, elTlv.valueEnd);
        }
        pos = elTlv.next;
      }
      const op = readCode(buf, pos, end);
      if (op === BER_INT_FAIL) return codeStatus;
      c.opcode = op;
      setParam(elTlv.next, end, c);
      return TcapAnomaly.Ok;
    }
    case TcapComponentKind.ReturnResultLast:
    case TcapComponentKind.ReturnResultNotLast: {
      if (pos >= end) return TcapAnomaly.Ok; // result SEQUENCE is OPTIONAL
      st = berReadClamped(buf, pos, end, seqTlv);
      if (st !== BerStatus.Ok) return st;
      if (seqTlv.tag !== TcapTag.Sequence) return TcapAnomaly.BadComponent;
      const op = readCode(buf, seqTlv.valueStart, seqTlv.valueEnd);
      if (op === BER_INT_FAIL) return codeStatus;
      c.opcode = op;
      setParam(elTlv.next, seqTlv.valueEnd, c);
      return seqTlv.next !== end ? TcapAnomaly.UnexpectedElement : TcapAnomaly.Ok;
    }
    case TcapComponentKind.ReturnError: {
      const err = readCode(buf, pos, end);
      if (err === BER_INT_FAIL) return codeStatus;
      c.errorCode = err;
      setParam(elTlv.next, end, c);
      return TcapAnomaly.Ok;
    }
    default: { // Reject: problem CHOICE [0]..[3] IMPLICIT INTEGER
      if (pos >= end) return TcapAnomaly.BadComponent;
      st = berRead(buf, pos, end, elTlv);
      if (st !== BerStatus.Ok) return st;
      const t = elTlv.tag;
      if (t < TcapComponentFieldTag.ProblemGeneral || t > TcapComponentFieldTag.ProblemReturnError) {
        return TcapAnomaly.BadComponent;
      }
      if (!berIntegerOk(elTlv.valueStart, elTlv.valueEnd)) return TcapAnomaly.BadInteger;
      c.problemType = t - TcapComponentFieldTag.ProblemGeneral;
      c.problemCode = berInteger(buf, elTlv.valueStart, elTlv.valueEnd);
      return elTlv.next !== end ? TcapAnomaly.UnexpectedElement : TcapAnomaly.Ok;
    }
  }
}

/**
 * Reads an operation / error code (local INTEGER or global OBJECT IDENTIFIER) at `pos` into
 * elTlv. Returns the local value, TCAP_GLOBAL, or BER_INT_FAIL with codeStatus set.
 */
function readCode(buf: Buffer, pos: number, end: number): number {
  if (pos >= end) {
    codeStatus = TcapAnomaly.BadComponent;
    return BER_INT_FAIL;
  }
  const st = berRead(buf, pos, end, elTlv);
  if (st !== BerStatus.Ok) {
    codeStatus = st;
    return BER_INT_FAIL;
  }
  if (elTlv.tag === TcapTag.ObjectIdentifier) return TCAP_GLOBAL;
  if (elTlv.tag !== TcapTag.Integer) {
    codeStatus = TcapAnomaly.BadComponent;
    return BER_INT_FAIL;
  }
  if (!berIntegerOk(elTlv.valueStart, elTlv.valueEnd)) {
    codeStatus = TcapAnomaly.BadInteger;
    return BER_INT_FAIL;
  }
  const v = berInteger(buf, elTlv.valueStart, elTlv.valueEnd);
  if (v < 0) {
    // negative local codes collide with the −1/−2 sentinels; no MAP/CAP code is negative
    codeStatus = TcapAnomaly.BadInteger;
    return BER_INT_FAIL;
  }
  return v;
}

function setParam(start: number, end: number, c: TcapComponentView): void {
  if (start < end) {
    c.paramStart = start;
    c.paramEnd = end;
  }
}
