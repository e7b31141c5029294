/**
 * Which GTP a UDP payload carries, from its first octet (no allocation, never throws):
 *   GTPv0 (GSM 09.60 §6): version 0, PT 1, 20-octet header — counted, not decoded;
 *   GTPv1 (TS 29.060 §6, TS 29.281 §5.1): version 1, PT 1;
 *   GTPv2-C (TS 29.274 §5.1): version 2 (bit 5 is the piggybacking flag there, not PT);
 *   GTP' (TS 32.295 §6.1.1, charging): versions 0..2 with PT 0 — counted, not decoded.
 * On GTP' versions 2 and GTPv2-C share the version value: GTP' is recognised there by its
 * reserved bits '111' (octet 1 bits 4..2), only on a GTP' port (3386), since GTPv2-C spare bits
 * may be set by a sloppy sender.
 */
export const enum GtpKind {
  NotGtp = 0,
  V0 = 1,
  Prime = 2,
  V1 = 3,
  V2 = 4,
}

export const GTP_KIND_NAMES: readonly string[] = ['not_gtp', 'gtpv0', 'gtp_prime', 'gtpv1', 'gtpv2'];

/** The GTP flavour of the message starting at buf[start] (end > start required, else NotGtp). */
export function gtpKind(buf: Buffer, start: number, end: number, onPrimePort: boolean): GtpKind {
  if (end <= start) return GtpKind.NotGtp;
  const b0 = buf[start];
  const version = b0 >> 5;
  const pt = (b0 >> 4) & 1;
  if (version === 2) return onPrimePort && (b0 & 0x1e) === 0x0e ? GtpKind.Prime : GtpKind.V2;
  if (version === 1) return pt === 1 ? GtpKind.V1 : GtpKind.Prime;
  if (version === 0) return pt === 1 ? GtpKind.V0 : GtpKind.Prime;
  return GtpKind.NotGtp;
}
