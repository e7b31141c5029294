// TCP / UDP checksum over the IP pseudo-header (RFC 9293 §3.1, RFC 768, RFC 8200 §8.1): the
// Internet checksum (RFC 1071) of pseudo-header + segment, with the checksum field zeroed.

function sum16(buf: Buffer, start: number, end: number, acc: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) acc += (buf[i] << 8) | buf[i + 1];
  if (i < end) acc += buf[i] << 8;
  return acc;
}

/**
 * Checksum of `seg` (whose checksum field must be zero) sent from `src` to `dst` (4 octets each
 * for IPv4, 16 for IPv6) with upper-layer protocol number `protocol`.
 */
export function l4Checksum(src: Buffer, dst: Buffer, protocol: number, seg: Buffer): number {
  let acc = sum16(src, 0, src.length, 0);
  acc = sum16(dst, 0, dst.length, acc);
  // IPv4: zero, protocol, TCP/UDP length (16 bits); IPv6: upper-layer length (32 bits), 3 zero octets, next header
  acc += protocol + (seg.length & 0xffff) + (src.length === 16 ? seg.length >>> 16 : 0);
  acc = sum16(seg, 0, seg.length, acc);
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}
