/**
 * M2UA fills the M3UA view (../m3ua/types): both deliver an MTP3 routing label and user part,
 * so the layers above (SCCP, ISUP) need not know which adaptation layer carried it.
 */
import type { M3uaView } from '../m3ua/types';
import { createM3uaView } from '../m3ua/types';

export type M2uaView = M3uaView;

export function createM2uaView(): M2uaView {
  return createM3uaView();
}
