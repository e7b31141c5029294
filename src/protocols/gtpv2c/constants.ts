/** GTPv2-C constants (3GPP TS 29.274). */
import { buildMessageTable, GtpMsgKind, reqRsp, type GtpMessageRow } from '../gtp/messages';

/** Header without TEID: flags(1) type(1) length(2) sequence(3) spare(1) (TS 29.274 §5.1). */
export const GTPV2_HEADER_LEN = 8;
/** Header with TEID (T = 1): flags type length TEID(4) sequence(3) spare(1). */
export const GTPV2_HEADER_LEN_TEID = 12;
/** The Message Length field counts the octets after the first 4 (§5.5.1). */
export const GTPV2_LENGTH_OFFSET = 4;
/** IE header: type(1) length(2) spare(4 bits) instance(4 bits) (§8.2.1). */
export const GTPV2_IE_HEADER_LEN = 4;
/** Information elements walked at most per message (all levels together). */
export const GTPV2_MAX_IES = 256;
/** Messages per UDP datagram at most: an initial message and one piggybacked (§5.5.1, Annex F). */
export const GTPV2_MAX_PIGGYBACKED = 2;

/** Header flag bits of octet 1 (§5.1). */
export const GTPV2_FLAG_P = 0x10;
export const GTPV2_FLAG_T = 0x08;
export const GTPV2_FLAG_MP = 0x04;

export const enum Gtpv2Anomaly {
  Ok = 0,
  /** Fewer octets than the header, or the message is longer than the captured data. */
  Truncated = 1,
  /** Version is not 2. */
  BadVersion = 2,
  /** Message Length shorter than the rest of the header (e.g. 0). */
  BadLength = 3,
  /** An IE runs past the end of the message or of its grouped IE (the walk stops). */
  IeTruncated = 4,
  /** More than GTPV2_MAX_IES IEs (the walk stops). */
  TooManyIes = 5,
  /** An IE too short for its type (F-TEID without its TEID, RAT Type of 2 octets...): ignored. */
  BadIeLength = 6,
  /** More than GTPV2_MAX_PIGGYBACKED messages chained by the P flag in one datagram. */
  TooManyPiggybacked = 7,
}

export const GTPV2_ANOMALY_NAMES: readonly string[] = [
  'ok', 'truncated', 'bad_version', 'bad_length', 'ie_truncated', 'too_many_ies', 'bad_ie_length',
  'too_many_piggybacked',
];

/** Message types used in code (§6.1 Table 6.1-1). */
export const enum Gtpv2Msg {
  EchoRequest = 1,
  EchoResponse = 2,
  VersionNotSupported = 3,
  CreateSessionRequest = 32,
  CreateSessionResponse = 33,
  ModifyBearerRequest = 34,
  ModifyBearerResponse = 35,
  DeleteSessionRequest = 36,
  DeleteSessionResponse = 37,
  ModifyBearerCommand = 64,
  DeleteBearerCommand = 66,
  BearerResourceCommand = 68,
  CreateBearerRequest = 95,
  UpdateBearerRequest = 97,
  DeleteBearerRequest = 99,
  ReleaseAccessBearersRequest = 170,
}

/** Information element types used by the decoder (§8.1 Table 8.1-1). */
export const enum Gtpv2Ie {
  Imsi = 1,
  Cause = 2,
  Recovery = 3,
  Apn = 71,
  Ebi = 73,
  Mei = 75,
  Msisdn = 76,
  Paa = 79,
  RatType = 82,
  ServingNetwork = 83,
  Uli = 86,
  Fteid = 87,
  BearerContext = 93,
  ChargingId = 94,
  PdnType = 99,
}

/** Minimum value sizes (§8): RAT Type 1, Serving Network 3, F-TEID flags + TEID 5, Charging ID 4. */
export const GTPV2_RAT_TYPE_LEN = 1;
export const GTPV2_SERVING_NETWORK_LEN = 3;
export const GTPV2_FTEID_MIN_LEN = 5;
export const GTPV2_CHARGING_ID_LEN = 4;

/** F-TEID flags (§8.22): V4, V6, then the 6-bit interface type. */
export const GTPV2_FTEID_V4 = 0x80;
export const GTPV2_FTEID_V6 = 0x40;

