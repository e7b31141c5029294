// GTPv2-C (TS 29.274): header with the T flag, TEID and 24-bit sequence number (§5.1), IEs with
// type / length / instance (§8.2), grouped Bearer Context (§8.28), and the messages Echo (§7.1),
// Create / Modify / Delete Session, Create Bearer (§7.2) and Release Access Bearers (§7.2.21).
import { tbcd } from './digits';
import { apnLabels, plmnId } from './plmn';

export const GTPV2_ECHO_REQUEST = 1;
export const GTPV2_ECHO_RESPONSE = 2;
export const GTPV2_CREATE_SESSION_REQUEST = 32;
export const GTPV2_CREATE_SESSION_RESPONSE = 33;
export const GTPV2_MODIFY_BEARER_REQUEST = 34;
export const GTPV2_MODIFY_BEARER_RESPONSE = 35;
export const GTPV2_DELETE_SESSION_REQUEST = 36;
export const GTPV2_DELETE_SESSION_RESPONSE = 37;
export const GTPV2_CREATE_BEARER_REQUEST = 95;
export const GTPV2_CREATE_BEARER_RESPONSE = 96;
export const GTPV2_RELEASE_ACCESS_BEARERS_REQUEST = 170;
export const GTPV2_RELEASE_ACCESS_BEARERS_RESPONSE = 171;

// IE types (§8.1, table 8.1-1)
export const IE2_IMSI = 1;
export const IE2_CAUSE = 2;
export const IE2_RECOVERY = 3;
export const IE2_APN = 71;
export const IE2_AMBR = 72;
export const IE2_EBI = 73;
export const IE2_MEI = 75;
export const IE2_MSISDN = 76;
export const IE2_PAA = 79;
export const IE2_BEARER_QOS = 80;
export const IE2_RAT_TYPE = 82;
export const IE2_SERVING_NETWORK = 83;
export const IE2_BEARER_TFT = 84;
export const IE2_ULI = 86;
export const IE2_FTEID = 87;
export const IE2_BEARER_CONTEXT = 93;
export const IE2_CHARGING_ID = 94;
export const IE2_PDN_TYPE = 99;
export const IE2_APN_RESTRICTION = 127;
export const IE2_SELECTION_MODE = 128;

// Cause values (§8.4, table 8.4-1)
export const GTPV2_CAUSE_REQUEST_ACCEPTED = 16;
export const GTPV2_CAUSE_CONTEXT_NOT_FOUND = 64;
export const GTPV2_CAUSE_SYSTEM_FAILURE = 72;
export const GTPV2_CAUSE_NO_RESOURCES = 73;
export const GTPV2_CAUSE_MISSING_OR_UNKNOWN_APN = 78;
export const GTPV2_CAUSE_ALL_DYNAMIC_ADDRESSES_OCCUPIED = 84;
export const GTPV2_CAUSE_USER_AUTHENTICATION_FAILED = 92;
export const GTPV2_CAUSE_APN_ACCESS_DENIED = 93;
export const GTPV2_CAUSE_REQUEST_REJECTED = 94;

// RAT Type (§8.17)
export const GTPV2_RAT_UTRAN = 1;
export const GTPV2_RAT_GERAN = 2;
export const GTPV2_RAT_EUTRAN = 6;
export const GTPV2_RAT_EUTRAN_NB_IOT = 8;
export const GTPV2_RAT_LTE_M = 9;

// F-TEID interface types (§8.22)
export const IF_S11_MME_GTPC = 10;
export const IF_S11_S4_SGW_GTPC = 11;
export const IF_S5S8_SGW_GTPU = 4;
export const IF_S5S8_PGW_GTPU = 5;
export const IF_S5S8_SGW_GTPC = 6;
export const IF_S5S8_PGW_GTPC = 7;

const FLAG_V2 = 0x40; // version 2
const FLAG_T = 0x08; // TEID present

/**
 * header (§5.1): flags, type, length (octets after the first 4), [TEID], sequence number (24
 * bits), spare; then the IEs. Echo and other path management messages have no TEID (T = 0).
 */
export function encodeGtpv2(type: number, teid: number | null, seq: number, ies: readonly Buffer[]): Buffer {
  const hdr = teid === null ? 8 : 12;
  let n = hdr;
  for (const ie of ies) n += ie.length;
  const b = Buffer.allocUnsafe(n);
  b[0] = FLAG_V2 | (teid === null ? 0 : FLAG_T);
  b[1] = type;
  b.writeUInt16BE(n - 4, 2);
  let o = 4;
  if (teid !== null) o = b.writeUInt32BE(teid >>> 0, 4);
  b.writeUIntBE(seq & 0xffffff, o, 3);
  b[o + 3] = 0;
  o += 4;
  for (const ie of ies) o += ie.copy(b, o);
  return b;
}

