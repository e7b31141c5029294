/**
 * Diameter decoder (RFC 6733): the header and an AVP walker. Pure and allocation-free: the
 * reused view receives numbers and offsets; text is built later (strings.ts) only for records.
 *
 * The walker follows every AVP of the message (vendor flag, padding to 32 bits), descends into
 * the Grouped AVPs of the dictionary (constants.ts) up to MAX_AVP_DEPTH, stops at MAX_AVPS, and
 * keeps the first occurrence of each AVP the probe uses. A malformed AVP inside a Grouped AVP is
 * reported and the walk goes on after the group (its length is sound); a malformed AVP at the
 * message level ends the walk. Fields found before an anomaly stay valid.
 */
import { rd32 } from '../../net/bytes';
import {
  AVP_HEADER_LEN, AVP_HEADER_LEN_VENDOR, AvpCode, AvpFlag, DIAMETER_HEADER_LEN, DIAMETER_VERSION, DiameterAnomaly,
  DiameterFlag, GROUPED_3GPP, GROUPED_BASE, MAX_AVP_DEPTH, MAX_AVPS, SUBSCRIPTION_ID_TYPE_IMSI, VendorId,
} from './constants';
import type { DiameterView } from './types';
import { resetDiameterView } from './types';

function rd24(buf: Buffer, off: number): number {
  return (buf[off] << 16) | (buf[off + 1] << 8) | buf[off + 2];
}

/** Where an AVP sits: the message level or inside one of the Grouped AVPs whose content we read. */
const enum Ctx {
  Message = 0,
  ExperimentalResult = 1,
  VendorSpecificApplicationId = 2,
  SubscriptionId = 3,
  SupportedFeatures = 4,
  OtherGroup = 5,
}

/**
 * Decodes the Diameter message at [start, end) of buf into `out`; returns a DiameterAnomaly
 * (0 = ok). `out.headerOk` tells whether the header fields are valid (they are even when the
 * AVP walk failed or the message is cut short by `end`).
 */
export function decodeDiameter(buf: Buffer, start: number, end: number, out: DiameterView): number {
  resetDiameterView(out, start);
  if (end > buf.length) end = buf.length;
  if (start < 0 || end - start < DIAMETER_HEADER_LEN) return DiameterAnomaly.Truncated;
  // RFC 6733 §3: Version, Message Length, Command Flags, Command Code, Application-ID,
  // Hop-by-Hop Identifier, End-to-End Identifier.
  out.version = buf[start];
  if (out.version !== DIAMETER_VERSION) return DiameterAnomaly.BadVersion;
  const len = rd24(buf, start + 1);
  out.length = len;
  out.flags = buf[start + 4];
  out.commandCode = rd24(buf, start + 5);
  out.appId = rd32(buf, start + 8);
  out.hopByHop = rd32(buf, start + 12);
  out.endToEnd = rd32(buf, start + 16);
  if (len < DIAMETER_HEADER_LEN) return DiameterAnomaly.BadLength;
  out.headerOk = true;
  let code: number = DiameterAnomaly.Ok;
  let msgEnd = start + len;
  if (msgEnd > end) {
    code = DiameterAnomaly.Truncated;
    msgEnd = end;
  }
  const w = walkAvps(buf, start + DIAMETER_HEADER_LEN, msgEnd, out, 0, Ctx.Message);
  if (code === DiameterAnomaly.Ok) code = w;
  // §3: "E ... This bit MUST NOT be set in request messages".
  if (code === DiameterAnomaly.Ok && (out.flags & DiameterFlag.Request) !== 0 && (out.flags & DiameterFlag.Error) !== 0) {
    code = DiameterAnomaly.BadFlags;
  }
  if (code === DiameterAnomaly.Ok && start + len < end) code = DiameterAnomaly.TrailingData;
  return code;
}

