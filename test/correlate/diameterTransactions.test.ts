import { describe, expect, it } from 'vitest';
import { DiameterTransactions, DEFAULT_DIAMETER_LIMITS } from '../../src/correlate/diameterTransactions';
import type { DiameterInput, DiameterLimits } from '../../src/correlate/diameterTransactions';
import type { DialogueRecord } from '../../src/correlate/record';
import { IdentityProtector } from '../../src/correlate/identities';
import { Counters } from '../../src/metrics/anomalies';
import { Layer } from '../../src/metrics/layers';
import { AddrPair } from '../../src/net/addrKey';
import { decodeDiameter } from '../../src/protocols/diameter/decode';
import { createDiameterView } from '../../src/protocols/diameter/types';
import { DiameterAnomaly } from '../../src/protocols/diameter/constants';
import { air, avp, baseAnswer, baseRequest, diameterMessage, s6aAnswer, u32Avp, ulr } from '../helpers/diameterBuild';
import { hex } from '../helpers/hex';

const MME = 0x0a010101; // 10.1.1.1
const DRA = 0x0a020202; // 10.2.2.2
const HSS = 0x0a030303; // 10.3.3.3

interface Send {
  /** Sender direction key and its reverse. */
  conn: number;
  peer: number;
  from: number;
  to: number;
  tcp?: boolean;
  frame: number;
  ts: number;
}

function harness(limits: Partial<DiameterLimits> = {}, ids = new IdentityProtector('raw', null)) {
  const records: DialogueRecord[] = [];
  const counters = new Counters();
  const tx = new DiameterTransactions({ write: (r) => records.push(r) }, counters, ids, { site: 'mad1', source: 'test.pcap' }, { ...DEFAULT_DIAMETER_LIMITS, ...limits });
  const view = createDiameterView();
  const addrs = new AddrPair();
  const send = (msg: Buffer, s: Send): void => {
    expect(decodeDiameter(msg, 0, msg.length, view)).toBe(0);
    addrs.version = 4;
    addrs.a4 = s.from;
    addrs.b4 = s.to;
    const m: DiameterInput = {
      view, buf: msg, tcp: s.tcp ?? false, connKey: s.conn, peerKey: s.peer, addrs,
      srcPort: s.from === MME ? 40000 : 3868, dstPort: s.from === MME ? 3868 : 40000, frame: s.frame, tsUs: s.ts,
    };
    tx.onMessage(m);
  };
  const anomalies = (code: DiameterAnomaly) => counters.anomalies[Layer.Diameter * 64 + code];
  return { records, tx, send, anomalies };
}

// MME → DRA on direction 1 (reverse 2); DRA → HSS on direction 3 (reverse 4).
const up = (frame: number, ts: number): Send => ({ conn: 1, peer: 2, from: MME, to: DRA, frame, ts });
const down = (frame: number, ts: number): Send => ({ conn: 2, peer: 1, from: DRA, to: MME, frame, ts });

