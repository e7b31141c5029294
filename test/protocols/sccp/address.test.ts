import { describe, expect, it } from 'vitest';
import { SccpAddressStatus, decodeSccpAddress, gtDigits, sccpAddressKey } from '../../../src/protocols/sccp/address';
import { createSccpAddressView } from '../../../src/protocols/sccp/types';
import { hex } from '../../helpers/hex';
import { Prng } from '../../helpers/mutationFuzz';

describe('decodeSccpAddress (Q.713 §3.4)', () => {
  it('GTI 4 with national bit, PC and SSN', () => {
    const a = createSccpAddressView();
    const b = hex(
      '93', // AI: national 1, RI 0, GTI 4, SSN present, PC present
      'ff 3f', // PC 16383 (14 bits, LSB first)
      '08', // SSN 8
      '02', // TT 2
      '21', // NP 2, ES 1 (odd)
      '84', // spare bit set, NAI 4
      '21 f3', // digits 123
    );
    expect(decodeSccpAddress(b, 0, b.length, a)).toBe(SccpAddressStatus.Ok);
    expect(a).toMatchObject({ present: true, national: true, ri: 0, gti: 4, pc: 16383, ssn: 8, tt: 2, np: 2, es: 1,
      nai: 4, digitsOdd: true, digitsStart: 7, digitsEnd: 9 });
    expect(gtDigits(b, a.digitsStart, a.digitsEnd, a.digitsOdd)).toBe('123');
  });

  it('each field missing → malformed; empty → malformed; GTI 6 → reserved', () => {
    const a = createSccpAddressView();
    for (const b of [hex(''), hex('01 14'), hex('03 1400'), hex('06'), hex('08'), hex('0c 00'), hex('10 00 12')]) {
      expect(decodeSccpAddress(b, 0, b.length, a), b.toString('hex')).toBe(SccpAddressStatus.Malformed);
    }
    const r = hex('1b 2200 07 99');
    expect(decodeSccpAddress(r, 0, r.length, a)).toBe(SccpAddressStatus.ReservedGti);
    expect(a).toMatchObject({ gti: 6, pc: 34, ssn: 7, tt: -1, digitsStart: 0, digitsEnd: 0 });
  });

  it('GT with no digits', () => {
    const a = createSccpAddressView();
    const b = hex('06 08 03');
    expect(decodeSccpAddress(b, 0, b.length, a)).toBe(SccpAddressStatus.Ok);
    expect(a).toMatchObject({ gti: 1, nai: 3, digitsOdd: false, digitsStart: 3, digitsEnd: 3 });
  });
});

describe('gtDigits', () => {
  it('odd and even counts, filler and ST', () => {
    const b = hex('21 43 f5');
    expect(gtDigits(b, 0, 3, true)).toBe('12345');
    expect(gtDigits(b, 0, 3, false)).toBe('12345'); // a trailing 0xf (ST / filler) is dropped
    expect(gtDigits(hex('21 43 05'), 0, 3, true)).toBe('12345'); // odd: the last high nibble is filler, whatever it is
    expect(gtDigits(hex('21 43 05'), 0, 3, false)).toBe('123450');
    expect(gtDigits(hex('f1 22'), 0, 2, false)).toBe('1f22'); // 0xf inside the string is kept
    expect(gtDigits(b, 1, 1, false)).toBe('');
  });

  it('non-decimal signals as one hex character each', () => {
    // Wireshark: "(spare)1112(spare)(spare)ST12"
    expect(gtDigits(hex('ba dc fe 21'), 0, 4, false)).toBe('abcdef12');
  });

  it('clamps to the buffer', () => {
    expect(gtDigits(hex('21'), 0, 10, false)).toBe('12');
    const rng = new Prng(7);
    for (let i = 0; i < 1000; i++) {
      const b = rng.bytes(rng.int(12));
      const s = gtDigits(b, rng.int(14) - 1, rng.int(14), rng.int(2) === 0);
      expect(s.length).toBeLessThanOrEqual(2 * b.length);
    }
  });
});

describe('sccpAddressKey', () => {
  it('GT octets when present, else PC/SSN with the MTP3 fallback', () => {
    const a = createSccpAddressView();
    const gt = hex('12 07 00 11 04 19 89 67 f5');
    decodeSccpAddress(gt, 0, gt.length, a);
    // 'go' (odd count) + the BCD octets as latin1, filler nibble zeroed: 19 89 67 05
    expect(sccpAddressKey(gt, a, 1234)).toBe('go\x19\x89\x67\x05');
    // The same 7 digits with a 0 filler give the same key; 8 digits ending in 0 do not.
    const gt0 = hex('12 07 00 11 04 19 89 67 05');
    decodeSccpAddress(gt0, 0, gt0.length, a);
    expect(sccpAddressKey(gt0, a, 1234)).toBe('go\x19\x89\x67\x05');
    const gt8 = hex('12 07 00 12 04 19 89 67 05');
    decodeSccpAddress(gt8, 0, gt8.length, a);
    expect(gtDigits(gt8, a.digitsStart, a.digitsEnd, a.digitsOdd)).toBe('91987650');
    expect(sccpAddressKey(gt8, a, 1234)).toBe('ge\x19\x89\x67\x05');
    const pcSsn = hex('43 6400 06');
    decodeSccpAddress(pcSsn, 0, pcSsn.length, a);
    expect(sccpAddressKey(pcSsn, a, 1234)).toBe('p100/6');
    const ssnOnly = hex('42 06');
    decodeSccpAddress(ssnOnly, 0, ssnOnly.length, a);
    expect(sccpAddressKey(ssnOnly, a, 1234)).toBe('p1234/6');
    const gtNoDigits = hex('12 07 00 11 04');
    decodeSccpAddress(gtNoDigits, 0, gtNoDigits.length, a);
    expect(sccpAddressKey(gtNoDigits, a, 55)).toBe('p55/7');
    const pcOnly = hex('41 6400');
    decodeSccpAddress(pcOnly, 0, pcOnly.length, a);
    expect(sccpAddressKey(pcOnly, a, 55)).toBe('p100/-1');
  });
});
