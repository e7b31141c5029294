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
