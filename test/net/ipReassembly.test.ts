import { describe, expect, it } from 'vitest';
import {
  IP_REASSEMBLY_ANOMALY_NAMES, IpReassembler, IpReassemblyAnomaly, IpReassemblyLimits,
} from '../../src/net/ipReassembly';
import { decodeIpv4 } from '../../src/net/ipv4';
import { decodeIpv6 } from '../../src/net/ipv6';
import { createIpView } from '../../src/net/types';
import { fragHeader, ipv4, ipv6, Prng, V4Opts } from './packets';

const LIMITS: IpReassemblyLimits = { maxDatagrams: 16, maxBytesPerDatagram: 65535, maxTotalBytes: 1 << 20, timeoutUs: 30_000_000 };

/** Payload whose byte at p is a function of (id, p): any reassembly can be checked. */
function pattern(id: number, len: number): Buffer {
  const b = Buffer.alloc(len);
  for (let p = 0; p < len; p++) b[p] = (id * 31 + p * 7 + (p >> 8)) & 0xff;
  return b;
}

/** IPv4 fragment packet of `data` [off, off + len). */
function frag4(data: Buffer, off: number, len: number, more: boolean, o: V4Opts = {}): Buffer {
  return ipv4(data.subarray(off, off + len), { id: 0x4242, proto: 17, ...o, offset: off, mf: more });
}

