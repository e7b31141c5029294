/**
 * End to end: the roaming capture replayed into a spool (`--networks`), then `sigprobe report`:
 * report.json finds exactly the analytics planted in x.roaming.json — roaming matrix, steering of
 * roaming, silent roamers, zero-byte tunnels, storm minutes (count, median, ratio, devices) and
 * the data sessions (counts, setup delay / duration / bytes percentiles, user-plane totals).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/gen';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });

type Row = Record<string, unknown> & { home_country: string; visited_country: string };
const byPair = (rows: Row[]) => new Map(rows.map((r) => [`${r.home_country}|${r.visited_country}`, r]));

function samePairs(planted: Row[], found: Row[], fields: string[]): void {
  const f = byPair(found);
  expect([...f.keys()].sort()).toEqual(planted.map((r) => `${r.home_country}|${r.visited_country}`).sort());
  for (const p of planted) {
    const q = f.get(`${p.home_country}|${p.visited_country}`)!;
    for (const k of fields) expect(q[k] as number, `${p.home_country}→${p.visited_country} ${k}`).toBeCloseTo(p[k] as number, 3);
  }
}

describe('roaming capture → replay → report finds what was planted', () => {
  it('matrix, SoR, silent roamers, zero-byte tunnels, storms, data sessions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-roaming-report-'));
    const out = join(dir, 'r.pcap');
    const s = generate({ out, seed: 12, dialogues: 0, scenario: 'roaming', devices: 800, hours: 2.5 });
    const planted = JSON.parse(readFileSync(s.roamingPath!, 'utf8'));
    const spool = join(dir, 's.db');
    const r1 = cli('replay', out, '--spool', spool, '--networks', s.networksPath!);
    expect(r1.stderr).toBe('');
    expect(r1.status).toBe(0);
    const r2 = cli('report', '--spool', spool, '--out', join(dir, 'rep'));
    expect(r2.status).toBe(0);
    const rep = JSON.parse(readFileSync(join(dir, 'rep', 'report.json'), 'utf8'));
    samePairs(planted.matrix, rep.matrix, ['devices', 'share']);
    samePairs(planted.sor, rep.sor, ['devices', 'devices_rna', 'share_rna', 'steered']);
    samePairs(planted.silent_roamers, rep.silent_roamers, ['devices']);
    samePairs(planted.zero_byte_tunnels, rep.zero_byte_tunnels, ['tunnels']);
    expect(rep.storms.map((x: { minute: string }) => Date.parse(x.minute))).toEqual(planted.storms.map((x: { minute: string }) => Date.parse(x.minute)));
    rep.storms.forEach((x: Record<string, number>, i: number) => {
      const p = planted.storms[i];
      expect([x.dialogues, x.median, x.devices]).toEqual([p.dialogues, p.median, p.devices]);
      expect(x.ratio).toBeCloseTo(p.ratio, 3);
      expect(x.devices_share).toBeCloseTo(p.devices_share, 3);
    });
    const d = rep.data_sessions;
    const e = planted.data_sessions;
    expect([d.creates, d.accepted, d.packets_up, d.packets_down, d.bytes_up, d.bytes_down]).toEqual([e.creates, e.accepted, e.packets_up, e.packets_down, e.bytes_up, e.bytes_down]);
    expect(d.success_rate).toBeCloseTo(e.success_rate, 3);
    for (const k of ['setup_delay_ms', 'duration_s', 'bytes_per_session']) for (const p of ['p50', 'p95', 'p99']) expect(d[k][p], `${k}.${p}`).toBeCloseTo(e[k][p], 3);
  });
});