/** ULI flags (§8.21.1), in the order their fields follow: CGI SAI RAI TAI ECGI LAI (each starts with a PLMN). */
export const GTPV2_ULI_PLMN_FIELDS: readonly (readonly [number, number])[] = [
  [0x01, 7], // CGI: PLMN(3) LAC(2) CI(2)
  [0x02, 7], // SAI: PLMN(3) LAC(2) SAC(2)
  [0x04, 7], // RAI: PLMN(3) LAC(2) RAC(2)
  [0x08, 5], // TAI: PLMN(3) TAC(2)
  [0x10, 7], // ECGI: PLMN(3) spare+ECI(4)
  [0x20, 5], // LAI: PLMN(3) LAC(2)
  [0x40, 6], // Macro eNodeB ID: PLMN(3) id(3)
  [0x80, 6], // Extended Macro eNodeB ID: PLMN(3) id(3)
];

/** Cause values (§8.4 Table 8.4-1): 16..63 accept the request (status ok), 64.. reject it. */
export const GTPV2_CAUSE_ACCEPT_MIN = 16;
export const GTPV2_CAUSE_ACCEPT_MAX = 63;

export const GTPV2_CAUSE_NAMES: ReadonlyMap<number, string> = new Map([
  [2, 'Local Detach'], [3, 'Complete Detach'], [4, 'RAT changed from 3GPP to Non-3GPP'],
  [5, 'ISR deactivation'], [6, 'Error Indication received from RNC/eNodeB/S4-SGSN/MME'],
  [7, 'IMSI Detach Only'], [8, 'Reactivation Requested'], [9, 'PDN reconnection to this APN disallowed'],
  [10, 'Access changed from Non-3GPP to 3GPP'], [11, 'PDN connection inactivity timer expires'],
  [12, 'PGW not responding'], [13, 'Network Failure'], [14, 'QoS parameter mismatch'], [15, 'EPS to 5GS Mobility'],
  [16, 'Request accepted'], [17, 'Request accepted partially'], [18, 'New PDN type due to network preference'],
  [19, 'New PDN type due to single address bearer only'],
  [64, 'Context Not Found'], [65, 'Invalid Message Format'], [66, 'Version not supported by next peer'],
  [67, 'Invalid length'], [68, 'Service not supported'], [69, 'Mandatory IE incorrect'],
  [70, 'Mandatory IE missing'], [72, 'System failure'], [73, 'No resources available'],
  [74, 'Semantic error in the TFT operation'], [75, 'Syntactic error in the TFT operation'],
  [76, 'Semantic errors in packet filter(s)'], [77, 'Syntactic errors in packet filter(s)'],
  [78, 'Missing or unknown APN'], [80, 'GRE key not found'], [81, 'Relocation failure'],
  [82, 'Denied in RAT'], [83, 'Preferred PDN type not supported'], [84, 'All dynamic addresses are occupied'],
  [85, 'UE context without TFT already activated'], [86, 'Protocol type not supported'],
  [87, 'UE not responding'], [88, 'UE refuses'], [89, 'Service denied'], [90, 'Unable to page UE'],
  [91, 'No memory available'], [92, 'User authentication failed'], [93, 'APN access denied - no subscription'],
  [94, 'Request rejected (reason not specified)'], [95, 'P-TMSI Signature mismatch'], [96, 'IMSI/IMEI not known'],
  [97, 'Semantic error in the TAD operation'], [98, 'Syntactic error in the TAD operation'],
  [100, 'Remote peer not responding'], [101, 'Collision with network initiated request'],
  [102, 'Unable to page UE due to Suspension'], [103, 'Conditional IE missing'],
  [104, 'APN Restriction type Incompatible with currently active PDN connection'],
  [105, 'Invalid overall length of the triggered response message and a piggybacked initial message'],
  [106, 'Data forwarding not supported'], [107, 'Invalid reply from remote peer'], [108, 'Fallback to GTPv1'],
  [109, 'Invalid peer'], [110, 'Temporarily rejected due to handover/TAU/RAU procedure in progress'],
  [111, 'Modifications not limited to S1-U bearers'], [112, 'Request rejected for a PMIPv6 reason'],
  [113, 'APN Congestion'], [114, 'Bearer handling not supported'], [115, 'UE already re-attached'],
  [116, 'Multiple PDN connections for a given APN not allowed'], [117, 'Target access restricted for the subscriber'],
  [119, 'MME/SGSN refuses due to VPLMN Policy'], [120, 'GTP-C Entity Congestion'], [121, 'Late Overlapping Request'],
  [122, 'Timed out Request'], [123, 'UE is temporarily not reachable due to power saving'],
  [124, 'Relocation failure due to NAS message redirection'], [125, 'UE not authorised by OCS or external AAA Server'],
  [126, 'Multiple accesses to a PDN connection not allowed'], [127, 'Request rejected due to UE capability'],
  [128, 'S1-U Path Failure'], [129, '5GC not allowed'], [130, 'PGW mismatch with network slice subscribed by the UE'],
  [131, 'Rejection due to paging restriction'],
]);

