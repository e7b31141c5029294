import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SHARED } from '../helpers/oracle';
import { replayRecords } from '../helpers/replay';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const MAP_SYNTH = join(SHARED, 'tools/selftest/map-synthetic.pcap');

function canRun(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (veth + raw capture)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'iproute2 missing';
  if (spawnSync('tcpreplay', ['-V']).status !== 0) return 'tcpreplay missing';
  return null;
}

const skip = canRun();
if (skip) console.log(`live capture test skipped: ${skip}`);

/** Waits until `pred(stdout)` holds or ms pass. */
function waitFor(get: () => string, pred: (s: string) => boolean, ms: number): Promise<boolean> {
  return new Promise((res) => {
    const t0 = Date.now();
    const iv = setInterval(() => {
      if (pred(get())) {
        clearInterval(iv);
        res(true);
      } else if (Date.now() - t0 > ms) {
        clearInterval(iv);
        res(false);
      }
    }, 50);
  });
}

describe.skipIf(skip !== null)('sigprobe run: live capture on a veth pair', () => {
  it('records the same dialogues as replay, and SIGTERM flushes pending ones', async () => {
    const a = `spa${process.pid % 10000}`;
    const b = `spb${process.pid % 10000}`;
    execFileSync('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    try {
      execFileSync('ip', ['link', 'set', a, 'up']);
      execFileSync('ip', ['link', 'set', b, 'up']);
      const d = mkdtempSync(join(tmpdir(), 'sp-live-'));
      const cfg = join(d, 'live.yaml');
      writeFileSync(cfg, `site: lab1\nspool:\n  path: spool.db\n  flushIntervalMs: 200\nprivacy:\n  identities: raw\ncapture:\n  interface: ${b}\n  bufferMiB: 8\nmetrics:\n  listen: 127.0.0.1:0\n`);
      const child = spawn(process.execPath, [MAIN, 'run', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (x) => (out += x));
      child.stderr.on('data', (x) => (err += x));
      const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
      expect(await waitFor(() => out + err, (s) => /capturing on/.test(s) || /sigprobe: /.test(s), 15000), err).toBe(true);
      expect(out).toMatch(new RegExp(`capturing on ${b} \\(site lab1\\), filter: .*sctp`));
      execFileSync('tcpreplay', ['-q', '-i', a, '--pps', '200', MAP_SYNTH], { stdio: 'ignore' });
      // Wait until the flush timer has written the 6 dialogues that end in the capture.
      const db = () => new Database(join(d, 'spool.db'), { readonly: true, fileMustExist: true });
      const count = () => {
        try {
          const x = db();
          const n = (x.prepare('SELECT count(*) n FROM dialogues').get() as { n: number }).n;
          x.close();
          return String(n);
        } catch {
          return '0';
        }
      };
      expect(await waitFor(count, (n) => Number(n) >= 6, 15000)).toBe(true);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toMatch(/SIGTERM: stopped; packets 17, kernel received \d+, dropped 0/);
      // Structured logs on stderr: JSON lines with level and event; never a subscriber identity
      // (this probe runs with identities raw, so the IMSIs of the capture would show verbatim).
      const logLines = err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      expect(logLines.find((l) => l.event === 'capture_started')).toMatchObject({ level: 'info', component: 'probe', iface: b, site: 'lab1' });
      expect(logLines.find((l) => l.event === 'capture_stopped')).toMatchObject({ packets: 17, kernelDropped: 0 });
      for (const imsi of ['001010000000001', '001010000000002', '8613811111111']) expect(err).not.toContain(imsi);
      const x = db();
      const live = x.prepare('SELECT procedure, status, result_code, req_frame, rsp_frame, end_reason, imsi, site, source FROM dialogues ORDER BY req_frame').all() as Record<string, unknown>[];
      x.close();
      const { records } = replayRecords([MAP_SYNTH]);
      const want = records
        .map((r) => ({ procedure: r.procedure, status: r.status, result_code: r.resultCode, req_frame: r.reqFrame, rsp_frame: r.rspFrame, imsi: r.imsi }))
        .sort((p, q) => (p.req_frame as number) - (q.req_frame as number));
      expect(live.map(({ end_reason: _e, site: _s, source: _src, ...rest }) => rest)).toEqual(want);
      // The unanswered updateLocation was still pending at SIGTERM: flushed as a timeout record.
      expect(live.find((r) => r.req_frame === 9)).toMatchObject({ status: 'timeout', end_reason: 'shutdown', site: 'lab1', source: b });
    } finally {
      spawnSync('ip', ['link', 'del', a]);
    }
  });
});
