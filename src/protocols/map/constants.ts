/**
 * GSM MAP (3GPP TS 29.002) and CAMEL CAP (3GPP TS 29.078) constants: operation, error and
 * application-context names, and the MAP anomaly codes.
 */

/** Anomaly codes of the Map layer. Codes 1–5 equal the BerStatus codes (tcap/ber.ts). */
export const enum MapAnomaly {
  Ok = 0,
  Truncated = 1,
  BadLength = 2,
  BadTag = 3,
  NestingTooDeep = 4,
  TooManyElements = 5,
  /** an identity field of an impossible size (e.g. IMSI ∉ 3..8 octets; rules.ts FIELD_*_OCTETS) */
  BadField = 6,
}

export const MAP_ANOMALY_NAMES: readonly string[] = [
  'ok', 'truncated', 'bad_length', 'bad_tag', 'nesting_too_deep', 'too_many_elements', 'bad_field',
];

/** AcnFamily values used by procedureName (same numbering as TcapView.acnFamily). */
export const FAMILY_MAP = 1;
export const FAMILY_CAP = 2;

/** Builds a code → name lookup array from [code, name] pairs (done once at module load). */
function nameTable(pairs: readonly (readonly [number, string])[]): readonly (string | undefined)[] {
  const t: (string | undefined)[] = [];
  for (const [code, name] of pairs) t[code] = name;
  return t;
}

/**
 * MAP local operation codes, TS 29.002 §17.5 / §17.6 (`CODE local:N`), including codes kept
 * for operations of earlier protocol versions (v1/v2).
 */
export const MAP_OPERATIONS: readonly (readonly [number, string])[] = [
  [2, 'updateLocation'],
  [3, 'cancelLocation'],
  [4, 'provideRoamingNumber'],
  [5, 'noteSubscriberDataModified'],
  [6, 'resumeCallHandling'],
  [7, 'insertSubscriberData'],
  [8, 'deleteSubscriberData'],
  [9, 'sendParameters'], // v1
  [10, 'registerSS'],
  [11, 'eraseSS'],
  [12, 'activateSS'],
  [13, 'deactivateSS'],
  [14, 'interrogateSS'],
  [15, 'authenticationFailureReport'],
  [17, 'registerPassword'],
  [18, 'getPassword'],
  [19, 'processUnstructuredSS-Data'], // v1
  [20, 'releaseResources'],
  [21, 'mt-ForwardSM-VGCS'],
  [22, 'sendRoutingInfo'],
  [23, 'updateGprsLocation'],
  [24, 'sendRoutingInfoForGprs'],
  [25, 'failureReport'],
  [26, 'noteMsPresentForGprs'],
  [28, 'performHandover'], // v1
  [29, 'sendEndSignal'],
  [30, 'performSubsequentHandover'], // v1
  [31, 'provideSIWFSNumber'],
  [32, 'sIWFSSignallingModify'],
  [33, 'processAccessSignalling'],
  [34, 'forwardAccessSignalling'],
  [35, 'noteInternalHandover'], // v1
  [36, 'cancelVcsgLocation'],
  [37, 'reset'],
  [38, 'forwardCheckSS-Indication'],
  [39, 'prepareGroupCall'],
  [40, 'sendGroupCallEndSignal'],
  [41, 'processGroupCallSignalling'],
  [42, 'forwardGroupCallSignalling'],
  [43, 'checkIMEI'],
  [44, 'mt-ForwardSM'],
  [45, 'sendRoutingInfoForSM'],
  [46, 'mo-ForwardSM'], // forwardSM in v1/v2
  [47, 'reportSM-DeliveryStatus'],
  [48, 'noteSubscriberPresent'], // v1
  [49, 'alertServiceCentreWithoutResult'], // v1
  [50, 'activateTraceMode'],
  [51, 'deactivateTraceMode'],
  [52, 'traceSubscriberActivity'], // v1
  [53, 'updateVcsgLocation'],
  [54, 'beginSubscriberActivity'], // v1
  [55, 'sendIdentification'],
  [56, 'sendAuthenticationInfo'],
  [57, 'restoreData'],
  [58, 'sendIMSI'],
  [59, 'processUnstructuredSS-Request'],
  [60, 'unstructuredSS-Request'],
  [61, 'unstructuredSS-Notify'],
  [62, 'anyTimeSubscriptionInterrogation'],
  [63, 'informServiceCentre'],
  [64, 'alertServiceCentre'],
  [65, 'anyTimeModification'],
  [66, 'readyForSM'],
  [67, 'purgeMS'],
  [68, 'prepareHandover'],
  [69, 'prepareSubsequentHandover'],
  [70, 'provideSubscriberInfo'],
  [71, 'anyTimeInterrogation'],
  [72, 'ss-InvocationNotification'],
  [73, 'setReportingState'],
  [74, 'statusReport'],
  [75, 'remoteUserFree'],
  [76, 'registerCC-Entry'],
  [77, 'eraseCC-Entry'],
  [78, 'secureTransportClass1'],
  [79, 'secureTransportClass2'],
  [80, 'secureTransportClass3'],
  [81, 'secureTransportClass4'],
  [83, 'provideSubscriberLocation'],
  [84, 'sendGroupCallInfo'],
  [85, 'sendRoutingInfoForLCS'],
  [86, 'subscriberLocationReport'],
  [87, 'ist-Alert'],
  [88, 'ist-Command'],
  [89, 'noteMM-Event'],
];

