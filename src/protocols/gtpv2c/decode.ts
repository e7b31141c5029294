/**
 * GTPv2-C decoder (3GPP TS 29.274 §5 header, §8 information elements). Pure: fills a reused
 * Gtpv2View with numbers and offsets, returns a Gtpv2Anomaly code; never throws, never reads past
 * `end`. Decodes one message; when its P flag is set a piggybacked message follows at
 * `out.messageEnd` (§5.5.1) — the caller decodes it with a second call.
 *
 * A code with `out.headerOk` set still leaves a correlatable message: an IE past the end (the
 * walk stops), an IE too short for its type (ignored), or a message cut by the capture.
 */
import { rd16, rd32 } from '../../net/bytes';
import {
  GTPV2_CHARGING_ID_LEN, GTPV2_FLAG_MP, GTPV2_FLAG_P, GTPV2_FLAG_T, GTPV2_FTEID_MIN_LEN, GTPV2_FTEID_V4,
  GTPV2_FTEID_V6, GTPV2_HEADER_LEN, GTPV2_HEADER_LEN_TEID, GTPV2_IE_HEADER_LEN, GTPV2_LENGTH_OFFSET,
  GTPV2_MAX_IES, GTPV2_RAT_TYPE_LEN, GTPV2_SERVING_NETWORK_LEN, GTPV2_ULI_PLMN_FIELDS, Gtpv2Anomaly, Gtpv2Ie,
} from './constants';
import type { FteidView, Gtpv2View } from './types';

function resetFteid(f: FteidView): void {
  f.present = false;
  f.iface = f.teid = f.v4 = f.v6 = -1;
}

function reset(out: Gtpv2View, start: number): void {
  out.version = out.length = out.ieCount = out.bearerCount = 0;
  out.piggyback = out.teidFlag = out.headerOk = false;
  out.msgType = out.teid = out.seq = out.priority = -1;
  out.ieStart = out.messageEnd = start;
  out.cause = out.imsiStart = out.imsiEnd = out.recovery = out.apnStart = out.apnEnd = out.ebi = -1;
  out.meiStart = out.meiEnd = out.msisdnStart = out.msisdnEnd = out.pdnType = out.ratType = -1;
  out.servingNetwork = out.uliStart = out.uliEnd = out.uliPlmn = out.bearerEbi = out.chargingId = -1;
  resetFteid(out.senderFteid);
  resetFteid(out.peerFteid);
  resetFteid(out.bearerFteid);
}

/** Decodes the GTPv2-C message at buf[start, end) (end = end of the UDP payload). */
export function decodeGtpv2(buf: Buffer, start: number, end: number, out: Gtpv2View): number {
  reset(out, start);
  if (end - start < GTPV2_HEADER_LEN) return Gtpv2Anomaly.Truncated;
  // §5.1: Version(3) P(1) T(1) MP(1) Spare(2) | Message Type | Message Length(2) | [TEID(4)] |
  //       Sequence Number(3) | Message Priority(4) Spare(4)
  const b0 = buf[start];
  out.version = b0 >> 5;
  out.piggyback = (b0 & GTPV2_FLAG_P) !== 0;
  out.teidFlag = (b0 & GTPV2_FLAG_T) !== 0;
  out.msgType = buf[start + 1];
  out.length = rd16(buf, start + 2);
  if (out.version !== 2) return Gtpv2Anomaly.BadVersion;
  const hdr = out.teidFlag ? GTPV2_HEADER_LEN_TEID : GTPV2_HEADER_LEN;
  if (out.length + GTPV2_LENGTH_OFFSET < hdr) return Gtpv2Anomaly.BadLength;
  if (end - start < hdr) return Gtpv2Anomaly.Truncated;
  let p = start + 4;
  if (out.teidFlag) {
    out.teid = rd32(buf, p);
    p += 4;
  }
  out.seq = (buf[p] << 16) | (buf[p + 1] << 8) | buf[p + 2];
  if (b0 & GTPV2_FLAG_MP) out.priority = buf[p + 3] >> 4;
  p += 4;
  const messageEnd = start + GTPV2_LENGTH_OFFSET + out.length;
  const cut = messageEnd > end;
  const limit = cut ? end : messageEnd;
  out.ieStart = p;
  out.messageEnd = limit;
  out.headerOk = true;
  const code = walkIes(buf, p, limit, out, false);
  return cut ? Gtpv2Anomaly.Truncated : code;
}

/**
 * §8.2.1: Type(1) Length(2) Spare(4 bits) Instance(4 bits) Value. At message level (inBearer
 * false) the first Bearer Context (§8.28, grouped) is walked once more for its EBI, first F-TEID
 * and Charging ID; other grouped IEs are skipped whole.
 */
