import { describe, expect, it } from 'vitest';
import { FlowDirection, FlowTable } from '../../src/net/flowTable';
import { createIpView } from '../../src/net/types';

class Dir extends FlowDirection<Dir> {}

function ip(src: number, dst: number) {
  const v = createIpView();
  v.version = 4;
  v.src4 = src;
  v.dst4 = dst;
  return v;
}

describe('FlowTable', () => {
  it('links both directions, finds the reverse, removes on request (closed), calls onRemove once', () => {
    const removed: [number, string][] = [];
    const t = new FlowTable<Dir>(10, 1000, () => new Dir(), (d, why) => removed.push([d.key, why]));
    const a = t.lookup(ip(1, 2), 10, 20, 0);
    expect(t.lookupExisting(ip(2, 1), 20, 10, 0)).toBeNull();
    expect(t.findReverse(ip(2, 1), 20, 10)).toBe(a);
    const b = t.lookup(ip(2, 1), 20, 10, 0);
    expect([a.peer, b.peer]).toEqual([b, a]);
    expect(a.key).not.toBe(b.key);
    expect(t.lookup(ip(1, 2), 10, 20, 5)).toBe(a);
    t.remove(a);
    t.remove(a); // twice: no effect
    expect(b.peer).toBeNull();
    expect(t.counters).toMatchObject({ created: 2, closed: 1, active: 1 });
    expect(removed).toEqual([[a.key, 'closed']]);
    const a2 = t.lookup(ip(1, 2), 10, 20, 6);
    expect(a2).not.toBe(a);
    expect(a2.key).toBeGreaterThan(b.key); // keys are never reused
    expect(a2.peer).toBe(b);
    t.clear();
    expect(t.counters.active).toBe(0);
  });

  it('evicts the least recently used beyond maxFlows and expires idle entries', () => {
    const removed: string[] = [];
    const t = new FlowTable<Dir>(2, 100, () => new Dir(), (_d, why) => removed.push(why));
    t.lookup(ip(1, 2), 1, 1, 0);
    t.lookup(ip(1, 3), 1, 1, 10);
    t.lookup(ip(1, 2), 1, 1, 20); // touch the first
    t.lookup(ip(1, 4), 1, 1, 30); // evicts 1→3
    expect(t.findReverse(ip(3, 1), 1, 1)).toBeNull();
    expect(t.findReverse(ip(2, 1), 1, 1)).not.toBeNull();
    t.expire(120); // 1→2 (last 20) goes, 1→4 (last 30) stays
    expect(removed).toEqual(['evicted', 'expired']);
    expect(t.counters).toMatchObject({ evicted: 1, expired: 1, active: 1 });
  });
});
