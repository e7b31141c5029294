import { describe, expect, it } from 'vitest';
import { acnToString, decodeTcap } from '../../../src/protocols/tcap/decode';
import { createTcapView } from '../../../src/protocols/tcap/types';
import type { TcapView } from '../../../src/protocols/tcap/types';
import {
  TCAP_ANOMALY_NAMES, TCAP_MAX_COMPONENTS, TcapAnomaly, rejectProblemName, tcapMessageTypeName,
} from '../../../src/protocols/tcap/constants';
import { hex } from '../../helpers/hex';
import { cat, int, oid, oidContent, tlv, tlvIndef } from '../../helpers/ber';
import {
  UNIDIALOGUE_AS_ID, aare, aarq, abort, abrt, audt, begin, components, cont, dialoguePortion, end, invoke,
  reject, rerr, rrl, rrnl, uni,
} from './vectors';

const v = createTcapView();

function decode(b: Buffer): number {
  return decodeTcap(b, 0, b.length, v);
}

function comp(i: number) {
  return v.components[i];
}

// ---------------------------------------------------------------------------------------------
// Annotated vectors. Bytes of A–E are frames 1, 2, 4, 8, 11 of map-synthetic.pcap; the values
// asserted are what `tshark -V` shows for those frames.
// ---------------------------------------------------------------------------------------------

/** A: Begin, AARQ networkLocUpContext-v3, Invoke updateLocation (frame 1). */
const A_BEGIN = hex(
  '62 50', //                                      Begin, length 80
  '48 04 0a 00 00 01', //                          otid 0a000001
  '6b 1e', //                                      DialoguePortion
  '28 1c', //                                        EXTERNAL
  '06 07 00 11 86 05 01 01 01', //                     direct-reference dialogue-as-id 0.0.17.773.1.1.1
  'a0 11', //                                          single-ASN1-type [0]
  '60 0f', //                                            AARQ
  '80 02 07 80', //                                        protocol-version version1
  'a1 09 06 07 04 00 00 01 00 01 03', //                   application-context-name 0.4.0.0.1.0.1.3
  '6c 28', //                                      ComponentPortion
  'a1 26', //                                        Invoke
  '02 01 01', //                                       invokeID 1
  '02 01 02', //                                       opcode local 2 (updateLocation)
  '30 1e', //                                          UpdateLocationArg
  '04 08 00 01 01 00 00 00 00 f1', //                    imsi 001010000000001
  '81 08 91 68 31 09 00 00 00 f1', //                    msc-Number [1] 8613900000001
  '04 08 91 68 31 09 00 00 00 f2', //                    vlr-Number 8613900000002
);

/** B: Continue, AARE accepted, Invoke insertSubscriberData (frame 2). */
const B_CONTINUE = hex(
  '65 58', //                                      Continue
  '48 04 0b 00 00 01', //                          otid 0b000001
  '49 04 0a 00 00 01', //                          dtid 0a000001
  '6b 2a 28 28', //                                DialoguePortion, EXTERNAL
  '06 07 00 11 86 05 01 01 01', //                   dialogue-as-id
  'a0 1d 61 1b', //                                  single-ASN1-type, AARE
  '80 02 07 80', //                                    protocol-version
  'a1 09 06 07 04 00 00 01 00 01 03', //               application-context-name 0.4.0.0.1.0.1.3
  'a2 03 02 01 00', //                                 result accepted (0)
  'a3 05 a1 03 02 01 00', //                           result-source-diagnostic dialogue-service-user null (0)
  '6c 1e a1 1c', //                                ComponentPortion, Invoke
  '02 01 01', //                                     invokeID 1
  '02 01 07', //                                     opcode 7 (insertSubscriberData)
  '30 14', //                                        InsertSubscriberDataArg
  '80 08 00 01 01 00 00 00 00 f1', //                  imsi [0]
  '81 08 91 68 31 18 11 11 11 f1', //                  msisdn [1] 8613811111111
);

