/**
 * TCAP dialogue portion (Q.773 §4.2.2 DialoguePortion, Annex A DialoguePDUs / UnidialoguePDUs):
 * EXTERNAL { direct-reference OID, encoding single-ASN1-type [0] | octet-aligned [1] } carrying
 * AARQ / AARE / ABRT (dialogue-as-id) or AUDT (uniDialogue-as-id).
 */
import {
  BER_INT_FAIL, BerStatus, berBytesEqual, berElementInteger, berInteger, berIntegerOk, berRead, createBerTlv,
} from './ber';
import {
  DIALOGUE_AS_ID, TCAP_MAX_PDU_ELEMENTS, TcapAnomaly, TcapDialoguePdu, TcapDialogueTag, TcapMsgType,
  TcapTag, UNIDIALOGUE_AS_ID,
} from './constants';
import { resolveAcn } from './acn';
import type { TcapView } from './types';

const extTlv = createBerTlv();
const elTlv = createBerTlv();
const pduTlv = createBerTlv();
const innerTlv = createBerTlv();
const intTlv = createBerTlv();

const OID_NONE = 0;
const OID_DIALOGUE = 1;
const OID_UNIDIALOGUE = 2;

/**
 * Decodes the value [start, end) of a DialoguePortion (0x6B) of a message of type `msgType`
 * into `out` (dialogue, acn*, aare*, abortSource). Returns a TcapAnomaly code.
 */
export function decodeDialoguePortion(buf: Buffer, start: number, end: number, msgType: number, out: TcapView): number {
  if (start >= end) return TcapAnomaly.BadDialogue;
  let st = berRead(buf, start, end, extTlv);
  if (st !== BerStatus.Ok) return st;
  if (extTlv.tag !== TcapTag.External) return TcapAnomaly.BadDialogue;
  let anomaly: number = extTlv.next !== end ? TcapAnomaly.BadDialogue : TcapAnomaly.Ok;

  // EXTERNAL (X.690 §8.18): direct-reference, [indirect-reference], [data-value-descriptor], encoding
  let oid = OID_NONE;
  let pduStart = -1;
  let pduEnd = -1;
  let pos = extTlv.valueStart;
  const extEnd = extTlv.valueEnd;
  for (let n = 0; pos < extEnd; n++) {
    if (n === TCAP_MAX_PDU_ELEMENTS) return TcapAnomaly.TooManyElements;
    st = berRead(buf, pos, extEnd, elTlv);
    if (st !== BerStatus.Ok) return st;
    switch (elTlv.tag) {
      case TcapTag.ObjectIdentifier:
        if (berBytesEqual(buf, elTlv.valueStart, elTlv.valueEnd, DIALOGUE_AS_ID)) oid = OID_DIALOGUE;
        else if (berBytesEqual(buf, elTlv.valueStart, elTlv.valueEnd, UNIDIALOGUE_AS_ID)) oid = OID_UNIDIALOGUE;
        else return TcapAnomaly.UnknownDialogueOid;
        break;
      case TcapTag.Integer:
      case TcapTag.ObjectDescriptor:
        break;
      case TcapTag.SingleAsn1Type: // single-ASN1-type [0] EXPLICIT: the PDU element itself
      case TcapTag.OctetAligned: // octet-aligned [1] IMPLICIT OCTET STRING: the PDU's encoding
        pduStart = elTlv.valueStart;
        pduEnd = elTlv.valueEnd;
        break;
      default:
        if (anomaly === TcapAnomaly.Ok) anomaly = TcapAnomaly.BadDialogue;
    }
    pos = elTlv.next;
  }
  if (oid === OID_NONE || pduStart < 0 || pduStart >= pduEnd) return TcapAnomaly.BadDialogue;
  if ((oid === OID_UNIDIALOGUE) !== (msgType === TcapMsgType.Unidirectional) && anomaly === TcapAnomaly.Ok) {
    anomaly = TcapAnomaly.BadDialogue; // a uni-dialogue only in a Unidirectional and vice versa
  }

  st = berRead(buf, pduStart, pduEnd, pduTlv);
  if (st !== BerStatus.Ok) return st;
  const pdu = pduTlv.tag;
  if (oid === OID_UNIDIALOGUE ? pdu !== TcapDialoguePdu.Aarq
    : pdu !== TcapDialoguePdu.Aarq && pdu !== TcapDialoguePdu.Aare && pdu !== TcapDialoguePdu.Abrt) {
    return TcapAnomaly.BadDialogue;
  }
  out.dialogue = pdu;

  pos = pduTlv.valueStart;
  const pEnd = pduTlv.valueEnd;
  for (let n = 0; pos < pEnd; n++) {
    if (n === TCAP_MAX_PDU_ELEMENTS) return TcapAnomaly.TooManyElements;
    st = berRead(buf, pos, pEnd, elTlv);
    if (st !== BerStatus.Ok) return st;
    const a = decodePduField(buf, pdu, out);
    if (a !== TcapAnomaly.Ok && anomaly === TcapAnomaly.Ok) anomaly = a;
    pos = elTlv.next;
  }
  if (pdu !== TcapDialoguePdu.Abrt && out.acnStart < 0 && anomaly === TcapAnomaly.Ok) {
    anomaly = TcapAnomaly.BadDialogue; // application-context-name is mandatory in AARQ/AARE/AUDT
  }
  return anomaly;
}

