/**
 * Diameter dictionary as data: the base protocol (RFC 6733), Credit-Control (RFC 4006), NASREQ
 * (RFC 7155) and the 3GPP interfaces the probe names (S6a/S6d TS 29.272, Cx TS 29.229, Gx
 * TS 29.212, Rx TS 29.214, S13 TS 29.272 §7.2.19).
 */

/** Header (RFC 6733 §3): version(1) length(3) flags(1) command code(3) application id(4)
 *  hop-by-hop(4) end-to-end(4). */
export const DIAMETER_HEADER_LEN = 20;
/** Version 1 (RFC 6733 §3). */
export const DIAMETER_VERSION = 1;
/** AVP header without / with the Vendor-ID field (RFC 6733 §4.1). */
export const AVP_HEADER_LEN = 8;
export const AVP_HEADER_LEN_VENDOR = 12;
/** AVPs walked per message at most (all nesting levels). */
export const MAX_AVPS = 2048;
/** Grouped AVP nesting at most (the message level is depth 0). */
export const MAX_AVP_DEPTH = 8;

/** Command flags (RFC 6733 §3). */
export const enum DiameterFlag {
  Request = 0x80,
  Proxiable = 0x40,
  Error = 0x20,
  /** Potentially retransmitted message (§5.5.4). */
  Retransmit = 0x10,
  /** The low 4 bits are reserved (MUST be zero). */
  Reserved = 0x0f,
}

/** AVP flags (RFC 6733 §4.1). */
export const enum AvpFlag {
  Vendor = 0x80,
  Mandatory = 0x40,
  Protected = 0x20,
}

/** Vendor-Id values (IANA SMI network management private enterprise codes). */
export const enum VendorId {
  None = 0,
  ThreeGpp = 10415,
}

/** Application-Id values (IANA "Application IDs", TS 29.230 §7). */
export const enum AppId {
  Common = 0,
  Nasreq = 1,
  BaseAccounting = 3,
  CreditControl = 4,
  Cx = 16777216,
  Sh = 16777217,
  Rx = 16777236,
  Gx = 16777238,
  S6a = 16777251,
  S13 = 16777252,
  Swx = 16777265,
  S6b = 16777272,
  Relay = 0xffffffff,
}

export const APPLICATION_NAMES: ReadonlyMap<number, string> = new Map([
  [AppId.Common, 'Diameter Common Messages'],
  [AppId.Nasreq, 'NASREQ'],
  [AppId.BaseAccounting, 'Diameter Base Accounting'],
  [AppId.CreditControl, 'Diameter Credit Control'],
  [AppId.Cx, '3GPP Cx'],
  [AppId.Sh, '3GPP Sh'],
  [AppId.Rx, '3GPP Rx'],
  [AppId.Gx, '3GPP Gx'],
  [AppId.S6a, '3GPP S6a/S6d'],
  [AppId.S13, '3GPP S13'],
  [AppId.Swx, '3GPP SWx'],
  [AppId.S6b, '3GPP S6b'],
  [AppId.Relay, 'Relay'],
]);

/** A command: its name and the abbreviations of request and answer. app = 0: any application. */
export interface CommandDef {
  code: number;
  app: number;
  name: string;
  request: string;
  answer: string;
}

/**
 * Commands by code (RFC 6733 §3.1; RFC 4006 §3; RFC 7155 §3; TS 29.272 §7.2.2; TS 29.229 §6.1;
 * TS 29.212 §5.6; TS 29.214 §5.6). An entry with app ≠ 0 names the code in that application only.
 */
