import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { IdentityProtector, loadOrCreateKey } from '../../src/correlate/identities';
import { splitImsi, mncLength } from '../../src/correlate/plmn';

const KEY = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

describe('IdentityProtector', () => {
  it('pseudonymizes with HMAC-SHA-256 under the key, 96 bits hex, stable', () => {
    const p = new IdentityProtector('pseudonymize', KEY);
    const a = p.protect('imsi', '234150123456789');
    const expected = createHmac('sha256', KEY).update('i234150123456789').digest('hex').slice(0, 24);
    expect(a).toBe(expected);
    expect(p.protect('imsi', '234150123456789')).toBe(a); // cached, same
    expect(new IdentityProtector('pseudonymize', KEY).protect('imsi', '234150123456789')).toBe(a); // across instances (restarts, probes)
    expect(a).not.toContain('234150123456789');
  });
  it('separates IMSI and MSISDN domains and depends on the key', () => {
    const p = new IdentityProtector('pseudonymize', KEY);
    expect(p.protect('imsi', '441234567890')).not.toBe(p.protect('msisdn', '441234567890'));
    const other = new IdentityProtector('pseudonymize', Buffer.alloc(32, 7));
    expect(other.protect('imsi', '234150123456789')).not.toBe(p.protect('imsi', '234150123456789'));
  });
  it('raw and drop modes', () => {
    expect(new IdentityProtector('raw', null).protect('imsi', '2621')).toBe('2621');
    expect(new IdentityProtector('drop', null).protect('msisdn', '4912345')).toBeNull();
    expect(new IdentityProtector('raw', null).protect('imsi', null)).toBeNull();
  });
  it('caches pseudonyms per raw identity in a bounded cache with the same keyed result', () => {
    const p = new IdentityProtector('pseudonymize', KEY, 4);
    const hm = (d: string, v: string) => createHmac('sha256', KEY).update(d + v).digest('hex').slice(0, 24);
    // 10 identities cycled 3 times in each domain: every answer is the HMAC, cached or not
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10; i++) {
        const v = `44715012345${String(i).padStart(4, '0')}`;
        expect(p.protect('imsi', v)).toBe(hm('i', v));
        expect(p.protect('msisdn', v)).toBe(hm('m', v));
        expect(p.protectGt(v, 7, null, null)).toBe(`${v.slice(0, 2)}:${hm('g', v)}`);
      }
    }
    // a value repeated right away, then within the cache's reach, is not hashed again
    const q = new IdentityProtector('pseudonymize', KEY, 4);
    for (const v of ['1', '2', '3', '1', '2', '3', '1']) q.protect('imsi', `26207${v}0000000000`);
    expect(q.cacheStats.hmacs).toBe(3);
    // bounded: two generations of at most cacheSize values per domain
    const young = (q as unknown as { young: Map<string, string>[]; old: Map<string, string>[] });
    for (let i = 0; i < 100; i++) q.protect('imsi', `262079${String(i).padStart(9, '0')}`);
    expect(young.young[0].size + young.old[0].size).toBeLessThanOrEqual(8);
  });
  it('refuses pseudonymization without a key', () => {
    expect(() => new IdentityProtector('pseudonymize', null)).toThrow(/key/);
    expect(() => new IdentityProtector('pseudonymize', Buffer.alloc(8))).toThrow(/16 bytes/);
  });
});

describe('key file', () => {
  it('creates a 0600 key once and reads the same key back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-key-'));
    const f = join(dir, 'sub', 'k.key');
    const k1 = loadOrCreateKey(f, true);
    expect(k1.length).toBe(32);
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKey(f, true).equals(k1)).toBe(true);
    expect(readFileSync(f, 'utf8').trim()).toBe(k1.toString('hex'));
  });
  it('errors clearly on a missing or short key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-key-'));
    expect(() => loadOrCreateKey(join(dir, 'none'), false)).toThrow(/does not exist/);
    writeFileSync(join(dir, 'short'), 'abc');
    expect(() => loadOrCreateKey(join(dir, 'short'), false)).toThrow(/fewer than 16 bytes/);
  });
});

describe('E.212 split', () => {
  it('uses 2- or 3-digit MNCs by country', () => {
    expect(splitImsi('234150123456789')).toEqual(['234', '15']); // GB
    expect(splitImsi('310260123456789')).toEqual(['310', '260']); // US
    expect(splitImsi('334020123456789')).toEqual(['334', '020']); // MX
    expect(splitImsi('732101123456789')).toEqual(['732', '101']); // CO
    expect(splitImsi('734040123456789')).toEqual(['734', '04']); // VE
    expect(splitImsi('12345')).toBeNull();
    expect(mncLength(262)).toBe(2);
  });
});

describe('HMAC with precomputed pads', () => {
  it('equals createHmac for short, 64-byte and long keys', () => {
    for (const key of [Buffer.alloc(16, 1), Buffer.alloc(64, 2), Buffer.alloc(100, 3)]) {
      const p = new IdentityProtector('pseudonymize', key);
      for (const v of ['1', '001010000000001', '4915112345678']) {
        expect(p.protect('msisdn', v)).toBe(createHmac('sha256', key).update('m' + v).digest('hex').slice(0, 24));
      }
    }
  });
});
