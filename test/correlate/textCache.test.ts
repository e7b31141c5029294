import { describe, expect, it } from 'vitest';
import { TextCache } from '../../src/correlate/textCache';

describe('TextCache', () => {
  it('returns the same string for the same bytes, wherever they are', () => {
    const c = new TextCache();
    const a = Buffer.from('xxhss.home.netyy');
    const b = Buffer.from('hss.home.net');
    const s1 = c.get(a, 2, 14);
    expect(s1).toBe('hss.home.net');
    expect(c.get(b, 0, b.length)).toBe(s1);
    expect(c.get(Buffer.from('hss.home.nex'), 0, 12)).toBe('hss.home.nex');
    expect(c.get(a, -1, -1)).toBeNull();
    expect(c.get(a, 0, 99)).toBeNull();
  });

  it('is bounded (cleared when full) and does not cache long values', () => {
    const c = new TextCache(4, 8);
    for (let i = 0; i < 10; i++) expect(c.get(Buffer.from(`h${i}`), 0, 2)).toBe(`h${i}`);
    expect(c.get(Buffer.from('a-much-longer-name'), 0, 18)).toBe('a-much-longer-name');
    expect((c as unknown as { size: number }).size).toBeLessThanOrEqual(4);
  });
});
