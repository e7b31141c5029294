import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { generate } from '../../src/gen/index';
import { replayRecords } from '../helpers/replay';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');

function canRun(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (veth + raw capture)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'iproute2 missing';
  if (spawnSync('tcpreplay', ['-V']).status !== 0) return 'tcpreplay missing';
  return null;
}
const skip = canRun();
if (skip) console.log(`tcpreplay live test skipped: ${skip}`);

async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return pred();
}

/**
 * MAP traffic replayed onto a veth at line rates an STP mirror port sees (50k and 150k
 * packets/s): `sigprobe run` must record the same dialogues as `sigprobe replay` of the same
 * file, and its /metrics must report zero kernel drops.
 */
describe.skipIf(skip !== null)('sigprobe run under tcpreplay load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-load-'));
  const cap = join(dir, 'map.pcap');
  const g = generate({ out: cap, seed: 99, dialogues: 12000, spanSeconds: 60 });
  const { records } = replayRecords([cap]);
  const key = (r: { procedure: unknown; status: unknown; result_code?: unknown; resultCode?: unknown; req_frame?: unknown; reqFrame?: unknown; rsp_frame?: unknown; rspFrame?: unknown }) =>
    JSON.stringify([r.procedure, r.status, r.resultCode ?? r.result_code ?? null, r.reqFrame ?? r.req_frame ?? null, r.rspFrame ?? r.rsp_frame ?? null]);
  // Live, the unanswered and still-open dialogues close at SIGTERM: compare the answered ones.
  const want = records.filter((r) => r.status !== 'timeout').map(key).sort();

  for (const pps of [50_000, 150_000]) {
    it(`${pps} packets/s: records equal replay, zero kernel drops`, async () => {
      const a = `spl${pps / 1000}a`;
      const b = `spl${pps / 1000}b`;
      spawnSync('ip', ['link', 'del', a]);
      execFileSync('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
      try {
        execFileSync('ip', ['link', 'set', a, 'up']);
        execFileSync('ip', ['link', 'set', b, 'up']);
        const d = mkdtempSync(join(dir, `run${pps}-`));
        const cfg = join(d, 'live.yaml');
        writeFileSync(cfg, `site: lab\nspool:\n  path: spool.db\n  flushIntervalMs: 200\nprivacy:\n  identities: raw\ncapture:\n  interface: ${b}\n  bufferMiB: 256\nmetrics:\n  listen: 127.0.0.1:0\n`);
        const child = spawn(process.execPath, [MAIN, 'run', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (x) => (out += x));
        child.stderr.on('data', (x) => (err += x));
        const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
        expect(await until(() => /metrics on (http:\S+)/.test(out) && /capturing on/.test(out), 15000), out + err).toBe(true);
        const url = (/metrics on (http:\S+)/.exec(out) as RegExpExecArray)[1];
        const r = spawnSync('tcpreplay', ['-q', '-i', a, '--pps', String(pps), cap], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        const packetsMetric = async () => Number(/^sigprobe_packets_total\{[^}]*\} (\d+)/m.exec(await (await fetch(url)).text())?.[1] ?? 0);
        let seen = 0;
        const t0 = Date.now();
        while (Date.now() - t0 < 30000 && seen < g.packets) {
          seen = await packetsMetric();
          await new Promise((res) => setTimeout(res, 200));
        }
        expect(seen).toBe(g.packets);
        const text = await (await fetch(url)).text();
        expect(text).toMatch(/^sigprobe_kernel_packets\{[^}]*kind="dropped"[^}]*\} 0$/m);
        expect(text).toMatch(/^sigprobe_kernel_packets\{[^}]*kind="if_dropped"[^}]*\} 0$/m);
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        const db = new Database(join(d, 'spool.db'), { readonly: true });
        const live = (db.prepare("SELECT procedure, status, result_code, req_frame, rsp_frame FROM dialogues WHERE status != 'timeout'").all() as never[]).map(key).sort();
        db.close();
        expect(live).toEqual(want);
      } finally {
        spawnSync('ip', ['link', 'del', a]);
      }
    });
  }
});
