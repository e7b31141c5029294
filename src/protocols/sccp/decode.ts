/**
 * SCCP decoder (ITU-T Q.713): connectionless messages UDT, UDTS, XUDT, XUDTS, LUDT, LUDTS
 * (§4.10 - 4.20): fixed part, mandatory variable part through pointers (§2.3), called and
 * calling party addresses (§3.4), data / long data, optional part (segmentation, importance).
 * Connection-oriented messages (CR ... IT) are returned as Ok with only msgType set.
 */
import { SccpAddressStatus, decodeSccpAddress } from './address';
import {
  SCCP_MAX_OPTIONAL_PARAMS, SCCP_SEGMENTATION_LEN, SccpAnomaly, SccpMsgType, SccpParam,
} from './constants';
import type { SccpView } from './types';
import { resetSccpView } from './types';

/**
 * Offset of the parameter a pointer designates (Q.713 §2.3). A one-octet pointer counts from
 * itself; a two-octet pointer (LUDT, LUDTS; least significant octet first) counts from its
 * second (most significant) octet — Q.713 §2.3, as Wireshark reads it. A 0 pointer yields an
 * offset inside the pointer area, which the callers reject.
 */
function pointerTarget(buf: Buffer, at: number, long: boolean): number {
  return long ? at + 1 + buf.readUInt16LE(at) : at + buf[at];
}

/** Optional part at [q, end) (Q.713 §2.4): sets importance and segmentation fields. */
function decodeOptionalPart(buf: Buffer, q: number, end: number, out: SccpView): SccpAnomaly {
  for (let n = 0; q < end; n++) {
    const name = buf[q];
    if (name === SccpParam.EndOfOptional) return SccpAnomaly.Ok;
    if (n === SCCP_MAX_OPTIONAL_PARAMS) return SccpAnomaly.TooManyOptionalParams;
    if (end - q < 2) return SccpAnomaly.BadOptionalPart;
    const len = buf[q + 1];
    const v = q + 2;
    if (len > end - v) return SccpAnomaly.BadOptionalPart;
    if (name === SccpParam.Segmentation) {
      // Q.713 §3.17: F(1) C(1) spare(2) remaining segments(4), segmentation local reference(3).
      if (len !== SCCP_SEGMENTATION_LEN) return SccpAnomaly.BadSegmentation;
      const o = buf[v];
      out.segmented = true;
      out.segFirst = (o & 0x80) !== 0;
      out.segClass = (o >> 6) & 1;
      out.segRemaining = o & 0x0f;
      out.segLocalRef = buf[v + 1] | (buf[v + 2] << 8) | (buf[v + 3] << 16);
    } else if (name === SccpParam.Importance && len >= 1) {
      out.importance = buf[v] & 0x07; // Q.713 §3.19
    }
    q = v + len;
  }
  return SccpAnomaly.Ok; // end of message without "end of optional parameters": tolerated
}

/**
 * Decodes the SCCP message at [start, end) of buf into `out`; returns an SccpAnomaly (0 = ok).
 * Pointer, length and truncation faults stop decoding at once. Address faults
 * (BadCalledAddress, BadCallingAddress, ReservedGti) and optional-part faults are returned
 * after the rest was decoded, so [dataStart, dataEnd) is still set for them; it is set
 * whenever the data parameter itself was valid (non-empty range), also for UDTS/XUDTS/LUDTS
 * (the returned message). For connection-oriented types only msgType is set.
 */
export function decodeSccp(buf: Buffer, start: number, end: number, out: SccpView): number {
  resetSccpView(out, start);
  if (end > buf.length) end = buf.length;
  if (start < 0 || start >= end) return SccpAnomaly.Truncated;
  const type = buf[start];
  out.msgType = type;
  let service = false; // second octet is a return cause, not a protocol class
  let hop = false; // hop counter octet
  let optional = false; // fourth pointer to the optional part
  let long = false; // two-octet pointers, two-octet long data length
  switch (type) {
    case SccpMsgType.UDT: break; // §4.10
    case SccpMsgType.UDTS: service = true; break; // §4.11
    case SccpMsgType.XUDT: hop = optional = true; break; // §4.18
    case SccpMsgType.XUDTS: service = hop = optional = true; break; // §4.19
    case SccpMsgType.LUDT: hop = optional = long = true; break; // §4.20
    case SccpMsgType.LUDTS: service = hop = optional = long = true; break; // §4.21
    default:
      return type >= SccpMsgType.CR && type <= SccpMsgType.IT ? SccpAnomaly.Ok : SccpAnomaly.UnknownMessageType;
  }
  const ptrSize = long ? 2 : 1;
  const ptr = start + (hop ? 3 : 2); // first pointer
  const ptrEnd = ptr + ptrSize * (optional ? 4 : 3);
  if (ptrEnd > end) return SccpAnomaly.Truncated;
  const second = buf[start + 1];
  if (service) {
    out.returnCause = second; // §3.12
  } else {
    out.protocolClass = second & 0x0f; // §3.6
    out.returnOnError = (second & 0x80) !== 0;
  }
  if (hop) out.hopCounter = buf[start + 2]; // §3.18

  let code: number = SccpAnomaly.Ok;
  // Called party address (§3.4), then calling party address: length octet + value.
  for (let i = 0; i < 2; i++) {
    const at = pointerTarget(buf, ptr + i * ptrSize, long);
    if (at < ptrEnd || at >= end) return SccpAnomaly.BadPointer;
    const vEnd = at + 1 + buf[at];
    if (vEnd > end) return SccpAnomaly.BadParamLength;
    const st = decodeSccpAddress(buf, at + 1, vEnd, i === 0 ? out.called : out.calling);
    if (st !== SccpAddressStatus.Ok && code === SccpAnomaly.Ok) {
      code = st === SccpAddressStatus.ReservedGti ? SccpAnomaly.ReservedGti
        : i === 0 ? SccpAnomaly.BadCalledAddress : SccpAnomaly.BadCallingAddress;
    }
  }
  // Data (§3.16, one-octet length) or long data (§3.16, two-octet length, LSB first).
  const dataAt = pointerTarget(buf, ptr + 2 * ptrSize, long);
  const lenSize = long ? 2 : 1;
  if (dataAt < ptrEnd || dataAt + lenSize > end) return SccpAnomaly.BadPointer;
  const dataStart = dataAt + lenSize;
  const dataEnd = dataStart + (long ? buf.readUInt16LE(dataAt) : buf[dataAt]);
  if (dataEnd > end) return SccpAnomaly.BadParamLength;
  out.dataStart = dataStart;
  out.dataEnd = dataEnd;

  if (optional && (long ? buf.readUInt16LE(ptr + 3 * ptrSize) : buf[ptr + 3]) !== 0) {
    const at = pointerTarget(buf, ptr + 3 * ptrSize, long);
    const st = at < ptrEnd || at >= end ? SccpAnomaly.BadOptionalPart : decodeOptionalPart(buf, at, end, out);
    if (st !== SccpAnomaly.Ok && code === SccpAnomaly.Ok) code = st;
  }
  return code;
}

// Address helpers, re-exported for callers that take everything SCCP from the decoder module.
export { gtDigits, sccpAddressKey } from './address';
