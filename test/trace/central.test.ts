/**
 * `sigprobe trace --central CONF`: the same trace from the central PostgreSQL store as from the
 * spool (a private PostgreSQL, the spool's dialogues and tunnels stored by the collector's own
 * BatchStore, as the shipper renders them): for every generated device, for the capture cut in
 * two (the Deletes without IMSI joined by TEID) and through the CLI; EXPLAIN shows the IMSI
 * lookup on the BRIN bloom index and the day partitions pruned by the time window.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchStore, migrateCentral } from '../../src/collector/store';
import { BATCH_VERSION, ENCODINGS, type BatchHeader, type ShipTable } from '../../src/ship/batch';
import { SpoolTableSource } from '../../src/ship/spoolSource';
import { runCentralTrace } from '../../src/trace/central';
import { runTrace, type TraceResult } from '../../src/trace/query';
import { PgServer, serversMissing } from '../helpers/servers';
import { buildWorld, cli } from './fixture';

const missing = serversMissing();
const w = buildWorld(50, 13);
const SCHEMA = 'tr';
let pgs: PgServer;
let pool: Pool;

async function storeSpool(store: BatchStore, spool: string, probe: string, spoolId: string): Promise<void> {
  const db = new Database(spool, { readonly: true });
  try {
    for (const table of ['dialogues', 'tunnels'] as ShipTable[]) {
      const src = new SpoolTableSource(db, table);
      const r = src.readAfter(0, 1_000_000);
      if (r === null) continue;
      const h: BatchHeader = {
        v: BATCH_VERSION, probe, spool: spoolId, table, first: r.first, last: r.last, count: r.count,
        cols: r.cols, days: r.days, tmax: r.tmax, bytes: r.text.length, enc: ENCODINGS.gzip,
      };
      await store.store(h, r.text);
    }
  } finally {
    db.close();
  }
}

/** a record as both stores hold it (the spool's columns; `id` is the record's spool id in both) */
function canon(t: TraceResult): string[] {
  return t.records.map((r) => {
    const o = r.row as Record<string, unknown>;
    return JSON.stringify([r.via, ...Object.keys(o).filter((k) => k !== 'probe_id' && k !== 'spool_no').sort().map((k) => [k, o[k]])]);
  });
}

beforeAll(async () => {
  if (missing) return;
  pgs = await PgServer.start();
  pool = new Pool({ connectionString: pgs.url, max: 4 });
  pool.on('error', () => {});
  await migrateCentral(pool, SCHEMA);
  const store = new BatchStore(pool, SCHEMA);
  await storeSpool(store, w.spool, 'whole', 'a'.repeat(32));
  await storeSpool(store, w.splitSpool, 'split', 'b'.repeat(32));
}, 120_000);

afterAll(async () => {
  await pool?.end().catch(() => {});
  await pgs?.destroy();
});

