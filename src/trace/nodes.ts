/**
 * Who sent a traced dialogue's request to whom: the network element roles of both ends, from the
 * procedure, the direction, the SCCP subsystem numbers and the Diameter application.
 */
import type { SpoolRow } from './query';

/** Column order of the ladder (left to right). */
export const ROLES = ['VLR/MSC', 'SGSN', 'MME', 'gsmSCF', 'SMSC', 'HLR', 'DRA', 'HSS', 'SGW', 'PGW', 'GGSN', 'node'] as const;
export type Role = (typeof ROLES)[number];

export interface Endpoint {
  role: Role;
  /** GT, Diameter host or IP address (as stored: a subscriber GT is in its pseudonymized form) */
  addr: string;
}

export interface Leg {
  from: Endpoint;
  to: Endpoint;
}

/** SCCP SSNs (ITU-T Q.713 Annex B / 3GPP TS 23.003 §8.2). */
function ssnRole(ssn: number | null): Role {
  switch (ssn) {
    case 6: case 10: return 'HLR'; // HLR, AuC
    case 7: case 8: return 'VLR/MSC'; // VLR, MSC
    case 149: return 'SGSN';
    case 146: case 147: return 'gsmSCF'; // CAP gsmSCF, gsmSCF (MAP) / IM-SSF
    case 150: return 'GGSN';
    default: return 'node';
  }
}

/** Diameter S6a/S6d commands (TS 29.272 §7.2) sent by the HSS; the others come from the MME / SGSN. */
const FROM_HSS = new Set(['CLR', 'IDR', 'DSR', 'RSR']);

