/**
 * SCTP association directions: one entry per (src addr, dst addr, src port, dst port), with an
 * integer id (the assocKey of delivered messages) and a link to the reverse direction
 * (assocPeer). Bounded (maxAssociations, least recently used evicted) and idle entries expire
 * (timeoutUs of packet time). Counters by reason. The table itself is the shared FlowTable.
 *
 * Note: a multi-homed association (RFC 9260 §6.4) that changes path appears as several
 * directions (one per address pair).
 */
import { FlowDirection, FlowTable } from './flowTable';
import type { FlowTableCounters } from './flowTable';
import type { FragGroup } from './sctpReassembly';
import { TsnWindow } from './tsnWindow';

export class SctpDirection extends FlowDirection<SctpDirection> {
  /** Verification Tag expected on this direction's packets (0 = not known yet). */
  vtag = 0;
  /** Recently seen TSNs (duplicate detection). */
  readonly tsns = new TsnWindow();
  /** Incomplete user messages of this direction, oldest first (owned by SctpReassembler). */
  readonly groups = new Map<number, FragGroup>();
  /** User data octets held in `groups`. */
  pendingBytes = 0;
  /** This direction numbers I-DATA fragments after B from FSN 0 (Linux), not 1 (RFC 8260). */
  idataFsnFromZero = false;
}

export type SctpAssocCounters = FlowTableCounters;

export class SctpAssocTable extends FlowTable<SctpDirection> {
  /** onRemove is called for every direction evicted or expired (to release its state). */
  constructor(maxAssociations: number, timeoutUs: number, onRemove: (dir: SctpDirection) => void) {
    super(maxAssociations, timeoutUs, () => new SctpDirection(), onRemove);
  }
}
