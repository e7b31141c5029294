/** Diameter base protocol (RFC 6733) and S6a (TS 29.272) encoders. */
import { describe, expect, it } from 'vitest';
import * as D from '../../../src/gen/encode/diameter';
import * as S from '../../../src/gen/encode/s6a';
import { plmnId } from '../../../src/gen/encode/plmn';
import { ipv4Address } from '../../../src/gen/encode/ipv4';
import { hex } from '../../helpers/hex';

interface Avp {
  code: number;
  flags: number;
  vendor: number;
  data: Buffer;
}

/** test-local AVP walker (RFC 6733 §4.1): checks lengths and zero padding as it goes */
function avps(b: Buffer, start: number, end: number): Avp[] {
  const out: Avp[] = [];
  let o = start;
  while (o < end) {
    const code = b.readUInt32BE(o);
    const flags = b[o + 4];
    const len = b.readUIntBE(o + 5, 3);
    const v = (flags & D.AVP_V) !== 0;
    const hdr = v ? 12 : 8;
    expect(len).toBeGreaterThanOrEqual(hdr);
    const padded = len + ((4 - (len & 3)) & 3);
    expect(o + padded).toBeLessThanOrEqual(end);
    for (let i = o + len; i < o + padded; i++) expect(b[i]).toBe(0);
    out.push({ code, flags, vendor: v ? b.readUInt32BE(o + 8) : 0, data: b.subarray(o + hdr, o + len) });
    o += padded;
  }
  expect(o).toBe(end);
  return out;
}

function message(b: Buffer): { flags: number; code: number; app: number; hbh: number; e2e: number; avps: Avp[] } {
  expect(b[0]).toBe(1); // version
  expect(b.readUIntBE(1, 3)).toBe(b.length);
  return { flags: b[4], code: b.readUIntBE(5, 3), app: b.readUInt32BE(8), hbh: b.readUInt32BE(12), e2e: b.readUInt32BE(16), avps: avps(b, 20, b.length) };
}

const find = (l: Avp[], code: number): Avp | undefined => l.find((a) => a.code === code);
const u32 = (a: Avp | undefined): number => a!.data.readUInt32BE(0);

describe('AVPs (RFC 6733 §4)', () => {
  it('base AVP: code, M flag, length without padding, zero padding to 4 octets', () => {
    expect(D.strAvp(D.AVP_ORIGIN_HOST, 'mme')).toEqual(
      hex(
        '00000108', // code 264 Origin-Host
        '40', // flags: M
        '00000b', // length 8 + 3
        '6d6d65', // "mme"
        '00', // padding
      ),
    );
  });

  it('vendor-specific AVP: V and M flags, Vendor-Id 10415 (RAT-Type EUTRAN)', () => {
    expect(D.u32Avp(S.AVP_RAT_TYPE, S.RAT_EUTRAN, D.VENDOR_3GPP)).toEqual(
      hex(
        '00000408', // code 1032 RAT-Type
        'c0', // flags: V, M
        '000010', // length 16
        '000028af', // Vendor-Id 10415
        '000003ec', // 1004 EUTRAN
      ),
    );
  });

  it('grouped AVP: Experimental-Result { Vendor-Id, Experimental-Result-Code } (§7.6)', () => {
    expect(D.resultAvp({ kind: 'experimental', code: S.DIAMETER_ERROR_USER_UNKNOWN, vendor: D.VENDOR_3GPP })).toEqual(
      hex(
        '00000129 40 000020', // Experimental-Result (297), M, length 32 = 8 + 2 x 12
        '0000010a 40 00000c 000028af', // Vendor-Id (266) 10415
        '0000012a 40 00000c 00001389', // Experimental-Result-Code (298) 5001
      ),
    );
    expect(D.resultAvp({ kind: 'result', code: 2001 })).toEqual(hex('0000010c 40 00000c 000007d1')); // Result-Code (268) 2001
  });

  it('Address AVP: address family 1 (IPv4) + address; M clear where the RFC says so (Product-Name)', () => {
    expect(D.addressAvp(D.AVP_HOST_IP_ADDRESS, ipv4Address('192.0.2.1'))).toEqual(hex('00000101 40 00000e 0001 c0000201 0000'));
    expect(D.strAvp(D.AVP_PRODUCT_NAME, 'x', 0, false)[4]).toBe(0);
  });
});

