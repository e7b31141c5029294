/**
 * Views filled by the SCCP decoder (one instance per pipeline, reused for every message).
 * Offsets point into the buffer passed to the decoder; an absent part is an empty range.
 */

/** A called / calling party address (Q.713 §3.4, ITU format). */
export interface SccpAddressView {
  /** the address parameter was decoded (length ≥ 1) */
  present: boolean;
  /** address indicator bit 8: reserved for national use (Q.713 §3.4.1) */
  national: boolean;
  /** routing indicator: 0 route on GT, 1 route on PC/SSN */
  ri: number;
  /** global title indicator (0 none, 1..4, 5..15 reserved) */
  gti: number;
  /** subsystem number (Q.713 §3.4.2.2); -1 absent */
  ssn: number;
  /** signalling point code, 14 bits (Q.713 §3.4.2.1); -1 absent */
  pc: number;
  /** GT translation type (GTI 2, 3, 4), -1 absent */
  tt: number;
  /** GT numbering plan (GTI 3, 4), -1 absent */
  np: number;
  /** GT encoding scheme (GTI 3, 4), -1 absent */
  es: number;
  /** GT nature of address indicator (GTI 1, 4), -1 absent */
  nai: number;
  /** GT address signals [digitsStart, digitsEnd): BCD, low nibble first; see gtDigits() */
  digitsStart: number;
  digitsEnd: number;
  /** odd number of address signals: the last high nibble is filler */
  digitsOdd: boolean;
}

/** One SCCP message (Q.713 §4). Numeric fields are -1 when the message type has no such field. */
export interface SccpView {
  /** message type code (Q.713 Table 1), -1 if not read */
  msgType: number;
  /** protocol class 0..3 (low nibble of the protocol class octet, Q.713 §3.6) */
  protocolClass: number;
  /** message handling: return message on error (bit 8 of the protocol class octet) */
  returnOnError: boolean;
  /** hop counter (Q.713 §3.18): XUDT, XUDTS, LUDT, LUDTS */
  hopCounter: number;
  called: SccpAddressView;
  calling: SccpAddressView;
  /** user data (data / long data parameter, e.g. TCAP) [dataStart, dataEnd) */
  dataStart: number;
  dataEnd: number;
  /** return cause (Q.713 §3.12): UDTS, XUDTS, LUDTS */
  returnCause: number;
  /** importance (Q.713 §3.19, optional part), -1 absent */
  importance: number;
  /** a segmentation parameter is present (Q.713 §3.17) */
  segmented: boolean;
  /** segmentation F bit: first segment */
  segFirst: boolean;
  /** segmentation: number of segments still to come (0..15) */
  segRemaining: number;
  /** segmentation local reference (3 octets, read least significant first as Wireshark does) */
  segLocalRef: number;
  /** segmentation C bit: class requested (0 = class 0, 1 = class 1 in-sequence delivery) */
  segClass: number;
}

export function resetSccpAddressView(a: SccpAddressView, start: number): void {
  a.present = false;
  a.national = false;
  a.ri = -1;
  a.gti = -1;
  a.ssn = -1;
  a.pc = -1;
  a.tt = -1;
  a.np = -1;
  a.es = -1;
  a.nai = -1;
  a.digitsStart = start;
  a.digitsEnd = start;
  a.digitsOdd = false;
}

export function createSccpAddressView(): SccpAddressView {
  return {
    present: false, national: false, ri: -1, gti: -1, ssn: -1, pc: -1, tt: -1, np: -1, es: -1,
    nai: -1, digitsStart: 0, digitsEnd: 0, digitsOdd: false,
  };
}

/** Resets a view to "nothing decoded": every offset = start (an empty range). */
export function resetSccpView(v: SccpView, start: number): void {
  v.msgType = -1;
  v.protocolClass = -1;
  v.returnOnError = false;
  v.hopCounter = -1;
  resetSccpAddressView(v.called, start);
  resetSccpAddressView(v.calling, start);
  v.dataStart = start;
  v.dataEnd = start;
  v.returnCause = -1;
  v.importance = -1;
  v.segmented = false;
  v.segFirst = false;
  v.segRemaining = -1;
  v.segLocalRef = -1;
  v.segClass = -1;
}

export function createSccpView(): SccpView {
  return {
    msgType: -1, protocolClass: -1, returnOnError: false, hopCounter: -1,
    called: createSccpAddressView(), calling: createSccpAddressView(), dataStart: 0, dataEnd: 0,
    returnCause: -1, importance: -1, segmented: false, segFirst: false, segRemaining: -1,
    segLocalRef: -1, segClass: -1,
  };
}
