/** SCCP constants (ITU-T Q.713, 03/2001). */

/** Message type codes (Q.713 §2.1, Table 1). */
export const enum SccpMsgType {
  CR = 0x01,
  CC = 0x02,
  CREF = 0x03,
  RLSD = 0x04,
  RLC = 0x05,
  DT1 = 0x06,
  DT2 = 0x07,
  AK = 0x08,
  UDT = 0x09,
  UDTS = 0x0a,
  ED = 0x0b,
  EA = 0x0c,
  RSR = 0x0d,
  RSC = 0x0e,
  ERR = 0x0f,
  IT = 0x10,
  XUDT = 0x11,
  XUDTS = 0x12,
  LUDT = 0x13,
  LUDTS = 0x14,
}

/** Message type names, index = code (snake_case metric labels); '' = unassigned. */
export const SCCP_MSG_TYPE_NAMES: readonly string[] = [
  '', 'cr', 'cc', 'cref', 'rlsd', 'rlc', 'dt1', 'dt2', 'ak', 'udt', 'udts', 'ed', 'ea', 'rsr',
  'rsc', 'err', 'it', 'xudt', 'xudts', 'ludt', 'ludts',
];

/** Parameter name codes of the optional part (Q.713 §3, Table 2). */
export const enum SccpParam {
  EndOfOptional = 0x00,
  Segmentation = 0x10,
  HopCounter = 0x11,
  Importance = 0x12,
}

/** Cap on the optional parameters walked (XUDT/LUDT define 2: segmentation, importance). */
export const SCCP_MAX_OPTIONAL_PARAMS = 16;
/** Segmentation parameter value length (Q.713 §3.17). */
export const SCCP_SEGMENTATION_LEN = 4;

/** Address indicator bits (Q.713 §3.4.1, ITU). */
export const SCCP_AI_PC = 0x01;
export const SCCP_AI_SSN = 0x02;
export const SCCP_AI_GTI_SHIFT = 2;
export const SCCP_AI_GTI_MASK = 0x0f;
export const SCCP_AI_RI_SHIFT = 6;
export const SCCP_AI_NATIONAL = 0x80;

/** Global title indicator values (Q.713 §3.4.1); 5..15 are spare/reserved. */
export const enum SccpGti {
  None = 0,
  /** nature of address indicator (+ odd/even) only */
  Nai = 1,
  /** translation type only */
  Tt = 2,
  /** translation type, numbering plan, encoding scheme */
  TtNpEs = 3,
  /** translation type, numbering plan, encoding scheme, nature of address */
  TtNpEsNai = 4,
}

/** Encoding scheme (Q.713 §3.4.2.3.3): 1 BCD odd, 2 BCD even. */
export const SCCP_ES_BCD_ODD = 1;
export const SCCP_ES_BCD_EVEN = 2;

/**
 * Numbering plan of a GT (Q.713 §3.4.2.3.3): 1 ISDN/telephony (E.164), 6 land mobile (E.212:
 * the GT is an IMSI), 7 ISDN/mobile (E.214: mobile global title, E.164 CC + NDC of the home
 * PLMN + MSIN, TS 23.003 §12.1).
 */
export const SCCP_NP_E164 = 1;
export const SCCP_NP_E212 = 6;
export const SCCP_NP_E214 = 7;

/** Routing indicator (Q.713 §3.4.1): 0 route on GT, 1 route on PC + SSN. */
export const SCCP_RI_GT = 0;
export const SCCP_RI_SSN = 1;

/** Return cause names, index = value (Q.713 §3.12), snake_case metric labels. */
export const SCCP_RETURN_CAUSE_NAMES: readonly string[] = [
  'no_translation_for_nature', 'no_translation_for_address', 'subsystem_congestion',
  'subsystem_failure', 'unequipped_user', 'mtp_failure', 'network_congestion', 'unqualified',
  'error_in_message_transport', 'error_in_local_processing', 'destination_cannot_reassemble',
  'sccp_failure', 'hop_counter_violation', 'segmentation_not_supported', 'segmentation_failure',
];

/** Common subsystem numbers (Q.713 §3.4.2.2; 3GPP TS 23.003 §8.2), for display. */
export const SCCP_SSN_NAMES: Readonly<Record<number, string>> = {
  1: 'sccp_mgmt', 3: 'isup', 6: 'hlr', 7: 'vlr', 8: 'msc', 9: 'eir', 10: 'auc', 142: 'ranap',
  143: 'rnsap', 145: 'gmlc', 146: 'cap', 147: 'gsmscf', 148: 'siwf', 149: 'sgsn', 150: 'ggsn',
};

/** Anomaly codes of the SCCP layer. */
export const enum SccpAnomaly {
  Ok = 0,
  /** fixed part or pointers run past the end */
  Truncated = 1,
  /** message type not in Q.713 Table 1 */
  UnknownMessageType = 2,
  /** a mandatory pointer is 0 or points outside [end of pointers, end) */
  BadPointer = 3,
  /** a mandatory variable parameter's length runs past the end */
  BadParamLength = 4,
  /** called party address empty or shorter than its indicators require */
  BadCalledAddress = 5,
  /** calling party address empty or shorter than its indicators require */
  BadCallingAddress = 6,
  /** GTI 5..15 (spare / reserved for national use); the GT is not decoded */
  ReservedGti = 7,
  /** optional pointer outside the message, or an optional parameter running past the end */
  BadOptionalPart = 8,
  /** more than SCCP_MAX_OPTIONAL_PARAMS optional parameters */
  TooManyOptionalParams = 9,
  /** segmentation parameter length is not 4 */
  BadSegmentation = 10,
}

export const SCCP_ANOMALY_NAMES: readonly string[] = [
  'ok', 'truncated', 'unknown_message_type', 'bad_pointer', 'bad_param_length',
  'bad_called_address', 'bad_calling_address', 'reserved_gti', 'bad_optional_part',
  'too_many_optional_params', 'bad_segmentation',
];
