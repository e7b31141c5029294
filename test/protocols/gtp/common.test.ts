import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GtpKind, gtpKind } from '../../../src/protocols/gtp/classify';
import { GtpMsgKind, type GtpMessageTable } from '../../../src/protocols/gtp/messages';
import { apnToString, imeiTac, ipText } from '../../../src/protocols/gtp/strings';
import { GTPV1_MESSAGES } from '../../../src/protocols/gtpv1c/constants';
import { GTPV2_MESSAGES } from '../../../src/protocols/gtpv2c/constants';
import { hex } from '../../helpers/hex';
import { CAPTURES } from '../../helpers/oracle';
import { captureUdp, udpFrame } from '../../helpers/udpLocate';

const first = (f: string, n: number) => {
  const u = udpFrame(join(CAPTURES, f), n);
  return [u.buf, u.start, u.end] as const;
};

describe('GTP flavour from the first octet', () => {
  it('captures: GTPv1 (osmo), GTPv2 (nDPI gtp_c), GTPv0 (zeek pdp_ctx_messages 9, tshark version 0), GTP\' (nDPI gtp_prime), DNS on 2152 (zeek gtp3_false_gtp)', () => {
    expect(gtpKind(...first('peers/gtpv1-osmo-ggsn.pcapng', 3), false)).toBe(GtpKind.V1);
    expect(gtpKind(...first('public/nDPI/gtp_c.pcap', 1), false)).toBe(GtpKind.V2);
    expect(gtpKind(...first('public/zeek/pdp_ctx_messages.pcapng', 9), true)).toBe(GtpKind.V0); // flags 0x1e
    expect(gtpKind(...first('public/nDPI/gtp_prime.pcapng', 1), true)).toBe(GtpKind.Prime); // flags 0x2e: v1, PT 0
    const dns = captureUdp(join(CAPTURES, 'public/zeek/gtp3_false_gtp.pcap'))[0];
    expect(dns.sport).toBe(2152);
    expect(gtpKind(dns.buf, dns.start, dns.end, false)).toBe(GtpKind.NotGtp); // 0x6b: version 3
  });

  it("GTP' version 2 is only recognised on a GTP' port (its '111' bits are spare bits in GTPv2-C)", () => {
    const b = hex('4e f0 0000');
    expect(gtpKind(b, 0, b.length, true)).toBe(GtpKind.Prime);
    expect(gtpKind(b, 0, b.length, false)).toBe(GtpKind.V2);
    expect(gtpKind(b, 0, 0, false)).toBe(GtpKind.NotGtp);
  });
});

describe('message tables', () => {
  const check = (t: GtpMessageTable) => {
    let requests = 0;
    for (let type = 0; type < 256; type++) {
      if (t.kind[type] === GtpMsgKind.Request) {
        requests++;
        const rsp = t.pair[type];
        expect(t.kind[rsp], `response of ${type}`).toBe(GtpMsgKind.Response);
        expect(t.pair[rsp]).toBe(type);
        expect(t.names[type]).toBe(t.names[rsp]);
      }
      if (t.kind[type] !== GtpMsgKind.Unknown) expect(t.names[type]).not.toBe('');
    }
    return requests;
  };
  it('every request has a response that points back, with the same procedure name', () => {
    expect(check(GTPV1_MESSAGES)).toBe(28);
    expect(check(GTPV2_MESSAGES)).toBe(37);
    expect([GTPV1_MESSAGES.names[16], GTPV1_MESSAGES.names[20], GTPV2_MESSAGES.names[32], GTPV2_MESSAGES.names[170]]).toEqual([
      'CreatePDPContext', 'DeletePDPContext', 'CreateSession', 'ReleaseAccessBearers',
    ]);
    expect(GTPV1_MESSAGES.pair[55]).toBe(59); // Forward Relocation Complete → ... Acknowledge
  });
});

describe('string builders', () => {
  it('APN labels, plain-text APN, TAC, addresses', () => {
    expect(apnToString(hex('03696d73 066d6e63303031 066d6363303031 0467707273'), 0, 26)).toBe('ims.mnc001.mcc001.gprs');
    expect(apnToString(Buffer.from('internet'), 0, 8)).toBe('internet'); // not labels: taken as text
    expect(apnToString(hex('00'), 0, 1)).toBe('\u0000');
    expect(imeiTac(hex('5384573012345610'), 0, 8)).toBe('35487503');
    expect(imeiTac(hex('21f3'), 0, 2)).toBe(null);
    expect(ipText(hex('7f000001'), 0, 4)).toBe('127.0.0.1');
    expect(ipText(hex('20010db8000000000000000000000001'), 0, 16)).toBe('2001:db8::1');
    expect(ipText(hex('7f0000'), 0, 3)).toBe(null);
  });
});
