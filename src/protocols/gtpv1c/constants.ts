/** GTPv1 constants (3GPP TS 29.060; GTP-U path messages TS 29.281). */
import { buildMessageTable, GtpMsgKind, reqRsp, type GtpMessageRow } from '../gtp/messages';

/** Mandatory header: flags(1) type(1) length(2) TEID(4) (TS 29.060 §6). */
export const GTPV1_HEADER_LEN = 8;
/** Sequence Number(2) N-PDU Number(1) Next Extension Header Type(1), present when E, S or PN is set. */
export const GTPV1_OPT_HEADER_LEN = 4;
/** Extension headers walked at most per message (TS 29.060 §6.1). */
export const GTPV1_MAX_EXT_HEADERS = 8;
/** Information elements walked at most per message. */
export const GTPV1_MAX_IES = 128;

/** Header flag bits of octet 1 (TS 29.060 §6). */
export const GTPV1_FLAG_PN = 0x01;
export const GTPV1_FLAG_S = 0x02;
export const GTPV1_FLAG_E = 0x04;
export const GTPV1_FLAG_PT = 0x10;

export const enum Gtpv1Anomaly {
  Ok = 0,
  /** Fewer than 8 octets, or the message is longer than the captured data. */
  Truncated = 1,
  /** Not version 1 / protocol type GTP (PT = 1). */
  BadVersion = 2,
  /** Length field shorter than the optional header fields the flags announce. */
  BadLength = 3,
  /** An extension header of length 0 or past the end of the message. */
  BadExtHeader = 4,
  /** More than GTPV1_MAX_EXT_HEADERS extension headers (the walk stops; IEs not read). */
  TooManyExtHeaders = 5,
  /** An IE runs past the end of the message (the walk stops; what was read is kept). */
  IeTruncated = 6,
  /** A TV IE type whose length TS 29.060 does not define: the rest cannot be walked. */
  UnknownTvIe = 7,
  /** More than GTPV1_MAX_IES IEs (the walk stops). */
  TooManyIes = 8,
  /** An IE of the wrong size for its type (e.g. an IMSI of 3 octets): the IE is ignored. */
  BadIeLength = 9,
}

export const GTPV1_ANOMALY_NAMES: readonly string[] = [
  'ok', 'truncated', 'bad_version', 'bad_length', 'bad_ext_header', 'too_many_ext_headers',
  'ie_truncated', 'unknown_tv_ie', 'too_many_ies', 'bad_ie_length',
];

/** Message types (TS 29.060 §7.1 Table 1; TS 29.281 §7.1). */
export const enum Gtpv1Msg {
  EchoRequest = 1,
  EchoResponse = 2,
  VersionNotSupported = 3,
  CreatePdpContextRequest = 16,
  CreatePdpContextResponse = 17,
  UpdatePdpContextRequest = 18,
  UpdatePdpContextResponse = 19,
  DeletePdpContextRequest = 20,
  DeletePdpContextResponse = 21,
  ErrorIndication = 26,
  SupportedExtensionHeadersNotification = 31,
  EndMarker = 254,
  GPdu = 255,
}

/** Information element types used by the decoder (TS 29.060 §7.7, Table 37). */
export const enum Gtpv1Ie {
  Cause = 1,
  Imsi = 2,
  Rai = 3,
  Recovery = 14,
  TeidDataI = 16,
  TeidControlPlane = 17,
  TeardownInd = 19,
  Nsapi = 20,
  ChargingId = 127,
  EndUserAddress = 128,
  Apn = 131,
  GsnAddress = 133,
  Msisdn = 134,
  RatType = 151,
  UserLocationInformation = 152,
  ImeiSv = 154,
}

/**
 * Value length (octets, type octet excluded) of every TV information element (types 1..127),
 * TS 29.060 §7.7 Table 37 and the clause of each IE; -1 = not defined (the IE walk cannot
 * continue past it). Types 128..255 are TLV (2-octet length).
 */
