// A byte stream between two endpoints over TCP as the capture shows it: messages written at the
// same instant by one side are coalesced into one write (several messages per segment), each
// write is cut into segments at the MSS and, with a given probability per message, at a random
// point inside the message (a message split across segments). Acknowledgment numbers cover only
// what the peer's packets written so far carried; an idle receiver sends a delayed pure ACK.
import { Prng } from '../prng';
import { IPPROTO_TCP, TcpConnection, tcpCuts } from '../encode/tcp';
import { Flushable, IpEnv, Mark } from './env';
import { IpPath, IpWire } from './wire';

export interface TcpProfile {
  /** per message: cut it at a random inner point (it then spans two segments or more) */
  splitRate: number;
  /** µs between consecutive segments of one write */
  segmentGapUs: [number, number];
  /** delayed ACK timer of an idle receiver, µs */
  ackDelayUs: [number, number];
}

interface Pending {
  t: number;
  msgs: Buffer[];
  marks: (Mark | null)[];
}

interface Sent {
  t: number;
  seqEnd: number;
}

export class TcpChannel implements Flushable {
  readonly conn: TcpConnection;
  established: boolean;
  /** segments with data, segments that complete more than one message, messages spanning segments */
  readonly counters = { segments: 0, multiMessageSegments: 0, splitMessages: 0 };
  private readonly pending: [Pending | null, Pending | null] = [null, null];
  private readonly sent: [Sent[], Sent[]] = [[], []];
  private readonly lastT: [number, number] = [0, 0];
  private readonly lastAck: [number, number];
  private dirty = false;

  constructor(
    private readonly env: IpEnv,
    private readonly wire: IpWire,
    private readonly rng: Prng,
    readonly path: IpPath,
    ports: [number, number],
    private readonly prof: TcpProfile,
    /** the connection was set up before the capture (no handshake in it) */
    preOpened: boolean,
    private readonly flushList: Flushable[],
  ) {
    this.conn = new TcpConnection({ ports, ips: [wire.addr(path, 0), wire.addr(path, 1)], isn: [rng.u32(), rng.u32()], mss: path.mtu - (wire.v6 ? 60 : 40) });
    this.established = preOpened;
    this.lastAck = [this.conn.rcvNext[0], this.conn.rcvNext[1]];
  }

  /** three-way handshake from side 0 starting at t; returns the time of the final ACK */
  open(t: number): number {
    const [syn, synAck, ack] = this.conn.handshake();
    const t1 = Math.max(t, this.lastT[0], this.lastT[1]);
    const t2 = t1 + this.rng.range(500, 20_000);
    const t3 = t2 + this.rng.range(500, 20_000);
    this.out(0, t1, syn, null);
    this.out(1, t2, synAck, null);
    this.out(0, t3, ack, null);
    this.lastAck[0] = this.conn.rcvNext[0];
    this.lastAck[1] = this.conn.rcvNext[1];
    this.established = true;
    return t3;
  }

  /** queue a message from side `dir` at time t (coalesced with what the side writes at that instant) */
  send(t: number, dir: 0 | 1, msg: Buffer, mark: Mark | null): void {
    let p = this.pending[dir];
    if (p && p.t !== t) {
      this.flushDir(dir);
      p = null;
    }
    if (!p) {
      p = { t, msgs: [], marks: [] };
      this.pending[dir] = p;
      if (!this.dirty) {
        this.dirty = true;
        this.flushList.push(this);
      }
    }
    p.msgs.push(msg);
    p.marks.push(mark);
  }

  /** write what was queued (called when the clock moves on) */
  flush(): void {
    this.dirty = false;
    this.flushDir(0);
    this.flushDir(1);
  }

  private flushDir(dir: 0 | 1): void {
    const p = this.pending[dir];
    if (!p) return;
    this.pending[dir] = null;
    const data = p.msgs.length === 1 ? p.msgs[0] : Buffer.concat(p.msgs);
    const ends: number[] = [];
    const inner: number[] = [];
    let off = 0;
    for (const m of p.msgs) {
      if (m.length > 1 && this.prof.splitRate > 0 && this.rng.chance(this.prof.splitRate)) inner.push(off + this.rng.range(1, m.length - 1));
      off += m.length;
      ends.push(off);
    }
    const cuts = tcpCuts(data.length, this.conn.mss, inner);
    let t = Math.max(p.t, this.lastT[dir]);
    // acknowledge what the peer's packets up to the first segment carried (never more)
    this.catchUp(dir, t);
    const segs = this.conn.segments(dir, data, cuts);
    let k = 0; // next message whose end has not been placed
    for (let i = 0; i < segs.length; i++) {
      const from = cuts[i];
      const to = cuts[i + 1];
      const marks: Mark[] = [];
      let completed = 0;
      while (k < ends.length && ends[k] <= to) {
        if (ends[k] - p.msgs[k].length < from) this.counters.splitMessages++;
        const m = p.marks[k];
        if (m) marks.push(m);
        completed++;
        k++;
      }
      if (completed > 1) this.counters.multiMessageSegments++;
      this.counters.segments++;
      this.out(dir, t, segs[i], marks.length > 0 ? marks : null, this.seqAfter(dir, data.length - to));
      if (i + 1 < segs.length) t += this.rng.range(this.prof.segmentGapUs[0], this.prof.segmentGapUs[1]);
    }
    // the receiver acknowledges after its delayed-ACK timer unless it sends something first
    const peer = (1 - dir) as 0 | 1;
    const at = t + this.rng.range(this.prof.ackDelayUs[0], this.prof.ackDelayUs[1]);
    this.env.at(at, () => this.delayedAck(peer));
  }

  /** sequence number after a segment that leaves `remaining` octets of the write unsent */
  private seqAfter(dir: 0 | 1, remaining: number): number {
    return (this.conn.nextSeq[dir] - remaining) >>> 0;
  }

  private delayedAck(side: 0 | 1): void {
    const t = Math.max(this.env.now, this.lastT[side]);
    this.catchUp(side, t);
    if (this.conn.rcvNext[side] === this.lastAck[side]) return;
    this.out(side, t, this.conn.ack(side), null);
  }

  /** side learns about the peer's octets carried by packets up to time t */
  private catchUp(side: 0 | 1, t: number): void {
    const q = this.sent[1 - side];
    let n = 0;
    while (n < q.length && q[n].t <= t) n++;
    if (n > 0) {
      this.conn.received(side, q[n - 1].seqEnd);
      q.splice(0, n);
    }
  }

  private out(dir: 0 | 1, t: number, seg: Buffer, marks: Mark[] | null, seqEnd?: number): void {
    this.lastAck[dir] = this.conn.rcvNext[dir];
    this.lastT[dir] = t;
    if (seqEnd !== undefined) this.sent[dir].push({ t, seqEnd });
    this.wire.send(this.path, dir, t, IPPROTO_TCP, seg, marks);
  }
}
