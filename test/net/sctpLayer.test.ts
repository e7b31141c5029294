import { describe, expect, it } from 'vitest';
import { Layer } from '../../src/metrics/layers';
import { IpLayer, IpResult } from '../../src/net/ip';
import { decodeIpv4 } from '../../src/net/ipv4';
import { decodeLink } from '../../src/net/link';
import { SctpAnomaly } from '../../src/net/sctp';
import { SctpLayer } from '../../src/net/sctpLayer';
import { DEFAULT_SCTP_LIMITS, SctpReassemblyAnomaly, SctpReassemblyLimits } from '../../src/net/sctpReassembly';
import { createIpView, createLinkView, IpView, SctpMessageView } from '../../src/net/types';
import { sctpDataChunks } from '../helpers/sctpDataChunks';
import { capture, chunk, dataChunk, hex, idataChunk, initChunk, ipv4, Prng, sctp } from './packets';

interface Msg {
  frame: number;
  key: number;
  peer: number;
  ppid: number;
  sid: number;
  tsn: number;
  data: Buffer;
  reassembled: boolean;
  fragments: number;
  unordered: boolean;
  mid: number;
  ssn: number;
}

function keep(frame: number, m: SctpMessageView): Msg {
  return {
    frame, key: m.assocKey, peer: m.assocPeer, ppid: m.ppid, sid: m.streamId, tsn: m.tsn,
    data: Buffer.from(m.buf.subarray(m.start, m.end)), reassembled: m.reassembled, fragments: m.fragments,
    unordered: m.unordered, mid: m.mid, ssn: m.ssn,
  };
}

/** Runs link + IP + SCTP over a capture; returns the messages and the layer. */
function run(rel: string, limits: SctpReassemblyLimits = DEFAULT_SCTP_LIMITS): { msgs: Msg[]; layer: SctpLayer; anomalies: Array<[number, number, number]> } {
  const link = createLinkView();
  const view = createIpView();
  const ip = new IpLayer();
  const layer = new SctpLayer(limits);
  const msgs: Msg[] = [];
  const anomalies: Array<[number, number, number]> = [];
  capture(rel).forEach((r, i) => {
    const frame = i + 1;
    if (decodeLink(r.linkType, r.data, 0, r.data.length, link) !== 0) return;
    if (ip.decode(link.etherType, r.data, link.start, r.data.length, r.tsUs, view) !== IpResult.Ok) return;
    if (view.proto !== 132) return;
    const code = layer.onPacket(view, r.tsUs, (m) => msgs.push(keep(frame, m)));
    if (code !== 0) anomalies.push([frame, layer.anomalyLayer, code]);
  });
  return { msgs, layer, anomalies };
}

const ipv = createIpView();
/** IPv4 view of an SCTP packet between a and b. */
function ipOf(sctpPacket: Buffer, src = '10.0.0.1', dst = '10.0.0.2'): IpView {
  const p = ipv4(sctpPacket, { src, dst });
  expect(decodeIpv4(p, 0, p.length, ipv)).toBe(0);
  return ipv;
}

