// ITU-T TCAP (Q.773): transaction messages (§4.2), dialogue portion (Q.773 §4.2.3 / X.227-style
// AARQ, AARE, ABRT APDUs of the dialogue-as-id abstract syntax), components (§4.2.2).
import { CLASS_APPLICATION, CLASS_CONTEXT, CONSTRUCTED, TAG_EXTERNAL, TAG_INTEGER, TAG_NULL, TAG_SEQUENCE, integer, integerContents, oid, tlv } from './ber';

// Transaction portion tags (Q.773 §4.2.1)
export const TC_UNIDIRECTIONAL = CLASS_APPLICATION | CONSTRUCTED | 1; // 0x61
export const TC_BEGIN = CLASS_APPLICATION | CONSTRUCTED | 2; // 0x62
export const TC_END = CLASS_APPLICATION | CONSTRUCTED | 4; // 0x64
export const TC_CONTINUE = CLASS_APPLICATION | CONSTRUCTED | 5; // 0x65
export const TC_ABORT = CLASS_APPLICATION | CONSTRUCTED | 7; // 0x67
export const TAG_OTID = CLASS_APPLICATION | 8; // 0x48
export const TAG_DTID = CLASS_APPLICATION | 9; // 0x49
export const TAG_P_ABORT_CAUSE = CLASS_APPLICATION | 10; // 0x4a
export const TAG_DIALOGUE_PORTION = CLASS_APPLICATION | CONSTRUCTED | 11; // 0x6b
export const TAG_COMPONENT_PORTION = CLASS_APPLICATION | CONSTRUCTED | 12; // 0x6c

// Component tags (Q.773 §4.2.2)
export const COMP_INVOKE = CLASS_CONTEXT | CONSTRUCTED | 1; // 0xa1
export const COMP_RETURN_RESULT_LAST = CLASS_CONTEXT | CONSTRUCTED | 2; // 0xa2
export const COMP_RETURN_ERROR = CLASS_CONTEXT | CONSTRUCTED | 3; // 0xa3
export const COMP_REJECT = CLASS_CONTEXT | CONSTRUCTED | 4; // 0xa4
export const COMP_RETURN_RESULT_NOT_LAST = CLASS_CONTEXT | CONSTRUCTED | 7; // 0xa7

// Reject problem choice tags (Q.773 §4.2.2.4)
export const PROBLEM_GENERAL = CLASS_CONTEXT | 0; // 0x80
export const PROBLEM_INVOKE = CLASS_CONTEXT | 1; // 0x81
export const PROBLEM_RETURN_RESULT = CLASS_CONTEXT | 2; // 0x82
export const PROBLEM_RETURN_ERROR = CLASS_CONTEXT | 3; // 0x83
export const INVOKE_PROBLEM_UNRECOGNIZED_OPERATION = 1;
export const INVOKE_PROBLEM_MISTYPED_PARAMETER = 2;
export const GENERAL_PROBLEM_MISTYPED_COMPONENT = 1;

// P-AbortCause (Q.773 §4.2.1)
export const P_ABORT_UNRECOGNIZED_MESSAGE_TYPE = 0;
export const P_ABORT_UNRECOGNIZED_TRANSACTION_ID = 1;
export const P_ABORT_BADLY_FORMATTED_TRANSACTION_PORTION = 2;
export const P_ABORT_INCORRECT_TRANSACTION_PORTION = 3;
export const P_ABORT_RESOURCE_LIMITATION = 4;

// Dialogue PDUs (Q.773 §4.2.3, DialoguePDUs module)
export const DIALOGUE_AS_ID = '0.0.17.773.1.1.1';
export const DLG_AARQ = CLASS_APPLICATION | CONSTRUCTED | 0; // 0x60
export const DLG_AARE = CLASS_APPLICATION | CONSTRUCTED | 1; // 0x61
export const DLG_ABRT = CLASS_APPLICATION | CONSTRUCTED | 4; // 0x64
export const AARE_RESULT_ACCEPTED = 0;
export const AARE_RESULT_REJECT_PERMANENT = 1;
export const DIAG_USER_NULL = 0;
export const DIAG_USER_NO_REASON = 1;
export const DIAG_USER_ACN_NOT_SUPPORTED = 2;
export const ABRT_SOURCE_USER = 0;
export const ABRT_SOURCE_PROVIDER = 1;

const PROTOCOL_VERSION_1 = Buffer.from([0x80, 0x02, 0x07, 0x80]); // [0] IMPLICIT BIT STRING {version1}

/** transaction id of 1..4 octets (Q.773 §4.2.1: OCTET STRING (SIZE (1..4))) */
export function tidBytes(value: number, len: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  let v = value >>> 0;
  for (let i = len - 1; i >= 0; i--) {
    b[i] = v & 0xff;
    v >>>= 8;
  }
  return b;
}

/** dialogue portion wrapping one dialogue PDU in EXTERNAL { dialogue-as-id, single-ASN1-type [0] } */
function dialoguePortion(pdu: Buffer): Buffer {
  return tlv(TAG_DIALOGUE_PORTION, tlv(TAG_EXTERNAL, oid(DIALOGUE_AS_ID), tlv(CLASS_CONTEXT | CONSTRUCTED | 0, pdu)));
}

