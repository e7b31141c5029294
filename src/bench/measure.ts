// The in-process measurements: they drive the library APIs directly (no CLI, no spool) and
// return raw counts and times; rates are derived by the caller. Run by worker.ts, one
// measurement per child process, so each starts from a fresh heap and JIT.
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { PcapReader } from '../capture/pcapReader';
import type { PacketHandler } from '../capture/pcapReader';
import { Pipeline } from '../dispatch/pipeline';
import type { TcapLimits } from '../correlate/tcapDialogues';
import { IdentityProtector } from '../correlate/identities';
import type { DialogueRecord, RecordSink } from '../correlate/record';

/** Packets per read() call, as the replay CLI does. */
const READ_BATCH = 65536;
/** Fixed key for the pseudonymized run (any 32 bytes: only the cost of the HMAC matters). */
const BENCH_KEY = Buffer.alloc(32, 0x5a);

export type IdentityRun = 'raw' | 'pseudonymize';

export interface FramingResult {
  packets: number;
  /** capture file size */
  bytes: number;
  seconds: number;
}

export interface DecodeResult {
  packets: number;
  /** dialogue records handed to the sink (finish() included) */
  records: number;
  seconds: number;
}

export interface PendingResult {
  packets: number;
  pending: number;
  /** heap used after gc with the dialogues pending, minus the baseline */
  heapBytes: number;
  baselineHeapBytes: number;
  /** dialogues the correlator closed while reading (by end reason, non-zero only) */
  closed: Record<string, number>;
}

/** Counts records and keeps none. */
class NullSink implements RecordSink {
  records = 0;
  write(_r: DialogueRecord): void {
    this.records++;
  }
}

/** Feed every packet of the capture to onPacket; returns the packet count. */
function readAll(path: string, onPacket: PacketHandler): number {
  const r = PcapReader.open(path);
  let packets = 0;
  let n: number;
  while ((n = r.read(onPacket, READ_BATCH)) > 0) packets += n;
  r.close();
  return packets;
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function newPipeline(sink: RecordSink, identities: IdentityRun, tcap?: Partial<TcapLimits>): Pipeline {
  const ids = new IdentityProtector(identities, identities === 'pseudonymize' ? BENCH_KEY : null);
  return new Pipeline(sink, ids, { site: 'bench', tcap });
}

/** (a) Walk every record, decode nothing. Best of `passes` (the first one also warms the page cache). */
export function measureFraming(path: string, passes = 2): FramingResult {
  let best: FramingResult | null = null;
  const noop: PacketHandler = () => {};
  const bytes = statSync(path).size;
  for (let i = 0; i < passes; i++) {
    const t0 = process.hrtime.bigint();
    const packets = readAll(path, noop);
    const s = seconds(t0);
    if (best === null || s < best.seconds) best = { packets, bytes, seconds: s };
  }
  return best as FramingResult;
}

/** (b) Link → TCAP decode and dialogue correlation into a sink that keeps nothing. */
export function measureDecode(path: string, identities: IdentityRun): DecodeResult {
  const sink = new NullSink();
  const p = newPipeline(sink, identities);
  p.setSource(basename(path));
  const onPacket: PacketHandler = p.onPacket.bind(p);
  const t0 = process.hrtime.bigint();
  const packets = readAll(path, onPacket);
  p.finish('capture_end');
  return { packets, records: sink.records, seconds: seconds(t0) };
}

/**
 * (d) Heap per pending dialogue: replay a capture of unanswered Begins with limits that keep
 * every dialogue pending, and compare the heap after gc with the baseline taken once the
 * pipeline exists. The pending dialogues live in typed-array columns (tcapDialogues.ts), so the
 * figure is heapUsed + arrayBuffers: the JS heap alone would hide them. Needs `node --expose-gc`.
 */
function heapAndBuffers(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export function measurePending(path: string, tcap: TcapLimits): PendingResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('measurePending needs node --expose-gc');
  const sink = new NullSink();
  const p = newPipeline(sink, 'raw', tcap);
  p.setSource(basename(path));
  const onPacket: PacketHandler = p.onPacket.bind(p);
  gc();
  const baselineHeapBytes = heapAndBuffers();
  const packets = readAll(path, onPacket);
  gc();
  const heapBytes = heapAndBuffers() - baselineHeapBytes;
  const pending = p.tcap.pending;
  const closed = Object.fromEntries(Object.entries(p.tcap.closed).filter(([, n]) => n > 0));
  p.finish('capture_end');
  return { packets, pending, heapBytes, baselineHeapBytes, closed };
}
