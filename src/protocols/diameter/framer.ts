/**
 * Diameter over TCP (RFC 6733 §2.1): the reassembled byte stream of one direction cut into
 * messages by their Message Length. Several messages per segment are cut in place (no copy);
 * a message spread over segments is copied into the direction's partial buffer and reported at
 * the frame of the segment that completes it (as Wireshark does).
 *
 * After a gap (bytes the capture lost), at a stream joined mid-connection, or when a header is
 * invalid where a message should start, the framer resynchronises: it scans for a strict header
 * (version 1, length a multiple of 4, reserved flags zero, no E bit on a request, sound first
 * AVP) whose AVPs tile the whole message, and only then trusts the stream again. A message longer
 * than maxMessageBytes is skipped without buffering (its length is known). Partial buffers are
 * bounded per direction and in total; every drop is counted.
 */
import type { TcpStream, TcpStreamSink } from '../../net/tcpStreams';
import { DIAMETER_HEADER_LEN, DiameterAnomaly } from './constants';
import { diameterAvpsTile, diameterHeaderLength } from './decode';

export interface DiameterFramerLimits {
  /** Longest message buffered; longer ones are skipped (counted). */
  maxMessageBytes: number;
  /** Partial-message bytes buffered over all directions. */
  maxPartialBytesTotal: number;
}

export const DEFAULT_DIAMETER_FRAMER_LIMITS: DiameterFramerLimits = {
  maxMessageBytes: 1024 * 1024,
  maxPartialBytesTotal: 64 * 1024 * 1024,
};

/** A partial buffer above this capacity is released once empty. */
const KEEP_CAPACITY = 64 * 1024;

/** Where framed messages go. */
export interface DiameterFrameSink {
  /** One whole message [start, end) of buf (valid during the call only). */
  onFrame(dir: TcpStream, buf: Buffer, start: number, end: number, frame: number, tsUs: number): void;
  /** A framing anomaly (DiameterAnomaly: StreamResync, MessageTooLarge, PartialDropped). */
  onFramerAnomaly(code: number): void;
}

export interface DiameterFramerCounters {
  messages: number;
  /** Times the framer lost step (bad header in step, gap, mid-stream start) and scanned. */
  resyncs: number;
  /** Octets passed over while scanning or skipping oversized messages. */
  bytesSkipped: number;
  tooLarge: number;
  partialDropped: number;
  /** Gauge: bytes held in partial buffers now. */
  partialBytes: number;
}

/** Per-direction framing state (kept in TcpStream.user). */
class FramerState {
  buf: Buffer | null = null;
  /** Bytes held in buf (a message head or, while scanning, a candidate / a short tail). */
  len = 0;
  /** In step: the next byte starts a message. */
  synced = true;
  /** Bytes still to pass over (an oversized message). */
  skip = 0;
}

export class DiameterFramer implements TcpStreamSink {
  readonly counters: DiameterFramerCounters = { messages: 0, resyncs: 0, bytesSkipped: 0, tooLarge: 0, partialDropped: 0, partialBytes: 0 };

  constructor(private readonly sink: DiameterFrameSink, readonly limits: DiameterFramerLimits = DEFAULT_DIAMETER_FRAMER_LIMITS) {}

  onStreamData(dir: TcpStream, buf: Buffer, start: number, end: number, frame: number, tsUs: number): void {
    let st = dir.user as FramerState | null;
    if (st === null) {
      st = new FramerState();
      dir.user = st;
    }
    let pos = start;
    // Complete what is buffered first, taking no more bytes than it needs.
    while (st.len > 0 && pos < end) {
      const want = this.wanted(st, end - pos);
      const n = want < end - pos ? want : end - pos;
      if (!this.append(st, buf, pos, pos + n)) break;
      pos += n;
      const c = this.parse(st, dir, st.buf as Buffer, 0, st.len, frame, tsUs);
      this.consume(st, c);
    }
    if (pos < end) {
      const c = this.parse(st, dir, buf, pos, end, frame, tsUs);
      if (c < end) this.append(st, buf, c, end);
    }
  }

  onStreamGap(dir: TcpStream): void {
    let st = dir.user as FramerState | null;
    if (st === null) {
      // A stream joined mid-connection: scan for the first message.
      st = new FramerState();
      dir.user = st;
    } else {
      this.dropPartial(st);
      if (st.synced) this.counters.resyncs++;
    }
    st.synced = false;
    st.skip = 0;
  }