describe('SctpLayer: real captures', () => {
  it('zeek/sctp.pcap: 120 messages, PPID 0, 51 packets deliver two', () => {
    // tshark: 120 DATA chunks, all B+E, PPID 0, 512 octets; 51 frames carry 2 DATA
    const { msgs, layer, anomalies } = run('zeek/sctp.pcap');
    expect(anomalies).toEqual([]);
    expect(msgs.length).toBe(120);
    expect(msgs.every((m) => m.ppid === 0 && !m.reassembled && m.data.length === 512)).toBe(true);
    const perFrame = new Map<number, number>();
    for (const m of msgs) perFrame.set(m.frame, (perFrame.get(m.frame) ?? 0) + 1);
    expect([...perFrame.values()].filter((n) => n === 2).length).toBe(51);
    // both directions carry data, each with its key, linked as peers
    const keys = [...new Set(msgs.map((m) => m.key))].sort();
    expect(keys.length).toBe(2);
    const m0 = msgs.find((m) => m.key === keys[0]) as Msg;
    expect(m0.peer).toBe(keys[1]);
    expect(layer.counters).toMatchObject({ dataChunks: 120, delivered: 120 });
    expect(layer.counters.chunksByType[3]).toBe(49); // SACK counted by type
    expect(layer.reassembler.counters.duplicatesDropped).toBe(0);
  });

  it('arkime/sctp-www.pcap: 29 fragmented DATA chunks → 4 messages like tshark, 6 unfragmented', () => {
    // tshark -o sctp.reassembly:TRUE -Y sctp.fragments: frame 16 (7486 octets, 6 fragments),
    // 50 (12800, 9), 65 (16384, 12), 68 (2687, 2); 35 DATA chunks, 6 with B+E
    const { msgs, layer, anomalies } = run('arkime/sctp-www.pcap');
    expect(anomalies).toEqual([]);
    const re = msgs.filter((m) => m.reassembled);
    expect(re.map((m) => [m.frame, m.data.length, m.fragments])).toEqual([[16, 7486, 6], [50, 12800, 9], [65, 16384, 12], [68, 2687, 2]]);
    expect(msgs.length).toBe(10);
    expect(re.reduce((n, m) => n + m.fragments, 0)).toBe(29);
    // content = the chunks' user data in TSN order (independent walker: test/helpers/sctpDataChunks)
    const recs = capture('arkime/sctp-www.pcap');
    const frags = [9, 10, 12, 13, 15, 16].map((f) => sctpDataChunks(recs[f - 1].data)[0].payload);
    expect(re[0].data.equals(Buffer.concat(frags))).toBe(true);
    expect(re[0].tsn).toBe(1677732375); // tshark: TSN of the B fragment (frame 9)
    expect(layer.reassembler.counters).toMatchObject({ completed: 4, pendingMessages: 0, pendingBytes: 0 });
  });

  it('tcpdump/sctp-i-data.pcap: 2 I-DATA messages of 2 fragments each (Linux FSN numbering)', () => {
    // tshark: frames 5+7 (MID 0, B then E, FSN field 0) and 8+10; payloads 1448+1223, 1432+1239
    const { msgs, anomalies } = run('tcpdump/sctp-i-data.pcap');
    expect(anomalies).toEqual([]);
    expect(msgs.map((m) => [m.frame, m.data.length, m.mid, m.ssn, m.reassembled])).toEqual([
      [7, 2671, 0, -1, true],
      [10, 2671, 0, -1, true],
    ]);
    expect(msgs[0].data.subarray(0, 11).toString()).toBe('Lorem ipsum');
  });

  it('tcpdump/sctp-pad.pcap: PAD chunks counted by type, nothing delivered', () => {
    // tshark: 8 PAD chunks
    const { msgs, layer, anomalies } = run('tcpdump/sctp-pad.pcap');
    expect(anomalies).toEqual([]);
    expect(msgs.length).toBe(0);
    expect(layer.counters.chunksByType[132]).toBe(8);
  });

  it('arkime/m3ua_synthetic.pcap: message over frames 65+66 completed at 66; duplicated frames dropped', () => {
    // tshark: "Reassembled SCTP Fragments (120 bytes, 2 fragments)" in frame 66, PPID 3 (M3UA);
    // frames 22, 32, 42, 52 repeat the TSN of 21, 31, 41, 51 on the same association
    const { msgs, layer, anomalies } = run('arkime/m3ua_synthetic.pcap');
    const re = msgs.filter((m) => m.reassembled);
    expect(re.map((m) => [m.frame, m.data.length, m.ppid, m.tsn])).toEqual([[66, 120, 3, 5001]]);
    expect(re[0].data[0]).toBe(1); // M3UA version 1
    expect(re[0].data.readUInt32BE(4)).toBe(120); // M3UA message length
    expect(anomalies).toEqual([22, 32, 42, 52].map((f) => [f, Layer.SctpReassembly, SctpReassemblyAnomaly.DuplicateTsn]));
    expect(layer.reassembler.counters.duplicatesDropped).toBe(4);
    expect(msgs.length).toBe(26 - 4 - 1); // 26 DATA chunks
  });

  it('magma gx_gy_06: one Diameter message over 2 DATA chunks (frames 30+31), 1536 octets, PPID 46', () => {
    // tshark: frame 31 "Reassembled SCTP Fragments (1536 bytes, 2 fragments)", PPID 46; 82 DATA chunks
    const { msgs, anomalies } = run('magma/gx_gy_combined_06_210505_133132-1.pcapng');
    expect(anomalies).toEqual([]);
    const re = msgs.filter((m) => m.reassembled);
    expect(re.map((m) => [m.frame, m.data.length, m.ppid, m.fragments])).toEqual([[31, 1536, 46, 2]]);
    expect(re[0].data[0]).toBe(1); // Diameter version
    expect(re[0].data.readUInt32BE(0) & 0xffffff).toBe(1536); // Diameter Message Length
    expect(msgs.length).toBe(81);
  });
});

