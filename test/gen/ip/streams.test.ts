/**
 * Transport invariants of generated Diameter captures, checked by parsing the packets directly
 * (no tshark): per TCP connection and direction the sequence numbers are continuous, no segment
 * acknowledges octets the peer has not sent in an earlier frame, and the byte stream is exactly a
 * run of whole Diameter messages, the truth's request frame being the segment with a message's
 * last octet; per SCTP association the TSNs are continuous and B..E fragments rebuild whole
 * Diameter messages (PPID 46).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../../src/gen';
import { readPcapRecords } from '../../helpers/pcapRecords';
import { readTruth } from '../helpers';

const DIR = mkdtempSync(join(tmpdir(), 'sigprobe-gen-streams-'));

interface Seg {
  frame: number;
  key: string;
  rev: string;
  seq: number;
  ack: number | null;
  syn: boolean;
  data: Buffer;
}

/** Ethernet + IPv4 + TCP / SCTP (the generator writes no options beyond MSS, no IP fragments here) */
function parse(file: string): { tcp: Seg[]; sctp: { frame: number; key: string; chunks: { tsn: number; flags: number; ppid: number; data: Buffer }[] }[] } {
  const tcp: Seg[] = [];
  const sctp: { frame: number; key: string; chunks: { tsn: number; flags: number; ppid: number; data: Buffer }[] }[] = [];
  readPcapRecords(file).forEach((r, i) => {
    const d = r.data;
    expect(d.readUInt16BE(12)).toBe(0x0800);
    const ip = 14;
    const ihl = (d[ip] & 0x0f) * 4;
    const total = d.readUInt16BE(ip + 2);
    const src = d.subarray(ip + 12, ip + 16).join('.');
    const dst = d.subarray(ip + 16, ip + 20).join('.');
    const l4 = ip + ihl;
    const end = ip + total;
    const sp = d.readUInt16BE(l4);
    const dp = d.readUInt16BE(l4 + 2);
    const key = `${src}:${sp}>${dst}:${dp}`;
    const rev = `${dst}:${dp}>${src}:${sp}`;
    if (d[ip + 9] === 6) {
      const off = (d[l4 + 12] >> 4) * 4;
      const flags = d[l4 + 13];
      tcp.push({ frame: i + 1, key, rev, seq: d.readUInt32BE(l4 + 4), ack: flags & 0x10 ? d.readUInt32BE(l4 + 8) : null, syn: (flags & 2) !== 0, data: d.subarray(l4 + off, end) });
    } else if (d[ip + 9] === 132) {
      const chunks: { tsn: number; flags: number; ppid: number; data: Buffer }[] = [];
      for (let o = l4 + 12; o < end; ) {
        const len = d.readUInt16BE(o + 2);
        if (d[o] === 0) chunks.push({ tsn: d.readUInt32BE(o + 4), flags: d[o + 1], ppid: d.readUInt32BE(o + 12), data: d.subarray(o + 16, o + len) });
        o += len + ((4 - (len & 3)) & 3);
      }
      sctp.push({ frame: i + 1, key, chunks });
    }
  });
  return { tcp, sctp };
}

/** split a byte stream into Diameter messages (length in octets 1-3); returns [start, end) of each */
function diameterMessages(stream: Buffer): [number, number][] {
  const out: [number, number][] = [];
  let o = 0;
  while (o < stream.length) {
    expect(stream[o]).toBe(1); // version
    const len = stream.readUIntBE(o + 1, 3);
    expect(len).toBeGreaterThanOrEqual(20);
    out.push([o, o + len]);
    o += len;
  }
  expect(o).toBe(stream.length);
  return out;
}

