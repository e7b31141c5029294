import { describe, expect, it } from 'vitest';
import { decodePlmnId, splitImsi } from '../../src/correlate/plmn';
import { hex } from '../helpers/hex';

describe('decodePlmnId (TS 24.008 §10.5.1.13)', () => {
  it('2-digit MNC (filler F in MNC digit 3)', () => {
    // 12 f4 70: MCC digits 1,2 = 2,1; MNC3 = F, MCC3 = 4; MNC2,1 = 7,0 → 214 / 07
    expect(decodePlmnId(hex('12f470'), 0)).toEqual(['214', '07']);
    expect(decodePlmnId(hex('00f110'), 0)).toEqual(['001', '01']); // magma Visited-PLMN-Id (tshark: MCC 1, MNC 01)
  });

  it('3-digit MNC', () => {
    // 13 00 62: MCC 310, MNC3 = 0, MNC2,1 = 6,2 → 310 / 260
    expect(decodePlmnId(hex('130062'), 0)).toEqual(['310', '260']);
  });

  it('offset, end and invalid digits', () => {
    expect(decodePlmnId(hex('ff12f470'), 1)).toEqual(['214', '07']);
    expect(decodePlmnId(hex('12f470'), 1)).toBeNull();
    expect(decodePlmnId(hex('12f470'), 0, 2)).toBeNull();
    expect(decodePlmnId(hex('1af470'), 0)).toBeNull();
    expect(decodePlmnId(hex('12f47f'), 0)).toBeNull();
    expect(decodePlmnId(hex('12f470'), -1)).toBeNull();
  });

  it('splitImsi still splits by the country MNC length', () => {
    expect(splitImsi('310260123456789')).toEqual(['310', '260']);
    expect(splitImsi('214071234567890')).toEqual(['214', '07']);
  });
});