/**
 * MAP local error codes, TS 29.002 §17.6.6 (MAP-Errors), plus the codes of errors of earlier
 * versions (unknownBaseStation 2, invalidTargetBaseStation 23, noRadioResourceAvailable 24 —
 * MAPv2-Errors; secureTransportError 4 — Rel-4..6 secure transport).
 */
export const MAP_ERRORS: readonly (readonly [number, string])[] = [
  [1, 'unknownSubscriber'],
  [2, 'unknownBaseStation'],
  [3, 'unknownMSC'],
  [4, 'secureTransportError'],
  [5, 'unidentifiedSubscriber'],
  [6, 'absentSubscriberSM'],
  [7, 'unknownEquipment'],
  [8, 'roamingNotAllowed'],
  [9, 'illegalSubscriber'],
  [10, 'bearerServiceNotProvisioned'],
  [11, 'teleserviceNotProvisioned'],
  [12, 'illegalEquipment'],
  [13, 'callBarred'],
  [14, 'forwardingViolation'],
  [15, 'cug-Reject'],
  [16, 'illegalSS-Operation'],
  [17, 'ss-ErrorStatus'],
  [18, 'ss-NotAvailable'],
  [19, 'ss-SubscriptionViolation'],
  [20, 'ss-Incompatibility'],
  [21, 'facilityNotSupported'],
  [22, 'ongoingGroupCall'],
  [23, 'invalidTargetBaseStation'],
  [24, 'noRadioResourceAvailable'],
  [25, 'noHandoverNumberAvailable'],
  [26, 'subsequentHandoverFailure'],
  [27, 'absentSubscriber'],
  [28, 'incompatibleTerminal'],
  [29, 'shortTermDenial'],
  [30, 'longTermDenial'],
  [31, 'subscriberBusyForMT-SMS'],
  [32, 'sm-DeliveryFailure'],
  [33, 'messageWaitingListFull'],
  [34, 'systemFailure'],
  [35, 'dataMissing'],
  [36, 'unexpectedDataValue'],
  [37, 'pw-RegistrationFailure'],
  [38, 'negativePW-Check'],
  [39, 'noRoamingNumberAvailable'],
  [40, 'tracingBufferFull'],
  [42, 'targetCellOutsideGroupCallArea'],
  [43, 'numberOfPW-AttemptsViolation'],
  [44, 'numberChanged'],
  [45, 'busySubscriber'],
  [46, 'noSubscriberReply'],
  [47, 'forwardingFailed'],
  [48, 'or-NotAllowed'],
  [49, 'ati-NotAllowed'],
  [50, 'noGroupCallNumberAvailable'],
  [51, 'resourceLimitation'],
  [52, 'unauthorizedRequestingNetwork'],
  [53, 'unauthorizedLCSClient'],
  [54, 'positionMethodFailure'],
  [58, 'unknownOrUnreachableLCSClient'],
  [59, 'mm-EventNotSupported'],
  [60, 'atsi-NotAllowed'],
  [61, 'atm-NotAllowed'],
  [62, 'informationNotAvailable'],
  [71, 'unknownAlphabet'],
  [72, 'ussd-Busy'],
];

