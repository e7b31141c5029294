import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { decodeDiameter, diameterAvpsTile, diameterHeaderLength, looksLikeDiameter } from '../../../src/protocols/diameter/decode';
import { createDiameterView } from '../../../src/protocols/diameter/types';
import type { DiameterView } from '../../../src/protocols/diameter/types';
import { DiameterAnomaly, DIAMETER_ANOMALY_NAMES, MAX_AVP_DEPTH, MAX_AVPS } from '../../../src/protocols/diameter/constants';
import { avpText, imsiText } from '../../../src/protocols/diameter/strings';
import { decodePlmnId } from '../../../src/correlate/plmn';
import { AIA_5001, CCR, ULR } from './vectors';
import { avp, diameterMessage, groupedAvp, u32Avp, ulr, VENDOR_3GPP } from '../../helpers/diameterBuild';
import { hex } from '../../helpers/hex';
import { readPcapRecords } from '../../helpers/pcapRecords';
import { sctpDataChunks } from '../../helpers/sctpDataChunks';
import { CAPTURES } from '../../helpers/oracle';

const text = (b: Buffer, s: number, e: number) => avpText(b, s, e);

describe('decodeDiameter: annotated vectors', () => {
  it('ULR: header, text AVPs, 3GPP vendor AVPs, Supported-Features (tshark -V agrees)', () => {
    const v = createDiameterView();
    expect(decodeDiameter(ULR, 0, ULR.length, v)).toBe(DiameterAnomaly.Ok);
    expect(v.headerOk).toBe(true);
    expect([v.version, v.length, v.flags, v.commandCode, v.appId, v.hopByHop, v.endToEnd]).toEqual([1, 208, 0xc0, 316, 16777251, 1, 2]);
    expect(text(ULR, v.sessionIdStart, v.sessionIdEnd)).toBe('a;b;c');
    expect(text(ULR, v.originHostStart, v.originHostEnd)).toBe('mme.net');
    expect(text(ULR, v.originRealmStart, v.originRealmEnd)).toBe('net');
    expect(v.destHostStart).toBe(-1);
    expect(text(ULR, v.destRealmStart, v.destRealmEnd)).toBe('home.net');
    expect(imsiText(ULR, v.userNameStart, v.userNameEnd)).toBe('001010123456789');
    expect(v.ratType).toBe(1004);
    expect(v.ulrFlags).toBe(0x22);
    expect(decodePlmnId(ULR, v.visitedPlmnOffset)).toEqual(['214', '07']); // tshark: MCC 214, MNC 07
    expect([v.featureVendorId, v.featureListId, v.featureList]).toEqual([10415, 1, 0x1c000007]);
    expect(v.resultCode).toBe(-1);
    expect(v.avpCount).toBe(12);
    expect(v.maxDepth).toBe(1);
  });

  it('AIA: Experimental-Result (vendor 10415, 5001) and no Result-Code', () => {
    const v = createDiameterView();
    expect(decodeDiameter(AIA_5001, 0, AIA_5001.length, v)).toBe(DiameterAnomaly.Ok);
    expect(v.flags).toBe(0x40);
    expect(v.resultCode).toBe(-1);
    expect([v.expVendorId, v.expResultCode]).toEqual([10415, 5001]);
    expect(text(AIA_5001, v.originHostStart, v.originHostEnd)).toBe('hss.');
  });

  it('CCR: Vendor-Specific-Application-Id, the IMSI Subscription-Id whatever the AVP order', () => {
    const v = createDiameterView();
    expect(decodeDiameter(CCR, 0, CCR.length, v)).toBe(DiameterAnomaly.Ok);
    expect(v.authAppId).toBe(16777238);
    expect(imsiText(CCR, v.subscriptionImsiStart, v.subscriptionImsiEnd)).toBe('214071234567890');
    expect(v.userNameStart).toBe(-1);
  });

  it('decodes at an offset inside a larger buffer and never reads past end', () => {
    const buf = Buffer.concat([Buffer.from([9, 9, 9]), ULR, Buffer.alloc(40, 0xff)]);
    const v = createDiameterView();
    expect(decodeDiameter(buf, 3, 3 + ULR.length, v)).toBe(DiameterAnomaly.Ok);
    expect(imsiText(buf, v.userNameStart, v.userNameEnd)).toBe('001010123456789');
    // The same message followed by bytes inside [start, end): trailing data is reported, fields kept.
    expect(decodeDiameter(buf, 3, 3 + ULR.length + 4, v)).toBe(DiameterAnomaly.TrailingData);
    expect(v.ratType).toBe(1004);
  });
});

