/**
 * Operational failures are typed errors with stable codes (protocol anomalies, by contrast, are
 * counted data, never errors). The CLI prints `sigprobe: <message>` and exits non-zero.
 */
export type ErrorCode =
  | 'E_USAGE'
  | 'E_CONFIG'
  | 'E_PRIVACY_KEY'
  | 'E_SPOOL'
  | 'E_CAPTURE_OPEN'
  | 'E_NOT_A_CAPTURE'
  | 'E_LINKTYPE'
  | 'E_CAPTURE_PERMISSION'
  | 'E_NO_DEVICE'
  | 'E_CAPTURE_LIVE';

export class SigprobeError extends Error {
  constructor(readonly code: ErrorCode | string, message: string) {
    super(message);
    this.name = 'SigprobeError';
  }
}

/** Codes that mean the user's input is wrong (usage, config, report query, capture file): exit 2. */
const INPUT_ERRORS: ReadonlySet<string> = new Set(['E_USAGE', 'E_REPORT_INPUT', 'E_CONFIG', 'E_CAPTURE_OPEN', 'E_NOT_A_CAPTURE', 'E_LINKTYPE']);

/**
 * A command's failure as the one line every sigprobe entry point prints, and its exit code:
 * an operational error (a SigprobeError, or any error with an `E_` code) is `sigprobe: <message>`,
 * exit 2 when the input is wrong and 1 otherwise; anything else is an internal error with its stack, exit 1.
 */
export function reportFailure(e: unknown): number {
  const err = e as Error & { code?: string };
  if (e instanceof SigprobeError || (typeof err.code === 'string' && err.code.startsWith('E_'))) {
    process.stderr.write(`sigprobe: ${err.message}\n`);
    return INPUT_ERRORS.has(err.code as string) ? 2 : 1;
  }
  process.stderr.write(`sigprobe: internal error: ${err.stack ?? String(e)}\n`);
  return 1;
}
