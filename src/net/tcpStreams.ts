/**
 * TCP stream reassembly for a passive probe (RFC 9293 §3.4 sequence numbers, §3.10.7 segment
 * arrival): per direction of a connection, the segment data is delivered to the stream's sink in
 * sequence-number order, exactly once.
 *
 * - Connections are keyed by 4-tuple in the shared FlowTable (numeric hash, both directions
 *   linked, LRU bounded by maxConnections, idle timeout in packet time).
 * - A direction starts at its SYN (ISN + 1) or, for a connection already open when the capture
 *   began, at the first data segment seen (the sink is told with onStreamGap: the data may start
 *   in the middle of a message).
 * - Retransmitted segments are dropped; overlapping ones are trimmed to the new bytes.
 * - Out-of-order segments are copied and held (bounded per direction and in total) until the
 *   missing bytes arrive. The missing bytes are declared lost (onStreamGap, then the held data
 *   is delivered) when the peer acknowledges data past the first held segment (the receiver got
 *   the bytes: the capture missed them), when the held data is older than reorderTimeoutUs of
 *   packet time, when a buffer bound is hit, or when the direction ends.
 * - FIN ends a direction once its data is complete; RST ends both. The sink is told with
 *   onStreamEnd (also on eviction / expiry / restart) and must release its per-direction state.
 * - A sequence jump larger than STREAM_RESTART_WINDOW is another connection on the same ports
 *   (no SYN captured): the direction restarts there.
 * Every event is counted (`counters`, `table.counters`) and the segment's anomaly code returned.
 */
import { FlowDirection, FlowTable } from './flowTable';
import { TcpAnomaly, TcpFlag } from './tcp';
import type { IpView, TcpView } from './types';

/** Consumer of a reassembled byte stream (one per registered TCP port, e.g. the Diameter framer). */
export interface TcpStreamSink {
  /** In-order stream bytes [start, end) of buf (valid during the call only); frame / tsUs of the
   *  segment that carried them. */
  onStreamData(dir: TcpStream, buf: Buffer, start: number, end: number, frame: number, tsUs: number): void;
  /** Bytes before the next data are missing (lost by the capture, or the stream was joined
   *  mid-connection): drop any partial message and resynchronise. */
  onStreamGap(dir: TcpStream): void;
  /** The direction is finished (FIN, RST, eviction, expiry, restart): release its state. */
  onStreamEnd(dir: TcpStream): void;
}

/** One out-of-order segment (a copy of its data). */
interface HeldSegment {
  seq: number;
  data: Buffer;
  frame: number;
  tsUs: number;
}

/** One direction of a TCP connection. */
export class TcpStream extends FlowDirection<TcpStream> {
  sink: TcpStreamSink | null = null;
  /** Free slot for the sink's per-direction state (e.g. a partial message). */
  user: unknown = null;
  started = false;
  ended = false;
  synSeen = false;
  isn = 0;
  /** Sequence number of the next byte to deliver. */
  nextSeq = 0;
  /** Sequence number of the FIN (data end), -1 until seen. */
  finSeq = -1;
  /** Out-of-order segments, by sequence number. */
  readonly held: HeldSegment[] = [];
  heldBytes = 0;
  /** Packet time the oldest held segment arrived. */
  heldSinceUs = 0;
}

export interface TcpStreamLimits {
  /** Connections at most (2 directions each); the least recently used is evicted beyond it. */
  maxConnections: number;
  /** Out-of-order bytes held per direction. */
  maxBufferedBytesPerDirection: number;
  /** Out-of-order bytes held over all connections. */
  maxTotalBytes: number;
  /** A direction without packets for this long (packet time, µs) is removed. */
  idleTimeoutUs: number;
  /** Held out-of-order data older than this (packet time, µs) is delivered after a gap. */
  reorderTimeoutUs: number;
}

export const DEFAULT_TCP_LIMITS: TcpStreamLimits = {
  maxConnections: 16_384,
  maxBufferedBytesPerDirection: 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  idleTimeoutUs: 300_000_000,
  reorderTimeoutUs: 2_000_000,
};

