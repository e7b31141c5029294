import { describe, expect, it } from 'vitest';
import { Layer } from '../../src/metrics/layers';
import { IpLayer, IpResult } from '../../src/net/ip';
import { DEFAULT_IP_REASSEMBLY_LIMITS, IpReassemblyAnomaly } from '../../src/net/ipReassembly';
import { Ipv4Anomaly } from '../../src/net/ipv4';
import { Ipv6Anomaly } from '../../src/net/ipv6';
import { decodeLink } from '../../src/net/link';
import { SctpLayer } from '../../src/net/sctpLayer';
import { createIpView, createLinkView, IpView, SctpMessageView } from '../../src/net/types';
import { capture, dataChunk, extHeader, fragHeader, hex, ipv4, ipv6, Prng, sctp } from './packets';

const v = createIpView();

describe('IpLayer.decode', () => {
  it('dispatches by EtherType; non-IP is NotIp without anomaly', () => {
    const ip = new IpLayer();
    const p4 = ipv4(hex('0001'));
    expect(ip.decode(0x0800, p4, 0, p4.length, 0, v)).toBe(IpResult.Ok);
    expect([v.version, ip.anomalyCode]).toEqual([4, 0]);
    const p6 = ipv6(132, hex('0001'));
    expect(ip.decode(0x86dd, p6, 0, p6.length, 0, v)).toBe(IpResult.Ok);
    expect(v.version).toBe(6);
    expect(ip.decode(0x0806, p4, 0, p4.length, 0, v)).toBe(IpResult.NotIp);
    expect(ip.anomalyCode).toBe(0);
  });

  it('truncated datagram: Ok with an ipv4/truncated anomaly; truncated fragment: Drop', () => {
    const ip = new IpLayer();
    const p = ipv4(Buffer.alloc(100));
    expect(ip.decode(0x0800, p, 0, 60, 0, v)).toBe(IpResult.Ok);
    expect([ip.anomalyLayer, ip.anomalyCode, v.end]).toEqual([Layer.Ipv4, Ipv4Anomaly.Truncated, 60]);
    const f = ipv4(Buffer.alloc(96), { mf: true });
    expect(ip.decode(0x0800, f, 0, 60, 0, v)).toBe(IpResult.Drop);
    expect(ip.anomalyCode).toBe(Ipv4Anomaly.Truncated);
    const j = ipv6(132, Buffer.alloc(8), 0);
    expect(ip.decode(0x86dd, j, 0, j.length, 0, v)).toBe(IpResult.Drop);
    expect([ip.anomalyLayer, ip.anomalyCode]).toEqual([Layer.Ipv6, Ipv6Anomaly.Jumbogram]);
  });

  it('header checksum verified only when asked', () => {
    const p = ipv4(hex('0001'));
    p[10] ^= 0xff;
    expect(new IpLayer().decode(0x0800, p, 0, p.length, 0, v)).toBe(IpResult.Ok);
    const strict = new IpLayer({ ...DEFAULT_IP_REASSEMBLY_LIMITS, verifyIpv4Checksum: true });
    expect(strict.decode(0x0800, p, 0, p.length, 0, v)).toBe(IpResult.Drop);
    expect([strict.anomalyLayer, strict.anomalyCode]).toEqual([Layer.Ipv4, Ipv4Anomaly.BadChecksum]);
  });

  it('IPv4 fragments: FragmentHeld until complete; duplicates are Drop + ip_reassembly/duplicate', () => {
    const ip = new IpLayer();
    const data = Buffer.alloc(64, 0x5a);
    const a = ipv4(data.subarray(0, 32), { mf: true, id: 5 });
    const b = ipv4(data.subarray(32), { offset: 32, id: 5 });
    expect(ip.decode(0x0800, b, 0, b.length, 0, v)).toBe(IpResult.FragmentHeld);
    expect(ip.anomalyCode).toBe(0);
    expect(ip.decode(0x0800, b, 0, b.length, 0, v)).toBe(IpResult.Drop);
    expect([ip.anomalyLayer, ip.anomalyCode]).toEqual([Layer.IpReassembly, IpReassemblyAnomaly.Duplicate]);
    expect(ip.decode(0x0800, a, 0, a.length, 0, v)).toBe(IpResult.Ok);
    expect([v.reassembled, v.start, v.end, v.proto]).toEqual([true, 0, 64, 132]);
  });

  it('IPv6 Hop-by-Hop + Destination Options + Fragment, fragmentable part with Destination Options, carrying SCTP', () => {
    // the SCTP packet (one DATA chunk, PPID 3) that is fragmented
    const user = Buffer.from('M3UA-over-IPv6-fragmented-user-message-'.repeat(3));
    const sp = sctp(2905, 2905, 0x01020304, [dataChunk(user, { tsn: 100, ppid: 3, sid: 1 })]);
    // fragmentable part: Destination Options (8 octets) then SCTP
    const fragmentable = Buffer.concat([extHeader(132), sp]);
    const cut = 48; // multiple of 8
    const hbhDst = Buffer.concat([
      hex('3c 00 0104 00000000'), // Hop-by-Hop → Destination Options
      hex('2c 00 0104 00000000'), // Destination Options → Fragment
    ]);
    const f1 = ipv6(0, Buffer.concat([hbhDst, fragHeader(60, 0, true, 0xdead), fragmentable.subarray(0, cut)]));
    const f2 = ipv6(0, Buffer.concat([hbhDst, fragHeader(60, cut, false, 0xdead), fragmentable.subarray(cut)]));
    const ip = new IpLayer();
    expect(ip.decode(0x86dd, f2, 0, f2.length, 0, v)).toBe(IpResult.FragmentHeld);
    expect(ip.decode(0x86dd, f1, 0, f1.length, 1, v)).toBe(IpResult.Ok);
    expect([v.reassembled, v.proto, v.start, v.end, v.extCount]).toEqual([true, 132, 8, fragmentable.length, 4]);
    const layer = new SctpLayer();
    const got: string[] = [];
    expect(layer.onPacket(v, 1, (m: SctpMessageView) => got.push(`${m.ppid}/${m.streamId}/${m.buf.toString('latin1', m.start, m.end)}`))).toBe(0);
    expect(got).toEqual([`3/1/${user.toString('latin1')}`]);
  });

  it('IPv6 reassembled payload with ESP: ipv6/encrypted, Drop', () => {
    const ip = new IpLayer();
    const esp = Buffer.alloc(32, 1);
    const f1 = ipv6(44, Buffer.concat([fragHeader(50, 0, true, 1), esp.subarray(0, 16)]));
    const f2 = ipv6(44, Buffer.concat([fragHeader(50, 16, false, 1), esp.subarray(16)]));
    expect(ip.decode(0x86dd, f1, 0, f1.length, 0, v)).toBe(IpResult.FragmentHeld);
    expect(ip.decode(0x86dd, f2, 0, f2.length, 0, v)).toBe(IpResult.Drop);
    expect([ip.anomalyLayer, ip.anomalyCode]).toEqual([Layer.Ipv6, Ipv6Anomaly.Encrypted]);
  });

  it('expire() drops held fragments by packet time', () => {
    const ip = new IpLayer({ ...DEFAULT_IP_REASSEMBLY_LIMITS, timeoutUs: 1000 });
    const a = ipv4(Buffer.alloc(8), { mf: true });
    expect(ip.decode(0x0800, a, 0, a.length, 500, v)).toBe(IpResult.FragmentHeld);
    ip.expire(1499);
    expect(ip.reassembler.counters.datagrams).toBe(1);
    ip.expire(1500);
    expect(ip.reassembler.counters).toMatchObject({ datagrams: 0, expired: 1 });
  });
});

