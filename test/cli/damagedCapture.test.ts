/**
 * Damaged capture files (issue 17 item 5): a pcap cut inside a record, a pcapng block with a
 * bogus length, garbage appended to a pcap / pcapng. replay reads up to the damage, prints one
 * warning line on stderr naming the file, the offset and what was wrong, counts it in the summary
 * and in `runs`, and exits 3; the records are those of the intact part (= a replay of the file
 * cut cleanly before the damaged record), and tshark reads the same number of frames.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'sp-damaged-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sigprobe(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Offsets of the records of a little-endian µs pcap (draft-ietf-opsawg-pcap §5), walked here. */
function pcapRecordOffsets(b: Buffer): { off: number; capLen: number }[] {
  expect(b.readUInt32LE(0)).toBe(0xa1b2c3d4);
  const out: { off: number; capLen: number }[] = [];
  for (let p = 24; p + 16 <= b.length;) {
    const capLen = b.readUInt32LE(p + 8);
    out.push({ off: p, capLen });
    p += 16 + capLen;
  }
  return out;
}

/** Offsets and types of the blocks of a little-endian pcapng (draft-ietf-opsawg-pcapng §3.1). */
function pcapngBlocks(b: Buffer): { off: number; type: number; len: number }[] {
  const out: { off: number; type: number; len: number }[] = [];
  for (let p = 0; p + 12 <= b.length;) {
    const len = b.readUInt32LE(p + 4);
    out.push({ off: p, type: b.readUInt32LE(p), len });
    p += len;
  }
  return out;
}

