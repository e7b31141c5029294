/**
 * The built-in country tables (src/correlate/countries.ts): E.164 country codes with the shared
 * codes split by the longest known prefix (+1 NANP area codes, +7 Russia / Kazakhstan, the
 * dependencies inside +44, +39, +47, +61, +262, +358, +599, +672) and E.212 MCCs.
 */
import { describe, expect, it } from 'vitest';
import { e164Country, mccCountry, mccKnown } from '../../src/correlate/countries';
import { mncLength } from '../../src/correlate/plmn';

const cc = (n: string) => e164Country(n).country;

describe('E.164 country codes', () => {
  it('one-, two- and three-digit codes of every zone', () => {
    expect(cc('201001234567')).toBe('EG'); // 20
    expect(cc('27821234567')).toBe('ZA'); // 27
    expect(cc('2348031234567')).toBe('NG'); // 234
    expect(cc('34609123456')).toBe('ES');
    expect(cc('351912345678')).toBe('PT');
    expect(cc('4915112345678')).toBe('DE');
    expect(cc('447700900123')).toBe('GB');
    expect(cc('31612345678')).toBe('NL');
    expect(cc('5511987654321')).toBe('BR');
    expect(cc('5215512345678')).toBe('MX');
    expect(cc('573101234567')).toBe('CO');
    expect(cc('584121234567')).toBe('VE');
    expect(cc('61412345678')).toBe('AU');
    expect(cc('819012345678')).toBe('JP');
    expect(cc('8613812345678')).toBe('CN');
    expect(cc('85291234567')).toBe('HK');
    expect(cc('886912345678')).toBe('TW');
    expect(cc('905321234567')).toBe('TR');
    expect(cc('919812345678')).toBe('IN');
    expect(cc('971501234567')).toBe('AE');
    expect(cc('998901234567')).toBe('UZ');
    expect(cc('6761234567')).toBe('TO');
    expect(cc('2991234567')).toBe('GL');
  });

  it('+1 (NANP): the area code decides; US for every other assignable area code', () => {
    expect(cc('12125551234')).toBe('US'); // New York
    expect(cc('13055551234')).toBe('US'); // Miami
    expect(cc('14165551234')).toBe('CA'); // Toronto
    expect(cc('16045551234')).toBe('CA'); // Vancouver
    expect(cc('18095551234')).toBe('DO');
    expect(cc('18295551234')).toBe('DO');
    expect(cc('18765551234')).toBe('JM');
    expect(cc('16585551234')).toBe('JM');
    expect(cc('17875551234')).toBe('PR');
    expect(cc('19395551234')).toBe('PR');
    expect(cc('12465551234')).toBe('BB');
    expect(cc('14415551234')).toBe('BM');
    expect(cc('16715551234')).toBe('GU');
    expect(cc('17215551234')).toBe('SX');
    expect(cc('18685551234')).toBe('TT');
    expect(cc('13455551234')).toBe('KY');
    // Not a country: too short for an area code, N11 service codes, reserved 37X / 96X, N = 0/1.
    for (const n of ['1', '121', '14115551234', '19115551234', '13725551234', '19655551234', '10125551234', '11125551234']) {
      expect(e164Country(n)).toEqual({ country: null, miss: 'nanp_area_code' });
    }
  });

  it('+7: Russia (3, 4, 8, 9) and Kazakhstan (6, 7) by the first national digit; Abkhazia has no ISO code', () => {
    expect(cc('79161234567')).toBe('RU');
    expect(cc('74951234567')).toBe('RU');
    expect(cc('78121234567')).toBe('RU');
    expect(cc('73832123456')).toBe('RU');
    expect(cc('77012345678')).toBe('KZ');
    expect(cc('77272123456')).toBe('KZ');
    expect(cc('76123456789')).toBe('KZ');
    expect(e164Country('79401234567')).toEqual({ country: null, miss: 'no_iso_country' });
    expect(e164Country('75123456789')).toEqual({ country: null, miss: 'unassigned_cc' });
    expect(e164Country('7')).toEqual({ country: null, miss: 'unassigned_cc' });
  });

  it('dependencies inside a shared code: the longest known prefix wins', () => {
    expect(cc('441481123456')).toBe('GG');
    expect(cc('441534123456')).toBe('JE');
    expect(cc('447624123456')).toBe('IM');
    expect(cc('441624123456')).toBe('IM');
    expect(cc('441611234567')).toBe('GB'); // Manchester
    expect(cc('390669812345')).toBe('VA');
    expect(cc('390612345678')).toBe('IT');
    expect(cc('4779021234')).toBe('SJ');
    expect(cc('4722123456')).toBe('NO');
    expect(cc('61891621234')).toBe('CC');
    expect(cc('61891641234')).toBe('CX');
    expect(cc('61891001234')).toBe('AU');
    expect(cc('262269123456')).toBe('YT');
    expect(cc('262692123456')).toBe('RE');
    expect(cc('35818123456')).toBe('AX');
    expect(cc('358401234567')).toBe('FI');
    expect(cc('59997361234')).toBe('CW');
    expect(cc('59977171234')).toBe('BQ');
    expect(cc('672312345')).toBe('NF');
  });

  it('international networks and Kosovo: known, no country; unassigned codes: unknown; never a guess', () => {
    expect(e164Country('882341234567')).toEqual({ country: null, miss: 'no_iso_country' });
    expect(e164Country('8816123456')).toEqual({ country: null, miss: 'no_iso_country' });
    expect(e164Country('87077123456')).toEqual({ country: null, miss: 'no_iso_country' });
    expect(e164Country('38344123456')).toEqual({ country: null, miss: 'no_iso_country' });
    for (const n of ['2101234567', '2591234567', '2801234567', '4251234567', '6931234567', '8511234567', '9691234567', '9991234567']) {
      expect(e164Country(n)).toEqual({ country: null, miss: 'unassigned_cc' });
    }
    expect(e164Country('')).toEqual({ country: null, miss: 'no_number' });
    expect(e164Country(null)).toEqual({ country: null, miss: 'no_number' });
    expect(e164Country('34a09')).toEqual({ country: null, miss: 'not_e164' });
  });

  it('every two-letter result is an upper-case ISO 3166-1 alpha-2 code', () => {
    const seen = new Set<string>();
    for (let p = 1; p < 1000; p++) {
      const c = cc(`${p}5551234567`);
      if (c !== null) seen.add(c);
    }
    expect(seen.size).toBeGreaterThan(200);
    for (const c of seen) expect(c).toMatch(/^[A-Z]{2}$/);
  });
});

