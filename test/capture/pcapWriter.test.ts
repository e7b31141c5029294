/** PcapWriter: pcap / pcapng, µs / ns, snaplen, chunked writing; read back with the test reader and tshark. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW, PcapWriter } from '../../src/capture/pcapWriter';
import { readPcapRecords } from '../helpers/pcapRecords';
import { hex } from '../helpers/hex';

const DIR = mkdtempSync(join(tmpdir(), 'sigprobe-pcapw-'));
const T0 = 1_700_000_000_123_456; // µs

function packets(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => {
    const b = Buffer.alloc(20 + (i % 37) * 13);
    for (let k = 0; k < b.length; k++) b[k] = (i + k) & 0xff;
    return b;
  });
}

/** EPB timestamps of a pcapng file with if_tsresol 9, in µs, computed exactly */
function epbTimesUs(b: Buffer): number[] {
  const out: number[] = [];
  for (let o = 0; o < b.length; o += b.readUInt32LE(o + 4)) {
    if (b.readUInt32LE(o) !== 6) continue;
    const ns = (BigInt(b.readUInt32LE(o + 12)) << 32n) | BigInt(b.readUInt32LE(o + 16));
    out.push(Number(ns / 1000n));
  }
  return out;
}

describe('PcapWriter', () => {
  it('pcap header and record layout (µs)', () => {
    const f = join(DIR, 'a.pcap');
    const w = PcapWriter.create(f, { linkType: LINKTYPE_ETHERNET });
    w.write(T0, hex('aabbcc'));
    w.close();
    expect(w.packets).toBe(1);
    expect(readFileSync(f)).toEqual(
      hex(
        'd4c3b2a1 0200 0400 00000000 00000000 00000400 01000000', // magic, v2.4, zone, sigfigs, snaplen 262144, LINKTYPE 1
        '00f15365 40e20100 03000000 03000000', // ts 1700000000 s (0x6553f100) + 123456 µs, incl 3, orig 3
        'aabbcc',
      ),
    );
  });

  for (const format of ['pcap', 'pcapng'] as const) {
    for (const nanos of [false, true]) {
      it(`${format}${nanos ? ' ns' : ''}: many packets across chunk boundaries read back identically`, () => {
        const f = join(DIR, `b-${nanos}.${format}`);
        // small chunk to cross boundaries often, plus one packet larger than the chunk
        const w = PcapWriter.create(f, { linkType: LINKTYPE_LINUX_SLL2, format, nanos, chunkBytes: 4096 });
        const ps = packets(500);
        ps.push(Buffer.alloc(10_000, 7));
        ps.forEach((p, i) => w.write(T0 + i * 1001, p));
        w.close();
        const r = readPcapRecords(f);
        expect(r.length).toBe(ps.length);
        expect(w.bytes).toBe(readFileSync(f).length);
        const exact = format === 'pcapng' && nanos ? epbTimesUs(readFileSync(f)) : null;
        r.forEach((rec, i) => {
          expect(rec.linkType).toBe(LINKTYPE_LINUX_SLL2);
          // (the shared reader converts 64-bit ns through a double: use an exact BigInt parse here)
          expect(exact ? exact[i] : rec.tsUs).toBe(T0 + i * 1001);
          expect(rec.data.equals(ps[i])).toBe(true);
        });
      });
    }
  }

  it('snaplen truncates the captured length but keeps the original length', () => {
    const f = join(DIR, 'snap.pcap');
    const w = PcapWriter.create(f, { linkType: LINKTYPE_ETHERNET, snaplen: 64 });
    w.write(T0, Buffer.alloc(100, 1), 10, 100); // a 90-octet slice
    w.close();
    const b = readFileSync(f);
    expect(b.readUInt32LE(24 + 8)).toBe(64); // captured
    expect(b.readUInt32LE(24 + 12)).toBe(90); // original
  });

  it('tshark reads pcapng with nanosecond resolution (if_tsresol = 9) at the exact time', () => {
    const f = join(DIR, 'ns.pcapng');
    const w = PcapWriter.create(f, { linkType: LINKTYPE_ETHERNET, format: 'pcapng', nanos: true });
    w.write(T0, Buffer.alloc(60));
    w.close();
    const out = execFileSync('tshark', ['-r', f, '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(out.trim()).toBe('1700000000.123456000');
  });

  it('pcapng with interfaces added on demand (one per link type) and cut packets keeping their wire length: tshark reads each frame', () => {
    const f = join(DIR, 'ifaces.pcapng');
    const w = PcapWriter.create(f, { linkType: null, format: 'pcapng' });
    const eth = w.addInterface(LINKTYPE_ETHERNET);
    w.write(T0, Buffer.alloc(60), 0, 60, 60, eth);
    const raw = w.addInterface(LINKTYPE_RAW);
    w.write(T0 + 1, hex('45000014 00000000 4011 0000 0a000001 0a000002'), 0, 20, 1500, raw); // IPv4 header only, 1500 on the wire
    w.write(T0 + 2, Buffer.alloc(64), 0, 64, 64, eth);
    w.close();
    expect([eth, raw]).toEqual([0, 1]);
    const b = readFileSync(f);
    // SHB (28) | IDB eth (24) | EPB 60 | IDB raw (24) | EPB 20 | EPB 64
    expect(b.readUInt32LE(28)).toBe(1);
    expect(b.readUInt16LE(28 + 8)).toBe(LINKTYPE_ETHERNET);
    const epb2 = 28 + 24 + (32 + 60) + 24;
    expect(b.readUInt16LE(28 + 24 + 92 + 8)).toBe(LINKTYPE_RAW);
    expect([b.readUInt32LE(epb2), b.readUInt32LE(epb2 + 8), b.readUInt32LE(epb2 + 20), b.readUInt32LE(epb2 + 24)]).toEqual([6, 1, 20, 1500]);
    const out = execFileSync('tshark', ['-r', f, '-T', 'fields', '-e', 'frame.interface_id', '-e', 'frame.cap_len', '-e', 'frame.len'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(out.trim().split('\n')).toEqual(['0\t60\t60', '1\t20\t1500', '0\t64\t64']);
  });

  it('a pcap file needs its link type', () => {
    expect(() => PcapWriter.create(join(DIR, 'none.pcap'), { linkType: null })).toThrow(/link type/);
  });
});