/** Walks the AVPs in [pos, end) (RFC 6733 §4.1); returns the first anomaly met (0 = none). */
function walkAvps(buf: Buffer, pos: number, end: number, out: DiameterView, depth: number, ctx: Ctx): number {
  let code: number = DiameterAnomaly.Ok;
  while (pos < end) {
    if (end - pos < AVP_HEADER_LEN) return code || DiameterAnomaly.BadAvpLength;
    if (++out.avpCount > MAX_AVPS) return code || DiameterAnomaly.TooManyAvps;
    // AVP Code(4) AVP Flags(1) AVP Length(3) [Vendor-ID(4)] Data, padded to 32 bits.
    const avp = rd32(buf, pos);
    const flags = buf[pos + 4];
    const alen = rd24(buf, pos + 5);
    const hl = (flags & AvpFlag.Vendor) !== 0 ? AVP_HEADER_LEN_VENDOR : AVP_HEADER_LEN;
    if (alen < hl || alen > end - pos) return code || DiameterAnomaly.BadAvpLength;
    const vendor = hl === AVP_HEADER_LEN_VENDOR ? rd32(buf, pos + 8) : VendorId.None;
    const c = onAvp(buf, avp, vendor, pos + hl, pos + alen, out, depth, ctx);
    if (c !== DiameterAnomaly.Ok && code === DiameterAnomaly.Ok) code = c;
    pos += (alen + 3) & ~3;
  }
  return code;
}

/** Unsigned32 value (RFC 6733 §4.2) of [ds, de), or -1 when it is not 4 octets. */
function u32(buf: Buffer, ds: number, de: number): number {
  return de - ds === 4 ? rd32(buf, ds) : -1;
}