/** A sequence jump (either way) beyond this many bytes is not the same stream. */
export const STREAM_RESTART_WINDOW = 64 * 1024 * 1024;
/** Held segments per direction at most (bounds the sorted insert). */
export const MAX_HELD_SEGMENTS = 1024;

export interface TcpStreamCounters {
  /** Segments handed to the reassembly (with or without data). */
  segments: number;
  /** Stream bytes delivered in order. */
  bytesDelivered: number;
  /** Directions joined without their SYN. */
  midstreamStarts: number;
  /** Segments whose data was all seen already. */
  retransmitted: number;
  /** Segments partly seen already (the old bytes were cut off). */
  overlapsTrimmed: number;
  /** Segments held out of order. */
  outOfOrder: number;
  /** Holes declared lost, and their bytes. */
  gaps: number;
  gapBytes: number;
  /** Out-of-order data delivered early because a buffer bound was hit. */
  overflows: number;
  /** Directions restarted by a sequence jump or a new SYN. */
  restarts: number;
  /** Directions ended by FIN / by RST. */
  fins: number;
  resets: number;
  /** Gauges: out-of-order bytes and segments held now. */
  heldBytes: number;
  heldSegments: number;
}

function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** Per-direction TCP reassembly over a bounded connection table. */
export class TcpStreams {
  readonly counters: TcpStreamCounters = {
    segments: 0, bytesDelivered: 0, midstreamStarts: 0, retransmitted: 0, overlapsTrimmed: 0, outOfOrder: 0,
    gaps: 0, gapBytes: 0, overflows: 0, restarts: 0, fins: 0, resets: 0, heldBytes: 0, heldSegments: 0,
  };
  readonly table: FlowTable<TcpStream>;
  /** Directions holding out-of-order data (checked for reorderTimeoutUs in expire()). */
  private readonly holding = new Set<TcpStream>();
  private anomaly = 0;

  constructor(readonly limits: TcpStreamLimits = DEFAULT_TCP_LIMITS) {
    this.table = new FlowTable<TcpStream>(limits.maxConnections * 2, limits.idleTimeoutUs, () => new TcpStream(), (d) => this.finishDirection(d));
  }

  /**
   * One decoded TCP segment of the IP datagram `ip` (tcp.payload* index into ip.buf), for a port
   * whose bytes go to `sink`. Returns the most significant TcpAnomaly of the segment (0 = ok).
   */
  onSegment(ip: IpView, tcp: TcpView, sink: TcpStreamSink, frame: number, tsUs: number): number {
    this.counters.segments++;
    this.anomaly = TcpAnomaly.Ok;
    const flags = tcp.flags;
    const len = tcp.payloadEnd - tcp.payloadStart;
    if (flags & TcpFlag.Rst) {
      const d = this.table.lookupExisting(ip, tcp.srcPort, tcp.dstPort, tsUs) ?? this.table.findReverse(ip, tcp.srcPort, tcp.dstPort);
      if (d !== null) {
        this.counters.resets++;
        const p = d.peer;
        this.table.remove(d);
        if (p !== null) this.table.remove(p);
      }
      return this.anomaly;
    }
    let d: TcpStream | null;
    if (flags & TcpFlag.Syn) {
      d = this.table.lookup(ip, tcp.srcPort, tcp.dstPort, tsUs);
      if (!(d.started && d.synSeen && d.isn === tcp.seq)) {
        // A new connection (or the first SYN of this one): start at ISN + 1 (RFC 9293 §3.4.1).
        if (d.started) this.restart(d);
        d.started = true;
        d.synSeen = true;
        d.isn = tcp.seq;
        d.nextSeq = (tcp.seq + 1) >>> 0;
        d.sink = sink;
      }
      if (flags & TcpFlag.Ack) this.onAck(d.peer, tcp.ack);
      if (len > 0) this.onData(d, (tcp.seq + 1) >>> 0, ip.buf, tcp.payloadStart, tcp.payloadEnd, frame, tsUs);
      return this.anomaly;
    }
    if (len === 0 && !(flags & TcpFlag.Fin)) {
      // A pure ACK: only the peer's held data may move.
      if (flags & TcpFlag.Ack) {
        d = this.table.lookupExisting(ip, tcp.srcPort, tcp.dstPort, tsUs);
        this.onAck(d !== null ? d.peer : this.table.findReverse(ip, tcp.srcPort, tcp.dstPort), tcp.ack);
      }
      return this.anomaly;
    }
    d = len > 0 ? this.table.lookup(ip, tcp.srcPort, tcp.dstPort, tsUs) : this.table.lookupExisting(ip, tcp.srcPort, tcp.dstPort, tsUs);
    if (d === null) return this.anomaly; // a FIN of a connection not tracked
    // The ACK first: an answer must not overtake the request it acknowledges.
    if (flags & TcpFlag.Ack) this.onAck(d.peer, tcp.ack);
    if (!d.started) {
      d.started = true;
      d.nextSeq = tcp.seq;
      d.sink = sink;
      this.counters.midstreamStarts++;
      sink.onStreamGap(d);
    }
    if (len > 0) this.onData(d, tcp.seq, ip.buf, tcp.payloadStart, tcp.payloadEnd, frame, tsUs);
    if (flags & TcpFlag.Fin && d.inTable) {
      if (d.finSeq < 0) d.finSeq = (tcp.seq + len) >>> 0;
      this.checkFin(d);
    }
    return this.anomaly;
  }

