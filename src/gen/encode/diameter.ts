// Diameter base protocol (RFC 6733): message header (§3), AVP header with the vendor flag and
// padding (§4.1), the basic AVP data formats (§4.2, §4.3), grouped AVPs (§4.4), and the
// base-protocol messages CER/CEA (§5.3) and DWR/DWA (§5.5).

export const DIAMETER_VERSION = 1;
// command flags (§3)
export const FLAG_R = 0x80; // request
export const FLAG_P = 0x40; // proxiable
export const FLAG_E = 0x20; // error
export const FLAG_T = 0x10; // potentially retransmitted
// AVP flags (§4.1)
export const AVP_V = 0x80;
export const AVP_M = 0x40;

// command codes (RFC 6733 §3.1, TS 29.272 §7.2.2)
export const CMD_CAPABILITIES_EXCHANGE = 257;
export const CMD_DEVICE_WATCHDOG = 280;
export const CMD_UPDATE_LOCATION = 316;
export const CMD_CANCEL_LOCATION = 317;
export const CMD_AUTHENTICATION_INFORMATION = 318;
export const CMD_INSERT_SUBSCRIBER_DATA = 319;
export const CMD_DELETE_SUBSCRIBER_DATA = 320;
export const CMD_PURGE_UE = 321;
export const CMD_RESET = 322;
export const CMD_NOTIFY = 323;

export const APP_COMMON = 0;
export const APP_S6A = 16777251; // TS 29.272 §7.1.8
export const VENDOR_3GPP = 10415;

// base AVP codes (RFC 6733 §4.5)
export const AVP_USER_NAME = 1;
export const AVP_HOST_IP_ADDRESS = 257;
export const AVP_AUTH_APPLICATION_ID = 258;
export const AVP_VENDOR_SPECIFIC_APPLICATION_ID = 260;
export const AVP_SESSION_ID = 263;
export const AVP_ORIGIN_HOST = 264;
export const AVP_SUPPORTED_VENDOR_ID = 265;
export const AVP_VENDOR_ID = 266;
export const AVP_FIRMWARE_REVISION = 267;
export const AVP_RESULT_CODE = 268;
export const AVP_PRODUCT_NAME = 269;
export const AVP_AUTH_SESSION_STATE = 277;
export const AVP_ORIGIN_STATE_ID = 278;
export const AVP_ROUTE_RECORD = 282;
export const AVP_DESTINATION_REALM = 283;
export const AVP_DESTINATION_HOST = 293;
export const AVP_ORIGIN_REALM = 296;
export const AVP_EXPERIMENTAL_RESULT = 297;
export const AVP_EXPERIMENTAL_RESULT_CODE = 298;

// Result-Code values (RFC 6733 §7.1)
export const DIAMETER_SUCCESS = 2001;
export const DIAMETER_UNABLE_TO_DELIVER = 3002;
export const DIAMETER_TOO_BUSY = 3004;
export const DIAMETER_UNABLE_TO_COMPLY = 5012;
export const NO_STATE_MAINTAINED = 1; // Auth-Session-State (§8.11)

export interface DiameterHeader {
  /** FLAG_R | FLAG_P | FLAG_E | FLAG_T */
  flags: number;
  code: number;
  appId: number;
  hopByHop: number;
  endToEnd: number;
}

const HDR = 20;

function pad4(n: number): number {
  return (4 - (n & 3)) & 3;
}

/** one AVP: code, flags (V set when vendor is given), 24-bit length without padding, [vendor], data, padding */
export function avp(code: number, data: Buffer, vendor = 0, mandatory = true): Buffer {
  const hdr = vendor ? 12 : 8;
  const len = hdr + data.length;
  const b = Buffer.allocUnsafe(len + pad4(len));
  b.writeUInt32BE(code >>> 0, 0);
  b.writeUInt32BE(((((vendor ? AVP_V : 0) | (mandatory ? AVP_M : 0)) << 24) | len) >>> 0, 4);
  if (vendor) b.writeUInt32BE(vendor >>> 0, 8);
  data.copy(b, hdr);
  b.fill(0, len); // padding octets are zero (§4.1)
  return b;
}