/** Runs link + IP over a capture; calls `onIp` for every whole datagram. */
function walk(rel: string, ip: IpLayer, onIp: (frame: number, view: IpView) => void): void {
  const link = createLinkView();
  const view = createIpView();
  capture(rel).forEach((r, i) => {
    if (decodeLink(r.linkType, r.data, 0, r.data.length, link) !== 0) return;
    if (ip.decode(link.etherType, r.data, link.start, r.data.length, r.tsUs, view) === IpResult.Ok) onIp(i + 1, view);
  });
}

describe('IpLayer: real captures', () => {
  it('magma gx_gy_06: 5 outer IPv4 datagrams reassembled, 1516 octets, at tshark frames', () => {
    // tshark -Y ip.fragments: frames 52 58 68 81 86, ip.reassembled.length 1516 each (the
    // payload: 1480 + 36 octets of fragments with ip.len 1500 and 56), UDP
    const ip = new IpLayer();
    const done: Array<[number, number, number]> = [];
    walk('magma/gx_gy_combined_06_210505_133132-1.pcapng', ip, (frame, view) => {
      if (view.reassembled) done.push([frame, view.end - view.start, view.proto]);
    });
    expect(done).toEqual([52, 58, 68, 81, 86].map((f) => [f, 1516, 17]));
    expect(ip.reassembler.counters).toMatchObject({ completed: 5, datagrams: 0, duplicates: 0, overlap: 0 });
  });

  it('open5gs/srsenb: inner IPv4 fragments inside GTP-U reassembled like tshark (29)', () => {
    // tshark -Y ip.fragments (inner IP of GTP-U): 29 reassembled, ip.reassembled.length 1430 each
    // (each inner datagram crosses two GTP hops; id 0xdf73 interleaves: tshark completes one)
    const outer = new IpLayer();
    const inner = new IpLayer();
    const innerView = createIpView();
    const lengths: number[] = [];
    walk('open5gs/srsenb.pcapng', outer, (_frame, view) => {
      if (view.proto !== 17) return;
      const b = view.buf;
      const udp = view.start;
      if (view.end - udp < 16 || b.readUInt16BE(udp + 2) !== 2152) return;
      // GTP-U (3GPP TS 29.281 §5.1): flags, type 0xff (T-PDU), length, TEID, optional seq/N-PDU/ext
      let g = udp + 8;
      const flags = b[g];
      if (b[g + 1] !== 0xff) return;
      let off = g + 8;
      if (flags & 0x07) {
        let next = b[g + 11];
        off = g + 12;
        while (next !== 0 && off < view.end) {
          const len = b[off] * 4;
          if (len === 0) return;
          next = b[off + len - 1];
          off += len;
        }
      }
      g = off;
      if (g >= view.end || b[g] >> 4 !== 4) return;
      if (inner.decode(0x0800, b, g, view.end, 0, innerView) === IpResult.Ok && innerView.reassembled) {
        lengths.push(innerView.end - innerView.start);
      }
    });
    expect(lengths.length).toBe(29);
    expect(new Set(lengths)).toEqual(new Set([1430]));
    const c = inner.reassembler.counters;
    expect(c).toMatchObject({ completed: 29, duplicates: 1, datagrams: 1, overlap: 0 });
    inner.expire(Number.MAX_SAFE_INTEGER);
    expect(c).toMatchObject({ expired: 1, datagrams: 0, bytesHeld: 0 });
    expect(outer.reassembler.counters.completed).toBe(0);
  });
});

