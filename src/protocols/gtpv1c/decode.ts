/**
 * GTPv1 decoder (3GPP TS 29.060 §6 header, §7.7 information elements; TS 29.281 §5 for the
 * GTP-U path messages Echo / Error Indication). Pure: fills a reused Gtpv1View with numbers and
 * offsets, returns a Gtpv1Anomaly code; never throws, never reads past `end`.
 *
 * A code with `out.headerOk` set still leaves a correlatable message (sequence number, type,
 * TEID and the IEs read before the problem): an IE past the end, an unknown TV type (whose
 * length nobody knows, so the walk stops), an IE of the wrong size (ignored), or a message cut
 * by the capture (Truncated with headerOk).
 */
import { rd16, rd32 } from '../../net/bytes';
import {
  GTPV1_FLAG_E, GTPV1_FLAG_PN, GTPV1_FLAG_S, GTPV1_HEADER_LEN, GTPV1_IMEISV_LEN, GTPV1_MAX_EXT_HEADERS,
  GTPV1_MAX_IES, GTPV1_OPT_HEADER_LEN, GTPV1_RAT_TYPE_LEN, GTPV1_TV_LENGTHS, Gtpv1Anomaly, Gtpv1Ie, Gtpv1Msg,
} from './constants';
import type { Gtpv1View } from './types';

function reset(out: Gtpv1View, start: number): void {
  out.version = out.pt = out.flags = out.length = out.teid = out.extCount = out.ieCount = 0;
  out.msgType = out.seq = out.npdu = -1;
  out.headerOk = false;
  out.ieStart = out.messageEnd = start;
  out.cause = out.imsiStart = out.imsiEnd = out.rai = out.recovery = out.teidData = out.teidControl = -1;
  out.teardown = out.nsapi = out.chargingId = out.pdpTypeOrg = out.pdpTypeNumber = -1;
  out.apnStart = out.apnEnd = out.gsn1Start = out.gsn1End = out.gsn2Start = out.gsn2End = -1;
  out.msisdnStart = out.msisdnEnd = out.ratType = out.uliStart = out.uliEnd = out.imeiStart = out.imeiEnd = -1;
}

/** Decodes the GTPv1 message at buf[start, end) (end = end of the UDP payload). */
export function decodeGtpv1(buf: Buffer, start: number, end: number, out: Gtpv1View): number {
  reset(out, start);
  if (end - start < GTPV1_HEADER_LEN) return Gtpv1Anomaly.Truncated;
  // §6: Version(3) PT(1) spare(1) E(1) S(1) PN(1) | Message Type | Length(2) | TEID(4)
  const b0 = buf[start];
  out.version = b0 >> 5;
  out.pt = (b0 >> 4) & 1;
  out.flags = b0 & 0x07;
  out.msgType = buf[start + 1];
  out.length = rd16(buf, start + 2);
  out.teid = rd32(buf, start + 4);
  if (out.version !== 1 || out.pt !== 1) return Gtpv1Anomaly.BadVersion;
  const messageEnd = start + GTPV1_HEADER_LEN + out.length;
  const cut = messageEnd > end;
  const limit = cut ? end : messageEnd;
  out.messageEnd = limit;
  let p = start + GTPV1_HEADER_LEN;
  if (out.flags !== 0) {
    // §6: Sequence Number, N-PDU Number and Next Extension Header Type are present when any of
    // E, S, PN is set; each is meaningful only when its own flag is set.
    if (out.length < GTPV1_OPT_HEADER_LEN) return Gtpv1Anomaly.BadLength;
    if (p + GTPV1_OPT_HEADER_LEN > limit) return Gtpv1Anomaly.Truncated;
    if (out.flags & GTPV1_FLAG_S) out.seq = rd16(buf, p);
    if (out.flags & GTPV1_FLAG_PN) out.npdu = buf[p + 2];
    let next = out.flags & GTPV1_FLAG_E ? buf[p + 3] : 0;
    p += GTPV1_OPT_HEADER_LEN;
    // §6.1: each extension header: Length (4-octet units) | content | Next Extension Header Type.
    while (next !== 0) {
      if (out.extCount >= GTPV1_MAX_EXT_HEADERS) return Gtpv1Anomaly.TooManyExtHeaders;
      if (p >= limit) return cut ? Gtpv1Anomaly.Truncated : Gtpv1Anomaly.BadExtHeader;
      const n = buf[p] * 4;
      if (n === 0) return Gtpv1Anomaly.BadExtHeader;
      if (p + n > limit) return cut ? Gtpv1Anomaly.Truncated : Gtpv1Anomaly.BadExtHeader;
      next = buf[p + n - 1];
      p += n;
      out.extCount++;
    }
  }
  out.ieStart = p;
  out.headerOk = true;
  // A G-PDU carries user data, not IEs (TS 29.281 §6.1).
  if (out.msgType === Gtpv1Msg.GPdu) return cut ? Gtpv1Anomaly.Truncated : Gtpv1Anomaly.Ok;
  const code = walkIes(buf, p, limit, out);
  return cut ? Gtpv1Anomaly.Truncated : code;
}