describe('IpReassembler (IPv4, RFC 791)', () => {
  const data = pattern(1, 3000);
  const fr = [frag4(data, 0, 1480, true), frag4(data, 1480, 1480, true), frag4(data, 2960, 40, false)];

  function feed(r: IpReassembler, pkt: Buffer, ts = 0): { code: number; v: ReturnType<typeof createIpView> } {
    const v = createIpView();
    expect(decodeIpv4(pkt, 0, pkt.length, v)).toBe(0);
    expect(v.isFragment).toBe(true);
    return { code: r.add(v, ts), v };
  }

  it('in order: completes on the last fragment with the original payload', () => {
    const r = new IpReassembler(LIMITS);
    expect(feed(r, fr[0]).code).toBe(IpReassemblyAnomaly.Ok);
    expect(r.counters.datagrams).toBe(1);
    expect(feed(r, fr[1]).v.reassembled).toBe(false);
    const { code, v } = feed(r, fr[2]);
    expect(code).toBe(IpReassemblyAnomaly.Ok);
    expect(v.reassembled).toBe(true);
    expect(v.isFragment).toBe(false);
    expect(v.proto).toBe(17);
    expect(v.buf.subarray(v.start, v.end).equals(data)).toBe(true);
    expect(v.src4).toBe(0x0a000001); // addresses still those of the packet
    expect(r.counters).toMatchObject({ completed: 1, datagrams: 0, bytesHeld: 0 });
  });

  it('out of order (last, first, middle) completes on the middle fragment', () => {
    const r = new IpReassembler(LIMITS);
    expect(feed(r, fr[2]).v.reassembled).toBe(false);
    expect(feed(r, fr[0]).v.reassembled).toBe(false);
    const { v } = feed(r, fr[1]);
    expect(v.reassembled).toBe(true);
    expect(v.buf.subarray(v.start, v.end).equals(data)).toBe(true);
  });

  it('duplicated fragment: dropped and counted, datagram kept', () => {
    const r = new IpReassembler(LIMITS);
    feed(r, fr[0]);
    expect(feed(r, fr[0]).code).toBe(IpReassemblyAnomaly.Duplicate);
    // a piece inside data already held is a duplicate too
    expect(feed(r, frag4(data, 8, 16, true)).code).toBe(IpReassemblyAnomaly.Duplicate);
    feed(r, fr[1]);
    expect(feed(r, fr[2]).v.reassembled).toBe(true);
    expect(r.counters).toMatchObject({ duplicates: 2, completed: 1 });
    expect(IP_REASSEMBLY_ANOMALY_NAMES[IpReassemblyAnomaly.Duplicate]).toBe('duplicate');
  });

  it('overlapping fragment discards the datagram (RFC 5722 / Linux policy), counted', () => {
    const r = new IpReassembler(LIMITS);
    feed(r, fr[0]);
    expect(feed(r, frag4(data, 1000, 1480, true)).code).toBe(IpReassemblyAnomaly.Overlap);
    expect(r.counters).toMatchObject({ overlap: 1, datagrams: 0, bytesHeld: 0 });
    // the rest starts a new datagram that never completes: expired later
    feed(r, fr[1], 10);
    feed(r, fr[2], 20);
    expect(r.counters.datagrams).toBe(1);
    r.expire(10 + LIMITS.timeoutUs - 1);
    expect(r.counters.expired).toBe(0);
    r.expire(10 + LIMITS.timeoutUs);
    expect(r.counters).toMatchObject({ expired: 1, datagrams: 0, completed: 0, bytesHeld: 0 });
  });

  it('never completed: expiry counted by packet time', () => {
    const r = new IpReassembler(LIMITS);
    feed(r, fr[0], 1_000_000);
    feed(r, frag4(data, 0, 1480, true, { id: 7 }), 2_000_000);
    r.expire(31_000_000);
    expect(r.counters).toMatchObject({ expired: 1, datagrams: 1 });
    r.expire(32_000_000);
    expect(r.counters).toMatchObject({ expired: 2, datagrams: 0, bytesHeld: 0 });
  });

  it('bad length, too big, inconsistent last fragment', () => {
    const r = new IpReassembler({ ...LIMITS, maxBytesPerDatagram: 4000 });
    expect(feed(r, frag4(data, 0, 1001, true)).code).toBe(IpReassemblyAnomaly.BadLength); // MF, not ×8
    const big = ipv4(Buffer.alloc(100), { id: 9, offset: 3960, mf: false });
    expect(feed(r, big).code).toBe(IpReassemblyAnomaly.TooBig);
    feed(r, fr[2]); // end 3000
    expect(feed(r, frag4(data, 1480, 1480, false)).code).toBe(IpReassemblyAnomaly.Inconsistent); // end 2960
    expect(r.counters).toMatchObject({ badLength: 1, tooBig: 1, inconsistent: 1, datagrams: 0 });
    feed(r, fr[2]);
    expect(feed(r, frag4(pattern(1, 4000), 2960, 80, true)).code).toBe(IpReassemblyAnomaly.Inconsistent); // past the end
  });

  it('key includes protocol and addresses', () => {
    const r = new IpReassembler(LIMITS);
    feed(r, fr[0]);
    feed(r, frag4(data, 1480, 1480, true, { proto: 6 }));
    feed(r, frag4(data, 2960, 40, false, { src: '10.9.9.9' }));
    expect(r.counters.datagrams).toBe(3);
  });

  it('maxDatagrams: the oldest is evicted (evicted_limit)', () => {
    const r = new IpReassembler({ ...LIMITS, maxDatagrams: 4 });
    for (let id = 0; id < 4; id++) expect(feed(r, frag4(data, 0, 8, true, { id })).code).toBe(IpReassemblyAnomaly.Ok);
    expect(feed(r, frag4(data, 0, 8, true, { id: 99 })).code).toBe(IpReassemblyAnomaly.EvictedLimit);
    expect(r.counters).toMatchObject({ evictedLimit: 1, datagrams: 4 });
    // id 0 was the oldest: its last fragment now starts a new datagram
    expect(feed(r, frag4(data, 8, 8, false, { id: 0 })).v.reassembled).toBe(false);
    expect(feed(r, frag4(data, 8, 8, false, { id: 3 })).v.reassembled).toBe(true);
  });

  it('maxTotalBytes: buffers never exceed it; older datagrams are evicted for room', () => {
    const r = new IpReassembler({ ...LIMITS, maxTotalBytes: 16384 });
    const big = pattern(3, 12000);
    feed(r, frag4(big, 0, 8, true, { id: 1 }));
    feed(r, frag4(big, 0, 8, true, { id: 2 }));
    expect(r.counters.bytesHeld).toBe(4096);
    feed(r, frag4(big, 8000, 1480, true, { id: 3 })); // needs a 16 KiB buffer: both others go
    expect(r.counters.bytesHeld).toBeLessThanOrEqual(16384);
    expect(r.counters.evictedLimit).toBe(2);
    expect(r.counters.datagrams).toBe(1);
  });

  it('IPv6 fragments: proto from the offset-0 fragment, key without proto', () => {
    const r = new IpReassembler(LIMITS);
    const payload = pattern(6, 200);
    const p1 = ipv6(44, Buffer.concat([fragHeader(132, 0, true, 77), payload.subarray(0, 104)]));
    const p2 = ipv6(44, Buffer.concat([fragHeader(17, 104, false, 77), payload.subarray(104)])); // different NH: ignored
    const v = createIpView();
    expect(decodeIpv6(p2, 0, p2.length, v)).toBe(0);
    expect(r.add(v, 0)).toBe(0);
    expect(decodeIpv6(p1, 0, p1.length, v)).toBe(0);
    expect(r.add(v, 0)).toBe(0);
    expect(v.reassembled).toBe(true);
    expect(v.proto).toBe(132);
    expect(v.buf.subarray(v.start, v.end).equals(payload)).toBe(true);
  });
});

