import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeM2ua } from '../../../src/protocols/m2ua/decode';
import { decodeM3ua } from '../../../src/protocols/m3ua/decode';
import { createM3uaView } from '../../../src/protocols/m3ua/types';
import { SCCP_ANOMALY_NAMES, SCCP_MSG_TYPE_NAMES, SCCP_RETURN_CAUSE_NAMES, SccpAnomaly } from '../../../src/protocols/sccp/constants';
import { decodeSccp, gtDigits } from '../../../src/protocols/sccp/decode';
import { createSccpView } from '../../../src/protocols/sccp/types';
import type { SccpView } from '../../../src/protocols/sccp/types';
import { hex } from '../../helpers/hex';
import { Prng, embed, mutate } from '../../helpers/mutationFuzz';
import { CAPTURES, SHARED } from '../../helpers/oracle';
import { captureDataChunks } from '../../helpers/sctpDataChunks';
import { LUDT, UDTS, UDT_GT, UDT_HEX_DIGITS, UDT_SSN, XUDTS, XUDT_SEG, gtAddress, sccpMessage } from './vectors';

const M3UA_SYNTHETIC = join(CAPTURES, 'public/arkime/m3ua_synthetic.pcap');
const MAP_SYNTHETIC = join(SHARED, 'tools/selftest/map-synthetic.pcap');

function decode(buf: Buffer, v: SccpView = createSccpView()): { code: number; v: SccpView } {
  return { code: decodeSccp(buf, 0, buf.length, v), v };
}
const digits = (buf: Buffer, a: SccpView['called']): string => gtDigits(buf, a.digitsStart, a.digitsEnd, a.digitsOdd);
const data = (buf: Buffer, v: SccpView): string => buf.subarray(v.dataStart, v.dataEnd).toString('hex');

