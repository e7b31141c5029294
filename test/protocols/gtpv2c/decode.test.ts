import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGtpv2, gtpv2ServingPlmn } from '../../../src/protocols/gtpv2c/decode';
import { createGtpv2View } from '../../../src/protocols/gtpv2c/types';
import { GTPV2_ANOMALY_NAMES, GTPV2_MAX_IES, GTPV2_MESSAGES, Gtpv2Anomaly } from '../../../src/protocols/gtpv2c/constants';
import { GtpMsgKind } from '../../../src/protocols/gtp/messages';
import { apnToString, imeiTac, ipText } from '../../../src/protocols/gtp/strings';
import { tbcdToString } from '../../../src/protocols/map/strings';
import { decodePlmnId } from '../../../src/correlate/plmn';
import { hex } from '../../helpers/hex';
import { CAPTURES } from '../../helpers/oracle';
import { udpFrame } from '../../helpers/udpLocate';
import { gtpv2, ie2, v2ie } from '../../helpers/gtpBuild';
import { offsetsInside } from './check';

const v = createGtpv2View();
const GTP_C = join(CAPTURES, 'public/nDPI/gtp_c.pcap');

describe('GTPv2-C decoder: annotated vectors', () => {
  it('Create Session Request (nDPI gtp_c frame 1, checked against tshark -V)', () => {
    const f = udpFrame(GTP_C, 1);
    const b = f.buf;
    expect(b.subarray(f.start, f.start + 46)).toEqual(
      hex(
        '48', //                      flags: version 2, P 0, T 1
        '20', //                      Create Session Request (32)
        '00f3', //                    Message Length 243
        '00000000', //                TEID 0
        '4b5462', '00', //            Sequence 0x4b5462, spare
        '01 0008 00 8967451122334 4f5', // IMSI 987654112233445 (type 1, length 8, instance 0)
        '4c 0006 00 987654123456', // MSISDN 896745214365 (TBCD, no nature octet)
        '4b 0008 00 3456789012010 2f3', // MEI 436587092110203
      ),
    );
    expect(decodeGtpv2(b, f.start, f.end, v)).toBe(Gtpv2Anomaly.Ok);
    expect(v).toMatchObject({ version: 2, piggyback: false, teidFlag: true, msgType: 32, length: 243, teid: 0, seq: 0x4b5462, priority: -1, headerOk: true });
    expect(v.messageEnd).toBe(f.end);
    expect(tbcdToString(b, v.imsiStart, v.imsiEnd)).toBe('987654112233445');
    expect(tbcdToString(b, v.msisdnStart, v.msisdnEnd)).toBe('896745214365');
    expect(imeiTac(b, v.meiStart, v.meiEnd)).toBe('43658709');
    expect(decodePlmnId(b, v.uliPlmn)).toEqual(['896', '457']); // ULI TAI (first field)
    expect(decodePlmnId(b, gtpv2ServingPlmn(v))).toEqual(['987', '654']); // Serving Network wins
    expect(v.ratType).toBe(6); // EUTRAN
    expect(v.senderFteid).toEqual({ present: true, iface: 6, teid: 0x35529204, v4: v.senderFteid.v4, v6: -1 }); // S5/S8 SGW GTP-C
    expect(ipText(b, v.senderFteid.v4, 4)).toBe('10.101.0.2');
    expect(apnToString(b, v.apnStart, v.apnEnd)).toBe('internet');
    expect([v.pdnType, v.ebi, v.bearerCount, v.bearerEbi, v.cause, v.peerFteid.present]).toEqual([1, 5, 1, 5, -1, false]);
    expect([v.bearerFteid.iface, v.bearerFteid.teid]).toEqual([4, 0x35529205]); // S5/S8 SGW GTP-U
    expect(ipText(b, v.bearerFteid.v4, 4)).toBe('10.101.0.2');
  });

  it('Create Session Response (frame 2; tshark: cause 16, PGW F-TEID instance 1, charging id 272275461, recovery 1)', () => {
    const f = udpFrame(GTP_C, 2);
    expect(decodeGtpv2(f.buf, f.start, f.end, v)).toBe(Gtpv2Anomaly.Ok);
    expect([v.msgType, v.teid, v.seq, v.cause, v.recovery, v.chargingId]).toEqual([33, 0x35529204, 0x4b5462, 16, 1, 272275461]);
    expect(v.senderFteid.present).toBe(false);
    expect([v.peerFteid.iface, v.peerFteid.teid, ipText(f.buf, v.peerFteid.v4, 4)]).toEqual([7, 0x35529206, '10.102.0.2']);
    expect([v.bearerEbi, v.bearerFteid.teid]).toEqual([5, 0x35529207]);
    expect(GTPV2_MESSAGES.kind[v.msgType]).toBe(GtpMsgKind.Response);
    expect(GTPV2_MESSAGES.pair[v.msgType]).toBe(32);
  });

  it('T = 0 header (Echo), message priority, IPv6 F-TEID', () => {
    const echo = gtpv2(1, null, 0x010203, [v2ie.recovery(9)]);
    expect(echo.subarray(0, 8)).toEqual(hex('40 01 0009 010203 00')); // flags, type, length 9, seq, spare
    expect(decodeGtpv2(echo, 0, echo.length, v)).toBe(Gtpv2Anomaly.Ok);
    expect([v.teidFlag, v.teid, v.seq, v.recovery, v.ieStart]).toEqual([false, -1, 0x010203, 9, 8]);
    const mbr = gtpv2(34, 0x11, 5, [v2ie.fteid(10, 0xabc, '2001:db8::7')], { priority: 9 });
    expect(decodeGtpv2(mbr, 0, mbr.length, v)).toBe(Gtpv2Anomaly.Ok);
    expect([v.priority, v.senderFteid.teid, v.senderFteid.v4]).toEqual([9, 0xabc, -1]);
    expect(ipText(mbr, v.senderFteid.v6, 16)).toBe('2001:db8::7');
  });

  it('piggybacking (TS 29.274 §5.5.1): a Create Bearer Request behind a Create Session Response', () => {
    const csr = gtpv2(33, 0x10, 77, [v2ie.cause(16), v2ie.fteid(11, 0x20, '10.0.0.2')], { piggyback: true });
    const cbr = gtpv2(95, 0x10, 0x800001, [v2ie.ebi(5), v2ie.bearerContext([v2ie.ebi(0), v2ie.fteid(1, 0x30, '10.0.0.3')])]);
    const b = Buffer.concat([csr, cbr]);
    expect(decodeGtpv2(b, 0, b.length, v)).toBe(Gtpv2Anomaly.Ok);
    expect([v.msgType, v.piggyback, v.messageEnd, v.cause]).toEqual([33, true, csr.length, 16]);
    expect(decodeGtpv2(b, v.messageEnd, b.length, v)).toBe(Gtpv2Anomaly.Ok);
    expect([v.msgType, v.piggyback, v.seq, v.ebi, v.bearerEbi, v.bearerFteid.teid]).toEqual([95, false, 0x800001, 5, 0, 0x30]);
  });

  it('only the first Bearer Context is read; grouped IEs inside other grouped IEs are skipped whole', () => {
    const b = gtpv2(35, 1, 2, [
      v2ie.cause(16),
      v2ie.bearerContext([v2ie.ebi(6), v2ie.cause(64), v2ie.fteid(1, 0x41, '10.1.1.1'), v2ie.chargingId(99)]),
      v2ie.bearerContext([v2ie.ebi(7), v2ie.fteid(1, 0x42, '10.1.1.2')]),
      ie2(109, 0, v2ie.bearerContext([v2ie.ebi(8)])), // PDN Connection (grouped): not walked
    ]);
    expect(decodeGtpv2(b, 0, b.length, v)).toBe(Gtpv2Anomaly.Ok);
    expect([v.cause, v.bearerCount, v.bearerEbi, v.bearerFteid.teid, v.chargingId]).toEqual([16, 2, 6, 0x41, 99]);
  });
});

