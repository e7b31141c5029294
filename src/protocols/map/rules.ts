/**
 * Data-driven identity extraction: for each MAP / CAP operation, where (as a path of BER tags
 * from the parameter down to the field) the IMSI, MSISDN and network-node numbers are carried.
 * The engine in decode.ts walks these paths; no per-operation code.
 *
 * A rule is `[field, step, step, ...]`. The first step matches the parameter element itself (e.g.
 * a SEQUENCE, a [3] SEQUENCE, or a bare OCTET STRING in v1/v2 encodings); each further step
 * matches a child of the previous one. A step is a tag key (see tcap/ber.ts BerTlv.tag),
 * optionally `nth(tag, k)` for the k-th child with that tag (untagged fields of the same
 * universal type, e.g. imsi and vlr-Number, both OCTET STRING). For one field the rules are
 * tried in order and the first match wins (newer version first).
 */
import { berHighTag } from '../tcap/ber';

/** Identity fields of MapInfoView. */
export const enum MapField {
  Imsi = 0,
  Msisdn = 1,
  Vlr = 2,
  Sgsn = 3,
  Msc = 4,
  Hlr = 5,
  Sca = 6,
  SgsnAddress = 7,
  Calling = 8,
}

/** Content size limits per field, index = MapField. */
export const FIELD_MIN_OCTETS: readonly number[] = [
  3, // IMSI ::= TBCD-STRING (SIZE (3..8))                       TS 29.002 §17.7.8
  1, 1, 1, 1, 1, // ISDN-AddressString (SIZE (1..maxISDN-AddressLength)) §17.7.8
  1, // AddressString (SIZE (1..maxAddressLength))
  5, // GSN-Address ::= OCTET STRING (SIZE (5..17))
  2, // CAP CallingPartyNumber (SIZE (minCallingPartyNumberLength = 2 ..)) TS 29.078
];
export const FIELD_MAX_OCTETS: readonly number[] = [
  8,
  // maxISDN-AddressLength is 9; accept up to maxAddressLength (20): oversized numbers occur
  20, 20, 20, 20, 20,
  20, // maxAddressLength
  17,
  18, // lenient (maxCallingPartyNumberLength = 10)
];

export type MapRule = readonly number[];

export interface OperationRules {
  readonly op: number;
  /** rules for the invoke argument */
  readonly arg?: readonly MapRule[];
  /** rules for the ReturnResult parameter */
  readonly res?: readonly MapRule[];
}

/** Multiplier encoding the occurrence index in a step (tags are < 2^31). */
export const STEP_OCCURRENCE = 0x100000000;

/** k-th (1-based) child with tag `tag`. */
function nth(tag: number, k: number): number {
  return tag + (k - 1) * STEP_OCCURRENCE;
}

const OCT = 0x04; // OCTET STRING (untagged IMSI, ISDN-AddressString, AddressString, GSN-Address)
const SEQ = 0x30; // SEQUENCE
/** primitive context-specific [n], n ≤ 30 (IMPLICIT tags: TS 29.002 modules use IMPLICIT TAGS) */
function ctx(n: number): number {
  return 0x80 | n;
}
/** constructed context-specific [n], n ≤ 30 (a tagged SEQUENCE, or an explicit CHOICE tag) */
function cctx(n: number): number {
  return 0xa0 | n;
}
/** primitive context-specific [n], n ≥ 31 */
function ctxHigh(n: number): number {
  return berHighTag(0x80, n);
}

const Imsi = MapField.Imsi;
const Msisdn = MapField.Msisdn;
const Vlr = MapField.Vlr;
const Sgsn = MapField.Sgsn;
const Msc = MapField.Msc;
const Hlr = MapField.Hlr;
const Sca = MapField.Sca;
const SgsnAddress = MapField.SgsnAddress;
const Calling = MapField.Calling;