describe('messages (RFC 6733 §3, §5)', () => {
  const peer: D.PeerIdentity = { host: 'dra1.ipx', realm: 'ipx', ip: ipv4Address('192.0.2.21'), vendorId: 10415, productName: 'DRA', originStateId: 7 };

  it('DWR: header (version, length, flags R, code 280, app 0, hop-by-hop, end-to-end) and AVPs', () => {
    const m = D.dwr(peer, 0x01020304, 0x0a0b0c0d);
    expect(m.subarray(0, 20)).toEqual(
      hex(
        '01', // version 1
        '00003c', // message length 60 = 20 + Origin-Host 16 + Origin-Realm 12 + Origin-State-Id 12
        '80', // flags: R
        '000118', // command code 280 Device-Watchdog
        '00000000', // application 0
        '01020304', // hop-by-hop
        '0a0b0c0d', // end-to-end
      ),
    );
    expect(message(m).avps.map((a) => a.code)).toEqual([D.AVP_ORIGIN_HOST, D.AVP_ORIGIN_REALM, D.AVP_ORIGIN_STATE_ID]);
  });

  it('CER/CEA: not proxiable, capabilities with the S6a application; CEA answers with Result-Code 2001', () => {
    const r = message(D.cer(peer, 1, 2));
    expect(r.flags).toBe(D.FLAG_R);
    expect(r.code).toBe(257);
    expect(r.avps.map((a) => a.code)).toEqual([264, 296, 257, 266, 269, 278, 265, 258, 260]);
    expect(u32(find(r.avps, D.AVP_AUTH_APPLICATION_ID))).toBe(D.APP_S6A);
    const vsa = avps(find(r.avps, D.AVP_VENDOR_SPECIFIC_APPLICATION_ID)!.data, 0, find(r.avps, D.AVP_VENDOR_SPECIFIC_APPLICATION_ID)!.data.length);
    expect(vsa.map((a) => [a.code, u32(a)])).toEqual([[266, 10415], [258, 16777251]]);
    const a = message(D.cea(peer, { kind: 'result', code: 2001 }, 1, 2));
    expect(a.flags).toBe(0);
    expect(u32(a.avps[0])).toBe(2001);
  });

  it('relaying (§6.1.9): new hop-by-hop, same end-to-end, Route-Record appended, length updated', () => {
    const c: S.S6aContext = { sessionId: 'mme1;1;2', originHost: 'mme1', originRealm: 'r', destRealm: 'h', hopByHop: 0, endToEnd: 77 };
    const base = S.pur(c, '001010123456789');
    const leg = D.relayRequest(base, 0x55, 'mme1');
    const m = message(leg);
    expect(m.hbh).toBe(0x55);
    expect(m.e2e).toBe(77);
    expect(m.avps[m.avps.length - 1].code).toBe(D.AVP_ROUTE_RECORD);
    expect(m.avps[m.avps.length - 1].data.toString()).toBe('mme1');
    expect(D.relayAnswer(base, 9).readUInt32BE(12)).toBe(9);
  });
});

