/**
 * Intrusive doubly-linked list ordered by last activity (least recent at the head).
 * Pending tables of every protocol use it so that expiry by deadline and eviction by count are
 * O(1) per entry: touch() moves an entry to the tail, the head is always the oldest.
 * Entries carry their own prev/next links (no wrapper objects per packet).
 */
export interface LruNode {
  lruPrev: LruNode | null;
  lruNext: LruNode | null;
  /** Packet time (µs) of the entry's last activity. */
  lastUs: number;
}

export class LruList<T extends LruNode> {
  head: T | null = null;
  tail: T | null = null;
  size = 0;

  push(n: T): void {
    n.lruPrev = this.tail;
    n.lruNext = null;
    if (this.tail) this.tail.lruNext = n;
    else this.head = n;
    this.tail = n;
    this.size++;
  }

  remove(n: T): void {
    const p = n.lruPrev as T | null;
    const x = n.lruNext as T | null;
    if (p) p.lruNext = x;
    else if (this.head === n) this.head = x;
    else return; // not linked
    if (x) x.lruPrev = p;
    else this.tail = p;
    n.lruPrev = n.lruNext = null;
    this.size--;
  }

  touch(n: T, nowUs: number): void {
    n.lastUs = nowUs;
    if (this.tail === n) return;
    this.remove(n);
    this.push(n);
  }
}
