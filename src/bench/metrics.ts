// The metrics of the results table (fixed rows, fixed order) and how they derive from what the
// steps measured. Every value is a number; remarks go into the notes under the table.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Capture } from './captures';
import type { FramingResult, PendingResult } from './measure';
import type { DecodeStep, FullPathStep, ReplayStep, ShipCollectStep } from './steps';
import { SPOOL_SCALE_WINDOW, type SpoolScaleResult } from './spoolScale';
import { PG_SETTINGS } from './shipCollect';
import type { TsharkStep } from './tshark';

export const METRICS = [
  { key: 'ratioFullPathTshark', label: 'h. full path (replay, ipx, defaults) / tshark fields, packets/s' },
  { key: 'fullPathPps', label: 'h. full path: sigprobe replay of the ipx capture, default settings: packets/s' },
  { key: 'fullPathRps', label: 'h. full path: spool rows (dialogues + tunnels)/s' },
  { key: 'fullPathPeakRssMB', label: 'h. full path: peak RSS, MB' },
  { key: 'ipxTsharkPps', label: 'h. tshark fields, same ipx file: packets/s' },
  { key: 'ipxPackets', label: 'h. ipx capture: packets' },
  { key: 'spoolRpsFirst', label: 's. spool insert: rows/s at the first size' },
  { key: 'spoolRpsLast', label: 's. spool insert: rows/s at the last size' },
  { key: 'spoolCpuUsFirst', label: 's. spool insert: CPU µs/row at the first size' },
  { key: 'spoolCpuUsLast', label: 's. spool insert: CPU µs/row at the last size' },
  { key: 'spoolRpsSustained', label: 's. spool insert: rows/s sustained (whole run)' },
  { key: 'spoolLastVsFirst', label: 's. spool insert: rate at the last size / at the first, %' },
  { key: 'captureDialogues', label: 'capture: dialogues' },
  { key: 'capturePackets', label: 'capture: packets' },
  { key: 'captureMB', label: 'capture: size, MB' },
  { key: 'framingPps', label: 'a. framing only: packets/s' },
  { key: 'framingMBps', label: 'a. framing only: MB/s' },
  { key: 'rawPps', label: 'b. decode+correlate, identities raw: packets/s' },
  { key: 'rawDps', label: 'b. decode+correlate, identities raw: dialogues/s' },
  { key: 'rawUsPerPacket', label: 'b. decode+correlate, identities raw: µs/packet' },
  { key: 'pseudoPps', label: 'b. decode+correlate, pseudonymized: packets/s' },
  { key: 'pseudoDps', label: 'b. decode+correlate, pseudonymized: dialogues/s' },
  { key: 'pseudoUsPerPacket', label: 'b. decode+correlate, pseudonymized: µs/packet' },
  { key: 'replayWallSeconds', label: 'c. full replay → SQLite (CLI): wall time, s' },
  { key: 'replayPps', label: 'c. full replay → SQLite (CLI): packets/s' },
  { key: 'replayDps', label: 'c. full replay → SQLite (CLI): dialogues/s' },
  { key: 'replayUsPerPacket', label: 'c. full replay → SQLite (CLI): µs/packet' },
  { key: 'replayPeakRssMB', label: 'c. full replay → SQLite (CLI): peak RSS, MB' },
  { key: 'pendingBegins', label: 'd. pending: unanswered Begins in capture' },
  { key: 'pendingDialogues', label: 'd. pending: dialogues pending' },
  { key: 'pendingBytes', label: 'd. pending: heap bytes per pending dialogue' },
  { key: 'tsharkPacketsTimed', label: 'e. tshark fields: packets timed' },
  { key: 'tsharkSeconds', label: 'e. tshark fields: whole capture, s' },
  { key: 'tsharkPps', label: 'e. tshark fields: packets/s' },
  { key: 'ratioDecodeTshark', label: 'f. decode (raw) / tshark, packets/s' },
  { key: 'ratioReplayTshark', label: 'f. full replay / tshark, packets/s' },
  { key: 'ratioDecodeFraming', label: 'f. decode (raw) / framing, packets/s' },
  { key: 'shipCollectRecords', label: 'g. ship+collect (spool → Redis → PostgreSQL): records' },
  { key: 'shipCollectSeconds', label: 'g. ship+collect: wall time, s' },
  { key: 'shipCollectRps', label: 'g. ship+collect: records/s end to end' },
  { key: 'shipOnlyRps', label: 'g. ship+collect: shipper alone (spool → Redis ack), records/s' },
  { key: 'shipCollectPeakBacklog', label: 'g. ship+collect: peak backlog in Redis, records' },
  { key: 'shipCpuUs', label: 'g. ship+collect: CPU µs/record, shipper' },
  { key: 'collectCpuUs', label: 'g. ship+collect: CPU µs/record, collector' },
  { key: 'postgresCpuUs', label: 'g. ship+collect: CPU µs/record, PostgreSQL' },
  { key: 'redisCpuUs', label: 'g. ship+collect: CPU µs/record, Redis' },
] as const;

