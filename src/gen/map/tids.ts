// TCAP transaction id allocation. Each node allocates its own ids (1..4 octets, counting up and
// wrapping, so ids are reused over time). A registry keyed by (point code seen on the wire,
// numeric id) keeps ids of dialogues in flight unique per signalling point, as a real network
// does for the dialogues a probe can tell apart; ids of unanswered dialogues stay reserved for a
// while (a late answer or a retry could still come).
import { NetNode, TID_RESERVED_BASE } from './topology';

const MAX_TRIES = 100000;
const SWEEP_EVERY = 4096;

export class TidRegistry {
  /** key = pc * 2^32 + tid -> reserved until (µs); Infinity while the dialogue is open */
  private readonly busy = new Map<number, number>();
  private ops = 0;
  /** allocations that had to skip an id still in use */
  collisionsAvoided = 0;

  isFree(pc: number, tid: number, nowUs: number): boolean {
    const until = this.busy.get(key(pc, tid));
    return until === undefined || until <= nowUs;
  }

  reserve(pc: number, tid: number): void {
    this.busy.set(key(pc, tid), Infinity);
  }

  /** release now, or keep reserved until `untilUs` */
  release(pc: number, tid: number, untilUs = 0): void {
    if (untilUs > 0) this.busy.set(key(pc, tid), untilUs);
    else this.busy.delete(key(pc, tid));
  }

  /** next free id of `node` as seen from point code `pc` at time nowUs */
  allocate(node: NetNode, pc: number, nowUs: number): number {
    if (++this.ops % SWEEP_EVERY === 0) this.sweep(nowUs);
    const space = node.tidLen === 4 ? TID_RESERVED_BASE : 2 ** (8 * node.tidLen);
    for (let i = 0; i < MAX_TRIES; i++) {
      const tid = node.tidNext;
      node.tidNext = (tid + 1) % space;
      if (this.isFree(pc, tid, nowUs)) {
        this.reserve(pc, tid);
        return tid;
      }
      this.collisionsAvoided++;
    }
    throw new Error(`no free transaction id for node ${node.gt}`);
  }

  get size(): number {
    return this.busy.size;
  }

  private sweep(nowUs: number): void {
    for (const [k, until] of this.busy) if (until !== Infinity && until <= nowUs) this.busy.delete(k);
  }
}

function key(pc: number, tid: number): number {
  return pc * 4294967296 + tid;
}
