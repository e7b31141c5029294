/** M3UA constants (RFC 4666). */

/** Message classes (RFC 4666 §3.1.2). */
export const enum M3uaClass {
  Mgmt = 0,
  Transfer = 1,
  Ssnm = 2,
  Aspsm = 3,
  Asptm = 4,
  Rkm = 9,
}

/** Transfer message type (RFC 4666 §3.1.3). */
export const M3UA_TYPE_DATA = 1;

/** Parameter tags used by the decoder (RFC 4666 §3.2). */
export const enum M3uaTag {
  /**
   * Pre-RFC M3UA drafts (Wireshark "Internet Draft version 6"): "Protocol Data 1", an MTP3 MSU
   * (SIO + routing label + user part). Unassigned in RFC 4666. Seen in tcpdump's isup.pcap.
   */
  DraftProtocolData1 = 0x0002,
  RoutingContext = 0x0006,
  CorrelationId = 0x0013,
  NetworkAppearance = 0x0200,
  ProtocolData = 0x0210,
}

/**
 * Protocol Data fixed part (RFC 4666 §3.3.1): OPC(4) DPC(4) SI(1) NI(1) MP(1) SLS(1), then the
 * user part.
 */
export const M3UA_PROTOCOL_DATA_FIXED_LEN = 12;

/**
 * Message names by class then type (RFC 4666 §3.1.3), snake_case for metric labels; an empty
 * or missing entry is an unassigned type.
 */
export const M3UA_MESSAGE_NAMES: Readonly<Record<number, readonly string[]>> = {
  [M3uaClass.Mgmt]: ['err', 'ntfy'],
  [M3uaClass.Transfer]: ['', 'data'],
  [M3uaClass.Ssnm]: ['', 'duna', 'dava', 'daud', 'scon', 'dupu', 'drst'],
  [M3uaClass.Aspsm]: ['', 'aspup', 'aspdn', 'beat', 'aspup_ack', 'aspdn_ack', 'beat_ack'],
  [M3uaClass.Asptm]: ['', 'aspac', 'aspia', 'aspac_ack', 'aspia_ack'],
  [M3uaClass.Rkm]: ['', 'reg_req', 'reg_rsp', 'dereg_req', 'dereg_rsp'],
};

/** Anomaly codes of the M3UA layer; 0..5 are the shared UaStatus codes (./ua). */
export const enum M3uaAnomaly {
  Ok = 0,
  Truncated = 1,
  BadVersion = 2,
  BadLength = 3,
  BadParamLength = 4,
  TooManyParams = 5,
  /** message class not used by M3UA (RFC 4666 §3.1.2) */
  UnknownClass = 6,
  /** message type unassigned within its class */
  UnknownType = 7,
  /** Routing Context / Network Appearance value of the wrong size */
  BadParamValue = 8,
  /** DATA without a Protocol Data parameter */
  NoProtocolData = 9,
  /** Protocol Data shorter than its 12-octet fixed part (or a draft MSU shorter than 5) */
  BadProtocolData = 10,
  /** DATA carrying only the draft Protocol Data 1 (0x0002) while draft support is off */
  DraftProtocolData = 11,
}

export const M3UA_ANOMALY_NAMES: readonly string[] = [
  'ok', 'truncated', 'bad_version', 'bad_length', 'bad_param_length', 'too_many_params',
  'unknown_class', 'unknown_type', 'bad_param_value', 'no_protocol_data', 'bad_protocol_data',
  'draft_protocol_data',
];
