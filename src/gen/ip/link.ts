// Link-layer framing of an IP packet for the capture's link kind (Ethernet with 0, 1 or 2 VLAN
// tags, Linux cooked SLL / SLL2), shared by the SIGTRAN transport and the IP protocols.
import { encodeEthernet, ETHERTYPE_IPV4, ETHERTYPE_IPV6, TPID_8021AD, TPID_8021Q } from '../encode/ethernet';
import { encodeSll, encodeSll2, SLL_HOST, SLL_OUTGOING } from '../encode/sll';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 } from '../../capture/pcapWriter';

export type LinkKind = 'ethernet' | 'vlan' | 'qinq' | 'sll' | 'sll2' | 'ipv6';

export function linkTypeOf(link: LinkKind): number {
  return link === 'sll' ? LINKTYPE_LINUX_SLL : link === 'sll2' ? LINKTYPE_LINUX_SLL2 : LINKTYPE_ETHERNET;
}

export interface L2Fields {
  src: Buffer;
  dst: Buffer;
  /** inner (C-) VLAN id for 'vlan' / 'qinq' */
  cvid: number;
  /** outer (S-) VLAN id for 'qinq' */
  svid: number;
  /** SLL: the capturing host sent the packet (else it received it) */
  outgoing: boolean;
  /** SLL2 interface index */
  ifIndex: number;
}

/** the link header for `link` around an IP packet (IPv6 for the 'ipv6' link kind, else IPv4) */
export function linkFrame(link: LinkKind, l2: L2Fields, ip: Buffer): Buffer {
  switch (link) {
    case 'ethernet':
      return encodeEthernet(l2.dst, l2.src, ETHERTYPE_IPV4, ip);
    case 'ipv6':
      return encodeEthernet(l2.dst, l2.src, ETHERTYPE_IPV6, ip);
    case 'vlan':
      return encodeEthernet(l2.dst, l2.src, ETHERTYPE_IPV4, ip, [{ tpid: TPID_8021Q, vid: l2.cvid }]);
    case 'qinq':
      return encodeEthernet(l2.dst, l2.src, ETHERTYPE_IPV4, ip, [
        { tpid: TPID_8021AD, vid: l2.svid },
        { tpid: TPID_8021Q, vid: l2.cvid },
      ]);
    case 'sll':
      return encodeSll(l2.outgoing ? SLL_OUTGOING : SLL_HOST, l2.src, ETHERTYPE_IPV4, ip);
    case 'sll2':
      return encodeSll2(l2.outgoing ? SLL_OUTGOING : SLL_HOST, l2.ifIndex, l2.src, ETHERTYPE_IPV4, ip);
  }
}
