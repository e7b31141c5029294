// S6a commands between MME and HSS (TS 29.272 §7.2): AIR/AIA, ULR/ULA, CLR/CLA, PUR/PUA,
// IDR/IDA, DSR/DSA, NOR/NOA, RSR/RSA, with the AVPs of TS 29.272 §7.3 (vendor 10415).
import {
  APP_S6A,
  AVP_AUTH_SESSION_STATE,
  AVP_DESTINATION_HOST,
  AVP_DESTINATION_REALM,
  AVP_ORIGIN_HOST,
  AVP_ORIGIN_REALM,
  AVP_SESSION_ID,
  AVP_USER_NAME,
  CMD_AUTHENTICATION_INFORMATION,
  CMD_CANCEL_LOCATION,
  CMD_DELETE_SUBSCRIBER_DATA,
  CMD_INSERT_SUBSCRIBER_DATA,
  CMD_NOTIFY,
  CMD_PURGE_UE,
  CMD_RESET,
  CMD_UPDATE_LOCATION,
  DiameterResult,
  FLAG_P,
  FLAG_R,
  FLAG_T,
  NO_STATE_MAINTAINED,
  VENDOR_3GPP,
  answerFlags,
  avp,
  encodeDiameter,
  groupAvp,
  resultAvp,
  s6aVendorSpecificAppId,
  strAvp,
  u32Avp,
} from './diameter';
import { tbcd } from './digits';

// S6a / 3GPP AVP codes (TS 29.272 §7.3.1; TS 29.212, TS 29.214, TS 29.329 for the imported ones)
export const AVP_SERVICE_SELECTION = 493; // RFC 5778, no vendor
export const AVP_MAX_REQUESTED_BANDWIDTH_DL = 515;
export const AVP_MAX_REQUESTED_BANDWIDTH_UL = 516;
export const AVP_MSISDN = 701;
export const AVP_QOS_CLASS_IDENTIFIER = 1028;
export const AVP_RAT_TYPE = 1032;
export const AVP_ALLOCATION_RETENTION_PRIORITY = 1034;
export const AVP_PRIORITY_LEVEL = 1046;
export const AVP_PRE_EMPTION_CAPABILITY = 1047;
export const AVP_PRE_EMPTION_VULNERABILITY = 1048;
export const AVP_SUBSCRIPTION_DATA = 1400;
export const AVP_TERMINAL_INFORMATION = 1401;
export const AVP_IMEI = 1402;
export const AVP_SOFTWARE_VERSION = 1403;
export const AVP_ULR_FLAGS = 1405;
export const AVP_ULA_FLAGS = 1406;
export const AVP_VISITED_PLMN_ID = 1407;
export const AVP_REQUESTED_EUTRAN_AUTHENTICATION_INFO = 1408;
export const AVP_NUMBER_OF_REQUESTED_VECTORS = 1410;
export const AVP_IMMEDIATE_RESPONSE_PREFERRED = 1412;
export const AVP_AUTHENTICATION_INFO = 1413;
export const AVP_E_UTRAN_VECTOR = 1414;
export const AVP_NETWORK_ACCESS_MODE = 1417;
export const AVP_ITEM_NUMBER = 1419;
export const AVP_CANCELLATION_TYPE = 1420;
export const AVP_DSR_FLAGS = 1421;
export const AVP_DSA_FLAGS = 1422;
export const AVP_CONTEXT_IDENTIFIER = 1423;
export const AVP_SUBSCRIBER_STATUS = 1424;
export const AVP_ALL_APN_CONFIGURATIONS_INCLUDED_INDICATOR = 1428;
export const AVP_APN_CONFIGURATION_PROFILE = 1429;
export const AVP_APN_CONFIGURATION = 1430;
export const AVP_EPS_SUBSCRIBED_QOS_PROFILE = 1431;
export const AVP_AMBR = 1435;
export const AVP_PUA_FLAGS = 1442;
export const AVP_NOR_FLAGS = 1443;
export const AVP_USER_ID = 1444;
export const AVP_RAND = 1447;
export const AVP_XRES = 1448;
export const AVP_AUTN = 1449;
export const AVP_KASME = 1450;
export const AVP_PDN_TYPE = 1456;
export const AVP_IDR_FLAGS = 1490;
export const AVP_PUR_FLAGS = 1635;
export const AVP_CLR_FLAGS = 1638;

