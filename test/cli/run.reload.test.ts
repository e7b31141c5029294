import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const skip = process.getuid?.() !== 0 ? 'needs root (raw capture on lo)' : null;
if (skip) console.log(`reload test skipped: ${skip}`);

async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms && !pred()) await new Promise((r) => setTimeout(r, 50));
  return pred();
}

describe.skipIf(skip !== null)('sigprobe run: SIGHUP reload', () => {
  it('applies dialogue limits, reports restart-only changes, survives a bad config', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-hup-'));
    const cfg = join(d, 'p.yaml');
    const base = (timeout: number, iface: string) =>
      `site: lab\nspool:\n  path: spool.db\ncapture:\n  interface: ${iface}\nmetrics:\n  listen: 127.0.0.1:0\nlimits:\n  tcap:\n    idleTimeoutSeconds: ${timeout}\n`;
    writeFileSync(cfg, base(60, 'lo'));
    const child = spawn(process.execPath, [MAIN, 'run', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (x) => (out += x));
    child.stderr.on('data', (x) => (err += x));
    const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(await until(() => /capturing on lo/.test(out), 15000), out + err).toBe(true);
    writeFileSync(cfg, base(5, 'eth9'));
    child.kill('SIGHUP');
    expect(await until(() => /SIGHUP: /.test(out), 5000), out + err).toBe(true);
    expect(out).toMatch(/SIGHUP: applied limits\.tcap: \{"maxPending":500000,"idleTimeoutSeconds":60\} -> \{"maxPending":500000,"idleTimeoutSeconds":5\}; not applied: capture changes need a restart/);
    writeFileSync(cfg, base(5, 'eth9') + 'bogus: 1\n');
    child.kill('SIGHUP');
    expect(await until(() => /config not reloaded/.test(err), 5000), out + err).toBe(true);
    expect(err).toMatch(/SIGHUP: config not reloaded, keeping the running one: .*p\.yaml: unknown key 'bogus'/);
    expect(child.exitCode).toBeNull(); // still running
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
