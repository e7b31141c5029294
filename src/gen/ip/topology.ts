// The IP side of the simulated roaming world, built on the operators of the SIGTRAN world (same
// countries, MCC/MNC, E.164 ranges): per operator its Diameter nodes (MMEs, HSSs, a Diameter Edge
// Agent) and GTP-C nodes (SGSN, GGSN, SGW, PGW, MME); the IPX Diameter Routing Agents; IoT fleets
// of permanent roamers. Addresses: documentation / benchmarking ranges (RFC 5737, RFC 2544, RFC 3849).
import { Prng } from '../prng';
import { ipv4Address } from '../encode/ipv4';
import { ipv6Address } from '../encode/ipv6';
import { macFromNumber } from '../encode/ethernet';
import { Operator, World, newImsi, newMsisdn } from '../map/topology';
import { IpEndpoint, IpPath } from './wire';

export interface DiameterNode {
  kind: 'mme' | 'hss' | 'dea' | 'dra';
  host: string;
  realm: string;
  /** next end-to-end identifier of requests this node originates (RFC 6733 §3) */
  e2e: number;
  /** Session-Id counter (RFC 6733 §8.8: <host>;<high 32 bits>;<low 32 bits>) */
  sessionHigh: number;
  sessionLow: number;
  ep: IpEndpoint;
}

export interface GtpNode {
  id: number;
  kind: 'sgsn' | 'ggsn' | 'sgw' | 'pgw' | 'mme';
  op: Operator;
  ep: IpEndpoint;
  /** Recovery: restart counter (TS 29.060 §7.7.11, TS 29.274 §8.5) */
  restart: number;
  /** UDP source port of the requests it sends (2123, or an ephemeral port for some nodes) */
  requestPort: number;
  /** next sequence number of the requests it sends */
  seq: number;
  /** next TEID it allocates */
  teid: number;
}

export interface IpOperator {
  op: Operator;
  /** EPC realm epc.mncXXX.mccYYY.3gppnetwork.org (TS 23.003 §19.2) */
  realm: string;
  mmes: DiameterNode[];
  hsss: DiameterNode[];
  dea: DiameterNode;
  sgsns: GtpNode[];
  ggsns: GtpNode[];
  sgws: GtpNode[];
  pgws: GtpNode[];
  gtpMmes: GtpNode[];
  /** MAC of the operator's border router towards the IPX */
  mac: Buffer;
  /** UE address pool (first two octets) of its GGSN / PGW */
  uePool: [number, number];
}

export interface IotDevice {
  imsi: string;
  msisdn: string;
  imei: string;
}

/** machines of one home operator roaming permanently in one visited network (same cell all day) */
export interface IotFleet {
  home: IpOperator;
  visited: IpOperator;
  apn: string;
  devices: IotDevice[];
  /** GTPv1 (2G/3G modules) or GTPv2 (LTE-M / NB-IoT) */
  v2: boolean;
  lac: number;
  ci: number;
}

export interface IpWorld {
  nextPathId: number;
  ops: IpOperator[];
  byOp: Map<Operator, IpOperator>;
  dras: DiameterNode[];
  fleets: IotFleet[];
}

export const IPX_REALM = 'ipx.example.net';

function mncRealm(op: Operator): string {
  return `epc.mnc${op.mnc.padStart(3, '0')}.mcc${op.mcc}.3gppnetwork.org`;
}

const APN_IOT = ['iot.m2m', 'm2m.telemetry', 'scada.iot', 'fleet.track'];

