import { createHmac, hash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SigprobeError } from '../config/errors';
import { SCCP_NP_E212, SCCP_NP_E214 } from '../protocols/sccp/constants';
import { splitImsi } from './plmn';

/** What the probe does with subscriber identities (IMSI, MSISDN) before anything is stored. */
export type IdentityMode = 'raw' | 'pseudonymize' | 'drop';

/**
 * Keyed pseudonymization of IMSI / MSISDN: HMAC-SHA-256 under a secret key, truncated to 96 bits
 * and hex-encoded. Stable across restarts and across probes that share the key file; MCC/MNC are
 * kept by the caller in their own columns, so country/network analyses need no raw identity.
 * Raw identities are never logged.
 */
export class IdentityProtector {
  /**
   * HMAC-SHA-256 (RFC 2104) as two one-shot hashes over preallocated buffers:
   * H((K ^ opad) || H((K ^ ipad) || m)). Measured here: ~2.4 µs per identity against ~3.9 µs for
   * createHmac(), which redoes the key schedule and allocates per call.
   */
  private readonly ibuf = Buffer.alloc(64 + 64);
  private readonly obuf = Buffer.alloc(64 + 32);
  private readonly key: Buffer | null;

  /** `cacheSize`: pseudonyms cached per domain and generation (0: no cache), see `young`. */
  constructor(readonly mode: IdentityMode, key: Buffer | null, cacheSize = DEFAULT_PSEUDONYM_CACHE) {
    this.key = key;
    this.cacheSize = mode === 'pseudonymize' ? Math.max(0, Math.floor(cacheSize)) : 0;
    if (mode === 'pseudonymize') {
      if (!key || key.length < 16) throw new SigprobeError('E_PRIVACY_KEY', 'pseudonymization needs a key of at least 16 bytes');
      const block = Buffer.alloc(64);
      (key.length > 64 ? hash('sha256', key, 'buffer') : key).copy(block);
      for (let i = 0; i < 64; i++) {
        this.ibuf[i] = block[i] ^ 0x36;
        this.obuf[i] = block[i] ^ 0x5c;
      }
    }
  }

  private hmacHex24(msg: string): string {
    if (msg.length > 64) return createHmac('sha256', this.key as Buffer).update(msg).digest('hex').slice(0, 24);
    const n = this.ibuf.write(msg, 64, 'latin1');
    hash('sha256', this.ibuf.subarray(0, 64 + n), 'buffer').copy(this.obuf, 64);
    return hash('sha256', this.obuf, 'hex').slice(0, 24);
  }

  /** Last value → pseudonym per domain: a record protects its IMSI / MSISDN, then a GT equal to
   *  one of them (the SCCP address routed on it) gets the same pseudonym without a second HMAC. */
  private memoIn: [string, string, string] = ['', '', ''];
  private memoOut: [string, string, string] = ['', '', ''];
  /**
   * Raw identity → pseudonym per domain, bounded: two generations of at most `cacheSize`
   * entries each (a hit in the old one moves to the young one; when the young one is full it
   * becomes the old one and the previous old one is dropped), so an identity seen again within
   * the last cacheSize..2×cacheSize distinct ones costs a Map probe instead of an HMAC. The raw
   * values live only in these in-memory Maps (never written, never logged); the pseudonym is the
   * same keyed HMAC as without the cache.
   */
  private readonly young: Map<string, string>[] = [new Map(), new Map(), new Map()];
  private readonly old: Map<string, string>[] = [new Map(), new Map(), new Map()];
  private readonly cacheSize: number;
  /** HMACs computed / answered from the cache (for the bench and tests). */
  readonly cacheStats = { hmacs: 0, hits: 0 };

  private pseudonym(domain: 0 | 1 | 2, value: string): string {
    if (this.memoIn[domain] === value) return this.memoOut[domain];
    const young = this.young[domain];
    let out = young.get(value);
    if (out === undefined) {
      out = this.old[domain].get(value);
      if (out === undefined) {
        // The domain prefix separates IMSI, MSISDN and E.214 mobile GT values under one key.
        out = this.hmacHex24(DOMAIN_PREFIX[domain] + value);
        this.cacheStats.hmacs++;
      } else {
        this.cacheStats.hits++;
      }
      if (this.cacheSize > 0) {
        if (young.size >= this.cacheSize) {
          this.old[domain] = young;
          this.young[domain] = new Map();
        }
        this.young[domain].set(value, out);
      }
    } else {
      this.cacheStats.hits++;
    }
    this.memoIn[domain] = value;
    this.memoOut[domain] = out;
    return out;
  }

  /** Protected form of an identity (kind separates IMSI and MSISDN domains). */
  protect(kind: 'imsi' | 'msisdn', value: string | null): string | null {
    if (value === null || value === '') return null;
    if (this.mode === 'raw') return value;
    if (this.mode === 'drop') return null;
    return this.pseudonym(kind === 'imsi' ? 0 : 1, value);
  }

