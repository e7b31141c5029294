import { describe, expect, it } from 'vitest';
import { LruList, type LruNode } from '../../src/correlate/lru';

class N implements LruNode {
  lruPrev: LruNode | null = null;
  lruNext: LruNode | null = null;
  lastUs = 0;
  constructor(readonly id: number) {}
}

function ids(l: LruList<N>): number[] {
  const out: number[] = [];
  for (let n = l.head; n; n = n.lruNext as N | null) out.push(n.id);
  return out;
}

describe('LruList', () => {
  it('keeps least recently touched at the head', () => {
    const l = new LruList<N>();
    const a = new N(1), b = new N(2), c = new N(3);
    l.push(a); l.push(b); l.push(c);
    expect(ids(l)).toEqual([1, 2, 3]);
    l.touch(a, 10);
    expect(ids(l)).toEqual([2, 3, 1]);
    expect(a.lastUs).toBe(10);
    l.remove(c);
    expect(ids(l)).toEqual([2, 1]);
    expect(l.size).toBe(2);
    l.remove(c); // not linked: no-op
    expect(l.size).toBe(2);
    l.remove(b); l.remove(a);
    expect(l.head).toBeNull();
    expect(l.tail).toBeNull();
    expect(l.size).toBe(0);
  });
});
