// MAP (3GPP TS 29.002) operation arguments, results and error parameters used by the
// generator (§17.6 operation definitions, §17.7 data types). Each function returns the complete
// parameter TLV to put in an Invoke / ReturnResultLast / ReturnError component.
import {
  TAG_OCTET_STRING,
  TAG_SEQUENCE,
  boolean,
  ctx,
  enumerated,
  integer,
  nullValue,
  octetString,
  tlv,
} from './ber';
import { addressString, tbcd } from './digits';

// Local operation codes (TS 29.002 §17.5)
export const OP_UPDATE_LOCATION = 2;
export const OP_CANCEL_LOCATION = 3;
export const OP_INSERT_SUBSCRIBER_DATA = 7;
export const OP_UPDATE_GPRS_LOCATION = 23;
export const OP_MT_FORWARD_SM = 44;
export const OP_SEND_ROUTING_INFO_FOR_SM = 45;
export const OP_MO_FORWARD_SM = 46;
export const OP_SEND_AUTHENTICATION_INFO = 56;
export const OP_PURGE_MS = 67;

// Local error codes (TS 29.002 §17.5)
export const ERR_UNKNOWN_SUBSCRIBER = 1;
export const ERR_UNIDENTIFIED_SUBSCRIBER = 5;
export const ERR_ABSENT_SUBSCRIBER_SM = 6;
export const ERR_ROAMING_NOT_ALLOWED = 8;
export const ERR_TELESERVICE_NOT_PROVISIONED = 11;
export const ERR_CALL_BARRED = 13;
export const ERR_FACILITY_NOT_SUPPORTED = 21;
export const ERR_SUBSCRIBER_BUSY_FOR_MT_SMS = 31;
export const ERR_SM_DELIVERY_FAILURE = 32;
export const ERR_SYSTEM_FAILURE = 34;
export const ERR_DATA_MISSING = 35;
export const ERR_UNEXPECTED_DATA_VALUE = 36;

// Application context names (TS 29.002 §17.3.3): 0.4.0.0.1.0.<ac>.<version>
export function mapAcn(ac: number, version: number): string {
  return `0.4.0.0.1.0.${ac}.${version}`;
}
export const AC_NETWORK_LOC_UP = 1;
export const AC_LOCATION_CANCELLATION = 2;
export const AC_INFO_RETRIEVAL = 14;
export const AC_SUBSCRIBER_DATA_MNGT = 16;
export const AC_SHORT_MSG_GATEWAY = 20;
export const AC_SHORT_MSG_MO_RELAY = 21;
export const AC_SHORT_MSG_MT_RELAY = 25;
export const AC_MS_PURGING = 27;
export const AC_GPRS_LOCATION_UPDATE = 32;

const SEQ = TAG_SEQUENCE;
const IMSI = TAG_OCTET_STRING; // IMSI ::= TBCD-STRING (SIZE (3..8)) when untagged

function imsiValue(imsi: string, tag: number | Buffer = IMSI): Buffer {
  return octetString(tbcd(imsi), tag);
}

function isdn(digits: string, tag: number | Buffer = TAG_OCTET_STRING): Buffer {
  return octetString(addressString(digits), tag);
}

/** PLMN-Id (TS 29.002 §17.7.1, TS 24.008 §10.5.1.3 order): MCC2 MCC1 | MNC3 MCC3 | MNC2 MNC1 */
export function plmnId(mcc: string, mnc: string): Buffer {
  const m3 = mnc.length === 3 ? Number(mnc[2]) : 0x0f;
  return Buffer.from([
    (Number(mcc[1]) << 4) | Number(mcc[0]),
    (m3 << 4) | Number(mcc[2]),
    (Number(mnc[1]) << 4) | Number(mnc[0]),
  ]);
}

// ------------------------------------------------------------------ sendAuthenticationInfo

