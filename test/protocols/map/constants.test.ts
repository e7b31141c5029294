import { describe, expect, it } from 'vitest';
import {
  CAP_ERRORS, CAP_OPERATIONS, MAP_ANOMALY_NAMES, MAP_APPLICATION_CONTEXTS, MAP_ERRORS, MAP_OPERATIONS, MapAnomaly,
  capErrorName, capOperationName, mapAcName, mapErrorName, mapOperationName, procedureName,
} from '../../../src/protocols/map/constants';
import { TCAP_ANOMALY_NAMES, TcapAnomaly } from '../../../src/protocols/tcap/constants';
import { BerStatus } from '../../../src/protocols/tcap/ber';

describe('MAP names (TS 29.002 §17.5, §17.6.6, §17.3.3)', () => {
  it('operation codes named in the brief', () => {
    const want: [number, string][] = [
      [2, 'updateLocation'], [3, 'cancelLocation'], [4, 'provideRoamingNumber'], [7, 'insertSubscriberData'],
      [8, 'deleteSubscriberData'], [9, 'sendParameters'], [10, 'registerSS'], [22, 'sendRoutingInfo'],
      [23, 'updateGprsLocation'], [24, 'sendRoutingInfoForGprs'], [37, 'reset'], [38, 'forwardCheckSS-Indication'],
      [44, 'mt-ForwardSM'], [45, 'sendRoutingInfoForSM'], [46, 'mo-ForwardSM'], [47, 'reportSM-DeliveryStatus'],
      [50, 'activateTraceMode'], [55, 'sendIdentification'], [56, 'sendAuthenticationInfo'], [57, 'restoreData'],
      [58, 'sendIMSI'], [59, 'processUnstructuredSS-Request'], [60, 'unstructuredSS-Request'], [66, 'readyForSM'],
      [67, 'purgeMS'], [70, 'provideSubscriberInfo'], [71, 'anyTimeInterrogation'], [89, 'noteMM-Event'],
    ];
    for (const [op, name] of want) expect(mapOperationName(op)).toBe(name);
  });

  it('every error code of MAP-Errors (and of earlier versions)', () => {
    const want: [number, string][] = [
      [1, 'unknownSubscriber'], [2, 'unknownBaseStation'], [3, 'unknownMSC'], [5, 'unidentifiedSubscriber'],
      [6, 'absentSubscriberSM'], [7, 'unknownEquipment'], [8, 'roamingNotAllowed'], [9, 'illegalSubscriber'],
      [10, 'bearerServiceNotProvisioned'], [11, 'teleserviceNotProvisioned'], [12, 'illegalEquipment'],
      [13, 'callBarred'], [14, 'forwardingViolation'], [15, 'cug-Reject'], [16, 'illegalSS-Operation'],
      [17, 'ss-ErrorStatus'], [18, 'ss-NotAvailable'], [19, 'ss-SubscriptionViolation'], [20, 'ss-Incompatibility'],
      [21, 'facilityNotSupported'], [22, 'ongoingGroupCall'], [25, 'noHandoverNumberAvailable'],
      [26, 'subsequentHandoverFailure'], [27, 'absentSubscriber'], [28, 'incompatibleTerminal'],
      [29, 'shortTermDenial'], [30, 'longTermDenial'], [31, 'subscriberBusyForMT-SMS'], [32, 'sm-DeliveryFailure'],
      [33, 'messageWaitingListFull'], [34, 'systemFailure'], [35, 'dataMissing'], [36, 'unexpectedDataValue'],
      [37, 'pw-RegistrationFailure'], [38, 'negativePW-Check'], [39, 'noRoamingNumberAvailable'],
      [40, 'tracingBufferFull'], [42, 'targetCellOutsideGroupCallArea'], [43, 'numberOfPW-AttemptsViolation'],
      [44, 'numberChanged'], [45, 'busySubscriber'], [46, 'noSubscriberReply'], [47, 'forwardingFailed'],
      [48, 'or-NotAllowed'], [49, 'ati-NotAllowed'], [50, 'noGroupCallNumberAvailable'], [51, 'resourceLimitation'],
      [52, 'unauthorizedRequestingNetwork'], [53, 'unauthorizedLCSClient'], [54, 'positionMethodFailure'],
      [58, 'unknownOrUnreachableLCSClient'], [59, 'mm-EventNotSupported'], [60, 'atsi-NotAllowed'],
      [61, 'atm-NotAllowed'], [62, 'informationNotAvailable'], [71, 'unknownAlphabet'], [72, 'ussd-Busy'],
    ];
    for (const [code, name] of want) expect(mapErrorName(code)).toBe(name);
    // the 52 codes of the Rel-14 MAP-Errors module, plus 2, 4, 23, 24 of earlier versions
    expect(MAP_ERRORS.length).toBe(want.length + 3);
  });

  it('application contexts', () => {
    expect(mapAcName(1)).toBe('networkLocUpContext');
    expect(mapAcName(2)).toBe('locationCancellationContext');
    expect(mapAcName(14)).toBe('infoRetrievalContext');
    expect(mapAcName(32)).toBe('gprsLocationUpdateContext');
    expect(mapAcName(20)).toBe('shortMsgGatewayContext');
    expect(mapAcName(47)).toBe('vcsgLocationCancellationContext');
  });

  it('tables have unique codes and names; unknown codes get a fallback', () => {
    for (const t of [MAP_OPERATIONS, MAP_ERRORS, MAP_APPLICATION_CONTEXTS, CAP_OPERATIONS, CAP_ERRORS]) {
      expect(new Set(t.map(([c]) => c)).size).toBe(t.length);
      expect(new Set(t.map(([, n]) => n)).size).toBe(t.length);
    }
    expect(mapOperationName(1)).toBe('op1');
    expect(mapErrorName(99)).toBe('error99');
    expect(mapAcName(30)).toBe('ac30');
    expect(mapOperationName(-1)).toBe('op-1');
  });
});

