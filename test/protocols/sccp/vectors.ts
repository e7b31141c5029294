/**
 * SCCP test vectors shared by the SCCP test files: hand-built, each byte group annotated,
 * checked against tshark -V (wrapped in M3UA with text2pcap), plus a small message builder.
 */
import { hex } from '../../helpers/hex';

/** UDT, GTI 4 called (E.164, odd) + SSN 6 and calling (E.164, even) + SSN 7. */
export const UDT_GT = hex(
  '09', // message type UDT
  '81', // protocol class 1, message handling: return message on error
  '03 0e 19', // pointers: called at 2+3, calling at 3+14, data at 4+25
  '0b', // called party address, 11 octets
  '12', // AI: national 0, RI 0 (route on GT), GTI 4, SSN present, PC absent
  '06', // SSN 6 (HLR)
  '00', // TT 0
  '11', // NP 1 (E.164), ES 1 (BCD, odd)
  '04', // NAI 4 (international)
  '19 89 67 45 23 f1', // digits 91987654321 + filler
  '0b', // calling party address, 11 octets
  '12 07 00', // AI GTI 4 + SSN, SSN 7 (VLR), TT 0
  '12', // NP 1, ES 2 (BCD, even)
  '04', // NAI 4
  '19 89 67 45 23 01', // digits 919876543210
  '08', // data, 8 octets
  '62 06 48 04 01020304', // TCAP Begin, otid 01020304
);

/** UDT routed on SSN with point codes (same layout as map-synthetic.pcap frame 1). */
export const UDT_SSN = hex(
  '09 00', // UDT, class 0, no special options
  '03 07 0b', // pointers
  '04', '43', '64 00', '06', // called: 4 octets; AI RI=SSN, SSN + PC present; PC 100; SSN 6
  '04', '43', '14 00', '07', // calling: PC 20, SSN 7
  '06', '64 04 49 02 0a00', // data: TCAP End (6 octets)
);

/** XUDT with segmentation (first, 2 remaining, local reference 0x112233) and importance 3. */
export const XUDT_SEG = hex(
  '11', // XUDT
  '80', // class 0, return on error
  '0e', // hop counter 14
  '04 08 0c 14', // pointers: called, calling, data, optional part
  '04 43 6400 08', // called: RI SSN, PC 100, SSN 8
  '04 43 1400 07', // calling: RI SSN, PC 20, SSN 7
  '08 6206480401020304', // data (8)
  '10 04', '82', '33 22 11', // segmentation, 4 octets: F=1, class 0, remaining 2; local ref 0x112233
  '12 01 03', // importance 3
  '00', // end of optional parameters
);

/** LUDT: two-octet pointers (LSB first, counted from their second octet) and long data length. */
export const LUDT = hex(
  '13', // LUDT
  '01', // class 1
  '0f', // hop counter 15
  '0700', // pointer 1 = 7: at 4 + 7 = 11
  '0a00', // pointer 2 = 10: at 6 + 10 = 16
  '0d00', // pointer 3 = 13: at 8 + 13 = 21
  '1500', // optional pointer = 21: at 10 + 21 = 31
  '04 43 6400 08', // called: PC 100, SSN 8
  '04 43 1400 07', // calling: PC 20, SSN 7
  '0800', '6206480401020304', // long data, length 8 (2 octets, LSB first)
  '10 04 82 332211', // segmentation: F, remaining 2, ref 0x112233
  '12 01 03', // importance 3
  '00', // end of optional parameters
);

/** UDTS, return cause 1; called GTI 1 (NAI + odd digits), calling GTI 2 (TT) with PC. */
export const UDTS = hex(
  '0a', // UDTS
  '01', // return cause 1: no translation for this specific address
  '03 09 10', // pointers
  '06', '06', '08', '83', '21 43 05', // called: AI GTI 1 + SSN; SSN 8; odd, NAI 3; digits 12345
  '07', '0b', '2200', '92', '0a', '44 33', // calling: AI GTI 2 + SSN + PC; PC 34; SSN 146; TT 10; digits 4433
  '08 6206480401020304', // data: the returned message
);

/** XUDTS, return cause 5, hop counter 10, no optional part; called GTI 3 (TT, NP/ES). */
export const XUDTS = hex(
  '12', // XUDTS
  '05', // return cause 5: MTP failure
  '0a', // hop counter 10
  '04 0a 10 00', // pointers; optional pointer 0 = no optional part
  '06', '4e', '95', '00', '12', '56 56', // called: RI SSN, GTI 3 + SSN; SSN 149; TT 0; NP 1 ES 2; digits 6565
  '06 06 08 83 214305', // calling: GTI 1, SSN 8, odd NAI 3, digits 12345
  '08 6206480401020304', // data
);

/** UDT whose GTs hold the non-decimal signals a..f (GTI 4, ES even). */
export const UDT_HEX_DIGITS = hex(
  '09 00 03 0c 15',
  '09 12 06 00 12 04', 'ba dc fe 21', // called: signals a b c d e f 1 2
  '09 12 06 00 12 04', 'ba dc fe 21', // calling: same
  '08 6206480401020304',
);

/**
 * Builds a connectionless message with one-octet pointers: type, second octet (class or
 * cause), optional hop counter, then the mandatory variable parameters (each given as its
 * value; the length octet is added) and an optional part (given whole, or null for pointer 0).
 */
export function sccpMessage(type: number, second: number, hop: number | null, params: Buffer[],
  optional: Buffer | null | undefined): Buffer {
  const fixed = hop === null ? [type, second] : [type, second, hop];
  const nPtr = params.length + (optional === undefined ? 0 : 1);
  const body: Buffer[] = [];
  const ptrs: number[] = [];
  let at = fixed.length + nPtr; // offset of the next parameter
  params.forEach((p, i) => {
    ptrs.push(at - (fixed.length + i));
    body.push(Buffer.from([p.length]), p);
    at += 1 + p.length;
  });
  if (optional !== undefined) {
    ptrs.push(optional === null ? 0 : at - (fixed.length + params.length));
    if (optional !== null) body.push(optional);
  }
  return Buffer.concat([Buffer.from(fixed), Buffer.from(ptrs), ...body]);
}

/** Calling party address value with GTI 4 + SSN 7 and the given BCD GT octets (even). */
export function gtAddress(gtBcd: string, ssn = 7): Buffer {
  return Buffer.concat([Buffer.from([0x12, ssn, 0x00, 0x12, 0x04]), hex(gtBcd)]);
}

/** An XUDT segment: called PC 100/SSN 6, calling GT, segmentation F / remaining / local ref. */
export function xudtSegment(callingGtBcd: string, first: boolean, remaining: number, localRef: number, data: Buffer): Buffer {
  const seg = Buffer.from([0x10, 4, (first ? 0x80 : 0) | remaining, localRef & 0xff, (localRef >> 8) & 0xff,
    (localRef >> 16) & 0xff, 0x00]);
  return sccpMessage(0x11, 0x00, 15, [hex('43 6400 06'), gtAddress(callingGtBcd), data], seg);
}
