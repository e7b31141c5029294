import { describe, expect, it } from 'vitest';
import { decodeTcp, TcpAnomaly } from '../../src/net/tcp';
import { TcpStreams, DEFAULT_TCP_LIMITS, TcpStream } from '../../src/net/tcpStreams';
import type { TcpStreamLimits, TcpStreamSink } from '../../src/net/tcpStreams';
import { createIpView, createTcpView } from '../../src/net/types';
import { tcpSegment, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../helpers/ipCapture';
import { Prng } from '../helpers/mutationFuzz';

/** Records what the reassembly hands over, per direction key. */
class Collector implements TcpStreamSink {
  readonly events: string[] = [];
  readonly bytes = new Map<number, number[]>();
  readonly frames: number[] = [];
  onStreamData(dir: TcpStream, buf: Buffer, start: number, end: number, frame: number): void {
    this.events.push(`${dir.key}:${buf.toString('latin1', start, end)}@${frame}`);
    const a = this.bytes.get(dir.key) ?? [];
    for (let i = start; i < end; i++) a.push(buf[i]);
    this.bytes.set(dir.key, a);
    this.frames.push(frame);
  }
  onStreamGap(dir: TcpStream): void {
    this.events.push(`${dir.key}:gap`);
  }
  onStreamEnd(dir: TcpStream): void {
    this.events.push(`${dir.key}:end`);
  }
}

const C = 0x0a000001; // 10.0.0.1:40000 client
const S = 0x0a000002; // 10.0.0.2:3868 server

/** Feeds segments of one connection into a TcpStreams. */
class Wire {
  frame = 0;
  ts = 1_000_000;
  readonly sink = new Collector();
  constructor(readonly streams = new TcpStreams()) {}

  seg(fromClient: boolean, seq: number, ack: number, flags: number, payload = '', dtUs = 1000, ports: [number, number] = [40000, 3868]): number {
    const raw = tcpSegment(
      { sport: fromClient ? ports[0] : ports[1], dport: fromClient ? ports[1] : ports[0], seq: seq >>> 0, ack: ack >>> 0, flags },
      Buffer.from(payload, 'latin1'),
    );
    const ip = createIpView();
    ip.version = 4;
    ip.src4 = fromClient ? C : S;
    ip.dst4 = fromClient ? S : C;
    ip.buf = raw;
    ip.start = 0;
    ip.end = raw.length;
    const t = createTcpView();
    expect(decodeTcp(raw, 0, raw.length, t)).toBe(0);
    this.ts += dtUs;
    return this.streams.onSegment(ip, t, this.sink, ++this.frame, this.ts);
  }

  /** Client ISN 100, server ISN 900: SYN, SYN-ACK, ACK (frames 1-3). */
  handshake(): void {
    this.seg(true, 100, 0, TCP_SYN);
    this.seg(false, 900, 101, TCP_SYN | TCP_ACK);
    this.seg(true, 101, 901, TCP_ACK);
  }

  text(key: number): string {
    return Buffer.from(this.sink.bytes.get(key) ?? []).toString('latin1');
  }
}

const DATA = TCP_PSH | TCP_ACK;

describe('TcpStreams: in-order delivery', () => {
  it('delivers both directions after the handshake, with the frame of each segment', () => {
    const w = new Wire();
    w.handshake();
    w.seg(true, 101, 901, DATA, 'hello');
    w.seg(false, 901, 106, DATA, 'world');
    w.seg(true, 106, 906, DATA, '!!');
    expect(w.sink.events).toEqual(['1:hello@4', '2:world@5', '1:!!@6']);
    expect(w.streams.counters.bytesDelivered).toBe(12);
    expect(w.streams.table.counters.created).toBe(2);
  });

  it('joins a connection without its handshake at the first data segment (onStreamGap first)', () => {
    const w = new Wire();
    w.seg(true, 5000, 77, DATA, 'abc');
    w.seg(true, 5003, 77, DATA, 'def');
    expect(w.sink.events).toEqual(['1:gap', '1:abc@1', '1:def@2']);
    expect(w.streams.counters.midstreamStarts).toBe(1);
  });

  it('sequence numbers wrap at 2^32', () => {
    const w = new Wire();
    w.seg(true, 0xfffffffd, 0, TCP_SYN);
    w.seg(true, 0xfffffffe, 0, DATA, 'ab');
    w.seg(true, 0, 0, DATA, 'cd');
    w.seg(true, 2, 0, DATA, 'ef');
    expect(w.text(1)).toBe('abcdef');
  });
});

describe('TcpStreams: retransmissions, overlaps, reordering', () => {
  it('drops a retransmitted segment and trims an overlapping one', () => {
    const w = new Wire();
    w.handshake();
    w.seg(true, 101, 901, DATA, 'abcd');
    w.seg(true, 101, 901, DATA, 'abcd'); // retransmission
    w.seg(true, 103, 901, DATA, 'cdefgh'); // overlaps 2 octets
    expect(w.text(1)).toBe('abcdefgh');
    expect(w.streams.counters.retransmitted).toBe(1);
    expect(w.streams.counters.overlapsTrimmed).toBe(1);
  });

  it('holds out-of-order segments and delivers them in order, each at its own frame', () => {
    const w = new Wire();
    w.handshake();
    w.seg(true, 105, 901, DATA, 'efgh'); // frame 4, early
    w.seg(true, 109, 901, DATA, 'ijkl'); // frame 5, early
    expect(w.streams.counters.heldBytes).toBe(8);
    w.seg(true, 101, 901, DATA, 'abcd'); // frame 6 fills the hole
    expect(w.sink.events).toEqual(['1:abcd@6', '1:efgh@4', '1:ijkl@5']);
    expect(w.streams.counters.outOfOrder).toBe(2);
    expect(w.streams.counters.heldBytes).toBe(0);
    expect(w.streams.counters.heldSegments).toBe(0);
  });

  it('held segments overlapping each other or the delivered data are trimmed', () => {
    const w = new Wire();
    w.handshake();
    w.seg(true, 103, 901, DATA, 'cdef');
    w.seg(true, 105, 901, DATA, 'efgh');
    w.seg(true, 105, 901, DATA, 'efgh'); // the same held twice
    w.seg(true, 101, 901, DATA, 'abcd');
    expect(w.text(1)).toBe('abcdefgh');
  });
});

describe('TcpStreams: missing segments', () => {
  it('a hole the peer has acknowledged is lost: gap, then the held data — before the acknowledging segment', () => {
    const w = new Wire();
    w.handshake();
    w.seg(true, 101, 901, DATA, 'req1'); // 101..105
    // 105..109 'req2' never captured
    w.seg(true, 109, 901, DATA, 'req3'); // held
    expect(w.sink.events).toEqual(['1:req1@4']);
    w.seg(false, 901, 113, DATA, 'ans3'); // the server got everything up to 113
    expect(w.sink.events).toEqual(['1:req1@4', '1:gap', '1:req3@5', '2:ans3@6']);
    expect(w.streams.counters.gaps).toBe(1);
    expect(w.streams.counters.gapBytes).toBe(4);
  });

  it('an acknowledgment short of the held data does not skip the hole', () => {
    const w = new Wire();
    w.handshake();
    w.seg(true, 105, 901, DATA, 'efgh');
    w.seg(false, 901, 105, TCP_ACK); // acks up to the hole only
    expect(w.sink.events).toEqual([]);
    w.seg(true, 101, 901, DATA, 'abcd');
    expect(w.text(1)).toBe('abcdefgh');
    expect(w.streams.counters.gaps).toBe(0);
  });

  it('held data older than reorderTimeoutUs is delivered after a gap by expire()', () => {
    const w = new Wire(new TcpStreams({ ...DEFAULT_TCP_LIMITS, reorderTimeoutUs: 50_000 }));
    w.handshake();
    w.seg(true, 105, 901, DATA, 'efgh');
    w.streams.expire(w.ts + 10_000);
    expect(w.sink.events).toEqual([]);
    w.streams.expire(w.ts + 50_000);
    expect(w.sink.events).toEqual(['1:gap', '1:efgh@4']);
  });

  it('per-direction bound: over it, the held data and the new segment go out after gaps', () => {
    const limits: TcpStreamLimits = { ...DEFAULT_TCP_LIMITS, maxBufferedBytesPerDirection: 10 };
    const w = new Wire(new TcpStreams(limits));
    w.handshake();
    expect(w.seg(true, 105, 901, DATA, 'efgh')).toBe(0);
    expect(w.seg(true, 109, 901, DATA, 'ijkl')).toBe(0); // 8 held
    expect(w.seg(true, 117, 901, DATA, 'qrst')).toBe(TcpAnomaly.StreamOverflow);
    expect(w.sink.events).toEqual(['1:gap', '1:efgh@4', '1:ijkl@5', '1:gap', '1:qrst@6']);
    expect(w.streams.counters.overflows).toBe(1);
    expect(w.streams.counters.heldBytes).toBe(0);
    // A segment whose hole alone exceeds the bound can never be filled in: delivered at once.
    expect(w.seg(true, 141, 901, DATA, 'zz')).toBe(TcpAnomaly.StreamOverflow);
    expect(w.sink.events.slice(-2)).toEqual(['1:gap', '1:zz@7']);
  });

  it('total bound over all connections', () => {
    const w = new Wire(new TcpStreams({ ...DEFAULT_TCP_LIMITS, maxTotalBytes: 6 }));
    w.handshake();
    w.seg(true, 105, 901, DATA, 'efgh');
    w.seg(false, 905, 101, DATA, 'EFGH', 1000); // would make 8 held octets in total
    expect(w.streams.counters.overflows).toBe(1);
    expect(w.streams.counters.heldBytes).toBe(4);
  });

  it('a jump far beyond the window is another stream on the same ports: restart', () => {
    const w = new Wire();
    w.handshake();
    w.seg(true, 101, 901, DATA, 'old');
    expect(w.seg(true, 101 + 200_000_000, 901, DATA, 'new')).toBe(TcpAnomaly.StreamRestart);
    expect(w.sink.events).toEqual(['1:old@4', '1:end', '1:gap', '1:new@5']);
    expect(w.streams.counters.restarts).toBe(1);
  });
});

describe('TcpStreams: end of connections and limits', () => {
  it('FIN in both directions ends both and removes the connection', () => {
    const w = new Wire();
    w.handshake();
    w.seg(true, 101, 901, DATA | TCP_FIN, 'bye');
    w.seg(false, 901, 105, TCP_FIN | TCP_ACK);
    expect(w.sink.events).toEqual(['1:bye@4', '1:end', '2:end']);
    expect(w.streams.table.counters).toMatchObject({ closed: 2, active: 0 });
    expect(w.streams.counters.fins).toBe(2);
    // A late retransmission creates nothing new that matters: it is a new mid-stream direction.
    w.seg(true, 101, 901, TCP_ACK); // pure ACK of an unknown connection: ignored
    expect(w.streams.table.counters.active).toBe(0);
  });

  it('FIN with data still missing waits for it', () => {
    const w = new Wire();
    w.handshake();
    w.seg(true, 105, 901, DATA | TCP_FIN, 'efgh'); // FIN after a hole
    expect(w.sink.events).toEqual([]);
    w.seg(true, 101, 901, DATA, 'abcd');
    expect(w.sink.events).toEqual(['1:abcd@5', '1:efgh@4', '1:end']);
  });

  it('RST ends both directions at once', () => {
    const w = new Wire();
    w.handshake();
    w.seg(true, 101, 901, DATA, 'x');
    w.seg(false, 901, 102, TCP_RST | TCP_ACK);
    expect(w.sink.events.slice(0, 1)).toEqual(['1:x@4']);
    expect(w.sink.events.slice(1).sort()).toEqual(['1:end', '2:end']);
    expect(w.streams.counters.resets).toBe(1);
    expect(w.streams.table.counters.active).toBe(0);
  });

  it('a new SYN with another ISN on a known 4-tuple restarts the direction', () => {
    const w = new Wire();
    w.handshake();
    w.seg(true, 101, 901, DATA, 'one');
    w.seg(true, 100, 0, TCP_SYN); // retransmitted SYN: nothing happens
    w.seg(true, 7000, 0, TCP_SYN);
    w.seg(true, 7001, 0, DATA, 'two');
    expect(w.sink.events).toEqual(['1:one@4', '1:end', '1:two@7']);
  });

  it('maxConnections: the least recently used connection is evicted (its directions end)', () => {
    const w = new Wire(new TcpStreams({ ...DEFAULT_TCP_LIMITS, maxConnections: 1 }));
    w.seg(true, 1, 0, DATA, 'a', 1000, [40001, 3868]);
    w.seg(false, 1, 2, DATA, 'b', 1000, [40001, 3868]);
    w.seg(true, 1, 0, DATA, 'c', 1000, [40002, 3868]); // a second connection: the first goes
    expect(w.streams.table.counters.evicted).toBe(1);
    expect(w.sink.events).toContain('1:end');
    expect(w.streams.table.counters.active).toBe(2);
  });

  it('idle directions expire in packet time', () => {
    const w = new Wire(new TcpStreams({ ...DEFAULT_TCP_LIMITS, idleTimeoutUs: 10_000 }));
    w.handshake();
    w.seg(true, 101, 901, DATA, 'a');
    // Each direction has its own clock: the server's (last seen at its SYN-ACK, 3 ms before
    // the client's data) goes first.
    w.streams.expire(w.ts + 9_999);
    expect(w.streams.table.counters).toMatchObject({ expired: 1, active: 1 });
    expect(w.sink.events).toEqual(['1:a@4', '2:end']);
    w.streams.expire(w.ts + 10_000);
    expect(w.streams.table.counters).toMatchObject({ expired: 2, active: 0 });
    expect(w.sink.events.filter((e) => e.endsWith(':end')).length).toBe(2);
  });

  it('flush() ends every direction, delivering held data after its gap', () => {
    const w = new Wire();
    w.handshake();
    w.seg(true, 105, 901, DATA, 'efgh');
    w.streams.flush();
    expect(w.sink.events.filter((e) => e.startsWith('1:'))).toEqual(['1:gap', '1:efgh@4', '1:end']);
    expect(w.sink.events).toContain('2:end');
  });
});

describe('TcpStreams: randomised segmentation', () => {
  it('any split, order and duplication of a stream delivers it exactly once, in order', () => {
    const rng = new Prng(0x7cb);
    for (let round = 0; round < 300; round++) {
      const w = new Wire();
      const isn = rng.u32();
      const stream = rng.bytes(1 + rng.int(3000));
      w.seg(true, isn, 0, TCP_SYN);
      const segs: [number, number][] = [];
      for (let o = 0; o < stream.length; ) {
        const n = 1 + rng.int(200);
        segs.push([o, Math.min(stream.length, o + n)]);
        o += n;
      }
      // Local reordering (a mirror port's), and duplicates, with overlapping re-cuts.
      const order = segs.slice();
      for (let i = 0; i < order.length; i++) {
        const j = Math.min(order.length - 1, i + rng.int(4));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const [a, b] of order) {
        w.seg(true, isn + 1 + a, 0, DATA, stream.toString('latin1', a, b));
        if (rng.int(5) === 0) {
          const a2 = Math.max(0, a - rng.int(50));
          w.seg(true, isn + 1 + a2, 0, DATA, stream.toString('latin1', a2, b));
        }
      }
      expect(w.text(1)).toBe(stream.toString('latin1'));
      expect(w.sink.events.includes('1:gap')).toBe(false);
      expect(w.streams.counters.heldBytes).toBe(0);
    }
  });

  it('with losses: what is delivered between gaps is a piece of the stream, in order; bounds hold', () => {
    const rng = new Prng(0x7cc);
    const limits: TcpStreamLimits = { ...DEFAULT_TCP_LIMITS, maxBufferedBytesPerDirection: 2048 };
    for (let round = 0; round < 200; round++) {
      const w = new Wire(new TcpStreams(limits));
      const stream = rng.bytes(500 + rng.int(6000));
      const isn = rng.u32();
      w.seg(true, isn, 0, TCP_SYN);
      let lastEnd = 0;
      for (let o = 0; o < stream.length; ) {
        const n = 1 + rng.int(300);
        const e = Math.min(stream.length, o + n);
        if (rng.int(6) !== 0) w.seg(true, isn + 1 + o, 0, DATA, stream.toString('latin1', o, e));
        if (rng.int(4) === 0) w.seg(false, 1, isn + 1 + lastEnd, TCP_ACK); // the receiver acknowledges
        lastEnd = e;
        o = e;
        expect(w.streams.counters.heldBytes).toBeLessThanOrEqual(2048);
      }
      w.streams.flush();
      const s = stream.toString('latin1');
      let pos = 0;
      let piece = '';
      for (const ev of w.sink.events) {
        if (ev.endsWith(':gap') || ev.endsWith(':end')) {
          const at = s.indexOf(piece, pos);
          expect(at).toBeGreaterThanOrEqual(pos);
          pos = at + piece.length;
          piece = '';
        } else {
          piece += ev.slice(ev.indexOf(':') + 1, ev.lastIndexOf('@'));
        }
      }
      expect(w.streams.counters.heldBytes).toBe(0);
    }
  });

  it('random segments and flags never throw and keep the table bounded', () => {
    const rng = new Prng(0x7cd);
    const streams = new TcpStreams({ ...DEFAULT_TCP_LIMITS, maxConnections: 8, maxBufferedBytesPerDirection: 4096, maxTotalBytes: 16384 });
    const w = new Wire(streams);
    for (let i = 0; i < 50_000; i++) {
      const code = w.seg(rng.int(2) === 0, rng.int(4) === 0 ? rng.u32() : rng.int(20_000), rng.u32(), rng.u32() & 0xff, 'x'.repeat(rng.int(40)), rng.int(3000), [40000 + rng.int(10), 3868]);
      expect(code >= 0 && code <= TcpAnomaly.StreamRestart).toBe(true);
      if (i % 1000 === 0) streams.expire(w.ts);
      expect(streams.table.counters.active).toBeLessThanOrEqual(16);
      expect(streams.counters.heldBytes).toBeLessThanOrEqual(16384);
    }
    streams.flush();
    expect(streams.table.counters.active).toBe(0);
    expect(streams.counters.heldBytes).toBe(0);
  });
});
