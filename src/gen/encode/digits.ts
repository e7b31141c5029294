// Digit-string encodings shared by the SCCP and MAP encoders.

/**
 * TBCD-STRING (TS 29.002 §17.7.8, TS 24.008 §10.5.1.4 style): two digits per octet, first digit
 * in the low nibble, an odd count padded with the filler 0xF in the last high nibble.
 */
export function tbcd(digits: string): Buffer {
  const n = digits.length;
  const out = Buffer.allocUnsafe((n + 1) >> 1);
  for (let i = 0; i < n; i += 2) {
    const lo = digitValue(digits.charCodeAt(i));
    const hi = i + 1 < n ? digitValue(digits.charCodeAt(i + 1)) : 0x0f;
    out[i >> 1] = (hi << 4) | lo;
  }
  return out;
}

/**
 * SCCP global title address signals (Q.713 §3.4.2.3.1): BCD, first digit in the low nibble,
 * odd count padded with a 0 filler (the odd/even indicator says which).
 */
export function sccpBcd(digits: string): Buffer {
  const n = digits.length;
  const out = Buffer.allocUnsafe((n + 1) >> 1);
  for (let i = 0; i < n; i += 2) {
    const lo = digitValue(digits.charCodeAt(i));
    const hi = i + 1 < n ? digitValue(digits.charCodeAt(i + 1)) : 0;
    out[i >> 1] = (hi << 4) | lo;
  }
  return out;
}

// AddressString first octet (TS 29.002 §17.7.8): bit 8 extension (1 = no extension),
// bits 7-5 nature of address, bits 4-1 numbering plan indicator.
export const NATURE_INTERNATIONAL = 1;
export const NPI_ISDN_E164 = 1;
export const NPI_LAND_MOBILE_E212 = 6;

/** ISDN-AddressString / AddressString contents: 0x91 (international, E.164) + TBCD digits */
export function addressString(digits: string, nature = NATURE_INTERNATIONAL, npi = NPI_ISDN_E164): Buffer {
  const d = tbcd(digits);
  const out = Buffer.allocUnsafe(1 + d.length);
  out[0] = 0x80 | ((nature & 7) << 4) | (npi & 0x0f);
  d.copy(out, 1);
  return out;
}

function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  // TBCD extra symbols (TS 29.002 §17.7.8): '*' = 1010, '#' = 1011, 'a' = 1100, 'b' = 1101, 'c' = 1110
  switch (c) {
    case 42: return 0x0a; // *
    case 35: return 0x0b; // #
    case 97: case 65: return 0x0c;
    case 98: case 66: return 0x0d;
    case 99: case 67: return 0x0e;
    default: throw new Error(`not a digit: ${String.fromCharCode(c)}`);
  }
}
