/**
 * MAP / CAP operation parameters for tests, one per operation (and per version where the
 * encoding differs), built from the ASN.1 of TS 29.002 / TS 29.078 with test/helpers/ber.ts.
 * Each element's tag is named in the comment next to it.
 *
 * Checked against tshark 4.0: every case was carried in TCAP (Begin + AARQ for arguments, End +
 * AARE for results) over M3UA/SCCP UDT into a pcap and decoded with `tshark -V`; the `expect`
 * digits are the IMSI / E.164 digits / GSN-Address / "Calling Party Number" tshark shows.
 */
import { highTag, int, isdn, tbcd, tlv } from '../../helpers/ber';

export const IMSI = '262019876543210';
export const IMSI_ODD = '26201987654321'; // 14 digits: ends with a filler nibble
export const MSISDN = '491701234567';
export const VLR = '491720000001';
export const MSC = '491720000002';
export const SGSN = '491720000003';
export const HLR = '491720000004';
export const SCA = '491720000005';
export const MSRN = '491729999999';

export type Field = 'imsi' | 'msisdn' | 'vlr' | 'sgsn' | 'msc' | 'hlr' | 'sca' | 'sgsnAddress' | 'calling';

export interface MapCase {
  name: string;
  opcode: number;
  /** argument (invoke) or ReturnResult parameter */
  invoke: boolean;
  /** application-context-name to carry it in (for tshark cross-checks) */
  acn: string;
  param: Buffer;
  expect: Partial<Record<Field, string>>;
  cap?: boolean;
}

const OCT = 0x04;
const SEQ = 0x30;
const imsi = (tag = OCT, digits = IMSI): Buffer => tlv(tag, tbcd(digits));
const num = (tag: number, digits: string): Buffer => tlv(tag, isdn(digits));
/** GSN-Address: type IPv4 (00) length 4, then the address */
const gsnV4 = (tag: number): Buffer => tlv(tag, [0x04, 10, 1, 2, 3]);
const NULL_ = (tag: number): Buffer => tlv(tag, '');

const AC = (ac: number, v: number): string => `0.4.0.0.1.0.${ac}.${v}`;

