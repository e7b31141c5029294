/**
 * `npm run bench --quick`: the smoke run of the benchmark (50,000 dialogues) in a child process,
 * on the built dist/, in a temporary work directory and without touching bench/RESULTS.md. Checks
 * that the table has every metric row, in order, with a finite number, and that the numbers
 * agree with each other where they must.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../src/bench/metrics';
import type { MetricKey } from '../../src/bench/metrics';

const RUN = resolve(__dirname, '../../dist/bench/run.js');
const WORK = mkdtempSync(join(tmpdir(), 'sigprobe-bench-'));

let stdout = '';
const values = new Map<string, number>();
const v = (key: MetricKey): number => values.get(METRICS.find((m) => m.key === key)!.label)!;

beforeAll(async () => {
  const r = await promisify(execFile)(process.execPath, [RUN, '--quick', '--no-append', '--work', WORK], { maxBuffer: 16 * 1024 * 1024 });
  stdout = r.stdout;
  for (const m of stdout.matchAll(/^\| (.+?) \| (.*?) \|$/gm)) if (m[1] !== 'metric' && m[1] !== '---') values.set(m[1], Number(m[2]));
}, 300_000); // the quick bench starts private Redis and PostgreSQL servers: slow on a loaded machine

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe('bench --quick', () => {
  it('prints the headline ratio first: full-path replay of the ipx capture ÷ tshark of the same file', () => {
    const first = stdout.split('\n')[0];
    expect(first).toMatch(/^full path: sigprobe replay \d+ packets\/s ÷ tshark fields \d+ packets\/s = [\d.]+× \(ipx capture, \d+ packets, 20000 dialogues; default settings; target ≥ 15×; load [\d. ]+\)$/);
    expect(v('ratioFullPathTshark')).toBeCloseTo(v('fullPathPps') / v('ipxTsharkPps'), 1);
  });

  it('prints a heading with the date, the machine and the commit', () => {
    expect(stdout).toMatch(/^## \d{4}-\d\d-\d\dT[\d:.]+Z — quick — .+, \d+ cores, [\d.]+ GiB RAM, node v\d+\.\d+\.\d+ — commit \S+$/m);
  });

  it('has every metric row, in order, with a finite number', () => {
    expect([...values.keys()]).toEqual(METRICS.map((m) => m.label));
    for (const [label, n] of values) {
      expect(Number.isFinite(n), label).toBe(true);
      expect(n, label).toBeGreaterThan(0);
    }
  });

  it('measures the 50,000-dialogue capture consistently', () => {
    expect(v('captureDialogues')).toBe(50000);
    expect(v('capturePackets')).toBeGreaterThan(100000);
    // µs/packet is the inverse of packets/s (up to rounding of the printed values)
    expect(v('rawUsPerPacket') * v('rawPps')).toBeCloseTo(1e6, -4);
    expect(v('replayUsPerPacket') * v('replayPps')).toBeCloseTo(1e6, -4);
    // framing alone is faster than decoding; the spool adds work on top of decoding
    expect(v('ratioDecodeFraming')).toBeLessThan(1);
    expect(v('ratioDecodeTshark')).toBeCloseTo(v('rawPps') / v('tsharkPps'), 1);
    // unanswered Begins stay pending; each costs some heap
    expect(v('pendingBegins')).toBe(50000);
    expect(v('pendingDialogues')).toBeGreaterThan(45000);
    expect(v('pendingBytes')).toBeGreaterThan(100);
    expect(v('tsharkPacketsTimed')).toBe(v('capturePackets'));
    // h: the ipx capture replayed whole; its spool rows come at a lower rate than its packets
    expect(v('ipxPackets')).toBeGreaterThan(20000);
    expect(v('fullPathRps')).toBeLessThan(v('fullPathPps'));
    // s: the spool step reports each size's window; CPU µs/row is the inverse scale of rows/s
    expect(v('spoolRpsSustained')).toBeGreaterThan(1000);
    expect(v('spoolLastVsFirst')).toBeCloseTo((100 * v('spoolRpsLast')) / v('spoolRpsFirst'), -1);
    expect(v('spoolCpuUsFirst')).toBeGreaterThan(0.1);
    // g: every record of the replay's spool reached PostgreSQL; the rate is records / wall time
    expect(v('shipCollectRecords')).toBeGreaterThanOrEqual(50000);
    expect(Math.abs(v('shipCollectRps') / (v('shipCollectRecords') / v('shipCollectSeconds')) - 1)).toBeLessThan(0.02);
    expect(v('shipOnlyRps')).toBeGreaterThanOrEqual(v('shipCollectRps') * 0.99);
  });
});
