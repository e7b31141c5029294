/**
 * One JSON object per line on stderr for every event of the shipper and the collector (journald
 * keeps them; `jq` reads them). Fields are counts, ids and reasons only: records never appear in
 * a log line, so no identity (even pseudonymized) is ever logged.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, string | number | boolean | null | undefined | readonly (string | number)[]>;

export type LogSink = (line: string) => void;

export interface Logger {
  (level: LogLevel, event: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logger for `component` (ship | collect) writing lines at `min` level and above to `sink`. */
export function createLogger(component: string, min: LogLevel = 'info', sink: LogSink = (l) => process.stderr.write(l)): Logger {
  return (level, event, fields) => {
    if (ORDER[level] < ORDER[min]) return;
    sink(JSON.stringify({ t: new Date().toISOString(), level, component, event, ...fields }) + '\n');
  };
}

/** A logger that drops everything (library use, tests that do not look at logs). */
export const silentLogger: Logger = () => {};
