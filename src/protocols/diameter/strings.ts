/**
 * Text from Diameter AVP offsets, built only when a transaction is created or recorded (never
 * while walking): UTF8String / DiameterIdentity values (RFC 6733 §4.3.1) and IMSI-shaped
 * User-Name / Subscription-Id-Data.
 */

/** The text of [start, end) of buf, or null when absent (start < 0). */
export function avpText(buf: Buffer, start: number, end: number): string | null {
  if (start < 0 || end < start || end > buf.length) return null;
  return buf.toString('utf8', start, end);
}

/**
 * The digits of an IMSI (E.212: 5-15 decimal digits, as the oracle's User-Name rule) at
 * [start, end), or null when the value is absent or anything else (an NAI such as
 * 001010000000001@ims.mnc001.mcc001.3gppnetwork.org is not an IMSI).
 */
export function imsiText(buf: Buffer, start: number, end: number): string | null {
  if (start < 0 || end > buf.length) return null;
  const n = end - start;
  if (n < 5 || n > 15) return null;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c < 0x30 || c > 0x39) return null;
  }
  return buf.toString('latin1', start, end);
}
