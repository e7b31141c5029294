/** Generator internals: time-ordered heap, transaction-id allocation, the simulated world. */
import { describe, expect, it } from 'vitest';
import { TimeHeap } from '../../../src/gen/map/heap';
import { TidRegistry } from '../../../src/gen/map/tids';
import { buildWorld, COUNTRIES, e214Gt, newImsi, newMsisdn, NetNode, TID_RESERVED_BASE } from '../../../src/gen/map/topology';
import { Prng } from '../../../src/gen/prng';

describe('TimeHeap', () => {
  it('pops by time, then by insertion order', () => {
    const h = new TimeHeap<{ t: number; seq: number; v: string }>();
    const rng = new Prng(1);
    const items = Array.from({ length: 2000 }, (_, i) => ({ t: rng.int(50), seq: i, v: `x${i}` }));
    for (const x of items) h.push(x);
    const out: typeof items = [];
    for (let x = h.pop(); x; x = h.pop()) out.push(x);
    const sorted = [...items].sort((a, b) => a.t - b.t || a.seq - b.seq);
    expect(out.map((x) => x.v)).toEqual(sorted.map((x) => x.v));
  });
});

describe('Prng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const sa = Array.from({ length: 8 }, () => a.u32());
    expect(Array.from({ length: 8 }, () => b.u32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.u32())).not.toEqual(sa);
    expect(new Prng(7).digits(25)).toMatch(/^\d{25}$/);
  });
});

describe('TidRegistry', () => {
  const node = (tidLen: number, tidNext: number) => ({ tidLen, tidNext }) as NetNode;

  it('1-octet ids wrap around and are reused once released', () => {
    const r = new TidRegistry();
    const n = node(1, 254);
    expect([r.allocate(n, 10, 0), r.allocate(n, 10, 0), r.allocate(n, 10, 0)]).toEqual([254, 255, 0]);
    r.release(10, 254);
    for (let i = 1; i < 254; i++) r.allocate(n, 10, 0); // ids 1..253
    expect(r.allocate(n, 10, 0)).toBe(254); // 255 and 0 are still busy, 254 was released
  });

  it('skips ids in use at the same point code, not at another one', () => {
    const r = new TidRegistry();
    r.reserve(10, 5);
    expect(r.allocate(node(2, 5), 10, 0)).toBe(6);
    expect(r.allocate(node(2, 5), 11, 0)).toBe(5);
    expect(r.collisionsAvoided).toBe(1);
  });

  it('keeps an unanswered dialogue\'s id reserved until the hold time', () => {
    const r = new TidRegistry();
    r.reserve(1, 9);
    r.release(1, 9, 1_000);
    expect(r.isFree(1, 9, 999)).toBe(false);
    expect(r.isFree(1, 9, 1_000)).toBe(true);
  });

  it('never hands out the range reserved for pre-capture dialogues', () => {
    const r = new TidRegistry();
    const n = node(4, TID_RESERVED_BASE - 1);
    expect(r.allocate(n, 1, 0)).toBe(TID_RESERVED_BASE - 1);
    expect(r.allocate(n, 1, 0)).toBe(0);
  });
});

describe('world', () => {
  const w = buildWorld(new Prng(3));

  it('has operators of the nine countries with E.164 GTs of their CC+NDC', () => {
    expect(new Set(w.operators.map((o) => o.cc))).toEqual(new Set(['44', '49', '34', '31', '52', '55', '1', '57', '58']));
    for (const n of w.nodes) {
      expect(n.gt.startsWith(n.op.cc + n.op.ndc)).toBe(true);
      const c = COUNTRIES.find((x) => x.iso === n.op.iso)!;
      expect(n.gt.length).toBe(n.op.cc.length + c.nsnLen);
    }
    expect(new Set(w.nodes.map((n) => n.tidLen))).toEqual(new Set([1, 2, 3, 4]));
    expect(w.stps.length).toBeGreaterThan(1);
    expect(new Set(w.assocs.map((a) => a.ip4[0].toString('hex'))).size).toBe(w.assocs.length); // distinct IP pairs
  });

  it('IMSIs carry the operator MCC/MNC; E.214 GT = CC + NDC + MSIN (<= 15 digits)', () => {
    const rng = new Prng(9);
    for (const op of w.operators) {
      const imsi = newImsi(rng, op);
      expect(imsi).toMatch(/^\d{15}$/);
      expect(imsi.startsWith(op.mcc + op.mnc)).toBe(true);
      const mgt = e214Gt(op, imsi);
      expect(mgt.startsWith(op.cc + op.ndc)).toBe(true);
      expect(mgt.length).toBeLessThanOrEqual(15);
      expect(newMsisdn(rng, op).startsWith(op.cc + op.ndc)).toBe(true);
    }
    const mccs = new Set(w.operators.map((o) => o.mcc));
    expect(mccs).toEqual(new Set(['234', '235', '262', '214', '204', '334', '724', '310', '732', '734']));
  });
});
