/** SCCP UDT / XUDT encoding (Q.713) with hand-annotated vectors. */
import { describe, expect, it } from 'vitest';
import { encodeSccpAddress, encodeUdt, encodeXudt, encodeXudtSegments, maxXudtSegment, SccpAddress } from '../../../src/gen/encode/sccp';
import { hex } from '../../helpers/hex';

const vlr: SccpAddress = { routeOnSsn: false, gti: 4, tt: 0, np: 1, nai: 4, digits: '447802123456', ssn: 7 };
const hlrMgt: SccpAddress = { routeOnSsn: false, gti: 4, tt: 0, np: 7, nai: 4, digits: '4477021234567', ssn: 6, pc: 0x1234 };

describe('SCCP addresses (Q.713 §3.4)', () => {
  it('GTI 4, route on GT, SSN, even digits', () => {
    expect(encodeSccpAddress(vlr)).toEqual(
      hex(
        '12', // AI: RI=GT (bit7 0), GTI 0100 (bits 6-3), SSN present (bit 2)
        '07', // SSN 7 = VLR
        '00', // translation type 0
        '12', // NP 1 (E.164) | ES 2 (BCD, even)
        '04', // NAI 4 = international
        '44 87 20 21 43 65', // 447802123456
      ),
    );
  });

  it('GTI 4 with PC, E.214, odd digits', () => {
    expect(encodeSccpAddress(hlrMgt)).toEqual(
      hex(
        '13', // AI: GTI 4, SSN and PC present
        '34 12', // PC 0x1234, LSB first (§3.4.2.1)
        '06', // SSN 6 = HLR
        '00',
        '71', // NP 7 (E.214) | ES 1 (BCD, odd)
        '04',
        '44 77 20 21 43 65 07', // 4477021234567 + 0 filler
      ),
    );
  });
});

describe('UDT / XUDT', () => {
  const data = hex('62 03 48 01 01'); // a tiny TCAP Begin

  it('UDT: type, class, three pointers relative to their own octet (§4.10)', () => {
    const u = encodeUdt(vlr, vlr, data, 0x81);
    // each address part = length octet + 11 octets (AI, SSN, TT, NP/ES, NAI, 6 digit octets)
    expect(u.subarray(0, 5)).toEqual(
      hex(
        '09', // message type UDT
        '81', // protocol class 1, return message on error
        '03', // -> called party at octet 5 (2 + 3)
        '0e', // -> calling party at octet 17 (3 + 14)
        '19', // -> data at octet 29 (4 + 25)
      ),
    );
    expect(u[5]).toBe(11); // called party length
    expect(u.subarray(u.length - 6)).toEqual(hex('05', '6203480101')); // data length + data
  });

  it('XUDT: hop counter, four pointers, optional part pointer 0 when absent (§4.18)', () => {
    const x = encodeXudt(vlr, vlr, data, { protocolClass: 0x80, hopCounter: 12 });
    expect(x.subarray(0, 7)).toEqual(
      hex(
        '11', // XUDT
        '80', // class 0, return on error
        '0c', // hop counter 12
        '04', // -> called at octet 7
        '0f', // -> calling at octet 19 (4 + 15)
        '1a', // -> data at octet 31 (5 + 26)
        '00', // no optional part
      ),
    );
  });

  it('segmentation (§3.17): F bit on the first, remaining counts down, same local reference', () => {
    const big = Buffer.alloc(500);
    for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
    const segs = encodeXudtSegments(vlr, vlr, big, 200, 0xabcdef);
    expect(segs.length).toBe(3);
    const rebuilt: Buffer[] = [];
    segs.forEach((s, i) => {
      const optPtr = 6 + s[6];
      // segmentation parameter: name 0x10, length 4, F|C|remaining, local reference (3 octets), EOP
      expect(s.subarray(optPtr, optPtr + 7)).toEqual(
        Buffer.from([0x10, 4, (i === 0 ? 0x80 : 0) | 0x40 | (2 - i), 0xab, 0xcd, 0xef, 0x00]),
      );
      expect(s[1]).toBe(0x81); // class 1 + return on error
      const dPtr = 5 + s[5];
      rebuilt.push(s.subarray(dPtr + 1, dPtr + 1 + s[dPtr]));
    });
    expect(Buffer.concat(rebuilt).equals(big)).toBe(true);
  });

  it('segments never push the optional part beyond its one-octet pointer (Q.713 §2.3)', () => {
    // addresses of 15 and 12 octets: pointer = 1 + 16 + 13 + (1 + data) <= 255 -> data <= 224
    expect(maxXudtSegment(hlrMgt, vlr)).toBe(255 - 4 - 14 - 11);
    const segs = encodeXudtSegments(hlrMgt, vlr, Buffer.alloc(600, 1), 250, 1);
    for (const s of segs) {
      expect(s[6]).toBeGreaterThan(0); // optional part present
      expect(s[6 + s[6]]).toBe(0x10); // and it is the segmentation parameter
    }
    expect(() =>
      encodeXudt(hlrMgt, vlr, Buffer.alloc(240), { segmentation: { first: true, class1: true, remaining: 1, localRef: 1 } }),
    ).toThrow();
  });
});
