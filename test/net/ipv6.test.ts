import { describe, expect, it } from 'vitest';
import { decodeIpv6, IPV6_ANOMALY_NAMES, Ipv6Anomaly, MAX_IPV6_EXT_HEADERS } from '../../src/net/ipv6';
import { createIpView } from '../../src/net/types';
import { extHeader, fragHeader, hex, ipv6, Prng } from './packets';

const v = createIpView();

describe('decodeIpv6: annotated vectors', () => {
  it('fixed header + SCTP', () => {
    const p = hex(
      '6', '00', '00000', //                   version 6, traffic class 0, flow label 0
      '000c', //                               Payload Length 12
      '84', //                                 Next Header 132 (SCTP)
      '40', //                                 Hop Limit 64
      '20010db8000000000000000000000001', //   source 2001:db8::1
      '20010db8000000000000000000000002', //   destination 2001:db8::2
      '0b5a 0b59 00000001 00000000', //        SCTP common header 2906 → 2905
    );
    expect(decodeIpv6(p, 0, p.length, v)).toBe(Ipv6Anomaly.Ok);
    expect([v.version, v.proto, v.ttl, v.start, v.end, v.extCount, v.isFragment]).toEqual([6, 132, 64, 40, 52, 0, false]);
    expect([v.srcOff, v.dstOff, v.src4, v.dst4]).toEqual([8, 24, 0, 0]);
    expect(v.addrBuf.subarray(v.srcOff, v.srcOff + 16).toString('hex')).toBe('20010db8000000000000000000000001');
  });

  it('Hop-by-Hop + Destination Options + Fragment header: stops at the fragment', () => {
    const rest = Buffer.concat([
      hex('3c 00 0104 00000000'), // HBH: next 60 (DstOpts), len 0 (8 octets), PadN 4
      hex('2c 00 0104 00000000'), // DstOpts: next 44 (Fragment), 8 octets
      hex(
        '84', //       Fragment: next header 132 (SCTP)
        '00', //       reserved
        '0009', //     offset 1 (×8 = 8 octets), M = 1
        'cafebabe', // Identification
      ),
      Buffer.alloc(16),
    ]);
    const p = ipv6(0, rest);
    expect(decodeIpv6(p, 0, p.length, v)).toBe(Ipv6Anomaly.Ok);
    expect([v.proto, v.start, v.end, v.extCount]).toEqual([132, 64, 80, 3]);
    expect([v.isFragment, v.fragOffset, v.moreFragments, v.fragId]).toEqual([true, 8, true, 0xcafebabe]);
  });

  it('atomic fragment (offset 0, M 0, RFC 6946) is a whole datagram: the walk continues', () => {
    const p = ipv6(44, Buffer.concat([fragHeader(60, 0, false, 5), extHeader(132, 2), Buffer.alloc(4)]));
    expect(decodeIpv6(p, 0, p.length, v)).toBe(Ipv6Anomaly.Ok);
    expect([v.isFragment, v.proto, v.start, v.extCount]).toEqual([false, 132, 40 + 8 + 16, 2]);
  });

  it('Routing and AH lengths', () => {
    const ah = hex('84', '04', '0000', '00000100', '00000001', '000000000000000000000000'); // AH: next 132, len (4+2)*4 = 24, SPI, seq, ICV(12)
    const p = ipv6(43, Buffer.concat([extHeader(51, 3), ah, Buffer.alloc(8)]));
    expect(decodeIpv6(p, 0, p.length, v)).toBe(Ipv6Anomaly.Ok);
    expect([v.proto, v.start, v.extCount]).toEqual([132, 40 + 24 + 24, 2]);
  });

  it('ESP: encrypted; No Next Header: empty payload', () => {
    const esp = ipv6(60, Buffer.concat([extHeader(50), hex('00000001 00000001 abcdef')]));
    expect(decodeIpv6(esp, 0, esp.length, v)).toBe(Ipv6Anomaly.Encrypted);
    expect(IPV6_ANOMALY_NAMES[Ipv6Anomaly.Encrypted]).toBe('encrypted');
    const none = ipv6(59, hex('00000000'));
    expect(decodeIpv6(none, 0, none.length, v)).toBe(Ipv6Anomaly.Ok);
    expect([v.proto, v.start, v.end]).toEqual([59, 40, 40]);
  });

  it('anomalies: jumbogram, bad version, misplaced HBH, too many extension headers, ext truncated', () => {
    const j = ipv6(0, Buffer.alloc(16), 0);
    expect(decodeIpv6(j, 0, j.length, v)).toBe(Ipv6Anomaly.Jumbogram);
    const bv = ipv6(132, Buffer.alloc(8));
    bv[0] = 0x40;
    expect(decodeIpv6(bv, 0, bv.length, v)).toBe(Ipv6Anomaly.BadVersion);
    const mis = ipv6(60, Buffer.concat([extHeader(0), extHeader(132), Buffer.alloc(4)]));
    expect(decodeIpv6(mis, 0, mis.length, v)).toBe(Ipv6Anomaly.MisplacedHopByHop);
    const chain: Buffer[] = [];
    for (let i = 0; i < MAX_IPV6_EXT_HEADERS; i++) chain.push(extHeader(60));
    const ok = ipv6(60, Buffer.concat([...chain.slice(0, -1), extHeader(132), Buffer.alloc(4)]));
    expect(decodeIpv6(ok, 0, ok.length, v)).toBe(Ipv6Anomaly.Ok);
    expect(v.extCount).toBe(MAX_IPV6_EXT_HEADERS);
    const many = ipv6(60, Buffer.concat([...chain, extHeader(132), Buffer.alloc(4)]));
    expect(decodeIpv6(many, 0, many.length, v)).toBe(Ipv6Anomaly.TooManyExtHeaders);
    const cut = ipv6(60, extHeader(132, 4).subarray(0, 20));
    expect(decodeIpv6(cut, 0, cut.length, v)).toBe(Ipv6Anomaly.ExtHeaderTruncated);
  });

  it('captured shorter than Payload Length: truncated, end = captured end', () => {
    const p = ipv6(132, Buffer.alloc(100));
    expect(decodeIpv6(p, 0, 60, v)).toBe(Ipv6Anomaly.Truncated);
    expect([v.start, v.end, v.proto]).toEqual([40, 60, 132]);
    const padded = Buffer.concat([ipv6(132, Buffer.alloc(4)), Buffer.alloc(10)]);
    expect(decodeIpv6(padded, 0, padded.length, v)).toBe(Ipv6Anomaly.Ok);
    expect(v.end).toBe(44);
  });
});

