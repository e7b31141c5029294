/**
 * E.212 helpers: split an IMSI into MCC / MNC. The MNC length is not encoded in the IMSI; it
 * depends on the country (ITU-T E.212 Annex, national numbering plans). Countries that use
 * 3-digit MNCs are listed here; all others use 2 digits.
 */
const THREE_DIGIT_MNC = new Set<number>([
  302, // Canada
  310, 311, 312, 313, 314, 315, 316, // USA
  334, // Mexico
  338, 342, 344, 346, 348, 350, 352, 354, 356, 358, 360, 362, 365, 366, 376, // Caribbean
  405, // India (part)
  708, 710, 712, 714, 716, 722, 730, 732, 750, // Central / South America
]);

/** Length of the MNC for a given MCC (2 or 3). */
export function mncLength(mcc: number): number {
  return THREE_DIGIT_MNC.has(mcc) ? 3 : 2;
}

/** [mcc, mnc] of an IMSI digit string, or null when it is too short to hold them. */
export function splitImsi(imsi: string): [string, string] | null {
  if (imsi.length < 6) return null;
  const mcc = imsi.slice(0, 3);
  const n = mncLength(Number(mcc));
  return [mcc, imsi.slice(3, 3 + n)];
}

/**
 * MCC / MNC of a PLMN identity: 3 octets of TBCD digits (3GPP TS 24.008 §10.5.1.13 Figure
 * 10.5.13, also TS 29.272 §7.3.9 Visited-PLMN-Id, TS 29.274 §8.18 Serving Network / §8.21 ULI):
 *   octet 1: MCC digit 2 | MCC digit 1
 *   octet 2: MNC digit 3 | MCC digit 3   (MNC digit 3 = 0xF for a 2-digit MNC)
 *   octet 3: MNC digit 2 | MNC digit 1
 * Returns [mcc, mnc], or null when the 3 octets do not fit in [off, end) or hold a non-decimal
 * digit (only MNC digit 3 may be the filler 0xF). Builds strings: call it when a record is made.
 */
export function decodePlmnId(buf: Buffer, off: number, end: number = buf.length): [string, string] | null {
  if (off < 0 || off + 3 > end || off + 3 > buf.length) return null;
  const b0 = buf[off];
  const b1 = buf[off + 1];
  const b2 = buf[off + 2];
  const mcc1 = b0 & 0x0f;
  const mcc2 = b0 >> 4;
  const mcc3 = b1 & 0x0f;
  const mnc3 = b1 >> 4;
  const mnc1 = b2 & 0x0f;
  const mnc2 = b2 >> 4;
  if (mcc1 > 9 || mcc2 > 9 || mcc3 > 9 || mnc1 > 9 || mnc2 > 9 || (mnc3 > 9 && mnc3 !== 0x0f)) return null;
  const mcc = String.fromCharCode(48 + mcc1, 48 + mcc2, 48 + mcc3);
  const mnc = mnc3 === 0x0f ? String.fromCharCode(48 + mnc1, 48 + mnc2) : String.fromCharCode(48 + mnc1, 48 + mnc2, 48 + mnc3);
  return [mcc, mnc];
}
