// The generator's event loop. Events (dialogue steps, arrivals) are processed in time order; each
// step's TCAP message is wrapped in SCCP and handed to the transport, whose packets wait in a
// small time-ordered heap until the clock passes them, then go to the capture file. Writing a
// packet tells the dialogues it completes their frame number, which drives the truth output.
// Memory holds only what is in flight: future events, unwritten packets, open dialogues.
// The IP protocols (src/gen/ip: Diameter, GTP) share this loop, packet heap, capture file and
// truth queue through emit(), onClockMove(), transactionStarted() / transactionDone().
import { Prng } from '../prng';
import { PcapWriter } from '../../capture/pcapWriter';
import { SccpAddress, SCCP_CLASS_0, SCCP_CLASS_1, SCCP_RETURN_ON_ERROR, encodeUdt, encodeXudt, encodeXudtSegments } from '../encode/sccp';
import { tidBytes } from '../encode/tcap';
import { TimeHeap, Timed } from './heap';
import { Mark, OutPacket, Transport, linkTypeOf } from './transport';
import { TidRegistry } from './tids';
import { Dialogue, Side } from './dialogue';
import { TruthWriter, TruthWriterOptions } from './truth';
import { DialogueOptions, FlowEnv } from './flows';
import { NetNode, World, buildWorld } from './topology';
import { Profile } from './profile';

/** UDT user data above this goes into segmented XUDTs (Q.713 §4.10: at most 255 octets) */
const UDT_MAX_DATA = 240;
/** unanswered dialogue ids stay reserved this long (tshark's TCAP "lost" timeout is 30 s) */
const UNANSWERED_HOLD_US = 35_000_000;

interface GenEvent extends Timed {
  fn: () => void;
}

class StepMark implements Mark {
  constructor(
    private readonly engine: Engine,
    private readonly d: Dialogue,
    readonly tag: number,
  ) {}
  onWritten(tag: number, frame: number, tUs: number): void {
    this.engine.stepWritten(this.d, tag, frame, tUs);
  }
}

export interface EngineOptions {
  out: string;
  truthPath: string;
  format: 'pcap' | 'pcapng';
  seed: number;
  profile: Profile;
  /** truth file options (the roaming scenario's extended lines and observer) */
  truth?: TruthWriterOptions;
}

export class Engine implements FlowEnv {
  readonly rng: Prng;
  readonly world: World;
  readonly profile: Profile;
  now = 0;
  frame = 0;
  nextDialogueId = 1;
  orphans = 0;
  peakInFlight = 0;
  private inFlight = 0;
  private readonly events = new TimeHeap<GenEvent>();
  private readonly packets = new TimeHeap<OutPacket>();
  private evSeq = 0;
  private readonly transport: Transport;
  private readonly tids = new TidRegistry();
  private readonly writer: PcapWriter;
  readonly truth: TruthWriter;
  private nextLocalRef: number;
  private progressEvery = 0;
  private nextProgress = Infinity;
  private progressFn: ((p: { dialogues: number; packets: number }) => void) | null = null;
  private readonly clockHooks: (() => void)[] = [];
  private pktSeq = 0;

  constructor(o: EngineOptions) {
    this.rng = new Prng(o.seed);
    this.profile = o.profile;
    // topology from its own stream so that it does not depend on traffic draws
    this.world = buildWorld(this.rng.fork(), { mtu: o.profile.mtu, mtuRange: o.profile.mtuRange, v6ext: o.profile.v6ext, maxOperators: o.profile.maxOperators, maxPerCountry: o.profile.maxPerCountry });
    this.transport = new Transport(this.rng.fork(), o.profile.link, this.packets, o.profile.sackRate);
    this.writer = PcapWriter.create(o.out, { linkType: linkTypeOf(o.profile.link), format: o.format });
    this.truth = new TruthWriter(o.truthPath, o.truth);
    this.nextLocalRef = this.rng.int(0xffffff);
  }

  get transportCounters(): Transport['counters'] {
    return this.transport.counters;
  }

