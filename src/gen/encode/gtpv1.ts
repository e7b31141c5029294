// GTPv1-C (TS 29.060): header with the S flag and sequence number (§6), TV and TLV information
// elements (§7.7), and the messages Echo (§7.2), Create / Update / Delete PDP Context (§7.3).
import { addressString, tbcd } from './digits';
import { apnLabels, plmnId } from './plmn';

export const GTPV1_ECHO_REQUEST = 1;
export const GTPV1_ECHO_RESPONSE = 2;
export const GTPV1_CREATE_PDP_CONTEXT_REQUEST = 16;
export const GTPV1_CREATE_PDP_CONTEXT_RESPONSE = 17;
export const GTPV1_UPDATE_PDP_CONTEXT_REQUEST = 18;
export const GTPV1_UPDATE_PDP_CONTEXT_RESPONSE = 19;
export const GTPV1_DELETE_PDP_CONTEXT_REQUEST = 20;
export const GTPV1_DELETE_PDP_CONTEXT_RESPONSE = 21;

// information element types (§7.7, table 37)
export const IE1_CAUSE = 1;
export const IE1_IMSI = 2;
export const IE1_RAI = 3;
export const IE1_RECOVERY = 14;
export const IE1_SELECTION_MODE = 15;
export const IE1_TEID_DATA_I = 16;
export const IE1_TEID_C = 17;
export const IE1_TEARDOWN_IND = 19;
export const IE1_NSAPI = 20;
export const IE1_CHARGING_CHARACTERISTICS = 26;
export const IE1_CHARGING_ID = 127;
export const IE1_END_USER_ADDRESS = 128;
export const IE1_APN = 131;
export const IE1_GSN_ADDRESS = 133;
export const IE1_MSISDN = 134;
export const IE1_QOS_PROFILE = 135;
export const IE1_RAT_TYPE = 151;
export const IE1_ULI = 152;
export const IE1_IMEISV = 154;

// Cause values (§7.7.1)
export const GTPV1_CAUSE_REQUEST_ACCEPTED = 128;
export const GTPV1_CAUSE_NON_EXISTENT = 192;
export const GTPV1_CAUSE_NO_RESOURCES = 199;
export const GTPV1_CAUSE_SYSTEM_FAILURE = 204;
export const GTPV1_CAUSE_USER_AUTHENTICATION_FAILED = 209;
export const GTPV1_CAUSE_ALL_DYNAMIC_ADDRESSES_OCCUPIED = 211;
export const GTPV1_CAUSE_MISSING_OR_UNKNOWN_APN = 219;

// RAT Type (§7.7.50)
export const GTPV1_RAT_UTRAN = 1;
export const GTPV1_RAT_GERAN = 2;

const GTPV1_HDR = 12; // 8 mandatory octets + sequence number, N-PDU number, next extension type
const FLAGS_V1_PT_S = 0x32; // version 1, protocol type GTP, S flag (§6: signalling messages carry a sequence number)

/** header (§6) + IEs; Length counts everything after the first 8 octets */
export function encodeGtpv1(type: number, teid: number, seq: number, ies: readonly Buffer[]): Buffer {
  let n = GTPV1_HDR;
  for (const ie of ies) n += ie.length;
  const b = Buffer.allocUnsafe(n);
  b[0] = FLAGS_V1_PT_S;
  b[1] = type;
  b.writeUInt16BE(n - 8, 2);
  b.writeUInt32BE(teid >>> 0, 4);
  b.writeUInt16BE(seq & 0xffff, 8);
  b[10] = 0; // N-PDU number (not used on GTP-C)
  b[11] = 0; // next extension header type: none
  let o = GTPV1_HDR;
  for (const ie of ies) o += ie.copy(b, o);
  return b;
}

/** TV IE (type < 128): type + fixed-length value (§7.7) */
export function tv(type: number, value: Buffer): Buffer {
  const b = Buffer.allocUnsafe(1 + value.length);
  b[0] = type;
  value.copy(b, 1);
  return b;
}

/** TLV IE (type >= 128): type + 16-bit length + value (§7.7) */
export function tlv(type: number, value: Buffer): Buffer {
  const b = Buffer.allocUnsafe(3 + value.length);
  b[0] = type;
  b.writeUInt16BE(value.length, 1);
  value.copy(b, 3);
  return b;
}

const u8 = (x: number): Buffer => Buffer.from([x & 0xff]);
const u32 = (x: number): Buffer => {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(x >>> 0, 0);
  return b;
};

