// `sigprobe devices` on hand-built spools: the four files, deterministic output, the usage text,
// and bad input (not a spool, missing, too few devices for K, a period with no data) → one line
// `sigprobe: ...`, exit 2, nothing written into --out.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../../src/analytics/profiles/features';
import { num } from '../../../src/analytics/profiles/output';
import { GTP, SAI_SGSN, SAI_VLR, T0, UL, spoolOf, type Rec } from './helpers';

const MAIN = resolve(__dirname, '../../../dist/cli/main.js');

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** a few devices of three kinds, no GTP for some (MAP only), to cluster */
function smallPopulation(withGtp: boolean): Rec[] {
  const rows: Rec[] = [];
  for (let d = 0; d < 12; d++) {
    const imsi = `dev${String(d).padStart(2, '0')}`;
    const kind = d % 3;
    for (let k = 0; k < 4 + kind; k++) {
      const at = k * 600 + d;
      if (kind === 0) rows.push(SAI_VLR(imsi, at, 'V1'), UL(imsi, at + 1, 'V1'));
      else if (kind === 1) rows.push(UL(imsi, at, `V${k}`, { status: 'error', resultCode: 8 }));
      else if (withGtp) rows.push(SAI_SGSN(imsi, at), GTP(imsi, at + 2, 'CreatePDPContext', { reqCtrlTeid: d * 100 + k, rspCtrlTeid: d * 100 + k + 50 }), GTP(imsi, at + 40, 'DeletePDPContext', { teid: d * 100 + k + 50 }));
      else rows.push({ imsi, at, procedure: 'mt-ForwardSM', calledSsn: 8 }, { imsi, at: at + 1, procedure: 'mo-ForwardSM', callingSsn: 8 });
    }
  }
  return rows;
}

