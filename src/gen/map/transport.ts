// Transport of SCCP messages over M3UA / SCTP / IP / link layer on one association, producing
// timestamped wire packets into the output heap. Handles DATA chunk bundling (messages queued at
// the same instant on the same association and direction share one SCTP packet), SCTP
// fragmentation of a user message (B/E chunks in separate packets), SACK bundling, IPv4/IPv6
// fragmentation to the link MTU, and the link-layer framing of the capture.
import { Prng } from '../prng';
import { encodeIpv4, IPPROTO_SCTP } from '../encode/ipv4';
import { encodeIpv6 } from '../encode/ipv6';
import { DATA_FLAG_B, DATA_FLAG_E, PPID_M3UA, dataChunk, encodeSctpPacket, sackChunk } from '../encode/sctp';
import { encodeM3uaData, NI_INTERNATIONAL, SI_SCCP } from '../encode/m3ua';
import { TimeHeap, Timed } from './heap';
import { Association } from './topology';
import { LinkKind, linkFrame, linkTypeOf } from '../ip/link';

export { linkTypeOf };
export type { LinkKind };

/** something to notify when the packet completing one of its messages is written */
export interface Mark {
  onWritten(tag: number, frame: number, tUs: number): void;
  tag: number;
}

export interface OutPacket extends Timed {
  data: Buffer;
  marks: Mark[] | null;
}

export interface SendOptions {
  /** split the (single) user message into this many DATA fragments (1 = none) */
  sctpFragments: number;
  /** put all fragments in one packet instead of one packet each */
  fragmentsInOnePacket?: boolean;
}

interface OpenBundle {
  assoc: Association;
  dir: number;
  t: number;
  chunks: Buffer[];
  size: number;
  marks: Mark[];
  lastTsn: number;
}

const IP4_HDR = 20;
const IP6_HDR = 40;
const SCTP_HDR = 12;
const MAX_BUNDLED_DATA = 8;
const A_RWND = 65535;

export class Transport {
  /** DATA chunks sent, packets built, bundles with > 1 DATA chunk, fragmented messages */
  readonly counters = { dataChunks: 0, sctpPackets: 0, bundledPackets: 0, fragmentedMessages: 0, ipFragments: 0 };
  private open: OpenBundle[] = [];
  private seq = 0;

  constructor(
    private readonly rng: Prng,
    private readonly link: LinkKind,
    private readonly out: TimeHeap<OutPacket>,
    private readonly sackRate: number,
  ) {}