describe('Diameter over TCP (diameter-tcp-split)', () => {
  const s = generate({ out: join(DIR, 'tcp.pcap'), seed: 21, dialogues: 300, scenario: 'diameter-tcp-split' });
  const { tcp } = parse(join(DIR, 'tcp.pcap'));
  const truth = readTruth(s.truthPath);

  it('sequence numbers continuous, acknowledgments never ahead of what the peer sent before', () => {
    const next = new Map<string, number>(); // next expected seq per direction
    const sentUpTo = new Map<string, number>(); // highest seq + len seen per direction
    for (const g of tcp) {
      if (g.syn) {
        next.set(g.key, (g.seq + 1) >>> 0);
        sentUpTo.set(g.key, (g.seq + 1) >>> 0);
      } else {
        if (next.has(g.key)) expect(g.seq).toBe(next.get(g.key));
        next.set(g.key, (g.seq + g.data.length) >>> 0);
        sentUpTo.set(g.key, (g.seq + g.data.length) >>> 0);
      }
      if (g.ack !== null && sentUpTo.has(g.rev)) {
        const peer = sentUpTo.get(g.rev)!;
        // ack <= peer's sent octets (modulo 2^32: the difference is "not positive")
        expect(((g.ack - peer) | 0) <= 0).toBe(true);
      }
    }
    expect(next.size).toBeGreaterThan(2);
  });

  it('each direction is a run of whole Diameter messages; a request frame is the segment with its last octet', () => {
    const streams = new Map<string, { data: Buffer[]; frames: number[]; ends: number[] }>();
    for (const g of tcp) {
      if (g.data.length === 0) continue;
      const st = streams.get(g.key) ?? streams.set(g.key, { data: [], frames: [], ends: [] }).get(g.key)!;
      st.data.push(g.data);
      st.frames.push(g.frame);
      st.ends.push((st.ends.length ? st.ends[st.ends.length - 1] : 0) + g.data.length);
    }
    const requestEnds = new Set<number>();
    let messages = 0;
    let split = 0;
    let shared = 0;
    for (const st of streams.values()) {
      const all = Buffer.concat(st.data);
      const perFrame = new Map<number, number>();
      for (const [a, z] of diameterMessages(all)) {
        messages++;
        const k = st.ends.findIndex((e) => e >= z); // segment holding the last octet
        const first = st.ends.findIndex((e) => e > a);
        if (first !== k) split++;
        perFrame.set(k, (perFrame.get(k) ?? 0) + 1);
        if (all[a + 4] & 0x80) requestEnds.add(st.frames[k]);
      }
      for (const n of perFrame.values()) if (n > 1) shared++;
    }
    expect(messages).toBe(truth.length * 2 - truth.filter((t) => t.rsp_frame === null).length);
    expect(split).toBeGreaterThan(30);
    expect(shared).toBeGreaterThan(10);
    for (const t of truth) expect(requestEnds.has(t.req_frame)).toBe(true);
  });
});

describe('Diameter over SCTP (diameter-sctp)', () => {
  const s = generate({ out: join(DIR, 'sctp.pcap'), seed: 22, dialogues: 300, scenario: 'diameter-sctp' });
  const { sctp } = parse(join(DIR, 'sctp.pcap'));
  const truth = readTruth(s.truthPath);

  it('TSNs continuous per direction; B..E fragments rebuild whole Diameter messages with PPID 46', () => {
    const nextTsn = new Map<string, number>();
    const partial = new Map<string, Buffer[]>();
    let messages = 0;
    let fragmented = 0;
    const reqFrames = new Set<number>();
    for (const p of sctp) {
      for (const c of p.chunks) {
        expect(c.ppid).toBe(46);
        if (nextTsn.has(p.key)) expect(c.tsn).toBe(nextTsn.get(p.key));
        nextTsn.set(p.key, (c.tsn + 1) >>> 0);
        if (c.flags & 2) partial.set(p.key, []);
        partial.get(p.key)!.push(c.data);
        if (c.flags & 1) {
          const parts = partial.get(p.key)!;
          if (parts.length > 1) fragmented++;
          const m = Buffer.concat(parts);
          expect(diameterMessages(m).length).toBe(1);
          if (m[4] & 0x80) reqFrames.add(p.frame);
          messages++;
        }
      }
    }
    expect(messages).toBe(truth.length * 2 - truth.filter((t) => t.rsp_frame === null).length);
    expect(fragmented).toBeGreaterThan(10);
    for (const t of truth) expect(reqFrames.has(t.req_frame)).toBe(true);
  });
});
