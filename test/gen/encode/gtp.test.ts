/** GTPv1-C (TS 29.060) and GTPv2-C (TS 29.274) encoders. */
import { describe, expect, it } from 'vitest';
import * as V1 from '../../../src/gen/encode/gtpv1';
import * as V2 from '../../../src/gen/encode/gtpv2';
import { apnLabels } from '../../../src/gen/encode/plmn';
import { ipv4Address } from '../../../src/gen/encode/ipv4';
import { hex } from '../../helpers/hex';

/** TV value lengths of the GTPv1 types used (TS 29.060 §7.7) */
const TV_LEN: Record<number, number> = { 1: 1, 2: 8, 3: 6, 14: 1, 15: 1, 16: 4, 17: 4, 19: 1, 20: 1, 26: 2, 127: 4 };

/** test-local walker: [type, value] of each GTPv1 IE; checks that lengths add up */
function v1Ies(b: Buffer): [number, Buffer][] {
  expect(b[0]).toBe(0x32);
  expect(b.readUInt16BE(2)).toBe(b.length - 8);
  const out: [number, Buffer][] = [];
  let o = 12;
  while (o < b.length) {
    const t = b[o];
    if (t < 128) {
      expect(TV_LEN[t]).toBeDefined();
      out.push([t, b.subarray(o + 1, o + 1 + TV_LEN[t])]);
      o += 1 + TV_LEN[t];
    } else {
      const n = b.readUInt16BE(o + 1);
      out.push([t, b.subarray(o + 3, o + 3 + n)]);
      o += 3 + n;
    }
  }
  expect(o).toBe(b.length);
  return out;
}

/** test-local walker: [type, instance, value] of GTPv2 IEs in b[start, end) */
function v2Ies(b: Buffer, start: number, end: number): [number, number, Buffer][] {
  const out: [number, number, Buffer][] = [];
  let o = start;
  while (o < end) {
    const n = b.readUInt16BE(o + 1);
    out.push([b[o], b[o + 3] & 0x0f, b.subarray(o + 4, o + 4 + n)]);
    o += 4 + n;
  }
  expect(o).toBe(end);
  return out;
}

function v2Message(b: Buffer): { type: number; teid: number | null; seq: number; ies: [number, number, Buffer][] } {
  expect(b[0] >> 5).toBe(2);
  expect(b.readUInt16BE(2)).toBe(b.length - 4);
  const t = (b[0] & 0x08) !== 0;
  const o = t ? 8 : 4;
  return { type: b[1], teid: t ? b.readUInt32BE(4) : null, seq: b.readUIntBE(o, 3), ies: v2Ies(b, o + 4, b.length) };
}

const IMSI = '234150123456789';
const SGSN = ipv4Address('198.18.1.10');
const GGSN = ipv4Address('198.19.2.10');

