// The metrics of the results table (fixed rows, fixed order) and how they derive from what the
// steps measured. Every value is a number; remarks go into the notes under the table.
import { cpus } from 'node:os';
import type { Capture } from './captures';
import type { FramingResult, PendingResult } from './measure';
import type { DecodeStep, ReplayStep, ShipCollectStep } from './steps';
import { PG_SETTINGS } from './shipCollect';
import type { TsharkStep } from './tshark';

export const METRICS = [
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
}

const MB = 1e6;

export function computeMetrics(m: Measurements): { values: MetricValues; notes: string[] } {
  const { capture, framing, raw, pseudo, replay, beginsCapture, pending, tshark, shipCollect } = m;
  const framingPps = framing.packets / framing.seconds;
  const rawPps = raw.packets / raw.seconds;
  const replayPps = replay.packets / replay.wallSeconds;
  const tsharkPps = tshark.packetsTimed / tshark.secondsTimed;
  const ship = shipCollectMetrics(shipCollect);
  const values: MetricValues = {
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
  return { values, notes };
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
