/**
 * IP addresses as text for records (built only when a record is made, never per packet):
 * IPv4 dotted quad, IPv6 in the RFC 5952 canonical form (lower case, leading zeros dropped,
 * the longest run of two or more zero groups — the first one on a tie — shortened to "::").
 */
import type { AddrPair } from './addrKey';

/** "192.0.2.1" from an unsigned 32-bit IPv4 address. */
export function ipv4Text(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** RFC 5952 §4 text of the 16-octet IPv6 address at buf[off..off+16). */
export function ipv6Text(buf: Buffer, off: number): string {
  const g: number[] = new Array(8);
  for (let i = 0; i < 8; i++) g[i] = (buf[off + 2 * i] << 8) | buf[off + 2 * i + 1];
  // §4.2.1-4.2.3: longest run (≥ 2 groups) of zeros, the first one when runs are equal.
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number, b: number): string => g.slice(a, b).map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(0, 8);
  return `${hex(0, bestAt)}::${hex(bestAt + bestLen, 8)}`;
}

/** Text of the first (`a`, source) or second (`b`, destination) address of a stored pair. */
export function addrPairText(p: AddrPair, second: boolean): string {
  if (p.version === 4) return ipv4Text(second ? p.b4 : p.a4);
  if (p.version === 6 && p.a6 !== null) return ipv6Text(p.a6, second ? 16 : 0);
  return '';
}
