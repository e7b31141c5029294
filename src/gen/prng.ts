// Seeded pseudo-random generator for the traffic generator (never Math.random).
// mulberry32 (public-domain 32-bit generator by Tommy Ettinger): small state, fast, good enough
// for test traffic; sequences are identical on every platform for a given seed.

export class Prng {
  private s: number;

  constructor(seed: number) {
    // mix the seed once so that small seeds (0, 1, 2...) give unrelated streams
    let x = (seed ^ 0x9e3779b9) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
    this.s = (x ^ (x >>> 16)) >>> 0;
  }

  /** uniform 32-bit unsigned integer */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** uniform float in [0, 1) */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** uniform integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** uniform integer in [lo, hi] */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** true with probability p */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** index chosen with the given (not necessarily normalised) weights */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** exponential variate with the given mean */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** n random decimal digits */
  digits(n: number): string {
    let s = '';
    while (s.length < n) {
      // 9 decimal digits per draw (10^9 < 2^32; the tiny bias does not matter here)
      const d = (this.u32() % 1000000000).toString();
      s += '000000000'.slice(d.length) + d;
    }
    return s.slice(0, n);
  }

  /** n random bytes */
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }

  /** an independent child generator (for a sub-stream whose draws must not shift the parent's) */
  fork(): Prng {
    return new Prng(this.u32());
  }
}