describe('decodeSccp: hand-built vectors (tshark -V agrees field by field)', () => {
  it('UDT with GTI 4 E.164 called / calling GTs and SSN 6 / 7', () => {
    const { code, v } = decode(UDT_GT);
    expect(code).toBe(SccpAnomaly.Ok);
    // tshark: Unitdata, class 1, handling "return message on error"
    expect(v).toMatchObject({ msgType: 0x09, protocolClass: 1, returnOnError: true, hopCounter: -1, returnCause: -1,
      segmented: false, importance: -1 });
    // tshark: called RI GT, GTI 4, SSN 6, TT 0, NP 1, ES 1 (odd), NAI 4, digits 91987654321
    expect(v.called).toMatchObject({ present: true, national: false, ri: 0, gti: 4, ssn: 6, pc: -1, tt: 0, np: 1, es: 1,
      nai: 4, digitsOdd: true, digitsStart: 11, digitsEnd: 17 });
    expect(digits(UDT_GT, v.called)).toBe('91987654321');
    // tshark: calling SSN 7, ES 2 (even), digits 919876543210
    expect(v.calling).toMatchObject({ ri: 0, gti: 4, ssn: 7, pc: -1, tt: 0, np: 1, es: 2, nai: 4, digitsOdd: false });
    expect(digits(UDT_GT, v.calling)).toBe('919876543210');
    expect(data(UDT_GT, v)).toBe('6206480401020304');
  });

  it('UDT routed on SSN with point codes', () => {
    const { code, v } = decode(UDT_SSN);
    expect(code).toBe(SccpAnomaly.Ok);
    // tshark: called PC 100 SSN 6, calling PC 20 SSN 7, RI = route on SSN, GTI 0
    expect(v.called).toMatchObject({ present: true, ri: 1, gti: 0, pc: 100, ssn: 6, tt: -1, nai: -1 });
    expect(v.calling).toMatchObject({ ri: 1, gti: 0, pc: 20, ssn: 7 });
    expect(v.called.digitsEnd).toBe(v.called.digitsStart);
    expect(v).toMatchObject({ protocolClass: 0, returnOnError: false, dataStart: 16, dataEnd: 22 });
  });

  it('XUDT with segmentation and importance', () => {
    const { code, v } = decode(XUDT_SEG);
    expect(code).toBe(SccpAnomaly.Ok);
    // tshark: Extended Unitdata, class 0, return on error, hop counter 14; segmentation first, class 0,
    // remaining 2, source local reference 0x112233; importance 3
    expect(v).toMatchObject({ msgType: 0x11, protocolClass: 0, returnOnError: true, hopCounter: 14,
      segmented: true, segFirst: true, segClass: 0, segRemaining: 2, segLocalRef: 0x112233, importance: 3 });
    expect(v.called).toMatchObject({ pc: 100, ssn: 8 });
    expect(v.calling).toMatchObject({ pc: 20, ssn: 7 });
    expect(data(XUDT_SEG, v)).toBe('6206480401020304');
  });

  it('LUDT with two-octet pointers and long data', () => {
    const { code, v } = decode(LUDT);
    expect(code).toBe(SccpAnomaly.Ok);
    // tshark: Long Unitdata, class 1, hop counter 15, pointers 7 10 13 21, called PC 100 SSN 8, calling PC 20
    // SSN 7, segmentation first/remaining 2/ref 0x112233, importance 3
    expect(v).toMatchObject({ msgType: 0x13, protocolClass: 1, hopCounter: 15, segmented: true, segFirst: true,
      segRemaining: 2, segLocalRef: 0x112233, importance: 3, dataStart: 23, dataEnd: 31 });
    expect(v.called).toMatchObject({ pc: 100, ssn: 8 });
    expect(v.calling).toMatchObject({ pc: 20, ssn: 7 });
  });

  it('UDTS with return cause; GTI 1 and GTI 2 addresses', () => {
    const { code, v } = decode(UDTS);
    expect(code).toBe(SccpAnomaly.Ok);
    // tshark: Unitdata Service, return cause 1 (no translation for this specific address)
    expect(v).toMatchObject({ msgType: 0x0a, returnCause: 1, protocolClass: -1, hopCounter: -1 });
    expect(SCCP_RETURN_CAUSE_NAMES[v.returnCause]).toBe('no_translation_for_address');
    // tshark: called GTI 1, SSN 8, odd, NAI 3, digits 12345
    expect(v.called).toMatchObject({ ri: 0, gti: 1, ssn: 8, nai: 3, tt: -1, np: -1, es: -1, digitsOdd: true });
    expect(digits(UDTS, v.called)).toBe('12345');
    // tshark: calling GTI 2, PC 34, SSN 146 (CAP), TT 10, digits 4433
    expect(v.calling).toMatchObject({ gti: 2, pc: 34, ssn: 146, tt: 10, nai: -1, digitsOdd: false });
    expect(digits(UDTS, v.calling)).toBe('4433');
    expect(data(UDTS, v)).toBe('6206480401020304');
  });

  it('XUDTS with return cause, hop counter, no optional part; GTI 3', () => {
    const { code, v } = decode(XUDTS);
    expect(code).toBe(SccpAnomaly.Ok);
    // tshark: Extended Unitdata Service, return cause 5 (MTP failure), hop counter 10, optional pointer 0
    expect(v).toMatchObject({ msgType: 0x12, returnCause: 5, hopCounter: 10, segmented: false, importance: -1 });
    // tshark: called RI SSN, GTI 3, SSN 149, TT 0, NP 1, ES 2, digits 6565
    expect(v.called).toMatchObject({ ri: 1, gti: 3, ssn: 149, tt: 0, np: 1, es: 2, nai: -1 });
    expect(digits(XUDTS, v.called)).toBe('6565');
    expect(digits(XUDTS, v.calling)).toBe('12345');
  });

  it('non-decimal GT signals', () => {
    const { code, v } = decode(UDT_HEX_DIGITS);
    expect(code).toBe(SccpAnomaly.Ok);
    // tshark: "(spare)1112(spare)(spare)ST12" — one character per signal here (see gtDigits)
    expect(digits(UDT_HEX_DIGITS, v.called)).toBe('abcdef12');
  });

  it('connection-oriented messages: Ok, type only', () => {
    for (const type of [0x01, 0x02, 0x06, 0x10]) {
      const { code, v } = decode(hex(type.toString(16).padStart(2, '0'), '000001 02'));
      expect(code).toBe(SccpAnomaly.Ok);
      expect(v).toMatchObject({ msgType: type, protocolClass: -1, dataStart: 0, dataEnd: 0 });
      expect(SCCP_MSG_TYPE_NAMES[type]).not.toBe('');
    }
  });

  it('reports each anomaly', () => {
    const called = hex('43 6400 06');
    const calling = hex('43 1400 07');
    const tcap = hex('6200');
    const cases: [string, Buffer, SccpAnomaly][] = [
      ['empty', hex(''), SccpAnomaly.Truncated],
      ['UDT without pointers', hex('09 00 03 07'), SccpAnomaly.Truncated],
      ['LUDT with 3 pointers', hex('13 00 0f 0700 0a00 0d00 15'), SccpAnomaly.Truncated],
      ['type 0', hex('00 00 03 07 0b'), SccpAnomaly.UnknownMessageType],
      ['type 0x15', hex('15 00 03 07 0b'), SccpAnomaly.UnknownMessageType],
      ['called pointer 0', hex('09 00 00 07 0b 00 00 00'), SccpAnomaly.BadPointer],
      ['calling pointer into the pointers', hex('09 00 03 01 0b 01 00 01 00 01 00'), SccpAnomaly.BadPointer],
      ['data pointer past the end', hex('09 00 03 04 40 01 43 01 43'), SccpAnomaly.BadPointer],
      ['called length past the end', hex('09 00 03 07 0b 20 43 64 00 06'), SccpAnomaly.BadParamLength],
      ['data length past the end', Buffer.concat([sccpMessage(0x09, 0, null, [called, calling, tcap], undefined).subarray(0, 15), hex('ff 62')]), SccpAnomaly.BadParamLength],
      ['empty called address', sccpMessage(0x09, 0, null, [hex(''), calling, tcap], undefined), SccpAnomaly.BadCalledAddress],
      ['calling PC cut', sccpMessage(0x09, 0, null, [called, hex('41 14'), tcap], undefined), SccpAnomaly.BadCallingAddress],
      ['GTI 4 without NAI', sccpMessage(0x09, 0, null, [hex('12 06 00 12'), calling, tcap], undefined), SccpAnomaly.BadCalledAddress],
      ['GTI 5', sccpMessage(0x09, 0, null, [called, hex('16 07 00 12'), tcap], undefined), SccpAnomaly.ReservedGti],
      ['optional pointer past the end', sccpMessage(0x11, 0, 15, [called, calling, tcap], hex('')).fill(0x40, 6, 7), SccpAnomaly.BadOptionalPart],
      ['optional parameter past the end', sccpMessage(0x11, 0, 15, [called, calling, tcap], hex('12 05 03')), SccpAnomaly.BadOptionalPart],
      ['segmentation of 3 octets', sccpMessage(0x11, 0, 15, [called, calling, tcap], hex('10 03 82 3322 00')), SccpAnomaly.BadSegmentation],
      ['17 optional parameters', sccpMessage(0x11, 0, 15, [called, calling, tcap], Buffer.concat([...Array.from({ length: 17 }, () => hex('12 01 03')), hex('00')])), SccpAnomaly.TooManyOptionalParams],
    ];
    for (const [name, buf, expected] of cases) {
      const { code } = decode(buf);
      expect(code, name).toBe(expected);
      expect(SCCP_ANOMALY_NAMES[code], name).toBeTypeOf('string');
    }
    // address and optional-part faults still deliver the data
    const gti5 = sccpMessage(0x09, 0, null, [called, hex('16 07 00 12'), tcap], undefined);
    const r = decode(gti5);
    expect(r.code).toBe(SccpAnomaly.ReservedGti);
    expect(data(gti5, r.v)).toBe('6200');
    expect(r.v.calling).toMatchObject({ gti: 5, ssn: 7, digitsStart: r.v.calling.digitsEnd });
    // 16 optional parameters are fine; a missing end-of-optional-parameters octet is tolerated
    expect(decode(sccpMessage(0x11, 0, 15, [called, calling, tcap], Buffer.concat([...Array.from({ length: 16 }, () => hex('12 01 03')), hex('00')]))).code).toBe(SccpAnomaly.Ok);
    expect(decode(sccpMessage(0x11, 0, 15, [called, calling, tcap], hex('12 01 05'))).v.importance).toBe(5);
  });

  it('uses only [start, end) of a larger buffer', () => {
    const big = Buffer.concat([hex('aabbcc'), UDT_GT, hex('ffffffff')]);
    const v = createSccpView();
    expect(decodeSccp(big, 3, 3 + UDT_GT.length, v)).toBe(SccpAnomaly.Ok);
    expect(big.subarray(v.dataStart, v.dataEnd).toString('hex')).toBe('6206480401020304');
    expect(gtDigits(big, v.calling.digitsStart, v.calling.digitsEnd, v.calling.digitsOdd)).toBe('919876543210');
    // end beyond buf.length is clamped
    expect(decodeSccp(UDT_GT, 0, UDT_GT.length + 50, v)).toBe(SccpAnomaly.Ok);
  });
});