/** C: End, ReturnResultLast updateLocation with hlr-Number (frame 4). */
const C_END = hex(
  '64 1e', //                                      End
  '49 04 0a 00 00 01', //                          dtid 0a000001
  '6c 16 a2 14', //                                ComponentPortion, ReturnResultLast
  '02 01 01', //                                     invokeID 1
  '30 0f', //                                        result SEQUENCE
  '02 01 02', //                                       opcode 2
  '30 0a 04 08 91 68 31 09 00 00 90 f9', //            UpdateLocationRes { hlr-Number 8613900000099 }
);

/** D: Abort with P-AbortCause resourceLimitation (frame 8). */
const D_PABORT = hex(
  '67 09', //                                      Abort
  '49 04 0a 00 00 03', //                          dtid 0a000003
  '4a 01 04', //                                   p-abortCause 4 (resourceLimitation)
);

/** E: End, AARE, Reject invokeProblem mistypedParameter (frame 11). */
const E_REJECT = hex(
  '64 3c', //                                      End
  '49 04 0a 00 00 05', //                          dtid 0a000005
  '6b 2a 28 28 06 07 00 11 86 05 01 01 01', //     DialoguePortion, EXTERNAL, dialogue-as-id
  'a0 1d 61 1b 80 02 07 80', //                    AARE, protocol-version
  'a1 09 06 07 04 00 00 01 00 0e 03', //           acn 0.4.0.0.1.0.14.3 (infoRetrievalContext-v3)
  'a2 03 02 01 00 a3 05 a1 03 02 01 00', //        result accepted, diagnostic user null
  '6c 08 a4 06', //                                ComponentPortion, Reject
  '02 01 01', //                                     invokeID 1
  '81 01 02', //                                     invokeProblem [1] mistypedParameter (2)
);

describe('decodeTcap: annotated vectors (map-synthetic.pcap frames, checked against tshark -V)', () => {
  it('A Begin + AARQ + Invoke', () => {
    expect(decode(A_BEGIN)).toBe(TcapAnomaly.Ok);
    expect(v).toMatchObject({
      msgType: 0x62, otid: 0x0a000001, otidLen: 4, dtidLen: 0, dialogue: 0x60,
      acnStart: 33, acnEnd: 40, acnFamily: 1, acnValue: 1, acnVersion: 3, // tshark: networkLocUpContext-v3
      aareResult: -1, abortKind: 0, pAbortCause: -1, componentCount: 1,
    });
    expect(acnToString(A_BEGIN, v.acnStart, v.acnEnd)).toBe('0.4.0.0.1.0.1.3');
    expect(comp(0)).toMatchObject({ kind: 1, invokeId: 1, linkedId: -1, opcode: 2, errorCode: -1, paramStart: 50, paramEnd: 82 });
    expect(A_BEGIN[comp(0).paramStart]).toBe(0x30);
  });

  it('B Continue + AARE + Invoke', () => {
    expect(decode(B_CONTINUE)).toBe(TcapAnomaly.Ok);
    expect(v).toMatchObject({
      msgType: 0x65, otid: 0x0b000001, otidLen: 4, dtid: 0x0a000001, dtidLen: 4, dialogue: 0x61,
      acnFamily: 1, acnValue: 1, acnVersion: 3, aareResult: 0, aareDiagSource: 1, aareDiag: 0, componentCount: 1,
    });
    expect(comp(0)).toMatchObject({ kind: 1, invokeId: 1, opcode: 7, paramEnd: B_CONTINUE.length });
  });

  it('C End + ReturnResultLast with opcode and parameter', () => {
    expect(decode(C_END)).toBe(TcapAnomaly.Ok);
    expect(v).toMatchObject({ msgType: 0x64, otidLen: 0, dtid: 0x0a000001, dtidLen: 4, dialogue: 0, acnStart: -1, acnFamily: 0 });
    expect(comp(0)).toMatchObject({ kind: 2, invokeId: 1, opcode: 2, paramStart: 20, paramEnd: 32 });
  });

  it('D P-Abort', () => {
    expect(decode(D_PABORT)).toBe(TcapAnomaly.Ok);
    expect(v).toMatchObject({ msgType: 0x67, dtid: 0x0a000003, dtidLen: 4, abortKind: 1, pAbortCause: 4, componentCount: 0 });
  });

  it('E Reject with invoke problem', () => {
    expect(decode(E_REJECT)).toBe(TcapAnomaly.Ok);
    expect(v).toMatchObject({ acnValue: 14, acnVersion: 3, aareResult: 0 });
    expect(comp(0)).toMatchObject({ kind: 4, invokeId: 1, problemType: 1, problemCode: 2, opcode: -1, paramStart: -1 });
    expect(rejectProblemName(comp(0).problemType, comp(0).problemCode)).toBe('invokeProblem.mistypedParameter');
  });
});