describe('decodeIpv6: robustness', () => {
  const sample = ipv6(0, Buffer.concat([extHeader(43), extHeader(60, 2), extHeader(44), fragHeader(132, 16, true, 9), Buffer.alloc(8)]));

  it('truncation at every byte boundary never throws and keeps offsets in range', () => {
    for (let n = 0; n <= sample.length; n++) {
      const code = decodeIpv6(sample, 0, n, v);
      expect(code).toBeGreaterThanOrEqual(0);
      expect(code).toBeLessThan(IPV6_ANOMALY_NAMES.length);
      if (n < 40) expect(code).toBe(Ipv6Anomaly.HeaderTruncated);
      expect(v.start).toBeLessThanOrEqual(v.end);
      expect(v.end).toBeLessThanOrEqual(n);
    }
  });

  it('fuzz: 120k random and mutated packets stay within [start, end]', () => {
    const rng = new Prng(0x66);
    const seeds = [sample, ipv6(132, Buffer.alloc(12)), ipv6(60, Buffer.concat([extHeader(51), hex('84020000 00000001 00000001 00000000'), Buffer.alloc(4)]))];
    for (let i = 0; i < 120_000; i++) {
      const f = i & 1 ? rng.mutate(seeds[rng.int(seeds.length)]) : Buffer.concat([hex('60'), rng.bytes(rng.int(96))]);
      const pre = rng.int(4);
      const buf = Buffer.concat([Buffer.alloc(pre), f, Buffer.alloc(5, 0xee)]);
      const end = pre + f.length;
      const code = decodeIpv6(buf, pre, end, v);
      if (code < 0 || code >= IPV6_ANOMALY_NAMES.length) throw new Error(`bad code ${code}`);
      if (v.start < pre || v.end > end || v.start > v.end) throw new Error(`offsets out of range at ${i}: ${v.start} ${v.end}`);
      if (v.extCount > MAX_IPV6_EXT_HEADERS) throw new Error('ext cap exceeded');
    }
    expect(true).toBe(true);
  });
});
