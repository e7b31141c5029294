/**
 * The live packet ring (src/capture/packetRing.ts): rotation at fileBytes, the index (every frame
 * found at its offset, byte for byte), the size bound, the age bound (packet time and wall
 * clock), sessions after a restart (frame numbers start again at 1), tshark reading every ring
 * file; then a replay-fed run: a generated capture's packets through the ring as a live capture
 * would hand them over, the records of those packets (source = the interface) exported by
 * trace's exportPcap from the ring = exactly their request / answer packets, which replay again
 * into the same dialogues.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PacketRing, ringDirOf, ringPackets, IDX_ENTRY } from '../../src/capture/packetRing';
import { PcapReader } from '../../src/capture/pcapReader';
import { ConfigSchema } from '../../src/config/schema';
import { generate } from '../../src/gen';
import { exportPcap } from '../../src/trace/pcapExport';
import type { TraceRecord } from '../../src/trace/query';
import { replayRecords } from '../helpers/replay';

const T0 = 1_765_000_000_000_000; // µs

/** a packet whose bytes tell its frame: Ethernet header + 4-octet frame + filler */
function pkt(frame: number, len = 200): Buffer {
  const b = Buffer.alloc(len, frame & 0xff);
  b.writeUInt32BE(frame, 14);
  return b;
}

function ring(dir: string, o: Partial<ConstructorParameters<typeof PacketRing>[0]> & { clock?: { ms: number } } = {}): PacketRing {
  const clock = o.clock ?? { ms: T0 / 1000 };
  return new PacketRing({ dir, site: 'lab1', source: 'eth9', maxBytes: 1 << 30, maxAgeSeconds: 3600, fileBytes: 65536, timer: false, now: () => clock.ms, ...o });
}

function tsharkCount(file: string): number {
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim() === '' ? 0 : r.stdout.trim().split('\n').length;
}

