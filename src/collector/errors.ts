/**
 * What the collector does with a failed batch: retry it later (transient: PostgreSQL down,
 * restarting, deadlock, out of connections...) or move it aside for good (poison: the batch itself
 * is bad and would fail the same way forever).
 */

/** A batch that can never be stored: the collector moves it to the failed set. */
export class PoisonBatchError extends Error {
  override name = 'PoisonBatchError';
}

/**
 * SQLSTATE classes / codes that mean "this data can never be stored": data exceptions (22: bad
 * number, bad COPY line, invalid encoding...), NOT NULL violations, and a row too large (54000).
 * A missing partition (23514) is transient: another collector may have just dropped it.
 */
export function isPermanentPgError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (typeof code !== 'string' || code.length !== 5) return false;
  return code.startsWith('22') || code === '23502' || code === '54000';
}

/** A short reason for logs and the failed set: SQLSTATE and message, no data. */
export function errorReason(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  const msg = typeof err?.message === 'string' ? err.message : String(e);
  return typeof err?.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) ? `postgres ${err.code}: ${msg}` : msg;
}

/** Node socket errors of a lost or refused PostgreSQL connection. */
const SOCKET_ERRNOS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * true when the error says PostgreSQL is unreachable, not that the batch is wrong: a socket error,
 * SQLSTATE class 08 (connection exception), 57P01 admin_shutdown ("terminating connection due to
 * administrator command": `pg_ctl stop -m fast`), 57P02 crash_shutdown, 57P03 cannot_connect_now
 * (starting up, recovering), or the pg driver's own "Connection terminated" / "not queryable" /
 * connect timeout.
 */
export function isConnectionError(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : '';
  if (SOCKET_ERRNOS.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  const msg = typeof err?.message === 'string' ? err.message : '';
  return /^Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended unexpectedly/.test(msg);
}
