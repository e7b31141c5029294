// GTP-C paths between a visited-network node (SGSN / SGW / MME, side 0) and its peer (GGSN /
// PGW / SGW, side 1) over UDP: requests go from the sender's request port to 2123, responses
// back from 2123 to that port (TS 29.060 §4.4.2.1, TS 29.274 §4.2). Sequence numbers are drawn
// per path from one counter for both directions, so that requests in flight on a path never
// share one (each node's own counter would rarely collide; here they never do).
import { Prng } from '../prng';
import { encodeUdp, IPPROTO_UDP } from '../encode/udp';
import { GTPU_PORT } from '../encode/gtpu';
import { macFromNumber } from '../encode/ethernet';
import { Mark } from '../ip/env';
import { IpWire, IpPath } from '../ip/wire';
import { GtpNode, IpWorld, newPath } from '../ip/topology';

export const GTPC_PORT = 2123;
const IPX_MAC = macFromNumber(0x0e0000ff);

export interface GtpPath {
  path: IpPath;
  /** side 0, side 1 */
  nodes: [GtpNode, GtpNode];
  seq: number;
}

export class GtpNet {
  private readonly paths = new Map<string, GtpPath>();
  /** every path created, for picks (Echo) */
  readonly list: GtpPath[] = [];

  constructor(
    private readonly rng: Prng,
    private readonly wire: IpWire,
    private readonly ipw: IpWorld,
    private readonly mtu: number,
  ) {}

  path(a: GtpNode, b: GtpNode): GtpPath {
    const key = `${a.id}-${b.id}`;
    let p = this.paths.get(key);
    if (!p) {
      // two nodes of one network (S11): the far end is seen behind the IPX router
      const bEp = a.op === b.op ? { ...b.ep, mac: IPX_MAC } : b.ep;
      p = { path: newPath(this.ipw, this.rng, a.ep, bEp, this.mtu), nodes: [a, b], seq: this.rng.int(0x10000) };
      this.paths.set(key, p);
      this.list.push(p);
    }
    return p;
  }

  /** next sequence number on the path (16 bits for GTPv1, 24 for GTPv2) */
  nextSeq(p: GtpPath, bits: 16 | 24): number {
    const v = p.seq;
    p.seq = (v + 1) % (bits === 16 ? 0x10000 : 0x1000000);
    return v & (bits === 16 ? 0xffff : 0xffffff);
  }

  /** a GTP-U packet (TS 29.281 §4.4.2.3: port 2152 at both ends) from side `from` */
  sendUser(p: GtpPath, from: 0 | 1, t: number, msg: Buffer): void {
    const to = 1 - from;
    const udp = encodeUdp(GTPU_PORT, GTPU_PORT, msg, this.wire.addr(p.path, from), this.wire.addr(p.path, to));
    this.wire.send(p.path, from, t, IPPROTO_UDP, udp, null);
  }

  /** a request from side `from`, or the response to a request side `1 - from` sent */
  send(p: GtpPath, from: 0 | 1, t: number, msg: Buffer, isRequest: boolean, mark: Mark | null): void {
    const to = 1 - from;
    const sport = isRequest ? p.nodes[from].requestPort : GTPC_PORT;
    const dport = isRequest ? GTPC_PORT : p.nodes[to].requestPort;
    const udp = encodeUdp(sport, dport, msg, this.wire.addr(p.path, from), this.wire.addr(p.path, to));
    this.wire.send(p.path, from, t, IPPROTO_UDP, udp, mark ? [mark] : null);
  }
}
