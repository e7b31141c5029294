import type { SctpDispatch } from './registry';

/**
 * The capture filter comes from the dispatch registrations (never written by hand), so that what
 * the kernel hands us is exactly what some handler can use:
 *  - SCTP (IP protocol 132) when any SCTP upper layer is registered — PPIDs and ports are inside
 *    SCTP chunks, which BPF cannot walk, so all SCTP is taken;
 *  - IPv4 fragments (non-first fragments carry no transport header) and IPv6 fragment headers;
 *  - TCP / UDP ports of registered TCP / UDP protocols (Diameter, GTP-C), or the expression a
 *    UDP registration gives (GTP-U: only its signalling, not the user plane);
 * each also behind one or two VLAN tags.
 */
export function bpfFilter(
  sctp: SctpDispatch, tcpPorts: readonly number[] = [], udpPorts: readonly number[] = [], extra: readonly string[] = [],
): string {
  const parts: string[] = [];
  if (sctp.registrations.length > 0) parts.push('sctp');
  for (const p of tcpPorts) parts.push(`tcp port ${p}`);
  for (const p of udpPorts) parts.push(`udp port ${p}`);
  // Registration-supplied expressions (e.g. UdpDispatch.captureFilters(): GTP-C ports, GTP-U
  // signalling without IPv4 G-PDUs).
  for (const e of extra) parts.push(e);
  parts.push('(ip[6:2] & 0x3fff != 0)'); // IPv4 fragment (MF set or offset > 0)
  parts.push('(ip6 and ip6[6] == 44)'); // IPv6 fragment header right after the fixed header
  const inner = parts.join(' or ');
  return `(${inner}) or (vlan and (${inner})) or (vlan and vlan and (${inner}))`;
}
