/**
 * The traces' test world: a generated roaming capture (src/gen/roaming: MAP + GTPv1 devices,
 * Diameter S6a + GTPv2 devices) replayed by the built CLI into a pseudonymized spool (key next to
 * it), once whole and once cut in two files replayed one after the other (the second replay has
 * no tunnel state: its GTP Deletes carry no IMSI), with the generator's truth lines.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generate } from '../../src/gen';
import { IdentityProtector, loadOrCreateKey } from '../../src/correlate/identities';
import { jsonl, type RoamingTruthLine } from '../gen/roamingHelpers';
import type { TraceRecord } from '../../src/trace/query';

export const MAIN = resolve(__dirname, '../../dist/cli/main.js');

export function cli(args: string[], cwd?: string) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000, cwd });
}

export interface World {
  dir: string;
  pcap: string;
  truth: RoamingTruthLine[];
  /** the whole capture replayed */
  spool: string;
  /** p1.pcap then p2.pcap replayed into one spool; p2 frame f = capture frame split + f */
  splitSpool: string;
  split: number;
  key: string;
  networks: string;
  ids: IdentityProtector;
  /** the devices of the truth (device_imsi) and their lines */
  devices: Map<string, RoamingTruthLine[]>;
}

/** a dialogue as the truth and a trace record both tell it (frames of the whole capture) */
export function truthKey(t: { protocol: string; req_frame: number | null; rsp_frame: number | null; procedure: string; status: string }): string {
  return `${t.protocol}|${t.req_frame}|${t.rsp_frame}|${t.procedure}|${t.status}`;
}

export function recordKey(r: TraceRecord, split = 0): string {
  const off = r.row.source === 'p2.pcap' ? split : 0;
  const f = (x: unknown) => (typeof x === 'number' ? x + off : null);
  return truthKey({ protocol: r.row.protocol, req_frame: f(r.row.req_frame), rsp_frame: f(r.row.rsp_frame), procedure: String(r.row.procedure), status: String(r.row.status) });
}

export function buildWorld(devices = 80, seed = 5): World {
  const dir = mkdtempSync(join(tmpdir(), 'sp-trace-'));
  const pcap = join(dir, 'r.pcap');
  const s = generate({ out: pcap, seed, dialogues: 0, scenario: 'roaming', devices, hours: 1 });
  const truth = jsonl<RoamingTruthLine>(s.truthPath);
  const spool = join(dir, 's.db');
  const run = (args: string[]) => {
    const r = cli(args, dir);
    if (r.status !== 0) throw new Error(`sigprobe ${args.join(' ')}: ${r.stderr}`);
  };
  run(['replay', pcap, '--spool', spool, '--networks', s.networksPath!]);
  // a cut where no dialogue is open (request before, answer after), near the middle
  const frames = Math.max(...truth.map((t) => t.rsp_frame ?? t.req_frame));
  let split = Math.floor(frames / 2);
  const open = (f: number) => truth.some((t) => t.req_frame <= f && (t.rsp_frame ?? t.req_frame) > f);
  while (open(split)) split++;
  execFileSync('editcap', ['-r', pcap, join(dir, 'p1.pcap'), `1-${split}`]);
  execFileSync('editcap', ['-r', pcap, join(dir, 'p2.pcap'), `${split + 1}-1000000000`]);
  const splitSpool = join(dir, 'sp.db');
  run(['replay', 'p1.pcap', '--spool', splitSpool, '--networks', s.networksPath!]);
  run(['replay', 'p2.pcap', '--spool', splitSpool, '--networks', s.networksPath!]);
  const key = join(dir, 'sigprobe-pseudonym.key');
  const ids = new IdentityProtector('pseudonymize', loadOrCreateKey(key, false));
  const byDev = new Map<string, RoamingTruthLine[]>();
  for (const t of truth) {
    if (t.device_imsi === null) continue;
    let l = byDev.get(t.device_imsi);
    if (!l) byDev.set(t.device_imsi, (l = []));
    l.push(t);
  }
  return { dir, pcap, truth, spool, splitSpool, split, key, networks: s.networksPath!, ids, devices: byDev };
}

/** IMSI → MSISDN as tshark reads them from the GTP Creates (TS 29.060 / 29.274 MSISDN IE) */
export function msisdnsByTshark(pcap: string): Map<string, string> {
  const out = execFileSync('tshark', ['-r', pcap, '-Y', 'gtp.message==16 || gtpv2.message_type==32', '-T', 'fields', '-e', 'e212.imsi', '-e', 'e164.msisdn'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const m = new Map<string, string>();
  for (const l of out.split('\n')) {
    const [imsi, msisdn] = l.split('\t');
    if (imsi && msisdn) m.set(imsi.split(',')[0], msisdn.split(',')[0]);
  }
  return m;
}
