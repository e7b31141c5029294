/**
 * scripts/lib-deps.sh while another apt runs (issue 17, item 8): apt-get used to stop at once with
 * "Could not get lock /var/lib/dpkg/lock-frontend" (install) or "/var/lib/apt/lists/lock"
 * (update); now it waits, bounded (SIGPROBE_APT_LOCK_TIMEOUT), and succeeds once the lock is free.
 *
 * The lock is held the way apt and dpkg hold it: a POSIX record lock (fcntl F_SETLK, Python's
 * fcntl.lockf). flock(1) would not do: flock(2) locks and fcntl locks do not see each other on
 * Linux, so apt would not notice. Needs root (or password-less sudo) and apt-get; the package is
 * one already installed (sqlite3, which `npm test` installs), so apt-get install only takes the
 * locks and changes nothing. apt-get update needs the Debian mirrors, as the set-up does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const PY = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import fcntl'], { stdio: 'ignore' }).status === 0);
const root = process.getuid?.() === 0 || spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
const installed = spawnSync('dpkg-query', ['-W', '-f=${Status}', 'sqlite3'], { encoding: 'utf8' }).stdout?.includes('install ok installed');
const why = !root ? 'not root' : !PY ? 'no python3' : spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0 ? 'no apt-get' : !installed ? 'sqlite3 not installed' : null;
if (why) console.log(`lib-deps lock tests skipped: ${why}`);

const HOLD = `
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o640)
fcntl.lockf(fd, fcntl.LOCK_EX)  # (waits while another apt holds it)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
`;

/** Holds `path`'s lock for `seconds`; resolves once it is held, with when it will be released. */
async function holdLock(path: string, seconds: number): Promise<{ releasedAt: number; done: Promise<number | null>; release: () => void }> {
  const p = spawn(PY as string, ['-c', HOLD, path, String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const done = new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
  await new Promise<void>((res, rej) => {
    p.stdout.once('data', () => res());
    void done.then((c) => rej(new Error(`lock holder exited ${c}: ${err}`)));
  });
  return { releasedAt: Date.now() + seconds * 1000, done, release: () => p.kill('SIGTERM') };
}

/** Runs a bash snippet with scripts/lib-deps.sh sourced (set -euo pipefail, as the scripts do). */
function lib(snippet: string, env: Record<string, string> = {}): Promise<{ rc: number | null; stderr: string; ms: number; endedAt: number }> {
  const t0 = Date.now();
  const p = spawn('bash', ['-c', `set -euo pipefail; cd "${ROOT}"; . scripts/lib-deps.sh; ${snippet}`], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (d) => (stderr += d));
  return new Promise((r) => p.once('exit', (rc) => r({ rc, stderr, ms: Date.now() - t0, endedAt: Date.now() })));
}

describe.skipIf(why !== null)('scripts/lib-deps.sh waits for a busy apt', () => {
  it('apt-get install waits for the dpkg frontend lock, then succeeds', async () => {
    const h = await holdLock('/var/lib/dpkg/lock-frontend', 5);
    // (apt_install = what ensure_debs runs for the missing packages: update, then install)
    const r = await lib('apt_get install -y -qq sqlite3');
    expect(r.rc, r.stderr).toBe(0);
    expect(r.endedAt).toBeGreaterThanOrEqual(h.releasedAt);
    expect(r.stderr).not.toMatch(/^E: /m);
    expect(await h.done).toBe(0);
  }, 120_000);

  it('apt-get update waits for the lists lock (apt itself does not), then succeeds', async () => {
    const h = await holdLock('/var/lib/apt/lists/lock', 6);
    const r = await lib('apt_get update -qq');
    expect(r.rc, r.stderr).toBe(0);
    expect(r.endedAt).toBeGreaterThanOrEqual(h.releasedAt);
    expect(r.stderr).toMatch(/apt is busy, waiting up to 300s: Could not get lock \/var\/lib\/apt\/lists\/lock\. It is held by process \d+/);
    expect(r.stderr).toMatch(/apt lock free again: apt-get update done/);
    expect(await h.done).toBe(0);
  }, 120_000);

  it('the whole set-up path (update + install) waits for both locks', async () => {
    const lists = await holdLock('/var/lib/apt/lists/lock', 4);
    const dpkg = await holdLock('/var/lib/dpkg/lock-frontend', 8);
    const r = await lib('apt_install sqlite3');
    expect(r.rc, r.stderr).toBe(0);
    expect(r.endedAt).toBeGreaterThanOrEqual(Math.max(lists.releasedAt, dpkg.releasedAt));
    await Promise.all([lists.done, dpkg.done]);
    // ensure_debs with nothing missing touches no lock (returns at once)
    const held = await holdLock('/var/lib/dpkg/lock-frontend', 30);
    const quick = await lib('ensure_debs sqlite3 bash');
    expect(quick.rc).toBe(0);
    expect(quick.ms).toBeLessThan(10_000);
    held.release();
    await held.done;
  }, 180_000);

  it('the wait is bounded: a lock that is never released fails after SIGPROBE_APT_LOCK_TIMEOUT', async () => {
    const h = await holdLock('/var/lib/apt/lists/lock', 60);
    const r = await lib('apt_get update -qq', { SIGPROBE_APT_LOCK_TIMEOUT: '4' });
    expect(r.rc).not.toBe(0);
    expect(r.stderr).toMatch(/Could not get lock \/var\/lib\/apt\/lists\/lock/);
    expect(r.ms).toBeGreaterThanOrEqual(3000); // (bash counts whole seconds)
    expect(r.ms).toBeLessThan(40_000);
    h.release();
    await h.done;
  }, 120_000);
});
