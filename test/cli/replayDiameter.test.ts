import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { CAPTURES } from '../helpers/oracle';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');

describe('sigprobe replay of Diameter (built CLI)', () => {
  it('writes Diameter rows with their own columns; IMSIs pseudonymized, MCC/MNC in clear', () => {
    const spool = join(mkdtempSync(join(tmpdir(), 'sp-dia-')), 'spool.db');
    const r = spawnSync(process.execPath, [MAIN, 'replay', join(CAPTURES, 'peers/diameter-freediameter-s6a.pcapng'), '--spool', spool], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/decoded: .*tcp 158.*diameter 142/);
    expect(r.stdout).toMatch(/dialogues: 71 \(error 64, ok 7\); by protocol: diameter 71/);
    expect(r.stdout).toMatch(/closed by: end 71/);
    const db = new Database(spool, { readonly: true });
    const ulr = db.prepare("SELECT * FROM dialogues WHERE protocol = 'diameter' AND req_frame = 17").get() as Record<string, unknown>;
    expect(ulr).toMatchObject({
      procedure: 'ULR', opcode: 316, status: 'error', result_code: 3002, result_name: 'DIAMETER_UNABLE_TO_DELIVER',
      result_source: 'result', result_vendor: null, end_reason: 'end', orphan: 0, rsp_frame: 21, app_id: 16777251,
      origin_host: 'mme.localdomain', origin_realm: 'localdomain', dest_realm: 'localdomain', visited_mcc: '001',
      visited_mnc: '01', rat_type: 'EUTRAN', home_mcc: '001', home_mnc: '01', hop_by_hop: 0x750d9b41, end_to_end: 0xe6f4b95e,
      src_ip: '192.0.2.10', dst_ip: '192.0.2.1', src_port: 48799, dst_port: 3868, messages: 2,
    });
    expect(ulr.imsi).toMatch(/^[0-9a-f]{24}$/);
    // The relayed leg (peer1 → peer2) joins on end_to_end and carries the same pseudonym.
    const legs = db.prepare("SELECT src_ip, hop_by_hop, imsi FROM dialogues WHERE end_to_end = ? ORDER BY req_frame").all(0xe6f4b95e) as Record<string, unknown>[];
    expect(legs.map((l) => l.src_ip)).toEqual(['192.0.2.10', '192.0.2.1']);
    expect(legs[0].imsi).toBe(legs[1].imsi);
    expect(legs[0].hop_by_hop).not.toBe(legs[1].hop_by_hop);
    db.close();
  });
});
