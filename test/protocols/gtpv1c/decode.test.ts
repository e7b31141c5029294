import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGtpv1, gtpv1ServingPlmn } from '../../../src/protocols/gtpv1c/decode';
import { createGtpv1View } from '../../../src/protocols/gtpv1c/types';
import { offsetsInside } from './check';
import { GTPV1_ANOMALY_NAMES, GTPV1_MAX_EXT_HEADERS, GTPV1_MAX_IES, GTPV1_MESSAGES, GTPV1_TV_LENGTHS, Gtpv1Anomaly } from '../../../src/protocols/gtpv1c/constants';
import { GtpMsgKind } from '../../../src/protocols/gtp/messages';
import { apnToString, imeiTac, ipText } from '../../../src/protocols/gtp/strings';
import { isdnToString, tbcdToString } from '../../../src/protocols/map/strings';
import { decodePlmnId } from '../../../src/correlate/plmn';
import { hex } from '../../helpers/hex';
import { CAPTURES } from '../../helpers/oracle';
import { udpFrame } from '../../helpers/udpLocate';
import { gtpv1, v1ie } from '../../helpers/gtpBuild';

const v = createGtpv1View();
const OSMO = join(CAPTURES, 'peers/gtpv1-osmo-ggsn.pcapng');


/** Create PDP Context Request of sgsnemu, osmo capture frame 3 (tshark -V / -x). */
const CPC_REQ = hex(
  '32', //                 flags: version 1, PT 1, S
  '10', //                 Create PDP Context Request
  '0068', //               Length 104
  '00000000', //           TEID 0
  '0401', '00', '00', //   Sequence 0x0401, N-PDU 0, no extension header
  '02 0101214365870 9f0', // IMSI 101012345678900 (TV, 8 octets TBCD)
  '0e 01', //              Recovery 1
  '0f 01', //              Selection Mode: MS provided APN, subscription not verified
  '10 00000001', //        TEID Data I 1
  '11 00000001', //        TEID Control Plane 1
  '14 00', //              NSAPI 0
  '1a 0800', //            Charging Characteristics
  '80 0002 f121', //       End User Address: IETF, IPv4
  '83 0009 08696e7465726e6574', // APN "internet"
  '84 0015 80c0231101010011036d69670868656d6d656c6967', // PCO (PAP)
  '85 0004 7f000001', //   GSN Address (signalling) 127.0.0.1
  '85 0004 7f000001', //   GSN Address (user traffic) 127.0.0.1
  '86 0007 91 3316325476f8', // MSISDN 33612345678 (international, E.164)
  '87 0004 000b921f', //   Quality of Service
);

