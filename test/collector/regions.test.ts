/**
 * Two regional stores + a coordinator (postgres_fdw, src/collector/regions.ts): the records of one
 * spool are stored half into region A, half into region B (alternate batches, so devices and hours
 * straddle both), and `report --central --rollups-only` on the coordinator gives the same
 * report.json as on one store holding all of them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/analytics/model';
import { setupRegions } from '../../src/collector/regions';
import { BatchStore, migrateCentral } from '../../src/collector/store';
import { BATCH_VERSION, ENCODINGS, SHIP_TABLES, type BatchHeader } from '../../src/ship/batch';
import { SpoolTableSource } from '../../src/ship/spoolSource';
import { PgServer, serversMissing } from '../helpers/servers';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const sp = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 300_000 });
const missing = serversMissing();
const dir = mkdtempSync(join(tmpdir(), 'sp-regions-'));
const spool = join(dir, 'spool.db');
const servers: PgServer[] = [];
const pools: Pool[] = [];

/** Stores the spool's batches into stores[i % n] (i = batch number). */
async function storeSplit(stores: BatchStore[], file: string): Promise<void> {
  const db = new Database(file, { readonly: true });
  let i = 0;
  try {
    for (const table of SHIP_TABLES) {
      const src = new SpoolTableSource(db, table);
      for (let r = src.readAfter(0, 500); r !== null; r = src.readAfter(r.last, 500)) {
        const h: BatchHeader = {
          v: BATCH_VERSION, probe: 'mad1', spool: 'a'.repeat(32), table, first: r.first, last: r.last, count: r.count, cols: r.cols, days: r.days,
          tmax: r.tmax, bytes: r.text.length, enc: ENCODINGS.gzip,
        };
        await stores[i++ % stores.length].store(h, r.text);
      }
    }
  } finally {
    db.close();
  }
}

const cfgFor = (s: PgServer, name: string) => {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, `collector:\n  postgres: { url: "${s.url}", schema: c }\n`);
  return f;
};

beforeAll(async () => {
  if (missing) return;
  const pcap = join(dir, 'x.pcap');
  const gen = sp('gen', '--scenario', 'roaming', '--out', pcap, '--devices', '400', '--hours', '2', '--seed', '3');
  if (gen.status !== 0) throw new Error(gen.stderr);
  const rep = sp('replay', pcap, '--spool', spool, '--networks', join(dir, 'x.networks.yaml'), '--site', 'mad1');
  if (rep.status !== 0) throw new Error(rep.stderr);
  for (let i = 0; i < 4; i++) servers.push(await PgServer.start());
  for (const s of servers) {
    const p = new Pool({ connectionString: s.url, max: 2 });
    p.on('error', () => {});
    pools.push(p);
  }
  // 0: one store with everything; 1, 2: the regions; 3: the coordinator
  for (const i of [0, 1, 2]) await migrateCentral(pools[i], 'c');
  await storeSplit([new BatchStore(pools[0], 'c', { rollups: true })], spool);
  await storeSplit([new BatchStore(pools[1], 'c', { rollups: true }), new BatchStore(pools[2], 'c', { rollups: true })], spool);
  // the coordinator's config: its own collector section + the regions (set up through the CLI)
  const coord = join(dir, 'coord.yaml');
  writeFileSync(
    coord,
    `collector:\n  postgres: { url: "${servers[3].url}", schema: c }\nregions:\n` +
      [1, 2].map((i) => `  - { name: r${i}, host: 127.0.0.1, port: ${servers[i].port}, dbname: postgres, user: postgres }\n`).join(''),
  );
  const r = sp('report', '--central', '--config', coord, '--setup-regions');
  if (r.status !== 0) throw new Error(r.stderr);
  // idempotent: a second run replaces what the first made
  await setupRegions(pools[3], 'c', [1, 2].map((i) => ({ name: `r${i}`, host: '127.0.0.1', port: servers[i].port, dbname: 'postgres', user: 'postgres' })));
}, 240_000);

afterAll(async () => {
  for (const p of pools) await p.end().catch(() => {});
  for (const s of servers) await s.destroy();
});

describe.skipIf(missing !== null)('regions: coordinator over two regional stores (postgres_fdw)', () => {
  it('report --central on the coordinator = on one store holding both regions', async () => {
    const one = sp('report', '--central', '--config', cfgFor(servers[0], 'one'), '--out', join(dir, 'one'), '--rollups-only');
    expect(one.status, one.stderr).toBe(0);
    const co = sp('report', '--central', '--config', join(dir, 'coord.yaml'), '--out', join(dir, 'coord'));
    expect(co.status, co.stderr).toBe(0);
    const a = JSON.parse(readFileSync(join(dir, 'one', 'report.json'), 'utf8')) as ReportModel;
    const b = JSON.parse(readFileSync(join(dir, 'coord', 'report.json'), 'utf8')) as ReportModel;
    const strip = (m: ReportModel) => {
      const { generated_at, central, latency, data_sessions, ...rest } = m;
      const { setup_delay_ms, duration_s, ...ds } = data_sessions;
      return { ...rest, ds, latency: latency.map((r) => [r.protocol, r.procedure, r.partner, r.dialogues]) };
    };
    expect(strip(b)).toEqual(strip(a));
    expect(a.records.dialogues).toBeGreaterThan(1000);
    // the regions really hold different halves
    const n1 = (await pools[1].query('SELECT sum(dialogues)::int AS n FROM c.rollup_dialogues_hourly')).rows[0].n as number;
    expect(n1).toBeGreaterThan(0);
    expect(n1).toBeLessThan(a.records.dialogues);
    expect(b.central!.notes.join(' ')).toMatch(/no raw tables/);
  }, 120_000);

  it('EXPLAIN VERBOSE: the hour filter goes to the regions; the hll/tdigest aggregates run on the coordinator', async () => {
    const plan = (await pools[3].query(
      `EXPLAIN VERBOSE SELECT protocol, hll_cardinality(hll_union_agg(devices)), sum(dialogues) FROM c.rollup_dialogues_hourly
       WHERE hour >= '2023-11-14T23:00:00Z' AND hour < '2023-11-15T01:00:00Z' GROUP BY 1`,
    )).rows.map((r) => r['QUERY PLAN'] as string);
    const remote = plan.filter((l) => l.includes('Remote SQL'));
    expect(remote).toHaveLength(2);
    for (const l of remote) expect(l).toMatch(/WHERE \(\(hour >= .*\)\) AND \(\(hour < /);
    // the sketches cross the network: each region sends its rows, the coordinator merges
    for (const l of remote) expect(l).not.toMatch(/hll_union_agg|sum\(/);
    expect(plan.join('\n')).toMatch(/Append/);
  });
});
