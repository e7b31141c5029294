// User-plane traffic of a tunnel: G-PDUs (TS 29.281 §6.1) on the data TEIDs learnt in the Create
// exchange (GTPv1 TEID Data I, TS 29.060 §7.7.14; GTPv2 S5/S8-U F-TEIDs in the Bearer Context,
// TS 29.274 §8.22), both directions, over the same IP path as the control plane (the GSN / SGW /
// PGW user-plane address is the one in the Create). Uplink = SGSN / SGW → GGSN / PGW, sent to the
// GGSN / PGW data TEID. The T-PDU is an IPv4 / UDP packet of the UE (its length is what the
// counters add up). Planned at once (so the tunnel's truth knows its totals), sent packet after
// packet by chained events (memory: the open tunnels' plans only).
import { encodeGpdu } from '../encode/gtpu';
import { encodeIpv4 } from '../encode/ipv4';
import { encodeUdp, IPPROTO_UDP } from '../encode/udp';
import type { GtpEnv } from './lifecycle';
import type { GtpPath } from './net';
import type { UserCounters } from './tunnels';

export interface UserPlaneSpec {
  /** how many T-PDUs (fewer when the tunnel is too short) */
  packets: number;
  /** smartphone (web / video: large downlink) or IoT module (small telemetry uplink) */
  kind: 'phone' | 'iot';
  /** the sender's GTP-U header carries a sequence number (S flag, TS 29.281 §5.1) */
  seqNumbers: boolean;
}

const INNER_MIN = 40; // IPv4 + UDP header + a few octets
/** largest T-PDU: the outer IPv4 / UDP / GTP-U headers (20 + 8 + 12) still fit a 1500-octet MTU */
export const INNER_MAX = 1400;
const FILLER = Buffer.alloc(INNER_MAX);
for (let i = 0; i < FILLER.length; i++) FILLER[i] = (i * 131 + 17) & 0xff;
const SERVER_BASE = 0xcb007100; // 203.0.113.0/24 (RFC 5737): the servers the UEs talk to

/** plan the T-PDUs in (fromUs, toUs) and start sending them; returns the totals */
export function planUserPlane(
  gx: GtpEnv, gp: GtpPath, upTeid: number, downTeid: number, ueIp: number, fromUs: number, toUs: number, spec: UserPlaneSpec,
): UserCounters {
  const c: UserCounters = { packetsUp: 0, packetsDown: 0, bytesUp: 0, bytesDown: 0 };
  const rng = gx.rng;
  const n = toUs - fromUs < 10_000 ? 0 : spec.packets;
  if (n === 0) return c;
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = fromUs + 1 + rng.int(Math.max(1, toUs - fromUs - 1));
  times.sort();
  const meta = new Int32Array(n); // size | up << 16
  const upShare = spec.kind === 'iot' ? 0.7 : 0.4;
  for (let i = 0; i < n; i++) {
    const up = rng.chance(upShare);
    let size: number;
    if (spec.kind === 'iot') size = rng.range(60, 300);
    else if (up) size = rng.chance(0.5) ? rng.range(INNER_MIN, 120) : rng.range(200, INNER_MAX);
    else size = rng.chance(0.7) ? rng.range(1000, INNER_MAX) : rng.range(INNER_MIN, 600);
    meta[i] = size | (up ? 1 << 16 : 0);
    if (up) {
      c.packetsUp++;
      c.bytesUp += size;
    } else {
      c.packetsDown++;
      c.bytesDown += size;
    }
  }
  const server = (SERVER_BASE | rng.range(1, 254)) >>> 0;
  // an ephemeral port of the UE, from a stretch no dissector registers (Wireshark would parse the filler as e.g. HCrt on 47000)
  const uePort = rng.range(35000, 36999);
  // ports whose payload no dissector parses as a protocol message (the filler is not DNS / CoAP)
  const srvPort = rng.pick([443, 443, 443, 80, 1883]);
  const seq = spec.seqNumbers ? [rng.int(0x10000), rng.int(0x10000)] : null;
  let ipId = rng.int(0x10000);
  const send = (i: number): void => {
    const t = times[i];
    const size = meta[i] & 0xffff;
    const up = meta[i] >> 16 === 1;
    const ue = ip4(ueIp);
    const srv = ip4(server);
    const [src, dst] = up ? [ue, srv] : [srv, ue];
    const udp = encodeUdp(up ? uePort : srvPort, up ? srvPort : uePort, FILLER.subarray(0, size - 28), src, dst);
    const tpdu = encodeIpv4({ src, dst, protocol: IPPROTO_UDP, id: ipId, df: true }, udp)[0];
    ipId = (ipId + 1) & 0xffff;
    let s: number | undefined;
    if (seq) {
      const k = up ? 0 : 1;
      s = seq[k];
      seq[k] = (s + 1) & 0xffff;
    }
    gx.net.sendUser(gp, up ? 0 : 1, t, encodeGpdu(up ? upTeid : downTeid, tpdu, s));
    if (i + 1 < n) gx.env.at(times[i + 1], () => send(i + 1));
  };
  gx.env.at(times[0], () => send(0));
  return c;
}

function ip4(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}
