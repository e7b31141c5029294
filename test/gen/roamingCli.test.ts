/** `sigprobe gen --scenario roaming` on the built CLI: its files, and one-line usage errors (exit 2). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const gen = (...args: string[]) => spawnSync(process.execPath, [MAIN, 'gen', ...args], { encoding: 'utf8' });

describe('sigprobe gen --scenario roaming (built CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-roaming-cli-'));

  it('writes the capture, both truth files, the networks file and the planted analytics', () => {
    const out = join(dir, 'x.pcap');
    const r = gen('--scenario', 'roaming', '--out', out, '--devices', '60', '--hours', '1.2', '--seed', '4');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^sigprobe gen: .*x\.pcap: \d+ packets, \d+ dialogues .*tunnels in .*x\.tunnels\.jsonl; networks in .*x\.networks\.yaml, planted analytics in .*x\.roaming\.json\n$/);
    for (const f of ['x.pcap', 'x.truth.jsonl', 'x.tunnels.jsonl', 'x.networks.yaml', 'x.roaming.json']) expect(existsSync(join(dir, f))).toBe(true);
  });

  it('usage errors: one line, exit 2', () => {
    const out = join(dir, 'y.pcap');
    for (const [args, msg] of [
      [['--out', out, '--devices', '10'], /--devices and --hours are for --scenario roaming/],
      [['--scenario', 'roaming', '--out', out, '--hours', '0'], /--hours expects a number of hours > 0/],
      [['--scenario', 'roaming', '--out', out, '--hours', 'x'], /--hours expects/],
      [['--scenario', 'roaming', '--out', out, '--devices', '0'], /--devices expects an integer ≥ 1/],
      [['--scenario', 'roaming', '--out', out, '--dialogues', '100'], /sized by --devices and --hours/],
      [['--scenario', 'roaming', '--out', out, '--link', 'ipv6'], /IPv4 links only/],
    ] as [string[], RegExp][]) {
      const r = gen(...args);
      expect(r.status).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(/^sigprobe: /);
      expect(r.stderr).toMatch(msg);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(out)).toBe(false);
  });
});
