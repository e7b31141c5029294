// Cell id text of GTPv1-C location IEs (src/protocols/gtpv1c/uli.ts): the ULI (TS 29.060
// §7.7.51) and the RAI (§7.7.3): a real frame checked against tshark, annotated hex vectors,
// the ULI's precedence over the RAI, and bounds.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGtpv1 } from '../../../src/protocols/gtpv1c/decode';
import { createGtpv1View } from '../../../src/protocols/gtpv1c/types';
import { gtpv1CellId, gtpv1RaiCellId, gtpv1UliCellId } from '../../../src/protocols/gtpv1c/uli';
import { hex } from '../../helpers/hex';
import { CAPTURES } from '../../helpers/oracle';
import { udpFrame } from '../../helpers/udpLocate';

describe('GTPv1-C ULI / RAI → cell id', () => {
  it('zeek Create PDP Context Request: RAI only (tshark: MCC 460, MNC 06, LAC 65534, RAC 255)', () => {
    const f = udpFrame(join(CAPTURES, 'public/zeek/gtp_create_pdp_ctx.pcap'), 2);
    const v = createGtpv1View();
    decodeGtpv1(f.buf, f.start, f.end, v);
    expect(f.buf.subarray(v.rai, v.rai + 6)).toEqual(hex('64 f0 60', 'fffe', 'ff')); // PLMN 460/06, LAC, RAC
    expect(v.uliStart).toBe(-1);
    expect(gtpv1CellId(f.buf, v.uliStart, v.uliEnd, v.rai, v.messageEnd)).toBe('rai:460-06-65534-255');
  });

  it('ULI kinds (geographic location type 0 CGI, 1 SAI, 2 RAI), unknown type', () => {
    const uli = (b: Buffer) => gtpv1UliCellId(b, 0, b.length);
    expect(uli(hex('00', '32 f4 51', '0102', '0304'))).toBe('cgi:234-15-258-772'); // CGI: LAC 258, CI 772
    expect(uli(hex('01', '32 f4 51', '0102', '0005'))).toBe('sai:234-15-258-5'); //   SAI: SAC 5
    expect(uli(hex('02', '32 f4 51', '0102', '09ff'))).toBe('rai:234-15-258-9'); //   RAI: RAC 9, then all ones
    expect(uli(hex('07', '32 f4 51', '0102', '0304'))).toBeNull();
    expect(gtpv1RaiCellId(hex('32 f4 51 0102 09'), 0, 6)).toBe('rai:234-15-258-9');
  });

  it('the ULI wins over the RAI; bounded', () => {
    const b = hex('32 f4 51 0102 09', '00 32 f4 51 0102 0304'); // RAI at 0, ULI value at 6
    expect(gtpv1CellId(b, 6, 14, 0, b.length)).toBe('cgi:234-15-258-772');
    expect(gtpv1CellId(b, 6, 13, 0, b.length)).toBe('rai:234-15-258-9'); // ULI cut: the RAI
    expect(gtpv1CellId(b, -1, -1, 0, 5)).toBeNull(); // RAI past the end
    expect(gtpv1UliCellId(b, 6, 99)).toBeNull();
    let x = 3;
    const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 20000; i++) {
      const buf = Buffer.alloc(rnd() % 24);
      for (let k = 0; k < buf.length; k++) buf[k] = rnd();
      const s = rnd() % (buf.length + 1);
      const e = s + (rnd() % (buf.length - s + 1));
      const r = gtpv1CellId(buf, s, e, rnd() % (buf.length + 1), buf.length);
      if (r !== null) expect(r).toMatch(/^(cgi|sai|rai):\d{3}-\d{2,3}-\d+-\d+$/);
    }
  });
});