// Experimental-Result-Code values (TS 29.272 §7.4.3, §7.4.4)
export const DIAMETER_ERROR_USER_UNKNOWN = 5001;
export const DIAMETER_ERROR_ROAMING_NOT_ALLOWED = 5004;
export const DIAMETER_ERROR_UNKNOWN_EPS_SUBSCRIPTION = 5420;
export const DIAMETER_ERROR_RAT_NOT_ALLOWED = 5421;
export const DIAMETER_AUTHENTICATION_DATA_UNAVAILABLE = 4181;

// RAT-Type (TS 29.212 §5.3.31)
export const RAT_UTRAN = 1000;
export const RAT_GERAN = 1001;
export const RAT_EUTRAN = 1004;
export const RAT_EUTRAN_NB_IOT = 1005;

// ULR-Flags bits (§7.3.7)
export const ULR_S6A_INDICATOR = 0x02;
export const ULR_INITIAL_ATTACH = 0x20;
// Cancellation-Type (§7.3.24)
export const CANCEL_MME_UPDATE = 0;
export const CANCEL_SUBSCRIPTION_WITHDRAWAL = 2;
export const CANCEL_INITIAL_ATTACH = 4;

/** identities every S6a message carries (§7.2.3 ff.) */
export interface S6aContext {
  sessionId: string;
  originHost: string;
  originRealm: string;
  destHost?: string;
  destRealm: string;
  hopByHop: number;
  endToEnd: number;
  /** set the T flag (retransmission after a transport failover, RFC 6733 §3) */
  retransmitted?: boolean;
}

export interface EutranVector {
  rand: Buffer;
  xres: Buffer;
  autn: Buffer;
  kasme: Buffer;
}

export interface ApnConfig {
  contextId: number;
  apn: string;
  /** PDN-Type (§7.3.62): 0 IPv4, 1 IPv6, 2 IPv4v6 */
  pdnType: number;
  qci: number;
  priority: number;
}

export interface SubscriptionData {
  msisdn?: string;
  /** Network-Access-Mode (§7.3.21): 0 packet and circuit, 2 only packet */
  accessMode?: number;
  ambrUl?: number;
  ambrDl?: number;
  apns?: ApnConfig[];
}

const v = VENDOR_3GPP;
const u = (code: number, x: number): Buffer => u32Avp(code, x, v);
const oct = (code: number, b: Buffer): Buffer => avp(code, b, v);

function request(c: S6aContext, code: number, userName: string | null, body: Buffer[]): Buffer {
  const a: Buffer[] = [strAvp(AVP_SESSION_ID, c.sessionId), s6aVendorSpecificAppId(), u32Avp(AVP_AUTH_SESSION_STATE, NO_STATE_MAINTAINED)];
  a.push(strAvp(AVP_ORIGIN_HOST, c.originHost), strAvp(AVP_ORIGIN_REALM, c.originRealm));
  if (c.destHost) a.push(strAvp(AVP_DESTINATION_HOST, c.destHost));
  a.push(strAvp(AVP_DESTINATION_REALM, c.destRealm));
  if (userName !== null) a.push(strAvp(AVP_USER_NAME, userName));
  a.push(...body);
  const flags = FLAG_R | FLAG_P | (c.retransmitted ? FLAG_T : 0);
  return encodeDiameter({ flags, code, appId: APP_S6A, hopByHop: c.hopByHop, endToEnd: c.endToEnd }, a);
}

function answer(c: S6aContext, code: number, r: DiameterResult, body: Buffer[]): Buffer {
  const a: Buffer[] = [strAvp(AVP_SESSION_ID, c.sessionId), s6aVendorSpecificAppId(), resultAvp(r), u32Avp(AVP_AUTH_SESSION_STATE, NO_STATE_MAINTAINED)];
  a.push(strAvp(AVP_ORIGIN_HOST, c.originHost), strAvp(AVP_ORIGIN_REALM, c.originRealm), ...body);
  return encodeDiameter({ flags: answerFlags(r, true), code, appId: APP_S6A, hopByHop: c.hopByHop, endToEnd: c.endToEnd }, a);
}

function isSuccess(r: DiameterResult): boolean {
  return r.code >= 2000 && r.code < 3000;
}

