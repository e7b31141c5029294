/**
 * Test helper: a tiny BER (X.690) builder for hand-made TCAP / MAP vectors.
 * Parts may be Buffers, byte arrays or hex strings (whitespace ignored).
 */
export type Part = Buffer | readonly number[] | string;

function toBuf(p: Part): Buffer {
  if (typeof p === 'string') return Buffer.from(p.replace(/\s+/g, ''), 'hex');
  return Buffer.isBuffer(p) ? p : Buffer.from(p as number[]);
}

/** Concatenation of parts. */
export function cat(...parts: Part[]): Buffer {
  return Buffer.concat(parts.map(toBuf));
}

/** Definite length octets (X.690 §8.1.3): short form < 128, else minimal long form. */
export function lenOctets(n: number): Buffer {
  if (n < 0x80) return Buffer.of(n);
  const b: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) b.unshift(v & 0xff);
  return Buffer.from([0x80 | b.length, ...b]);
}

/** Identifier octets: a single octet (number ≤ 0xff) or an explicit array (multi-octet tags). */
function idOctets(tag: number | readonly number[]): Buffer {
  return typeof tag === 'number' ? Buffer.of(tag) : Buffer.from(tag as number[]);
}

/** TLV with a definite length. */
export function tlv(tag: number | readonly number[], ...parts: Part[]): Buffer {
  const v = cat(...parts);
  return Buffer.concat([idOctets(tag), lenOctets(v.length), v]);
}

/** TLV with the indefinite length form (0x80 … 00 00), for constructed tags. */
export function tlvIndef(tag: number | readonly number[], ...parts: Part[]): Buffer {
  return Buffer.concat([idOctets(tag), Buffer.of(0x80), cat(...parts), Buffer.of(0, 0)]);
}

/** Identifier octets of a high tag number (≥ 31): `idBits` = class|constructed bits (e.g. 0x80). */
export function highTag(idBits: number, number: number): number[] {
  const sub: number[] = [number & 0x7f];
  for (let v = Math.floor(number / 128); v > 0; v = Math.floor(v / 128)) sub.unshift(0x80 | (v & 0x7f));
  return [idBits | 0x1f, ...sub];
}

/** Minimal two's-complement INTEGER content. */
export function intContent(v: number): Buffer {
  const b: number[] = [];
  let x = v;
  for (;;) {
    b.unshift(x & 0xff);
    const rest = Math.floor(x / 256);
    if ((rest === 0 && (b[0] & 0x80) === 0) || (rest === -1 && (b[0] & 0x80) !== 0)) break;
    x = rest;
  }
  return Buffer.from(b);
}

/** INTEGER TLV (default universal tag 2). */
export function int(v: number, tag = 0x02): Buffer {
  return tlv(tag, intContent(v));
}

/** OBJECT IDENTIFIER content octets of a dotted OID (X.690 §8.19). */
export function oidContent(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const subs = [arcs[0] * 40 + arcs[1], ...arcs.slice(2)];
  const out: number[] = [];
  for (const s of subs) {
    const b: number[] = [s & 0x7f];
    for (let v = Math.floor(s / 128); v > 0; v = Math.floor(v / 128)) b.unshift(0x80 | (v & 0x7f));
    out.push(...b);
  }
  return Buffer.from(out);
}

/** OBJECT IDENTIFIER TLV. */
export function oid(dotted: string): Buffer {
  return tlv(0x06, oidContent(dotted));
}

/** TBCD-STRING (TS 29.002 §17.7.8): two digits per octet, low nibble first, 0xF filler. */
export function tbcd(digits: string): Buffer {
  const d = digits.length % 2 ? digits + 'f' : digits;
  const out: number[] = [];
  for (let i = 0; i < d.length; i += 2) out.push((parseInt(d[i + 1], 16) << 4) | parseInt(d[i], 16));
  return Buffer.from(out);
}

/** ISDN-AddressString: nature/plan octet (default 0x91 = international, E.164) + TBCD digits. */
export function isdn(digits: string, naturePlan = 0x91): Buffer {
  return Buffer.concat([Buffer.of(naturePlan), tbcd(digits)]);
}
