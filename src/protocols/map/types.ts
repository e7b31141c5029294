/**
 * Identities extracted from a MAP / CAP operation parameter. Every pair is [start, end) of the
 * field's content octets in the decoded buffer; −1/−1 when absent.
 */
export interface MapInfoView {
  /** IMSI, TBCD-STRING (TS 29.002 §17.7.8 IMSI) */
  imsiStart: number;
  imsiEnd: number;
  /** MSISDN, ISDN-AddressString incl. its nature-of-address/numbering-plan octet */
  msisdnStart: number;
  msisdnEnd: number;
  /** VLR number (ISDN-AddressString) */
  vlrStart: number;
  vlrEnd: number;
  /** SGSN number (ISDN-AddressString) */
  sgsnStart: number;
  sgsnEnd: number;
  /** MSC number / network node number / CAP mscAddress (ISDN-AddressString) */
  mscStart: number;
  mscEnd: number;
  /** HLR number (ISDN-AddressString) */
  hlrStart: number;
  hlrEnd: number;
  /** service centre address (AddressString) */
  scaStart: number;
  scaEnd: number;
  /** SGSN address (GSN-Address: address type/length octet + IPv4/IPv6 address) */
  sgsnAddressStart: number;
  sgsnAddressEnd: number;
  /** CAP callingPartyNumber (ITU-T Q.763 §3.10 Calling party number, 2 header octets) */
  callingStart: number;
  callingEnd: number;
}

export function createMapInfoView(): MapInfoView {
  return {
    imsiStart: -1, imsiEnd: -1, msisdnStart: -1, msisdnEnd: -1, vlrStart: -1, vlrEnd: -1,
    sgsnStart: -1, sgsnEnd: -1, mscStart: -1, mscEnd: -1, hlrStart: -1, hlrEnd: -1,
    scaStart: -1, scaEnd: -1, sgsnAddressStart: -1, sgsnAddressEnd: -1, callingStart: -1, callingEnd: -1,
  };
}

export function resetMapInfoView(v: MapInfoView): void {
  v.imsiStart = -1;
  v.imsiEnd = -1;
  v.msisdnStart = -1;
  v.msisdnEnd = -1;
  v.vlrStart = -1;
  v.vlrEnd = -1;
  v.sgsnStart = -1;
  v.sgsnEnd = -1;
  v.mscStart = -1;
  v.mscEnd = -1;
  v.hlrStart = -1;
  v.hlrEnd = -1;
  v.scaStart = -1;
  v.scaEnd = -1;
  v.sgsnAddressStart = -1;
  v.sgsnAddressEnd = -1;
  v.callingStart = -1;
  v.callingEnd = -1;
}
