// `npm run bench -- --central [--sizes N] [--no-append] [--work DIR]` (N records, default 10M): the central
// store's throughput with the rollups (src/collector/rollups.ts) on and off, and the report from
// the rollups against the same figures from the raw partitions (issue 13).
//
// The records (default 10M: 90 % dialogues, 10 % tunnels, over D = 3 days, 4 sites, N/20 devices
// roaming over 30 visited networks in 15 countries; LUs ok / RNA / errors, latencies, tunnels with
// bytes) are synthetic and written once into a spool (bench/work/central-<N>.db, reused). They are
// rendered as the shipper renders them (format 2 batches of 5,000) and stored by BatchStore, one
// batch at a time, into a private PostgreSQL (the bench's settings, PG_SETTINGS): once into a
// schema without rollups, once into one with them. Only store() is timed (rendering is the
// shipper's). Then: rows and bytes of the raw and rollup tables; `sigprobe report --central`
// (--rollups-only, and with raw where the rollups do not cover) timed end to end when the CLI has
// it; and three report queries (traffic per hour, devices per day, roaming matrix) timed over the
// rollups and over raw.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { BatchStore, migrateCentral } from '../collector/store';
import type { DialogueRecord, TunnelRecord } from '../correlate/record';
import { BATCH_VERSION, ENCODINGS, type BatchHeader, type ShipTable } from '../ship/batch';
import { SpoolTableSource } from '../ship/spoolSource';
import { openSpool, SpoolWriter } from '../spool/spool';
import { log } from './log';
import { CLI_MAIN } from './paths';
import { appendResults, resultsHeading } from './results';
import { PgServer } from './servers';
import { PG_SETTINGS } from './shipCollect';

const BATCH = 5000;
const DAY_US = 86_400_000_000;
/** 2026-11-02 00:00 UTC */
const START_US = Date.UTC(2026, 10, 2) * 1000;

/** xorshift32: deterministic, fast */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const COUNTRIES = ['ES', 'FR', 'DE', 'IT', 'GB', 'PT', 'NL', 'BE', 'CH', 'AT', 'PL', 'SE', 'US', 'MX', 'BR'];
const HOMES = [['214', '07', 'ES'], ['208', '01', 'FR'], ['262', '02', 'DE'], ['222', '10', 'IT'], ['234', '15', 'GB'], ['268', '06', 'PT']] as const;
const VISITED = Array.from({ length: 30 }, (_, i) => ({ mcc: String(200 + i * 7), mnc: String(10 + (i % 3)).padStart(2, '0'), country: COUNTRIES[i % COUNTRIES.length], op: `Operator ${i}` }));
const SITES = ['mad1', 'fra1', 'mia1', 'sin1'];

/** Writes `n` synthetic records (90 % dialogues, 10 % tunnels) into a new spool file. */
function buildSpool(path: string, n: number, days: number): void {
  const db = openSpool(path);
  const w = new SpoolWriter(db, { batchSize: 10_000 });
  const rnd = prng(4242);
  const devices = Math.max(1000, Math.floor(n / 20));
  const span = days * DAY_US;
  const nT = Math.floor(n / 10);
  const nD = n - nT;
  const device = (k: number) => {
    const h = HOMES[k % HOMES.length];
    const v = VISITED[(k * 7 + Math.floor(k / 97)) % VISITED.length];
    return { imsi: (k * 2654435761 >>> 0).toString(16).padStart(8, '0') + k.toString(16).padStart(16, '0'), h, v };
  };
  for (let i = 0; i < nD; i++) {
    const t = START_US + Math.floor((i / nD) * span) + Math.floor(rnd() * 1000);
    const d = device(Math.floor(rnd() * devices));
    const r = rnd();
    const lu = r < 0.3;
    const protocol = rnd() < 0.6 ? 'map' : 'diameter';
    const procedure = lu ? (protocol === 'map' ? 'updateLocation' : 'ULR') : protocol === 'map' ? (r < 0.8 ? 'sendAuthenticationInfo' : 'insertSubscriberData') : r < 0.8 ? 'AIR' : 'IDR';
    const q = rnd();
    const rna = lu && q < 0.03;
    const status = rna || q > 0.95 ? 'error' : 'ok';
    const resultCode = rna ? (protocol === 'map' ? 8 : 5004) : status === 'error' ? (protocol === 'map' ? 1 : 5001) : null;
    const rec: DialogueRecord = {
      protocol, procedure, opcode: protocol === 'map' ? 2 : 316, status, resultCode, resultName: status === 'error' ? (rna ? 'roamingNotAllowed' : 'unknownSubscriber') : null,
      endReason: 'end', orphan: false, reqFrame: i, rspFrame: i + 1, reqTimeUs: t, rspTimeUs: t + 20_000, latencyUs: 5_000 + Math.floor(rnd() * 200_000),
      imsi: d.imsi, msisdn: null, homeMcc: d.h[0], homeMnc: d.h[1], callingGt: null, calledGt: null, responderGt: null, opc: null, dpc: null,
      callingSsn: null, calledSsn: null, vlrNumber: null, sgsnNumber: null, appContext: null, otid: null, dtid: null, messages: 2, nestedOps: 0,
      retransmissions: 0, abortCause: null, site: SITES[i % SITES.length], source: 'bench',
      resultSource: protocol === 'diameter' && status === 'error' ? 'experimental' : protocol === 'diameter' ? 'result' : null,
      visitedMcc: d.v.mcc, visitedMnc: d.v.mnc, homeCountry: d.h[2], visitedCountry: d.v.country, visitedOperator: d.v.op,
    } as DialogueRecord;
    w.write(rec);
  }
  for (let i = 0; i < nT; i++) {
    const t = START_US + Math.floor((i / nT) * span);
    const d = device(Math.floor(rnd() * devices));
    const rejected = rnd() < 0.05;
    const bytes = rejected || rnd() < 0.1 ? 0 : Math.floor(rnd() * 5e6);
    const rec: TunnelRecord = {
      protocol: 'gtpv2', imsi: d.imsi, msisdn: null, homeMcc: d.h[0], homeMnc: d.h[1], visitedMcc: d.v.mcc, visitedMnc: d.v.mnc,
      apn: rnd() < 0.8 ? 'internet' : 'ims', ratType: 'EUTRAN', sgsnIp: null, ggsnIp: null, sgsnCtrlTeid: null, ggsnCtrlTeid: null,
      sgsnDataTeid: null, ggsnDataTeid: null, createCause: rejected ? 73 : 16, createTimeUs: t, setupDelayUs: 10_000 + Math.floor(rnd() * 90_000),
      endTimeUs: null, durationUs: rejected ? null : Math.floor(rnd() * 7_200e6), deleteCause: rejected ? null : 16,
      endReason: rejected ? 'create_rejected' : 'delete', createFrame: i, endFrame: null, site: SITES[i % SITES.length], source: 'bench',
      homeCountry: d.h[2], visitedCountry: d.v.country, visitedOperator: d.v.op,
      packetsUp: Math.floor(bytes / 900), packetsDown: Math.floor(bytes / 600), bytesUp: Math.floor(bytes / 3), bytesDown: bytes - Math.floor(bytes / 3),
    };
    w.writeTunnel(rec);
  }
  w.flush();
  db.close();
}