export type MetricKey = (typeof METRICS)[number]['key'];
export type MetricValues = Record<MetricKey, number>;

export interface Measurements {
  capture: Capture;
  framing: FramingResult;
  raw: DecodeStep;
  pseudo: DecodeStep;
  replay: ReplayStep;
  beginsCapture: Capture;
  pending: PendingResult;
  tshark: TsharkStep;
  shipCollect: ShipCollectStep;
  ipxCapture: Capture;
  fullPath: FullPathStep;
  ipxTshark: TsharkStep;
  spoolScale: SpoolScaleResult;
}

const MB = 1e6;

export function computeMetrics(m: Measurements): { values: MetricValues; notes: string[]; headline: string } {
  const { capture, framing, raw, pseudo, replay, beginsCapture, pending, tshark, shipCollect } = m;
  const framingPps = framing.packets / framing.seconds;
  const rawPps = raw.packets / raw.seconds;
  const replayPps = replay.packets / replay.wallSeconds;
  const tsharkPps = tshark.packetsTimed / tshark.secondsTimed;
  const ship = shipCollectMetrics(shipCollect);
  const head = fullPathMetrics(m.ipxCapture, m.fullPath, m.ipxTshark);
  const sp = spoolScaleMetrics(m.spoolScale);
  const values: MetricValues = {
    ...head.values,
    ...sp.values,
    captureDialogues: capture.dialogues,
    capturePackets: capture.packets,
    captureMB: capture.bytes / MB,
    framingPps,
    framingMBps: framing.bytes / MB / framing.seconds,
    rawPps,
    rawDps: raw.records / raw.seconds,
    rawUsPerPacket: (raw.seconds * 1e6) / raw.packets,
    pseudoPps: pseudo.packets / pseudo.seconds,
    pseudoDps: pseudo.records / pseudo.seconds,
    pseudoUsPerPacket: (pseudo.seconds * 1e6) / pseudo.packets,
    replayWallSeconds: replay.wallSeconds,
    replayPps,
    replayDps: replay.written / replay.wallSeconds,
    replayUsPerPacket: (replay.wallSeconds * 1e6) / replay.packets,
    replayPeakRssMB: replay.maxRssBytes / MB,
    pendingBegins: beginsCapture.dialogues,
    pendingDialogues: pending.pending,
    pendingBytes: pending.heapBytes / pending.pending,
    tsharkPacketsTimed: tshark.packetsTimed,
    tsharkSeconds: tshark.wholeFileSeconds,
    tsharkPps,
    ratioDecodeTshark: rawPps / tsharkPps,
    ratioReplayTshark: replayPps / tsharkPps,
    ratioDecodeFraming: rawPps / framingPps,
    ...ship.values,
  };
  const notes = [
    ...head.notes,
    ...sp.notes,
    `a, b, d run the library in a child process each (fresh heap); b counts records into a null sink, finish() included; framing is the best of 2 passes.`,
    `b peak RSS: raw ${(raw.maxRssBytes / MB).toFixed(0)} MB, pseudonymized ${(pseudo.maxRssBytes / MB).toFixed(0)} MB.`,
    `c is \`node dist/cli/main.js replay --identities raw --json\` in a child; rates use its wall time (start-up, spool open, final flush); ` +
      `its own loop timing: ${replay.cliSeconds.toFixed(1)} s; ${replay.written} records written; peak RSS from process.resourceUsage() in the child (spool worker thread included).`,
    `d: ${beginsCapture.dialogues} Begins in ${pending.packets} packets, ${pending.pending} pending at the end; closed while reading: ${closedText(pending.closed)} ` +
      `(tid_reused: the generator's nodes with 1-octet TIDs wrap around over the capture); ` +
      `heap ${(pending.heapBytes / MB).toFixed(0)} MB over a ${(pending.baselineHeapBytes / MB).toFixed(1)} MB baseline, after gc.`,
    tshark.scaled
      ? `e: tshark timed on the first ${tshark.packetsTimed} packets (-c) and scaled to the ${capture.packets} packets of the capture.`
      : `e: tshark timed on the whole capture (${tshark.lines} TCAP lines), single pass.`,
    ...ship.notes,
  ];
  return { values, notes, headline: head.headline };
}

