/**
 * Reassembly of segmented connectionless messages (XUDT / LUDT with a segmentation parameter;
 * Q.714 §4.1.1.2 segmentation, §4.1.1.3 reassembly).
 *
 * The segments of one message share the calling party address and the segmentation local
 * reference (Q.714 §4.1.1.2.1). The first carries F = 1 and remaining = N - 1; each following
 * segment has remaining one less, the last has 0. Segments are accepted in order only (as
 * Q.714 §4.1.1.3 expects for an in-sequence delivery): a segment that is not the expected next
 * one is counted (outOfOrder) and ignored; the incomplete message then stays until the next
 * first segment for the same key (superseded) or its timeout (expired).
 *
 * Limits (constructor): maxMessages messages in reassembly (the oldest is evicted beyond it),
 * maxBytes octets per reassembled message (tooBig beyond it), timeoutUs from the first segment
 * (packet time, Q.714 T(reassembly)). Memory is thus bounded by maxMessages × maxBytes.
 */
import type { SccpView } from './types';

export interface XudtReassemblyCounters {
  /** messages reassembled and returned */
  completed: number;
  /** incomplete messages dropped at their timeout */
  expired: number;
  /** incomplete messages dropped to stay within maxMessages */
  evicted: number;
  /** segments ignored: not the expected next one, or no first segment seen */
  outOfOrder: number;
  /** messages dropped for exceeding maxBytes */
  tooBig: number;
  /** incomplete messages dropped because a new first segment came for the same key */
  superseded: number;
}

interface Pending {
  firstTsUs: number;
  /** remaining-segments value the next segment must carry */
  expect: number;
  /** copies of the segments' data, in order */
  parts: Buffer[];
  bytes: number;
}

export class XudtReassembler {
  readonly counters: XudtReassemblyCounters = {
    completed: 0, expired: 0, evicted: 0, outOfOrder: 0, tooBig: 0, superseded: 0,
  };
  /** key → message in reassembly; Map order = order of first segments (oldest first) */
  private readonly pending = new Map<string, Pending>();

  constructor(readonly maxMessages: number, readonly maxBytes: number, readonly timeoutUs: number) {}

  /** Messages currently in reassembly. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Adds one segment. `key` identifies the sender (e.g. sccpAddressKey() of the calling party,
   * plus anything else that should separate flows); the segmentation local reference is added
   * here. `view` is a decoded message with `segmented` true; its data [dataStart, dataEnd) of
   * `buf` is copied. Returns the complete user data when this segment completes a message: a
   * fresh Buffer owned by the caller (never reused by the reassembler); null otherwise.
   * A message of one segment (F = 1, remaining 0) is returned at once, as a copy.
   */
  add(key: string, view: SccpView, buf: Buffer, tsUs: number): Buffer | null {
    if (!view.segmented || view.dataEnd < view.dataStart || view.dataEnd > buf.length) return null;
    const k = key + '#' + view.segLocalRef;
    const len = view.dataEnd - view.dataStart;
    let p = this.pending.get(k);
    if (p !== undefined && tsUs - p.firstTsUs > this.timeoutUs) {
      this.pending.delete(k);
      this.counters.expired++;
      p = undefined;
    }
    if (view.segFirst) {
      if (p !== undefined) {
        this.pending.delete(k);
        this.counters.superseded++;
      }
      if (len > this.maxBytes) {
        this.counters.tooBig++;
        return null;
      }
      const data = Buffer.from(buf.subarray(view.dataStart, view.dataEnd));
      if (view.segRemaining === 0) {
        this.counters.completed++;
        return data;
      }
      if (this.pending.size >= this.maxMessages) this.evictOldest();
      if (this.maxMessages > 0) {
        this.pending.set(k, { firstTsUs: tsUs, expect: view.segRemaining - 1, parts: [data], bytes: len });
      } else {
        this.counters.evicted++;
      }
      return null;
    }
    if (p === undefined || view.segRemaining !== p.expect) {
      this.counters.outOfOrder++;
      return null;
    }
    if (p.bytes + len > this.maxBytes) {
      this.pending.delete(k);
      this.counters.tooBig++;
      return null;
    }
    p.parts.push(Buffer.from(buf.subarray(view.dataStart, view.dataEnd)));
    p.bytes += len;
    if (p.expect === 0) {
      this.pending.delete(k);
      this.counters.completed++;
      return Buffer.concat(p.parts, p.bytes);
    }
    p.expect--;
    return null;
  }

  /**
   * Drops messages whose first segment is older than timeoutUs at packet time `nowUs`.
   * Walks oldest first and stops at the first message still within its timeout (packet times
   * that go backwards may delay, never prevent, an expiry).
   */
  expire(nowUs: number): void {
    for (const [k, p] of this.pending) {
      if (nowUs - p.firstTsUs <= this.timeoutUs) break;
      this.pending.delete(k);
      this.counters.expired++;
    }
  }

  private evictOldest(): void {
    for (const k of this.pending.keys()) {
      this.pending.delete(k);
      this.counters.evicted++;
      return;
    }
  }
}