describe('decodeDiameter: anomalies', () => {
  const v = createDiameterView();
  it('truncated header / bad version / bad length', () => {
    expect(decodeDiameter(ULR, 0, 19, v)).toBe(DiameterAnomaly.Truncated);
    expect(v.headerOk).toBe(false);
    const b = Buffer.from(ULR);
    b[0] = 2;
    expect(decodeDiameter(b, 0, b.length, v)).toBe(DiameterAnomaly.BadVersion);
    const c = Buffer.from(ULR);
    c.writeUIntBE(12, 1, 3);
    expect(decodeDiameter(c, 0, c.length, v)).toBe(DiameterAnomaly.BadLength);
    expect(v.headerOk).toBe(false);
  });

  it('a message cut short keeps its header and the AVPs before the cut', () => {
    expect(decodeDiameter(ULR, 0, 100, v)).toBe(DiameterAnomaly.Truncated);
    expect(v.headerOk).toBe(true);
    expect(v.hopByHop).toBe(1);
    expect(text(ULR, v.originHostStart, v.originHostEnd)).toBe('mme.net');
  });

  it('AVP length shorter than its header, or past the message: BadAvpLength', () => {
    const short = diameterMessage({ flags: 0x80, cmd: 280, app: 0, hbh: 1, e2e: 1 }, [hex('00000108', '40', '000004', '00000000')]);
    expect(decodeDiameter(short, 0, short.length, v)).toBe(DiameterAnomaly.BadAvpLength);
    const vendorShort = diameterMessage({ flags: 0x80, cmd: 280, app: 0, hbh: 1, e2e: 1 }, [hex('00000408', 'c0', '00000a', '000028af')]);
    expect(decodeDiameter(vendorShort, 0, vendorShort.length, v)).toBe(DiameterAnomaly.BadAvpLength);
    const long = diameterMessage({ flags: 0x80, cmd: 280, app: 0, hbh: 1, e2e: 1 }, [hex('00000108', '40', '000040', '00000000')]);
    expect(decodeDiameter(long, 0, long.length, v)).toBe(DiameterAnomaly.BadAvpLength);
    expect(v.headerOk).toBe(true);
  });

  it('a bad AVP inside a Grouped AVP is reported and the walk goes on after the group', () => {
    const badGroup = groupedAvp(297, [hex('0000012a', '40', '000030', '00001389')]);
    const m = diameterMessage({ flags: 0, cmd: 318, app: 16777251, hbh: 1, e2e: 1 }, [badGroup, avp(264, 'hss')]);
    expect(decodeDiameter(m, 0, m.length, v)).toBe(DiameterAnomaly.BadAvpLength);
    expect(text(m, v.originHostStart, v.originHostEnd)).toBe('hss');
  });

  it('Unsigned32 / Visited-PLMN-Id of the wrong size: BadAvpValue, value ignored', () => {
    const m = diameterMessage({ flags: 0, cmd: 316, app: 16777251, hbh: 1, e2e: 1 }, [avp(268, Buffer.alloc(3)), avp(1407, Buffer.alloc(4), { vendor: VENDOR_3GPP })]);
    expect(decodeDiameter(m, 0, m.length, v)).toBe(DiameterAnomaly.BadAvpValue);
    expect(v.resultCode).toBe(-1);
    expect(v.visitedPlmnOffset).toBe(-1);
  });

  it('E bit on a request: BadFlags (RFC 6733 §3)', () => {
    const m = diameterMessage({ flags: 0xa0, cmd: 280, app: 0, hbh: 1, e2e: 1 }, [avp(264, 'a')]);
    expect(decodeDiameter(m, 0, m.length, v)).toBe(DiameterAnomaly.BadFlags);
  });

  it(`Grouped nesting deeper than ${MAX_AVP_DEPTH}: NestingTooDeep`, () => {
    let g = avp(264, 'x');
    for (let i = 0; i < MAX_AVP_DEPTH + 1; i++) g = groupedAvp(297, [g]);
    const m = diameterMessage({ flags: 0, cmd: 280, app: 0, hbh: 1, e2e: 1 }, [g]);
    expect(decodeDiameter(m, 0, m.length, v)).toBe(DiameterAnomaly.NestingTooDeep);
    expect(v.maxDepth).toBe(MAX_AVP_DEPTH);
    let ok = avp(264, 'x');
    for (let i = 0; i < MAX_AVP_DEPTH; i++) ok = groupedAvp(297, [ok]);
    const m2 = diameterMessage({ flags: 0, cmd: 280, app: 0, hbh: 1, e2e: 1 }, [ok]);
    expect(decodeDiameter(m2, 0, m2.length, v)).toBe(DiameterAnomaly.Ok);
  });

  it(`more than ${MAX_AVPS} AVPs: TooManyAvps`, () => {
    const many = Array.from({ length: MAX_AVPS + 1 }, () => u32Avp(278, 1));
    const m = diameterMessage({ flags: 0, cmd: 280, app: 0, hbh: 1, e2e: 1 }, many);
    expect(decodeDiameter(m, 0, m.length, v)).toBe(DiameterAnomaly.TooManyAvps);
    expect(decodeDiameter(diameterMessage({ flags: 0, cmd: 280, app: 0, hbh: 1, e2e: 1 }, many.slice(1)), 0, 20 + 12 * MAX_AVPS, v)).toBe(0);
  });

  it('every code has a snake_case name', () => {
    expect(DIAMETER_ANOMALY_NAMES.length).toBe(DiameterAnomaly.IdleTimeout + 1);
    for (const n of DIAMETER_ANOMALY_NAMES) expect(n).toMatch(/^[a-z0-9_]+$/);
  });
});

