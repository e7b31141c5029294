import { SigprobeError } from '../config/errors';
import { computeReport } from '../analytics/compute';
import { DEFAULTS } from '../analytics/definitions';
import type { ReportModel } from '../analytics/model';
import { writeReport } from '../report/write';
import { parseArgs, strOption } from './args';

export const REPORT_USAGE =
  'usage: sigprobe report (--spool <db> [<db> ...] | --central --config <central.yaml> [--rollups-only]) --out <dir> [--from <time>] [--to <time>] [--site <id>] [--sor-window <seconds>] [--storm-k <k>] [--customers <mcc-mnc,...>] [--timings] | --central --config <coordinator.yaml> --setup-regions';

export const REPORT_SUMMARY = `Writes <dir>/report.html (one self-contained page: charts, tables and the definitions beside them;
opens from disk, no network) and <dir>/report.json (the same numbers, for other tools) from one or more spool files:
traffic, devices, roaming matrix, errors, steering of roaming, data sessions, silent roamers, signaling storms, latency.
  --from/--to     period, ISO-8601 UTC (2026-12-07T10:00:00Z, 2026-12-07) or epoch seconds; default: all records
  --site          only the records of that site
  --sor-window    seconds from a Roaming-Not-Allowed to the successful location update that counts as steered (default ${DEFAULTS.sorWindowSeconds})
  --storm-k       a minute is a storm when it has more than k × the rolling median of dialogues (default ${DEFAULTS.stormK})
  --customers     the site's customers' networks (MCC-MNC), for the inbound/outbound split
  --timings       print the time of each query on stderr
  --central       read the central store (the collector section of --config: PostgreSQL url, schema) instead
                  of spool files: rollups (t-digest percentiles, HyperLogLog distinct devices) + the raw rows the
                  rollups do not cover; report.json "central" says which figure came from where
  --rollups-only  (with --central) never read raw partitions: the sections that need them are left empty
  --setup-regions (with --central) on a coordinator PostgreSQL: (re)creates the postgres_fdw servers, user mappings,
                  foreign tables and views of the "regions:" list of --config (name, host, port, dbname, user,
                  passwordFile, schema), then exits; reports on the coordinator read the regions' rollups
Definitions: README "Analytics".`;

/** A time option in µs since the epoch. */
export function parseTime(name: string, v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1e6);
  // a time without a zone is UTC (the report is in UTC)
  const s = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v) ? v + 'Z' : v;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new SigprobeError('E_USAGE', `--${name} expects an ISO-8601 time (2026-12-07T10:00:00Z) or epoch seconds, got '${v}'`);
  return ms * 1000;
}

export function reportMain(argv: readonly string[], out: (s: string) => void): number | Promise<number> {
  // --spool takes several files: the positionals after it are spool files too
  const p = parseArgs(argv, {
    spool: 'string', out: 'string', from: 'string', to: 'string', site: 'string', 'sor-window': 'string', 'storm-k': 'string',
    customers: 'string', timings: 'flag', central: 'flag', config: 'string', 'rollups-only': 'flag', 'setup-regions': 'flag',
  });
  if (p.options.has('central')) return centralMain(p, out);
  if (p.options.has('config') || p.options.has('rollups-only')) throw new SigprobeError('E_USAGE', `--config / --rollups-only go with --central\n${REPORT_USAGE}`);
  const first = strOption(p, 'spool');
  if (first === undefined) throw new SigprobeError('E_USAGE', `--spool <db> is required\n${REPORT_USAGE}`);
  const files = [first, ...p.positional];
  const dir = strOption(p, 'out');
  if (dir === undefined) throw new SigprobeError('E_USAGE', `--out <dir> is required\n${REPORT_USAGE}`);
  const params = reportParameters(p);
  const t0 = Date.now();
  const model = computeReport({ files, ...params });
  printReport(writeReport(dir, model), model, t0, out);
  return 0;
}