function onAvp(buf: Buffer, avp: number, vendor: number, ds: number, de: number, out: DiameterView, depth: number, ctx: Ctx): number {
  if (vendor === VendorId.None) {
    switch (avp) {
      case AvpCode.SessionId:
        if (ctx === Ctx.Message && out.sessionIdStart < 0) { out.sessionIdStart = ds; out.sessionIdEnd = de; }
        return 0;
      case AvpCode.OriginHost:
        if (ctx === Ctx.Message && out.originHostStart < 0) { out.originHostStart = ds; out.originHostEnd = de; }
        return 0;
      case AvpCode.OriginRealm:
        if (ctx === Ctx.Message && out.originRealmStart < 0) { out.originRealmStart = ds; out.originRealmEnd = de; }
        return 0;
      case AvpCode.DestinationHost:
        if (ctx === Ctx.Message && out.destHostStart < 0) { out.destHostStart = ds; out.destHostEnd = de; }
        return 0;
      case AvpCode.DestinationRealm:
        if (ctx === Ctx.Message && out.destRealmStart < 0) { out.destRealmStart = ds; out.destRealmEnd = de; }
        return 0;
      case AvpCode.UserName:
        if (ctx === Ctx.Message && out.userNameStart < 0) { out.userNameStart = ds; out.userNameEnd = de; }
        return 0;
      case AvpCode.ResultCode: {
        // The first Result-Code anywhere (as Wireshark's diameter.Result-Code): the message-level
        // one comes first in every command's CCF.
        const v = u32(buf, ds, de);
        if (v < 0) return DiameterAnomaly.BadAvpValue;
        if (out.resultCode < 0) out.resultCode = v;
        return 0;
      }
      case AvpCode.ExperimentalResultCode: {
        if (ctx !== Ctx.ExperimentalResult) return 0;
        const v = u32(buf, ds, de);
        if (v < 0) return DiameterAnomaly.BadAvpValue;
        if (out.expResultCode < 0) out.expResultCode = v;
        return 0;
      }
      case AvpCode.VendorId: {
        const v = u32(buf, ds, de);
        if (v < 0) return DiameterAnomaly.BadAvpValue;
        if (ctx === Ctx.ExperimentalResult && out.expVendorId < 0) out.expVendorId = v;
        else if (ctx === Ctx.SupportedFeatures && out.featureVendorId < 0) out.featureVendorId = v;
        return 0;
      }
      case AvpCode.AuthApplicationId:
      case AvpCode.AcctApplicationId: {
        if (ctx !== Ctx.Message && ctx !== Ctx.VendorSpecificApplicationId) return 0;
        const v = u32(buf, ds, de);
        if (v < 0) return DiameterAnomaly.BadAvpValue;
        if (avp === AvpCode.AuthApplicationId) { if (out.authAppId < 0) out.authAppId = v; }
        else if (out.acctAppId < 0) out.acctAppId = v;
        return 0;
      }
      case AvpCode.SubscriptionIdType: {
        if (ctx !== Ctx.SubscriptionId) return 0;
        const v = u32(buf, ds, de);
        if (v < 0) return DiameterAnomaly.BadAvpValue;
        out.subIdType = v;
        return 0;
      }
      case AvpCode.SubscriptionIdData:
        if (ctx === Ctx.SubscriptionId) { out.subIdDataStart = ds; out.subIdDataEnd = de; }
        return 0;
      case AvpCode.ExperimentalResult:
        return group(buf, ds, de, out, depth, Ctx.ExperimentalResult);
      case AvpCode.VendorSpecificApplicationId:
        return group(buf, ds, de, out, depth, Ctx.VendorSpecificApplicationId);
      case AvpCode.SubscriptionId: {
        // RFC 4006 §8.46: Subscription-Id-Type and -Data, in any order.
        out.subIdType = -1;
        out.subIdDataStart = out.subIdDataEnd = -1;
        const c = group(buf, ds, de, out, depth, Ctx.SubscriptionId);
        if (out.subIdType === SUBSCRIPTION_ID_TYPE_IMSI && out.subIdDataStart >= 0 && out.subscriptionImsiStart < 0) {
          out.subscriptionImsiStart = out.subIdDataStart;
          out.subscriptionImsiEnd = out.subIdDataEnd;
        }
        return c;
      }
      default:
        return GROUPED_BASE.has(avp) ? group(buf, ds, de, out, depth, Ctx.OtherGroup) : 0;
    }
  }
  if (vendor === VendorId.ThreeGpp) {
    switch (avp) {
      case AvpCode.VisitedPlmnId:
        // TS 29.272 §7.3.9: OctetString of 3 octets (TS 24.008 §10.5.1.13 PLMN identity).
        if (de - ds !== 3) return DiameterAnomaly.BadAvpValue;
        if (out.visitedPlmnOffset < 0) out.visitedPlmnOffset = ds;
        return 0;
      case AvpCode.RatType:
        return firstU32(buf, ds, de, out, 'ratType');
      case AvpCode.UlrFlags:
        return firstU32(buf, ds, de, out, 'ulrFlags');
      case AvpCode.CancellationType:
        return firstU32(buf, ds, de, out, 'cancellationType');
      case AvpCode.FeatureListId:
        return ctx === Ctx.SupportedFeatures ? firstU32(buf, ds, de, out, 'featureListId') : 0;
      case AvpCode.FeatureList:
        return ctx === Ctx.SupportedFeatures ? firstU32(buf, ds, de, out, 'featureList') : 0;
      case AvpCode.SupportedFeatures:
        return group(buf, ds, de, out, depth, Ctx.SupportedFeatures);
      default:
        return GROUPED_3GPP.has(avp) ? group(buf, ds, de, out, depth, Ctx.OtherGroup) : 0;
    }
  }
  return 0;
}

type U32Field = 'ratType' | 'ulrFlags' | 'cancellationType' | 'featureListId' | 'featureList';

function firstU32(buf: Buffer, ds: number, de: number, out: DiameterView, field: U32Field): number {
  const v = u32(buf, ds, de);
  if (v < 0) return DiameterAnomaly.BadAvpValue;
  if (out[field] < 0) out[field] = v;
  return 0;
}