describe('decodeTcap: every message type and component kind (built vectors)', () => {
  it('Continue with linkedID invoke, ReturnResultNotLast and ReturnResultLast without result', () => {
    const b = cont('01', '0203',
      components(
        invoke(5, 7, tlv(0x30, tlv(0x80, '001010000000f1')), 1), // a1 { 02 05, 80 01 01, 02 07, 30 … }
        rrnl(1, 22, tlv(0x30, '')), //                             a7 { 02 01, 30 { 02 16, 30 00 } }
        rrl(2), //                                                a2 { 02 02 }
      ));
    expect(decode(b)).toBe(TcapAnomaly.Ok);
    expect(v).toMatchObject({ otid: 1, otidLen: 1, dtid: 0x0203, dtidLen: 2, componentCount: 3 });
    expect(comp(0)).toMatchObject({ kind: 1, invokeId: 5, linkedId: 1, opcode: 7 });
    expect(comp(1)).toMatchObject({ kind: 7, invokeId: 1, opcode: 22, paramEnd: comp(1).paramStart + 2 });
    expect(comp(2)).toMatchObject({ kind: 2, invokeId: 2, opcode: -1, paramStart: -1, paramEnd: -1 });
  });

  it('ReturnError local and global, with and without parameter', () => {
    const b = end('11223344', components(
      rerr(1, 34), //                                      a3 { 02 01, 02 22 systemFailure }
      rerr(2, 6, tlv(0x30, tlv(0x02, [1]))), //            absentSubscriberSM with AbsentSubscriberSM-Param
      tlv(0xa3, int(3), oid('1.2.3.4')), //                error code global (OBJECT IDENTIFIER)
    ));
    expect(decode(b)).toBe(TcapAnomaly.Ok);
    expect(comp(0)).toMatchObject({ kind: 3, invokeId: 1, errorCode: 34, paramStart: -1 });
    expect(comp(1)).toMatchObject({ kind: 3, invokeId: 2, errorCode: 6, paramEnd: comp(1).paramStart + 5 });
    expect(comp(2)).toMatchObject({ kind: 3, invokeId: 3, errorCode: -2 });
  });

  it('Reject with NULL invokeID (general problem) and every problem type', () => {
    const b = end('01', components(
      reject(null, 0, 1), //  a4 { 05 00, 80 01 01 generalProblem mistypedComponent }
      reject(7, 1, 1), //     invokeProblem unrecognizedOperation
      reject(8, 2, 0), //     returnResultProblem unrecognizedInvokeID
      reject(9, 3, 2), //     returnErrorProblem unrecognizedError
    ));
    expect(decode(b)).toBe(TcapAnomaly.Ok);
    expect(v.componentCount).toBe(4);
    expect(comp(0)).toMatchObject({ kind: 4, invokeId: -1, problemType: 0, problemCode: 1 });
    expect(comp(1)).toMatchObject({ invokeId: 7, problemType: 1, problemCode: 1 });
    expect(comp(2)).toMatchObject({ invokeId: 8, problemType: 2, problemCode: 0 });
    expect(comp(3)).toMatchObject({ invokeId: 9, problemType: 3, problemCode: 2 });
    expect(rejectProblemName(0, 1)).toBe('generalProblem.mistypedComponent');
    expect(rejectProblemName(3, 9)).toBe('returnErrorProblem.9');
  });

  it('global opcode (OBJECT IDENTIFIER) → −2', () => {
    const b = begin('01', components(tlv(0xa1, int(1), oid('1.2.840.1'), tlv(0x30, ''))));
    expect(decode(b)).toBe(TcapAnomaly.Ok);
    expect(comp(0)).toMatchObject({ opcode: -2, paramEnd: b.length });
  });

  it('Unidirectional with AUDT (uniDialogue-as-id)', () => {
    const b = uni(dialoguePortion(audt('0.4.0.0.1.0.19.2'), UNIDIALOGUE_AS_ID), components(invoke(1, 61, tlv(0x30, ''))));
    expect(decode(b)).toBe(TcapAnomaly.Ok);
    expect(v).toMatchObject({ msgType: 0x61, otidLen: 0, dtidLen: 0, dialogue: 0x60, acnFamily: 1, acnValue: 19, acnVersion: 2 });
    expect(comp(0)).toMatchObject({ kind: 1, opcode: 61 });
  });

  it('U-Abort with ABRT, with AARE reject-permanent, and without reason', () => {
    expect(decode(abort('01020304', dialoguePortion(abrt(0))))).toBe(TcapAnomaly.Ok);
    expect(v).toMatchObject({ abortKind: 2, dialogue: 0x64, abortSource: 0, pAbortCause: -1 });
    // AARE result reject-permanent (1), dialogue-service-provider [2] no-common-dialogue-portion (2)
    expect(decode(abort('01020304', dialoguePortion(aare('0.4.0.0.1.0.14.2', 1, 0xa2, 2))))).toBe(TcapAnomaly.Ok);
    expect(v).toMatchObject({ abortKind: 2, dialogue: 0x61, aareResult: 1, aareDiagSource: 2, aareDiag: 2, acnValue: 14, acnVersion: 2 });
    expect(decode(abort('01020304'))).toBe(TcapAnomaly.Ok);
    expect(v).toMatchObject({ abortKind: 2, dialogue: 0, pAbortCause: -1 });
  });

  it('message type names', () => {
    expect([0x61, 0x62, 0x64, 0x65, 0x67, 0x63].map(tcapMessageTypeName))
      .toEqual(['unidirectional', 'begin', 'end', 'continue', 'abort', 'unknown']);
  });
});

