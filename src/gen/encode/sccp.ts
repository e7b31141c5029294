// SCCP connectionless messages (ITU-T Q.713): UDT (§4.10) and XUDT (§4.18) with called/calling
// party addresses (§3.4) and XUDT segmentation (§3.17, procedure Q.714 §4.1.1.2).
import { sccpBcd } from './digits';

export const SCCP_UDT = 0x09;
export const SCCP_XUDT = 0x11;
export const SCCP_PARAM_END_OF_OPTIONAL = 0x00;
export const SCCP_PARAM_SEGMENTATION = 0x10;
export const SCCP_CLASS_0 = 0x00;
export const SCCP_CLASS_1 = 0x01;
export const SCCP_RETURN_ON_ERROR = 0x80; // message handling, Q.713 §3.6

// Q.713 §3.4.2.3 numbering plan / nature of address values used here
export const NP_E164 = 1;
export const NP_E214 = 7;
export const NAI_INTERNATIONAL = 4;
// subsystem numbers (Q.713 §3.4.2.2 and TS 23.003 §8.1)
export const SSN_HLR = 6;
export const SSN_VLR = 7;
export const SSN_MSC = 8;
export const SSN_GSMSCF = 146;
export const SSN_SGSN = 149;

export interface SccpAddress {
  /** routing indicator: route on GT (0) or on SSN (1) */
  routeOnSsn: boolean;
  /** global title indicator 0..4 (0 = no GT) */
  gti: number;
  tt?: number;
  np?: number;
  nai?: number;
  digits?: string;
  ssn?: number;
  /** 14-bit ITU signalling point code */
  pc?: number;
}

// encoded addresses by address object (address objects are treated as immutable)
const addressCache = new WeakMap<SccpAddress, Buffer>();

/** Address contents (without the length octet): indicator, [PC], [SSN], [GT] (Q.713 §3.4.1) */
export function encodeSccpAddress(a: SccpAddress): Buffer {
  let b = addressCache.get(a);
  if (!b) {
    b = encodeAddressUncached(a);
    addressCache.set(a, b);
  }
  return b;
}

function encodeAddressUncached(a: SccpAddress): Buffer {
  const parts: number[] = [];
  // address indicator: bit 8 national use (0), bit 7 RI, bits 6-3 GTI, bit 2 SSN ind, bit 1 PC ind
  let ai = (a.routeOnSsn ? 0x40 : 0) | ((a.gti & 0x0f) << 2);
  if (a.ssn !== undefined) ai |= 0x02;
  if (a.pc !== undefined) ai |= 0x01;
  parts.push(ai);
  if (a.pc !== undefined) parts.push(a.pc & 0xff, (a.pc >> 8) & 0x3f); // §3.4.2.1, LSB first
  if (a.ssn !== undefined) parts.push(a.ssn);
  const digits = a.digits ?? '';
  const odd = digits.length & 1;
  switch (a.gti) {
    case 0:
      break;
    case 1: // §3.4.2.3.1: odd/even + nature of address indicator
      parts.push((odd << 7) | ((a.nai ?? NAI_INTERNATIONAL) & 0x7f));
      break;
    case 2: // §3.4.2.3.2: translation type
      parts.push(a.tt ?? 0);
      break;
    case 3: // §3.4.2.3.3: TT, NP + encoding scheme
      parts.push(a.tt ?? 0, (((a.np ?? NP_E164) & 0x0f) << 4) | (odd ? 1 : 2));
      break;
    case 4: // §3.4.2.3.4: TT, NP + encoding scheme (1 = BCD odd, 2 = BCD even), NAI
      parts.push(a.tt ?? 0, (((a.np ?? NP_E164) & 0x0f) << 4) | (odd ? 1 : 2), (a.nai ?? NAI_INTERNATIONAL) & 0x7f);
      break;
    default:
      throw new Error(`unsupported GTI ${a.gti}`);
  }
  const head = Buffer.from(parts);
  return a.gti === 0 ? head : Buffer.concat([head, sccpBcd(digits)]);
}

function variablePart(contents: Buffer): Buffer {
  if (contents.length > 255) throw new Error('SCCP variable parameter longer than 255 octets');
  const b = Buffer.allocUnsafe(1 + contents.length);
  b[0] = contents.length;
  contents.copy(b, 1);
  return b;
}

