/**
 * GTP-C request/response correlation on synthesized captures (written with PcapWriter and
 * replayed through the whole pipeline): retransmission, timeout, two SGWs reusing a sequence
 * number, a response from another source port, rejected creates, key reuse, orphans, triggered
 * requests, piggybacking, the pending bound.
 */
import { describe, expect, it } from 'vitest';
import { GtpScenario, gtpv1, gtpv2, v1ie, v2ie } from '../helpers/gtpBuild';

const SGW1 = '10.0.0.1';
const SGW2 = '10.0.0.2';
const PGW = '10.0.0.9';

/** Create Session Request of an SGW on S5/S8 (TS 29.274 §7.2.1). */
function csr(seq: number, imsi: string, sgw: string, sgwTeid: number): Buffer {
  return gtpv2(32, 0, seq, [
    v2ie.imsi(imsi), v2ie.msisdn('33612345678'), v2ie.mei('3548750312345601'), v2ie.uli('208', '10'), v2ie.servingNetwork('208', '10'),
    v2ie.rat(8), v2ie.fteid(6, sgwTeid, sgw), v2ie.apn('iot.example'), v2ie.pdnType(1),
    v2ie.bearerContext([v2ie.ebi(5), v2ie.fteid(4, sgwTeid + 1, sgw, 2)]),
  ]);
}

function csResp(seq: number, sgwTeid: number, cause: number, pgwTeid: number): Buffer {
  const ies = [v2ie.cause(cause)];
  if (cause === 16) ies.push(v2ie.fteid(7, pgwTeid, PGW, 1), v2ie.bearerContext([v2ie.ebi(5), v2ie.cause(16), v2ie.fteid(5, pgwTeid + 1, PGW, 2), v2ie.chargingId(7)]));
  return gtpv2(33, sgwTeid, seq, ies);
}

