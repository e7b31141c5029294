/**
 * Views filled by the M3UA and M2UA decoders (one instance per pipeline, reused for every
 * message). Offsets point into the buffer passed to the decoder.
 */

/** An MTP3 routing label and the user part it carries (ITU Q.704 §2.2, §14.2; RFC 4666 §3.3.1). */
export interface Mtp3View {
  /** Originating / destination point code (ITU: 14 bits; M3UA carries 32-bit fields). */
  opc: number;
  dpc: number;
  /** Service indicator (Q.704 §14.2.1: 3 SCCP, 5 ISUP, ...). */
  si: number;
  /** Network indicator (Q.704 §14.2.2: 0 international, 2 national). */
  ni: number;
  /** Message priority (M3UA MP field; for MTP3 the two spare/priority bits of the SIO). */
  mp: number;
  /** Signalling link selection. */
  sls: number;
  /** user part (e.g. SCCP) [dataStart, dataEnd) */
  dataStart: number;
  dataEnd: number;
}

/** One M3UA (or M2UA) message. */
export interface M3uaView extends Mtp3View {
  /** Message class and type of the common header (RFC 4666 §3.1; RFC 3331 §3.1.3); -1 if not read. */
  msgClass: number;
  msgType: number;
  /**
   * true only when the decoder returned 0 (ok) and the message carries an MTP3 user part
   * (M3UA Transfer DATA, M2UA MAUP DATA): the Mtp3View fields are then valid.
   */
  hasData: boolean;
  /** First Routing Context value (RFC 4666 §3.3.1, tag 0x0006); -1 absent. */
  routingContext: number;
  /** Network Appearance (RFC 4666 §3.3.1, tag 0x0200); -1 absent. M3UA only. */
  networkAppearance: number;
  /** M2UA Interface Identifier (integer form, RFC 3331 §3.3.1, tag 0x0001); -1 absent. */
  interfaceId: number;
  /**
   * true when the user part came from the pre-RFC draft "Protocol Data 1" parameter (tag 0x0002,
   * an MTP3 MSU: SIO + routing label + user part) instead of the RFC 4666 Protocol Data 0x0210.
   */
  draftProtocolData: boolean;
}

/** Resets an M3uaView to "nothing decoded": every offset = start (an empty range). */
export function resetM3uaView(v: M3uaView, start: number): void {
  v.opc = -1;
  v.dpc = -1;
  v.si = -1;
  v.ni = -1;
  v.mp = -1;
  v.sls = -1;
  v.dataStart = start;
  v.dataEnd = start;
  v.msgClass = -1;
  v.msgType = -1;
  v.hasData = false;
  v.routingContext = -1;
  v.networkAppearance = -1;
  v.interfaceId = -1;
  v.draftProtocolData = false;
}

export function createM3uaView(): M3uaView {
  return {
    opc: -1, dpc: -1, si: -1, ni: -1, mp: -1, sls: -1, dataStart: 0, dataEnd: 0,
    msgClass: -1, msgType: -1, hasData: false, routingContext: -1, networkAppearance: -1,
    interfaceId: -1, draftProtocolData: false,
  };
}
