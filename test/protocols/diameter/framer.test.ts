import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DiameterFramer, DEFAULT_DIAMETER_FRAMER_LIMITS } from '../../../src/protocols/diameter/framer';
import type { DiameterFrameSink, DiameterFramerLimits } from '../../../src/protocols/diameter/framer';
import { DiameterAnomaly } from '../../../src/protocols/diameter/constants';
import { diameterHeaderLength } from '../../../src/protocols/diameter/decode';
import { TcpStream } from '../../../src/net/tcpStreams';
import { air, baseAnswer, baseRequest, s6aAnswer, ulr } from '../../helpers/diameterBuild';
import { readPcapRecords } from '../../helpers/pcapRecords';
import { CAPTURES } from '../../helpers/oracle';
import { Prng } from '../../helpers/mutationFuzz';

class Sink implements DiameterFrameSink {
  readonly msgs: { hex: string; frame: number }[] = [];
  readonly anomalies: number[] = [];
  onFrame(_dir: TcpStream, buf: Buffer, start: number, end: number, frame: number): void {
    this.msgs.push({ hex: buf.toString('hex', start, end), frame });
  }
  onFramerAnomaly(code: number): void {
    this.anomalies.push(code);
  }
}

function setup(limits: Partial<DiameterFramerLimits> = {}) {
  const sink = new Sink();
  const framer = new DiameterFramer(sink, { ...DEFAULT_DIAMETER_FRAMER_LIMITS, ...limits });
  const dir = new TcpStream();
  return { sink, framer, dir };
}

const M1 = ulr({ hbh: 1, e2e: 11, imsi: '001010000000001' });
const M2 = s6aAnswer(316, { hbh: 1, e2e: 11, code: 2001 });
const M3 = air({ hbh: 2, e2e: 12 });
const STREAM = Buffer.concat([M1, M2, M3]);
const hexes = [M1, M2, M3].map((m) => m.toString('hex'));

describe('DiameterFramer: cutting the stream', () => {
  it('several messages in one segment, cut in place', () => {
    const { sink, framer, dir } = setup();
    framer.onStreamData(dir, STREAM, 0, STREAM.length, 7, 0);
    expect(sink.msgs).toEqual(hexes.map((hex) => ({ hex, frame: 7 })));
    expect(framer.counters.partialBytes).toBe(0);
  });

  it('split at every byte boundary: the same messages, each at the frame that completes it', () => {
    for (let i = 1; i < STREAM.length; i++) {
      const { sink, framer, dir } = setup();
      framer.onStreamData(dir, STREAM, 0, i, 1, 0);
      framer.onStreamData(dir, STREAM, i, STREAM.length, 2, 0);
      expect(sink.msgs.map((m) => m.hex)).toEqual(hexes);
      const ends = [M1.length, M1.length + M2.length, STREAM.length];
      expect(sink.msgs.map((m) => m.frame)).toEqual(ends.map((e) => (e <= i ? 1 : 2)));
      expect(sink.anomalies).toEqual([]);
      expect(framer.counters.partialBytes).toBe(0);
    }
  });

  it('split in three at every pair of boundaries (two messages)', () => {
    const s = Buffer.concat([baseRequest(280, 5, 6), baseAnswer(280, 5, 6)]);
    const want = [baseRequest(280, 5, 6).toString('hex'), baseAnswer(280, 5, 6).toString('hex')];
    for (let i = 1; i < s.length; i++) {
      for (let j = i; j < s.length; j++) {
        const { sink, framer, dir } = setup();
        framer.onStreamData(dir, s, 0, i, 1, 0);
        framer.onStreamData(dir, s, i, j, 2, 0);
        framer.onStreamData(dir, s, j, s.length, 3, 0);
        expect(sink.msgs.map((m) => m.hex)).toEqual(want);
      }
    }
  });

  it('one byte per segment', () => {
    const { sink, framer, dir } = setup();
    for (let i = 0; i < STREAM.length; i++) framer.onStreamData(dir, STREAM, i, i + 1, i + 1, 0);
    expect(sink.msgs.map((m) => m.hex)).toEqual(hexes);
    expect(sink.msgs.map((m) => m.frame)).toEqual([M1.length, M1.length + M2.length, STREAM.length]);
  });

  it('the data buffer may be reused by the caller after each call (partials are copied)', () => {
    const { sink, framer, dir } = setup();
    const scratch = Buffer.alloc(STREAM.length);
    for (const [a, b] of [[0, 50], [50, 200], [200, STREAM.length]]) {
      STREAM.copy(scratch, 0, a, b);
      framer.onStreamData(dir, scratch, 0, b - a, 1, 0);
      scratch.fill(0xee);
    }
    expect(sink.msgs.map((m) => m.hex)).toEqual(hexes);
  });
});

