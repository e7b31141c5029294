// `sigprobe gen --scenario devices`: the planted population and its truth files. Every device of
// x.devices.jsonl (raw IMSI, label) shows up in the truth with what its label plants; the same
// seed gives the same capture; the CLI registers the scenario.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVICE_LABELS, generateDevices } from '../../src/gen/devices/population';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');

interface Truth {
  protocol: string;
  procedure: string;
  status: string;
  result_code: number | null;
  imsi: string | null;
}

describe('device population generator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-gen-devices-'));
  const out = join(dir, 'pop.pcap');
  const s = generateDevices({ out, seed: 11, devices: 120, hours: 2 });

  it('writes the capture, the truth, the tunnels and the labelled devices', () => {
    expect(s.packets).toBeGreaterThan(1000);
    expect(s.devicesPath).toBe(join(dir, 'pop.devices.jsonl'));
    for (const f of [out, s.truthPath, s.tunnelsPath, s.devicesPath]) expect(existsSync(f)).toBe(true);
    const devs = readFileSync(s.devicesPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { imsi: string; label: string });
    expect(devs.length).toBe(120);
    expect(new Set(devs.map((d) => d.imsi)).size).toBe(120);
    expect(new Set(devs.map((d) => d.label))).toEqual(new Set(DEVICE_LABELS));
    for (const l of DEVICE_LABELS) expect(devs.filter((d) => d.label === l).length).toBe(20);
  });

  it('each label plants its behaviour (checked on the truth file)', () => {
    const devs = new Map(readFileSync(s.devicesPath, 'utf8').trim().split('\n').map((l) => {
      const d = JSON.parse(l) as { imsi: string; label: string };
      return [d.imsi, d.label];
    }));
    const truth = readFileSync(s.truthPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Truth);
    const by = new Map<string, Truth[]>();
    for (const t of truth) {
      if (t.imsi === null) continue;
      const label = devs.get(t.imsi);
      expect(label, `truth IMSI not in the population`).toBeDefined();
      if (!by.has(label!)) by.set(label!, []);
      by.get(label!)!.push(t);
    }
    const share = (l: string, f: (t: Truth) => boolean) => by.get(l)!.filter(f).length / by.get(l)!.length;
    expect(share('sms_unit', (t) => t.protocol !== 'map')).toBe(0);
    expect(share('sms_unit', (t) => /ForwardSM|RoutingInfoForSM/.test(t.procedure))).toBeGreaterThan(0.5);
    expect(share('failing', (t) => t.status !== 'ok')).toBeGreaterThan(0.5);
    expect(share('failing', (t) => t.procedure === 'updateLocation' && [1, 8, 36].includes(t.result_code ?? -1))).toBeGreaterThan(0.3);
    expect(share('data_heavy', (t) => t.protocol === 'gtpv2')).toBeGreaterThan(0.2);
    expect(share('tracker', (t) => t.procedure === 'cancelLocation')).toBeGreaterThan(0.05);
    expect(share('smart_meter', (t) => t.procedure === 'CreatePDPContext')).toBeGreaterThan(0.3);
    // sporadic: 2 to 6 episodes of a few dialogues each
    expect(by.get('consumer_phone')!.length / 20).toBeGreaterThan(4);
    expect(by.get('consumer_phone')!.length / 20).toBeLessThan(30);
  });

  it('same seed → same capture; registered in `sigprobe gen`', () => {
    const again = join(dir, 'again.pcap');
    generateDevices({ out: again, seed: 11, devices: 120, hours: 2 });
    const h = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    expect(h(again)).toBe(h(out));
    const viaCli = join(dir, 'cli.pcap');
    const r = spawnSync(process.execPath, [MAIN, 'gen', '--scenario', 'devices', '--devices', '120', '--seed', '11', '--hours', '2', '--out', viaCli], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/devices in .*cli\.devices\.jsonl \(smart_meter 20, tracker 20, failing 20, data_heavy 20, sms_unit 20, consumer_phone 20\)/);
    expect(h(viaCli)).toBe(h(out));
    const bad = spawnSync(process.execPath, [MAIN, 'gen', '--scenario', 'devices', '--hours', '-1', '--out', join(dir, 'x.pcap')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^sigprobe: --hours expects/);
  });
});
