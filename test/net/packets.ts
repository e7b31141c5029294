/**
 * Test helpers for the net layer tests: hex vectors, packet builders (Ethernet / IPv4 / IPv6 /
 * SCTP, following RFC 791, RFC 8200, RFC 9260 layouts) and a seeded PRNG for fuzzing.
 */
import { hex } from '../helpers/hex';
import { mutate, Prng as BasePrng } from '../helpers/mutationFuzz';
import { readPcapRecords, PcapRecord } from '../helpers/pcapRecords';

export { hex };

export const CAPTURES = '/work/shared/captures/public';

export function capture(rel: string): PcapRecord[] {
  return readPcapRecords(`${CAPTURES}/${rel}`);
}

export function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v & 0xffff);
  return b;
}

export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

const MACS = hex('00e018b10cad', '00600845e455');

/** Ethernet II frame; `tags` are [tpid, vid] pairs, outermost first. */
export function ethernet(etherType: number, payload: Buffer, tags: Array<[number, number]> = []): Buffer {
  const parts: Buffer[] = [MACS];
  for (const [tpid, vid] of tags) parts.push(u16(tpid), u16(vid));
  parts.push(u16(etherType), payload);
  return Buffer.concat(parts);
}

export interface V4Opts {
  src?: string;
  dst?: string;
  proto?: number;
  id?: number;
  mf?: boolean;
  /** fragment offset in octets (multiple of 8) */
  offset?: number;
  ttl?: number;
  /** options (length multiple of 4) */
  options?: Buffer;
  /** override Total Length */
  totalLength?: number;
}

function ip4(a: string): Buffer {
  return Buffer.from(a.split('.').map((x) => Number(x)));
}

/** IPv4 header (RFC 791 §3.1) + payload, with a correct header checksum. */
export function ipv4(payload: Buffer, o: V4Opts = {}): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const ihl = 20 + opts.length;
  const h = Buffer.alloc(ihl);
  h[0] = 0x40 | (ihl / 4);
  h.writeUInt16BE(o.totalLength ?? ihl + payload.length, 2);
  h.writeUInt16BE(o.id ?? 0x1234, 4);
  h.writeUInt16BE((o.mf ? 0x2000 : 0) | ((o.offset ?? 0) / 8), 6);
  h[8] = o.ttl ?? 64;
  h[9] = o.proto ?? 132;
  ip4(o.src ?? '10.0.0.1').copy(h, 12);
  ip4(o.dst ?? '10.0.0.2').copy(h, 16);
  opts.copy(h, 20);
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) sum += h.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  h.writeUInt16BE(~sum & 0xffff, 10);
  return Buffer.concat([h, payload]);
}

export const V6_SRC = hex('20010db8000000000000000000000001');
export const V6_DST = hex('20010db8000000000000000000000002');

/** IPv6 fixed header (RFC 8200 §3) + rest (extension headers and payload). */
export function ipv6(nextHeader: number, rest: Buffer, payloadLength?: number, src = V6_SRC, dst = V6_DST): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(payloadLength ?? rest.length, 4);
  h[6] = nextHeader;
  h[7] = 64;
  src.copy(h, 8);
  dst.copy(h, 24);
  return Buffer.concat([h, rest]);
}

/** Generic option-format extension header (HBH 0, Routing 43, DstOpts 60): 8 * (len8) octets. */
export function extHeader(nextHeader: number, len8 = 1): Buffer {
  const b = Buffer.alloc(len8 * 8);
  b[0] = nextHeader;
  b[1] = len8 - 1;
  b[2] = 1; // PadN option
  b[3] = len8 * 8 - 4;
  return b;
}

/** IPv6 Fragment header (RFC 8200 §4.5). */
export function fragHeader(nextHeader: number, offset: number, m: boolean, id: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = nextHeader;
  b.writeUInt16BE(offset | (m ? 1 : 0), 2);
  b.writeUInt32BE(id >>> 0, 4);
  return b;
}

/** A chunk (RFC 9260 §3.2) with its padding. */
export function chunk(type: number, flags: number, value: Buffer): Buffer {
  const len = 4 + value.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b[0] = type;
  b[1] = flags;
  b.writeUInt16BE(len, 2);
  value.copy(b, 4);
  return b;
}

export interface DataOpts {
  tsn: number;
  sid?: number;
  ssn?: number;
  ppid?: number;
  /** U B E flags (default B|E = 3) */
  flags?: number;
}

/** DATA chunk (RFC 9260 §3.3.1). */
export function dataChunk(payload: Buffer, o: DataOpts): Buffer {
  return chunk(0, o.flags ?? 3, Buffer.concat([u32(o.tsn), u16(o.sid ?? 0), u16(o.ssn ?? 0), u32(o.ppid ?? 0), payload]));
}

/** I-DATA chunk (RFC 8260 §2.1): the 4th word is the PPID when B is set, else the FSN. */
export function idataChunk(payload: Buffer, o: { tsn: number; sid?: number; mid: number; ppidOrFsn: number; flags: number }): Buffer {
  return chunk(64, o.flags, Buffer.concat([u32(o.tsn), u16(o.sid ?? 0), u16(0), u32(o.mid), u32(o.ppidOrFsn), payload]));
}

/** INIT (1) / INIT ACK (2) chunk (RFC 9260 §3.3.2): no parameters. */
export function initChunk(type: 1 | 2, initiateTag: number, initialTsn: number): Buffer {
  return chunk(type, 0, Buffer.concat([u32(initiateTag), u32(65535), u16(10), u16(10), u32(initialTsn)]));
}

/** SCTP packet (RFC 9260 §3.1), checksum 0 (not verified). */
export function sctp(srcPort: number, dstPort: number, vtag: number, chunks: Buffer[]): Buffer {
  return Buffer.concat([u16(srcPort), u16(dstPort), u32(vtag), u32(0), ...chunks]);
}

/** Ethernet + IPv4 + SCTP frame. */
export function sctpFrame(sctpPacket: Buffer, v4: V4Opts = {}): Buffer {
  return ethernet(0x0800, ipv4(sctpPacket, v4));
}

/** The shared seeded PRNG (test/helpers/mutationFuzz) with the mutation helper as a method. */
export class Prng extends BasePrng {
  /** A mutated copy of `base` (byte changes, insertions, deletions, truncation). */
  mutate(base: Buffer): Buffer {
    return mutate(this, base);
  }
}
