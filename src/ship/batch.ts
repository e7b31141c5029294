/**
 * The batch: what the shipper adds to Redis as one BullMQ job and the collector stores in one
 * PostgreSQL transaction. A batch is a run of consecutive spool records of one table, one record
 * per line; a line is a JSON array without its brackets (elements in `cols` order), rendered by
 * SQLite's json_array() — e.g. `17,"map","updateLocation",2,"ok",null,...`. The text is
 * compressed (gzip, or brotli).
 *
 * Such lines are also valid PostgreSQL COPY CSV (QUOTE '"', ESCAPE '\', NULL 'null') as long as
 * the only backslash escapes in them are \" and \\ — which is the case unless a string holds a
 * control character. The collector streams those batches into COPY without parsing them, and
 * re-renders the others exactly (JSON.parse of each line → COPY text format).
 *
 * Format 2 (this shipper): the second element of each line is the record's time `ts` as
 * PostgreSQL reads a timestamptz, e.g. "2023-11-14 22:13:20.034367+00" (TIME_COLUMNS' rule, UTC,
 * µs), so the collector can COPY the lines straight into the central table, which is partitioned
 * by it. Format 1 (shippers before it) has no `ts` element: the collector derives it in SQL.
 *
 * Job data (JSON, BullMQ stores it as a string):
 *   v      format version (2; 1 is still accepted)
 *   probe  probe id            spool  the spool's random id (spool_meta.spool_id, 32 hex)
 *   table  dialogues | tunnels first, last  spool ids of the first and last record
 *   count  records (lines)     cols   column of each element: 'id' first, then (format 2) 'ts'
 *   days   UTC days (since the epoch) of the records' time: the partitions they go to
 *   tmax   (format 2) the newest record time in the batch, µs since the epoch
 *   bytes  (format 2) size of the uncompressed text
 *   enc    jsonrows.gz | jsonrows.br      data   base64 of the compressed text
 */
import { brotliCompress, brotliDecompress, gzip, gunzip, constants as zc } from 'node:zlib';
import { promisify } from 'node:util';
import type { JobsOptions, KeepJobs } from 'bullmq';

export type ShipTable = 'dialogues' | 'tunnels';
export const SHIP_TABLES: readonly ShipTable[] = ['dialogues', 'tunnels'];

export const BATCH_VERSION = 2;
/** Formats the collector accepts. */
export const BATCH_VERSIONS: readonly number[] = [1, 2];
/** Attempts per job at the collector: in effect unlimited (a transient failure retries forever,
 *  a permanent one is failed at once by the collector). */
export const JOB_ATTEMPTS = 1_000_000;
/** Backoff type resolved by the collector's worker (settings.backoffStrategy). */
export const JOB_BACKOFF_TYPE = 'sigprobe';

/** Options of every batch job (the shipper's, and the collector's re-queued ones), but its id. */
export function batchJobOptions(removeOnComplete: KeepJobs, removeOnFail: KeepJobs): JobsOptions {
  return { attempts: JOB_ATTEMPTS, backoff: { type: JOB_BACKOFF_TYPE }, removeOnComplete, removeOnFail };
}
export type Compression = 'gzip' | 'brotli';
export const ENCODINGS: Record<Compression, string> = { gzip: 'jsonrows.gz', brotli: 'jsonrows.br' };
export const US_PER_DAY = 86_400_000_000;
/** A batch whose records span more days than this is refused (a corrupt header, not real data). */
export const MAX_BATCH_DAYS = 400;
/** Largest decompressed batch the collector accepts (bytes): a bound, not a target. */
export const MAX_BATCH_BYTES = 256 * 1024 * 1024;

/**
 * Columns that give a record's time (µs since the epoch), first non-NULL wins; 0 when all are
 * NULL. The collector derives its partition key `ts` with the same rule (see collector/schema.ts).
 */
export const TIME_COLUMNS: Record<ShipTable, readonly string[]> = {
  dialogues: ['req_time_us', 'rsp_time_us'],
  tunnels: ['create_time_us'],
};

export interface BatchHeader {
  v: number;
  probe: string;
  spool: string;
  table: ShipTable;
  first: number;
  last: number;
  count: number;
  cols: string[];
  days: number[];
  /** format 2: newest record time, µs since the epoch */
  tmax?: number;
  /** format 2: uncompressed size of the text, bytes */
  bytes?: number;
  enc: string;
}

export interface BatchJobData extends BatchHeader {
  data: string;
}

/**
 * Deterministic job id: the same records always make the same id, so a batch added again after a
 * crash or a lost acknowledgement is the same job (BullMQ ignores an add whose id exists). BullMQ
 * job ids may not contain ':'.
 */
