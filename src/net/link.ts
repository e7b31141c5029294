/**
 * Link layer: find the network-layer header of a captured frame.
 * A non-IP EtherType is not an anomaly: the result is Ok with `etherType` set (the caller
 * counts "not IP"); a BSD loopback frame with an unknown address family gives etherType 0.
 */
import { LinkType } from '../capture/linkTypes';
import { rd16, rd32 } from './bytes';
import {
  AF_INET, AF_INET6_VALUES, ETHERNET_HEADER_LEN, EtherType, NULL_HEADER_LEN, SLL2_HEADER_LEN,
  SLL_HEADER_LEN, VLAN_TAG_LEN,
} from './constants';
import { LinkView } from './types';

export const enum LinkAnomaly {
  Ok = 0,
  /** The frame is shorter than its link header (or a VLAN tag). */
  Truncated = 1,
  UnsupportedLinkType = 2,
  /** More than MAX_VLAN_TAGS stacked 802.1Q / 802.1ad tags. */
  TooManyVlanTags = 3,
  /** RAW / IPV4 / IPV6 link type whose first nibble is not the expected IP version. */
  BadIpVersion = 4,
}

export const LINK_ANOMALY_NAMES: readonly string[] = [
  'ok', 'truncated', 'unsupported_link_type', 'too_many_vlan_tags', 'bad_ip_version',
];

/** Cap on stacked VLAN tags (802.1Q C-TAG, 802.1ad S-TAG, 0x9100). */
export const MAX_VLAN_TAGS = 8;

function isVlanTpid(t: number): boolean {
  return t === EtherType.Vlan || t === EtherType.QinQ || t === EtherType.QinQLegacy;
}

/**
 * Decodes the link header of a frame of LINKTYPE `linkType` in buf[start, end).
 * Returns a LinkAnomaly; on Ok, out.start is the network header offset and out.etherType its type.
 */
export function decodeLink(linkType: number, buf: Buffer, start: number, end: number, out: LinkView): number {
  out.etherType = 0;
  out.start = start;
  out.vlanCount = 0;
  out.vlanId = -1;
  switch (linkType) {
    case LinkType.Ethernet:
      // IEEE 802.3: destination(6) source(6) EtherType(2)
      if (end - start < ETHERNET_HEADER_LEN) return LinkAnomaly.Truncated;
      return walkVlanTags(buf, start + 12, end, out);
    case LinkType.LinuxSll:
      // Linux cooked v1: packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2)
      if (end - start < SLL_HEADER_LEN) return LinkAnomaly.Truncated;
      return walkVlanTags(buf, start + 14, end, out);
    case LinkType.LinuxSll2:
      // Linux cooked v2: protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8)
      if (end - start < SLL2_HEADER_LEN) return LinkAnomaly.Truncated;
      out.etherType = rd16(buf, start);
      out.start = start + SLL2_HEADER_LEN;
      if (isVlanTpid(out.etherType)) return walkVlanTagsAt(buf, out.start, end, out);
      return LinkAnomaly.Ok;
    case LinkType.Raw:
    case LinkType.Ipv4:
    case LinkType.Ipv6:
      return rawIp(linkType, buf, start, end, out);
    case LinkType.Null:
    case LinkType.Loop:
      return bsdLoopback(buf, start, end, out);
    default:
      return LinkAnomaly.UnsupportedLinkType;
  }
}

/** Reads the EtherType at typeOff (the 2 octets before the payload) and walks VLAN tags. */
function walkVlanTags(buf: Buffer, typeOff: number, end: number, out: LinkView): number {
  out.etherType = rd16(buf, typeOff);
  out.start = typeOff + 2;
  if (!isVlanTpid(out.etherType)) return LinkAnomaly.Ok;
  return walkVlanTagsAt(buf, out.start, end, out);
}

/**
 * out.etherType is a VLAN TPID and `off` the tag's TCI: walk IEEE 802.1Q tags,
 * each TCI(2) (PCP 3 bits, DEI 1, VID 12) + next EtherType(2).
 */
function walkVlanTagsAt(buf: Buffer, off: number, end: number, out: LinkView): number {
  while (isVlanTpid(out.etherType)) {
    if (out.vlanCount >= MAX_VLAN_TAGS) return LinkAnomaly.TooManyVlanTags;
    if (end - off < VLAN_TAG_LEN) return LinkAnomaly.Truncated;
    if (out.vlanCount === 0) out.vlanId = rd16(buf, off) & 0x0fff;
    out.vlanCount++;
    out.etherType = rd16(buf, off + 2);
    off += VLAN_TAG_LEN;
  }
  out.start = off;
  return LinkAnomaly.Ok;
}

/** LINKTYPE_RAW (101): IPv4 or IPv6 by the version nibble; LINKTYPE_IPV4 / IPV6 (228 / 229). */
function rawIp(linkType: number, buf: Buffer, start: number, end: number, out: LinkView): number {
  if (end - start < 1) return LinkAnomaly.Truncated;
  const version = buf[start] >> 4;
  if (version === 4 && linkType !== LinkType.Ipv6) out.etherType = EtherType.Ipv4;
  else if (version === 6 && linkType !== LinkType.Ipv4) out.etherType = EtherType.Ipv6;
  else return LinkAnomaly.BadIpVersion;
  return LinkAnomaly.Ok;
}

/**
 * LINKTYPE_NULL (host byte order) / LINKTYPE_LOOP (network byte order): a 4-octet address
 * family. Both byte orders are accepted for both (families are < 65536, so a value with high
 * bits set is the other byte order).
 */
function bsdLoopback(buf: Buffer, start: number, end: number, out: LinkView): number {
  if (end - start < NULL_HEADER_LEN) return LinkAnomaly.Truncated;
  let family = buf.readUInt32LE(start);
  if (family > 0xffff) family = rd32(buf, start);
  out.start = start + NULL_HEADER_LEN;
  if (family === AF_INET) out.etherType = EtherType.Ipv4;
  else if (AF_INET6_VALUES.indexOf(family) >= 0) out.etherType = EtherType.Ipv6;
  return LinkAnomaly.Ok;
}
