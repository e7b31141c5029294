/**
 * Test helper: Diameter messages built byte by byte from RFC 6733 §3 / §4.1 (independent of
 * src/protocols/diameter): header, AVPs with or without Vendor-ID, padding, Grouped AVPs, and
 * the S6a messages the tests use (TS 29.272 §7.2).
 */

export const VENDOR_3GPP = 10415;
export const APP_S6A = 16777251;

export interface AvpOptions {
  /** Vendor-ID (sets the V flag). */
  vendor?: number;
  /** M flag (default set). */
  mandatory?: boolean;
}

/** AVP Code(4) Flags(1) Length(3) [Vendor-ID(4)] Data, padded with zeros to 32 bits. */
export function avp(code: number, data: Buffer | string, o: AvpOptions = {}): Buffer {
  const d = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const v = o.vendor !== undefined;
  const hl = v ? 12 : 8;
  const len = hl + d.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt32BE(code, 0);
  b[4] = (v ? 0x80 : 0) | (o.mandatory === false ? 0 : 0x40);
  b.writeUIntBE(len, 5, 3);
  if (v) b.writeUInt32BE(o.vendor as number, 8);
  d.copy(b, hl);
  return b;
}

export function u32Avp(code: number, value: number, o: AvpOptions = {}): Buffer {
  const d = Buffer.alloc(4);
  d.writeUInt32BE(value >>> 0);
  return avp(code, d, o);
}

export function groupedAvp(code: number, children: Buffer[], o: AvpOptions = {}): Buffer {
  return avp(code, Buffer.concat(children), o);
}

/** PLMN identity, TS 24.008 §10.5.1.13: MCC2|MCC1, MNC3|MCC3 (F for 2 digits), MNC2|MNC1. */
export function plmnId(mcc: string, mnc: string): Buffer {
  const d = (s: string, i: number): number => (i < s.length ? Number(s[i]) : 0xf);
  return Buffer.from([(d(mcc, 1) << 4) | d(mcc, 0), (d(mnc, 2) << 4) | d(mcc, 2), (d(mnc, 1) << 4) | d(mnc, 0)]);
}

export interface Header {
  /** R P E T bits: 0x80 request, 0x40 proxiable, 0x20 error, 0x10 retransmitted. */
  flags: number;
  cmd: number;
  app: number;
  hbh: number;
  e2e: number;
}

/** Version 1, Message Length, flags, Command Code, Application-ID, Hop-by-Hop, End-to-End, AVPs. */
export function diameterMessage(h: Header, avps: Buffer[]): Buffer {
  const body = Buffer.concat(avps);
  const b = Buffer.alloc(20 + body.length);
  b[0] = 1;
  b.writeUIntBE(b.length, 1, 3);
  b[4] = h.flags;
  b.writeUIntBE(h.cmd, 5, 3);
  b.writeUInt32BE(h.app >>> 0, 8);
  b.writeUInt32BE(h.hbh >>> 0, 12);
  b.writeUInt32BE(h.e2e >>> 0, 16);
  body.copy(b, 20);
  return b;
}

export interface S6aOptions {
  hbh: number;
  e2e: number;
  imsi?: string;
  originHost?: string;
  flags?: number;
  session?: string;
}

/** ULR (TS 29.272 §7.2.3): Session-Id, Auth-Session-State, Origin/Destination, User-Name, RAT-Type, ULR-Flags, Visited-PLMN-Id. */
export function ulr(o: S6aOptions & { mcc?: string; mnc?: string; rat?: number }): Buffer {
  return diameterMessage({ flags: o.flags ?? 0xc0, cmd: 316, app: APP_S6A, hbh: o.hbh, e2e: o.e2e }, [
    avp(263, o.session ?? `mme.visited.net;1;${o.e2e}`),
    u32Avp(277, 1),
    avp(264, o.originHost ?? 'mme.visited.net'),
    avp(296, 'visited.net'),
    avp(293, 'hss.home.net'),
    avp(283, 'home.net'),
    avp(1, o.imsi ?? '001010000000001'),
    u32Avp(1032, o.rat ?? 1004, { vendor: VENDOR_3GPP }),
    u32Avp(1405, 0x22, { vendor: VENDOR_3GPP }),
    avp(1407, plmnId(o.mcc ?? '214', o.mnc ?? '07'), { vendor: VENDOR_3GPP }),
  ]);
}

/** AIR (TS 29.272 §7.2.5). */
export function air(o: S6aOptions & { mcc?: string; mnc?: string }): Buffer {
  return diameterMessage({ flags: o.flags ?? 0xc0, cmd: 318, app: APP_S6A, hbh: o.hbh, e2e: o.e2e }, [
    avp(263, o.session ?? `mme.visited.net;2;${o.e2e}`),
    u32Avp(277, 1),
    avp(264, o.originHost ?? 'mme.visited.net'),
    avp(296, 'visited.net'),
    avp(283, 'home.net'),
    avp(1, o.imsi ?? '001010000000001'),
    avp(1407, plmnId(o.mcc ?? '214', o.mnc ?? '07'), { vendor: VENDOR_3GPP }),
    groupedAvp(1408, [u32Avp(1410, 1, { vendor: VENDOR_3GPP })], { vendor: VENDOR_3GPP }),
  ]);
}

/** An S6a answer with Result-Code, or Experimental-Result (vendor 3GPP) when experimental. */
export function s6aAnswer(cmd: number, o: { hbh: number; e2e: number; code: number; experimental?: boolean; flags?: number; originHost?: string }): Buffer {
  const result = o.experimental
    ? groupedAvp(297, [u32Avp(266, VENDOR_3GPP), u32Avp(298, o.code)])
    : u32Avp(268, o.code);
  return diameterMessage({ flags: o.flags ?? 0x40, cmd, app: APP_S6A, hbh: o.hbh, e2e: o.e2e }, [
    avp(263, `mme.visited.net;1;${o.e2e}`),
    result,
    u32Avp(277, 1),
    avp(264, o.originHost ?? 'hss.home.net'),
    avp(296, 'home.net'),
  ]);
}

/** CER / DWR style base request without application AVPs (RFC 6733 §5.3.1, §5.5.1). */
export function baseRequest(cmd: number, hbh: number, e2e: number): Buffer {
  return diameterMessage({ flags: 0x80, cmd, app: 0, hbh, e2e }, [avp(264, 'peer.a.net'), avp(296, 'a.net')]);
}

export function baseAnswer(cmd: number, hbh: number, e2e: number, code = 2001): Buffer {
  return diameterMessage({ flags: 0x00, cmd, app: 0, hbh, e2e }, [u32Avp(268, code), avp(264, 'peer.b.net'), avp(296, 'b.net')]);
}
