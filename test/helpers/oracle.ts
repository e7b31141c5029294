import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** ../shared beside the repository (CI clones main with shared/ next to it). */
export const SHARED = resolve(__dirname, '../../../shared');
export const ORACLE = join(SHARED, 'tools/oracle');
export const CAPTURES = join(SHARED, 'captures');

export interface OracleRow {
  protocol: string;
  req_frame: number;
  rsp_frame: number | null;
  opcode: number | null;
  status: string;
  result_code: number | null;
  imsi: string | null;
  latency_us: number | null;
}

/**
 * `oracle --jsonl FILE` (tshark's view of the request/response pairs), cached in the temp dir by
 * the capture's content hash and the oracle script's mtime (each run costs ~1 s of tshark).
 */
export function oracleJsonl(file: string): OracleRow[] {
  const h = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 20);
  const dir = join(tmpdir(), 'sigprobe-oracle-cache');
  mkdirSync(dir, { recursive: true });
  const cache = join(dir, `${h}-${Math.floor(statSync(ORACLE).mtimeMs)}.jsonl`);
  let text: string;
  if (existsSync(cache)) {
    text = readFileSync(cache, 'utf8');
  } else {
    text = execFileSync(ORACLE, ['--jsonl', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
    writeFileSync(cache, text);
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as OracleRow);
}

/** Every capture file under ../shared/captures, plus the oracle's synthetic MAP self-test capture. */
export function allSharedCaptures(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of require('node:fs').readdirSync(d) as string[]) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(pcap|pcapng|cap)$/.test(name)) out.push(p);
    }
  };
  walk(CAPTURES);
  out.push(join(SHARED, 'tools/selftest/map-synthetic.pcap'));
  return out.sort();
}