/**
 * MAP application contexts: the <ac> arc of map-ac {0 4 0 0 1 0 <ac> <version>}
 * (TS 29.002 §17.3.3, MAP-ApplicationContexts, including contexts of earlier versions).
 */
export const MAP_APPLICATION_CONTEXTS: readonly (readonly [number, string])[] = [
  [1, 'networkLocUpContext'],
  [2, 'locationCancellationContext'],
  [3, 'roamingNumberEnquiryContext'],
  [4, 'istAlertingContext'],
  [5, 'locationInfoRetrievalContext'],
  [6, 'callControlTransferContext'],
  [7, 'reportingContext'],
  [8, 'callCompletionContext'],
  [9, 'serviceTerminationContext'],
  [10, 'resetContext'],
  [11, 'handoverControlContext'],
  [12, 'sIWFSAllocationContext'],
  [13, 'equipmentMngtContext'],
  [14, 'infoRetrievalContext'],
  [15, 'interVlrInfoRetrievalContext'],
  [16, 'subscriberDataMngtContext'],
  [17, 'tracingContext'],
  [18, 'networkFunctionalSsContext'],
  [19, 'networkUnstructuredSsContext'],
  [20, 'shortMsgGatewayContext'],
  [21, 'shortMsgMO-RelayContext'], // shortMsgRelayContext in v1
  [22, 'subscriberDataModificationNotificationContext'],
  [23, 'shortMsgAlertContext'],
  [24, 'mwdMngtContext'],
  [25, 'shortMsgMT-RelayContext'],
  [26, 'imsiRetrievalContext'],
  [27, 'msPurgingContext'],
  [28, 'subscriberInfoEnquiryContext'],
  [29, 'anyTimeInfoEnquiryContext'],
  [31, 'groupCallControlContext'],
  [32, 'gprsLocationUpdateContext'],
  [33, 'gprsLocationInfoRetrievalContext'],
  [34, 'failureReportContext'],
  [35, 'gprsNotifyContext'],
  [36, 'ss-InvocationNotificationContext'],
  [37, 'locationSvcGatewayContext'],
  [38, 'locationSvcEnquiryContext'],
  [39, 'authenticationFailureReportContext'],
  [41, 'shortMsgMT-Relay-VGCS-Context'],
  [42, 'mm-EventReportingContext'],
  [43, 'anyTimeInfoHandlingContext'],
  [44, 'resourceManagementContext'],
  [45, 'groupCallInfoRetrievalContext'],
  [46, 'vcsgLocationUpdateContext'],
  [47, 'vcsgLocationCancellationContext'],
];

/** CAP local operation codes, TS 29.078 §5.3 (CAP-operationcodes), CAP v1–v4. */
export const CAP_OPERATIONS: readonly (readonly [number, string])[] = [
  [0, 'initialDP'],
  [16, 'assistRequestInstructions'],
  [17, 'establishTemporaryConnection'],
  [18, 'disconnectForwardConnection'],
  [19, 'connectToResource'],
  [20, 'connect'],
  [22, 'releaseCall'],
  [23, 'requestReportBCSMEvent'],
  [24, 'eventReportBCSM'],
  [27, 'collectInformation'],
  [31, 'continue'],
  [32, 'initiateCallAttempt'],
  [33, 'resetTimer'],
  [34, 'furnishChargingInformation'],
  [35, 'applyCharging'],
  [36, 'applyChargingReport'],
  [41, 'callGap'],
  [44, 'callInformationReport'],
  [45, 'callInformationRequest'],
  [46, 'sendChargingInformation'],
  [47, 'playAnnouncement'],
  [48, 'promptAndCollectUserInformation'],
  [49, 'specializedResourceReport'],
  [53, 'cancel'],
  [55, 'activityTest'],
  [60, 'initialDPSMS'],
  [61, 'furnishChargingInformationSMS'],
  [62, 'connectSMS'],
  [63, 'requestReportSMSEvent'],
  [64, 'eventReportSMS'],
  [65, 'continueSMS'],
  [66, 'releaseSMS'],
  [67, 'resetTimerSMS'],
  [70, 'activityTestGPRS'],
  [71, 'applyChargingGPRS'],
  [72, 'applyChargingReportGPRS'],
  [73, 'cancelGPRS'],
  [74, 'connectGPRS'],
  [75, 'continueGPRS'],
  [76, 'entityReleasedGPRS'],
  [77, 'furnishChargingInformationGPRS'],
  [78, 'initialDPGPRS'],
  [79, 'releaseGPRS'],
  [80, 'eventReportGPRS'],
  [81, 'requestReportGPRSEvent'],
  [82, 'resetTimerGPRS'],
  [83, 'sendChargingInformationGPRS'],
  [86, 'dFCWithArgument'],
  [88, 'continueWithArgument'],
  [90, 'disconnectLeg'],
  [93, 'moveLeg'],
  [95, 'splitLeg'],
  [96, 'entityReleased'],
  [97, 'playTone'],
];

