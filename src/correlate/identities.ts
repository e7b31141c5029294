import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SigprobeError } from '../config/errors';

/** What the probe does with subscriber identities (IMSI, MSISDN) before anything is stored. */
export type IdentityMode = 'raw' | 'pseudonymize' | 'drop';

/**
 * Keyed pseudonymization of IMSI / MSISDN: HMAC-SHA-256 under a secret key, truncated to 96 bits
 * and hex-encoded. Stable across restarts and across probes that share the key file; MCC/MNC are
 * kept by the caller in their own columns, so country/network analyses need no raw identity.
 * Raw identities are never logged.
 */
export class IdentityProtector {
  private readonly cache = new Map<string, string>();
  private static readonly CACHE_MAX = 65536;

  constructor(readonly mode: IdentityMode, private readonly key: Buffer | null) {
    if (mode === 'pseudonymize' && (!key || key.length < 16)) {
      throw new SigprobeError('E_PRIVACY_KEY', 'pseudonymization needs a key of at least 16 bytes');
    }
  }

  /** Protected form of an identity (kind separates IMSI and MSISDN domains). */
  protect(kind: 'imsi' | 'msisdn', value: string | null): string | null {
    if (value === null || value === '') return null;
    if (this.mode === 'raw') return value;
    if (this.mode === 'drop') return null;
    const ck = kind === 'imsi' ? 'i' + value : 'm' + value;
    const hit = this.cache.get(ck);
    if (hit !== undefined) return hit;
    const p = createHmac('sha256', this.key as Buffer).update(ck).digest('hex').slice(0, 24);
    if (this.cache.size >= IdentityProtector.CACHE_MAX) this.cache.clear();
    this.cache.set(ck, p);
    return p;
  }
}

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
