/**
 * String builders for GTP records (called when a record or tunnel is made, never per packet).
 * All are total: any offsets give a string.
 */
import { rd32 } from '../../net/bytes';
import { ipv4Text, ipv6Text } from '../../net/addrText';
import { tbcdToString } from '../map/strings';

/** Labels joined with '.' at most (an APN is ≤ 100 octets, TS 23.003 §9.1). */
const APN_MAX_LABELS = 64;

/**
 * APN of an Access Point Name IE value (TS 29.060 §7.7.30, TS 29.274 §8.6): DNS-style labels,
 * each a length octet then that many characters (TS 23.003 §9.1). A value that does not parse as
 * labels (some senders put plain text) is returned as text.
 */
export function apnToString(buf: Buffer, start: number, end: number): string {
  if (end > buf.length) end = buf.length;
  if (start < 0 || end <= start) return '';
  let s = '';
  let i = start;
  let labels = 0;
  while (i < end) {
    const n = buf[i];
    if (n === 0 || i + 1 + n > end || ++labels > APN_MAX_LABELS) return buf.toString('latin1', start, end);
    if (s !== '') s += '.';
    s += buf.toString('latin1', i + 1, i + 1 + n);
    i += 1 + n;
  }
  return s;
}

/** Type Allocation Code: the first 8 digits of an IMEI / IMEISV in TBCD (TS 23.003 §6.2). */
export function imeiTac(buf: Buffer, start: number, end: number): string | null {
  const d = tbcdToString(buf, start, end);
  return d.length >= 8 ? d.slice(0, 8) : null;
}

/** Text of an IPv4 (len 4) or IPv6 (len 16) address at buf[off]; null for other lengths. */
export function ipText(buf: Buffer, off: number, len: number): string | null {
  if (off < 0 || off + len > buf.length) return null;
  if (len === 4) return ipv4Text(rd32(buf, off));
  if (len === 16) return ipv6Text(buf, off);
  return null;
}