/** IE (§8.2): type, length (of the value), spare (4 bits) + instance (4 bits), value */
export function ie(type: number, value: Buffer, instance = 0): Buffer {
  const b = Buffer.allocUnsafe(4 + value.length);
  b[0] = type;
  b.writeUInt16BE(value.length, 1);
  b[3] = instance & 0x0f;
  value.copy(b, 4);
  return b;
}

const u8 = (x: number): Buffer => Buffer.from([x & 0xff]);
const u32 = (x: number): Buffer => {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(x >>> 0, 0);
  return b;
};

export const ieImsi = (imsi: string): Buffer => ie(IE2_IMSI, tbcd(imsi));
/** Cause (§8.4): value, then spare / PCE / BCE / CS flags (all 0) */
export const ieCause = (c: number, instance = 0): Buffer => ie(IE2_CAUSE, Buffer.from([c & 0xff, 0]), instance);
export const ieRecovery = (restartCounter: number): Buffer => ie(IE2_RECOVERY, u8(restartCounter));
export const ieApn = (apn: string): Buffer => ie(IE2_APN, apnLabels(apn));
/** AMBR (§8.7): uplink, downlink in kbps */
export const ieAmbr = (ulKbps: number, dlKbps: number): Buffer => ie(IE2_AMBR, Buffer.concat([u32(ulKbps), u32(dlKbps)]));
export const ieEbi = (ebi: number, instance = 0): Buffer => ie(IE2_EBI, u8(ebi & 0x0f), instance);
/** MEI (§8.10): IMEI / IMEISV in TBCD */
export const ieMei = (imei: string): Buffer => ie(IE2_MEI, tbcd(imei));
/** MSISDN (§8.11): TBCD digits (no nature of address octet) */
export const ieMsisdn = (msisdn: string): Buffer => ie(IE2_MSISDN, tbcd(msisdn));
/** PAA (§8.14): PDN type 1 (IPv4) + address (0.0.0.0 = allocate dynamically) */
export const iePaa = (ipv4: Buffer): Buffer => ie(IE2_PAA, Buffer.concat([u8(1), ipv4]));
export const ieRatType = (rat: number): Buffer => ie(IE2_RAT_TYPE, u8(rat));
export const ieServingNetwork = (mcc: string, mnc: string): Buffer => ie(IE2_SERVING_NETWORK, plmnId(mcc, mnc));
/** User Location Information (§8.21.4, §8.21.5): TAI + ECGI */
export function ieUliTaiEcgi(mcc: string, mnc: string, tac: number, eci: number): Buffer {
  const p = plmnId(mcc, mnc);
  const v = Buffer.allocUnsafe(1 + 5 + 7);
  v[0] = 0x18; // flags: ECGI (bit 5), TAI (bit 4)
  p.copy(v, 1);
  v.writeUInt16BE(tac & 0xffff, 4);
  p.copy(v, 6);
  v.writeUInt32BE(eci & 0x0fffffff, 9); // spare (4 bits) + E-UTRAN cell identifier (28 bits)
  return ie(IE2_ULI, v);
}
/** F-TEID (§8.22): V4 flag + interface type, TEID / GRE key, IPv4 address */
export function ieFteid(interfaceType: number, teid: number, ipv4: Buffer, instance = 0): Buffer {
  const v = Buffer.allocUnsafe(9);
  v[0] = 0x80 | (interfaceType & 0x3f);
  v.writeUInt32BE(teid >>> 0, 1);
  ipv4.copy(v, 5);
  return ie(IE2_FTEID, v, instance);
}
/** Bearer Context (§8.28): a grouped IE whose value is the member IEs */
export const ieBearerContext = (members: readonly Buffer[], instance = 0): Buffer => ie(IE2_BEARER_CONTEXT, Buffer.concat(members), instance);
export const ieChargingId = (id: number): Buffer => ie(IE2_CHARGING_ID, u32(id));
export const iePdnType = (t: number): Buffer => ie(IE2_PDN_TYPE, u8(t & 0x07));
export const ieApnRestriction = (r: number): Buffer => ie(IE2_APN_RESTRICTION, u8(r));
export const ieSelectionMode = (m: number): Buffer => ie(IE2_SELECTION_MODE, u8(m & 3));

/** Bearer QoS (§8.15): ARP (PCI, PL, PVI), QCI, MBR UL/DL, GBR UL/DL (40 bits each, kbps) */
export function ieBearerQos(qci: number, priority: number): Buffer {
  const v = Buffer.alloc(22);
  v[0] = ((priority & 0x0f) << 2) | 0x01; // PCI 0 (may pre-empt), PL, PVI 1 (not pre-emptable)
  v[1] = qci & 0xff;
  return ie(IE2_BEARER_QOS, v);
}

