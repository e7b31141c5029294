/**
 * No raw subscriber identity in the default spool (issue 17 item 4). Generated captures (MAP/CAP
 * `mix`, and `ipx` with Diameter and GTP-C) are replayed with the default settings; the raw
 * IMSIs and MSISDNs come from independent sources — the generator's truth files and tshark's
 * dissection of the capture (IMSIs, the MSISDN parameters of MAP / CAP / Diameter / GTP, the SCCP
 * GTs with numbering plan 6 / 7) — and none of them may appear, even inside a longer string, in
 * any column of any table, in the spool file's bytes, or in what replay printed. Subscriber GTs
 * are `<cc>:<pseudonym>` (E.212: `<mcc>-<mnc>:<pseudonym>`), node GTs are kept as they are, and
 * `--identities raw` keeps everything raw.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vethPair } from '../helpers/liveProbe';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'sp-privacy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sigprobe(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** TS 29.002 §17.7.8 (ISDN-)AddressString as tshark prints the bytes: TON/NPI octet, then TBCD. */
function addressStringDigits(hex: string): string {
  let s = '';
  for (let i = 2; i + 2 <= hex.length; i += 2) {
    const b = parseInt(hex.slice(i, i + 2), 16);
    if ((b & 0x0f) === 0x0f) break;
    s += (b & 0x0f).toString(16);
    if (b >> 4 === 0x0f) break;
    s += (b >> 4).toString(16);
  }
  return s;
}

interface Oracle {
  imsis: Set<string>;
  msisdns: Set<string>;
  /** SCCP GTs of numbering plan 6 (E.212) or 7 (E.214) */
  mobileGts: Set<string>;
}