describe('decodeTcap: transaction ids (Q.773 §4.2.2)', () => {
  it('1-octet and 4-octet ids with equal value stay distinct by length', () => {
    decode(begin('01', components(invoke(1, 2))));
    expect([v.otid, v.otidLen]).toEqual([1, 1]);
    decode(begin('00000001', components(invoke(1, 2))));
    expect([v.otid, v.otidLen]).toEqual([1, 4]);
    decode(begin('ffffffff', components(invoke(1, 2))));
    expect([v.otid, v.otidLen]).toEqual([0xffffffff, 4]);
  });

  it('0 or 5 octets → bad_tid_length', () => {
    expect(decode(begin('', components(invoke(1, 2))))).toBe(TcapAnomaly.BadTidLength);
    expect(v.otidLen).toBe(0);
    expect(decode(end('0102030405', components(invoke(1, 2))))).toBe(TcapAnomaly.BadTidLength);
    expect(v.componentCount).toBe(1); // the rest is still decoded
  });

  it('missing otid / dtid → missing_tid; tid not allowed by the type → unexpected_element', () => {
    expect(decode(tlv(0x62, components(invoke(1, 2))))).toBe(TcapAnomaly.MissingTid);
    expect(decode(tlv(0x65, tlv(0x48, '01'), components(invoke(1, 2))))).toBe(TcapAnomaly.MissingTid);
    expect(decode(tlv(0x64, components(invoke(1, 2))))).toBe(TcapAnomaly.MissingTid);
    expect(decode(tlv(0x62, tlv(0x48, '01'), tlv(0x49, '02'), components(invoke(1, 2))))).toBe(TcapAnomaly.UnexpectedElement);
    expect(v.otidLen).toBe(1);
    expect(v.dtidLen).toBe(0);
  });
});

