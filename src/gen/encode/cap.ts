// CAMEL Application Part (3GPP TS 29.078) v2 gsmSSF-to-gsmSCF operations used by the generator:
// initialDP (§6.1.1 / ASN.1 InitialDPArg), and the gsmSCF answers continue, connect, releaseCall.
import { TAG_SEQUENCE, enumerated, integer, octetString, tlv, ctx } from './ber';
import { addressString, tbcd } from './digits';

export const CAP_V2_SSF_TO_SCF_ACN = '0.4.0.0.1.0.50.1'; // CAP-v2-gsmSSF-to-gsmSCF-AC
export const CAP_OP_INITIAL_DP = 0;
export const CAP_OP_CONNECT = 20;
export const CAP_OP_RELEASE_CALL = 22;
export const CAP_OP_REQUEST_REPORT_BCSM_EVENT = 23;
export const CAP_OP_CONTINUE = 31;
export const CAP_ERR_MISSING_CUSTOMER_RECORD = 6;
export const CAP_ERR_SYSTEM_FAILURE = 11;

/** ISUP number (Q.763 §3.9/§3.10): odd/even + NAI, NPI ISDN (+ screening for calling), BCD digits */
function isupNumber(digits: string, calling: boolean): Buffer {
  const odd = digits.length & 1;
  const bcd = Buffer.alloc((digits.length + 1) >> 1);
  for (let i = 0; i < digits.length; i += 2) {
    const lo = digits.charCodeAt(i) - 48;
    const hi = i + 1 < digits.length ? digits.charCodeAt(i + 1) - 48 : 0;
    bcd[i >> 1] = (hi << 4) | lo;
  }
  // octet 1: O/E(8) NAI(7-1) = 4 international; octet 2: INN/NI(8) NPI(7-5) = 1 ISDN, APRI(4-3), screening(2-1)
  return Buffer.concat([Buffer.from([(odd << 7) | 0x04, calling ? 0x13 : 0x10]), bcd]);
}

export interface InitialDpOptions {
  serviceKey: number;
  calledNumber: string;
  callingNumber: string;
  imsi?: string;
  mscAddress: string;
  callReference: Buffer;
}

/**
 * InitialDPArg: SEQUENCE { serviceKey [0], calledPartyNumber [2], callingPartyNumber [3],
 * callingPartysCategory [5], eventTypeBCSM [28], iMSI [50], callReferenceNumber [54], mscAddress [55] }
 */
export function initialDpArg(o: InitialDpOptions): Buffer {
  const parts = [
    integer(o.serviceKey, ctx(0)),
    octetString(isupNumber(o.calledNumber, false), ctx(2)),
    octetString(isupNumber(o.callingNumber, true), ctx(3)),
    octetString(Buffer.from([0x0a]), ctx(5)), // ordinary calling subscriber
    enumerated(2, ctx(28)), // eventTypeBCSM collectedInfo(2)
  ];
  if (o.imsi) parts.push(octetString(tbcd(o.imsi), ctx(50)));
  parts.push(octetString(o.callReference, ctx(54)));
  parts.push(octetString(addressString(o.mscAddress), ctx(55)));
  return tlv(TAG_SEQUENCE, ...parts);
}

/** ConnectArg: SEQUENCE { destinationRoutingAddress [0] SEQUENCE SIZE(1) OF CalledPartyNumber } */
export function connectArg(destination: string): Buffer {
  return tlv(TAG_SEQUENCE, tlv(ctx(0, true), octetString(isupNumber(destination, false))));
}

/** ReleaseCallArg ::= Cause (Q.850 cause indicators: coding ITU, location, cause value) */
export function releaseCallArg(causeValue: number): Buffer {
  return octetString(Buffer.from([0x80 | 0x03, 0x80 | (causeValue & 0x7f)]));
}
