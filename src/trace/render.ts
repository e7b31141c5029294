/**
 * The trace as text (one line per dialogue) and as one self-contained HTML page: a ladder
 * diagram (SVG generated here, no script, no external resource) with the tunnels' life spans
 * beside it.
 */
import type { TraceResult, SpoolRow } from './query';
import { legOf, resultOf, roleHints, ROLES, tunnelIdOf, type Endpoint, type Role } from './nodes';

export function isoUs(us: number | null): string {
  if (us === null) return '-';
  const ms = Math.floor(us / 1000);
  const d = new Date(ms).toISOString(); // 2026-12-07T10:00:00.123Z
  return d.slice(0, 23) + String(us % 1000).padStart(3, '0') + 'Z';
}

function latencyMs(r: SpoolRow): string {
  return typeof r.latency_us === 'number' ? (r.latency_us / 1000).toFixed(1) + ' ms' : '-';
}

function ep(e: Endpoint): string {
  return `${e.role} ${e.addr}`;
}

/** One line per dialogue, then one per tunnel. */
export function renderText(t: TraceResult, title: string): string {
  const rows = t.records.map((r) => r.row);
  const { relays, gtpRoles } = roleHints(rows);
  const out: string[] = [`# trace ${title}: ${t.records.length} dialogues, ${t.tunnels.length} tunnels`];
  for (const rec of t.records) {
    const r = rec.row;
    const leg = legOf(r, relays, gtpRoles);
    const tid = tunnelIdOf(r);
    const fields = [
      isoUs((r.req_time_us ?? r.rsp_time_us) as number | null),
      r.protocol,
      String(r.procedure ?? '?'),
      `${ep(leg.from)} → ${ep(leg.to)}`,
      resultOf(r),
      latencyMs(r),
    ];
    if (tid !== null) fields.push(tid);
    if (r.orphan === 1) fields.push('(orphan: request not seen)');
    if (rec.via === 'tunnel' || rec.via === 'end_to_end') fields.push(`(joined by ${rec.via === 'tunnel' ? 'tunnel TEID' : 'end-to-end id'})`);
    if (t.records.some((x) => x.spool !== rec.spool)) fields.push(`[${rec.spool}]`);
    out.push(fields.join('  '));
  }
  for (const tu of t.tunnels) {
    const r = tu.row;
    out.push(
      `tunnel ${r.protocol} ${String(r.apn ?? '-')} ${String(r.sgsn_ip)} → ${String(r.ggsn_ip)} ctrl 0x${hex8(r.sgsn_ctrl_teid)}/0x${hex8(r.ggsn_ctrl_teid)}` +
        ` ${isoUs(r.create_time_us as number)} … ${isoUs(r.end_time_us as number | null)} ${String(r.end_reason)}` +
        ` up ${String(r.packets_up ?? 0)} pkts ${String(r.bytes_up ?? 0)} B, down ${String(r.packets_down ?? 0)} pkts ${String(r.bytes_down ?? 0)} B`,
    );
  }
  return out.join('\n');
}

