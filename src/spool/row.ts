import type { DialogueRecord, TunnelRecord } from '../correlate/record';

/** Columns of `dialogues` written per record, in bind order (id is assigned by SQLite). */
export const DIALOGUE_COLUMNS = [
  'protocol', 'procedure', 'opcode', 'status', 'result_code', 'result_name', 'end_reason', 'orphan',
  'req_frame', 'rsp_frame', 'req_time_us', 'rsp_time_us', 'latency_us', 'imsi', 'msisdn', 'home_mcc',
  'home_mnc', 'calling_gt', 'called_gt', 'responder_gt', 'opc', 'dpc', 'calling_ssn', 'called_ssn',
  'vlr_number', 'sgsn_number', 'app_context', 'otid', 'dtid', 'messages', 'nested_ops',
  'retransmissions', 'abort_cause', 'site', 'source',
  'src_ip', 'dst_ip', 'src_port', 'dst_port', 'app_id', 'result_source', 'result_vendor', 'origin_host',
  'origin_realm', 'dest_host', 'dest_realm', 'visited_mcc', 'visited_mnc', 'rat_type', 'hop_by_hop',
  'end_to_end', 'seq', 'apn', 'teid', 'req_ctrl_teid', 'rsp_ctrl_teid', 'imei_tac',
  // migration 4
  'home_country', 'visited_country', 'visited_operator', 'cell_id',
] as const;

/** Columns of `tunnels` written per tunnel, in bind order. */
export const TUNNEL_COLUMNS = [
  'protocol', 'imsi', 'msisdn', 'home_mcc', 'home_mnc', 'visited_mcc', 'visited_mnc', 'apn', 'rat_type',
  'sgsn_ip', 'ggsn_ip', 'sgsn_ctrl_teid', 'ggsn_ctrl_teid', 'sgsn_data_teid', 'ggsn_data_teid',
  'create_cause', 'create_time_us', 'setup_delay_us', 'end_time_us', 'duration_us', 'delete_cause',
  'end_reason', 'create_frame', 'end_frame', 'site', 'source',
  // migration 4
  'home_country', 'visited_country', 'visited_operator', 'packets_up', 'packets_down', 'bytes_up', 'bytes_down',
  'first_user_us', 'last_user_us',
] as const;

export type RowValue = string | number | null;

/** Columns whose values are near-unique per row: the row codec's batch dictionary skips them (rowCodec.ts). */
const UNIQUE_COLUMNS = new Set(['imsi', 'msisdn', 'otid', 'dtid', 'called_gt', 'imei_tac']);
/** Per column of DIALOGUE_COLUMNS / TUNNEL_COLUMNS: its strings repeat (dictionary-encoded in a batch). */
export const DIALOGUE_DICTIONARY: readonly boolean[] = DIALOGUE_COLUMNS.map((c) => !UNIQUE_COLUMNS.has(c));
export const TUNNEL_DICTIONARY: readonly boolean[] = TUNNEL_COLUMNS.map((c) => !UNIQUE_COLUMNS.has(c));

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
  row[35] = r.srcIp ?? null; row[36] = r.dstIp ?? null; row[37] = r.srcPort ?? null; row[38] = r.dstPort ?? null;
  row[39] = r.appId ?? null; row[40] = r.resultSource ?? null; row[41] = r.resultVendor ?? null;
  row[42] = r.originHost ?? null; row[43] = r.originRealm ?? null; row[44] = r.destHost ?? null;
  row[45] = r.destRealm ?? null; row[46] = r.visitedMcc ?? null; row[47] = r.visitedMnc ?? null;
  row[48] = r.ratType ?? null; row[49] = r.hopByHop ?? null; row[50] = r.endToEnd ?? null;
  row[51] = r.seq ?? null; row[52] = r.apn ?? null; row[53] = r.teid ?? null; row[54] = r.reqCtrlTeid ?? null;
  row[55] = r.rspCtrlTeid ?? null; row[56] = r.imeiTac ?? null;
  row[57] = r.homeCountry ?? null; row[58] = r.visitedCountry ?? null; row[59] = r.visitedOperator ?? null;
  row[60] = r.cellId ?? null;
  return row;
}

/** Fills `row` (length TUNNEL_COLUMNS.length) with a tunnel's values in column order. */
export function tunnelToRow(t: TunnelRecord, row: RowValue[]): RowValue[] {
  row[0] = t.protocol; row[1] = t.imsi; row[2] = t.msisdn; row[3] = t.homeMcc; row[4] = t.homeMnc;
  row[5] = t.visitedMcc; row[6] = t.visitedMnc; row[7] = t.apn; row[8] = t.ratType; row[9] = t.sgsnIp;
  row[10] = t.ggsnIp; row[11] = t.sgsnCtrlTeid; row[12] = t.ggsnCtrlTeid; row[13] = t.sgsnDataTeid;
  row[14] = t.ggsnDataTeid; row[15] = t.createCause; row[16] = t.createTimeUs; row[17] = t.setupDelayUs;
  row[18] = t.endTimeUs; row[19] = t.durationUs; row[20] = t.deleteCause; row[21] = t.endReason;
  row[22] = t.createFrame; row[23] = t.endFrame; row[24] = t.site; row[25] = t.source;
  row[26] = t.homeCountry ?? null; row[27] = t.visitedCountry ?? null; row[28] = t.visitedOperator ?? null;
  row[29] = t.packetsUp ?? 0; row[30] = t.packetsDown ?? 0; row[31] = t.bytesUp ?? 0; row[32] = t.bytesDown ?? 0;
  row[33] = t.firstUserUs ?? null; row[34] = t.lastUserUs ?? null;
  return row;
}

/** Tables the spool worker writes, by id (the batch header carries it). */
export const enum SpoolTable {
  Dialogues = 0,
  Tunnels = 1,
}

export function insertSql(table: SpoolTable = SpoolTable.Dialogues): string {
  const [name, cols] = table === SpoolTable.Tunnels ? ['tunnels', TUNNEL_COLUMNS] : ['dialogues', DIALOGUE_COLUMNS];
  return `INSERT INTO ${name} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
}