/** SendAuthenticationInfoArg (v3): SEQUENCE { imsi [0], numberOfRequestedVectors, ..., requestingNodeType [3], requestingPLMN-Id [4] } */
export function saiArg(imsi: string, vectors: number, node?: { sgsn: boolean; mcc: string; mnc: string }): Buffer {
  const parts = [imsiValue(imsi, ctx(0)), integer(vectors)];
  if (node) {
    parts.push(enumerated(node.sgsn ? 1 : 0, ctx(3)));
    parts.push(octetString(plmnId(node.mcc, node.mnc), ctx(4)));
  }
  return tlv(SEQ, ...parts);
}

export interface AuthVector {
  rand: Buffer; // 16
  sres?: Buffer; // 4 (triplet)
  kc?: Buffer; // 8 (triplet)
  xres?: Buffer; // 4..16 (quintuplet)
  ck?: Buffer; // 16
  ik?: Buffer; // 16
  autn?: Buffer; // 16
}

/** SendAuthenticationInfoRes (v3): [3] SEQUENCE { authenticationSetList CHOICE { tripletList [0], quintupletList [1] } } */
export function saiRes(vectors: readonly AuthVector[], quintuplets: boolean): Buffer {
  const items = vectors.map((v) =>
    quintuplets
      ? tlv(SEQ, octetString(v.rand), octetString(v.xres!), octetString(v.ck!), octetString(v.ik!), octetString(v.autn!))
      : tlv(SEQ, octetString(v.rand), octetString(v.sres!), octetString(v.kc!)),
  );
  return tlv(ctx(3, true), tlv(ctx(quintuplets ? 1 : 0, true), ...items));
}

// ------------------------------------------------------------------ location management

/** UpdateLocationArg: SEQUENCE { imsi, msc-Number [1], vlr-Number, lmsi [10] OPTIONAL, ..., vlr-Capability [6] OPTIONAL } */
export function ulArg(imsi: string, mscNumber: string, vlrNumber: string, lmsi?: Buffer, camelPhases?: number): Buffer {
  const parts = [imsiValue(imsi), isdn(mscNumber, ctx(1)), isdn(vlrNumber)];
  if (lmsi) parts.push(octetString(lmsi, ctx(10)));
  if (camelPhases !== undefined) {
    // vlr-Capability [6] SEQUENCE { supportedCamelPhases [0] BIT STRING { phase1(0), phase2(1), phase3(2), phase4(3) } }
    parts.push(tlv(ctx(6, true), tlv(ctx(0), Buffer.from([4, camelPhases & 0xf0]))));
  }
  return tlv(SEQ, ...parts);
}

/** UpdateLocationRes / UpdateGprsLocationRes: SEQUENCE { hlr-Number } */
export function hlrNumberRes(hlrNumber: string): Buffer {
  return tlv(SEQ, isdn(hlrNumber));
}

/** UpdateGprsLocationArg: SEQUENCE { imsi, sgsn-Number, sgsn-Address } */
export function uglArg(imsi: string, sgsnNumber: string, sgsnIpv4: Buffer): Buffer {
  // GSN-Address (TS 23.003 / 29.002 §17.7.1): address type(2 bits, 0 = IPv4) | length(6 bits), address
  const gsn = Buffer.concat([Buffer.from([0x04]), sgsnIpv4]);
  return tlv(SEQ, imsiValue(imsi), isdn(sgsnNumber), octetString(gsn));
}

/** CancelLocationArg (v3): [3] SEQUENCE { identity (imsi), cancellationType OPTIONAL } */
export function clArg(imsi: string, cancellationType?: number): Buffer {
  const parts = [imsiValue(imsi)];
  if (cancellationType !== undefined) parts.push(enumerated(cancellationType));
  return tlv(ctx(3, true), ...parts);
}
export const CANCEL_UPDATE_PROCEDURE = 0;
export const CANCEL_SUBSCRIPTION_WITHDRAW = 1;

/** PurgeMS-Arg (v3): [3] SEQUENCE { imsi, vlr-Number [0] OPTIONAL, sgsn-Number [1] OPTIONAL } */
export function purgeArg(imsi: string, nodeNumber: string, sgsn: boolean): Buffer {
  return tlv(ctx(3, true), imsiValue(imsi), isdn(nodeNumber, ctx(sgsn ? 1 : 0)));
}