function hex8(v: unknown): string {
  return typeof v === 'number' ? v.toString(16).padStart(8, '0') : '--------';
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Column {
  key: string;
  role: Role;
  addr: string;
}

const COL_W = 150;
const ROW_H = 34;
const TOP = 70;
const LEFT = 20;

/**
 * The ladder: one column per network element (grouped by role in ROLES order), one arrow per
 * request and one per answer, in time order, labelled with the procedure, the result and the
 * latency; the tunnels' life spans as bars beside it, on the rows of their Create and end.
 */
export function renderHtml(t: TraceResult, title: string, subtitle: string): string {
  const rows = t.records.map((r) => r.row);
  const { relays, gtpRoles } = roleHints(rows);
  const legs = rows.map((r) => legOf(r, relays, gtpRoles));
  const cols: Column[] = [];
  const colIdx = new Map<string, number>();
  for (const l of legs) {
    for (const e of [l.from, l.to]) {
      const k = `${e.role}|${e.addr}`;
      if (!colIdx.has(k)) {
        colIdx.set(k, -1);
        cols.push({ key: k, role: e.role, addr: e.addr });
      }
    }
  }
  cols.sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || a.addr.localeCompare(b.addr));
  cols.forEach((c, i) => colIdx.set(c.key, i));
  const x = (e: Endpoint) => LEFT + COL_W / 2 + COL_W * (colIdx.get(`${e.role}|${e.addr}`) as number);
  // two arrows per dialogue (request, answer) unless unanswered / orphan
  type Arrow = { row: number; from: number; to: number; label: string; kind: 'req' | 'rsp' | 'timeout'; cls: string; tip: string };
  const arrows: Arrow[] = [];
  const rowOfDialogue: number[] = [];
  let y = 0;
  rows.forEach((r, i) => {
    const l = legs[i];
    const proc = String(r.procedure ?? '?');
    const tip = `${isoUs(r.req_time_us as number | null)} ${r.protocol} ${proc} ${resultOf(r)}`;
    rowOfDialogue.push(y);
    if (r.orphan !== 1) arrows.push({ row: y++, from: x(l.from), to: x(l.to), label: `${proc}`, kind: 'req', cls: r.protocol, tip });
    if (r.rsp_time_us !== null) {
      arrows.push({ row: y++, from: x(l.to), to: x(l.from), label: `${resultOf(r)} · ${latencyMs(r)}`, kind: 'rsp', cls: r.status === 'ok' ? 'ok' : 'bad', tip });
    } else {
      arrows.push({ row: y++, from: x(l.to), to: x(l.from), label: `${String(r.status)} (no answer)`, kind: 'timeout', cls: 'bad', tip });
    }
  });
  const width = LEFT * 2 + COL_W * Math.max(cols.length, 1);
  const height = TOP + ROW_H * (y + 1);
  const svg: string[] = [];
  svg.push(`<svg xmlns="http://www.w3.org/2000/svg" id="ladder" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="ladder diagram">`);
  svg.push('<defs><marker id="ah" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>');
  cols.forEach((c, i) => {
    const cx = LEFT + COL_W / 2 + COL_W * i;
    svg.push(`<g class="node" data-role="${esc(c.role)}"><rect x="${cx - COL_W / 2 + 6}" y="8" width="${COL_W - 12}" height="44" rx="6" class="role-${esc(c.role.replace('/', ''))}"/>`);
    svg.push(`<text x="${cx}" y="27" text-anchor="middle" class="role">${esc(c.role)}</text>`);
    svg.push(`<text x="${cx}" y="44" text-anchor="middle" class="addr">${esc(shorten(c.addr))}<title>${esc(c.addr)}</title></text>`);
    svg.push(`<line x1="${cx}" y1="52" x2="${cx}" y2="${height - 6}" class="life"/></g>`);
  });
  for (const a of arrows) {
    const ay = TOP + ROW_H * a.row + ROW_H / 2;
    const self = a.from === a.to;
    const x2 = self ? a.from + 40 : a.to;
    svg.push(
      `<g class="arrow ${a.kind} ${esc(a.cls)}" data-kind="${a.kind}"><title>${esc(a.tip)}</title>` +
        (self
          ? `<path d="M${a.from},${ay - 8} h40 v16 h-40" fill="none" marker-end="url(#ah)"/>`
          : `<line x1="${a.from}" y1="${ay}" x2="${x2}" y2="${ay}" marker-end="url(#ah)"${a.kind !== 'req' ? ' stroke-dasharray="6 3"' : ''}/>`) +
        `<text x="${(a.from + x2) / 2}" y="${ay - 5}" text-anchor="middle">${esc(a.label)}</text></g>`,
    );
  }
  svg.push('</svg>');
  // tunnels beside the ladder: bars from the row of the Create to the row of the last dialogue before the end
  const span: string[] = [];
  const tw = 60 + 26 * Math.max(t.tunnels.length, 1);
  span.push(`<svg xmlns="http://www.w3.org/2000/svg" id="tunnels" width="${tw}" height="${height}" viewBox="0 0 ${tw} ${height}" aria-label="tunnel life spans">`);
  span.push(`<text x="6" y="27" class="role">tunnels</text>`);
  t.tunnels.forEach((tu, i) => {
    const r = tu.row;
    const c = r.create_time_us as number;
    const e = (r.end_time_us as number | null) ?? null;
    let first = -1;
    let last = y - 1;
    rows.forEach((d, k) => {
      const dt = (d.req_time_us ?? d.rsp_time_us) as number;
      if (first < 0 && dt >= c) first = rowOfDialogue[k];
      if (e !== null && dt <= e) last = rowOfDialogue[k] + 1;
    });
    if (first < 0) first = y - 1;
    const bx = 20 + 26 * i;
    const y1 = TOP + ROW_H * first + 4;
    const y2 = TOP + ROW_H * Math.max(last, first) + ROW_H - 4;
    const tip = `${String(r.protocol)} tunnel ${String(r.apn ?? '')} ${isoUs(c)} … ${e !== null ? isoUs(e) : 'open'} (${String(r.end_reason)}); up ${String(r.bytes_up ?? 0)} B, down ${String(r.bytes_down ?? 0)} B`;
    span.push(
      `<g class="tunnel ${r.end_reason === 'create_rejected' ? 'rejected' : ''}"><title>${esc(tip)}</title><rect x="${bx}" y="${y1}" width="16" height="${Math.max(y2 - y1, 8)}" rx="4"${e === null ? ' class="open"' : ''}/>` +
        `<text x="${bx + 8}" y="${y1 - 4}" text-anchor="middle" class="addr">${esc(String(r.apn ?? r.protocol).slice(0, 10))}</text></g>`,
    );
  });
  span.push('</svg>');
  const table = t.records
    .map((rec) => {
      const r = rec.row;
      const l = legOf(r, relays, gtpRoles);
      return `<tr><td>${esc(isoUs((r.req_time_us ?? r.rsp_time_us) as number | null))}</td><td>${esc(r.protocol)}</td><td>${esc(String(r.procedure ?? '?'))}</td><td>${esc(ep(l.from))} → ${esc(ep(l.to))}</td><td>${esc(resultOf(r))}</td><td>${esc(latencyMs(r))}</td><td>${esc(tunnelIdOf(r) ?? '')}</td><td>${esc(`${r.source}#${String(r.req_frame ?? '-')}/${String(r.rsp_frame ?? '-')}`)}</td></tr>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>sigprobe trace ${esc(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#1d2330;background:#fff}
h1{font-size:18px;margin:0 0 4px} .sub{color:#555;margin:0 0 12px}
.wrap{display:flex;gap:8px;align-items:flex-start;overflow-x:auto;border:1px solid #dde;padding:6px;background:#fbfcfe}
svg text{font-size:11px;fill:#1d2330} svg text.role{font-weight:600;font-size:12px} svg text.addr{font-size:10px;fill:#445}
.node rect{fill:#e8eef9;stroke:#7a8fb8}
.node rect.role-HLR,.node rect.role-HSS{fill:#fdeed9;stroke:#c9913c}
.node rect.role-DRA{fill:#efe4fa;stroke:#8a63b8}
.node rect.role-SGW,.node rect.role-PGW,.node rect.role-GGSN{fill:#e0f3e6;stroke:#4d9a66}
line.life{stroke:#b9c2d3;stroke-dasharray:3 3}
.arrow line,.arrow path{stroke:#2a5bd7;stroke-width:1.6}
.arrow.rsp.ok line{stroke:#2f8f4e} .arrow.rsp.bad line,.arrow.timeout line{stroke:#c8372d}
.arrow.diameter.req line{stroke:#8a3fd1} .arrow.gtpv1.req line,.arrow.gtpv2.req line{stroke:#1b8a8a}
.tunnel rect{fill:#4d9a66;opacity:.8} .tunnel rect.open{fill:#9cc9a8} .tunnel.rejected rect{fill:#c8372d}
table{border-collapse:collapse;margin-top:14px} td,th{border-bottom:1px solid #e4e7ee;padding:3px 8px;text-align:left;white-space:nowrap}
th{background:#f0f3f8}
</style></head><body>
<h1>sigprobe trace — ${esc(title)}</h1>
<p class="sub">${esc(subtitle)}</p>
<div class="wrap" id="diagram">${svg.join('\n')}${span.join('\n')}</div>
<table id="dialogues"><thead><tr><th>time (UTC)</th><th>protocol</th><th>procedure</th><th>from → to</th><th>result</th><th>latency</th><th>tunnel</th><th>packets (source#req/rsp)</th></tr></thead>
<tbody>
${table}
</tbody></table>
</body></html>
`;
}

function shorten(a: string): string {
  // a pseudonymized subscriber GT `<cc>:<24 hex>`: keep the country code and a few digits
  const m = /^([0-9-]+):([0-9a-f]{24})$/.exec(a);
  if (m) return `${m[1]}:${m[2].slice(0, 6)}…`;
  return a.length > 22 ? a.slice(0, 21) + '…' : a;
}