/** mo-ForwardSM / mt-ForwardSM / v1-v2 forwardSM argument: SEQUENCE { sm-RP-DA, sm-RP-OA, sm-RP-UI, ... }
 *  SM-RP-DA ::= CHOICE { imsi [0], lmsi [1], serviceCentreAddressDA [4], noSM-RP-DA [5] }
 *  SM-RP-OA ::= CHOICE { msisdn [2], serviceCentreAddressOA [4], noSM-RP-OA [5] }  (§17.7.6)
 *  Only one of DA/OA is a service centre address, so "the [4] child" is the SCA either way. */
const FORWARD_SM_ARG: readonly MapRule[] = [
  [Imsi, SEQ, ctx(0)],
  [Msisdn, SEQ, ctx(2)],
  [Sca, SEQ, ctx(4)],
];

/** SEQUENCE { msisdn ISDN-AddressString, serviceCentreAddress AddressString, ... }
 *  (ReportSM-DeliveryStatusArg, AlertServiceCentreArg; §17.7.6) */
const MSISDN_SCA_ARG: readonly MapRule[] = [
  [Msisdn, SEQ, nth(OCT, 1)],
  [Sca, SEQ, nth(OCT, 2)],
];

/** MAP operations, TS 29.002 §17.6 / §17.7 (argument and result types). */
export const MAP_OPERATION_RULES: readonly OperationRules[] = [
  { // updateLocation: UpdateLocationArg ::= SEQUENCE { imsi IMSI, msc-Number [1] ISDN-AddressString,
    //   vlr-Number ISDN-AddressString, ... }; UpdateLocationRes ::= SEQUENCE { hlr-Number, ... } (§17.7.1)
    op: 2,
    arg: [[Imsi, SEQ, nth(OCT, 1)], [Msc, SEQ, ctx(1)], [Vlr, SEQ, nth(OCT, 2)]],
    res: [[Hlr, SEQ, OCT], [Hlr, OCT]],
  },
  { // cancelLocation: v3 CancelLocationArg ::= [3] SEQUENCE { identity Identity, ... };
    //   Identity ::= CHOICE { imsi IMSI, imsi-WithLMSI SEQUENCE { imsi, lmsi } }; v1/v2: the Identity
    op: 3,
    arg: [[Imsi, cctx(3), OCT], [Imsi, cctx(3), SEQ, OCT], [Imsi, OCT], [Imsi, SEQ, OCT]],
  },
  { // provideRoamingNumber: SEQUENCE { imsi [0], msc-Number [1], msisdn [2] OPTIONAL, ... }
    op: 4,
    arg: [[Imsi, SEQ, ctx(0)], [Msc, SEQ, ctx(1)], [Msisdn, SEQ, ctx(2)]],
  },
  { // insertSubscriberData: SEQUENCE { imsi [0] OPTIONAL, COMPONENTS OF SubscriberData (msisdn [1] ...) }
    op: 7,
    arg: [[Imsi, SEQ, ctx(0)], [Msisdn, SEQ, ctx(1)]],
  },
  { // deleteSubscriberData: SEQUENCE { imsi [0] IMSI, ... }
    op: 8,
    arg: [[Imsi, SEQ, ctx(0)]],
  },
  { // sendRoutingInfo: SendRoutingInfoArg ::= SEQUENCE { msisdn [0], ... };
    //   v3 SendRoutingInfoRes ::= [3] SEQUENCE { imsi [9] IMSI OPTIONAL, ... }
    //   v1/v2 SendRoutingInfoRes ::= SEQUENCE { imsi IMSI, routingInfo, ... }   (§17.7.3)
    op: 22,
    arg: [[Msisdn, SEQ, ctx(0)]],
    res: [[Imsi, cctx(3), ctx(9)], [Imsi, SEQ, OCT]],
  },
  { // updateGprsLocation: SEQUENCE { imsi IMSI, sgsn-Number ISDN-AddressString, sgsn-Address GSN-Address, ... };
    //   UpdateGprsLocationRes ::= SEQUENCE { hlr-Number, ... }
    op: 23,
    arg: [[Imsi, SEQ, nth(OCT, 1)], [Sgsn, SEQ, nth(OCT, 2)], [SgsnAddress, SEQ, nth(OCT, 3)]],
    res: [[Hlr, SEQ, OCT]],
  },
  { // sendRoutingInfoForGprs: SEQUENCE { imsi [0], ggsn-Address [1] OPTIONAL, ggsn-Number [2], ... };
    //   SendRoutingInfoForGprsRes ::= SEQUENCE { sgsn-Address [0] GSN-Address, ... }
    op: 24,
    arg: [[Imsi, SEQ, ctx(0)]],
    res: [[SgsnAddress, SEQ, ctx(0)]],
  },
  { // reset: v3 ResetArg ::= SEQUENCE { sendingNodenumber CHOICE { hlr-Number ISDN-AddressString,
    //   css-Number [1] }, hlr-List OPTIONAL, ... }; v1/v2 SEQUENCE { [networkResource,] hlr-Number, ... }
    op: 37,
    arg: [[Hlr, SEQ, OCT]],
  },
  { // mt-ForwardSM (MT-ForwardSM-Arg)
    op: 44,
    arg: FORWARD_SM_ARG,
  },
  { // sendRoutingInfoForSM: RoutingInfoForSM-Arg ::= SEQUENCE { msisdn [0], sm-RP-PRI [1] BOOLEAN,
    //   serviceCentreAddress [2] AddressString, ... }
    //   RoutingInfoForSM-Res ::= SEQUENCE { imsi IMSI, locationInfoWithLMSI [0] SEQUENCE {
    //   networkNode-Number [1], lmsi OPTIONAL, ..., gprsNodeIndicator [5], additional-Number [6]
    //   CHOICE { msc-Number [0], sgsn-Number [1] } } }                            (§17.7.6)
    op: 45,
    arg: [[Msisdn, SEQ, ctx(0)], [Sca, SEQ, ctx(2)]],
    res: [[Imsi, SEQ, OCT], [Msc, SEQ, cctx(0), ctx(1)], [Sgsn, SEQ, cctx(0), cctx(6), ctx(1)]],
  },
  { // mo-ForwardSM (v3 MO-ForwardSM-Arg adds `imsi IMSI OPTIONAL` after sm-RP-UI, an OCTET
    //   STRING too: hence the 2nd OCTET STRING) / forwardSM (v1/v2)
    op: 46,
    arg: [...FORWARD_SM_ARG, [Imsi, SEQ, nth(OCT, 2)]],
  },
  { // reportSM-DeliveryStatus
    op: 47,
    arg: MSISDN_SCA_ARG,
  },
  { // activateTraceMode: SEQUENCE { imsi [0] IMSI OPTIONAL, traceReference [1], ... }
    op: 50,
    arg: [[Imsi, SEQ, ctx(0)]],
  },
  { // sendIdentification: v3 SendIdentificationRes ::= [3] SEQUENCE { imsi IMSI OPTIONAL, ... };
    //   v2 SendIdentificationRes ::= SEQUENCE { imsi IMSI, ... }
    op: 55,
    res: [[Imsi, cctx(3), OCT], [Imsi, SEQ, OCT]],
  },
  { // sendAuthenticationInfo: v3 SendAuthenticationInfoArg ::= SEQUENCE { imsi [0] IMSI, ... };
    //   v2 SendAuthenticationInfoArg ::= IMSI
    op: 56,
    arg: [[Imsi, SEQ, ctx(0)], [Imsi, OCT]],
  },
  { // restoreData: RestoreDataArg ::= SEQUENCE { imsi IMSI, lmsi LMSI OPTIONAL, ... };
    //   RestoreDataRes ::= SEQUENCE { hlr-Number ISDN-AddressString, ... }
    op: 57,
    arg: [[Imsi, SEQ, nth(OCT, 1)]],
    res: [[Hlr, SEQ, OCT]],
  },
  { // sendIMSI: argument ISDN-AddressString (msisdn), result IMSI
    op: 58,
    arg: [[Msisdn, OCT]],
    res: [[Imsi, OCT]],
  },
  { // processUnstructuredSS-Request: USSD-Arg ::= SEQUENCE { ussd-DataCodingScheme, ussd-String,
    //   ..., alertingPattern OPTIONAL, msisdn [0] ISDN-AddressString OPTIONAL, ... }
    op: 59,
    arg: [[Msisdn, SEQ, ctx(0)]],
  },
  { // informServiceCentre: InformServiceCentreArg ::= SEQUENCE { storedMSISDN ISDN-AddressString OPTIONAL, ... }
    op: 63,
    arg: [[Msisdn, SEQ, OCT]],
  },
  { // alertServiceCentre
    op: 64,
    arg: MSISDN_SCA_ARG,
  },
  { // readyForSM: ReadyForSM-Arg ::= SEQUENCE { imsi [0] IMSI, alertReason, ... }
    op: 66,
    arg: [[Imsi, SEQ, ctx(0)]],
  },
  { // purgeMS: v3 PurgeMS-Arg ::= [3] SEQUENCE { imsi IMSI, vlr-Number [0] OPTIONAL, sgsn-Number [1] OPTIONAL, ... };
    //   v2 PurgeMS-Arg ::= SEQUENCE { imsi IMSI, vlr-Number ISDN-AddressString, ... }
    op: 67,
    arg: [
      [Imsi, cctx(3), OCT], [Vlr, cctx(3), ctx(0)], [Sgsn, cctx(3), ctx(1)],
      [Imsi, SEQ, nth(OCT, 1)], [Vlr, SEQ, nth(OCT, 2)],
    ],
  },
  { // provideSubscriberInfo: SEQUENCE { imsi [0] IMSI, lmsi [1] OPTIONAL, requestedInfo [2], ... }
    op: 70,
    arg: [[Imsi, SEQ, ctx(0)]],
  },
  { // anyTimeInterrogation: SEQUENCE { subscriberIdentity [0] SubscriberIdentity, requestedInfo [1], ... };
    //   SubscriberIdentity ::= CHOICE { imsi [0] IMSI, msisdn [1] ISDN-AddressString }  (explicit [0])
    op: 71,
    arg: [[Imsi, SEQ, cctx(0), ctx(0)], [Msisdn, SEQ, cctx(0), ctx(1)]],
  },
];