  /** Timer work at packet time nowUs: idle directions, stale out-of-order data. */
  expire(nowUs: number): void {
    this.table.expire(nowUs);
    if (this.holding.size === 0) return;
    const limit = nowUs - this.limits.reorderTimeoutUs;
    for (const d of this.holding) {
      if (d.heldSinceUs <= limit) {
        this.skipGaps(d, true, 0);
        this.checkFin(d);
      }
    }
  }

  /** End of input: every direction ends (held data delivered after its gaps). */
  flush(): void {
    this.table.clear();
  }

  // ------------------------------------------------------------------ data path

  private onData(d: TcpStream, seq: number, buf: Buffer, start: number, end: number, frame: number, tsUs: number): void {
    const c = this.counters;
    let rel = seqDiff(seq, d.nextSeq);
    const len = end - start;
    if (d.ended || rel > STREAM_RESTART_WINDOW || rel < -STREAM_RESTART_WINDOW) {
      if (d.ended && rel + len <= 1) {
        c.retransmitted++; // data (or FIN) of a finished direction again
        return;
      }
      // Another connection on these ports (no SYN captured), or garbage: start over here.
      this.note(TcpAnomaly.StreamRestart);
      this.restart(d);
      d.started = true;
      d.nextSeq = seq;
      rel = 0;
      if (d.sink !== null) d.sink.onStreamGap(d);
    }
    if (rel + len <= 0) {
      c.retransmitted++;
      return;
    }
    if (rel < 0) {
      c.overlapsTrimmed++;
      start -= rel;
      rel = 0;
    }
    if (rel === 0) {
      this.deliver(d, buf, start, end, frame, tsUs);
      if (d.held.length > 0) {
        this.drain(d);
        if (d.finSeq >= 0) this.checkFin(d);
      }
      return;
    }
    // Out of order: hold a copy, within the bounds.
    const l = this.limits;
    if (
      d.heldBytes + len > l.maxBufferedBytesPerDirection ||
      c.heldBytes + len > l.maxTotalBytes ||
      d.held.length >= MAX_HELD_SEGMENTS ||
      rel > l.maxBufferedBytesPerDirection
    ) {
      c.overflows++;
      this.note(TcpAnomaly.StreamOverflow);
      this.skipGaps(d, true, 0);
      // Whatever is still missing before this segment is lost too.
      const r = seqDiff(seq, d.nextSeq);
      if (r + len <= 0) return;
      if (r > 0) this.gap(d, r);
      else if (r < 0) start -= r;
      this.deliver(d, buf, start, end, frame, tsUs);
      return;
    }
    const data = Buffer.allocUnsafe(len);
    buf.copy(data, 0, start, end);
    const h: HeldSegment = { seq, data, frame, tsUs };
    const held = d.held;
    let i = held.length;
    while (i > 0 && seqDiff(held[i - 1].seq, seq) > 0) i--;
    held.splice(i, 0, h);
    if (held.length === 1) {
      d.heldSinceUs = tsUs;
      this.holding.add(d);
    }
    d.heldBytes += len;
    c.heldBytes += len;
    c.heldSegments++;
    c.outOfOrder++;
  }

