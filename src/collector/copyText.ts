/**
 * From a batch payload (JSON array bodies, one record per line: see ship/batch.ts) to what COPY
 * reads. Most payloads are valid COPY CSV as they are; the others are re-rendered exactly.
 */
import { PoisonBatchError } from './errors';

/** COPY options under which a JSON-array-body line is a CSV line. */
export const CSV_COPY_OPTIONS = `(FORMAT csv, QUOTE '"', ESCAPE '\\', NULL 'null')`;

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/**
 * True when every backslash in the payload escapes '"' or '\' — the only escapes COPY CSV (with
 * ESCAPE '\') understands. JSON's other escapes (\n, \t, \u0001...) only appear for control
 * characters in strings; such payloads go through jsonRowsToCopyText.
 */
export function csvSafe(buf: Buffer): boolean {
  let i = buf.indexOf(BACKSLASH);
  while (i >= 0) {
    const next = buf[i + 1];
    if (next !== QUOTE && next !== BACKSLASH) return false;
    i = buf.indexOf(BACKSLASH, i + 2);
  }
  return true;
}

// COPY text format: backslash, newline, carriage return and tab are backslash-escaped; NUL
// cannot be stored in a PostgreSQL text value at all (replaced by U+FFFD).
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPE = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\uFFFD' };

export interface CopyText {
  data: Buffer;
  /** NUL characters replaced by U+FFFD */
  nulReplaced: number;
}

/**
 * Re-renders a payload as COPY text format, parsing each line as JSON. Throws PoisonBatchError
 * when a line is not a JSON array body of `width` scalar elements.
 */
export function jsonRowsToCopyText(buf: Buffer, width: number): CopyText {
  const lines = buf.toString('utf8').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const out: string[] = new Array(lines.length);
  let nulReplaced = 0;
  for (let n = 0; n < lines.length; n++) {
    let row: unknown;
    try {
      row = JSON.parse(`[${lines[n]}]`);
    } catch {
      throw new PoisonBatchError(`line ${n + 1} is not JSON`);
    }
    if (!Array.isArray(row) || row.length !== width) throw new PoisonBatchError(`line ${n + 1} has ${Array.isArray(row) ? row.length : 0} fields, expected ${width}`);
    const fields: string[] = new Array(width);
    for (let i = 0; i < width; i++) {
      const v: unknown = row[i];
      if (v === null) fields[i] = '\\N';
      else if (typeof v === 'number') fields[i] = Number.isFinite(v) ? String(v) : '\\N';
      else if (typeof v === 'string') {
        fields[i] = NEEDS_ESCAPE.test(v)
          ? v.replace(ESCAPE, (c) => {
              if (c === '\0') nulReplaced++;
              return ESCAPES[c];
            })
          : v;
      } else throw new PoisonBatchError(`line ${n + 1} field ${i + 1} is not a scalar`);
    }
    out[n] = fields.join('\t');
  }
  return { data: Buffer.from(out.length > 0 ? out.join('\n') + '\n' : '', 'utf8'), nulReplaced };
}