describe('IpLayer: fuzz', () => {
  it('120k random / mutated packets: valid results, bounded reassembly memory', () => {
    const limits = { maxDatagrams: 64, maxBytesPerDatagram: 65535, maxTotalBytes: 512 * 1024, timeoutUs: 100_000 };
    const ip = new IpLayer(limits);
    const rng = new Prng(0x1f);
    const seeds = [
      ipv4(Buffer.alloc(40), { mf: true }),
      ipv4(Buffer.alloc(40), { offset: 40 }),
      ipv6(0, Buffer.concat([extHeader(44), fragHeader(132, 8, true, 3), Buffer.alloc(16)])),
      ipv6(44, Buffer.concat([fragHeader(60, 0, true, 3), extHeader(132), Buffer.alloc(16)])),
    ];
    for (let i = 0; i < 120_000; i++) {
      const seed = seeds[rng.int(seeds.length)];
      const f = rng.int(3) === 0 ? Buffer.concat([seed.subarray(0, 1), rng.bytes(rng.int(80))]) : rng.mutate(seed);
      const r = ip.decode(seed[0] >> 4 === 4 ? 0x0800 : 0x86dd, f, 0, f.length, i * 10, v);
      if (r < 0 || r > IpResult.NotIp) throw new Error(`bad result ${r}`);
      if (r === IpResult.Ok && (v.start < 0 || v.end > v.buf.length || v.start > v.end)) throw new Error('view out of range');
      if (r === IpResult.Ok && !v.reassembled && v.end > f.length) throw new Error('past end');
      const c = ip.reassembler.counters;
      if (c.bytesHeld > limits.maxTotalBytes || c.datagrams > limits.maxDatagrams) throw new Error('limits exceeded');
      if (i % 1000 === 0) ip.expire(i * 10);
    }
    expect(ip.reassembler.counters.bytesHeld).toBeLessThanOrEqual(limits.maxTotalBytes);
  });
});
