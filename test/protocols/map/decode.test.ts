import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeCapParameter, decodeMapParameter, gsnAddressToString, isdnToString, isupNumberToString, tbcdToString,
} from '../../../src/protocols/map/decode';
import { createMapInfoView } from '../../../src/protocols/map/types';
import type { MapInfoView } from '../../../src/protocols/map/types';
import { MAP_ANOMALY_NAMES, MapAnomaly } from '../../../src/protocols/map/constants';
import { decodeTcap } from '../../../src/protocols/tcap/decode';
import { createTcapView } from '../../../src/protocols/tcap/types';
import { TcapAnomaly } from '../../../src/protocols/tcap/constants';
import { hex } from '../../helpers/hex';
import { highTag, int, tbcd, tlv, tlvIndef } from '../../helpers/ber';
import { SHARED, CAPTURES } from '../../helpers/oracle';
import { captureTcap } from '../../helpers/tcapLocate';
import { beginInvoke, endResult } from '../tcap/vectors';
import { CAP_CASES, IMSI, MAP_CASES } from './vectors';
import type { Field, MapCase } from './vectors';

const info = createMapInfoView();
const tv = createTcapView();

const RANGES: Record<Field, [keyof MapInfoView, keyof MapInfoView]> = {
  imsi: ['imsiStart', 'imsiEnd'],
  msisdn: ['msisdnStart', 'msisdnEnd'],
  vlr: ['vlrStart', 'vlrEnd'],
  sgsn: ['sgsnStart', 'sgsnEnd'],
  msc: ['mscStart', 'mscEnd'],
  hlr: ['hlrStart', 'hlrEnd'],
  sca: ['scaStart', 'scaEnd'],
  sgsnAddress: ['sgsnAddressStart', 'sgsnAddressEnd'],
  calling: ['callingStart', 'callingEnd'],
};

/** Strings of every field present in `info` (absent fields are −1/−1 and left out). */
function fields(buf: Buffer, v: MapInfoView): Partial<Record<Field, string>> {
  const out: Partial<Record<Field, string>> = {};
  for (const f of Object.keys(RANGES) as Field[]) {
    const s = v[RANGES[f][0]];
    const e = v[RANGES[f][1]];
    if (s < 0) {
      expect(e).toBe(-1);
      continue;
    }
    out[f] = f === 'imsi' ? tbcdToString(buf, s, e)
      : f === 'sgsnAddress' ? gsnAddressToString(buf, s, e)
        : f === 'calling' ? isupNumberToString(buf, s, e)
          : isdnToString(buf, s, e);
  }
  return out;
}

function run(c: MapCase, buf: Buffer, start: number, end: number): number {
  return (c.cap ? decodeCapParameter : decodeMapParameter)(c.opcode, c.invoke, buf, start, end, info);
}

describe('decodeMapParameter / decodeCapParameter: every operation', () => {
  for (const c of [...MAP_CASES, ...CAP_CASES]) {
    it(`${c.name} (op ${c.opcode}, ${c.invoke ? 'argument' : 'result'})`, () => {
      // the parameter alone
      expect(run(c, c.param, 0, c.param.length)).toBe(MapAnomaly.Ok);
      expect(fields(c.param, info)).toEqual(c.expect);
      // carried in TCAP: Begin/Invoke for arguments, End/ReturnResultLast for results
      const msg = c.invoke ? beginInvoke(c.acn, c.opcode, c.param) : endResult(c.opcode, c.param);
      expect(decodeTcap(msg, 0, msg.length, tv)).toBe(TcapAnomaly.Ok);
      const comp = tv.components[0];
      expect(comp.opcode).toBe(c.opcode);
      expect(run(c, msg, comp.paramStart, comp.paramEnd)).toBe(MapAnomaly.Ok);
      expect(fields(msg, info)).toEqual(c.expect);
    });
  }

  it('the other direction of the same opcode finds nothing (argument rules ≠ result rules)', () => {
    const sai = MAP_CASES.find((c) => c.name === 'sendAuthenticationInfo v3')!;
    expect(decodeMapParameter(56, false, sai.param, 0, sai.param.length, info)).toBe(MapAnomaly.Ok);
    expect(info.imsiStart).toBe(-1);
  });

  it('MAP and CAP opcode spaces are separate (22 = sendRoutingInfo vs releaseCall)', () => {
    const sri = MAP_CASES.find((c) => c.name === 'sendRoutingInfo')!;
    expect(decodeCapParameter(22, true, sri.param, 0, sri.param.length, info)).toBe(MapAnomaly.Ok);
    expect(info.msisdnStart).toBe(-1);
  });
});

