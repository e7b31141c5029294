/**
 * report.html: one self-contained page (ECharts and the data inlined, no network, opens from
 * disk). Tables are rendered here; each chart is an ECharts option (charts.ts) that the page's
 * script renders with the SVG renderer. The definitions beside each chart come from
 * src/analytics/definitions.ts, the same module the README's "Analytics" section repeats.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DEFINITIONS, type DefinitionId } from '../analytics/definitions';
import type { ReportModel } from '../analytics/model';
import { buildCharts, type ChartOption } from './charts';

const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const int = (n: number | null | undefined) => (n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));
const dec = (n: number | null | undefined, d = 2) => (n === null || n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: 0 }));
const pct = (n: number | null | undefined, d = 1) => (n === null || n === undefined ? '–' : `${(100 * n).toFixed(d)} %`);
const bytes = (n: number) => {
  const u = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < u.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${u[i]}`;
};

let regionNames: Intl.DisplayNames | null = null;
try {
  regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
} catch {
  regionNames = null;
}
/** 'ES (Spain)' */
const country = (c: string | null) => {
  if (c === null) return 'unknown';
  let name: string | undefined;
  try {
    name = regionNames?.of(c);
  } catch {
    name = undefined;
  }
  return name && name !== c ? `${c} (${name})` : c;
};

interface Col<T> {
  h: string;
  v: (r: T) => string;
  num?: boolean;
}

function table<T>(cls: string, cols: Col<T>[], rows: readonly T[], limit = 50, caption?: string): string {
  if (rows.length === 0) return `<p class="empty">No rows in this period.</p>`;
  const shown = rows.slice(0, limit);
  const head = cols.map((c) => `<th${c.num ? ' class="n"' : ''}>${esc(c.h)}</th>`).join('');
  const body = shown.map((r) => `<tr>${cols.map((c) => `<td${c.num ? ' class="n"' : ''}>${c.v(r)}</td>`).join('')}</tr>`).join('\n');
  const more = rows.length > limit ? `<p class="more">Showing ${limit} of ${rows.length.toLocaleString('en-US')} rows (by size); report.json has all of them.</p>` : '';
  return `<div class="tablebox"><div class="tablewrap"><table class="${cls}">${caption ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>${more}</div>`;
}

function defs(ids: DefinitionId[]): string {
  return `<aside class="defs"><h4>Definitions</h4>${ids
    .map((id) => `<p data-def="${id}"><b>${esc(DEFINITIONS[id].title)}.</b> ${esc(DEFINITIONS[id].text)}</p>`)
    .join('')}</aside>`;
}

function chart(id: string, opt: ChartOption | null, height = 360): string {
  if (opt === null) return `<div class="chart nodata" data-chart-empty="${id}"><p>No data for this chart in the period.</p></div>`;
  return `<div class="chart" id="chart-${id}" data-chart="${id}" style="height:${height}px"></div>`;
}

function section(id: string, n: number, title: string, caption: string, defIds: DefinitionId[], charts: string, tables: string): string {
  return `<section id="${id}" data-section="${id}">
<h2><span class="num">${n}</span> ${esc(title)}</h2>
<p class="caption">${caption}</p>
<div class="row"><div class="charts">${charts}</div>${defs(defIds)}</div>
${tables}
</section>`;
}

function kpi(label: string, value: string, sub = ''): string {
  return `<div class="kpi"><div class="v">${value}</div><div class="l">${esc(label)}</div>${sub ? `<div class="s">${sub}</div>` : ''}</div>`;
}