describe('decodeDiameter: real messages (values read from tshark)', () => {
  it('magma gx_gy_combined_03: AIR frame 23 and AIA frame 24 over SCTP PPID 46', () => {
    const recs = readPcapRecords(join(CAPTURES, 'public/magma/gx_gy_combined_03_210505_132953-1.pcapng'));
    const [air] = sctpDataChunks(recs[22].data).filter((c) => c.ppid === 46);
    const v = createDiameterView();
    expect(decodeDiameter(air.payload, 0, air.payload.length, v)).toBe(0);
    // tshark: diameter.flags 0xc0, cmd 318, app 16777251, hbh 0xa49ea252, e2e 0xf2af02a9
    expect([v.flags, v.commandCode, v.appId, v.hopByHop, v.endToEnd]).toEqual([0xc0, 318, 16777251, 0xa49ea252, 0xf2af02a9]);
    const p = air.payload;
    expect(text(p, v.sessionIdStart, v.sessionIdEnd)).toBe('string-s6a;2467521556390223994;251635277;81d1878a');
    expect(text(p, v.originHostStart, v.originHostEnd)).toBe('string');
    expect(text(p, v.destHostStart, v.destHostEnd)).toBe('magma-fedgw.magma.com');
    expect(text(p, v.destRealmStart, v.destRealmEnd)).toBe('magma.com');
    expect(imsiText(p, v.userNameStart, v.userNameEnd)).toBe('999991234567810');
    expect(p.subarray(v.visitedPlmnOffset, v.visitedPlmnOffset + 3).toString('hex')).toBe('00f110'); // tshark: Visited-PLMN-Id 00f110
    expect(decodePlmnId(p, v.visitedPlmnOffset)).toEqual(['001', '01']);
    const [aia] = sctpDataChunks(recs[23].data).filter((c) => c.ppid === 46);
    expect(decodeDiameter(aia.payload, 0, aia.payload.length, v)).toBe(0);
    // tshark: Result-Code 2001, Auth-Application-Id 16777251, Origin-Host tvm-vhss.magma.com
    expect([v.flags, v.resultCode, v.hopByHop]).toEqual([0x40, 2001, 0xa49ea252]);
    expect(text(aia.payload, v.originHostStart, v.originHostEnd)).toBe('tvm-vhss.magma.com');
  });

  it('magma gx_gy_combined_03: ULR frame 36 (RAT-Type 1004, ULR-Flags 34)', () => {
    const recs = readPcapRecords(join(CAPTURES, 'public/magma/gx_gy_combined_03_210505_132953-1.pcapng'));
    const [ulrChunk] = sctpDataChunks(recs[35].data).filter((c) => c.ppid === 46);
    const v = createDiameterView();
    expect(decodeDiameter(ulrChunk.payload, 0, ulrChunk.payload.length, v)).toBe(0);
    expect([v.commandCode, v.hopByHop, v.endToEnd, v.ratType, v.ulrFlags]).toEqual([316, 0xa4fc5ea6, 0x6ec5c5c5, 1004, 34]);
  });

  it('every SCTP PPID 46 message of the magma and open5gs captures decodes without anomaly', () => {
    let n = 0;
    for (const f of ['public/magma/gx_gy_combined_04_210505_133027-1.pcapng', 'public/magma/inbound_roaming_01_210505_130828-1.pcapng']) {
      for (const r of readPcapRecords(join(CAPTURES, f))) {
        if (r.linkType !== 1 || r.data.readUInt16BE(12) !== 0x0800 || r.data[14 + 9] !== 132) continue;
        for (const c of sctpDataChunks(r.data)) {
          if (c.ppid !== 46 || (c.flags & 3) !== 3) continue;
          const v: DiameterView = createDiameterView();
          expect(decodeDiameter(c.payload, 0, c.payload.length, v)).toBe(0);
          expect(looksLikeDiameter(c.payload, 0, c.payload.length)).toBe(true);
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(1300);
  });
});

describe('header checks and the SCTP PPID 0 heuristic', () => {
  it('strict: length multiple of 4, reserved flags zero, no E on a request, a sound first AVP', () => {
    expect(diameterHeaderLength(ULR, 0, ULR.length, true)).toBe(208);
    expect(diameterHeaderLength(ULR, 0, 20, true)).toBe(208); // the header alone is enough
    const odd = Buffer.from(ULR);
    odd.writeUIntBE(207, 1, 3);
    expect(diameterHeaderLength(odd, 0, odd.length, false)).toBe(207);
    expect(diameterHeaderLength(odd, 0, odd.length, true)).toBe(-1);
    const reserved = Buffer.from(ULR);
    reserved[4] |= 0x01;
    expect(diameterHeaderLength(reserved, 0, reserved.length, true)).toBe(-1);
    const eReq = Buffer.from(ULR);
    eReq[4] = 0xa0;
    expect(diameterHeaderLength(eReq, 0, eReq.length, true)).toBe(-1);
    const badAvp = Buffer.from(ULR);
    badAvp.writeUIntBE(4, 25, 3);
    expect(diameterHeaderLength(badAvp, 0, badAvp.length, true)).toBe(-1);
    const noAvp = diameterMessage({ flags: 0x80, cmd: 280, app: 0, hbh: 1, e2e: 1 }, []);
    expect(diameterHeaderLength(noAvp, 0, noAvp.length, false)).toBe(20);
    expect(diameterHeaderLength(noAvp, 0, noAvp.length, true)).toBe(-1);
  });

  it('AVP tiling, with the whole message or a part of it', () => {
    expect(diameterAvpsTile(ULR, 0, ULR.length)).toBe(true);
    expect(diameterAvpsTile(ULR, 0, ULR.length, 60)).toBe(true);
    expect(diameterAvpsTile(ULR, 0, ULR.length - 4)).toBe(false);
  });

  it('looksLikeDiameter: a whole message only; M3UA and noise are not Diameter', () => {
    for (const m of [ULR, AIA_5001, CCR]) expect(looksLikeDiameter(m, 0, m.length)).toBe(true);
    expect(looksLikeDiameter(ULR, 0, ULR.length - 4)).toBe(false);
    expect(looksLikeDiameter(Buffer.concat([ULR, Buffer.alloc(4)]), 0, ULR.length + 4)).toBe(false);
    // M3UA DATA header (RFC 4666 §3.1): version 1, reserved 0, class 1, type 1, length 16.
    const m3ua = hex('01000101', '00000010', '02100008', '00000000');
    expect(looksLikeDiameter(m3ua, 0, m3ua.length)).toBe(false);
    expect(looksLikeDiameter(Buffer.alloc(0), 0, 0)).toBe(false);
  });
});

describe('decodeDiameter: truncation and fuzz', () => {
  it('truncated at every byte boundary: never throws, header kept from 20 octets on', () => {
    const v = createDiameterView();
    for (const m of [ULR, AIA_5001, CCR, ulr({ hbh: 1, e2e: 2 })]) {
      for (let n = 0; n <= m.length; n++) {
        const code = decodeDiameter(m, 0, n, v);
        if (n === m.length) expect(code).toBe(0);
        else expect(code).toBe(DiameterAnomaly.Truncated);
        expect(v.headerOk).toBe(n >= 20);
        checkOffsets(v, 0, n);
      }
    }
  });

  it('100k random and mutated inputs: valid codes, offsets within [start, end]', async () => {
    const { Prng, mutate, embed } = await import('../../helpers/mutationFuzz');
    const rng = new Prng(0xd1a);
    const seeds = [ULR, AIA_5001, CCR, ulr({ hbh: 7, e2e: 9 })];
    const v = createDiameterView();
    const t0 = Date.now();
    for (let i = 0; i < 100_000; i++) {
      let msg: Buffer;
      if (i % 5 === 0) {
        msg = rng.bytes(rng.int(120));
        if (msg.length >= 4 && rng.int(2) === 0) {
          msg[0] = 1; // version 1 with a length that fits sometimes
          msg.writeUIntBE(msg.length, 1, 3);
        }
      } else {
        msg = mutate(rng, rng.pick(seeds));
      }
      const { buf, start, end } = embed(rng, msg);
      const code = decodeDiameter(buf, start, end, v);
      expect(code >= 0 && code < DIAMETER_ANOMALY_NAMES.length).toBe(true);
      checkOffsets(v, start, end);
      looksLikeDiameter(buf, start, end);
      diameterHeaderLength(buf, start, end, true);
    }
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

function checkOffsets(v: DiameterView, start: number, end: number): void {
  const pairs: [number, number][] = [
    [v.sessionIdStart, v.sessionIdEnd], [v.originHostStart, v.originHostEnd], [v.originRealmStart, v.originRealmEnd],
    [v.destHostStart, v.destHostEnd], [v.destRealmStart, v.destRealmEnd], [v.userNameStart, v.userNameEnd],
    [v.subscriptionImsiStart, v.subscriptionImsiEnd],
  ];
  for (const [s, e] of pairs) {
    if (s < 0) {
      if (e !== -1) throw new Error('end without start');
      continue;
    }
    if (s < start || e > end || e < s) throw new Error(`offsets [${s}, ${e}) outside [${start}, ${end})`);
  }
  if (v.visitedPlmnOffset >= 0 && (v.visitedPlmnOffset < start || v.visitedPlmnOffset + 3 > end)) throw new Error('PLMN outside');
}