/** Bearer TFT (§8.19 = TS 24.008 §10.5.6.12): create new TFT with one bidirectional filter (remote IPv4/mask, protocol UDP) */
export function ieBearerTft(remote: Buffer): Buffer {
  const filter = Buffer.concat([Buffer.from([0x10]), remote, Buffer.from([255, 255, 255, 255, 0x30, 17])]);
  return ie(IE2_BEARER_TFT, Buffer.concat([Buffer.from([0x21, 0x31, 0x80, filter.length]), filter]));
}

// ------------------------------------------------------------------ messages

export const echoRequest = (seq: number, recovery: number): Buffer => encodeGtpv2(GTPV2_ECHO_REQUEST, null, seq, [ieRecovery(recovery)]);
export const echoResponse = (seq: number, recovery: number): Buffer => encodeGtpv2(GTPV2_ECHO_RESPONSE, null, seq, [ieRecovery(recovery)]);

export interface CreateSessionRequestFields {
  imsi: string;
  msisdn: string;
  mei?: string;
  mcc: string;
  mnc: string;
  tac: number;
  eci: number;
  rat: number;
  sgwTeidC: number;
  sgwTeidU: number;
  sgwIp: Buffer;
  apn: string;
  ebi: number;
  qci: number;
  priority: number;
  ambrUl: number;
  ambrDl: number;
  recovery?: number;
}

/** Create Session Request on S5/S8 (§7.2.1), header TEID 0 */
export function createSessionRequest(seq: number, f: CreateSessionRequestFields): Buffer {
  const ies = [ieImsi(f.imsi), ieMsisdn(f.msisdn)];
  if (f.mei) ies.push(ieMei(f.mei));
  ies.push(
    ieUliTaiEcgi(f.mcc, f.mnc, f.tac, f.eci),
    ieServingNetwork(f.mcc, f.mnc),
    ieRatType(f.rat),
    ieFteid(IF_S5S8_SGW_GTPC, f.sgwTeidC, f.sgwIp, 0), // Sender F-TEID for Control Plane
    ieApn(f.apn),
    ieSelectionMode(0),
    iePdnType(1),
    iePaa(Buffer.alloc(4)),
    ieApnRestriction(0),
    ieAmbr(f.ambrUl, f.ambrDl),
    ieBearerContext([ieEbi(f.ebi), ieFteid(IF_S5S8_SGW_GTPU, f.sgwTeidU, f.sgwIp, 2), ieBearerQos(f.qci, f.priority)]),
  );
  if (f.recovery !== undefined) ies.push(ieRecovery(f.recovery));
  return encodeGtpv2(GTPV2_CREATE_SESSION_REQUEST, 0, seq, ies);
}

export interface CreateSessionResponseFields {
  cause: number;
  pgwTeidC: number;
  pgwTeidU: number;
  pgwIp: Buffer;
  ueIp: Buffer;
  ebi: number;
  chargingId: number;
  ambrUl: number;
  ambrDl: number;
  recovery?: number;
}

/** Create Session Response (§7.2.2), header TEID = the SGW's S5/S8-C TEID; a reject carries the Cause only */
export function createSessionResponse(seq: number, sgwTeidC: number, f: CreateSessionResponseFields): Buffer {
  if (f.cause < 16 || f.cause > 63) return encodeGtpv2(GTPV2_CREATE_SESSION_RESPONSE, sgwTeidC, seq, [ieCause(f.cause)]);
  const ies = [
    ieCause(f.cause),
    ieFteid(IF_S5S8_PGW_GTPC, f.pgwTeidC, f.pgwIp, 0),
    iePaa(f.ueIp),
    ieApnRestriction(0),
    ieAmbr(f.ambrUl, f.ambrDl),
    ieBearerContext([ieEbi(f.ebi), ieCause(GTPV2_CAUSE_REQUEST_ACCEPTED), ieFteid(IF_S5S8_PGW_GTPU, f.pgwTeidU, f.pgwIp, 2), ieChargingId(f.chargingId)]),
  ];
  if (f.recovery !== undefined) ies.push(ieRecovery(f.recovery));
  return encodeGtpv2(GTPV2_CREATE_SESSION_RESPONSE, sgwTeidC, seq, ies);
}

export interface ModifyBearerRequestFields {
  mcc: string;
  mnc: string;
  tac: number;
  eci: number;
  rat: number;
  ebi: number;
  sgwTeidU: number;
  sgwIp: Buffer;
}

