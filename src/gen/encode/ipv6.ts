// IPv6 header (RFC 8200 §3) with optional extension headers (§4.3 Hop-by-Hop Options,
// §4.6 Destination Options, §4.5 Fragment) and fragmentation to a given MTU.

export const NH_HOP_BY_HOP = 0;
export const NH_FRAGMENT = 44;
export const NH_DEST_OPTIONS = 60;

export type Ipv6Ext = 'hbh' | 'dst' | 'frag';

export interface Ipv6Options {
  src: Buffer; // 16 octets
  dst: Buffer; // 16 octets
  nextHeader: number; // upper-layer protocol (132 = SCTP)
  hopLimit?: number;
  flowLabel?: number;
  trafficClass?: number;
  /** extension headers to include; emitted in the RFC 8200 §4.1 order: HBH, Fragment, Dest Options */
  ext?: readonly Ipv6Ext[];
  /** Fragment header identification (32 bits) */
  fragId?: number;
  /** link MTU; a longer packet is fragmented (adds a Fragment header) */
  mtu?: number;
}

const IPV6_HDR = 40;
const OPT_HDR = 8; // options header with one PadN option
const FRAG_HDR = 8;

/** Hop-by-Hop / Destination Options header of 8 octets: NH, Hdr Ext Len 0, PadN(4) (RFC 8200 §4.2) */
function optionsHeader(next: number): Buffer {
  return Buffer.from([next, 0, 0x01, 0x04, 0, 0, 0, 0]);
}

/** Fragment header (RFC 8200 §4.5): NH, reserved, offset(13) res(2) M(1), identification(32) */
function fragmentHeader(next: number, offset8: number, more: boolean, id: number): Buffer {
  const b = Buffer.alloc(FRAG_HDR);
  b[0] = next;
  b.writeUInt16BE(((offset8 & 0x1fff) << 3) | (more ? 1 : 0), 2);
  b.writeUInt32BE(id >>> 0, 4);
  return b;
}

function fixedHeader(opts: Ipv6Options, payloadLength: number, next: number): Buffer {
  const b = Buffer.allocUnsafe(IPV6_HDR);
  // version(4) traffic class(8) flow label(20)
  b.writeUInt32BE(((6 << 28) | (((opts.trafficClass ?? 0) & 0xff) << 20) | ((opts.flowLabel ?? 0) & 0xfffff)) >>> 0, 0);
  b.writeUInt16BE(payloadLength, 4);
  b[6] = next;
  b[7] = opts.hopLimit ?? 64;
  opts.src.copy(b, 8, 0, 16);
  opts.dst.copy(b, 24, 0, 16);
  return b;
}

/** One packet, or several fragments (in order) when the packet exceeds opts.mtu. */
export function encodeIpv6(opts: Ipv6Options, payload: Buffer): Buffer[] {
  const ext = opts.ext ?? [];
  const hbh = ext.includes('hbh');
  const dst = ext.includes('dst');
  // fragmentable part (§4.5): Destination Options (final) + upper-layer payload
  const fragmentable = dst ? Buffer.concat([optionsHeader(opts.nextHeader), payload]) : payload;
  const fragNext = dst ? NH_DEST_OPTIONS : opts.nextHeader;
  const unfragLen = hbh ? OPT_HDR : 0;
  const mtu = opts.mtu ?? 65535;
  const needFrag = IPV6_HDR + unfragLen + fragmentable.length > mtu;
  const withFrag = needFrag || ext.includes('frag');
  if (!withFrag) {
    const parts: Buffer[] = [];
    if (hbh) parts.push(optionsHeader(fragNext));
    parts.push(fragmentable);
    const body = Buffer.concat(parts);
    return [Buffer.concat([fixedHeader(opts, body.length, hbh ? NH_HOP_BY_HOP : fragNext), body])];
  }
  const id = opts.fragId ?? 0;
  const per = needFrag ? Math.floor((mtu - IPV6_HDR - unfragLen - FRAG_HDR) / 8) * 8 : fragmentable.length;
  if (per <= 0) throw new Error(`MTU ${mtu} too small`);
  const out: Buffer[] = [];
  for (let off = 0; off < fragmentable.length || off === 0; off += per) {
    const end = Math.min(fragmentable.length, off + per);
    const parts: Buffer[] = [];
    if (hbh) parts.push(optionsHeader(NH_FRAGMENT));
    parts.push(fragmentHeader(fragNext, off >> 3, end < fragmentable.length, id));
    parts.push(fragmentable.subarray(off, end));
    const body = Buffer.concat(parts);
    out.push(Buffer.concat([fixedHeader(opts, body.length, hbh ? NH_HOP_BY_HOP : NH_FRAGMENT), body]));
    if (end >= fragmentable.length) break;
  }
  return out;
}

/** "2001:db8::1" -> 16 octets (no IPv4-embedded form) */
export function ipv6Address(s: string): Buffer {
  const out = Buffer.alloc(16);
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':').filter((x) => x !== '') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  if (tail === undefined && h.length !== 8) throw new Error(`bad IPv6 address ${s}`);
  h.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  t.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), (8 - t.length + i) * 2));
  return out;
}
