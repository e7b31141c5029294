/**
 * SCCP called / calling party address (Q.713 §3.4, ITU format: address indicator, then PC,
 * SSN, GT in that order), the GT digit string, and a correlation key.
 */
import {
  SCCP_AI_GTI_MASK, SCCP_AI_GTI_SHIFT, SCCP_AI_NATIONAL, SCCP_AI_PC, SCCP_AI_RI_SHIFT, SCCP_AI_SSN,
  SCCP_ES_BCD_ODD, SccpGti,
} from './constants';
import type { SccpAddressView } from './types';
import { resetSccpAddressView } from './types';

/** Outcome of decodeSccpAddress; the message decoder maps it to its SccpAnomaly codes. */
export const enum SccpAddressStatus {
  Ok = 0,
  /** empty, or shorter than the indicators require */
  Malformed = 1,
  /** GTI 5..15: indicator, PC and SSN decoded, GT left undecoded */
  ReservedGti = 2,
}

/**
 * Decodes the address value [start, end) (the octets after the length indicator) into `out`.
 * `end` must be ≤ buf.length. GT digits are recorded as offsets (see gtDigits()).
 */
export function decodeSccpAddress(buf: Buffer, start: number, end: number, out: SccpAddressView): SccpAddressStatus {
  resetSccpAddressView(out, start);
  if (end <= start) return SccpAddressStatus.Malformed;
  const ai = buf[start]; // Q.713 §3.4.1
  out.present = true;
  out.national = (ai & SCCP_AI_NATIONAL) !== 0;
  out.ri = (ai >> SCCP_AI_RI_SHIFT) & 1;
  out.gti = (ai >> SCCP_AI_GTI_SHIFT) & SCCP_AI_GTI_MASK;
  let p = start + 1;
  if ((ai & SCCP_AI_PC) !== 0) {
    // Q.713 §3.4.2.1: 14-bit ITU point code, least significant octet first.
    if (end - p < 2) return SccpAddressStatus.Malformed;
    out.pc = buf.readUInt16LE(p) & 0x3fff;
    p += 2;
  }
  if ((ai & SCCP_AI_SSN) !== 0) {
    if (end - p < 1) return SccpAddressStatus.Malformed; // Q.713 §3.4.2.2
    out.ssn = buf[p++];
  }
  // Q.713 §3.4.2.3: global title formats.
  switch (out.gti) {
    case SccpGti.None:
      return SccpAddressStatus.Ok;
    case SccpGti.Nai: // §3.4.2.3.1: O/E(1 bit) NAI(7 bits), digits
      if (end - p < 1) return SccpAddressStatus.Malformed;
      out.digitsOdd = (buf[p] & 0x80) !== 0;
      out.nai = buf[p++] & 0x7f;
      break;
    case SccpGti.Tt: // §3.4.2.3.2: TT, digits (encoding national; taken as BCD, even)
      if (end - p < 1) return SccpAddressStatus.Malformed;
      out.tt = buf[p++];
      break;
    case SccpGti.TtNpEs: // §3.4.2.3.3: TT, NP(4 bits) ES(4 bits), digits
      if (end - p < 2) return SccpAddressStatus.Malformed;
      out.tt = buf[p];
      out.np = buf[p + 1] >> 4;
      out.es = buf[p + 1] & 0x0f;
      out.digitsOdd = out.es === SCCP_ES_BCD_ODD;
      p += 2;
      break;
    case SccpGti.TtNpEsNai: // §3.4.2.3.4: TT, NP/ES, spare(1 bit) NAI(7 bits), digits
      if (end - p < 3) return SccpAddressStatus.Malformed;
      out.tt = buf[p];
      out.np = buf[p + 1] >> 4;
      out.es = buf[p + 1] & 0x0f;
      out.digitsOdd = out.es === SCCP_ES_BCD_ODD;
      out.nai = buf[p + 2] & 0x7f;
      p += 3;
      break;
    default:
      return SccpAddressStatus.ReservedGti;
  }
  out.digitsStart = p;
  out.digitsEnd = end;
  return SccpAddressStatus.Ok;
}

/**
 * Address signal characters (Q.713 §3.4.2.3.1): 0-9, then the non-decimal codes as single
 * lowercase hex characters (a = spare, b = code 11, c = code 12, d/e = spare, f = ST).
 * Wireshark prints them as "(spare)", "11", "12", "ST", which is ambiguous as a key; one
 * character per signal keeps the string unambiguous and its length = the number of signals.
 */
const GT_SIGNAL_CHARS = '0123456789abcdef';

/**
 * The GT digit string of [start, end) (BCD, low nibble first). When `odd`, the high nibble of
 * the last octet is filler and skipped; otherwise a high nibble 0xf in the last octet (ST, or
 * a filler with a wrong encoding scheme) is also dropped. Not for the hot path: call it only
 * when a record is created.
 */
export function gtDigits(buf: Buffer, start: number, end: number, odd: boolean): string {
  if (end > buf.length) end = buf.length;
  if (start < 0) start = 0;
  let s = '';
  for (let i = start; i < end; i++) {
    const b = buf[i];
    s += GT_SIGNAL_CHARS[b & 0x0f];
    if (i === end - 1 && (odd || b >> 4 === 0x0f)) break;
    s += GT_SIGNAL_CHARS[b >> 4];
  }
  return s;
}

/**
 * A compact, stable key of a party address for correlation: 'go' / 'ge' (odd / even digit count)
 * + the GT's BCD octets as a latin1 string, the filler nibble of an odd count zeroed (so a 0 or F
 * filler gives the same key) when a GT with digits is present (GTI 1..4), else 'p' + point code + '/' + SSN. The
 * address's own PC is used; when it has none, `mtp3Pc` (the MTP3 point code of the same side:
 * OPC for the calling party, DPC for the called party) is used. An absent SSN gives -1.
 * Built per TCAP message, so it avoids per-digit string work (gtDigits is for records).
 */
export function sccpAddressKey(buf: Buffer, addr: SccpAddressView, mtp3Pc: number): string {
  const s = addr.digitsStart;
  let e = addr.digitsEnd;
  if (addr.gti >= SccpGti.Nai && addr.gti <= SccpGti.TtNpEsNai && e > s) {
    if (e > buf.length) e = buf.length;
    const last = buf[e - 1];
    // Odd count, or an even count whose last digit is a filler (0xF): keep only the low nibble.
    const odd = addr.digitsOdd || last >> 4 === 0x0f;
    return (odd ? 'go' : 'ge') + buf.toString('latin1', s, e - 1) + String.fromCharCode(odd ? last & 0x0f : last);
  }
  return 'p' + (addr.pc >= 0 ? addr.pc : mtp3Pc) + '/' + addr.ssn;
}
