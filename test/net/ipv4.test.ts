import { describe, expect, it } from 'vitest';
import { decodeIpv4, IPV4_ANOMALY_NAMES, Ipv4Anomaly, ipv4HeaderChecksumOk } from '../../src/net/ipv4';
import { createIpView } from '../../src/net/types';
import { capture, hex, ipv4, Prng } from './packets';

const v = createIpView();

describe('decodeIpv4: annotated vectors', () => {
  it('zeek/sctp.pcap frame 6 header (checked against tshark -V)', () => {
    const pkt = hex(
      '45', //       version 4, IHL 5 (20 octets)
      '00', //       DSCP 0, ECN 0
      '0450', //     Total Length 1104
      'b0ef', //     Identification 0xb0ef
      '0000', //     flags 0, fragment offset 0
      '80', //       TTL 128
      '84', //       Protocol 132 (SCTP)
      'afa8', //     Header Checksum 0xafa8 (tshark: good)
      'c0a8aa38', // source 192.168.170.56
      'c0a8aa08', // destination 192.168.170.8
    );
    const buf = Buffer.concat([pkt, Buffer.alloc(1104 - 20)]);
    expect(decodeIpv4(buf, 0, buf.length, v)).toBe(Ipv4Anomaly.Ok);
    expect(v.version).toBe(4);
    expect(v.proto).toBe(132);
    expect(v.ttl).toBe(128);
    expect(v.fragId).toBe(0xb0ef);
    expect(v.isFragment).toBe(false);
    expect(v.src4).toBe(0xc0a8aa38);
    expect(v.dst4).toBe(0xc0a8aa08);
    expect([v.srcOff, v.dstOff]).toEqual([12, 16]);
    expect([v.start, v.end]).toEqual([20, 1104]);
    expect(ipv4HeaderChecksumOk(buf, 0, 20)).toBe(true);
    buf[10] ^= 1;
    expect(ipv4HeaderChecksumOk(buf, 0, 20)).toBe(false);
  });

  it('options are skipped (IHL 7)', () => {
    const opts = hex('94040000', '01010100'); // Router Alert (RFC 2113) + NOP NOP NOP EOL
    const p = ipv4(hex('deadbeef'), { options: opts });
    expect(p[0]).toBe(0x47);
    expect(decodeIpv4(p, 0, p.length, v)).toBe(Ipv4Anomaly.Ok);
    expect([v.start, v.end]).toEqual([28, 32]);
    expect(ipv4HeaderChecksumOk(p, 0, 28)).toBe(true);
  });

  it('fragment fields: MF and offset', () => {
    const first = ipv4(Buffer.alloc(16), { id: 0xabcd, mf: true, offset: 0, proto: 17 });
    expect(decodeIpv4(first, 0, first.length, v)).toBe(Ipv4Anomaly.Ok);
    expect([v.isFragment, v.moreFragments, v.fragOffset, v.fragId]).toEqual([true, true, 0, 0xabcd]);
    const last = hex(
      '45 00 0024', // IHL 5, Total Length 36
      'abcd', //       Identification
      '0172', //       flags 0 (MF clear), Fragment Offset 0x172 = 370 units = 2960 octets
      '40 11 0000 0a000001 0a000002',
    );
    const buf = Buffer.concat([last, Buffer.alloc(16)]);
    expect(decodeIpv4(buf, 0, buf.length, v)).toBe(Ipv4Anomaly.Ok);
    expect([v.isFragment, v.moreFragments, v.fragOffset]).toEqual([true, false, 2960]);
  });

  it('trusts min(Total Length, captured): Ethernet padding trimmed, snaplen cut = truncated', () => {
    const p = ipv4(hex('01020304'));
    const padded = Buffer.concat([p, Buffer.alloc(22)]); // short frame padded to 46 octets
    expect(decodeIpv4(padded, 0, padded.length, v)).toBe(Ipv4Anomaly.Ok);
    expect(v.end).toBe(24);
    expect(decodeIpv4(p, 0, 22, v)).toBe(Ipv4Anomaly.Truncated);
    expect([v.start, v.end, v.proto]).toEqual([20, 22, 132]);
    expect(IPV4_ANOMALY_NAMES[Ipv4Anomaly.Truncated]).toBe('truncated');
  });

  it('anomalies: version, IHL, total length, header truncation', () => {
    const p = ipv4(hex('00000000'));
    const bad = (mod: (b: Buffer) => void): number => {
      const b = Buffer.from(p);
      mod(b);
      return decodeIpv4(b, 0, b.length, v);
    };
    expect(bad((b) => (b[0] = 0x65))).toBe(Ipv4Anomaly.BadVersion);
    expect(bad((b) => (b[0] = 0x44))).toBe(Ipv4Anomaly.BadIhl);
    expect(bad((b) => (b[0] = 0x46))).toBe(Ipv4Anomaly.Ok); // IHL 6 fits in 24 octets
    expect(bad((b) => (b[0] = 0x47))).toBe(Ipv4Anomaly.HeaderTruncated);
    expect(bad((b) => b.writeUInt16BE(19, 2))).toBe(Ipv4Anomaly.BadTotalLength);
    expect(decodeIpv4(p, 0, 19, v)).toBe(Ipv4Anomaly.HeaderTruncated);
  });
});