  /**
   * Protected form of an SCCP global title (digits as gtDigits() builds them) of a dialogue.
   * A GT that is a subscriber number is protected like the identities; a node GT (HLR, VLR, MSC,
   * SGSN, SMSC, gsmSCF...) is returned unchanged. Decided per record:
   *  - numbering plan 6 (E.212, Q.713 §3.4.2.3.3: the GT is an IMSI) or GT = the dialogue's IMSI:
   *    `<mcc>-<mnc>:<pseudonym>`, the pseudonym of the `imsi` column for that IMSI;
   *  - GT = the dialogue's MSISDN (SCCP routing on the MSISDN: sendRoutingInfo, -ForSM, -ForLCS,
   *    anyTimeInterrogation, sendIMSI...): `<cc>:<pseudonym>`, the pseudonym of the `msisdn`
   *    column for that MSISDN (E.164 country code in clear);
   *  - numbering plan 7 (E.214 mobile global title: CC + NDC + MSIN, TS 23.003 §12.1, e.g. the
   *    first updateLocation / sendAuthenticationInfo to an HLR): `<cc>:<pseudonym>`, in a domain of
   *    its own (the MGT is not the IMSI's digit string).
   * Mode drop keeps the prefix only (`<cc>:`); mode raw returns the GT unchanged.
   */
  protectGt(gt: string | null, np: number, msisdn: string | null, imsi: string | null): string | null {
    if (gt === null || gt === '' || this.mode === 'raw') return gt;
    let domain: 0 | 1 | 2;
    let prefix: string;
    if (np === SCCP_NP_E212 || gt === imsi) {
      domain = 0;
      const split = splitImsi(gt);
      prefix = split !== null ? split[0] + '-' + split[1] : '';
    } else if (gt === msisdn) {
      domain = 1;
      prefix = gt.slice(0, e164CountryCodeLength(gt));
    } else if (np === SCCP_NP_E214) {
      domain = 2;
      prefix = gt.slice(0, e164CountryCodeLength(gt));
    } else {
      return gt;
    }
    return this.mode === 'drop' ? prefix + ':' : prefix + ':' + this.pseudonym(domain, gt);
  }
}

const DOMAIN_PREFIX = ['i', 'm', 'g'] as const;

/** Pseudonyms cached per domain and generation: ≤ 2 × 3 × 32768 entries, ~20 MB at most. */
export const DEFAULT_PSEUDONYM_CACHE = 32_768;

/**
 * Length of the prefix of an E.164 number kept in clear in a protected subscriber GT: its
 * country code (ITU-T E.164 assigned country codes, Annex to the ITU Operational Bulletin; the
 * codes are prefix-free — 7 has one digit; 20, 27, 30-34, 36, 39, 40, 41, 43-49, 51-58, 60-66,
 * 81, 82, 84, 86, 90-95 and 98 two; every other code three), and for +1 the NANP area code with
 * it (1 + NPA: the 20-odd NANP countries share the code). 0 when the string does not start with
 * a digit 1-9; never more than digits.length - 1.
 */
export function e164CountryCodeLength(digits: string): number {
  const c0 = digits.charCodeAt(0) - 48;
  if (!(c0 >= 1 && c0 <= 9)) return 0;
  let n: number;
  if (c0 === 1) n = 4;
  else if (c0 === 7) n = 1;
  else {
    const c1 = digits.charCodeAt(1) - 48;
    if (!(c1 >= 0 && c1 <= 9)) return 0;
    n = TWO_DIGIT_CC.has(c0 * 10 + c1) ? 2 : 3;
  }
  return Math.max(0, Math.min(n, digits.length - 1));
}

const TWO_DIGIT_CC: ReadonlySet<number> = new Set([
  20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56,
  57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
]);

/**
 * Loads the pseudonymization key from keyFile; when the file does not exist and create is set,
 * writes a new random 32-byte key there (mode 0600) so that later runs use the same key.
 */
export function loadOrCreateKey(keyFile: string, create: boolean): Buffer {
  if (existsSync(keyFile)) {
    let raw: Buffer;
    try {
      raw = readFileSync(keyFile);
    } catch (e) {
      throw new SigprobeError('E_PRIVACY_KEY', `cannot read privacy key file ${keyFile}: ${(e as Error).message}`);
    }
    const text = raw.toString('utf8').trim();
    const key = /^[0-9a-fA-F]+$/.test(text) && text.length >= 32 ? Buffer.from(text, 'hex') : raw;
    if (key.length < 16) throw new SigprobeError('E_PRIVACY_KEY', `privacy key file ${keyFile} holds fewer than 16 bytes`);
    return key;
  }
  if (!create) throw new SigprobeError('E_PRIVACY_KEY', `privacy key file ${keyFile} does not exist`);
  const key = randomBytes(32);
  try {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(keyFile, 0o600);
  } catch (e) {
    throw new SigprobeError('E_PRIVACY_KEY', `cannot create privacy key file ${keyFile}: ${(e as Error).message}`);
  }
  return key;
}