/** PurgeMS-Res: SEQUENCE { freezeTMSI [0] NULL OPTIONAL, freezeP-TMSI [1] NULL OPTIONAL } */
export function purgeRes(freeze: boolean, sgsn: boolean): Buffer {
  return freeze ? tlv(SEQ, nullValue(ctx(sgsn ? 1 : 0))) : tlv(SEQ);
}

// ------------------------------------------------------------------ subscriber data

export interface PdpContext {
  id: number;
  apn: string;
  /** qos-Subscribed, 3 octets (TS 24.008 QoS octets 3-5) */
  qos: Buffer;
}

export interface SubscriberDataOptions {
  imsi?: string;
  msisdn: string;
  /** teleservice codes (TS 29.002 §17.7.9: 0x11 telephony, 0x21 SMS-MT, 0x22 SMS-MO) */
  teleservices: readonly number[];
  /** supplementary services with ss-Data (ss-Code, ss-Status) */
  ssCodes?: readonly number[];
  /** call barring programmes (ss-Code) with one ext-Teleservice feature each */
  barrings?: readonly number[];
  pdpContexts?: readonly PdpContext[];
}

/** APN (TS 23.003 §9.1): labels, each preceded by its length */
function apnValue(apn: string): Buffer {
  const parts: Buffer[] = [];
  for (const label of apn.split('.')) parts.push(Buffer.from([label.length]), Buffer.from(label, 'latin1'));
  return Buffer.concat(parts);
}

/**
 * InsertSubscriberDataArg: SEQUENCE { imsi [0] OPTIONAL, msisdn [1], category [2], subscriberStatus [3],
 * teleserviceList [6], provisionedSS [7], ..., gprsSubscriptionData [16] }
 */
export function isdArg(o: SubscriberDataOptions): Buffer {
  const parts: Buffer[] = [];
  if (o.imsi) parts.push(imsiValue(o.imsi, ctx(0)));
  parts.push(isdn(o.msisdn, ctx(1)));
  parts.push(octetString(Buffer.from([0x0a]), ctx(2))); // category: ordinary subscriber (Q.763 §3.11)
  parts.push(enumerated(0, ctx(3))); // subscriberStatus: serviceGranted
  parts.push(tlv(ctx(6, true), ...o.teleservices.map((t) => octetString(Buffer.from([t])))));
  const ss: Buffer[] = [];
  for (const code of o.barrings ?? []) {
    // Ext-SS-Info callBarringInfo [1] { ss-Code, SEQUENCE OF { ext-Teleservice [3], ss-Status [4] } }
    ss.push(
      tlv(
        ctx(1, true),
        octetString(Buffer.from([code])),
        tlv(SEQ, tlv(SEQ, octetString(Buffer.from([0x10]), ctx(3)), octetString(Buffer.from([0x04]), ctx(4)))),
      ),
    );
  }
  for (const code of o.ssCodes ?? []) {
    // Ext-SS-Info ss-Data [3] { ss-Code, ss-Status [4] (provisioned + active) }
    ss.push(tlv(ctx(3, true), octetString(Buffer.from([code])), octetString(Buffer.from([0x05]), ctx(4))));
  }
  if (ss.length > 0) parts.push(tlv(ctx(7, true), ...ss));
  if (o.pdpContexts && o.pdpContexts.length > 0) {
    // GPRSSubscriptionData [16] { completeDataListIncluded NULL, gprsDataList [1] SEQUENCE OF PDP-Context }
    const list = o.pdpContexts.map((p) =>
      tlv(
        SEQ,
        integer(p.id),
        octetString(Buffer.from([0xf1, 0x21]), ctx(16)), // pdp-Type: IETF, IPv4
        octetString(p.qos, ctx(18)),
        octetString(apnValue(p.apn), ctx(20)),
      ),
    );
    parts.push(tlv(ctx(16, true), nullValue(), tlv(ctx(1, true), ...list)));
  }
  return tlv(SEQ, ...parts);
}