describe('GTPv1 decoder: annotated vectors', () => {
  it('Create PDP Context Request (osmo capture frame 3, checked against tshark -V)', () => {
    expect(decodeGtpv1(CPC_REQ, 0, CPC_REQ.length, v)).toBe(Gtpv1Anomaly.Ok);
    expect(v).toMatchObject({ version: 1, pt: 1, flags: 2, msgType: 16, length: 104, teid: 0, seq: 0x0401, npdu: -1, headerOk: true, ieStart: 12, messageEnd: 112 });
    expect(tbcdToString(CPC_REQ, v.imsiStart, v.imsiEnd)).toBe('101012345678900');
    expect([v.recovery, v.teidData, v.teidControl, v.nsapi, v.pdpTypeOrg, v.pdpTypeNumber]).toEqual([1, 1, 1, 0, 1, 0x21]);
    expect(apnToString(CPC_REQ, v.apnStart, v.apnEnd)).toBe('internet');
    expect(ipText(CPC_REQ, v.gsn1Start, v.gsn1End - v.gsn1Start)).toBe('127.0.0.1');
    expect(ipText(CPC_REQ, v.gsn2Start, v.gsn2End - v.gsn2Start)).toBe('127.0.0.1');
    expect(isdnToString(CPC_REQ, v.msisdnStart, v.msisdnEnd)).toBe('33612345678');
    expect([v.cause, v.ratType, v.rai, v.uliStart, v.imeiStart, v.teardown, v.chargingId]).toEqual([-1, -1, -1, -1, -1, -1, -1]);
    expect(v.ieCount).toBe(14);
  });

  it('the same bytes in the capture decode the same', () => {
    const f = udpFrame(OSMO, 3);
    expect(f.buf.subarray(f.start, f.end)).toEqual(CPC_REQ);
  });

  it('Create PDP Context Response (osmo frame 4; tshark: TEID 1, seq 0x0401, cause 128, charging id 1, GSN 127.0.0.2)', () => {
    const f = udpFrame(OSMO, 4);
    expect(decodeGtpv1(f.buf, f.start, f.end, v)).toBe(Gtpv1Anomaly.Ok);
    expect([v.msgType, v.teid, v.seq, v.cause, v.teidData, v.teidControl, v.chargingId]).toEqual([17, 1, 0x0401, 128, 1, 1, 1]);
    expect(ipText(f.buf, v.gsn1Start, 4)).toBe('127.0.0.2');
    expect(v.imsiStart).toBe(-1);
  });

  it('zeek Create PDP Context Request with RAI, RAT Type, MSISDN (tshark: RAI 460/06, GERAN, NSAPI 5, recovery 176)', () => {
    const f = udpFrame(join(CAPTURES, 'public/zeek/gtp_create_pdp_ctx.pcap'), 2);
    expect(decodeGtpv1(f.buf, f.start, f.end, v)).toBe(Gtpv1Anomaly.Ok);
    expect([v.seq, v.nsapi, v.recovery, v.ratType, v.teidData, v.teidControl]).toEqual([0x130b, 5, 176, 2, 0x32f02bf9, 0x32f02bf9]);
    expect(tbcdToString(f.buf, v.imsiStart, v.imsiEnd)).toBe('460004100000101');
    expect(decodePlmnId(f.buf, gtpv1ServingPlmn(v))).toEqual(['460', '06']);
    expect(apnToString(f.buf, v.apnStart, v.apnEnd)).toBe('eetest');
    expect(isdnToString(f.buf, v.msisdnStart, v.msisdnEnd)).toBe('8615221000101');
  });

  it('Error Indication on GTP-U (zeek gtp10_not_0xff frame 1; tshark: TEID Data I 0xa0f22350, GSN 212.200.245.64)', () => {
    const f = udpFrame(join(CAPTURES, 'public/zeek/gtp10_not_0xff.pcap'), 1);
    expect(f.buf.subarray(f.start, f.end)).toEqual(
      hex(
        '32 1a 0010 00000000', // flags S, Error Indication, Length 16, TEID 0
        '0000 00 00', //          Sequence 0
        '10 a0f22350', //         TEID Data I
        '85 0004 d4c8f540', //    GTP-U Peer Address 212.200.245.64
      ),
    );
    expect(decodeGtpv1(f.buf, f.start, f.end, v)).toBe(Gtpv1Anomaly.Ok);
    expect([v.msgType, v.seq, v.teidData]).toEqual([26, 0, 0xa0f22350]);
    expect(ipText(f.buf, v.gsn1Start, 4)).toBe('212.200.245.64');
    expect(GTPV1_MESSAGES.kind[v.msgType]).toBe(GtpMsgKind.Notification);
  });

  it('extension headers and N-PDU number (TS 29.060 §6.1): walked to the IEs', () => {
    const b = hex(
      '37', //                flags: E, S, PN
      '01', //                Echo Request
      '0010', //              Length 16: optional fields 4 + extension headers 8 + IEs 4
      '00000000', //          TEID 0
      '1234', '7f', 'c0', //  Sequence 0x1234, N-PDU 127, next: PDCP PDU Number (0xc0)
      '01', 'abcd', '85', //  length 1 (× 4 octets), content, next: 0x85
      '01', '0000', '00', //  length 1, content, no more extension headers
      '0e 05', //             Recovery 5
      '08 00', //             Reordering Required
    );
    expect(decodeGtpv1(b, 0, b.length, v)).toBe(Gtpv1Anomaly.Ok);
    expect([v.seq, v.npdu, v.extCount, v.ieStart, v.recovery, v.ieCount]).toEqual([0x1234, 0x7f, 2, 20, 5, 2]);
  });

  it('identities and location of a synthesized request: ULI (CGI), IMEISV, RAT, Teardown Ind', () => {
    const b = gtpv1(20, 7, 9, [v1ie.teardown(true), v1ie.nsapi(6), v1ie.rat(6), v1ie.uliCgi('234', '15'), v1ie.imeisv('3548750312345601')]);
    expect(decodeGtpv1(b, 0, b.length, v)).toBe(Gtpv1Anomaly.Ok);
    expect([v.teardown, v.nsapi, v.ratType]).toEqual([1, 6, 6]);
    expect(decodePlmnId(b, gtpv1ServingPlmn(v))).toEqual(['234', '15']);
    expect(imeiTac(b, v.imeiStart, v.imeiEnd)).toBe('35487503');
  });
});

