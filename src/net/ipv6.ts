/**
 * IPv6 header decoder (RFC 8200 §3) with the extension header chain (§4): Hop-by-Hop 0,
 * Routing 43, Fragment 44, Destination Options 60, AH 51 (RFC 4302), Mobility 135, HIP 139,
 * Shim6 140. ESP 50 (RFC 4303) ends the walk: the rest is encrypted.
 */
import { rd16, rd32 } from './bytes';
import { IPV6_FRAGMENT_HEADER_LEN, IPV6_HEADER_LEN, IpProto } from './constants';
import { resetIpView } from './ipv4';
import { IpView } from './types';

export const enum Ipv6Anomaly {
  Ok = 0,
  /**
   * The capture is shorter than the Payload Length (snaplen). NOT fatal: the view is filled and
   * `end` is the end of the captured bytes (the only non-fatal code).
   */
  Truncated = 1,
  /** Fewer than 40 octets. */
  HeaderTruncated = 2,
  BadVersion = 3,
  /** Payload Length 0: a jumbogram (RFC 2675) or a segmentation-offload artefact. */
  Jumbogram = 4,
  /** An extension header runs past the end of the packet. */
  ExtHeaderTruncated = 5,
  /** More than MAX_IPV6_EXT_HEADERS extension headers. */
  TooManyExtHeaders = 6,
  /** ESP: the payload is encrypted. */
  Encrypted = 7,
  /** Hop-by-Hop Options not immediately after the IPv6 header (RFC 8200 §4.3). */
  MisplacedHopByHop = 8,
  /** A Fragment header inside a reassembled payload (fragment of a fragment): not reassembled. */
  NestedFragment = 9,
}

export const IPV6_ANOMALY_NAMES: readonly string[] = [
  'ok', 'truncated', 'header_truncated', 'bad_version', 'jumbogram', 'ext_header_truncated',
  'too_many_ext_headers', 'encrypted', 'misplaced_hop_by_hop', 'nested_fragment',
];

/** Cap on extension headers walked per packet (a fragment's reassembled payload continues the count). */
export const MAX_IPV6_EXT_HEADERS = 8;

/**
 * Decodes the IPv6 header at buf[start, end) and its extension headers up to the upper-layer
 * header or a Fragment header (non-atomic fragment: the walk stops there, `proto` is the
 * Fragment header's Next Header and [start, end) the fragment data). Returns an Ipv6Anomaly.
 */
export function decodeIpv6(buf: Buffer, start: number, end: number, out: IpView): number {
  resetIpView(buf, start, out);
  if (end - start < IPV6_HEADER_LEN) return Ipv6Anomaly.HeaderTruncated;
  if (buf[start] >> 4 !== 6) return Ipv6Anomaly.BadVersion;
  // version(4) traffic class(8) flow label(20) | payload length(16) next header(8) hop limit(8)
  const payloadLength = rd16(buf, start + 4);
  if (payloadLength === 0) return Ipv6Anomaly.Jumbogram;
  out.version = 6;
  out.ttl = buf[start + 7];
  out.srcOff = start + 8;
  out.dstOff = start + 24;
  let payloadEnd = start + IPV6_HEADER_LEN + payloadLength;
  let truncated = false;
  if (payloadEnd > end) {
    payloadEnd = end;
    truncated = true;
  }
  out.end = payloadEnd;
  const code = walkIpv6Extensions(buf, start + IPV6_HEADER_LEN, payloadEnd, buf[start + 6], true, out);
  if (code !== Ipv6Anomaly.Ok) return code;
  return truncated ? Ipv6Anomaly.Truncated : Ipv6Anomaly.Ok;
}

/**
 * Walks extension headers from `off` (whose type is `nextHeader`) to the upper-layer header.
 * Sets out.proto, out.start, out.extCount (continues from its current value) and, on a
 * Fragment header, the fragment fields. `afterFixedHeader`: `off` directly follows the fixed
 * header (where Hop-by-Hop is allowed). Also used on a reassembled payload (RFC 8200 §4.5:
 * the fragmentable part may start with extension headers). Returns an Ipv6Anomaly.
 */
export function walkIpv6Extensions(
  buf: Buffer, off: number, end: number, nextHeader: number, afterFixedHeader: boolean, out: IpView,
): number {
  let nh = nextHeader;
  for (;;) {
    out.proto = nh;
    out.start = off;
    let len: number;
    if (nh === IpProto.HopByHop && (!afterFixedHeader || out.extCount !== 0)) return Ipv6Anomaly.MisplacedHopByHop;
    switch (nh) {
      case IpProto.HopByHop:
      case IpProto.Routing:
      case IpProto.DestinationOptions:
      case IpProto.Mobility:
      case IpProto.Hip:
      case IpProto.Shim6:
        // RFC 8200 §4.3–4.6: Next Header(1) Hdr Ext Len(1, units of 8 octets, first 8 excluded)
        if (end - off < 2) return Ipv6Anomaly.ExtHeaderTruncated;
        len = (buf[off + 1] + 1) * 8;
        break;
      case IpProto.Ah:
        // RFC 4302 §2.2: Payload Len in 4-octet units, minus 2
        if (end - off < 2) return Ipv6Anomaly.ExtHeaderTruncated;
        len = (buf[off + 1] + 2) * 4;
        break;
      case IpProto.Fragment:
        len = IPV6_FRAGMENT_HEADER_LEN;
        break;
      case IpProto.Esp:
        return Ipv6Anomaly.Encrypted;
      case IpProto.NoNextHeader:
        // RFC 8200 §4.7: nothing follows
        out.end = off;
        return Ipv6Anomaly.Ok;
      default:
        return Ipv6Anomaly.Ok; // upper-layer header
    }
    if (out.extCount >= MAX_IPV6_EXT_HEADERS) return Ipv6Anomaly.TooManyExtHeaders;
    if (end - off < len) return Ipv6Anomaly.ExtHeaderTruncated;
    out.extCount++;
    const next = buf[off];
    if (nh === IpProto.Fragment) {
      // RFC 8200 §4.5: Next Header(1) Reserved(1) Fragment Offset(13) Res(2) M(1) Identification(4)
      const fo = rd16(buf, off + 2);
      out.fragOffset = fo & 0xfff8;
      out.moreFragments = (fo & 1) !== 0;
      out.fragId = rd32(buf, off + 4);
      if (out.fragOffset !== 0 || out.moreFragments) {
        out.isFragment = true;
        out.proto = next;
        out.start = off + len;
        return Ipv6Anomaly.Ok;
      }
      // atomic fragment (RFC 6946): processed as a whole datagram, continue the walk
    }
    nh = next;
    off += len;
  }
}
