/**
 * Cell identity text of a GTPv2-C User Location Information IE (TS 29.274 §8.21), shared with
 * GTPv1 (TS 29.060 §7.7.51 ULI, §7.7.3 RAI: gtpv1c/uli.ts). Pure and bounded: reads only
 * [start, end), returns null when nothing usable is there; builds one string (call it once per
 * record, not per packet).
 *
 * Text form (README "Device profiles"): `<kind>:<MCC>-<MNC>-<area>-<cell>` with the numbers in
 * decimal and the MNC as coded (2 or 3 digits):
 *   ecgi:MCC-MNC-ECI        E-UTRAN cell (§8.21.5: 28-bit ECI = eNodeB id × 256 + cell), no TAC:
 *                           the ECGI is globally unique on its own
 *   cgi:MCC-MNC-LAC-CI      GERAN cell (§8.21.1)
 *   sai:MCC-MNC-LAC-SAC     UTRAN service area (§8.21.2)
 *   rai:MCC-MNC-LAC-RAC     routing area, no cell (§8.21.3)
 *   tai:MCC-MNC-TAC         tracking area, no cell (§8.21.4)
 *   lai:MCC-MNC-LAC         location area, no cell (§8.21.6)
 * The most specific field present wins: ECGI, CGI, SAI, RAI, TAI, LAI.
 */
import { rd16, rd32 } from '../../net/bytes';
import { decodePlmnId } from '../../correlate/plmn';

export type CellKind = 'ecgi' | 'cgi' | 'sai' | 'rai' | 'tai' | 'lai';

/** `kind:MCC-MNC-a[-b]` from the PLMN at `plmn` (null when the PLMN digits are not decimal) */
export function cellText(buf: Buffer, plmn: number, end: number, kind: CellKind, a: number, b: number | null): string | null {
  const p = decodePlmnId(buf, plmn, end);
  if (p === null) return null;
  return b === null ? `${kind}:${p[0]}-${p[1]}-${a}` : `${kind}:${p[0]}-${p[1]}-${a}-${b}`;
}

/** ULI flags (§8.21) and the size of each field, in the order the fields follow the flags octet */
const CGI = 0x01;
const SAI = 0x02;
const RAI = 0x04;
const TAI = 0x08;
const ECGI = 0x10;
const LAI = 0x20;
const MACRO = 0x40;
const EXT_MACRO = 0x80;
const FIELDS: readonly (readonly [number, number])[] = [
  [CGI, 7], [SAI, 7], [RAI, 7], [TAI, 5], [ECGI, 7], [LAI, 5], [MACRO, 6], [EXT_MACRO, 6],
];

/** The cell id text of the ULI value [start, end) (the IE's value: flags octet first), or null. */
export function gtpv2UliCellId(buf: Buffer, start: number, end: number): string | null {
  if (start < 0 || end > buf.length || end - start < 1) return null;
  const flags = buf[start];
  const at = [-1, -1, -1, -1, -1, -1];
  let p = start + 1;
  for (let i = 0; i < FIELDS.length; i++) {
    const [bit, size] = FIELDS[i];
    if ((flags & bit) === 0) continue;
    if (p + size > end) break; // cut: the fields before it still count
    if (i < 6) at[i] = p;
    p += size;
  }
  const [cgi, sai, rai, tai, ecgi, lai] = at;
  if (ecgi >= 0) return cellText(buf, ecgi, end, 'ecgi', rd32(buf, ecgi + 3) & 0x0fffffff, null);
  if (cgi >= 0) return cellText(buf, cgi, end, 'cgi', rd16(buf, cgi + 3), rd16(buf, cgi + 5));
  if (sai >= 0) return cellText(buf, sai, end, 'sai', rd16(buf, sai + 3), rd16(buf, sai + 5));
  // §8.21.3: the RAC is octet 6 of the field; octet 7 is all ones
  if (rai >= 0) return cellText(buf, rai, end, 'rai', rd16(buf, rai + 3), buf[rai + 5]);
  if (tai >= 0) return cellText(buf, tai, end, 'tai', rd16(buf, tai + 3), null);
  if (lai >= 0) return cellText(buf, lai, end, 'lai', rd16(buf, lai + 3), null);
  return null;
}