/** Modify Bearer Request on S5/S8 (§7.2.7): ULI, Serving Network, RAT Type, Bearer Context to be modified */
export function modifyBearerRequest(seq: number, pgwTeidC: number, f: ModifyBearerRequestFields): Buffer {
  return encodeGtpv2(GTPV2_MODIFY_BEARER_REQUEST, pgwTeidC, seq, [
    ieUliTaiEcgi(f.mcc, f.mnc, f.tac, f.eci),
    ieServingNetwork(f.mcc, f.mnc),
    ieRatType(f.rat),
    ieBearerContext([ieEbi(f.ebi), ieFteid(IF_S5S8_SGW_GTPU, f.sgwTeidU, f.sgwIp, 1)]),
  ]);
}

/** Modify Bearer Response (§7.2.8) */
export function modifyBearerResponse(seq: number, sgwTeidC: number, cause: number, ebi: number, chargingId: number, msisdn?: string): Buffer {
  if (cause < 16 || cause > 63) return encodeGtpv2(GTPV2_MODIFY_BEARER_RESPONSE, sgwTeidC, seq, [ieCause(cause)]);
  const ies = [ieCause(cause)];
  if (msisdn) ies.push(ieMsisdn(msisdn));
  ies.push(ieBearerContext([ieEbi(ebi), ieCause(GTPV2_CAUSE_REQUEST_ACCEPTED), ieChargingId(chargingId)]));
  return encodeGtpv2(GTPV2_MODIFY_BEARER_RESPONSE, sgwTeidC, seq, ies);
}

/** Delete Session Request (§7.2.9): Linked EPS Bearer ID, ULI */
export function deleteSessionRequest(seq: number, peerTeidC: number, lbi: number, uli?: { mcc: string; mnc: string; tac: number; eci: number }): Buffer {
  const ies = [ieEbi(lbi)];
  if (uli) ies.push(ieUliTaiEcgi(uli.mcc, uli.mnc, uli.tac, uli.eci));
  return encodeGtpv2(GTPV2_DELETE_SESSION_REQUEST, peerTeidC, seq, ies);
}

/** Delete Session Response (§7.2.10): Cause */
export function deleteSessionResponse(seq: number, peerTeidC: number, cause: number): Buffer {
  return encodeGtpv2(GTPV2_DELETE_SESSION_RESPONSE, peerTeidC, seq, [ieCause(cause)]);
}

export interface CreateBearerRequestFields {
  lbi: number;
  pgwTeidU: number;
  pgwIp: Buffer;
  qci: number;
  priority: number;
  chargingId: number;
  remote: Buffer;
}

/** Create Bearer Request from the PGW (§7.2.3): LBI, Bearer Context (EBI 0, TFT, S5/S8-U PGW F-TEID, Bearer QoS, Charging ID) */
export function createBearerRequest(seq: number, sgwTeidC: number, f: CreateBearerRequestFields): Buffer {
  return encodeGtpv2(GTPV2_CREATE_BEARER_REQUEST, sgwTeidC, seq, [
    ieEbi(f.lbi),
    ieBearerContext([ieEbi(0), ieBearerTft(f.remote), ieFteid(IF_S5S8_PGW_GTPU, f.pgwTeidU, f.pgwIp, 1), ieBearerQos(f.qci, f.priority), ieChargingId(f.chargingId)]),
  ]);
}

/** Create Bearer Response (§7.2.4): Cause, Bearer Context (new EBI, Cause, S5/S8-U SGW F-TEID) */
export function createBearerResponse(seq: number, pgwTeidC: number, cause: number, ebi: number, sgwTeidU: number, sgwIp: Buffer): Buffer {
  if (cause < 16 || cause > 63) return encodeGtpv2(GTPV2_CREATE_BEARER_RESPONSE, pgwTeidC, seq, [ieCause(cause)]);
  return encodeGtpv2(GTPV2_CREATE_BEARER_RESPONSE, pgwTeidC, seq, [
    ieCause(cause),
    ieBearerContext([ieEbi(ebi), ieCause(GTPV2_CAUSE_REQUEST_ACCEPTED), ieFteid(IF_S5S8_SGW_GTPU, sgwTeidU, sgwIp, 2)]),
  ]);
}

/** Release Access Bearers Request (§7.2.21), S11: no mandatory IE */
export const releaseAccessBearersRequest = (seq: number, sgwTeidC: number): Buffer => encodeGtpv2(GTPV2_RELEASE_ACCESS_BEARERS_REQUEST, sgwTeidC, seq, []);
/** Release Access Bearers Response (§7.2.22): Cause, Recovery */
export const releaseAccessBearersResponse = (seq: number, mmeTeidC: number, cause: number, recovery: number): Buffer =>
  encodeGtpv2(GTPV2_RELEASE_ACCESS_BEARERS_RESPONSE, mmeTeidC, seq, [ieCause(cause), ieRecovery(recovery)]);
