/**
 * Subscriber numbers among SCCP GTs (issue 17 item 4): IdentityProtector.protectGt decides per
 * record — GT = the dialogue's MSISDN or IMSI, numbering plan 7 (E.214) or 6 (E.212, Q.713
 * §3.4.2.3.3) — and keeps the country code / MCC-MNC in clear; e164CountryCodeLength follows the
 * ITU-T E.164 list of assigned country codes.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { e164CountryCodeLength, IdentityProtector } from '../../src/correlate/identities';

const KEY = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const hmac = (m: string): string => createHmac('sha256', KEY).update(m).digest('hex').slice(0, 24);

describe('e164CountryCodeLength', () => {
  const cases: [string, number][] = [
    ['34609123456', 2], // ES
    ['447700900123', 2], // GB
    ['4915201234567', 2], // DE
    ['35818123456', 3], // FI / AX: 358
    ['351912345678', 3], // PT
    ['27821234567', 2], // ZA
    ['2348031234567', 3], // NG
    ['79161234567', 1], // RU
    ['77011234567', 1], // KZ (+7)
    ['12125550123', 4], // US: 1 + NPA 212
    ['18765550123', 4], // JM: 1 + NPA 876
    ['8613800138000', 2], // CN
    ['85291234567', 3], // HK
    ['886912345678', 3], // TW
    ['9891234567', 2], // IR
    ['971501234567', 3], // AE
    ['5511912345678', 2], // BR
    ['5959', 3], // PY 595, but never the whole string
    ['34', 1],
    ['', 0],
    ['0123', 0],
    ['a123', 0],
  ];
  for (const [d, n] of cases) it(`${d || '(empty)'} → ${n}`, () => expect(e164CountryCodeLength(d)).toBe(n));
});

describe('protectGt', () => {
  const p = new IdentityProtector('pseudonymize', KEY);
  const msisdn = '34609123456';
  const imsi = '214070123456789';
  it('a node GT (VLR, HLR, SMSC...) stays as it is, whatever its numbering plan', () => {
    expect(p.protectGt('34609000001', 1, msisdn, imsi)).toBe('34609000001');
    expect(p.protectGt('34609000001', -1, msisdn, imsi)).toBe('34609000001');
    expect(p.protectGt('34609000001', 1, null, null)).toBe('34609000001');
    expect(p.protectGt(null, 7, msisdn, imsi)).toBeNull();
  });
  it('the GT routed on the MSISDN: <cc>:<the msisdn pseudonym>', () => {
    const g = p.protectGt(msisdn, 1, msisdn, imsi);
    expect(g).toBe('34:' + hmac('m' + msisdn));
    expect(g).toBe('34:' + p.protect('msisdn', msisdn));
    expect(p.protectGt('12125550123', 1, '12125550123', null)).toBe('1212:' + hmac('m12125550123'));
  });
  it('an E.214 mobile GT (NP 7): <cc>:<pseudonym> in a domain of its own', () => {
    const mgt = '34609123456789'; // CC + NDC + MSIN
    expect(p.protectGt(mgt, 7, msisdn, imsi)).toBe('34:' + hmac('g' + mgt));
    expect(p.protectGt(mgt, 7, null, null)).toBe('34:' + hmac('g' + mgt));
    expect(hmac('g' + mgt)).not.toBe(hmac('m' + mgt));
  });
  it('an E.212 GT (NP 6), or a GT equal to the IMSI: <mcc>-<mnc>:<the imsi pseudonym>', () => {
    expect(p.protectGt(imsi, 6, msisdn, null)).toBe('214-07:' + hmac('i' + imsi));
    expect(p.protectGt(imsi, 1, msisdn, imsi)).toBe('214-07:' + p.protect('imsi', imsi));
    expect(p.protectGt('310150123456789', 6, null, null)).toBe('310-150:' + hmac('i310150123456789'));
  });
  it('the pseudonym does not depend on the memo of the last identity', () => {
    const q = new IdentityProtector('pseudonymize', KEY);
    const a = q.protectGt(msisdn, 1, msisdn, null);
    q.protect('msisdn', '4917000000');
    q.protect('imsi', imsi);
    expect(q.protectGt(msisdn, 1, msisdn, null)).toBe(a);
    expect(q.protect('msisdn', msisdn)).toBe(hmac('m' + msisdn));
  });
  it('raw keeps every GT; drop keeps only the prefix of a subscriber GT', () => {
    const raw = new IdentityProtector('raw', null);
    expect(raw.protectGt(msisdn, 1, msisdn, imsi)).toBe(msisdn);
    expect(raw.protectGt('34609123456789', 7, null, null)).toBe('34609123456789');
    const drop = new IdentityProtector('drop', null);
    expect(drop.protectGt(msisdn, 1, msisdn, imsi)).toBe('34:');
    expect(drop.protectGt(imsi, 6, null, null)).toBe('214-07:');
    expect(drop.protectGt('34609000001', 1, msisdn, imsi)).toBe('34609000001');
  });
});