describe('GTPv1 decoder: anomalies', () => {
  it('not version 1 / PT 0: bad_version, nothing correlatable', () => {
    for (const b of [hex('48 20 0008 00000000 00000100'), hex('2e f0 0004 00000000'), hex('1e 10 0004 00000000 0000 0000')]) {
      expect(decodeGtpv1(b, 0, b.length, v)).toBe(Gtpv1Anomaly.BadVersion);
      expect(v.headerOk).toBe(false);
    }
  });

  it('nDPI gtp_false_positive frame 6: E/S/PN set with Length 0 (tshark: malformed) is bad_length', () => {
    const f = udpFrame(join(CAPTURES, 'public/nDPI/gtp_false_positive.pcapng'), 6);
    expect(f.buf.subarray(f.start, f.end)).toEqual(hex('37 03 0000 42000000'));
    expect(decodeGtpv1(f.buf, f.start, f.end, v)).toBe(Gtpv1Anomaly.BadLength);
    expect(v.headerOk).toBe(false);
  });

  it('a TV type TS 29.060 does not define stops the walk (unknown_tv_ie); what came before is kept', () => {
    const b = gtpv1(17, 1, 2, [v1ie.cause(128), Buffer.from([7, 0, 0]), v1ie.recovery(3)]);
    expect(GTPV1_TV_LENGTHS[7]).toBe(-1);
    expect(decodeGtpv1(b, 0, b.length, v)).toBe(Gtpv1Anomaly.UnknownTvIe);
    expect([v.headerOk, v.cause, v.recovery, v.seq]).toEqual([true, 128, -1, 2]);
  });

  it('an IE past the message end: ie_truncated; a RAT Type of 2 octets: bad_ie_length (ignored, walk goes on)', () => {
    const b = gtpv1(16, 0, 1, [Buffer.from([0x83, 0x00, 0x20, 0x01])]);
    expect(decodeGtpv1(b, 0, b.length, v)).toBe(Gtpv1Anomaly.IeTruncated);
    const c = gtpv1(16, 0, 1, [Buffer.from([0x97, 0x00, 0x02, 0x01, 0x02]), v1ie.apn('x.y')]);
    expect(decodeGtpv1(c, 0, c.length, v)).toBe(Gtpv1Anomaly.BadIeLength);
    expect([v.ratType, apnToString(c, v.apnStart, v.apnEnd)]).toEqual([-1, 'x.y']);
  });

  it('caps: more than GTPV1_MAX_IES IEs, more than GTPV1_MAX_EXT_HEADERS extension headers, an extension header of length 0', () => {
    const many = gtpv1(1, 0, 1, Array.from({ length: GTPV1_MAX_IES + 1 }, () => v1ie.recovery(1)));
    expect(decodeGtpv1(many, 0, many.length, v)).toBe(Gtpv1Anomaly.TooManyIes);
    const ext = Array.from({ length: GTPV1_MAX_EXT_HEADERS + 1 }, () => ({ type: 0x85, content: Buffer.from([0, 0]) }));
    const deep = gtpv1(1, 0, 1, [], { ext });
    expect(decodeGtpv1(deep, 0, deep.length, v)).toBe(Gtpv1Anomaly.TooManyExtHeaders);
    const zero = hex('34 01 0008 00000000 0000 00 85 00 000000');
    expect(decodeGtpv1(zero, 0, zero.length, v)).toBe(Gtpv1Anomaly.BadExtHeader);
  });

  it('every truncation of a valid message: never throws, truncated, offsets inside the data', () => {
    for (let end = 0; end < CPC_REQ.length; end++) {
      const code = decodeGtpv1(CPC_REQ, 0, end, v);
      expect(code).toBe(Gtpv1Anomaly.Truncated);
      expect(offsetsInside(v, 0, end)).toBe(true);
      expect(v.headerOk).toBe(end >= 12);
      if (end >= 12) expect(v.seq).toBe(0x0401);
    }
  });

  it('names every anomaly code', () => {
    expect(GTPV1_ANOMALY_NAMES.length).toBe(Gtpv1Anomaly.BadIeLength + 1);
    expect(new Set(GTPV1_ANOMALY_NAMES).size).toBe(GTPV1_ANOMALY_NAMES.length);
  });
});
