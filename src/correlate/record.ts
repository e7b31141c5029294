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

  // ---- IP-level protocols (Diameter over SCTP/TCP, GTP-C over UDP); absent = NULL.
  /** Request's IP source / destination (dotted or RFC 5952 text) and transport ports. */
  srcIp?: string | null;
  dstIp?: string | null;
  srcPort?: number | null;
  dstPort?: number | null;
  /** Diameter Application-Id (header), e.g. 16777251 S6a. */
  appId?: number | null;
  /** 'result' (Result-Code) or 'experimental' (Experimental-Result-Code, with resultVendor). */
  resultSource?: 'result' | 'experimental' | null;
  resultVendor?: number | null;
  originHost?: string | null;
  originRealm?: string | null;
  destHost?: string | null;
  destRealm?: string | null;
  /** Visited network (Diameter Visited-PLMN-Id; GTP Serving Network / ULI). */
  visitedMcc?: string | null;
  visitedMnc?: string | null;
  /** RAT type by name (e.g. EUTRAN, UTRAN, GERAN, NB-IoT). */
  ratType?: string | null;
  hopByHop?: number | null;
  endToEnd?: number | null;
  /** GTP: sequence number, APN, header TEID of the request, sender control-plane TEIDs
   *  (F-TEID / TEID-C) of request and response, IMEI TAC (the IMEI itself is not kept). */
  seq?: number | null;
  apn?: string | null;
  teid?: number | null;
  reqCtrlTeid?: number | null;
  rspCtrlTeid?: number | null;
  imeiTac?: string | null;

  // ---- visited network (src/correlate/networks.ts, filled for every protocol before the write)
  /** ISO 3166-1 alpha-2 of the IMSI's MCC (E.212). */
  homeCountry?: string | null;
  /** ISO 3166-1 alpha-2 of the visited network: its MCC, or (MAP) the E.164 country code of the VLR / SGSN / GT. */
  visitedCountry?: string | null;
  /** Operator name from networks.yaml (GT prefix, Diameter realm or PLMN id). */
  visitedOperator?: string | null;
  /** Reserved for device profiles (NULL in this version). */
  cellId?: string | null;
}

/**
 * A GTP tunnel (PDP context / EPS session) from Create to Delete (TS 29.060 §7.3, TS 29.274 §7.2):
 * the `tunnels` table.
 */
/**
 * GTP-U user plane (TS 29.281) of a tunnel: G-PDUs and T-PDU octets (the user IP packets, without
 * outer IP / UDP / GTP-U headers and extension headers); up = sent to the GGSN / PGW data TEID,
 * down = to the SGSN / SGW one. 0 when none seen (absent in tunnel states saved before spool
 * migration 4: 0 / null).
 */
export interface UserPlaneCounters {
  packetsUp?: number;
  packetsDown?: number;
  bytesUp?: number;
  bytesDown?: number;
  /** Packet times (µs) of the first and last G-PDU; null when none. */
  firstUserUs?: number | null;
  lastUserUs?: number | null;
}

export interface TunnelRecord extends UserPlaneCounters {
  protocol: 'gtpv1' | 'gtpv2';
  imsi: string | null;
  msisdn: string | null;
  homeMcc: string | null;
  homeMnc: string | null;
  visitedMcc: string | null;
  visitedMnc: string | null;
  apn: string | null;
  ratType: string | null;
  /** SGSN / SGW (the creator) and GGSN / PGW control-plane addresses. */
  sgsnIp: string | null;
  ggsnIp: string | null;
  /** Control-plane TEIDs: the creator's and the peer's. */
  sgsnCtrlTeid: number | null;
  ggsnCtrlTeid: number | null;
  /** User-plane TEIDs when carried. */
  sgsnDataTeid: number | null;
  ggsnDataTeid: number | null;
  createCause: number | null;
  createTimeUs: number;
  /** Create request → response, µs. */
  setupDelayUs: number | null;
  endTimeUs: number | null;
  /** Create → delete (or end), µs. */
  durationUs: number | null;
  deleteCause: number | null;
  /** delete | delete_bearer | error_indication | idle_timeout | evicted | create_rejected | capture_end | shutdown */
  endReason: string;
  createFrame: number | null;
  endFrame: number | null;
  site: string;
  source: string;
  /** Visited network (see DialogueRecord; networks.ts). */
  homeCountry?: string | null;
  visitedCountry?: string | null;
  visitedOperator?: string | null;
}

/** Consumer of closed tunnels. */
export interface TunnelSink {
  writeTunnel(t: TunnelRecord): void;
}

/** Consumer of closed records (the spool writer, a test collector...). */
export interface RecordSink {
  write(r: DialogueRecord): void;
}
