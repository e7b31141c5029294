/**
 * COPY ... FROM STDIN with the `pg` driver and a Buffer already in COPY text format. The driver
 * answers the server's CopyInResponse with CopyFail by default; this Query subclass sends the
 * buffer as CopyData messages and CopyDone instead (the messages pg's Connection already has:
 * sendCopyFromChunk / endCopyFrom). Errors (bad data, lost connection) reject like any query.
 */
import { Query, type ClientBase } from 'pg';

/** CopyData messages carry at most this many bytes each. */
const CHUNK = 256 * 1024;

interface CopyConnection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

class CopyFromBuffer extends Query {
  constructor(text: string, private readonly data: Buffer, callback: (err: Error | undefined, res: { rowCount: number | null }) => void) {
    super(text, callback as never);
  }

  /** Called by pg's Client when the server is ready for the COPY data. */
  handleCopyInResponse(connection: CopyConnection): void {
    for (let off = 0; off < this.data.length; off += CHUNK) connection.sendCopyFromChunk(this.data.subarray(off, off + CHUNK));
    connection.endCopyFrom();
  }
}

/** Runs `sql` (a COPY ... FROM STDIN) with `data` as its input; resolves to the rows copied. */
export function copyFrom(client: ClientBase, sql: string, data: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    client.query(
      new CopyFromBuffer(sql, data, (err, res) => {
        if (err) reject(err);
        else resolve(res?.rowCount ?? 0);
      }),
    );
  });
}