  onProgress(every: number, fn: (p: { dialogues: number; packets: number }) => void): void {
    this.progressEvery = Math.max(1, every);
    this.nextProgress = this.progressEvery;
    this.progressFn = fn;
  }

  // ---------------------------------------------------------------- other protocols

  /** queue a wire packet for time t (>= now); `marks` are told its frame number once written */
  emit(t: number, data: Buffer, marks: Mark[] | null): void {
    this.packets.push({ t: Math.max(t, this.now), seq: this.pktSeq++, data, marks });
  }

  /** fn runs whenever the clock is about to move on (close what was bundled at the current instant) */
  onClockMove(fn: () => void): void {
    this.clockHooks.push(fn);
  }

  /** a transaction of another protocol began (in-flight accounting) */
  transactionStarted(): void {
    this.inFlight++;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
  }

  /** a transaction of another protocol is over: write what the truth queue allows */
  transactionDone(): void {
    this.inFlight--;
    this.truthProgress();
  }

  private truthProgress(): void {
    this.truth.drain();
    if (this.truth.lines >= this.nextProgress) {
      this.nextProgress = this.truth.lines + this.progressEvery;
      this.progressFn!({ dialogues: this.truth.lines, packets: this.writer.packets });
    }
  }

  private flushOpen(): void {
    this.transport.flushBundles();
    for (const fn of this.clockHooks) fn();
  }

  // ---------------------------------------------------------------- FlowEnv

  tid(d: Dialogue, side: Side): Buffer {
    let v = d.tid[side];
    if (v === null) {
      v = this.tids.allocate(d.nodes[side], d.pcOf(side), this.now);
      d.tid[side] = v;
      d.tidOwned[side] = true;
    }
    return tidBytes(v, d.tidLen[side]);
  }

  forceTid(d: Dialogue, side: Side, value: number, reserve: boolean, len?: number): void {
    d.tid[side] = value;
    if (len !== undefined) d.tidLen[side] = len;
    if (reserve) {
      this.tids.reserve(d.pcOf(side), value);
      d.tidOwned[side] = true;
    }
  }

  dialogue(a: NetNode, b: NetNode, addrA: SccpAddress, addrB: SccpAddress, o: DialogueOptions = {}): Dialogue {
    let assoc = o.assoc;
    let dir0 = o.dir0;
    if (!assoc) {
      // captured on the IPX link of either end's operator
      const leg = this.rng.chance(0.5) ? a.op : b.op;
      assoc = this.rng.pick(leg.assocs);
      dir0 = leg === a.op ? 0 : 1;
    }
    if (dir0 === undefined) dir0 = assoc.op === a.op ? 0 : 1;
    const d = new Dialogue(this.nextDialogueId++, [a, b], assoc, dir0, [this.rng.int(16), this.rng.int(16)], [addrA, addrB]);
    if (o.inTruth === false) d.inTruth = false;
    return d;
  }

  start(d: Dialogue, t: number): void {
    this.inFlight++;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    if (!d.inTruth) this.orphans++;
    this.at(t, () => this.sendStep(d, 0));
  }

  at(t: number, fn: () => void): void {
    this.events.push({ t: Math.max(t, this.now), seq: this.evSeq++, fn });
  }

  // ---------------------------------------------------------------- loop

  /** process every event, then write what is left */
  run(): void {
    for (;;) {
      let ev = this.events.peek();
      if (!ev) {
        // closing what is open may schedule more (e.g. a delayed TCP ACK)
        this.flushOpen();
        ev = this.events.peek();
        if (!ev) break;
      }
      if (ev.t > this.now) {
        this.flushOpen();
        ev = this.events.peek()!;
        if (ev.t > this.now) {
          this.writeUpTo(ev.t);
          this.now = ev.t;
        }
      }
      this.events.pop();
      ev.fn();
    }
    this.writeUpTo(Infinity);
  }

