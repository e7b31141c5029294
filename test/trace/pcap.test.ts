/**
 * `sigprobe trace --pcap`: the packets of the traced dialogues — every message of each, the
 * TCAP Continues (insertSubscriberData inside an updateLocation and its result) included — as a
 * pcapng that tshark reads and pairs into the same dialogues (../shared/tools/oracle), and that
 * `sigprobe replay` turns back into the same records.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ORACLE, oracleJsonl } from '../helpers/oracle';
import { buildWorld, cli } from './fixture';

const w = buildWorld(60, 9);

/** what a record says about its dialogue, apart from where it was read (frames, source, id) */
const K = ['protocol', 'procedure', 'opcode', 'status', 'result_code', 'result_name', 'imsi', 'msisdn', 'req_time_us', 'rsp_time_us', 'latency_us',
  'messages', 'nested_ops', 'retransmissions', 'orphan', 'calling_gt', 'called_gt', 'responder_gt', 'otid', 'dtid', 'end_to_end', 'hop_by_hop', 'teid', 'seq', 'apn', 'visited_mcc', 'visited_mnc'] as const;
const canon = (rows: Record<string, unknown>[], skip: readonly string[] = []) => rows.map((r) => JSON.stringify(K.filter((k) => !skip.includes(k)).map((k) => r[k]))).sort();

/** devices with a nested ISD (MAP) and with Diameter, each with GTP tunnels */
function pick(): string[] {
  const out: string[] = [];
  const mapDev = [...w.devices].find(([, l]) => l.some((x) => x.procedure === 'updateLocation' && x.status === 'ok') && l.some((x) => x.protocol === 'gtpv1'));
  const diaDev = [...w.devices].find(([, l]) => l.some((x) => x.protocol === 'diameter') && l.some((x) => x.protocol === 'gtpv2'));
  if (mapDev) out.push(mapDev[0]);
  if (diaDev) out.push(diaDev[0]);
  return out;
}

describe('trace --pcap', () => {
  const devs = pick();

  it('two kinds of device to export', () => expect(devs).toHaveLength(2));

  for (const [i, imsi] of devs.entries()) {
    it(`device ${i}: every message of every dialogue; replayed: the same records; tshark pairs the same dialogues`, () => {
      const out = join(w.dir, `t${i}.pcapng`);
      const json = join(w.dir, `t${i}.json`);
      const r = cli(['trace', '--imsi', imsi, '--spool', w.spool, '--format', 'json', '--out', json, '--pcap', out]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/warning/);
      const rows = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>[];
      const messages = rows.reduce((a, x) => a + (x.messages as number), 0);
      expect(r.stderr).toContain(`${messages} packets → ${out}`);
      expect(rows.some((x) => (x.nested_ops as number) > 0) || rows.some((x) => x.protocol === 'diameter')).toBe(true);
      // tshark reads it: as many frames as messages, pcapng
      const cap = execFileSync('capinfos', ['-M', '-t', '-c', out], { encoding: 'utf8' });
      expect(cap).toMatch(/pcapng/);
      expect(cap).toMatch(new RegExp(`Number of packets:\\s+${messages}\\b`));
      // replayed (same directory: the same key): the same records
      const spool = join(w.dir, `re${i}.db`);
      const rr = cli(['replay', out, '--spool', spool, '--networks', w.networks], w.dir);
      expect(rr.status, rr.stderr).toBe(0);
      const db = new Database(spool, { readonly: true });
      const again = db.prepare('SELECT * FROM dialogues').all() as Record<string, unknown>[];
      const tunnels = (db.prepare('SELECT count(*) n FROM tunnels').get() as { n: number }).n;
      db.close();
      expect(canon(again)).toEqual(canon(rows));
      expect(tunnels).toBeGreaterThan(0);
      // Wireshark's pairing of the export = the traced dialogues (opcode, outcome, latency; its IMSI raw)
      if (existsSync(ORACLE)) {
        const o = oracleJsonl(out);
        const mine = rows.map((x) => JSON.stringify([x.protocol, x.opcode, x.status === 'reject' ? 'error' : x.status, x.result_code, x.latency_us])).sort();
        expect(o.map((x) => JSON.stringify([x.protocol, x.opcode, x.status, x.result_code, x.latency_us])).sort()).toEqual(mine);
        for (const x of o) if (x.imsi !== null) expect(w.ids.protect('imsi', x.imsi)).toBe(w.ids.protect('imsi', imsi));
      }
    });
  }

  it('the capture in two files: the packets come from both, a Delete without IMSI with them', () => {
    // a device whose tunnel was created in p1 and deleted in p2
    const db = new Database(w.splitSpool, { readonly: true });
    const del = db.prepare("SELECT teid, dst_ip FROM dialogues WHERE imsi IS NULL AND protocol LIKE 'gtp%' AND source = 'p2.pcap' LIMIT 1").get() as { teid: number; dst_ip: string };
    const tun = db.prepare('SELECT imsi FROM tunnels WHERE (ggsn_ctrl_teid = ? AND ggsn_ip = ?) OR (sgsn_ctrl_teid = ? AND sgsn_ip = ?)').get(del.teid, del.dst_ip, del.teid, del.dst_ip) as { imsi: string };
    db.close();
    const out = join(w.dir, 'split.pcapng');
    const r = cli(['trace', '--pseudonym', tun.imsi, '--spool', w.splitSpool, '--format', 'json', '--pcap', out]);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(new Set(rows.map((x) => x.source))).toEqual(new Set(['p1.pcap', 'p2.pcap']));
    const spool = join(w.dir, 'resplit.db');
    expect(cli(['replay', out, '--spool', spool, '--networks', w.networks], w.dir).status).toBe(0);
    const db2 = new Database(spool, { readonly: true });
    const again = db2.prepare('SELECT * FROM dialogues').all() as Record<string, unknown>[];
    db2.close();
    // one capture again: the Delete has its tunnel's IMSI (and MSISDN, APN, visited network) now
    const lent = ['imsi', 'msisdn', 'apn', 'visited_mcc', 'visited_mnc'];
    expect(canon(again, lent)).toEqual(canon(rows, lent));
    expect(again.every((x) => x.imsi === tun.imsi)).toBe(true);
    expect(rows.some((x) => x.imsi === null)).toBe(true);
  });

  it('packets not available (the capture file is not there): one warning per dialogue', () => {
    const other = mkdtempSync(join(tmpdir(), 'sp-trace-nocap-'));
    copyFileSync(w.spool, join(other, 's.db'));
    const p = w.ids.protect('imsi', devs[0]) as string;
    const r = cli(['trace', '--pseudonym', p, '--spool', join(other, 's.db'), '--pcap', join(other, 'x.pcapng')], other);
    expect(r.status, r.stderr).toBe(0);
    const n = w.devices.get(devs[0])!.length;
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('sigprobe: warning: '));
    expect(warnings).toHaveLength(n);
    for (const l of warnings) expect(l).toMatch(/r\.pcap: capture file not found/);
    expect(r.stderr).toMatch(/trace: 0 packets/);
  });
});
