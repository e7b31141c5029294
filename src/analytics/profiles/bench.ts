// Benchmark of the device features (issue 14): a synthetic spool of N devices × M dialogues each
// (interleaved in time as a probe writes them: MAP SAI / UL from one of a few VLRs, GTPv1 tunnels
// create → updates → delete with their TEIDs, a share of errors and rejects), then the streamed
// feature pass (spoolDevices) writing features.csv. Prints the rate, minutes per million devices
// and the peak RSS. Not a test: `node dist/analytics/profiles/bench.js --devices 100000 --per-device 50 --spool /tmp/b.db`.
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { openSpool } from '../../spool/spool';
import { openSpoolReadOnly, resolvePeriod, spoolDevices } from './spoolSource';
import { featuresHeader, featuresLine } from './output';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

const N = Number(arg('devices', '100000'));
const M = Number(arg('per-device', '50'));
const path = arg('spool', '/tmp/sigprobe-profiles-bench.db');
const csv = arg('csv', path.replace(/\.db$/, '') + '.features.csv');
const T0 = 1_700_000_000_000_000;

function rss(): number {
  return process.resourceUsage().maxRSS / 1024; // KiB → MiB
}

if (!existsSync(path)) {
  const t0 = Date.now();
  const db = openSpool(path);
  const ins = db.prepare(
    `INSERT INTO dialogues (protocol, procedure, opcode, status, result_code, end_reason, req_time_us, imsi, calling_ssn, called_ssn, calling_gt,
       vlr_number, teid, req_ctrl_teid, rsp_ctrl_teid, visited_mcc, visited_mnc, messages, site, source) VALUES (?, ?, ?, ?, ?, 'end', ?, ?, ?, 6, ?, ?, ?, ?, ?, ?, ?, 2, 'bench', 'bench')`,
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
      if (kind === 0) ins.run('map', 'sendAuthenticationInfo', 56, 'ok', null, t, imsi, 7, vlr, null, null, null, null, null, null);
      else if (kind === 1) ins.run('map', 'updateLocation', 2, fail ? 'error' : 'ok', fail ? 8 : null, t, imsi, 7, vlr, vlr, null, null, null, null, null);
      else if (kind === 2) ins.run('gtpv1', 'CreatePDPContext', 16, 'ok', 128, t, imsi, null, null, null, null, teid, teid + 1, '214', '07');
      else if (kind === 3) ins.run('gtpv1', 'UpdatePDPContext', 18, fail ? 'error' : 'ok', fail ? 204 : 128, t, imsi, null, null, null, teid + 1, null, null, '214', '07');
      else ins.run('gtpv1', 'DeletePDPContext', 20, 'ok', 128, t, imsi, null, null, null, teid + 1, null, null, '214', '07');
    }
  });
  for (let r = 0; r < M; r++) tx(r);
  db.close();
  console.log(`spool ${path}: ${N} devices × ${M} = ${N * M} dialogues written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const db = openSpoolReadOnly(path);
const t1 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const period = resolvePeriod(db, { fromUs: null, toUs: null });
const fd = openSync(csv, 'w');
let buf = featuresHeader();
let devices = 0;
let dialogues = 0;
for (const d of spoolDevices(db, period)) {
  devices++;
  dialogues += d.dialogues;
  buf += featuresLine(d.device, d.features);
  if (buf.length > 1 << 20) {
    writeSync(fd, buf);
    buf = '';
  }
}
writeSync(fd, buf);
closeSync(fd);
db.close();
const s = Number(process.hrtime.bigint() - t1) / 1e9;
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
console.log(
  `features: ${devices} devices, ${dialogues} dialogues in ${s.toFixed(1)} s wall (${cpuS.toFixed(1)} s CPU): ` +
    `${Math.round(devices / s)} devices/s, ${Math.round(dialogues / s)} dialogues/s; ` +
    `${((s / 60) * (1e6 / devices)).toFixed(2)} min per million devices wall (${((cpuS / 60) * (1e6 / devices)).toFixed(2)} CPU); peak RSS ${rss().toFixed(0)} MiB ` +
    `(at the end: ${statusKb('RssAnon')} MiB anonymous, ${statusKb('RssFile')} MiB file-backed = the memory-mapped spool)`,
);

/** a /proc/self/status memory line in MiB (Linux) */
function statusKb(key: string): string {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? (Number(m[1]) / 1024).toFixed(0) : '?';
  } catch {
    return '?';
  }
}