describe('DiameterTransactions: request and answer', () => {
  it('ULR / ULA 2001: one record with every Diameter field', () => {
    const h = harness();
    h.send(ulr({ hbh: 0x10, e2e: 0xabc, imsi: '214070123456789', mcc: '208', mnc: '15', rat: 1004 }), up(5, 1_000_000));
    expect(h.tx.pending).toBe(1);
    h.send(s6aAnswer(316, { hbh: 0x10, e2e: 0xabc, code: 2001 }), down(9, 1_004_250));
    expect(h.tx.pending).toBe(0);
    expect(h.records).toHaveLength(1);
    expect(h.records[0]).toMatchObject({
      protocol: 'diameter', procedure: 'ULR', opcode: 316, appId: 16777251, status: 'ok', resultCode: 2001,
      resultName: 'DIAMETER_SUCCESS', resultSource: 'result', resultVendor: null, endReason: 'end', orphan: false,
      reqFrame: 5, rspFrame: 9, reqTimeUs: 1_000_000, rspTimeUs: 1_004_250, latencyUs: 4250,
      imsi: '214070123456789', homeMcc: '214', homeMnc: '07', msisdn: null,
      originHost: 'mme.visited.net', originRealm: 'visited.net', destHost: 'hss.home.net', destRealm: 'home.net',
      visitedMcc: '208', visitedMnc: '15', ratType: 'EUTRAN', hopByHop: 0x10, endToEnd: 0xabc,
      srcIp: '10.1.1.1', dstIp: '10.2.2.2', srcPort: 40000, dstPort: 3868, messages: 2, retransmissions: 0,
      site: 'mad1', source: 'test.pcap',
    });
    expect(h.tx.closed.end).toBe(1);
  });

  it('Experimental-Result: code, vendor and the 3GPP meaning (5001 USER_UNKNOWN, not AVP_UNSUPPORTED)', () => {
    const h = harness();
    h.send(air({ hbh: 1, e2e: 2 }), up(1, 0));
    h.send(s6aAnswer(318, { hbh: 1, e2e: 2, code: 5001, experimental: true }), down(2, 10));
    h.send(air({ hbh: 3, e2e: 4 }), up(3, 20));
    h.send(s6aAnswer(318, { hbh: 3, e2e: 4, code: 5001 }), down(4, 30));
    expect(h.records.map((r) => [r.procedure, r.status, r.resultCode, r.resultSource, r.resultVendor, r.resultName])).toEqual([
      ['AIR', 'error', 5001, 'experimental', 10415, 'DIAMETER_ERROR_USER_UNKNOWN'],
      ['AIR', 'error', 5001, 'result', null, 'DIAMETER_AVP_UNSUPPORTED'],
    ]);
  });

  it('status rules: 1xxx/2xxx ok (either AVP), others error; no result AVP: the E bit decides', () => {
    const h = harness();
    const cases: [Buffer, string, number | null][] = [
      [baseAnswer(280, 1, 1, 1001), 'ok', 1001],
      [baseAnswer(280, 2, 2, 2002), 'ok', 2002],
      [baseAnswer(280, 3, 3, 3002), 'error', 3002],
      [baseAnswer(280, 4, 4, 4001), 'error', 4001],
      [s6aAnswer(280, { hbh: 5, e2e: 5, code: 2001, experimental: true, flags: 0 }), 'ok', 2001],
      [diameterMessage({ flags: 0x20, cmd: 280, app: 0, hbh: 6, e2e: 6 }, [avp(264, 'x')]), 'error', null],
      [diameterMessage({ flags: 0x00, cmd: 280, app: 0, hbh: 7, e2e: 7 }, [avp(264, 'x')]), 'ok', null],
    ];
    cases.forEach(([ans], i) => {
      h.send(baseRequest(280, i + 1, i + 1), up(2 * i + 1, i));
      h.send(ans, down(2 * i + 2, i + 1));
    });
    expect(h.records.map((r) => [r.status, r.resultCode])).toEqual(cases.map(([, s, c]) => [s, c]));
    expect(h.records.every((r) => r.procedure === 'DWR')).toBe(true);
  });

  it('the IMSI comes from the answer when the request has none; an NAI is no IMSI', () => {
    const h = harness();
    h.send(baseRequest(280, 1, 1), up(1, 0));
    h.send(diameterMessage({ flags: 0, cmd: 280, app: 0, hbh: 1, e2e: 1 }, [u32Avp(268, 2001), avp(1, '001019876543210')]), down(2, 1));
    h.send(diameterMessage({ flags: 0x80, cmd: 272, app: 4, hbh: 2, e2e: 2 }, [avp(1, '001011234567893@ims.mnc001.mcc001.3gppnetwork.org')]), up(3, 2));
    h.send(baseAnswer(272, 2, 2), down(4, 3));
    expect(h.records.map((r) => r.imsi)).toEqual(['001019876543210', null]);
    expect(h.records[1].procedure).toBe('CCR');
  });

  it('identities are protected before the record leaves; MCC/MNC stay in clear', () => {
    const h = harness({}, new IdentityProtector('pseudonymize', Buffer.alloc(32, 7)));
    h.send(ulr({ hbh: 1, e2e: 1, imsi: '214070123456789' }), up(1, 0));
    h.send(s6aAnswer(316, { hbh: 1, e2e: 1, code: 2001 }), down(2, 1));
    expect(h.records[0].imsi).toMatch(/^[0-9a-f]{24}$/);
    expect([h.records[0].homeMcc, h.records[0].homeMnc]).toEqual(['214', '07']);
  });
});

