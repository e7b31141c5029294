import pino from 'pino';

/**
 * Structured logging for every sigprobe process (probe, shipper, collector): pino, one JSON
 * object per line on stderr (journald keeps them; `jq` reads them), levels debug..error.
 * Fields are counts, ids, reasons: a record never appears in a log line, so no identity — raw or
 * pseudonymized — is ever logged. `event` names what happened (stable, for alerting on logs).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, string | number | boolean | null | undefined | readonly (string | number)[]>;

/** Where lines go (default stderr); tests pass a collector. */
export type LogSink = (line: string) => void;

export interface Logger {
  (level: LogLevel, event: string, fields?: LogFields): void;
}

/** A logger for `component` (probe | ship | collect) at `min` level and above. */
export function createLogger(component: string, min: LogLevel = 'info', sink?: LogSink): Logger {
  const stream = sink ? { write: (l: string) => sink(l) } : pino.destination({ fd: 2, sync: true });
  const p = pino(
    {
      level: min,
      base: { component },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      messageKey: 'event',
    },
    stream,
  );
  return (level, event, fields) => {
    p[level](fields ?? {}, event);
  };
}

/** A logger that drops everything (library use, tests that do not look at logs). */
export const silentLogger: Logger = () => {};

/**
 * Rate-limits a noisy event (decode anomalies): at most one line per key per `intervalMs`, with
 * the number of occurrences folded into it.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  constructor(private readonly log: Logger, private readonly intervalMs: number) {}

  emit(level: LogLevel, event: string, key: string, fields: LogFields, nowMs = Date.now()): boolean {
    const s = this.last.get(key);
    if (s !== undefined && nowMs - s.at < this.intervalMs) {
      s.suppressed++;
      return false;
    }
    this.log(level, event, { ...fields, suppressed: s?.suppressed ?? 0 });
    this.last.set(key, { at: nowMs, suppressed: 0 });
    return true;
  }
}