function tsharkFrames(f: string): { frames: number; err: string } {
  const t = spawnSync('tshark', ['-r', f, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { frames: t.stdout.trim() === '' ? 0 : t.stdout.trim().split('\n').length, err: t.stderr };
}

interface Run { code: number | null; out: string; err: string; rows: unknown[]; summary: Record<string, any> }

let n = 0;
function replay(files: string[], json = false): Run {
  const spool = join(tmp, `s${n++}.db`);
  const r = sigprobe(['replay', ...files, '--spool', spool, ...(json ? ['--json'] : [])]);
  const db = new Database(spool, { readonly: true });
  const rows = db.prepare('SELECT * FROM dialogues ORDER BY id').all().map((x) => {
    const { id: _i, source: _s, ...rest } = x as Record<string, unknown>;
    return rest;
  });
  const run = db.prepare('SELECT summary FROM runs').get() as { summary: string };
  db.close();
  return { ...r, rows, summary: JSON.parse(run.summary) };
}

let pcap = '';
let img = Buffer.alloc(0);
let recs: { off: number; capLen: number }[] = [];
let ng = Buffer.alloc(0);
let blocks: { off: number; type: number; len: number }[] = [];

beforeAll(() => {
  pcap = join(tmp, 'map.pcap');
  const g = sigprobe(['gen', '--scenario', 'mix', '--out', pcap, '--dialogues', '400', '--seed', '5']);
  expect(g.code, g.err).toBe(0);
  img = readFileSync(pcap);
  recs = pcapRecordOffsets(img);
  const ngFile = join(tmp, 'map.pcapng');
  const w = spawnSync('tshark', ['-r', pcap, '-F', 'pcapng', '-w', ngFile], { encoding: 'utf8' });
  expect(w.status, w.stderr).toBe(0);
  ng = readFileSync(ngFile);
  blocks = pcapngBlocks(ng);
}, 120_000);

function write(name: string, b: Buffer): string {
  const f = join(tmp, name);
  writeFileSync(f, b);
  return f;
}

/** Checks the damaged replay against a replay of the intact prefix [0, cleanEnd). */
function expectDamage(file: string, cleanEnd: number, anomaly: string, offset: number, detail: RegExp): Run {
  const r = replay([file]);
  expect(r.code).toBe(3);
  const lines = r.err.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^sigprobe: warning: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${anomaly.replace(/_/g, ' ')} at offset ${offset} \\(`));
  expect(lines[0]).toMatch(detail);
  expect(r.out).toMatch(new RegExp(`^damaged capture files: 1; .*${anomaly.replace(/_/g, ' ')} at offset ${offset} `, 'm'));
  expect(r.out).toMatch(new RegExp(`^anomalies: .*capture/${anomaly} 1`, 'm'));
  expect(r.summary.capture.damaged).toBe(1);
  expect(r.summary.capture.damage[0]).toMatchObject({ file, anomaly, offset });
  // what was read: exactly the intact part
  const prefix = write(file.replace(/.*\//, 'clean-') , (file.endsWith('.pcapng') ? ng : img).subarray(0, cleanEnd));
  const clean = replay([prefix]);
  expect(clean.code).toBe(0);
  expect(clean.err).toBe('');
  expect(r.summary.packets).toBe(clean.summary.packets);
  expect(r.rows).toEqual(clean.rows);
  expect(tsharkFrames(file).frames).toBe(r.summary.packets); // tshark stops at the same record
  return r;
}

describe('damaged capture files', () => {
  it('an intact file: exit 0, no warning, 0 damaged files', () => {
    const r = replay([pcap]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^damaged capture files: 0$/m);
    expect(r.summary.capture).toEqual({ damaged: 0, damage: [] });
    expect(r.summary.packets).toBe(recs.length);
  });

  it('pcap cut inside a record', () => {
    const k = Math.floor(recs.length * 0.6);
    const rec = recs[k];
    const cut = rec.off + 16 + Math.floor(rec.capLen / 2);
    const f = write('cut.pcap', img.subarray(0, cut));
    const r = expectDamage(f, rec.off, 'truncated_record', rec.off, new RegExp(`\\(the record holds ${rec.capLen} octets, the file ends after ${Math.floor(rec.capLen / 2)}\\); read stopped there after ${k} packets$`));
    expect(tsharkFrames(f).err).toMatch(/cut short in the middle of a packet/);
    expect(r.summary.packets).toBe(k);
  });

  it('pcap cut inside a record header', () => {
    const rec = recs[10];
    const f = write('cuthdr.pcap', img.subarray(0, rec.off + 9));
    expectDamage(f, rec.off, 'truncated_record', rec.off, /\(the file ends 9 octets into a 16-octet record header\)/);
  });

  it('garbage appended to a pcap', () => {
    const garbage = Buffer.from('-- this is not a packet record, just text someone appended --\n'.repeat(20));
    const f = write('garbage.pcap', Buffer.concat([img, garbage]));
    // the text read as a record header: its octets 8-11 as caplen, beyond any snaplen
    const capLen = garbage.readUInt32LE(8);
    expect(capLen).toBeGreaterThan(1 << 24);
    expectDamage(f, img.length, 'oversize_record', img.length, new RegExp(`\\(caplen ${capLen} beyond the \\d+-octet cap: a corrupt length or not a record\\)`));
  });

  it('pcapng: an EPB with a bogus total length', () => {
    const epbs = blocks.filter((b) => b.type === 6);
    const k = Math.floor(epbs.length / 3);
    const bad = Buffer.from(ng);
    bad.writeUInt32LE(epbs[k].len + 2, epbs[k].off + 4); // not a multiple of 4 (§3.1)
    const f = write('badlen.pcapng', bad);
    const r = expectDamage(f, epbs[k].off, 'bad_block', epbs[k].off, new RegExp(`\\(block type 0x00000006: total length ${epbs[k].len + 2} not a multiple of 4\\)`));
    expect(r.summary.packets).toBe(k);
  });

  it('pcapng: an EPB whose length points past another block (trailer mismatch)', () => {
    const epbs = blocks.filter((b) => b.type === 6);
    const k = Math.floor(epbs.length / 2);
    const bad = Buffer.from(ng);
    bad.writeUInt32LE(epbs[k].len + 8, epbs[k].off + 4);
    const f = write('trailer.pcapng', bad);
    expectDamage(f, epbs[k].off, 'bad_block', epbs[k].off, new RegExp(`\\(block total length ${epbs[k].len + 8}, trailing length \\d+\\)`));
  });

  it('pcapng cut inside a block, and garbage appended to a pcapng', () => {
    const epbs = blocks.filter((b) => b.type === 6);
    const last = epbs[epbs.length - 1];
    const f = write('cut.pcapng', ng.subarray(0, last.off + 20));
    expectDamage(f, last.off, 'truncated_record', last.off, new RegExp(`\\(the block holds ${last.len} octets, the file ends after 20\\)`));
    const g = write('garbage.pcapng', Buffer.concat([ng, Buffer.from('garbage!'.repeat(50))]));
    // 'garb' as a block type, 'age!' = 0x21656761 as its length: not a multiple of 4
    expectDamage(g, ng.length, 'bad_block', ng.length, /\(block type 0x62726167: total length 560293729 not a multiple of 4\)/);
  });

  it('several files: the damaged one is named, the others are read whole; exit 3; --json has the figure', () => {
    const rec = recs[20];
    const f = write('cut2.pcap', img.subarray(0, rec.off + 5));
    const r = sigprobe(['replay', pcap, f, '--spool', join(tmp, 'multi.db'), '--json']);
    expect(r.code).toBe(3);
    expect(r.err).toBe(`sigprobe: warning: ${f}: truncated record at offset ${rec.off} (the file ends 5 octets into a 16-octet record header); read stopped there after 20 packets\n`);
    const s = JSON.parse(r.out);
    expect(s.packets).toBe(recs.length + 20);
    expect(s.capture).toEqual({ damaged: 1, damage: [{ file: f, anomaly: 'truncated_record', offset: rec.off, detail: 'the file ends 5 octets into a 16-octet record header', packets: 20 }] });
  });
});
