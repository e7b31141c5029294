/**
 * `report --central` = `report --spool` over the same records: a generated roaming world
 * (`gen --scenario roaming`: RNA-then-steer, silent roamers, IoT storms, tunnels with user data)
 * replayed into a spool, the spool's rows stored as batches into a private PostgreSQL by the
 * collector's BatchStore (rollups maintained in each batch's transaction, as `sigprobe collect`
 * does), then both reports through the CLI. Every count is equal; HLL distinct-device figures are
 * within 3 σ of HLL's stated bound; t-digest percentiles are within a few ranks. A second run with
 * whole days and --rollups-only reads no raw row (device_day, hourly and minute rollups only).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/analytics/model';
import { BatchStore, migrateCentral } from '../../src/collector/store';
import { BATCH_VERSION, ENCODINGS, SHIP_TABLES, type BatchHeader } from '../../src/ship/batch';
import { SpoolTableSource } from '../../src/ship/spoolSource';
import { PgServer, serversMissing } from '../helpers/servers';
import { openBrowser, watchPage } from '../helpers/chromium';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const sp = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 300_000 });
const missing = serversMissing();
const SCHEMA = 'c';
const dir = mkdtempSync(join(tmpdir(), 'sp-central-'));
const pcap = join(dir, 'x.pcap');
const spool = join(dir, 'spool.db');
let pgs: PgServer;
let pool: Pool;
let cfg: string;

/** Stores every row of the spool through BatchStore (batches of 2,000, as the shipper cuts them). */
async function storeSpool(store: BatchStore, file: string, probe: string): Promise<number> {
  const db = new Database(file, { readonly: true });
  let n = 0;
  try {
    for (const table of SHIP_TABLES) {
      const src = new SpoolTableSource(db, table);
      let after = 0;
      for (let r = src.readAfter(after, 2000); r !== null; r = src.readAfter(after, 2000)) {
        const h: BatchHeader = {
          v: BATCH_VERSION, probe, spool: 'a'.repeat(32), table, first: r.first, last: r.last, count: r.count, cols: r.cols, days: r.days,
          tmax: r.tmax, bytes: r.text.length, enc: ENCODINGS.gzip,
        };
        n += (await store.store(h, r.text)).inserted;
        after = r.last;
      }
    }
  } finally {
    db.close();
  }
  return n;
}

const json = (d: string) => JSON.parse(readFileSync(join(d, 'report.json'), 'utf8')) as ReportModel;

beforeAll(async () => {
  if (missing) return;
  const gen = sp('gen', '--scenario', 'roaming', '--out', pcap, '--devices', '800', '--hours', '3', '--seed', '7');
  if (gen.status !== 0) throw new Error(gen.stderr);
  const rep = sp('replay', pcap, '--spool', spool, '--networks', join(dir, 'x.networks.yaml'), '--site', 'mad1');
  if (rep.status !== 0) throw new Error(rep.stderr);
  pgs = await PgServer.start();
  pool = new Pool({ connectionString: pgs.url, max: 2 });
  pool.on('error', () => {});
  await migrateCentral(pool, SCHEMA);
  await storeSpool(new BatchStore(pool, SCHEMA, { rollups: true }), spool, 'mad1');
  cfg = join(dir, 'central.yaml');
  writeFileSync(cfg, `collector:\n  postgres: { url: "${pgs.url}", schema: ${SCHEMA} }\n`);
}, 240_000);

afterAll(async () => {
  await pool?.end().catch(() => {});
  await pgs?.destroy();
});

/** Equal counts; HLL figures within 3 σ; t-digest percentiles near. */
function compare(a: ReportModel, b: ReportModel, rollupsOnly: boolean): void {
  expect(b.source).toBe('central');
  expect(b.distinct).toBe('hll');
  expect(b.period).toEqual(a.period);
  expect(b.records).toEqual(a.records);
  const bound = (exact: number, got: number) => expect(Math.abs(got - exact), `${got} vs ${exact}`).toBeLessThanOrEqual(Math.max(1, 3 * b.central!.distinct.hll_rel_error * exact));
  const { devices: d1, ...s1 } = a.summary;
  const { devices: d2, ...s2 } = b.summary;
  expect(s2).toEqual(s1);
  bound(d1, d2);
  expect(b.traffic).toEqual(a.traffic);
  expect(b.errors).toEqual(a.errors);
  expect(b.error_rates).toEqual(a.error_rates);
  expect(b.devices.map((r) => [r.day, r.protocol])).toEqual(a.devices.map((r) => [r.day, r.protocol]));
  a.devices.forEach((r, i) => bound(r.devices, b.devices[i].devices));
  a.devices_per_protocol.forEach((r, i) => bound(r.devices, b.devices_per_protocol[i].devices));
  expect(b.matrix).toEqual(a.matrix);
  expect(b.matrix_summary).toEqual(a.matrix_summary);
  expect(b.sor).toEqual(a.sor);
  expect(b.silent_roamers).toEqual(a.silent_roamers);
  expect(b.silent_roamers_unknown).toBe(a.silent_roamers_unknown);
  expect(b.zero_byte_tunnels).toEqual(a.zero_byte_tunnels);
  expect(b.per_minute).toEqual(a.per_minute);
  expect(b.storms.map(({ devices, devices_share, ...x }) => x)).toEqual(a.storms.map(({ devices, devices_share, ...x }) => x));
  a.storms.forEach((r, i) => bound(r.devices, b.storms[i].devices));
  expect(b.storm_summary).toEqual(a.storm_summary);
  const ds = (m: ReportModel) => {
    const { setup_delay_ms, duration_s, bytes_per_session, ...rest } = m.data_sessions;
    return rest;
  };
  expect(ds(b)).toEqual(ds(a));
  expect(b.latency.map((r) => [r.protocol, r.procedure, r.partner, r.dialogues])).toEqual(a.latency.map((r) => [r.protocol, r.procedure, r.partner, r.dialogues]));
  // t-digest vs nearest rank: the p50 within the values' spread (relative 15 % or 1 ms)
  // t-digest interpolates between centroids (with a handful of values per group, between two
  // neighbouring values), the spool takes the nearest rank: p50 lies within 0.9 × the spool's p50 .. its p95
  // (so does p99 ≤ max), the top stays the maximum
  a.latency.forEach((r, i) => {
    const g = b.latency[i];
    expect(g.p50_ms).toBeGreaterThanOrEqual(r.p50_ms * 0.9);
    expect(g.p50_ms).toBeLessThanOrEqual(r.p95_ms * 1.01);
    expect(g.p99_ms).toBeLessThanOrEqual(r.p99_ms * 1.01);
  });
  if (a.data_sessions.setup_delay_ms.p50 !== null) {
    // many values: the t-digest median within 10 % of the nearest-rank one
    expect(Math.abs(b.data_sessions.setup_delay_ms.p50! - a.data_sessions.setup_delay_ms.p50)).toBeLessThanOrEqual(0.1 * a.data_sessions.setup_delay_ms.p50);
  }
  if (rollupsOnly) {
    expect(b.records_per_device).toEqual([]);
    expect(b.central!.unavailable).toEqual(['records_per_device', 'data_sessions.bytes_per_session']);
  } else {
    expect(b.records_per_device).toEqual(a.records_per_device.map((r) => ({ ...r, mean: expect.closeTo(r.mean, 9), sd: expect.closeTo(r.sd, 9) })));
    expect(b.data_sessions.bytes_per_session).toEqual(a.data_sessions.bytes_per_session);
    expect(b.central!.unavailable).toEqual([]);
  }
}

