// Benchmark of the device features (issue 14): a synthetic spool of N devices × M dialogues each
// (interleaved in time as a probe writes them: MAP SAI / UL from one of a few VLRs, GTPv1 tunnels
// create → updates → delete with their TEIDs and cells, a share of errors and rejects), then the
// real `sigprobe devices --spool X --out DIR --clusters none` (features.csv + features.parquet,
// streamed device by device) in a child process of its own, so that its peak RSS is the command's
// alone. Prints the rate, minutes per million devices (wall and CPU), peak RSS and the load average.
//
//   npm run bench -- --devices [--devices-n N] [--per-device M] [--work DIR] [--no-parquet]
//     (default 1,000,000 devices × 50 = 50M dialogues; the spool is kept in DIR and reused)
//   node dist/analytics/profiles/bench.js --devices-n 100000 --per-device 50
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openSpool } from '../../spool/spool';
import { devicesMain } from '../../cli/devices';

function argOf(argv: readonly string[], name: string, dflt: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[i + 1] : dflt;
}

const T0 = 1_700_000_000_000_000;

/** writes the synthetic spool (N devices × M dialogues) */
export function buildBenchSpool(path: string, N: number, M: number): void {
  const t0 = Date.now();
  const db = openSpool(path);
  // a bench file: no durability needed, a big page cache for the imsi index's random inserts
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -2000000');
  const ins = db.prepare(
    `INSERT INTO dialogues (protocol, procedure, opcode, status, result_code, end_reason, req_time_us, imsi, calling_ssn, called_ssn, calling_gt,
       vlr_number, teid, req_ctrl_teid, rsp_ctrl_teid, visited_mcc, visited_mnc, cell_id, messages, site, source)
       VALUES (?, ?, ?, ?, ?, 'end', ?, ?, ?, 6, ?, ?, ?, ?, ?, ?, ?, ?, 2, 'bench', 'bench')`,
  );
  const spanUs = 24 * 3600e6;
  const stepUs = spanUs / M;
  let x = 12345;
  const rnd = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 4294967296;
  };
  const tx = db.transaction((r: number) => {
    for (let d = 0; d < N; d++) {
      const imsi = 'i' + (d * 2654435761 >>> 0).toString(16).padStart(8, '0') + d.toString(36);
      const t = T0 + Math.round(r * stepUs + (d % 997) * 1000 + rnd() * stepUs * 0.5);
      const kind = r % 5;
      const vlr = `3460900${(d + (d % 3 === 0 ? r >> 2 : 0)) % 5}`;
      const teid = d * 64 + (r >> 2);
      const fail = rnd() < 0.05;
      const cell = `cgi:214-07-${1 + (d % 5000)}-${1 + ((d + (d % 3 === 0 ? r >> 3 : 0)) % 60000)}`;
      if (kind === 0) ins.run('map', 'sendAuthenticationInfo', 56, 'ok', null, t, imsi, 7, vlr, null, null, null, null, null, null, null);
      else if (kind === 1) ins.run('map', 'updateLocation', 2, fail ? 'error' : 'ok', fail ? 8 : null, t, imsi, 7, vlr, vlr, null, null, null, null, null, null);
      else if (kind === 2) ins.run('gtpv1', 'CreatePDPContext', 16, 'ok', 128, t, imsi, null, null, null, null, teid, teid + 1, '214', '07', cell);
      else if (kind === 3) ins.run('gtpv1', 'UpdatePDPContext', 18, fail ? 'error' : 'ok', fail ? 204 : 128, t, imsi, null, null, null, teid + 1, null, null, '214', '07', cell);
      else ins.run('gtpv1', 'DeletePDPContext', 20, 'ok', 128, t, imsi, null, null, null, teid + 1, null, null, '214', '07', null);
    }
  });
  for (let r = 0; r < M; r++) tx(r);
  db.close();
  console.log(`spool ${path}: ${N} devices × ${M} = ${N * M} dialogues written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

export interface DevicesBenchResult {
  devices: number;
  dialogues: number;
  wallS: number;
  cpuS: number;
  minPerMillionWall: number;
  minPerMillionCpu: number;
  peakRssMiB: number;
  loadavg: string;
}

/** `npm run bench -- --devices ...` (src/bench/run.ts): builds the spool if missing, then measures the command */
export function benchDevicesMain(argv: readonly string[]): DevicesBenchResult {
  const N = Number(argOf(argv, 'devices-n', '1000000'));
  const M = Number(argOf(argv, 'per-device', '50'));
  const work = resolve(argOf(argv, 'work', join(__dirname, '../../../bench/work')));
  mkdirSync(work, { recursive: true });
  const path = argOf(argv, 'spool', join(work, `devices-${N}x${M}.db`));
  if (!existsSync(path)) {
    const r = spawnSync(process.execPath, [__filename, '--build', path, String(N), String(M)], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`building ${path} failed`);
  }
  const out = join(work, `devices-${N}x${M}.out`);
  rmSync(out, { recursive: true, force: true });
  const load0 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const r = spawnSync(process.execPath, [__filename, '--measure', path, out, argv.includes('--no-parquet') ? 'no-parquet' : 'parquet'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`the features pass failed: ${r.stdout}`);
  const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as { devices: number; dialogues: number; wallS: number; cpuS: number; peakRssMiB: number; rssAnon: string; rssFile: string; summary: string };
  const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const res: DevicesBenchResult = {
    devices: m.devices, dialogues: m.dialogues, wallS: m.wallS, cpuS: m.cpuS,
    minPerMillionWall: (m.wallS / 60) * (1e6 / m.devices), minPerMillionCpu: (m.cpuS / 60) * (1e6 / m.devices), peakRssMiB: m.peakRssMiB,
    loadavg: `${load0} → ${load1}`,
  };
  console.log(m.summary);
  console.log(
    `devices bench: ${m.devices} devices, ${m.dialogues} dialogues in ${m.wallS.toFixed(1)} s wall (${m.cpuS.toFixed(1)} s CPU): ` +
      `${Math.round(m.devices / m.wallS)} devices/s, ${Math.round(m.dialogues / m.wallS)} dialogues/s; ` +
      `${res.minPerMillionWall.toFixed(2)} min per million devices wall (${res.minPerMillionCpu.toFixed(2)} CPU); peak RSS ${m.peakRssMiB.toFixed(0)} MiB ` +
      `(at the end: ${m.rssAnon} MiB anonymous, ${m.rssFile} MiB file-backed = the memory-mapped spool); ` +
      `${argv.includes('--no-parquet') ? 'features.csv only' : 'features.csv + features.parquet'}; load average ${res.loadavg}`,
  );
  return res;
}

/** the child: the real command on the spool, then its figures as one JSON line */
async function measure(path: string, out: string, parquet: boolean): Promise<void> {
  const t1 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let summary = '';
  const s = await devicesMain(['--spool', path, '--out', out, '--clusters', 'none', ...(parquet ? [] : ['--no-parquet'])], (l) => (summary = l));
  const wallS = Number(process.hrtime.bigint() - t1) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    JSON.stringify({
      devices: s.devices, dialogues: s.dialogues, wallS, cpuS: (cpu.user + cpu.system) / 1e6, peakRssMiB: process.resourceUsage().maxRSS / 1024,
      rssAnon: statusKb('RssAnon'), rssFile: statusKb('RssFile'), summary,
    }) + '\n',
  );
}

if (require.main === module) {
  const a = process.argv.slice(2);
  if (a[0] === '--build') buildBenchSpool(a[1], Number(a[2]), Number(a[3]));
  else if (a[0] === '--measure') {
    measure(a[1], a[2], a[3] === 'parquet').catch((e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = 1;
    });
  } else benchDevicesMain(a.includes('--devices-n') ? a : ['--devices-n', '100000', ...a]);
}

/** a /proc/self/status memory line in MiB (Linux) */
function statusKb(key: string): string {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? (Number(m[1]) / 1024).toFixed(0) : '?';
  } catch {
    return '?';
  }
}
