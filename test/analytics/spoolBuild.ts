/**
 * Hand-built spools for the analytics tests: real spool files (src/spool migrations and writer)
 * with dialogue and tunnel rows whose report figures the tests compute by hand.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DialogueRecord, TunnelRecord } from '../../src/correlate/record';
import { openSpool, SpoolWriter } from '../../src/spool/spool';

/** 2026-12-07T10:00:00Z, µs (an hour boundary) */
export const T0 = Date.UTC(2026, 11, 7, 10, 0, 0) * 1000;
export const S = 1_000_000;
export const MIN = 60 * S;

let seq = 0;

/** A dialogue at time t (µs); MAP updateLocation ok by default. */
export function dlg(t: number, over: Partial<DialogueRecord> = {}): DialogueRecord {
  seq++;
  return {
    protocol: 'map', procedure: 'updateLocation', opcode: 2, status: 'ok', resultCode: null, resultName: null, endReason: 'end',
    orphan: false, reqFrame: seq, rspFrame: seq + 1, reqTimeUs: t, rspTimeUs: t + 1000, latencyUs: 1000, imsi: null, msisdn: null,
    homeMcc: null, homeMnc: null, callingGt: null, calledGt: null, responderGt: null, opc: null, dpc: null, callingSsn: null,
    calledSsn: null, vlrNumber: null, sgsnNumber: null, appContext: null, otid: null, dtid: null, messages: 2, nestedOps: 0,
    retransmissions: 0, abortCause: null, site: 'lab', source: 'hand', ...over,
  };
}

/** A location update of device `imsi` from home country hc to visited network (mcc, mnc) of country vc. */
export function lu(t: number, imsi: string, hc: string | null, vc: string | null, mcc: string | null, mnc: string | null, over: Partial<DialogueRecord> = {}): DialogueRecord {
  return dlg(t, { imsi, homeCountry: hc, visitedCountry: vc, visitedMcc: mcc, visitedMnc: mnc, homeMcc: '214', homeMnc: '07', ...over });
}

/** A MAP roamingNotAllowed (error 8) answer to an updateLocation. */
export const RNA_MAP: Partial<DialogueRecord> = { status: 'error', resultCode: 8, resultName: 'roamingNotAllowed' };
/** A Diameter ULR answered with Experimental-Result 5004. */
export const RNA_DIAMETER: Partial<DialogueRecord> = {
  protocol: 'diameter', procedure: 'ULR', opcode: 316, status: 'error', resultCode: 5004, resultSource: 'experimental', resultVendor: 10415,
  resultName: 'DIAMETER_ERROR_ROAMING_NOT_ALLOWED',
};

/** A tunnel created at t; accepted by default. */
export function tun(t: number, imsi: string | null, over: Partial<TunnelRecord> = {}): TunnelRecord {
  return {
    protocol: 'gtpv2', imsi, msisdn: null, homeMcc: '214', homeMnc: '07', visitedMcc: '208', visitedMnc: '01', apn: 'internet',
    ratType: 'EUTRAN', sgsnIp: '10.0.0.1', ggsnIp: '10.0.0.2', sgsnCtrlTeid: 1, ggsnCtrlTeid: 2, sgsnDataTeid: 3, ggsnDataTeid: 4,
    createCause: 16, createTimeUs: t, setupDelayUs: 1000, endTimeUs: t + 60 * S, durationUs: 60 * S, deleteCause: 16, endReason: 'delete',
    createFrame: 1, endFrame: 2, site: 'lab', source: 'hand', homeCountry: 'ES', visitedCountry: 'FR', visitedOperator: 'Orange FR',
    packetsUp: 1, packetsDown: 1, bytesUp: 100, bytesDown: 200, firstUserUs: t + S, lastUserUs: t + 2 * S, ...over,
  };
}

/** A spool file in a fresh temp dir with these rows. */
export function buildSpool(dialogues: DialogueRecord[], tunnels: TunnelRecord[] = [], name = 'spool.db'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sp-report-')), name);
  const db = openSpool(path);
  const w = new SpoolWriter(db, { batchSize: 5000 });
  for (const d of dialogues) w.write(d);
  for (const t of tunnels) w.writeTunnel(t);
  w.flush();
  db.close();
  return path;
}