  finish(): { packets: number; bytes: number } {
    this.writer.close();
    this.truth.close();
    return { packets: this.writer.packets, bytes: this.writer.bytes };
  }

  private writeUpTo(t: number): void {
    for (;;) {
      const p = this.packets.peek();
      if (!p || p.t > t) break;
      this.packets.pop();
      this.writer.write(p.t, p.data);
      const frame = ++this.frame;
      if (p.marks) for (const m of p.marks) m.onWritten(m.tag, frame, p.t);
    }
  }

  private sendStep(d: Dialogue, i: number): void {
    const st = d.steps[i];
    const side = st.from;
    const tcap = st.build();
    const calling = d.addr[side];
    const called = st.called ?? d.addr[1 - side];
    const rng = this.rng;
    const p = this.profile;
    let sccp: Buffer[];
    const pclass = ((d.nodes[side].id & 1) === 0 ? SCCP_CLASS_1 : SCCP_CLASS_0) | SCCP_RETURN_ON_ERROR;
    const forceSeg = st.segment === true || (tcap.length >= 60 && p.forceSegmentRate > 0 && rng.chance(p.forceSegmentRate));
    if (tcap.length > UDT_MAX_DATA || forceSeg) {
      // Q.714 §4.1.1.2: segments of at most ~250 octets; forced: 2-3 segments
      const seg = tcap.length > UDT_MAX_DATA ? Math.max(Math.ceil(tcap.length / 16), rng.range(160, 230)) : Math.ceil(tcap.length / rng.range(2, 3));
      const ref = this.nextLocalRef;
      this.nextLocalRef = (ref + 1) & 0xffffff;
      sccp = encodeXudtSegments(called, calling, tcap, seg, ref, rng.range(10, 15));
    } else if (p.xudtPlainRate > 0 && rng.chance(p.xudtPlainRate)) {
      sccp = [encodeXudt(called, calling, tcap, { protocolClass: pclass, hopCounter: rng.range(10, 15) })];
    } else {
      sccp = [encodeUdt(called, calling, tcap, pclass)];
    }
    const frags = st.sctpFragments ?? (p.sctpFragmentRate > 0 && sccp.length === 1 && rng.chance(p.sctpFragmentRate) ? rng.range(2, 3) : 1);
    d.outstanding++;
    const onePacket = frags > 1 && p.sctpFragmentsInOnePacketRate > 0 && rng.chance(p.sctpFragmentsInOnePacketRate);
    this.transport.send(this.now, d.assoc, d.dirOf(side), d.sls[side], sccp, new StepMark(this, d, i), {
      sctpFragments: frags,
      fragmentsInOnePacket: onePacket,
    });
    d.next = i + 1;
    if (d.next < d.steps.length) {
      const n = d.next;
      this.at(this.now + d.steps[n].delayUs, () => this.sendStep(d, n));
    }
  }

  /** called when the packet completing step `i` of d is written as `frame` at time t */
  stepWritten(d: Dialogue, i: number, frame: number, t: number): void {
    const st = d.steps[i];
    if (st.role === 'req' && d.reqFrame === 0) {
      d.reqFrame = frame;
      d.reqT = t;
      if (d.inTruth) this.truth.enqueue(d);
    } else if (st.role === 'rsp') {
      d.rspFrame = frame;
      d.rspT = t;
    }
    if (st.closes) this.releaseTids(d, 0);
    else if (st.role === 'req' && !d.hasClosingStep()) this.releaseTids(d, t + UNANSWERED_HOLD_US);
    d.outstanding--;
    if (d.next >= d.steps.length && d.outstanding === 0 && !d.done) {
      d.done = true;
      this.inFlight--;
      this.truthProgress();
    }
  }

  private releaseTids(d: Dialogue, untilUs: number): void {
    for (const side of [0, 1] as const) {
      const v = d.tid[side];
      if (v !== null && d.tidOwned[side]) {
        this.tids.release(d.pcOf(side), v, untilUs);
        d.tidOwned[side] = false;
      }
    }
  }
}
