import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { generate } from '../../src/gen/index';

/**
 * `sigprobe replay --workers 2` (worker threads, one spool writer) writes the rows of
 * `--workers 1`: every dialogue and tunnel column except the id, compared as sets.
 */
const MAIN = resolve(__dirname, '../../dist/cli/main.js');

function rows(db: string, table: string): string[] {
  const d = new Database(db, { readonly: true });
  const out = (d.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[]).map((r) => {
    const { id: _id, ...rest } = r;
    return JSON.stringify(rest);
  });
  d.close();
  return out.sort();
}

describe('replay --workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-workers-'));
  it('2 worker threads write the rows of 1 (ipx mix: MAP, CAP, Diameter over SCTP and TCP, GTP)', () => {
    const cap = join(dir, 'ipx.pcap');
    generate({ out: cap, seed: 3, dialogues: 2000, scenario: 'ipx' });
    for (const n of [1, 2]) {
      const r = spawnSync(process.execPath, [MAIN, 'replay', cap, '--spool', join(dir, `w${n}.db`), '--workers', String(n)], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const one = rows(join(dir, 'w1.db'), 'dialogues');
    expect(one.length).toBeGreaterThan(2000);
    expect(rows(join(dir, 'w2.db'), 'dialogues')).toEqual(one);
    expect(rows(join(dir, 'w2.db'), 'tunnels')).toEqual(rows(join(dir, 'w1.db'), 'tunnels'));
  });
  it('a bad --workers is one line and exit 2', () => {
    const r = spawnSync(process.execPath, [MAIN, 'replay', 'x.pcap', '--spool', join(dir, 'b.db'), '--workers', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^sigprobe: --workers expects an integer from 1 to 64, got '0'$/);
  });
});
