/**
 * Index of GTP tunnel endpoints by (node address, TEID): a TEID is only unique within the node
 * that allocated it (TS 29.060 §6, TS 29.274 §5.5.2), so the address is always part of the key.
 * Numeric hash → chain of nodes compared by value: no strings, no allocation per lookup (only
 * per add). Several owners may share one (address, TEID) — e.g. the PDN connections of one UE
 * behind a per-UE S11 TEID — so lookups walk every match (first() then next()).
 */
import { mix32 } from '../net/addrKey';
import { rd32 } from '../net/bytes';

export class TeidIndexNode<T> {
  next: TeidIndexNode<T> | null = null;
  /** The owner's label for this entry (e.g. which endpoint of a tunnel it is). */
  tag = 0;
  /** An IPv4 address as an int32, compared without touching the Buffer (0 for other sizes). */
  readonly a4: number;
  constructor(
    readonly owner: T,
    /** The address by value (4 or 16 octets; other sizes are taken as they are). */
    readonly addr: Buffer,
    readonly teid: number,
    readonly hash: number,
  ) {
    this.a4 = addr.length === 4 ? rd32(addr, 0) | 0 : 0;
  }
}

/**
 * 32-bit hash of (address octets at buf[off, off + len), teid), as a signed int32: a small
 * integer Map key (an unsigned one above 2^31 is a heap number, ~3x slower to look up — this is
 * the per-G-PDU lookup of the user plane).
 */
export function teidKeyHash(buf: Buffer, off: number, len: number, teid: number): number {
  let h = mix32(0x5bd1e995, len);
  let i = 0;
  for (; i + 4 <= len; i += 4) h = mix32(h, rd32(buf, off + i));
  for (; i < len; i++) h = mix32(h, buf[off + i]);
  return mix32(h, teid >>> 0) | 0;
}

function sameKey<T>(n: TeidIndexNode<T>, hash: number, buf: Buffer, off: number, len: number, teid: number): boolean {
  if (n.hash !== hash || n.teid !== teid) return false;
  if (len === 4) return n.a4 === (rd32(buf, off) | 0) && n.addr.length === 4;
  if (n.addr.length !== len) return false;
  for (let i = 0; i < len; i++) if (n.addr[i] !== buf[off + i]) return false;
  return true;
}

export class TeidIndex<T> {
  private readonly map = new Map<number, TeidIndexNode<T>>();
  size = 0;

  /** Adds owner under (addr, teid); addr is kept by reference (the caller's own copy). */
  add(owner: T, addr: Buffer, teid: number): TeidIndexNode<T> {
    const h = teidKeyHash(addr, 0, addr.length, teid);
    const n = new TeidIndexNode(owner, addr, teid, h);
    n.next = this.map.get(h) ?? null;
    this.map.set(h, n);
    this.size++;
    return n;
  }

  remove(n: TeidIndexNode<T>): void {
    let p = this.map.get(n.hash);
    if (p === undefined) return;
    if (p === n) {
      if (n.next === null) this.map.delete(n.hash);
      else this.map.set(n.hash, n.next);
      n.next = null;
      this.size--;
      return;
    }
    while (p.next !== null && p.next !== n) p = p.next;
    if (p.next !== n) return;
    p.next = n.next;
    n.next = null;
    this.size--;
  }

  /** First node keyed (buf[off, off + len), teid), or null. */
  first(buf: Buffer, off: number, len: number, teid: number): TeidIndexNode<T> | null {
    const h = teidKeyHash(buf, off, len, teid);
    let n = this.map.get(h) ?? null;
    while (n !== null && !sameKey(n, h, buf, off, len, teid)) n = n.next;
    return n;
  }

  /** The next node after `n` with the same key, or null. */
  next(n: TeidIndexNode<T>): TeidIndexNode<T> | null {
    let m = n.next;
    while (m !== null && !sameKey(m, n.hash, n.addr, 0, n.addr.length, n.teid)) m = m.next;
    return m;
  }

  clear(): void {
    this.map.clear();
    this.size = 0;
  }
}
