// SCTP packets (RFC 9260): common header with CRC32c checksum (§3.1, §6.8, App. B),
// DATA chunks (§3.3.1) with fragmentation flags, SACK chunks (§3.3.4).
import { crc32c } from './crc32c';

export const SCTP_CHUNK_DATA = 0;
export const SCTP_CHUNK_SACK = 3;
export const PPID_M3UA = 3; // IANA SCTP Payload Protocol Identifier for M3UA (RFC 4666 §1.4.7)

// DATA chunk flags (RFC 9260 §3.3.1)
export const DATA_FLAG_E = 0x01; // ending fragment
export const DATA_FLAG_B = 0x02; // beginning fragment
export const DATA_FLAG_U = 0x04; // unordered
export const DATA_FLAG_I = 0x08; // immediate (RFC 7053)

const COMMON_HDR = 12;
const DATA_HDR = 16;

export interface DataChunkFields {
  tsn: number;
  sid: number;
  ssn: number;
  ppid: number;
  /** B/E/U/I bits; an unfragmented message is B|E */
  flags: number;
}

function pad4(n: number): number {
  return (4 - (n & 3)) & 3;
}

/** DATA chunk: type, flags, length (without padding), TSN, stream id, stream seq, PPID, user data, padding */
export function dataChunk(f: DataChunkFields, data: Buffer, start = 0, end = data.length): Buffer {
  const n = end - start;
  const pad = pad4(n);
  const b = Buffer.allocUnsafe(DATA_HDR + n + pad);
  b[0] = SCTP_CHUNK_DATA;
  b[1] = f.flags;
  b.writeUInt16BE(DATA_HDR + n, 2);
  b.writeUInt32BE(f.tsn >>> 0, 4);
  b.writeUInt16BE(f.sid & 0xffff, 8);
  b.writeUInt16BE(f.ssn & 0xffff, 10);
  b.writeUInt32BE(f.ppid >>> 0, 12);
  data.copy(b, DATA_HDR, start, end);
  b.fill(0, DATA_HDR + n); // padding octets are zero (§3.2)
  return b;
}

/** SACK chunk without gap blocks or duplicate TSNs: cumulative TSN ack, a_rwnd */
export function sackChunk(cumTsnAck: number, arwnd: number): Buffer {
  const b = Buffer.alloc(16);
  b[0] = SCTP_CHUNK_SACK;
  b[1] = 0;
  b.writeUInt16BE(16, 2);
  b.writeUInt32BE(cumTsnAck >>> 0, 4);
  b.writeUInt32BE(arwnd >>> 0, 8);
  b.writeUInt16BE(0, 12); // number of gap ack blocks
  b.writeUInt16BE(0, 14); // number of duplicate TSNs
  return b;
}

/** common header (ports, verification tag, CRC32c) followed by the chunks (already padded) */
export function encodeSctpPacket(srcPort: number, dstPort: number, vtag: number, chunks: readonly Buffer[]): Buffer {
  let n = COMMON_HDR;
  for (const c of chunks) n += c.length;
  const b = Buffer.allocUnsafe(n);
  b.writeUInt16BE(srcPort, 0);
  b.writeUInt16BE(dstPort, 2);
  b.writeUInt32BE(vtag >>> 0, 4);
  b.writeUInt32BE(0, 8);
  let o = COMMON_HDR;
  for (const c of chunks) o += c.copy(b, o);
  // RFC 9260 App. B: the CRC is computed with the checksum field zeroed and stored so that the
  // least significant byte of the reflected CRC goes first (i.e. little-endian on the wire).
  b.writeUInt32LE(crc32c(b, 0, n), 8);
  return b;
}

/** chunk size on the wire (with padding) of a DATA chunk carrying n user octets */
export function dataChunkWireSize(n: number): number {
  return DATA_HDR + n + pad4(n);
}

export const SCTP_COMMON_HEADER_SIZE = COMMON_HDR;
export const SCTP_DATA_HEADER_SIZE = DATA_HDR;