describe('decodeTcap: dialogue portion and application-context-name', () => {
  const acn = (s: string): TcapView => {
    expect(decode(begin('01', dialoguePortion(aarq(s)), components(invoke(1, 0))))).toBe(TcapAnomaly.Ok);
    return v;
  };

  it('resolves MAP and CAP context families', () => {
    expect(acn('0.4.0.0.1.0.14.3')).toMatchObject({ acnFamily: 1, acnValue: 14, acnVersion: 3 });
    expect(acn('0.4.0.0.1.0.32.3')).toMatchObject({ acnFamily: 1, acnValue: 32, acnVersion: 3 });
    expect(acn('0.4.0.0.1.0.50.1')).toMatchObject({ acnFamily: 2, acnValue: 50, acnVersion: 1 }); // CAP v2
    expect(acn('0.4.0.0.1.0.50.0')).toMatchObject({ acnFamily: 2, acnValue: 50, acnVersion: 0 }); // CAP v1
    expect(acn('0.4.0.0.1.0.52.1')).toMatchObject({ acnFamily: 2, acnValue: 52 });
    expect(acn('0.4.0.0.1.21.3.4')).toMatchObject({ acnFamily: 2, acnValue: 4, acnVersion: 3 }); // CAP v3 gsmSSF
    expect(acn('0.4.0.0.1.22.3.4')).toMatchObject({ acnFamily: 2, acnValue: 4, acnVersion: 4 });
    expect(acn('0.4.0.0.1.23.3.61')).toMatchObject({ acnFamily: 2, acnValue: 61, acnVersion: 4 }); // CAP v4 SMS
    expect(acn('0.4.0.0.1.0.200.3')).toMatchObject({ acnFamily: 1, acnValue: 200, acnVersion: 3 }); // 2-octet arc
    expect(acn('1.2.840.10045')).toMatchObject({ acnFamily: 0, acnValue: -1, acnVersion: -1 });
    expect(acn('0.4.0.0.1.0.14')).toMatchObject({ acnFamily: 0 });
  });

  it('acnToString: dotted form, multi-octet arcs, malformed content', () => {
    const b = oidContent('2.999.1.16383.2097151');
    expect(acnToString(b, 0, b.length)).toBe('2.999.1.16383.2097151');
    expect(acnToString(hex('00 11 86 05 01 01 01'), 0, 7)).toBe('0.0.17.773.1.1.1');
    expect(acnToString(hex('04 00 86'), 0, 3)).toBe(''); // unterminated subidentifier
    expect(acnToString(hex(''), 0, 0)).toBe('');
    expect(acnToString(hex('04 00'), 0, 9)).toBe(''); // end beyond the buffer
  });

  it('octet-aligned EXTERNAL encoding carries the PDU too', () => {
    const b = begin('01', tlv(0x6b, tlv(0x28, oid('0.0.17.773.1.1.1'), tlv(0x81, aarq('0.4.0.0.1.0.20.3')))), components(invoke(1, 45)));
    expect(decode(b)).toBe(TcapAnomaly.Ok);
    expect(v).toMatchObject({ dialogue: 0x60, acnFamily: 1, acnValue: 20, acnVersion: 3 });
  });

  it('anomalies: unknown direct-reference, missing ACN, wrong PDU for the OID', () => {
    expect(decode(begin('01', dialoguePortion(aarq('0.4.0.0.1.0.1.3'), '1.2.3'), components(invoke(1, 2)))))
      .toBe(TcapAnomaly.UnknownDialogueOid);
    expect(v.componentCount).toBe(1);
    expect(decode(begin('01', dialoguePortion(tlv(0x60, tlv(0x80, '0780'))), components(invoke(1, 2)))))
      .toBe(TcapAnomaly.BadDialogue);
    expect(decode(begin('01', dialoguePortion(tlv(0x62, '')), components(invoke(1, 2))))).toBe(TcapAnomaly.BadDialogue);
    expect(decode(begin('01', dialoguePortion(aarq('0.4.0.0.1.0.1.3'), UNIDIALOGUE_AS_ID), components(invoke(1, 2)))))
      .toBe(TcapAnomaly.BadDialogue); // uniDialogue outside a Unidirectional
    expect(v.acnValue).toBe(1); // still decoded
  });
});

