/**
 * The report against planted truth: `sigprobe gen --scenario roaming` (a device population with
 * home/visited networks, RNA-then-steer sequences, silent roamers, IoT fleets at the top of the
 * hour, data sessions with user-plane traffic) → `sigprobe replay --networks` → `sigprobe report`;
 * report.json's matrix, sor, silent_roamers, storms and data_sessions equal x.roaming.json exactly
 * (the generator rounds shares and ratios to 4 decimals and writes times with milliseconds).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/analytics/model';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const sp = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 600_000 });
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const pairKey = (x: { home_country: string; visited_country: string }) => `${x.home_country}>${x.visited_country}`;
const sortPairs = <T extends { home_country: string; visited_country: string }>(xs: T[]) => [...xs].sort((a, b) => pairKey(a).localeCompare(pairKey(b)));

describe('report = planted truth of the roaming scenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-report-roaming-'));
  const pcap = join(dir, 'x.pcap');
  const gen = sp('gen', '--scenario', 'roaming', '--out', pcap, '--devices', '1500', '--hours', '4', '--seed', '11');
  const replay = gen.status === 0 ? sp('replay', pcap, '--spool', join(dir, 'spool.db'), '--networks', join(dir, 'x.networks.yaml')) : null;
  const report = replay?.status === 0 ? sp('report', '--spool', join(dir, 'spool.db'), '--out', join(dir, 'out')) : null;

  it('gen, replay and report run', () => {
    expect(gen.status, gen.stderr).toBe(0);
    expect(replay?.status, replay?.stderr).toBe(0);
    expect(report?.status, report?.stderr).toBe(0);
  });

  it('matrix, sor, silent roamers, storms and data sessions equal the truth', () => {
    const truth = JSON.parse(readFileSync(join(dir, 'x.roaming.json'), 'utf8'));
    const got = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as ReportModel;
    expect(got.summary.devices).toBe(truth.devices);
    expect(got.records.dialogues).toBe(truth.dialogues);
    expect(got.period.minutes).toBe(truth.period.minutes);
    expect(Date.parse(got.period.from)).toBe(Date.parse(truth.period.from));
    expect(sortPairs(got.matrix.map((m) => ({ ...m, share: r4(m.share) })))).toEqual(sortPairs(truth.matrix));
    expect(sortPairs(got.sor.map((s) => ({ ...s, share_rna: r4(s.share_rna) })))).toEqual(sortPairs(truth.sor));
    expect(sortPairs(got.silent_roamers)).toEqual(sortPairs(truth.silent_roamers));
    expect(got.silent_roamers_unknown).toBe(0);
    // every field the truth gives for a storm minute (minute, dialogues, ratio, and where planted devices, share, median)
    const keys = Object.keys(truth.storms[0] ?? {});
    const norm = (x: Record<string, unknown>) =>
      Object.fromEntries(keys.map((k) => [k, k === 'minute' ? Date.parse(x[k] as string) : typeof x[k] === 'number' ? r4(x[k] as number) : x[k]]));
    expect(got.storms.map((s) => norm(s as unknown as Record<string, unknown>))).toEqual(truth.storms.map(norm));
    const ds = got.data_sessions;
    const t = truth.data_sessions;
    expect({ creates: ds.creates, accepted: ds.accepted, setup_delay_ms: ds.setup_delay_ms, packets_up: ds.packets_up, packets_down: ds.packets_down, bytes_up: ds.bytes_up, bytes_down: ds.bytes_down }).toEqual({
      creates: t.creates, accepted: t.accepted, setup_delay_ms: t.setup_delay_ms, packets_up: t.packets_up, packets_down: t.packets_down, bytes_up: t.bytes_up, bytes_down: t.bytes_down,
    });
    expect(got.zero_byte_tunnels.reduce((a, z) => a + z.tunnels, 0)).toBe(t.zero_byte_tunnels);
    // the truth plants every kind the report looks for
    expect(truth.storms.length).toBeGreaterThan(0);
    expect(truth.sor.some((s: { steered: number }) => s.steered > 0)).toBe(true);
    expect(truth.silent_roamers.length).toBeGreaterThan(0);
  });
});