function s(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/**
 * The request's sender and receiver. `relays`: Diameter addresses seen as the destination of one
 * leg and the source of another leg with the same end-to-end id (a DRA); `gtpRoles`: GTP
 * addresses whose role a Create told (its sender SGSN / SGW, its responder GGSN / PGW).
 */
export function legOf(r: SpoolRow, relays: ReadonlySet<string>, gtpRoles: ReadonlyMap<string, Role>): Leg {
  const p = r.protocol;
  if (p === 'map' || p === 'cap' || p === 'tcap') {
    const fromRole = ssnRole(r.calling_ssn as number | null);
    let toRole = ssnRole(r.called_ssn as number | null);
    if (p === 'cap' && toRole === 'node') toRole = 'gsmSCF';
    const proc = String(r.procedure ?? '');
    // SMS relay towards / from the SMSC (TS 29.002 §12): SSN 8 is the MSC or the SMS gateway MSC
    if (/ForwardSM$/.test(proc) && r.called_ssn === 8 && r.calling_ssn === 8) return {
      from: { role: proc.startsWith('mo-') ? 'VLR/MSC' : 'SMSC', addr: s(r.calling_gt) ?? pcAddr(r.opc) },
      to: { role: proc.startsWith('mo-') ? 'SMSC' : 'VLR/MSC', addr: s(r.responder_gt) ?? s(r.called_gt) ?? pcAddr(r.dpc) },
    };
    return {
      from: { role: fromRole, addr: s(r.calling_gt) ?? pcAddr(r.opc) },
      to: { role: toRole, addr: s(r.responder_gt) ?? s(r.called_gt) ?? pcAddr(r.dpc) },
    };
  }
  if (p === 'diameter') {
    const proc = String(r.procedure ?? '');
    const src = s(r.src_ip) ?? s(r.origin_host) ?? '?';
    const dst = s(r.dst_ip) ?? s(r.dest_host) ?? '?';
    const mmeSide: Role = r.app_id === 16777251 && r.rat_type !== null && /UTRAN|GERAN/.test(String(r.rat_type)) ? 'SGSN' : 'MME';
    const hssSent = FROM_HSS.has(proc);
    const fromRole: Role = relays.has(src) ? 'DRA' : hssSent ? 'HSS' : proc === 'DWR' || proc === 'CER' || proc === 'DPR' ? 'node' : mmeSide;
    const toRole: Role = relays.has(dst) ? 'DRA' : hssSent ? mmeSide : proc === 'DWR' || proc === 'CER' || proc === 'DPR' ? 'node' : 'HSS';
    return { from: { role: fromRole, addr: src }, to: { role: toRole, addr: dst } };
  }
  if (p === 'gtpv1' || p === 'gtpv2') {
    const src = s(r.src_ip) ?? '?';
    const dst = s(r.dst_ip) ?? '?';
    const [client, server]: [Role, Role] = p === 'gtpv1' ? ['SGSN', 'GGSN'] : ['SGW', 'PGW'];
    const fr = gtpRoles.get(src) ?? (gtpRoles.get(dst) === client ? server : client);
    const to = gtpRoles.get(dst) ?? (fr === client ? server : client);
    return { from: { role: fr, addr: src }, to: { role: to, addr: dst } };
  }
  return { from: { role: 'node', addr: s(r.src_ip) ?? '?' }, to: { role: 'node', addr: s(r.dst_ip) ?? '?' } };
}

function pcAddr(pc: unknown): string {
  return pc === null || pc === undefined ? '?' : `pc ${String(pc)}`;
}

/** The relays and GTP roles of a set of rows (see legOf). */
export function roleHints(rows: readonly SpoolRow[]): { relays: Set<string>; gtpRoles: Map<string, Role> } {
  const byE2e = new Map<string, { src: Set<string>; dst: Set<string> }>();
  const gtpRoles = new Map<string, Role>();
  for (const r of rows) {
    if (r.protocol === 'diameter' && r.end_to_end !== null) {
      const k = `${String(r.end_to_end)}|${String(r.origin_host)}`;
      let e = byE2e.get(k);
      if (!e) byE2e.set(k, (e = { src: new Set(), dst: new Set() }));
      if (typeof r.src_ip === 'string') e.src.add(r.src_ip);
      if (typeof r.dst_ip === 'string') e.dst.add(r.dst_ip);
    }
    if ((r.procedure === 'CreatePDPContext' || r.procedure === 'CreateSession') && typeof r.src_ip === 'string' && typeof r.dst_ip === 'string') {
      gtpRoles.set(r.src_ip, r.protocol === 'gtpv1' ? 'SGSN' : 'SGW');
      gtpRoles.set(r.dst_ip, r.protocol === 'gtpv1' ? 'GGSN' : 'PGW');
    }
  }
  const relays = new Set<string>();
  for (const e of byE2e.values()) for (const a of e.dst) if (e.src.has(a)) relays.add(a);
  return { relays, gtpRoles };
}

/** The tunnel id shown for a GTP dialogue: its header TEID, else the control TEIDs it created. */
export function tunnelIdOf(r: SpoolRow): string | null {
  if (r.protocol !== 'gtpv1' && r.protocol !== 'gtpv2') return null;
  const hex = (v: unknown) => (typeof v === 'number' ? '0x' + v.toString(16).padStart(8, '0') : null);
  const parts: string[] = [];
  if (r.teid !== null && r.teid !== 0) parts.push(`teid ${hex(r.teid)}`);
  if (r.req_ctrl_teid !== null) parts.push(`ctrl ${hex(r.req_ctrl_teid)}`);
  if (r.rsp_ctrl_teid !== null) parts.push(`→ ${hex(r.rsp_ctrl_teid)}`);
  return parts.length > 0 ? parts.join(' ') : null;
}

/** status / result shown for a row: the result name, else the code, else the status. */
export function resultOf(r: SpoolRow): string {
  if (r.status === 'ok') return r.result_name ? `ok ${String(r.result_name)}` : 'ok';
  const name = r.result_name ?? (r.result_code !== null ? String(r.result_code) : null);
  return name !== null ? `${String(r.status)} ${String(name)}` : String(r.status);
}
