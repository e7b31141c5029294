import type { Pipeline } from '../dispatch/pipeline';
import type { Database } from 'better-sqlite3';

export interface Summary {
  files: number;
  packets: number;
  bytes: number;
  seconds: number;
  packetsPerSecond: number;
  decoded: Record<string, number>;
  nonIp: number;
  sctpMessages: number;
  dialogues: Record<string, number>;
  byProtocol: Record<string, number>;
  byEndReason: Record<string, number>;
  anomalies: { layer: string; reason: string; count: number }[];
  pending: number;
  spool: string;
  written: number;
}

/** Builds the replay summary from the pipeline counters and this run's rows in the spool. */
export function buildSummary(p: Pipeline, db: Database, firstId: number, files: number, seconds: number, spool: string): Summary {
  const decoded: Record<string, number> = {};
  for (const d of p.counters.decodedList()) decoded[d.layer] = d.count;
  const dialogues: Record<string, number> = {};
  const byProtocol: Record<string, number> = {};
  for (const r of db.prepare('SELECT status, count(*) n FROM dialogues WHERE id > ? GROUP BY status ORDER BY status').all(firstId) as { status: string; n: number }[]) {
    dialogues[r.status] = r.n;
  }
  for (const r of db.prepare('SELECT protocol, count(*) n FROM dialogues WHERE id > ? GROUP BY protocol ORDER BY protocol').all(firstId) as { protocol: string; n: number }[]) {
    byProtocol[r.protocol] = r.n;
  }
  const byEndReason: Record<string, number> = {};
  for (const [k, v] of Object.entries(p.tcap.closed)) if (v > 0) byEndReason[k] = v;
  const written = Object.values(dialogues).reduce((a, b) => a + b, 0);
  return {
    files,
    packets: p.stats.packets,
    bytes: p.stats.bytes,
    seconds,
    packetsPerSecond: seconds > 0 ? Math.round(p.stats.packets / seconds) : 0,
    decoded,
    nonIp: p.stats.nonIp,
    sctpMessages: p.stats.sctpMessages,
    dialogues,
    byProtocol,
    byEndReason,
    anomalies: p.counters.anomalyList(),
    pending: p.tcap.pending,
    spool,
    written,
  };
}

function kv(o: Record<string, number>): string {
  const e = Object.entries(o);
  return e.length ? e.map(([k, v]) => `${k} ${v}`).join(', ') : 'none';
}

export function formatSummary(s: Summary): string {
  const lines = [
    `packets: ${s.packets} (${(s.bytes / 1e6).toFixed(1)} MB) from ${s.files} file${s.files === 1 ? '' : 's'} in ${s.seconds.toFixed(2)} s (${s.packetsPerSecond} packets/s)`,
    `decoded: ${kv(s.decoded)}; not IP: ${s.nonIp}; SCTP user messages: ${s.sctpMessages}`,
    `dialogues: ${s.written} (${kv(s.dialogues)}); by protocol: ${kv(s.byProtocol)}`,
    `closed by: ${kv(s.byEndReason)}`,
    `anomalies: ${s.anomalies.length ? s.anomalies.map((a) => `${a.layer}/${a.reason} ${a.count}`).join(', ') : 'none'}`,
    `spool: ${s.spool} (${s.written} rows written)`,
  ];
  return lines.join('\n');
}