describe('IpReassembler: fuzz', () => {
  it('120k fragments (shuffled, duplicated, overlapping, lost, garbage): bounded memory, correct payloads', () => {
    const limits: IpReassemblyLimits = { maxDatagrams: 32, maxBytesPerDatagram: 65535, maxTotalBytes: 256 * 1024, timeoutUs: 50_000 };
    const r = new IpReassembler(limits);
    const rng = new Prng(0x1b);
    const v = createIpView();
    const pats: Buffer[] = [];
    for (let id = 0; id < 64; id++) pats.push(pattern(id, 70_000));
    const queue: Buffer[] = [];
    /** One datagram cut into fragments, shuffled, with accidents. */
    const datagram = (): void => {
      const id = rng.int(64);
      const total = 1 + rng.int(rng.int(10) === 0 ? 60_000 : 4000);
      const frags: Buffer[] = [];
      for (let off = 0; off < total; ) {
        const len = Math.min(total - off, 8 * (1 + rng.int(190)));
        frags.push(ipv4(pats[id].subarray(off, off + len), { id, proto: 17, offset: off, mf: off + len < total }));
        off += len;
      }
      if (rng.int(5) === 0) frags.push(frags[rng.int(frags.length)]); // duplicate
      if (rng.int(8) === 0) {
        const off = 8 * rng.int(Math.ceil(total / 8));
        frags.push(ipv4(pats[id].subarray(off, off + 8 * (1 + rng.int(40))), { id, proto: 17, offset: off, mf: true })); // overlap
      }
      if (rng.int(10) === 0) frags.splice(rng.int(frags.length), 1); // lost: never completes
      for (let i = frags.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [frags[i], frags[j]] = [frags[j], frags[i]];
      }
      for (const f of frags) queue.splice(queue.length - rng.int(Math.min(queue.length, 20) + 1), 0, f);
    };
    let fed = 0;
    let ts = 0;
    let completedChecked = 0;
    while (fed < 120_000) {
      if (queue.length < 50) datagram();
      let pkt = queue.shift() as Buffer;
      if (rng.int(20) === 0) {
        // garbage: mutated bytes anywhere, under an id outside the checked range
        pkt = rng.mutate(pkt);
        if (pkt.length >= 6) pkt.writeUInt16BE(1000 + rng.int(100), 4);
      }
      fed++;
      ts += rng.int(30);
      if (decodeIpv4(pkt, 0, pkt.length, v) > 1 || !v.isFragment) continue;
      const id = v.fragId;
      const code = r.add(v, ts);
      if (code < 0 || code >= IP_REASSEMBLY_ANOMALY_NAMES.length) throw new Error(`bad code ${code}`);
      if (v.reassembled && v.proto === 17 && id < 64) {
        if (!v.buf.subarray(v.start, v.end).equals(pats[id].subarray(0, v.end - v.start))) throw new Error(`wrong reassembly at ${fed}`);
        completedChecked++;
      }
      const c = r.counters;
      if (c.bytesHeld > limits.maxTotalBytes || c.datagrams > limits.maxDatagrams || c.bytesHeld < 0) {
        throw new Error(`limits exceeded at ${fed}: ${c.bytesHeld} ${c.datagrams}`);
      }
      if (fed % 500 === 0) r.expire(ts);
    }
    const c = r.counters;
    expect(completedChecked).toBeGreaterThan(1000);
    expect(c.completed).toBeGreaterThanOrEqual(completedChecked);
    expect(c.overlap).toBeGreaterThan(0);
    expect(c.duplicates).toBeGreaterThan(0);
    expect(c.expired + c.evictedLimit).toBeGreaterThan(0);
    r.expire(ts + limits.timeoutUs);
    expect(r.counters).toMatchObject({ datagrams: 0, bytesHeld: 0 });
  });
});
