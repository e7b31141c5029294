// `sigprobe devices --central CONF`: the same dialogues in a spool and, stored by the collector's
// BatchStore, in a private PostgreSQL give the same features.csv (and, same seed, the same
// clusters.csv) — over the whole period and over a --from/--to window; a MAP-only store works;
// bad input (no data in the period, too few devices for K, no central store in the schema,
// PostgreSQL unreachable) → one line `sigprobe: ...`, non-zero exit, nothing written into --out.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchStore, migrateCentral } from '../../../src/collector/store';
import { BATCH_VERSION, ENCODINGS, type BatchHeader } from '../../../src/ship/batch';
import { SpoolTableSource } from '../../../src/ship/spoolSource';
import { IdentityProtector, loadOrCreateKey } from '../../../src/correlate/identities';
import { freePort, PgServer, serversMissing } from '../../helpers/servers';
import { MAIN } from '../../helpers/shipCollect';
import { SAI_VLR, UL, spoolOf, type Rec } from './helpers';

const missing = serversMissing();
const dir = mkdtempSync(join(tmpdir(), 'sp-devices-central-'));
const spool = join(dir, 'pop.db');
let mapOnly: string;
let pgs: PgServer;
let pool: Pool;

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function conf(schema: string, url = pgs.url): string {
  const f = join(dir, `central-${schema}.yaml`);
  writeFileSync(f, `collector:\n  postgres: { url: "${url}", schema: ${schema} }\n`);
  return f;
}

/** every dialogue of a spool into schema `schema` through the collector's BatchStore */
async function storeSpool(path: string, schema: string): Promise<number> {
  await migrateCentral(pool, schema);
  const store = new BatchStore(pool, schema);
  const db = new Database(path, { readonly: true });
  const src = new SpoolTableSource(db, 'dialogues');
  let after = 0;
  let n = 0;
  try {
    for (;;) {
      const r = src.readAfter(after, 5000);
      if (r === null) break;
      const h: BatchHeader = {
        v: BATCH_VERSION, probe: 'p1', spool: 'e'.repeat(32), table: 'dialogues', first: r.first, last: r.last, count: r.count, cols: r.cols,
        days: r.days, tmax: r.tmax, bytes: r.text.length, enc: ENCODINGS.gzip,
      };
      n += (await store.store(h, r.text)).inserted;
      after = r.last;
    }
  } finally {
    db.close();
  }
  return n;
}

beforeAll(async () => {
  const pcap = join(dir, 'pop.pcap');
  for (const args of [
    ['gen', '--scenario', 'devices', '--devices', '400', '--seed', '3', '--hours', '2', '--out', pcap],
    ['replay', pcap, '--spool', spool],
  ]) {
    const r = cli(...args);
    if (r.code !== 0) throw new Error(`${args[0]} failed: ${r.err}`);
  }
  const rows: Rec[] = [];
  for (let d = 0; d < 6; d++) for (let k = 0; k < 3; k++) rows.push(SAI_VLR(`m${d}`, k * 700 + d), UL(`m${d}`, k * 700 + d + 2, `V${d % 2}`));
  mapOnly = spoolOf(rows);
  if (missing) return;
  pgs = await PgServer.start();
  pool = new Pool({ connectionString: pgs.url, max: 2 });
  pool.on('error', () => {});
  const db = new Database(spool, { readonly: true });
  const n = (db.prepare('SELECT count(*) AS n FROM dialogues').get() as { n: number }).n;
  db.close();
  expect(await storeSpool(spool, 'pop')).toBe(n);
  await storeSpool(mapOnly, 'maponly');
}, 240_000);

afterAll(async () => {
  await pool?.end().catch(() => {});
  await pgs?.destroy();
});

const out = () => mkdtempSync(join(dir, 'out-'));
const read = (o: string, f: string) => readFileSync(join(o, f), 'utf8');

