/**
 * TCAP message decoder (ITU-T Q.773 §4.2): transaction portion here, dialogue portion in
 * dialogue.ts, component portion in components.ts.
 */
import { BerStatus, berReadClamped, berUnsigned, berInteger, berIntegerOk, createBerTlv } from './ber';
import {
  TCAP_MAX_MESSAGE_ELEMENTS, TcapAbortKind, TcapAnomaly, TcapMsgType, TcapTag,
} from './constants';
import { decodeComponentPortion } from './components';
import { decodeDialoguePortion } from './dialogue';
import { resetTcapView } from './types';
import type { TcapView } from './types';

export { acnToString } from './acn';

/** Transaction ids are 1–4 octets (Q.773 §4.2.2 OrigTransactionID / DestTransactionID). */
const TID_MAX_OCTETS = 4;

const msgTlv = createBerTlv();
const elTlv = createBerTlv();

/**
 * Decodes the TCAP message in buf[start, end) into `out`. Returns a TcapAnomaly code (0 = ok);
 * fields decoded before an anomaly stay set. Never throws.
 */
export function decodeTcap(buf: Buffer, start: number, end: number, out: TcapView): number {
  resetTcapView(out);
  if (end > buf.length) end = buf.length;
  if (start < 0 || start >= end) return TcapAnomaly.Truncated;
  // Clamped reads: a message cut short (e.g. an SCCP data length smaller than the TCAP length)
  // still yields its complete leading elements, with the anomaly `truncated`.
  let st = berReadClamped(buf, start, end, msgTlv);
  if (st !== BerStatus.Ok) return st;
  const t = msgTlv.tag;
  if (t !== TcapMsgType.Unidirectional && t !== TcapMsgType.Begin && t !== TcapMsgType.End
    && t !== TcapMsgType.Continue && t !== TcapMsgType.Abort) {
    return TcapAnomaly.UnknownMessageType;
  }
  out.msgType = t;
  let anomaly: number = msgTlv.clamped ? TcapAnomaly.Truncated : TcapAnomaly.Ok;
  let hasDialogue = false;
  let hasPAbortCause = false;

  let pos = msgTlv.valueStart;
  const mEnd = msgTlv.valueEnd;
  for (let n = 0; pos < mEnd; n++) {
    if (n === TCAP_MAX_MESSAGE_ELEMENTS) return anomaly || TcapAnomaly.TooManyElements;
    st = berReadClamped(buf, pos, mEnd, elTlv);
    if (st !== BerStatus.Ok) return anomaly || st;
    if (elTlv.clamped) {
      if (anomaly === TcapAnomaly.Ok) anomaly = TcapAnomaly.Truncated;
      if (!elTlv.constructed) break; // a cut tid / cause is not used
    }
    pos = elTlv.next;
    const vs = elTlv.valueStart;
    const ve = elTlv.valueEnd;
    let a: number = TcapAnomaly.Ok;
    switch (elTlv.tag) {
      case TcapTag.Otid:
        if (t === TcapMsgType.Unidirectional || t === TcapMsgType.End || t === TcapMsgType.Abort) {
          a = TcapAnomaly.UnexpectedElement;
        } else if (ve - vs < 1 || ve - vs > TID_MAX_OCTETS) {
          a = TcapAnomaly.BadTidLength;
        } else {
          out.otid = berUnsigned(buf, vs, ve);
          out.otidLen = ve - vs;
        }
        break;
      case TcapTag.Dtid:
        if (t === TcapMsgType.Unidirectional || t === TcapMsgType.Begin) {
          a = TcapAnomaly.UnexpectedElement;
        } else if (ve - vs < 1 || ve - vs > TID_MAX_OCTETS) {
          a = TcapAnomaly.BadTidLength;
        } else {
          out.dtid = berUnsigned(buf, vs, ve);
          out.dtidLen = ve - vs;
        }
        break;
      case TcapTag.PAbortCause: // Q.773 §4.2.1.3, Abort only
        if (t !== TcapMsgType.Abort) {
          a = TcapAnomaly.UnexpectedElement;
        } else {
          hasPAbortCause = true;
          if (berIntegerOk(vs, ve)) out.pAbortCause = berInteger(buf, vs, ve);
          else a = TcapAnomaly.BadInteger;
        }
        break;
      case TcapTag.DialoguePortion:
        hasDialogue = true;
        a = decodeDialoguePortion(buf, vs, ve, t, out);
        break;
      case TcapTag.ComponentPortion:
        if (t === TcapMsgType.Abort) a = TcapAnomaly.UnexpectedElement;
        else a = decodeComponentPortion(buf, vs, ve, out);
        break;
      default:
        a = TcapAnomaly.UnexpectedElement;
    }
    if (a !== TcapAnomaly.Ok && anomaly === TcapAnomaly.Ok) anomaly = a;
  }

  if (t === TcapMsgType.Abort) {
    // reason CHOICE { p-abortCause, u-abortCause DialoguePortion } OPTIONAL; no reason = user abort
    out.abortKind = hasPAbortCause && !hasDialogue ? TcapAbortKind.Provider : TcapAbortKind.User;
    if (hasPAbortCause && hasDialogue && anomaly === TcapAnomaly.Ok) anomaly = TcapAnomaly.UnexpectedElement;
  }
  if (anomaly === TcapAnomaly.Ok) {
    const needOtid = t === TcapMsgType.Begin || t === TcapMsgType.Continue;
    const needDtid = t === TcapMsgType.End || t === TcapMsgType.Continue || t === TcapMsgType.Abort;
    if ((needOtid && out.otidLen === 0) || (needDtid && out.dtidLen === 0)) anomaly = TcapAnomaly.MissingTid;
    else if (msgTlv.next !== end) anomaly = TcapAnomaly.TrailingData;
  }
  return anomaly;
}
