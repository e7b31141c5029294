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
