/**
 * TsResolution: 64-bit pcapng tick counts → integer µs (+ sub-µs ns), checked against an exact
 * BigInt reference for every valid if_tsresol (10^-0..10^-19, 2^-0..2^-63) on random and
 * boundary tick counts, and the examples of draft-ietf-opsawg-pcapng §4.2.
 */
import { describe, expect, it } from 'vitest';
import { MAX_TSRESOL_POW10, MAX_TSRESOL_POW2, TsResolution } from '../../src/capture/timestamp';
import { Prng } from '../helpers/mutationFuzz';

function units(tsresol: number): bigint {
  const e = BigInt(tsresol & 0x7f);
  return tsresol & 0x80 ? 1n << e : 10n ** e;
}

/** Exact µs and sub-µs ns, or undefined when µs exceeds 2^53 (not representable exactly). */
function reference(tsresol: number, ticks: bigint, offsetSec: bigint): { us: number; ns: number } | undefined {
  const ns = (ticks * 1_000_000_000n) / units(tsresol);
  const us = ns / 1000n + offsetSec * 1_000_000n;
  if (us >= 1n << 53n || us < -(1n << 53n)) return undefined;
  return { us: Number(us), ns: Number(ns % 1000n) };
}

const RESOLUTIONS: number[] = [];
for (let e = 0; e <= MAX_TSRESOL_POW10; e++) RESOLUTIONS.push(e);
for (let e = 0; e <= MAX_TSRESOL_POW2; e++) RESOLUTIONS.push(0x80 | e);

describe('TsResolution', () => {
  it('matches the exact BigInt conversion for every resolution (random + boundary ticks)', () => {
    const rng = new Prng(7);
    let checked = 0;
    for (const res of RESOLUTIONS) {
      const ts = new TsResolution(res);
      expect(ts.valid).toBe(true);
      const u = units(res);
      const samples: bigint[] = [0n, 1n, u - 1n, u, u + 1n, 0xffffffffn, 0x100000000n, (1n << 64n) - 1n];
      // a plausible date (2023-11-14) in this resolution, and its neighbours
      const now = 1700000000n * u + u / 3n;
      if (now < 1n << 64n) samples.push(now, now - 1n, now + 1n);
      for (let i = 0; i < 2000; i++) {
        const t = (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
        samples.push(i & 1 ? t : t % (now < 1n << 64n ? now * 2n : 1n << 64n));
      }
      for (const t of samples) {
        const ref = reference(res, t, 0n);
        if (ref === undefined) continue;
        const us = ts.toUs(Number(t >> 32n), Number(t & 0xffffffffn));
        if (us !== ref.us || ts.subUsNs !== ref.ns) {
          throw new Error(`tsresol 0x${res.toString(16)} ticks ${t}: got ${us}/${ts.subUsNs}, want ${ref.us}/${ref.ns}`);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100000);
  });

  it('if_tsresol examples of §4.2: 6 → µs, 9 → ns, 0x8a → 1/1024 s', () => {
    expect(new TsResolution(6).toUs(0, 1234567)).toBe(1234567);
    const ns = new TsResolution(9);
    expect(ns.toUs(0, 1234567)).toBe(1234);
    expect(ns.subUsNs).toBe(567);
    const b = new TsResolution(0x8a);
    expect(b.toUs(0, 1536)).toBe(1500000); // 1.5 s
    expect(b.toUs(0, 1)).toBe(976); // 976.5625 µs
    expect(b.subUsNs).toBe(562);
  });

  it('adds if_tsoffset (seconds, signed)', () => {
    expect(new TsResolution(6, 1000).toUs(0, 5)).toBe(1000000005);
    expect(new TsResolution(9, -10).toUs(0, 20_000_000_001)).toBe(10000000);
    expect(new TsResolution(0x80 | 20, 7).toUs(0, 1 << 19)).toBe(7500000);
  });

  it('rejects resolutions whose tick rate exceeds 64 bits (as Wireshark does)', () => {
    expect(new TsResolution(20).valid).toBe(false);
    expect(new TsResolution(127).valid).toBe(false);
    expect(new TsResolution(0x80 | 64).valid).toBe(false);
    expect(new TsResolution(0xff).valid).toBe(false);
  });
});
