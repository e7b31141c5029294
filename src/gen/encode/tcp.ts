// TCP segments (RFC 9293 §3.1): header with the pseudo-header checksum, a connection's sequence /
// acknowledgment numbers per side, the three-way handshake (§3.5) and the segmentation of a byte
// stream at given cut points (so that one message spans segments or one segment carries several).
import { l4Checksum } from './l4checksum';

export const IPPROTO_TCP = 6;
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

const TCP_HDR = 20;
const OPT_MSS = 2; // RFC 9293 §3.2: kind 2, length 4, MSS

export interface TcpHeaderFields {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  /** MSS option (SYN segments only) */
  mss?: number;
}

/** header (+ MSS option) + payload; src/dst are the IP addresses (4 or 16 octets) for the checksum */
export function encodeTcp(h: TcpHeaderFields, payload: Buffer, src: Buffer, dst: Buffer, from = 0, to = payload.length): Buffer {
  const opt = h.mss !== undefined ? 4 : 0;
  const hdr = TCP_HDR + opt;
  const b = Buffer.allocUnsafe(hdr + (to - from));
  b.writeUInt16BE(h.srcPort, 0);
  b.writeUInt16BE(h.dstPort, 2);
  b.writeUInt32BE(h.seq >>> 0, 4);
  b.writeUInt32BE(h.flags & TCP_ACK ? h.ack >>> 0 : 0, 8);
  b.writeUInt16BE(((hdr / 4) << 12) | (h.flags & 0x1ff), 12); // data offset (32-bit words), flags
  b.writeUInt16BE(h.window & 0xffff, 14);
  b.writeUInt32BE(0, 16); // checksum, urgent pointer
  if (opt) {
    b[20] = OPT_MSS;
    b[21] = 4;
    b.writeUInt16BE(h.mss! & 0xffff, 22);
  }
  payload.copy(b, hdr, from, to);
  b.writeUInt16BE(l4Checksum(src, dst, IPPROTO_TCP, b), 16);
  return b;
}

export interface TcpConnectionOptions {
  /** side 0 = the active opener (client), side 1 = the listener */
  ports: [number, number];
  ips: [Buffer, Buffer];
  /** initial sequence number of each side */
  isn: [number, number];
  window?: number;
  mss?: number;
}

/**
 * Sequence-number state of one connection. `nextSeq[s]` = next octet side s sends; `rcvNext[s]`
 * = next octet side s expects from its peer (its acknowledgment number). A connection that was
 * open before the capture starts without a handshake: each side has then acknowledged the peer's ISN.
 */
export class TcpConnection {
  readonly nextSeq: [number, number];
  readonly rcvNext: [number, number];
  readonly window: number;
  readonly mss: number;

  constructor(private readonly o: TcpConnectionOptions) {
    this.nextSeq = [o.isn[0] >>> 0, o.isn[1] >>> 0];
    this.rcvNext = [o.isn[1] >>> 0, o.isn[0] >>> 0];
    this.window = o.window ?? 65535;
    this.mss = o.mss ?? 1460;
  }

  /** SYN, SYN-ACK, ACK (RFC 9293 §3.5 figure 6); SYN consumes one sequence number */
  handshake(): [Buffer, Buffer, Buffer] {
    const syn = this.raw(0, TCP_SYN, Buffer.alloc(0), this.mss);
    this.nextSeq[0] = (this.nextSeq[0] + 1) >>> 0;
    this.rcvNext[1] = this.nextSeq[0];
    const synAck = this.raw(1, TCP_SYN | TCP_ACK, Buffer.alloc(0), this.mss);
    this.nextSeq[1] = (this.nextSeq[1] + 1) >>> 0;
    this.rcvNext[0] = this.nextSeq[1];
    const ack = this.raw(0, TCP_ACK, Buffer.alloc(0));
    return [syn, synAck, ack];
  }

  /**
   * The octets data[cuts[i] .. cuts[i+1]) as consecutive segments from side `from` (cuts start
   * with 0 and end with data.length; PSH on the last one), acknowledging what `from` has received.
   */
  segments(from: 0 | 1, data: Buffer, cuts: readonly number[]): Buffer[] {
    const out: Buffer[] = [];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const a = cuts[i];
      const z = cuts[i + 1];
      if (z <= a) continue;
      out.push(this.raw(from, TCP_ACK | (i + 2 === cuts.length ? TCP_PSH : 0), data, undefined, a, z));
      this.nextSeq[from] = (this.nextSeq[from] + (z - a)) >>> 0;
    }
    return out;
  }

  /** a segment without data acknowledging what `from` has received */
  ack(from: 0 | 1): Buffer {
    return this.raw(from, TCP_ACK, Buffer.alloc(0));
  }

  /** side `at` has now received its peer's octets up to (not including) sequence number `upTo` */
  received(at: 0 | 1, upTo: number): void {
    this.rcvNext[at] = upTo >>> 0;
  }

  private raw(from: 0 | 1, flags: number, data: Buffer, mss?: number, a = 0, z = data.length): Buffer {
    const to = 1 - from;
    return encodeTcp(
      { srcPort: this.o.ports[from], dstPort: this.o.ports[to], seq: this.nextSeq[from], ack: this.rcvNext[from], flags, window: this.window, mss },
      data,
      this.o.ips[from],
      this.o.ips[to],
      a,
      z,
    );
  }
}

/**
 * Segment boundaries for `len` octets: `extra` cut points (each strictly inside) plus whatever the
 * MSS forces; returned sorted, starting with 0 and ending with len.
 */
export function tcpCuts(len: number, mss: number, extra: readonly number[] = []): number[] {
  const set = new Set<number>([0, len]);
  for (const c of extra) if (c > 0 && c < len) set.add(c);
  const sorted = [...set].sort((x, y) => x - y);
  const out: number[] = [0];
  for (let i = 1; i < sorted.length; i++) {
    // split every piece longer than the MSS
    let from = out[out.length - 1];
    while (sorted[i] - from > mss) {
      from += mss;
      out.push(from);
    }
    out.push(sorted[i]);
  }
  return out;
}