type ShipKey = Extract<MetricKey, `ship${string}` | 'collectCpuUs' | 'postgresCpuUs' | 'redisCpuUs'>;

/** Rows and note of step g (also the whole table of `npm run bench -- --ship`). */
export function shipCollectMetrics(s: ShipCollectStep): { values: Pick<MetricValues, ShipKey>; notes: string[] } {
  const values: Pick<MetricValues, ShipKey> = {
    shipCollectRecords: s.records,
    shipCollectSeconds: s.seconds,
    shipCollectRps: s.records / s.seconds,
    shipOnlyRps: s.records / s.shipSeconds,
    shipCollectPeakBacklog: s.peakBacklog,
    shipCpuUs: (s.cpu.shipper * 1e6) / s.records,
    collectCpuUs: (s.cpu.collector * 1e6) / s.records,
    postgresCpuUs: (s.cpu.postgres * 1e6) / s.records,
    redisCpuUs: (s.cpu.redis * 1e6) / s.records,
  };
  const pgSplit = Object.entries(s.postgresByProcess)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${((v * 1e6) / s.records).toFixed(2)}`)
    .join(', ');
  const notes = [
    `g: the spool of c, \`sigprobe ship\` and \`sigprobe collect\` (concurrency ${s.collectorConcurrency}) as child processes, batches of ${s.batchRecords}, ` +
      `private redis-server (AOF) and PostgreSQL (shared_buffers ${PG_SETTINGS.shared_buffers}, max_wal_size ${PG_SETTINGS.max_wal_size}) on this machine, time from the daemons' start to the last record stored; ` +
      `the shipper had everything acknowledged by Redis after ${s.shipSeconds.toFixed(1)} s; bench-side peak RSS ${(s.maxRssBytes / MB).toFixed(0)} MB. ` +
      `CPU µs/record: user + system time of each process over the run (start-up included; PostgreSQL: postmaster, backends, background writers) divided by the records; ` +
      `their sum bounds the end-to-end rate to ${((cpus().length * 1e6) / (((s.cpu.shipper + s.cpu.collector + s.cpu.postgres + s.cpu.redis) * 1e6) / s.records)).toFixed(0)} records/s on this machine's ${cpus().length} cores when everything runs here.`,
    `g: PostgreSQL CPU µs/record by process: ${pgSplit}.`,
    `g: best of ${s.passRates.length} passes (fresh servers each); end-to-end records/s of each: ${s.passRates.map((r) => r.toFixed(0)).join(', ')}.`,
  ];
  return { values, notes };
}