export function u32Avp(code: number, v: number, vendor = 0, mandatory = true): Buffer {
  const d = Buffer.allocUnsafe(4);
  d.writeUInt32BE(v >>> 0, 0);
  return avp(code, d, vendor, mandatory);
}

export function u64Avp(code: number, v: bigint, vendor = 0, mandatory = true): Buffer {
  const d = Buffer.allocUnsafe(8);
  d.writeBigUInt64BE(v, 0);
  return avp(code, d, vendor, mandatory);
}

/** UTF8String / DiameterIdentity (§4.3.1) */
export function strAvp(code: number, s: string, vendor = 0, mandatory = true): Buffer {
  return avp(code, Buffer.from(s, 'utf8'), vendor, mandatory);
}

/** Grouped (§4.4): the data is the concatenation of the (padded) member AVPs */
export function groupAvp(code: number, members: readonly Buffer[], vendor = 0, mandatory = true): Buffer {
  return avp(code, Buffer.concat(members), vendor, mandatory);
}

/** Address (§4.3.1): AddressType (IANA address family: 1 IPv4, 2 IPv6) + address */
export function addressAvp(code: number, ip: Buffer): Buffer {
  const d = Buffer.allocUnsafe(2 + ip.length);
  d.writeUInt16BE(ip.length === 16 ? 2 : 1, 0);
  ip.copy(d, 2);
  return avp(code, d);
}

/** header (§3) + AVPs; the message length covers everything */
export function encodeDiameter(h: DiameterHeader, avps: readonly Buffer[]): Buffer {
  let n = HDR;
  for (const a of avps) n += a.length;
  const b = Buffer.allocUnsafe(n);
  b.writeUInt32BE(((DIAMETER_VERSION << 24) | n) >>> 0, 0);
  b.writeUInt32BE(((h.flags << 24) | (h.code & 0xffffff)) >>> 0, 4);
  b.writeUInt32BE(h.appId >>> 0, 8);
  b.writeUInt32BE(h.hopByHop >>> 0, 12);
  b.writeUInt32BE(h.endToEnd >>> 0, 16);
  let o = HDR;
  for (const a of avps) o += a.copy(b, o);
  return b;
}

// ------------------------------------------------------------------ result

export type DiameterResult = { kind: 'result'; code: number } | { kind: 'experimental'; code: number; vendor: number };

/** Result-Code (§7.1) or Experimental-Result { Vendor-Id, Experimental-Result-Code } (§7.6, §7.7) */
export function resultAvp(r: DiameterResult): Buffer {
  if (r.kind === 'result') return u32Avp(AVP_RESULT_CODE, r.code);
  return groupAvp(AVP_EXPERIMENTAL_RESULT, [u32Avp(AVP_VENDOR_ID, r.vendor), u32Avp(AVP_EXPERIMENTAL_RESULT_CODE, r.code)]);
}

/** protocol errors (3xxx) are answered with the E bit (§7.1.3) */
export function answerFlags(r: DiameterResult, proxiable: boolean): number {
  return (proxiable ? FLAG_P : 0) | (r.kind === 'result' && r.code >= 3000 && r.code < 4000 ? FLAG_E : 0);
}

// ------------------------------------------------------------------ base protocol messages

export interface PeerIdentity {
  host: string;
  realm: string;
  ip: Buffer;
  vendorId: number;
  productName: string;
  firmware?: number;
  originStateId?: number;
}

function peerAvps(p: PeerIdentity, withAddress: boolean): Buffer[] {
  const a = [strAvp(AVP_ORIGIN_HOST, p.host), strAvp(AVP_ORIGIN_REALM, p.realm)];
  if (withAddress) {
    a.push(addressAvp(AVP_HOST_IP_ADDRESS, p.ip), u32Avp(AVP_VENDOR_ID, p.vendorId), strAvp(AVP_PRODUCT_NAME, p.productName, 0, false));
  }
  return a;
}

