/** M2UA constants (RFC 3331). */

/** Message classes (RFC 3331 §3.1.3). */
export const enum M2uaClass {
  Mgmt = 0,
  Aspsm = 3,
  Asptm = 4,
  Maup = 6,
  Iim = 10,
}

/** MAUP Data (RFC 3331 §3.1.3). */
export const M2UA_TYPE_DATA = 1;

/** Parameter tags used by the decoder (RFC 3331 §3.2, §3.3.1). */
export const enum M2uaTag {
  InterfaceIdInteger = 0x0001,
  InterfaceIdText = 0x0003,
  CorrelationId = 0x0013,
  /** MTP3 MSU: SIO, routing label, user part (RFC 3331 §3.3.1.1) */
  ProtocolData1 = 0x0300,
  /** TTC variant: MTP2 length indicator octet (priority in its top 2 bits), then the MSU */
  ProtocolData2 = 0x0301,
}

/** Message names by class then type (RFC 3331 §3.1.3), snake_case for metric labels. */
export const M2UA_MESSAGE_NAMES: Readonly<Record<number, readonly string[]>> = {
  [M2uaClass.Mgmt]: ['err', 'ntfy'],
  [M2uaClass.Aspsm]: ['', 'aspup', 'aspdn', 'beat', 'aspup_ack', 'aspdn_ack', 'beat_ack'],
  [M2uaClass.Asptm]: ['', 'aspac', 'aspia', 'aspac_ack', 'aspia_ack'],
  [M2uaClass.Maup]: [
    '', 'data', 'establish_req', 'establish_conf', 'release_req', 'release_conf', 'release_ind',
    'state_req', 'state_conf', 'state_ind', 'data_retrieval_req', 'data_retrieval_conf',
    'data_retrieval_ind', 'data_retrieval_compl_ind', 'congestion_ind', 'data_ack',
  ],
  [M2uaClass.Iim]: ['', 'reg_req', 'reg_rsp', 'dereg_req', 'dereg_rsp'],
};

/** Anomaly codes of the M2UA layer; 0..5 are the shared UaStatus codes (../m3ua/ua). */
export const enum M2uaAnomaly {
  Ok = 0,
  Truncated = 1,
  BadVersion = 2,
  BadLength = 3,
  BadParamLength = 4,
  TooManyParams = 5,
  /** message class not used by M2UA (RFC 3331 §3.1.3) */
  UnknownClass = 6,
  /** message type unassigned within its class */
  UnknownType = 7,
  /** Interface Identifier (integer) not 4 octets */
  BadParamValue = 8,
  /** MAUP DATA without Protocol Data 1 or 2 */
  NoProtocolData = 9,
  /** MSU shorter than SIO + routing label (5 octets) */
  BadMtp3 = 10,
}

export const M2UA_ANOMALY_NAMES: readonly string[] = [
  'ok', 'truncated', 'bad_version', 'bad_length', 'bad_param_length', 'too_many_params',
  'unknown_class', 'unknown_type', 'bad_param_value', 'no_protocol_data', 'bad_mtp3',
];
