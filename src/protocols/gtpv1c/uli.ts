/**
 * Cell identity text of GTPv1-C location IEs, in the form of gtpv2c/uli.ts (README "Device
 * profiles"): the User Location Information (TS 29.060 §7.7.51: Geographic Location Type, then
 * PLMN(3) LAC(2) and CI / SAC / RAC(2)) when present, else the Routing Area Identity (§7.7.3:
 * PLMN(3) LAC(2) RAC(1)). Pure and bounded; null when nothing usable is there.
 */
import { rd16 } from '../../net/bytes';
import { cellText } from '../gtpv2c/uli';

/** §7.7.51 Geographic Location Type: 0 CGI, 1 SAI, 2 RAI */
const ULI_CGI = 0;
const ULI_SAI = 1;
const ULI_RAI = 2;
/** type(1) PLMN(3) LAC(2) CI / SAC / RAC(2) */
const ULI_LEN = 8;
/** PLMN(3) LAC(2) RAC(1) */
const RAI_LEN = 6;

/** ULI value [start, end) → cgi: / sai: / rai: text, or null. */
export function gtpv1UliCellId(buf: Buffer, start: number, end: number): string | null {
  if (start < 0 || end > buf.length || end - start < ULI_LEN) return null;
  const type = buf[start];
  const lac = rd16(buf, start + 4);
  switch (type) {
    case ULI_CGI:
      return cellText(buf, start + 1, end, 'cgi', lac, rd16(buf, start + 6));
    case ULI_SAI:
      return cellText(buf, start + 1, end, 'sai', lac, rd16(buf, start + 6));
    case ULI_RAI:
      // the RAC is the first of the two octets; the second is all ones
      return cellText(buf, start + 1, end, 'rai', lac, buf[start + 6]);
    default:
      return null;
  }
}

/** RAI value at `off` (6 octets, within [off, end)) → rai:MCC-MNC-LAC-RAC, or null. */
export function gtpv1RaiCellId(buf: Buffer, off: number, end: number): string | null {
  if (off < 0 || off + RAI_LEN > end || end > buf.length) return null;
  return cellText(buf, off, end, 'rai', rd16(buf, off + 3), buf[off + 5]);
}

/** The most specific of the two: the ULI, else the RAI. */
export function gtpv1CellId(buf: Buffer, uliStart: number, uliEnd: number, rai: number, end: number): string | null {
  return (uliStart >= 0 ? gtpv1UliCellId(buf, uliStart, uliEnd) : null) ?? (rai >= 0 ? gtpv1RaiCellId(buf, rai, end) : null);
}
