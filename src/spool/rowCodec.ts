import type { RowValue } from './row';

/**
 * Compact binary encoding of a batch of rows, handed to the spool worker as a transferred
 * ArrayBuffer (no structured clone of objects). Per value: tag 0 = NULL; 1 = float64;
 * 2 = UTF-8 string (uint32 byte length + bytes). Batch header: uint32 row count, uint32 columns.
 */
const enum Tag {
  Null = 0,
  Number = 1,
  String = 2,
}

export class RowEncoder {
  private buf: Buffer;
  private pos = 8;
  rows = 0;

  constructor(private readonly columns: number, initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initialBytes);
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
        const max = v.length * 3;
        this.ensure(5 + max);
        this.buf[this.pos] = Tag.String;
        const n = this.buf.write(v, this.pos + 5, max, 'utf8');
        this.buf.writeUInt32LE(n, this.pos + 1);
        this.pos += 5 + n;
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
    return out;
  }
}

/** Calls onRow for each row of an encoded batch (row is a reused array). */
export function decodeRows(ab: ArrayBuffer, onRow: (row: RowValue[]) => void): number {
  const buf = Buffer.from(ab);
  const rows = buf.readUInt32LE(0);
  const columns = buf.readUInt32LE(4);
  const row: RowValue[] = new Array(columns);
  let p = 8;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const tag = buf[p++];
      if (tag === Tag.Null) row[c] = null;
      else if (tag === Tag.Number) {
        row[c] = buf.readDoubleLE(p);
        p += 8;
      } else {
        const n = buf.readUInt32LE(p);
        row[c] = buf.toString('utf8', p + 4, p + 4 + n);
        p += 4 + n;
      }
    }
    onRow(row);
  }
  return rows;
}