interface StoreRun {
  rollups: boolean;
  records: number;
  seconds: number;
}

async function storeAll(pool: Pool, spool: string, schema: string, rollups: boolean): Promise<StoreRun> {
  await migrateCentral(pool, schema);
  const store = new BatchStore(pool, schema, { rollups });
  const db = new Database(spool, { readonly: true });
  let ns = 0n;
  let records = 0;
  try {
    for (const table of ['dialogues', 'tunnels'] as ShipTable[]) {
      const src = new SpoolTableSource(db, table);
      for (let after = 0; ; ) {
        const r = src.readAfter(after, BATCH);
        if (!r) break;
        const h: BatchHeader = { v: BATCH_VERSION, probe: 'bench', spool: 'b'.repeat(32), table, first: r.first, last: r.last, count: r.count, cols: r.cols, days: r.days, tmax: r.tmax, bytes: r.text.length, enc: ENCODINGS.gzip };
        const t0 = process.hrtime.bigint();
        await store.store(h, r.text);
        ns += process.hrtime.bigint() - t0;
        records += r.count;
        after = r.last;
        if (records % 500_000 < BATCH) log(`central: rollups ${rollups ? 'on' : 'off'}: ${records} records stored`);
      }
    }
  } finally {
    db.close();
  }
  return { rollups, records, seconds: Number(ns) / 1e9 };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const v = await fn();
  return [v, Number(process.hrtime.bigint() - t0) / 1e9];
}