/** §7.7: TV IEs (type < 128, fixed length from GTPV1_TV_LENGTHS) and TLV IEs (type ≥ 128). */
function walkIes(buf: Buffer, p: number, limit: number, out: Gtpv1View): number {
  let soft: number = Gtpv1Anomaly.Ok;
  while (p < limit) {
    if (out.ieCount >= GTPV1_MAX_IES) return Gtpv1Anomaly.TooManyIes;
    out.ieCount++;
    const type = buf[p];
    let v: number;
    let len: number;
    if (type < 128) {
      len = GTPV1_TV_LENGTHS[type];
      if (len < 0) return Gtpv1Anomaly.UnknownTvIe;
      v = p + 1;
    } else {
      if (p + 3 > limit) return Gtpv1Anomaly.IeTruncated;
      len = rd16(buf, p + 1);
      v = p + 3;
    }
    if (v + len > limit) return Gtpv1Anomaly.IeTruncated;
    switch (type) {
      case Gtpv1Ie.Cause:
        if (out.cause < 0) out.cause = buf[v];
        break;
      case Gtpv1Ie.Imsi:
        if (out.imsiStart < 0) {
          out.imsiStart = v;
          out.imsiEnd = v + len;
        }
        break;
      case Gtpv1Ie.Rai:
        if (out.rai < 0) out.rai = v;
        break;
      case Gtpv1Ie.Recovery:
        out.recovery = buf[v];
        break;
      case Gtpv1Ie.TeidDataI:
        if (out.teidData < 0) out.teidData = rd32(buf, v);
        break;
      case Gtpv1Ie.TeidControlPlane:
        if (out.teidControl < 0) out.teidControl = rd32(buf, v);
        break;
      case Gtpv1Ie.TeardownInd:
        out.teardown = buf[v] & 1;
        break;
      case Gtpv1Ie.Nsapi:
        if (out.nsapi < 0) out.nsapi = buf[v] & 0x0f;
        break;
      case Gtpv1Ie.ChargingId:
        if (out.chargingId < 0) out.chargingId = rd32(buf, v);
        break;
      case Gtpv1Ie.EndUserAddress:
        // §7.7.27: spare(4) | PDP Type Organisation(4), PDP Type Number, [PDP Address].
        if (len < 2) soft = soft || Gtpv1Anomaly.BadIeLength;
        else if (out.pdpTypeOrg < 0) {
          out.pdpTypeOrg = buf[v] & 0x0f;
          out.pdpTypeNumber = buf[v + 1];
        }
        break;
      case Gtpv1Ie.Apn:
        if (out.apnStart < 0) {
          out.apnStart = v;
          out.apnEnd = v + len;
        }
        break;
      case Gtpv1Ie.GsnAddress:
        if (out.gsn1Start < 0) {
          out.gsn1Start = v;
          out.gsn1End = v + len;
        } else if (out.gsn2Start < 0) {
          out.gsn2Start = v;
          out.gsn2End = v + len;
        }
        break;
      case Gtpv1Ie.Msisdn:
        if (out.msisdnStart < 0) {
          out.msisdnStart = v;
          out.msisdnEnd = v + len;
        }
        break;
      case Gtpv1Ie.RatType:
        if (len !== GTPV1_RAT_TYPE_LEN) soft = soft || Gtpv1Anomaly.BadIeLength;
        else out.ratType = buf[v];
        break;
      case Gtpv1Ie.UserLocationInformation:
        if (out.uliStart < 0) {
          out.uliStart = v;
          out.uliEnd = v + len;
        }
        break;
      case Gtpv1Ie.ImeiSv:
        if (len !== GTPV1_IMEISV_LEN) soft = soft || Gtpv1Anomaly.BadIeLength;
        else if (out.imeiStart < 0) {
          out.imeiStart = v;
          out.imeiEnd = v + len;
        }
        break;
      default:
        break;
    }
    p = v + len;
  }
  return soft;
}

/**
 * Offset of the PLMN identity (3 octets, TS 24.008 §10.5.1.13) of the serving network: the RAI
 * (§7.7.3) when present, else the CGI / SAI / RAI of the User Location Information (§7.7.51:
 * Geographic Location Type octet, then the PLMN); -1 when neither is there.
 */
export function gtpv1ServingPlmn(v: Gtpv1View): number {
  if (v.rai >= 0) return v.rai;
  if (v.uliStart >= 0 && v.uliEnd - v.uliStart >= 4) return v.uliStart + 1;
  return -1;
}