// dialogue portions depend only on their arguments: cache them (they are never mutated)
const dialogueCache = new Map<string, Buffer>();
function cached(key: string, make: () => Buffer): Buffer {
  let b = dialogueCache.get(key);
  if (!b) {
    b = make();
    dialogueCache.set(key, b);
  }
  return b;
}

/** AARQ: protocol-version, application-context-name [1], optional user-information [30] */
export function aarq(acn: string, userInfo?: Buffer): Buffer {
  if (!userInfo) return cached(`q${acn}`, () => aarqUncached(acn));
  return aarqUncached(acn, userInfo);
}

function aarqUncached(acn: string, userInfo?: Buffer): Buffer {
  const parts = [PROTOCOL_VERSION_1, tlv(CLASS_CONTEXT | CONSTRUCTED | 1, oid(acn))];
  if (userInfo) parts.push(tlv(CLASS_CONTEXT | CONSTRUCTED | 30, userInfo));
  return dialoguePortion(tlv(DLG_AARQ, ...parts));
}

/** AARE: protocol-version, ACN [1], result [2], result-source-diagnostic [3] dialogue-service-user [1] */
export function aare(acn: string, result = AARE_RESULT_ACCEPTED, userDiagnostic = DIAG_USER_NULL): Buffer {
  return cached(`e${acn}/${result}/${userDiagnostic}`, () => dialoguePortion(
    tlv(
      DLG_AARE,
      PROTOCOL_VERSION_1,
      tlv(CLASS_CONTEXT | CONSTRUCTED | 1, oid(acn)),
      tlv(CLASS_CONTEXT | CONSTRUCTED | 2, integer(result)),
      tlv(CLASS_CONTEXT | CONSTRUCTED | 3, tlv(CLASS_CONTEXT | CONSTRUCTED | 1, integer(userDiagnostic))),
    ),
  ));
}

/** ABRT: abort-source [0] IMPLICIT INTEGER */
export function abrt(source = ABRT_SOURCE_USER): Buffer {
  return cached(`a${source}`, () => dialoguePortion(tlv(DLG_ABRT, tlv(CLASS_CONTEXT | 0, integerContents(source)))));
}

function components(comps: readonly Buffer[] | undefined): Buffer[] {
  return comps && comps.length > 0 ? [tlv(TAG_COMPONENT_PORTION, ...comps)] : [];
}

export function tcBegin(otid: Buffer, dialogue?: Buffer, comps?: readonly Buffer[]): Buffer {
  return tlv(TC_BEGIN, tlv(TAG_OTID, otid), ...(dialogue ? [dialogue] : []), ...components(comps));
}

export function tcContinue(otid: Buffer, dtid: Buffer, dialogue?: Buffer, comps?: readonly Buffer[]): Buffer {
  return tlv(TC_CONTINUE, tlv(TAG_OTID, otid), tlv(TAG_DTID, dtid), ...(dialogue ? [dialogue] : []), ...components(comps));
}

export function tcEnd(dtid: Buffer, dialogue?: Buffer, comps?: readonly Buffer[]): Buffer {
  return tlv(TC_END, tlv(TAG_DTID, dtid), ...(dialogue ? [dialogue] : []), ...components(comps));
}

/** TC-P-ABORT: Abort { dtid, p-abortCause } */
export function tcPAbort(dtid: Buffer, cause: number): Buffer {
  return tlv(TC_ABORT, tlv(TAG_DTID, dtid), tlv(TAG_P_ABORT_CAUSE, integerContents(cause)));
}

/** TC-U-ABORT: Abort { dtid, u-abortCause = dialogue portion (ABRT, or AARE for an AC rejection) } */
export function tcUAbort(dtid: Buffer, dialogue: Buffer): Buffer {
  return tlv(TC_ABORT, tlv(TAG_DTID, dtid), dialogue);
}

/** Invoke { invokeID, [linkedID [0]], opCode (local INTEGER), [parameter] } */
export function invoke(invokeId: number, opCode: number, parameter?: Buffer, linkedId?: number): Buffer {
  const parts = [integer(invokeId)];
  if (linkedId !== undefined) parts.push(integer(linkedId, CLASS_CONTEXT | 0));
  parts.push(integer(opCode));
  if (parameter) parts.push(parameter);
  return tlv(COMP_INVOKE, ...parts);
}

/** ReturnResultLast { invokeID, [SEQUENCE { opCode, parameter }] } */
export function returnResultLast(invokeId: number, opCode?: number, parameter?: Buffer): Buffer {
  if (opCode === undefined) return tlv(COMP_RETURN_RESULT_LAST, integer(invokeId));
  return tlv(COMP_RETURN_RESULT_LAST, integer(invokeId), tlv(TAG_SEQUENCE, integer(opCode), ...(parameter ? [parameter] : [])));
}

/** ReturnError { invokeID, errorCode (local INTEGER), [parameter] } */
export function returnError(invokeId: number, errorCode: number, parameter?: Buffer): Buffer {
  return tlv(COMP_RETURN_ERROR, integer(invokeId), integer(errorCode), ...(parameter ? [parameter] : []));
}

/** Reject { invokeID (or NULL when not derivable), problem [tag] IMPLICIT INTEGER } */
export function reject(invokeId: number | null, problemTag: number, problemCode: number): Buffer {
  const id = invokeId === null ? tlv(TAG_NULL) : tlv(TAG_INTEGER, integerContents(invokeId));
  return tlv(COMP_REJECT, id, tlv(problemTag, integerContents(problemCode)));
}