/** AIR (§7.2.5): Requested-EUTRAN-Authentication-Info, Visited-PLMN-Id */
export function air(c: S6aContext, imsi: string, vectors: number, visitedPlmn: Buffer): Buffer {
  return request(c, CMD_AUTHENTICATION_INFORMATION, imsi, [
    groupAvp(AVP_REQUESTED_EUTRAN_AUTHENTICATION_INFO, [u(AVP_NUMBER_OF_REQUESTED_VECTORS, vectors), u(AVP_IMMEDIATE_RESPONSE_PREFERRED, 0)], v),
    oct(AVP_VISITED_PLMN_ID, visitedPlmn),
  ]);
}

/** AIA (§7.2.6): Authentication-Info with E-UTRAN-Vectors on success */
export function aia(c: S6aContext, r: DiameterResult, vectors: readonly EutranVector[]): Buffer {
  const body: Buffer[] = [];
  if (isSuccess(r) && vectors.length > 0) {
    body.push(
      groupAvp(
        AVP_AUTHENTICATION_INFO,
        vectors.map((x, i) =>
          groupAvp(AVP_E_UTRAN_VECTOR, [u(AVP_ITEM_NUMBER, i + 1), oct(AVP_RAND, x.rand), oct(AVP_XRES, x.xres), oct(AVP_AUTN, x.autn), oct(AVP_KASME, x.kasme)], v),
        ),
        v,
      ),
    );
  }
  return answer(c, CMD_AUTHENTICATION_INFORMATION, r, body);
}

export interface UlrFields {
  ratType: number;
  ulrFlags: number;
  visitedPlmn: Buffer;
  imei?: string;
  softwareVersion?: string;
}

/** ULR (§7.2.3): Terminal-Information, RAT-Type, ULR-Flags, Visited-PLMN-Id */
export function ulr(c: S6aContext, imsi: string, f: UlrFields): Buffer {
  const body: Buffer[] = [];
  if (f.imei) {
    const ti = [strAvp(AVP_IMEI, f.imei, v)];
    if (f.softwareVersion) ti.push(strAvp(AVP_SOFTWARE_VERSION, f.softwareVersion, v));
    body.push(groupAvp(AVP_TERMINAL_INFORMATION, ti, v));
  }
  body.push(u(AVP_RAT_TYPE, f.ratType), u(AVP_ULR_FLAGS, f.ulrFlags), oct(AVP_VISITED_PLMN_ID, f.visitedPlmn));
  return request(c, CMD_UPDATE_LOCATION, imsi, body);
}

function subscriptionData(s: SubscriptionData): Buffer {
  const m: Buffer[] = [];
  if (s.msisdn) m.push(oct(AVP_MSISDN, tbcd(s.msisdn)));
  m.push(u(AVP_SUBSCRIBER_STATUS, 0)); // SERVICE_GRANTED (§7.3.29)
  if (s.accessMode !== undefined) m.push(u(AVP_NETWORK_ACCESS_MODE, s.accessMode));
  const ambr = (ul: number, dl: number): Buffer => groupAvp(AVP_AMBR, [u(AVP_MAX_REQUESTED_BANDWIDTH_UL, ul), u(AVP_MAX_REQUESTED_BANDWIDTH_DL, dl)], v);
  if (s.ambrUl !== undefined && s.ambrDl !== undefined) m.push(ambr(s.ambrUl, s.ambrDl));
  if (s.apns && s.apns.length > 0) {
    const profile: Buffer[] = [u(AVP_CONTEXT_IDENTIFIER, s.apns[0].contextId), u(AVP_ALL_APN_CONFIGURATIONS_INCLUDED_INDICATOR, 0)];
    for (const a of s.apns) {
      profile.push(
        groupAvp(
          AVP_APN_CONFIGURATION,
          [
            u(AVP_CONTEXT_IDENTIFIER, a.contextId),
            u(AVP_PDN_TYPE, a.pdnType),
            strAvp(AVP_SERVICE_SELECTION, a.apn),
            groupAvp(
              AVP_EPS_SUBSCRIBED_QOS_PROFILE,
              [
                u(AVP_QOS_CLASS_IDENTIFIER, a.qci),
                groupAvp(AVP_ALLOCATION_RETENTION_PRIORITY, [u(AVP_PRIORITY_LEVEL, a.priority), u(AVP_PRE_EMPTION_CAPABILITY, 1), u(AVP_PRE_EMPTION_VULNERABILITY, 0)], v),
              ],
              v,
            ),
          ],
          v,
        ),
      );
    }
    m.push(groupAvp(AVP_APN_CONFIGURATION_PROFILE, profile, v));
  }
  return groupAvp(AVP_SUBSCRIPTION_DATA, m, v);
}

