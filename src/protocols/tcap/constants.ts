/**
 * TCAP constants (ITU-T Q.773 §4.2 transaction / component portions, Q.773 Annex A dialogue
 * portion) and the TCAP anomaly codes.
 */

/** Anomaly codes of the Tcap layer. Codes 1–5 equal the BerStatus codes (see ber.ts). */
export const enum TcapAnomaly {
  Ok = 0,
  Truncated = 1,
  BadLength = 2,
  BadTag = 3,
  NestingTooDeep = 4,
  TooManyElements = 5,
  /** outermost tag is not Unidirectional/Begin/End/Continue/Abort */
  UnknownMessageType = 6,
  /** otid/dtid of a length other than 1–4 octets (Q.773 §4.2.2) */
  BadTidLength = 7,
  /** otid/dtid required by the message type is absent */
  MissingTid = 8,
  /** an element not allowed at this place (skipped) */
  UnexpectedElement = 9,
  /** EXTERNAL direct-reference is neither dialogue-as-id nor uniDialogue-as-id */
  UnknownDialogueOid = 10,
  /** malformed dialogue portion / dialogue PDU */
  BadDialogue = 11,
  /** component tag not Invoke/ReturnResult(Not)Last/ReturnError/Reject (skipped) */
  UnknownComponent = 12,
  /** component with a missing or malformed mandatory field */
  BadComponent = 13,
  /** more than TCAP_MAX_COMPONENTS components (the first ones are kept) */
  TooManyComponents = 14,
  /** INTEGER field of 0 or more than 4 octets */
  BadInteger = 15,
  /** bytes after the TCAP message inside [start, end) */
  TrailingData = 16,
}

export const TCAP_ANOMALY_NAMES: readonly string[] = [
  'ok', 'truncated', 'bad_length', 'bad_tag', 'nesting_too_deep', 'too_many_elements',
  'unknown_message_type', 'bad_tid_length', 'missing_tid', 'unexpected_element',
  'unknown_dialogue_oid', 'bad_dialogue', 'unknown_component', 'bad_component',
  'too_many_components', 'bad_integer', 'trailing_data',
];

/** Component slots preallocated in a TcapView. */
export const TCAP_MAX_COMPONENTS = 16;
/** Most elements examined directly inside a message (otid, dtid, dialogue, components, cause). */
export const TCAP_MAX_MESSAGE_ELEMENTS = 8;
/** Most elements examined inside one dialogue PDU / EXTERNAL / component. */
export const TCAP_MAX_PDU_ELEMENTS = 16;
/** Most arcs decoded from an application-context-name OBJECT IDENTIFIER. */
export const TCAP_MAX_OID_ARCS = 16;

/** Message type tags (Q.773 §4.2.1, TCMessage, [APPLICATION n] constructed). */
export const enum TcapMsgType {
  Unidirectional = 0x61,
  Begin = 0x62,
  End = 0x64,
  Continue = 0x65,
  Abort = 0x67,
}

/** Transaction portion tags (Q.773 §4.2.2). */
export const enum TcapTag {
  /** OrigTransactionID [APPLICATION 8] OCTET STRING (SIZE 1..4) */
  Otid = 0x48,
  /** DestTransactionID [APPLICATION 9] */
  Dtid = 0x49,
  /** P-AbortCause [APPLICATION 10] INTEGER */
  PAbortCause = 0x4a,
  /** DialoguePortion [APPLICATION 11] EXTERNAL */
  DialoguePortion = 0x6b,
  /** ComponentPortion [APPLICATION 12] SEQUENCE OF Component */
  ComponentPortion = 0x6c,
  /** EXTERNAL (X.690 §8.18), universal 8 constructed */
  External = 0x28,
  ObjectIdentifier = 0x06,
  Integer = 0x02,
  Null = 0x05,
  Sequence = 0x30,
  /** EXTERNAL encoding single-ASN1-type [0] */
  SingleAsn1Type = 0xa0,
  /** EXTERNAL encoding octet-aligned [1] IMPLICIT OCTET STRING */
  OctetAligned = 0x81,
  /** EXTERNAL indirect-reference INTEGER / data-value-descriptor ObjectDescriptor */
  ObjectDescriptor = 0x07,
}

/** Dialogue PDU tags (Q.773 Annex A, DialoguePDUs / UnidialoguePDUs). */
export const enum TcapDialoguePdu {
  None = 0,
  /** AARQ-apdu [APPLICATION 0]; AUDT-apdu has the same tag in the unidialogue */
  Aarq = 0x60,
  Aare = 0x61,
  Abrt = 0x64,
}

/** Fields inside the dialogue PDUs (explicit context tags, Q.773 Annex A). */
export const enum TcapDialogueTag {
  /** protocol-version [0] IMPLICIT BIT STRING */
  ProtocolVersion = 0x80,
  /** application-context-name [1] OBJECT IDENTIFIER */
  ApplicationContextName = 0xa1,
  /** AARE result [2] Associate-result */
  Result = 0xa2,
  /** AARE result-source-diagnostic [3] Associate-source-diagnostic */
  ResultSourceDiagnostic = 0xa3,
  /** dialogue-service-user [1] / dialogue-service-provider [2] inside the diagnostic */
  DiagnosticUser = 0xa1,
  DiagnosticProvider = 0xa2,
  /** ABRT abort-source [0] IMPLICIT ABRT-source */
  AbortSource = 0x80,
  /** user-information [30] IMPLICIT SEQUENCE OF EXTERNAL */
  UserInformation = 0xbe,
}

