/**
 * pcapng timestamps: a 64-bit tick count (split in two 32-bit halves) in units of the
 * interface's if_tsresol (draft-ietf-opsawg-pcapng §4.2: bit 7 clear → 10^-v s, set → 2^-v s),
 * plus if_tsoffset seconds. Converted to integer microseconds without BigInt on the common paths
 * (10^-0..10^-12 and 2^-0..2^-32); coarser-than-exact resolutions fall back to BigInt.
 */

const TWO_32 = 4294967296;

const enum TsKind {
  /** 10^-r with r ≤ 6: µs = ticks × 10^(6-r). */
  MulPow10 = 0,
  /** 10^-r with 7 ≤ r ≤ 12: µs = ⌊ticks / 10^(r-6)⌋ (divisor ≤ 10^6, exact in doubles). */
  DivPow10 = 1,
  /** 2^-r with r ≤ 32. */
  Pow2 = 2,
  /** Anything else Wireshark accepts (10^-13..10^-19, 2^-33..2^-63): BigInt. */
  Big = 3,
}

/** Largest exponents whose tick rate fits in 64 bits (Wireshark rejects larger). */
export const MAX_TSRESOL_POW10 = 19;
export const MAX_TSRESOL_POW2 = 63;

/** The if_tsresol / if_tsoffset of one pcapng interface, with the conversion to µs. */
export class TsResolution {
  /** false when if_tsresol is out of range (the IDB is then unusable). */
  readonly valid: boolean;
  /** Sub-microsecond part of the last converted timestamp, in nanoseconds (0..999). */
  subUsNs = 0;
  private readonly kind: TsKind;
  /** MulPow10: multiplier; DivPow10: divisor; Pow2: 2^r. */
  private readonly factor: number;
  /** Pow2: 2^(32-r). */
  private readonly hiScale: number;
  /** Big: ticks per second. */
  private readonly unitsBig: bigint;
  private readonly offsetUs: number;

  /**
   * @param tsresol raw if_tsresol octet (6 when the option is absent)
   * @param tsoffsetSec if_tsoffset (seconds added to every timestamp)
   */
  constructor(tsresol: number, tsoffsetSec = 0) {
    const pow2 = (tsresol & 0x80) !== 0;
    const exp = tsresol & 0x7f;
    this.offsetUs = tsoffsetSec * 1e6;
    this.valid = pow2 ? exp <= MAX_TSRESOL_POW2 : exp <= MAX_TSRESOL_POW10;
    this.unitsBig = 1n;
    this.hiScale = 0;
    if (!pow2 && exp <= 6) {
      this.kind = TsKind.MulPow10;
      this.factor = 10 ** (6 - exp);
    } else if (!pow2 && exp <= 12) {
      this.kind = TsKind.DivPow10;
      this.factor = 10 ** (exp - 6);
    } else if (pow2 && exp <= 32) {
      this.kind = TsKind.Pow2;
      this.factor = 2 ** exp;
      this.hiScale = 2 ** (32 - exp);
    } else {
      this.kind = TsKind.Big;
      this.factor = 0;
      this.unitsBig = this.valid ? (pow2 ? 1n << BigInt(exp) : 10n ** BigInt(exp)) : 1n;
    }
  }

  /** µs since the epoch of the tick count hi·2^32 + lo (both unsigned 32-bit). Sets subUsNs. */
  toUs(hi: number, lo: number): number {
    switch (this.kind) {
      case TsKind.MulPow10:
        this.subUsNs = 0;
        return (hi * TWO_32 + lo) * this.factor + this.offsetUs;
      case TsKind.DivPow10: {
        // ⌊(hi·2^32 + lo) / d⌋ = ⌊hi/d⌋·2^32 + ⌊((hi mod d)·2^32 + lo) / d⌋; every term < 2^53.
        const d = this.factor;
        const qh = Math.floor(hi / d);
        const rest = (hi - qh * d) * TWO_32 + lo;
        let ql = Math.floor(rest / d);
        // The quotient of two exact doubles may round up across an integer: correct it.
        if (ql * d > rest) ql--;
        else if ((ql + 1) * d <= rest) ql++;
        const rem = rest - ql * d; // ticks below one µs
        this.subUsNs = d >= 1000 ? Math.floor(rem / (d / 1000)) : rem * (1000 / d);
        return qh * TWO_32 + ql + this.offsetUs;
      }
      case TsKind.Pow2: {
        const unit = this.factor;
        const loSec = Math.floor(lo / unit); // exact: division by a power of two
        const frac = lo - loSec * unit; // < 2^r ≤ 2^32
        const fracE6 = frac * 1e6; // < 2^52: exact
        const fracUs = Math.floor(fracE6 / unit);
        this.subUsNs = Math.floor(((fracE6 - fracUs * unit) * 1000) / unit);
        return (hi * this.hiScale + loSec) * 1e6 + fracUs + this.offsetUs;
      }
      default:
        return this.toUsBig(hi, lo);
    }
  }

  private toUsBig(hi: number, lo: number): number {
    const ticks = (BigInt(hi) << 32n) | BigInt(lo);
    const ns = (ticks * 1_000_000_000n) / this.unitsBig;
    this.subUsNs = Number(ns % 1000n);
    return Number(ns / 1000n) + this.offsetUs;
  }
}