function closedText(closed: Record<string, number>): string {
  const parts = Object.entries(closed).map(([reason, n]) => `${n} ${reason}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

type HeadKey = 'ratioFullPathTshark' | 'fullPathPps' | 'fullPathRps' | 'fullPathPeakRssMB' | 'ipxTsharkPps' | 'ipxPackets';

/** Step h: the headline ratio (issue 16 target 1), and the line printed first. */
export function fullPathMetrics(c: Capture, f: FullPathStep, t: TsharkStep): { values: Pick<MetricValues, HeadKey>; notes: string[]; headline: string } {
  const fullPathPps = f.packets / f.wallSeconds;
  const ipxTsharkPps = t.packetsTimed / t.secondsTimed;
  const ratio = fullPathPps / ipxTsharkPps;
  const values: Pick<MetricValues, HeadKey> = {
    ratioFullPathTshark: ratio,
    fullPathPps,
    fullPathRps: (f.dialogues + f.tunnels) / f.wallSeconds,
    fullPathPeakRssMB: f.maxRssBytes / MB,
    ipxTsharkPps,
    ipxPackets: c.packets,
  };
  const headline =
    `full path: sigprobe replay ${fullPathPps.toFixed(0)} packets/s ÷ tshark fields ${ipxTsharkPps.toFixed(0)} packets/s = ${ratio.toFixed(2)}× ` +
    `(ipx capture, ${c.packets} packets, ${c.dialogues} dialogues; default settings; target ≥ 15×; load ${loadAverage()})`;
  const notes = [
    `h: \`node dist/cli/main.js replay ${c.path} --spool DB\` (default settings: pseudonymization on, the spool's indexes, the summary printed) into a fresh spool, ` +
      `wall time of the child (start-up and final flush included): ${f.wallSeconds.toFixed(1)} s, CPU ${f.cpuSeconds.toFixed(1)} s (both threads: ${((f.cpuSeconds * 1e6) / f.packets).toFixed(2)} µs/packet), ${f.dialogues} dialogues and ${f.tunnels} tunnels written; ` +
      `tshark: \`-Y 'tcap || diameter || gtp || gtpv2' -T fields\` (the oracle's TCAP fields + Diameter command/hop-by-hop/end-to-end, GTP sequence numbers), ` +
      `${t.scaled ? `first ${t.packetsTimed} packets, scaled` : 'whole file'}, ${t.secondsTimed.toFixed(1)} s; load average at the end of the run: ${loadAverage()}.`,
  ];
  return { values, notes, headline };
}

type SpoolKey = 'spoolRpsFirst' | 'spoolRpsLast' | 'spoolCpuUsFirst' | 'spoolCpuUsLast' | 'spoolRpsSustained' | 'spoolLastVsFirst';

/** Step s: the spool's insert rate at each size (issue 16 target 2). */
export function spoolScaleMetrics(r: SpoolScaleResult): { values: Pick<MetricValues, SpoolKey>; notes: string[] } {
  const first = r.points[0];
  const last = r.points[r.points.length - 1];
  const values: Pick<MetricValues, SpoolKey> = {
    spoolRpsFirst: first.windowRps,
    spoolRpsLast: last.windowRps,
    spoolCpuUsFirst: first.windowCpuUsPerRow,
    spoolCpuUsLast: last.windowCpuUsPerRow,
    spoolRpsSustained: r.rows / r.seconds,
    spoolLastVsFirst: (100 * last.windowRps) / first.windowRps,
  };
  const per = r.points
    .map((p) => `${fmtRows(p.rows)}: ${p.windowRps.toFixed(0)} rows/s, ${p.windowCpuUsPerRow.toFixed(2)} CPU µs/row, spool file + WAL ${((p.fileBytes + p.walBytes) / 2 ** 20).toFixed(0)} MiB`)
    .join('; ');
  const notes = [
    `s: ${r.templateRows} rows of the replayed spool written again (fresh random pseudonyms, shifted times) into a fresh spool up to ${fmtRows(r.rows)} rows, ` +
      `batches of ${r.batchRows} rows per transaction through SpoolWriter.writeBatch (the spool worker's code, in one thread; only writeBatch timed); ` +
      `rate over the ${fmtRows(SPOOL_SCALE_WINDOW)} rows before each size: ${per}; peak WAL ${(r.peakWalBytes / 2 ** 20).toFixed(0)} MiB; load ${loadAverage()}.`,
  ];
  return { values, notes };
}

function fmtRows(n: number): string {
  return n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n);
}

/** /proc/loadavg's three figures (the machine is shared: figures are read with it). */
export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}
