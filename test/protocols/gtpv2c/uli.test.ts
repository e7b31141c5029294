// Cell id text of the GTPv2-C ULI (TS 29.274 §8.21; src/protocols/gtpv2c/uli.ts): a real frame
// checked against tshark, annotated hex vectors for each field kind and their precedence, and
// bounds (cut values, bad PLMN digits, random bytes: never throws, never reads outside).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGtpv2 } from '../../../src/protocols/gtpv2c/decode';
import { createGtpv2View } from '../../../src/protocols/gtpv2c/types';
import { gtpv2UliCellId } from '../../../src/protocols/gtpv2c/uli';
import { hex } from '../../helpers/hex';
import { CAPTURES } from '../../helpers/oracle';
import { udpFrame } from '../../helpers/udpLocate';

const cell = (b: Buffer) => gtpv2UliCellId(b, 0, b.length);

describe('GTPv2-C ULI → cell id', () => {
  it('nDPI gtp_c frame 1 (tshark: ULI flags 0x18 TAI 896/457 TAC 0x1234, ECGI eNodeB 144470 cell 120)', () => {
    const f = udpFrame(join(CAPTURES, 'public/nDPI/gtp_c.pcap'), 1);
    const v = createGtpv2View();
    decodeGtpv2(f.buf, f.start, f.end, v);
    expect(f.buf.subarray(v.uliStart, v.uliEnd)).toEqual(hex(
      '18', //              flags: ECGI, TAI
      '98 76 54 1234', //   TAI: MCC 896 MNC 457 (3 digits), TAC 4660
      '98 76 54 12345678', // ECGI: spare 1, ECI 0x2345678 (28 bits) = 144470 × 256 + 120
    ));
    expect(gtpv2UliCellId(f.buf, v.uliStart, v.uliEnd)).toBe('ecgi:896-457-36984440');
  });

  it('each field kind; the most specific one wins', () => {
    expect(cell(hex('01', '32 f4 51 0102 0304'))).toBe('cgi:234-15-258-772'); //        CGI: MCC 234 MNC 15, LAC 258, CI 772
    expect(cell(hex('02', '32 f4 51 0102 00ff'))).toBe('sai:234-15-258-255'); //        SAI: LAC 258, SAC 255
    expect(cell(hex('04', '32 f4 51 0102 07ff'))).toBe('rai:234-15-258-7'); //          RAI: LAC 258, RAC 7, octet 7 all ones
    expect(cell(hex('08', '32 f4 51 1234'))).toBe('tai:234-15-4660'); //                TAI: TAC 0x1234
    expect(cell(hex('20', '32 f4 51 0001'))).toBe('lai:234-15-1'); //                   LAI: LAC 1
    expect(cell(hex('10', '21 63 54 0fffffff'))).toBe('ecgi:123-456-268435455'); //     ECGI: 3-digit MNC 456, ECI all ones
    expect(cell(hex('03', '32 f4 51 0102 0304', '32 f4 51 0102 0005'))).toBe('cgi:234-15-258-772'); // CGI before SAI
    expect(cell(hex('28', '32 f4 51 1234', '32 f4 51 0001'))).toBe('tai:234-15-4660'); // TAI before LAI
    // Macro eNodeB ID only: no cell
    expect(cell(hex('40', '32 f4 51 012345'))).toBeNull();
  });

  it('bounded: cut fields, bad digits, empty, random bytes', () => {
    expect(cell(hex('18', '32 f4 51 1234', '32 f4 51 0000'))).toBe('tai:234-15-4660'); // ECGI cut: the TAI before it counts
    expect(cell(hex('10', '32 f4 51 00'))).toBeNull();
    expect(cell(hex('01', 'aa f4 51 0102 0304'))).toBeNull(); // MCC digit 0xa
    expect(cell(Buffer.alloc(0))).toBeNull();
    expect(gtpv2UliCellId(hex('01 32f451 0102 0304'), 0, 7)).toBeNull(); // end before the CI
    expect(gtpv2UliCellId(hex('01'), -1, 1)).toBeNull();
    let x = 7;
    const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 20000; i++) {
      const b = Buffer.alloc(rnd() % 40, 0);
      for (let k = 0; k < b.length; k++) b[k] = rnd();
      const s = rnd() % (b.length + 1);
      const e = s + (rnd() % (b.length - s + 1));
      const r = gtpv2UliCellId(b, s, e);
      if (r !== null) expect(r).toMatch(/^(ecgi|cgi|sai|rai|tai|lai):\d{3}-\d{2,3}-\d+(-\d+)?$/);
    }
  });
});
