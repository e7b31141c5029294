/**
 * Test helper: the SCTP DATA chunks of an Ethernet/IPv4/SCTP frame, without the product's
 * net layer (tests of the SIGTRAN decoders must not depend on it). Strict: throws on anything
 * unexpected (test inputs are known-good). Ethernet II 14 octets (no VLAN), IPv4 IHL*4,
 * SCTP common header 12 (RFC 9260 §3.1), chunks padded to 4 octets, DATA header 16 (§3.3.1).
 */
import { readPcapRecords } from './pcapRecords';

export interface SctpDataChunk {
  tsn: number;
  streamId: number;
  ppid: number;
  /** chunk flags (B = 2, E = 1) */
  flags: number;
  /** user data, a view into the frame */
  payload: Buffer;
}

export function sctpDataChunks(frame: Buffer): SctpDataChunk[] {
  if (frame.readUInt16BE(12) !== 0x0800) throw new Error('not IPv4 over Ethernet II');
  const ip = 14;
  const ihl = (frame[ip] & 0x0f) * 4;
  if (frame[ip + 9] !== 132) throw new Error('not SCTP');
  const ipEnd = ip + frame.readUInt16BE(ip + 2);
  let pos = ip + ihl + 12;
  const out: SctpDataChunk[] = [];
  while (pos + 4 <= ipEnd) {
    const type = frame[pos];
    const len = frame.readUInt16BE(pos + 2);
    if (len < 4 || pos + len > ipEnd) throw new Error(`bad chunk length at ${pos}`);
    if (type === 0) {
      out.push({
        tsn: frame.readUInt32BE(pos + 4),
        streamId: frame.readUInt16BE(pos + 8),
        ppid: frame.readUInt32BE(pos + 12),
        flags: frame[pos + 1],
        payload: frame.subarray(pos + 16, pos + len),
      });
    }
    pos += (len + 3) & ~3;
  }
  return out;
}

/** DATA chunks of every frame of an Ethernet/IPv4 capture; index 0 = frame 1 (as tshark numbers). */
export function captureDataChunks(path: string): SctpDataChunk[][] {
  return readPcapRecords(path).map((r) => {
    if (r.linkType !== 1) throw new Error('not an Ethernet capture');
    return r.data.readUInt16BE(12) === 0x0800 && r.data[14 + 9] === 132 ? sctpDataChunks(r.data) : [];
  });
}