describe('packet ring', () => {
  it('rotates at fileBytes and finds every frame at its index offset, byte for byte; tshark reads them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-ring-'));
    const r = ring(dir);
    const N = 2000;
    for (let f = 1; f <= N; f++) r.write(pkt(f), 0, 200, 200, T0 + f * 1000, 1, f);
    r.flush();
    const rd = ringDirOf(dir, 'lab1', 'eth9');
    const files = readdirSync(rd).filter((n) => n.endsWith('.pcapng')).sort();
    // 2000 × (28 + 200 + 4) octets of EPB ≈ 464 kB → ≥ 7 files of 64 KiB
    expect(files.length).toBeGreaterThanOrEqual(7);
    expect(r.fileCount()).toBe(files.length);
    let total = 0;
    for (const f of files) {
      const n = statSync(join(rd, f.replace('.pcapng', '.idx'))).size / IDX_ENTRY;
      expect(statSync(join(rd, f)).size).toBeLessThan(65536 + 300);
      if (f === files[0] || f === files[files.length - 1]) expect(tsharkCount(join(rd, f))).toBe(n);
      total += n;
    }
    expect(total).toBe(N);
    const want = [1, 2, 281, 282, 999, 1500, 2000];
    const got = ringPackets(rd, want.map((f) => ({ frame: f, tsUs: T0 + f * 1000 })));
    expect(got.missing).toEqual([]);
    expect(got.packets.map((p) => [p.frame, p.ts, p.linkType, p.origLen, p.data.readUInt32BE(14), p.data.length])).toEqual(want.map((f) => [f, T0 + f * 1000, 1, 200, f, 200]));
    expect(got.packets.every((p, i) => p.data.equals(pkt(want[i])))).toBe(true);
    r.close();
  });

  it('size bound: the oldest files go beyond maxBytes; their frames are reported aged out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-ring-'));
    const r = ring(dir, { maxBytes: 4 * 65536 });
    for (let f = 1; f <= 5000; f++) r.write(pkt(f), 0, 200, 200, T0 + f * 1000, 1, f);
    r.tick();
    // the closed files within maxBytes, plus the open one (< fileBytes + one packet + its index)
    expect(r.totalBytes()).toBeLessThanOrEqual(4 * 65536 + 65536 + 300 + (65536 / 232) * IDX_ENTRY);
    expect(r.deleted).toBeGreaterThan(8);
    const rd = ringDirOf(dir, 'lab1', 'eth9');
    const got = ringPackets(rd, [{ frame: 1, tsUs: T0 + 1000 }, { frame: 4990, tsUs: T0 + 4990 * 1000 }]);
    expect(got.packets.map((p) => p.frame)).toEqual([4990]);
    expect(got.missing).toHaveLength(1);
    expect(got.missing[0]).toMatchObject({ frame: 1 });
    expect(got.missing[0].reason).toMatch(/^aged out of the packet ring; the oldest packet kept is of 20\d\d-/);
    r.close();
  });

  it('age bound: files rotate at a quarter of maxAgeSeconds and go once their last packet is older than maxAgeSeconds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-ring-'));
    const clock = { ms: T0 / 1000 };
    const r = ring(dir, { maxAgeSeconds: 40, clock });
    // one packet a second for 100 s: a file per 10 s of packets
    for (let s = 0; s < 100; s++) {
      clock.ms = T0 / 1000 + s * 1000;
      r.write(pkt(s + 1), 0, 200, 200, T0 + s * 1e6, 1, s + 1);
      r.tick();
    }
    const rd = ringDirOf(dir, 'lab1', 'eth9');
    // kept: packets of the last 40 s (+ the rest of the oldest file still inside it)
    const got = ringPackets(rd, [1, 30, 55, 61, 100].map((f) => ({ frame: f, tsUs: T0 + (f - 1) * 1e6 })));
    expect(got.packets.map((p) => p.frame)).toEqual([61, 100]);
    expect(got.missing.map((m) => m.frame)).toEqual([1, 30, 55]);
    expect(r.fileCount()).toBeLessThanOrEqual(5);
    // the wall clock alone (an idle link) ages the closed files out too
    clock.ms += 60_000;
    r.write(pkt(101), 0, 200, 200, T0 + 160e6, 1, 101); // opens a new file (age rotation), the old ones go
    r.tick();
    expect(ringPackets(rd, [{ frame: 100, tsUs: T0 + 99e6 }]).missing).toHaveLength(1);
    expect(ringPackets(rd, [{ frame: 101, tsUs: T0 + 160e6 }]).packets).toHaveLength(1);
    r.close();
  });

  it('a restart is a new session: frame numbers start at 1 again, the record time picks the session', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-ring-'));
    const clock = { ms: T0 / 1000 };
    const a = ring(dir, { clock });
    for (let f = 1; f <= 50; f++) a.write(pkt(f), 0, 200, 200, T0 + f * 1000, 1, f);
    a.close();
    clock.ms = T0 / 1000 + 10_000;
    const b = ring(dir, { clock });
    for (let f = 1; f <= 50; f++) b.write(pkt(1000 + f), 0, 200, 200, T0 + 10e6 + f * 1000, 1, f);
    b.close();
    const rd = ringDirOf(dir, 'lab1', 'eth9');
    const got = ringPackets(rd, [{ frame: 7, tsUs: T0 + 7000 }, { frame: 7, tsUs: T0 + 10e6 + 7000 }]);
    expect(got.packets.map((p) => p.data.readUInt32BE(14))).toEqual([7, 1007]);
  });

  it('config: off by default, bounds validated', () => {
    const base = { site: 's', spool: { path: '/tmp/x.db' }, capture: { interface: 'eth0' } };
    const off = ConfigSchema.parse(base);
    expect(PacketRing.fromConfig(off, 'eth0')).toBeNull();
    const on = ConfigSchema.parse({ ...base, capture: { interface: 'eth0', packetRing: { dir: mkdtempSync(join(tmpdir(), 'sp-ring-')) } } });
    expect(on.capture?.packetRing).toMatchObject({ maxBytes: 1024 ** 3, maxAgeSeconds: 3600, fileBytes: 64 * 1024 ** 2 });
    const rg = PacketRing.fromConfig(on, 'eth0');
    expect(rg).not.toBeNull();
    rg?.close();
    expect(() => ConfigSchema.parse({ ...base, capture: { interface: 'eth0', packetRing: { fileBytes: 100 } } })).toThrow();
    expect(() => ConfigSchema.parse({ ...base, capture: { interface: 'eth0', packetRing: { maxbytes: 1 } } })).toThrow(/maxbytes/);
    const small = ConfigSchema.parse({ ...base, capture: { interface: 'eth0', packetRing: { dir: '/tmp', maxBytes: 100000, fileBytes: 65536 } } });
    expect(() => PacketRing.fromConfig(small, 'eth0')).toThrow(/maxBytes \(100000\) must be at least 2 × fileBytes/);
  });

  it('replay-fed: a capture through the ring as live; exportPcap writes exactly the records\' packets from it, which replay into the same dialogues', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-ring-'));
    const cap = join(dir, 'ipx.pcap');
    generate({ out: cap, seed: 5, dialogues: 400, scenario: 'ipx' });
    const clock = { ms: 0 };
    const r = ring(dir, { clock, fileBytes: 65536 });
    const rd = PcapReader.open(cap);
    const on = (buf: Buffer, start: number, capLen: number, origLen: number, tsUs: number, linkType: number, frame: number) => {
      clock.ms = tsUs / 1000;
      r.write(buf, start, capLen, origLen, tsUs, linkType, frame);
    };
    while (rd.read(on, 65536) > 0) {
      /* stream */
    }
    rd.close();
    r.close();
    expect(r.fileCount()).toBeGreaterThan(2);
    // the records as a live probe writes them: source = the interface, site = the probe's
    const { records } = replayRecords([cap]);
    const picked = records.filter((x, i) => i % 7 === 0 && x.reqFrame !== null && x.rspFrame !== null && x.messages === 2).slice(0, 25);
    expect(new Set(picked.map((x) => x.protocol)).size).toBeGreaterThan(2);
    const trace: TraceRecord[] = picked.map((x, i) => ({
      spool: 'live.db',
      via: 'identity',
      row: { id: i + 1, protocol: x.protocol, procedure: x.procedure, source: 'eth9', site: 'lab1', req_frame: x.reqFrame, rsp_frame: x.rspFrame, req_time_us: x.reqTimeUs, rsp_time_us: x.rspTimeUs, messages: x.messages },
    }));
    const out = join(dir, 'trace.pcapng');
    const ex = exportPcap(trace, out, [dir]);
    expect(ex.warnings).toEqual([]);
    expect(ex.packets).toBe(2 * picked.length);
    expect(tsharkCount(out)).toBe(2 * picked.length);
    const again = replayRecords([out]).records;
    const key = (x: { protocol: string; procedure: string | null; status: string; latencyUs: number | null }) => `${x.protocol}|${x.procedure}|${x.status}|${x.latencyUs}`;
    // every picked dialogue again, the same; a packet may carry more than one message (SCTP
    // bundles DATA chunks), so a few more dialogues can come with them
    const left = again.map(key);
    for (const k of picked.map(key)) {
      const i = left.indexOf(k);
      expect(i, k).toBeGreaterThanOrEqual(0);
      left.splice(i, 1);
    }
    expect(left.length).toBeLessThanOrEqual(3);
    // and once the ring is gone, each dialogue says so
    const gone = exportPcap(trace.slice(0, 3).map((t) => ({ ...t, row: { ...t.row, req_time_us: 1, rsp_time_us: 2 } })), join(dir, 'none.pcapng'), [dir]);
    expect(gone.packets).toBe(0);
    expect(gone.warnings).toHaveLength(3);
    for (const w of gone.warnings) expect(w).toMatch(/^eth9: .* at 1970-01-01T00:00:00\.000Z: packets frame \d+, frame \d+ aged out of the packet ring/);
  }, 60_000);
});
