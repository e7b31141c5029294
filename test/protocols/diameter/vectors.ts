/**
 * Hand-built Diameter messages (RFC 6733 §3, §4.1; TS 29.272 §7.2.3, §7.3), annotated byte by
 * byte. ULR, AIA_5001 and CCR were checked with `tshark -V` (wrapped in SCTP PPID 46 by test/helpers/ipCapture).
 */
import { hex } from '../../helpers/hex';

/** S6a Update-Location-Request, 208 octets. */
export const ULR = hex(
  '01', '0000d0', // version 1, Message Length 208
  'c0', '00013c', // flags R P, Command Code 316 (Update-Location)
  '01000023', // Application-ID 16777251 (S6a/S6d)
  '00000001', // Hop-by-Hop Identifier
  '00000002', // End-to-End Identifier
  '00000107', '40', '00000d', '613b623b63', '000000', // Session-Id (263) M, len 13, "a;b;c" + 3 pad
  '00000108', '40', '00000f', '6d6d652e6e6574', '00', // Origin-Host (264) M, len 15, "mme.net" + 1 pad
  '00000128', '40', '00000b', '6e6574', '00', // Origin-Realm (296) M, len 11, "net" + 1 pad
  '0000011b', '40', '000010', '686f6d652e6e6574', // Destination-Realm (283) M, len 16, "home.net"
  '00000001', '40', '000017', '303031303130313233343536373839', '00', // User-Name (1) M, len 23, IMSI "001010123456789" + 1 pad
  '00000408', 'c0', '000010', '000028af', '000003ec', // RAT-Type (1032) V M, len 16, vendor 10415, EUTRAN (1004)
  '0000057d', 'c0', '000010', '000028af', '00000022', // ULR-Flags (1405) V M, len 16, vendor 10415, 0x22 (S6a/S6d-Indicator, Initial-Attach)
  '0000057f', 'c0', '00000f', '000028af', '12f470', '00', // Visited-PLMN-Id (1407) V M, len 15, vendor 10415, MCC 214 MNC 07 + 1 pad
  '00000274', '80', '000038', '000028af', // Supported-Features (628) V, len 56, vendor 10415, Grouped:
  '0000010a', '40', '00000c', '000028af', //   Vendor-Id (266) M, len 12, 10415
  '00000275', '80', '000010', '000028af', '00000001', //   Feature-List-ID (629) V, len 16, 1
  '00000276', '80', '000010', '000028af', '1c000007', //   Feature-List (630) V, len 16, 0x1c000007
);

/** S6a Authentication-Information-Answer with Experimental-Result 5001 (DIAMETER_ERROR_USER_UNKNOWN), 92 octets. */
export const AIA_5001 = hex(
  '01', '00005c', // version 1, Message Length 92
  '40', '00013e', // flags P (an answer), Command Code 318 (Authentication-Information)
  '01000023', // Application-ID 16777251
  '00000003', // Hop-by-Hop Identifier
  '00000004', // End-to-End Identifier
  '00000107', '40', '00000d', '613b623b63', '000000', // Session-Id (263), "a;b;c" + 3 pad
  '00000129', '40', '000020', // Experimental-Result (297) M, len 32, Grouped:
  '0000010a', '40', '00000c', '000028af', //   Vendor-Id (266), 10415
  '0000012a', '40', '00000c', '00001389', //   Experimental-Result-Code (298), 5001
  '00000115', '40', '00000c', '00000001', // Auth-Session-State (277), NO_STATE_MAINTAINED
  '00000108', '40', '00000c', '6873732e', // Origin-Host (264), "hss."
);

/** Gx CCR with two Subscription-Id (E.164 first, then END_USER_IMSI) and Vendor-Specific-Application-Id, 136 octets. */
export const CCR = hex(
  '01', '000088', // version 1, Message Length 136
  'c0', '000110', // flags R P, Command Code 272 (Credit-Control)
  '01000016', // Application-ID 16777238 (Gx)
  '0000000a', // Hop-by-Hop Identifier
  '0000000b', // End-to-End Identifier
  '00000104', '40', '000020', // Vendor-Specific-Application-Id (260) M, len 32, Grouped:
  '0000010a', '40', '00000c', '000028af', //   Vendor-Id (266), 10415
  '00000102', '40', '00000c', '01000016', //   Auth-Application-Id (258), 16777238
  '000001bb', '40', '000028', // Subscription-Id (443) M, len 40, Grouped:
  '000001c2', '40', '00000c', '00000000', //   Subscription-Id-Type (450), END_USER_E164 (0)
  '000001bc', '40', '000013', '3334363030303030303030', '00', //   Subscription-Id-Data (444), "34600000000" + 1 pad
  '000001bb', '40', '00002c', // Subscription-Id (443) M, len 44, Grouped:
  '000001bc', '40', '000017', '323134303731323334353637383930', '00', //   Subscription-Id-Data (444), "214071234567890" + 1 pad (data before type)
  '000001c2', '40', '00000c', '00000001', //   Subscription-Id-Type (450), END_USER_IMSI (1)
);