export function batchJobId(h: Pick<BatchHeader, 'probe' | 'spool' | 'table' | 'first' | 'last'>): string {
  return `${h.probe}.${h.spool.slice(0, 16)}.${h.table === 'tunnels' ? 't' : 'd'}.${h.first}-${h.last}`;
}

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const brotliAsync = promisify(brotliCompress);
const unbrotliAsync = promisify(brotliDecompress);

/** Output chunks at least this large (zlib's default, 16 KiB, costs more in callbacks and concatenation than the (de)compression itself). */
const MIN_CHUNK = 64 * 1024;

/**
 * Compresses in libuv's thread pool (the shipper keeps reading the spool meanwhile), into one
 * output chunk. `level` 1 fastest ... 9 smallest; brotli's quality is the level. Measured on the
 * bench's MAP rows (~430 bytes, README "Central store"): brotli 1 takes 1.1 µs a record for a
 * ratio of 6.2, gzip 1 2.4 µs for 5.5.
 */
export function compress(text: string | Buffer, how: Compression, level: number): Promise<Buffer> {
  const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const chunkSize = Math.max(MIN_CHUNK, buf.length + 1024);
  if (how === 'brotli') {
    return brotliAsync(buf, { chunkSize, params: { [zc.BROTLI_PARAM_QUALITY]: Math.min(level, 11), [zc.BROTLI_PARAM_SIZE_HINT]: buf.length } });
  }
  return gzipAsync(buf, { level, chunkSize });
}

/**
 * Decompresses a payload of encoding `enc` (at most MAX_BATCH_BYTES) into one output chunk of
 * `size` bytes, the uncompressed size when known (the batch header's `bytes`, gzip's ISIZE
 * trailer); a wrong size only costs speed.
 */
export function decompress(data: Buffer, enc: string, size?: number): Promise<Buffer> {
  const known = size ?? (enc === ENCODINGS.gzip && data.length >= 18 ? data.readUInt32LE(data.length - 4) : 0);
  const chunkSize = Math.min(MAX_BATCH_BYTES, Math.max(MIN_CHUNK, known + 64));
  if (enc === ENCODINGS.brotli) return unbrotliAsync(data, { maxOutputLength: MAX_BATCH_BYTES, chunkSize });
  return gunzipAsync(data, { maxOutputLength: MAX_BATCH_BYTES, chunkSize });
}

const PROBE_RE = /^[A-Za-z0-9_-]{1,64}$/;
const SPOOL_RE = /^[0-9a-f]{32}$/;
const COL_RE = /^[a-z_][a-z0-9_]{0,62}$/;

function isId(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
}

/**
 * Checks job data from Redis: returns the reason it cannot be a batch, or null. Anything that
 * fails here can never be stored, however often it is retried.
 */
export function validateBatch(d: unknown): string | null {
  if (d === null || typeof d !== 'object') return 'job data is not an object';
  const b = d as Partial<BatchJobData>;
  if (typeof b.v !== 'number' || !BATCH_VERSIONS.includes(b.v)) return `unknown batch version ${JSON.stringify(b.v)}`;
  if (b.enc !== ENCODINGS.gzip && b.enc !== ENCODINGS.brotli) return `unknown encoding ${JSON.stringify(b.enc)}`;
  if (typeof b.probe !== 'string' || !PROBE_RE.test(b.probe)) return 'bad probe id';
  if (typeof b.spool !== 'string' || !SPOOL_RE.test(b.spool)) return 'bad spool id';
  if (b.table !== 'dialogues' && b.table !== 'tunnels') return `unknown table ${JSON.stringify(b.table)}`;
  if (!isId(b.first) || !isId(b.last) || b.last < b.first) return 'bad first/last record ids';
  if (!isId(b.count) || b.count > b.last - b.first + 1) return 'bad record count';
  if (!Array.isArray(b.cols) || b.cols.length < 2 || b.cols[0] !== 'id' || !b.cols.every((c) => typeof c === 'string' && COL_RE.test(c))) return 'bad column list';
  if (new Set(b.cols).size !== b.cols.length) return 'duplicate column';
  if ((b.v >= 2) !== (b.cols[1] === 'ts')) return b.v >= 2 ? "format 2 without the 'ts' column second" : "'ts' column in a format 1 batch";
  if (b.v >= 2 && !(typeof b.tmax === 'number' && Number.isSafeInteger(b.tmax) && b.tmax >= 0)) return 'bad tmax';
  if (b.v >= 2 && !(typeof b.bytes === 'number' && Number.isSafeInteger(b.bytes) && b.bytes > 0 && b.bytes <= MAX_BATCH_BYTES)) return 'bad size';
  if (!Array.isArray(b.days) || b.days.length < 1 || b.days.length > MAX_BATCH_DAYS || !b.days.every((x) => Number.isSafeInteger(x) && x >= 0 && x < 2_932_897)) {
    return 'bad day list';
  }
  if (typeof b.data !== 'string' || b.data.length === 0) return 'no payload';
  return null;
}
