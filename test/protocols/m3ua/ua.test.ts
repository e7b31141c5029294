import { describe, expect, it } from 'vitest';
import { UA_STATUS_NAMES, UaStatus, uaCheckHeader, uaNextParam, uaParamLength } from '../../../src/protocols/m3ua/ua';
import { M3UA_ANOMALY_NAMES } from '../../../src/protocols/m3ua/constants';
import { M2UA_ANOMALY_NAMES } from '../../../src/protocols/m2ua/constants';
import { hex } from '../../helpers/hex';

describe('SIGTRAN UA common header and parameters', () => {
  it('uaCheckHeader', () => {
    expect(uaCheckHeader(hex('01 00 03 01 00000008'), 0, 8)).toBe(UaStatus.Ok);
    expect(uaCheckHeader(hex('01 00 03 01 00000008 ffff'), 0, 10)).toBe(UaStatus.Ok); // shorter message than data
    expect(uaCheckHeader(hex('01 00 03 01 00000008'), 0, 7)).toBe(UaStatus.Truncated);
    expect(uaCheckHeader(hex('01 00 03 01 00000009'), 0, 8)).toBe(UaStatus.Truncated);
    expect(uaCheckHeader(hex('00 00 03 01 00000008'), 0, 8)).toBe(UaStatus.BadVersion);
    expect(uaCheckHeader(hex('01 00 03 01 00000007'), 0, 8)).toBe(UaStatus.BadLength);
    expect(uaCheckHeader(hex('01 00 03 01 00000008'), 1, 8)).toBe(UaStatus.Truncated);
  });

  it('uaParamLength / uaNextParam', () => {
    const b = hex('0006 0008 00000001', '0004 0005 41 000000');
    expect(uaParamLength(b, 0, b.length)).toBe(8);
    expect(uaNextParam(0, 8)).toBe(8);
    expect(uaParamLength(b, 8, b.length)).toBe(5);
    expect(uaNextParam(8, 5)).toBe(16); // padded to 4
    expect(uaParamLength(b, 8, 12)).toBe(-1); // runs past msgEnd
    expect(uaParamLength(b, 14, b.length)).toBe(-1); // fewer than 4 octets left
    expect(uaParamLength(hex('0006 0003 00'), 0, 5)).toBe(-1); // length < 4
  });

  it('M3UA and M2UA anomaly names start with the shared UA names', () => {
    expect(M3UA_ANOMALY_NAMES.slice(0, UA_STATUS_NAMES.length)).toEqual(UA_STATUS_NAMES);
    expect(M2UA_ANOMALY_NAMES.slice(0, UA_STATUS_NAMES.length)).toEqual(UA_STATUS_NAMES);
    expect(new Set(M3UA_ANOMALY_NAMES).size).toBe(M3UA_ANOMALY_NAMES.length);
    expect(new Set(M2UA_ANOMALY_NAMES).size).toBe(M2UA_ANOMALY_NAMES.length);
  });
});