/** RAT Type values (§8.17). */
export const GTPV2_RAT_NAMES: readonly string[] = [
  '', 'UTRAN', 'GERAN', 'WLAN', 'GAN', 'HSPA-Evolution', 'EUTRAN', 'Virtual', 'NB-IoT', 'LTE-M', 'NR',
  'EUTRAN-LEO', 'EUTRAN-MEO', 'EUTRAN-GEO', 'EUTRAN-OTHERSAT', 'NB-IoT-LEO', 'NB-IoT-MEO', 'NB-IoT-GEO',
  'NB-IoT-OTHERSAT', 'LTE-M-LEO', 'LTE-M-MEO', 'LTE-M-GEO', 'LTE-M-OTHERSAT',
];

/**
 * Message table (§6.1 Table 6.1-1). A Command (64, 66, 68) is answered by its Failure Indication
 * (+1) or, on success, by the Update / Delete / Create Bearer Request it triggers, which carries
 * the Command's sequence number (§7.6).
 */
const ROWS: GtpMessageRow[] = [
  ...reqRsp(1, 2, 'Echo'),
  [3, GtpMsgKind.Notification, -1, 'VersionNotSupportedIndication'],
  ...reqRsp(32, 33, 'CreateSession'),
  ...reqRsp(34, 35, 'ModifyBearer'),
  ...reqRsp(36, 37, 'DeleteSession'),
  ...reqRsp(38, 39, 'ChangeNotification'),
  ...reqRsp(40, 41, 'RemoteUEReportNotification'),
  ...reqRsp(64, 65, 'ModifyBearerCommand'),
  ...reqRsp(66, 67, 'DeleteBearerCommand'),
  ...reqRsp(68, 69, 'BearerResourceCommand'),
  [70, GtpMsgKind.Notification, -1, 'DownlinkDataNotificationFailureIndication'],
  [71, GtpMsgKind.Notification, -1, 'TraceSessionActivation'],
  [72, GtpMsgKind.Notification, -1, 'TraceSessionDeactivation'],
  [73, GtpMsgKind.Notification, -1, 'StopPagingIndication'],
  ...reqRsp(95, 96, 'CreateBearer'),
  ...reqRsp(97, 98, 'UpdateBearer'),
  ...reqRsp(99, 100, 'DeleteBearer'),
  ...reqRsp(101, 102, 'DeletePDNConnectionSet'),
  ...reqRsp(103, 104, 'PGWDownlinkTriggeringNotification'),
  ...reqRsp(128, 129, 'Identification'),
  ...reqRsp(130, 131, 'Context'),
  [132, GtpMsgKind.Notification, -1, 'ContextAcknowledge'],
  ...reqRsp(133, 134, 'ForwardRelocation'),
  ...reqRsp(135, 136, 'ForwardRelocationCompleteNotification'),
  ...reqRsp(137, 138, 'ForwardAccessContextNotification'),
  ...reqRsp(139, 140, 'RelocationCancel'),
  [141, GtpMsgKind.Notification, -1, 'ConfigurationTransferTunnel'],
  ...reqRsp(149, 150, 'DetachNotification'),
  [151, GtpMsgKind.Notification, -1, 'CSPagingIndication'],
  [152, GtpMsgKind.Notification, -1, 'RANInformationRelay'],
  ...reqRsp(153, 154, 'AlertMMENotification'),
  ...reqRsp(155, 156, 'UEActivityNotification'),
  [157, GtpMsgKind.Notification, -1, 'ISRStatusIndication'],
  ...reqRsp(158, 159, 'UERegistrationQuery'),
  ...reqRsp(160, 161, 'CreateForwardingTunnel'),
  ...reqRsp(162, 163, 'SuspendNotification'),
  ...reqRsp(164, 165, 'ResumeNotification'),
  ...reqRsp(166, 167, 'CreateIndirectDataForwardingTunnel'),
  ...reqRsp(168, 169, 'DeleteIndirectDataForwardingTunnel'),
  ...reqRsp(170, 171, 'ReleaseAccessBearers'),
  ...reqRsp(176, 177, 'DownlinkDataNotification'),
  ...reqRsp(179, 180, 'PGWRestartNotification'),
  ...reqRsp(200, 201, 'UpdatePDNConnectionSet'),
  ...reqRsp(211, 212, 'ModifyAccessBearers'),
  ...reqRsp(231, 232, 'MBMSSessionStart'),
  ...reqRsp(233, 234, 'MBMSSessionUpdate'),
  ...reqRsp(235, 236, 'MBMSSessionStop'),
];

export const GTPV2_MESSAGES = buildMessageTable(ROWS);
