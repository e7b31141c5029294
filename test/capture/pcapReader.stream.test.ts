/**
 * Streaming: a large synthesized pcap (default 200 MB; SIGPROBE_STREAM_TEST_MB overrides) and
 * pcapng are replayed in constant memory: RSS growth stays far below the file size.
 * Also reports the framing-only read speed (packets/s).
 */
import { closeSync, openSync, rmSync, statSync, writeSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapReader } from '../../src/capture/pcapReader';
import { buildPcap, NgBuilder, payload, PcapRec } from './build';

const SIZE_MB = Number(process.env.SIGPROBE_STREAM_TEST_MB ?? 200);
const PKT_LEN = 200;
const files: string[] = [];
afterAll(() => {
  for (const f of files) rmSync(f, { force: true });
});

/** Writes header + `body` repeated until the file reaches sizeMb. Returns the packet count. */
function writeBig(path: string, header: Buffer, body: Buffer, pktsPerBody: number, sizeMb: number): number {
  files.push(path);
  const fd = openSync(path, 'w');
  writeSync(fd, header);
  let n = 0;
  for (let written = header.length; written < sizeMb * 1024 * 1024; written += body.length) {
    writeSync(fd, body);
    n += pktsPerBody;
  }
  closeSync(fd);
  return n;
}

function replay(path: string): { packets: number; bytes: number; rssGrowth: number; seconds: number; lastFrame: number } {
  const rss0 = process.memoryUsage().rss;
  let maxRss = rss0;
  const t0 = process.hrtime.bigint();
  const r = PcapReader.open(path);
  let packets = 0;
  let bytes = 0;
  let lastFrame = 0;
  const cb = (buf: Buffer, start: number, capLen: number, _o: number, _t: number, _l: number, frame: number): void => {
    bytes += capLen + buf[start]; // touch the data
    lastFrame = frame;
    if ((++packets & 0xffff) === 0) maxRss = Math.max(maxRss, process.memoryUsage().rss);
  };
  while (r.read(cb, 65536) > 0) {
    /* streaming */
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  expect(r.stats.endAnomaly).toBe(0);
  r.close();
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
  return { packets, bytes, rssGrowth: maxRss - rss0, seconds, lastFrame };
}

describe(`streaming a ${SIZE_MB} MB capture`, () => {
  it('pcap: constant memory (RSS growth < 50 MB)', () => {
    const recs: PcapRec[] = [];
    for (let i = 0; i < 4096; i++) recs.push({ sec: 1700000000 + i, sub: i, data: payload(i, PKT_LEN) });
    const img = buildPcap({ le: true, linkType: 1 }, recs);
    const path = join(tmpdir(), `sigprobe-stream-${process.pid}.pcap`);
    const expected = writeBig(path, img.subarray(0, 24), img.subarray(24), recs.length, SIZE_MB);
    const size = statSync(path).size;
    const res = replay(path);
    expect(res.packets).toBe(expected);
    expect(res.lastFrame).toBe(expected);
    expect(res.rssGrowth).toBeLessThan(50 * 1024 * 1024);
    console.info(`pcap ${(size / 1e6).toFixed(0)} MB, ${res.packets} packets of ${PKT_LEN} B: ` +
      `${(res.packets / res.seconds / 1e6).toFixed(2)} Mpkt/s, ${(size / res.seconds / 1e6).toFixed(0)} MB/s, RSS +${(res.rssGrowth / 1e6).toFixed(1)} MB`);
  });

  it('pcapng: constant memory (RSS growth < 50 MB)', () => {
    const b = new NgBuilder().shb(true).idb(1, { tsresol: 9 });
    const head = b.build();
    const body = new NgBuilder();
    for (let i = 0; i < 4096; i++) body.epb(0, 1700000000000000000n + BigInt(i), payload(i, PKT_LEN));
    const path = join(tmpdir(), `sigprobe-stream-${process.pid}.pcapng`);
    const expected = writeBig(path, head, body.build(), 4096, Math.max(1, SIZE_MB / 4));
    const size = statSync(path).size;
    const res = replay(path);
    expect(res.packets).toBe(expected);
    expect(res.rssGrowth).toBeLessThan(50 * 1024 * 1024);
    console.info(`pcapng ${(size / 1e6).toFixed(0)} MB, ${res.packets} packets of ${PKT_LEN} B: ` +
      `${(res.packets / res.seconds / 1e6).toFixed(2)} Mpkt/s, ${(size / res.seconds / 1e6).toFixed(0)} MB/s, RSS +${(res.rssGrowth / 1e6).toFixed(1)} MB`);
  });
});