export const GTPV1_TV_LENGTHS: Int16Array = (() => {
  const t = new Int16Array(128).fill(-1);
  const set: [number, number][] = [
    [1, 1], // Cause §7.7.1
    [2, 8], // IMSI §7.7.2
    [3, 6], // Routeing Area Identity §7.7.3
    [4, 4], // TLLI §7.7.4
    [5, 4], // P-TMSI §7.7.5
    [8, 1], // Reordering Required §7.7.6
    [9, 28], // Authentication Triplet §7.7.7
    [11, 1], // MAP Cause §7.7.8
    [12, 3], // P-TMSI Signature §7.7.9
    [13, 1], // MS Validated §7.7.10
    [14, 1], // Recovery §7.7.11
    [15, 1], // Selection Mode §7.7.12
    [16, 4], // Tunnel Endpoint Identifier Data I §7.7.13
    [17, 4], // Tunnel Endpoint Identifier Control Plane §7.7.14
    [18, 5], // Tunnel Endpoint Identifier Data II §7.7.15
    [19, 1], // Teardown Ind §7.7.16
    [20, 1], // NSAPI §7.7.17
    [21, 1], // RANAP Cause §7.7.18
    [22, 9], // RAB Context §7.7.19
    [23, 1], // Radio Priority SMS §7.7.20
    [24, 1], // Radio Priority §7.7.21
    [25, 2], // Packet Flow Id §7.7.22
    [26, 2], // Charging Characteristics §7.7.23
    [27, 2], // Trace Reference §7.7.24
    [28, 2], // Trace Type §7.7.25
    [29, 1], // MS Not Reachable Reason §7.7.25A
    [127, 4], // Charging ID §7.7.26
  ];
  for (const [type, len] of set) t[type] = len;
  return t;
})();

/** Fixed value sizes of the TLV IEs the decoder reads (TS 29.060 §7.7). */
export const GTPV1_RAT_TYPE_LEN = 1; // §7.7.50
export const GTPV1_IMEISV_LEN = 8; // §7.7.53

/** Cause values (TS 29.060 §7.7.1): 128..191 accept the request (status ok), the rest reject it. */
export const GTPV1_CAUSE_ACCEPT_MIN = 128;
export const GTPV1_CAUSE_ACCEPT_MAX = 191;

export const GTPV1_CAUSE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'Request IMSI'], [1, 'Request IMEI'], [2, 'Request IMSI and IMEI'], [3, 'No identity needed'],
  [4, 'MS refuses'], [5, 'MS is not GPRS responding'], [6, 'Reactivation requested'],
  [7, 'PDP address inactivity timer expires'], [8, 'Network failure'], [9, 'QoS parameter mismatch'],
  [128, 'Request accepted'], [129, 'New PDP type due to network preference'],
  [130, 'New PDP type due to single address bearer only'],
  [192, 'Non-existent'], [193, 'Invalid message format'], [194, 'IMSI/IMEI not known'],
  [195, 'MS is GPRS detached'], [196, 'MS is not GPRS responding'], [197, 'MS refuses'],
  [198, 'Version not supported'], [199, 'No resources available'], [200, 'Service not supported'],
  [201, 'Mandatory IE incorrect'], [202, 'Mandatory IE missing'], [203, 'Optional IE incorrect'],
  [204, 'System failure'], [205, 'Roaming restriction'], [206, 'P-TMSI signature mismatch'],
  [207, 'GPRS connection suspended'], [208, 'Authentication failure'], [209, 'User authentication failed'],
  [210, 'Context not found'], [211, 'All dynamic PDP addresses are occupied'], [212, 'No memory is available'],
  [213, 'Relocation failure'], [214, 'Unknown mandatory extension header'],
  [215, 'Semantic error in the TFT operation'], [216, 'Syntactic error in the TFT operation'],
  [217, 'Semantic errors in packet filter(s)'], [218, 'Syntactic errors in packet filter(s)'],
  [219, 'Missing or unknown APN'], [220, 'Unknown PDP address or PDP type'],
  [221, 'PDP context without TFT already activated'], [222, 'APN access denied - no subscription'],
  [223, 'APN restriction type incompatibility with currently active PDP contexts'],
  [224, 'MS MBMS capabilities insufficient'], [225, 'Invalid correlation-ID'],
  [226, 'MBMS bearer context superseded'], [227, 'Bearer control mode violation'],
  [228, 'Collision with network initiated request'], [229, 'APN congestion'],
  [230, 'Bearer handling not supported'], [231, 'Target access restricted for the subscriber'],
  [232, 'UE is temporarily not reachable due to power saving'],
  [233, 'Relocation failure due to NAS message redirection'],
]);

