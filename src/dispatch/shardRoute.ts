/**
 * Which shard a TCAP message belongs to. The TCAP correlator (src/correlate/tcapDialogues.ts)
 * indexes a dialogue under the initiator's TID key (Begin: calling address + otid) and, from the
 * responder's first Continue on, under the responder's TID key too (calling address + otid of
 * that Continue); a message carrying a dtid is looked up with its called address. Associations,
 * links and STPs play no part, so a response that comes back on another association or via the
 * mate STP finds its dialogue by the same keys.
 *
 * Routing: a dialogue lives on the shard hash(initiator key) % N. Messages that find it by the
 * initiator key (the Begin, the responder's messages) route by that hash; messages of the
 * initiator carry only the responder's TID (dtid), so the router learns the responder key when it
 * routes the responder's first Continue and sends the initiator's later messages to the same
 * shard. The table mirrors the correlator's key lifetimes exactly (End / Abort remove, a Begin on
 * a live key replaces, idle expiry at the ticks the pipeline runs): a key either has an entry or
 * routes by its own hash, the same answer for every message of a dialogue.
 */
import type { TcapInput } from '../correlate/tcapDialogues';
import { sccpAddressKey } from '../protocols/sccp/address';

const enum TcapType {
  Unidirectional = 0x61,
  Begin = 0x62,
  End = 0x64,
  Continue = 0x65,
  Abort = 0x67,
}

/** One dialogue whose keys do not (all) route by their own hash. */
class Entry {
  constructor(
    public w: number,
    public k1: string,
    public k2: string | null,
    public lastUs: number,
    /** ticks run before the last touch */
    public seq: number,
  ) {}
}

/** 32-bit FNV-1a of a string (key → shard). */
export function strHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The correlator's key of a TID (see tidKey in tcapDialogues.ts). */
export function tcapTidKey(m: TcapInput, calling: boolean, tid: number, len: number): string {
  const a = calling ? sccpAddressKey(m.sccpBuf, m.sccp.calling, m.mtp.opc) : sccpAddressKey(m.sccpBuf, m.sccp.called, m.mtp.dpc);
  return a + '#' + len + ':' + tid;
}

export class TcapRouter {
  private readonly map = new Map<string, Entry>();
  private lastTickUs = -Infinity;
  private ticks = 0;
  private rr = 0;
  /** A responder key learned while another dialogue held it on another shard: that shard gets a
   *  tid_reused close (reusedKey / reusedShard, read by the caller right after route()). */
  reusedKey: string | null = null;
  reusedShard = -1;
  /** Statistics. */
  learned = 0;

  constructor(
    readonly shards: number,
    private readonly idleTimeoutUs: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** The pipeline's tick at packet time nowUs (the correlators expire there). */
  tick(nowUs: number): void {
    this.lastTickUs = nowUs;
    if (++this.ticks % 64 === 0 && this.map.size > 0) this.sweep();
  }

  private home(key: string): number {
    return strHash(key) % this.shards;
  }

  private get(key: string): Entry | undefined {
    const e = this.map.get(key);
    // Expired only by a tick after its last touch (capture time may go back between files).
    if (e !== undefined && e.seq < this.ticks && e.lastUs < this.lastTickUs - this.idleTimeoutUs) {
      // The correlator closed this dialogue (idle) at a tick since: the keys are free again.
      this.drop(e);
      return undefined;
    }
    return e;
  }

  private drop(e: Entry): void {
    if (this.map.get(e.k1) === e) this.map.delete(e.k1);
    if (e.k2 !== null && this.map.get(e.k2) === e) this.map.delete(e.k2);
  }

  private sweep(): void {
    const limit = this.lastTickUs - this.idleTimeoutUs;
    for (const [k, e] of this.map) if (e.seq < this.ticks && e.lastUs < limit && this.map.get(k) === e) this.map.delete(k);
  }

  /** The shard of message m (call before the correlator would see it, in packet order). */
  route(m: TcapInput): number {
    this.reusedKey = null;
    const t = m.tcap;
    const ts = m.tsUs;
    switch (t.msgType) {
      case TcapType.Begin: {
        if (t.otidLen === 0) return 0;
        const key = tcapTidKey(m, true, t.otid, t.otidLen);
        const e = this.get(key);
        if (e === undefined) return this.home(key);
        // The correlator finds the pending dialogue under this key: a retransmission keeps it,
        // anything else closes it (tid_reused) and a new dialogue takes the key, on that shard.
        if (e.k2 !== null) {
          this.drop(e);
          this.map.set(key, new Entry(e.w, key, null, ts, this.ticks));
        } else {
          e.lastUs = ts;
          e.seq = this.ticks;
        }
        return e.w;
      }
      case TcapType.Continue: {
        if (t.otidLen === 0 || t.dtidLen === 0) return 0;
        const key = tcapTidKey(m, false, t.dtid, t.dtidLen);
        let e = this.get(key);
        if (e !== undefined) {
          e.lastUs = ts;
          e.seq = this.ticks;
          // From the initiator (found by the responder key), or already learned: nothing new.
          if (e.k1 !== key || e.k2 !== null) return e.w;
        }
        // From the responder (or an orphan Continue, which the correlator tracks from here):
        // the responder's key joins the dialogue.
        const w = e !== undefined ? e.w : this.home(key);
        const rkey = tcapTidKey(m, true, t.otid, t.otidLen);
        const o = this.get(rkey);
        if (o !== undefined && o !== e) {
          this.drop(o);
          if (o.w !== w) {
            this.reusedKey = rkey;
            this.reusedShard = o.w;
          }
        } else if (o === undefined && this.home(rkey) !== w) {
          // A dialogue begun under rkey (routed by its hash) may be pending there.
          this.reusedKey = rkey;
          this.reusedShard = this.home(rkey);
        }
        if (e === undefined) {
          e = new Entry(w, key, rkey, ts, this.ticks);
          this.map.set(key, e);
        } else {
          e.k2 = rkey;
        }
        this.map.set(rkey, e);
        this.learned++;
        return w;
      }
      case TcapType.End:
      case TcapType.Abort: {
        if (t.dtidLen === 0) return 0;
        const key = tcapTidKey(m, false, t.dtid, t.dtidLen);
        const e = this.get(key);
        if (e === undefined) return this.home(key);
        this.drop(e);
        return e.w;
      }
      case TcapType.Unidirectional:
        // One record per message, no state: any shard.
        this.rr = (this.rr + 1) % this.shards;
        return this.rr;
      default:
        return 0;
    }
  }
}
