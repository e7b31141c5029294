/**
 * Minimal BER reader (ITU-T X.690 §8.1) shared by the TCAP and MAP decoders.
 *
 * Reads one TLV at a time into a caller-owned, reused `BerTlv`; allocates nothing. Every read is
 * checked against `end`; indefinite lengths (X.690 §8.1.3.6) are resolved by scanning for the
 * end-of-contents octets with a nesting cap.
 *
 * Status codes 1–5 are deliberately identical to codes 1–5 of `TcapAnomaly` and `MapAnomaly`
 * so decoders can return a `BerStatus` as their own anomaly code.
 */

export const enum BerStatus {
  Ok = 0,
  /** an identifier, length or value runs past `end` (or a missing end-of-contents) */
  Truncated = 1,
  /** invalid length octets: > 4 long-form octets, 0xFF, or indefinite length on a primitive */
  BadLength = 2,
  /** invalid identifier: tag 0 outside an end-of-contents, or a high tag number that is too
   *  long / should have used the low-tag-number form */
  BadTag = 3,
  /** indefinite-length elements nested deeper than BER_MAX_NESTING */
  NestingTooDeep = 4,
  /** more than BER_MAX_ELEMENTS elements inside one indefinite-length element */
  TooManyElements = 5,
}

/** Deepest nesting of indefinite-length encodings resolved while scanning for end-of-contents. */
export const BER_MAX_NESTING = 16;
/** Most elements scanned inside one indefinite-length element before giving up. */
export const BER_MAX_ELEMENTS = 1024;
/** Longest long-form length accepted (X.690 §8.1.3.5): 4 octets. */
export const BER_MAX_LENGTH_OCTETS = 4;
/** Most subsequent octets of a high tag number (X.690 §8.1.2.4): 3 → tag numbers < 2^21. */
export const BER_MAX_TAG_OCTETS = 3;

/** Flag marking a high-tag-number `tag` key (keeps it disjoint from single-octet tags). */
const HIGH_TAG_FLAG = 0x40000000;

/**
 * One decoded TLV.
 * `tag` is a comparable key: the identifier octet itself for tag numbers 0–30 (e.g. 0xA1 for a
 * constructed [1]), or `berHighTag(cls|constructed bits, number)` for tag numbers ≥ 31.
 */
export interface BerTlv {
  /** comparable tag key (see above) */
  tag: number;
  /** class bits 8–7 of the identifier: 0 universal, 1 application, 2 context, 3 private */
  cls: number;
  constructed: boolean;
  /** the tag number */
  number: number;
  /** first value octet */
  valueStart: number;
  /** one past the last value octet (the end-of-contents position for indefinite lengths) */
  valueEnd: number;
  /** first octet after the whole element (after the end-of-contents for indefinite lengths) */
  next: number;
  /** the element used the indefinite length form */
  indefinite: boolean;
  /** (berReadClamped only) the value ran past `end` and was cut at `end` */
  clamped: boolean;
}

export function createBerTlv(): BerTlv {
  return {
    tag: 0, cls: 0, constructed: false, number: 0, valueStart: 0, valueEnd: 0, next: 0, indefinite: false, clamped: false,
  };
}

/**
 * Tag key of a high-tag-number element (number ≥ 31), as stored in `BerTlv.tag`.
 * `idBits` = class and constructed bits of the identifier octet (e.g. 0x80 for a primitive
 * context-specific tag, 0xA0 for a constructed one).
 */
export function berHighTag(idBits: number, number: number): number {
  return (HIGH_TAG_FLAG | ((idBits & 0xe0) << 21) | number) >>> 0;
}

// Header scratch (module state, overwritten on every header read; read immediately after).
let hTag = 0;
let hNumber = 0;
let hConstructed = false;
let hLen = 0; // -1 = indefinite
let hValueStart = 0;

/** Reads identifier and length octets at `pos` into the h* scratch variables. */
function readHeader(buf: Buffer, pos: number, end: number): number {
  if (pos >= end) return BerStatus.Truncated;
  const id = buf[pos++];
  hConstructed = (id & 0x20) !== 0;
  let num = id & 0x1f;
  if (num === 0x1f) {
    // X.690 §8.1.2.4: high tag number, base 128, bit 8 = "more octets follow"
    num = 0;
    let n = 0;
    for (;;) {
      if (pos >= end) return BerStatus.Truncated;
      const b = buf[pos++];
      if (++n > BER_MAX_TAG_OCTETS) return BerStatus.BadTag;
      if (n === 1 && b === 0x80) return BerStatus.BadTag; // §8.1.2.4.2 c): leading 0x80 not allowed
      num = num * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (num < 31) return BerStatus.BadTag; // §8.1.2.2: numbers 0–30 use the low form
    hTag = berHighTag(id, num);
  } else {
    hTag = id;
  }
  hNumber = num;
  if (pos >= end) return BerStatus.Truncated;
  const l0 = buf[pos++];
  if (l0 < 0x80) {
    hLen = l0; // §8.1.3.4 short form
  } else if (l0 === 0x80) {
    if (!hConstructed) return BerStatus.BadLength; // §8.1.3.2 a): indefinite only for constructed
    hLen = -1;
  } else {
    const n = l0 & 0x7f; // §8.1.3.5 long form
    if (n > BER_MAX_LENGTH_OCTETS) return BerStatus.BadLength; // includes 0xFF (§8.1.3.5 c)
    if (pos + n > end) return BerStatus.Truncated;
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++];
    hLen = len;
  }
  hValueStart = pos;
  return BerStatus.Ok;
}

