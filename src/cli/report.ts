import { SigprobeError } from '../config/errors';
import { computeReport } from '../analytics/compute';
import { DEFAULTS } from '../analytics/definitions';
import { writeReport } from '../report/write';
import { parseArgs, strOption } from './args';

export const REPORT_USAGE =
  'usage: sigprobe report --spool <db> [<db> ...] --out <dir> [--from <time>] [--to <time>] [--site <id>] [--sor-window <seconds>] [--storm-k <k>] [--customers <mcc-mnc,...>] [--timings]';

export const REPORT_SUMMARY = `Writes <dir>/report.html (one self-contained page: charts, tables and the definitions beside them;
opens from disk, no network) and <dir>/report.json (the same numbers, for other tools) from one or more spool files:
traffic, devices, roaming matrix, errors, steering of roaming, data sessions, silent roamers, signaling storms, latency.
  --from/--to     period, ISO-8601 UTC (2026-12-07T10:00:00Z, 2026-12-07) or epoch seconds; default: all records
  --site          only the records of that site
  --sor-window    seconds from a Roaming-Not-Allowed to the successful location update that counts as steered (default ${DEFAULTS.sorWindowSeconds})
  --storm-k       a minute is a storm when it has more than k × the rolling median of dialogues (default ${DEFAULTS.stormK})
  --customers     the site's customers' networks (MCC-MNC), for the inbound/outbound split
  --timings       print the time of each query on stderr
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

export function reportMain(argv: readonly string[], out: (s: string) => void): number {
  // --spool takes several files: the positionals after it are spool files too
  const p = parseArgs(argv, {
    spool: 'string', out: 'string', from: 'string', to: 'string', site: 'string', 'sor-window': 'string', 'storm-k': 'string',
    customers: 'string', timings: 'flag',
  });
  const first = strOption(p, 'spool');
  if (first === undefined) throw new SigprobeError('E_USAGE', `--spool <db> is required\n${REPORT_USAGE}`);
  const files = [first, ...p.positional];
  const dir = strOption(p, 'out');
  if (dir === undefined) throw new SigprobeError('E_USAGE', `--out <dir> is required\n${REPORT_USAGE}`);
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
  const t0 = Date.now();
  const model = computeReport({
    files,
    fromUs: from !== undefined ? parseTime('from', from) : undefined,
    toUs: to !== undefined ? parseTime('to', to) : undefined,
    site: strOption(p, 'site'),
    sorWindowSeconds: num('sor-window', DEFAULTS.sorWindowSeconds, 0),
    stormK: num('storm-k', DEFAULTS.stormK, 0),
    customers,
    log: p.options.has('timings') ? (s) => process.stderr.write(s + '\n') : undefined,
  });
  const w = writeReport(dir, model);
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
  return 0;
}