function walkIes(buf: Buffer, p: number, limit: number, out: Gtpv2View, inBearer: boolean): number {
  let soft: number = Gtpv2Anomaly.Ok;
  while (p < limit) {
    if (out.ieCount >= GTPV2_MAX_IES) return Gtpv2Anomaly.TooManyIes;
    out.ieCount++;
    if (p + GTPV2_IE_HEADER_LEN > limit) return Gtpv2Anomaly.IeTruncated;
    const type = buf[p];
    const len = rd16(buf, p + 1);
    const instance = buf[p + 3] & 0x0f;
    const v = p + GTPV2_IE_HEADER_LEN;
    if (v + len > limit) return Gtpv2Anomaly.IeTruncated;
    if (inBearer) {
      switch (type) {
        case Gtpv2Ie.Ebi:
          if (len >= 1 && out.bearerEbi < 0) out.bearerEbi = buf[v] & 0x0f;
          break;
        case Gtpv2Ie.Fteid:
          if (!out.bearerFteid.present && !readFteid(buf, v, len, out.bearerFteid)) soft = soft || Gtpv2Anomaly.BadIeLength;
          break;
        case Gtpv2Ie.ChargingId:
          if (len < GTPV2_CHARGING_ID_LEN) soft = soft || Gtpv2Anomaly.BadIeLength;
          else if (out.chargingId < 0) out.chargingId = rd32(buf, v);
          break;
        default:
          break;
      }
      p = v + len;
      continue;
    }
    switch (type) {
      case Gtpv2Ie.Imsi:
        if (out.imsiStart < 0) {
          out.imsiStart = v;
          out.imsiEnd = v + len;
        }
        break;
      case Gtpv2Ie.Cause:
        // §8.4: Cause value(1) | spare PCE BCE CS (1) | [offending IE(4)]
        if (len < 1) soft = soft || Gtpv2Anomaly.BadIeLength;
        else if (out.cause < 0) out.cause = buf[v];
        break;
      case Gtpv2Ie.Recovery:
        if (len >= 1) out.recovery = buf[v];
        break;
      case Gtpv2Ie.Apn:
        if (out.apnStart < 0) {
          out.apnStart = v;
          out.apnEnd = v + len;
        }
        break;
      case Gtpv2Ie.Ebi:
        if (instance === 0 && len >= 1 && out.ebi < 0) out.ebi = buf[v] & 0x0f;
        break;
      case Gtpv2Ie.Mei:
        if (out.meiStart < 0) {
          out.meiStart = v;
          out.meiEnd = v + len;
        }
        break;
      case Gtpv2Ie.Msisdn:
        if (out.msisdnStart < 0) {
          out.msisdnStart = v;
          out.msisdnEnd = v + len;
        }
        break;
      case Gtpv2Ie.Paa:
      case Gtpv2Ie.PdnType:
        // §8.14 PAA / §8.34 PDN Type: spare(5) PDN type(3) first.
        if (len < 1) soft = soft || Gtpv2Anomaly.BadIeLength;
        else if (out.pdnType < 0) out.pdnType = buf[v] & 0x07;
        break;
      case Gtpv2Ie.RatType:
        if (len < GTPV2_RAT_TYPE_LEN) soft = soft || Gtpv2Anomaly.BadIeLength;
        else out.ratType = buf[v];
        break;
      case Gtpv2Ie.ServingNetwork:
        if (len < GTPV2_SERVING_NETWORK_LEN) soft = soft || Gtpv2Anomaly.BadIeLength;
        else if (out.servingNetwork < 0) out.servingNetwork = v;
        break;
      case Gtpv2Ie.Uli:
        if (out.uliStart < 0) {
          out.uliStart = v;
          out.uliEnd = v + len;
          out.uliPlmn = uliFirstPlmn(buf, v, v + len);
        }
        break;
      case Gtpv2Ie.Fteid: {
        const f = instance === 0 ? out.senderFteid : instance === 1 ? out.peerFteid : null;
        if (f !== null && !f.present && !readFteid(buf, v, len, f)) soft = soft || Gtpv2Anomaly.BadIeLength;
        break;
      }
      case Gtpv2Ie.BearerContext:
        out.bearerCount++;
        if (out.bearerCount === 1) {
          const c = walkIes(buf, v, v + len, out, true);
          if (c === Gtpv2Anomaly.TooManyIes) return c;
          if (c !== Gtpv2Anomaly.Ok) soft = soft || c;
        }
        break;
      case Gtpv2Ie.ChargingId:
        if (len < GTPV2_CHARGING_ID_LEN) soft = soft || Gtpv2Anomaly.BadIeLength;
        else if (out.chargingId < 0) out.chargingId = rd32(buf, v);
        break;
      default:
        break;
    }
    p = v + len;
  }
  return soft;
}

/** §8.22: V4(1) V6(1) interface type(6) | TEID / GRE key(4) | [IPv4(4)] [IPv6(16)]. false if too short. */
function readFteid(buf: Buffer, v: number, len: number, f: FteidView): boolean {
  if (len < GTPV2_FTEID_MIN_LEN) return false;
  const flags = buf[v];
  const need = GTPV2_FTEID_MIN_LEN + (flags & GTPV2_FTEID_V4 ? 4 : 0) + (flags & GTPV2_FTEID_V6 ? 16 : 0);
  if (len < need) return false;
  f.present = true;
  f.iface = flags & 0x3f;
  f.teid = rd32(buf, v + 1);
  let a = v + GTPV2_FTEID_MIN_LEN;
  if (flags & GTPV2_FTEID_V4) {
    f.v4 = a;
    a += 4;
  }
  if (flags & GTPV2_FTEID_V6) f.v6 = a;
  return true;
}

/** Offset of the PLMN of the first location field the ULI flags announce (§8.21), -1 if none fits. */
function uliFirstPlmn(buf: Buffer, v: number, end: number): number {
  if (end - v < 1) return -1;
  const flags = buf[v];
  // The fields follow the flags octet in flag order: the first one present starts at v + 1.
  for (let i = 0; i < GTPV2_ULI_PLMN_FIELDS.length; i++) {
    const [bit, size] = GTPV2_ULI_PLMN_FIELDS[i];
    if (flags & bit) return v + 1 + size <= end ? v + 1 : -1;
  }
  return -1;
}

/** Offset of the serving network PLMN: the Serving Network IE (§8.18), else the ULI's; -1 if none. */
export function gtpv2ServingPlmn(v: Gtpv2View): number {
  return v.servingNetwork >= 0 ? v.servingNetwork : v.uliPlmn;
}