describe('GTPv2-C decoder: anomalies', () => {
  it('nDPI gtp_false_positive frame 7: Message Length 0 cannot hold the sequence number → bad_length (tshark decodes an Echo Request)', () => {
    const f = udpFrame(join(CAPTURES, 'public/nDPI/gtp_false_positive.pcapng'), 7);
    expect(f.buf.subarray(f.start, f.start + 8)).toEqual(hex('46 01 0000 027903 00')); // flags (MP), Echo Request, Length 0!
    expect(f.end - f.start).toBe(326);
    expect(decodeGtpv2(f.buf, f.start, f.end, v)).toBe(Gtpv2Anomaly.BadLength);
    expect(v.headerOk).toBe(false);
  });

  it('bad version, short header, IE past the end, short F-TEID, too many IEs', () => {
    const v1 = hex('32 01 0004 00000000 0001 0000');
    expect(decodeGtpv2(v1, 0, v1.length, v)).toBe(Gtpv2Anomaly.BadVersion);
    const shortT = hex('48 01 0004 00000000');
    expect(decodeGtpv2(shortT, 0, shortT.length, v)).toBe(Gtpv2Anomaly.BadLength);
    const past = gtpv2(1, null, 1, [hex('03 0009 00 01')]);
    expect(decodeGtpv2(past, 0, past.length, v)).toBe(Gtpv2Anomaly.IeTruncated);
    expect(v.headerOk).toBe(true);
    const fteid = gtpv2(32, 0, 1, [ie2(87, 0, hex('8a 0000')), v2ie.rat(8)]);
    expect(decodeGtpv2(fteid, 0, fteid.length, v)).toBe(Gtpv2Anomaly.BadIeLength);
    expect([v.senderFteid.present, v.ratType]).toEqual([false, 8]);
    const many = gtpv2(1, null, 1, Array.from({ length: GTPV2_MAX_IES + 1 }, () => v2ie.recovery(1)));
    expect(decodeGtpv2(many, 0, many.length, v)).toBe(Gtpv2Anomaly.TooManyIes);
  });

  it('a truncated IE inside the Bearer Context is reported; the message-level walk goes on', () => {
    const b = gtpv2(33, 1, 1, [ie2(93, 0, hex('49 0005 00 05')), v2ie.cause(73)]);
    expect(decodeGtpv2(b, 0, b.length, v)).toBe(Gtpv2Anomaly.IeTruncated);
    expect(v.cause).toBe(73);
  });

  it('every truncation of a valid message: never throws, truncated, offsets inside the data', () => {
    const f = udpFrame(GTP_C, 1);
    const msg = Buffer.from(f.buf.subarray(f.start, f.end));
    for (let end = 0; end < msg.length; end++) {
      const code = decodeGtpv2(msg, 0, end, v);
      expect(code).toBe(Gtpv2Anomaly.Truncated);
      expect(offsetsInside(v, 0, end)).toBe(true);
      expect(v.headerOk).toBe(end >= 12);
    }
  });

  it('names every anomaly code', () => {
    expect(GTPV2_ANOMALY_NAMES.length).toBe(Gtpv2Anomaly.TooManyPiggybacked + 1);
    expect(new Set(GTPV2_ANOMALY_NAMES).size).toBe(GTPV2_ANOMALY_NAMES.length);
  });
});
