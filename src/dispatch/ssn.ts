/**
 * SCCP subsystem numbers (Q.713 Annex B, 3GPP TS 23.003 §8.2) and the TCAP application family
 * they imply. Used only when a TCAP dialogue carries no application-context name (MAP v1) to tell
 * MAP from CAP; the application context, when present, always wins.
 */
export const enum AppFamily {
  Unknown = 0,
  Map = 1,
  Cap = 2,
}

/** SSN → family, as data (index = SSN). */
const SSN_TABLE: readonly [number, AppFamily, string][] = [
  [5, AppFamily.Map, 'MAP'],
  [6, AppFamily.Map, 'HLR'],
  [7, AppFamily.Map, 'VLR'],
  [8, AppFamily.Map, 'MSC'],
  [9, AppFamily.Map, 'EIR'],
  [10, AppFamily.Map, 'AuC'],
  [145, AppFamily.Map, 'GMLC'],
  [146, AppFamily.Cap, 'gsmSCF (CAP)'],
  [147, AppFamily.Map, 'gsmSCF (MAP)'],
  [149, AppFamily.Map, 'SGSN'],
  [150, AppFamily.Map, 'GGSN'],
];

const FAMILY = new Uint8Array(256);
for (const [ssn, f] of SSN_TABLE) FAMILY[ssn] = f;

export function ssnFamily(ssn: number): AppFamily {
  return ssn >= 0 && ssn < 256 ? (FAMILY[ssn] as AppFamily) : AppFamily.Unknown;
}

export function ssnName(ssn: number): string | null {
  for (const [s, , n] of SSN_TABLE) if (s === ssn) return n;
  return null;
}
