/**
 * TCP header decoder (RFC 9293 §3.1). Pure: ports, sequence / acknowledgment numbers, control
 * bits, window and the segment data range; options are skipped (Data Offset), the checksum is
 * not verified (mirror ports and offloading NICs make it meaningless).
 */
import { rd16, rd32 } from './bytes';
import type { TcpView } from './types';

/** Control bits, RFC 9293 §3.1 (the low 8 bits of octets 12-13). */
export const enum TcpFlag {
  Fin = 0x01,
  Syn = 0x02,
  Rst = 0x04,
  Psh = 0x08,
  Ack = 0x10,
  Urg = 0x20,
  Ece = 0x40,
  Cwr = 0x80,
}

/** Fixed header length (Data Offset 5). */
export const TCP_MIN_HEADER = 20;

/**
 * Anomalies of the TCP layer: header decoding (1-2) and stream reassembly (3-5, reported by
 * tcpStreams.ts).
 */
export const enum TcpAnomaly {
  Ok = 0,
  /** fewer than 20 octets */
  Truncated = 1,
  /** Data Offset < 5, or the options run past the end of the segment */
  BadDataOffset = 2,
  /** bytes of a stream never seen (lost by the capture): the stream consumer resynchronises */
  StreamGap = 3,
  /** out-of-order data over the per-direction or total buffer bound: delivered with a gap */
  StreamOverflow = 4,
  /** a sequence number jump too large to be the same stream (port reuse): restarted there */
  StreamRestart = 5,
}

export const TCP_ANOMALY_NAMES: readonly string[] = ['ok', 'truncated', 'bad_data_offset', 'stream_gap', 'stream_overflow', 'stream_restart'];

/**
 * Decodes the TCP segment at [start, end) of buf into `out`; returns a TcpAnomaly (0 = ok).
 * On Ok, [payloadStart, payloadEnd) is the segment data (possibly empty).
 */
export function decodeTcp(buf: Buffer, start: number, end: number, out: TcpView): number {
  if (end > buf.length) end = buf.length;
  out.payloadStart = out.payloadEnd = start;
  out.flags = 0;
  if (start < 0 || end - start < TCP_MIN_HEADER) return TcpAnomaly.Truncated;
  out.srcPort = rd16(buf, start);
  out.dstPort = rd16(buf, start + 2);
  out.seq = rd32(buf, start + 4);
  out.ack = rd32(buf, start + 8);
  const hlen = (buf[start + 12] >> 4) * 4; // Data Offset, 32-bit words
  out.headerLen = hlen;
  out.flags = buf[start + 13];
  out.window = rd16(buf, start + 14);
  if (hlen < TCP_MIN_HEADER || start + hlen > end) return TcpAnomaly.BadDataOffset;
  out.payloadStart = start + hlen;
  out.payloadEnd = end;
  return TcpAnomaly.Ok;
}