export const ieCause = (c: number): Buffer => tv(IE1_CAUSE, u8(c));
/** IMSI (§7.7.2): TBCD, 8 octets, filler F */
export const ieImsi = (imsi: string): Buffer => tv(IE1_IMSI, Buffer.concat([tbcd(imsi), Buffer.alloc(8 - ((imsi.length + 1) >> 1), 0xff)]));
/** Routing Area Identity (§7.7.3): MCC/MNC, LAC, RAC */
export function ieRai(mcc: string, mnc: string, lac: number, rac: number): Buffer {
  const v = Buffer.allocUnsafe(6);
  plmnId(mcc, mnc).copy(v, 0);
  v.writeUInt16BE(lac & 0xffff, 3);
  v[5] = rac & 0xff;
  return tv(IE1_RAI, v);
}
export const ieRecovery = (restartCounter: number): Buffer => tv(IE1_RECOVERY, u8(restartCounter));
/** Selection mode (§7.7.12): spare bits set to 1, mode in bits 2-1 */
export const ieSelectionMode = (mode: number): Buffer => tv(IE1_SELECTION_MODE, u8(0xfc | (mode & 3)));
export const ieTeidDataI = (teid: number): Buffer => tv(IE1_TEID_DATA_I, u32(teid));
export const ieTeidC = (teid: number): Buffer => tv(IE1_TEID_C, u32(teid));
export const ieTeardownInd = (on: boolean): Buffer => tv(IE1_TEARDOWN_IND, u8(0xfe | (on ? 1 : 0)));
/** NSAPI (§7.7.17): spare high nibble 0 */
export const ieNsapi = (nsapi: number): Buffer => tv(IE1_NSAPI, u8(nsapi & 0x0f));
export const ieChargingCharacteristics = (cc: number): Buffer => tv(IE1_CHARGING_CHARACTERISTICS, Buffer.from([(cc >> 8) & 0xff, cc & 0xff]));
export const ieChargingId = (id: number): Buffer => tv(IE1_CHARGING_ID, u32(id));

/** End User Address (§7.7.27): spare F, PDP type organisation 1 (IETF), PDP type 0x21 (IPv4), address if allocated */
export function ieEndUserAddress(ipv4?: Buffer): Buffer {
  const v = Buffer.alloc(2 + (ipv4 ? 4 : 0));
  v[0] = 0xf1;
  v[1] = 0x21;
  if (ipv4) ipv4.copy(v, 2);
  return tlv(IE1_END_USER_ADDRESS, v);
}
export const ieApn = (apn: string): Buffer => tlv(IE1_APN, apnLabels(apn));
export const ieGsnAddress = (ip: Buffer): Buffer => tlv(IE1_GSN_ADDRESS, ip);
/** MSISDN (§7.7.33): ISDN-AddressString (international, E.164) */
export const ieMsisdn = (msisdn: string): Buffer => tlv(IE1_MSISDN, addressString(msisdn));

/**
 * Quality of Service profile (§7.7.34): Allocation/Retention priority + QoS IE octets 3-13 of
 * TS 24.008 §10.5.6.5 (R99): delay/reliability, peak/precedence, mean, traffic class, SDU
 * size, max bit rates, BER/SDU error ratio, transfer delay/priority, guaranteed bit rates.
 */
export function ieQos(arp: number, maxKbpsCode: number): Buffer {
  return tlv(IE1_QOS_PROFILE, Buffer.from([arp & 0xff, 0x1b, 0x42, 0x1f, 0x73, 0x96, maxKbpsCode, maxKbpsCode, 0x74, 0x4b, 0x40, 0x40]));
}
export const ieRatType = (rat: number): Buffer => tlv(IE1_RAT_TYPE, u8(rat));
/** User Location Information (§7.7.51): geographic location type 0 = CGI (MCC/MNC, LAC, CI) */
export function ieUliCgi(mcc: string, mnc: string, lac: number, ci: number): Buffer {
  const v = Buffer.allocUnsafe(8);
  v[0] = 0;
  plmnId(mcc, mnc).copy(v, 1);
  v.writeUInt16BE(lac & 0xffff, 4);
  v.writeUInt16BE(ci & 0xffff, 6);
  return tlv(IE1_ULI, v);
}
/** IMEI(SV) (§7.7.53): 16 TBCD digits */
export const ieImeisv = (imeisv: string): Buffer => tlv(IE1_IMEISV, tbcd(imeisv));

// ------------------------------------------------------------------ messages

export const echoRequest = (seq: number): Buffer => encodeGtpv1(GTPV1_ECHO_REQUEST, 0, seq, []);
export const echoResponse = (seq: number, recovery: number): Buffer => encodeGtpv1(GTPV1_ECHO_RESPONSE, 0, seq, [ieRecovery(recovery)]);

export interface CreatePdpRequestFields {
  imsi: string;
  mcc: string;
  mnc: string;
  lac: number;
  rac: number;
  ci: number;
  recovery: number;
  selectionMode: number;
  teidData: number;
  teidC: number;
  nsapi: number;
  apn: string;
  sgsnIp: Buffer;
  msisdn: string;
  rat: number;
  imeisv?: string;
  arp: number;
}

