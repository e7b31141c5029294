/** TCAP (Q.773), MAP (TS 29.002), CAP (TS 29.078) and SMS TPDU (TS 23.040) encoders: annotated vectors. */
import { describe, expect, it } from 'vitest';
import { abrt, returnResultLast, tcContinue, tcUAbort, tidBytes, aare, AARE_RESULT_REJECT_PERMANENT, DIAG_USER_ACN_NOT_SUPPORTED } from '../../../src/gen/encode/tcap';
import * as M from '../../../src/gen/encode/map';
import { initialDpArg } from '../../../src/gen/encode/cap';
import { packGsm7, smsSubmit } from '../../../src/gen/encode/smsTpdu';
import { hex } from '../../helpers/hex';

describe('TCAP', () => {
  it('transaction ids of 1..4 octets', () => {
    expect(tidBytes(5, 1)).toEqual(hex('05'));
    expect(tidBytes(0x1234, 3)).toEqual(hex('001234'));
    expect(tidBytes(0xff000001, 4)).toEqual(hex('ff000001'));
  });

  it('Continue { otid, dtid, components { returnResultLast } }', () => {
    expect(tcContinue(hex('0a000001'), hex('77'), undefined, [returnResultLast(1)])).toEqual(
      hex(
        '65 10', // Continue [APPLICATION 5]
        '48 04 0a000001', // otid
        '49 01 77', // dtid (1 octet)
        '6c 05', // component portion
        'a2 03 020101', // returnResultLast { invokeID 1 }
      ),
    );
  });

  it('U-Abort with AARE reject-permanent / application-context-name-not-supported', () => {
    const a = tcUAbort(hex('01'), aare(M.mapAcn(M.AC_NETWORK_LOC_UP, 2), AARE_RESULT_REJECT_PERMANENT, DIAG_USER_ACN_NOT_SUPPORTED));
    // AARE 29 octets (61 1b ...), in [0] (31), in EXTERNAL with the OID (42), in the dialogue portion (44)
    expect(a.subarray(0, 5)).toEqual(hex('67', '2f', '49 01 01')); // Abort, dtid
    expect(a.subarray(5, 20)).toEqual(hex('6b 2a', '28 28', '06 07 00118605010101', 'a0 1d')); // u-abortCause = dialogue portion
    expect(a.subarray(20, 22)).toEqual(hex('61 1b')); // AARE
    expect(a.subarray(a.length - 12)).toEqual(hex('a2 03 020101', 'a3 05 a1 03 020102')); // result 1, diagnostic user 2
  });

  it('ABRT abort-source dialogue-service-user', () => {
    expect(abrt().subarray(-5)).toEqual(hex('64 03', '80 01 00'));
  });
});

describe('MAP arguments', () => {
  it('PLMN-Id (TS 24.008 §10.5.1.3 digit order)', () => {
    expect(M.plmnId('234', '15')).toEqual(hex('32 f4 51'));
    expect(M.plmnId('310', '260')).toEqual(hex('13 00 62'));
  });

  it('SendAuthenticationInfoArg v3', () => {
    expect(M.saiArg('234150123456789', 5, { sgsn: false, mcc: '234', mnc: '15' })).toEqual(
      hex(
        '30 15',
        '80 08 32140521436587f9', // imsi [0] 234150123456789
        '02 01 05', // numberOfRequestedVectors
        '83 01 00', // requestingNodeType [3] vlr
        '84 03 32f451', // requestingPLMN-Id [4] 234/15
      ),
    );
  });

  it('UpdateLocationArg / UpdateGprsLocationArg / CancelLocationArg / PurgeMS-Arg', () => {
    const imsi = '04 08 00 01 01 00 00 00 00 f1'; // IMSI 001010000000001
    expect(M.ulArg('001010000000001', '8613900000001', '8613900000002')).toEqual(
      hex('30 1e', imsi, '81 08 91 68 31 09 00 00 00 f1', '04 08 91 68 31 09 00 00 00 f2'), // imsi, msc-Number [1], vlr-Number
    );
    expect(M.uglArg('001010000000001', '8613900000001', hex('c0000201'))).toEqual(
      hex('30 1b', imsi, '04 08 91 68 31 09 00 00 00 f1', '04 05 04 c0000201'), // sgsn-Number, sgsn-Address (IPv4, length 4)
    );
    expect(M.clArg('001010000000001', M.CANCEL_UPDATE_PROCEDURE)).toEqual(hex('a3 0d', imsi, '0a 01 00')); // [3] { identity, cancellationType }
    expect(M.purgeArg('001010000000001', '8613900000001', true)).toEqual(hex('a3 14', imsi, '81 08 91 68 31 09 00 00 00 f1')); // sgsn-Number [1]
  });

  it('error parameters', () => {
    expect(M.errorParam(M.ERR_ROAMING_NOT_ALLOWED)).toEqual(hex('30 03 0a 01 00')); // plmnRoamingNotAllowed
    expect(M.errorParam(M.ERR_SYSTEM_FAILURE)).toEqual(hex('0a 01 01')); // networkResource hlr
    expect(M.errorParam(M.ERR_DATA_MISSING)).toBeUndefined();
  });

  it('InsertSubscriberDataArg with GPRS data: tags [0] [1] [2] [3] [6] [16]', () => {
    const a = M.isdArg({ imsi: '001010000000001', msisdn: '4477', teleservices: [0x11], pdpContexts: [{ id: 1, apn: 'ims', qos: hex('23931f') }] });
    const tags: number[] = [];
    for (let o = 2; o < a.length; ) {
      tags.push(a[o]);
      o += 2 + a[o + 1];
    }
    expect(tags).toEqual([0x80, 0x81, 0x82, 0x83, 0xa6, 0xb0]);
  });
});

describe('CAP and SMS', () => {
  it('initialDP carries iMSI [50] in the high-tag-number form', () => {
    const a = initialDpArg({ serviceKey: 100, calledNumber: '4917', callingNumber: '3460', imsi: '214070000000001', mscAddress: '34609', callReference: hex('0102') });
    expect(a.indexOf(hex('9f32 08 12 04 07 00 00 00 00 f1'))).toBeGreaterThan(0);
    expect(a.subarray(2, 5)).toEqual(hex('80 01 64')); // serviceKey [0] 100
  });

  it('GSM 7-bit packing (TS 23.038 §6.1.2.1.1): "hellohello"', () => {
    expect(packGsm7('hellohello')).toEqual({ septets: 10, data: hex('e8329bfd4697d9ec37') });
  });

  it('SMS-SUBMIT TPDU', () => {
    expect(smsSubmit(5, '4477', 'hi')).toEqual(
      hex('11', '05', '04 91 4477', '00 00 a7', '02', 'e834'), // MTI=01 VPF=relative, MR, DA, PID, DCS, VP, UDL, UD
    );
  });
});