  private deliver(d: TcpStream, buf: Buffer, start: number, end: number, frame: number, tsUs: number): void {
    d.nextSeq = (d.nextSeq + (end - start)) >>> 0;
    this.counters.bytesDelivered += end - start;
    if (d.sink !== null) d.sink.onStreamData(d, buf, start, end, frame, tsUs);
  }

  /** Delivers the held segments that now continue the stream. */
  private drain(d: TcpStream): void {
    const held = d.held;
    while (held.length > 0) {
      const h = held[0];
      const rel = seqDiff(h.seq, d.nextSeq);
      if (rel > 0) break;
      held.shift();
      this.unhold(d, h);
      const skip = -rel;
      if (skip < h.data.length) {
        if (skip > 0) this.counters.overlapsTrimmed++;
        this.deliver(d, h.data, skip, h.data.length, h.frame, h.tsUs);
      } else {
        this.counters.retransmitted++;
      }
    }
    if (held.length === 0) this.holding.delete(d);
    else d.heldSinceUs = held[0].tsUs;
  }

  /**
   * Declares the holes before held data lost and delivers it: all of it (`all`), or only up to
   * the held segments that start before sequence number `ackedTo` (the peer received those bytes).
   */
  private skipGaps(d: TcpStream, all: boolean, ackedTo: number): void {
    const held = d.held;
    while (held.length > 0 && (all || seqDiff(ackedTo, held[0].seq) > 0)) {
      const rel = seqDiff(held[0].seq, d.nextSeq);
      if (rel > 0) {
        this.gap(d, rel);
        d.nextSeq = held[0].seq;
      }
      this.drain(d);
    }
  }

  private gap(d: TcpStream, bytes: number): void {
    this.counters.gaps++;
    this.counters.gapBytes += bytes;
    this.note(TcpAnomaly.StreamGap);
    d.nextSeq = (d.nextSeq + bytes) >>> 0;
    if (d.sink !== null) d.sink.onStreamGap(d);
  }

  /** The peer of the sender acknowledged up to `ack`: bytes before it that we hold after a hole are lost. */
  private onAck(p: TcpStream | null, ack: number): void {
    if (p === null || !p.started || p.held.length === 0) return;
    if (seqDiff(ack, p.held[0].seq) > 0) {
      this.skipGaps(p, false, ack);
      this.checkFin(p);
    }
  }

  /** Ends the direction once the data before its FIN is complete; the connection goes when both have. */
  private checkFin(d: TcpStream): void {
    if (d.finSeq < 0 || d.ended || !d.inTable) return;
    if (seqDiff(d.finSeq, d.nextSeq) > 0 && d.held.length > 0) return; // data still to come
    this.counters.fins++;
    this.endDirection(d);
    const p = d.peer;
    if (p !== null && p.ended) {
      this.table.remove(d);
      this.table.remove(p);
    }
  }

  private endDirection(d: TcpStream): void {
    if (d.held.length > 0) this.skipGaps(d, true, 0);
    d.ended = true;
    if (d.sink !== null) d.sink.onStreamEnd(d);
    d.user = null;
  }

  /** A new stream replaces the old one on the same direction. */
  private restart(d: TcpStream): void {
    this.counters.restarts++;
    this.dropHeld(d);
    if (!d.ended && d.sink !== null) d.sink.onStreamEnd(d);
    d.user = null;
    d.ended = false;
    d.synSeen = false;
    d.finSeq = -1;
  }

  /** FlowTable removal (evicted, expired, closed): finish the direction. */
  private finishDirection(d: TcpStream): void {
    if (!d.ended && d.started) this.endDirection(d);
    this.dropHeld(d);
  }

  private dropHeld(d: TcpStream): void {
    for (const h of d.held) this.unhold(d, h);
    d.held.length = 0;
    this.holding.delete(d);
  }

  private unhold(d: TcpStream, h: HeldSegment): void {
    d.heldBytes -= h.data.length;
    this.counters.heldBytes -= h.data.length;
    this.counters.heldSegments--;
  }

  private note(code: TcpAnomaly): void {
    if (code > this.anomaly) this.anomaly = code;
  }
}
