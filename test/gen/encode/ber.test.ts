/** BER helpers (X.690) and digit encodings: hand-built vectors. */
import { describe, expect, it } from 'vitest';
import { ctx, integer, lengthBytes, oid, tagBytes, tlv, tlvIndefinite, CLASS_CONTEXT } from '../../../src/gen/encode/ber';
import { addressString, sccpBcd, tbcd } from '../../../src/gen/encode/digits';
import { hex } from '../../helpers/hex';

describe('BER', () => {
  it('length octets: short form < 128, long form with the fewest octets (X.690 §8.1.3)', () => {
    expect(lengthBytes(0)).toEqual(hex('00'));
    expect(lengthBytes(127)).toEqual(hex('7f'));
    expect(lengthBytes(128)).toEqual(hex('81 80')); // 0x81 = long form, 1 length octet
    expect(lengthBytes(255)).toEqual(hex('81 ff'));
    expect(lengthBytes(256)).toEqual(hex('82 0100'));
    expect(lengthBytes(70000)).toEqual(hex('83 011170'));
  });

  it('tlv with a long length keeps the contents intact', () => {
    const body = Buffer.alloc(300, 0xab);
    const t = tlv(0x04, body);
    expect(t.subarray(0, 4)).toEqual(hex('04', '82 012c')); // OCTET STRING, length 300
    expect(t.subarray(4).equals(body)).toBe(true);
    expect(tlv(0x30, hex('0201 01'), hex('0401 aa'))).toEqual(hex('30 06', '020101', '0401aa'));
  });

  it('identifier octets incl. the high-tag-number form (§8.1.2.4)', () => {
    expect(tagBytes(CLASS_CONTEXT, false, 3)).toEqual(hex('83'));
    expect(tagBytes(CLASS_CONTEXT, true, 3)).toEqual(hex('a3'));
    expect(tagBytes(CLASS_CONTEXT, false, 50)).toEqual(hex('9f 32')); // [50] e.g. CAP iMSI
    expect(tagBytes(CLASS_CONTEXT, false, 200)).toEqual(hex('9f 8148')); // 200 = 1*128 + 72
    expect(ctx(1)).toBe(0x81);
  });

  it('INTEGER minimal two\'s complement (§8.3)', () => {
    expect(integer(0)).toEqual(hex('02 01 00'));
    expect(integer(127)).toEqual(hex('02 01 7f'));
    expect(integer(128)).toEqual(hex('02 02 0080')); // leading 00 keeps it positive
    expect(integer(-1)).toEqual(hex('02 01 ff'));
    expect(integer(-129)).toEqual(hex('02 02 ff7f'));
    expect(integer(56, 0x80)).toEqual(hex('80 01 38'));
  });

  it('OBJECT IDENTIFIER (§8.19): first two arcs combined, base-128 arcs', () => {
    expect(oid('0.4.0.0.1.0.14.3')).toEqual(hex('06 07', '04 00 00 01 00 0e 03')); // infoRetrievalContext-v3
    expect(oid('0.0.17.773.1.1.1')).toEqual(hex('06 07', '00 11 8605 01 01 01')); // id-as-dialogue: 773 = 6*128+5
  });

  it('indefinite length ends with end-of-contents', () => {
    expect(tlvIndefinite(0x30, hex('020101'))).toEqual(hex('30 80', '020101', '0000'));
  });
});

describe('digit strings', () => {
  it('TBCD: low nibble first, F filler (TS 29.002 §17.7.8)', () => {
    expect(tbcd('001010000000001')).toEqual(hex('00 01 01 00 00 00 00 f1'));
    expect(tbcd('1234')).toEqual(hex('21 43'));
  });
  it('AddressString: 0x91 = no extension, international, E.164', () => {
    expect(addressString('447802123456')).toEqual(hex('91', '44 87 20 21 43 65'));
  });
  it('SCCP BCD: odd count padded with 0 (Q.713 §3.4.2.3.1)', () => {
    expect(sccpBcd('12345')).toEqual(hex('21 43 05'));
  });
});