export const MAP_CASES: MapCase[] = [
  {
    name: 'updateLocation v3', opcode: 2, invoke: true, acn: AC(1, 3),
    param: tlv(SEQ, //                             UpdateLocationArg
      imsi(), //                                   04 imsi
      num(0x81, MSC), //                           81 msc-Number [1]
      num(OCT, VLR), //                            04 vlr-Number
      tlv(0xa6, tlv(0x80, [0x05, 0xe0]))), //      a6 vlr-Capability [6] { 80 supportedCamelPhases phase1-3 }
    expect: { imsi: IMSI, msc: MSC, vlr: VLR },
  },
  {
    name: 'updateLocation result', opcode: 2, invoke: false, acn: AC(1, 3),
    param: tlv(SEQ, num(OCT, HLR)), //             UpdateLocationRes { 04 hlr-Number }
    expect: { hlr: HLR },
  },
  {
    name: 'cancelLocation v3 (imsi)', opcode: 3, invoke: true, acn: AC(2, 3),
    param: tlv(0xa3, imsi(), tlv(0x0a, [1])), //   a3 CancelLocationArg [3] { 04 imsi, 0a cancellationType }
    expect: { imsi: IMSI },
  },
  {
    name: 'cancelLocation v3 (imsi-WithLMSI)', opcode: 3, invoke: true, acn: AC(2, 3),
    param: tlv(0xa3, tlv(SEQ, imsi(), tlv(OCT, '01020304'))), // a3 { 30 imsi-WithLMSI { 04 imsi, 04 lmsi } }
    expect: { imsi: IMSI },
  },
  {
    name: 'cancelLocation v2 (bare imsi)', opcode: 3, invoke: true, acn: AC(2, 2),
    param: imsi(), //                              04 Identity imsi
    expect: { imsi: IMSI },
  },
  {
    name: 'cancelLocation v2 (imsi-WithLMSI)', opcode: 3, invoke: true, acn: AC(2, 2),
    param: tlv(SEQ, imsi(), tlv(OCT, '01020304')), // 30 { 04 imsi, 04 lmsi }
    expect: { imsi: IMSI },
  },
  {
    name: 'provideRoamingNumber', opcode: 4, invoke: true, acn: AC(3, 3),
    param: tlv(SEQ, imsi(0x80), num(0x81, MSC), num(0x82, MSISDN)), // 80 imsi, 81 msc-Number, 82 msisdn
    expect: { imsi: IMSI, msc: MSC, msisdn: MSISDN },
  },
  {
    name: 'insertSubscriberData', opcode: 7, invoke: true, acn: AC(16, 3),
    param: tlv(SEQ, imsi(0x80), num(0x81, MSISDN), tlv(0x82, [0x0a])), // 80 imsi, 81 msisdn, 82 category
    expect: { imsi: IMSI, msisdn: MSISDN },
  },
  {
    name: 'deleteSubscriberData', opcode: 8, invoke: true, acn: AC(16, 3),
    param: tlv(SEQ, imsi(0x80), tlv(0xa1, tlv(0x82, [0x11]))), // 80 imsi, a1 basicServiceList
    expect: { imsi: IMSI },
  },
  {
    name: 'sendRoutingInfo', opcode: 22, invoke: true, acn: AC(5, 3),
    param: tlv(SEQ, num(0x80, MSISDN), int(1, 0x82), tlv(0x83, [0]), num(0x86, MSC)),
    //   80 msisdn, 82 numberOfForwarding, 83 interrogationType, 86 gmsc-OrGsmSCF-Address
    expect: { msisdn: MSISDN },
  },
  {
    name: 'sendRoutingInfo result v3', opcode: 22, invoke: false, acn: AC(5, 3),
    param: tlv(0xa3, imsi(0x89), num(OCT, MSRN)), // a3 SendRoutingInfoRes { 89 imsi [9], 04 roamingNumber }
    expect: { imsi: IMSI },
  },
  {
    name: 'sendRoutingInfo result v2', opcode: 22, invoke: false, acn: AC(5, 2),
    param: tlv(SEQ, imsi(), num(OCT, MSRN)), //    30 { 04 imsi, 04 routingInfo roamingNumber }
    expect: { imsi: IMSI },
  },
  {
    name: 'updateGprsLocation', opcode: 23, invoke: true, acn: AC(32, 3),
    param: tlv(SEQ, imsi(), num(OCT, SGSN), gsnV4(OCT), tlv(SEQ, NULL_(0x80))),
    //   04 imsi, 04 sgsn-Number, 04 sgsn-Address, 30 sgsn-Capability
    expect: { imsi: IMSI, sgsn: SGSN, sgsnAddress: '10.1.2.3' },
  },
  {
    name: 'updateGprsLocation result', opcode: 23, invoke: false, acn: AC(32, 3),
    param: tlv(SEQ, num(OCT, HLR)), //             UpdateGprsLocationRes { 04 hlr-Number }
    expect: { hlr: HLR },
  },
  {
    name: 'sendRoutingInfoForGprs', opcode: 24, invoke: true, acn: AC(33, 4),
    param: tlv(SEQ, imsi(0x80), num(0x82, HLR)), // 80 imsi, 82 ggsn-Number
    expect: { imsi: IMSI },
  },
  {
    name: 'sendRoutingInfoForGprs result', opcode: 24, invoke: false, acn: AC(33, 4),
    param: tlv(SEQ, gsnV4(0x80)), //               80 sgsn-Address [0]
    expect: { sgsnAddress: '10.1.2.3' },
  },
  {
    name: 'reset v3', opcode: 37, invoke: true, acn: AC(10, 3),
    param: tlv(SEQ, num(OCT, HLR), tlv(SEQ, tlv(OCT, tbcd('26201')))), // 04 hlr-Number, 30 hlr-List { 04 HLR-Id }
    expect: { hlr: HLR },
  },
  {
    name: 'reset v1', opcode: 37, invoke: true, acn: AC(10, 1),
    param: tlv(SEQ, tlv(0x0a, [0]), num(OCT, HLR)), // 0a networkResource, 04 hlr-Number
    expect: { hlr: HLR },
  },
  {
    name: 'mt-ForwardSM', opcode: 44, invoke: true, acn: AC(25, 3),
    param: tlv(SEQ, imsi(0x80), num(0x84, SCA), tlv(OCT, '040b91')), // 80 sm-RP-DA imsi, 84 sm-RP-OA sca, 04 sm-RP-UI
    expect: { imsi: IMSI, sca: SCA },
  },
  {
    name: 'sendRoutingInfoForSM', opcode: 45, invoke: true, acn: AC(20, 3),
    param: tlv(SEQ, num(0x80, MSISDN), tlv(0x81, [0xff]), num(0x82, SCA)), // 80 msisdn, 81 sm-RP-PRI, 82 sca
    expect: { msisdn: MSISDN, sca: SCA },
  },
  {
    name: 'sendRoutingInfoForSM result', opcode: 45, invoke: false, acn: AC(20, 3),
    param: tlv(SEQ, imsi(), tlv(0xa0, //           RoutingInfoForSM-Res { 04 imsi, a0 locationInfoWithLMSI
      num(0x81, MSC), //                             81 networkNode-Number
      tlv(OCT, '01020304'), //                       04 lmsi
      tlv(0xa6, num(0x81, SGSN)))), //               a6 additional-Number { 81 sgsn-Number } }
    expect: { imsi: IMSI, msc: MSC, sgsn: SGSN },
  },
  {
    name: 'mo-ForwardSM v3', opcode: 46, invoke: true, acn: AC(21, 3),
    param: tlv(SEQ, num(0x84, SCA), num(0x82, MSISDN), tlv(OCT, '0100'), imsi()),
    //   84 sm-RP-DA serviceCentreAddressDA, 82 sm-RP-OA msisdn, 04 sm-RP-UI, 04 imsi
    expect: { sca: SCA, msisdn: MSISDN, imsi: IMSI },
  },
  {
    name: 'forwardSM v2 (mobile terminated)', opcode: 46, invoke: true, acn: AC(25, 2),
    param: tlv(SEQ, imsi(0x80, IMSI_ODD), num(0x84, SCA), tlv(OCT, '0400'), NULL_(0x05)),
    //   80 sm-RP-DA imsi, 84 sm-RP-OA sca, 04 sm-RP-UI, 05 moreMessagesToSend
    expect: { imsi: IMSI_ODD, sca: SCA },
  },
  {
    name: 'reportSM-DeliveryStatus', opcode: 47, invoke: true, acn: AC(20, 3),
    param: tlv(SEQ, num(OCT, MSISDN), num(OCT, SCA), tlv(0x0a, [1])), // 04 msisdn, 04 sca, 0a deliveryOutcome
    expect: { msisdn: MSISDN, sca: SCA },
  },
  {
    name: 'activateTraceMode', opcode: 50, invoke: true, acn: AC(17, 3),
    param: tlv(SEQ, imsi(0x80), tlv(0x81, [1, 2]), tlv(0x82, [0])), // 80 imsi, 81 traceReference, 82 traceType
    expect: { imsi: IMSI },
  },
  {
    name: 'sendIdentification result v3', opcode: 55, invoke: false, acn: AC(15, 3),
    param: tlv(0xa3, imsi()), //                   a3 SendIdentificationRes { 04 imsi }
    expect: { imsi: IMSI },
  },
  {
    name: 'sendIdentification result v2', opcode: 55, invoke: false, acn: AC(15, 2),
    param: tlv(SEQ, imsi()), //                    30 { 04 imsi, authenticationSetList … }
    expect: { imsi: IMSI },
  },
  {
    name: 'sendAuthenticationInfo v3', opcode: 56, invoke: true, acn: AC(14, 3),
    param: tlv(SEQ, imsi(0x80), int(1)), //         80 imsi [0], 02 numberOfRequestedVectors
    expect: { imsi: IMSI },
  },
  {
    name: 'sendAuthenticationInfo v2', opcode: 56, invoke: true, acn: AC(14, 2),
    param: imsi(), //                              SendAuthenticationInfoArg ::= IMSI
    expect: { imsi: IMSI },
  },
  {
    name: 'restoreData', opcode: 57, invoke: true, acn: AC(14, 3),
    param: tlv(SEQ, imsi(), tlv(OCT, '01020304')), // 04 imsi, 04 lmsi
    expect: { imsi: IMSI },
  },
  {
    name: 'restoreData result', opcode: 57, invoke: false, acn: AC(14, 3),
    param: tlv(SEQ, num(OCT, HLR), NULL_(0x05)), // 04 hlr-Number, 05 msNotReachable
    expect: { hlr: HLR },
  },
  {
    name: 'sendIMSI', opcode: 58, invoke: true, acn: AC(26, 2),
    param: num(OCT, MSISDN), //                    ISDN-AddressString msisdn
    expect: { msisdn: MSISDN },
  },
  {
    name: 'sendIMSI result', opcode: 58, invoke: false, acn: AC(26, 2),
    param: imsi(), //                              IMSI
    expect: { imsi: IMSI },
  },
  {
    name: 'processUnstructuredSS-Request', opcode: 59, invoke: true, acn: AC(19, 2),
    param: tlv(SEQ, tlv(OCT, [0x0f]), tlv(OCT, 'aa180c3602'), num(0x80, MSISDN)),
    //   04 ussd-DataCodingScheme, 04 ussd-String "*100#", 80 msisdn
    expect: { msisdn: MSISDN },
  },
  {
    name: 'informServiceCentre', opcode: 63, invoke: true, acn: AC(20, 3),
    param: tlv(SEQ, num(OCT, MSISDN), tlv(0x03, [0x02, 0x40])), // 04 storedMSISDN, 03 mw-Status
    expect: { msisdn: MSISDN },
  },
  {
    name: 'alertServiceCentre', opcode: 64, invoke: true, acn: AC(23, 2),
    param: tlv(SEQ, num(OCT, MSISDN), num(OCT, SCA)), // 04 msisdn, 04 serviceCentreAddress
    expect: { msisdn: MSISDN, sca: SCA },
  },
  {
    name: 'readyForSM', opcode: 66, invoke: true, acn: AC(24, 3),
    param: tlv(SEQ, imsi(0x80), tlv(0x0a, [0])), // 80 imsi, 0a alertReason
    expect: { imsi: IMSI },
  },
  {
    name: 'purgeMS v3', opcode: 67, invoke: true, acn: AC(27, 3),
    param: tlv(0xa3, imsi(), num(0x80, VLR), num(0x81, SGSN)), // a3 { 04 imsi, 80 vlr-Number, 81 sgsn-Number }
    expect: { imsi: IMSI, vlr: VLR, sgsn: SGSN },
  },
  {
    name: 'purgeMS v2', opcode: 67, invoke: true, acn: AC(27, 2),
    param: tlv(SEQ, imsi(), num(OCT, VLR)), //     30 { 04 imsi, 04 vlr-Number }
    expect: { imsi: IMSI, vlr: VLR },
  },
  {
    name: 'provideSubscriberInfo', opcode: 70, invoke: true, acn: AC(28, 3),
    param: tlv(SEQ, imsi(0x80), tlv(0xa2, NULL_(0x80))), // 80 imsi, a2 requestedInfo { 80 locationInformation }
    expect: { imsi: IMSI },
  },
  {
    name: 'anyTimeInterrogation (imsi)', opcode: 71, invoke: true, acn: AC(29, 3),
    param: tlv(SEQ, tlv(0xa0, imsi(0x80)), tlv(0xa1, NULL_(0x80)), num(0x83, SCA)),
    //   a0 subscriberIdentity { 80 imsi }, a1 requestedInfo, 83 gsmSCF-Address
    expect: { imsi: IMSI },
  },
  {
    name: 'anyTimeInterrogation (msisdn)', opcode: 71, invoke: true, acn: AC(29, 3),
    param: tlv(SEQ, tlv(0xa0, num(0x81, MSISDN)), tlv(0xa1, NULL_(0x80)), num(0x83, SCA)),
    //   a0 subscriberIdentity { 81 msisdn }
    expect: { msisdn: MSISDN },
  },
];

