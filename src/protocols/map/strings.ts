/**
 * String builders for record creation (not for the per-packet path): digits of IMSI / ISDN
 * numbers from the offsets recorded in a MapInfoView. All are total: any offsets → a string.
 */

/** TBCD digit characters (TS 29.002 §17.7.8 TBCD-STRING: 0–9, *, #, a, b, c; 1111 = filler). */
const TBCD_DIGITS = '0123456789*#abc';
/** ISUP address signals (Q.763 §3.10): 0–9, code 11 (b), code 12 (c), ST (f). */
const HEX_DIGITS = '0123456789abcdef';

function clampEnd(buf: Buffer, end: number): number {
  return end > buf.length ? buf.length : end;
}

/** TBCD digits of [start, end), low nibble first; stops at the first filler nibble 0xF. */
export function tbcdToString(buf: Buffer, start: number, end: number): string {
  end = clampEnd(buf, end);
  let s = '';
  for (let i = start < 0 ? 0 : start; i < end; i++) {
    const lo = buf[i] & 0x0f;
    if (lo === 0x0f) break;
    s += TBCD_DIGITS[lo];
    const hi = buf[i] >> 4;
    if (hi === 0x0f) break;
    s += TBCD_DIGITS[hi];
  }
  return s;
}

/**
 * Digits of an (ISDN-)AddressString in [start, end): skips the extension / nature of address /
 * numbering plan octet (TS 29.002 §17.7.8 AddressString), then TBCD.
 */
export function isdnToString(buf: Buffer, start: number, end: number): string {
  if (start < 0 || start >= end) return '';
  return tbcdToString(buf, start + 1, end);
}

/**
 * Digits of an ISUP number (Q.763 §3.10 Calling party number / §3.9 Called party number as
 * carried by CAP) in [start, end): octet 1 = odd/even indicator + nature of address, octet 2 =
 * numbering plan etc., then address signals low nibble first; an even number of signals has no
 * filler, an odd number ends with a filler nibble.
 */
export function isupNumberToString(buf: Buffer, start: number, end: number): string {
  end = clampEnd(buf, end);
  if (start < 0 || end - start < 2) return '';
  const odd = (buf[start] & 0x80) !== 0;
  let s = '';
  for (let i = start + 2; i < end; i++) {
    s += HEX_DIGITS[buf[i] & 0x0f];
    if (i === end - 1 && odd) break;
    s += HEX_DIGITS[buf[i] >> 4];
  }
  return s;
}

/**
 * GSN-Address (TS 29.002 MAP-MS-DataTypes GSN-Address ::= OCTET STRING (SIZE (5..17))) in
 * [start, end): octet 1 = address type (bits 8–7: 0 IPv4, 1 IPv6) and length (bits 6–1),
 * then the address. Returns dotted IPv4, colon-hex IPv6, or '' when malformed.
 */
export function gsnAddressToString(buf: Buffer, start: number, end: number): string {
  end = clampEnd(buf, end);
  if (start < 0 || start >= end) return '';
  const type = buf[start] >> 6;
  const len = buf[start] & 0x3f;
  const a = start + 1;
  if (a + len !== end) return '';
  if (type === 0 && len === 4) return `${buf[a]}.${buf[a + 1]}.${buf[a + 2]}.${buf[a + 3]}`;
  if (type === 1 && len === 16) {
    let s = '';
    for (let i = 0; i < 16; i += 2) {
      if (i > 0) s += ':';
      s += ((buf[a + i] << 8) | buf[a + i + 1]).toString(16);
    }
    return s;
  }
  return '';
}
