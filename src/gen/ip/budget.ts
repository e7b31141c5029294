// The number of truth dialogues a protocol's driver may still start: every request/answer exchange
// it plans takes from it, so that the truth file gets exactly the requested count. A part can be
// set aside (e.g. for a burst planned later in the capture).

export class Budget {
  private reserved = 0;

  constructor(private remaining: number) {}

  /** dialogues that can be planned now (not counting the reserve) */
  get free(): number {
    return this.remaining - this.reserved;
  }

  get left(): number {
    return this.remaining;
  }

  /** take n from the free part; false (nothing taken) when there is not enough */
  take(n: number): boolean {
    if (n > this.free) return false;
    this.remaining -= n;
    return true;
  }

  reserve(n: number): number {
    const r = Math.max(0, Math.min(n, this.free));
    this.reserved += r;
    return r;
  }

  /** give a reserve back to the free part */
  release(n: number): void {
    this.reserved -= Math.min(n, this.reserved);
  }
}
