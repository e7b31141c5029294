/**
 * `sigprobe report` on bad input: one line `sigprobe: ...` on stderr, exit 2, and nothing written
 * (no report, no half-written temp file) — a missing file, a file that is not SQLite, an SQLite
 * file that is not a spool, a spool of an old schema version, an empty period, a locked spool.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/spool/migrations';
import { buildSpool, lu, T0 } from '../analytics/spoolBuild';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [MAIN, 'report', ...args], { encoding: 'utf8', timeout: 60_000 });
const tmp = () => mkdtempSync(join(tmpdir(), 'sp-report-cli-'));
const good = buildSpool([lu(T0, 'A', 'ES', 'FR', '208', '01'), lu(T0 + 1000, 'B', 'DE', 'FR', '208', '01')]);

function expectBadInput(r: ReturnType<typeof cli>, out: string, pattern: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^sigprobe: /);
  expect(lines[0]).toMatch(pattern);
  expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
}

describe('sigprobe report: bad input', () => {
  it('a missing spool file', () => {
    const out = join(tmp(), 'out');
    const missing = join(tmp(), 'nope.db');
    expectBadInput(cli('--spool', missing, '--out', out), out, /does not exist/);
    expect(existsSync(missing)).toBe(false); // not created by the attempt
    // the second file missing: nothing created either
    expectBadInput(cli('--spool', good, missing, '--out', out), out, /nope\.db does not exist/);
    expect(existsSync(missing)).toBe(false);
  });

  it('a file that is not SQLite, an SQLite file that is not a spool', () => {
    const d = tmp();
    const text = join(d, 'x.db');
    writeFileSync(text, 'this is not a database, just some text that is long enough to have a header.....'.repeat(20));
    expectBadInput(cli('--spool', text, '--out', join(d, 'o1')), join(d, 'o1'), /is not a sigprobe spool/);
    const other = join(d, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expectBadInput(cli('--spool', other, '--out', join(d, 'o2')), join(d, 'o2'), /is not a sigprobe spool/);
  });

  it('a spool of an old schema version (before migration 4)', () => {
    const d = tmp();
    const old = join(d, 'old.db');
    const db = new Database(old);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 3)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    }
    db.close();
    expectBadInput(cli('--spool', old, '--out', join(d, 'o')), join(d, 'o'), /schema version 3; the report needs version 4/);
  });

  it('an empty period; an empty spool; --to before --from', () => {
    const d = tmp();
    expectBadInput(cli('--spool', good, '--from', '2020-01-01', '--to', '2020-01-02', '--out', join(d, 'o1')), join(d, 'o1'), /empty period: no records from 2020-01-01T00:00:00Z/);
    expectBadInput(cli('--spool', buildSpool([]), '--out', join(d, 'o2')), join(d, 'o2'), /no records in .*nothing to report/);
    expectBadInput(cli('--spool', good, '--from', '2026-12-08', '--to', '2026-12-07', '--out', join(d, 'o3')), join(d, 'o3'), /empty period: --to/);
    expectBadInput(cli('--spool', good, '--site', 'nowhere', '--out', join(d, 'o4')), join(d, 'o4'), /for site nowhere/);
    expectBadInput(cli('--spool', good, '--from', 'yesterday', '--out', join(d, 'o5')), join(d, 'o5'), /--from expects an ISO-8601 time/);
  });

  it('a locked spool', async () => {
    const d = tmp();
    const path = buildSpool([lu(T0, 'A', 'ES', 'FR', '208', '01')]);
    // another process holds an exclusive lock on the spool (locking_mode EXCLUSIVE + a write transaction)
    const holder = spawn(process.execPath, ['-e', `
      const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new D(${JSON.stringify(path)});
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      db.exec("INSERT INTO spool_meta (key, value) VALUES ('lock', 'x')");
      process.stdout.write('locked\\n');
      setTimeout(() => {}, 60000);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((res, rej) => {
        holder.stdout.on('data', (b: Buffer) => b.toString().includes('locked') && res());
        holder.on('exit', () => rej(new Error('lock holder exited')));
      });
      const out = join(d, 'o');
      const r = await new Promise<{ status: number | null; stderr: string }>((res) => {
        const c = spawn(process.execPath, [MAIN, 'report', '--spool', path, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        c.stderr.on('data', (b: Buffer) => (err += b.toString()));
        c.on('exit', (status) => res({ status, stderr: err }));
      });
      expectBadInput({ ...r, stdout: '', pid: 0, output: [], signal: null } as unknown as ReturnType<typeof cli>, out, /is locked by another process/);
    } finally {
      holder.kill();
    }
  });

  it('good input writes both files and replaces an older report whole', () => {
    const out = join(tmp(), 'o');
    const r = cli('--spool', good, '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['report.html', 'report.json']);
    const m = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(m.matrix).toEqual([{ home_country: 'DE', visited_country: 'FR', devices: 1, share: 1 }, { home_country: 'ES', visited_country: 'FR', devices: 1, share: 1 }]);
    const again = cli('--spool', good, '--out', out, '--site', 'lab');
    expect(again.status, again.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['report.html', 'report.json']);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).site).toBe('lab');
  });
});
