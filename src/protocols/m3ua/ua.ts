/**
 * What M3UA (RFC 4666) and M2UA (RFC 3331) share: the SIGTRAN user-adaptation common
 * message header (RFC 4666 §3.1 = RFC 3331 §3.1.1) and the tag-length-value parameter format
 * (RFC 4666 §3.2 = RFC 3331 §3.1.5). Both decoders use these checks; their anomaly enums
 * start with the UaStatus codes (same values, same names).
 */

/** Release 1.0 (RFC 4666 §3.1.1, RFC 3331 §3.1.1). */
export const UA_VERSION = 1;
/** version(1) reserved(1) class(1) type(1) length(4). */
export const UA_HEADER_LEN = 8;
/** tag(2) length(2); the length includes these 4 octets, not the padding (RFC 4666 §3.2). */
export const UA_PARAM_HEADER_LEN = 4;
/** Cap on the parameters walked in one message (a DATA message has 2..6). */
export const UA_MAX_PARAMS = 32;

/** Shared header / TLV outcomes; M3uaAnomaly and M2uaAnomaly reuse these values as codes 0..5. */
export const enum UaStatus {
  Ok = 0,
  /** fewer than 8 octets, or the message length exceeds the octets available */
  Truncated = 1,
  /** version is not 1 */
  BadVersion = 2,
  /** message length < 8 */
  BadLength = 3,
  /** a parameter length < 4 or running past the message end */
  BadParamLength = 4,
  /** more than UA_MAX_PARAMS parameters */
  TooManyParams = 5,
}

export const UA_STATUS_NAMES: readonly string[] = [
  'ok', 'truncated', 'bad_version', 'bad_length', 'bad_param_length', 'too_many_params',
];

/**
 * Checks the common header at `start` (RFC 4666 §3.1). On Ok the message is
 * [start, start + buf.readUInt32BE(start + 4)), within `end`. `end` must be ≤ buf.length.
 */
export function uaCheckHeader(buf: Buffer, start: number, end: number): UaStatus {
  if (start < 0 || end - start < UA_HEADER_LEN) return UaStatus.Truncated;
  if (buf[start] !== UA_VERSION) return UaStatus.BadVersion;
  const len = buf.readUInt32BE(start + 4);
  if (len < UA_HEADER_LEN) return UaStatus.BadLength;
  if (len > end - start) return UaStatus.Truncated;
  return UaStatus.Ok;
}

/**
 * Length field of the parameter at `pos` (RFC 4666 §3.2): a value in
 * [UA_PARAM_HEADER_LEN, msgEnd - pos], or -1 when the parameter is malformed.
 */
export function uaParamLength(buf: Buffer, pos: number, msgEnd: number): number {
  if (msgEnd - pos < UA_PARAM_HEADER_LEN) return -1;
  const len = buf.readUInt16BE(pos + 2);
  return len < UA_PARAM_HEADER_LEN || len > msgEnd - pos ? -1 : len;
}

/**
 * Offset of the parameter after the one at `pos` of length `len`: padded to 4 octets
 * (RFC 4666 §3.2). May exceed the message end when the last padding is missing; walkers
 * stop at pos >= msgEnd.
 */
export function uaNextParam(pos: number, len: number): number {
  return pos + ((len + 3) & ~3);
}
