// Messages over an SCTP association between two endpoints (RFC 9260), for protocols carried
// directly on SCTP (Diameter, PPID 46): messages written at the same instant by one side share a
// packet (DATA chunk bundling, §6.10), a message larger than the packet room is fragmented into
// B/…/E DATA chunks in consecutive packets (§6.9), and a SACK for the peer's DATA is bundled now
// and then. The association exists before the capture (no INIT in it).
import { Prng } from '../prng';
import { DATA_FLAG_B, DATA_FLAG_E, SCTP_DATA_HEADER_SIZE, dataChunk, dataChunkWireSize, encodeSctpPacket, sackChunk } from '../encode/sctp';
import { IPPROTO_SCTP } from '../encode/ipv4';
import { Flushable, Mark } from './env';
import { IpPath, IpWire } from './wire';

export interface SctpProfile {
  /** per packet: bundle a SACK for the peer's DATA */
  sackRate: number;
  /** µs between consecutive packets of one write */
  packetGapUs: [number, number];
}

interface Pending {
  t: number;
  msgs: Buffer[];
  marks: (Mark | null)[];
}

const SCTP_COMMON = 12;
const SACK_SIZE = 16;
const A_RWND = 65535;

export class SctpChannel implements Flushable {
  /** packets, packets with more than one DATA chunk, fragmented messages */
  readonly counters = { packets: 0, bundledPackets: 0, fragmentedMessages: 0 };
  private readonly pending: [Pending | null, Pending | null] = [null, null];
  private readonly nextTsn: [number, number];
  private readonly ssn: [Uint16Array, Uint16Array];
  private readonly lastT: [number, number] = [0, 0];
  private readonly lastDataT: [number, number] = [-1, -1];
  private readonly lastDataTsn: [number, number] = [0, 0];
  private dirty = false;
  /** largest SCTP packet (PMTU minus the IP header) */
  private readonly maxPacket: number;

  constructor(
    private readonly wire: IpWire,
    private readonly rng: Prng,
    readonly path: IpPath,
    private readonly ports: [number, number],
    private readonly vtag: [number, number],
    readonly ppid: number,
    readonly streams: number,
    private readonly prof: SctpProfile,
    private readonly flushList: Flushable[],
  ) {
    this.nextTsn = [rng.u32(), rng.u32()];
    this.ssn = [new Uint16Array(streams), new Uint16Array(streams)];
    this.maxPacket = path.mtu - (wire.v6 ? 40 : 20);
  }

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

  flush(): void {
    this.dirty = false;
    this.flushDir(0);
    this.flushDir(1);
  }

  private flushDir(dir: 0 | 1): void {
    const p = this.pending[dir];
    if (!p) return;
    this.pending[dir] = null;
    let t = Math.max(p.t, this.lastT[dir]);
    let chunks: Buffer[] = this.sack(dir, t);
    let size = SCTP_COMMON + (chunks.length > 0 ? SACK_SIZE : 0);
    let marks: Mark[] = [];
    let data = 0;
    let lastTsn = 0;
    const emit = (): void => {
      if (data > 1) this.counters.bundledPackets++;
      this.emit(dir, t, chunks, marks.length > 0 ? marks : null, lastTsn);
      t += this.rng.range(this.prof.packetGapUs[0], this.prof.packetGapUs[1]);
      chunks = this.sack(dir, t);
      size = SCTP_COMMON + (chunks.length > 0 ? SACK_SIZE : 0);
      marks = [];
      data = 0;
    };
    for (let i = 0; i < p.msgs.length; i++) {
      const m = p.msgs[i];
      const sid = this.streams > 1 ? this.rng.int(this.streams) : 0;
      const ssn = this.ssn[dir][sid];
      this.ssn[dir][sid] = (ssn + 1) & 0xffff;
      const wire = dataChunkWireSize(m.length);
      if (size + wire > this.maxPacket && data > 0) emit();
      if (size + wire <= this.maxPacket) {
        lastTsn = this.tsn(dir);
        chunks.push(dataChunk({ tsn: lastTsn, sid, ssn, ppid: this.ppid, flags: DATA_FLAG_B | DATA_FLAG_E }, m));
        size += wire;
        data++;
        if (p.marks[i]) marks.push(p.marks[i]!);
        continue;
      }
      // fragmentation (§6.9): pieces filling the packet room, one packet each; the last piece
      // stays in the open packet (later messages of the write may join it)
      this.counters.fragmentedMessages++;
      for (let off = 0; off < m.length; ) {
        const room = (this.maxPacket - size - SCTP_DATA_HEADER_SIZE) & ~3;
        const end = Math.min(m.length, off + room);
        const flags = (off === 0 ? DATA_FLAG_B : 0) | (end === m.length ? DATA_FLAG_E : 0);
        lastTsn = this.tsn(dir);
        chunks.push(dataChunk({ tsn: lastTsn, sid, ssn, ppid: this.ppid, flags }, m, off, end));
        data++;
        size += dataChunkWireSize(end - off);
        off = end;
        if (off < m.length) emit();
        else if (p.marks[i]) marks.push(p.marks[i]!);
      }
    }
    if (data > 0) emit();
  }

  private tsn(dir: number): number {
    const v = this.nextTsn[dir];
    this.nextTsn[dir] = (v + 1) >>> 0;
    return v;
  }

  /** a SACK for what the peer sent up to time t (only packets already in the capture by then) */
  private sack(dir: number, t: number): Buffer[] {
    const peer = 1 - dir;
    if (this.prof.sackRate > 0 && this.lastDataT[peer] >= 0 && this.lastDataT[peer] <= t && this.rng.chance(this.prof.sackRate)) {
      return [sackChunk(this.lastDataTsn[peer], A_RWND)];
    }
    return [];
  }

  private emit(dir: number, t: number, chunks: Buffer[], marks: Mark[] | null, lastTsn: number): void {
    const pkt = encodeSctpPacket(this.ports[dir], this.ports[1 - dir], this.vtag[dir], chunks);
    this.counters.packets++;
    this.lastT[dir] = t;
    this.lastDataT[dir] = t;
    this.lastDataTsn[dir] = lastTsn;
    this.wire.send(this.path, dir, t, IPPROTO_SCTP, pkt, marks);
  }
}
