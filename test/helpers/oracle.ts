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
  return cachedOracle(file, ['--jsonl'])
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as OracleRow);
}

/** Runs the oracle with args on file, cached by content hash + oracle mtime + args. */
function cachedOracle(file: string, args: string[]): string {
  const h = createHash('sha256').update(readFileSync(file)).update(args.join(' ')).digest('hex').slice(0, 24);
  const dir = join(tmpdir(), 'sigprobe-oracle-cache');
  mkdirSync(dir, { recursive: true });
  const cache = join(dir, `${h}-${Math.floor(statSync(ORACLE).mtimeMs)}.out`);
  if (existsSync(cache)) return readFileSync(cache, 'utf8');
  const text = execFileSync(ORACLE, [...args, file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  writeFileSync(cache, text);
  return text;
}

/** The oracle's TSV rows as {column: value} objects. */
export function oracleTsv(file: string): Record<string, string>[] {
  const lines = cachedOracle(file, []).split('\n').filter((l) => l !== '' && !l.startsWith('# counts'));
  const head = lines[0].split('\t');
  return lines.slice(1).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [head[i], v])));
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