/** InsertSubscriberDataRes: SEQUENCE { } (all components optional) */
export function isdRes(): Buffer {
  return tlv(SEQ);
}

// ------------------------------------------------------------------ short messages

/** RoutingInfoForSM-Arg: SEQUENCE { msisdn [0], sm-RP-PRI [1] BOOLEAN, serviceCentreAddress [2] } */
export function sriSmArg(msisdn: string, serviceCentre: string): Buffer {
  return tlv(SEQ, isdn(msisdn, ctx(0)), boolean(true, ctx(1)), isdn(serviceCentre, ctx(2)));
}

/** RoutingInfoForSM-Res: SEQUENCE { imsi, locationInfoWithLMSI [0] { networkNode-Number [1], lmsi OPTIONAL } } */
export function sriSmRes(imsi: string, mscNumber: string, lmsi?: Buffer): Buffer {
  const loc = [isdn(mscNumber, ctx(1))];
  if (lmsi) loc.push(octetString(lmsi));
  return tlv(SEQ, imsiValue(imsi), tlv(ctx(0, true), ...loc));
}

/** MT-ForwardSM-Arg: SEQUENCE { sm-RP-DA imsi [0], sm-RP-OA serviceCentreAddressOA [4], sm-RP-UI } */
export function mtForwardSmArg(imsi: string, serviceCentre: string, tpdu: Buffer): Buffer {
  return tlv(SEQ, imsiValue(imsi, ctx(0)), isdn(serviceCentre, ctx(4)), octetString(tpdu));
}

/** MO-ForwardSM-Arg: SEQUENCE { sm-RP-DA serviceCentreAddressDA [4], sm-RP-OA msisdn [2], sm-RP-UI, ..., imsi OPTIONAL } */
export function moForwardSmArg(serviceCentre: string, msisdn: string, tpdu: Buffer, imsi?: string): Buffer {
  const parts = [isdn(serviceCentre, ctx(4)), isdn(msisdn, ctx(2)), octetString(tpdu)];
  if (imsi) parts.push(imsiValue(imsi));
  return tlv(SEQ, ...parts);
}

// ------------------------------------------------------------------ error parameters (§17.6.6)

/** parameter of a ReturnError, or undefined when the error carries none */
export function errorParam(code: number): Buffer | undefined {
  switch (code) {
    case ERR_UNKNOWN_SUBSCRIBER: // UnknownSubscriberParam { ..., unknownSubscriberDiagnostic imsiUnknown(0) }
      return tlv(SEQ, enumerated(0));
    case ERR_ROAMING_NOT_ALLOWED: // RoamingNotAllowedParam { roamingNotAllowedCause plmnRoamingNotAllowed(0) }
      return tlv(SEQ, enumerated(0));
    case ERR_ABSENT_SUBSCRIBER_SM: // AbsentSubscriberSM-Param { absentSubscriberDiagnosticSM INTEGER }
      return tlv(SEQ, integer(1)); // 1 = IMSI detached (TS 23.040 §3.3.2)
    case ERR_SYSTEM_FAILURE: // SystemFailureParam CHOICE networkResource: hlr(1)
      return enumerated(1);
    case ERR_CALL_BARRED: // CallBarredParam CHOICE callBarringCause: operatorBarring(1)
      return enumerated(1);
    default:
      return undefined;
  }
}

/** SendAuthenticationInfoArgV2 ::= IMSI (TS 29.002 v2 form, untagged OCTET STRING) */
export function imsiArg(imsi: string): Buffer {
  return imsiValue(imsi);
}

/** SendAuthenticationInfoResOld (v2): SEQUENCE SIZE (1..5) OF SEQUENCE { rand, sres, kc } */
export function saiResV2(vectors: readonly AuthVector[]): Buffer {
  return tlv(SEQ, ...vectors.map((v) => tlv(SEQ, octetString(v.rand), octetString(v.sres ?? Buffer.alloc(4)), octetString(v.kc ?? Buffer.alloc(8)))));
}
