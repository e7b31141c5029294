// IPv4 header (RFC 791 §3.1) with fragmentation of the payload to a given MTU.
import { internetChecksum } from './checksum';

export const IPPROTO_SCTP = 132;

export interface Ipv4Options {
  src: Buffer; // 4 octets
  dst: Buffer; // 4 octets
  protocol: number;
  /** identification (16 bits) */
  id: number;
  ttl?: number;
  /** set DF on unfragmented datagrams (default true) */
  df?: boolean;
  /** link MTU; a datagram longer than this is split into fragments (RFC 791 §2.3) */
  mtu?: number;
  dscp?: number;
}

const IPV4_HDR = 20;
const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;

/** One datagram, or several fragments when 20 + payload exceeds opts.mtu. Fragments are in order. */
export function encodeIpv4(opts: Ipv4Options, payload: Buffer): Buffer[] {
  const mtu = opts.mtu ?? 65535;
  if (IPV4_HDR + payload.length <= mtu) {
    return [datagram(opts, payload, 0, payload.length, opts.df === false ? 0 : FLAG_DF)];
  }
  // fragment offsets are in units of 8 octets (RFC 791 §3.1 Fragment Offset)
  const per = Math.floor((mtu - IPV4_HDR) / 8) * 8;
  if (per <= 0) throw new Error(`MTU ${mtu} too small`);
  const out: Buffer[] = [];
  for (let off = 0; off < payload.length; off += per) {
    const end = Math.min(payload.length, off + per);
    const mf = end < payload.length ? FLAG_MF : 0;
    out.push(datagram(opts, payload, off, end, mf | (off >> 3)));
  }
  return out;
}

function datagram(opts: Ipv4Options, payload: Buffer, from: number, to: number, flagsFrag: number): Buffer {
  const n = to - from;
  const b = Buffer.allocUnsafe(IPV4_HDR + n);
  b[0] = 0x45; // version 4, IHL 5
  b[1] = ((opts.dscp ?? 0) & 0x3f) << 2;
  b.writeUInt16BE(IPV4_HDR + n, 2);
  b.writeUInt16BE(opts.id & 0xffff, 4);
  b.writeUInt16BE(flagsFrag, 6);
  b[8] = opts.ttl ?? 64;
  b[9] = opts.protocol;
  b.writeUInt16BE(0, 10);
  opts.src.copy(b, 12, 0, 4);
  opts.dst.copy(b, 16, 0, 4);
  b.writeUInt16BE(internetChecksum(b, 0, IPV4_HDR), 10);
  payload.copy(b, IPV4_HDR, from, to);
  return b;
}

/** "10.1.2.3" -> 4 octets */
export function ipv4Address(s: string): Buffer {
  const p = s.split('.').map((x) => Number(x));
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) throw new Error(`bad IPv4 address ${s}`);
  return Buffer.from(p);
}
