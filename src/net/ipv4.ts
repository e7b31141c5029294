/**
 * IPv4 header decoder (RFC 791 §3.1). Options are skipped; the header checksum is not verified
 * here (mirror ports carry checksum-offload garbage): see ipv4HeaderChecksumOk.
 */
import { rd16, rd32 } from './bytes';
import { IPV4_MIN_HEADER_LEN } from './constants';
import { IpView } from './types';

export const enum Ipv4Anomaly {
  Ok = 0,
  /**
   * The capture is shorter than Total Length (snaplen). NOT fatal: the view is filled and
   * `end` is the end of the captured bytes (the only non-fatal code).
   */
  Truncated = 1,
  /** Fewer than 20 octets, or fewer than IHL * 4. */
  HeaderTruncated = 2,
  BadVersion = 3,
  /** IHL < 5 (RFC 791 §3.1: minimum value for a correct header is 5). */
  BadIhl = 4,
  /** Total Length < IHL * 4. */
  BadTotalLength = 5,
  /** Header checksum mismatch (only when the IP layer is told to verify it). */
  BadChecksum = 6,
}

export const IPV4_ANOMALY_NAMES: readonly string[] = [
  'ok', 'truncated', 'header_truncated', 'bad_version', 'bad_ihl', 'bad_total_length', 'bad_checksum',
];

/**
 * Decodes the IPv4 header at buf[start, end). Fills `out` (payload [start, end) trimmed to
 * min(Total Length, captured), addresses, fragment fields); returns an Ipv4Anomaly.
 */
export function decodeIpv4(buf: Buffer, start: number, end: number, out: IpView): number {
  resetIpView(buf, start, out);
  if (end - start < IPV4_MIN_HEADER_LEN) return Ipv4Anomaly.HeaderTruncated;
  const b0 = buf[start];
  if (b0 >> 4 !== 4) return Ipv4Anomaly.BadVersion;
  const ihl = (b0 & 0x0f) * 4;
  if (ihl < IPV4_MIN_HEADER_LEN) return Ipv4Anomaly.BadIhl;
  if (end - start < ihl) return Ipv4Anomaly.HeaderTruncated;
  const totalLength = rd16(buf, start + 2);
  if (totalLength < ihl) return Ipv4Anomaly.BadTotalLength;
  out.version = 4;
  out.fragId = rd16(buf, start + 4);
  // Flags (3 bits: reserved, DF, MF) + Fragment Offset (13 bits, units of 8 octets)
  const ff = rd16(buf, start + 6);
  out.moreFragments = (ff & 0x2000) !== 0;
  out.fragOffset = (ff & 0x1fff) * 8;
  out.isFragment = out.moreFragments || out.fragOffset !== 0;
  out.ttl = buf[start + 8];
  out.proto = buf[start + 9];
  out.src4 = rd32(buf, start + 12);
  out.dst4 = rd32(buf, start + 16);
  out.srcOff = start + 12;
  out.dstOff = start + 16;
  out.start = start + ihl;
  const declaredEnd = start + totalLength;
  if (declaredEnd > end) {
    out.end = end;
    return Ipv4Anomaly.Truncated;
  }
  out.end = declaredEnd;
  return Ipv4Anomaly.Ok;
}

/** RFC 791 §3.1 / RFC 1071: the one's complement sum of the header (checksum included) is 0xffff. */
export function ipv4HeaderChecksumOk(buf: Buffer, start: number, headerLen: number): boolean {
  let sum = 0;
  for (let i = start; i + 1 < start + headerLen; i += 2) sum += rd16(buf, i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

/** Resets the fields every IP decoder sets (offsets collapse to [start, start)). */
export function resetIpView(buf: Buffer, start: number, out: IpView): void {
  out.version = 0;
  out.proto = 0;
  out.buf = buf;
  out.start = start;
  out.end = start;
  out.src4 = 0;
  out.dst4 = 0;
  out.addrBuf = buf;
  out.srcOff = start;
  out.dstOff = start;
  out.reassembled = false;
  out.headerStart = start;
  out.ttl = 0;
  out.isFragment = false;
  out.fragOffset = 0;
  out.moreFragments = false;
  out.fragId = 0;
  out.extCount = 0;
}