describe('decodeTcap: indefinite-length encodings', () => {
  it('message, dialogue portion, EXTERNAL, PDU, components all indefinite', () => {
    const b = tlvIndef(0x62, //                               Begin 62 80
      tlv(0x48, '0a000001'), //                               otid
      tlvIndef(0x6b, tlvIndef(0x28, oid('0.0.17.773.1.1.1'), //  DialoguePortion / EXTERNAL 80 … 00 00
        tlvIndef(0xa0, tlvIndef(0x60, tlv(0x80, '0780'), tlvIndef(0xa1, oid('0.4.0.0.1.0.14.3')))))),
      tlvIndef(0x6c, //                                       ComponentPortion 6c 80
        tlvIndef(0xa1, int(1), int(56), tlvIndef(0x30, tlv(0x80, '00010100000000f2'), int(1)))),
    );
    expect(decode(b)).toBe(TcapAnomaly.Ok);
    expect(v).toMatchObject({ otid: 0x0a000001, dialogue: 0x60, acnFamily: 1, acnValue: 14, acnVersion: 3, componentCount: 1 });
    expect(acnToString(b, v.acnStart, v.acnEnd)).toBe('0.4.0.0.1.0.14.3');
    const c = comp(0);
    expect(c).toMatchObject({ kind: 1, invokeId: 1, opcode: 56 });
    // parameter = from 30 80 up to the invoke's end-of-contents (exclusive)
    expect(b[c.paramStart]).toBe(0x30);
    expect(b[c.paramStart + 1]).toBe(0x80);
    expect(b.subarray(c.paramEnd, c.paramEnd + 2).equals(hex('0000'))).toBe(true);
  });

  it('missing end-of-contents → truncated', () => {
    const b = tlvIndef(0x62, tlv(0x48, '01'), components(invoke(1, 2)));
    expect(decode(b.subarray(0, b.length - 2))).toBe(TcapAnomaly.Truncated);
  });
});