export const CAP_CASES: MapCase[] = [
  {
    name: 'initialDP', opcode: 0, invoke: true, acn: '0.4.0.0.1.0.50.1', cap: true,
    param: tlv(SEQ, //                                     InitialDPArg
      int(100, 0x80), //                                   80 serviceKey
      tlv(0x83, '04 11 2143658709'), //                    83 callingPartyNumber: even, NAI international (4), NPI E.164, 1234567890
      tlv(0x9c, [0x02]), //                                9c eventTypeBCSM [28] collectedInfo
      tlv(highTag(0x80, 50), tbcd(IMSI)), //               9f 32 iMSI [50]
      tlv(highTag(0x80, 55), isdn(MSC))), //               9f 37 mscAddress [55]
    expect: { calling: '1234567890', imsi: IMSI, msc: MSC },
  },
  {
    name: 'initialDPSMS', opcode: 60, invoke: true, acn: '0.4.0.0.1.21.3.61', cap: true,
    param: tlv(SEQ, int(7, 0x80), tlv(0x81, isdn(SCA)), num(0x82, MSISDN), tlv(0x83, [0]), imsi(0x84),
      num(0x87, SCA), num(0x8f, MSC)),
    //   80 serviceKey, 81 destinationSubscriberNumber, 82 callingPartyNumber, 83 eventTypeSMS, 84 iMSI,
    //   87 sMSCAddress, 8f mscAddress [15]
    expect: { msisdn: MSISDN, imsi: IMSI, sca: SCA, msc: MSC },
  },
  {
    name: 'initialDPGPRS', opcode: 78, invoke: true, acn: '0.4.0.0.1.21.3.50', cap: true,
    param: tlv(SEQ, int(7, 0x80), tlv(0x81, [1]), num(0x82, MSISDN), imsi(0x83)),
    //   80 serviceKey, 81 gPRSEventType, 82 mSISDN, 83 iMSI
    expect: { msisdn: MSISDN, imsi: IMSI },
  },
];
