// Diameter peer connections between each operator's Diameter Edge Agent (side 0) and an IPX
// Diameter Routing Agent (side 1), over SCTP (PPID 46, port 3868 at both ends) or TCP (the DEA
// connects from an ephemeral port to 3868). A TCP connection opened inside the capture starts
// with the three-way handshake and the capabilities exchange (CER/CEA, RFC 6733 §5.3) before any
// other message; hop-by-hop identifiers are allocated per connection and sender (RFC 6733 §3).
import { Prng } from '../prng';
import { DIAMETER_SUCCESS, PeerIdentity, cea, cer, CMD_CAPABILITIES_EXCHANGE } from '../encode/diameter';
import { Flushable, IpEnv, Mark } from '../ip/env';
import { IpWire } from '../ip/wire';
import { TcpChannel } from '../ip/tcpChannel';
import { SctpChannel } from '../ip/sctpChannel';
import { DiameterNode, IpOperator, IpWorld, newPath } from '../ip/topology';
import { Transaction } from '../ip/transaction';
import { Budget } from '../ip/budget';
import { DiameterProfile } from './profile';

export const DIAMETER_PORT = 3868; // RFC 6733 §2.1
export const PPID_DIAMETER = 46; // IANA SCTP PPID for Diameter (RFC 6733 §2.1)
const VENDOR_IDS = [10415, 5535, 193, 2011, 94]; // 3GPP, and vendor ids of typical DEA / DRA products
const PRODUCTS = ['EdgeAgent', 'DiameterRouter', 'DSC', 'DRA', 'SignalingGW'];

export class DiameterLink {
  readonly hbh: [number, number];
  readonly ident: [PeerIdentity, PeerIdentity];
  readyAt = 0;
  /** dialogues that happened on it (CER, DWR, S6a) */
  used = 0;

  constructor(
    readonly id: number,
    readonly op: IpOperator,
    readonly dea: DiameterNode,
    readonly dra: DiameterNode,
    readonly tcp: TcpChannel | null,
    readonly sctp: SctpChannel | null,
    rng: Prng,
    v6: boolean,
  ) {
    this.hbh = [rng.u32(), rng.u32()];
    const ident = (n: DiameterNode, k: number): PeerIdentity => ({
      host: n.host, realm: n.realm, ip: v6 ? n.ep.ip6 : n.ep.ip4, vendorId: VENDOR_IDS[k % VENDOR_IDS.length], productName: PRODUCTS[k % PRODUCTS.length],
      firmware: rng.range(1, 999), originStateId: rng.u32(),
    });
    this.ident = [ident(dea, rng.int(5)), ident(dra, rng.int(5))];
  }

  get transport(): 'tcp' | 'sctp' {
    return this.tcp ? 'tcp' : 'sctp';
  }

  /** a TCP connection that is not up yet: using it costs a CER/CEA dialogue */
  get needsOpen(): boolean {
    return this.tcp !== null && !this.tcp.established;
  }

  nextHbh(side: 0 | 1): number {
    const v = this.hbh[side];
    this.hbh[side] = (v + 1) >>> 0;
    return v;
  }

  send(t: number, side: 0 | 1, msg: Buffer, mark: Mark | null): void {
    this.used++;
    if (this.tcp) this.tcp.send(t, side, msg, mark);
    else this.sctp!.send(t, side, msg, mark);
  }
}

export interface DiameterEnv {
  env: IpEnv;
  rng: Prng;
  p: DiameterProfile;
  ipw: IpWorld;
  budget: Budget;
  links: Map<IpOperator, DiameterLink[]>;
  /** every link, for picks that need a usable one */
  all: DiameterLink[];
}

/** one or two connections per operator to the IPX DRAs */
export function buildLinks(env: IpEnv, rng: Prng, wire: IpWire, ipw: IpWorld, p: DiameterProfile, flushList: Flushable[]): Map<IpOperator, DiameterLink[]> {
  const m = new Map<IpOperator, DiameterLink[]>();
  let id = 0;
  for (const o of ipw.ops) {
    const n = rng.chance(0.4) ? 2 : 1;
    const first = rng.int(ipw.dras.length);
    const list: DiameterLink[] = [];
    for (let k = 0; k < n; k++) {
      const dra = ipw.dras[(first + k) % ipw.dras.length];
      const path = newPath(ipw, rng, o.dea.ep, dra.ep, rng.range(p.mtu[0], p.mtu[1]));
      let tcp: TcpChannel | null = null;
      let sctp: SctpChannel | null = null;
      if (rng.chance(p.sctpShare)) {
        sctp = new SctpChannel(wire, rng, path, [DIAMETER_PORT, DIAMETER_PORT], [rng.u32() || 1, rng.u32() || 1], PPID_DIAMETER, rng.pick([1, 2, 4, 8]), {
          sackRate: p.sackRate, packetGapUs: [15, 80],
        }, flushList);
      } else {
        tcp = new TcpChannel(env, wire, rng, path, [rng.range(32768, 60999), DIAMETER_PORT], {
          splitRate: p.splitRate, segmentGapUs: [20, 150], ackDelayUs: [200, 40_000],
        }, rng.chance(p.preOpenedShare), flushList);
      }
      list.push(new DiameterLink(id++, o, o.dea, dra, tcp, sctp, rng, wire.v6));
    }
    m.set(o, list);
  }
  return m;
}

/**
 * The time from which `link` can carry S6a messages, at the earliest t. A TCP connection not up
 * yet is opened now: handshake, then CER from the DEA and CEA from the DRA (one dialogue, taken
 * from the budget by the caller's cost estimate).
 */
export function linkReady(dx: DiameterEnv, link: DiameterLink, t: number): number {
  if (link.readyAt > t) return link.readyAt;
  if (!link.needsOpen) return t;
  const rng = dx.rng;
  const tAck = link.tcp!.open(t);
  const tCer = tAck + rng.range(100, 3_000);
  const tCea = tCer + rng.range(300, 5_000);
  const hbh = link.nextHbh(0);
  const e2e = nextE2e(link.dea);
  const tx = new Transaction(dx.env, 'diameter', CMD_CAPABILITIES_EXCHANGE, 'CER', null).outcome('ok', DIAMETER_SUCCESS);
  dx.env.at(tCer, () => link.send(tCer, 0, cer(link.ident[0], hbh, e2e), tx.reqMark()));
  dx.env.at(tCea, () => link.send(tCea, 1, cea(link.ident[1], { kind: 'result', code: DIAMETER_SUCCESS }, hbh, e2e), tx.rspMark()));
  link.readyAt = tCea + rng.range(100, 2_000);
  return link.readyAt;
}

/** dialogues it costs to use these links now (the CER/CEA of each connection not up yet) */
export function openCost(links: readonly DiameterLink[]): number {
  let n = 0;
  for (let i = 0; i < links.length; i++) if (links[i].needsOpen && links.indexOf(links[i]) === i) n++;
  return n;
}

/** next end-to-end identifier of a request originated by `n` */
export function nextE2e(n: DiameterNode): number {
  const v = n.e2e;
  n.e2e = (v + 1) >>> 0;
  return v;
}

/** a new Session-Id of node n (RFC 6733 §8.8) */
export function sessionId(n: DiameterNode): string {
  n.sessionLow = (n.sessionLow + 1) >>> 0;
  return `${n.host};${n.sessionHigh};${n.sessionLow}`;
}
