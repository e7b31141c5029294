/**
 * One GTP-C message as the correlators see it, whatever its version: the handler fills this
 * reused object from a Gtpv1View or Gtpv2View (numbers and offsets into `buf`, -1 = absent) and
 * the packet's addressing. Nothing here outlives the call: the correlators copy what they keep.
 */
import type { IpView } from '../net/types';
import type { GtpMsgKind } from '../protocols/gtp/messages';

export interface GtpMessage {
  version: 1 | 2;
  msgType: number;
  kind: GtpMsgKind;
  seq: number;
  /** Header TEID (-1: GTPv2 with T = 0). */
  teid: number;
  cause: number;
  /** Buffer holding the message [msgStart, msgEnd) and every offset below. */
  buf: Buffer;
  msgStart: number;
  msgEnd: number;
  imsiStart: number;
  imsiEnd: number;
  /** MSISDN digits; msisdnTon: the value starts with the extension / nature / plan octet (GTPv1). */
  msisdnStart: number;
  msisdnEnd: number;
  msisdnTon: boolean;
  imeiStart: number;
  imeiEnd: number;
  apnStart: number;
  apnEnd: number;
  /** Offset of the serving network's 3-octet PLMN id (RAI / ULI / Serving Network), -1 absent. */
  plmn: number;
  /** Location for the record's cell_id: the ULI value [uliStart, uliEnd) (GTPv1 §7.7.51 /
   *  GTPv2 §8.21) and the GTPv1 RAI value offset (§7.7.3; -1 for GTPv2), -1 absent. */
  uliStart: number;
  uliEnd: number;
  rai: number;
  ratType: number;
  /** The sender's control-plane TEID (GTPv1 TEID Control Plane, GTPv2 Sender F-TEID instance 0)
   *  and the address that goes with it (GSN Address for signalling / F-TEID address), if carried. */
  ctrlTeid: number;
  ctrlAddrOff: number;
  ctrlAddrLen: number;
  /** The sender's user-plane TEID and address (GTPv1 TEID Data I + GSN Address for user traffic,
   *  or the GTP-U Peer Address of an Error Indication; GTPv2 first F-TEID of the first Bearer Context). */
  dataTeid: number;
  dataAddrOff: number;
  dataAddrLen: number;
  /** NSAPI (GTPv1) / EPS Bearer ID (GTPv2: Linked EBI, else the first Bearer Context's EBI). */
  bearerId: number;
  /** GTPv2 message-level EBI instance 0 (Linked EBI), -1 absent; GTPv1: = bearerId. */
  lbi: number;
  /** GTPv1 Teardown Ind = 1 (delete every context sharing the PDP address). */
  teardown: boolean;
  // ---- transport
  ip: IpView;
  srcPort: number;
  dstPort: number;
  frame: number;
  tsUs: number;
}

export function createGtpMessage(ip: IpView): GtpMessage {
  const empty = Buffer.alloc(0);
  return {
    version: 1, msgType: 0, kind: 0, seq: -1, teid: -1, cause: -1, buf: empty, msgStart: 0, msgEnd: 0,
    imsiStart: -1, imsiEnd: -1, msisdnStart: -1, msisdnEnd: -1, msisdnTon: false, imeiStart: -1, imeiEnd: -1,
    apnStart: -1, apnEnd: -1, plmn: -1, uliStart: -1, uliEnd: -1, rai: -1, ratType: -1, ctrlTeid: -1, ctrlAddrOff: -1, ctrlAddrLen: 0,
    dataTeid: -1, dataAddrOff: -1, dataAddrLen: 0, bearerId: -1, lbi: -1, teardown: false, ip,
    srcPort: 0, dstPort: 0, frame: 0, tsUs: 0,
  };
}
