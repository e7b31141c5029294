import * as fs from 'fs';

/** Default size of the reusable read buffer. */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
/** Smallest chunk accepted (tests use small chunks to exercise refills and growth). */
export const MIN_CHUNK_BYTES = 64;

/**
 * A window onto a capture file kept in one reusable buffer, so that replaying a file of any
 * size uses constant memory. The unread bytes are buf[pos, end). ensure() refills by moving the
 * unread tail to the front and reading behind it (fs.readSync), and grows the buffer only when
 * asked for more bytes than it holds (the caller bounds that). A source over an in-memory
 * buffer (fromBuffer) never copies or mutates it.
 *
 * Never throws after construction: a failed read(2) ends the stream and is reported in readError.
 */
export class ChunkSource {
  buf: Buffer;
  pos = 0;
  end: number;
  /** No more bytes beyond `end` (end of file, read error, or an in-memory source). */
  eof: boolean;
  /** errno code of a failed read ('' if none). */
  readError = '';
  /** File offset of buf[0]. */
  base = 0;
  private fd: number;
  /** File offset of the next read (regular files; -1 = read sequentially, e.g. a FIFO). */
  private filePos: number;

  private constructor(buf: Buffer, end: number, fd: number, seekable: boolean) {
    this.buf = buf;
    this.end = end;
    this.fd = fd;
    this.eof = fd < 0;
    this.filePos = fd >= 0 && seekable ? 0 : -1;
  }

  /** Reads `fd` (owned by the source from now on; closed by close()). */
  static forFile(fd: number, chunkBytes: number, seekable: boolean): ChunkSource {
    const size = Math.max(MIN_CHUNK_BYTES, Math.floor(chunkBytes));
    return new ChunkSource(Buffer.allocUnsafe(size), 0, fd, seekable);
  }

  /** Reads an in-memory capture image (not copied, never written). */
  static forBuffer(buf: Buffer): ChunkSource {
    return new ChunkSource(buf, buf.length, -1, false);
  }

  /** File offset of buf[pos]. */
  get offset(): number {
    return this.base + this.pos;
  }

  /**
   * Makes at least n bytes available at buf[pos]. May move the data and replace `buf`: callers
   * re-read `buf` and `pos` afterwards. Returns false when the stream ends first (the bytes that
   * exist stay available).
   */
  ensure(n: number): boolean {
    if (this.end - this.pos >= n) return true;
    if (this.eof) return false;
    const have = this.end - this.pos;
    if (n > this.buf.length) {
      const grown = Buffer.allocUnsafe(n);
      this.buf.copy(grown, 0, this.pos, this.end);
      this.buf = grown;
    } else if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.end);
    }
    this.base += this.pos;
    this.pos = 0;
    this.end = have;
    while (this.end < n && !this.eof) this.fill();
    return this.end >= n;
  }

  /** Advances n bytes, past the buffered data if need be (seeking, or reading and discarding).
   *  Returns false when the stream ends first. */
  skip(n: number): boolean {
    const have = this.end - this.pos;
    if (n <= have) {
      this.pos += n;
      return true;
    }
    let remaining = n - have;
    this.base += this.end;
    this.pos = 0;
    this.end = 0;
    if (this.eof) return false;
    if (this.filePos >= 0) {
      this.filePos += remaining;
      this.base += remaining;
      return true; // whether these bytes exist is found out by the next ensure()
    }
    while (remaining > 0 && !this.eof) {
      this.fill();
      const take = Math.min(remaining, this.end);
      remaining -= take;
      this.base += take;
      this.buf.copyWithin(0, take, this.end);
      this.end -= take;
    }
    return remaining === 0;
  }

  /** One read(2) into buf[end, buf.length). */
  private fill(): void {
    let got = 0;
    try {
      got = fs.readSync(this.fd, this.buf, this.end, this.buf.length - this.end, this.filePos >= 0 ? this.filePos : null);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'EINTR') return; // retried by the caller's loop
      // anything else ends the stream (EAGAIN too: a non-blocking input would spin)
      this.readError = typeof code === 'string' ? code : 'EIO';
      this.eof = true;
      return;
    }
    if (got === 0) {
      this.eof = true;
      return;
    }
    this.end += got;
    if (this.filePos >= 0) this.filePos += got;
  }

  close(): void {
    if (this.fd >= 0) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed: nothing to release
      }
      this.fd = -1;
    }
    this.eof = true;
  }
}
