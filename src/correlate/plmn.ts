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
