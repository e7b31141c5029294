import type { SctpMessageView } from '../net/types';

/**
 * Dispatch is data. Upper-layer protocols register here with the SCTP PPIDs, ports and header
 * heuristic that identify them; the pipeline never names a protocol in code.
 *
 * Order over SCTP (fixed, documented in the README):
 *   1. the PPID table (IANA SCTP payload protocol identifiers: M2UA 2, M3UA 3, Diameter 46/47);
 *   2. PPID 0 only (unspecified; it happens in practice): the port table (destination port, then
 *      source port);
 *   3. PPID 0 only: the heuristics, in registration order (strict header checks).
 * A non-zero PPID nobody registered (S1AP 18, NGAP 60...) is another protocol: not guessed at.
 * Nothing matched → counted (Layer.Dispatch `undispatched`), skipped.
 */
export interface SctpUpper {
  /** Called synchronously for every complete user message routed to this protocol. */
  onSctpMessage(msg: SctpMessageView, frame: number, tsUs: number): void;
}

export interface SctpRegistration {
  name: string;
  ppids: readonly number[];
  ports: readonly number[];
  /** Strict header check over [start, end), or null. Must be pure and cheap. */
  heuristic: ((buf: Buffer, start: number, end: number) => boolean) | null;
  handler: SctpUpper;
}

export const enum DispatchAnomaly {
  Ok = 0,
  Undispatched = 1,
}
export const DISPATCH_ANOMALY_NAMES: readonly string[] = ['ok', 'undispatched'];

export class SctpDispatch {
  private readonly byPpid = new Map<number, SctpRegistration>();
  private readonly byPort = new Map<number, SctpRegistration>();
  private readonly heuristics: SctpRegistration[] = [];
  readonly registrations: SctpRegistration[] = [];

  register(r: SctpRegistration): void {
    this.registrations.push(r);
    for (const p of r.ppids) this.byPpid.set(p, r);
    for (const p of r.ports) this.byPort.set(p, r);
    if (r.heuristic) this.heuristics.push(r);
  }

  /** The registration that takes this message, or null. */
  route(msg: SctpMessageView): SctpRegistration | null {
    if (msg.ppid !== 0) return this.byPpid.get(msg.ppid) ?? null;
    const byPort = this.byPort.get(msg.dstPort) ?? this.byPort.get(msg.srcPort);
    if (byPort !== undefined) return byPort;
    for (let i = 0; i < this.heuristics.length; i++) {
      const r = this.heuristics[i];
      if ((r.heuristic as (b: Buffer, s: number, e: number) => boolean)(msg.buf, msg.start, msg.end)) return r;
    }
    return null;
  }
}