export function buildIpWorld(rng: Prng, world: World): IpWorld {
  let nodeId = 0;
  const endpoint = (ip4: string, ip6: string, mac: Buffer): IpEndpoint => ({ ip4: ipv4Address(ip4), ip6: ipv6Address(ip6), mac });
  const dnode = (kind: DiameterNode['kind'], host: string, realm: string, ep: IpEndpoint): DiameterNode => ({
    kind, host, realm, e2e: ((rng.int(4096) << 20) | rng.int(1 << 20)) >>> 0, sessionHigh: rng.u32(), sessionLow: rng.u32(), ep,
  });
  const ipxMac = macFromNumber(0x0e000000);
  const dras: DiameterNode[] = [];
  for (let i = 0; i < 2; i++) dras.push(dnode('dra', `dra${i + 1}.${IPX_REALM}`, IPX_REALM, endpoint(`192.0.2.${21 + i}`, `2001:db8:2::${(21 + i).toString(16)}`, ipxMac)));
  const ops: IpOperator[] = [];
  const byOp = new Map<Operator, IpOperator>();
  for (const op of world.operators) {
    const realm = mncRealm(op);
    const i = op.index;
    const mac = macFromNumber(0x0d000000 + i);
    // plane 0: the Diameter Edge Agent; plane 1: visited-side GTP nodes (SGSN, SGW, MME); plane 2: GGSN, PGW
    const ep = (host: number, plane: number): IpEndpoint =>
      plane === 0
        ? endpoint(`203.0.113.${i + 1}`, `2001:db8:${(0x200 + i).toString(16)}::1`, mac)
        : endpoint(`${plane === 1 ? '198.18' : '198.19'}.${i}.${host}`, `2001:db8:${(0x300 + plane * 0x100 + i).toString(16)}::${host.toString(16)}`, mac);
    const gtp = (kind: GtpNode['kind'], n: number, plane: number): GtpNode => ({
      id: nodeId++, kind, op, ep: ep(10 + n + (kind === 'sgw' || kind === 'pgw' ? 40 : kind === 'mme' ? 80 : 0), plane),
      restart: rng.range(1, 255), requestPort: rng.chance(0.85) ? 2123 : rng.range(32768, 60999), seq: rng.int(0x10000), teid: rng.u32() & 0x7fffffff || 1,
    });
    const o: IpOperator = {
      op,
      realm,
      mmes: [],
      hsss: [],
      dea: dnode('dea', `dea1.${realm}`, realm, ep(1, 0)),
      sgsns: [],
      ggsns: [],
      sgws: [],
      pgws: [],
      gtpMmes: [],
      mac,
      uePool: [10 + (i % 100), rng.range(0, 255)],
    };
    const nm = rng.range(2, 4);
    for (let k = 0; k < nm; k++) o.mmes.push(dnode('mme', `mme${k + 1}.${realm}`, realm, o.dea.ep));
    const nh = rng.range(1, 2);
    for (let k = 0; k < nh; k++) o.hsss.push(dnode('hss', `hss${k + 1}.${realm}`, realm, o.dea.ep));
    for (let k = rng.range(1, 3); k > 0; k--) o.sgsns.push(gtp('sgsn', o.sgsns.length, 1));
    for (let k = rng.range(1, 2); k > 0; k--) o.ggsns.push(gtp('ggsn', o.ggsns.length, 2));
    for (let k = rng.range(1, 3); k > 0; k--) o.sgws.push(gtp('sgw', o.sgws.length, 1));
    for (let k = rng.range(1, 2); k > 0; k--) o.pgws.push(gtp('pgw', o.pgws.length, 2));
    o.gtpMmes.push(gtp('mme', 0, 1));
    ops.push(o);
    byOp.set(op, o);
  }
  // IoT fleets: machines of European M2M providers roaming permanently in the Americas, and a few
  // the other way round (TNSM'24: IoT roamers concentrate on few home/visited pairs)
  const fleets: IotFleet[] = [];
  const europe = ops.filter((o) => ['GB', 'DE', 'ES', 'NL'].includes(o.op.iso));
  const americas = ops.filter((o) => !['GB', 'DE', 'ES', 'NL'].includes(o.op.iso));
  const nFleets = Math.min(6, ops.length);
  for (let f = 0; f < nFleets; f++) {
    const fromEurope = f < 4 && europe.length > 0 && americas.length > 0;
    const home = fromEurope ? rng.pick(europe) : rng.pick(ops);
    const pool = fromEurope ? americas : ops.filter((o) => o !== home);
    const visited = rng.pick(pool.length > 0 ? pool : ops);
    const devices: IotDevice[] = [];
    const n = rng.range(40, 120);
    for (let d = 0; d < n; d++) devices.push({ imsi: newImsi(rng, home.op), msisdn: newMsisdn(rng, home.op), imei: '35' + rng.digits(12) });
    fleets.push({ home, visited, apn: rng.pick(APN_IOT), devices, v2: rng.chance(0.5), lac: rng.range(1, 0xfffe), ci: rng.range(1, 0xfffe) });
  }
  return { nextPathId: 1, ops, byOp, dras, fleets };
}

/** a path between an operator-side endpoint (side 0) and a far endpoint (side 1) */
export function newPath(w: IpWorld, rng: Prng, a: IpEndpoint, b: IpEndpoint, mtu: number): IpPath {
  const id = w.nextPathId++;
  return { id, ends: [a, b], ipId: [rng.int(65536), rng.int(65536)], mtu, cvid: 300 + (id % 3000), svid: 100 + (id % 3) * 10, ifIndex: 2 + (id % 3) };
}