  /**
   * Send SCCP messages from side `dir` of `assoc` at time t. One message alone is bundled with other
   * messages sent at the same time on the same association and direction (unless fragmented);
   * several messages (XUDT segments) go in consecutive packets. `mark` is notified when the packet
   * carrying the end of the last message is written.
   */
  send(t: number, assoc: Association, dir: number, sls: number, sccp: readonly Buffer[], mark: Mark | null, opts: SendOptions): void {
    const sid = assoc.streams > 1 ? 1 + (sls % (assoc.streams - 1)) : 0;
    const msgs = sccp.map((u) =>
      encodeM3uaData(
        {
          opc: assoc.pc[dir],
          dpc: assoc.pc[1 - dir],
          si: SI_SCCP,
          ni: NI_INTERNATIONAL,
          mp: 0,
          sls,
          routingContext: assoc.routingContext,
          networkAppearance: assoc.networkAppearance,
        },
        u,
      ),
    );
    if (msgs.length === 1 && opts.sctpFragments <= 1) {
      this.addToBundle(t, assoc, dir, sid, msgs[0], mark);
      return;
    }
    // separate packets: close the open bundle first so that TSNs stay in packet order
    this.flushOne(assoc, dir);
    let tt = Math.max(t, assoc.lastT[dir]);
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i];
      const ssn = assoc.ssn[dir][sid];
      assoc.ssn[dir][sid] = (ssn + 1) & 0xffff;
      const nFrag = msgs.length === 1 ? Math.max(1, Math.min(opts.sctpFragments, m.length)) : 1;
      if (nFrag > 1) this.counters.fragmentedMessages++;
      const cuts = this.cutPoints(m.length, nFrag);
      const together: Buffer[] = [];
      let lastTsn = 0;
      for (let k = 0; k < nFrag; k++) {
        const flags = (k === 0 ? DATA_FLAG_B : 0) | (k === nFrag - 1 ? DATA_FLAG_E : 0);
        const tsn = this.nextTsn(assoc, dir);
        const chunk = dataChunk({ tsn, sid, ssn, ppid: PPID_M3UA, flags }, m, cuts[k], cuts[k + 1]);
        this.counters.dataChunks++;
        const last = i === msgs.length - 1 && k === nFrag - 1;
        if (opts.fragmentsInOnePacket && nFrag > 1) {
          together.push(chunk);
          lastTsn = tsn;
          continue;
        }
        this.emit(assoc, dir, tt, this.withSack(assoc, dir, tt, [chunk]), last && mark ? [mark] : null, tsn);
        tt += this.rng.range(15, 60); // next packet a few µs later
      }
      if (together.length > 0) {
        const last = i === msgs.length - 1;
        this.emit(assoc, dir, tt, this.withSack(assoc, dir, tt, together), last && mark ? [mark] : null, lastTsn);
        tt += this.rng.range(15, 60);
      }
    }
  }

  /** close every open bundle (call when the clock moves on) */
  flushBundles(): void {
    const open = this.open;
    this.open = [];
    for (const b of open) this.emitBundle(b);
  }

  private addToBundle(t: number, assoc: Association, dir: number, sid: number, m3ua: Buffer, mark: Mark | null): void {
    let b = this.find(assoc, dir);
    const wire = 16 + m3ua.length + ((4 - (m3ua.length & 3)) & 3);
    const limit = assoc.sctpMax - (this.link === 'ipv6' ? IP6_HDR : IP4_HDR) - SCTP_HDR;
    if (b && (b.size + wire > limit || b.chunks.length >= MAX_BUNDLED_DATA)) {
      this.flushOne(assoc, dir);
      b = undefined;
    }
    if (!b) {
      const tt = Math.max(t, assoc.lastT[dir]);
      assoc.lastT[dir] = tt;
      const init = this.withSack(assoc, dir, tt, []);
      b = { assoc, dir, t: tt, chunks: init, size: init.length > 0 ? init[0].length : 0, marks: [], lastTsn: 0 };
      this.open.push(b);
    }
    const ssn = assoc.ssn[dir][sid];
    assoc.ssn[dir][sid] = (ssn + 1) & 0xffff;
    const tsn = this.nextTsn(assoc, dir);
    const chunk = dataChunk({ tsn, sid, ssn, ppid: PPID_M3UA, flags: DATA_FLAG_B | DATA_FLAG_E }, m3ua);
    this.counters.dataChunks++;
    b.chunks.push(chunk);
    b.size += chunk.length;
    b.lastTsn = tsn;
    if (mark) b.marks.push(mark);
  }

  private find(assoc: Association, dir: number): OpenBundle | undefined {
    for (const b of this.open) if (b.assoc === assoc && b.dir === dir) return b;
    return undefined;
  }

  private flushOne(assoc: Association, dir: number): void {
    const i = this.open.findIndex((b) => b.assoc === assoc && b.dir === dir);
    if (i < 0) return;
    const [b] = this.open.splice(i, 1);
    this.emitBundle(b);
  }

  private emitBundle(b: OpenBundle): void {
    let data = 0;
    for (const c of b.chunks) if (c[0] === 0) data++;
    if (data > 1) this.counters.bundledPackets++;
    this.emit(b.assoc, b.dir, b.t, b.chunks, b.marks.length > 0 ? b.marks : null, b.lastTsn);
  }

  private nextTsn(assoc: Association, dir: number): number {
    const tsn = assoc.nextTsn[dir];
    assoc.nextTsn[dir] = (tsn + 1) >>> 0;
    return tsn;
  }

  /** a SACK for the peer's DATA (only what the peer sent up to time tt), now and then */
  private withSack(assoc: Association, dir: number, tt: number, chunks: Buffer[]): Buffer[] {
    const peer = 1 - dir;
    if (this.sackRate > 0 && assoc.lastDataT[peer] >= 0 && assoc.lastDataT[peer] <= tt && this.rng.chance(this.sackRate)) {
      return [sackChunk(assoc.lastDataTsn[peer], A_RWND), ...chunks];
    }
    return chunks;
  }

  /** fragment boundaries: n pieces of roughly random size, each at least 1 octet */
  private cutPoints(len: number, n: number): number[] {
    const cuts = [0];
    for (let k = 1; k < n; k++) {
      const lo = cuts[k - 1] + 1;
      const hi = len - (n - k);
      const even = Math.floor((len * k) / n);
      cuts.push(Math.max(lo, Math.min(hi, even + this.rng.range(-8, 8))));
    }
    cuts.push(len);
    return cuts;
  }

  private emit(assoc: Association, dir: number, t: number, chunks: Buffer[], marks: Mark[] | null, lastTsn: number): void {
    const peer = 1 - dir;
    const sctp = encodeSctpPacket(assoc.port[dir], assoc.port[peer], assoc.vtag[dir], chunks);
    this.counters.sctpPackets++;
    assoc.lastT[dir] = Math.max(assoc.lastT[dir], t);
    assoc.lastDataT[dir] = t;
    assoc.lastDataTsn[dir] = lastTsn;
    let ips: Buffer[];
    if (this.link === 'ipv6') {
      const id = assoc.ipId[dir];
      assoc.ipId[dir] = (id + 1) & 0xffff;
      ips = encodeIpv6(
        { src: assoc.ip6[dir], dst: assoc.ip6[peer], nextHeader: IPPROTO_SCTP, ext: assoc.v6ext, fragId: (assoc.id << 16) | id, mtu: assoc.mtu, flowLabel: assoc.id },
        sctp,
      );
    } else {
      const id = assoc.ipId[dir];
      assoc.ipId[dir] = (id + 1) & 0xffff;
      ips = encodeIpv4({ src: assoc.ip4[dir], dst: assoc.ip4[peer], protocol: IPPROTO_SCTP, id, mtu: assoc.mtu }, sctp);
    }
    if (ips.length > 1) this.counters.ipFragments += ips.length;
    for (let i = 0; i < ips.length; i++) {
      this.out.push({ t, seq: this.seq++, data: this.frame(assoc, dir, ips[i]), marks: i === ips.length - 1 ? marks : null });
    }
  }

  private frame(assoc: Association, dir: number, ip: Buffer): Buffer {
    // captured on the STP host (SLL): its own packets are outgoing
    return linkFrame(this.link, { src: assoc.mac[dir], dst: assoc.mac[1 - dir], cvid: assoc.cvid, svid: assoc.stp.svid, outgoing: dir === 1, ifIndex: 2 + assoc.stp.index }, ip);
  }
}
