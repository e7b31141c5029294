/**
 * Numbers of the network layers: EtherTypes, IP protocol numbers, SCTP chunk types.
 * (Link types are in src/capture/linkTypes.ts.)
 */

/** EtherType values (IEEE 802 numbers / IANA). */
export const enum EtherType {
  Ipv4 = 0x0800,
  Ipv6 = 0x86dd,
  /** IEEE 802.1Q customer VLAN tag (C-TAG). */
  Vlan = 0x8100,
  /** IEEE 802.1ad service VLAN tag (S-TAG, QinQ). */
  QinQ = 0x88a8,
  /** Pre-standard QinQ S-TAG used by some switches. */
  QinQLegacy = 0x9100,
}

/** IP protocol / IPv6 Next Header numbers (IANA "Assigned Internet Protocol Numbers"). */
export const enum IpProto {
  HopByHop = 0,
  Tcp = 6,
  Udp = 17,
  Routing = 43,
  Fragment = 44,
  Esp = 50,
  Ah = 51,
  NoNextHeader = 59,
  DestinationOptions = 60,
  Sctp = 132,
  Mobility = 135,
  Hip = 139,
  Shim6 = 140,
}

/** BSD loopback (LINKTYPE_NULL / LINKTYPE_LOOP) address families. */
export const AF_INET = 2;
/** AF_INET6 differs per OS: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30. */
export const AF_INET6_VALUES: readonly number[] = [10, 24, 28, 30];

/** SCTP chunk types (RFC 9260 §3.2, RFC 3758, RFC 4820, RFC 4895, RFC 5061, RFC 6525, RFC 8260). */
export const enum SctpChunkType {
  Data = 0,
  Init = 1,
  InitAck = 2,
  Sack = 3,
  Heartbeat = 4,
  HeartbeatAck = 5,
  Abort = 6,
  Shutdown = 7,
  ShutdownAck = 8,
  Error = 9,
  CookieEcho = 10,
  CookieAck = 11,
  Ecne = 12,
  Cwr = 13,
  ShutdownComplete = 14,
  Auth = 15,
  NrSack = 16,
  IData = 64,
  AsconfAck = 128,
  ReConfig = 130,
  Pad = 132,
  ForwardTsn = 192,
  Asconf = 193,
  IForwardTsn = 194,
}

/** Chunk type → name (for reports; index = type; unassigned types are ''). */
export const SCTP_CHUNK_TYPE_NAMES: readonly string[] = buildChunkTypeNames();

function buildChunkTypeNames(): string[] {
  const names: string[] = new Array<string>(256).fill('');
  const known: Array<[number, string]> = [
    [0, 'DATA'], [1, 'INIT'], [2, 'INIT_ACK'], [3, 'SACK'], [4, 'HEARTBEAT'], [5, 'HEARTBEAT_ACK'],
    [6, 'ABORT'], [7, 'SHUTDOWN'], [8, 'SHUTDOWN_ACK'], [9, 'ERROR'], [10, 'COOKIE_ECHO'],
    [11, 'COOKIE_ACK'], [12, 'ECNE'], [13, 'CWR'], [14, 'SHUTDOWN_COMPLETE'], [15, 'AUTH'],
    [16, 'NR_SACK'], [64, 'I_DATA'], [128, 'ASCONF_ACK'], [130, 'RE_CONFIG'], [132, 'PAD'],
    [192, 'FORWARD_TSN'], [193, 'ASCONF'], [194, 'I_FORWARD_TSN'],
  ];
  for (const [t, n] of known) names[t] = n;
  return names;
}

/** SCTP DATA / I-DATA chunk flags (RFC 9260 §3.3.1, RFC 8260 §2.1). */
export const SCTP_FLAG_E = 0x01;
export const SCTP_FLAG_B = 0x02;
export const SCTP_FLAG_U = 0x04;
export const SCTP_FLAG_I = 0x08;

/** Fixed header sizes in octets. */
export const ETHERNET_HEADER_LEN = 14;
export const VLAN_TAG_LEN = 4;
export const SLL_HEADER_LEN = 16;
export const SLL2_HEADER_LEN = 20;
export const NULL_HEADER_LEN = 4;
export const IPV4_MIN_HEADER_LEN = 20;
export const IPV6_HEADER_LEN = 40;
export const IPV6_FRAGMENT_HEADER_LEN = 8;
export const SCTP_COMMON_HEADER_LEN = 12;
export const SCTP_CHUNK_HEADER_LEN = 4;
/** DATA chunk header up to the user data (RFC 9260 §3.3.1). */
export const SCTP_DATA_HEADER_LEN = 16;
/** I-DATA chunk header up to the user data (RFC 8260 §2.1). */
export const SCTP_IDATA_HEADER_LEN = 20;
/** INIT / INIT ACK fixed part (RFC 9260 §3.3.2, §3.3.3). */
export const SCTP_INIT_HEADER_LEN = 20;