/** CAP local error codes, TS 29.078 §5.4 (CAP-errorcodes). */
export const CAP_ERRORS: readonly (readonly [number, string])[] = [
  [0, 'canceled'],
  [1, 'cancelFailed'],
  [3, 'eTCFailed'],
  [4, 'improperCallerResponse'],
  [6, 'missingCustomerRecord'],
  [7, 'missingParameter'],
  [8, 'parameterOutOfRange'],
  [10, 'requestedInfoError'],
  [11, 'systemFailure'],
  [12, 'taskRefused'],
  [13, 'unavailableResource'],
  [14, 'unexpectedComponentSequence'],
  [15, 'unexpectedDataValue'],
  [16, 'unexpectedParameter'],
  [17, 'unknownLegID'],
  [50, 'unknownPDPID'],
  [51, 'unknownCSID'],
];

const MAP_OPERATION_NAMES = nameTable(MAP_OPERATIONS);
const MAP_ERROR_NAMES = nameTable(MAP_ERRORS);
const MAP_AC_NAMES = nameTable(MAP_APPLICATION_CONTEXTS);
const CAP_OPERATION_NAMES = nameTable(CAP_OPERATIONS);
const CAP_ERROR_NAMES = nameTable(CAP_ERRORS);

function lookup(t: readonly (string | undefined)[], code: number, prefix: string): string {
  const name = Number.isInteger(code) && code >= 0 ? t[code] : undefined;
  return name !== undefined ? name : prefix + code;
}

/** MAP operation name (e.g. 'sendAuthenticationInfo'); 'op<N>' when unknown. */
export function mapOperationName(op: number): string {
  return lookup(MAP_OPERATION_NAMES, op, 'op');
}

/** MAP error name (e.g. 'unknownSubscriber'); 'error<N>' when unknown. */
export function mapErrorName(code: number): string {
  return lookup(MAP_ERROR_NAMES, code, 'error');
}

/** CAP operation name (e.g. 'initialDP'); 'op<N>' when unknown. */
export function capOperationName(op: number): string {
  return lookup(CAP_OPERATION_NAMES, op, 'op');
}

/** CAP error name (e.g. 'missingCustomerRecord'); 'error<N>' when unknown. */
export function capErrorName(code: number): string {
  return lookup(CAP_ERROR_NAMES, code, 'error');
}

/** MAP application-context name for the <ac> arc (e.g. 14 → 'infoRetrievalContext'); 'ac<N>' when unknown. */
export function mapAcName(ac: number): string {
  return lookup(MAP_AC_NAMES, ac, 'ac');
}

/**
 * Procedure name for records: the operation's spec name for `family` (2 = CAP, anything else
 * = MAP), 'op<N>' when the code is unknown, 'global' for a global (OID) operation code (−2).
 */
export function procedureName(family: number, opcode: number): string {
  if (opcode === -2) return 'global';
  return family === FAMILY_CAP ? capOperationName(opcode) : mapOperationName(opcode);
}
