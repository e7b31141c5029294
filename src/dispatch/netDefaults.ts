import { DEFAULT_IP_REASSEMBLY_LIMITS } from '../net/ipReassembly';
import type { IpLayerOptions } from '../net/ip';
import { DEFAULT_SCTP_LIMITS } from '../net/sctpReassembly';
import type { SctpReassemblyLimits } from '../net/sctpReassembly';

/** Limits of the network-layer state (IP fragments, SCTP associations and reassembly). */
export interface NetLimits {
  ip: IpLayerOptions;
  sctp: SctpReassemblyLimits;
}

export const DEFAULT_NET_LIMITS: NetLimits = { ip: DEFAULT_IP_REASSEMBLY_LIMITS, sctp: DEFAULT_SCTP_LIMITS };