describe('decodeIpv4: real captures', () => {
  it('zeek/sctp.pcap: every frame decodes, SCTP 7 → 7, checksum good', () => {
    // tshark -o ip.check_checksum:TRUE: all good; ip.proto == 132 on all 74 frames
    for (const r of capture('zeek/sctp.pcap')) {
      expect(decodeIpv4(r.data, 14, r.data.length, v)).toBe(Ipv4Anomaly.Ok);
      expect(v.proto).toBe(132);
      expect(ipv4HeaderChecksumOk(r.data, 14, v.start - 14)).toBe(true);
      expect(r.data.readUInt16BE(v.start)).toBe(7); // sctp.srcport
    }
  });

  it('magma gx_gy_06: frame 51 is a first fragment', () => {
    // tshark: frame 51 ip.id 0xb31f, MF 1, offset 0, ip.len 1500, 172.16.10.4 → 172.16.10.101, UDP
    const r = capture('magma/gx_gy_combined_06_210505_133132-1.pcapng')[50];
    expect(decodeIpv4(r.data, 14, r.data.length, v)).toBe(Ipv4Anomaly.Ok);
    expect([v.fragId, v.moreFragments, v.fragOffset, v.proto, v.end - 14]).toEqual([0xb31f, true, 0, 17, 1500]);
    expect(v.src4).toBe(0xac100a04);
    expect(v.dst4).toBe(0xac100a65);
  });
});

describe('decodeIpv4: robustness', () => {
  it('truncation at every byte boundary', () => {
    const p = ipv4(hex('0102030405060708'), { options: hex('01010100') });
    for (let n = 0; n <= p.length; n++) {
      const code = decodeIpv4(p, 0, n, v);
      if (n < 24) expect(code).toBe(Ipv4Anomaly.HeaderTruncated);
      else if (n < p.length) {
        expect(code).toBe(Ipv4Anomaly.Truncated);
        expect(v.end).toBe(n);
      } else expect(code).toBe(Ipv4Anomaly.Ok);
      expect(v.start).toBeLessThanOrEqual(v.end);
    }
  });

  it('fuzz: 120k random and mutated headers stay within [start, end]', () => {
    const rng = new Prng(0x44);
    const seeds = [ipv4(Buffer.alloc(12)), ipv4(Buffer.alloc(40), { options: hex('94040000'), mf: true }), ipv4(Buffer.alloc(0))];
    for (let i = 0; i < 120_000; i++) {
      const f = i & 1 ? rng.mutate(seeds[rng.int(seeds.length)]) : rng.bytes(rng.int(64));
      const pre = rng.int(4);
      const buf = Buffer.concat([Buffer.alloc(pre), f, Buffer.alloc(3, 0xee)]);
      const end = pre + f.length;
      const code = decodeIpv4(buf, pre, end, v);
      if (code < 0 || code >= IPV4_ANOMALY_NAMES.length) throw new Error(`bad code ${code}`);
      if (v.start < pre || v.end > end || v.start > v.end) throw new Error(`offsets out of range at ${i}`);
      if ((code === Ipv4Anomaly.Ok || code === Ipv4Anomaly.Truncated) && (v.srcOff + 4 > end || v.dstOff + 4 > end)) {
        throw new Error('address offsets out of range');
      }
    }
    expect(true).toBe(true);
  });
});
