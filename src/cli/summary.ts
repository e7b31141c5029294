import type { Pipeline } from '../dispatch/pipeline';
import type { PcapReader } from '../capture/pcapReader';
import { CAPTURE_ANOMALY_NAMES } from '../capture/types';
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
  tunnels: {
    byEndReason: Record<string, number>;
    active: number;
    /** GTP-U G-PDUs counted on tunnels (T-PDU octets), and the ones that were not, by reason (unknown_teid...). */
    userPlane: { packetsUp: number; packetsDown: number; bytesUp: number; bytesDown: number; missed: Record<string, number> };
  };
  /** Records whose home / visited country or visited operator stayed NULL, per table, by `<field>_unknown/<reason>`. */
  networks: { dialogues: Record<string, number>; tunnels: Record<string, number> };
  /** SIGTRAN besides dialogues: M3UA by class, MTP3 user parts by SI, SCCP returns by cause. */
  sigtran: { m3uaByClass: Record<string, number>; bySi: Record<string, number>; sccpReturnedByCause: Record<string, number> };
  /** State counters of the reassembly layers (completed, expired, evicted...). */
  reassembly: { ip: Record<string, number>; sctp: Record<string, number>; sctpAssociations: Record<string, number>; xudt: Record<string, number> };
  /**
   * Capture files whose reading stopped at damage (a record cut short, a pcapng block with a bogus
   * length, garbage after the last record...): the packets before it were replayed, nothing
   * after it. `damaged` > 0 makes replay exit 3 (README "Capture input").
   */
  capture: { damaged: number; damage: CaptureDamage[] };
  spool: string;
  written: number;
}

export interface CaptureDamage {
  file: string;
  /** truncated_record | bad_block | oversize_record | read_error */
  anomaly: string;
  /** file offset of the damaged record / block */
  offset: number;
  /** what was wrong there */
  detail: string;
  /** packets read from the file before the damage */
  packets: number;
}

/** The damage that ended reading a file, or null when it was read to its clean end. */
export function captureDamage(r: PcapReader): CaptureDamage | null {
  const a = r.stats.endAnomaly;
  if (a === 0) return null;
  return { file: r.path, anomaly: CAPTURE_ANOMALY_NAMES[a] ?? `anomaly${a}`, offset: r.endOffset, detail: r.endDetail, packets: r.stats.packets };
}

/** The warning line of a damaged file (stderr): `sigprobe: warning: x.pcap: truncated record at offset 123456 (...)`. */
export function captureWarning(r: PcapReader): string | null {
  const d = r.damage();
  return d === null ? null : `sigprobe: warning: ${r.path}: ${d}; read stopped there after ${r.stats.packets} packets`;
}

/** Builds the replay summary from the pipeline counters, this run's rows in the spool and the
 *  capture readers (their damage). */
export function buildSummary(
  p: Pipeline, db: Database, firstId: number, files: number, seconds: number, spool: string, readers: readonly PcapReader[] = [],
): Summary {
  const damage = readers.map(captureDamage).filter((d): d is CaptureDamage => d !== null);
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
    tunnels: {
      byEndReason: tunnelsByEnd,
      active: p.gtp.tunnels.active,
      userPlane: (() => {
        const u = p.gtp.tunnels.userPlane;
        return { packetsUp: u.packetsUp, packetsDown: u.packetsDown, bytesUp: u.bytesUp, bytesDown: u.bytesDown, missed: u.missedByReason() };
      })(),
    },
    networks: { dialogues: { ...p.networks.stats.unknown.dialogues }, tunnels: { ...p.networks.stats.unknown.tunnels } },
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
    capture: { damaged: damage.length, damage },
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
    `gtp-u: up ${s.tunnels.userPlane.packetsUp} packets ${s.tunnels.userPlane.bytesUp} bytes, down ${s.tunnels.userPlane.packetsDown} packets ${s.tunnels.userPlane.bytesDown} bytes; not counted: ${kv(s.tunnels.userPlane.missed)}`,
    `visited network unknown: dialogues ${kv(s.networks.dialogues)}; tunnels ${kv(s.networks.tunnels)}`,
    `sigtran: m3ua ${kv(s.sigtran.m3uaByClass)}; mtp3 users ${kv(s.sigtran.bySi)}; sccp returned ${kv(s.sigtran.sccpReturnedByCause)}`,
    `reassembly: ip ${kv(s.reassembly.ip)}; sctp ${kv(s.reassembly.sctp)}; xudt ${kv(s.reassembly.xudt)}`,
    `anomalies: ${s.anomalies.length ? s.anomalies.map((a) => `${a.layer}/${a.reason} ${a.count}`).join(', ') : 'none'}`,
    `damaged capture files: ${s.capture.damaged}${s.capture.damage.map((d) => `; ${d.file}: ${d.anomaly.replace(/_/g, ' ')} at offset ${d.offset}${d.detail ? ` (${d.detail})` : ''}, ${d.packets} packets before it`).join('')}`,
    `spool: ${s.spool} (${s.written} rows written)`,
  ];
  return lines.join('\n');
}