/** Raw identities of a generated capture: its truth files + what tshark dissects. */
function oracle(pcap: string): Oracle {
  const o: Oracle = { imsis: new Set(), msisdns: new Set(), mobileGts: new Set() };
  for (const f of [pcap.replace(/\.pcap$/, '.truth.jsonl'), pcap.replace(/\.pcap$/, '.tunnels.jsonl')]) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (!line) continue;
      const t = JSON.parse(line) as { imsi?: string | null; msisdn?: string | null };
      if (t.imsi) o.imsis.add(t.imsi);
      if (t.msisdn) o.msisdns.add(t.msisdn);
    }
  }
  const fields = [
    'e212.imsi', 'diameter.User-Name',
    'gsm_map.msisdn', 'gsm_map.sm.msisdn', 'gsm_map.ms.msisdn', 'gsm_map.ch.msisdn', 'gsm_map.lcs.msisdn', 'gsm_map.ss.msisdn', 'gsm_old.msisdn',
    'isup.calling', 'sccp.called.np', 'sccp.called.digits', 'sccp.calling.np', 'sccp.calling.digits',
  ];
  const t = spawnSync('tshark', ['-r', pcap, '-T', 'fields', '-E', 'separator=|', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 256 << 20 });
  expect(t.status, t.stderr).toBe(0);
  const list = (v: string | undefined): string[] => (v ? v.split(',').filter((x) => x !== '') : []);
  for (const line of t.stdout.split('\n')) {
    if (!line) continue;
    const c = line.split('|');
    for (const v of list(c[0])) o.imsis.add(v);
    for (const v of list(c[1])) if (/^\d{5,15}$/.test(v)) o.imsis.add(v);
    for (let i = 2; i <= 8; i++) for (const v of list(c[i])) o.msisdns.add(addressStringDigits(v.replace(/:/g, '')));
    for (const v of list(c[9])) o.msisdns.add(v);
    for (const [np, dg] of [[c[10], c[11]], [c[12], c[13]]]) {
      const nps = list(np);
      const ds = list(dg);
      nps.forEach((n, k) => {
        if ((Number(n) === 6 || Number(n) === 7) && ds[k]) o.mobileGts.add(ds[k]);
      });
    }
  }
  // MSISDNs of GTP-C and Diameter (tshark puts every AddressString of MAP under e164.msisdn,
  // node numbers included, so only these protocols' are taken from it)
  const g = spawnSync('tshark', ['-r', pcap, '-Y', 'gtp || gtpv2 || diameter', '-T', 'fields', '-E', 'aggregator=,', '-e', 'e164.msisdn'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  expect(g.status, g.stderr).toBe(0);
  for (const v of g.stdout.split(/[\n,]/)) if (v) o.msisdns.add(v);
  o.msisdns.delete('');
  return o;
}

/** Finds any of `needles` inside the digit runs of `text` (substrings too). */
class DigitFinder {
  private readonly lengths: number[];
  constructor(private readonly needles: Set<string>) {
    this.lengths = [...new Set([...needles].map((n) => n.length))].sort((a, b) => a - b);
  }
  find(text: string): string | null {
    const min = this.lengths[0];
    for (const m of text.matchAll(/[0-9]+/g)) {
      const run = m[0];
      if (run.length < min) continue;
      for (const L of this.lengths) {
        for (let i = 0; i + L <= run.length; i++) {
          const s = run.slice(i, i + L);
          if (this.needles.has(s)) return s;
        }
      }
    }
    return null;
  }
}

interface Replayed {
  spool: string;
  out: string;
  err: string;
  rows: Record<string, unknown>[];
}

function replay(pcap: string, name: string, extra: string[] = []): Replayed {
  const spool = join(tmp, name + '.db');
  const r = sigprobe(['replay', pcap, '--spool', spool, ...extra]);
  expect(r.code, r.err).toBe(0);
  const db = new Database(spool, { readonly: true });
  const rows = db.prepare('SELECT * FROM dialogues ORDER BY id').all() as Record<string, unknown>[];
  db.close();
  return { spool, out: r.out, err: r.err, rows };
}

const SCENARIOS = ['mix', 'ipx'] as const;
const data: Record<string, { pcap: string; o: Oracle; def: Replayed; raw: Replayed }> = {};

beforeAll(() => {
  for (const s of SCENARIOS) {
    const pcap = join(tmp, `${s}.pcap`);
    const g = sigprobe(['gen', '--scenario', s, '--out', pcap, '--dialogues', '3000', '--seed', '17']);
    expect(g.code, g.err).toBe(0);
    data[s] = { pcap, o: oracle(pcap), def: replay(pcap, `${s}-default`), raw: replay(pcap, `${s}-raw`, ['--identities', 'raw']) };
  }
}, 240_000);

describe.each(SCENARIOS)('scenario %s', (s) => {
  it('the oracle holds identities of every kind', () => {
    const { o, raw } = data[s];
    expect(o.imsis.size).toBeGreaterThan(500);
    expect(o.msisdns.size).toBeGreaterThan(s === 'mix' ? 100 : 300);
    expect(o.mobileGts.size).toBeGreaterThan(300);
    // the raw spool does hold them (the check below would find them if they leaked)
    const rawText = JSON.stringify(raw.rows);
    expect(new DigitFinder(o.imsis).find(rawText)).not.toBeNull();
    expect(new DigitFinder(o.msisdns).find(rawText)).not.toBeNull();
    expect(new DigitFinder(o.mobileGts).find(rawText)).not.toBeNull();
  });

  it('default settings: no raw IMSI, MSISDN or mobile GT in any table, column, spool byte or output', () => {
    const { o, def } = data[s];
    const all = new Set([...o.imsis, ...o.msisdns, ...o.mobileGts]);
    const finder = new DigitFinder(all);
    const db = new Database(def.spool, { readonly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['dialogues', 'runs']));
    const leaks: string[] = [];
    let values = 0;
    for (const t of tables) {
      for (const row of db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[]) {
        for (const [col, v] of Object.entries(row)) {
          if (v === null) continue;
          values++;
          const text = Buffer.isBuffer(v) ? v.toString('latin1') : String(v);
          const hit = finder.find(text);
          if (hit !== null && leaks.length < 10) leaks.push(`${t}.${col} = ${text.slice(0, 80)} holds ${hit}`);
        }
      }
    }
    db.close();
    expect(values).toBeGreaterThan(10_000);
    expect(leaks).toEqual([]);
    // every byte of the spool file (indexes, free pages, the runs summary JSON)
    for (const f of [def.spool, def.spool + '-wal']) {
      if (existsSync(f)) expect(finder.find(readFileSync(f).toString('latin1')), f).toBeNull();
    }
    expect(finder.find(def.out + def.err)).toBeNull();
  });

  it('subscriber GTs are <cc>:<pseudonym>, node GTs stay as they are; --identities raw keeps them raw', () => {
    const { o, def, raw } = data[s];
    expect(def.rows.length).toBe(raw.rows.length);
    const key = (r: Record<string, unknown>): string => `${r.protocol}|${r.req_frame}|${r.rsp_frame}|${r.otid}|${r.end_to_end}|${r.seq}`;
    const byKey = new Map(raw.rows.map((r) => [key(r), r]));
    let subscriberGts = 0;
    let msisdnRouted = 0;
    let nodeGts = 0;
    for (const d of def.rows) {
      const r = byKey.get(key(d));
      expect(r, key(d)).toBeDefined();
      for (const col of ['calling_gt', 'called_gt', 'responder_gt']) {
        const rv = r![col] as string | null;
        const dv = d[col] as string | null;
        if (rv === null) {
          expect(dv).toBeNull();
          continue;
        }
        if (o.mobileGts.has(rv) || (rv === r!.msisdn && rv !== null)) {
          subscriberGts++;
          const m = /^(\d+(?:-\d+)?):([0-9a-f]{24})$/.exec(dv ?? '');
          expect(m, `${col} ${dv}`).not.toBeNull();
          const prefix = m![1];
          if (prefix.includes('-')) {
            expect(rv.startsWith(prefix.replace('-', ''))).toBe(true); // MCC-MNC of an E.212 GT
            expect(m![2]).toBe(d.imsi); // the imsi column's pseudonym
          } else {
            expect(rv.startsWith(prefix)).toBe(true); // the E.164 country code
            expect(prefix.length).toBeLessThanOrEqual(rv.startsWith('1') ? 4 : 3);
          }
          if (rv === r!.msisdn) {
            msisdnRouted++;
            expect(m![2]).toBe(d.msisdn); // the msisdn column's pseudonym
          }
        } else {
          nodeGts++;
          expect(dv).toBe(rv);
        }
      }
    }
    expect(subscriberGts).toBeGreaterThan(300);
    expect(nodeGts).toBeGreaterThan(1000);
    if (s === 'mix') expect(msisdnRouted).toBeGreaterThan(50); // sendRoutingInfoForSM to the MSISDN
    // raw mode: every mobile GT tshark saw is in the spool as it is
    const rawGts = new Set(raw.rows.flatMap((r) => [r.calling_gt, r.called_gt, r.responder_gt]).filter((x) => x !== null));
    const seen = [...o.mobileGts].filter((g) => rawGts.has(g)).length;
    expect(seen / o.mobileGts.size).toBeGreaterThan(0.95);
  });
});

it('sendRoutingInfoForSM: called_gt = <cc>:<the msisdn column>', () => {
  const rows = data.mix.def.rows.filter((r) => r.procedure === 'sendRoutingInfoForSM' && r.msisdn !== null);
  expect(rows.length).toBeGreaterThan(20);
  for (const r of rows) expect(r.called_gt).toMatch(new RegExp(`^\\d{1,4}:${r.msisdn}$`));
});

/** The live probe too: its spool (with the checkpointed tunnel states), its log lines on stdout /
 *  stderr and a /metrics scrape, after the ipx capture is played onto a veth with tcpreplay. */
const liveSkip = process.getuid?.() !== 0 ? 'needs root (veth)' : spawnSync('tcpreplay', ['-V']).status !== 0 ? 'tcpreplay missing' : null;
describe.skipIf(liveSkip !== null)('sigprobe run (live), default settings', () => {
  it('no raw identity in the live spool, the log or /metrics', async () => {
    const { pcap, o } = data.ipx;
    const finder = new DigitFinder(new Set([...o.imsis, ...o.msisdns, ...o.mobileGts]));
    const { a, b, del } = vethPair('sppriv');
    try {
      const cfg = join(tmp, 'live.yaml');
      writeFileSync(cfg, `site: lab\nspool:\n  path: live.db\n  flushIntervalMs: 200\ncapture:\n  interface: ${b}\nmetrics:\n  listen: 127.0.0.1:0\n`);
      const child = spawn(process.execPath, [MAIN, 'run', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (x) => (out += x));
      child.stderr.on('data', (x) => (err += x));
      const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
      const until = async (pred: () => boolean, ms: number): Promise<boolean> => {
        const t0 = Date.now();
        while (!pred() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 100));
        return pred();
      };
      expect(await until(() => /metrics on (http:\S+)/.test(out) && /capturing on/.test(out), 20000), out + err).toBe(true);
      const url = (/metrics on (http:\S+)/.exec(out) as RegExpExecArray)[1];
      const r = spawnSync('tcpreplay', ['-q', '-i', a, '--pps', '5000', pcap], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      // wait until the probe's packet count stands still
      let metrics = '';
      const t0 = Date.now();
      let last = -1;
      while (Date.now() - t0 < 30000) {
        metrics = await (await fetch(url)).text();
        const n = Number(/^sigprobe_packets_total\{[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 0);
        if (n > 0 && n === last) break;
        last = n;
        await new Promise((res) => setTimeout(res, 500));
      }
      expect(metrics).toMatch(/^sigprobe_packets_total/m);
      expect(finder.find(metrics)).toBeNull();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(finder.find(out + err)).toBeNull();
      const db = new Database(join(tmp, 'live.db'), { readonly: true });
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
      let rows = 0;
      for (const t of tables) {
        for (const row of db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[]) {
          rows++;
          for (const [col, v] of Object.entries(row)) {
            if (v === null) continue;
            expect(finder.find(Buffer.isBuffer(v) ? v.toString('latin1') : String(v)), `${t}.${col}`).toBeNull();
          }
        }
      }
      const dialogues = (db.prepare('SELECT count(*) n FROM dialogues').get() as { n: number }).n;
      db.close();
      expect(dialogues).toBeGreaterThan(data.ipx.def.rows.length * 0.9);
      expect(rows).toBeGreaterThan(dialogues);
      expect(finder.find(readFileSync(join(tmp, 'live.db')).toString('latin1'))).toBeNull();
    } finally {
      del();
    }
  }, 120_000);
});
