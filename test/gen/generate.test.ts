/**
 * generate(): truth file format and consistency with the written capture, determinism, the
 * realistic mix (procedure shares, errors, steering of roaming, latencies), and constant memory
 * over 200,000 dialogues (in a child process, which also reports the generation rate).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate, GenSummary, truthPathFor } from '../../src/gen';
import { TruthRecord } from '../../src/gen/map/truth';
import { readPcapRecords } from '../helpers/pcapRecords';
import { readTruth, TRUTH_KEYS } from './helpers';

const DIR = mkdtempSync(join(tmpdir(), 'sigprobe-gen-'));
const SRC = resolve(__dirname, '../../src');

function gen(name: string, opts: Partial<Parameters<typeof generate>[0]> = {}): { summary: GenSummary; truth: TruthRecord[]; file: string } {
  const file = join(DIR, name);
  const summary = generate({ out: file, seed: 1, dialogues: 300, ...opts });
  return { summary, truth: readTruth(summary.truthPath), file };
}

describe('truth file', () => {
  const { summary, truth, file } = gen('fmt.pcap', { dialogues: 500, scenario: 'mix', seed: 77 });
  const raw = readFileSync(summary.truthPath, 'utf8').split('\n').filter((l) => l !== '');
  const recs = readPcapRecords(file);

  it('has one line per dialogue with exactly the keys, in order, and the right types', () => {
    expect(summary.truthPath).toBe(truthPathFor(file));
    expect(raw.length).toBe(500);
    expect(summary.dialogues).toBe(500);
    for (const line of raw) {
      const o = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(o)).toEqual(TRUTH_KEYS);
      expect(['map', 'cap']).toContain(o.protocol);
      expect(Number.isInteger(o.req_frame)).toBe(true);
      expect(o.rsp_frame === null || Number.isInteger(o.rsp_frame)).toBe(true);
      expect(['ok', 'error', 'abort', 'reject', 'timeout']).toContain(o.status);
      expect(o.imsi === null || /^\d{15}$/.test(o.imsi as string)).toBe(true);
      expect(o.result_code === null || Number.isInteger(o.result_code)).toBe(true);
      // Python json.dumps spacing, like the oracle's output
      expect(line.startsWith('{"protocol": ')).toBe(true);
    }
  });

  it('is sorted by req_frame (ties by rsp_frame, none first)', () => {
    for (let i = 1; i < truth.length; i++) {
      const a = truth[i - 1];
      const b = truth[i];
      expect(a.req_frame <= b.req_frame).toBe(true);
      if (a.req_frame === b.req_frame) expect((a.rsp_frame ?? 0) <= (b.rsp_frame ?? 0)).toBe(true);
    }
  });

  it('frames and latencies match the capture (latency = rsp packet time - req packet time)', () => {
    expect(recs.length).toBe(summary.packets);
    expect(statSync(file).size).toBe(summary.bytes);
    for (const t of truth) {
      expect(t.req_frame).toBeGreaterThanOrEqual(1);
      expect(t.req_frame).toBeLessThanOrEqual(recs.length);
      if (t.rsp_frame === null) {
        expect(t.latency_us).toBeNull();
        expect(t.status).toBe('timeout');
      } else {
        expect(t.rsp_frame).toBeGreaterThan(t.req_frame);
        expect(t.latency_us).toBe(recs[t.rsp_frame - 1].tsUs - recs[t.req_frame - 1].tsUs);
      }
      expect(t.status === 'error').toBe(t.result_code !== null);
    }
    // packet times never go backwards
    for (let i = 1; i < recs.length; i++) expect(recs[i].tsUs >= recs[i - 1].tsUs).toBe(true);
  });

  it('summary counts add up', () => {
    const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    expect(sum(summary.byStatus)).toBe(500);
    expect(sum(summary.byProcedure)).toBe(500);
    for (const [p, n] of Object.entries(summary.byProcedure)) expect(truth.filter((t) => t.procedure === p).length).toBe(n);
  });
});

describe('determinism', () => {
  it('same seed -> identical bytes; different seed -> different bytes', () => {
    const a = gen('det-a.pcap', { seed: 99, scenario: 'mix', dialogues: 400 });
    const b = gen('det-b.pcap', { seed: 99, scenario: 'mix', dialogues: 400 });
    const c = gen('det-c.pcap', { seed: 100, scenario: 'mix', dialogues: 400 });
    expect(readFileSync(a.file).equals(readFileSync(b.file))).toBe(true);
    expect(readFileSync(a.summary.truthPath).equals(readFileSync(b.summary.truthPath))).toBe(true);
    expect(readFileSync(a.file).equals(readFileSync(c.file))).toBe(false);
    expect(readFileSync(a.summary.truthPath, 'utf8')).not.toBe(readFileSync(c.summary.truthPath, 'utf8'));
  });

  it('pcapng output carries the same packets, times and truth as pcap', () => {
    const a = gen('ng.pcap', { seed: 5, scenario: 'sctp-fragments', dialogues: 60 });
    const b = gen('ng.pcapng', { seed: 5, scenario: 'sctp-fragments', dialogues: 60 });
    const ra = readPcapRecords(a.file);
    const rb = readPcapRecords(b.file);
    expect(rb.length).toBe(ra.length);
    for (let i = 0; i < ra.length; i++) {
      expect(rb[i].tsUs).toBe(ra[i].tsUs);
      expect(rb[i].data.equals(ra[i].data)).toBe(true);
    }
    expect(readFileSync(b.summary.truthPath, 'utf8')).toBe(readFileSync(a.summary.truthPath, 'utf8'));
  });

  it('every named scenario runs and writes exactly the requested number of dialogues', async () => {
    const { SCENARIOS } = await import('../../src/gen');
    for (const s of SCENARIOS) {
      if (s === 'mix') continue;
      const r = gen(`all-${s}.pcap`, { scenario: s, dialogues: 12, seed: 3 });
      expect(r.truth.length).toBe(12);
      expect(r.summary.packets).toBeGreaterThanOrEqual(12);
    }
  });
});

describe('realistic mix (20,000 dialogues)', () => {
  const { summary, truth } = gen('mix20k.pcap', { dialogues: 20000, seed: 31337 });
  const map = truth.filter((t) => t.protocol === 'map');
  const share = (p: string) => map.filter((t) => t.procedure === p).length / map.length;

  it('procedure shares follow the IPX study', () => {
    expect(share('sendAuthenticationInfo')).toBeGreaterThan(0.38);
    expect(share('sendAuthenticationInfo')).toBeLessThan(0.5);
    for (const p of ['updateLocation', 'cancelLocation']) {
      expect(share(p)).toBeGreaterThan(0.14);
      expect(share(p)).toBeLessThan(0.26);
    }
    for (const p of ['updateGprsLocation', 'purgeMS', 'insertSubscriberData', 'sendRoutingInfoForSM', 'mt-ForwardSM', 'mo-ForwardSM']) {
      expect(share(p)).toBeGreaterThan(0.002);
      expect(share(p)).toBeLessThan(0.08);
    }
    expect(truth.some((t) => t.protocol === 'cap')).toBe(true);
  });

  it('unknownSubscriber is the most frequent MAP error; roamingNotAllowed only on location updates', () => {
    const byCode = new Map<number, number>();
    for (const t of map) if (t.result_code !== null) byCode.set(t.result_code, (byCode.get(t.result_code) ?? 0) + 1);
    const top = [...byCode.entries()].sort((a, b) => b[1] - a[1])[0][0];
    expect(top).toBe(1);
    expect(byCode.get(8) ?? 0).toBeGreaterThan(50);
    expect(byCode.get(6) ?? 0).toBeGreaterThan(5); // absentSubscriberSM
    expect(byCode.get(34) ?? 0).toBeGreaterThan(5); // systemFailure
    for (const t of map) if (t.result_code === 8) expect(['updateLocation', 'updateGprsLocation']).toContain(t.procedure);
  });

  it('statuses: mostly ok, a few aborts and rejects, ~0.1 % unanswered', () => {
    const n = (s: string) => truth.filter((t) => t.status === s).length;
    expect(n('ok') / truth.length).toBeGreaterThan(0.85);
    expect(n('abort')).toBeGreaterThan(20);
    expect(n('reject')).toBeGreaterThan(5);
    expect(n('timeout')).toBeGreaterThanOrEqual(4);
    expect(n('timeout')).toBeLessThanOrEqual(60);
  });

  it('steering of roaming: 4 roamingNotAllowed updateLocations, then an accepted one, same IMSI', () => {
    const byImsi = new Map<string, TruthRecord[]>();
    for (const t of map) if (t.procedure === 'updateLocation' && t.imsi) (byImsi.get(t.imsi) ?? byImsi.set(t.imsi, []).get(t.imsi)!).push(t);
    const episodes = [...byImsi.values()].filter((ul) => ul.length === 5 && ul.slice(0, 4).every((t) => t.result_code === 8) && ul[4].status === 'ok');
    expect(episodes.length).toBeGreaterThan(10);
  });

  it('subscribers of the nine countries; latencies 10-300 ms; few dialogues in flight', () => {
    const mccs = new Set(truth.filter((t) => t.imsi).map((t) => t.imsi!.slice(0, 3)));
    expect([...mccs].sort()).toEqual(['204', '214', '234', '235', '262', '310', '334', '724', '732', '734']);
    for (const t of truth) if (t.latency_us !== null) {
      expect(t.latency_us).toBeGreaterThanOrEqual(10_000);
      expect(t.latency_us).toBeLessThanOrEqual(300_000);
    }
    expect(summary.stats.peakDialoguesInFlight).toBeLessThan(200);
    expect(summary.stats.bundledPackets).toBeGreaterThan(50);
    expect(summary.stats.fragmentedMessages).toBeGreaterThan(10);
  });
});

/** transpile src/gen and the pcap writer to plain JS for a child process (no type check: tsc does that) */
function transpileGenerator(outDir: string): void {
  const files: string[] = [join(SRC, 'capture/pcapWriter.ts')];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(SRC, 'gen'));
  for (const f of files) {
    const js = ts.transpileModule(readFileSync(f, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const out = join(outDir, relative(SRC, f)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js);
  }
}

describe('constant memory', () => {
  let result: { ms: number; rate: number; baseRss: number; peakRss: number; samples: { d: number; rss: number; heap: number }[]; summary: GenSummary };
  beforeAll(async () => {
    const jsDir = join(DIR, 'js');
    transpileGenerator(jsDir);
    const script = `
      const { generate } = require(${JSON.stringify(join(jsDir, 'gen/index.js'))});
      const base = process.memoryUsage().rss;
      let peak = base;
      const samples = [];
      const t0 = process.hrtime.bigint();
      const summary = generate({ out: ${JSON.stringify(join(DIR, 'big.pcap'))}, seed: 11, dialogues: 200000, progressEvery: 10000,
        onProgress: (p) => { const m = process.memoryUsage(); peak = Math.max(peak, m.rss); samples.push({ d: p.dialogues, rss: m.rss, heap: m.heapUsed }); } });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      peak = Math.max(peak, process.memoryUsage().rss);
      process.stdout.write(JSON.stringify({ ms, rate: 200000 / (ms / 1000), baseRss: base, peakRss: peak, samples, summary }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { maxBuffer: 1 << 24 });
    result = JSON.parse(stdout);
    rmSync(join(DIR, 'big.pcap'), { force: true });
    rmSync(truthPathFor(join(DIR, 'big.pcap')), { force: true });
  });

  it('200,000 dialogues with RSS growth < 100 MB (and a flat heap)', () => {
    const growthMb = (result.peakRss - result.baseRss) / 1e6;
    // reported for the record: generation rate and memory
    console.log(
      `generator: 200000 dialogues, ${result.summary.packets} packets, ${(result.summary.bytes / 1e6).toFixed(1)} MB in ` +
        `${(result.ms / 1000).toFixed(1)} s = ${Math.round(result.rate)} dialogues/s; RSS growth ${growthMb.toFixed(1)} MB`,
    );
    expect(result.summary.dialogues).toBe(200000);
    expect(growthMb).toBeLessThan(100);
    // heap after the second half never exceeds the first-half peak by much (nothing accumulates)
    const half = result.samples.length >> 1;
    const firstPeak = Math.max(...result.samples.slice(0, half).map((s) => s.heap));
    const secondPeak = Math.max(...result.samples.slice(half).map((s) => s.heap));
    expect(secondPeak - firstPeak).toBeLessThan(20e6);
  });
});
