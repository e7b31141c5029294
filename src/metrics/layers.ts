/**
 * Decode layers, in the order a packet climbs them. Every anomaly counter is keyed by
 * (layer, reason code); each layer's reason codes are a `const enum` in that layer's module,
 * with a `*_ANOMALY_NAMES` array giving the metric label of every code (index = code).
 * Code 0 is always "ok" (no anomaly).
 */
export const enum Layer {
  Capture = 0,
  Link = 1,
  Ipv4 = 2,
  Ipv6 = 3,
  IpReassembly = 4,
  Sctp = 5,
  SctpReassembly = 6,
  Tcp = 7,
  Udp = 8,
  Dispatch = 9,
  M2ua = 10,
  M3ua = 11,
  Sccp = 12,
  SccpReassembly = 13,
  Tcap = 14,
  Map = 15,
  Correlate = 16,
  Diameter = 17,
  Gtpv1 = 18,
  Gtpv2 = 19,
}

export const LAYER_NAMES: readonly string[] = [
  'capture', 'link', 'ipv4', 'ipv6', 'ip_reassembly', 'sctp', 'sctp_reassembly', 'tcp', 'udp',
  'dispatch', 'm2ua', 'm3ua', 'sccp', 'sccp_reassembly', 'tcap', 'map', 'correlate', 'diameter',
  'gtpv1', 'gtpv2',
];
export const LAYER_COUNT = LAYER_NAMES.length;
