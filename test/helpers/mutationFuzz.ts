/**
 * Test helper: a seeded PRNG and byte-level mutations for decoder fuzz tests.
 * Deterministic (mulberry32), allocation-light, no dependencies.
 */

export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** uniform uint32 (mulberry32) */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** uniform integer in [0, n) */
  int(n: number): number {
    return this.u32() % n;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}

/** Interesting byte values: boundaries of lengths, pointers, tags. */
const SPECIAL = [0x00, 0x01, 0x02, 0x03, 0x04, 0x7f, 0x80, 0xfe, 0xff];

/**
 * A copy of `src` with 1..4 random mutations: overwrite a byte (random or special value), flip a
 * bit, insert or delete a byte, truncate, or duplicate a slice.
 */
export function mutate(rng: Prng, src: Buffer): Buffer {
  let b = Buffer.from(src);
  const n = 1 + rng.int(4);
  for (let k = 0; k < n; k++) {
    const len = b.length;
    const at = len === 0 ? 0 : rng.int(len);
    switch (rng.int(7)) {
      case 0: if (len) b[at] = rng.u32() & 0xff; break;
      case 1: if (len) b[at] = rng.pick(SPECIAL); break;
      case 2: if (len) b[at] ^= 1 << rng.int(8); break;
      case 3: b = Buffer.concat([b.subarray(0, at), Buffer.of(rng.u32() & 0xff), b.subarray(at)]); break;
      case 4: if (len) b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]); break;
      case 5: b = b.subarray(0, at); break;
      default: {
        const e = at + rng.int(Math.max(1, len - at));
        b = Buffer.concat([b.subarray(0, e), b.subarray(at, e), b.subarray(e)]);
      }
    }
  }
  return b;
}

/**
 * Places `msg` at a random offset (0..3) of a new buffer followed by 0..15 random trailing
 * octets, so that a decoder reading past `end` would see different bytes.
 */
export function embed(rng: Prng, msg: Buffer): { buf: Buffer; start: number; end: number } {
  const start = rng.int(4);
  const tail = rng.int(16);
  const buf = Buffer.allocUnsafe(start + msg.length + tail);
  for (let i = 0; i < buf.length; i++) buf[i] = rng.u32() & 0xff;
  msg.copy(buf, start);
  return { buf, start, end: start + msg.length };
}