describe('decodeSccp: real captures (expected values from tshark -V)', () => {
  it('map-synthetic.pcap: 17 UDTs (via M3UA)', () => {
    const frames = captureDataChunks(MAP_SYNTHETIC);
    // tshark: frame → sccp.called.pc, called.ssn, calling.pc, calling.ssn, TCAP message (begin 62 /
    // continue 65 / end 64 / abort 67); class 0, handling 0, RI route on SSN, GTI 0 in all
    const expected: [number, number, number, number, number][] = [
      [100, 6, 20, 7, 0x62], [20, 7, 100, 6, 0x65], [100, 6, 20, 7, 0x65], [20, 7, 100, 6, 0x64],
      [100, 6, 20, 7, 0x62], [20, 7, 100, 6, 0x64], [100, 6, 20, 7, 0x62], [20, 7, 100, 6, 0x67],
      [100, 6, 20, 7, 0x62], [100, 6, 20, 7, 0x62], [20, 7, 100, 6, 0x64], [40, 146, 30, 146, 0x62],
      [30, 146, 40, 146, 0x64], [100, 6, 20, 7, 0x62], [20, 7, 100, 6, 0x65], [100, 6, 20, 7, 0x65],
      [20, 7, 100, 6, 0x64],
    ];
    const m = createM3uaView();
    const v = createSccpView();
    expected.forEach(([cdPc, cdSsn, cgPc, cgSsn, tcapTag], i) => {
      const p = frames[i][0].payload;
      expect(decodeM3ua(p, 0, p.length, m)).toBe(0);
      expect(decodeSccp(p, m.dataStart, m.dataEnd, v), `frame ${i + 1}`).toBe(SccpAnomaly.Ok);
      expect(v).toMatchObject({ msgType: 0x09, protocolClass: 0, returnOnError: false });
      expect(v.called).toMatchObject({ ri: 1, gti: 0, pc: cdPc, ssn: cdSsn });
      expect(v.calling).toMatchObject({ ri: 1, gti: 0, pc: cgPc, ssn: cgSsn });
      expect(p[v.dataStart]).toBe(tcapTag);
      expect(v.dataEnd).toBe(m.dataEnd); // the data parameter ends the UDT
      expect(p[v.dataStart - 1]).toBe(v.dataEnd - v.dataStart);
    });
  });

  it('arkime m3ua_synthetic: UDTs via M3UA and via M2UA/MTP3', () => {
    const frames = captureDataChunks(M3UA_SYNTHETIC);
    // tshark: frame → called pc/ssn, calling pc/ssn, tcap.otid; RI SSN, GTI 0
    const expected: [number, boolean, number, number, number, string][] = [
      [5, true, 100, 20, 10, '12345678'], [20, false, 500, 600, 10, 'abcdef12'], [21, true, 100, 20, 10, '12345678'],
      [22, true, 100, 20, 10, '12345678'], [51, false, 500, 600, 10, 'abcdef12'], [52, false, 500, 600, 10, 'abcdef12'],
      [67, false, 500, 600, 10, 'abcdef12'], [68, false, 500, 600, 10, 'abcdef12'], [73, false, 500, 600, 10, 'abcdef12'],
      [74, false, 500, 600, 10, 'abcdef12'], [75, false, 500, 600, 10, 'abcdef12'], [78, true, 100, 20, 10, '12345678'],
      [86, false, 100, 20, 10, '12345678'], [90, false, 100, 20, 10, '12345678'],
    ];
    const m = createM3uaView();
    const v = createSccpView();
    for (const [n, m2ua, cdPc, cgPc, ssn, otid] of expected) {
      const p = frames[n - 1][0].payload;
      expect(m2ua ? decodeM2ua(p, 0, p.length, m) : decodeM3ua(p, 0, p.length, m), `frame ${n}`).toBe(0);
      expect(decodeSccp(p, m.dataStart, m.dataEnd, v), `frame ${n}`).toBe(SccpAnomaly.Ok);
      expect(v.called, `frame ${n}`).toMatchObject({ ri: 1, gti: 0, pc: cdPc, ssn });
      expect(v.calling, `frame ${n}`).toMatchObject({ ri: 1, gti: 0, pc: cgPc, ssn });
      // TCAP Begin: 62 len 48 04 otid
      expect(p.subarray(v.dataStart, v.dataStart + 3).toString('hex')).toBe('625048');
      expect(p.subarray(v.dataStart + 4, v.dataStart + 8).toString('hex')).toBe(otid);
    }
  });
});

