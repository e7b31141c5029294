import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { RedisOptions } from 'bullmq';
import Redis from 'ioredis';
import { SigprobeError } from '../config/errors';
import type { RedisConfig, TlsConfig } from '../config/schema';

function readSecret(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new SigprobeError('E_CONFIG', `cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Node TLS options from the config's PEM files (CA, client certificate and key). */
export function tlsOptions(t: TlsConfig, host: string): TlsOptions {
  return {
    ca: t.caFile ? readSecret(t.caFile, 'TLS CA file') : undefined,
    cert: t.certFile ? readSecret(t.certFile, 'TLS certificate file') : undefined,
    key: t.keyFile ? readSecret(t.keyFile, 'TLS key file') : undefined,
    // SNI carries host names only (RFC 6066 §3); an IP address is still checked against the certificate
    servername: t.servername ?? (isIP(host) ? undefined : host),
    rejectUnauthorized: t.rejectUnauthorized,
  };
}

/**
 * ioredis options for BullMQ. `producer`: the shipper fails fast while Redis is unreachable
 * (no offline queue, one attempt per command) so that its own backoff decides; a worker keeps
 * BullMQ's defaults (blocking commands, maxRetriesPerRequest null).
 */
export function redisOptions(r: RedisConfig, role: 'producer' | 'worker'): RedisOptions {
  const password = r.passwordFile ? readSecret(r.passwordFile, 'Redis password file') : r.password;
  const o: RedisOptions = {
    host: r.host,
    port: r.port,
    db: r.db,
    username: r.username,
    password,
    connectTimeout: r.connectTimeoutMs,
    // ioredis reconnects by itself; keep the gaps short and bounded (our own backoff adds jitter).
    retryStrategy: (times: number) => Math.min(200 * times, 5000),
    tls: r.tls ? tlsOptions(r.tls, r.host) : undefined,
  };
  if (role === 'producer') {
    o.enableOfflineQueue = false;
    o.maxRetriesPerRequest = 1;
  } else {
    o.maxRetriesPerRequest = null;
  }
  return o;
}

/** host:port and TLS flag, for log lines (never the password). */
export function redisLabel(r: RedisConfig): string {
  return `${r.tls ? 'rediss' : 'redis'}://${r.host}:${r.port}/${r.db}`;
}

/**
 * Warns when Redis could lose acknowledged batches or jobs: no AOF (a restart loses what the
 * shipper already marked shipped) or an eviction policy other than noeviction (Redis may drop
 * job keys under memory pressure). CONFIG may be disabled (managed Redis): then nothing is said.
 */
export async function checkRedisDurability(opts: RedisOptions, warn: (event: string, fields: Record<string, string>) => void): Promise<void> {
  const client = new Redis({ ...(opts as Record<string, unknown>), lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    const aof = (await client.config('GET', 'appendonly')) as string[];
    const policy = (await client.config('GET', 'maxmemory-policy')) as string[];
    if (aof[1] !== 'yes') warn('redis_not_durable', { appendonly: aof[1] ?? '?', note: 'without AOF a Redis restart loses acknowledged batches' });
    if (policy[1] && policy[1] !== 'noeviction') warn('redis_eviction_policy', { maxmemoryPolicy: policy[1], note: 'BullMQ needs maxmemory-policy noeviction' });
  } catch {
    /* unreachable or CONFIG disabled: the shipper / worker report connection problems themselves */
  } finally {
    client.disconnect();
  }
}
