/**
 * The roaming capture through the built CLI: `sigprobe replay x.pcap --spool s.db --networks
 * x.networks.yaml` writes exactly the dialogue truth and the tunnel truth into the spool, with the
 * visited network of every location update as planted (MCC/MNC, country, operator name of the
 * networks file: MAP by the VLR / SGSN number's GT prefix, Diameter by Visited-PLMN-Id), and each
 * tunnel's GTP-U counters (packets / T-PDU bytes up and down) as planted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/gen';
import { MCC_COUNTRY, RoamingTruthLine, RoamingTunnelLine, jsonl } from './roamingHelpers';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const KEYS = ['protocol', 'req_frame', 'rsp_frame', 'opcode', 'procedure', 'status', 'result_code', 'imsi', 'latency_us'] as const;
const TK = ['protocol', 'imsi', 'apn', 'create_frame', 'end_frame', 'setup_delay_us', 'duration_us', 'create_cause', 'delete_cause', 'end_reason'] as const;
const LU = new Set(['updateLocation', 'updateGprsLocation', 'ULR']);

describe('roaming capture → spool (built CLI, --networks)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-roaming-spool-'));
  const out = join(dir, 'r.pcap');
  const s = generate({ out, seed: 3, dialogues: 0, scenario: 'roaming', devices: 300, hours: 1.3 });
  const truth = jsonl<RoamingTruthLine>(s.truthPath);
  const tunnels = jsonl<RoamingTunnelLine>(s.tunnelsPath!);
  const yaml = readFileSync(s.networksPath!, 'utf8');
  const opName = new Map([...yaml.matchAll(/- name: "([^"]+)"\n\s+mcc: "(\d+)"\n\s+mnc: "(\d+)"/g)].map((m) => [m[2] + m[3], m[1]]));
  const spool = join(dir, 's.db');
  const r = spawnSync(process.execPath, [MAIN, 'replay', out, '--spool', spool, '--networks', s.networksPath!, '--identities', 'raw'], { encoding: 'utf8' });

  it('replays cleanly', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('dialogues = the truth; LUs carry the planted visited network, its country and operator', () => {
    const db = new Database(spool, { readonly: true });
    const rows = db.prepare('SELECT * FROM dialogues WHERE orphan = 0').all() as Record<string, unknown>[];
    db.close();
    // GTP Update / Delete requests carry no IMSI: the spool takes it from their tunnel, which the
    // truth line names as device_imsi
    const expected = truth.map((t) => (t.protocol === 'gtpv1' || t.protocol === 'gtpv2' ? { ...t, imsi: t.device_imsi } : t));
    expect(rows.map((x) => JSON.stringify(KEYS.map((k) => x[k]))).sort()).toEqual(expected.map((t) => JSON.stringify(KEYS.map((k) => t[k]))).sort());
    const byReq = new Map(rows.map((x) => [x.req_frame as number, x]));
    const lus = truth.filter((t) => LU.has(t.procedure));
    expect(lus.length).toBeGreaterThan(300);
    const got = lus.map((t) => {
      const x = byReq.get(t.req_frame)!;
      return [t.req_frame, x.home_country, x.visited_mcc, x.visited_mnc, x.visited_country, x.visited_operator];
    });
    const want = lus.map((t) => [t.req_frame, MCC_COUNTRY[t.imsi!.slice(0, 3)], t.visited_mcc, t.visited_mnc, MCC_COUNTRY[t.visited_mcc!], opName.get(t.visited_mcc! + t.visited_mnc!)]);
    expect(got).toEqual(want);
  });

  it('tunnels = the tunnel truth, with the planted GTP-U packets and bytes per direction', () => {
    const db = new Database(spool, { readonly: true });
    const rows = db.prepare('SELECT * FROM tunnels').all() as Record<string, unknown>[];
    db.close();
    expect(rows.map((x) => JSON.stringify(TK.map((k) => x[k]))).sort()).toEqual(tunnels.map((t) => JSON.stringify(TK.map((k) => t[k]))).sort());
    const C = ['create_frame', 'visited_mcc', 'visited_mnc', 'packets_up', 'packets_down', 'bytes_up', 'bytes_down'] as const;
    const got = rows.map((x) => C.map((k) => x[k])).sort((a, b) => (a[0] as number) - (b[0] as number));
    const want = tunnels.map((t) => C.map((k) => t[k])).sort((a, b) => (a[0] as number) - (b[0] as number));
    expect(got).toEqual(want);
    expect(tunnels.reduce((a, t) => a + t.bytes_up + t.bytes_down, 0)).toBeGreaterThan(100_000);
  });
});
