import { dirname, resolve } from 'node:path';
import type { RedisConfig, TlsConfig } from '../config/schema';

/** The directory relative file names of a config file are resolved against. */
export function configDir(file: string): string {
  return dirname(resolve(file));
}

/** A TLS section with its PEM file names resolved against `base`. */
export function resolveTlsPaths(t: TlsConfig, base: string): TlsConfig {
  const f = (p: string | undefined) => (p === undefined ? undefined : resolve(base, p));
  return { ...t, caFile: f(t.caFile), certFile: f(t.certFile), keyFile: f(t.keyFile) };
}

/** A Redis section with its file names (password, TLS) resolved against `base`. */
export function resolveRedisPaths(r: RedisConfig, base: string): RedisConfig {
  return {
    ...r,
    passwordFile: r.passwordFile === undefined ? undefined : resolve(base, r.passwordFile),
    tls: r.tls ? resolveTlsPaths(r.tls, base) : undefined,
  };
}