export async function runCentralBench(work: string, records: number, days: number, append: boolean): Promise<void> {
  mkdirSync(work, { recursive: true });
  const spool = join(work, `central-${records}.db`);
  if (!existsSync(spool)) {
    log(`central: writing ${records} synthetic records into ${spool}...`);
    rmSync(spool + '.tmp', { force: true });
    buildSpool(spool + '.tmp', records, days);
    renameSync(spool + '.tmp', spool);
    for (const ext of ['-wal', '-shm']) rmSync(spool + '.tmp' + ext, { force: true });
  }
  const pgs = await PgServer.start({ settings: PG_SETTINGS });
  const pool = new Pool({ connectionString: pgs.url, max: 4 });
  pool.on('error', () => {});
  const lines: string[] = [];
  const say = (s: string) => {
    log(`central: ${s}`);
    lines.push(s);
  };
  try {
    say(`${records} records (90 % dialogues, 10 % tunnels) over ${days} days, batches of ${BATCH}, stored one batch at a time (BatchStore.store timed)`);
    const load0 = loadavg().map((x) => x.toFixed(2)).join(' ');
    const off = await storeAll(pool, spool, 'raw_only', false);
    const on = await storeAll(pool, spool, 'with_rollups', true);
    const rate = (r: StoreRun) => r.records / r.seconds;
    const cost = 1 - rate(on) / rate(off);
    say(`store, rollups off: ${off.seconds.toFixed(1)} s, ${rate(off).toFixed(0)} records/s (${((off.seconds / off.records) * 1e6).toFixed(2)} µs/record)`);
    say(`store, rollups on:  ${on.seconds.toFixed(1)} s, ${rate(on).toFixed(0)} records/s (${((on.seconds / on.records) * 1e6).toFixed(2)} µs/record)`);
    say(`rollup maintenance: ${(((on.seconds - off.seconds) / on.records) * 1e6).toFixed(2)} µs/record, ${(cost * 100).toFixed(1)} % of store throughput (target ≤ 20 %); load average ${load0} → ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    const size = await pool.query(
      `SELECT c.relname AS t, (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid) AS parts, ` +
        `coalesce((SELECT sum(pg_total_relation_size(i.inhrelid)) FROM pg_inherits i WHERE i.inhparent = c.oid), 0) + pg_total_relation_size(c.oid) AS bytes ` +
        `FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'with_rollups' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
    );
    for (const r of size.rows as { t: string; bytes: string }[]) {
      const n = (await pool.query(`SELECT count(*)::bigint AS n FROM with_rollups.${r.t}`)).rows[0].n as string;
      if (Number(n) === 0 && !/^(dialogues|tunnels)$/.test(r.t)) continue;
      say(`table with_rollups.${r.t}: ${n} rows, ${(Number(r.bytes) / 2 ** 20).toFixed(1)} MiB (${(Number(r.bytes) / Math.max(1, Number(n))).toFixed(0)} B/row with indexes)`);
    }
    await pool.query('ANALYZE');
    // the same figures from the rollups and from raw
    const queries: [string, string, string][] = [
      ['traffic per hour × protocol × procedure',
        `SELECT hour, protocol, procedure, sum(dialogues) FROM with_rollups.rollup_dialogues_hourly GROUP BY 1, 2, 3`,
        `SELECT date_trunc('hour', ts, 'UTC'), protocol, procedure, count(*) FROM with_rollups.dialogues WHERE req_time_us IS NOT NULL GROUP BY 1, 2, 3`],
      ['devices per day (HLL / exact)',
        `SELECT date_trunc('day', hour, 'UTC'), hll_cardinality(hll_union_agg(devices)) FROM with_rollups.rollup_dialogues_hourly GROUP BY 1`,
        `SELECT date_trunc('day', ts, 'UTC'), count(DISTINCT imsi) FROM with_rollups.dialogues WHERE req_time_us IS NOT NULL GROUP BY 1`],
      ['roaming matrix (devices with a successful LU per pair, exact both)',
        `SELECT home_country, visited_country, count(DISTINCT imsi) FROM with_rollups.device_day WHERE lu_ok > 0 GROUP BY 1, 2`,
        `SELECT home_country, visited_country, count(DISTINCT imsi) FROM with_rollups.dialogues WHERE status = 'ok' AND procedure IN ('updateLocation', 'updateGprsLocation', 'ULR') AND req_time_us IS NOT NULL GROUP BY 1, 2`],
    ];
    for (const [what, fromRollups, fromRaw] of queries) {
      const [, a] = await timed(() => pool.query(fromRollups));
      const [, a2] = await timed(() => pool.query(fromRollups));
      const [, b] = await timed(() => pool.query(fromRaw));
      say(`query ${what}: rollups ${Math.min(a, a2).toFixed(3)} s, raw ${b.toFixed(3)} s (${days} days)`);
    }
    const help = spawnSync(process.execPath, [CLI_MAIN, 'report', '--help'], { encoding: 'utf8' }).stdout ?? '';
    if (help.includes('--central')) {
      const cfg = join(work, 'central-bench.yaml');
      writeFileSync(cfg, `collector:\n  postgres: { url: "${pgs.url}", schema: with_rollups }\n`);
      for (const extra of [['--rollups-only'], []]) {
        const out = join(work, `central-report${extra.length ? '-rollups' : ''}`);
        const t0 = Date.now();
        try {
          execFileSync(process.execPath, [CLI_MAIN, 'report', '--central', '--config', cfg, '--out', out, ...extra], { stdio: ['ignore', 'ignore', 'inherit'] });
          say(`sigprobe report --central ${extra.join(' ') || '(rollups + raw where needed)'}: ${((Date.now() - t0) / 1000).toFixed(1)} s (process start included); load ${loadavg()[0].toFixed(2)}`);
        } catch (e) {
          say(`sigprobe report --central ${extra.join(' ')}: failed (${(e as Error).message.split('\n')[0]})`);
        }
      }
    } else {
      say('sigprobe report --central: not in this build (src/cli/report.ts)');
    }
  } finally {
    await pool.end().catch(() => {});
    await pgs.destroy();
  }
  if (append) appendResults(resultsHeading('central (--central)', new Date()), lines.map((l) => `- ${l}`).join('\n') + '\n');
}
