/**
 * UDP header (RFC 768). Pure: fills a UdpView, returns a UdpAnomaly code. The checksum is not
 * verified (offload garbage on mirror ports, like the IPv4 header checksum).
 *
 * Result convention (as the IP layer): Ok and PayloadTruncated leave a usable payload in
 * [payloadStart, payloadEnd); Truncated and BadLength leave none (payloadStart = payloadEnd).
 *
 *   const code = decodeUdp(ip.buf, ip.start, ip.end, udp);
 *   if (code !== 0) count(Layer.Udp, code);
 *   if (code === UdpAnomaly.Ok || code === UdpAnomaly.PayloadTruncated) route(udp);
 */
import { rd16 } from './bytes';
import type { UdpView } from './types';

export const enum UdpAnomaly {
  Ok = 0,
  /** Fewer than 8 octets: no complete header. */
  Truncated = 1,
  /** Length field < 8 (RFC 768: the length includes the header; 0 is an IPv6 jumbogram, RFC
   *  2675, which the probe does not take). */
  BadLength = 2,
  /** Length field beyond the captured bytes (snaplen, or a lying header): the payload is cut
   *  at the end of the capture. Not fatal. */
  PayloadTruncated = 3,
}

export const UDP_ANOMALY_NAMES: readonly string[] = ['ok', 'truncated', 'bad_length', 'payload_truncated'];

/** UDP header length (RFC 768). */
export const UDP_HEADER_LEN = 8;

/** Decodes the UDP header at buf[start, end) (end = the IP payload end). */
export function decodeUdp(buf: Buffer, start: number, end: number, out: UdpView): number {
  out.payloadStart = out.payloadEnd = start;
  out.srcPort = out.dstPort = out.length = out.checksum = 0;
  if (end - start < UDP_HEADER_LEN) return UdpAnomaly.Truncated;
  // Source Port(2) Destination Port(2) Length(2) Checksum(2)
  out.srcPort = rd16(buf, start);
  out.dstPort = rd16(buf, start + 2);
  const len = rd16(buf, start + 4);
  out.length = len;
  out.checksum = rd16(buf, start + 6);
  if (len < UDP_HEADER_LEN) return UdpAnomaly.BadLength;
  out.payloadStart = start + UDP_HEADER_LEN;
  if (start + len > end) {
    out.payloadEnd = end;
    return UdpAnomaly.PayloadTruncated;
  }
  out.payloadEnd = start + len;
  return UdpAnomaly.Ok;
}
