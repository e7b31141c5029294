/**
 * Fuzz: 100 000 mutated capture images (pcapng mostly: the block walker) read from memory.
 * Invariants: fromBuffer throws only CaptureError E_NOT_A_CAPTURE; read() never throws, always
 * ends (returns 0), delivers packets inside the buffer with increasing frame numbers, and the
 * stats agree with what was delivered.
 */
import { existsSync, readFileSync } from 'fs';
import { describe, expect, it } from 'vitest';
import { CaptureError } from '../../src/capture/errors';
import { PcapReader } from '../../src/capture/pcapReader';
import { CAPTURE_ANOMALY_NAMES } from '../../src/capture/types';
import { mutate, Prng } from '../helpers/mutationFuzz';
import { NgBuilder, payload } from './build';
import { ngMultiIf, ngMultiSection, pcapNsBe, pcapUsLe } from './synth';

const ITERATIONS = 100_000;

const SEEDS: Buffer[] = [
  ngMultiIf(),
  ngMultiSection(),
  new NgBuilder().shb(false).idb(1, { snaplen: 64 }).spb(payload(1, 80), 200).epb(0, 5n, payload(2, 9)).isb(0).build(),
  pcapUsLe(),
  pcapNsBe(),
];
for (const f of ['nDPI/gtp_false_positive.pcapng', 'zeek/pdp_ctx_messages.pcapng', 'nDPI/gtp_prime.pcapng']) {
  const p = `/work/shared/captures/public/${f}`;
  if (existsSync(p)) SEEDS.push(readFileSync(p));
}

/** Values that hit the walker's decisions: lengths, block types, byte-order magics. */
const WORDS = [0, 1, 2, 3, 4, 5, 6, 8, 11, 12, 16, 28, 32, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffc,
  0x0a0d0d0a, 0x1a2b3c4d, 0x4d3c2b1a, 0xbad, 0x40000bad, 0x00090001, 0x00940001];

/** Overwrites one 32-bit aligned word (a length, type, interface id...) with an edge value. */
function mutateWord(rng: Prng, src: Buffer): Buffer {
  const b = Buffer.from(src);
  if (b.length < 4) return b;
  const at = rng.int(b.length >> 2) << 2;
  const w = rng.int(4) === 0 ? (b.readUInt32LE(at) + (rng.int(9) - 4) * 4) >>> 0 : rng.pick(WORDS);
  if (rng.int(2)) b.writeUInt32LE(w, at);
  else b.writeUInt32BE(w, at);
  return b;
}

describe('PcapReader fuzz', () => {
  it(`${ITERATIONS} mutated images: no exception, bounded results`, () => {
    const rng = new Prng(0x5eed);
    let opened = 0;
    let delivered = 0;
    const anomalies = new Array<number>(CAPTURE_ANOMALY_NAMES.length).fill(0);
    for (let i = 0; i < ITERATIONS; i++) {
      const seed = SEEDS[rng.int(SEEDS.length)];
      let img = rng.int(10) < 6 ? mutate(rng, seed) : mutateWord(rng, seed);
      if (rng.int(4) === 0) img = mutateWord(rng, img);
      let r: PcapReader;
      try {
        r = PcapReader.fromBuffer(img);
      } catch (e) {
        if (!(e instanceof CaptureError) || e.code !== 'E_NOT_A_CAPTURE') throw e;
        continue;
      }
      opened++;
      let lastFrame = 0;
      let count = 0;
      let bad = '';
      const cb = (buf: Buffer, start: number, capLen: number, origLen: number, tsUs: number, linkType: number, frame: number): void => {
        count++;
        if (buf !== img) bad = 'buffer is not the image';
        else if (!(start >= 0 && capLen >= 0 && start + capLen <= img.length)) bad = `packet [${start}, +${capLen}) outside the image`;
        else if (!(frame > lastFrame)) bad = `frame ${frame} after ${lastFrame}`;
        else if (!Number.isFinite(tsUs) || !Number.isInteger(origLen) || !Number.isInteger(linkType)) bad = 'non-numeric field';
        lastFrame = frame;
      };
      let guard = 0;
      while (r.read(cb, 1 + rng.int(4)) > 0) {
        if (++guard > img.length) throw new Error('read() does not terminate');
      }
      if (bad) throw new Error(`iteration ${i}: ${bad}`);
      expect(r.read(cb)).toBe(0);
      const st = r.stats;
      if (st.packets !== count || st.endAnomaly < 0 || st.endAnomaly >= CAPTURE_ANOMALY_NAMES.length) {
        throw new Error(`iteration ${i}: stats ${JSON.stringify(st)} after ${count} packets`);
      }
      anomalies[st.endAnomaly]++;
      delivered += count;
    }
    // the mutations must reach the interesting paths, not only the header checks
    expect(opened).toBeGreaterThan(ITERATIONS / 2);
    expect(delivered).toBeGreaterThan(ITERATIONS);
    expect(anomalies[0]).toBeGreaterThan(1000); // ok
    expect(anomalies[1]).toBeGreaterThan(1000); // truncated_record
    expect(anomalies[2]).toBeGreaterThan(1000); // bad_block
    expect(anomalies[3]).toBeGreaterThan(100); // oversize_record
  });
});