describe('decodeMapParameter: encodings and anomalies', () => {
  it('indefinite-length parameter and containers', () => {
    // 30 80 { 80 imsi, 02 01 01 } 00 00 — SendAuthenticationInfoArg v3 in indefinite form
    const p = tlvIndef(0x30, tlv(0x80, tbcd(IMSI)), int(1));
    expect(decodeMapParameter(56, true, p, 0, p.length, info)).toBe(MapAnomaly.Ok);
    expect(tbcdToString(p, info.imsiStart, info.imsiEnd)).toBe(IMSI);
    // anyTimeInterrogation with an indefinite subscriberIdentity
    const ati = tlvIndef(0x30, tlvIndef(0xa0, tlv(0x81, hex('91 94 71 10 32 54 76'))), tlv(0xa1, tlv(0x80, '')));
    expect(decodeMapParameter(71, true, ati, 0, ati.length, info)).toBe(MapAnomaly.Ok);
    expect(isdnToString(ati, info.msisdnStart, info.msisdnEnd)).toBe('491701234567');
  });

  it('unknown opcodes, absent or empty parameters are not anomalies', () => {
    const p = tlv(0x30, tlv(0x80, tbcd(IMSI)));
    for (const op of [0, 1, 9, 127, 128, 1000, -1, -2, 0.5, NaN]) {
      expect(decodeMapParameter(op, true, p, 0, p.length, info)).toBe(MapAnomaly.Ok);
      expect(info.imsiStart).toBe(-1);
    }
    expect(decodeMapParameter(56, true, p, -1, -1, info)).toBe(MapAnomaly.Ok);
    expect(decodeMapParameter(56, true, p, 3, 3, info)).toBe(MapAnomaly.Ok);
    expect(info.imsiStart).toBe(-1);
  });

  it('resets the view between calls', () => {
    const p = tlv(0x30, tlv(0x80, tbcd(IMSI)));
    decodeMapParameter(56, true, p, 0, p.length, info);
    expect(info.imsiStart).toBe(4);
    decodeMapParameter(56, false, p, 0, p.length, info);
    expect(info.imsiStart).toBe(-1);
  });

  it('bad_field: IMSI of 2 or 9 octets, constructed IMSI; other fields still extracted', () => {
    const short = tlv(0x30, tlv(0x80, '2262'), int(1));
    expect(decodeMapParameter(56, true, short, 0, short.length, info)).toBe(MapAnomaly.BadField);
    expect(info.imsiStart).toBe(-1);
    const long = tlv(0x30, tlv(0x04, '001122334455667788'), tlv(0x81, hex('91 94 71 02 00 00 20')), tlv(0x04, hex('91 94 71 02 00 00 10')));
    expect(decodeMapParameter(2, true, long, 0, long.length, info)).toBe(MapAnomaly.BadField);
    expect([info.imsiStart, isdnToString(long, info.mscStart, info.mscEnd), isdnToString(long, info.vlrStart, info.vlrEnd)])
      .toEqual([-1, '491720000002', '491720000001']);
    const cons = tlv(0x30, tlv(0xa0, tlv(0x04, tbcd(IMSI))));
    expect(decodeMapParameter(56, true, cons, 0, cons.length, info)).toBe(MapAnomaly.Ok); // [0] constructed ≠ 80: no match
    const cons2 = tlv(0xa3, tlv(0x24, tlv(0x04, tbcd(IMSI)))); // constructed OCTET STRING (24) ≠ 04: no match
    expect(decodeMapParameter(3, true, cons2, 0, cons2.length, info)).toBe(MapAnomaly.Ok);
    expect(info.imsiStart).toBe(-1);
  });

  it('truncated parameter: complete leading fields are kept, a cut field is not used', () => {
    const ul = MAP_CASES.find((c) => c.name === 'updateLocation v3')!.param;
    // cut inside vlr-Number: imsi and msc-Number complete, vlr cut
    const cut = 2 + 10 + 10 + 5;
    expect(decodeMapParameter(2, true, ul, 0, cut, info)).toBe(MapAnomaly.Truncated);
    expect(tbcdToString(ul, info.imsiStart, info.imsiEnd)).toBe(IMSI);
    expect(info.mscEnd).toBeLessThanOrEqual(cut);
    expect(info.vlrStart).toBe(-1);
  });

  it('truncation at every byte of every case: never throws, offsets inside [start, end]', () => {
    for (const c of [...MAP_CASES, ...CAP_CASES]) {
      // embed the parameter between junk so reads past `end` would be visible
      const buf = Buffer.concat([hex('a5a5'), c.param, hex('0404 0102 0304')]);
      for (let cut = 0; cut <= c.param.length; cut++) {
        const code = run(c, buf, 2, 2 + cut);
        expect(code).toBeGreaterThanOrEqual(0);
        expect(code).toBeLessThan(MAP_ANOMALY_NAMES.length);
        for (const f of Object.keys(RANGES) as Field[]) {
          const s = info[RANGES[f][0]];
          if (s >= 0) {
            expect(s).toBeGreaterThanOrEqual(2);
            expect(info[RANGES[f][1]]).toBeLessThanOrEqual(2 + cut);
          }
        }
      }
    }
  });

  it('CAP high tag numbers [50] / [55] are matched exactly (not [18] / [23])', () => {
    const p = tlv(0x30, tlv(0x92, tbcd(IMSI)), tlv(highTag(0x80, 51), tbcd(IMSI)));
    expect(decodeCapParameter(0, true, p, 0, p.length, info)).toBe(MapAnomaly.Ok);
    expect(info.imsiStart).toBe(-1);
  });
});

