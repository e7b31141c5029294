import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const UNITS = readdirSync(join(ROOT, 'systemd')).filter((f) => f.endsWith('.service'));
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('systemd units', () => {
  it('the probe unit runs as a dedicated user with only CAP_NET_RAW/CAP_NET_ADMIN, hardened', () => {
    const u = readFileSync(join(ROOT, 'systemd/sigprobe-probe@.service'), 'utf8');
    expect(u).toMatch(/^User=sigprobe$/m);
    expect(u).toMatch(/^AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN$/m);
    expect(u).toMatch(/^CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN$/m);
    expect(u).toMatch(/^NoNewPrivileges=yes$/m);
    expect(u).toMatch(/^ProtectSystem=strict$/m);
    expect(u).toMatch(/^StateDirectory=sigprobe$/m);
    expect(u).toMatch(/^Restart=on-failure$/m);
    expect(u).toMatch(/run --config \/etc\/sigprobe\/%i\.yaml/);
  });

  it('every daemon is Type=notify with a watchdog (README "Watchdog"), restarted when it fails', () => {
    expect(UNITS.sort()).toEqual(['sigprobe-collector@.service', 'sigprobe-probe@.service', 'sigprobe-shipper@.service']);
    for (const f of UNITS) {
      const u = readFileSync(join(ROOT, 'systemd', f), 'utf8');
      expect(u, f).toMatch(/^Type=notify$/m);
      // the messages come from systemd-notify children, not from the main PID
      expect(u, f).toMatch(/^NotifyAccess=all$/m);
      const w = /^WatchdogSec=(\d+)$/m.exec(u);
      expect(w, f).not.toBeNull();
      expect(Number(w![1])).toBeGreaterThanOrEqual(10);
      // on-failure and always both restart after a watchdog timeout
      expect(u, f).toMatch(/^Restart=(on-failure|always)$/m);
      expect(u, f).not.toMatch(/^Type=simple$/m);
    }
  });

  it.skipIf(!hasAnalyze)('systemd-analyze verify passes for every unit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-units-'));
    for (const f of UNITS) {
      // Instantiate templates (verify needs a concrete unit name).
      const name = f.includes('@') ? f.replace('@', '@madrid') : f;
      const path = join(dir, name);
      require('node:fs').writeFileSync(path, readFileSync(join(ROOT, 'systemd', f)));
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', path], { encoding: 'utf8' });
      // Only problems in our file count (the host's other units may emit warnings of their own).
      const ours = (r.stderr || '').split('\n').filter((l) => l.includes(name));
      expect(ours, `${f}: ${r.stderr}`).toEqual([]);
      expect(r.status, `${f}: ${r.stderr}`).toBe(0);
    }
  });

  it('scripts/install puts units, configs and the build under a destdir', () => {
    expect(existsSync(join(ROOT, 'dist/cli/main.js'))).toBe(true);
    const dest = mkdtempSync(join(tmpdir(), 'sp-install-'));
    const r = spawnSync('bash', [join(ROOT, 'scripts/install'), '--destdir', dest, '--no-build'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const f of UNITS) expect(existsSync(join(dest, 'etc/systemd/system', f))).toBe(true);
    expect(existsSync(join(dest, 'etc/sigprobe/madrid.yaml'))).toBe(true);
    expect(existsSync(join(dest, 'opt/sigprobe/dist/cli/main.js'))).toBe(true);
    const v = spawnSync(process.execPath, [join(dest, 'opt/sigprobe/dist/cli/main.js'), '--version'], { encoding: 'utf8' });
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    require('node:fs').rmSync(dest, { recursive: true, force: true });
  });
});