/** ULA (§7.2.4): ULA-Flags and Subscription-Data on success */
export function ula(c: S6aContext, r: DiameterResult, sub: SubscriptionData | null): Buffer {
  const body: Buffer[] = [];
  if (isSuccess(r)) {
    body.push(u(AVP_ULA_FLAGS, 1)); // Separation-Indication (§7.3.8)
    if (sub) body.push(subscriptionData(sub));
  }
  return answer(c, CMD_UPDATE_LOCATION, r, body);
}

/** CLR (§7.2.7): from the HSS, Cancellation-Type, CLR-Flags */
export function clr(c: S6aContext, imsi: string, cancellationType: number, clrFlags: number): Buffer {
  return request(c, CMD_CANCEL_LOCATION, imsi, [u(AVP_CANCELLATION_TYPE, cancellationType), u(AVP_CLR_FLAGS, clrFlags)]);
}

/** CLA (§7.2.8) */
export function cla(c: S6aContext, r: DiameterResult): Buffer {
  return answer(c, CMD_CANCEL_LOCATION, r, []);
}

/** PUR (§7.2.13): PUR-Flags (UE-purged-in-MME) */
export function pur(c: S6aContext, imsi: string): Buffer {
  return request(c, CMD_PURGE_UE, imsi, [u(AVP_PUR_FLAGS, 1)]);
}

/** PUA (§7.2.14): PUA-Flags (freeze M-TMSI) on success */
export function pua(c: S6aContext, r: DiameterResult, freeze: boolean): Buffer {
  return answer(c, CMD_PURGE_UE, r, isSuccess(r) ? [u(AVP_PUA_FLAGS, freeze ? 1 : 0)] : []);
}

/** IDR (§7.2.9): from the HSS, Subscription-Data (changed parts), IDR-Flags */
export function idr(c: S6aContext, imsi: string, sub: SubscriptionData, idrFlags: number): Buffer {
  return request(c, CMD_INSERT_SUBSCRIBER_DATA, imsi, [subscriptionData(sub), u(AVP_IDR_FLAGS, idrFlags)]);
}

/** IDA (§7.2.10) */
export function ida(c: S6aContext, r: DiameterResult): Buffer {
  return answer(c, CMD_INSERT_SUBSCRIBER_DATA, r, []);
}

/** DSR (§7.2.11): from the HSS, DSR-Flags */
export function dsr(c: S6aContext, imsi: string, dsrFlags: number): Buffer {
  return request(c, CMD_DELETE_SUBSCRIBER_DATA, imsi, [u(AVP_DSR_FLAGS, dsrFlags)]);
}

/** DSA (§7.2.12) */
export function dsa(c: S6aContext, r: DiameterResult): Buffer {
  return answer(c, CMD_DELETE_SUBSCRIBER_DATA, r, isSuccess(r) ? [u(AVP_DSA_FLAGS, 0)] : []);
}

/** NOR (§7.2.17): from the MME, NOR-Flags, optionally the PDN GW's APN context */
export function nor(c: S6aContext, imsi: string, norFlags: number, apn?: { contextId: number; apn: string }): Buffer {
  const body = [u(AVP_NOR_FLAGS, norFlags)];
  if (apn) body.push(u(AVP_CONTEXT_IDENTIFIER, apn.contextId), strAvp(AVP_SERVICE_SELECTION, apn.apn));
  return request(c, CMD_NOTIFY, imsi, body);
}

/** NOA (§7.2.18) */
export function noa(c: S6aContext, r: DiameterResult): Buffer {
  return answer(c, CMD_NOTIFY, r, []);
}

/** RSR (§7.2.15): from the HSS after a restart, no User-Name: User-Id = leading IMSI digits (§7.3.50) */
export function rsr(c: S6aContext, userIds: readonly string[]): Buffer {
  return request(c, CMD_RESET, null, userIds.map((x) => strAvp(AVP_USER_ID, x, v)));
}

/** RSA (§7.2.16) */
export function rsa(c: S6aContext, r: DiameterResult): Buffer {
  return answer(c, CMD_RESET, r, []);
}
