/**
 * Numeric keys for flows identified by an IP address pair (the IP reassembly table and the
 * SCTP association table): a 32-bit hash to index a Map<number, entry>, plus by-value storage
 * and comparison of the address pair to resolve hash collisions. No strings, no allocation per
 * lookup.
 */
import { rd32 } from './bytes';
import { IpView } from './types';

/** An address pair stored by value: `a` then `b` (source, destination unless reversed). */
export class AddrPair {
  version = 0;
  a4 = 0;
  b4 = 0;
  /** IPv6: a (16 octets) then b (16 octets); allocated on first IPv6 use. */
  a6: Buffer | null = null;
}

/** One round of a 32-bit multiplicative hash (Murmur3-style finaliser). */
export function mix32(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}

/** Hash of (src, dst) of `ip`, or (dst, src) when `reversed`; `seed` mixes in the rest of the key. */
export function hashAddrPair(ip: IpView, reversed: boolean, seed: number): number {
  let h = mix32(seed, ip.version);
  if (ip.version === 4) {
    h = mix32(h, reversed ? ip.dst4 : ip.src4);
    return mix32(h, reversed ? ip.src4 : ip.dst4);
  }
  const buf = ip.addrBuf;
  const a = reversed ? ip.dstOff : ip.srcOff;
  const b = reversed ? ip.srcOff : ip.dstOff;
  for (let i = 0; i < 16; i += 4) h = mix32(h, rd32(buf, a + i));
  for (let i = 0; i < 16; i += 4) h = mix32(h, rd32(buf, b + i));
  return h;
}

/** true when `p` holds the address pair of `ip` (in the order given by `reversed`). */
export function addrPairEquals(p: AddrPair, ip: IpView, reversed: boolean): boolean {
  if (p.version !== ip.version) return false;
  if (ip.version === 4) {
    return reversed ? p.a4 === ip.dst4 && p.b4 === ip.src4 : p.a4 === ip.src4 && p.b4 === ip.dst4;
  }
  const a6 = p.a6;
  if (a6 === null) return false;
  const a = reversed ? ip.dstOff : ip.srcOff;
  const b = reversed ? ip.srcOff : ip.dstOff;
  return a6.compare(ip.addrBuf, a, a + 16, 0, 16) === 0 && a6.compare(ip.addrBuf, b, b + 16, 16, 32) === 0;
}

/** Copies the address pair of `ip` into `p`. */
export function storeAddrPair(p: AddrPair, ip: IpView, reversed: boolean): void {
  p.version = ip.version;
  if (ip.version === 4) {
    p.a4 = reversed ? ip.dst4 : ip.src4;
    p.b4 = reversed ? ip.src4 : ip.dst4;
    return;
  }
  if (p.a6 === null) p.a6 = Buffer.alloc(32);
  const a = reversed ? ip.dstOff : ip.srcOff;
  const b = reversed ? ip.srcOff : ip.dstOff;
  ip.addrBuf.copy(p.a6, 0, a, a + 16);
  ip.addrBuf.copy(p.a6, 16, b, b + 16);
}
