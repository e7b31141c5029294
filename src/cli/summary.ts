import type { Pipeline } from '../dispatch/pipeline';
import { SCCP_RETURN_CAUSE_NAMES } from '../protocols/sccp/constants';

/** RFC 4666 §3.1.2 message classes. */
const M3UA_CLASS_NAMES: Record<number, string> = { 0: 'mgmt', 1: 'transfer', 2: 'ssnm', 3: 'aspsm', 4: 'asptm', 9: 'rkm' };
/** Q.704 §14.2.1 service indicators. */
const SI_NAMES: Record<number, string> = { 0: 'snm', 1: 'sltm', 3: 'sccp', 4: 'tup', 5: 'isup', 13: 'bicc' };
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
  /** GTP tunnel rows by end reason, and tunnels still active at the end. */
  tunnels: { byEndReason: Record<string, number>; active: number };
  /** SIGTRAN besides dialogues: M3UA by class, MTP3 user parts by SI, SCCP returns by cause. */
  sigtran: { m3uaByClass: Record<string, number>; bySi: Record<string, number>; sccpReturnedByCause: Record<string, number> };
  /** State counters of the reassembly layers (completed, expired, evicted...). */
  reassembly: { ip: Record<string, number>; sctp: Record<string, number>; sctpAssociations: Record<string, number>; xudt: Record<string, number> };
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
  for (const [k, v] of Object.entries(p.diameter.transactions.closed)) if (v > 0) byEndReason[k] = (byEndReason[k] ?? 0) + v;
  for (const [k, v] of Object.entries(p.gtp.transactions.closed)) if (typeof v === 'number' && v > 0) byEndReason[k] = (byEndReason[k] ?? 0) + v;
  const tunnelsByEnd: Record<string, number> = {};
  for (const [k, v] of Object.entries(p.gtp.tunnels.closed)) if (typeof v === 'number' && v > 0) tunnelsByEnd[k] = v;
  const written = Object.values(dialogues).reduce((a, b) => a + b, 0);
  const st = p.sigtran.stats;
  const nonZero = (a: Float64Array, name: (i: number) => string): Record<string, number> => {
    const o: Record<string, number> = {};
    a.forEach((v, i) => {
      if (v > 0) o[name(i)] = v;
    });
    return o;
  };
  const plain = (o: object): Record<string, number> => {
    const r: Record<string, number> = {};
    for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && v > 0) r[k] = v;
    return r;
  };
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
    pending: p.tcap.pending + p.diameter.transactions.pending + p.gtp.transactions.pendingCount,
    tunnels: { byEndReason: tunnelsByEnd, active: p.gtp.tunnels.active },
    sigtran: {
      m3uaByClass: nonZero(st.m3uaByClass, (i) => M3UA_CLASS_NAMES[i] ?? `class${i}`),
      bySi: nonZero(st.bySi, (i) => SI_NAMES[i] ?? `si${i}`),
      sccpReturnedByCause: nonZero(st.returnCauses, (i) => SCCP_RETURN_CAUSE_NAMES[i] ?? `cause${i}`),
    },
    reassembly: {
      ip: plain(p.ip.reassembler.counters),
      sctp: plain(p.sctp.reassembler.counters),
      sctpAssociations: plain(p.sctp.assocs.counters),
      xudt: plain(p.sigtran.xudt.counters),
    },
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
    `gtp tunnels: ${kv(s.tunnels.byEndReason)}; active ${s.tunnels.active}`,
    `sigtran: m3ua ${kv(s.sigtran.m3uaByClass)}; mtp3 users ${kv(s.sigtran.bySi)}; sccp returned ${kv(s.sigtran.sccpReturnedByCause)}`,
    `reassembly: ip ${kv(s.reassembly.ip)}; sctp ${kv(s.reassembly.sctp)}; xudt ${kv(s.reassembly.xudt)}`,
    `anomalies: ${s.anomalies.length ? s.anomalies.map((a) => `${a.layer}/${a.reason} ${a.count}`).join(', ') : 'none'}`,
    `spool: ${s.spool} (${s.written} rows written)`,
  ];
  return lines.join('\n');
}
