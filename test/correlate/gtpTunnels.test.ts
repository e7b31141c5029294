/**
 * Tunnel records (table `tunnels`) on synthesized captures: lifecycle, setup delay, duration,
 * delete by TEID (both directions), NSAPI / EBI selection, teardown, SGSN change, Error
 * Indication, rejected create, replacement, idle timeout, the active bound, and restart
 * survival (exportActive / importActive).
 */
import { describe, expect, it } from 'vitest';
import { GtpTunnels, type TunnelState } from '../../src/correlate/gtpTunnels';
import type { TunnelRecord } from '../../src/correlate/record';
import { collectingPipeline, GtpScenario, gtpv1, gtpv2, v1ie, v2ie } from '../helpers/gtpBuild';

const SGSN = '10.1.0.1';
const SGSN2 = '10.1.0.2';
const GGSN = '10.2.0.1';
const GGSN_U = '10.2.0.100';

/** Create PDP Context Request (TS 29.060 §7.3.1): TEID-C / TEID Data I of the SGSN, its addresses. */
function cpcReq(seq: number, imsi: string, teidC: number, nsapi: number, sgsn = SGSN, headerTeid = 0): Buffer {
  return gtpv1(16, headerTeid, seq, [
    v1ie.imsi(imsi), v1ie.rai('262', '01'), v1ie.teidData(teidC + 0x100), v1ie.teidControl(teidC), v1ie.nsapi(nsapi), v1ie.eua(),
    v1ie.apn('internet.m2m'), v1ie.gsn(sgsn), v1ie.gsn(sgsn), v1ie.msisdn('491701234567'), v1ie.rat(1),
  ]);
}

function cpcRsp(seq: number, sgsnTeid: number, ggsnTeid: number, cause = 128): Buffer {
  const ies = [v1ie.cause(cause)];
  if (cause === 128) ies.push(v1ie.teidData(ggsnTeid + 0x100), v1ie.teidControl(ggsnTeid), v1ie.chargingId(1), v1ie.gsn(GGSN), v1ie.gsn(GGSN_U));
  return gtpv1(17, sgsnTeid, seq, ies);
}

const dpcReq = (seq: number, teid: number, nsapi: number, teardown = false) =>
  gtpv1(20, teid, seq, teardown ? [v1ie.teardown(true), v1ie.nsapi(nsapi)] : [v1ie.nsapi(nsapi)]);
const dpcRsp = (seq: number, teid: number, cause = 128) => gtpv1(21, teid, seq, [v1ie.cause(cause)]);

const reasons = (ts: TunnelRecord[]) => ts.map((t) => t.endReason);