export const COMMANDS: readonly CommandDef[] = [
  // RFC 6733 base protocol
  { code: 257, app: 0, name: 'Capabilities-Exchange', request: 'CER', answer: 'CEA' },
  { code: 258, app: 0, name: 'Re-Auth', request: 'RAR', answer: 'RAA' },
  { code: 271, app: 0, name: 'Accounting', request: 'ACR', answer: 'ACA' },
  { code: 274, app: 0, name: 'Abort-Session', request: 'ASR', answer: 'ASA' },
  { code: 275, app: 0, name: 'Session-Termination', request: 'STR', answer: 'STA' },
  { code: 280, app: 0, name: 'Device-Watchdog', request: 'DWR', answer: 'DWA' },
  { code: 282, app: 0, name: 'Disconnect-Peer', request: 'DPR', answer: 'DPA' },
  // RFC 7155 NASREQ (Rx AA-Request, TS 29.214 §5.6.1)
  { code: 265, app: 0, name: 'AA', request: 'AAR', answer: 'AAA' },
  // RFC 4006 Credit-Control (Gy, Gx TS 29.212 §5.6.2)
  { code: 272, app: 0, name: 'Credit-Control', request: 'CCR', answer: 'CCA' },
  // TS 29.229 §6.1 Cx/Dx (also SWx TS 29.273 for 301, 303-305)
  { code: 300, app: 0, name: 'User-Authorization', request: 'UAR', answer: 'UAA' },
  { code: 301, app: 0, name: 'Server-Assignment', request: 'SAR', answer: 'SAA' },
  { code: 302, app: 0, name: 'Location-Info', request: 'LIR', answer: 'LIA' },
  { code: 303, app: 0, name: 'Multimedia-Auth', request: 'MAR', answer: 'MAA' },
  { code: 304, app: 0, name: 'Registration-Termination', request: 'RTR', answer: 'RTA' },
  { code: 305, app: 0, name: 'Push-Profile', request: 'PPR', answer: 'PPA' },
  // TS 29.272 §7.2.2 S6a/S6d
  { code: 316, app: 0, name: 'Update-Location', request: 'ULR', answer: 'ULA' },
  { code: 317, app: 0, name: 'Cancel-Location', request: 'CLR', answer: 'CLA' },
  { code: 318, app: 0, name: 'Authentication-Information', request: 'AIR', answer: 'AIA' },
  { code: 319, app: 0, name: 'Insert-Subscriber-Data', request: 'IDR', answer: 'IDA' },
  { code: 320, app: 0, name: 'Delete-Subscriber-Data', request: 'DSR', answer: 'DSA' },
  { code: 321, app: 0, name: 'Purge-UE', request: 'PUR', answer: 'PUA' },
  { code: 322, app: 0, name: 'Reset', request: 'RSR', answer: 'RSA' },
  { code: 323, app: 0, name: 'Notify', request: 'NOR', answer: 'NOA' },
  // TS 29.272 §7.2.19 S13
  { code: 324, app: 0, name: 'ME-Identity-Check', request: 'ECR', answer: 'ECA' },
];

/** app → code → command (app 0: the entries valid in any application). */
const COMMAND_TABLE = new Map<number, Map<number, CommandDef>>();
for (const c of COMMANDS) {
  let m = COMMAND_TABLE.get(c.app);
  if (m === undefined) COMMAND_TABLE.set(c.app, (m = new Map()));
  m.set(c.code, c);
}

/** The command of a code within an application (application-specific entry first), or null. */
export function commandDef(code: number, app: number): CommandDef | null {
  return COMMAND_TABLE.get(app)?.get(code) ?? COMMAND_TABLE.get(0)?.get(code) ?? null;
}

/** 'ULR', 'CEA'...: the abbreviation of a request or an answer, or null for an unknown code. */
export function commandAbbreviation(code: number, app: number, request: boolean): string | null {
  const c = commandDef(code, app);
  return c === null ? null : request ? c.request : c.answer;
}

/** AVP codes (vendor 0: RFC 6733 §4.5, RFC 4006 §8, RFC 7155; vendor 10415: TS 29.272 §7.3,
 *  TS 29.229 §6.3, TS 29.212 §5.3). */
export const enum AvpCode {
  UserName = 1,
  HostIpAddress = 257,
  AuthApplicationId = 258,
  AcctApplicationId = 259,
  VendorSpecificApplicationId = 260,
  SessionId = 263,
  OriginHost = 264,
  SupportedVendorId = 265,
  VendorId = 266,
  FirmwareRevision = 267,
  ResultCode = 268,
  ProductName = 269,
  DisconnectCause = 273,
  AuthSessionState = 277,
  OriginStateId = 278,
  FailedAvp = 279,
  ErrorMessage = 281,
  RouteRecord = 282,
  DestinationRealm = 283,
  ProxyInfo = 284,
  DestinationHost = 293,
  OriginRealm = 296,
  ExperimentalResult = 297,
  ExperimentalResultCode = 298,
  InbandSecurityId = 299,
  // RFC 4006
  GrantedServiceUnit = 431,
  RequestedServiceUnit = 437,
  SubscriptionId = 443,
  SubscriptionIdData = 444,
  UsedServiceUnit = 446,
  SubscriptionIdType = 450,
  MultipleServicesCreditControl = 456,
  UserEquipmentInfo = 458,
  // 3GPP (vendor 10415)
  SupportedFeatures = 628,
  FeatureListId = 629,
  FeatureList = 630,
  AllocationRetentionPriority = 1034,
  RatType = 1032,
  QosInformation = 1016,
  SubscriptionData = 1400,
  TerminalInformation = 1401,
  UlrFlags = 1405,
  UlaFlags = 1406,
  VisitedPlmnId = 1407,
  RequestedEutranAuthenticationInfo = 1408,
  RequestedUtranGeranAuthenticationInfo = 1409,
  AuthenticationInfo = 1413,
  EutranVector = 1414,
  UtranVector = 1415,
  GeranVector = 1416,
  CancellationType = 1420,
  ApnConfigurationProfile = 1429,
  ApnConfiguration = 1430,
  EpsSubscribedQosProfile = 1431,
  Ambr = 1435,
}

