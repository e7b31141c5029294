// IP encapsulation of transport-layer segments between two endpoints (IPv4 or IPv6 by link kind,
// fragmentation to the path MTU), link framing, and hand-over to the capture heap.
import { encodeIpv4 } from '../encode/ipv4';
import { encodeIpv6 } from '../encode/ipv6';
import { IpEnv, Mark } from './env';
import { LinkKind, linkFrame } from './link';

export interface IpEndpoint {
  ip4: Buffer;
  ip6: Buffer;
  /** MAC of the border router in front of this endpoint (the capture is on the IPX link) */
  mac: Buffer;
}

/** an IP path between two endpoints: side 0 = the operator side, side 1 = the far side */
export interface IpPath {
  id: number;
  ends: [IpEndpoint, IpEndpoint];
  /** next IPv4 identification / IPv6 fragment id per side */
  ipId: [number, number];
  mtu: number;
  cvid: number;
  svid: number;
  ifIndex: number;
}

export class IpWire {
  /** IP datagrams written, and how many of them are fragments */
  readonly counters = { datagrams: 0, ipFragments: 0 };

  constructor(
    private readonly env: IpEnv,
    readonly link: LinkKind,
  ) {}

  get v6(): boolean {
    return this.link === 'ipv6';
  }

  /** address of side `dir` as the transport checksum sees it */
  addr(p: IpPath, dir: number): Buffer {
    return this.v6 ? p.ends[dir].ip6 : p.ends[dir].ip4;
  }

  /** send one transport segment from side `dir` at time t; `marks` go with the last fragment */
  send(p: IpPath, dir: number, t: number, protocol: number, l4: Buffer, marks: Mark[] | null): void {
    const peer = 1 - dir;
    const id = p.ipId[dir];
    p.ipId[dir] = (id + 1) & 0xffff;
    const ips = this.v6
      ? encodeIpv6({ src: p.ends[dir].ip6, dst: p.ends[peer].ip6, nextHeader: protocol, fragId: (p.id << 16) | id, mtu: p.mtu, flowLabel: p.id & 0xfffff }, l4)
      : encodeIpv4({ src: p.ends[dir].ip4, dst: p.ends[peer].ip4, protocol, id, mtu: p.mtu }, l4);
    this.counters.datagrams++;
    if (ips.length > 1) this.counters.ipFragments += ips.length;
    const l2 = { src: p.ends[dir].mac, dst: p.ends[peer].mac, cvid: p.cvid, svid: p.svid, outgoing: dir === 1, ifIndex: p.ifIndex };
    for (let i = 0; i < ips.length; i++) this.env.emit(t, linkFrame(this.link, l2, ips[i]), i === ips.length - 1 ? marks : null);
  }
}