describe.skipIf(missing !== null)('sigprobe devices --central', () => {
  it('spool and central store give the same features.csv and clusters.csv', () => {
    const a = out();
    const b = out();
    const rs = cli('devices', '--spool', spool, '--out', a, '--clusters', '6', '--seed', '2');
    const rc = cli('devices', '--central', conf('pop'), '--out', b, '--clusters', '6', '--seed', '2');
    expect(rs.err).toBe('');
    expect(rc.err).toBe('');
    expect(rc.code).toBe(0);
    expect(rc.out).toMatch(/^sigprobe devices: 400 devices, \d+ dialogues .*; 6 clusters;/);
    expect(rc.out.replace(/;.*$/s, '')).toBe(rs.out.replace(/;.*$/s, ''));
    const fs = read(a, 'features.csv');
    expect(fs.trim().split('\n').length).toBe(401);
    expect(read(b, 'features.csv')).toBe(fs);
    expect(read(b, 'clusters.csv')).toBe(read(a, 'clusters.csv'));
    expect(readFileSync(join(b, 'features.parquet'))).toEqual(readFileSync(join(a, 'features.parquet')));
    const doc = JSON.parse(read(b, 'profiles.json'));
    expect(doc.spool).toMatch(/^central 127\.0\.0\.1:\d+\/postgres schema pop$/);
  });

  it('cell ids (GTP ULI / RAI) are in the records and the planted cells show in n_ci_*', () => {
    const db = new Database(spool, { readonly: true });
    const cells = db.prepare("SELECT protocol, cell_id FROM dialogues WHERE cell_id IS NOT NULL").all() as { protocol: string; cell_id: string }[];
    const gtp = (db.prepare("SELECT count(*) AS n FROM dialogues WHERE protocol IN ('gtpv1', 'gtpv2') AND procedure IN ('CreatePDPContext', 'CreateSession')").get() as { n: number }).n;
    db.close();
    expect(cells.length).toBeGreaterThanOrEqual(gtp);
    for (const c of cells) expect(c.cell_id).toMatch(c.protocol === 'gtpv2' ? /^ecgi:\d{3}-\d{2,3}-\d+$/ : /^cgi:\d{3}-\d{2,3}-\d+-\d+$/);
    // the planted truth: labels by pseudonym (the spool's key), cells by label (src/gen/devices/population.ts)
    const protector = new IdentityProtector('pseudonymize', loadOrCreateKey(join(dir, 'sigprobe-pseudonym.key'), false));
    const label = new Map<string, string>();
    for (const l of readFileSync(join(dir, 'pop.devices.jsonl'), 'utf8').trim().split('\n')) {
      const t = JSON.parse(l) as { imsi: string; label: string };
      label.set(protector.protect('imsi', t.imsi)!, t.label);
    }
    const o = out();
    expect(cli('devices', '--spool', spool, '--out', o, '--clusters', 'none', '--no-parquet').code).toBe(0);
    const lines = read(o, 'features.csv').trim().split('\n');
    const h = lines[0].split(',');
    const col = (name: string) => h.indexOf(name);
    const uniq = new Map<string, number[]>();
    for (const l of lines.slice(1)) {
      const f = l.split(',');
      const lab = label.get(f[0])!;
      if (!uniq.has(lab)) uniq.set(lab, []);
      uniq.get(lab)!.push(Number(f[col('n_ci_unique')]));
    }
    const max = (k: string) => Math.max(...uniq.get(k)!);
    const mean = (k: string) => uniq.get(k)!.reduce((a, b) => a + b, 0) / uniq.get(k)!.length;
    // smart meters (GTPv1 CGI) stay in one cell; SMS units carry none; trackers move
    expect(max('smart_meter')).toBe(1);
    expect(max('sms_unit')).toBe(0);
    expect(max('consumer_phone')).toBeLessThanOrEqual(2 * 4); // ≤ 2 cells, each ECGI ± 3 neighbours on Modify
    expect(mean('tracker')).toBeGreaterThan(1.5);
  });

  it('a --from/--to window: the same features.csv', () => {
    const db = new Database(spool, { readonly: true });
    const r = db.prepare('SELECT min(req_time_us) AS a, max(req_time_us) AS b FROM dialogues').get() as { a: number; b: number };
    db.close();
    const from = String(Math.round(r.a + (r.b - r.a) * 0.25));
    const to = String(Math.round(r.a + (r.b - r.a) * 0.6));
    const a = out();
    const b = out();
    expect(cli('devices', '--spool', spool, '--out', a, '--clusters', 'none', '--from', from, '--to', to).code).toBe(0);
    expect(cli('devices', '--central', conf('pop'), '--out', b, '--clusters', 'none', '--from', from, '--to', to).code).toBe(0);
    const fs = read(a, 'features.csv');
    expect(fs.split('\n').length).toBeGreaterThan(50);
    expect(read(b, 'features.csv')).toBe(fs);
  });

  it('no GTP at all (a MAP-only store): works, equal to the spool', () => {
    const a = out();
    const b = out();
    expect(cli('devices', '--spool', mapOnly, '--out', a, '--clusters', '2').code).toBe(0);
    const rc = cli('devices', '--central', conf('maponly'), '--out', b, '--clusters', '2');
    expect(rc.err).toBe('');
    expect(read(b, 'features.csv')).toBe(read(a, 'features.csv'));
  });

  const bad = (why: string, args: () => string[], msg: RegExp, code = 2) =>
    it(`bad input: ${why} → exit ${code}, one line, nothing written`, () => {
      const o = join(mkdtempSync(join(dir, 'bad-')), 'out');
      const r = cli('devices', ...args(), '--out', o);
      expect(r.err).toMatch(msg);
      expect(r.err).toMatch(/^sigprobe: /);
      expect(r.err.trim().split('\n').length).toBe(1);
      expect(r.code).toBe(code);
      expect(existsSync(o) ? readdirSync(o) : []).toEqual([]);
    });
  bad('a period with no data', () => ['--central', conf('pop'), '--from', '2001-01-01T00:00:00Z', '--to', '2001-01-02T00:00:00Z'], /no dialogue with an IMSI in central .* between 2001-01-01T00:00:00.000Z and 2001-01-02/);
  bad('too few devices for K', () => ['--central', conf('maponly'), '--clusters', '7'], /--clusters 7 needs at least 7 devices; the period has 6/);
  bad('no central store in the schema', () => ['--central', conf('nosuch')], /no sigprobe central store in schema nosuch/);
  bad('--spool and --central together', () => ['--central', conf('pop'), '--spool', spool], /exclude each other/);
  bad('PostgreSQL unreachable', () => ['--central', conf('x', `postgres://postgres@127.0.0.1:${unusedPort}/postgres`)], /cannot connect to PostgreSQL 127\.0\.0\.1:\d+\/postgres/, 1);
  bad('a bad config file', () => ['--central', join(dir, 'missing.yaml')], /cannot read config/);
});

let unusedPort = 1;
beforeAll(async () => {
  unusedPort = await freePort();
});