/** Component tags (Q.773 §4.2.3, Component CHOICE, context-specific constructed). */
export const enum TcapComponentTag {
  Invoke = 0xa1,
  ReturnResultLast = 0xa2,
  ReturnError = 0xa3,
  Reject = 0xa4,
  ReturnResultNotLast = 0xa7,
}

/** TcapComponentView.kind values (the component's context tag number). */
export const enum TcapComponentKind {
  Invoke = 1,
  ReturnResultLast = 2,
  ReturnError = 3,
  Reject = 4,
  ReturnResultNotLast = 7,
}

/** Fields inside components (Q.773 §4.2.3). */
export const enum TcapComponentFieldTag {
  /** linkedID [0] IMPLICIT InvokeIdType */
  LinkedId = 0x80,
  /** "linkedId absent [1] NULL" in the CHOICE form some ASN.1 modules use */
  LinkedIdAbsent = 0x81,
  /** Reject problem: general [0], invoke [1], returnResult [2], returnError [3] (IMPLICIT INTEGER) */
  ProblemGeneral = 0x80,
  ProblemInvoke = 0x81,
  ProblemReturnResult = 0x82,
  ProblemReturnError = 0x83,
}

/** Sentinels in TcapComponentView. */
export const TCAP_ABSENT = -1;
/** opcode/errorCode was a global value (OBJECT IDENTIFIER). */
export const TCAP_GLOBAL = -2;

/** TcapView.abortKind */
export const enum TcapAbortKind {
  None = 0,
  /** P-Abort: reason p-abortCause (Q.773 §4.2.1.3) */
  Provider = 1,
  /** U-Abort: reason u-abortCause (dialogue portion) or no reason */
  User = 2,
}

/** TcapView.acnFamily */
export const enum AcnFamily {
  Unknown = 0,
  /** GSM MAP: 0.4.0.0.1.0.<ac>.<version> (TS 29.002 §17.3.3) */
  Map = 1,
  /** CAMEL (CAP): 0.4.0.0.1.0.50|51|52.<v> (CAP v1/v2), 0.4.0.0.1.20..23.3.<ac> (CAP v3/v4) */
  Cap = 2,
}

/** OID content octets of dialogue-as-id {0 0 17 773 1 1 1} (Q.773 Annex A). */
export const DIALOGUE_AS_ID: readonly number[] = [0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01];
/** OID content octets of uniDialogue-as-id {0 0 17 773 1 2 1}. */
export const UNIDIALOGUE_AS_ID: readonly number[] = [0x00, 0x11, 0x86, 0x05, 0x01, 0x02, 0x01];

/** P-AbortCause values (Q.773 §4.2.1.3). */
export const P_ABORT_CAUSE_NAMES: readonly string[] = [
  'unrecognizedMessageType', 'unrecognizedTransactionID', 'badlyFormattedTransactionPortion',
  'incorrectTransactionPortion', 'resourceLimitation',
];

/** ABRT-source values (Q.773 Annex A). */
export const ABORT_SOURCE_NAMES: readonly string[] = ['dialogue-service-user', 'dialogue-service-provider'];

/** Associate-result values (X.227 via Q.773 Annex A). */
export const AARE_RESULT_NAMES: readonly string[] = ['accepted', 'reject-permanent'];

/** Reject problem codes per problem type (Q.773 §4.2.3 Problem). Index = problemType. */
export const REJECT_PROBLEM_NAMES: readonly (readonly string[])[] = [
  ['unrecognizedComponent', 'mistypedComponent', 'badlyStructuredComponent'],
  ['duplicateInvokeID', 'unrecognizedOperation', 'mistypedParameter', 'resourceLimitation',
    'initiatingRelease', 'unrecognizedLinkedID', 'linkedResponseUnexpected', 'unexpectedLinkedOperation'],
  ['unrecognizedInvokeID', 'returnResultUnexpected', 'mistypedParameter'],
  ['unrecognizedInvokeID', 'returnErrorUnexpected', 'unrecognizedError', 'unexpectedError', 'mistypedParameter'],
];

/** Reject problem type names, index = problemType. */
export const REJECT_PROBLEM_TYPE_NAMES: readonly string[] = [
  'generalProblem', 'invokeProblem', 'returnResultProblem', 'returnErrorProblem',
];

/** Message type names for records. */
export function tcapMessageTypeName(msgType: number): string {
  switch (msgType) {
    case TcapMsgType.Unidirectional: return 'unidirectional';
    case TcapMsgType.Begin: return 'begin';
    case TcapMsgType.End: return 'end';
    case TcapMsgType.Continue: return 'continue';
    case TcapMsgType.Abort: return 'abort';
    default: return 'unknown';
  }
}

/** Reject problem name for records, e.g. 'invokeProblem.mistypedParameter'. */
export function rejectProblemName(problemType: number, problemCode: number): string {
  const t = REJECT_PROBLEM_TYPE_NAMES[problemType];
  if (t === undefined) return 'unknownProblem';
  const c = REJECT_PROBLEM_NAMES[problemType][problemCode];
  return c === undefined ? `${t}.${problemCode}` : `${t}.${c}`;
}
