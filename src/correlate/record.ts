/**
 * A dialogue record: one request/response transaction (a TCAP dialogue, later a Diameter
 * request/answer or a GTP-C request/response), as it is written to the spool's `dialogues` table.
 * Identities are already protected (see identities.ts) when a record leaves the correlator.
 */
export type Protocol = 'map' | 'cap' | 'tcap' | 'diameter' | 'gtpv1' | 'gtpv2';
export type Status = 'ok' | 'error' | 'reject' | 'abort' | 'timeout';
/**
 * Why the record was closed: `end` (TC-END / answer), `abort`, `idle_timeout` (no message within
 * the protocol's timeout, packet time), `evicted` (pending table full), `tid_reused` (a new
 * transaction took the same key), `capture_end` (replay finished with the dialogue open),
 * `shutdown` (live probe stopped), `orphan_end` (an answer whose request was not seen),
 * `unidirectional`.
 */
export type EndReason =
  | 'end'
  | 'abort'
  | 'idle_timeout'
  | 'evicted'
  | 'tid_reused'
  | 'capture_end'
  | 'shutdown'
  | 'orphan_end'
  | 'unidirectional';

export interface DialogueRecord {
  protocol: Protocol;
  procedure: string | null;
  opcode: number | null;
  status: Status;
  resultCode: number | null;
  resultName: string | null;
  endReason: EndReason;
  /** true when the request (TCAP Begin) was not in the capture. */
  orphan: boolean;
  reqFrame: number | null;
  rspFrame: number | null;
  reqTimeUs: number | null;
  rspTimeUs: number | null;
  latencyUs: number | null;
  imsi: string | null;
  msisdn: string | null;
  homeMcc: string | null;
  homeMnc: string | null;
  callingGt: string | null;
  calledGt: string | null;
  responderGt: string | null;
  opc: number | null;
  dpc: number | null;
  callingSsn: number | null;
  calledSsn: number | null;
  vlrNumber: string | null;
  sgsnNumber: string | null;
  appContext: string | null;
  otid: string | null;
  dtid: string | null;
  messages: number;
  nestedOps: number;
  retransmissions: number;
  abortCause: string | null;
  site: string;
  source: string;
}

/** Consumer of closed records (the spool writer, a test collector...). */
export interface RecordSink {
  write(r: DialogueRecord): void;
}
