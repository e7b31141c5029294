/**
 * The "modified" pcap format (magic a1b2cd34, Alexey Kuznetsov's patched libpcap: 8 more octets
 * per record header — ifindex, protocol, pkt_type, pad), both byte orders: sigprobe reads the
 * frames tshark reads (tshark 4.0 calls the format pcap-ss991029), and replaying a capture
 * rewritten into it gives the spool rows of the original.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapReader } from '../../src/capture/pcapReader';
import { CaptureAnomaly } from '../../src/capture/types';
import { readPcapRecords } from '../helpers/pcapRecords';
import { SHARED } from '../helpers/oracle';
import { buildModifiedPcap, ModifiedRec, payload } from './build';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const MAP_SYNTH = join(SHARED, 'tools/selftest/map-synthetic.pcap');

const tmp = mkdtempSync(join(tmpdir(), 'sigprobe-modified-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

interface Frame { frame: number; tsUs: number; capLen: number; origLen: number; linkType: number; md5: string }

function readAll(r: PcapReader): Frame[] {
  const out: Frame[] = [];
  while (r.read((buf, start, capLen, origLen, tsUs, linkType, frame) => {
    out.push({ frame, tsUs, capLen, origLen, linkType, md5: md5(buf.subarray(start, start + capLen)) });
  }) > 0) { /* all */ }
  return out;
}

/** What tshark reads: frame number, time, lengths; the bytes via tshark's own rewrite to pcap. */
function tsharkFrames(file: string): { frame: number; tsUs: number; capLen: number; origLen: number; md5: string }[] {
  const t = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len'], { encoding: 'utf8' });
  expect(t.status, t.stderr).toBe(0);
  const conv = join(tmp, 'tshark-' + Math.random().toString(36).slice(2) + '.pcap');
  const w = spawnSync('tshark', ['-r', file, '-F', 'pcap', '-w', conv], { encoding: 'utf8' });
  expect(w.status, w.stderr).toBe(0);
  const recs = readPcapRecords(conv);
  const lines = t.stdout.trim().split('\n');
  expect(lines.length).toBe(recs.length);
  return lines.map((l, i) => {
    const [n, ts, cap, len] = l.split('\t');
    const [sec, frac] = ts.split('.');
    return { frame: Number(n), tsUs: Number(sec) * 1e6 + Number(frac.slice(0, 6)), capLen: Number(cap), origLen: Number(len), md5: md5(recs[i].data) };
  });
}

const RECS: ModifiedRec[] = [
  { sec: 1700000000, sub: 123456, data: payload(1, 60), ifindex: 2, protocol: 0x0800, pktType: 0 },
  { sec: 1700000001, sub: 999999, data: payload(2, 100), origLen: 1500, ifindex: 3, protocol: 0x86dd, pktType: 4 },
  { sec: 1700000002, sub: 0, data: payload(3, 1), ifindex: 7, protocol: 0x0806, pktType: 1 },
];

describe('modified pcap (a1b2cd34)', () => {
  for (const le of [true, false]) {
    it(`${le ? 'little' : 'big'}-endian: the frames tshark reads`, () => {
      const img = buildModifiedPcap({ le, linkType: 1 }, RECS);
      expect(img.subarray(0, 4)).toEqual(Buffer.from(le ? '34cdb2a1' : 'a1b2cd34', 'hex'));
      const file = join(tmp, `mod-${le ? 'le' : 'be'}.pcap`);
      writeFileSync(file, img);
      const r = PcapReader.open(file, { chunkBytes: 64 });
      expect(r.format).toBe('pcap');
      expect(r.modified).toBe(true);
      const ours = readAll(r);
      expect(r.stats).toMatchObject({ packets: 3, endAnomaly: CaptureAnomaly.Ok });
      expect(r.damage()).toBeNull();
      expect(ours.map((f) => f.md5)).toEqual(RECS.map((x) => md5(x.data)));
      const theirs = tsharkFrames(file);
      expect(ours.map(({ frame, tsUs, capLen, origLen, md5: m }) => ({ frame, tsUs, capLen, origLen, md5: m }))).toEqual(theirs);
      expect(ours.every((f) => f.linkType === 1)).toBe(true);
    });
  }

  it('a modified file cut inside a record: truncated, at the record, with its 24-octet header', () => {
    const img = buildModifiedPcap({ le: true, linkType: 1 }, RECS);
    const second = 24 + 24 + 60;
    const r = PcapReader.fromBuffer(img.subarray(0, second + 24 + 50), 'cut.pcap');
    expect(readAll(r).length).toBe(1);
    expect(r.stats.truncatedRecords).toBe(1);
    expect(r.damage()).toBe(`truncated record at offset ${second} (the record holds 100 octets, the file ends after 50)`);
    const h = PcapReader.fromBuffer(img.subarray(0, second + 20), 'cut.pcap');
    readAll(h);
    expect(h.damage()).toBe(`truncated record at offset ${second} (the file ends 20 octets into a 24-octet record header)`);
  });

  it('a MAP capture rewritten as modified pcap (both byte orders) replays into the same rows', () => {
    const recs = readPcapRecords(MAP_SYNTH);
    const orig = PcapReader.open(MAP_SYNTH);
    const link = orig.linkTypes[0];
    orig.close();
    const mrecs: ModifiedRec[] = recs.map((x, i) => ({ sec: Math.floor(x.tsUs / 1e6), sub: x.tsUs % 1e6, data: x.data, ifindex: 5, protocol: 0x0800, pktType: i & 1 ? 4 : 0 }));
    const rows = (pcap: string, name: string): unknown[] => {
      const spool = join(tmp, name + '.db');
      const r = spawnSync(process.execPath, [MAIN, 'replay', pcap, '--spool', spool, '--identities', 'raw'], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const db = new Database(spool, { readonly: true });
      const out = db.prepare('SELECT * FROM dialogues ORDER BY id').all().map((row) => {
        const { id: _id, source: _source, ...rest } = row as Record<string, unknown>;
        return rest;
      });
      db.close();
      return out;
    };
    const want = rows(MAP_SYNTH, 'orig');
    expect(want.length).toBe(7);
    for (const le of [true, false]) {
      const f = join(tmp, `map-mod-${le ? 'le' : 'be'}.pcap`);
      writeFileSync(f, buildModifiedPcap({ le, linkType: link }, mrecs));
      expect(tsharkFrames(f).map((x) => x.md5)).toEqual(recs.map((x) => md5(x.data)));
      expect(rows(f, `mod-${le}`)).toEqual(want);
    }
  });
});