describe('GTPv1-C (TS 29.060)', () => {
  it('Echo Request / Response: header with S flag, length after the first 8 octets, sequence number', () => {
    expect(V1.echoRequest(0x1234)).toEqual(
      hex(
        '32', // version 1, PT 1, S = 1 (§6)
        '01', // Echo Request
        '0004', // length: sequence number, N-PDU number, next extension header type
        '00000000', // TEID 0 (path management)
        '1234', // sequence number
        '00', // N-PDU number
        '00', // next extension header: none
      ),
    );
    expect(V1.echoResponse(0x1234, 7)).toEqual(hex('32 02 0006 00000000 1234 00 00', '0e 07')); // Recovery (TV 14) restart counter 7
  });

  it('TV and TLV IEs: IMSI (TBCD, 8 octets), Cause, APN labels, GSN address, MSISDN, ULI', () => {
    expect(V1.ieImsi(IMSI)).toEqual(hex('02', '32 14 05 21 43 65 87 f9')); // type 2, TBCD (digit pairs swapped), filler F
    expect(V1.ieImsi('00101012345')).toEqual(hex('02', '00 01 01 21 43 f5 ff ff'));
    expect(V1.ieCause(199)).toEqual(hex('01 c7')); // No resources available
    expect(apnLabels('iot.m2m')).toEqual(hex('03 696f74 03 6d326d'));
    expect(V1.ieApn('internet')).toEqual(hex('83 0009 08 696e7465726e6574'));
    expect(V1.ieGsnAddress(SGSN)).toEqual(hex('85 0004 c612010a'));
    expect(V1.ieMsisdn('447700900123')).toEqual(hex('86 0007 91 447700091032')); // international E.164 + TBCD
    expect(V1.ieUliCgi('234', '15', 0x1234, 0xabcd)).toEqual(hex('98 0008 00 32f451 1234 abcd')); // CGI
    expect(V1.ieEndUserAddress()).toEqual(hex('80 0002 f1 21')); // IETF, IPv4, no address yet
    expect(V1.ieSelectionMode(1)).toEqual(hex('0f fd'));
  });

  it('Create PDP Context Request: TEID 0, IEs in ascending type order, IMSI first', () => {
    const m = V1.createPdpContextRequest(77, {
      imsi: IMSI, mcc: '214', mnc: '07', lac: 100, rac: 1, ci: 200, recovery: 3, selectionMode: 1, teidData: 0x11, teidC: 0x22, nsapi: 5,
      apn: 'internet', sgsnIp: SGSN, msisdn: '34609000000', rat: V1.GTPV1_RAT_UTRAN, imeisv: '3512345678901201', arp: 2,
    });
    expect(m[1]).toBe(16);
    expect(m.readUInt32BE(4)).toBe(0);
    expect(m.readUInt16BE(8)).toBe(77);
    const ies = v1Ies(m);
    const types = ies.map(([t]) => t);
    expect(types).toEqual([2, 3, 14, 15, 16, 17, 20, 26, 128, 131, 133, 133, 134, 135, 151, 152, 154]);
    expect([...types].sort((a, b) => a - b)).toEqual(types);
    expect(ies.find(([t]) => t === 17)![1]).toEqual(hex('00000022'));
    expect(ies.find(([t]) => t === 135)![1].length).toBe(12); // ARP + 11 octets of R99 QoS
    expect(ies.find(([t]) => t === 154)![1]).toEqual(hex('5321436587092110')); // IMEISV in TBCD
  });

  it('responses: accept with TEIDs / Charging ID / address, reject with the Cause only; Update and Delete', () => {
    const f = { cause: 128, recovery: 9, teidData: 0x33, teidC: 0x44, chargingId: 0x55, ueIp: ipv4Address('10.1.2.3'), ggsnIp: GGSN, arp: 2 };
    const ok = V1.createPdpContextResponse(77, 0x22, f);
    expect(ok.readUInt32BE(4)).toBe(0x22); // to the SGSN's TEID-C
    expect(v1Ies(ok).map(([t]) => t)).toEqual([1, 14, 16, 17, 127, 128, 133, 133, 135]);
    expect(v1Ies(ok)[5][1]).toEqual(hex('f1 21 0a010203'));
    const rej = V1.createPdpContextResponse(77, 0x22, { ...f, cause: V1.GTPV1_CAUSE_NO_RESOURCES });
    expect(v1Ies(rej).map(([t, v]) => [t, v[0]])).toEqual([[1, 199], [14, 9]]);
    const up = V1.updatePdpContextRequest(78, 0x44, { imsi: IMSI, mcc: '214', mnc: '07', lac: 1, rac: 2, ci: 3, recovery: 3, teidData: 0x11, teidC: 0x22, nsapi: 5, sgsnIp: SGSN, rat: 1, arp: 2 });
    expect(up[1]).toBe(18);
    expect(v1Ies(up).map(([t]) => t)).toEqual([2, 3, 14, 16, 17, 20, 133, 133, 135, 151, 152]);
    expect(v1Ies(V1.updatePdpContextResponse(78, 0x22, f)).map(([t]) => t)).toEqual([1, 14, 16, 127, 133, 133, 135]);
    expect(V1.deletePdpContextRequest(79, 0x44, 5, true)).toEqual(hex('32 14 0008 00000044 004f 00 00', '13 ff', '14 05')); // Teardown Ind, NSAPI
    expect(V1.deletePdpContextResponse(79, 0x22, 128)).toEqual(hex('32 15 0006 00000022 004f 00 00', '01 80'));
  });
});

