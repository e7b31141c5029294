// `npm run bench -- --trace` (`--trace-central`: also from a central PostgreSQL): how long `sigprobe trace` takes on a spool of 10M dialogues.
//
// The spool (bench/work/trace-10m.db, reused when it is there and complete) is a generated roaming
// capture (src/gen/roaming, 2,000 devices over 2 h) replayed by the CLI, copied again and again
// with its times shifted after the previous copy and every identity of a copy replaced by one of
// a population of 1M random pseudonyms (no copy shares a pseudonym with the replay), until 10M
// dialogues (and the tunnels in proportion). The spool's own indexes are dropped for the bulk
// copy and created again after it with the spool's SQL. The devices of the replay keep their real
// pseudonyms, so their trace is known: the trace of one of them must give its dialogues exactly.
// Timed, best of 3 after one warm-up: runTrace (src/trace/query.ts) by pseudonym, by MSISDN, by
// pseudonym over a 1 h period; and the CLI end to end (`sigprobe trace --imsi`, process start
// included).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generate } from '../gen';
import { IdentityProtector, loadOrCreateKey } from '../correlate/identities';
import { openSpool } from '../spool/spool';
import { runTrace, type TraceSelector } from '../trace/query';
import { log } from './log';
import { CLI_MAIN } from './paths';
import { appendResults, resultsHeading } from './results';

const TARGET = 10_000_000;
const POPULATION = 1_000_000;

interface Built {
  spool: string;
  dialogues: number;
  tunnels: number;
  /** a device of the replay: raw IMSI, its pseudonym, MSISDN, its dialogue count */
  imsi: string;
  pseudonym: string;
  msisdn: string | null;
  expected: number;
  buildSeconds: number | null;
}

function columns(db: Database.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name).filter((c) => c !== 'id');
}