const CSS = `
:root{--fg:#1d2733;--muted:#5d6b7a;--line:#dde3ea;--bg:#f4f6f9;--card:#fff;--accent:#2f6fb0}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#173a63;color:#fff;padding:20px 32px 16px}
header h1{margin:0 0 4px;font-size:22px;font-weight:650}
header .meta{color:#c9d8ea;font-size:13px}
header .meta b{color:#fff;font-weight:600}
nav{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);padding:8px 32px;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:13px}
nav a{color:var(--accent);text-decoration:none}
main{max-width:1320px;margin:0 auto;padding:16px 24px 48px}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px;margin:16px 0 8px}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.kpi .v{font-size:22px;font-weight:650}
.kpi .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.kpi .s{color:var(--muted);font-size:12px;margin-top:2px}
.headline{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:8px;padding:10px 16px;margin:8px 0 0}
.headline li{margin:2px 0}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 20px 12px;margin:18px 0}
section h2{margin:0 0 4px;font-size:18px}
section h2 .num{display:inline-block;width:26px;height:26px;line-height:26px;text-align:center;border-radius:50%;background:var(--accent);color:#fff;font-size:13px;margin-right:6px;vertical-align:2px}
.caption{color:var(--muted);margin:0 0 12px;max-width:980px}
.row{display:flex;gap:18px;align-items:flex-start}
.charts{flex:1 1 auto;min-width:0;display:grid;gap:12px}
.charts.two{grid-template-columns:1fr 1fr}
.chart{width:100%;min-height:200px}
.chart.nodata{display:flex;align-items:center;justify-content:center;background:#fafbfc;border:1px dashed var(--line);border-radius:6px;color:var(--muted);min-height:120px}
.defs{flex:0 0 300px;background:#f7f9fc;border:1px solid var(--line);border-radius:8px;padding:10px 12px;font-size:12.5px;color:#354353}
.defs h4{margin:0 0 6px;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.defs p{margin:0 0 8px}
.tables{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px;margin-top:12px}
.tablewrap{max-height:330px;overflow:auto;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:12.5px}
caption{text-align:left;font-weight:600;padding:6px 8px;background:#f7f9fc}
th{position:sticky;top:0;background:#eef2f7;text-align:left;padding:5px 8px;font-weight:600;border-bottom:1px solid var(--line)}
td{padding:4px 8px;border-bottom:1px solid #eef1f4;white-space:nowrap}
tr:nth-child(even) td{background:#fafbfd}
.n{text-align:right;font-variant-numeric:tabular-nums}
.empty,.more{color:var(--muted);font-size:12.5px;margin:6px 0}
.note{color:var(--muted);font-size:12.5px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:16px}
@media (max-width:1000px){.row{flex-direction:column}.defs{flex-basis:auto}.charts.two{grid-template-columns:1fr}}
@media print{nav{display:none}section{break-inside:avoid}}
`;

/** The page's script: renders every [data-chart] with its option; sets window.__reportReady. */
const CLIENT = `
(function(){
  var opts = JSON.parse(document.getElementById('chart-options').textContent);
  var els = document.querySelectorAll('[data-chart]');
  var charts = [];
  els.forEach(function(el){
    var o = opts[el.getAttribute('data-chart')];
    if (!o) return;
    var c = echarts.init(el, null, { renderer: 'svg' });
    c.setOption(o);
    charts.push(c);
  });
  window.addEventListener('resize', function(){ charts.forEach(function(c){ c.resize(); }); });
  window.__reportCharts = charts.length;
  window.__reportReady = true;
})();
`;

let echartsSource: string | null = null;
function echartsJs(): string {
  if (echartsSource === null) echartsSource = readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
  return echartsSource;
}