/** Decodes one field (in elTlv) of a dialogue PDU. */
function decodePduField(buf: Buffer, pdu: number, out: TcapView): number {
  const vs = elTlv.valueStart;
  const ve = elTlv.valueEnd;
  switch (elTlv.tag) {
    case TcapDialogueTag.ProtocolVersion: // == AbortSource (both [0] IMPLICIT)
      if (pdu === TcapDialoguePdu.Abrt) {
        if (!berIntegerOk(vs, ve)) return TcapAnomaly.BadInteger;
        out.abortSource = berInteger(buf, vs, ve);
      }
      return TcapAnomaly.Ok;
    case TcapDialogueTag.ApplicationContextName: {
      if (pdu === TcapDialoguePdu.Abrt) return TcapAnomaly.UnexpectedElement;
      if (vs >= ve) return TcapAnomaly.BadDialogue;
      const st = berRead(buf, vs, ve, innerTlv);
      if (st !== BerStatus.Ok) return st;
      if (innerTlv.tag !== TcapTag.ObjectIdentifier || innerTlv.valueStart >= innerTlv.valueEnd) {
        return TcapAnomaly.BadDialogue;
      }
      out.acnStart = innerTlv.valueStart;
      out.acnEnd = innerTlv.valueEnd;
      resolveAcn(buf, out.acnStart, out.acnEnd, out);
      return TcapAnomaly.Ok;
    }
    case TcapDialogueTag.Result: {
      if (pdu !== TcapDialoguePdu.Aare) return TcapAnomaly.UnexpectedElement;
      const v = berElementInteger(buf, vs, ve, TcapTag.Integer, intTlv);
      if (v === BER_INT_FAIL) return TcapAnomaly.BadInteger;
      out.aareResult = v;
      return TcapAnomaly.Ok;
    }
    case TcapDialogueTag.ResultSourceDiagnostic: {
      if (pdu !== TcapDialoguePdu.Aare) return TcapAnomaly.UnexpectedElement;
      if (vs >= ve) return TcapAnomaly.BadDialogue;
      const st = berRead(buf, vs, ve, innerTlv);
      if (st !== BerStatus.Ok) return st;
      const source = innerTlv.tag === TcapDialogueTag.DiagnosticUser ? 1
        : innerTlv.tag === TcapDialogueTag.DiagnosticProvider ? 2 : 0;
      if (source === 0) return TcapAnomaly.BadDialogue;
      const v = berElementInteger(buf, innerTlv.valueStart, innerTlv.valueEnd, TcapTag.Integer, intTlv);
      if (v === BER_INT_FAIL) return TcapAnomaly.BadInteger;
      out.aareDiagSource = source;
      out.aareDiag = v;
      return TcapAnomaly.Ok;
    }
    case TcapDialogueTag.UserInformation:
      return TcapAnomaly.Ok;
    default:
      return TcapAnomaly.UnexpectedElement;
  }
}
