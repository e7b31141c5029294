import { Layer } from '../metrics/layers';
import type { Counters } from '../metrics/anomalies';
import { CAPTURE_ANOMALY_NAMES } from '../capture/types';
import { LINK_ANOMALY_NAMES } from '../net/link';
import { IPV4_ANOMALY_NAMES } from '../net/ipv4';
import { IPV6_ANOMALY_NAMES } from '../net/ipv6';
import { IP_REASSEMBLY_ANOMALY_NAMES } from '../net/ipReassembly';
import { SCTP_ANOMALY_NAMES } from '../net/sctp';
import { SCTP_REASSEMBLY_ANOMALY_NAMES } from '../net/sctpReassembly';
import { M2UA_ANOMALY_NAMES } from '../protocols/m2ua/constants';
import { M3UA_ANOMALY_NAMES } from '../protocols/m3ua/constants';
import { SCCP_ANOMALY_NAMES } from '../protocols/sccp/constants';
import { TCAP_ANOMALY_NAMES } from '../protocols/tcap/constants';
import { MAP_ANOMALY_NAMES } from '../protocols/map/constants';
import { DISPATCH_ANOMALY_NAMES } from './registry';
import { TCAP_DIALOGUE_ANOMALY_NAMES } from '../correlate/tcapDialogues';
import { UDP_ANOMALY_NAMES } from '../net/udp';
import { GTPV1_ANOMALY_NAMES } from '../protocols/gtpv1c/constants';
import { GTPV2_ANOMALY_NAMES } from '../protocols/gtpv2c/constants';
import { TCP_ANOMALY_NAMES } from '../net/tcp';
import { DIAMETER_ANOMALY_NAMES } from '../protocols/diameter/constants';

/** Layer → the metric labels of its anomaly codes (index = code). */
const TABLE: readonly [Layer, readonly string[]][] = [
  [Layer.Capture, CAPTURE_ANOMALY_NAMES],
  [Layer.Link, LINK_ANOMALY_NAMES],
  [Layer.Ipv4, IPV4_ANOMALY_NAMES],
  [Layer.Ipv6, IPV6_ANOMALY_NAMES],
  [Layer.IpReassembly, IP_REASSEMBLY_ANOMALY_NAMES],
  [Layer.Sctp, SCTP_ANOMALY_NAMES],
  [Layer.SctpReassembly, SCTP_REASSEMBLY_ANOMALY_NAMES],
  [Layer.Dispatch, DISPATCH_ANOMALY_NAMES],
  [Layer.M2ua, M2UA_ANOMALY_NAMES],
  [Layer.M3ua, M3UA_ANOMALY_NAMES],
  [Layer.Sccp, SCCP_ANOMALY_NAMES],
  [Layer.Tcap, TCAP_ANOMALY_NAMES],
  [Layer.Map, MAP_ANOMALY_NAMES],
  [Layer.Correlate, TCAP_DIALOGUE_ANOMALY_NAMES],
  [Layer.Udp, UDP_ANOMALY_NAMES],
  [Layer.Gtpv1, GTPV1_ANOMALY_NAMES],
  [Layer.Gtpv2, GTPV2_ANOMALY_NAMES],
  [Layer.Tcp, TCP_ANOMALY_NAMES],
  [Layer.Diameter, DIAMETER_ANOMALY_NAMES],
];

export function registerAnomalyNames(c: Counters): void {
  for (const [layer, names] of TABLE) c.registerNames(layer, names);
}