describe('E.212 mobile country codes', () => {
  it('maps MCCs to countries (shared ones included), international MCCs to null', () => {
    const cases: [string, string | null][] = [
      ['214', 'ES'], ['262', 'DE'], ['234', 'GB'], ['235', 'GB'], ['204', 'NL'], ['208', 'FR'], ['222', 'IT'],
      ['310', 'US'], ['311', 'US'], ['316', 'US'], ['302', 'CA'], ['334', 'MX'], ['724', 'BR'], ['732', 'CO'],
      ['734', 'VE'], ['250', 'RU'], ['401', 'KZ'], ['404', 'IN'], ['405', 'IN'], ['440', 'JP'], ['460', 'CN'],
      ['505', 'AU'], ['530', 'NZ'], ['655', 'ZA'], ['602', 'EG'], ['424', 'AE'], ['430', 'AE'], ['330', 'PR'],
      ['901', null], ['221', null], ['000', null], ['999', null],
    ];
    for (const [mcc, iso] of cases) expect([mcc, mccCountry(mcc)]).toEqual([mcc, iso]);
    expect(mccCountry(null)).toBeNull();
    expect(mccKnown('901')).toBe(true);
    expect(mccKnown('000')).toBe(false);
  });

  it('every MCC with a 3-digit MNC (plmn.ts) is in the table', () => {
    for (let m = 200; m < 800; m++) if (mncLength(m) === 3) expect(mccKnown(String(m)), String(m)).toBe(true);
  });
});