describe('sigprobe devices', () => {
  it('writes features.csv, clusters.csv, profiles.json, profiles.html; same input and seed → same files', () => {
    const spool = spoolOf(smallPopulation(true));
    const o1 = mkdtempSync(join(tmpdir(), 'sp-dev-out-'));
    const o2 = mkdtempSync(join(tmpdir(), 'sp-dev-out-'));
    const r1 = cli('devices', '--spool', spool, '--out', o1, '--clusters', '3', '--seed', '5');
    expect(r1.err).toBe('');
    expect(r1.code).toBe(0);
    expect(r1.out).toMatch(/^sigprobe devices: 12 devices, \d+ dialogues .*; 3 clusters;/);
    expect(readdirSync(o1).sort()).toEqual(['clusters.csv', 'features.csv', 'features.parquet', 'profiles.html', 'profiles.json']);
    const csv = readFileSync(join(o1, 'features.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(['device', ...FEATURE_NAMES].join(','));
    expect(csv.length).toBe(13);
    const clusters = readFileSync(join(o1, 'clusters.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    // the three planted kinds are three clusters
    const byKind = new Map<number, Set<string>>();
    for (const [dev, c] of clusters) {
      const kind = Number(dev.slice(3)) % 3;
      if (!byKind.has(kind)) byKind.set(kind, new Set());
      byKind.get(kind)!.add(c);
    }
    expect([...byKind.values()].map((s) => s.size)).toEqual([1, 1, 1]);
    expect(new Set([...byKind.values()].map((s) => [...s][0])).size).toBe(3);
    const doc = JSON.parse(readFileSync(join(o1, 'profiles.json'), 'utf8'));
    expect(doc.k).toBe(3);
    expect(doc.clusters.map((c: { size: number }) => c.size)).toEqual([4, 4, 4]);
    expect(doc.clusters.map((c: { label: string }) => c.label).sort()).toContain('failing (rejected)');
    const html = readFileSync(join(o1, 'profiles.html'), 'utf8');
    expect(html).toContain('echarts');
    expect(html).not.toMatch(/<script[^>]+src=/);
    const r2 = cli('devices', '--spool', spool, '--out', o2, '--clusters', '3', '--seed', '5');
    expect(r2.code).toBe(0);
    for (const f of ['features.csv', 'clusters.csv', 'profiles.json', 'profiles.html']) expect(readFileSync(join(o2, f), 'utf8')).toBe(readFileSync(join(o1, f), 'utf8'));
    expect(readFileSync(join(o2, 'features.parquet'))).toEqual(readFileSync(join(o1, 'features.parquet')));
  });

  it('no GTP at all: works, GTP features 0 / NA (per-type shares), and auto K', () => {
    const spool = spoolOf(smallPopulation(false));
    const o = mkdtempSync(join(tmpdir(), 'sp-dev-out-'));
    const r = cli('devices', '--spool', spool, '--out', o, '--clusters', 'auto');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(join(o, 'profiles.json'), 'utf8'));
    expect(doc.silhouette.length).toBeGreaterThan(1);
    expect(doc.k).toBeGreaterThanOrEqual(2);
    const lines = readFileSync(join(o, 'features.csv'), 'utf8').trim().split('\n');
    const h = lines[0].split(',');
    const row = lines[1].split(',');
    expect(row[h.indexOf('n_gtp')]).toBe('0');
    expect(row[h.indexOf('pct_pdp_create_success')]).toBe('');
    expect(doc.clusters.some((c: { label: string }) => /MAP-only/.test(c.label))).toBe(true);
  });

  it('--clusters none: features only; --no-parquet: no features.parquet', () => {
    const spool = spoolOf(smallPopulation(true));
    const o = mkdtempSync(join(tmpdir(), 'sp-dev-out-'));
    expect(cli('devices', '--spool', spool, '--out', o, '--clusters', 'none').code).toBe(0);
    expect(readdirSync(o).sort()).toEqual(['features.csv', 'features.parquet']);
    const o2 = mkdtempSync(join(tmpdir(), 'sp-dev-out-'));
    expect(cli('devices', '--spool', spool, '--out', o2, '--clusters', 'none', '--no-parquet').code).toBe(0);
    expect(readdirSync(o2)).toEqual(['features.csv']);
  });

  it('features.parquet: a Parquet reader (hyparquet) reads back the values of features.csv', async () => {
    const spool = spoolOf(smallPopulation(true));
    const o = mkdtempSync(join(tmpdir(), 'sp-dev-out-'));
    expect(cli('devices', '--spool', spool, '--out', o, '--clusters', 'none').code).toBe(0);
    const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } = await import('hyparquet');
    const file = await asyncBufferFromFile(join(o, 'features.parquet'));
    const meta = await parquetMetadataAsync(file);
    expect(meta.schema.slice(1).map((s) => s.name)).toEqual(['device', ...FEATURE_NAMES]);
    expect(meta.schema.slice(2).every((s) => s.type === 'DOUBLE' && s.repetition_type === 'OPTIONAL')).toBe(true);
    const rows = (await parquetReadObjects({ file })) as Record<string, string | number | null>[];
    const lines = readFileSync(join(o, 'features.csv'), 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    expect(rows.length).toBe(lines.length - 1);
    let nulls = 0;
    rows.forEach((r, i) => {
      const csv = lines[i + 1].split(',');
      expect(r.device).toBe(csv[0]);
      for (let j = 1; j < header.length; j++) {
        const v = r[header[j]] as number | null;
        if (v === null) nulls++;
        // the CSV's text of the full double (10 significant digits; NA empty)
        expect(v === null ? '' : num(v), `${csv[0]} ${header[j]}`).toBe(csv[j]);
      }
    });
    expect(nulls).toBeGreaterThan(0);
  });

  it('--help prints the usage', () => {
    const r = cli('devices', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: sigprobe devices --spool/);
  });

  const bad = (why: string, args: (o: string) => string[], msg: RegExp) =>
    it(`bad input: ${why} → exit 2, one line, nothing written`, () => {
      const o = join(mkdtempSync(join(tmpdir(), 'sp-dev-bad-')), 'out');
      const r = cli('devices', ...args(o));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n').length).toBe(1);
      expect(r.err).toMatch(/^sigprobe: /);
      expect(existsSync(o) ? readdirSync(o) : []).toEqual([]);
    });

  const notSpool = join(mkdtempSync(join(tmpdir(), 'sp-dev-ns-')), 'x.db');
  writeFileSync(notSpool, 'this is not a database\n'.repeat(100));
  const small = spoolOf(smallPopulation(true));
  const empty = spoolOf([]);
  bad('not a spool', (o) => ['--spool', notSpool, '--out', o], /is not a sigprobe spool|cannot open spool/);
  bad('missing spool', (o) => ['--spool', '/nonexistent/s.db', '--out', o], /does not exist/);
  bad('too few devices for K', (o) => ['--spool', small, '--out', o, '--clusters', '13'], /--clusters 13 needs at least 13 devices; the period has 12/);
  bad('period with no data', (o) => ['--spool', small, '--out', o, '--from', new Date((T0 + 86_400e6) / 1000).toISOString()], /no dialogue with an IMSI/);
  bad('empty spool', (o) => ['--spool', empty, '--out', o], /no dialogue with an IMSI/);
  bad('bad --clusters', (o) => ['--spool', small, '--out', o, '--clusters', 'many'], /--clusters expects/);
  bad('--to before --from', (o) => ['--spool', small, '--out', o, '--from', '2023-11-15T00:00:00Z', '--to', '2023-11-14T00:00:00Z'], /--to must be after --from/);
});
