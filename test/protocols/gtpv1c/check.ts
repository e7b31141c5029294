import type { Gtpv1View } from '../../../src/protocols/gtpv1c/types';

/** Every offset a Gtpv1View records is -1 or inside [start, end] (truncation and fuzz tests). */
export function offsetsInside(x: Gtpv1View, start: number, end: number): boolean {
  const pairs: [number, number][] = [
    [x.imsiStart, x.imsiEnd], [x.apnStart, x.apnEnd], [x.gsn1Start, x.gsn1End], [x.gsn2Start, x.gsn2End],
    [x.msisdnStart, x.msisdnEnd], [x.uliStart, x.uliEnd], [x.imeiStart, x.imeiEnd],
  ];
  for (const [s, e] of pairs) if (s !== -1 && !(s >= start && s <= e && e <= end)) return false;
  if (x.rai !== -1 && !(x.rai >= start && x.rai + 6 <= end)) return false;
  return x.ieStart >= start && x.ieStart <= end && x.messageEnd >= start && x.messageEnd <= end;
}
