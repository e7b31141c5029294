import { describe, expect, it } from 'vitest';
import { sccpAddressKey } from '../../../src/protocols/sccp/address';
import { decodeSccp } from '../../../src/protocols/sccp/decode';
import { XudtReassembler } from '../../../src/protocols/sccp/segmentation';
import { createSccpView } from '../../../src/protocols/sccp/types';
import type { SccpView } from '../../../src/protocols/sccp/types';
import { hex } from '../../helpers/hex';
import { UDT_GT, xudtSegment } from './vectors';

const GT_A = '19896745'; // 91987654
const GT_B = '19896746'; // 91987664
const T0 = 1_700_000_000_000_000;
const TIMEOUT = 1_000_000;

/** Decodes one XUDT segment and feeds it to the reassembler keyed by the calling address. */
function feed(r: XudtReassembler, gt: string, first: boolean, remaining: number, ref: number, data: Buffer, tsUs: number): Buffer | null {
  const msg = xudtSegment(gt, first, remaining, ref, data);
  const v: SccpView = createSccpView();
  expect(decodeSccp(msg, 0, msg.length, v)).toBe(0);
  expect(v).toMatchObject({ segmented: true, segFirst: first, segRemaining: remaining, segLocalRef: ref });
  return r.add(sccpAddressKey(msg, v.calling, 20), v, msg, tsUs);
}

const SEG1 = hex('62 0b 48 04 01020304');
const SEG2 = hex('6c 03 a1 01 02');
const SEG3 = hex('ff ee');
const WHOLE = Buffer.concat([SEG1, SEG2, SEG3]);