/** The options the spool and the central report share: period, site, definitions' parameters, customers, timings. */
function reportParameters(p: ReturnType<typeof parseArgs>) {
  const num = (name: string, dflt: number, min: number) => {
    const v = strOption(p, name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new SigprobeError('E_USAGE', `--${name} expects a number ≥ ${min}, got '${v}'`);
    return n;
  };
  const from = strOption(p, 'from');
  const to = strOption(p, 'to');
  const customers = (strOption(p, 'customers') ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const c of customers) if (!/^\d{3}-\d{2,3}$/.test(c)) throw new SigprobeError('E_USAGE', `--customers expects MCC-MNC values (214-07), got '${c}'`);
  return {
    fromUs: from !== undefined ? parseTime('from', from) : undefined,
    toUs: to !== undefined ? parseTime('to', to) : undefined,
    site: strOption(p, 'site'),
    sorWindowSeconds: num('sor-window', DEFAULTS.sorWindowSeconds, 0),
    stormK: num('storm-k', DEFAULTS.stormK, 0),
    customers,
    log: p.options.has('timings') ? (s: string) => void process.stderr.write(s + '\n') : undefined,
  };
}

function printReport(w: { html: string; json: string }, model: ReportModel, t0: number, out: (s: string) => void): void {
  out(`report: ${w.html}`);
  out(`report: ${w.json}`);
  out(`period ${model.period.from} — ${model.period.to}: ${model.records.dialogues} dialogues, ${model.records.tunnels} tunnels, ${model.summary.devices} devices (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  const top = model.matrix.filter((r) => r.home_country !== r.visited_country).slice(0, 3);
  out(`top roaming pairs: ${top.length > 0 ? top.map((r) => `${r.home_country}→${r.visited_country} ${r.devices} (${(100 * r.share).toFixed(1)} %)`).join(', ') : 'none'}`);
  const rna = model.sor.reduce((a, r) => a + r.devices_rna, 0);
  const dev = model.sor.reduce((a, r) => a + r.devices, 0);
  const steered = model.sor.reduce((a, r) => a + r.steered, 0);
  out(`steering of roaming: ${rna} of ${dev} devices got Roaming Not Allowed (${dev > 0 ? ((100 * rna) / dev).toFixed(1) : '0.0'} %), ${steered} steered`);
  out(`silent roamers: ${model.silent_roamers.reduce((a, r) => a + r.devices, 0) + model.silent_roamers_unknown}`);
  if (model.central !== undefined && model.central.unavailable.length > 0) out(`not available from the rollups: ${model.central.unavailable.join(', ')}`);
}

/** `report --central --config central.yaml`: the same report from the central store (src/analytics/centralQueries.ts). */
async function centralMain(p: ReturnType<typeof parseArgs>, out: (s: string) => void): Promise<number> {
  if (p.options.has('spool') || p.positional.length > 0) throw new SigprobeError('E_USAGE', `--central reads the central store, not spool files\n${REPORT_USAGE}`);
  const cfgFile = strOption(p, 'config');
  if (cfgFile === undefined) throw new SigprobeError('E_USAGE', `--central needs --config <central.yaml> (its collector section)\n${REPORT_USAGE}`);
  const dir = strOption(p, 'out') ?? '';
  if (dir === '' && !p.options.has('setup-regions')) throw new SigprobeError('E_USAGE', `--out <dir> is required\n${REPORT_USAGE}`);
  const params = reportParameters(p);
  // loaded here: pg costs every other command start-up time
  const { loadCollectorConfig } = require('./collect') as typeof import('./collect');
  const { collectorPool } = require('../collector/collector') as typeof import('../collector/collector');
  const { computeCentralReport } = require('../analytics/centralQueries') as typeof import('../analytics/centralQueries');
  const { cfg, pgPassword } = loadCollectorConfig(cfgFile);
  const pool = collectorPool({ ...cfg, concurrency: 1 }, pgPassword);
  if (p.options.has('setup-regions')) {
    try {
      const { setupRegions } = require('../collector/regions') as typeof import('../collector/regions');
      const regions = loadRegions(cfgFile);
      await setupRegions(pool, cfg.postgres.schema, regions).catch((e: Error) => {
        throw new SigprobeError('E_CONFIG', `cannot set up the regions on the coordinator: ${e.message}`);
      });
      out(`regions: ${regions.map((r) => `${r.name} (${r.host}:${r.port}/${r.dbname})`).join(', ')} attached to schema ${cfg.postgres.schema}`);
      return 0;
    } finally {
      await pool.end().catch(() => {});
    }
  }
  const t0 = Date.now();
  try {
    const model = await computeCentralReport({
      pool,
      schema: cfg.postgres.schema,
      ...params,
      rollupsOnly: p.options.has('rollups-only'),
      label: cfgFile,
    });
    printReport(writeReport(dir, model), model, t0, out);
    return 0;
  } finally {
    await pool.end().catch(() => {});
  }
}

/** The `regions:` list of a coordinator's config (next to its collector section). */
function loadRegions(file: string): import('../collector/regions').Region[] {
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  const { dirname, resolve } = require('node:path') as typeof import('node:path');
  const { parse } = require('yaml') as typeof import('yaml');
  const raw = (parse(readFileSync(file, 'utf8')) ?? {}) as { regions?: unknown };
  if (!Array.isArray(raw.regions) || raw.regions.length === 0) throw new SigprobeError('E_CONFIG', `${file}: --setup-regions needs a regions: list (name, host, port, dbname, user, passwordFile, schema)`);
  return raw.regions.map((r: Record<string, unknown>, i: number) => {
    const str = (k: string, dflt?: string): string => {
      const v = r[k] ?? dflt;
      if (typeof v !== 'string' || v.length === 0) throw new SigprobeError('E_CONFIG', `${file}: regions[${i}].${k} must be a non-empty string`);
      return v;
    };
    const port = r.port ?? 5432;
    if (typeof port !== 'number' || !Number.isInteger(port)) throw new SigprobeError('E_CONFIG', `${file}: regions[${i}].port must be an integer`);
    let password: string | undefined;
    if (r.passwordFile !== undefined) {
      const pf = resolve(dirname(file), str('passwordFile'));
      try {
        password = readFileSync(pf, 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        throw new SigprobeError('E_CONFIG', `cannot read regions[${i}].passwordFile ${pf}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
    return { name: str('name'), host: str('host'), port, dbname: str('dbname', 'sigprobe'), user: str('user', 'sigprobe'), password, schema: r.schema === undefined ? undefined : str('schema') };
  });
}