describe('CAP names (TS 29.078)', () => {
  it('operations and errors', () => {
    expect([0, 20, 22, 23, 24, 31, 35, 36, 55, 60, 78, 88].map(capOperationName)).toEqual([
      'initialDP', 'connect', 'releaseCall', 'requestReportBCSMEvent', 'eventReportBCSM', 'continue',
      'applyCharging', 'applyChargingReport', 'activityTest', 'initialDPSMS', 'initialDPGPRS', 'continueWithArgument',
    ]);
    expect([0, 6, 7, 11, 12, 17, 51].map(capErrorName)).toEqual([
      'canceled', 'missingCustomerRecord', 'missingParameter', 'systemFailure', 'taskRefused', 'unknownLegID', 'unknownCSID',
    ]);
  });
});

describe('procedureName', () => {
  it('MAP and CAP spaces, unknown and global codes', () => {
    expect(procedureName(1, 56)).toBe('sendAuthenticationInfo');
    expect(procedureName(1, 2)).toBe('updateLocation');
    expect(procedureName(0, 22)).toBe('sendRoutingInfo'); // unknown family → MAP
    expect(procedureName(2, 22)).toBe('releaseCall');
    expect(procedureName(2, 0)).toBe('initialDP');
    expect(procedureName(1, 200)).toBe('op200');
    expect(procedureName(1, -2)).toBe('global');
  });
});

describe('anomaly code tables', () => {
  it('names are snake_case, index = code; BER codes shared', () => {
    for (const names of [TCAP_ANOMALY_NAMES, MAP_ANOMALY_NAMES]) {
      expect(names[0]).toBe('ok');
      for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(new Set(names).size).toBe(names.length);
    }
    expect(TCAP_ANOMALY_NAMES.length).toBe(TcapAnomaly.TrailingData + 1);
    expect(MAP_ANOMALY_NAMES.length).toBe(MapAnomaly.BadField + 1);
    const shared: [number, number, number][] = [
      [BerStatus.Truncated, TcapAnomaly.Truncated, MapAnomaly.Truncated],
      [BerStatus.BadLength, TcapAnomaly.BadLength, MapAnomaly.BadLength],
      [BerStatus.BadTag, TcapAnomaly.BadTag, MapAnomaly.BadTag],
      [BerStatus.NestingTooDeep, TcapAnomaly.NestingTooDeep, MapAnomaly.NestingTooDeep],
      [BerStatus.TooManyElements, TcapAnomaly.TooManyElements, MapAnomaly.TooManyElements],
    ];
    for (const [b, t, m] of shared) {
      expect(t).toBe(b);
      expect(m).toBe(b);
      expect(TCAP_ANOMALY_NAMES[t]).toBe(MAP_ANOMALY_NAMES[m]);
    }
  });
});