/** CAP operations, TS 29.078 (argument types). */
export const CAP_OPERATION_RULES: readonly OperationRules[] = [
  { // initialDP: InitialDPArg ::= SEQUENCE { serviceKey [0], calledPartyNumber [2],
    //   callingPartyNumber [3], ..., iMSI [50] IMSI, ..., mscAddress [55] ISDN-AddressString, ... }
    op: 0,
    arg: [[Imsi, SEQ, ctxHigh(50)], [Calling, SEQ, ctx(3)], [Msc, SEQ, ctxHigh(55)]],
  },
  { // initialDPSMS: InitialDPSMSArg ::= SEQUENCE { serviceKey [0], destinationSubscriberNumber [1],
    //   callingPartyNumber [2] SMS-AddressString, eventTypeSMS [3], iMSI [4], ..., sMSCAddress [7]
    //   ISDN-AddressString, ..., mscAddress [15], sgsn-Number [16], ... }
    op: 60,
    arg: [[Imsi, SEQ, ctx(4)], [Msisdn, SEQ, ctx(2)], [Sca, SEQ, ctx(7)], [Msc, SEQ, ctx(15)], [Sgsn, SEQ, ctx(16)]],
  },
  { // initialDPGPRS: InitialDPGPRSArg ::= SEQUENCE { serviceKey [0], gPRSEventType [1],
    //   mSISDN [2] ISDN-AddressString, iMSI [3] IMSI, ... }
    op: 78,
    arg: [[Msisdn, SEQ, ctx(2)], [Imsi, SEQ, ctx(3)]],
  },
];

/** Per-opcode rule lists indexed by operation code (built once at module load). */
export interface RuleIndex {
  readonly arg: readonly (readonly MapRule[] | undefined)[];
  readonly res: readonly (readonly MapRule[] | undefined)[];
}

export function buildRuleIndex(ops: readonly OperationRules[]): RuleIndex {
  const arg: (readonly MapRule[] | undefined)[] = [];
  const res: (readonly MapRule[] | undefined)[] = [];
  for (const o of ops) {
    arg[o.op] = o.arg;
    res[o.op] = o.res;
  }
  return { arg, res };
}
