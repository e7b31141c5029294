/**
 * What every capture source (file replay, live) hands to the pipeline.
 *
 * The capture owns its buffer: `buf` is the source's reusable buffer and is valid only during
 * the callback (it is overwritten by the next packet). The packet is buf[start, start+capLen).
 * Copy what you keep.
 *
 * @param capLen bytes captured (≤ origLen unless the capture is odd)
 * @param origLen length of the packet on the wire
 * @param tsUs capture time, microseconds since the Unix epoch (integer; finer resolutions are
 *        truncated toward zero)
 * @param linkType LINKTYPE_* of the packet's interface (see linkTypes.ts)
 * @param frame 1-based ordinal of the packet record within the file / live session
 *        (the number tshark shows as frame.number for a file)
 */
export type PacketHandler = (
  buf: Buffer,
  start: number,
  capLen: number,
  origLen: number,
  tsUs: number,
  linkType: number,
  frame: number,
) => void;

/** Why reading a capture file stopped before its end (Layer.Capture reason codes). */
export const enum CaptureAnomaly {
  Ok = 0,
  /** The file ends inside a record / block (or a block's header). */
  TruncatedRecord = 1,
  /** A pcapng block is malformed: bad length, trailer mismatch, bad byte-order magic, unknown
   *  SHB version, unknown interface id, caplen beyond the block, bad if_tsresol... */
  BadBlock = 2,
  /** A record larger than the hard cap (256 KiB + snaplen + slack): corrupt length field. */
  OversizeRecord = 3,
  /** read(2) failed (EIO...). */
  ReadError = 4,
}

export const CAPTURE_ANOMALY_NAMES: readonly string[] = [
  'ok', 'truncated_record', 'bad_block', 'oversize_record', 'read_error',
];

/** Counters of a capture file reader. */
export interface CaptureReaderStats {
  /** Packets delivered. */
  packets: number;
  /** Captured bytes delivered (sum of capLen). */
  bytes: number;
  truncatedRecords: number;
  badBlocks: number;
  oversizeRecords: number;
  readErrors: number;
  /** pcapng blocks neither packets nor SHB/IDB (ISB, NRB, DSB, custom...), skipped unread.
   *  Custom / systemd-journal / sysdig blocks still take a frame number (as in tshark). */
  skippedBlocks: number;
  /** pcapng sections seen (1 for pcap). */
  sections: number;
  /** pcapng IDBs seen over all sections (1 for pcap). */
  interfaces: number;
  /** The anomaly that ended reading (CaptureAnomaly; Ok = clean end of file or not finished). */
  endAnomaly: number;
}

export function createCaptureReaderStats(): CaptureReaderStats {
  return {
    packets: 0, bytes: 0, truncatedRecords: 0, badBlocks: 0, oversizeRecords: 0, readErrors: 0,
    skippedBlocks: 0, sections: 0, interfaces: 0, endAnomaly: 0,
  };
}
