/**
 * Application-context-name handling: OBJECT IDENTIFIER content (X.690 §8.19) → numeric
 * (family, ac, version) and dotted string.
 */
import { AcnFamily, TCAP_MAX_OID_ARCS } from './constants';
import type { TcapView } from './types';

/** Most octets of one OID subidentifier (base 128): 5 → values < 2^35. */
const OID_MAX_SUBID_OCTETS = 5;

// Decoded arcs of the last parseOid call (module scratch, allocated once).
const arcs = new Float64Array(TCAP_MAX_OID_ARCS);
let arcCount = 0;

/**
 * Splits OID content octets into arcs (first subidentifier → two arcs, X.690 §8.19.4).
 * Returns false on malformed content (empty, unterminated or over-long subidentifier,
 * more than TCAP_MAX_OID_ARCS arcs).
 */
function parseOid(buf: Buffer, start: number, end: number): boolean {
  arcCount = 0;
  if (start >= end) return false;
  let pos = start;
  while (pos < end) {
    let v = 0;
    let n = 0;
    for (;;) {
      if (pos >= end || ++n > OID_MAX_SUBID_OCTETS) return false;
      const b = buf[pos++];
      v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (arcCount === 0) {
      const x = v < 40 ? 0 : v < 80 ? 1 : 2;
      arcs[0] = x;
      arcs[1] = v - 40 * x;
      arcCount = 2;
    } else {
      if (arcCount >= TCAP_MAX_OID_ARCS) return false;
      arcs[arcCount++] = v;
    }
  }
  return true;
}

/**
 * Resolves the application-context-name content [start, end) into out.acnFamily / acnValue /
 * acnVersion (TS 29.002 §17.3.3 map-ac = {0 4 0 0 1 0}; TS 29.078 CAP contexts).
 */
export function resolveAcn(buf: Buffer, start: number, end: number, out: TcapView): void {
  out.acnFamily = AcnFamily.Unknown;
  out.acnValue = -1;
  out.acnVersion = -1;
  if (!parseOid(buf, start, end)) return;
  // itu-t(0) identified-organization(4) etsi(0) mobileDomain(0) gsm-Network|umts-Network(1)
  if (arcCount !== 8 || arcs[0] !== 0 || arcs[1] !== 4 || arcs[2] !== 0 || arcs[3] !== 0 || arcs[4] !== 1) return;
  const a5 = arcs[5];
  if (a5 === 0) {
    // ac-Id(0) <ac> <version>; CAP v1/v2 contexts live here as ac 50, 51, 52 (TS 29.078 §6)
    const ac = arcs[6];
    out.acnFamily = ac === 50 || ac === 51 || ac === 52 ? AcnFamily.Cap : AcnFamily.Map;
    out.acnValue = ac;
    out.acnVersion = arcs[7];
  } else if (a5 >= 20 && a5 <= 23 && arcs[6] === 3) {
    // CAP v3 (20 cap3, 21 cap3OE) / v4 (22 cap4, 23 cap4OE), ac(3), <context>
    out.acnFamily = AcnFamily.Cap;
    out.acnValue = arcs[7];
    out.acnVersion = a5 <= 21 ? 3 : 4;
  }
}

/** Dotted form of OID content octets, e.g. '0.4.0.0.1.0.14.3'; '' when malformed. */
export function acnToString(buf: Buffer, start: number, end: number): string {
  if (start < 0 || end > buf.length || !parseOid(buf, start, end)) return '';
  let s = String(arcs[0]);
  for (let i = 1; i < arcCount; i++) s += '.' + String(arcs[i]);
  return s;
}