describe('DiameterTransactions: keys', () => {
  it('each side of a DRA is its own record; end-to-end id and origin host join them', () => {
    const h = harness();
    h.send(ulr({ hbh: 0x100, e2e: 0xe2e }), up(1, 0)); // MME → DRA
    h.send(ulr({ hbh: 0x777, e2e: 0xe2e }), { conn: 3, peer: 4, from: DRA, to: HSS, frame: 2, ts: 100 }); // DRA → HSS
    h.send(s6aAnswer(316, { hbh: 0x777, e2e: 0xe2e, code: 5004, experimental: true }), { conn: 4, peer: 3, from: HSS, to: DRA, frame: 3, ts: 900 });
    h.send(s6aAnswer(316, { hbh: 0x100, e2e: 0xe2e, code: 5004, experimental: true }), down(4, 1000));
    expect(h.records.map((r) => [r.reqFrame, r.rspFrame, r.hopByHop, r.endToEnd, r.originHost, r.latencyUs, r.resultName])).toEqual([
      [2, 3, 0x777, 0xe2e, 'mme.visited.net', 800, 'DIAMETER_ERROR_ROAMING_NOT_ALLOWED'],
      [1, 4, 0x100, 0xe2e, 'mme.visited.net', 1000, 'DIAMETER_ERROR_ROAMING_NOT_ALLOWED'],
    ]);
  });

  it('hop-by-hop ids are per sender: the same id in both directions of one connection', () => {
    const h = harness();
    // freeDiameter (peers capture): peer2 sends CER hbh 3b83c54f, peer1 later relays a ULR with the same hbh.
    h.send(baseRequest(257, 0x3b83c54f, 1), up(1, 0));
    h.send(ulr({ hbh: 0x3b83c54f, e2e: 2 }), down(2, 1));
    h.send(s6aAnswer(316, { hbh: 0x3b83c54f, e2e: 2, code: 3002, flags: 0x20 }), up(3, 2));
    h.send(baseAnswer(257, 0x3b83c54f, 1), down(4, 3));
    expect(h.records.map((r) => [r.procedure, r.reqFrame, r.rspFrame])).toEqual([['ULR', 2, 3], ['CER', 1, 4]]);
  });

  it('an answer on another connection, or with another end-to-end id / command, is no answer', () => {
    const h = harness();
    h.send(ulr({ hbh: 9, e2e: 90 }), up(1, 0));
    h.send(s6aAnswer(316, { hbh: 9, e2e: 90, code: 2001 }), { conn: 8, peer: 7, from: DRA, to: MME, frame: 2, ts: 1 }); // other connection
    h.send(s6aAnswer(316, { hbh: 9, e2e: 91, code: 2001 }), down(3, 2)); // end-to-end differs
    h.send(s6aAnswer(318, { hbh: 9, e2e: 90, code: 2001 }), down(4, 3)); // command differs
    expect(h.anomalies(DiameterAnomaly.OrphanAnswer)).toBe(1);
    expect(h.anomalies(DiameterAnomaly.AnswerMismatch)).toBe(2);
    expect(h.tx.pending).toBe(1);
    h.send(s6aAnswer(316, { hbh: 9, e2e: 90, code: 2001 }), down(5, 4));
    expect(h.records.map((r) => [r.orphan, r.endReason, r.reqFrame, r.rspFrame])).toEqual([
      [true, 'orphan_end', null, 2], [true, 'orphan_end', null, 3], [true, 'orphan_end', null, 4], [false, 'end', 1, 5],
    ]);
  });

  it('SCTP and TCP directions with the same key number are different connections', () => {
    const h = harness();
    h.send(baseRequest(280, 1, 1), { ...up(1, 0), tcp: false });
    h.send(baseRequest(280, 1, 2), { ...up(2, 1), tcp: true });
    h.send(baseAnswer(280, 1, 2), { ...down(3, 2), tcp: true });
    h.send(baseAnswer(280, 1, 1), { ...down(4, 3), tcp: false });
    expect(h.records.map((r) => [r.reqFrame, r.rspFrame])).toEqual([[2, 3], [1, 4]]);
    expect(h.anomalies(DiameterAnomaly.HopByHopReused)).toBe(0);
  });

  it('connection keys beyond 2^20 fold onto the same numeric key and are still told apart', () => {
    const h = harness();
    const far = 1 + 2 ** 20; // tag = 2 * key: differs from key 1's by 2^21
    h.send(baseRequest(280, 5, 1), { conn: 1, peer: 2, from: MME, to: DRA, frame: 1, ts: 0 });
    h.send(baseRequest(280, 5, 2), { conn: far, peer: far + 1, from: MME, to: DRA, frame: 2, ts: 1 });
    h.send(baseAnswer(280, 5, 2), { conn: far + 1, peer: far, from: DRA, to: MME, frame: 3, ts: 2 });
    h.send(baseAnswer(280, 5, 1), { conn: 2, peer: 1, from: DRA, to: MME, frame: 4, ts: 3 });
    expect(h.records.map((r) => [r.reqFrame, r.rspFrame, r.endToEnd])).toEqual([[2, 3, 2], [1, 4, 1]]);
  });
});

