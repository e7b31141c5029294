import type { IpView, UdpView } from '../net/types';

/**
 * UDP dispatch is data, like SCTP's (registry.ts): protocols register the ports they take; the
 * pipeline routes a datagram by its destination port, then by its source port (a response from
 * 2123 to an ephemeral port is still GTP-C). Nothing registered → skipped (counted by the
 * pipeline's IP-protocol counters only).
 */
export interface UdpUpper {
  /** Called synchronously for every datagram routed to this protocol (payload in udp). */
  onUdp(ip: IpView, udp: UdpView, frame: number, tsUs: number): void;
}

export interface UdpRegistration {
  name: string;
  ports: readonly number[];
  handler: UdpUpper;
  /**
   * What the live capture filter takes for these ports (BPF), or null: not captured live (the
   * handler still runs on replayed files). E.g. GTP-U signalling without the user plane:
   * `udp port 2152 and not (ip and udp[9] = 255)` (IPv4 G-PDUs are left in the kernel).
   */
  capture: ((port: number) => string) | null;
}

export class UdpDispatch {
  private readonly byPort = new Map<number, UdpRegistration>();
  readonly registrations: UdpRegistration[] = [];

  /** Registers r; a port registered twice goes to the later registration. */
  register(r: UdpRegistration): void {
    this.registrations.push(r);
    for (const p of r.ports) this.byPort.set(p, r);
  }

  route(srcPort: number, dstPort: number): UdpRegistration | null {
    return this.byPort.get(dstPort) ?? this.byPort.get(srcPort) ?? null;
  }

  /** BPF expressions of the registered ports that are captured live. */
  captureFilters(): string[] {
    const out: string[] = [];
    for (const [port, r] of this.byPort) if (r.capture !== null) out.push(r.capture(port));
    return out;
  }
}
