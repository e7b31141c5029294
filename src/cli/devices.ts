// `sigprobe devices`: per-device features from a spool, k-means profiles, and their report files.
// Everything is written to temporary names in the output directory and renamed at the end: a
// failure leaves nothing half-written.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SigprobeError } from '../config/errors';
import { FEATURE_NAMES, FeatureVector } from '../analytics/profiles/features';
import { openSpoolReadOnly, resolvePeriod, spoolDevices } from '../analytics/profiles/spoolSource';
import type { DeviceRow } from '../analytics/profiles/rows';
import { clusterDevices, VARIANCE_KEPT } from '../analytics/profiles/cluster';
import { clusterProfiles } from '../analytics/profiles/profiles';
import { featuresHeader, featuresLine, profilesHtml, ProfilesDoc, scatterPoints } from '../analytics/profiles/output';
import { FeaturesParquet } from '../analytics/profiles/parquet';
import { intOption, parseArgs, strOption } from './args';

export const DEVICES_USAGE =
  'usage: sigprobe devices --spool <spool.db> | --central <collector config> --out <dir> [--from <ISO-8601|µs>] [--to <ISO-8601|µs>] [--clusters K|auto|none] [--seed N] [--restarts N] [--no-parquet]';

export const DEVICES_SUMMARY =
  'Per-device signalling features (IMSI pseudonyms) over a period, from a spool or the central PostgreSQL store, k-means profiles on their principal components;\n' +
  'writes features.csv (and features.parquet unless --no-parquet), clusters.csv, profiles.json and a self-contained profiles.html into --out.';

function parseTime(name: string, v: string | undefined): number | null {
  if (v === undefined) return null;
  if (/^\d+$/.test(v)) return Number(v);
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) throw new SigprobeError('E_USAGE', `--${name} expects an ISO-8601 time or µs since the epoch, got '${v}'`);
  return ms * 1000;
}

function iso(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString();
}

export interface DevicesSummary {
  devices: number;
  dialogues: number;
  k: number | null;
  files: string[];
}

/** where the dialogues come from: a spool file or the central store */
interface Source {
  label: string;
  period(fromUs: number | null, toUs: number | null): Promise<{ fromUs: number; toUs: number; empty: boolean }>;
  devices(period: { fromUs: number; toUs: number }): Iterable<DeviceRow> | AsyncIterable<DeviceRow>;
  close(): Promise<void>;
}

function spoolSource(spool: string): Source {
  const db = openSpoolReadOnly(spool);
  return {
    label: spool,
    period: async (fromUs, toUs) => resolvePeriod(db, { fromUs, toUs }),
    devices: (period) => spoolDevices(db, period),
    close: async () => void db.close(),
  };
}

async function centralSource(file: string): Promise<Source> {
  // loaded here: pg and the config loader cost the spool path nothing
  const { loadCollectorConfig } = require('./collect') as typeof import('./collect');
  const cs = require('../analytics/profiles/centralSource') as typeof import('../analytics/profiles/centralSource');
  const { cfg, pgPassword } = loadCollectorConfig(file);
  const st = await cs.openCentral(cfg, pgPassword, file);
  return {
    label: `central ${st.label} schema ${st.schema}`,
    period: (fromUs, toUs) => cs.resolveCentralPeriod(st, fromUs, toUs),
    devices: (period) => cs.centralDevices(st, period),
    close: () => st.client.end().catch(() => {}),
  };
}