describe('DiameterTransactions: retransmissions and collisions', () => {
  it('the same request again (same hop-by-hop and end-to-end id) is one dialogue', () => {
    const h = harness();
    const req = ulr({ hbh: 1, e2e: 2 });
    h.send(req, up(1, 0));
    h.send(ulr({ hbh: 1, e2e: 2, flags: 0xd0 }), up(2, 5_000_000)); // T flag, same connection
    h.send(s6aAnswer(316, { hbh: 1, e2e: 2, code: 2001 }), down(3, 5_000_100));
    expect(h.records).toHaveLength(1);
    expect(h.records[0]).toMatchObject({ reqFrame: 1, rspFrame: 3, retransmissions: 1, messages: 3, latencyUs: 5_000_100 });
    expect(h.anomalies(DiameterAnomaly.Retransmission)).toBe(1);
  });

  it('failover: a T-flagged copy on another connection (new hop-by-hop, same end-to-end) joins the first; the answer may come on either', () => {
    for (const answerOnNew of [true, false]) {
      const h = harness();
      h.send(ulr({ hbh: 0x10, e2e: 0x55 }), up(1, 0));
      h.send(ulr({ hbh: 0x99, e2e: 0x55, flags: 0xd0 }), { conn: 11, peer: 12, from: MME, to: DRA, frame: 2, ts: 3_000_000 });
      if (answerOnNew) h.send(s6aAnswer(316, { hbh: 0x99, e2e: 0x55, code: 2001 }), { conn: 12, peer: 11, from: DRA, to: MME, frame: 3, ts: 3_000_500 });
      else h.send(s6aAnswer(316, { hbh: 0x10, e2e: 0x55, code: 2001 }), down(3, 3_000_500));
      expect(h.records).toHaveLength(1);
      expect(h.records[0]).toMatchObject({ reqFrame: 1, rspFrame: 3, retransmissions: 1, hopByHop: 0x10 });
      expect(h.tx.pending).toBe(0);
    }
  });

  it('a T-flagged request from another sender is not a retransmission', () => {
    const h = harness();
    h.send(ulr({ hbh: 1, e2e: 0x55 }), up(1, 0));
    h.send(ulr({ hbh: 2, e2e: 0x55, flags: 0xd0 }), { conn: 3, peer: 4, from: DRA, to: HSS, frame: 2, ts: 1 });
    expect(h.tx.pending).toBe(2);
  });

  it('a new request on a pending hop-by-hop id closes the old one (tid_reused)', () => {
    const h = harness();
    h.send(ulr({ hbh: 1, e2e: 100 }), up(1, 0));
    h.send(ulr({ hbh: 1, e2e: 101 }), up(2, 1));
    expect(h.records.map((r) => [r.reqFrame, r.status, r.endReason, r.rspFrame])).toEqual([[1, 'timeout', 'tid_reused', null]]);
    expect(h.anomalies(DiameterAnomaly.HopByHopReused)).toBe(1);
    h.send(s6aAnswer(316, { hbh: 1, e2e: 101, code: 2001 }), down(3, 2));
    expect(h.records[1]).toMatchObject({ reqFrame: 2, rspFrame: 3, status: 'ok' });
  });
});

