/**
 * TCAP message builders for tests (Q.773 §4.2 / Annex A), on top of test/helpers/ber.ts.
 * Each builder names the element it encodes; tag octets are spelled out in comments.
 */
import { cat, int, oid, tlv } from '../../helpers/ber';
import type { Part } from '../../helpers/ber';

export const DIALOGUE_AS_ID = '0.0.17.773.1.1.1';
export const UNIDIALOGUE_AS_ID = '0.0.17.773.1.2.1';

/** 80 02 07 80: protocol-version [0] IMPLICIT BIT STRING { version1 } */
const PROTOCOL_VERSION = tlv(0x80, [0x07, 0x80]);

/** 6b { 28 EXTERNAL { 06 direct-reference, a0 single-ASN1-type { pdu } } } */
export function dialoguePortion(pdu: Buffer, directReference = DIALOGUE_AS_ID): Buffer {
  return tlv(0x6b, tlv(0x28, oid(directReference), tlv(0xa0, pdu)));
}

/** 60 AARQ { protocol-version, a1 application-context-name { 06 OID } } */
export function aarq(acn: string): Buffer {
  return tlv(0x60, PROTOCOL_VERSION, tlv(0xa1, oid(acn)));
}

/** 61 AARE { protocol-version, a1 acn, a2 result { 02 }, a3 result-source-diagnostic { a1|a2 { 02 } } } */
export function aare(acn: string, result = 0, diagTag = 0xa1, diag = 0): Buffer {
  return tlv(0x61, PROTOCOL_VERSION, tlv(0xa1, oid(acn)), tlv(0xa2, int(result)), tlv(0xa3, tlv(diagTag, int(diag))));
}

/** 64 ABRT { 80 abort-source [0] IMPLICIT INTEGER } */
export function abrt(source: number): Buffer {
  return tlv(0x64, tlv(0x80, [source]));
}

/** 60 AUDT { protocol-version, a1 acn } (unidialogue) */
export function audt(acn: string): Buffer {
  return tlv(0x60, PROTOCOL_VERSION, tlv(0xa1, oid(acn)));
}

/** a1 Invoke { 02 invokeID, [80 linkedID], 02 opcode, parameter } */
export function invoke(invokeId: number, opcode: number, param: Part = '', linkedId?: number): Buffer {
  return tlv(0xa1, int(invokeId), linkedId === undefined ? '' : int(linkedId, 0x80), int(opcode), param);
}

/** a2 ReturnResultLast { 02 invokeID, [30 { 02 opcode, parameter }] } */
export function rrl(invokeId: number, opcode?: number, param: Part = ''): Buffer {
  return tlv(0xa2, int(invokeId), opcode === undefined ? '' : tlv(0x30, int(opcode), param));
}

/** a7 ReturnResultNotLast { 02 invokeID, 30 { 02 opcode, parameter } } */
export function rrnl(invokeId: number, opcode: number, param: Part = ''): Buffer {
  return tlv(0xa7, int(invokeId), tlv(0x30, int(opcode), param));
}

/** a3 ReturnError { 02 invokeID, 02 errorCode, parameter } */
export function rerr(invokeId: number, errorCode: number, param: Part = ''): Buffer {
  return tlv(0xa3, int(invokeId), int(errorCode), param);
}

/** a4 Reject { 02 invokeID | 05 00 NULL, 8<type> problem } */
export function reject(invokeId: number | null, problemType: number, problemCode: number): Buffer {
  return tlv(0xa4, invokeId === null ? [0x05, 0x00] : int(invokeId), int(problemCode, 0x80 | problemType));
}

/** 6c ComponentPortion */
export function components(...c: Part[]): Buffer {
  return tlv(0x6c, ...c);
}

/** 62 Begin { 48 otid, parts } */
export function begin(otid: Part, ...parts: Part[]): Buffer {
  return tlv(0x62, tlv(0x48, otid), ...parts);
}

/** 65 Continue { 48 otid, 49 dtid, parts } */
export function cont(otid: Part, dtid: Part, ...parts: Part[]): Buffer {
  return tlv(0x65, tlv(0x48, otid), tlv(0x49, dtid), ...parts);
}

/** 64 End { 49 dtid, parts } */
export function end(dtid: Part, ...parts: Part[]): Buffer {
  return tlv(0x64, tlv(0x49, dtid), ...parts);
}

/** 67 Abort { 49 dtid, parts } */
export function abort(dtid: Part, ...parts: Part[]): Buffer {
  return tlv(0x67, tlv(0x49, dtid), ...parts);
}

/** 61 Unidirectional { parts } */
export function uni(...parts: Part[]): Buffer {
  return tlv(0x61, ...parts);
}

/** A Begin carrying an AARQ for `acn` and an invoke of `opcode` with `param`. */
export function beginInvoke(acn: string, opcode: number, param: Part, otid: Part = '0a0b0c0d'): Buffer {
  return begin(otid, dialoguePortion(aarq(acn)), components(invoke(1, opcode, param)));
}

/** An End carrying a ReturnResultLast of `opcode` with `param`. */
export function endResult(opcode: number, param: Part, dtid: Part = '0a0b0c0d'): Buffer {
  return end(dtid, components(rrl(1, opcode, param)));
}

export { cat };
