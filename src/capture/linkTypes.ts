/**
 * Link-layer header types (LINKTYPE_* values of https://www.tcpdump.org/linktypes.html, as
 * stored in pcap file headers and pcapng IDBs).
 */
export const enum LinkType {
  /** BSD loopback: 4-byte address family in the capturing host's byte order. */
  Null = 0,
  Ethernet = 1,
  /** Raw IP (v4 or v6, from the version nibble). DLT_RAW is 12 or 14 in libpcap, 101 in files. */
  Raw = 101,
  /** OpenBSD loopback: 4-byte address family, big-endian. */
  Loop = 108,
  /** 802.11 with radiotap header (what node_pcap calls LINKTYPE_IEEE802_11_RADIO). Not decoded. */
  Ieee80211Radiotap = 127,
  /** Linux cooked capture v1 (16-byte header). */
  LinuxSll = 113,
  Ipv4 = 228,
  Ipv6 = 229,
  /** Linux cooked capture v2 (20-byte header). */
  LinuxSll2 = 276,
}

/** The link types the link layer (src/net) decodes. */
export const SUPPORTED_LINK_TYPES: readonly number[] = [
  LinkType.Ethernet, LinkType.Raw, LinkType.LinuxSll, LinkType.LinuxSll2, LinkType.Ipv4, LinkType.Ipv6,
  LinkType.Null, LinkType.Loop,
];

export function isSupportedLinkType(n: number): boolean {
  return (
    n === LinkType.Ethernet || n === LinkType.LinuxSll || n === LinkType.Raw ||
    n === LinkType.LinuxSll2 || n === LinkType.Ipv4 || n === LinkType.Ipv6 ||
    n === LinkType.Null || n === LinkType.Loop
  );
}

const NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [LinkType.Null, 'NULL'],
  [LinkType.Ethernet, 'ETHERNET'],
  [LinkType.Raw, 'RAW'],
  [LinkType.Loop, 'LOOP'],
  [LinkType.Ieee80211Radiotap, 'IEEE802_11_RADIOTAP'],
  [LinkType.LinuxSll, 'LINUX_SLL'],
  [LinkType.Ipv4, 'IPV4'],
  [LinkType.Ipv6, 'IPV6'],
  [LinkType.LinuxSll2, 'LINUX_SLL2'],
]);

/** "ETHERNET", "LINUX_SLL"... or the number for a type without a name here. */
export function linkTypeName(n: number): string {
  return NAMES.get(n) ?? String(n);
}

/** "ETHERNET(1), RAW(101), ..." for error messages. */
export function supportedLinkTypesText(): string {
  return SUPPORTED_LINK_TYPES.map((n) => `${linkTypeName(n)}(${n})`).join(', ');
}
