/**
 * MAP dialogue records and spools filled with them, for the shipper's and the collector's tests:
 * record i is an updateLocation at T0 + i ms, every fifth one an error.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import type { DialogueRecord } from '../../src/correlate/record';
import { openSpool, SpoolWriter } from '../../src/spool/spool';

/** 2023-11-14 22:13:20 UTC, µs */
export const T0 = 1_700_000_000_000_000;

export function mapDialogue(i: number, over: Partial<DialogueRecord> = {}): DialogueRecord {
  return {
    protocol: 'map', procedure: 'updateLocation', opcode: 2, status: i % 5 === 0 ? 'error' : 'ok', resultCode: i % 5 === 0 ? 1 : null,
    resultName: null, endReason: 'end', orphan: false, reqFrame: i, rspFrame: i + 1, reqTimeUs: T0 + i * 1000, rspTimeUs: T0 + i * 1000 + 500,
    latencyUs: 500, imsi: `imsi${i}`, msisdn: null, homeMcc: '234', homeMnc: '15', callingGt: '447700900123', calledGt: '34600000001',
    responderGt: null, opc: 1, dpc: 2, callingSsn: 7, calledSsn: 6, vlrNumber: null, sgsnNumber: null, appContext: '0.4.0.0.1.0.1.3',
    otid: 'aa', dtid: 'bb', messages: 2, nestedOps: 0, retransmissions: 0, abortCause: null, site: 'lab', source: 'x.pcap', ...over,
  };
}

/** A spool file in a temp dir with dialogues 1..n (`over(i)` changes record i). */
export function spoolWith(n: number, over: (i: number) => Partial<DialogueRecord> = () => ({})): { db: Db; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'sp-records-')), 's.db');
  const db = openSpool(path);
  const w = new SpoolWriter(db, { batchSize: 1000 });
  for (let i = 1; i <= n; i++) w.write(mapDialogue(i, over(i)));
  w.flush();
  return { db, path };
}