/** Every offset of the view lies within [start, end] and every range is ordered. */
function offsetsWithin(v: SccpView, start: number, end: number): boolean {
  const ok = (s: number, e: number): boolean => s >= start && e >= s && e <= end;
  return ok(v.dataStart, v.dataEnd) && ok(v.called.digitsStart, v.called.digitsEnd) &&
    ok(v.calling.digitsStart, v.calling.digitsEnd);
}

const VECTORS = [UDT_GT, UDT_SSN, XUDT_SEG, LUDT, UDTS, XUDTS, UDT_HEX_DIGITS];

describe('decodeSccp: robustness', () => {
  it('truncation at every byte boundary: an anomaly, or a result consistent with the whole message', () => {
    const v = createSccpView();
    const full = createSccpView();
    for (const msg of VECTORS) {
      expect(decodeSccp(msg, 0, msg.length, full)).toBe(0);
      for (let n = 0; n < msg.length; n++) {
        const code = decodeSccp(msg, 0, n, v);
        expect(code >= 0 && code < SCCP_ANOMALY_NAMES.length).toBe(true);
        expect(offsetsWithin(v, 0, n)).toBe(true);
        if (code === 0) {
          // only a cut inside the optional part (its end octet is tolerated as missing) decodes
          expect(n).toBeGreaterThan(full.dataEnd - 1);
          expect([v.dataStart, v.dataEnd]).toEqual([full.dataStart, full.dataEnd]);
        }
      }
    }
  });

  it('fuzz: 100k random, structured and mutated inputs; results independent of bytes past end', () => {
    const rng = new Prng(0x5cc9);
    const a = createSccpView();
    const b = createSccpView();
    const types = [0x09, 0x0a, 0x11, 0x12, 0x13, 0x14, 0x01, 0x06];
    const seeds = [...VECTORS, sccpMessage(0x11, 0, 15, [gtAddress('19896745'), gtAddress('1122'), hex('6200')], hex('10 04 01 000000 00'))];
    const failures: string[] = [];
    let ok = 0;
    for (let i = 0; i < 100_000; i++) {
      let msg: Buffer;
      const kind = i % 4;
      if (kind === 0) msg = rng.bytes(rng.int(48));
      else if (kind === 1) {
        // a known type and small pointers / lengths
        msg = rng.bytes(4 + rng.int(40));
        msg[0] = rng.pick(types);
        for (let k = 2; k < Math.min(msg.length, 11); k++) msg[k] &= 0x1f;
      } else msg = mutate(rng, rng.pick(seeds));
      const e = embed(rng, msg);
      const code = decodeSccp(e.buf, e.start, e.end, a);
      const exact = decodeSccp(msg, 0, msg.length, b);
      if (!(code >= 0 && code < SCCP_ANOMALY_NAMES.length)) failures.push(`${i}: code ${code}`);
      if (!offsetsWithin(a, e.start, e.end)) failures.push(`${i}: offsets ${msg.toString('hex')}`);
      if (code !== exact || a.dataEnd - a.dataStart !== b.dataEnd - b.dataStart || a.called.ssn !== b.called.ssn ||
        a.calling.pc !== b.calling.pc || a.segLocalRef !== b.segLocalRef || a.importance !== b.importance ||
        a.calling.digitsEnd - a.calling.digitsStart !== b.calling.digitsEnd - b.calling.digitsStart) {
        failures.push(`${i}: depends on bytes outside [start, end): ${msg.toString('hex')}`);
      }
      if (code === 0) {
        ok++;
        gtDigits(e.buf, a.calling.digitsStart, a.calling.digitsEnd, a.calling.digitsOdd); // must not throw
      }
      if (failures.length > 5) break;
    }
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(5000);
  });
});
