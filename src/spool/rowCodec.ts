import type { RowValue } from './row';

/**
 * Compact binary encoding of a batch of rows, handed to the spool worker as a transferred
 * ArrayBuffer (no structured clone of objects). Batch header: uint32 row count, uint32 columns.
 * Per value, one tag byte:
 *   0 NULL; 1 float64;
 *   2 UTF-8 string, 4 ASCII string (uint32 byte length + bytes; ASCII decodes on V8's one-byte
 *     fast path); | 0x80: the string also becomes the batch dictionary's next entry;
 *   3 a string seen before in this batch: uint32 index in the batch dictionary.
 * The dictionary (per batch: a batch decodes on its own, a retried batch decodes the same) holds
 * the strings of the columns that repeat (procedure, status, GTs, hosts, site...), so each is
 * written and decoded once per batch; columns of near-unique values (pseudonyms, TIDs) skip it.
 * Measured here on the ipx mix (200k rows, 61 columns, ~33 non-NULL): encode 3.0 → see
 * bench/RESULTS.md "spool" for the figures.
 */
const enum Tag {
  Null = 0,
  Number = 1,
  Utf8 = 2,
  Ref = 3,
  Ascii = 4,
  /** or-ed into Utf8 / Ascii: append to the dictionary */
  Add = 0x80,
}

/** Longest string put into the dictionary (longer ones are written as they are). */
const DICT_MAX_CHARS = 64;
/** Strings up to this length are written by a JS loop when ASCII. */
const ASCII_LOOP_MAX = 48;

export class RowEncoder {
  private buf: Buffer;
  private pos = 8;
  rows = 0;
  private readonly dict = new Map<string, number>();
  private readonly useDict: boolean[];

  /**
   * `dictionary[c]`: column c's strings repeat (dictionary-encoded); default: every column.
   */
  constructor(private readonly columns: number, initialBytes = 1 << 20, dictionary?: readonly boolean[]) {
    this.buf = Buffer.allocUnsafe(initialBytes);
    this.useDict = Array.from({ length: columns }, (_, c) => dictionary === undefined || dictionary[c] === true);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const nb = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  add(row: readonly RowValue[]): void {
    for (let c = 0; c < this.columns; c++) {
      const v = row[c];
      if (v === null || v === undefined) {
        this.ensure(1);
        this.buf[this.pos++] = Tag.Null;
      } else if (typeof v === 'number') {
        this.ensure(9);
        this.buf[this.pos] = Tag.Number;
        this.buf.writeDoubleLE(v, this.pos + 1);
        this.pos += 9;
      } else {
        let add = 0;
        if (this.useDict[c] && v.length <= DICT_MAX_CHARS) {
          const ref = this.dict.get(v);
          if (ref !== undefined) {
            this.ensure(5);
            this.buf[this.pos] = Tag.Ref;
            this.buf.writeUInt32LE(ref, this.pos + 1);
            this.pos += 5;
            continue;
          }
          this.dict.set(v, this.dict.size);
          add = Tag.Add;
        }
        const len = v.length;
        const max = len * 3;
        this.ensure(5 + max);
        const b = this.buf;
        const start = this.pos + 5;
        let n = 0;
        if (len <= ASCII_LOOP_MAX) {
          // short strings: a JS loop beats the native write call; stops at the first non-ASCII
          while (n < len) {
            const ch = v.charCodeAt(n);
            if (ch > 0x7f) break;
            b[start + n++] = ch;
          }
        }
        if (n < len) n = b.write(v, start, max, 'utf8');
        // as many bytes as UTF-16 units: every character is ASCII
        b[this.pos] = (n === len ? Tag.Ascii : Tag.Utf8) | add;
        b.writeUInt32LE(n, this.pos + 1);
        this.pos = start + n;
      }
    }
    this.rows++;
  }

  /** The encoded batch (a fresh ArrayBuffer, transferable); the encoder is reset. */
  take(): ArrayBuffer {
    this.buf.writeUInt32LE(this.rows, 0);
    this.buf.writeUInt32LE(this.columns, 4);
    const out = new ArrayBuffer(this.pos);
    new Uint8Array(out).set(this.buf.subarray(0, this.pos));
    this.pos = 8;
    this.rows = 0;
    this.dict.clear();
    return out;
  }
}

type FastSlices = Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string };

/** Calls onRow for each row of an encoded batch (row is a reused array). */
export function decodeRows(ab: ArrayBuffer, onRow: (row: RowValue[]) => void): number {
  const buf = Buffer.from(ab) as FastSlices;
  const rows = buf.readUInt32LE(0);
  const columns = buf.readUInt32LE(4);
  const row: RowValue[] = new Array(columns);
  const dict: string[] = [];
  let p = 8;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const tag = buf[p++];
      if (tag === Tag.Null) row[c] = null;
      else if (tag === Tag.Number) {
        row[c] = buf.readDoubleLE(p);
        p += 8;
      } else if (tag === Tag.Ref) {
        row[c] = dict[buf.readUInt32LE(p)];
        p += 4;
      } else {
        const n = buf.readUInt32LE(p);
        const s = (tag & 0x7f) === Tag.Ascii ? buf.latin1Slice(p + 4, p + 4 + n) : buf.utf8Slice(p + 4, p + 4 + n);
        if (tag & Tag.Add) dict.push(s);
        row[c] = s;
        p += 4 + n;
      }
    }
    onRow(row);
  }
  return rows;
}
