// BER encoding helpers (ITU-T X.690 §8), used by the TCAP / MAP / CAP encoders.
// Definite lengths (short and long form) by default; indefinite form on request.

export const CLASS_UNIVERSAL = 0x00;
export const CLASS_APPLICATION = 0x40;
export const CLASS_CONTEXT = 0x80;
export const CLASS_PRIVATE = 0xc0;
export const CONSTRUCTED = 0x20;

// Universal tags (X.680 §8.6)
export const TAG_BOOLEAN = 0x01;
export const TAG_INTEGER = 0x02;
export const TAG_BIT_STRING = 0x03;
export const TAG_OCTET_STRING = 0x04;
export const TAG_NULL = 0x05;
export const TAG_OID = 0x06;
export const TAG_EXTERNAL = 0x28; // [UNIVERSAL 8] constructed
export const TAG_ENUMERATED = 0x0a;
export const TAG_SEQUENCE = 0x30;

/** Identifier octets (X.690 §8.1.2); numbers >= 31 use the high-tag-number form. */
export function tagBytes(cls: number, constructed: boolean, num: number): Buffer {
  const first = cls | (constructed ? CONSTRUCTED : 0);
  if (num < 31) return Buffer.from([first | num]);
  const groups: number[] = [];
  let n = num;
  groups.unshift(n & 0x7f);
  n = Math.floor(n / 128);
  while (n > 0) {
    groups.unshift((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  return Buffer.from([first | 0x1f, ...groups]);
}

/** Context-specific tag [num] (primitive unless constructed). */
export function ctx(num: number, constructed = false): number | Buffer {
  return num < 31 ? CLASS_CONTEXT | (constructed ? CONSTRUCTED : 0) | num : tagBytes(CLASS_CONTEXT, constructed, num);
}

/** Length octets (X.690 §8.1.3): short form below 128, else long form with the minimum octets. */
export function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  if (n < 0x10000) return Buffer.from([0x82, n >> 8, n & 0xff]);
  if (n < 0x1000000) return Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.from([0x84, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

function tagPrefix(tag: number | Buffer): Buffer {
  return typeof tag === 'number' ? Buffer.from([tag]) : tag;
}

function lengthSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x1000000 ? 4 : 5;
}

function writeLength(out: Buffer, o: number, n: number): number {
  if (n < 0x80) {
    out[o] = n;
    return o + 1;
  }
  const k = lengthSize(n) - 1;
  out[o++] = 0x80 | k;
  for (let i = k - 1; i >= 0; i--) out[o++] = Math.floor(n / 2 ** (8 * i)) & 0xff;
  return o;
}

/** tag + definite length + concatenated contents (one allocation) */
export function tlv(tag: number | Buffer, ...parts: Buffer[]): Buffer {
  let n = 0;
  for (let i = 0; i < parts.length; i++) n += parts[i].length;
  const tl = typeof tag === 'number' ? 1 : tag.length;
  const out = Buffer.allocUnsafe(tl + lengthSize(n) + n);
  let o: number;
  if (typeof tag === 'number') {
    out[0] = tag;
    o = 1;
  } else {
    o = tag.copy(out, 0);
  }
  o = writeLength(out, o, n);
  for (let i = 0; i < parts.length; i++) o += parts[i].copy(out, o);
  return out;
}

/** tag + indefinite length (0x80) + contents + end-of-contents 00 00 (X.690 §8.1.3.6); constructed only */
export function tlvIndefinite(tag: number | Buffer, ...parts: Buffer[]): Buffer {
  return Buffer.concat([tagPrefix(tag), Buffer.from([0x80]), ...parts, Buffer.from([0, 0])]);
}

/** minimal two's complement contents of an integer (X.690 §8.3) */
export function integerContents(v: number): Buffer {
  const bytes: number[] = [];
  let n = v;
  for (;;) {
    const b = ((n % 256) + 256) % 256;
    bytes.unshift(b);
    n = Math.floor(n / 256);
    if ((n === 0 && (b & 0x80) === 0) || (n === -1 && (b & 0x80) !== 0)) break;
  }
  return Buffer.from(bytes);
}

export function integer(v: number, tag: number | Buffer = TAG_INTEGER): Buffer {
  if (typeof tag === 'number' && v >= 0 && v < 0x80) {
    const b = Buffer.allocUnsafe(3);
    b[0] = tag;
    b[1] = 1;
    b[2] = v;
    return b;
  }
  return tlv(tag, integerContents(v));
}

export function enumerated(v: number, tag: number | Buffer = TAG_ENUMERATED): Buffer {
  return tlv(tag, integerContents(v));
}

export function boolean(v: boolean, tag: number | Buffer = TAG_BOOLEAN): Buffer {
  return tlv(tag, Buffer.from([v ? 0xff : 0x00]));
}

export function nullValue(tag: number | Buffer = TAG_NULL): Buffer {
  return tlv(tag);
}

export function octetString(value: Buffer, tag: number | Buffer = TAG_OCTET_STRING): Buffer {
  return tlv(tag, value);
}

export function sequence(...parts: Buffer[]): Buffer {
  return tlv(TAG_SEQUENCE, ...parts);
}

/** contents octets of an OBJECT IDENTIFIER given as "0.4.0.0.1.0.14.3" (X.690 §8.19) */
const oidCache = new Map<string, Buffer>();

/** contents octets of an OBJECT IDENTIFIER (cached: the generator uses a handful of OIDs) */
export function oidContents(dotted: string): Buffer {
  let b = oidCache.get(dotted);
  if (!b) {
    b = encodeOid(dotted);
    oidCache.set(dotted, b);
  }
  return b;
}

function encodeOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((s) => Number(s));
  if (arcs.length < 2) throw new Error(`bad OID ${dotted}`);
  const out: number[] = [];
  const sub = [arcs[0] * 40 + arcs[1], ...arcs.slice(2)];
  for (const a of sub) {
    const g: number[] = [a & 0x7f];
    let n = Math.floor(a / 128);
    while (n > 0) {
      g.unshift((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(...g);
  }
  return Buffer.from(out);
}

export function oid(dotted: string, tag: number | Buffer = TAG_OID): Buffer {
  return tlv(tag, oidContents(dotted));
}