  onStreamEnd(dir: TcpStream): void {
    const st = dir.user as FramerState | null;
    if (st === null) return;
    this.dropPartial(st);
    st.buf = null;
    dir.user = null;
  }

  /** Bytes the partial buffer needs next (avail: bytes left in the segment). */
  private wanted(st: FramerState, avail: number): number {
    if (st.len < DIAMETER_HEADER_LEN) return st.synced ? DIAMETER_HEADER_LEN - st.len : avail;
    const len = diameterHeaderLength(st.buf as Buffer, 0, st.len, !st.synced);
    return len > st.len ? len - st.len : avail;
  }

  /**
   * Cuts the messages of [pos, end) of buf; returns where the unparsed rest starts (a message
   * head, a candidate while scanning, or fewer than 20 octets), to be kept for the next segment.
   */
  private parse(st: FramerState, dir: TcpStream, buf: Buffer, pos: number, end: number, frame: number, tsUs: number): number {
    const max = this.limits.maxMessageBytes;
    const c = this.counters;
    while (pos < end) {
      if (st.skip > 0) {
        const n = st.skip < end - pos ? st.skip : end - pos;
        st.skip -= n;
        pos += n;
        c.bytesSkipped += n;
        continue;
      }
      if (end - pos < DIAMETER_HEADER_LEN) return pos;
      let len: number;
      if (st.synced) {
        len = diameterHeaderLength(buf, pos, end, false);
        if (len < 0) {
          c.resyncs++;
          this.sink.onFramerAnomaly(DiameterAnomaly.StreamResync);
          st.synced = false;
          continue;
        }
        if (len > max) {
          c.tooLarge++;
          this.sink.onFramerAnomaly(DiameterAnomaly.MessageTooLarge);
          st.skip = len;
          continue;
        }
      } else {
        len = diameterHeaderLength(buf, pos, end, true);
        if (len < 0 || len > max || !diameterAvpsTile(buf, pos, len, end)) {
          pos++;
          c.bytesSkipped++;
          continue;
        }
        if (end - pos < len) return pos; // a candidate: wait for all of it
        st.synced = true;
      }
      if (end - pos < len) return pos;
      c.messages++;
      this.sink.onFrame(dir, buf, pos, pos + len, frame, tsUs);
      pos += len;
    }
    return pos;
  }

  /** Appends [start, end) of buf to the partial buffer; false (and the partial dropped) over a bound. */
  private append(st: FramerState, buf: Buffer, start: number, end: number): boolean {
    const n = end - start;
    const need = st.len + n;
    const l = this.limits;
    if (need > l.maxMessageBytes + KEEP_CAPACITY || this.counters.partialBytes + n > l.maxPartialBytesTotal) {
      // What is held and these bytes are lost: count one drop, scan from the next data.
      this.counters.partialDropped++;
      this.counters.partialBytes -= st.len;
      this.sink.onFramerAnomaly(DiameterAnomaly.PartialDropped);
      st.len = 0;
      st.synced = false;
      return false;
    }
    let b = st.buf;
    if (b === null || b.length < need) {
      const grown = Buffer.allocUnsafe(Math.max(need, b === null ? 256 : Math.min(b.length * 2, l.maxMessageBytes + KEEP_CAPACITY)));
      if (b !== null && st.len > 0) b.copy(grown, 0, 0, st.len);
      st.buf = b = grown;
    }
    buf.copy(b, st.len, start, end);
    st.len = need;
    this.counters.partialBytes += n;
    return true;
  }

  /** The first c bytes of the partial buffer were used. */
  private consume(st: FramerState, c: number): void {
    if (c <= 0) return;
    const b = st.buf as Buffer;
    if (c < st.len) b.copyWithin(0, c, st.len);
    st.len -= c;
    this.counters.partialBytes -= c;
    if (st.len === 0 && b.length > KEEP_CAPACITY) st.buf = null;
  }

  private dropPartial(st: FramerState): void {
    if (st.len === 0) return;
    this.counters.partialDropped++;
    this.counters.partialBytes -= st.len;
    this.sink.onFramerAnomaly(DiameterAnomaly.PartialDropped);
    st.len = 0;
    if (st.buf !== null && st.buf.length > KEEP_CAPACITY) st.buf = null;
  }
}
