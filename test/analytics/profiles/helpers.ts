// Tiny hand-built spools for the device-profile tests: a real spool file (openSpool: every
// migration) filled through the SpoolWriter, times given in seconds after a minute-aligned T0.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DialogueRecord } from '../../../src/correlate/record';
import { openSpool, SpoolWriter } from '../../../src/spool/spool';

/** 2023-11-14T22:14:00Z (a whole minute), µs */
export const T0 = 1_700_000_040_000_000;

export type Rec = Partial<DialogueRecord> & { imsi: string; at: number; cellId?: string | null };

let frame = 1;

export function rec(r: Rec): DialogueRecord {
  const { at, ...over } = r;
  const t = T0 + Math.round(at * 1e6);
  const f = frame++;
  return {
    protocol: 'map', procedure: 'sendAuthenticationInfo', opcode: 56, status: 'ok', resultCode: null, resultName: null, endReason: 'end',
    orphan: false, reqFrame: f, rspFrame: f, reqTimeUs: t, rspTimeUs: t + 1000, latencyUs: 1000, msisdn: null, homeMcc: '234', homeMnc: '15',
    callingGt: null, calledGt: null, responderGt: null, opc: null, dpc: null, callingSsn: null, calledSsn: null, vlrNumber: null,
    sgsnNumber: null, appContext: null, otid: null, dtid: null, messages: 2, nestedOps: 0, retransmissions: 0, abortCause: null,
    site: 'lab', source: 'hand', ...over,
  };
}

/** a spool file with these dialogues; returns its path */
export function spoolOf(rows: Rec[], dir?: string): string {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'sp-profiles-'));
  const path = join(d, 'spool.db');
  const db = openSpool(path);
  const w = new SpoolWriter(db, { batchSize: 1000 });
  for (const r of rows) w.write(rec(r));
  w.flush();
  // cell_id is reserved (the writer leaves it NULL): set it where a row gives one
  const cols = new Set((db.prepare('PRAGMA table_info(dialogues)').all() as { name: string }[]).map((c) => c.name));
  if (cols.has('cell_id')) {
    const up = db.prepare('UPDATE dialogues SET cell_id = ? WHERE imsi = ? AND req_time_us = ?');
    for (const r of rows) if (r.cellId) up.run(r.cellId, r.imsi, T0 + Math.round(r.at * 1e6));
  }
  db.close();
  return path;
}

export const SAI_VLR = (imsi: string, at: number, gt = 'V1', o: Partial<Rec> = {}): Rec => ({ imsi, at, procedure: 'sendAuthenticationInfo', callingSsn: 7, callingGt: gt, calledSsn: 6, ...o });
export const SAI_SGSN = (imsi: string, at: number, gt = 'S1', o: Partial<Rec> = {}): Rec => ({ imsi, at, procedure: 'sendAuthenticationInfo', callingSsn: 149, callingGt: gt, calledSsn: 6, ...o });
export const UL = (imsi: string, at: number, vlr = 'V1', o: Partial<Rec> = {}): Rec => ({ imsi, at, procedure: 'updateLocation', opcode: 2, callingSsn: 7, callingGt: vlr, vlrNumber: vlr, calledSsn: 6, ...o });
export const GTP = (imsi: string, at: number, procedure: string, o: Partial<Rec> = {}): Rec => ({
  imsi, at, protocol: (procedure.endsWith('PDPContext') ? 'gtpv1' : 'gtpv2') as DialogueRecord['protocol'], procedure, opcode: null,
  resultCode: (procedure.endsWith('PDPContext') ? 128 : 16), ...o,
});
