import { TCAP_MAX_COMPONENTS } from './constants';

/** One TCAP component (Q.773 §4.2.3). Offsets index the decoded buffer. */
export interface TcapComponentView {
  /** TcapComponentKind: 1 invoke, 2 returnResultLast, 3 returnError, 4 reject, 7 returnResultNotLast */
  kind: number;
  /** invokeID (signed, −128..127 by Q.773); −1 when absent (Reject with NULL invokeID) */
  invokeId: number;
  /** linkedID; −1 when absent */
  linkedId: number;
  /** local operation code; −1 absent, −2 global (OBJECT IDENTIFIER) */
  opcode: number;
  /** local error code (ReturnError); −1 absent, −2 global */
  errorCode: number;
  /** Reject problem type 0 general, 1 invoke, 2 returnResult, 3 returnError; −1 absent */
  problemType: number;
  /** Reject problem code; −1 absent */
  problemCode: number;
  /** parameter: from its first identifier octet to the end of the component; −1 when absent */
  paramStart: number;
  paramEnd: number;
}

/** A decoded TCAP message (Q.773 §4.2). Filled by decodeTcap; reused across packets. */
export interface TcapView {
  /** TcapMsgType (0x61 uni, 0x62 begin, 0x64 end, 0x65 continue, 0x67 abort); 0 if unknown */
  msgType: number;
  /** originating transaction id as an unsigned number; otidLen = 0 when absent */
  otid: number;
  otidLen: number;
  dtid: number;
  dtidLen: number;
  /** dialogue PDU tag: 0 none, 0x60 AARQ (AUDT in a unidirectional), 0x61 AARE, 0x64 ABRT */
  dialogue: number;
  /** application-context-name OID content octets; −1 when absent */
  acnStart: number;
  acnEnd: number;
  /** AcnFamily: 0 unknown, 1 MAP, 2 CAP */
  acnFamily: number;
  /** MAP: the ac arc of 0.4.0.0.1.0.<ac>.<v>; CAP v3/v4: the last arc; −1 unknown */
  acnValue: number;
  /** MAP / CAP v1-v2: the version arc; CAP v3/v4 (roots 20–23): 3 or 4; −1 unknown */
  acnVersion: number;
  /** AARE result (0 accepted, 1 reject-permanent); −1 absent */
  aareResult: number;
  /** AARE result-source-diagnostic: 0 absent, 1 dialogue-service-user, 2 dialogue-service-provider */
  aareDiagSource: number;
  /** AARE diagnostic value; −1 absent */
  aareDiag: number;
  /** TcapAbortKind for Abort messages: 1 P-Abort, 2 U-Abort; 0 otherwise */
  abortKind: number;
  /** P-AbortCause (Q.773 §4.2.1.3); −1 absent */
  pAbortCause: number;
  /** ABRT abort-source (0 user, 1 provider); −1 absent */
  abortSource: number;
  /** fixed TCAP_MAX_COMPONENTS slots; only the first componentCount are valid */
  components: TcapComponentView[];
  componentCount: number;
}

export function createTcapComponentView(): TcapComponentView {
  return {
    kind: 0, invokeId: -1, linkedId: -1, opcode: -1, errorCode: -1, problemType: -1, problemCode: -1,
    paramStart: -1, paramEnd: -1,
  };
}

export function resetTcapComponentView(c: TcapComponentView): void {
  c.kind = 0;
  c.invokeId = -1;
  c.linkedId = -1;
  c.opcode = -1;
  c.errorCode = -1;
  c.problemType = -1;
  c.problemCode = -1;
  c.paramStart = -1;
  c.paramEnd = -1;
}

export function createTcapView(): TcapView {
  const components: TcapComponentView[] = [];
  for (let i = 0; i < TCAP_MAX_COMPONENTS; i++) components.push(createTcapComponentView());
  const v: TcapView = {
    msgType: 0, otid: 0, otidLen: 0, dtid: 0, dtidLen: 0, dialogue: 0, acnStart: -1, acnEnd: -1,
    acnFamily: 0, acnValue: -1, acnVersion: -1, aareResult: -1, aareDiagSource: 0, aareDiag: -1,
    abortKind: 0, pAbortCause: -1, abortSource: -1, components, componentCount: 0,
  };
  return v;
}

/** Clears the message-level fields (component slots are reset as they are filled). */
export function resetTcapView(v: TcapView): void {
  v.msgType = 0;
  v.otid = 0;
  v.otidLen = 0;
  v.dtid = 0;
  v.dtidLen = 0;
  v.dialogue = 0;
  v.acnStart = -1;
  v.acnEnd = -1;
  v.acnFamily = 0;
  v.acnValue = -1;
  v.acnVersion = -1;
  v.aareResult = -1;
  v.aareDiagSource = 0;
  v.aareDiag = -1;
  v.abortKind = 0;
  v.pAbortCause = -1;
  v.abortSource = -1;
  v.componentCount = 0;
}