describe('GTP tunnels', () => {
  it('lifecycle: create → (SGSN change) → delete; setup delay, duration, identities, endpoints; the Delete dialogue carries the IMSI', () => {
    const s = new GtpScenario();
    s.add(0, SGSN, GGSN, cpcReq(1, '262011234567890', 0x10, 5));
    s.add(4_000, GGSN, SGSN, cpcRsp(1, 0x10, 0x90));
    // Inter-SGSN routing area update (TS 29.060 §7.3.3): the new SGSN announces its TEID-C.
    s.add(600_000_000, SGSN2, GGSN, gtpv1(18, 0x90, 7, [v1ie.teidData(0x222), v1ie.teidControl(0x22), v1ie.nsapi(5), v1ie.gsn(SGSN2), v1ie.gsn(SGSN2)]));
    s.add(3_000, GGSN, SGSN2, gtpv1(19, 0x22, 7, [v1ie.cause(128), v1ie.teidControl(0x90)]));
    const del = s.add(1_200_000_000, GGSN, SGSN2, dpcReq(8, 0x22, 5)); // GGSN-initiated, to the new SGSN's TEID
    const delRsp = s.add(2_000, SGSN2, GGSN, dpcRsp(8, 0x90));
    const { records, tunnels, pipeline } = s.run('lifecycle');
    expect(tunnels).toHaveLength(1);
    const t = tunnels[0];
    expect(t).toMatchObject({
      protocol: 'gtpv1', imsi: '262011234567890', msisdn: '491701234567', homeMcc: '262', homeMnc: '01', visitedMcc: '262', visitedMnc: '01',
      apn: 'internet.m2m', ratType: 'UTRAN', sgsnIp: SGSN2, ggsnIp: GGSN, sgsnCtrlTeid: 0x22, ggsnCtrlTeid: 0x90,
      // The accepted Update moved the SGSN's user plane too (TEID Data I 0x222, TS 29.060 §7.3.3).
      sgsnDataTeid: 0x222, ggsnDataTeid: 0x190, createCause: 128, setupDelayUs: 4_000, deleteCause: 128, endReason: 'delete',
      // The tunnel ends when the Delete is answered: create request → delete response.
      createFrame: 1, endFrame: delRsp, durationUs: 4_000 + 600_000_000 + 3_000 + 1_200_000_000 + 2_000,
    });
    expect(delRsp).toBe(del + 1);
    expect(t.endTimeUs).toBe(t.createTimeUs + (t.durationUs as number));
    const d = records.find((r) => r.procedure === 'DeletePDPContext');
    expect(d).toMatchObject({ status: 'ok', imsi: '262011234567890', apn: 'internet.m2m', teid: 0x22, srcIp: GGSN });
    expect(records.find((r) => r.procedure === 'UpdatePDPContext')).toMatchObject({ imsi: '262011234567890', reqCtrlTeid: 0x22 });
    expect(pipeline.gtp.tunnels.active).toBe(0);
  });

  it('a Delete finds its tunnel by (receiver address, header TEID) and NSAPI; TEIDs of other nodes do not collide', () => {
    const s = new GtpScenario();
    // Two SGSNs that both allocated TEID-C 1; the GGSN gives 0x91 and 0x92.
    s.add(0, SGSN, GGSN, cpcReq(1, '262010000000001', 1, 5));
    s.add(10, GGSN, SGSN, cpcRsp(1, 1, 0x91));
    s.add(10, SGSN2, GGSN, cpcReq(1, '262010000000002', 1, 5, SGSN2));
    s.add(10, GGSN, SGSN2, cpcRsp(1, 1, 0x92));
    s.add(1_000, SGSN2, GGSN, dpcReq(2, 0x92, 5)); // SGSN2's context, by the GGSN's TEID
    s.add(10, GGSN, SGSN2, dpcRsp(2, 1));
    s.add(1_000, GGSN, SGSN, dpcReq(3, 1, 6)); // NSAPI 6: no such context behind TEID 1 at SGSN
    s.add(10, SGSN, GGSN, dpcRsp(3, 0x91, 192));
    const { tunnels, records } = s.run('delete-by-teid');
    expect(tunnels.map((t) => [t.imsi, t.endReason, t.deleteCause])).toEqual([
      ['262010000000002', 'delete', 128],
      ['262010000000001', 'capture_end', null],
    ]);
    expect(records.filter((r) => r.procedure === 'DeletePDPContext').map((r) => r.imsi)).toEqual(['262010000000002', null]);
  });

  it('an unanswered Delete still ends its tunnel (the sender drops the context after N3 tries), with no delete cause', () => {
    const s = new GtpScenario();
    s.add(0, SGSN, GGSN, cpcReq(1, '262010000000003', 3, 5));
    s.add(10, GGSN, SGSN, cpcRsp(1, 3, 0x93));
    s.add(5_000_000, GGSN, SGSN, dpcReq(2, 3, 5));
    const { tunnels, records } = s.run('unanswered-delete');
    expect(tunnels.map((t) => [t.endReason, t.deleteCause, t.durationUs])).toEqual([['delete', null, 5_000_010]]);
    expect(records[1]).toMatchObject({ procedure: 'DeletePDPContext', status: 'timeout', endReason: 'capture_end', imsi: '262010000000003' });
  });

  it('Teardown Ind = 1 deletes the primary and secondary contexts behind one TEID-C (TS 29.060 §7.3.5)', () => {
    const s = new GtpScenario();
    s.add(0, SGSN, GGSN, cpcReq(1, '262010000000004', 4, 5));
    s.add(10, GGSN, SGSN, cpcRsp(1, 4, 0x94));
    s.add(10, SGSN, GGSN, cpcReq(2, '262010000000004', 4, 6, SGSN, 0x94)); // secondary: same TEID-C, NSAPI 6
    s.add(10, GGSN, SGSN, cpcRsp(2, 4, 0x94));
    s.add(1_000, SGSN, GGSN, dpcReq(3, 0x94, 5, true));
    s.add(10, GGSN, SGSN, dpcRsp(3, 4));
    const { tunnels } = s.run('teardown');
    expect(reasons(tunnels)).toEqual(['delete', 'delete']);
  });

  it('GTPv2: PDN connections behind one per-UE TEID are told apart by the Linked EBI; Delete Bearer with LBI ends the whole connection', () => {
    const MME = '10.3.0.1';
    const SGW = '10.3.0.2';
    const create = (seq: number, ebi: number, apn: string) =>
      gtpv2(32, seq === 1 ? 0 : 0x200, seq, [v2ie.imsi('901700000000001'), v2ie.rat(6), v2ie.fteid(10, 0x100, MME), v2ie.apn(apn), v2ie.bearerContext([v2ie.ebi(ebi)])]);
    const resp = (seq: number, ebi: number) =>
      gtpv2(33, 0x100, seq, [v2ie.cause(16), v2ie.fteid(11, 0x200, SGW), v2ie.bearerContext([v2ie.ebi(ebi), v2ie.fteid(1, 0x300 + ebi, SGW)])]);
    const s = new GtpScenario();
    s.add(0, MME, SGW, create(1, 5, 'internet'));
    s.add(10, SGW, MME, resp(1, 5));
    s.add(10, MME, SGW, create(2, 6, 'ims'));
    s.add(10, SGW, MME, resp(2, 6));
    s.add(1_000, MME, SGW, gtpv2(36, 0x200, 3, [v2ie.ebi(6)])); // Delete Session, LBI 6: the ims connection
    s.add(10, SGW, MME, gtpv2(37, 0x100, 3, [v2ie.cause(16)]));
    s.add(1_000, SGW, MME, gtpv2(99, 0x100, 4, [v2ie.ebi(5)])); // Delete Bearer Request, LBI 5
    s.add(10, MME, SGW, gtpv2(100, 0x200, 4, [v2ie.cause(16)]));
    const { tunnels } = s.run('lbi');
    expect(tunnels.map((t) => [t.apn, t.endReason, t.sgsnIp, t.ggsnIp, t.ggsnDataTeid])).toEqual([
      ['ims', 'delete', MME, SGW, 0x306],
      ['internet', 'delete_bearer', MME, SGW, 0x305],
    ]);
  });

  it('Error Indication (TS 29.281 §7.3.1) ends the tunnel whose user-plane endpoint it names', () => {
    const s = new GtpScenario();
    s.add(0, SGSN, GGSN, cpcReq(1, '262010000000005', 5, 5));
    s.add(10, GGSN, SGSN, cpcRsp(1, 5, 0x95));
    s.add(1_000, GGSN_U, SGSN, gtpv1(26, 0, 0, [v1ie.teidData(0x95 + 0x100), v1ie.gsn(GGSN_U)]), 2152, 2152);
    s.add(1_000, GGSN_U, SGSN, gtpv1(26, 0, 0, [v1ie.teidData(0x12345), v1ie.gsn(GGSN_U)]), 2152, 2152); // unknown: counted only
    const { tunnels, records, pipeline } = s.run('error-indication');
    expect(tunnels.map((t) => [t.endReason, t.endFrame, t.durationUs])).toEqual([['error_indication', 3, 1_010]]);
    expect(records).toHaveLength(1); // a notification, not a dialogue
    expect([pipeline.gtp.stats.errorIndications, pipeline.gtp.stats.errorIndicationTunnels]).toEqual([2, 1]);
  });

  it('a second accepted Create on the same SGSN TEID-C and NSAPI replaces the first', () => {
    const s = new GtpScenario();
    s.add(0, SGSN, GGSN, cpcReq(1, '262010000000006', 6, 5));
    s.add(10, GGSN, SGSN, cpcRsp(1, 6, 0x96));
    s.add(10, SGSN, GGSN, cpcReq(2, '262010000000006', 6, 5));
    s.add(10, GGSN, SGSN, cpcRsp(2, 6, 0x97));
    const { tunnels } = s.run('replaced');
    expect(tunnels.map((t) => [t.ggsnCtrlTeid, t.endReason])).toEqual([[0x96, 'replaced'], [0x97, 'capture_end']]);
  });

  it('idle timeout: no control message for tunnels.idleTimeoutUs (packet time); the end is the last message seen', () => {
    const s = new GtpScenario();
    s.add(0, SGSN, GGSN, cpcReq(1, '262010000000007', 7, 5));
    s.add(10, GGSN, SGSN, cpcRsp(1, 7, 0x98));
    s.add(120_000_000, SGSN, GGSN, gtpv1(1, 0, 9, [])); // 2 minutes later, an Echo
    const { tunnels } = s.run('idle', { gtp: { tunnels: { idleTimeoutUs: 60_000_000 } } });
    expect(tunnels.map((t) => [t.endReason, t.durationUs, t.endFrame])).toEqual([['idle_timeout', 10, null]]);
  });

  it('bounded: beyond maxActive the least recently active tunnel is closed as evicted', () => {
    const s = new GtpScenario();
    for (let i = 1; i <= 3; i++) {
      s.add(10, SGSN, GGSN, cpcReq(i, `26201000000001${i}`, 0x40 + i, 5));
      s.add(10, GGSN, SGSN, cpcRsp(i, 0x40 + i, 0xa0 + i));
    }
    const { tunnels, pipeline } = s.run('evicted', { gtp: { tunnels: { maxActive: 2 } } });
    expect(tunnels.map((t) => [t.imsi, t.endReason])).toEqual([
      ['262010000000011', 'evicted'], ['262010000000012', 'capture_end'], ['262010000000013', 'capture_end'],
    ]);
    expect(pipeline.gtp.tunnels.closed.evicted).toBe(1);
  });

  it('restart: exportActive(true) → JSON → importActive; the Delete after the restart closes the tunnel with its whole duration', () => {
    const before = new GtpScenario();
    before.add(0, SGSN, GGSN, cpcReq(1, '262010000000008', 8, 5));
    before.add(2_500, GGSN, SGSN, cpcRsp(1, 8, 0x99));
    const a = collectingPipeline();
    before.feed('restart-a', a.pipeline);
    // The daemon stops: the active tunnels are taken out and saved, so finish() writes no row.
    const json = JSON.stringify(a.pipeline.gtp.tunnels.exportActive(true));
    a.pipeline.finish('shutdown');
    expect(a.tunnels).toEqual([]);
    expect(a.pipeline.gtp.tunnels.active).toBe(0);
    const states = JSON.parse(json) as TunnelState[];
    expect(states).toEqual([
      {
        protocol: 'gtpv1', imsi: '262010000000008', msisdn: '491701234567', homeMcc: '262', homeMnc: '01', visitedMcc: '262', visitedMnc: '01',
        apn: 'internet.m2m', ratType: 'UTRAN', bearerId: 5,
        addr: ['0a010001', '0a020001', '0a010001', '0a020064'], teid: [8, 0x99, 0x108, 0x199],
        createCause: 128, createTimeUs: before.pkts[0].tsUs, setupDelayUs: 2_500, createFrame: 1, lastUs: before.pkts[1].tsUs,
        packetsUp: 0, packetsDown: 0, bytesUp: 0, bytesDown: 0, firstUserUs: null, lastUserUs: null,
      },
    ]);

    const after = new GtpScenario();
    after.t = before.t + 3_600_000_000; // an hour later
    after.add(0, SGSN, GGSN, dpcReq(2, 0x99, 5));
    after.add(1_000, GGSN, SGSN, dpcRsp(2, 8));
    const b = collectingPipeline();
    expect(b.pipeline.gtp.tunnels.importActive(states)).toBe(1);
    after.feed('restart-b', b.pipeline);
    b.pipeline.finish('capture_end');
    expect(b.tunnels).toHaveLength(1);
    expect(b.tunnels[0]).toMatchObject({
      endReason: 'delete', deleteCause: 128, imsi: '262010000000008', createTimeUs: before.pkts[0].tsUs, setupDelayUs: 2_500,
      // ends at the Delete response (frame 2 of the second run), 1 ms after the request
      durationUs: 2_500 + 3_600_000_000 + 1_000, sgsnIp: SGSN, ggsnIp: GGSN, createFrame: 1, endFrame: 2,
    });
    expect(b.records[0]).toMatchObject({ procedure: 'DeletePDPContext', imsi: '262010000000008' });
  });

  it('importActive skips malformed states', () => {
    const t = new GtpTunnels(null, { site: 's', source: 'x' });
    const ok: TunnelState = {
      protocol: 'gtpv2', imsi: null, msisdn: null, homeMcc: null, homeMnc: null, visitedMcc: null, visitedMnc: null, apn: null, ratType: null,
      bearerId: -1, addr: [null, 'zz', null, null], teid: [-1, -1, -1, -1], createCause: null, createTimeUs: 0, setupDelayUs: null, createFrame: null, lastUs: 0,
    };
    expect(t.importActive([ok, { ...ok, addr: [null, null, null, null] }, { ...ok, teid: [1, 2] } as TunnelState, { ...ok, protocol: 'x' } as unknown as TunnelState])).toBe(1);
    expect(t.active).toBe(1);
  });
});
