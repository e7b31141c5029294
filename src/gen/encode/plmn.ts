// PLMN identity and APN encodings shared by the Diameter and GTP encoders.

/**
 * MCC + MNC in 3 octets (TS 24.008 §10.5.1.3, TS 29.272 §7.3.9 Visited-PLMN-Id, TS 29.274 §8.18):
 * MCC2|MCC1, MNC3|MCC3 (MNC3 = F for a 2-digit MNC), MNC2|MNC1.
 */
export function plmnId(mcc: string, mnc: string): Buffer {
  const d = (s: string, i: number): number => s.charCodeAt(i) - 48;
  const mnc3 = mnc.length === 3 ? d(mnc, 2) : 0x0f;
  return Buffer.from([(d(mcc, 1) << 4) | d(mcc, 0), (mnc3 << 4) | d(mcc, 2), (d(mnc, 1) << 4) | d(mnc, 0)]);
}

/** APN as DNS-style labels, each prefixed with its length (TS 23.003 §9.1, TS 29.060 §7.7.30) */
export function apnLabels(apn: string): Buffer {
  const parts = apn.split('.');
  const out = Buffer.allocUnsafe(apn.length + 1);
  let o = 0;
  for (const p of parts) {
    out[o++] = p.length;
    o += out.write(p, o, 'latin1');
  }
  return out.subarray(0, o);
}