describe('GTPv2-C (TS 29.274)', () => {
  it('header without TEID (Echo) and with TEID, 24-bit sequence number', () => {
    expect(V2.echoRequest(0x010203, 5)).toEqual(
      hex(
        '40', // version 2, P 0, T 0
        '01', // Echo Request
        '0009', // length after the first 4 octets
        '010203', // sequence number
        '00', // spare
        '03 0001 00 05', // Recovery (type 3, length 1, instance 0): restart counter 5
      ),
    );
    expect(V2.deleteSessionResponse(0xabcdef, 0x01020304, 16)).toEqual(
      hex(
        '48', // version 2, T 1
        '25', // Delete Session Response (37)
        '000e', // length
        '01020304', // TEID
        'abcdef 00', // sequence number, spare
        '02 0002 00 10 00', // Cause: Request accepted (16), no flags
      ),
    );
  });

  it('IEs: IMSI, F-TEID (V4 + interface type), ULI (TAI + ECGI), Bearer QoS, EBI instance', () => {
    expect(V2.ieImsi(IMSI)).toEqual(hex('01 0008 00', '32 14 05 21 43 65 87 f9'));
    expect(V2.ieFteid(V2.IF_S5S8_SGW_GTPC, 0x11223344, SGSN)).toEqual(hex('57 0009 00', '86', '11223344', 'c612010a'));
    expect(V2.ieUliTaiEcgi('214', '07', 0x0102, 0x0abcdef)).toEqual(hex('56 000d 00', '18', '12f470 0102', '12f470 00abcdef'));
    expect(V2.ieEbi(5, 1)).toEqual(hex('49 0001 01 05'));
    const qos = V2.ieBearerQos(9, 8);
    expect(qos.length).toBe(4 + 22);
    expect(qos.subarray(4, 6)).toEqual(hex('21 09')); // PL 8, PVI 1; QCI 9
    expect(V2.iePaa(Buffer.alloc(4))).toEqual(hex('4f 0005 00 01 00000000'));
  });

  it('Create Session Request: TEID 0, sender F-TEID, grouped Bearer Context with its own IEs', () => {
    const m = V2.createSessionRequest(0x123456, {
      imsi: IMSI, msisdn: '447700900123', mei: '3512345678901201', mcc: '214', mnc: '07', tac: 1, eci: 2, rat: V2.GTPV2_RAT_EUTRAN,
      sgwTeidC: 0xaa, sgwTeidU: 0xbb, sgwIp: SGSN, apn: 'ims', ebi: 5, qci: 5, priority: 1, ambrUl: 1000, ambrDl: 2000,
    });
    const d = v2Message(m);
    expect(d.type).toBe(32);
    expect(d.teid).toBe(0);
    expect(d.seq).toBe(0x123456);
    expect(d.ies.map(([t]) => t)).toEqual([1, 76, 75, 86, 83, 82, 87, 71, 128, 99, 79, 127, 72, 93]);
    const bc = d.ies.find(([t]) => t === 93)![2];
    const members = v2Ies(bc, 0, bc.length);
    expect(members.map(([t, i]) => [t, i])).toEqual([[73, 0], [87, 2], [80, 0]]); // EBI, S5/S8-U SGW F-TEID (instance 2), Bearer QoS
    expect(members[1][2][0] & 0x3f).toBe(V2.IF_S5S8_SGW_GTPU);
  });

  it('responses and the other requests', () => {
    const f = { cause: 16, pgwTeidC: 0xcc, pgwTeidU: 0xdd, pgwIp: GGSN, ueIp: ipv4Address('10.9.8.7'), ebi: 5, chargingId: 0x99, ambrUl: 1, ambrDl: 2 };
    const ok = v2Message(V2.createSessionResponse(1, 0xaa, f));
    expect(ok.teid).toBe(0xaa);
    expect(ok.ies.map(([t]) => t)).toEqual([2, 87, 79, 127, 72, 93]);
    const rej = v2Message(V2.createSessionResponse(1, 0xaa, { ...f, cause: V2.GTPV2_CAUSE_NO_RESOURCES }));
    expect(rej.ies.map(([t, , v]) => [t, v[0]])).toEqual([[2, 73]]);
    const mb = v2Message(V2.modifyBearerRequest(2, 0xcc, { mcc: '214', mnc: '07', tac: 1, eci: 2, rat: 6, ebi: 5, sgwTeidU: 0xbb, sgwIp: SGSN }));
    expect([mb.type, mb.teid]).toEqual([34, 0xcc]);
    expect(v2Message(V2.modifyBearerResponse(2, 0xaa, 16, 5, 0x99, '447700900123')).ies.map(([t]) => t)).toEqual([2, 76, 93]);
    expect(v2Message(V2.deleteSessionRequest(3, 0xcc, 5)).ies).toEqual([[73, 0, hex('05')]]);
    const cb = v2Message(V2.createBearerRequest(4, 0xaa, { lbi: 5, pgwTeidU: 0xde, pgwIp: GGSN, qci: 1, priority: 2, chargingId: 7, remote: ipv4Address('192.0.2.100') }));
    expect(cb.type).toBe(95);
    const cbc = cb.ies[1][2];
    expect(v2Ies(cbc, 0, cbc.length).map(([t]) => t)).toEqual([73, 84, 87, 80, 94]);
    expect(v2Message(V2.createBearerResponse(4, 0xcc, 16, 6, 0xbc, SGSN)).type).toBe(96);
    expect(V2.releaseAccessBearersRequest(5, 0xaa)).toEqual(hex('48 aa 0008 000000aa 000005 00'));
    expect(v2Message(V2.releaseAccessBearersResponse(5, 0x1, 16, 3)).ies.map(([t]) => t)).toEqual([2, 3]);
  });
});