/** S6a as a Vendor-Specific-Application-Id { Vendor-Id 10415, Auth-Application-Id 16777251 } (§6.11) */
export function s6aVendorSpecificAppId(): Buffer {
  return groupAvp(AVP_VENDOR_SPECIFIC_APPLICATION_ID, [u32Avp(AVP_VENDOR_ID, VENDOR_3GPP), u32Avp(AVP_AUTH_APPLICATION_ID, APP_S6A)]);
}

function capabilityAvps(p: PeerIdentity): Buffer[] {
  const a: Buffer[] = [];
  if (p.originStateId !== undefined) a.push(u32Avp(AVP_ORIGIN_STATE_ID, p.originStateId));
  a.push(u32Avp(AVP_SUPPORTED_VENDOR_ID, VENDOR_3GPP), u32Avp(AVP_AUTH_APPLICATION_ID, APP_S6A), s6aVendorSpecificAppId());
  if (p.firmware !== undefined) a.push(u32Avp(AVP_FIRMWARE_REVISION, p.firmware, 0, false));
  return a;
}

/** CER (§5.3.1): not proxiable, application 0 */
export function cer(p: PeerIdentity, hopByHop: number, endToEnd: number): Buffer {
  return encodeDiameter({ flags: FLAG_R, code: CMD_CAPABILITIES_EXCHANGE, appId: APP_COMMON, hopByHop, endToEnd }, [...peerAvps(p, true), ...capabilityAvps(p)]);
}

/** CEA (§5.3.2) */
export function cea(p: PeerIdentity, r: DiameterResult, hopByHop: number, endToEnd: number): Buffer {
  return encodeDiameter({ flags: answerFlags(r, false), code: CMD_CAPABILITIES_EXCHANGE, appId: APP_COMMON, hopByHop, endToEnd }, [
    resultAvp(r),
    ...peerAvps(p, true),
    ...capabilityAvps(p),
  ]);
}

/** DWR (§5.5.1) */
export function dwr(p: PeerIdentity, hopByHop: number, endToEnd: number): Buffer {
  const a = peerAvps(p, false);
  if (p.originStateId !== undefined) a.push(u32Avp(AVP_ORIGIN_STATE_ID, p.originStateId));
  return encodeDiameter({ flags: FLAG_R, code: CMD_DEVICE_WATCHDOG, appId: APP_COMMON, hopByHop, endToEnd }, a);
}

/** DWA (§5.5.2) */
export function dwa(p: PeerIdentity, r: DiameterResult, hopByHop: number, endToEnd: number): Buffer {
  const a = [resultAvp(r), ...peerAvps(p, false)];
  if (p.originStateId !== undefined) a.push(u32Avp(AVP_ORIGIN_STATE_ID, p.originStateId));
  return encodeDiameter({ flags: answerFlags(r, false), code: CMD_DEVICE_WATCHDOG, appId: APP_COMMON, hopByHop, endToEnd }, a);
}

/**
 * A relay agent forwarding a request (§6.1.9): same message with a new hop-by-hop id and a
 * Route-Record AVP with the identity of the peer it was received from, appended.
 */
export function relayRequest(msg: Buffer, hopByHop: number, receivedFrom: string): Buffer {
  const rr = strAvp(AVP_ROUTE_RECORD, receivedFrom);
  const b = Buffer.allocUnsafe(msg.length + rr.length);
  msg.copy(b, 0);
  rr.copy(b, msg.length);
  b.writeUInt32BE(((DIAMETER_VERSION << 24) | b.length) >>> 0, 0);
  b.writeUInt32BE(hopByHop >>> 0, 12);
  return b;
}

/** a relay agent forwarding an answer back (§6.2.2): the hop-by-hop id of the request it received */
export function relayAnswer(msg: Buffer, hopByHop: number): Buffer {
  const b = Buffer.from(msg);
  b.writeUInt32BE(hopByHop >>> 0, 12);
  return b;
}
