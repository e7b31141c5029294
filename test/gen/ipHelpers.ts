/**
 * Test helpers for the generator's IP protocols (Diameter, GTP): a tshark pass that validates
 * TCP / UDP / SCTP checksums and collects expert severities, the tunnels file, the GTP
 * retransmission copies in a capture and the truth rewritten the way tshark pairs them.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as ts from 'typescript';
import type { TruthRecord } from '../../src/gen/map/truth';
import type { TunnelLine } from '../../src/gen/gtp/tunnels';
import type { PcapRecord } from '../helpers/pcapRecords';
import type { Diff, TsharkCheck } from './helpers';

const run = promisify(execFile);
const SEV_WARN = 0x00600000;

/** tshark with CRC32c and TCP / UDP checksum validation: bad checksums, warnings / errors, feature fields */
export async function tsharkIpCheck(file: string, features: readonly string[] = []): Promise<TsharkCheck> {
  const fields = ['frame.number', 'tcp.checksum.status', 'udp.checksum.status', 'sctp.checksum.status', '_ws.expert.severity', ...features];
  const args = ['-n', '-r', file, '-o', 'sctp.checksum:crc-32c', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];
  args.push('-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,');
  for (const f of fields) args.push('-e', f);
  const { stdout } = await run('tshark', args, { maxBuffer: 1 << 28 });
  const out: TsharkCheck = { frames: 0, badChecksum: [], warnOrError: [], present: {}, values: [] };
  for (const f of features) out.present[f] = 0;
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const frame = Number(cols[0]);
    out.frames++;
    // status 1 = Good; every transport checksum the generator writes must verify
    if ([1, 2, 3].some((k) => cols[k] !== '' && cols[k].split(',').some((s) => s !== '1'))) out.badChecksum.push(frame);
    if (cols[4] !== '' && cols[4].split(',').some((s) => Number(s) >= SEV_WARN)) out.warnOrError.push(frame);
    const v: Record<string, string> = {};
    features.forEach((f, i) => {
      v[f] = cols[5 + i] ?? '';
      if (v[f] !== '') out.present[f]++;
    });
    out.values.push(v);
  }
  return out;
}

export function readTunnels(path: string): TunnelLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as TunnelLine);
}

const V1_REQUESTS = new Set([1, 16, 18, 20]);
const V2_REQUESTS = new Set([1, 32, 34, 36, 95, 170]);

/**
 * GTP requests sent more than once (same version, addresses, source port, type and sequence
 * number): first frame -> every copy's frame, in order.
 */
export async function gtpCopies(file: string): Promise<Map<number, number[]>> {
  const f = ['frame.number', 'ip.src', 'ip.dst', 'udp.srcport', 'gtp.message', 'gtp.seq_number', 'gtpv2.message_type', 'gtpv2.seq'];
  const args = ['-n', '-r', file, '-Y', 'gtp || gtpv2', '-T', 'fields'];
  for (const x of f) args.push('-e', x);
  const { stdout } = await run('tshark', args, { maxBuffer: 1 << 28 });
  const groups = new Map<string, number[]>();
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const [frame, src, dst, sport, t1, s1, t2, s2] = line.split('\t');
    const v1 = t1 !== '';
    const type = Number(v1 ? t1 : t2);
    if (!(v1 ? V1_REQUESTS : V2_REQUESTS).has(type)) continue;
    const key = [v1 ? 1 : 2, src, dst, sport, type, Number(v1 ? s1 : s2)].join('|');
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(Number(frame));
  }
  const out = new Map<number, number[]>();
  for (const frames of groups.values()) if (frames.length > 1) out.set(frames[0], frames);
  return out;
}

/** GTPv2 requests tshark 4.0 does not pair itself (Echo, Release Access Bearers): the oracle's fallback pairs them */
export const TSHARK_UNPAIRED_GTPV2 = new Set([1, 170]);

/**
 * The truth as the oracle pairs it when requests were retransmitted: copies are not merged
 * (tools/oracle README). tshark pairs the response with the LAST copy and lists the earlier ones
 * as unanswered; where tshark does not pair at all (TSHARK_UNPAIRED_GTPV2) the oracle's
 * sequence-number fallback takes the FIRST copy and leaves the later ones unanswered. The truth
 * has one dialogue at the first copy, its latency counted from there.
 */
export function asTsharkPairs(truth: TruthRecord[], copies: Map<number, number[]>, recs: PcapRecord[]): TruthRecord[] {
  const out: TruthRecord[] = [];
  for (const t of truth) {
    const c = copies.get(t.req_frame);
    if (!c) {
      out.push(t);
      continue;
    }
    const paired = t.protocol === 'gtpv2' && TSHARK_UNPAIRED_GTPV2.has(t.opcode) ? 0 : c.length - 1;
    c.forEach((f, i) => {
      if (i !== paired || t.rsp_frame === null) out.push({ ...t, req_frame: f, rsp_frame: null, status: 'timeout', result_code: null, latency_us: null });
      else out.push({ ...t, req_frame: f, latency_us: recs[t.rsp_frame - 1].tsUs - recs[f - 1].tsUs });
    });
  }
  return out;
}

/**
 * tshark 4.0 names the CAP error code field camel.error_code_local, the oracle reads camel.local:
 * for a CAP returnError the oracle has result_code null. Drop exactly those differences.
 */
export function withoutCapErrorCodes(diffs: Diff[]): Diff[] {
  return diffs.filter((d) => {
    if (d.truth.length !== 1 || d.oracle.length !== 1) return true;
    const t = d.truth[0];
    const o = d.oracle[0];
    const capError = t.protocol === 'cap' && t.status === 'error' && t.result_code !== null && o.result_code === null;
    return !(capError && JSON.stringify({ ...t, result_code: null }) === JSON.stringify(o));
  });
}

/** transpile src/gen and the pcap writer to plain JS for a child process (tsc type-checks elsewhere) */
export function transpileGenerator(outDir: string): void {
  const src = resolve(__dirname, '../../src');
  const files: string[] = [join(src, 'capture/pcapWriter.ts')];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(src, 'gen'));
  for (const f of files) {
    const js = ts.transpileModule(readFileSync(f, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const out = join(outDir, relative(src, f)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js);
  }
}
