/**
 * Per-direction record of recently seen SCTP TSNs, to drop retransmitted / duplicated DATA and
 * I-DATA chunks. A bitset of TSN_WINDOW TSNs starting at `base` (serial number arithmetic,
 * RFC 1982, 32-bit); TSNs below `base` are "old" = already seen, unless far below (then the
 * window resynchronises: a new association the probe did not see start).
 */

/** TSNs tracked above the base (power of 2). */
export const TSN_WINDOW = 4096;
/** A TSN more than this far below the base is not a retransmission: resynchronise. */
export const TSN_RESYNC_DISTANCE = 65536;

export const enum TsnVerdict {
  New = 0,
  Duplicate = 1,
  /** New, and the window was reset around it (far jump backwards). */
  Resync = 2,
}

export class TsnWindow {
  private readonly bits = new Uint32Array(TSN_WINDOW >>> 5);
  /** First TSN of the window (serial). */
  private base = 0;
  private initialised = false;

  /** Forgets everything (next TSN seen starts the window). */
  reset(): void {
    this.initialised = false;
  }

  /** Starts the window at an association's Initial TSN (INIT / INIT ACK, RFC 9260 §5.1). */
  startAt(initialTsn: number): void {
    this.bits.fill(0);
    this.base = initialTsn >>> 0;
    this.initialised = true;
  }

  /** Records `tsn` and tells whether it was seen before. */
  check(tsn: number): number {
    tsn = tsn >>> 0;
    let verdict: number = TsnVerdict.New;
    if (!this.initialised) {
      // centre the window: early reordering below the first TSN seen is not "old"
      this.startAt(tsn - TSN_WINDOW / 2);
    }
    const d = (tsn - this.base) >>> 0;
    if (d >= 0x80000000) {
      // tsn precedes base (RFC 1982 §3.2)
      if (((this.base - tsn) >>> 0) <= TSN_RESYNC_DISTANCE) return TsnVerdict.Duplicate;
      this.startAt(tsn - TSN_WINDOW / 2);
      verdict = TsnVerdict.Resync;
    } else if (d >= TSN_WINDOW) {
      // slide so that tsn becomes the last TSN of the window
      const advance = d - TSN_WINDOW + 1;
      if (advance >= TSN_WINDOW) this.bits.fill(0);
      else for (let i = 0; i < advance; i++) this.clearBit((this.base + i) >>> 0);
      this.base = (this.base + advance) >>> 0;
    }
    const idx = tsn & (TSN_WINDOW - 1);
    const word = idx >>> 5;
    const mask = 1 << (idx & 31);
    if ((this.bits[word] & mask) !== 0) return TsnVerdict.Duplicate;
    this.bits[word] |= mask;
    return verdict;
  }

  private clearBit(tsn: number): void {
    const idx = tsn & (TSN_WINDOW - 1);
    this.bits[idx >>> 5] &= ~(1 << (idx & 31));
  }
}