describe('DiameterFramer: resynchronisation', () => {
  it('after a gap: the partial message is dropped and the next valid header found', () => {
    const { sink, framer, dir } = setup();
    framer.onStreamData(dir, STREAM, 0, 100, 1, 0); // half of M1
    framer.onStreamGap(dir);
    expect(sink.anomalies).toEqual([DiameterAnomaly.PartialDropped]);
    // The stream resumes in the middle of M1 (its tail), then M2, M3.
    framer.onStreamData(dir, STREAM, 150, STREAM.length, 2, 0);
    expect(sink.msgs.map((m) => m.hex)).toEqual(hexes.slice(1));
    expect(framer.counters.bytesSkipped).toBe(M1.length - 150);
    expect(framer.counters.resyncs).toBe(1);
  });

  it('a stream joined mid-connection starts scanning without an anomaly', () => {
    const { sink, framer, dir } = setup();
    framer.onStreamGap(dir);
    framer.onStreamData(dir, STREAM, 37, 120, 1, 0);
    framer.onStreamData(dir, STREAM, 120, STREAM.length, 2, 0);
    expect(sink.msgs.map((m) => m.hex)).toEqual(hexes.slice(1));
    expect(sink.anomalies).toEqual([]);
  });

  it('an invalid header in step: StreamResync, then the next message', () => {
    const { sink, framer, dir } = setup();
    const junk = Buffer.concat([Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), M2, M3]);
    framer.onStreamData(dir, junk, 0, junk.length, 1, 0);
    expect(sink.msgs.map((m) => m.hex)).toEqual(hexes.slice(1));
    expect(sink.anomalies).toEqual([DiameterAnomaly.StreamResync]);
  });

  it('joined at every offset of genuine freeDiameter traffic: only true messages come out', () => {
    // The client → peer1 direction of peers/diameter-freediameter-s6a.pcapng (tshark: 48799 → 3868).
    const recs = readPcapRecords(join(CAPTURES, '../captures/peers/diameter-freediameter-s6a.pcapng'));
    const parts: Buffer[] = [];
    for (const r of recs) {
      const d = r.data;
      const ihl = (d[14] & 15) * 4;
      const tcp = 14 + ihl;
      if (d.readUInt16BE(tcp) !== 48799) continue;
      const payload = d.subarray(tcp + (d[tcp + 12] >> 4) * 4, 14 + d.readUInt16BE(16));
      if (payload.length > 0) parts.push(payload);
    }
    const stream = Buffer.concat(parts);
    // The message boundaries, read by walking the lengths from the start.
    const starts: number[] = [];
    for (let o = 0; o < stream.length; o += diameterHeaderLength(stream, o, stream.length, false)) starts.push(o);
    expect(starts.length).toBe(36); // tshark -Y 'diameter && tcp.srcport==48799': 36 messages
    for (let k = 0; k < stream.length; k += 3) {
      const { sink, framer, dir } = setup();
      framer.onStreamGap(dir);
      for (let o = k; o < stream.length; o += 1448) framer.onStreamData(dir, stream, o, Math.min(stream.length, o + 1448), 1, 0);
      const want = starts.filter((s) => s >= k).map((s, i, a) => stream.toString('hex', s, i + 1 < a.length ? a[i + 1] : stream.length));
      expect(sink.msgs.map((m) => m.hex)).toEqual(want);
    }
  });
});

