/**
 * GTP message tables as data: each version lists its message types with their kind and, for a
 * request, the type of its response (TS 29.060 §7.1 Table 1, TS 29.274 §6.1 Table 6.1-1).
 */

/** What a message type is to the transaction layer. */
export const enum GtpMsgKind {
  Unknown = 0,
  /** Expects a response (TS 29.060 §7.6, TS 29.274 §7.6: "Initial message"). */
  Request = 1,
  /** Answers a request (Triggered message). */
  Response = 2,
  /** Neither: Error Indication, Version Not Supported, SGSN Context Acknowledge... */
  Notification = 3,
  /** User plane (TS 29.281 §6.1): G-PDU, End Marker. */
  UserPlane = 4,
}

/** [message type, kind, response type (requests) or request type (responses) or -1, name]. */
export type GtpMessageRow = readonly [number, GtpMsgKind, number, string];

/** Lookup arrays built once from the rows (index = message type). */
export interface GtpMessageTable {
  readonly kind: Uint8Array;
  /** For a request: its response type; for a response: its request type; else -1. */
  readonly pair: Int16Array;
  /** Procedure / message name ('' when unassigned). */
  readonly names: readonly string[];
}

export function buildMessageTable(rows: readonly GtpMessageRow[]): GtpMessageTable {
  const kind = new Uint8Array(256);
  const pair = new Int16Array(256).fill(-1);
  const names: string[] = new Array<string>(256).fill('');
  for (const [t, k, p, n] of rows) {
    kind[t] = k;
    pair[t] = p;
    names[t] = n;
  }
  return { kind, pair, names };
}

/** Rows for a request/response pair: the request row names the procedure. */
export function reqRsp(req: number, rsp: number, procedure: string): GtpMessageRow[] {
  return [
    [req, GtpMsgKind.Request, rsp, procedure],
    [rsp, GtpMsgKind.Response, req, procedure],
  ];
}
