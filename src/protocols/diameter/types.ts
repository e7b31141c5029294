/**
 * The view filled by the Diameter decoder (one instance per pipeline, reused for every
 * message). Offsets point into the buffer passed to the decoder; an absent text AVP has
 * start = end = -1, an absent number is -1.
 */
export interface DiameterView {
  /** true when the 20-octet header was read (version 1): the header fields are valid, even if
   *  the AVP walk then stopped at an anomaly (fields found before it are kept). */
  headerOk: boolean;
  /** The message [start, start + length) in buf. */
  start: number;
  version: number;
  /** Message Length (header included). */
  length: number;
  /** Command flags R P E T (DiameterFlag). */
  flags: number;
  commandCode: number;
  appId: number;
  hopByHop: number;
  endToEnd: number;

  /** AVPs walked (all levels) and the deepest nesting reached. */
  avpCount: number;
  maxDepth: number;

  // Text AVPs (UTF8String / DiameterIdentity), message level.
  sessionIdStart: number;
  sessionIdEnd: number;
  originHostStart: number;
  originHostEnd: number;
  originRealmStart: number;
  originRealmEnd: number;
  destHostStart: number;
  destHostEnd: number;
  destRealmStart: number;
  destRealmEnd: number;
  /** User-Name (the IMSI on S6a/S6d, TS 29.272 §7.3.1 note; an NAI elsewhere). */
  userNameStart: number;
  userNameEnd: number;
  /** Subscription-Id-Data of the first Subscription-Id whose type is END_USER_IMSI (RFC 4006 §8.46). */
  subscriptionImsiStart: number;
  subscriptionImsiEnd: number;

  /** Visited-PLMN-Id: offset of its 3 octets (TS 29.272 §7.3.9), -1 absent. */
  visitedPlmnOffset: number;
  /** RAT-Type (TS 29.212 §5.3.31). */
  ratType: number;
  /** Result-Code (RFC 6733 §7.1). */
  resultCode: number;
  /** Experimental-Result: Vendor-Id and Experimental-Result-Code (RFC 6733 §7.6, §7.7). */
  expVendorId: number;
  expResultCode: number;
  /** Auth-Application-Id / Acct-Application-Id, message level or in Vendor-Specific-Application-Id. */
  authAppId: number;
  acctAppId: number;
  /** ULR-Flags (TS 29.272 §7.3.7), Cancellation-Type (§7.3.24). */
  ulrFlags: number;
  cancellationType: number;
  /** First Supported-Features (TS 29.229 §6.3.29): Vendor-Id, Feature-List-ID, Feature-List. */
  featureVendorId: number;
  featureListId: number;
  featureList: number;

  // Scratch of the Subscription-Id being walked (type and data are in any order).
  subIdType: number;
  subIdDataStart: number;
  subIdDataEnd: number;
}

export function createDiameterView(): DiameterView {
  const v = {} as DiameterView;
  resetDiameterView(v, 0);
  return v;
}

/** Resets a view to "nothing decoded". */
export function resetDiameterView(v: DiameterView, start: number): void {
  v.headerOk = false;
  v.start = start;
  v.version = -1;
  v.length = 0;
  v.flags = 0;
  v.commandCode = -1;
  v.appId = -1;
  v.hopByHop = -1;
  v.endToEnd = -1;
  v.avpCount = 0;
  v.maxDepth = 0;
  v.sessionIdStart = v.sessionIdEnd = -1;
  v.originHostStart = v.originHostEnd = -1;
  v.originRealmStart = v.originRealmEnd = -1;
  v.destHostStart = v.destHostEnd = -1;
  v.destRealmStart = v.destRealmEnd = -1;
  v.userNameStart = v.userNameEnd = -1;
  v.subscriptionImsiStart = v.subscriptionImsiEnd = -1;
  v.visitedPlmnOffset = -1;
  v.ratType = -1;
  v.resultCode = -1;
  v.expVendorId = -1;
  v.expResultCode = -1;
  v.authAppId = -1;
  v.acctAppId = -1;
  v.ulrFlags = -1;
  v.cancellationType = -1;
  v.featureVendorId = -1;
  v.featureListId = -1;
  v.featureList = -1;
  v.subIdType = -1;
  v.subIdDataStart = v.subIdDataEnd = -1;
}