// Result of scanToEoc: position of the end-of-contents octets that close the element.
let eocPos = 0;

/**
 * Scans the contents of an indefinite-length element starting at `pos` for its end-of-contents
 * octets (X.690 §8.1.5), recursing into nested indefinite-length elements up to BER_MAX_NESTING.
 * On success sets `eocPos`.
 */
function scanToEoc(buf: Buffer, pos: number, end: number, depth: number): number {
  if (depth > BER_MAX_NESTING) return BerStatus.NestingTooDeep;
  for (let n = 0; n <= BER_MAX_ELEMENTS; n++) { // up to BER_MAX_ELEMENTS elements, then end-of-contents
    if (pos + 2 > end) return BerStatus.Truncated; // no room left for an end-of-contents
    if (buf[pos] === 0) {
      if (buf[pos + 1] !== 0) return BerStatus.BadTag;
      eocPos = pos;
      return BerStatus.Ok;
    }
    if (n === BER_MAX_ELEMENTS) return BerStatus.TooManyElements;
    const st = readHeader(buf, pos, end);
    if (st !== BerStatus.Ok) return st;
    if (hLen < 0) {
      const st2 = scanToEoc(buf, hValueStart, end, depth + 1);
      if (st2 !== BerStatus.Ok) return st2;
      pos = eocPos + 2;
    } else {
      if (hLen > end - hValueStart) return BerStatus.Truncated;
      pos = hValueStart + hLen;
    }
  }
  return BerStatus.TooManyElements;
}

/**
 * Reads the TLV starting at `pos` (which must be < `end`) into `out`.
 * Returns a BerStatus; on failure `out` is left in an unspecified state.
 */
export function berRead(buf: Buffer, pos: number, end: number, out: BerTlv): number {
  return readTlv(buf, pos, end, out, false);
}

/**
 * As berRead, but an element whose identifier and length octets are complete while its value
 * runs past `end` (a definite length that is too long, or no end-of-contents before `end`) is
 * returned with Ok, its value cut at `end` and `out.clamped` set — for salvaging the complete
 * leading parts of a truncated message. The caller reports the truncation.
 */
export function berReadClamped(buf: Buffer, pos: number, end: number, out: BerTlv): number {
  return readTlv(buf, pos, end, out, true);
}

function readTlv(buf: Buffer, pos: number, end: number, out: BerTlv, clamp: boolean): number {
  const st = readHeader(buf, pos, end);
  if (st !== BerStatus.Ok) return st;
  if (hTag === 0) return BerStatus.BadTag; // tag 0 is reserved for end-of-contents (§8.1.5)
  out.tag = hTag;
  out.number = hNumber;
  out.cls = buf[pos] >> 6;
  out.constructed = hConstructed;
  out.valueStart = hValueStart;
  out.clamped = false;
  if (hLen < 0) {
    out.indefinite = true;
    const st2 = scanToEoc(buf, hValueStart, end, 1);
    if (st2 === BerStatus.Ok) {
      out.valueEnd = eocPos;
      out.next = eocPos + 2;
      return BerStatus.Ok;
    }
    if (st2 !== BerStatus.Truncated || !clamp) return st2;
  } else {
    out.indefinite = false;
    if (hLen <= end - hValueStart) {
      out.valueEnd = hValueStart + hLen;
      out.next = out.valueEnd;
      return BerStatus.Ok;
    }
    if (!clamp) return BerStatus.Truncated;
  }
  out.clamped = true;
  out.valueEnd = end;
  out.next = end;
  return BerStatus.Ok;
}

/** Most content octets accepted for an INTEGER read with `berInteger`. */
export const BER_MAX_INTEGER_OCTETS = 4;

/**
 * Two's-complement INTEGER content (X.690 §8.3) in [start, end). The caller checks that the
 * length is 1..BER_MAX_INTEGER_OCTETS (`berIntegerOk`).
 */
export function berInteger(buf: Buffer, start: number, end: number): number {
  let v = buf[start] >= 0x80 ? buf[start] - 256 : buf[start];
  for (let i = start + 1; i < end; i++) v = v * 256 + buf[i];
  return v;
}

/** True when [start, end) is an INTEGER content `berInteger` can decode. */
export function berIntegerOk(start: number, end: number): boolean {
  const n = end - start;
  return n >= 1 && n <= BER_MAX_INTEGER_OCTETS;
}

/** Unsigned big-endian value of [start, end) (at most 6 octets: callers check the length). */
export function berUnsigned(buf: Buffer, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) v = v * 256 + buf[i];
  return v;
}

/** True when [start, end) holds exactly the octets of `bytes`. */
export function berBytesEqual(buf: Buffer, start: number, end: number, bytes: readonly number[]): boolean {
  if (end - start !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[start + i] !== bytes[i]) return false;
  return true;
}

/** Returned by `berElementInteger` when the element is missing, mis-tagged or malformed
 *  (outside the range of any 1–4 octet INTEGER). */
export const BER_INT_FAIL = -0x100000000;

/**
 * Reads the element at `pos` (< `end`) into `scratch`; when it has tag `tag` and a 1–4 octet
 * content, returns that content as a signed INTEGER, otherwise BER_INT_FAIL.
 */
export function berElementInteger(buf: Buffer, pos: number, end: number, tag: number, scratch: BerTlv): number {
  if (pos >= end || berRead(buf, pos, end, scratch) !== BerStatus.Ok) return BER_INT_FAIL;
  if (scratch.tag !== tag || !berIntegerOk(scratch.valueStart, scratch.valueEnd)) return BER_INT_FAIL;
  return berInteger(buf, scratch.valueStart, scratch.valueEnd);
}
