import { describe, expect, it } from 'vitest';
import { TSN_RESYNC_DISTANCE, TSN_WINDOW, TsnVerdict, TsnWindow } from '../../src/net/tsnWindow';
import { Prng } from './packets';

describe('TsnWindow (RFC 1982 serial arithmetic)', () => {
  it('first TSN is new, a repeat is a duplicate', () => {
    const w = new TsnWindow();
    expect(w.check(1000)).toBe(TsnVerdict.New);
    expect(w.check(1000)).toBe(TsnVerdict.Duplicate);
    expect(w.check(1001)).toBe(TsnVerdict.New);
  });

  it('reordering just below the first TSN seen is not "old"', () => {
    const w = new TsnWindow();
    expect(w.check(5000)).toBe(TsnVerdict.New);
    expect(w.check(4990)).toBe(TsnVerdict.New);
    expect(w.check(4990)).toBe(TsnVerdict.Duplicate);
  });

  it('startAt(Initial TSN): earlier TSNs are old (duplicates), later new', () => {
    const w = new TsnWindow();
    w.startAt(700);
    expect(w.check(699)).toBe(TsnVerdict.Duplicate);
    expect(w.check(700)).toBe(TsnVerdict.New);
    expect(w.check(700 + TSN_WINDOW - 1)).toBe(TsnVerdict.New);
  });

  it('slides forward; TSNs left behind count as old', () => {
    const w = new TsnWindow();
    w.startAt(0);
    for (let t = 0; t < 3 * TSN_WINDOW; t++) expect(w.check(t)).toBe(TsnVerdict.New);
    expect(w.check(3 * TSN_WINDOW - 1)).toBe(TsnVerdict.Duplicate); // in the window
    expect(w.check(10)).toBe(TsnVerdict.Duplicate); // below the base
    expect(w.check(3 * TSN_WINDOW + 100_000)).toBe(TsnVerdict.New); // big jump: window cleared
    expect(w.check(3 * TSN_WINDOW + 100_000 - 5)).toBe(TsnVerdict.New);
  });

  it('wraps around 2^32', () => {
    const w = new TsnWindow();
    for (const t of [0xfffffffe, 0xffffffff, 0, 1]) expect(w.check(t)).toBe(TsnVerdict.New);
    for (const t of [0xfffffffe, 0xffffffff, 0, 1]) expect(w.check(t)).toBe(TsnVerdict.Duplicate);
  });

  it(`far backwards (> ${TSN_RESYNC_DISTANCE} below the base) resynchronises`, () => {
    const w = new TsnWindow();
    w.startAt(1_000_000);
    expect(w.check(1_000_000)).toBe(TsnVerdict.New);
    expect(w.check(1_000_000 - TSN_RESYNC_DISTANCE)).toBe(TsnVerdict.Duplicate);
    expect(w.check(1_000_000 - TSN_RESYNC_DISTANCE - 1)).toBe(TsnVerdict.Resync);
    expect(w.check(1_000_000 - TSN_RESYNC_DISTANCE)).toBe(TsnVerdict.New);
  });

  it('reset() forgets', () => {
    const w = new TsnWindow();
    w.check(42);
    w.reset();
    expect(w.check(42)).toBe(TsnVerdict.New);
  });

  it('property: with lag < window, Duplicate iff seen before (200k TSNs with retransmissions)', () => {
    const rng = new Prng(0x75);
    const w = new TsnWindow();
    const seen = new Set<number>();
    let next = 0xffffff00; // crosses the wrap
    for (let i = 0; i < 200_000; i++) {
      let t: number;
      if (rng.int(5) === 0 && seen.size > 0) t = (next - 1 - rng.int(Math.min(2000, seen.size))) >>> 0;
      else if (rng.int(10) === 0) t = (next + rng.int(50)) >>> 0; // ahead (gap, later filled)
      else t = next;
      if (t === next) next = (next + 1) >>> 0;
      const want = seen.has(t) ? TsnVerdict.Duplicate : TsnVerdict.New;
      const got = w.check(t);
      if (got !== want) throw new Error(`at ${i}: tsn ${t} got ${got} want ${want}`);
      seen.add(t);
      if (seen.size > 8000) {
        // forget what left the window (kept small: the property holds within TSN_WINDOW)
        for (const s of seen) if (((next - s) >>> 0) > 3000 && ((next - s) >>> 0) < 0x80000000) seen.delete(s);
      }
    }
    expect(seen.size).toBeGreaterThan(0);
  });
});
