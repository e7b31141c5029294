/**
 * The IP protocols of the generator without tshark: the all-protocol 'ipx' mix follows the IPX
 * measurements it is modelled on (SIGCOMM'21 IPX study, TNSM'24 IoT signalling study), tunnel
 * timings on a long span, the midnight IoT burst, exact dialogue counts, determinism, and
 * constant memory over a large run (child process, which also reports the generation rate).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate, GenOptions, GenSummary, IP_SCENARIOS, SCENARIOS, tunnelsPathFor, truthPathFor } from '../../src/gen';
import { TruthRecord } from '../../src/gen/map/truth';
import { TunnelLine } from '../../src/gen/gtp/tunnels';
import { splitDialogues } from '../../src/gen/scenarios';
import { readPcapRecords } from '../helpers/pcapRecords';
import { readTruth, TRUTH_KEYS } from './helpers';
import { readTunnels, transpileGenerator } from './ipHelpers';

const DIR = mkdtempSync(join(tmpdir(), 'sigprobe-gen-ipmix-'));

function gen(name: string, o: Partial<GenOptions>): { summary: GenSummary; truth: TruthRecord[]; tunnels: TunnelLine[]; file: string } {
  const file = join(DIR, name);
  const summary = generate({ out: file, seed: 1, dialogues: 100, ...o });
  return { summary, truth: readTruth(summary.truthPath), tunnels: summary.tunnelsPath ? readTunnels(summary.tunnelsPath) : [], file };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};
const counts = <T>(xs: T[]): Map<T, number> => {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
};
const ranked = <T>(xs: T[]): T[] => [...counts(xs).entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);

describe("the 'ipx' mix (20,000 dialogues)", () => {
  const { summary, truth, tunnels } = gen('ipx20k.pcap', { scenario: 'ipx', dialogues: 20000, seed: 4242 });
  const dia = truth.filter((t) => t.protocol === 'diameter');
  const gtp = truth.filter((t) => t.protocol === 'gtpv1' || t.protocol === 'gtpv2');

  it('MAP keeps the majority; Diameter, GTPv1 and GTPv2 get their shares exactly', () => {
    expect(summary.byProtocol.map + (summary.byProtocol.cap ?? 0)).toBe(11000);
    expect(summary.byProtocol).toMatchObject({ diameter: 5000, gtpv1: 1600, gtpv2: 2400 });
    expect(truth.length).toBe(20000);
    for (const line of readFileSync(summary.truthPath, 'utf8').split('\n').slice(0, 50).filter((l) => l !== '')) expect(Object.keys(JSON.parse(line))).toEqual(TRUTH_KEYS);
    // the truth stays sorted by req_frame with all protocols in one file
    for (let i = 1; i < truth.length; i++) expect(truth[i].req_frame >= truth[i - 1].req_frame).toBe(true);
  });

  it('AIR is the most frequent Diameter command, then ULR, PUR, CLR; NOR / IDR some', () => {
    expect(ranked(dia.map((t) => t.opcode)).slice(0, 4)).toEqual([318, 316, 321, 317]);
    const share = (op: number): number => dia.filter((t) => t.opcode === op).length / dia.length;
    expect(share(318)).toBeGreaterThan(0.35);
    for (const op of [319, 323]) {
      expect(share(op)).toBeGreaterThan(0.01);
      expect(share(op)).toBeLessThan(0.08);
    }
  });

  it('5001 (user unknown) is the most frequent Diameter error; 5004 only on ULR (steering)', () => {
    const errors = dia.filter((t) => t.status === 'error').map((t) => t.result_code);
    expect(ranked(errors)[0]).toBe(5001);
    expect(counts(errors).get(5004) ?? 0).toBeGreaterThan(10);
    for (const t of dia) if (t.result_code === 5004) expect(t.opcode).toBe(316);
    // steering of roaming: an IMSI rejected with 5004, then accepted
    const byImsi = new Map<string, TruthRecord[]>();
    for (const t of dia) if (t.opcode === 316 && t.imsi) (byImsi.get(t.imsi) ?? byImsi.set(t.imsi, []).get(t.imsi)!).push(t);
    expect([...byImsi.values()].filter((l) => l[0].result_code === 5004 && l[l.length - 1].status === 'ok').length).toBeGreaterThan(3);
  });

  it('about 0.1 % of Diameter and GTP requests are never answered; the rest answered', () => {
    for (const list of [dia, gtp]) {
      const to = list.filter((t) => t.status === 'timeout').length / list.length;
      expect(to).toBeLessThan(0.005);
    }
    expect(dia.concat(gtp).filter((t) => t.status === 'timeout').length).toBeGreaterThanOrEqual(1);
    for (const t of dia.concat(gtp)) expect(t.rsp_frame === null).toBe(t.status === 'timeout');
  });

  it('tunnel setup delay: median 100-200 ms, 80 % under 1 s', () => {
    const d = tunnels.filter((t) => t.setup_delay_us !== null).map((t) => t.setup_delay_us!);
    expect(d.length).toBeGreaterThan(2500);
    expect(median(d)).toBeGreaterThan(100_000);
    expect(median(d)).toBeLessThan(200_000);
    const under1s = d.filter((x) => x < 1_000_000).length / d.length;
    expect(under1s).toBeGreaterThan(0.75);
    expect(under1s).toBeLessThan(0.85);
  });

  it('subscribers of the nine countries; IoT permanent roamers come back (same IMSI, IoT APN)', () => {
    const mccs = new Set(dia.concat(gtp).filter((t) => t.imsi).map((t) => t.imsi!.slice(0, 3)));
    expect([...mccs].sort()).toEqual(['204', '214', '234', '235', '262', '310', '334', '724', '732', '734']);
    const again = [...counts(tunnels.map((t) => t.imsi)).entries()].filter(([, n]) => n >= 2).map(([i]) => i);
    expect(again.length).toBeGreaterThan(20);
    const iotApn = new Set(['iot.m2m', 'm2m.telemetry', 'scada.iot', 'fleet.track']);
    const recurring = tunnels.filter((t) => again.includes(t.imsi));
    expect(recurring.filter((t) => iotApn.has(t.apn)).length / recurring.length).toBeGreaterThan(0.9);
  });
});

describe('GTP tunnels over a whole day (span 24 h, midnight inside)', () => {
  const startUs = 1_700_000_000_000_000; // 2023-11-14T22:13:20Z: midnight 6400 s later
  const { truth, tunnels, file } = gen('day.pcap', { scenario: 'ipx', protocols: ['gtpv1', 'gtpv2'], dialogues: 6000, seed: 99, spanSeconds: 86_400, startUs });
  const recs = readPcapRecords(file);
  const tOf = (frame: number): number => recs[frame - 1].tsUs;

  it('tunnel duration median ≈ 30 min (tunnels of the first half; still-open ones count as longer)', () => {
    const half = startUs + 43_200_000_000;
    const early = tunnels.filter((t) => t.end_reason !== 'create_rejected' && tOf(t.create_frame) < half);
    expect(early.length).toBeGreaterThan(500);
    const d = early.map((t) => (t.duration_us === null ? Infinity : t.duration_us));
    const m = median(d) / 60e6;
    expect(m).toBeGreaterThan(24);
    expect(m).toBeLessThan(36);
    // tunnels open at the end of the capture have no Delete
    const open = tunnels.filter((t) => t.end_reason === 'capture_end');
    expect(open.length).toBeGreaterThan(10);
    for (const t of open) expect(t.end_frame).toBeNull();
  });

  it('the midnight IoT burst: many Creates within one second, success below 90 % (no resources)', () => {
    const midnight = 1_700_006_400_000_000;
    const creates = truth.filter((t) => t.opcode === 16 || t.opcode === 32);
    const burst = creates.filter((t) => tOf(t.req_frame) >= midnight && tOf(t.req_frame) < midnight + 1_000_000);
    expect(burst.length).toBeGreaterThan(250); // each burst tunnel also takes its later Update / Delete from the burst share
    const ok = (l: TruthRecord[]): number => l.filter((t) => t.status === 'ok').length / l.length;
    expect(ok(burst)).toBeLessThan(0.9);
    expect(ok(creates.filter((t) => !burst.includes(t)))).toBeGreaterThan(0.95);
    const noRes = burst.filter((t) => t.result_code === 199 || t.result_code === 73).length;
    expect(noRes / burst.filter((t) => t.status === 'error').length).toBeGreaterThan(0.8);
  });
});

describe('counts and determinism', () => {
  it('every IP scenario writes exactly the requested number of dialogues', () => {
    for (const s of IP_SCENARIOS) {
      for (const n of [1, 2, 7, 41]) {
        const r = gen(`n-${s}-${n}.pcap`, { scenario: s, dialogues: n, seed: n });
        expect(r.truth.length).toBe(n);
        expect(r.summary.dialogues).toBe(n);
      }
    }
    expect(gen('zero.pcap', { scenario: 'ipx', dialogues: 0 }).truth.length).toBe(0);
  });

  it('the split over protocols adds up (largest remainders) and any subset can be asked for', () => {
    for (const n of [0, 1, 3, 10, 999]) {
      const c = splitDialogues(n, ['map', 'diameter', 'gtpv1', 'gtpv2'], 0.6);
      expect(c.map + c.diameter + c.gtpv1 + c.gtpv2).toBe(n);
    }
    expect(splitDialogues(10, ['gtpv1', 'gtpv2'], 0.6)).toEqual({ map: 0, diameter: 0, gtpv1: 4, gtpv2: 6 });
    const r = gen('subset.pcap', { scenario: 'mix', protocols: ['map', 'diameter'], dialogues: 300 });
    expect(Object.keys(r.summary.byProtocol).sort()).toEqual(['cap', 'diameter', 'map'].filter((p) => p in r.summary.byProtocol).sort());
    expect(r.summary.byProtocol.diameter).toBeGreaterThan(50);
    expect(r.summary.tunnelsPath).toBeNull();
    expect(() => generate({ out: join(DIR, 'bad.pcap'), seed: 1, dialogues: 1, protocols: [] })).toThrow();
    // the SIGTRAN scenarios stay MAP/CAP only and write no tunnels file
    for (const s of SCENARIOS) expect(IP_SCENARIOS as readonly string[]).not.toContain(s);
    expect(gen('mixonly.pcap', { scenario: 'mix', dialogues: 50 }).summary.tunnelsPath).toBeNull();
  });

  it('same seed -> identical capture, truth and tunnels; another seed -> different', () => {
    const a = gen('det-a.pcap', { scenario: 'ipx', dialogues: 1500, seed: 7 });
    const b = gen('det-b.pcap', { scenario: 'ipx', dialogues: 1500, seed: 7 });
    const c = gen('det-c.pcap', { scenario: 'ipx', dialogues: 1500, seed: 8 });
    expect(readFileSync(a.file).equals(readFileSync(b.file))).toBe(true);
    expect(readFileSync(truthPathFor(a.file)).equals(readFileSync(truthPathFor(b.file)))).toBe(true);
    expect(readFileSync(tunnelsPathFor(a.file)).equals(readFileSync(tunnelsPathFor(b.file)))).toBe(true);
    expect(readFileSync(a.file).equals(readFileSync(c.file))).toBe(false);
    // pcapng carries the same packets and truth
    const ng = gen('det-a.pcapng', { scenario: 'ipx', dialogues: 1500, seed: 7 });
    const ra = readPcapRecords(a.file);
    const rn = readPcapRecords(ng.file);
    expect(rn.length).toBe(ra.length);
    for (let i = 0; i < ra.length; i += 97) expect(rn[i].data.equals(ra[i].data) && rn[i].tsUs === ra[i].tsUs).toBe(true);
    expect(readFileSync(truthPathFor(ng.file), 'utf8')).toBe(readFileSync(truthPathFor(a.file), 'utf8'));
  });
});

describe('constant memory', () => {
  let result: { ms: number; rate: number; baseRss: number; peakRss: number; samples: { d: number; heap: number }[]; summary: GenSummary };
  beforeAll(async () => {
    const jsDir = join(DIR, 'js');
    transpileGenerator(jsDir);
    const out = join(DIR, 'big-ipx.pcap');
    // 6 h of traffic: long enough for the tunnels in flight (30 min median) to reach their steady state
    const script = `
      const { generate } = require(${JSON.stringify(join(jsDir, 'gen/index.js'))});
      const base = process.memoryUsage().rss;
      let peak = base;
      const samples = [];
      const t0 = process.hrtime.bigint();
      const summary = generate({ out: ${JSON.stringify(out)}, seed: 11, dialogues: 120000, scenario: 'ipx', spanSeconds: 21600, progressEvery: 10000,
        onProgress: (p) => { const m = process.memoryUsage(); peak = Math.max(peak, m.rss); samples.push({ d: p.dialogues, heap: m.heapUsed }); } });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      peak = Math.max(peak, process.memoryUsage().rss);
      process.stdout.write(JSON.stringify({ ms, rate: 120000 / (ms / 1000), baseRss: base, peakRss: peak, samples, summary }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { maxBuffer: 1 << 24 });
    result = JSON.parse(stdout);
    for (const f of [out, truthPathFor(out), tunnelsPathFor(out)]) rmSync(f, { force: true });
  });

  it("120,000 'ipx' dialogues over 6 h with RSS growth < 150 MB and a flat heap", () => {
    const growthMb = (result.peakRss - result.baseRss) / 1e6;
    console.log(
      `generator (ipx): 120000 dialogues, ${result.summary.packets} packets, ${(result.summary.bytes / 1e6).toFixed(1)} MB in ` +
        `${(result.ms / 1000).toFixed(1)} s = ${Math.round(result.rate)} dialogues/s; RSS growth ${growthMb.toFixed(1)} MB; ` +
        `${result.summary.tunnels} tunnels`,
    );
    expect(result.summary.dialogues).toBe(120000);
    expect(growthMb).toBeLessThan(150);
    const half = result.samples.length >> 1;
    const firstPeak = Math.max(...result.samples.slice(0, half).map((s) => s.heap));
    const secondPeak = Math.max(...result.samples.slice(half).map((s) => s.heap));
    expect(secondPeak - firstPeak).toBeLessThan(25e6);
  });
});