export async function devicesMain(argv: readonly string[], out: (s: string) => void): Promise<DevicesSummary> {
  const p = parseArgs(argv, { spool: 'string', central: 'string', out: 'string', from: 'string', to: 'string', clusters: 'string', seed: 'string', restarts: 'string', 'no-parquet': 'flag' });
  const central = strOption(p, 'central');
  const spool = strOption(p, 'spool') ?? (central === undefined ? p.positional[0] : undefined);
  const dir = strOption(p, 'out');
  if (spool && central) throw new SigprobeError('E_USAGE', "--spool and --central exclude each other: give one source");
  if (!spool && !central) throw new SigprobeError('E_USAGE', `--spool <spool.db> or --central <collector config> is required\n${DEVICES_USAGE}`);
  if (!dir) throw new SigprobeError('E_USAGE', `--out <dir> is required\n${DEVICES_USAGE}`);
  const fromUs = parseTime('from', strOption(p, 'from'));
  const toUs = parseTime('to', strOption(p, 'to'));
  if (fromUs !== null && toUs !== null && toUs <= fromUs) throw new SigprobeError('E_USAGE', '--to must be after --from');
  const cl = strOption(p, 'clusters') ?? 'auto';
  let k: number | 'auto' | null;
  if (cl === 'auto') k = 'auto';
  else if (cl === 'none') k = null;
  else if (/^\d+$/.test(cl) && Number(cl) >= 1) k = Number(cl);
  else throw new SigprobeError('E_USAGE', `--clusters expects a number ≥ 1, 'auto' or 'none', got '${cl}'`);
  const seed = intOption(p, 'seed', 1);
  const restarts = intOption(p, 'restarts', 8, 1);
  const parquet = !p.options.has('no-parquet');

  const src = spool ? spoolSource(spool) : await centralSource(central!);
  const tmp: string[] = [];
  const outDir = resolve(dir);
  const tmpName = (f: string): string => {
    const t = join(outDir, `.${f}.tmp-${process.pid}`);
    tmp.push(t);
    return t;
  };
  try {
    const period = await src.period(fromUs, toUs);
    if (period.empty) {
      throw new SigprobeError('E_USAGE', `no dialogue with an IMSI in ${src.label}${fromUs !== null || toUs !== null ? ` between ${iso(period.fromUs)} and ${iso(period.toUs)}` : ''}`);
    }
    try {
      mkdirSync(outDir, { recursive: true });
    } catch (e) {
      throw new SigprobeError('E_USAGE', `cannot create ${dir}: ${(e as Error).message}`);
    }
    // features.csv streams out as the devices come; the vectors are kept only for clustering
    const fPath = tmpName('features.csv');
    const fd = openSync(fPath, 'w');
    const pq = parquet ? await FeaturesParquet.open(tmpName('features.parquet')) : null;
    const keep = k !== null;
    const devices: string[] = [];
    const rows: FeatureVector[] = [];
    let buf = featuresHeader();
    let nDev = 0;
    let nDia = 0;
    try {
      for await (const d of src.devices(period)) {
        nDev++;
        nDia += d.dialogues;
        buf += featuresLine(d.device, d.features);
        if (buf.length > 1 << 20) {
          writeSync(fd, buf);
          buf = '';
        }
        if (pq !== null) await pq.add(d.device, d.features);
        if (keep) {
          devices.push(d.device);
          rows.push(d.features);
        }
      }
      writeSync(fd, buf);
      await pq?.close();
    } finally {
      closeSync(fd);
    }
    const files = pq !== null ? ['features.csv', 'features.parquet'] : ['features.csv'];
    let kOut: number | null = null;
    if (k !== null) {
      if (k !== 'auto' && k > nDev) throw new SigprobeError('E_USAGE', `--clusters ${k} needs at least ${k} devices; the period has ${nDev}`);
      if (k === 'auto' && nDev < 3) throw new SigprobeError('E_USAGE', `--clusters auto needs at least 3 devices; the period has ${nDev}`);
      const res = clusterDevices(rows, { k, seed, restarts });
      kOut = res.k;
      const profiles = clusterProfiles(rows, res.assignment, res.k);
      let cbuf = 'device,cluster,label\n';
      for (let i = 0; i < devices.length; i++) cbuf += `${devices[i]},${res.assignment[i]},${JSON.stringify(profiles[res.assignment[i]].label)}\n`;
      writeFileSync(tmpName('clusters.csv'), cbuf);
      const doc: ProfilesDoc = {
        spool: src.label,
        period: { from: iso(period.fromUs), to: iso(period.toUs), from_us: period.fromUs, to_us: period.toUs },
        devices: nDev,
        dialogues: nDia,
        seed,
        k: res.k,
        k_requested: k,
        pca: { components: res.components, explained_variance: res.explained, variance_kept: VARIANCE_KEPT, standardised_features: res.used.length },
        silhouette: res.silhouette,
        features: FEATURE_NAMES,
        clusters: profiles,
      };
      writeFileSync(tmpName('profiles.json'), JSON.stringify(doc, null, 1) + '\n');
      writeFileSync(tmpName('profiles.html'), profilesHtml(doc, scatterPoints(res.pc2, res.assignment)));
      files.push('clusters.csv', 'profiles.json', 'profiles.html');
    }
    for (const f of files) renameSync(join(outDir, `.${f}.tmp-${process.pid}`), join(outDir, f));
    tmp.length = 0;
    out(
      `sigprobe devices: ${nDev} devices, ${nDia} dialogues (${iso(period.fromUs)} – ${iso(period.toUs)})` +
        (kOut !== null ? `; ${kOut} clusters` : '') +
        `; ${files.map((f) => join(dir, f)).join(', ')}`,
    );
    return { devices: nDev, dialogues: nDia, k: kOut, files: files.map((f) => join(outDir, f)) };
  } finally {
    for (const t of tmp) rmSync(t, { force: true });
    await src.close();
  }
}
