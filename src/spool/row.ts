import type { DialogueRecord } from '../correlate/record';

/** Columns of `dialogues` written per record, in bind order (id is assigned by SQLite). */
export const DIALOGUE_COLUMNS = [
  'protocol', 'procedure', 'opcode', 'status', 'result_code', 'result_name', 'end_reason', 'orphan',
  'req_frame', 'rsp_frame', 'req_time_us', 'rsp_time_us', 'latency_us', 'imsi', 'msisdn', 'home_mcc',
  'home_mnc', 'calling_gt', 'called_gt', 'responder_gt', 'opc', 'dpc', 'calling_ssn', 'called_ssn',
  'vlr_number', 'sgsn_number', 'app_context', 'otid', 'dtid', 'messages', 'nested_ops',
  'retransmissions', 'abort_cause', 'site', 'source',
] as const;

export type RowValue = string | number | null;

/** Fills `row` (reused, length DIALOGUE_COLUMNS.length) with a record's values in column order. */
export function toRow(r: DialogueRecord, row: RowValue[]): RowValue[] {
  row[0] = r.protocol; row[1] = r.procedure; row[2] = r.opcode; row[3] = r.status;
  row[4] = r.resultCode; row[5] = r.resultName; row[6] = r.endReason; row[7] = r.orphan ? 1 : 0;
  row[8] = r.reqFrame; row[9] = r.rspFrame; row[10] = r.reqTimeUs; row[11] = r.rspTimeUs;
  row[12] = r.latencyUs; row[13] = r.imsi; row[14] = r.msisdn; row[15] = r.homeMcc;
  row[16] = r.homeMnc; row[17] = r.callingGt; row[18] = r.calledGt; row[19] = r.responderGt;
  row[20] = r.opc; row[21] = r.dpc; row[22] = r.callingSsn; row[23] = r.calledSsn;
  row[24] = r.vlrNumber; row[25] = r.sgsnNumber; row[26] = r.appContext; row[27] = r.otid;
  row[28] = r.dtid; row[29] = r.messages; row[30] = r.nestedOps; row[31] = r.retransmissions;
  row[32] = r.abortCause; row[33] = r.site; row[34] = r.source;
  return row;
}

export function insertSql(): string {
  return `INSERT INTO dialogues (${DIALOGUE_COLUMNS.join(', ')}) VALUES (${DIALOGUE_COLUMNS.map(() => '?').join(', ')})`;
}