/** Subscription-Id-Type END_USER_IMSI (RFC 4006 §8.47). */
export const SUBSCRIPTION_ID_TYPE_IMSI = 1;

/** Grouped AVPs the walker descends into: without vendor (IETF) and of vendor 3GPP. */
export const GROUPED_BASE: ReadonlySet<number> = new Set([
  AvpCode.VendorSpecificApplicationId, AvpCode.FailedAvp, AvpCode.ProxyInfo, AvpCode.ExperimentalResult,
  AvpCode.GrantedServiceUnit, AvpCode.RequestedServiceUnit, AvpCode.SubscriptionId, AvpCode.UsedServiceUnit,
  AvpCode.MultipleServicesCreditControl, AvpCode.UserEquipmentInfo,
]);
export const GROUPED_3GPP: ReadonlySet<number> = new Set([
  AvpCode.SupportedFeatures, AvpCode.QosInformation, AvpCode.AllocationRetentionPriority, AvpCode.SubscriptionData,
  AvpCode.TerminalInformation, AvpCode.RequestedEutranAuthenticationInfo, AvpCode.RequestedUtranGeranAuthenticationInfo,
  AvpCode.AuthenticationInfo, AvpCode.EutranVector, AvpCode.UtranVector, AvpCode.GeranVector,
  AvpCode.ApnConfigurationProfile, AvpCode.ApnConfiguration, AvpCode.EpsSubscribedQosProfile, AvpCode.Ambr,
]);

/** RAT-Type (TS 29.212 §5.3.31) by value; the record's rat_type column. */
export const RAT_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'WLAN'],
  [1, 'VIRTUAL'],
  [2, 'TRUSTED-N3GA'],
  [3, 'TRUSTED-WLAN'],
  [4, 'WIRELINE'],
  [5, 'WIRELINE-CABLE'],
  [6, 'WIRELINE-BBF'],
  [1000, 'UTRAN'],
  [1001, 'GERAN'],
  [1002, 'GAN'],
  [1003, 'HSPA-EVOLUTION'],
  [1004, 'EUTRAN'],
  [1005, 'NB-IoT'],
  [1006, 'NR'],
  [1007, 'LTE-M'],
  [2000, 'CDMA2000-1X'],
  [2001, 'HRPD'],
  [2002, 'UMB'],
  [2003, 'EHRPD'],
]);

export function ratTypeName(v: number): string {
  return RAT_TYPE_NAMES.get(v) ?? String(v);
}

/** Cancellation-Type (TS 29.272 §7.3.24). */
export const CANCELLATION_TYPE_NAMES: readonly string[] = [
  'MME_UPDATE_PROCEDURE', 'SGSN_UPDATE_PROCEDURE', 'SUBSCRIPTION_WITHDRAWAL', 'UPDATE_PROCEDURE_IWF', 'INITIAL_ATTACH_PROCEDURE',
];

/** ULR-Flags bits (TS 29.272 §7.3.7). */
export const enum UlrFlag {
  SingleRegistrationIndication = 1 << 0,
  S6aS6dIndicator = 1 << 1,
  SkipSubscriberData = 1 << 2,
  GprsSubscriptionDataIndicator = 1 << 3,
  NodeTypeIndicator = 1 << 4,
  InitialAttachIndicator = 1 << 5,
  PsLcsNotSupportedByUe = 1 << 6,
  SmsOnlyIndication = 1 << 7,
}

