/**
 * SCTP common header and chunk walker (RFC 9260 §3). The CRC32c checksum is not verified.
 *
 *   if (decodeSctpHeader(buf, start, end, hdr) === SctpAnomaly.Ok) {
 *     while (hdr.next < hdr.end) {
 *       const code = nextSctpChunk(buf, hdr, chunk);
 *       if (code !== SctpAnomaly.Ok) { count(code); continue; } // the walk stops by itself when it must
 *       ... chunk.type ...
 *     }
 *   }
 */
import { rd16, rd32 } from './bytes';
import {
  SCTP_CHUNK_HEADER_LEN, SCTP_COMMON_HEADER_LEN, SCTP_DATA_HEADER_LEN, SCTP_FLAG_B, SCTP_FLAG_E,
  SCTP_FLAG_U, SCTP_IDATA_HEADER_LEN, SCTP_INIT_HEADER_LEN, SctpChunkType,
} from './constants';
import { SctpChunkView, SctpHeaderView } from './types';

export const enum SctpAnomaly {
  Ok = 0,
  /** Fewer than 12 octets (common header). */
  Truncated = 1,
  /** A packet with no chunk (RFC 9260 §3: one or more chunks). */
  NoChunks = 2,
  /** Chunk header or Chunk Length past the end of the packet (the walk stops). */
  ChunkTruncated = 3,
  /** Chunk Length < 4 (the walk stops), or shorter than its type's fixed part (chunk skipped). */
  BadChunkLength = 4,
  /** More than MAX_SCTP_CHUNKS chunks (the walk stops). */
  TooManyChunks = 5,
  /** DATA / I-DATA with no user data (RFC 9260 §3.3.1; chunk skipped). */
  EmptyData = 6,
}

export const SCTP_ANOMALY_NAMES: readonly string[] = [
  'ok', 'truncated', 'no_chunks', 'chunk_truncated', 'bad_chunk_length', 'too_many_chunks', 'empty_data',
];

/** Cap on chunks walked per packet. */
export const MAX_SCTP_CHUNKS = 64;

/** Decodes the common header (RFC 9260 §3.1) of the packet buf[start, end) and starts the chunk walk. */
export function decodeSctpHeader(buf: Buffer, start: number, end: number, out: SctpHeaderView): number {
  out.next = start;
  out.end = start;
  out.chunkCount = 0;
  if (end - start < SCTP_COMMON_HEADER_LEN) return SctpAnomaly.Truncated;
  // Source Port(2) Destination Port(2) Verification Tag(4) Checksum(4)
  out.srcPort = rd16(buf, start);
  out.dstPort = rd16(buf, start + 2);
  out.vtag = rd32(buf, start + 4);
  out.checksum = rd32(buf, start + 8);
  out.next = start + SCTP_COMMON_HEADER_LEN;
  out.end = end;
  if (out.next >= end) return SctpAnomaly.NoChunks;
  return SctpAnomaly.Ok;
}

/**
 * Decodes the chunk at hdr.next into `out` and advances hdr.next past it and its padding
 * (to a multiple of 4, clamped to hdr.end). Returns an SctpAnomaly; on a structural error
 * (length < 4, past the end, too many chunks) hdr.next is set to hdr.end, ending the walk.
 */
export function nextSctpChunk(buf: Buffer, hdr: SctpHeaderView, out: SctpChunkView): number {
  const off = hdr.next;
  const end = hdr.end;
  out.type = -1;
  out.flags = 0;
  out.length = 0;
  out.start = off;
  out.payloadStart = out.payloadEnd = off;
  if (hdr.chunkCount >= MAX_SCTP_CHUNKS) {
    hdr.next = end;
    return SctpAnomaly.TooManyChunks;
  }
  hdr.chunkCount++;
  if (end - off < SCTP_CHUNK_HEADER_LEN) {
    hdr.next = end;
    return SctpAnomaly.ChunkTruncated;
  }
  // Chunk Type(1) Chunk Flags(1) Chunk Length(2) (RFC 9260 §3.2)
  const type = buf[off];
  const flags = buf[off + 1];
  const length = rd16(buf, off + 2);
  out.type = type;
  out.flags = flags;
  out.length = length;
  if (length < SCTP_CHUNK_HEADER_LEN) {
    hdr.next = end;
    return SctpAnomaly.BadChunkLength;
  }
  if (length > end - off) {
    hdr.next = end;
    return SctpAnomaly.ChunkTruncated;
  }
  const padded = (length + 3) & ~3;
  hdr.next = padded > end - off ? end : off + padded;
  switch (type) {
    case SctpChunkType.Data:
      return decodeData(buf, off, length, flags, out);
    case SctpChunkType.IData:
      return decodeIData(buf, off, length, flags, out);
    case SctpChunkType.Init:
    case SctpChunkType.InitAck:
      // Initiate Tag(4) a_rwnd(4) OS(2) MIS(2) Initial TSN(4) (RFC 9260 §3.3.2, §3.3.3)
      if (length < SCTP_INIT_HEADER_LEN) return SctpAnomaly.BadChunkLength;
      out.initiateTag = rd32(buf, off + 4);
      out.initialTsn = rd32(buf, off + 16);
      return SctpAnomaly.Ok;
    default:
      return SctpAnomaly.Ok;
  }
}

function setFlags(flags: number, out: SctpChunkView): void {
  out.unordered = (flags & SCTP_FLAG_U) !== 0;
  out.beginning = (flags & SCTP_FLAG_B) !== 0;
  out.ending = (flags & SCTP_FLAG_E) !== 0;
}

/** DATA (RFC 9260 §3.3.1): TSN(4) Stream Identifier(2) Stream Sequence Number(2) PPID(4) User Data. */
function decodeData(buf: Buffer, off: number, length: number, flags: number, out: SctpChunkView): number {
  if (length < SCTP_DATA_HEADER_LEN) return SctpAnomaly.BadChunkLength;
  setFlags(flags, out);
  out.tsn = rd32(buf, off + 4);
  out.streamId = rd16(buf, off + 8);
  out.ssn = rd16(buf, off + 10);
  out.mid = -1;
  out.fsn = 0;
  out.ppid = rd32(buf, off + 12);
  out.payloadStart = off + SCTP_DATA_HEADER_LEN;
  out.payloadEnd = off + length;
  return length === SCTP_DATA_HEADER_LEN ? SctpAnomaly.EmptyData : SctpAnomaly.Ok;
}

/**
 * I-DATA (RFC 8260 §2.1): TSN(4) Stream Identifier(2) Reserved(2) Message Identifier(4)
 * PPID (B = 1) or Fragment Sequence Number (B = 0) (4) User Data.
 */
function decodeIData(buf: Buffer, off: number, length: number, flags: number, out: SctpChunkView): number {
  if (length < SCTP_IDATA_HEADER_LEN) return SctpAnomaly.BadChunkLength;
  setFlags(flags, out);
  out.tsn = rd32(buf, off + 4);
  out.streamId = rd16(buf, off + 8);
  out.ssn = -1;
  out.mid = rd32(buf, off + 12);
  const v = rd32(buf, off + 16);
  out.ppid = out.beginning ? v : 0;
  out.fsn = out.beginning ? 0 : v;
  out.payloadStart = off + SCTP_IDATA_HEADER_LEN;
  out.payloadEnd = off + length;
  return length === SCTP_IDATA_HEADER_LEN ? SctpAnomaly.EmptyData : SctpAnomaly.Ok;
}
