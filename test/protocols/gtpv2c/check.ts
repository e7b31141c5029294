import type { FteidView, Gtpv2View } from '../../../src/protocols/gtpv2c/types';

function fteidInside(f: FteidView, start: number, end: number): boolean {
  if (f.v4 !== -1 && !(f.v4 >= start && f.v4 + 4 <= end)) return false;
  return f.v6 === -1 || (f.v6 >= start && f.v6 + 16 <= end);
}

/** Every offset a Gtpv2View records is -1 or inside [start, end] (truncation and fuzz tests). */
export function offsetsInside(x: Gtpv2View, start: number, end: number): boolean {
  const pairs: [number, number][] = [
    [x.imsiStart, x.imsiEnd], [x.apnStart, x.apnEnd], [x.meiStart, x.meiEnd], [x.msisdnStart, x.msisdnEnd], [x.uliStart, x.uliEnd],
  ];
  for (const [s, e] of pairs) if (s !== -1 && !(s >= start && s <= e && e <= end)) return false;
  for (const o of [x.servingNetwork, x.uliPlmn]) if (o !== -1 && !(o >= start && o + 3 <= end)) return false;
  if (!fteidInside(x.senderFteid, start, end) || !fteidInside(x.peerFteid, start, end) || !fteidInside(x.bearerFteid, start, end)) return false;
  return x.ieStart >= start && x.ieStart <= end && x.messageEnd >= start && x.messageEnd <= end;
}
