/**
 * Test helpers for the traffic generator: run tshark and the oracle asynchronously (so that
 * independent captures are checked in parallel), read truth files, compare truth with oracle.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ORACLE, OracleRow } from '../helpers/oracle';
import type { TruthRecord } from '../../src/gen/map/truth';

const run = promisify(execFile);

/** keys of a truth line, in the required order */
export const TRUTH_KEYS = ['protocol', 'req_frame', 'rsp_frame', 'opcode', 'procedure', 'status', 'result_code', 'imsi', 'latency_us'];

export function readTruth(path: string): TruthRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as TruthRecord);
}

export async function oracleRows(file: string): Promise<OracleRow[]> {
  const { stdout } = await run(ORACLE, ['--jsonl', file], { maxBuffer: 1 << 28 });
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as OracleRow);
}

/** the oracle's TSV rows (proto, req, rsp, ..., match, extra) */
export async function oracleTsv(file: string): Promise<string[][]> {
  const { stdout } = await run(ORACLE, [file], { maxBuffer: 1 << 28 });
  return stdout
    .split('\n')
    .slice(1)
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split('\t'));
}

export interface TsharkCheck {
  frames: number;
  /** frames whose SCTP checksum (CRC32c) tshark did not find Good */
  badChecksum: number[];
  /** frames with an expert item of severity warning or error (includes malformed packets) */
  warnOrError: number[];
  /** presence count per requested feature field (number of frames where the field occurs) */
  present: Record<string, number>;
  /** per frame, the values of each feature field (occurrence = all) */
  values: Record<string, string>[];
}

const SEV_WARN = 0x00600000;

/**
 * One tshark pass with CRC32c validation: checksum status, expert severities and the given
 * feature fields for every frame.
 */
export async function tsharkCheck(file: string, features: readonly string[] = []): Promise<TsharkCheck> {
  const fields = ['frame.number', 'sctp.checksum.status', '_ws.expert.severity', ...features];
  const args = ['-n', '-r', file, '-o', 'sctp.checksum:crc-32c', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of fields) args.push('-e', f);
  const { stdout } = await run('tshark', args, { maxBuffer: 1 << 28 });
  const out: TsharkCheck = { frames: 0, badChecksum: [], warnOrError: [], present: {}, values: [] };
  for (const f of features) out.present[f] = 0;
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const frame = Number(cols[0]);
    out.frames++;
    if (cols[1] !== '' && cols[1].split(',').some((s) => s !== '1')) out.badChecksum.push(frame);
    if (cols[2] !== '' && cols[2].split(',').some((s) => Number(s) >= SEV_WARN)) out.warnOrError.push(frame);
    const v: Record<string, string> = {};
    features.forEach((f, i) => {
      v[f] = cols[3 + i] ?? '';
      if (v[f] !== '') out.present[f]++;
    });
    out.values.push(v);
  }
  return out;
}

type Comparable = Omit<TruthRecord, 'procedure'>;

/** truth record in the oracle's vocabulary: 'reject' is reported by the oracle as 'error' */
export function asOracle(t: TruthRecord): Comparable {
  return {
    protocol: t.protocol,
    req_frame: t.req_frame,
    rsp_frame: t.rsp_frame,
    opcode: t.opcode,
    status: t.status === 'reject' ? 'error' : t.status,
    result_code: t.result_code,
    imsi: t.imsi,
    latency_us: t.latency_us,
  };
}

export interface Diff {
  reqFrame: number;
  truth: Comparable[];
  oracle: OracleRow[];
}

/** group both sides by req_frame and list the frames where they differ */
export function diffTruthOracle(truth: TruthRecord[], oracle: OracleRow[]): Diff[] {
  const key = (r: object) => JSON.stringify(r);
  const t = new Map<number, Comparable[]>();
  const o = new Map<number, OracleRow[]>();
  for (const r of truth) (t.get(r.req_frame) ?? t.set(r.req_frame, []).get(r.req_frame)!).push(asOracle(r));
  for (const r of oracle) (o.get(r.req_frame) ?? o.set(r.req_frame, []).get(r.req_frame)!).push(r);
  const frames = [...new Set([...t.keys(), ...o.keys()])].sort((a, b) => a - b);
  const diffs: Diff[] = [];
  for (const f of frames) {
    const a = (t.get(f) ?? []).map(key).sort();
    const b = (o.get(f) ?? []).map((r) => key(normalizeOracle(r))).sort();
    if (a.join('|') !== b.join('|')) diffs.push({ reqFrame: f, truth: t.get(f) ?? [], oracle: o.get(f) ?? [] });
  }
  return diffs;
}

function normalizeOracle(r: OracleRow): Comparable {
  return {
    protocol: r.protocol as 'map' | 'cap',
    req_frame: r.req_frame,
    rsp_frame: r.rsp_frame,
    opcode: r.opcode as number,
    status: r.status as Comparable['status'],
    result_code: r.result_code,
    imsi: r.imsi,
    latency_us: r.latency_us,
  };
}
