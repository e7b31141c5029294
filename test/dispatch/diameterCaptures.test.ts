import { describe, expect, it } from 'vitest';
import { CaptureBuilder, TcpConn } from '../helpers/ipCapture';
import { air, baseAnswer, baseRequest, s6aAnswer, ulr } from '../helpers/diameterBuild';
import { asOracleRows, replayRecords } from '../helpers/replay';
import { oracleJsonl } from '../helpers/oracle';
import type { PipelineOptions } from '../../src/dispatch/pipeline';
import { Layer } from '../../src/metrics/layers';
import { DiameterAnomaly } from '../../src/protocols/diameter/constants';

const MME = '10.1.1.1';
const HSS = '10.3.3.3';

function replay(b: CaptureBuilder, name: string, opts: Partial<PipelineOptions> = {}) {
  const path = b.write(name);
  const { records, pipeline } = replayRecords([path], opts);
  return { path, records: records.filter((r) => r.protocol === 'diameter'), pipeline };
}

const dia = (p: ReturnType<typeof replay>['pipeline'], code: DiameterAnomaly) => p.counters.anomalies[Layer.Diameter * 64 + code];

describe('Diameter over SCTP (synthesized captures)', () => {
  it('PPID 46, PPID 0 on port 3868, PPID 0 elsewhere by the header heuristic, IPv6; agrees with the oracle where tshark decodes', () => {
    const b = new CaptureBuilder();
    let tsn = 1;
    let hbh = 1;
    const pair = (src: string, dst: string, sport: number, dport: number, ppid: number) => {
      const h = hbh++;
      b.sctp(src, dst, sport, dport, [{ tsn: tsn++, ppid, data: ulr({ hbh: h, e2e: 1000 + h, imsi: `00101000000000${h}` }) }]);
      b.sctp(dst, src, dport, sport, [{ tsn: tsn++, ppid, data: s6aAnswer(316, { hbh: h, e2e: 1000 + h, code: 2001 }) }]);
    };
    pair(MME, HSS, 36412, 3868, 46); // frames 1, 2
    pair(MME, HSS, 36413, 3868, 0); // 3, 4: PPID 0, port 3868
    pair(MME, HSS, 5000, 5001, 0); // 5, 6: PPID 0, other ports: heuristic
    pair('2001:db8::1', '2001:db8::2', 36414, 3868, 46); // 7, 8: IPv6
    const r = replay(b, 'sctp-dispatch');
    expect(r.records.map((x) => [x.reqFrame, x.rspFrame, x.status, x.imsi, x.srcIp, x.dstIp])).toEqual([
      [1, 2, 'ok', '001010000000001', MME, HSS],
      [3, 4, 'ok', '001010000000002', MME, HSS],
      [5, 6, 'ok', '001010000000003', MME, HSS],
      [7, 8, 'ok', '001010000000004', '2001:db8::1', '2001:db8::2'],
    ]);
    // tshark decodes Diameter on PPID 46 and on SCTP port 3868, not on PPID 0 / port 5000.
    const theirs = oracleJsonl(r.path).filter((x) => x.protocol === 'diameter');
    expect(theirs.map((x) => x.req_frame)).toEqual([1, 3, 7]);
    const ours = asOracleRows(r.records, ['diameter']).filter((x) => x.req_frame !== 5);
    expect(ours).toEqual(theirs);
  });

  it('PPID 47 (DTLS) is counted, not decoded; noise on PPID 0 elsewhere is not Diameter', () => {
    const b = new CaptureBuilder();
    const dtls = Buffer.from('17fefd000100000000000100200102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
    b.sctp(MME, HSS, 36412, 3868, [{ tsn: 1, ppid: 47, data: dtls }]);
    b.sctp(MME, HSS, 6000, 6001, [{ tsn: 2, ppid: 0, data: Buffer.from('not a diameter message at all, just text..') }]);
    const r = replay(b, 'sctp-dtls');
    expect(r.records).toEqual([]);
    expect(r.pipeline.diameter.stats.encrypted).toBe(1);
    expect(dia(r.pipeline, DiameterAnomaly.Encrypted)).toBe(1);
    expect(r.pipeline.counters.anomalyList()).toContainEqual({ layer: 'dispatch', reason: 'undispatched', count: 1 });
  });

  it('a message fragmented over two DATA chunks counts at the frame of the last one', () => {
    const b = new CaptureBuilder();
    const req = air({ hbh: 7, e2e: 8 });
    b.sctp(MME, HSS, 36412, 3868, [{ tsn: 10, ppid: 46, data: req.subarray(0, 60), flags: 0x02 }]); // B
    b.sctp(MME, HSS, 36412, 3868, [{ tsn: 11, ppid: 46, data: req.subarray(60), flags: 0x01 }]); // E
    b.sctp(HSS, MME, 3868, 36412, [{ tsn: 500, ppid: 46, data: s6aAnswer(318, { hbh: 7, e2e: 8, code: 5420, experimental: true }) }]);
    const r = replay(b, 'sctp-fragmented');
    expect(r.records.map((x) => [x.reqFrame, x.rspFrame, x.status, x.resultCode, x.resultName])).toEqual([[2, 3, 'error', 5420, 'DIAMETER_ERROR_UNKNOWN_EPS_SUBSCRIPTION']]);
    expect(asOracleRows(r.records, ['diameter'])).toEqual(oracleJsonl(r.path).filter((x) => x.protocol === 'diameter'));
  });
});

describe('Diameter over TCP (synthesized captures)', () => {
  it('split messages, several per segment, answers in one segment: frames as tshark counts them', () => {
    const b = new CaptureBuilder();
    const c = new TcpConn(b, MME, HSS, 40000);
    c.handshake(); // 1-3
    const reqs = [1, 2, 3, 4].map((i) => ulr({ hbh: i, e2e: 100 + i, imsi: `00101000000000${i}` }));
    const burst = Buffer.concat(reqs);
    c.send(true, burst.subarray(0, 50)); // 4: the head of request 1
    c.send(true, burst.subarray(50, reqs[0].length + reqs[1].length + 10)); // 5: completes 1 and 2
    c.send(true, burst.subarray(reqs[0].length + reqs[1].length + 10)); // 6: completes 3 and 4
    const answers = Buffer.concat([1, 2, 3, 4].map((i) => s6aAnswer(316, { hbh: i, e2e: 100 + i, code: i === 3 ? 5001 : 2001, experimental: i === 3 })));
    c.send(false, answers); // 7
    const r = replay(b, 'tcp-split');
    expect(r.records.map((x) => [x.reqFrame, x.rspFrame, x.status, x.resultCode])).toEqual([
      [5, 7, 'ok', 2001], [5, 7, 'ok', 2001], [6, 7, 'error', 5001], [6, 7, 'ok', 2001],
    ]);
    expect(asOracleRows(r.records, ['diameter'])).toEqual(oracleJsonl(r.path).filter((x) => x.protocol === 'diameter'));
  });

  it('retransmitted and overlapping segments make no duplicate message', () => {
    const b = new CaptureBuilder();
    const c = new TcpConn(b, MME, HSS, 40001);
    c.handshake();
    const q1 = ulr({ hbh: 1, e2e: 1 });
    const q2 = air({ hbh: 2, e2e: 2 });
    const seq0 = c.cseq;
    c.send(true, q1); // 4
    c.send(true, q1, { seq: seq0, advance: false }); // 5: retransmission
    c.send(true, Buffer.concat([q1.subarray(q1.length - 30), q2]), { seq: seq0 + q1.length - 30 }); // 6: overlaps q1's tail
    c.send(false, Buffer.concat([s6aAnswer(316, { hbh: 1, e2e: 1, code: 2001 }), s6aAnswer(318, { hbh: 2, e2e: 2, code: 2001 })])); // 7
    const r = replay(b, 'tcp-retransmission');
    expect(r.records.map((x) => [x.procedure, x.reqFrame, x.rspFrame, x.retransmissions])).toEqual([['ULR', 4, 7, 0], ['AIR', 6, 7, 0]]);
    expect(r.pipeline.tcp.counters).toMatchObject({ retransmitted: 1, overlapsTrimmed: 1, gaps: 0 });
    expect(r.pipeline.diameter.framer.counters.messages).toBe(4);
  });

  it('a missing segment: the stream resynchronises on the next valid header; the lost request\'s answer is an orphan', () => {
    const b = new CaptureBuilder();
    const c = new TcpConn(b, MME, HSS, 40002);
    c.handshake();
    const q = [1, 2, 3].map((i) => ulr({ hbh: i, e2e: i, imsi: `00101000000000${i}` }));
    c.send(true, q[0]); // 4
    const s2 = Buffer.concat([q[1], q[2]]);
    // The first 100 octets of q[1] are never captured; the rest of q[1] and all of q[2] are (frame 5).
    c.send(true, s2.subarray(100), { seq: c.cseq + 100 });
    const answers = Buffer.concat([1, 2, 3].map((i) => s6aAnswer(316, { hbh: i, e2e: i, code: 2001 })));
    c.send(false, answers); // 6: acknowledges everything: the hole is declared lost
    const r = replay(b, 'tcp-gap');
    expect(r.records.map((x) => [x.orphan, x.reqFrame, x.rspFrame, x.imsi])).toEqual([
      [false, 4, 6, '001010000000001'], [true, null, 6, null], [false, 5, 6, '001010000000003'],
    ]);
    expect(r.pipeline.tcp.counters).toMatchObject({ gaps: 1, gapBytes: 100 });
    expect(r.pipeline.diameter.framer.counters).toMatchObject({ resyncs: 1, bytesSkipped: q[1].length - 100 });
    expect(dia(r.pipeline, DiameterAnomaly.OrphanAnswer)).toBe(1);
  });

  it('a connection already open when the capture starts (no handshake)', () => {
    const b = new CaptureBuilder();
    const c = new TcpConn(b, MME, HSS, 40003, 3868, 77_000, 99_000);
    c.send(true, ulr({ hbh: 1, e2e: 1 })); // 1
    c.send(true, air({ hbh: 2, e2e: 2 })); // 2
    c.send(false, Buffer.concat([s6aAnswer(316, { hbh: 1, e2e: 1, code: 2001 }), s6aAnswer(318, { hbh: 2, e2e: 2, code: 2001 })])); // 3
    const r = replay(b, 'tcp-midstream');
    expect(r.records.map((x) => [x.procedure, x.reqFrame, x.rspFrame])).toEqual([['ULR', 1, 3], ['AIR', 2, 3]]);
    expect(r.pipeline.tcp.counters).toMatchObject({ midstreamStarts: 2, gaps: 0 });
    expect(r.pipeline.diameter.framer.counters).toMatchObject({ resyncs: 0, bytesSkipped: 0 });
    expect(asOracleRows(r.records, ['diameter'])).toEqual(oracleJsonl(r.path).filter((x) => x.protocol === 'diameter'));
  });

  it('a joined stream starts at the first segment seen: earlier bytes arriving later are not replayed', () => {
    const b = new CaptureBuilder();
    const c = new TcpConn(b, MME, HSS, 40006, 3868, 77_000, 99_000);
    const q1 = ulr({ hbh: 1, e2e: 1 });
    const s = c.cseq;
    c.send(true, air({ hbh: 2, e2e: 2 }), { seq: s + q1.length }); // 1: the first segment seen
    c.send(true, q1, { seq: s, advance: false }); // 2: precedes the join point
    c.send(false, Buffer.concat([s6aAnswer(316, { hbh: 1, e2e: 1, code: 2001 }), s6aAnswer(318, { hbh: 2, e2e: 2, code: 2001 })])); // 3
    const r = replay(b, 'tcp-midstream-reordered');
    expect(r.records.map((x) => [x.procedure, x.reqFrame, x.rspFrame, x.orphan])).toEqual([['ULR', null, 3, true], ['AIR', 1, 3, false]]);
    expect(r.pipeline.tcp.counters.retransmitted).toBe(1);
  });

  it('segments reordered after the handshake are held and delivered in order', () => {
    const b = new CaptureBuilder();
    const c = new TcpConn(b, MME, HSS, 40004);
    c.handshake();
    const q1 = ulr({ hbh: 1, e2e: 1 });
    const q2 = air({ hbh: 2, e2e: 2 });
    const s = c.cseq;
    c.send(true, q2, { seq: s + q1.length, advance: false }); // 4: early
    c.send(true, q1, { seq: s }); // 5
    c.cseq = s + q1.length + q2.length;
    c.send(false, Buffer.concat([s6aAnswer(316, { hbh: 1, e2e: 1, code: 2001 }), s6aAnswer(318, { hbh: 2, e2e: 2, code: 2001 })])); // 6
    const r = replay(b, 'tcp-reordered');
    expect(r.records.map((x) => [x.procedure, x.reqFrame, x.rspFrame])).toEqual([['ULR', 5, 6], ['AIR', 4, 6]]);
    expect(r.pipeline.tcp.counters).toMatchObject({ outOfOrder: 1, gaps: 0 });
  });

  it('a configured TCP port besides 3868', () => {
    const b = new CaptureBuilder();
    const c = new TcpConn(b, MME, HSS, 40005, 3869);
    c.handshake();
    c.send(true, baseRequest(280, 1, 1));
    c.send(false, baseAnswer(280, 1, 1));
    expect(replay(b, 'tcp-port-default').records).toEqual([]);
    const r = replay(b, 'tcp-port-3869', { diameter: { tcpPorts: [3869] } });
    expect(r.records.map((x) => [x.procedure, x.status, x.srcPort, x.dstPort])).toEqual([['DWR', 'ok', 40005, 3869]]);
  });
});

describe('Diameter correlation cases in a capture', () => {
  it('DRA legs, a T-flag retransmission, an unanswered request and an orphan answer', () => {
    const b = new CaptureBuilder();
    const DRA = '10.2.2.2';
    const up = new TcpConn(b, MME, DRA, 41000);
    const down = new TcpConn(b, DRA, HSS, 42000);
    up.handshake(); // 1-3
    down.handshake(); // 4-6
    up.send(true, ulr({ hbh: 0x11, e2e: 0xe1 })); // 7: MME → DRA
    down.send(true, ulr({ hbh: 0x91, e2e: 0xe1 })); // 8: DRA → HSS (relayed: new hop-by-hop)
    down.send(false, s6aAnswer(316, { hbh: 0x91, e2e: 0xe1, code: 5004, experimental: true })); // 9
    up.send(false, s6aAnswer(316, { hbh: 0x11, e2e: 0xe1, code: 5004, experimental: true })); // 10
    up.send(true, air({ hbh: 0x12, e2e: 0xe2 })); // 11
    up.send(true, air({ hbh: 0x12, e2e: 0xe2, flags: 0xd0 }), { dtUs: 5_000_000 }); // 12: T flag
    up.send(false, s6aAnswer(318, { hbh: 0x12, e2e: 0xe2, code: 2001 })); // 13
    up.send(true, baseRequest(280, 0x13, 0xe3)); // 14: never answered
    down.send(false, baseAnswer(280, 0x99, 0xe9)); // 15: nobody asked
    up.ack(true); // 16
    const r = replay(b, 'correlation');
    expect(r.records.map((x) => [x.procedure, x.reqFrame, x.rspFrame, x.status, x.hopByHop, x.endToEnd, x.retransmissions, x.endReason, x.orphan])).toEqual([
      ['ULR', 8, 9, 'error', 0x91, 0xe1, 0, 'end', false],
      ['ULR', 7, 10, 'error', 0x11, 0xe1, 0, 'end', false],
      ['AIR', 11, 13, 'ok', 0x12, 0xe2, 1, 'end', false],
      ['DWR', null, 15, 'ok', 0x99, 0xe9, 0, 'orphan_end', true],
      ['DWR', 14, null, 'timeout', 0x13, 0xe3, 0, 'capture_end', false],
    ]);
    expect(r.records[0].resultName).toBe('DIAMETER_ERROR_ROAMING_NOT_ALLOWED');
    expect(r.pipeline.diameter.transactions.closed).toMatchObject({ end: 3, orphan_end: 1, capture_end: 1 });
    // tshark agrees on the pairs; it keeps the retransmitted AIR as a request of its own (oracle README).
    const theirs = oracleJsonl(r.path).filter((x) => x.protocol === 'diameter');
    expect(theirs.map((x) => [x.req_frame, x.rsp_frame])).toEqual([[7, 10], [8, 9], [11, null], [12, 13], [14, null]]);
  });
});