/** The content of a Grouped AVP (RFC 6733 §4.4), one level deeper. */
function group(buf: Buffer, ds: number, de: number, out: DiameterView, depth: number, ctx: Ctx): number {
  if (depth + 1 > MAX_AVP_DEPTH) return DiameterAnomaly.NestingTooDeep;
  if (depth + 1 > out.maxDepth) out.maxDepth = depth + 1;
  return walkAvps(buf, ds, de, out, depth + 1, ctx);
}

/**
 * Message Length of a Diameter header at [pos, end), or -1 when the header is not plausible.
 * Loose (a stream already in step): version 1 and length ≥ 20. Strict (resynchronising, or a
 * guess over SCTP PPID 0): also length a multiple of 4 (RFC 6733 §3: AVPs are padded), reserved
 * flags zero, no E bit on a request, room for at least one AVP and — when its 8 octets are
 * there — a sound first AVP header.
 * Needs the 20 header octets in [pos, end).
 */
export function diameterHeaderLength(buf: Buffer, pos: number, end: number, strict: boolean): number {
  if (end > buf.length) end = buf.length;
  if (pos < 0 || end - pos < DIAMETER_HEADER_LEN || buf[pos] !== DIAMETER_VERSION) return -1;
  const len = rd24(buf, pos + 1);
  if (len < DIAMETER_HEADER_LEN) return -1;
  if (!strict) return len;
  const flags = buf[pos + 4];
  if ((len & 3) !== 0 || (flags & DiameterFlag.Reserved) !== 0) return -1;
  if ((flags & DiameterFlag.Request) !== 0 && (flags & DiameterFlag.Error) !== 0) return -1;
  // Every command carries AVPs (Origin-Host at least, RFC 6733 §6.3): one must follow.
  if (len < DIAMETER_HEADER_LEN + AVP_HEADER_LEN) return -1;
  const a = pos + DIAMETER_HEADER_LEN;
  if (end - a >= AVP_HEADER_LEN) {
    const alen = rd24(buf, a + 5);
    const hl = (buf[a + 4] & AvpFlag.Vendor) !== 0 ? AVP_HEADER_LEN_VENDOR : AVP_HEADER_LEN;
    if (alen < hl || alen > len - DIAMETER_HEADER_LEN) return -1;
  }
  return len;
}

/**
 * true when the top-level AVP headers of the message [start, start + len) found in
 * [start, availEnd) contradict nothing: each header sound and within the message, the lengths
 * (padded to 32 bits) tiling it. With the whole message available (availEnd ≥ start + len) this
 * is the check a resynchronising framer applies to a candidate message before trusting it; with
 * a part of it, it rejects most false candidates early.
 */
export function diameterAvpsTile(buf: Buffer, start: number, len: number, availEnd: number = start + len): boolean {
  const end = start + len;
  if (availEnd > end) availEnd = end;
  if (availEnd > buf.length) availEnd = buf.length;
  if (start < 0) return false;
  let pos = start + DIAMETER_HEADER_LEN;
  for (let n = 0; pos < end; n++) {
    if (n === MAX_AVPS || end - pos < AVP_HEADER_LEN) return false;
    if (availEnd - pos < AVP_HEADER_LEN) return availEnd < end; // the rest is not there yet
    const alen = rd24(buf, pos + 5);
    const hl = (buf[pos + 4] & AvpFlag.Vendor) !== 0 ? AVP_HEADER_LEN_VENDOR : AVP_HEADER_LEN;
    if (alen < hl || alen > end - pos) return false;
    pos += (alen + 3) & ~3;
  }
  return true;
}

/** SCTP PPID 0 heuristic: one whole Diameter message with a strict header and tiling AVPs. */
export function looksLikeDiameter(buf: Buffer, start: number, end: number): boolean {
  const len = diameterHeaderLength(buf, start, end, true);
  return len === end - start && diameterAvpsTile(buf, start, len);
}