/** Create PDP Context Request (§7.3.1), header TEID 0; IEs in ascending type order (§7.7) */
export function createPdpContextRequest(seq: number, f: CreatePdpRequestFields): Buffer {
  const ies = [
    ieImsi(f.imsi),
    ieRai(f.mcc, f.mnc, f.lac, f.rac),
    ieRecovery(f.recovery),
    ieSelectionMode(f.selectionMode),
    ieTeidDataI(f.teidData),
    ieTeidC(f.teidC),
    ieNsapi(f.nsapi),
    ieChargingCharacteristics(0x0800),
    ieEndUserAddress(),
    ieApn(f.apn),
    ieGsnAddress(f.sgsnIp),
    ieGsnAddress(f.sgsnIp),
    ieMsisdn(f.msisdn),
    ieQos(f.arp, 0x48),
    ieRatType(f.rat),
    ieUliCgi(f.mcc, f.mnc, f.lac, f.ci),
  ];
  if (f.imeisv) ies.push(ieImeisv(f.imeisv));
  return encodeGtpv1(GTPV1_CREATE_PDP_CONTEXT_REQUEST, 0, seq, ies);
}

export interface CreatePdpResponseFields {
  cause: number;
  recovery: number;
  teidData: number;
  teidC: number;
  chargingId: number;
  ueIp: Buffer;
  ggsnIp: Buffer;
  arp: number;
}

/** Create PDP Context Response (§7.3.2), header TEID = the SGSN's TEID-C; a reject carries the Cause only */
export function createPdpContextResponse(seq: number, sgsnTeidC: number, f: CreatePdpResponseFields): Buffer {
  if (f.cause < 128 || f.cause > 191) return encodeGtpv1(GTPV1_CREATE_PDP_CONTEXT_RESPONSE, sgsnTeidC, seq, [ieCause(f.cause), ieRecovery(f.recovery)]);
  return encodeGtpv1(GTPV1_CREATE_PDP_CONTEXT_RESPONSE, sgsnTeidC, seq, [
    ieCause(f.cause),
    ieRecovery(f.recovery),
    ieTeidDataI(f.teidData),
    ieTeidC(f.teidC),
    ieChargingId(f.chargingId),
    ieEndUserAddress(f.ueIp),
    ieGsnAddress(f.ggsnIp),
    ieGsnAddress(f.ggsnIp),
    ieQos(f.arp, 0x48),
  ]);
}

export interface UpdatePdpRequestFields {
  /** IMSI is conditional (§7.3.3): present when the SGSN changed (inter-SGSN routing area update) */
  imsi?: string;
  mcc: string;
  mnc: string;
  lac: number;
  rac: number;
  ci: number;
  recovery: number;
  teidData: number;
  teidC: number;
  nsapi: number;
  sgsnIp: Buffer;
  rat: number;
  arp: number;
}

/** Update PDP Context Request from the SGSN (§7.3.3), header TEID = the GGSN's TEID-C */
export function updatePdpContextRequest(seq: number, ggsnTeidC: number, f: UpdatePdpRequestFields): Buffer {
  const ies: Buffer[] = [];
  if (f.imsi) ies.push(ieImsi(f.imsi));
  ies.push(
    ieRai(f.mcc, f.mnc, f.lac, f.rac),
    ieRecovery(f.recovery),
    ieTeidDataI(f.teidData),
    ieTeidC(f.teidC),
    ieNsapi(f.nsapi),
    ieGsnAddress(f.sgsnIp),
    ieGsnAddress(f.sgsnIp),
    ieQos(f.arp, 0x48),
    ieRatType(f.rat),
    ieUliCgi(f.mcc, f.mnc, f.lac, f.ci),
  );
  return encodeGtpv1(GTPV1_UPDATE_PDP_CONTEXT_REQUEST, ggsnTeidC, seq, ies);
}

/** Update PDP Context Response from the GGSN (§7.3.4) */
export function updatePdpContextResponse(seq: number, sgsnTeidC: number, f: CreatePdpResponseFields): Buffer {
  if (f.cause < 128 || f.cause > 191) return encodeGtpv1(GTPV1_UPDATE_PDP_CONTEXT_RESPONSE, sgsnTeidC, seq, [ieCause(f.cause)]);
  return encodeGtpv1(GTPV1_UPDATE_PDP_CONTEXT_RESPONSE, sgsnTeidC, seq, [
    ieCause(f.cause),
    ieRecovery(f.recovery),
    ieTeidDataI(f.teidData),
    ieChargingId(f.chargingId),
    ieGsnAddress(f.ggsnIp),
    ieGsnAddress(f.ggsnIp),
    ieQos(f.arp, 0x48),
  ]);
}

/** Delete PDP Context Request (§7.3.5): Teardown Ind, NSAPI; header TEID = the peer's TEID-C */
export function deletePdpContextRequest(seq: number, peerTeidC: number, nsapi: number, teardown: boolean): Buffer {
  return encodeGtpv1(GTPV1_DELETE_PDP_CONTEXT_REQUEST, peerTeidC, seq, [ieTeardownInd(teardown), ieNsapi(nsapi)]);
}

/** Delete PDP Context Response (§7.3.6): Cause */
export function deletePdpContextResponse(seq: number, peerTeidC: number, cause: number): Buffer {
  return encodeGtpv1(GTPV1_DELETE_PDP_CONTEXT_RESPONSE, peerTeidC, seq, [ieCause(cause)]);
}