describe('SctpLayer: synthesized', () => {
  const user = (n: number, len: number): Buffer => Buffer.alloc(len, n & 0xff);
  const B = 2;
  const E = 1;
  const U = 4;

  it('fragmented message with out-of-order chunks across packets', () => {
    const layer = new SctpLayer();
    const got: Msg[] = [];
    const parts = [user(1, 100), user(2, 100), user(3, 100), user(4, 37)];
    const flags = [B, 0, 0, E];
    const pkt = (i: number): Buffer => sctp(2905, 2905, 9, [dataChunk(parts[i], { tsn: 500 + i, sid: 3, ssn: 8, ppid: 3, flags: flags[i] })]);
    for (const i of [2, 0, 3]) {
      expect(layer.onPacket(ipOf(pkt(i)), 0, (m) => got.push(keep(0, m)))).toBe(0);
      expect(got.length).toBe(0);
    }
    expect(layer.reassembler.counters).toMatchObject({ pendingMessages: 1, pendingBytes: 237 });
    layer.onPacket(ipOf(pkt(1)), 0, (m) => got.push(keep(0, m)));
    expect(got.length).toBe(1);
    expect(got[0]).toMatchObject({ ppid: 3, sid: 3, tsn: 500, ssn: 8, mid: -1, reassembled: true, fragments: 4, unordered: false });
    expect(got[0].data.equals(Buffer.concat(parts))).toBe(true);
    expect(layer.reassembler.counters).toMatchObject({ completed: 1, pendingMessages: 0, pendingBytes: 0 });
  });

  it('retransmitted DATA chunk (same TSN) is dropped; so is a retransmitted fragment', () => {
    const layer = new SctpLayer();
    const got: Msg[] = [];
    const whole = sctp(1, 2, 9, [dataChunk(user(1, 10), { tsn: 10 })]);
    expect(layer.onPacket(ipOf(whole), 0, (m) => got.push(keep(0, m)))).toBe(0);
    expect(layer.onPacket(ipOf(whole), 1, (m) => got.push(keep(0, m)))).toBe(SctpReassemblyAnomaly.DuplicateTsn);
    expect(layer.anomalyLayer).toBe(Layer.SctpReassembly);
    const f1 = sctp(1, 2, 9, [dataChunk(user(2, 10), { tsn: 11, flags: B })]);
    const f2 = sctp(1, 2, 9, [dataChunk(user(3, 10), { tsn: 12, flags: E })]);
    layer.onPacket(ipOf(f1), 2, (m) => got.push(keep(0, m)));
    expect(layer.onPacket(ipOf(f1), 3, (m) => got.push(keep(0, m)))).toBe(SctpReassemblyAnomaly.DuplicateTsn);
    layer.onPacket(ipOf(f2), 4, (m) => got.push(keep(0, m)));
    expect(layer.onPacket(ipOf(f2), 5, (m) => got.push(keep(0, m)))).toBe(SctpReassemblyAnomaly.DuplicateTsn);
    expect(got.map((m) => m.data.length)).toEqual([10, 20]);
    expect(layer.reassembler.counters.duplicatesDropped).toBe(3);
  });

  it('bundle with a duplicate in the middle: the others are delivered', () => {
    const layer = new SctpLayer();
    const got: Msg[] = [];
    layer.onPacket(ipOf(sctp(1, 2, 9, [dataChunk(user(1, 4), { tsn: 2 })])), 0, (m) => got.push(keep(0, m)));
    const bundle = sctp(1, 2, 9, [dataChunk(user(1, 4), { tsn: 1 }), dataChunk(user(2, 4), { tsn: 2 }), dataChunk(user(3, 4), { tsn: 3 })]);
    expect(layer.onPacket(ipOf(bundle), 1, (m) => got.push(keep(0, m)))).toBe(SctpReassemblyAnomaly.DuplicateTsn);
    expect(got.map((m) => m.tsn)).toEqual([2, 1, 3]);
  });

  it('message too big: dropped, later fragments discarded up to E, the next message is fine', () => {
    const layer = new SctpLayer({ ...DEFAULT_SCTP_LIMITS, maxMessageBytes: 1000 });
    const got: Msg[] = [];
    const send = (tsn: number, flags: number, len: number): number =>
      layer.onPacket(ipOf(sctp(1, 2, 9, [dataChunk(user(tsn, len), { tsn, flags, ssn: tsn < 104 ? 0 : 1 })])), 0, (m) => got.push(keep(0, m)));
    expect(send(100, B, 600)).toBe(0);
    expect(send(101, 0, 600)).toBe(SctpReassemblyAnomaly.TooBig);
    expect(send(102, 0, 600)).toBe(SctpReassemblyAnomaly.TooBig);
    expect(send(103, E, 10)).toBe(SctpReassemblyAnomaly.TooBig);
    expect(layer.reassembler.counters).toMatchObject({ tooBig: 1, pendingMessages: 0, pendingBytes: 0 });
    expect(send(104, B, 500)).toBe(0);
    expect(send(105, E, 500)).toBe(0);
    expect(got.map((m) => [m.tsn, m.data.length])).toEqual([[104, 1000]]);
  });

  it('association limit: least recently used direction evicted, counted; keys never reused', () => {
    const layer = new SctpLayer({ ...DEFAULT_SCTP_LIMITS, maxAssociations: 2 });
    const got: Msg[] = [];
    const from = (src: string, tsn: number, flags = B | E): number =>
      layer.onPacket(ipOf(sctp(2905, 2905, 7, [dataChunk(user(tsn, 8), { tsn, flags })]), src, '10.9.9.9'), 0, (m) => got.push(keep(0, m)));
    from('10.0.0.1', 1);
    from('10.0.0.2', 1);
    from('10.0.0.1', 2); // touch .1: .2 is now the least recently used
    from('10.0.0.2', 3, B); // pending fragment on .2
    from('10.0.0.1', 4);
    from('10.0.0.3', 1); // evicts .2 and its pending fragment
    expect(layer.assocs.counters).toMatchObject({ created: 3, evicted: 1, active: 2 });
    expect(layer.reassembler.counters).toMatchObject({ reset: 1, pendingMessages: 0, pendingBytes: 0 });
    from('10.0.0.2', 1); // new direction: TSN 1 is new again, new key
    const keys = got.map((m) => m.key);
    expect(keys).toEqual([1, 2, 1, 1, 3, 4]);
  });

  it('peers: both directions of an association are linked', () => {
    const layer = new SctpLayer();
    const got: Msg[] = [];
    layer.onPacket(ipOf(sctp(2905, 3000, 7, [dataChunk(user(1, 8), { tsn: 1 })]), '10.0.0.1', '10.0.0.2'), 0, (m) => got.push(keep(0, m)));
    expect(got[0].peer).toBe(-1);
    layer.onPacket(ipOf(sctp(3000, 2905, 8, [dataChunk(user(1, 8), { tsn: 1 })]), '10.0.0.2', '10.0.0.1'), 0, (m) => got.push(keep(0, m)));
    layer.onPacket(ipOf(sctp(2905, 3000, 7, [dataChunk(user(1, 8), { tsn: 2 })]), '10.0.0.1', '10.0.0.2'), 0, (m) => got.push(keep(0, m)));
    expect(got.map((m) => [m.key, m.peer])).toEqual([[1, -1], [2, 1], [1, 2]]);
  });

  it('INIT / INIT ACK set the TSN start; a restarted association reuses TSNs', () => {
    const layer = new SctpLayer();
    const got: Msg[] = [];
    const a2b = (vtag: number, chunks: Buffer[]): number => layer.onPacket(ipOf(sctp(5000, 2905, vtag, chunks), '10.0.0.1', '10.0.0.2'), 0, (m) => got.push(keep(0, m)));
    const b2a = (vtag: number, chunks: Buffer[]): number => layer.onPacket(ipOf(sctp(2905, 5000, vtag, chunks), '10.0.0.2', '10.0.0.1'), 0, (m) => got.push(keep(0, m)));
    a2b(0, [initChunk(1, 0xaaaa, 1000)]);
    b2a(0xaaaa, [initChunk(2, 0xbbbb, 7000)]);
    expect(a2b(0xbbbb, [dataChunk(user(1, 4), { tsn: 999 })])).toBe(SctpReassemblyAnomaly.DuplicateTsn); // before the Initial TSN
    expect(a2b(0xbbbb, [dataChunk(user(1, 4), { tsn: 1000 })])).toBe(0);
    expect(b2a(0xaaaa, [dataChunk(user(1, 4), { tsn: 7000 })])).toBe(0);
    // ABORT, then a new association on the same ports and addresses starting at the same TSNs
    a2b(0xbbbb, [chunk(6, 0, Buffer.alloc(0))]);
    a2b(0, [initChunk(1, 0xcccc, 1000)]);
    b2a(0xcccc, [initChunk(2, 0xdddd, 7000)]);
    expect(a2b(0xdddd, [dataChunk(user(2, 4), { tsn: 1000 })])).toBe(0);
    expect(got.map((m) => m.tsn)).toEqual([1000, 7000, 1000]);
    expect(layer.counters.assocResets).toBeGreaterThanOrEqual(5);
  });

  it('a new Verification Tag on the same 4-tuple resets the direction (restart not seen)', () => {
    const layer = new SctpLayer();
    const got: Msg[] = [];
    const send = (vtag: number, tsn: number, flags = B | E): number => layer.onPacket(ipOf(sctp(1, 2, vtag, [dataChunk(user(tsn, 4), { tsn, flags })])), 0, (m) => got.push(keep(0, m)));
    send(0x11, 50);
    send(0x11, 51, B); // pending, dropped by the reset
    expect(send(0x22, 50)).toBe(0);
    expect(got.length).toBe(2);
    expect(layer.reassembler.counters).toMatchObject({ reset: 1, pendingMessages: 0 });
  });

  it('SHUTDOWN COMPLETE drops pending fragments of both directions', () => {
    const layer = new SctpLayer();
    layer.onPacket(ipOf(sctp(1, 2, 5, [dataChunk(user(1, 4), { tsn: 1, flags: B })])), 0, () => undefined);
    layer.onPacket(ipOf(sctp(2, 1, 6, [dataChunk(user(1, 4), { tsn: 9, flags: B })]), '10.0.0.2', '10.0.0.1'), 0, () => undefined);
    expect(layer.reassembler.counters.pendingMessages).toBe(2);
    layer.onPacket(ipOf(sctp(1, 2, 5, [chunk(14, 0, Buffer.alloc(0))])), 0, () => undefined);
    expect(layer.reassembler.counters).toMatchObject({ pendingMessages: 0, pendingBytes: 0, reset: 2 });
  });

  it('I-DATA: interleaved messages on two streams, RFC 8260 FSN numbering (B = 0, next 1)', () => {
    const layer = new SctpLayer();
    const got: Msg[] = [];
    const send = (tsn: number, sid: number, mid: number, flags: number, w: number, len: number): void => {
      layer.onPacket(ipOf(sctp(1, 2, 5, [idataChunk(user(mid * 16 + sid, len), { tsn, sid, mid, ppidOrFsn: w, flags })])), 0, (m) => got.push(keep(0, m)));
    };
    send(1, 0, 7, B, 46, 10); // stream 0 MID 7 B (PPID 46)
    send(2, 1, 3, B | U, 60, 5); // stream 1 MID 3 unordered B (PPID 60)
    send(3, 0, 7, 0, 1, 10); //   stream 0 FSN 1
    send(4, 1, 3, E | U, 1, 5); // stream 1 FSN 1 E → complete
    send(5, 0, 7, E, 2, 3); //    stream 0 FSN 2 E → complete
    expect(got.map((m) => [m.sid, m.mid, m.ppid, m.data.length, m.unordered, m.fragments, m.tsn])).toEqual([
      [1, 3, 60, 10, true, 2, 2],
      [0, 7, 46, 23, false, 3, 1],
    ]);
  });

  it('DATA unordered: two fragmented messages back to back on one stream', () => {
    const layer = new SctpLayer();
    const got: Msg[] = [];
    const send = (tsn: number, flags: number): void => {
      layer.onPacket(ipOf(sctp(1, 2, 5, [dataChunk(user(tsn, 10), { tsn, flags: flags | U, sid: 2 })])), 0, (m) => got.push(keep(0, m)));
    };
    for (const [tsn, f] of [[21, 0], [23, 0], [20, B], [24, E], [22, E]]) send(tsn, f);
    expect(got.map((m) => [m.tsn, m.data.length, m.fragments])).toEqual([[20, 30, 3]]);
    send(25, E); // 23,24 lack a B... (B at 23 missing: 23 is a middle fragment)
    expect(got.length).toBe(1);
    expect(layer.reassembler.counters.pendingMessages).toBe(1);
  });

  it('pending limits: per direction bytes and message count evict the oldest, counted', () => {
    const layer = new SctpLayer({ ...DEFAULT_SCTP_LIMITS, maxPendingBytesPerAssoc: 250, maxPendingMessages: 3 });
    const send = (tsn: number, sid: number, src = '10.0.0.1'): number =>
      layer.onPacket(ipOf(sctp(1, 2, 5, [dataChunk(user(1, 100), { tsn, sid, flags: B })]), src), 0, () => undefined);
    send(1, 1);
    send(2, 2);
    expect(send(3, 3)).toBe(SctpReassemblyAnomaly.Evicted); // 300 > 250: oldest (sid 1) goes
    expect(layer.reassembler.counters).toMatchObject({ evicted: 1, pendingMessages: 2, pendingBytes: 200 });
    send(1, 1, '10.0.0.7');
    send(2, 2, '10.0.0.7'); // 4th message: the oldest overall goes
    expect(layer.reassembler.counters).toMatchObject({ evicted: 2, pendingMessages: 3 });
  });

  it('expiry: incomplete messages and idle associations, by packet time', () => {
    const layer = new SctpLayer({ ...DEFAULT_SCTP_LIMITS, timeoutUs: 1_000_000 });
    layer.onPacket(ipOf(sctp(1, 2, 5, [dataChunk(user(1, 10), { tsn: 1, flags: B })])), 100, () => undefined);
    layer.expire(1_000_099);
    expect(layer.reassembler.counters.pendingMessages).toBe(1);
    layer.expire(1_000_100);
    expect(layer.reassembler.counters).toMatchObject({ pendingMessages: 0, pendingBytes: 0, expired: 1 });
    expect(layer.assocs.counters).toMatchObject({ expired: 1, active: 0 });
  });

  it('decode anomalies come back as Layer.Sctp codes; good chunks before them are delivered', () => {
    const layer = new SctpLayer();
    const got: Msg[] = [];
    const p = Buffer.concat([sctp(1, 2, 5, [dataChunk(user(1, 4), { tsn: 1 })]), hex('0003 0040 0000')]);
    expect(layer.onPacket(ipOf(p), 0, (m) => got.push(keep(0, m)))).toBe(SctpAnomaly.ChunkTruncated);
    expect(layer.anomalyLayer).toBe(Layer.Sctp);
    expect(got.length).toBe(1);
    expect(layer.onPacket(ipOf(hex('0001')), 0, () => undefined)).toBe(SctpAnomaly.Truncated);
  });
});