/** RAT Type values (TS 29.060 §7.7.50). */
export const GTPV1_RAT_NAMES: readonly string[] = ['', 'UTRAN', 'GERAN', 'WLAN', 'GAN', 'HSPA-Evolution', 'EUTRAN'];

/**
 * Message table (TS 29.060 §7.1 Table 1, TS 29.281 §7.1): procedure names are the message
 * names without "Request"/"Response". Types 4..7 and 240/241 belong to GTP' (TS 32.295).
 */
const ROWS: GtpMessageRow[] = [
  ...reqRsp(1, 2, 'Echo'),
  [3, GtpMsgKind.Notification, -1, 'VersionNotSupported'],
  ...reqRsp(16, 17, 'CreatePDPContext'),
  ...reqRsp(18, 19, 'UpdatePDPContext'),
  ...reqRsp(20, 21, 'DeletePDPContext'),
  ...reqRsp(22, 23, 'InitiatePDPContextActivation'),
  [26, GtpMsgKind.Notification, -1, 'ErrorIndication'],
  ...reqRsp(27, 28, 'PDUNotification'),
  ...reqRsp(29, 30, 'PDUNotificationReject'),
  [31, GtpMsgKind.Notification, -1, 'SupportedExtensionHeadersNotification'],
  ...reqRsp(32, 33, 'SendRouteingInformationForGPRS'),
  ...reqRsp(34, 35, 'FailureReport'),
  ...reqRsp(36, 37, 'NoteMSGPRSPresent'),
  ...reqRsp(48, 49, 'Identification'),
  ...reqRsp(50, 51, 'SGSNContext'),
  [52, GtpMsgKind.Notification, -1, 'SGSNContextAcknowledge'],
  ...reqRsp(53, 54, 'ForwardRelocation'),
  [55, GtpMsgKind.Request, 59, 'ForwardRelocationComplete'],
  [59, GtpMsgKind.Response, 55, 'ForwardRelocationComplete'],
  ...reqRsp(56, 57, 'RelocationCancel'),
  [58, GtpMsgKind.Request, 60, 'ForwardSRNSContext'],
  [60, GtpMsgKind.Response, 58, 'ForwardSRNSContext'],
  ...reqRsp(61, 62, 'UERegistrationQuery'),
  [70, GtpMsgKind.Notification, -1, 'RANInformationRelay'],
  ...reqRsp(96, 97, 'MBMSNotification'),
  ...reqRsp(98, 99, 'MBMSNotificationReject'),
  ...reqRsp(100, 101, 'CreateMBMSContext'),
  ...reqRsp(102, 103, 'UpdateMBMSContext'),
  ...reqRsp(104, 105, 'DeleteMBMSContext'),
  ...reqRsp(112, 113, 'MBMSRegistration'),
  ...reqRsp(114, 115, 'MBMSDeRegistration'),
  ...reqRsp(116, 117, 'MBMSSessionStart'),
  ...reqRsp(118, 119, 'MBMSSessionStop'),
  ...reqRsp(120, 121, 'MBMSSessionUpdate'),
  ...reqRsp(128, 129, 'MSInfoChangeNotification'),
  [254, GtpMsgKind.UserPlane, -1, 'EndMarker'],
  [255, GtpMsgKind.UserPlane, -1, 'G-PDU'],
];

export const GTPV1_MESSAGES = buildMessageTable(ROWS);
