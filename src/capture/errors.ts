/**
 * Errors raised when a capture source cannot be opened. Reading an opened capture never throws
 * (anomalies are counted instead); only opening does, with one of these codes. Messages are one
 * line naming the file or interface; the CLI prints them as `<message>`.
 */
import { SigprobeError } from '../config/errors';

export type CaptureErrorCode =
  | 'E_CAPTURE_OPEN' // the file cannot be opened or read
  | 'E_NOT_A_CAPTURE' // the file is neither pcap nor pcapng (or an unsupported variant of them)
  | 'E_LINKTYPE' // the link type is not one sigprobe decodes
  | 'E_CAPTURE_PERMISSION' // live capture refused: not root / no CAP_NET_RAW
  | 'E_NO_DEVICE' // live capture: the interface does not exist
  | 'E_CAPTURE_LIVE'; // live capture failed for another reason (bad filter, interface down...)

export class CaptureError extends SigprobeError {
  declare readonly code: CaptureErrorCode;
  /** The file path or interface name the error is about. */
  readonly target: string;

  constructor(code: CaptureErrorCode, target: string, message: string, cause?: unknown) {
    super(code, oneLine(message));
    this.name = 'CaptureError';
    this.target = target;
    if (cause !== undefined) this.cause = cause;
  }
}

/** Collapses a (library-provided) message onto one line. */
export function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function errnoText(err: unknown): string {
  if (err !== null && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    if (typeof e.code === 'string') {
      const why = ERRNO_TEXT[e.code];
      return why === undefined ? e.code : `${e.code} (${why})`;
    }
    if (typeof e.message === 'string') return e.message;
  }
  return String(err);
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
};

export function captureOpenError(path: string, err: unknown): CaptureError {
  return new CaptureError('E_CAPTURE_OPEN', path, `cannot read capture file ${path}: ${errnoText(err)}`, err);
}

/** `detail` completes "<path> is not a pcap or pcapng file (...)", e.g. "magic 48 65 6c 6c" (the octets as in the file). */
export function notACaptureError(path: string, detail: string): CaptureError {
  return new CaptureError('E_NOT_A_CAPTURE', path, `${path} is not a pcap or pcapng file (${detail})`);
}

export function unsupportedLinkTypeError(target: string, linkType: number, supported: string): CaptureError {
  return new CaptureError(
    'E_LINKTYPE',
    target,
    `${target} has link type ${linkType}, which sigprobe does not decode (supported: ${supported})`,
  );
}
