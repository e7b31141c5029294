/**
 * GTP-U user plane (TS 29.281): the G-PDU header walk and the per-reason counters of the
 * per-tunnel packet / byte statistics (the counting itself is GtpTunnels.userPacket: one hash
 * lookup of the (destination address, TEID) in the user-plane endpoint index per G-PDU).
 *
 * §5.1 header: Version(3) = 1 | PT(1) = 1 | spare(1) | E | S | PN, Message Type (255 = G-PDU),
 * Length (2: octets after the first 8, i.e. optional fields + extension headers + T-PDU), TEID
 * (4). When any of E, S, PN is set the 4 optional octets follow (Sequence Number 2, N-PDU Number
 * 1, Next Extension Header Type 1), each meaningful only under its flag. §5.2: an extension
 * header is Length (1, in 4-octet units, counting itself and the next-type octet; 0 is invalid)
 * | content | Next Extension Header Type (1); type 0 ends the chain. What follows is the T-PDU,
 * the user's IP packet: its length is 8 + Length − (header octets), whatever the capture kept
 * (a snap length that cuts the payload still gives the right count once the header is whole).
 */

/** Longest extension header chain walked (TS 29.281 §5.2 sets no limit; real chains have 1-3: PDU Session Container, PDCP number, UDP port). */
export const GTPU_MAX_EXT_HEADERS = 8;

/** Why a G-PDU on a GTP-U port was not counted on a tunnel. */
export const enum GpduMiss {
  /** the header (mandatory 8, optional 4 or an extension header) is cut by the capture */
  Truncated = 1,
  /** Length smaller than the optional fields / extension headers it must hold */
  BadLength = 2,
  /** extension header of length 0 */
  BadExtHeader = 3,
  /** more than GTPU_MAX_EXT_HEADERS extension headers */
  TooManyExtHeaders = 4,
  /** no active tunnel has this (destination address, TEID) as a user-plane endpoint */
  UnknownTeid = 5,
  /** TEID 0 (not allowed for G-PDUs, TS 29.281 §5.1) */
  TeidZero = 6,
}

export const GPDU_MISS_NAMES: readonly string[] = ['', 'truncated', 'bad_length', 'bad_ext_header', 'too_many_ext_headers', 'unknown_teid', 'teid_zero'];

/**
 * T-PDU length of the G-PDU at buf[s, e) (version / PT / type already checked by the caller),
 * or −GpduMiss when the header cannot be walked. Pure; reads nothing past e.
 */
export function gpduTpduLength(buf: Buffer, s: number, e: number): number {
  if (e - s < 8) return -GpduMiss.Truncated;
  const length = (buf[s + 2] << 8) | buf[s + 3];
  const msgEnd = s + 8 + length;
  let p = s + 8;
  const flags = buf[s] & 0x07;
  if (flags !== 0) {
    if (length < 4) return -GpduMiss.BadLength;
    if (p + 4 > e) return -GpduMiss.Truncated;
    let next = flags & 0x04 ? buf[p + 3] : 0;
    p += 4;
    for (let n = 0; next !== 0; n++) {
      if (n >= GTPU_MAX_EXT_HEADERS) return -GpduMiss.TooManyExtHeaders;
      if (p >= msgEnd) return -GpduMiss.BadLength;
      if (p >= e) return -GpduMiss.Truncated;
      const len = buf[p] * 4;
      if (len === 0) return -GpduMiss.BadExtHeader;
      if (p + len > msgEnd) return -GpduMiss.BadLength;
      if (p + len > e) return -GpduMiss.Truncated;
      next = buf[p + len - 1];
      p += len;
    }
  }
  return msgEnd - p;
}

/** User-plane counters of a pipeline (summary, metrics). */
export class UserPlaneStats {
  /** G-PDUs counted on a tunnel, by direction, and their T-PDU octets. */
  packetsUp = 0;
  packetsDown = 0;
  bytesUp = 0;
  bytesDown = 0;
  /** G-PDUs not counted on a tunnel, by GpduMiss. */
  readonly missed = new Float64Array(GPDU_MISS_NAMES.length);

  /** The misses by name (non-zero only). */
  missedByReason(): Record<string, number> {
    const o: Record<string, number> = {};
    for (let i = 1; i < GPDU_MISS_NAMES.length; i++) if (this.missed[i] > 0) o[GPDU_MISS_NAMES[i]] = this.missed[i];
    return o;
  }
}