describe('S6a (TS 29.272 §7.2)', () => {
  const c: S.S6aContext = { sessionId: 'mme1.epc;12;34', originHost: 'mme1.epc', originRealm: 'epc', destHost: 'hss1.epc', destRealm: 'home', hopByHop: 5, endToEnd: 6 };
  const imsi = '214070123456789';
  const vplmn = plmnId('234', '15');
  const ok: D.DiameterResult = { kind: 'result', code: 2001 };

  it('Visited-PLMN-Id: MCC/MNC in 3 octets (2- and 3-digit MNC)', () => {
    expect(vplmn).toEqual(hex('32 f4 51')); // 234 / 15
    expect(plmnId('310', '410')).toEqual(hex('13 00 14'));
  });

  it('requests: R|P flags, application 16777251, Session-Id first, User-Name = IMSI', () => {
    const reqs: [Buffer, number][] = [
      [S.air(c, imsi, 2, vplmn), 318],
      [S.ulr(c, imsi, { ratType: S.RAT_EUTRAN, ulrFlags: S.ULR_S6A_INDICATOR | S.ULR_INITIAL_ATTACH, visitedPlmn: vplmn, imei: '35123456789012', softwareVersion: '01' }), 316],
      [S.clr(c, imsi, S.CANCEL_MME_UPDATE, 0), 317],
      [S.pur(c, imsi), 321],
      [S.idr(c, imsi, { ambrUl: 1, ambrDl: 2 }, 0), 319],
      [S.dsr(c, imsi, 1), 320],
      [S.nor(c, imsi, 1, { contextId: 1, apn: 'ims' }), 323],
    ];
    for (const [b, code] of reqs) {
      const m = message(b);
      expect(m.flags).toBe(D.FLAG_R | D.FLAG_P);
      expect(m.code).toBe(code);
      expect(m.app).toBe(D.APP_S6A);
      expect(m.avps[0].code).toBe(D.AVP_SESSION_ID);
      expect(m.avps[0].data.toString()).toBe('mme1.epc;12;34');
      expect(find(m.avps, D.AVP_USER_NAME)!.data.toString()).toBe(imsi);
      expect(u32(find(m.avps, D.AVP_AUTH_SESSION_STATE))).toBe(1);
    }
    const ulr = message(reqs[1][0]).avps;
    expect(u32(find(ulr, S.AVP_ULR_FLAGS))).toBe(0x22);
    expect(find(ulr, S.AVP_ULR_FLAGS)!.vendor).toBe(10415);
    expect(find(ulr, S.AVP_VISITED_PLMN_ID)!.data).toEqual(vplmn);
    expect(u32(find(ulr, S.AVP_RAT_TYPE))).toBe(1004);
    const air = message(reqs[0][0]).avps;
    const rq = find(air, S.AVP_REQUESTED_EUTRAN_AUTHENTICATION_INFO)!;
    expect(avps(rq.data, 0, rq.data.length).map((a) => [a.code, u32(a)])).toEqual([[1410, 2], [1412, 0]]);
    // RSR has no User-Name (User-Id prefixes instead)
    const rsr = message(S.rsr(c, ['21407', '2140701']));
    expect(rsr.code).toBe(322);
    expect(find(rsr.avps, D.AVP_USER_NAME)).toBeUndefined();
    expect(rsr.avps.filter((a) => a.code === S.AVP_USER_ID).map((a) => a.data.toString())).toEqual(['21407', '2140701']);
    // T flag on a retransmission
    expect(message(S.pur({ ...c, retransmitted: true }, imsi)).flags).toBe(D.FLAG_R | D.FLAG_P | D.FLAG_T);
  });

  it('AIA: E-UTRAN vectors (RAND, XRES, AUTN, KASME) only on success', () => {
    const v: S.EutranVector = { rand: Buffer.alloc(16, 1), xres: Buffer.alloc(8, 2), autn: Buffer.alloc(16, 3), kasme: Buffer.alloc(32, 4) };
    const m = message(S.aia(c, ok, [v, v]));
    expect(m.flags).toBe(D.FLAG_P);
    const info = find(m.avps, S.AVP_AUTHENTICATION_INFO)!;
    const vectors = avps(info.data, 0, info.data.length);
    expect(vectors.map((x) => x.code)).toEqual([S.AVP_E_UTRAN_VECTOR, S.AVP_E_UTRAN_VECTOR]);
    const members = avps(vectors[1].data, 0, vectors[1].data.length);
    expect(members.map((x) => [x.code, x.data.length])).toEqual([[1419, 4], [1447, 16], [1448, 8], [1449, 16], [1450, 32]]);
    expect(u32(members[0])).toBe(2);
    const err = message(S.aia(c, { kind: 'experimental', code: 5001, vendor: 10415 }, [v]));
    expect(find(err.avps, S.AVP_AUTHENTICATION_INFO)).toBeUndefined();
    expect(err.flags).toBe(D.FLAG_P); // permanent failures: no E bit
  });

  it('answers: Result-Code or Experimental-Result; protocol errors (3xxx) carry the E bit', () => {
    const ula = message(S.ula(c, ok, { msisdn: '447700900123', accessMode: 2, ambrUl: 1000, ambrDl: 2000, apns: [{ contextId: 1, apn: 'internet', pdnType: 0, qci: 9, priority: 8 }] }));
    expect(ula.avps.slice(0, 4).map((a) => a.code)).toEqual([D.AVP_SESSION_ID, D.AVP_VENDOR_SPECIFIC_APPLICATION_ID, D.AVP_RESULT_CODE, D.AVP_AUTH_SESSION_STATE]);
    const sub = find(ula.avps, S.AVP_SUBSCRIPTION_DATA)!;
    const members = avps(sub.data, 0, sub.data.length);
    expect(members.map((a) => a.code)).toEqual([S.AVP_MSISDN, S.AVP_SUBSCRIBER_STATUS, S.AVP_NETWORK_ACCESS_MODE, S.AVP_AMBR, S.AVP_APN_CONFIGURATION_PROFILE]);
    expect(members[0].data).toEqual(hex('44 77 00 09 10 32')); // MSISDN 447700900123 in TBCD (digit pairs swapped)
    const profile = avps(members[4].data, 0, members[4].data.length);
    const apn = avps(profile[2].data, 0, profile[2].data.length);
    expect(apn.find((a) => a.code === S.AVP_SERVICE_SELECTION)!.vendor).toBe(0); // RFC 5778 AVP, no vendor
    expect(apn.find((a) => a.code === S.AVP_SERVICE_SELECTION)!.data.toString()).toBe('internet');
    const e3002 = message(S.cla(c, { kind: 'result', code: D.DIAMETER_UNABLE_TO_DELIVER }));
    expect(e3002.flags).toBe(D.FLAG_P | D.FLAG_E);
    const roam = message(S.ula(c, { kind: 'experimental', code: S.DIAMETER_ERROR_ROAMING_NOT_ALLOWED, vendor: 10415 }, null));
    const er = find(roam.avps, D.AVP_EXPERIMENTAL_RESULT)!;
    expect(avps(er.data, 0, er.data.length).map((a) => u32(a))).toEqual([10415, 5004]);
    expect(find(roam.avps, S.AVP_ULA_FLAGS)).toBeUndefined();
    for (const b of [S.pua(c, ok, true), S.ida(c, ok), S.dsa(c, ok), S.noa(c, ok), S.rsa(c, ok)]) {
      const m = message(b);
      expect(u32(find(m.avps, D.AVP_RESULT_CODE))).toBe(2001);
      expect(m.flags & D.FLAG_R).toBe(0);
    }
  });
});