/** Result-Code values (RFC 6733 §7.1, RFC 4006 §9, RFC 7155 §4.1). */
export const RESULT_CODE_NAMES: ReadonlyMap<number, string> = new Map([
  [1001, 'DIAMETER_MULTI_ROUND_AUTH'],
  [2001, 'DIAMETER_SUCCESS'],
  [2002, 'DIAMETER_LIMITED_SUCCESS'],
  [3001, 'DIAMETER_COMMAND_UNSUPPORTED'],
  [3002, 'DIAMETER_UNABLE_TO_DELIVER'],
  [3003, 'DIAMETER_REALM_NOT_SERVED'],
  [3004, 'DIAMETER_TOO_BUSY'],
  [3005, 'DIAMETER_LOOP_DETECTED'],
  [3006, 'DIAMETER_REDIRECT_INDICATION'],
  [3007, 'DIAMETER_APPLICATION_UNSUPPORTED'],
  [3008, 'DIAMETER_INVALID_HDR_BITS'],
  [3009, 'DIAMETER_INVALID_AVP_BITS'],
  [3010, 'DIAMETER_UNKNOWN_PEER'],
  [4001, 'DIAMETER_AUTHENTICATION_REJECTED'],
  [4002, 'DIAMETER_OUT_OF_SPACE'],
  [4003, 'ELECTION_LOST'],
  [4010, 'DIAMETER_END_USER_SERVICE_DENIED'],
  [4011, 'DIAMETER_CREDIT_CONTROL_NOT_APPLICABLE'],
  [4012, 'DIAMETER_CREDIT_LIMIT_REACHED'],
  [5001, 'DIAMETER_AVP_UNSUPPORTED'],
  [5002, 'DIAMETER_UNKNOWN_SESSION_ID'],
  [5003, 'DIAMETER_AUTHORIZATION_REJECTED'],
  [5004, 'DIAMETER_INVALID_AVP_VALUE'],
  [5005, 'DIAMETER_MISSING_AVP'],
  [5006, 'DIAMETER_RESOURCES_EXCEEDED'],
  [5007, 'DIAMETER_CONTRADICTING_AVPS'],
  [5008, 'DIAMETER_AVP_NOT_ALLOWED'],
  [5009, 'DIAMETER_AVP_OCCURS_TOO_MANY_TIMES'],
  [5010, 'DIAMETER_NO_COMMON_APPLICATION'],
  [5011, 'DIAMETER_UNSUPPORTED_VERSION'],
  [5012, 'DIAMETER_UNABLE_TO_COMPLY'],
  [5013, 'DIAMETER_INVALID_BIT_IN_HEADER'],
  [5014, 'DIAMETER_INVALID_AVP_LENGTH'],
  [5015, 'DIAMETER_INVALID_MESSAGE_LENGTH'],
  [5016, 'DIAMETER_INVALID_AVP_BIT_COMBO'],
  [5017, 'DIAMETER_NO_COMMON_SECURITY'],
  [5030, 'DIAMETER_USER_UNKNOWN'],
  [5031, 'DIAMETER_RATING_FAILED'],
]);

/**
 * Experimental-Result-Code values of vendor 3GPP: by application first (S6a/S6d TS 29.272 §7.4,
 * Cx TS 29.229 §6.2), then the ones shared by the 3GPP interfaces. The same number means
 * something else as a Result-Code (5001: AVP_UNSUPPORTED there, USER_UNKNOWN here).
 */