describe('decodeTcap: limits and structural anomalies', () => {
  it('17 components → too_many_components, the first 16 kept', () => {
    const many = Array.from({ length: TCAP_MAX_COMPONENTS + 1 }, (_, i) => invoke(i, 10 + i));
    expect(decode(begin('01', components(...many)))).toBe(TcapAnomaly.TooManyComponents);
    expect(v.componentCount).toBe(TCAP_MAX_COMPONENTS);
    expect(comp(15)).toMatchObject({ invokeId: 15, opcode: 25 });
    const exactly = many.slice(0, TCAP_MAX_COMPONENTS);
    expect(decode(begin('01', components(...exactly)))).toBe(TcapAnomaly.Ok);
  });

  it('unknown message type, unknown component, bad component, bad integer, trailing data', () => {
    expect(decode(tlv(0x63, tlv(0x48, '01')))).toBe(TcapAnomaly.UnknownMessageType);
    expect(v.msgType).toBe(0);
    expect(decode(begin('01', components(tlv(0xa5, int(1)), invoke(2, 3))))).toBe(TcapAnomaly.UnknownComponent);
    expect(v.componentCount).toBe(1);
    expect(comp(0).invokeId).toBe(2);
    expect(decode(begin('01', components(tlv(0xa1, int(1)))))).toBe(TcapAnomaly.BadComponent); // no opcode
    expect(decode(begin('01', components(tlv(0xa1, tlv(0x02, ''), int(2)))))).toBe(TcapAnomaly.BadInteger);
    expect(decode(begin('01', components(tlv(0xa1, int(1), int(-1)))))).toBe(TcapAnomaly.BadInteger); // negative opcode
    expect(decode(cat(begin('01', components(invoke(1, 2))), '0000'))).toBe(TcapAnomaly.TrailingData);
    expect(decode(tlv(0x67, tlv(0x49, '01'), tlv(0x4a, [1]), dialoguePortion(abrt(1))))).toBe(TcapAnomaly.UnexpectedElement);
  });

  it('message longer than [start, end): complete elements still decoded, reported as truncated', () => {
    // Begin declares 4 more octets than present (as in arkime m3ua_synthetic.pcap)
    const b = Buffer.from(A_BEGIN);
    b[1] += 4;
    expect(decode(b)).toBe(TcapAnomaly.Truncated);
    expect(v).toMatchObject({ msgType: 0x62, otid: 0x0a000001, acnValue: 1, componentCount: 1 });
    expect(comp(0)).toMatchObject({ opcode: 2, paramStart: 50, paramEnd: 82 });
    // cut inside the invoke parameter: invokeID/opcode kept, parameter up to the cut
    expect(decodeTcap(A_BEGIN, 0, 60, v)).toBe(TcapAnomaly.Truncated);
    expect(comp(0)).toMatchObject({ kind: 1, invokeId: 1, opcode: 2, paramStart: 50, paramEnd: 60 });
    // cut inside the otid: the partial id is not used
    expect(decodeTcap(A_BEGIN, 0, 5, v)).toBe(TcapAnomaly.Truncated);
    expect(v.otidLen).toBe(0);
  });

  it('honours start/end inside a larger buffer', () => {
    const msg = A_BEGIN;
    const big = Buffer.concat([hex('ffff'), msg, hex('62 7f 48')]);
    expect(decodeTcap(big, 2, 2 + msg.length, v)).toBe(TcapAnomaly.Ok);
    expect(v.acnStart).toBe(35);
    expect(decodeTcap(big, 2, 2 + msg.length - 1, v)).toBe(TcapAnomaly.Truncated);
    expect(decodeTcap(big, 5, 5, v)).toBe(TcapAnomaly.Truncated);
  });

  it('truncation at every byte: never throws, returns an anomaly, offsets stay inside', () => {
    const vectors = [A_BEGIN, B_CONTINUE, C_END, D_PABORT, E_REJECT,
      uni(dialoguePortion(audt('0.4.0.0.1.0.19.2'), UNIDIALOGUE_AS_ID), components(invoke(1, 61))),
      abort('01020304', dialoguePortion(aare('0.4.0.0.1.0.14.2', 1, 0xa2, 2))),
      end('01', components(reject(null, 0, 1), rerr(2, 6, tlv(0x30, '')), rrnl(3, 4, '0400'))),
      tlvIndef(0x62, tlv(0x48, '01'), tlvIndef(0x6c, tlvIndef(0xa1, int(1), int(56), tlvIndef(0x30, int(1))))),
    ];
    for (const full of vectors) {
      expect(decode(full)).toBe(TcapAnomaly.Ok);
      for (let cut = 0; cut < full.length; cut++) {
        const code = decodeTcap(full, 0, cut, v);
        expect(code).not.toBe(TcapAnomaly.Ok);
        expect(code).toBeLessThan(TCAP_ANOMALY_NAMES.length);
        if (v.acnStart >= 0) expect(v.acnEnd).toBeLessThanOrEqual(cut);
        for (let i = 0; i < v.componentCount; i++) {
          if (comp(i).paramStart >= 0) expect(comp(i).paramEnd).toBeLessThanOrEqual(cut);
        }
      }
    }
  });
});
