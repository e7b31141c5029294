/**
 * PcapReader on synthesized images: every pcap / pcapng variant, truncation at every byte,
 * corrupt blocks, open errors, records larger than the chunk, batch reads.
 * Expected timestamps / link types of the synthesized files were read from tshark 4.0
 * (`tshark -r F -T fields -e frame.number -e frame.time_epoch -e frame.cap_len -e frame.len
 *  -e frame.encap_type -e frame.interface_id -e frame.section_number`), quoted per case.
 */
import { spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { closeSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureError } from '../../src/capture/errors';
import { SigprobeError } from '../../src/config/errors';
import { PcapReader } from '../../src/capture/pcapReader';
import { CAPTURE_ANOMALY_NAMES, CaptureAnomaly } from '../../src/capture/types';
import { buildPcap, NgBuilder, ngOption, payload } from './build';
import { ngMultiIf, ngMultiSection, pcapNsBe, pcapNsLe, pcapUsBe, pcapUsLe } from './synth';

interface Pkt {
  frame: number;
  tsUs: number;
  ns: number;
  capLen: number;
  origLen: number;
  linkType: number;
  md5: string;
}

function md5(b: Buffer): string {
  return createHash('md5').update(b).digest('hex');
}

/** All packets of a reader (copying what the callback sees). */
function readAll(r: PcapReader, batch?: number): Pkt[] {
  const out: Pkt[] = [];
  const cb = (buf: Buffer, start: number, capLen: number, origLen: number, tsUs: number, linkType: number, frame: number): void => {
    expect(start).toBeGreaterThanOrEqual(0);
    expect(start + capLen).toBeLessThanOrEqual(buf.length);
    out.push({ frame, tsUs, ns: r.lastTsNs, capLen, origLen, linkType, md5: md5(buf.subarray(start, start + capLen)) });
  };
  while (r.read(cb, batch) > 0) {
    /* next batch */
  }
  return out;
}

const tmp = mkdtempSync(join(tmpdir(), 'sigprobe-capture-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let fileNo = 0;
function toFile(buf: Buffer, name = `f${fileNo++}.cap`): string {
  const p = join(tmp, name);
  writeFileSync(p, buf);
  return p;
}

/** Opens the image both from memory and from a file (tiny chunk), checks both agree. */
function readBoth(img: Buffer): { pkts: Pkt[]; r: PcapReader } {
  const r = PcapReader.fromBuffer(img);
  const pkts = readAll(r);
  const f = PcapReader.open(toFile(img), { chunkBytes: 64 });
  expect(readAll(f, 2)).toEqual(pkts);
  expect(f.stats).toEqual(r.stats);
  f.close();
  return { pkts, r };
}

describe('pcap variants', () => {
  // tshark (us_le.pcap / us_be.pcap): frame.time_epoch 1700000000.123456000, 1700000001.999999000,
  // 1700000002.000000000; cap_len 60/100/1, len 60/1500/1; encap 1 (ether) / 25 (linux-sll).
  const US = [1700000000123456, 1700000001999999, 1700000002000000];
  it('µs little-endian (magic d4 c3 b2 a1)', () => {
    const img = pcapUsLe();
    expect(img.subarray(0, 4)).toEqual(Buffer.from('d4c3b2a1', 'hex'));
    const { pkts, r } = readBoth(img);
    expect(r.format).toBe('pcap');
    expect(pkts.map((p) => p.tsUs)).toEqual(US);
    expect(pkts.map((p) => [p.frame, p.capLen, p.origLen, p.linkType])).toEqual([[1, 60, 60, 1], [2, 100, 1500, 1], [3, 1, 1, 1]]);
    expect(pkts[1].md5).toBe(md5(payload(2, 100)));
    expect(r.stats).toMatchObject({ packets: 3, bytes: 161, endAnomaly: CaptureAnomaly.Ok });
  });
  it('µs big-endian (magic a1 b2 c3 d4)', () => {
    const { pkts } = readBoth(pcapUsBe());
    expect(pkts.map((p) => p.tsUs)).toEqual(US);
    expect(pkts.map((p) => p.linkType)).toEqual([113, 113, 113]);
    expect(pkts.map((p) => p.ns)).toEqual([0, 0, 0]);
  });
  // tshark (ns_le.pcap / ns_be.pcap): 1700000000.123456789, 1700000001.999999999, 1700000002.000000001;
  // encap 7 (raw IP → LINKTYPE 101) / 210 (SLL2 → LINKTYPE 276).
  it('ns little-endian (magic 4d 3c b2 a1): truncated toward zero to µs, remainder in lastTsNs', () => {
    const { pkts } = readBoth(pcapNsLe());
    expect(pkts.map((p) => p.tsUs)).toEqual([1700000000123456, 1700000001999999, 1700000002000000]);
    expect(pkts.map((p) => p.ns)).toEqual([789, 999, 1]);
    expect(pkts.map((p) => p.linkType)).toEqual([101, 101, 101]);
  });
  it('ns big-endian (magic a1 b2 3c 4d)', () => {
    const { pkts } = readBoth(pcapNsBe());
    expect(pkts.map((p) => p.tsUs)).toEqual([1700000000123456, 1700000001999999, 1700000002000000]);
    expect(pkts.map((p) => p.ns)).toEqual([789, 999, 1]);
    expect(pkts.map((p) => p.linkType)).toEqual([276, 276, 276]);
  });
  it('masks the FCS bits of the link-type field (LT_LINKTYPE)', () => {
    const { pkts } = readBoth(buildPcap({ le: true, linkType: 0x14000001 }, [{ sec: 1, sub: 2, data: payload(1, 10) }]));
    expect(pkts[0].linkType).toBe(1);
  });
  it('an empty capture (header only) reads 0 packets cleanly', () => {
    const { pkts, r } = readBoth(buildPcap({ le: true, linkType: 1 }, []));
    expect(pkts).toEqual([]);
    expect(r.stats.endAnomaly).toBe(CaptureAnomaly.Ok);
  });
});

describe('pcapng', () => {
  it('several interfaces with different link types and if_tsresol, PB, SPB, skipped blocks', () => {
    const { pkts, r } = readBoth(ngMultiIf());
    expect(r.format).toBe('pcapng');
    // tshark (multi_if.pcapng):
    //  1 1700000000.123456000  60   60 encap 1   if 0   (µs default)
    //  2 1700000000.123456789  99 1400 encap 25  if 1   (if_tsresol 9)
    //  3 1700000000.500002861  40   40 encap 7   if 2   (if_tsresol 0x94 = 2^-20)
    //  4 (custom block 0xBAD: tshark gives it a frame number; not a packet)
    //  5 1700000000.123000000  20   20 encap 129 if 3   (if_tsresol 3 + if_tsoffset 1e9 s)
    //  6 1700000005.000000001  33   33 encap 25  if 1   (obsolete PB)
    //  7 (no time)             70   70 encap 1   if 0   (SPB: no timestamp; we repeat the last)
    expect(pkts.map((p) => p.frame)).toEqual([1, 2, 3, 5, 6, 7]);
    expect(pkts.map((p) => p.tsUs)).toEqual([
      1700000000123456, 1700000000123456, 1700000000500002, 1700000000123000, 1700000005000000, 1700000005000000,
    ]);
    expect(pkts.map((p) => p.ns)).toEqual([0, 789, 861, 0, 1, 0]);
    expect(pkts.map((p) => p.linkType)).toEqual([1, 113, 101, 228, 113, 1]);
    expect(pkts.map((p) => [p.capLen, p.origLen])).toEqual([[60, 60], [99, 1400], [40, 40], [20, 20], [33, 33], [70, 70]]);
    expect(pkts.map((p) => p.md5)).toEqual([
      md5(payload(1, 60)), md5(payload(2, 99)), md5(payload(3, 40)), md5(payload(4, 20)), md5(payload(5, 33)), md5(payload(6, 70)),
    ]);
    expect(r.stats).toMatchObject({ packets: 6, sections: 1, interfaces: 4, skippedBlocks: 2, endAnomaly: 0 });
  });

  it('several sections of both byte orders; interface ids restart per section', () => {
    const img = ngMultiSection();
    expect(img.readUInt32BE(8)).toBe(0x1a2b3c4d); // first section big-endian
    const { pkts, r } = readBoth(img);
    // tshark (multi_sec.pcapng): frame section 1/1/2/3; encap 130 (IPv6 → 229) ×2, 1, 210 (SLL2 → 276)
    //   1600000000.000000001, 1600000000.999999999, 1600000001.000001000, 1600000002.000002000
    expect(pkts.map((p) => p.tsUs)).toEqual([1600000000000000, 1600000000999999, 1600000001000001, 1600000002000002]);
    expect(pkts.map((p) => p.ns)).toEqual([1, 999, 0, 0]);
    expect(pkts.map((p) => p.linkType)).toEqual([229, 229, 1, 276]);
    expect(pkts.map((p) => p.frame)).toEqual([1, 2, 3, 4]);
    expect(r.stats).toMatchObject({ packets: 4, sections: 3, interfaces: 3, endAnomaly: 0 });
  });

  it('SPB: caplen = min(original length, snaplen of interface 0, block room)', () => {
    const img = new NgBuilder().shb(true).idb(1, { snaplen: 50 }).spb(payload(1, 50), 1500).spb(payload(2, 20)).build();
    const { pkts } = readBoth(img);
    expect(pkts.map((p) => [p.capLen, p.origLen])).toEqual([[50, 1500], [20, 20]]);
    expect(pkts.map((p) => p.tsUs)).toEqual([0, 0]); // no timestamp before any EPB
  });

  it('if_tsresol power-of-2 and power-of-10 extremes', () => {
    // (a 64-bit tick count in ps or 2^-40 s only reaches ~1970-08; hence the small dates)
    const img = new NgBuilder().shb(true)
      .idb(1, { tsresol: 0 }) // seconds
      .idb(1, { tsresol: 0x80 }) // 2^0 = seconds
      .idb(1, { tsresol: 12 }) // ps
      .idb(1, { tsresol: 0x80 | 32 }) // 2^-32
      .idb(1, { tsresol: 0x80 | 40 }) // 2^-40 (BigInt path)
      .idb(1, { tsresol: 19 }) // 10^-19 (BigInt path)
      .epb(0, 1700000000n, payload(1, 4))
      .epb(1, 1700000000n, payload(2, 4))
      .epb(2, 17000000001234567890n, payload(3, 4))
      .epb(3, (1700000000n << 32n) + (1n << 31n) + 1n, payload(4, 4))
      .epb(4, (10000000n << 40n) + (1n << 38n) + 1n, payload(5, 4))
      .epb(5, 17000000001234567890n, payload(6, 4))
      .build();
    const { pkts } = readBoth(img);
    // tshark 4.0: 1700000000.000000000, 1700000000.000000000, 17000000.001234567,
    // 1700000000.500000000, then 10000000.015118976 and 1.000000000 for the last two: wiretap
    // computes (ticks % units) * 10^9 in 64 bits, which overflows for these resolutions; the
    // exact values are 10000000.25 s and 1.7000000001234567890 s.
    expect(pkts.map((p) => p.tsUs)).toEqual([1700000000000000, 1700000000000000, 17000000001234, 1700000000500000, 10000000250000, 1700000]);
    expect(pkts.map((p) => p.ns)).toEqual([0, 0, 567, 0, 0, 0]);
  });

});

/** Offsets where each record / block starts, and the file length (known-good images). */
function boundaries(img: Buffer): { offsets: number[]; packetAt: Set<number> } {
  const offsets: number[] = [];
  const packetAt = new Set<number>();
  if (img.readUInt32BE(0) === 0x0a0d0d0a) {
    let le = true;
    for (let o = 0; o < img.length;) {
      if (img.readUInt32BE(o) === 0x0a0d0d0a) le = img.readUInt32BE(o + 8) !== 0x1a2b3c4d;
      const type = le ? img.readUInt32LE(o) : img.readUInt32BE(o);
      offsets.push(o);
      if (type === 6 || type === 2 || type === 3) packetAt.add(o);
      o += le ? img.readUInt32LE(o + 4) : img.readUInt32BE(o + 4);
    }
  } else {
    const le = img.readUInt32LE(0) === 0xa1b2c3d4 || img.readUInt32LE(0) === 0xa1b23c4d;
    for (let o = 24; o < img.length;) {
      offsets.push(o);
      packetAt.add(o);
      o += 16 + (le ? img.readUInt32LE(o + 8) : img.readUInt32BE(o + 8));
    }
  }
  offsets.push(img.length);
  return { offsets, packetAt };
}

describe('truncation', () => {
  const images: [string, Buffer][] = [
    ['pcap µs LE', pcapUsLe()], ['pcap ns BE', pcapNsBe()], ['pcapng multi-interface', ngMultiIf()],
    ['pcapng multi-section', ngMultiSection()],
  ];
  for (const [name, img] of images) {
    it(`${name}: cut at every byte offset: never throws, counts the truncated record`, () => {
      const full = readAll(PcapReader.fromBuffer(img));
      const { offsets, packetAt } = boundaries(img);
      const headerLen = img.readUInt32BE(0) === 0x0a0d0d0a ? offsets[1] : 24;
      for (let cut = headerLen; cut <= img.length; cut++) {
        const r = PcapReader.fromBuffer(img.subarray(0, cut));
        const pkts = readAll(r);
        const complete = offsets.filter((o, i) => i + 1 < offsets.length && offsets[i + 1] <= cut && packetAt.has(o)).length;
        expect(pkts).toEqual(full.slice(0, complete));
        const atBoundary = offsets.includes(cut);
        expect(r.stats.endAnomaly).toBe(atBoundary ? CaptureAnomaly.Ok : CaptureAnomaly.TruncatedRecord);
        expect(r.stats.truncatedRecords).toBe(atBoundary ? 0 : 1);
        expect(r.read(() => undefined)).toBe(0);
      }
    });
  }

  it('a file truncated at every byte offset of its last record (real files, 64-byte chunk)', () => {
    const img = ngMultiIf();
    const { offsets } = boundaries(img);
    const last = offsets[offsets.length - 2];
    const full = readAll(PcapReader.fromBuffer(img));
    for (let cut = last; cut < img.length; cut++) {
      const path = toFile(img.subarray(0, cut), `cut${cut}.pcapng`);
      const r = PcapReader.open(path, { chunkBytes: 64 });
      const pkts = readAll(r);
      r.close();
      expect(pkts).toEqual(full.slice(0, full.length - 1));
      expect(r.stats.truncatedRecords).toBe(cut === last ? 0 : 1);
      if (cut > last) expect(r.endOffset).toBe(last);
    }
  });
});

describe('open errors', () => {
  it('a text file: E_NOT_A_CAPTURE naming the file and its magic', () => {
    const p = toFile(Buffer.from('Hello, world\n'), 'notes.txt');
    let err: unknown;
    try {
      PcapReader.open(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaptureError);
    expect(err).toBeInstanceOf(SigprobeError); // the CLI prints "sigprobe: <message>", exit 2
    expect((err as CaptureError).code).toBe('E_NOT_A_CAPTURE');
    expect((err as CaptureError).message).toBe(`${p} is not a pcap or pcapng file (magic 48 65 6c 6c)`);
    expect((err as CaptureError).target).toBe(p);
  });
  it('a missing file: E_CAPTURE_OPEN', () => {
    const p = join(tmp, 'missing.pcap');
    expect(() => PcapReader.open(p)).toThrow(expect.objectContaining({
      code: 'E_CAPTURE_OPEN',
      message: `cannot read capture file ${p}: ENOENT (no such file or directory)`,
    }));
  });
  it('a directory: E_CAPTURE_OPEN', () => {
    const d = join(tmp, 'adir.pcap');
    mkdirSync(d);
    expect(() => PcapReader.open(d)).toThrow(expect.objectContaining({ code: 'E_CAPTURE_OPEN', message: expect.stringContaining('EISDIR') }));
  });
  const bad: [string, Buffer, string][] = [
    ['empty', Buffer.alloc(0), 'empty file'],
    ['3 bytes', Buffer.from('abc'), '3-byte file'],
    ['short pcap header', pcapUsLe().subarray(0, 20), 'truncated pcap file header (20 bytes)'],
    ['pcap version 3.0', (() => { const b = pcapUsLe(); b.writeUInt16LE(3, 4); b.writeUInt16LE(0, 6); return b; })(), 'unsupported pcap version 3.0'],
    // magics are printed as the octets are in the file, whatever the byte order
    ['big-endian garbage magic', (() => { const b = pcapUsLe(); b.writeUInt32BE(0xa1b2c3d5, 0); return b; })(), 'magic a1 b2 c3 d5'],
    ['little-endian garbage magic', (() => { const b = pcapUsLe(); b.writeUInt32LE(0xa1b2c3d5, 0); return b; })(), 'magic d5 c3 b2 a1'],
    ['pcapng bad byte-order magic', (() => { const b = ngMultiIf(); b.writeUInt32LE(0x11223344, 8); return b; })(), 'magic 0a 0d 0d 0a with byte-order magic 44 33 22 11'],
    ['pcapng version 2.0', (() => { const b = ngMultiIf(); b.writeUInt16LE(2, 12); return b; })(), 'unsupported pcapng version 2.0'],
    ['short pcapng', ngMultiIf().subarray(0, 10), 'truncated pcapng section header'],
  ];
  for (const [name, img, detail] of bad) {
    it(`${name}: E_NOT_A_CAPTURE (${detail})`, () => {
      const p = toFile(img);
      expect(() => PcapReader.open(p)).toThrow(expect.objectContaining({ code: 'E_NOT_A_CAPTURE', message: `${p} is not a pcap or pcapng file (${detail})` }));
      expect(() => PcapReader.fromBuffer(img, 'mem')).toThrow(CaptureError);
    });
  }
});

describe('corrupt pcapng blocks end reading with a counted anomaly', () => {
  const good = (): NgBuilder => new NgBuilder().shb(true).idb(1).epb(0, 1n, payload(1, 10));
  const cases: [string, Buffer, CaptureAnomaly, number][] = [
    ['block length not a multiple of 4', (() => { const b = good().epb(0, 2n, payload(2, 8)).build(); const o = b.length - 40; b.writeUInt32LE(41, o + 4); return b; })(), CaptureAnomaly.BadBlock, 1],
    ['block length below 12', (() => { const b = good().build(); return Buffer.concat([b, Buffer.from('060000000800000000000000', 'hex')]); })(), CaptureAnomaly.BadBlock, 1],
    ['trailing length mismatch', (() => { const b = good().epb(0, 2n, payload(2, 8)).build(); b.writeUInt32LE(44, b.length - 4); return b; })(), CaptureAnomaly.BadBlock, 1],
    ['EPB on an undeclared interface', good().epb(1, 2n, payload(2, 8)).build(), CaptureAnomaly.BadBlock, 1],
    ['EPB caplen beyond the block', (() => { const b = good().epb(0, 2n, payload(2, 8)).build(); b.writeUInt32LE(9, b.length - 40 + 20); return b; })(), CaptureAnomaly.BadBlock, 1],
    ['SPB before any IDB', new NgBuilder().shb(true).spb(payload(1, 8)).build(), CaptureAnomaly.BadBlock, 0],
    ['if_tsresol 10^-20 (beyond 64 bits)', good().idb(1, { tsresol: 20 }).epb(1, 2n, payload(2, 8)).build(), CaptureAnomaly.BadBlock, 1],
    ['second SHB with a bad byte-order magic', (() => { const b = good().shb(true).build(); b.writeUInt32LE(0, b.length - 20); return b; })(), CaptureAnomaly.BadBlock, 1],
    ['second SHB version 2', (() => { const b = good().shb(true).build(); b.writeUInt16LE(2, b.length - 16); return b; })(), CaptureAnomaly.BadBlock, 1],
    ['skipped block with a bad trailer', (() => { const b = good().isb(0).build(); b.writeUInt32LE(0, b.length - 4); return b; })(), CaptureAnomaly.BadBlock, 1],
    ['EPB length 0x7ffffffc (beyond the record cap)', (() => { const b = good().epb(0, 2n, payload(2, 8)).build(); b.writeUInt32LE(0x7ffffffc, b.length - 40 + 4); return b; })(), CaptureAnomaly.OversizeRecord, 1],
    ['IDB of 2 MiB', good().block(1, Buffer.concat([
      Buffer.from('0100000000000000', 'hex'), // linktype 1, reserved, snaplen 0
      ...Array.from({ length: 35 }, () => ngOption(2, Buffer.alloc(60000, 0x78), true)), // 35 × if_name
    ])).build(), CaptureAnomaly.BadBlock, 1],
  ];
  for (const [name, img, anomaly, packets] of cases) {
    it(`${name} → ${CAPTURE_ANOMALY_NAMES[anomaly]}`, () => {
      const { pkts, r } = readBoth(img);
      expect(pkts.length).toBe(packets);
      expect(r.stats.endAnomaly).toBe(anomaly);
      const counter = anomaly === CaptureAnomaly.BadBlock ? r.stats.badBlocks : r.stats.oversizeRecords;
      expect(counter).toBe(1);
      expect(r.endOffset).toBeGreaterThan(0);
      // one phrase for the replay warning: what, where, why
      expect(r.damage()).toMatch(new RegExp(`^${CAPTURE_ANOMALY_NAMES[anomaly].replace('_', ' ')} at offset ${r.endOffset} \\(.+\\)$`));
    });
  }
  it('too many interfaces in one section', () => {
    const b = new NgBuilder().shb(true);
    for (let i = 0; i <= 4096; i++) b.idb(1);
    const r = PcapReader.fromBuffer(b.epb(0, 1n, payload(1, 4)).build());
    expect(r.read(() => undefined)).toBe(0);
    expect(r.stats).toMatchObject({ interfaces: 4096, badBlocks: 1 });
  });
});

describe('records and blocks larger than the chunk', () => {
  it('pcap: a 200 000-byte record with a 4 KiB chunk is delivered whole', () => {
    const big = payload(9, 200000);
    const img = buildPcap({ le: true, linkType: 1, snaplen: 262144 }, [
      { sec: 1, sub: 0, data: payload(1, 100) }, { sec: 2, sub: 0, data: big }, { sec: 3, sub: 0, data: payload(3, 100) },
    ]);
    const r = PcapReader.open(toFile(img), { chunkBytes: 4096 });
    const pkts = readAll(r);
    expect(pkts.map((p) => p.capLen)).toEqual([100, 200000, 100]);
    expect(pkts[1].md5).toBe(md5(big));
    expect(r.stats.endAnomaly).toBe(0);
  });
  it('pcap: caplen above snaplen + 320 KiB is an oversize record (corrupt length)', () => {
    const img = buildPcap({ le: false, linkType: 1, snaplen: 65535 }, [
      { sec: 1, sub: 0, data: payload(1, 100) }, { sec: 2, sub: 0, data: payload(2, 300000) }, { sec: 3, sub: 0, data: payload(3, 400000) },
    ]);
    const { pkts, r } = readBoth(img);
    expect(pkts.map((p) => p.capLen)).toEqual([100, 300000]); // above snaplen but within the slack
    expect(r.stats).toMatchObject({ oversizeRecords: 1, endAnomaly: CaptureAnomaly.OversizeRecord });
  });
  it('pcapng: a 300 000-byte EPB with a 4 KiB chunk; a 1 MiB custom block skipped without loading it', () => {
    const big = payload(7, 300000);
    const img = new NgBuilder().shb(true).idb(1, { snaplen: 0 })
      .block(0x40000bad, Buffer.alloc(1 << 20, 0x55))
      .epb(0, 5n, big).epb(0, 6n, payload(8, 60)).build();
    const r = PcapReader.open(toFile(img), { chunkBytes: 4096 });
    const pkts = readAll(r);
    expect(pkts.map((p) => [p.frame, p.capLen])).toEqual([[2, 300000], [3, 60]]);
    expect(pkts[0].md5).toBe(md5(big));
    // the chunk grew for the EPB only, not for the 1 MiB block
    const chunk = (r as unknown as { src: { buf: Buffer } }).src.buf.length;
    expect(chunk).toBeGreaterThanOrEqual(300032);
    expect(chunk).toBeLessThan(1 << 20);
    expect(r.stats).toMatchObject({ skippedBlocks: 1, endAnomaly: 0 });
  });
});

describe('non-seekable input', () => {
  it.skipIf(process.platform === 'win32')('a FIFO: skipped blocks are read and discarded', () => {
    const img = new NgBuilder().shb(true).idb(1).epb(0, 1n, payload(1, 30))
      .block(0x40000bad, Buffer.alloc(300000, 0x55)).epb(0, 2n, payload(2, 40)).isb(0).epb(0, 3n, payload(3, 50)).build();
    const src = toFile(img);
    const fifo = join(tmp, 'capture.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', 'cat "$0" > "$1"', src, fifo], { stdio: 'ignore' });
    const r = PcapReader.open(fifo, { chunkBytes: 4096 }); // blocks until the writer opens the FIFO
    const pkts = readAll(r);
    r.close();
    writer.kill();
    expect(pkts).toEqual(readAll(PcapReader.fromBuffer(img)));
    expect(pkts.map((p) => p.frame)).toEqual([1, 3, 4]);
    expect(r.stats).toMatchObject({ packets: 3, skippedBlocks: 2, endAnomaly: 0 });
    expect((r as unknown as { src: { buf: Buffer } }).src.buf.length).toBe(4096);
  });
});

describe('read() contract', () => {
  it('maxPackets batches, 0 at the end, 0 after close', () => {
    const r = PcapReader.fromBuffer(ngMultiIf());
    const frames: number[] = [];
    const cb = (_b: Buffer, _s: number, _c: number, _o: number, _t: number, _l: number, f: number): void => { frames.push(f); };
    expect(r.read(cb, 0)).toBe(0);
    expect(r.read(cb, 2)).toBe(2);
    expect(r.read(cb, 3)).toBe(3);
    expect(r.read(cb, 5)).toBe(1);
    expect(r.read(cb)).toBe(0);
    expect(frames).toEqual([1, 2, 3, 5, 6, 7]);
    const r2 = PcapReader.fromBuffer(pcapUsLe());
    expect(r2.read(cb, 1)).toBe(1);
    r2.close();
    expect(r2.read(cb)).toBe(0);
  });
  it('linkTypes: the pcap header\'s, or the current section\'s interfaces', () => {
    expect(PcapReader.fromBuffer(pcapUsBe()).linkTypes).toEqual([113]);
    const r = PcapReader.fromBuffer(ngMultiIf());
    expect(r.linkTypes).toEqual([]);
    r.read(() => undefined, 1);
    expect(r.linkTypes).toEqual([1, 113]);
    r.read(() => undefined);
    expect(r.linkTypes).toEqual([1, 113, 101, 228]);
  });
  it('a failing read(2) ends reading with read_error, no exception', () => {
    const recs = Array.from({ length: 50 }, (_, i) => ({ sec: i, sub: 0, data: payload(i, 100) }));
    const r = PcapReader.open(toFile(buildPcap({ le: true, linkType: 1 }, recs)), { chunkBytes: 1024 });
    expect(r.read(() => undefined, 3)).toBe(3);
    closeSync((r as unknown as { src: { fd: number } }).src.fd); // the next read(2) fails with EBADF
    const n = r.read(() => undefined);
    expect(n).toBeLessThan(47);
    expect(r.stats).toMatchObject({ readErrors: 1, endAnomaly: CaptureAnomaly.ReadError, truncatedRecords: 0 });
    expect(r.read(() => undefined)).toBe(0);
  });
  it('an exception from the handler propagates; the next read() resumes after that packet', () => {
    const r = PcapReader.fromBuffer(pcapUsBe());
    const seen: number[] = [];
    const cb = (_b: Buffer, _s: number, _c: number, _o: number, _t: number, _l: number, f: number): void => {
      seen.push(f);
      if (f === 2) throw new Error('boom');
    };
    expect(() => r.read(cb)).toThrow('boom');
    expect(r.read(cb)).toBe(1);
    expect(seen).toEqual([1, 2, 3]);
    expect(r.stats.packets).toBe(3);
  });
});