describe.skipIf(missing !== null)('trace from the central store', () => {
  it('every device: the central trace = the spool trace (both probes: the whole capture and the cut one)', async () => {
    let n = 0;
    let joined = 0;
    for (const [imsi] of w.devices) {
      const selector = { kind: 'imsi' as const, value: w.ids.protect('imsi', imsi) as string };
      const c = await runCentralTrace({ pool, schema: SCHEMA, selector });
      const a = runTrace({ files: [w.spool], selector });
      const b = runTrace({ files: [w.splitSpool], selector });
      expect(canon(c).sort(), imsi).toEqual([...canon(a), ...canon(b)].sort());
      expect(c.tunnels.length).toBe(a.tunnels.length + b.tunnels.length);
      joined += c.records.filter((r) => r.via === 'tunnel').length;
      n += c.records.length;
    }
    expect(n).toBeGreaterThan(200);
    expect(joined).toBeGreaterThan(0);
  });

  it('a period and an MSISDN: the same as the spool', async () => {
    const [imsi, lines] = [...w.devices].find(([, l]) => l.length >= 6)!;
    const ts = lines.map((l) => l.req_time_us).sort((x, y) => x - y);
    const selector = { kind: 'imsi' as const, value: w.ids.protect('imsi', imsi) as string };
    const c = await runCentralTrace({ pool, schema: SCHEMA, selector, fromUs: ts[1], toUs: ts[ts.length - 2] });
    const a = runTrace({ files: [w.spool, w.splitSpool], selector, fromUs: ts[1], toUs: ts[ts.length - 2] });
    expect(canon(c).sort()).toEqual(canon(a).sort());
    expect(c.records.length).toBeGreaterThan(0);
    const db = new Database(w.spool, { readonly: true });
    const m = db.prepare('SELECT msisdn FROM tunnels WHERE msisdn IS NOT NULL LIMIT 1').get() as { msisdn: string };
    db.close();
    const ms = { kind: 'msisdn' as const, value: m.msisdn, gtForms: [] };
    const cm = await runCentralTrace({ pool, schema: SCHEMA, selector: ms });
    expect(canon(cm).sort()).toEqual(canon(runTrace({ files: [w.spool, w.splitSpool], selector: ms })).sort());
    expect(cm.records.length).toBeGreaterThan(0);
  });

  it('EXPLAIN: the IMSI lookup can use dialogues_imsi (BRIN bloom), tunnels tunnels_imsi; a period prunes the day partitions', async () => {
    const [imsi, lines] = [...w.devices].find(([, l]) => l.some((x) => x.procedure === 'CreateSession' || x.procedure === 'CreatePDPContext'))!;
    const value = w.ids.protect('imsi', imsi) as string;
    const t0 = Math.min(...lines.map((l) => l.req_time_us));
    const c = await runCentralTrace({ pool, schema: SCHEMA, selector: { kind: 'imsi', value }, fromUs: t0, toUs: t0 + 3_600_000_000 });
    expect(c.records.length).toBeGreaterThan(0);
    // On tables this small PostgreSQL reads the partition whole (cheaper than any index); with
    // plain and index scans off, the plan left shows which index serves the lookup.
    const client = await pool.connect();
    try {
      await client.query('SET enable_seqscan = off; SET enable_indexscan = off');
      const explain = async (re: RegExp, values: unknown[]) => {
        const p = c.plans.find((x) => re.test(x.sql))!;
        return ((await client.query({ text: 'EXPLAIN ' + p.sql, values })).rows as Record<string, string>[]).map((r) => r['QUERY PLAN']).join('\n');
      };
      const iso = (us: number) => new Date(us / 1000).toISOString();
      const d = await explain(/FROM tr\.dialogues WHERE imsi = \$1/, [value, iso(t0), iso(t0 + 3_600_000_000)]);
      expect(d).toMatch(/Bitmap Index Scan on dialogues_\d+_imsi_idx/);
      expect(d).not.toMatch(/pkey/);
      const t = await explain(/FROM tr\.tunnels WHERE imsi = \$1/, [value, t0 + 3_600_000_000, t0]);
      expect(t).toMatch(/Bitmap Index Scan on tunnels_\d+_imsi_ts_idx/);
    } finally {
      await client.query('RESET enable_seqscan; RESET enable_indexscan').catch(() => {});
      client.release();
    }
    // the period: only the partitions of its days are read (the world spans one day; a period in another day reads none)
    const none = await runCentralTrace({ pool, schema: SCHEMA, selector: { kind: 'imsi', value }, fromUs: t0 + 5 * 86_400_000_000, toUs: t0 + 6 * 86_400_000_000 });
    expect(none.records).toEqual([]);
    expect(none.plans[0].plan.join('\n')).not.toMatch(/dialogues_\d{8}/);
  });

  it('the CLI: --central CONF gives the spool trace; a raw IMSI needs --key-file there', () => {
    const conf = join(w.dir, 'central.yaml');
    writeFileSync(conf, `collector:\n  postgres:\n    url: ${JSON.stringify(pgs.url)}\n    schema: ${SCHEMA}\n`);
    const [imsi] = [...w.devices].find(([, l]) => l.some((x) => x.protocol === 'diameter'))!;
    const c = cli(['trace', '--imsi', imsi, '--central', conf, '--key-file', w.key, '--format', 'json']);
    expect(c.status, c.stderr).toBe(0);
    const s = cli(['trace', '--imsi', imsi, '--spool', w.spool, w.splitSpool, '--format', 'json']);
    const strip = (x: string) => (JSON.parse(x) as Record<string, unknown>[]).map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]))).sort();
    expect(strip(c.stdout)).toEqual(strip(s.stdout));
    const nokey = cli(['trace', '--imsi', imsi, '--central', conf]);
    expect(nokey.status).toBe(2);
    expect(nokey.stderr.trim()).toMatch(/^sigprobe: a raw identity with --central needs the site key: --key-file/);
    const none = cli(['trace', '--pseudonym', 'b'.repeat(24), '--central', conf]);
    expect(none.status).toBe(2);
    expect(none.stderr.trim()).toMatch(/^sigprobe: no records of that pseudonym in the central store \(schema tr\)$/);
    const both = cli(['trace', '--pseudonym', 'b'.repeat(24), '--central', conf, '--spool', w.spool]);
    expect(both.stderr.trim()).toBe('sigprobe: give --spool <db> or --central <config>, not both');
  });
});