describe('string builders', () => {
  it('tbcdToString: digit order, filler, TBCD symbols, bounds', () => {
    expect(tbcdToString(hex('62 02 89 67 45 23 01'), 0, 7)).toBe('26209876543210');
    expect(tbcdToString(hex('00 01 01 00 00 00 00 f1'), 0, 8)).toBe('001010000000001'); // tshark: IMSI 001010000000001
    expect(tbcdToString(hex('ba dc fe'), 0, 3)).toBe('*#abc'); // 0xF filler stops
    expect(tbcdToString(hex('21 f3 45'), 0, 3)).toBe('123'); // stops at the first filler
    expect(tbcdToString(hex('21'), 0, 5)).toBe('12');
    expect(tbcdToString(hex('21'), -3, 1)).toBe('12');
  });

  it('isdnToString skips the nature/plan octet', () => {
    expect(isdnToString(hex('91 68 31 09 00 00 00 f1'), 0, 8)).toBe('8613900000001'); // tshark: msc-Number
    expect(isdnToString(hex('91'), 0, 1)).toBe('');
    expect(isdnToString(hex(''), 0, 0)).toBe('');
    expect(isdnToString(hex('91 21'), -1, -1)).toBe('');
  });

  it('isupNumberToString: odd and even numbers of address signals (Q.763 §3.10)', () => {
    // tshark (m3ua_synthetic frame 5): callingPartyNumber 919876543210f0 → 674523010
    expect(isupNumberToString(hex('91 98 76 54 32 10 f0'), 0, 7)).toBe('674523010');
    expect(isupNumberToString(hex('04 11 21 43 65 87 09'), 0, 7)).toBe('1234567890');
    expect(isupNumberToString(hex('04'), 0, 1)).toBe('');
  });

  it('gsnAddressToString: IPv4, IPv6, malformed', () => {
    expect(gsnAddressToString(hex('04 0a 01 02 03'), 0, 5)).toBe('10.1.2.3');
    expect(gsnAddressToString(hex('50 20010db8000000000000000000000001'), 0, 17)).toBe('2001:db8:0:0:0:0:0:1');
    expect(gsnAddressToString(hex('05 0a 01 02 03'), 0, 5)).toBe('');
    expect(gsnAddressToString(hex('84 0a 01 02 03'), 0, 5)).toBe('');
  });
});

describe('real bytes: identities per frame vs tshark -V', () => {
  // tshark -r map-synthetic.pcap -V: "IMSI: …", msc-Number / vlr-Number / msisdn / hlr-Number digits
  const EXPECT: Record<number, Partial<Record<Field, string>>> = {
    1: { imsi: '001010000000001', msc: '8613900000001', vlr: '8613900000002' },
    2: { imsi: '001010000000001', msisdn: '8613811111111' },
    4: { hlr: '8613900000099' },
    5: { imsi: '001010000000002' },
    7: { imsi: '001010000000003' },
    9: { imsi: '001010000000004', msc: '8613900000001', vlr: '8613900000002' },
    10: { imsi: '001010000000005' },
    14: { imsi: '001010000000007', msc: '8613900000001', vlr: '8613900000002' },
    15: { imsi: '001010000000007', msisdn: '8613811111111' },
    17: { hlr: '8613900000099' },
  };

  it('map-synthetic.pcap', () => {
    const msgs = captureTcap(join(SHARED, 'tools/selftest/map-synthetic.pcap'));
    let checked = 0;
    for (const m of msgs) {
      expect(decodeTcap(m.buf, m.start, m.end, tv)).toBe(TcapAnomaly.Ok);
      const c = tv.components[0];
      if (tv.componentCount === 0 || c.paramStart < 0 || tv.acnValue === 50) continue; // frame 12: CAP
      expect(decodeMapParameter(c.opcode, c.kind === 1, m.buf, c.paramStart, c.paramEnd, info)).toBe(MapAnomaly.Ok);
      expect(fields(m.buf, info)).toEqual(EXPECT[m.frame]);
      checked++;
    }
    expect(checked).toBe(Object.keys(EXPECT).length);
  });

  it('arkime m3ua_synthetic.pcap: initialDP callingPartyNumber (tshark isup.calling)', () => {
    // tshark -T fields -e frame.number -e isup.calling
    const CALLING: Record<number, string> = {
      5: '674523010', 20: '666666666', 21: '674523010', 22: '674523010', 51: '666666666', 52: '666666666',
      66: '111111111', 67: '222222222', 68: '333333333', 73: '777777777', 74: '888888888', 75: '999999999',
      78: '444444444', 86: '888888888', 90: '999999999',
    };
    const msgs = captureTcap(join(CAPTURES, 'public/arkime/m3ua_synthetic.pcap'));
    expect(msgs.length).toBe(15);
    for (const m of msgs) {
      decodeTcap(m.buf, m.start, m.end, tv);
      const c = tv.components[0];
      expect(decodeCapParameter(c.opcode, true, m.buf, c.paramStart, c.paramEnd, info)).toBe(MapAnomaly.Ok);
      expect(fields(m.buf, info)).toEqual({ calling: CALLING[m.frame] });
    }
  });
});
