/** Shared strings for byte values that repeat on every message (Diameter host / realm names). */
import { fnv1a } from './fnv';

interface CachedText {
  bytes: Buffer;
  text: string;
  next: CachedText | null;
}

/**
 * One string per distinct byte value (FNV-1a hash + byte comparison), so that a million pending
 * transactions from the same few peers hold a few host / realm strings, not a million copies.
 * Bounded: cleared when it holds maxEntries values (values up to maxBytes octets are cached;
 * longer ones are returned uncached).
 */
export class TextCache {
  private readonly map = new Map<number, CachedText>();
  private size = 0;

  constructor(private readonly maxEntries = 4096, private readonly maxBytes = 255) {}

  get(buf: Buffer, start: number, end: number): string | null {
    if (start < 0 || end < start || end > buf.length) return null;
    const n = end - start;
    if (n > this.maxBytes) return buf.toString('utf8', start, end);
    const h = fnv1a(buf, start, end);
    const head = this.map.get(h);
    for (let e = head ?? null; e !== null; e = e.next) {
      if (e.bytes.length === n && sameBytes(e.bytes, buf, start, n)) return e.text;
    }
    if (this.size >= this.maxEntries) {
      this.map.clear();
      this.size = 0;
    }
    const bytes = Buffer.allocUnsafe(n);
    buf.copy(bytes, 0, start, end);
    const text = buf.toString('utf8', start, end);
    this.map.set(h, { bytes, text, next: this.map.get(h) ?? null });
    this.size++;
    return text;
  }
}

/** a[0..n) equals b[start..start+n) (a plain loop: names are short, Buffer.compare's call costs more). */
function sameBytes(a: Buffer, b: Buffer, start: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[start + i]) return false;
  return true;
}