describe('GTP-C transactions', () => {
  it('retransmitted request: one dialogue with its retransmission count; a late copy and a repeated response are absorbed', () => {
    const s = new GtpScenario();
    const req = csr(0x100, '208101234567890', SGW1, 0x1000);
    s.add(0, SGW1, PGW, req);
    s.add(3_000_000, SGW1, PGW, req); // T3-RESPONSE expired: same bytes again
    const rsp = s.add(100_000, PGW, SGW1, csResp(0x100, 0x1000, 16, 0x2000));
    s.add(900_000, SGW1, PGW, req); // crossed the response: a late copy
    s.add(10_000, PGW, SGW1, csResp(0x100, 0x1000, 16, 0x2000)); // the PGW answers it again
    const { records, tunnels, pipeline } = s.run('retransmission');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      protocol: 'gtpv2', procedure: 'CreateSession', opcode: 32, status: 'ok', resultCode: 16, resultName: 'Request accepted',
      reqFrame: 1, rspFrame: rsp, latencyUs: 3_100_000, retransmissions: 1, messages: 3, endReason: 'end',
      imsi: '208101234567890', homeMcc: '208', homeMnc: '10', visitedMcc: '208', visitedMnc: '10', ratType: 'NB-IoT',
      apn: 'iot.example', imeiTac: '35487503', msisdn: '33612345678', seq: 0x100, teid: 0, reqCtrlTeid: 0x1000, rspCtrlTeid: 0x2000,
      srcIp: SGW1, dstIp: PGW, srcPort: 2123, dstPort: 2123,
    });
    // The record left at the response; what came after is counted on the correlator.
    const st = pipeline.gtp.transactions.stats;
    expect([st.retransmissions, st.lateRetransmissions, st.duplicateResponses, st.orphanResponses]).toEqual([1, 1, 1, 0]);
    expect(tunnels).toHaveLength(1); // one tunnel, not two
  });

  it('unanswered request: timeout after the transaction timeout (packet time), or at the end of the capture', () => {
    const s = new GtpScenario();
    s.add(0, SGW1, PGW, gtpv2(1, null, 1, [v2ie.recovery(1)]));
    s.add(25_000_000, SGW1, PGW, gtpv2(1, null, 2, [v2ie.recovery(1)])); // 25 s later: the first one has expired
    const { records, pipeline } = s.run('timeout');
    expect(records.map((r) => [r.reqFrame, r.status, r.endReason, r.rspFrame, r.latencyUs, r.resultCode])).toEqual([
      [1, 'timeout', 'idle_timeout', null, null, null],
      [2, 'timeout', 'capture_end', null, null, null],
    ]);
    expect(records[0].procedure).toBe('Echo');
    expect(pipeline.gtp.transactions.closed).toMatchObject({ idle_timeout: 1, capture_end: 1 });
  });

  it('two SGWs with the same sequence number towards one PGW: each response pairs with its own request', () => {
    const s = new GtpScenario();
    s.add(0, SGW1, PGW, csr(42, '208100000000001', SGW1, 0x11));
    s.add(10, SGW2, PGW, csr(42, '208100000000002', SGW2, 0x11));
    s.add(500, PGW, SGW2, csResp(42, 0x11, 16, 0x21));
    s.add(700, PGW, SGW1, csResp(42, 0x11, 73, 0));
    const { records, tunnels } = s.run('two-sgws');
    const by = (ip: string) => records.find((r) => r.srcIp === ip);
    expect(by(SGW1)).toMatchObject({ reqFrame: 1, rspFrame: 4, status: 'error', resultCode: 73, imsi: '208100000000001', latencyUs: 1210 });
    expect(by(SGW2)).toMatchObject({ reqFrame: 2, rspFrame: 3, status: 'ok', resultCode: 16, imsi: '208100000000002', latencyUs: 500 });
    expect(tunnels.map((t) => [t.sgsnIp, t.endReason, t.createCause])).toEqual([
      [SGW1, 'create_rejected', 73], // written when rejected
      [SGW2, 'capture_end', 16],
    ]);
  });

  it('responses go back to the request\'s source port; their own source port is not part of the key', () => {
    const s = new GtpScenario();
    s.add(0, SGW1, PGW, gtpv2(1, null, 7, [v2ie.recovery(1)]), 41000, 2123); // from an ephemeral port
    s.add(300, PGW, SGW1, gtpv2(2, null, 7, [v2ie.recovery(3)]), 2123, 41000);
    s.add(0, SGW1, PGW, gtpv2(1, null, 8, [v2ie.recovery(1)]));
    s.add(200, PGW, SGW1, gtpv2(2, null, 8, [v2ie.recovery(3)]), 40999, 2123); // answered from another port
    s.add(0, SGW1, PGW, gtpv2(1, null, 9, [v2ie.recovery(1)]), 41000, 2123);
    s.add(100, PGW, SGW1, gtpv2(2, null, 9, [v2ie.recovery(3)]), 2123, 41001); // to another port: not this request's
    const { records } = s.run('other-port');
    expect(records.map((r) => [r.seq, r.status, r.resultCode, r.reqFrame, r.rspFrame, r.srcPort, r.dstPort, r.latencyUs, r.orphan])).toEqual([
      [7, 'ok', null, 1, 2, 41000, 2123, 300, false],
      [8, 'ok', null, 3, 4, 2123, 2123, 200, false],
      [9, 'ok', null, null, 6, 41001, 2123, null, true],
      [9, 'timeout', null, 5, null, 41000, 2123, null, false],
    ]);
  });

  it('rejected creates: status error with the cause; GTPv1 accepts 128..191, GTPv2 16..63', () => {
    const s = new GtpScenario();
    const v1req = (seq: number) => gtpv1(16, 0, seq, [v1ie.imsi('001010000000001'), v1ie.teidControl(seq), v1ie.nsapi(5), v1ie.apn('internet')]);
    s.add(0, SGW1, PGW, v1req(1));
    s.add(10, PGW, SGW1, gtpv1(17, 1, 1, [v1ie.cause(211)]));
    s.add(10, SGW1, PGW, v1req(2));
    s.add(10, PGW, SGW1, gtpv1(17, 2, 2, [v1ie.cause(129), v1ie.teidControl(9)])); // New PDP type: still accepted
    s.add(10, SGW1, PGW, csr(3, '001010000000003', SGW1, 3));
    s.add(10, PGW, SGW1, csResp(3, 3, 64, 0));
    const { records, tunnels, pipeline } = s.run('rejected');
    expect(records.map((r) => [r.protocol, r.status, r.resultCode, r.resultName])).toEqual([
      ['gtpv1', 'error', 211, 'All dynamic PDP addresses are occupied'],
      ['gtpv1', 'ok', 129, 'New PDP type due to network preference'],
      ['gtpv2', 'error', 64, 'Context Not Found'],
    ]);
    expect(tunnels.map((t) => t.endReason).sort()).toEqual(['capture_end', 'create_rejected', 'create_rejected']);
    expect(pipeline.gtp.tunnels.active).toBe(0);
  });

  it('another request on a pending key closes the old one (tid_reused); a response with nothing pending is an orphan record', () => {
    const s = new GtpScenario();
    s.add(0, SGW1, PGW, gtpv2(34, 5, 9, [v2ie.ebi(5)])); // Modify Bearer, seq 9
    s.add(100, SGW1, PGW, gtpv2(36, 5, 9, [v2ie.ebi(5)])); // Delete Session, same seq: the MBR is abandoned
    s.add(100, PGW, SGW1, gtpv2(37, 6, 9, [v2ie.cause(16)]));
    s.add(100, PGW, SGW1, gtpv2(171, 6, 99, [v2ie.cause(16)])); // nothing asked for it
    const { records, pipeline } = s.run('reuse');
    expect(records.map((r) => [r.procedure, r.status, r.endReason, r.orphan, r.reqFrame, r.rspFrame])).toEqual([
      ['ModifyBearer', 'timeout', 'tid_reused', false, 1, null],
      ['DeleteSession', 'ok', 'end', false, 2, 3],
      ['ReleaseAccessBearers', 'ok', 'orphan_end', true, null, 4],
    ]);
    expect(records[2]).toMatchObject({ srcIp: SGW1, dstIp: PGW, reqTimeUs: null, latencyUs: null, opcode: 170 });
    expect(pipeline.gtp.transactions.stats.tidReused).toBe(1);
  });

  it('a Command is answered by the request it triggers (same sequence number), which is a dialogue of its own', () => {
    const s = new GtpScenario();
    s.add(0, SGW1, PGW, gtpv2(68, 0x21, 0x800005, [v2ie.ebi(5)])); // Bearer Resource Command
    s.add(2_000, PGW, SGW1, gtpv2(95, 0x11, 0x800005, [v2ie.ebi(5), v2ie.bearerContext([v2ie.ebi(0)])])); // Create Bearer Request
    s.add(1_000, SGW1, PGW, gtpv2(96, 0x21, 0x800005, [v2ie.cause(16)]));
    s.add(0, SGW1, PGW, gtpv2(66, 0x21, 0x800006, [v2ie.ebi(6)])); // Delete Bearer Command, refused
    s.add(500, PGW, SGW1, gtpv2(67, 0x11, 0x800006, [v2ie.cause(64)]));
    const { records, pipeline } = s.run('command');
    expect(records.map((r) => [r.procedure, r.status, r.resultCode, r.reqFrame, r.rspFrame])).toEqual([
      ['BearerResourceCommand', 'ok', null, 1, 2],
      ['CreateBearer', 'ok', 16, 2, 3],
      ['DeleteBearerCommand', 'error', 64, 4, 5],
    ]);
    expect(pipeline.gtp.transactions.stats.triggered).toBe(1);
  });

  it('piggybacking: a Create Bearer Request behind the Create Session Response is handled in the same datagram', () => {
    const s = new GtpScenario();
    s.add(0, SGW1, PGW, csr(0x10, '208109999999999', SGW1, 0x50));
    s.add(800, PGW, SGW1, Buffer.concat([
      gtpv2(33, 0x50, 0x10, [v2ie.cause(16), v2ie.fteid(7, 0x60, PGW, 1)], { piggyback: true }),
      gtpv2(95, 0x50, 0x20, [v2ie.ebi(5), v2ie.bearerContext([v2ie.ebi(0)])]),
    ]));
    s.add(400, SGW1, PGW, gtpv2(96, 0x60, 0x20, [v2ie.cause(16)]));
    const { records, pipeline } = s.run('piggyback');
    expect(records.map((r) => [r.procedure, r.status, r.reqFrame, r.rspFrame, r.imsi])).toEqual([
      ['CreateSession', 'ok', 1, 2, '208109999999999'],
      ['CreateBearer', 'ok', 2, 3, '208109999999999'], // the session's IMSI, via the tunnel (header TEID 0x50 at the SGW)
    ]);
    expect(pipeline.gtp.stats.piggybacked).toBe(1);
  });

  it('bounded: beyond maxPending the least recently active request is closed as evicted', () => {
    const s = new GtpScenario();
    for (let i = 1; i <= 3; i++) s.add(10, SGW1, PGW, gtpv2(1, null, i, [v2ie.recovery(1)]));
    const { records } = s.run('bound', { gtp: { transactions: { maxPending: 2 } } });
    expect(records.map((r) => [r.seq, r.endReason])).toEqual([[1, 'evicted'], [2, 'capture_end'], [3, 'capture_end']]);
  });

  it('IPv6 transport and GTPv1 over it: addresses in RFC 5952 text', () => {
    const s = new GtpScenario();
    s.add(0, '2001:db8::1', '2001:db8::9', gtpv1(1, 0, 0x77, []));
    s.add(40, '2001:db8::9', '2001:db8::1', gtpv1(2, 0, 0x77, [v1ie.recovery(4)]));
    const { records } = s.run('ipv6');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ protocol: 'gtpv1', procedure: 'Echo', status: 'ok', srcIp: '2001:db8::1', dstIp: '2001:db8::9', latencyUs: 40 });
  });
});