describe('XudtReassembler (Q.714 §4.1.1.2 / 4.1.1.3)', () => {
  it('3 segments in order', () => {
    const r = new XudtReassembler(16, 4096, TIMEOUT);
    expect(feed(r, GT_A, true, 2, 0x123456, SEG1, T0)).toBeNull();
    expect(r.size).toBe(1);
    expect(feed(r, GT_A, false, 1, 0x123456, SEG2, T0 + 10)).toBeNull();
    const out = feed(r, GT_A, false, 0, 0x123456, SEG3, T0 + 20);
    expect(out).toEqual(WHOLE);
    expect(r.size).toBe(0);
    expect(r.counters).toEqual({ completed: 1, expired: 0, evicted: 0, outOfOrder: 0, tooBig: 0, superseded: 0 });
  });

  it('out of order: the early segment is counted and ignored, the message expires', () => {
    const r = new XudtReassembler(16, 4096, TIMEOUT);
    expect(feed(r, GT_A, true, 2, 7, SEG1, T0)).toBeNull();
    expect(feed(r, GT_A, false, 0, 7, SEG3, T0 + 10)).toBeNull(); // expected remaining 1
    expect(feed(r, GT_A, false, 1, 7, SEG2, T0 + 20)).toBeNull(); // in sequence after SEG1
    expect(r.counters.outOfOrder).toBe(1);
    expect(r.size).toBe(1);
    r.expire(T0 + TIMEOUT); // not yet: exactly the timeout
    expect(r.size).toBe(1);
    r.expire(T0 + TIMEOUT + 1);
    expect(r.size).toBe(0);
    expect(r.counters).toMatchObject({ completed: 0, expired: 1, outOfOrder: 1 });
  });

  it('one segment missing: counted at the last segment, dropped at expiry', () => {
    const r = new XudtReassembler(16, 4096, TIMEOUT);
    feed(r, GT_A, true, 2, 7, SEG1, T0);
    expect(feed(r, GT_A, false, 0, 7, SEG3, T0 + 10)).toBeNull();
    r.expire(T0 + 2 * TIMEOUT);
    expect(r.counters).toMatchObject({ completed: 0, expired: 1, outOfOrder: 1 });
  });

  it('last segment missing, then the next message from the same sender: superseded', () => {
    const r = new XudtReassembler(16, 4096, TIMEOUT);
    feed(r, GT_A, true, 2, 7, SEG1, T0);
    feed(r, GT_A, false, 1, 7, SEG2, T0 + 1);
    expect(feed(r, GT_A, true, 1, 7, SEG1, T0 + 2)).toBeNull();
    expect(feed(r, GT_A, false, 0, 7, SEG3, T0 + 3)).toEqual(Buffer.concat([SEG1, SEG3]));
    expect(r.counters).toMatchObject({ completed: 1, superseded: 1, expired: 0 });
  });

  it('two interleaved messages from different calling GTs with the same local reference', () => {
    const r = new XudtReassembler(16, 4096, TIMEOUT);
    const b1 = hex('aa01');
    const b2 = hex('aa02');
    const b3 = hex('aa03');
    expect(feed(r, GT_A, true, 2, 0x42, SEG1, T0)).toBeNull();
    expect(feed(r, GT_B, true, 2, 0x42, b1, T0 + 1)).toBeNull();
    expect(r.size).toBe(2);
    expect(feed(r, GT_A, false, 1, 0x42, SEG2, T0 + 2)).toBeNull();
    expect(feed(r, GT_B, false, 1, 0x42, b2, T0 + 3)).toBeNull();
    expect(feed(r, GT_B, false, 0, 0x42, b3, T0 + 4)).toEqual(hex('aa01 aa02 aa03'));
    expect(feed(r, GT_A, false, 0, 0x42, SEG3, T0 + 5)).toEqual(WHOLE);
    expect(r.counters).toMatchObject({ completed: 2, outOfOrder: 0 });
  });

  it('a segment without its first segment is out of order', () => {
    const r = new XudtReassembler(16, 4096, TIMEOUT);
    expect(feed(r, GT_A, false, 1, 9, SEG2, T0)).toBeNull();
    expect(r.counters.outOfOrder).toBe(1);
    expect(r.size).toBe(0);
  });

  it('a single-segment message is returned at once, as a copy the caller owns', () => {
    const r = new XudtReassembler(16, 4096, TIMEOUT);
    const msg = xudtSegment(GT_A, true, 0, 1, SEG1);
    const v = createSccpView();
    decodeSccp(msg, 0, msg.length, v);
    const out = r.add('k', v, msg, T0);
    expect(out).toEqual(SEG1);
    msg.fill(0);
    expect(out).toEqual(SEG1);
    expect(r.counters.completed).toBe(1);
  });

  it('segments are copied: the caller may reuse its buffer', () => {
    const r = new XudtReassembler(16, 4096, TIMEOUT);
    const v = createSccpView();
    const m1 = xudtSegment(GT_A, true, 1, 3, SEG1);
    decodeSccp(m1, 0, m1.length, v);
    r.add('k', v, m1, T0);
    m1.fill(0x55);
    const m2 = xudtSegment(GT_A, false, 0, 3, SEG2);
    decodeSccp(m2, 0, m2.length, v);
    expect(r.add('k', v, m2, T0)).toEqual(Buffer.concat([SEG1, SEG2]));
  });

  it('maxMessages: the oldest incomplete message is evicted', () => {
    const r = new XudtReassembler(2, 4096, TIMEOUT);
    feed(r, GT_A, true, 1, 1, SEG1, T0);
    feed(r, GT_A, true, 1, 2, SEG1, T0 + 1);
    feed(r, GT_A, true, 1, 3, SEG1, T0 + 2);
    expect(r.size).toBe(2);
    expect(r.counters.evicted).toBe(1);
    expect(feed(r, GT_A, false, 0, 1, SEG2, T0 + 3)).toBeNull(); // ref 1 was evicted
    expect(feed(r, GT_A, false, 0, 3, SEG2, T0 + 4)).toEqual(Buffer.concat([SEG1, SEG2]));
    expect(r.counters).toMatchObject({ evicted: 1, outOfOrder: 1, completed: 1 });
    const none = new XudtReassembler(0, 4096, TIMEOUT);
    expect(feed(none, GT_A, true, 1, 1, SEG1, T0)).toBeNull();
    expect(none.size).toBe(0);
    expect(none.counters.evicted).toBe(1);
  });

  it('maxBytes: a message growing past it is dropped', () => {
    const r = new XudtReassembler(16, SEG1.length + SEG2.length, TIMEOUT);
    feed(r, GT_A, true, 2, 1, SEG1, T0);
    feed(r, GT_A, false, 1, 1, SEG2, T0);
    expect(feed(r, GT_A, false, 0, 1, SEG3, T0)).toBeNull();
    expect(r.counters).toMatchObject({ tooBig: 1, completed: 0 });
    expect(r.size).toBe(0);
    const tiny = new XudtReassembler(16, 4, TIMEOUT);
    expect(feed(tiny, GT_A, true, 1, 1, SEG1, T0)).toBeNull();
    expect(tiny.counters.tooBig).toBe(1);
  });

  it('a segment arriving after the timeout expires its message first', () => {
    const r = new XudtReassembler(16, 4096, TIMEOUT);
    feed(r, GT_A, true, 1, 1, SEG1, T0);
    expect(feed(r, GT_A, false, 0, 1, SEG2, T0 + TIMEOUT + 1)).toBeNull();
    expect(r.counters).toMatchObject({ expired: 1, outOfOrder: 1, completed: 0 });
  });

  it('expire walks oldest first and stops at the first live message', () => {
    const r = new XudtReassembler(16, 4096, TIMEOUT);
    feed(r, GT_A, true, 1, 1, SEG1, T0);
    feed(r, GT_A, true, 1, 2, SEG1, T0 + 500_000);
    r.expire(T0 + TIMEOUT + 1);
    expect(r.size).toBe(1);
    expect(feed(r, GT_A, false, 0, 2, SEG2, T0 + TIMEOUT + 2)).toEqual(Buffer.concat([SEG1, SEG2]));
  });

  it('ignores a message without segmentation', () => {
    const r = new XudtReassembler(16, 4096, TIMEOUT);
    const v = createSccpView();
    decodeSccp(UDT_GT, 0, UDT_GT.length, v);
    expect(r.add('k', v, UDT_GT, T0)).toBeNull();
    expect(r.size).toBe(0);
    expect(Object.values(r.counters).every((c) => c === 0)).toBe(true);
  });
});