describe.skipIf(missing !== null)('report --central = report --spool', () => {
  it('default period (partial first/last hours from raw, whole hours from the rollups): every count equal', () => {
    const a = sp('report', '--spool', spool, '--out', join(dir, 'spool'), '--customers', '214-07,208-01');
    expect(a.status, a.stderr).toBe(0);
    const b = sp('report', '--central', '--config', cfg, '--out', join(dir, 'central'), '--customers', '214-07,208-01');
    expect(b.status, b.stderr).toBe(0);
    const A = json(join(dir, 'spool'));
    const B = json(join(dir, 'central'));
    expect(A.summary.storm_minutes).toBeGreaterThan(0);
    expect(A.sor.some((r) => r.steered > 0)).toBe(true);
    compare(A, B, false);
    expect(B.inbound_outbound).toEqual(A.inbound_outbound);
    expect(B.central!.sources.traffic).toBe('rollups+raw edges');
    expect(B.central!.distinct.hll_rel_error).toBeCloseTo(0.023, 3);
  }, 120_000);

  it('whole days with --rollups-only: no raw read, the same counts; device-level figures from device_day', () => {
    const A0 = json(join(dir, 'spool'));
    const day = A0.period.from.slice(0, 10);
    const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
    const a = sp('report', '--spool', spool, '--out', join(dir, 'spool-day'), '--from', day, '--to', next);
    expect(a.status, a.stderr).toBe(0);
    const b = sp('report', '--central', '--config', cfg, '--out', join(dir, 'central-day'), '--from', day, '--to', next, '--rollups-only');
    expect(b.status, b.stderr).toBe(0);
    const B = json(join(dir, 'central-day'));
    compare(json(join(dir, 'spool-day')), B, true);
    expect(new Set(Object.values(B.central!.sources).filter((x) => x !== 'unavailable'))).toEqual(new Set(['rollups']));
  }, 120_000);

  it.skipIf(!existsSync('/usr/bin/chromium'))('the central report.html renders in headless Chromium (no error, no network, says HyperLogLog)', async () => {
    const ctx = await openBrowser({ deviceScaleFactor: 1 });
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      const { problems, requests } = watchPage(page);
      await page.goto(pathToFileURL(join(dir, 'central', 'report.html')).href);
      await page.waitForFunction(() => (window as unknown as { __reportReady?: boolean }).__reportReady === true, null, { timeout: 30_000 });
      const st = await page.evaluate(() => ({
        meta: document.querySelector('header .meta')?.textContent ?? '',
        charts: document.querySelectorAll('[data-chart] canvas, [data-chart] svg').length,
      }));
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
      expect(st.meta).toMatch(/central store \(schema c; rollups\)/);
      expect(st.meta).toMatch(/HyperLogLog ±2\.3 %/);
      expect(st.charts).toBeGreaterThan(5);
    } finally {
      await ctx.close();
    }
  }, 60_000);

  it('bad config, bad period, empty period: one sigprobe line, exit 2, nothing written', () => {
    const out = join(dir, 'bad');
    const cases = [
      ['report', '--central', '--out', out],
      ['report', '--central', '--config', join(dir, 'nope.yaml'), '--out', out],
      ['report', '--central', '--config', cfg, '--out', out, '--from', 'yesterday'],
      ['report', '--central', '--config', cfg, '--out', out, '--from', '2001-01-01', '--to', '2001-01-02'],
      ['report', '--central', '--config', cfg, '--out', out, '--site', 'nowhere'],
    ];
    for (const c of cases) {
      const r = sp(...c);
      expect(r.status, `${c.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/^sigprobe: /);
      if (!r.stderr.includes('usage:')) expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    let left: string[] = [];
    try {
      left = readdirSync(out);
    } catch {
      /* not even created */
    }
    expect(left).toEqual([]);
  });
});
