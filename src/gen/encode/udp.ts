// UDP datagram (RFC 768) with the pseudo-header checksum (RFC 768; RFC 8200 §8.1 for IPv6).
import { l4Checksum } from './l4checksum';

export const IPPROTO_UDP = 17;
const UDP_HDR = 8;

/** header + payload; src/dst are the IP addresses (4 or 16 octets) the checksum covers */
export function encodeUdp(srcPort: number, dstPort: number, payload: Buffer, src: Buffer, dst: Buffer): Buffer {
  const b = Buffer.allocUnsafe(UDP_HDR + payload.length);
  b.writeUInt16BE(srcPort, 0);
  b.writeUInt16BE(dstPort, 2);
  b.writeUInt16BE(b.length, 4);
  b.writeUInt16BE(0, 6);
  payload.copy(b, UDP_HDR);
  // a computed 0 is sent as all ones (RFC 768: 0 means "no checksum")
  b.writeUInt16BE(l4Checksum(src, dst, IPPROTO_UDP, b) || 0xffff, 6);
  return b;
}