describe('SctpLayer: fuzz', () => {
  it('120k packets (shuffled / duplicated fragments, restarts, garbage): bounded memory, correct messages', () => {
    const limits: SctpReassemblyLimits = {
      maxAssociations: 20, maxPendingBytesPerAssoc: 64 * 1024, maxTotalPendingBytes: 256 * 1024,
      maxPendingMessages: 64, maxMessageBytes: 32 * 1024, timeoutUs: 200_000,
    };
    const layer = new SctpLayer(limits);
    const rng = new Prng(0x5ca);
    // content of message (src, sid, seqNo) is a pattern: verify everything delivered
    const content = (tag: number, len: number): Buffer => {
      const b = Buffer.alloc(len + 4);
      b.writeUInt32BE(tag >>> 0, 0);
      for (let i = 4; i < b.length; i++) b[i] = (tag * 13 + i) & 0xff;
      return b;
    };
    const valid = (d: Buffer): boolean => {
      if (d.length < 4) return false;
      const tag = d.readUInt32BE(0);
      for (let i = 4; i < d.length; i++) if (d[i] !== ((tag * 13 + i) & 0xff)) return false;
      return true;
    };
    const tsnOf = new Map<number, number>();
    const midOf = new Map<number, number>();
    const queue: Array<[Buffer, string]> = [];
    const message = (): void => {
      const src = rng.int(12);
      const addr = `10.1.0.${src}`;
      let tsn = tsnOf.get(src) ?? rng.int(2 ** 32);
      const iData = rng.int(3) === 0;
      const len = rng.int(rng.int(10) === 0 ? 40_000 : 3000);
      const d = content(rng.int(2 ** 31), len);
      const n = Math.max(1, Math.ceil(d.length / (200 + rng.int(1200))));
      const per = Math.ceil(d.length / n);
      const pkts: Buffer[] = [];
      const sid = rng.int(4);
      const mid = midOf.get(src * 4 + sid) ?? 0; // MIDs / SSNs are sequential per stream
      midOf.set(src * 4 + sid, mid + 1);
      for (let i = 0; i < n; i++) {
        const part = d.subarray(i * per, (i + 1) * per);
        const flags = (i === 0 ? 2 : 0) | (i === n - 1 ? 1 : 0);
        const ch = iData
          ? idataChunk(part, { tsn, sid, mid, ppidOrFsn: i === 0 ? 3 : i, flags })
          : dataChunk(part, { tsn, sid, ssn: mid & 0xffff, ppid: 3, flags });
        tsn = (tsn + 1) >>> 0;
        pkts.push(sctp(2905, 2905, 77, [ch]));
      }
      if (rng.int(4) === 0) pkts.push(pkts[rng.int(pkts.length)]); // retransmission
      if (rng.int(10) === 0) pkts.splice(rng.int(pkts.length), 1); // loss
      for (let i = pkts.length - 1; i > 0; i--) {
        const j = Math.max(0, i - rng.int(3)); // local reordering
        [pkts[i], pkts[j]] = [pkts[j], pkts[i]];
      }
      if (rng.int(50) === 0) tsnOf.set(src, rng.int(2 ** 32)); // restart unseen
      else tsnOf.set(src, tsn);
      for (const p of pkts) queue.push([p, addr]);
    };
    const v = createIpView();
    let fed = 0;
    let delivered = 0;
    let ts = 0;
    while (fed < 120_000) {
      while (queue.length === 0) message();
      const [pkt0, addr0] = queue.shift() as [Buffer, string];
      let pkt = pkt0;
      let addr = addr0;
      let garbage = false;
      if (rng.int(25) === 0) {
        // garbage from other hosts: undetectable corruption (no CRC check) must not mix with the checked flows
        pkt = rng.mutate(pkt);
        addr = addr.replace('10.1.', '10.3.');
        garbage = true;
      }
      const ipPkt = ipv4(pkt, { src: addr, dst: '10.2.0.1' });
      decodeIpv4(ipPkt, 0, ipPkt.length, v);
      ts += rng.int(50);
      fed++;
      const code = layer.onPacket(v, ts, (m) => {
        if (m.start < 0 || m.end > m.buf.length || m.start > m.end) throw new Error('message view out of range');
        const d = m.buf.subarray(m.start, m.end);
        if (!garbage && m.reassembled && !valid(d)) throw new Error(`corrupt reassembly at ${fed}`);
        delivered++;
      });
      if (!Number.isInteger(code) || code < 0) throw new Error(`bad code ${code}`);
      const c = layer.reassembler.counters;
      if (c.pendingBytes > limits.maxTotalPendingBytes || c.pendingMessages > limits.maxPendingMessages || c.pendingBytes < 0) {
        throw new Error(`limits exceeded at ${fed}: ${c.pendingBytes} ${c.pendingMessages}`);
      }
      if (layer.assocs.counters.active > limits.maxAssociations) throw new Error('assoc limit exceeded');
      if (fed % 1000 === 0) layer.expire(ts);
    }
    const c = layer.reassembler.counters;
    expect(delivered).toBeGreaterThan(10_000);
    expect(c.completed).toBeGreaterThan(1000);
    expect(c.duplicatesDropped).toBeGreaterThan(0);
    expect(layer.assocs.counters.evicted).toBeGreaterThan(0);
    layer.expire(ts + limits.timeoutUs);
    expect(layer.reassembler.counters).toMatchObject({ pendingMessages: 0, pendingBytes: 0 });
  });
});