describe('DiameterFramer: bounds', () => {
  it('a message over maxMessageBytes is skipped without buffering, the next one is framed', () => {
    const { sink, framer, dir } = setup({ maxMessageBytes: 150 });
    framer.onStreamData(dir, STREAM, 0, 100, 1, 0);
    framer.onStreamData(dir, STREAM, 100, STREAM.length, 2, 0);
    // M1 (> 150 octets) and M3 (> 150) are skipped; M2 fits.
    expect(M1.length).toBeGreaterThan(150);
    expect(M2.length).toBeLessThanOrEqual(150);
    expect(sink.msgs.map((m) => m.hex)).toEqual(M3.length > 150 ? [hexes[1]] : hexes.slice(1));
    expect(sink.anomalies.filter((a) => a === DiameterAnomaly.MessageTooLarge).length).toBe(M3.length > 150 ? 2 : 1);
    expect(framer.counters.partialBytes).toBe(0);
  });

  it('partial bytes over the total bound are dropped (PartialDropped) and the stream resynchronises', () => {
    const { sink, framer, dir } = setup({ maxPartialBytesTotal: 64 });
    const other = new TcpStream();
    framer.onStreamData(other, M1, 0, 60, 1, 0); // 60 held for another direction
    framer.onStreamData(dir, M3, 0, 30, 2, 0); // would make 90
    expect(sink.anomalies).toContain(DiameterAnomaly.PartialDropped);
    expect(framer.counters.partialBytes).toBeLessThanOrEqual(64);
    framer.onStreamEnd(other);
    framer.onStreamData(dir, STREAM, 0, STREAM.length, 3, 0);
    expect(sink.msgs.length).toBeGreaterThan(0);
    framer.onStreamEnd(dir);
    expect(framer.counters.partialBytes).toBe(0);
  });

  it('onStreamEnd releases the direction (a partial message is counted)', () => {
    const { sink, framer, dir } = setup();
    framer.onStreamData(dir, M1, 0, 40, 1, 0);
    expect(framer.counters.partialBytes).toBe(40);
    framer.onStreamEnd(dir);
    expect(dir.user).toBeNull();
    expect(framer.counters.partialBytes).toBe(0);
    expect(sink.anomalies).toEqual([DiameterAnomaly.PartialDropped]);
  });

  it('random streams, splits, gaps and noise: never throws, only plausible messages, bounded buffers', () => {
    const rng = new Prng(0xf4a);
    const { sink, framer } = setup({ maxMessageBytes: 4096, maxPartialBytesTotal: 32768 });
    const pool = [M1, M2, M3, baseRequest(257, 1, 2), baseAnswer(257, 1, 2)];
    const dirs = [new TcpStream(), new TcpStream(), new TcpStream()];
    for (let round = 0; round < 3000; round++) {
      const parts: Buffer[] = [];
      for (let k = rng.int(6); k >= 0; k--) parts.push(rng.int(5) === 0 ? rng.bytes(rng.int(200)) : rng.pick(pool));
      const s = Buffer.concat(parts);
      const dir = rng.pick(dirs);
      for (let o = 0; o < s.length; ) {
        const n = 1 + rng.int(300);
        framer.onStreamData(dir, s, o, Math.min(s.length, o + n), round, 0);
        if (rng.int(20) === 0) framer.onStreamGap(dir);
        o += n;
      }
      if (rng.int(10) === 0) framer.onStreamEnd(dir);
      expect(framer.counters.partialBytes).toBeLessThanOrEqual(32768);
    }
    for (const m of sink.msgs) {
      const b = Buffer.from(m.hex, 'hex');
      expect(diameterHeaderLength(b, 0, b.length, false)).toBe(b.length);
    }
    expect(sink.msgs.length).toBeGreaterThan(3000);
    for (const d of dirs) framer.onStreamEnd(d);
    expect(framer.counters.partialBytes).toBe(0);
  });
});
