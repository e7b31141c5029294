import { describe, expect, it } from 'vitest';
import {
  APPLICATION_NAMES, AppId, COMMANDS, commandAbbreviation, commandDef, ratTypeName, resultCodeName, VendorId,
} from '../../../src/protocols/diameter/constants';

describe('Diameter dictionary', () => {
  it('names every command of the base protocol and S6a/S6d (RFC 6733 §3.1, TS 29.272 §7.2.2)', () => {
    const want: [number, string, string][] = [
      [257, 'CER', 'CEA'], [280, 'DWR', 'DWA'], [282, 'DPR', 'DPA'], [316, 'ULR', 'ULA'], [317, 'CLR', 'CLA'],
      [318, 'AIR', 'AIA'], [319, 'IDR', 'IDA'], [320, 'DSR', 'DSA'], [321, 'PUR', 'PUA'], [322, 'RSR', 'RSA'], [323, 'NOR', 'NOA'],
    ];
    for (const [code, req, ans] of want) {
      expect(commandAbbreviation(code, AppId.S6a, true)).toBe(req);
      expect(commandAbbreviation(code, AppId.S6a, false)).toBe(ans);
    }
  });

  it('names Gx/Gy (CCR), Rx (AAR, RAR, STR, ASR) and Cx (UAR, SAR, LIR, MAR, RTR, PPR) commands when seen', () => {
    expect(commandAbbreviation(272, AppId.Gx, true)).toBe('CCR');
    expect(commandAbbreviation(272, AppId.CreditControl, true)).toBe('CCR');
    expect(commandAbbreviation(265, AppId.Rx, true)).toBe('AAR');
    for (const [c, a] of [[258, 'RAR'], [275, 'STR'], [274, 'ASR'], [300, 'UAR'], [301, 'SAR'], [302, 'LIR'], [303, 'MAR'], [304, 'RTR'], [305, 'PPR']] as const) {
      expect(commandAbbreviation(c, AppId.Cx, true)).toBe(a);
    }
    expect(commandDef(316, AppId.S6a)?.name).toBe('Update-Location');
    expect(commandAbbreviation(999, 0, true)).toBeNull();
  });

  it('abbreviations are unique per code', () => {
    const seen = new Map<string, number>();
    for (const c of COMMANDS) {
      for (const a of [c.request, c.answer]) {
        expect(seen.get(a) ?? c.code, a).toBe(c.code);
        seen.set(a, c.code);
      }
    }
  });

  it('5001 and 5004 mean different things as Result-Code and as 3GPP Experimental-Result-Code', () => {
    expect(resultCodeName(5001, false, 0, AppId.S6a)).toBe('DIAMETER_AVP_UNSUPPORTED');
    expect(resultCodeName(5001, true, VendorId.ThreeGpp, AppId.S6a)).toBe('DIAMETER_ERROR_USER_UNKNOWN');
    expect(resultCodeName(5004, false, 0, AppId.S6a)).toBe('DIAMETER_INVALID_AVP_VALUE');
    expect(resultCodeName(5004, true, VendorId.ThreeGpp, AppId.S6a)).toBe('DIAMETER_ERROR_ROAMING_NOT_ALLOWED');
    expect(resultCodeName(5420, true, VendorId.ThreeGpp, AppId.S6a)).toBe('DIAMETER_ERROR_UNKNOWN_EPS_SUBSCRIPTION');
    expect(resultCodeName(2002, true, VendorId.ThreeGpp, AppId.Cx)).toBe('DIAMETER_SUBSEQUENT_REGISTRATION');
    expect(resultCodeName(2001, false, 0, 0)).toBe('DIAMETER_SUCCESS');
    expect(resultCodeName(3002, false, 0, 0)).toBe('DIAMETER_UNABLE_TO_DELIVER');
    expect(resultCodeName(5001, true, 99, AppId.S6a)).toBeNull(); // another vendor's code space
  });

  it('RAT-Type and application names', () => {
    expect(ratTypeName(1004)).toBe('EUTRAN');
    expect(ratTypeName(1000)).toBe('UTRAN');
    expect(ratTypeName(1001)).toBe('GERAN');
    expect(ratTypeName(1005)).toBe('NB-IoT');
    expect(ratTypeName(4242)).toBe('4242');
    expect(APPLICATION_NAMES.get(AppId.S6a)).toBe('3GPP S6a/S6d');
  });
});