const EXPERIMENTAL_S6A = new Map<number, string>([
  [4181, 'DIAMETER_AUTHENTICATION_DATA_UNAVAILABLE'],
  [4182, 'DIAMETER_ERROR_CAMEL_SUBSCRIPTION_PRESENT'],
  [5001, 'DIAMETER_ERROR_USER_UNKNOWN'],
  [5004, 'DIAMETER_ERROR_ROAMING_NOT_ALLOWED'],
  [5420, 'DIAMETER_ERROR_UNKNOWN_EPS_SUBSCRIPTION'],
  [5421, 'DIAMETER_ERROR_RAT_NOT_ALLOWED'],
  [5422, 'DIAMETER_ERROR_EQUIPMENT_UNKNOWN'],
  [5423, 'DIAMETER_ERROR_UNKNOWN_SERVING_NODE'],
]);
const EXPERIMENTAL_CX = new Map<number, string>([
  [2001, 'DIAMETER_FIRST_REGISTRATION'],
  [2002, 'DIAMETER_SUBSEQUENT_REGISTRATION'],
  [2003, 'DIAMETER_UNREGISTERED_SERVICE'],
  [2004, 'DIAMETER_SUCCESS_SERVER_NAME_NOT_STORED'],
  [5001, 'DIAMETER_ERROR_USER_UNKNOWN'],
  [5002, 'DIAMETER_ERROR_IDENTITIES_DONT_MATCH'],
  [5003, 'DIAMETER_ERROR_IDENTITY_NOT_REGISTERED'],
  [5004, 'DIAMETER_ERROR_ROAMING_NOT_ALLOWED'],
  [5005, 'DIAMETER_ERROR_IDENTITY_ALREADY_REGISTERED'],
  [5006, 'DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED'],
  [5007, 'DIAMETER_ERROR_IN_ASSIGNMENT_TYPE'],
  [5008, 'DIAMETER_ERROR_TOO_MUCH_DATA'],
  [5009, 'DIAMETER_ERROR_NOT_SUPPORTED_USER_DATA'],
  [5011, 'DIAMETER_ERROR_FEATURE_UNSUPPORTED'],
]);
const EXPERIMENTAL_3GPP = new Map<number, string>([
  [5001, 'DIAMETER_ERROR_USER_UNKNOWN'],
  [5004, 'DIAMETER_ERROR_ROAMING_NOT_ALLOWED'],
]);
const EXPERIMENTAL_BY_APP: ReadonlyMap<number, ReadonlyMap<number, string>> = new Map([
  [AppId.S6a, EXPERIMENTAL_S6A],
  [AppId.S13, EXPERIMENTAL_S6A],
  [AppId.Cx, EXPERIMENTAL_CX],
  [AppId.Swx, EXPERIMENTAL_CX],
]);

/** Name of a result: Result-Code (experimental = false) or Experimental-Result-Code of `vendor`. */
export function resultCodeName(code: number, experimental: boolean, vendor: number, app: number): string | null {
  if (!experimental) return RESULT_CODE_NAMES.get(code) ?? null;
  if (vendor !== VendorId.ThreeGpp) return null;
  return EXPERIMENTAL_BY_APP.get(app)?.get(code) ?? EXPERIMENTAL_3GPP.get(code) ?? null;
}

/**
 * Anomaly codes of the Diameter layer: message decoding (1-9), the TCP framer (10-13) and the
 * transaction correlation (14-19).
 */
export const enum DiameterAnomaly {
  Ok = 0,
  /** fewer than 20 octets, or the Message Length runs past the data */
  Truncated = 1,
  /** version ≠ 1 */
  BadVersion = 2,
  /** Message Length < 20 */
  BadLength = 3,
  /** an AVP length < its header, or past the end of its message / grouped AVP */
  BadAvpLength = 4,
  /** more than MAX_AVPS AVPs */
  TooManyAvps = 5,
  /** grouped AVPs nested deeper than MAX_AVP_DEPTH */
  NestingTooDeep = 6,
  /** an AVP of a fixed-size type (Unsigned32, Visited-PLMN-Id) with another size */
  BadAvpValue = 7,
  /** octets after Message Length (one SCTP user message holds one Diameter message) */
  TrailingData = 8,
  /** E bit set on a request (RFC 6733 §3) */
  BadFlags = 9,
  /** TCP: an invalid header where a message should start: the framer resynchronises */
  StreamResync = 10,
  /** TCP: a message longer than the framer's bound (skipped) */
  MessageTooLarge = 11,
  /** TCP: a partial message dropped (gap in the stream, stream end, buffer bound) */
  PartialDropped = 12,
  /** SCTP PPID 47 (DTLS): encrypted, not decoded */
  Encrypted = 13,
  /** an answer with no pending request on its connection (hop-by-hop id) */
  OrphanAnswer = 14,
  /** a request seen again while pending (same hop-by-hop and end-to-end id, or T flag) */
  Retransmission = 15,
  /** a new request on a pending hop-by-hop id: the old one is closed (tid_reused) */
  HopByHopReused = 16,
  /** an answer whose end-to-end id or command code differ from the pending request's */
  AnswerMismatch = 17,
  /** pending table full: the least recently active request closed */
  Evicted = 18,
  /** no answer within the idle timeout */
  IdleTimeout = 19,
}

export const DIAMETER_ANOMALY_NAMES: readonly string[] = [
  'ok', 'truncated', 'bad_version', 'bad_length', 'bad_avp_length', 'too_many_avps', 'nesting_too_deep',
  'bad_avp_value', 'trailing_data', 'bad_flags', 'stream_resync', 'message_too_large', 'partial_dropped',
  'encrypted', 'orphan_answer', 'retransmission', 'hop_by_hop_reused', 'answer_mismatch', 'evicted',
  'idle_timeout',
];