/** UDT (Q.713 §4.10): type, protocol class, 3 pointers, called, calling, data (<= 255 octets) */
export function encodeUdt(called: SccpAddress, calling: SccpAddress, data: Buffer, protocolClass = SCCP_CLASS_0 | SCCP_RETURN_ON_ERROR): Buffer {
  const cd = variablePart(encodeSccpAddress(called));
  const cg = variablePart(encodeSccpAddress(calling));
  const d = variablePart(data);
  const hdr = Buffer.from([
    SCCP_UDT,
    protocolClass,
    3, // pointer to called: counts from this octet
    2 + cd.length, // pointer to calling
    1 + cd.length + cg.length, // pointer to data
  ]);
  return Buffer.concat([hdr, cd, cg, d]);
}

export interface Segmentation {
  /** F bit: first segment */
  first: boolean;
  /** C bit: protocol class 1 requested for the reassembled message */
  class1: boolean;
  /** remaining segments 0..15 */
  remaining: number;
  /** 24-bit local reference */
  localRef: number;
}

export interface XudtOptions {
  protocolClass?: number;
  hopCounter?: number;
  segmentation?: Segmentation;
}

/** XUDT (Q.713 §4.18): type, class, hop counter, 4 pointers, called, calling, data, [optional part] */
export function encodeXudt(called: SccpAddress, calling: SccpAddress, data: Buffer, opts: XudtOptions = {}): Buffer {
  const cd = variablePart(encodeSccpAddress(called));
  const cg = variablePart(encodeSccpAddress(calling));
  const d = variablePart(data);
  let opt: Buffer | null = null;
  if (opts.segmentation) {
    const s = opts.segmentation;
    // §3.17: octet 1 = F(8) C(7) spare(6-5) remaining segments(4-1); octets 2-4 local reference
    opt = Buffer.from([
      SCCP_PARAM_SEGMENTATION,
      4,
      (s.first ? 0x80 : 0) | (s.class1 ? 0x40 : 0) | (s.remaining & 0x0f),
      (s.localRef >> 16) & 0xff,
      (s.localRef >> 8) & 0xff,
      s.localRef & 0xff,
      SCCP_PARAM_END_OF_OPTIONAL,
    ]);
  }
  const optPointer = opt ? 1 + cd.length + cg.length + d.length : 0;
  if (optPointer > 255) throw new Error('XUDT optional part beyond the reach of its one-octet pointer');
  const hdr = Buffer.from([
    SCCP_XUDT,
    opts.protocolClass ?? SCCP_CLASS_1 | SCCP_RETURN_ON_ERROR,
    opts.hopCounter ?? 15,
    4, // pointer to called
    3 + cd.length, // pointer to calling
    2 + cd.length + cg.length, // pointer to data
    optPointer, // pointer to optional part (0 = none)
  ]);
  return opt ? Buffer.concat([hdr, cd, cg, d, opt]) : Buffer.concat([hdr, cd, cg, d]);
}

/** largest segment that keeps the optional-part pointer within one octet (Q.713 §2.3) */
export function maxXudtSegment(called: SccpAddress, calling: SccpAddress): number {
  // pointer = 1 + (1 + called) + (1 + calling) + (1 + data) <= 255
  return 255 - 4 - encodeSccpAddress(called).length - encodeSccpAddress(calling).length;
}

/**
 * Segment `data` into XUDT messages carrying at most `maxSegment` octets each (Q.714 §4.1.1.2.2:
 * class 1, F bit on the first, remaining-segments counting down to 0, same local reference).
 * The segment size is capped so that the optional part stays addressable.
 */
export function encodeXudtSegments(
  called: SccpAddress,
  calling: SccpAddress,
  data: Buffer,
  maxSegment: number,
  localRef: number,
  hopCounter = 15,
): Buffer[] {
  maxSegment = Math.min(maxSegment, maxXudtSegment(called, calling));
  const n = Math.ceil(data.length / maxSegment);
  if (n < 1 || n > 16) throw new Error(`cannot segment ${data.length} octets into ${n} XUDT segments`);
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const piece = data.subarray(i * maxSegment, Math.min(data.length, (i + 1) * maxSegment));
    out.push(
      encodeXudt(called, calling, piece, {
        protocolClass: SCCP_CLASS_1 | SCCP_RETURN_ON_ERROR,
        hopCounter,
        segmentation: { first: i === 0, class1: true, remaining: n - 1 - i, localRef },
      }),
    );
  }
  return out;
}
