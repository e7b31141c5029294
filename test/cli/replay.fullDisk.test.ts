/**
 * `sigprobe replay` into a spool on a full disk (a real 3 MiB tmpfs): the replay is a batch job,
 * so a spool that keeps failing for REPLAY_FAIL_AFTER_MS (10 s) with nothing committed fails it —
 * one line `sigprobe: spool write failed: database or disk is full ...`, exit 1 — instead of
 * waiting for ever; every row committed before stays intact (integrity_check ok, and the rows
 * are exactly the first rows of the same replay into a spool with room).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');

describe.skipIf(process.getuid?.() !== 0)('sigprobe replay on a full disk', () => {
  it('fails with one line and exit 1 after a bounded retry; the rows written are intact', () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-replay-full-'));
    const cap = join(d, 'x.pcap');
    const g = spawnSync(process.execPath, [MAIN, 'gen', '--out', cap, '--dialogues', '20000', '--seed', '7', '--scenario', 'ipx'], { encoding: 'utf8' });
    expect(g.status, g.stderr).toBe(0);
    const mnt = join(d, 'mnt');
    mkdirSync(mnt);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt]).status).toBe(0);
    try {
      const spool = join(mnt, 's.db');
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [MAIN, 'replay', cap, '--spool', spool, '--identities', 'raw'], { encoding: 'utf8', timeout: 50_000 });
      const seconds = (Date.now() - t0) / 1000;
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^sigprobe: spool write failed: database or disk is full \(.*s\.db\); gave up after 10 s of retries: \d+ records not written \(\d+ dialogues, \d+ tunnels\), \d+ written before$/);
      expect(seconds).toBeLessThan(40);
      const db = new Database(spool);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const cols = 'protocol, procedure, status, result_code, req_frame, rsp_frame, req_time_us, latency_us, imsi, end_reason';
      const got = db.prepare(`SELECT ${cols} FROM dialogues ORDER BY id`).all();
      const gotTunnels = db.prepare('SELECT imsi, create_frame, end_reason FROM tunnels ORDER BY id').all();
      db.close();
      const written = Number(/(\d+) written before$/.exec(lines[0])?.[1]);
      expect(got.length).toBeGreaterThan(1000);
      expect(got.length + gotTunnels.length).toBe(written);
      // The same replay into a spool with room: the committed rows are exactly its first rows.
      const roomy = join(d, 'roomy.db');
      const full = spawnSync(process.execPath, [MAIN, 'replay', cap, '--spool', roomy, '--identities', 'raw'], { encoding: 'utf8' });
      expect(full.status, full.stderr).toBe(0);
      const ref = new Database(roomy, { readonly: true });
      expect(got).toEqual(ref.prepare(`SELECT ${cols} FROM dialogues ORDER BY id LIMIT ?`).all(got.length));
      expect(gotTunnels).toEqual(ref.prepare('SELECT imsi, create_frame, end_reason FROM tunnels ORDER BY id LIMIT ?').all(gotTunnels.length));
      expect((ref.prepare('SELECT count(*) n FROM dialogues').get() as { n: number }).n).toBeGreaterThan(got.length);
      ref.close();
    } finally {
      spawnSync('umount', ['-l', mnt]);
    }
  }, 90_000);
});