describe('DiameterTransactions: bounds and timers', () => {
  it('no answer within the idle timeout: timeout record, counted', () => {
    const h = harness({ idleTimeoutUs: 1_000_000 });
    h.send(ulr({ hbh: 1, e2e: 1 }), up(1, 0));
    h.send(ulr({ hbh: 2, e2e: 2 }), up(2, 600_000));
    h.tx.expire(1_000_000);
    expect(h.records).toHaveLength(0);
    h.tx.expire(1_000_001);
    expect(h.records.map((r) => [r.reqFrame, r.status, r.endReason, r.latencyUs])).toEqual([[1, 'timeout', 'idle_timeout', null]]);
    expect(h.anomalies(DiameterAnomaly.IdleTimeout)).toBe(1);
    h.send(s6aAnswer(316, { hbh: 1, e2e: 1, code: 2001 }), down(3, 1_000_002)); // too late: an orphan
    expect(h.records[1]).toMatchObject({ orphan: true, endReason: 'orphan_end', status: 'ok', rspFrame: 3 });
  });

  it('pending table full: the least recently active request is evicted', () => {
    const h = harness({ maxPending: 2 });
    for (let i = 1; i <= 3; i++) h.send(ulr({ hbh: i, e2e: i }), up(i, i));
    expect(h.tx.pending).toBe(2);
    expect(h.records.map((r) => [r.reqFrame, r.endReason])).toEqual([[1, 'evicted']]);
    expect(h.anomalies(DiameterAnomaly.Evicted)).toBe(1);
  });

  it('flush: every pending request becomes a timeout record with the reason given', () => {
    const h = harness();
    h.send(ulr({ hbh: 1, e2e: 1 }), up(1, 0));
    h.send(baseRequest(282, 2, 2), up(2, 1));
    h.tx.flush('capture_end');
    expect(h.records.map((r) => [r.procedure, r.status, r.endReason, r.rspFrame])).toEqual([
      ['ULR', 'timeout', 'capture_end', null], ['DPR', 'timeout', 'capture_end', null],
    ]);
    expect(h.tx.closed).toMatchObject({ capture_end: 2, end: 0 });
    expect(h.tx.pending).toBe(0);
  });
});

describe('DiameterTransactions: orphans and IPv6', () => {
  it('an orphan answer is recorded with what it carries', () => {
    const h = harness();
    h.send(s6aAnswer(318, { hbh: 4, e2e: 5, code: 4181, experimental: true }), down(7, 70));
    expect(h.records[0]).toMatchObject({
      protocol: 'diameter', procedure: 'AIR', opcode: 318, orphan: true, endReason: 'orphan_end', status: 'error',
      resultCode: 4181, resultName: 'DIAMETER_AUTHENTICATION_DATA_UNAVAILABLE', reqFrame: null, rspFrame: 7,
      latencyUs: null, srcIp: '10.1.1.1', dstIp: '10.2.2.2', srcPort: 40000, dstPort: 3868, originHost: 'hss.home.net',
      hopByHop: 4, endToEnd: 5,
    });
    expect(h.tx.stats.orphans).toBe(1);
  });

  it('IPv6 addresses of the request', () => {
    const records: DialogueRecord[] = [];
    const tx = new DiameterTransactions({ write: (r) => records.push(r) }, new Counters(), new IdentityProtector('raw', null), { site: 's', source: 'x' });
    const view = createDiameterView();
    const addrs = new AddrPair();
    addrs.version = 6;
    addrs.a6 = Buffer.concat([hex('20010db8000000000000000000000001'), hex('20010db8000000000000000000000002')]);
    const req = baseRequest(280, 1, 1);
    decodeDiameter(req, 0, req.length, view);
    tx.onMessage({ view, buf: req, tcp: true, connKey: 1, peerKey: 2, addrs, srcPort: 1, dstPort: 3868, frame: 1, tsUs: 0 });
    addrs.a6 = Buffer.alloc(32); // the caller's buffer changes: the transaction kept a copy
    tx.flush('shutdown');
    expect([records[0].srcIp, records[0].dstIp, records[0].endReason]).toEqual(['2001:db8::1', '2001:db8::2', 'shutdown']);
  });
});
