import { describe, expect, it } from 'vitest';
import {
  BER_INT_FAIL, BER_MAX_ELEMENTS, BER_MAX_NESTING, BerStatus, berElementInteger, berHighTag, berInteger,
  berIntegerOk, berRead, berUnsigned, createBerTlv,
} from '../../../src/protocols/tcap/ber';
import { hex } from '../../helpers/hex';
import { highTag, int, tlv, tlvIndef } from '../../helpers/ber';

const t = createBerTlv();

describe('berRead: identifier octets (X.690 §8.1.2)', () => {
  it('low tag number: class, constructed, number, tag key = identifier octet', () => {
    // a1 = context-specific (10), constructed, number 1; length 0
    expect(berRead(hex('a1 00'), 0, 2, t)).toBe(BerStatus.Ok);
    expect(t).toMatchObject({ tag: 0xa1, cls: 2, constructed: true, number: 1, valueStart: 2, valueEnd: 2, next: 2 });
    // 48 = application (01), primitive, number 8 (TCAP otid)
    expect(berRead(hex('48 01 07'), 0, 3, t)).toBe(BerStatus.Ok);
    expect(t).toMatchObject({ tag: 0x48, cls: 1, constructed: false, number: 8, valueStart: 2, valueEnd: 3 });
  });

  it('high tag number in 1 and 2 subsequent octets', () => {
    // 9f 32 = context primitive [50] (CAP InitialDPArg iMSI); length 1
    expect(berRead(hex('9f 32 01 aa'), 0, 4, t)).toBe(BerStatus.Ok);
    expect(t).toMatchObject({ cls: 2, constructed: false, number: 50, valueStart: 3, valueEnd: 4 });
    expect(t.tag).toBe(berHighTag(0x80, 50));
    expect(t.tag).not.toBe(50); // disjoint from single-octet tag keys
    // bf 81 00 = context constructed [128]
    expect(berRead(hex('bf 81 00 00'), 0, 4, t)).toBe(BerStatus.Ok);
    expect(t).toMatchObject({ number: 128, constructed: true, valueStart: 4, valueEnd: 4 });
    expect(t.tag).toBe(berHighTag(0xa0, 128));
    expect(Buffer.from(highTag(0xa0, 128)).equals(hex('bf 81 00'))).toBe(true);
  });

  it('rejects high-form tags < 31, leading 0x80, more than 3 subsequent octets, tag 0', () => {
    expect(berRead(hex('9f 1e 00'), 0, 3, t)).toBe(BerStatus.BadTag); // 30 must use the low form
    expect(berRead(hex('9f 80 01 00'), 0, 4, t)).toBe(BerStatus.BadTag); // §8.1.2.4.2 c)
    expect(berRead(hex('9f 81 81 81 01 00'), 0, 6, t)).toBe(BerStatus.BadTag);
    expect(berRead(hex('00 00'), 0, 2, t)).toBe(BerStatus.BadTag); // end-of-contents is not an element
    expect(berRead(hex('9f 81'), 0, 2, t)).toBe(BerStatus.Truncated); // unterminated tag number
  });
});

describe('berRead: length octets (X.690 §8.1.3)', () => {
  it('short and long forms with 1..4 length octets', () => {
    const v = Buffer.alloc(300, 0x55);
    for (const [lenHex, n] of [['05', 5], ['81 05', 5], ['82 01 2c', 300], ['83 00 01 2c', 300], ['84 00 00 01 2c', 300]] as const) {
      const b = Buffer.concat([hex('04', lenHex), v.subarray(0, n)]);
      expect(berRead(b, 0, b.length, t)).toBe(BerStatus.Ok);
      expect(t.valueEnd - t.valueStart).toBe(n);
      expect(t.next).toBe(b.length);
      expect(t.indefinite).toBe(false);
    }
  });

  it('rejects 5+ length octets and 0xff; truncated lengths and values', () => {
    expect(berRead(hex('04 85 00 00 00 00 01 00'), 0, 8, t)).toBe(BerStatus.BadLength);
    expect(berRead(hex('04 ff'), 0, 2, t)).toBe(BerStatus.BadLength);
    expect(berRead(hex('04 82 01'), 0, 3, t)).toBe(BerStatus.Truncated);
    expect(berRead(hex('04 03 01 02'), 0, 4, t)).toBe(BerStatus.Truncated);
    expect(berRead(hex('04'), 0, 1, t)).toBe(BerStatus.Truncated);
    expect(berRead(hex('04 84 ff ff ff ff'), 0, 6, t)).toBe(BerStatus.Truncated);
  });

  it('never reads past end even when the buffer is longer', () => {
    const b = hex('04 03 01 02 03');
    expect(berRead(b, 0, 4, t)).toBe(BerStatus.Truncated);
    expect(berRead(b, 0, 5, t)).toBe(BerStatus.Ok);
  });
});

