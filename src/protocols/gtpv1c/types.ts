/**
 * View filled by the GTPv1 decoder (one instance per pipeline, reused for every message).
 * Offsets point into the buffer passed to the decoder; -1 = absent. Numbers (TEIDs, charging id)
 * are unsigned 32-bit values, -1 when absent.
 */
export interface Gtpv1View {
  /** Header (TS 29.060 §6): version (3 bits), PT, E / S / PN flags. */
  version: number;
  pt: number;
  flags: number;
  msgType: number;
  /** Length field: octets after the 8-octet mandatory header. */
  length: number;
  teid: number;
  /** Sequence Number (-1 when S = 0 and no optional field), N-PDU Number (-1 when PN = 0). */
  seq: number;
  npdu: number;
  /** Extension headers walked (TS 29.060 §6.1). */
  extCount: number;
  /** true once the header (and extension headers) are valid: the message can be correlated. */
  headerOk: boolean;
  /** Information elements [ieStart, messageEnd). */
  ieStart: number;
  messageEnd: number;
  ieCount: number;

  /** Cause value of the first Cause IE (§7.7.1), -1 absent. */
  cause: number;
  /** IMSI TBCD (§7.7.2) [imsiStart, imsiEnd). */
  imsiStart: number;
  imsiEnd: number;
  /** Routeing Area Identity (§7.7.3): offset of its 6 octets (PLMN first), -1 absent. */
  rai: number;
  recovery: number;
  /** First TEID Data I (§7.7.13), TEID Control Plane (§7.7.14). */
  teidData: number;
  teidControl: number;
  /** Teardown Ind (§7.7.16): 0/1, -1 absent. */
  teardown: number;
  /** First NSAPI (§7.7.17; a second one in the same message is the Linked NSAPI). */
  nsapi: number;
  chargingId: number;
  /** End User Address (§7.7.27): PDP type organisation and number (-1 absent). */
  pdpTypeOrg: number;
  pdpTypeNumber: number;
  /** Access Point Name (§7.7.30) value [apnStart, apnEnd). */
  apnStart: number;
  apnEnd: number;
  /** First GSN Address (§7.7.32: control plane / GTP-U Peer Address) and second (user traffic). */
  gsn1Start: number;
  gsn1End: number;
  gsn2Start: number;
  gsn2End: number;
  /** MSISDN (§7.7.33): [msisdnStart, msisdnEnd) from the extension/nature octet, then TBCD. */
  msisdnStart: number;
  msisdnEnd: number;
  /** RAT Type (§7.7.50), -1 absent. */
  ratType: number;
  /** User Location Information (§7.7.51) value [uliStart, uliEnd): location type, then PLMN. */
  uliStart: number;
  uliEnd: number;
  /** IMEI(SV) (§7.7.53) TBCD [imeiStart, imeiEnd). */
  imeiStart: number;
  imeiEnd: number;
}

export function createGtpv1View(): Gtpv1View {
  return {
    version: 0, pt: 0, flags: 0, msgType: -1, length: 0, teid: 0, seq: -1, npdu: -1, extCount: 0,
    headerOk: false, ieStart: 0, messageEnd: 0, ieCount: 0, cause: -1, imsiStart: -1, imsiEnd: -1,
    rai: -1, recovery: -1, teidData: -1, teidControl: -1, teardown: -1, nsapi: -1, chargingId: -1,
    pdpTypeOrg: -1, pdpTypeNumber: -1, apnStart: -1, apnEnd: -1, gsn1Start: -1, gsn1End: -1,
    gsn2Start: -1, gsn2End: -1, msisdnStart: -1, msisdnEnd: -1, ratType: -1, uliStart: -1,
    uliEnd: -1, imeiStart: -1, imeiEnd: -1,
  };
}
