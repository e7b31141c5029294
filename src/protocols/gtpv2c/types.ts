/**
 * View filled by the GTPv2-C decoder (one instance per pipeline, reused for every message).
 * Offsets point into the buffer passed to the decoder; -1 = absent. TEIDs and charging ids are
 * unsigned 32-bit values, -1 when absent.
 */

/** A Fully Qualified TEID (TS 29.274 §8.22). */
export interface FteidView {
  present: boolean;
  /** Interface type (6 bits, §8.22 Table 8.22-1: 10 S11 MME GTP-C, 7 S5/S8 PGW GTP-C...). */
  iface: number;
  teid: number;
  /** Offset of the IPv4 (4 octets) / IPv6 (16 octets) address, -1 when not carried. */
  v4: number;
  v6: number;
}

export function createFteidView(): FteidView {
  return { present: false, iface: -1, teid: -1, v4: -1, v6: -1 };
}

export interface Gtpv2View {
  /** Header (§5.1): version, P (piggybacking), T (TEID present), MP (message priority). */
  version: number;
  piggyback: boolean;
  teidFlag: boolean;
  msgType: number;
  /** Message Length: octets after the first 4. */
  length: number;
  /** TEID (-1 when T = 0), 24-bit sequence number, message priority (-1 when MP = 0). */
  teid: number;
  seq: number;
  priority: number;
  /** true once the header is valid: the message can be correlated. */
  headerOk: boolean;
  /** IEs [ieStart, messageEnd); messageEnd is also where a piggybacked message starts. */
  ieStart: number;
  messageEnd: number;
  ieCount: number;

  /** First message-level Cause (§8.4), -1 absent. */
  cause: number;
  /** IMSI (§8.3) TBCD [imsiStart, imsiEnd). */
  imsiStart: number;
  imsiEnd: number;
  recovery: number;
  /** APN (§8.6) [apnStart, apnEnd). */
  apnStart: number;
  apnEnd: number;
  /** Message-level EPS Bearer ID, instance 0 (§8.8: the Linked EBI of Delete Session / Delete
   *  Bearer / Create Bearer), -1 absent. */
  ebi: number;
  /** MEI (§8.10: IMEI / IMEISV TBCD) [meiStart, meiEnd). */
  meiStart: number;
  meiEnd: number;
  /** MSISDN (§8.11: TBCD digits) [msisdnStart, msisdnEnd). */
  msisdnStart: number;
  msisdnEnd: number;
  /** PDN type (§8.34, or the first octet of the PAA §8.14): 1 IPv4, 2 IPv6, 3 IPv4v6, 4 non-IP... */
  pdnType: number;
  /** RAT Type (§8.17), -1 absent. */
  ratType: number;
  /** Serving Network (§8.18): offset of its 3-octet PLMN, -1 absent. */
  servingNetwork: number;
  /** ULI (§8.21) value [uliStart, uliEnd); uliPlmn: offset of the PLMN of its first field. */
  uliStart: number;
  uliEnd: number;
  uliPlmn: number;
  /** Sender F-TEID for Control Plane (F-TEID instance 0, message level). */
  readonly senderFteid: FteidView;
  /** F-TEID instance 1 at message level (e.g. PGW S5/S8 F-TEID for Control Plane in a CSR on S11). */
  readonly peerFteid: FteidView;
  /** Bearer Contexts (§8.28, grouped) at message level, and from the first one: its EBI,
   *  its first F-TEID (user plane) and Charging ID. */
  bearerCount: number;
  bearerEbi: number;
  readonly bearerFteid: FteidView;
  chargingId: number;
}

export function createGtpv2View(): Gtpv2View {
  return {
    version: 0, piggyback: false, teidFlag: false, msgType: -1, length: 0, teid: -1, seq: -1, priority: -1,
    headerOk: false, ieStart: 0, messageEnd: 0, ieCount: 0, cause: -1, imsiStart: -1, imsiEnd: -1,
    recovery: -1, apnStart: -1, apnEnd: -1, ebi: -1, meiStart: -1, meiEnd: -1, msisdnStart: -1,
    msisdnEnd: -1, pdnType: -1, ratType: -1, servingNetwork: -1, uliStart: -1, uliEnd: -1, uliPlmn: -1,
    senderFteid: createFteidView(), peerFteid: createFteidView(), bearerCount: 0, bearerEbi: -1,
    bearerFteid: createFteidView(), chargingId: -1,
  };
}