describe('berRead: indefinite length (X.690 §8.1.3.6, §8.1.5)', () => {
  it('constructed with nested indefinite and definite elements', () => {
    // 30 80 { a1 80 { 02 01 05 } 00 00  04 01 ff } 00 00
    const b = tlvIndef(0x30, tlvIndef(0xa1, int(5)), tlv(0x04, [0xff]));
    expect(b.equals(hex('30 80 a1 80 02 01 05 00 00 04 01 ff 00 00'))).toBe(true);
    expect(berRead(b, 0, b.length, t)).toBe(BerStatus.Ok);
    expect(t).toMatchObject({ tag: 0x30, indefinite: true, valueStart: 2, valueEnd: 12, next: 14 });
    expect(berRead(b, 2, t.valueEnd, t)).toBe(BerStatus.Ok);
    expect(t).toMatchObject({ tag: 0xa1, indefinite: true, valueStart: 4, valueEnd: 7, next: 9 });
  });

  it('primitive with indefinite length is invalid', () => {
    expect(berRead(hex('04 80 01 00 00'), 0, 5, t)).toBe(BerStatus.BadLength);
  });

  it('missing end-of-contents is truncation; 00 xx inside is a bad tag', () => {
    expect(berRead(hex('30 80 02 01 05'), 0, 5, t)).toBe(BerStatus.Truncated);
    expect(berRead(hex('30 80 02 01 05 00'), 0, 6, t)).toBe(BerStatus.Truncated);
    expect(berRead(hex('30 80 00 01 00 00'), 0, 6, t)).toBe(BerStatus.BadTag);
  });

  it('nesting is capped at BER_MAX_NESTING', () => {
    let ok: Buffer = int(1);
    for (let i = 0; i < BER_MAX_NESTING; i++) ok = tlvIndef(0x30, ok);
    expect(berRead(ok, 0, ok.length, t)).toBe(BerStatus.Ok);
    const deep = tlvIndef(0x30, ok);
    expect(berRead(deep, 0, deep.length, t)).toBe(BerStatus.NestingTooDeep);
  });

  it('elements inside one indefinite element are capped at BER_MAX_ELEMENTS', () => {
    const many = (n: number): Buffer => tlvIndef(0x30, ...Array.from({ length: n }, () => hex('05 00')));
    const okB = many(BER_MAX_ELEMENTS);
    expect(berRead(okB, 0, okB.length, t)).toBe(BerStatus.Ok);
    const bad = many(BER_MAX_ELEMENTS + 1);
    expect(berRead(bad, 0, bad.length, t)).toBe(BerStatus.TooManyElements);
  });
});

describe('INTEGER helpers (X.690 §8.3)', () => {
  it('two\'s complement, 1..4 octets', () => {
    expect(berInteger(hex('7f'), 0, 1)).toBe(127);
    expect(berInteger(hex('80'), 0, 1)).toBe(-128);
    expect(berInteger(hex('00 80'), 0, 2)).toBe(128);
    expect(berInteger(hex('ff ff'), 0, 2)).toBe(-1);
    expect(berInteger(hex('7f ff ff ff'), 0, 4)).toBe(2147483647);
    expect(berInteger(hex('80 00 00 00'), 0, 4)).toBe(-2147483648);
    expect(berIntegerOk(0, 0)).toBe(false);
    expect(berIntegerOk(0, 5)).toBe(false);
    expect(berUnsigned(hex('ff ff ff ff'), 0, 4)).toBe(0xffffffff);
  });

  it('berElementInteger checks tag and size', () => {
    expect(berElementInteger(hex('02 01 05'), 0, 3, 0x02, t)).toBe(5);
    expect(berElementInteger(hex('0a 01 05'), 0, 3, 0x02, t)).toBe(BER_INT_FAIL);
    expect(berElementInteger(hex('02 00'), 0, 2, 0x02, t)).toBe(BER_INT_FAIL);
    expect(berElementInteger(hex('02 05 01 02 03 04 05'), 0, 7, 0x02, t)).toBe(BER_INT_FAIL);
    expect(berElementInteger(hex(''), 0, 0, 0x02, t)).toBe(BER_INT_FAIL);
  });
});