/** JSON inside a <script> element: no `</script` or `<!--` can end or confuse it. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

export function renderHtml(m: ReportModel): string {
  const ch = buildCharts(m);
  const ds = m.data_sessions;
  const ss = m.storm_summary;
  const ms = m.matrix_summary;
  const pair = (h: string | null, v: string | null) => `${esc(country(h))} → ${esc(country(v))}`;
  const topPairs = m.matrix.filter((r) => r.home_country !== r.visited_country).slice(0, 3);
  const rnaDevices = m.sor.reduce((a, r) => a + r.devices_rna, 0);
  const steered = m.sor.reduce((a, r) => a + r.steered, 0);
  const silentTotal = m.silent_roamers.reduce((a, r) => a + r.devices, 0) + m.silent_roamers_unknown;
  const period = `${esc(m.period.from)} — ${esc(m.period.to)}`;

  const sections: string[] = [];
  sections.push(
    section(
      'traffic',
      1,
      'Traffic',
      'How much signalling the probe saw, hour by hour, split by protocol and procedure (the 8 biggest; the rest as “other”), and how many dialogues an average device produced in an hour.',
      ['dialogue', 'procedure', 'recordsPerDevice', 'device'],
      chart('traffic', ch.traffic) + chart('recordsPerDevice', ch.recordsPerDevice, 300),
      `<div class="tables">${table(
        'traffic',
        [
          { h: 'hour (UTC)', v: (r) => esc(r.hour) },
          { h: 'protocol', v: (r) => esc(r.protocol) },
          { h: 'procedure', v: (r) => esc(r.procedure) },
          { h: 'dialogues', v: (r) => int(r.dialogues), num: true },
        ],
        m.traffic,
        200,
        'Dialogues per hour',
      )}${table(
        'rpd',
        [
          { h: 'hour (UTC)', v: (r) => esc(r.hour) },
          { h: 'protocol', v: (r) => esc(r.protocol) },
          { h: 'devices', v: (r) => int(r.devices), num: true },
          { h: 'mean dialogues / device', v: (r) => dec(r.mean), num: true },
          { h: 'standard deviation', v: (r) => dec(r.sd), num: true },
        ],
        m.records_per_device,
        200,
        'Dialogues per device per hour',
      )}</div>`,
    ),
  );
  sections.push(
    section(
      'devices',
      2,
      'Devices',
      `Distinct devices seen each day, per protocol (a device seen on several protocols counts once in each). ${
        m.inbound_outbound === null ? "Inbound/outbound roamers need the customers' networks: run the report with --customers MCC-MNC,…" : ''
      }`,
      ['device', 'inboundOutbound', 'distinct'],
      chart('devices', ch.devices) + (m.inbound_outbound !== null ? chart('inOut', ch.inOut, 300) : ''),
      `<div class="tables">${table(
        'devices',
        [
          { h: 'day (UTC)', v: (r) => esc(r.day) },
          { h: 'protocol', v: (r) => esc(r.protocol) },
          { h: 'devices', v: (r) => int(r.devices), num: true },
        ],
        m.devices,
        200,
        'Devices per day',
      )}${table(
        'devproto',
        [
          { h: 'protocol', v: (r) => esc(r.protocol) },
          { h: 'devices in the period', v: (r) => int(r.devices), num: true },
        ],
        m.devices_per_protocol,
        50,
        'Devices in the whole period',
      )}${
        m.inbound_outbound !== null
          ? table(
              'inout',
              [
                { h: 'day (UTC)', v: (r) => esc(r.day) },
                { h: 'inbound', v: (r) => int(r.inbound), num: true },
                { h: 'outbound', v: (r) => int(r.outbound), num: true },
              ],
              m.inbound_outbound,
              200,
              'Inbound / outbound devices',
            )
          : ''
      }</div>`,
    ),
  );
  sections.push(
    section(
      'matrix',
      3,
      'Roaming matrix',
      `Where devices roam: each cell is the number of devices of a home country (row) that successfully registered in a visited country (column). ` +
        `Domestic devices (home = visited): <b>${int(ms.domestic_devices)}</b> (${pct(ms.domestic_share)} of the devices with a known home country). ` +
        `${int(ms.unknown_devices)} device(s) registered where a country is unknown.`,
      ['locationUpdate', 'countries', 'matrix'],
      chart('matrix', ch.matrix, Math.max(320, 110 + 26 * Math.min(20, new Set(m.matrix.map((r) => r.home_country)).size))),
      `<div class="tables">${table(
        'matrix',
        [
          { h: 'home country', v: (r) => esc(country(r.home_country)) },
          { h: 'visited country', v: (r) => esc(country(r.visited_country)) },
          { h: 'devices', v: (r) => int(r.devices), num: true },
          { h: 'share of home country', v: (r) => pct(r.share), num: true },
        ],
        m.matrix,
        100,
        'Top pairs',
      )}</div>`,
    ),
  );
  sections.push(
    section(
      'errors',
      4,
      'Errors',
      'Dialogues that did not succeed, hour by hour, by protocol and result (MAP error, Diameter result code, GTP cause, or reject / abort / timeout), and the error rate of each procedure.',
      ['failed', 'procedure'],
      chart('errors', ch.errors),
      `<div class="tables">${table(
        'rates',
        [
          { h: 'protocol', v: (r) => esc(r.protocol) },
          { h: 'procedure', v: (r) => esc(r.procedure) },
          { h: 'dialogues', v: (r) => int(r.dialogues), num: true },
          { h: 'failed', v: (r) => int(r.failed), num: true },
          { h: 'error rate', v: (r) => pct(r.error_rate, 2), num: true },
        ],
        m.error_rates,
        100,
        'Error rate per procedure',
      )}${table(
        'errors',
        [
          { h: 'hour (UTC)', v: (r) => esc(r.hour) },
          { h: 'protocol', v: (r) => esc(r.protocol) },
          { h: 'result', v: (r) => esc(r.result) },
          { h: 'dialogues', v: (r) => int(r.dialogues), num: true },
        ],
        m.errors,
        200,
        'Failed dialogues per hour and result',
      )}</div>`,
    ),
  );
  sections.push(
    section(
      'sor',
      5,
      'Steering of roaming',
      `Home networks steer their roamers to preferred partners by rejecting registrations with “Roaming Not Allowed”. ` +
        `<b>${int(rnaDevices)}</b> device(s) got such a rejection; <b>${int(steered)}</b> of them registered successfully on another network within ${int(m.parameters.sor_window_s)} s (steered).`,
      ['rna', 'sor', 'locationUpdate'],
      chart('sor', ch.sor, Math.max(260, 110 + 34 * Math.min(15, m.sor.filter((r) => r.devices_rna > 0).length))),
      `<div class="tables">${table(
        'sor',
        [
          { h: 'home country', v: (r) => esc(country(r.home_country)) },
          { h: 'visited country', v: (r) => esc(country(r.visited_country)) },
          { h: 'devices', v: (r) => int(r.devices), num: true },
          { h: 'with RNA', v: (r) => int(r.devices_rna), num: true },
          { h: 'share with RNA', v: (r) => pct(r.share_rna), num: true },
          { h: 'steered', v: (r) => int(r.steered), num: true },
        ],
        m.sor,
        100,
        'Per home → visited pair',
      )}</div>`,
    ),
  );
  sections.push(
    section(
      'data',
      6,
      'Data sessions',
      `GTP data sessions: <b>${int(ds.creates)}</b> Create attempts, <b>${int(ds.accepted)}</b> accepted (${pct(ds.success_rate)}). ` +
        `Setup delay p50 / p95 / p99: <b>${dec(ds.setup_delay_ms.p50, 1)} / ${dec(ds.setup_delay_ms.p95, 1)} / ${dec(ds.setup_delay_ms.p99, 1)} ms</b>. ` +
        `User data: ${bytes(ds.bytes_up)} up (${int(ds.packets_up)} packets), ${bytes(ds.bytes_down)} down (${int(ds.packets_down)} packets).`,
      ['dataSessions', 'partner', 'percentile'],
      chart('dataPartner', ch.dataPartner, Math.max(240, 90 + 26 * Math.min(15, ds.by_partner_apn.length))) +
        `<div class="charts two">${chart('dataDuration', ch.dataDuration, 260)}${chart('dataBytes', ch.dataBytes, 260)}</div>`,
      `<div class="tables">${table(
        'partnerapn',
        [
          { h: 'partner', v: (r) => esc(r.partner) },
          { h: 'APN', v: (r) => esc(r.apn) },
          { h: 'creates', v: (r) => int(r.creates), num: true },
          { h: 'accepted', v: (r) => int(r.accepted), num: true },
          { h: 'success rate', v: (r) => pct(r.success_rate), num: true },
        ],
        ds.by_partner_apn,
        100,
        'Create success per partner and APN',
      )}${table(
        'pcts',
        [
          { h: 'measure', v: (r) => esc(r.k) },
          { h: 'p50', v: (r) => r.p50, num: true },
          { h: 'p95', v: (r) => r.p95, num: true },
          { h: 'p99', v: (r) => r.p99, num: true },
        ],
        [
          { k: 'setup delay (ms)', p50: dec(ds.setup_delay_ms.p50, 3), p95: dec(ds.setup_delay_ms.p95, 3), p99: dec(ds.setup_delay_ms.p99, 3) },
          { k: 'duration (s)', p50: dec(ds.duration_s.p50, 1), p95: dec(ds.duration_s.p95, 1), p99: dec(ds.duration_s.p99, 1) },
          { k: 'bytes per session', p50: int(ds.bytes_per_session.p50), p95: int(ds.bytes_per_session.p95), p99: int(ds.bytes_per_session.p99) },
        ],
        10,
        'Distributions (accepted sessions)',
      )}${table(
        'ends',
        [
          { h: 'protocol', v: (r) => esc(r.protocol) },
          { h: 'how it ended', v: (r) => esc(r.end_reason) },
          { h: 'delete cause', v: (r) => (r.delete_cause === null ? '–' : `${r.delete_cause}${r.cause_name ? ` ${esc(r.cause_name)}` : ''}`) },
          { h: 'sessions', v: (r) => int(r.tunnels), num: true },
        ],
        ds.ends,
        50,
        'How sessions ended (delete causes)',
      )}</div>`,
    ),
  );
  sections.push(
    section(
      'silent',
      7,
      'Silent roamers',
      `Devices that registered abroad (or at home) but never opened a data session in the period — often IoT devices with a broken data set-up or a missing roaming agreement for data. ` +
        `<b>${int(silentTotal)}</b> silent roamer(s)${m.silent_roamers_unknown > 0 ? `, ${int(m.silent_roamers_unknown)} of them where a country is unknown` : ''}; ` +
        `<b>${int(m.zero_byte_tunnels.reduce((a, r) => a + r.tunnels, 0))}</b> accepted data session(s) carried no user data.`,
      ['silentRoamer', 'zeroByteTunnel', 'locationUpdate'],
      chart('silent', ch.silent, Math.max(240, 90 + 28 * Math.min(15, m.silent_roamers.length))),
      `<div class="tables">${table(
        'silent',
        [
          { h: 'home country', v: (r) => esc(country(r.home_country)) },
          { h: 'visited country', v: (r) => esc(country(r.visited_country)) },
          { h: 'silent roamers', v: (r) => int(r.devices), num: true },
        ],
        m.silent_roamers,
        100,
        'Silent roamers per pair',
      )}${table(
        'zerobytes',
        [
          { h: 'home country', v: (r) => esc(country(r.home_country)) },
          { h: 'visited country', v: (r) => esc(country(r.visited_country)) },
          { h: 'sessions without user data', v: (r) => int(r.tunnels), num: true },
        ],
        m.zero_byte_tunnels,
        100,
        'Accepted sessions with zero bytes',
      )}</div>`,
    ),
  );
  const perio = ss.periodicity.slice(0, 3).map((p) => `minute :${String(p.minute_of_hour).padStart(2, '0')} in ${p.storm_minutes} of ${p.hours} hours`);
  sections.push(
    section(
      'storms',
      8,
      'Signaling storms',
      `Minutes with far more signalling than usual — typically IoT fleets that all wake up at the same time. ` +
        `<b>${int(ss.storm_minutes)}</b> storm minute(s) out of ${int(ss.minutes)}. ` +
        `Error rate inside storms ${pct(ss.error_rate_inside, 2)}, outside ${pct(ss.error_rate_outside, 2)}. ` +
        (perio.length > 0 ? `Periodicity: ${esc(perio.join('; '))}.` : 'No periodicity.') +
        ` Drag the slider under the chart to zoom.`,
      ['storm', 'device'],
      chart('storms', ch.storms, 380),
      `<div class="tables">${table(
        'storms',
        [
          { h: 'minute (UTC)', v: (r) => esc(r.minute) },
          { h: 'dialogues', v: (r) => int(r.dialogues), num: true },
          { h: 'rolling median', v: (r) => dec(r.median, 1), num: true },
          { h: 'ratio', v: (r) => `${dec(r.ratio, 1)} ×`, num: true },
          { h: 'devices signalling', v: (r) => int(r.devices), num: true },
          { h: 'share of devices', v: (r) => pct(r.devices_share), num: true },
        ],
        m.storms,
        200,
        'Storm minutes',
      )}${table(
        'periodicity',
        [
          { h: 'minute of the hour', v: (r) => `:${String(r.minute_of_hour).padStart(2, '0')}` },
          { h: 'storm minutes', v: (r) => int(r.storm_minutes), num: true },
          { h: 'hours with that minute', v: (r) => int(r.hours), num: true },
        ],
        ss.periodicity,
        60,
        'Periodicity',
      )}</div>`,
    ),
  );
  sections.push(
    section(
      'latency',
      9,
      'Latency',
      'How long the answering network took, from request to answer, per procedure and partner (the 15 busiest in the chart, all in the table).',
      ['percentile', 'partner', 'procedure'],
      chart('latency', ch.latency, Math.max(260, 110 + 30 * Math.min(15, m.latency.length))),
      `<div class="tables">${table(
        'latency',
        [
          { h: 'protocol', v: (r) => esc(r.protocol) },
          { h: 'procedure', v: (r) => esc(r.procedure) },
          { h: 'partner', v: (r) => esc(r.partner) },
          { h: 'answered dialogues', v: (r) => int(r.dialogues), num: true },
          { h: 'p50 (ms)', v: (r) => dec(r.p50_ms, 3), num: true },
          { h: 'p95 (ms)', v: (r) => dec(r.p95_ms, 3), num: true },
          { h: 'p99 (ms)', v: (r) => dec(r.p99_ms, 3), num: true },
        ],
        m.latency,
        100,
        'Latency per procedure and partner',
      )}</div>`,
    ),
  );

  const headline = [
    topPairs.length > 0
      ? `Top roaming pairs: ${topPairs.map((r) => `${pair(r.home_country, r.visited_country)} ${int(r.devices)} devices (${pct(r.share)})`).join('; ')}.`
      : 'No international roaming pairs in the period.',
    `Steering of roaming: ${int(rnaDevices)} device(s) rejected with Roaming Not Allowed, ${int(steered)} steered to another network.`,
    `Silent roamers: ${int(silentTotal)} device(s) registered without any data session.`,
  ];
  const nav = [
    ['traffic', 'Traffic'],
    ['devices', 'Devices'],
    ['matrix', 'Roaming matrix'],
    ['errors', 'Errors'],
    ['sor', 'Steering of roaming'],
    ['data', 'Data sessions'],
    ['silent', 'Silent roamers'],
    ['storms', 'Storms'],
    ['latency', 'Latency'],
  ]
    .map(([id, t]) => `<a href="#${id}">${t}</a>`)
    .join('');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sigprobe report ${esc(m.site ?? '')} ${esc(m.period.from)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>sigprobe roaming &amp; signaling report${m.site ? ` — site ${esc(m.site)}` : ''}</h1>
<div class="meta">Period <b>${period}</b> (UTC) · ${int(m.period.hours)} hour(s) · ${
  m.central === undefined
    ? `spool file(s): ${esc(m.files.map((f) => basename(f)).join(', '))}`
    : `central store (schema ${esc(m.central.schema)}; rollups${m.central.rollup_only_days.length > 0 ? `, rollups only for ${esc(m.central.rollup_only_days.join(', '))}` : ''})`
} · generated ${esc(m.generated_at.slice(0, 19))}Z · ${
  m.central === undefined ? 'device counts exact' : `distinct devices HyperLogLog ±${(100 * m.central.distinct.hll_rel_error).toFixed(1)} % (1σ), device-level analyses exact, percentiles t-digest`
} · no subscriber identities in this report</div>${
  m.central !== undefined && m.central.unavailable.length > 0 ? `\n<p class="note">Not available from the rollups: ${esc(m.central.unavailable.join(', '))}.</p>` : ''
}
</header>
<nav>${nav}</nav>
<main>
<div class="kpis">
${kpi('dialogues', int(m.summary.dialogues), `${pct(m.summary.error_rate, 2)} failed`)}
${kpi('devices', int(m.summary.devices), m.distinct === 'hll' ? 'distinct, HyperLogLog' : 'distinct, exact')}
${kpi('location updates', int(m.summary.lu_attempts), `${int(m.summary.lu_devices)} devices registered`)}
${kpi('data sessions', int(ds.creates), `${pct(ds.success_rate)} accepted`)}
${kpi('silent roamers', int(silentTotal), 'registered, no data')}
${kpi('storm minutes', int(ss.storm_minutes), `k = ${m.parameters.storm_k}`)}
</div>
<ul class="headline">${headline.map((h) => `<li>${h}</li>`).join('')}</ul>
<p class="note">${esc(DEFINITIONS.period.text)}</p>
${sections.join('\n')}
</main>
<footer>sigprobe report · definitions: README “Analytics” · data: report.json (same numbers) · charts: Apache ECharts (Apache-2.0), inlined</footer>
<script type="application/json" id="chart-options">${scriptJson(ch)}</script>
<script>${echartsJs()}</script>
<script>${CLIENT}</script>
</body>
</html>
`;
}