function buildSpool(work: string): Built {
  mkdirSync(work, { recursive: true });
  const dir = join(work, 'trace');
  const spool = join(work, 'trace-10m.db');
  const pcap = join(dir, 'r.pcap');
  const small = join(dir, 'r.db');
  const key = join(dir, 'sigprobe-pseudonym.key');
  if (!existsSync(small)) {
    mkdirSync(dir, { recursive: true });
    log('trace: generating the roaming capture (2,000 devices, 2 h) and replaying it...');
    generate({ out: pcap, seed: 42, dialogues: 0, scenario: 'roaming', devices: 2000, hours: 2 });
    execFileSync(process.execPath, [CLI_MAIN, 'replay', pcap, '--spool', small + '.tmp', '--networks', join(dir, 'r.networks.yaml')], { stdio: ['ignore', 'ignore', 'inherit'], cwd: dir });
    renameSync(small + '.tmp', small);
    for (const ext of ['-wal', '-shm']) rmSync(small + '.tmp' + ext, { force: true });
  }
  const ids = new IdentityProtector('pseudonymize', loadOrCreateKey(key, false));
  // the device of the replay with the most dialogues, and its MSISDN (tunnels of the replay)
  const t = new Database(small, { readonly: true });
  const top = t.prepare('SELECT imsi, count(*) n FROM dialogues WHERE imsi IS NOT NULL GROUP BY imsi ORDER BY n DESC, imsi LIMIT 1').get() as { imsi: string; n: number };
  const ms = t.prepare('SELECT msisdn FROM tunnels WHERE imsi = ? AND msisdn IS NOT NULL LIMIT 1').get(top.imsi) as { msisdn: string } | undefined;
  const span = t.prepare('SELECT max(coalesce(rsp_time_us, req_time_us)) - min(coalesce(req_time_us, rsp_time_us)) s, count(*) n FROM dialogues').get() as { s: number; n: number };
  t.close();
  // the raw IMSI of that pseudonym: from the truth file (the generator's)
  const truth = readFileSync(join(dir, 'r.truth.jsonl'), 'utf8');
  let raw = '';
  for (const l of truth.split('\n')) {
    const m = /"imsi": "(\d+)"/.exec(l);
    if (m && ids.protect('imsi', m[1]) === top.imsi) {
      raw = m[1];
      break;
    }
  }
  let buildSeconds: number | null = null;
  const complete = () => {
    if (!existsSync(spool)) return false;
    const d = new Database(spool, { readonly: true });
    try {
      return (d.prepare("SELECT value FROM spool_meta WHERE key = 'bench_trace_rows'").get() as { value: string } | undefined)?.value === String(TARGET);
    } catch {
      return false;
    } finally {
      d.close();
    }
  };
  if (!complete()) {
    log(`trace: building ${TARGET.toLocaleString('en')} dialogues in ${spool} (once; reused next time)...`);
    const t0 = process.hrtime.bigint();
    for (const ext of ['', '-wal', '-shm']) rmSync(spool + ext, { force: true });
    openSpool(spool).close();
    const db = new Database(spool);
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const idx = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('dialogues', 'tunnels')").all() as { name: string; sql: string }[];
    for (const i of idx) db.exec(`DROP INDEX ${i.name}`);
    db.prepare('ATTACH DATABASE ? AS tmpl').run(small);
    const dc = columns(db, 'dialogues');
    const tc = columns(db, 'tunnels');
    // a copy: times + k × (span + 1 s); imsi / msisdn → one of POPULATION pseudonyms (24 hex)
    const pseud = (col: string, salt: number) =>
      `CASE WHEN ${col} IS NULL THEN NULL ELSE printf('%024x', ((abs(random()) % ${POPULATION}) * 2654435761 + ${salt}) % 281474976710655) END`;
    const shift = (col: string) => (/_time_us$|_user_us$/.test(col) ? `${col} + :off` : col);
    const sel = (cols: string[]) => cols.map((c) => (c === 'imsi' ? pseud('imsi', 1) : c === 'msisdn' ? pseud('msisdn', 7) : shift(c))).join(', ');
    const insD = db.prepare(`INSERT INTO dialogues (${dc.join(', ')}) SELECT ${sel(dc)} FROM tmpl.dialogues`);
    const insT = db.prepare(`INSERT INTO tunnels (${tc.join(', ')}) SELECT ${sel(tc)} FROM tmpl.tunnels`);
    const copy0D = db.prepare(`INSERT INTO dialogues (${dc.join(', ')}) SELECT ${dc.join(', ')} FROM tmpl.dialogues`);
    const copy0T = db.prepare(`INSERT INTO tunnels (${tc.join(', ')}) SELECT ${tc.join(', ')} FROM tmpl.tunnels`);
    const step = span.s + 1_000_000;
    const copies = Math.ceil(TARGET / span.n);
    const half = Math.floor(copies / 2);
    db.transaction(() => {
      for (let k = 0; k < copies; k++) {
        // the replay itself (real pseudonyms) in the middle of the spool's time
        if (k === half) {
          copy0D.run();
          copy0T.run();
          continue;
        }
        insD.run({ off: (k - half) * step });
        insT.run({ off: (k - half) * step });
        if (k % 2000 === 0) log(`trace: ${(k * span.n).toLocaleString('en')} rows`);
      }
    })();
    // cut to exactly TARGET dialogues (the last copy's surplus, never the replay's rows)
    const n = (db.prepare('SELECT count(*) n FROM dialogues').get() as { n: number }).n;
    if (n > TARGET) db.prepare('DELETE FROM dialogues WHERE id > ?').run(TARGET);
    log('trace: creating the indexes...');
    for (const i of idx) db.exec(i.sql);
    db.exec('DETACH DATABASE tmpl');
    db.prepare("INSERT OR REPLACE INTO spool_meta (key, value) VALUES ('bench_trace_rows', ?)").run(String(TARGET));
    db.exec('ANALYZE');
    db.pragma('journal_mode = WAL');
    db.close();
    buildSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  const d = new Database(spool, { readonly: true });
  const dialogues = (d.prepare('SELECT count(*) n FROM dialogues').get() as { n: number }).n;
  const tunnels = (d.prepare('SELECT count(*) n FROM tunnels').get() as { n: number }).n;
  d.close();
  return { spool, dialogues, tunnels, imsi: raw, pseudonym: top.imsi, msisdn: ms?.msisdn ?? null, expected: top.n, buildSeconds };
}

function hasMsisdnIndex(spool: string): boolean {
  const d = new Database(spool, { readonly: true });
  try {
    return (d.prepare("SELECT count(*) n FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dialogues' AND sql LIKE '%(msisdn)%'").get() as { n: number }).n > 0;
  } finally {
    d.close();
  }
}

function best(fn: () => void, runs = 3): number {
  fn();
  let b = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    b = Math.min(b, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return b;
}

/** `--trace` / `--trace-central` of src/bench/run.ts (OPTIONAL_STEPS) */
export function traceStep(work: string, append: boolean, withCentral: boolean): void {
  const r = runTraceBench(work, append, withCentral);
  if (r instanceof Promise) {
    r.catch((e: Error) => {
      process.stderr.write(`bench: ${e.stack ?? String(e)}\n`);
      process.exitCode = 1;
    });
  }
}

/**
 * The same 10M dialogues in a private PostgreSQL (src/bench/servers.ts), stored by the collector's
 * BatchStore as the shipper renders them (batches of 100k rows, rollups maintained), then the
 * central trace timed like the spool's.
 */
async function centralRows(b: Built, row: (what: string, ms: number, n: number, plan: string) => void): Promise<string> {
  const { PgServer } = require('./servers') as typeof import('./servers');
  const { Pool } = require('pg') as typeof import('pg');
  const { BatchStore, migrateCentral } = require('../collector/store') as typeof import('../collector/store');
  const { SpoolTableSource } = require('../ship/spoolSource') as typeof import('../ship/spoolSource');
  const { BATCH_VERSION, ENCODINGS } = require('../ship/batch') as typeof import('../ship/batch');
  const { runCentralTrace } = require('../trace/central') as typeof import('../trace/central');
  const pgs = await PgServer.start({ settings: { shared_buffers: '1GB', max_wal_size: '8GB', synchronous_commit: 'off' } });
  const pool = new Pool({ connectionString: pgs.url, max: 2 });
  pool.on('error', () => {});
  try {
    await migrateCentral(pool, 'bench');
    const store = new BatchStore(pool, 'bench');
    const db = new Database(b.spool, { readonly: true });
    const t0 = process.hrtime.bigint();
    let rows = 0;
    try {
      for (const table of ['dialogues', 'tunnels'] as const) {
        const src = new SpoolTableSource(db, table);
        let after = 0;
        for (;;) {
          const r = src.readAfter(after, 100_000);
          if (r === null) break;
          await store.store({ v: BATCH_VERSION, probe: 'bench', spool: 'e'.repeat(32), table, first: r.first, last: r.last, count: r.count, cols: r.cols, days: r.days, tmax: r.tmax, bytes: r.text.length, enc: ENCODINGS.gzip }, r.text);
          after = r.last;
          rows += r.count;
          if (rows % 1_000_000 < 100_000) log(`trace: central: ${rows.toLocaleString('en')} rows stored`);
        }
      }
    } finally {
      db.close();
    }
    const loadS = Number(process.hrtime.bigint() - t0) / 1e9;
    // a bulk load outruns autovacuum's autosummarize: an unsummarized BRIN range matches every
    // lookup. Summarize them as a running collector's autovacuum would have, then analyze.
    const t2 = process.hrtime.bigint();
    await pool.query(`SELECT brin_summarize_new_values(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.amname = 'brin' AND n.nspname = 'bench' AND c.relkind = 'i'`);
    log(`trace: central: BRIN ranges summarized in ${(Number(process.hrtime.bigint() - t2) / 1e9).toFixed(0)} s`);
    await pool.query('ANALYZE bench.dialogues; ANALYZE bench.tunnels');
    const sel: TraceSelector = { kind: 'imsi', value: b.pseudonym };
    const timeIt = async (fn: () => Promise<unknown>, runs = 3) => {
      await fn();
      let best = Infinity;
      for (let i = 0; i < runs; i++) {
        const t = process.hrtime.bigint();
        await fn();
        best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
      }
      return best;
    };
    const one = await runCentralTrace({ pool, schema: 'bench', selector: sel });
    const plan = (r: typeof one) => r.plans.map((x) => x.plan.filter((l) => /Scan|Subplans|Append/.test(l)).map((l) => l.trim().replace(/\s+\(cost.*$/, '')).slice(0, 3).join('; ')).filter((v, i, a) => a.indexOf(v) === i).join(' / ');
    row('central: runCentralTrace --pseudonym (BRIN bloom dialogues_imsi, btree tunnels_imsi)', await timeIt(() => runCentralTrace({ pool, schema: 'bench', selector: sel })), one.records.length, plan(one));
    const t1 = one.records[0].row.req_time_us as number;
    const per = await runCentralTrace({ pool, schema: 'bench', selector: sel, fromUs: t1, toUs: t1 + 3_600_000_000 });
    row('central: runCentralTrace --pseudonym --from/--to (1 h)', await timeIt(() => runCentralTrace({ pool, schema: 'bench', selector: sel, fromUs: t1, toUs: t1 + 3_600_000_000 })), per.records.length, plan(per));
    if (b.msisdn !== null) {
      const ms: TraceSelector = { kind: 'msisdn', value: b.msisdn, gtForms: [] };
      const m = await runCentralTrace({ pool, schema: 'bench', selector: ms });
      row('central: runCentralTrace --msisdn (no msisdn index centrally)', await timeIt(() => runCentralTrace({ pool, schema: 'bench', selector: ms }), 1), m.records.length, plan(m));
    }
    return `central: ${rows.toLocaleString('en')} rows stored through BatchStore in ${loadS.toFixed(0)} s (private PostgreSQL, rollups maintained).`;
  } finally {
    await pool.end().catch(() => {});
    await pgs.destroy();
  }
}

export function runTraceBench(work: string, append: boolean, withCentral = false): Promise<void> | void {
  const started = new Date();
  const b = buildSpool(work);
  const files = [b.spool];
  const lines: string[] = [];
  const row = (what: string, ms: number, n: number, plan: string) => lines.push(`| ${what} | ${ms.toFixed(1)} | ${n} | ${plan} |`);
  const planOf = (sel: TraceSelector, fromUs?: number, toUs?: number) => {
    const r = runTrace({ files, selector: sel, fromUs, toUs });
    return { r, plan: r.plans.map((p) => p.plan.join('; ')).filter((v, i, a) => a.indexOf(v) === i).join(' / ') };
  };
  const byP: TraceSelector = { kind: 'imsi', value: b.pseudonym };
  const p = planOf(byP);
  if (p.r.records.length < b.expected) throw new Error(`trace bench: ${p.r.records.length} records for the device, expected at least ${b.expected}`);
  row('runTrace --pseudonym (dialogues_imsi, tunnels_imsi, joins by time index)', best(() => void runTrace({ files, selector: byP })), p.r.records.length, p.plan);
  const t0 = p.r.records[0].row.req_time_us as number;
  const q = planOf(byP, t0, t0 + 3_600_000_000);
  row('runTrace --pseudonym --from/--to (1 h)', best(() => void runTrace({ files, selector: byP, fromUs: t0, toUs: t0 + 3_600_000_000 })), q.r.records.length, q.plan);
  if (b.msisdn !== null) {
    const byM: TraceSelector = { kind: 'msisdn', value: b.msisdn, gtForms: [] };
    const m = planOf(byM);
    row('runTrace --msisdn (spool migrations 1-4: no msisdn index)', best(() => void runTrace({ files, selector: byM }), 1), m.r.records.length, m.plan);
    // the partial indexes proposed for the spool (/tmp/wave2/SPOOL-requests.md), made here for the
    // measurement only and dropped after it (the bench spool stays as the probe writes it)
    if (!hasMsisdnIndex(b.spool)) {
      const db = new Database(b.spool);
      const t1 = process.hrtime.bigint();
      db.exec('CREATE INDEX bench_dialogues_msisdn ON dialogues (msisdn) WHERE msisdn IS NOT NULL; CREATE INDEX bench_tunnels_msisdn ON tunnels (msisdn) WHERE msisdn IS NOT NULL');
      const buildS = Number(process.hrtime.bigint() - t1) / 1e9;
      db.close();
      try {
        const m2 = planOf(byM);
        row(`runTrace --msisdn with partial indexes on msisdn (built in ${buildS.toFixed(0)} s)`, best(() => void runTrace({ files, selector: byM })), m2.r.records.length, m2.plan);
      } finally {
        const d2 = new Database(b.spool);
        d2.exec('DROP INDEX bench_dialogues_msisdn; DROP INDEX bench_tunnels_msisdn');
        d2.close();
      }
    }
  }
  if (b.imsi !== '') {
    const cliMs = best(() => {
      execFileSync(process.execPath, [CLI_MAIN, 'trace', '--imsi', b.imsi, '--spool', b.spool, '--key-file', join(work, 'trace', 'sigprobe-pseudonym.key'), '--format', 'json'], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 26 });
    });
    row('CLI `sigprobe trace --imsi … --format json` (process start included)', cliMs, p.r.records.length, '');
  }
  const finishTable = (extra: string) => {
    const la = loadavg().map((x) => x.toFixed(2)).join(' ');
    const table =
      `spool: ${b.spool}: ${b.dialogues.toLocaleString('en')} dialogues, ${b.tunnels.toLocaleString('en')} tunnels` +
      `${b.buildSeconds !== null ? ` (built in ${b.buildSeconds.toFixed(0)} s)` : ' (reused)'}; load average ${la}; best of 3 after a warm-up (--msisdn: 1 run).${extra}\n\n` +
      `| trace | ms | records | plan (SQLite EXPLAIN QUERY PLAN / PostgreSQL EXPLAIN) |\n|---|---|---|---|\n${lines.join('\n')}\n`;
    const heading = resultsHeading('trace (--trace)', started);
    process.stdout.write(`${heading}\n\n${table}`);
    if (append) {
      appendResults(heading, table);
      log('appended to bench/RESULTS.md');
    }
  };
  if (!withCentral) return finishTable('');
  return centralRows(b, row).then((note) => finishTable(' ' + note));
}
