/**
 * The web UI's own pages (home, period listing, error): plain HTML, no script, one inline style.
 * The trace page is src/trace/render.ts's ladder (as `trace --format html` writes it) with a
 * navigation bar put after <body>; the report page is src/report/html.ts as is.
 */

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:20px;color:#1d2330;background:#fff;max-width:1200px}
h1{font-size:20px;margin:0 0 8px} h2{font-size:16px;margin:18px 0 6px}
nav.sp{font:13px system-ui,sans-serif;background:#eef2f8;border:1px solid #cdd5e3;padding:6px 12px;margin:0 0 12px}
nav.sp a{margin-right:14px}
form{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:4px 0 10px}
input,select,button{font:inherit;padding:3px 6px}
table{border-collapse:collapse} td,th{border-bottom:1px solid #e4e7ee;padding:3px 8px;text-align:left;white-space:nowrap} th{background:#f0f3f8}
.msg{padding:10px 14px;border:1px solid #e0b4b4;background:#fff6f6;color:#8a1f11}
.muted{color:#666}`;

export const NAV = `<nav class="sp"><a href="/">sigprobe serve</a><a href="/#search">search</a><a href="/#period">dialogues of a period</a><a href="/#report">roaming report</a></nav>`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${STYLE}</style></head><body>
${NAV}
${body}
</body></html>
`;
}

export interface SpoolInfo {
  name: string;
  dialogues: string;
  from: string;
  to: string;
}

export function homePage(spools: readonly SpoolInfo[], rawMode: boolean): string {
  const rows = spools.map((s) => `<tr><td>${esc(s.name)}</td><td>${esc(s.from)}</td><td>${esc(s.to)}</td></tr>`).join('\n');
  const timeInputs = `<label>from <input name="from" placeholder="2026-12-07T10:00:00Z" size="22"></label><label>to <input name="to" placeholder="(optional)" size="22"></label>`;
  return page(
    'sigprobe serve',
    `<h1>sigprobe serve</h1>
<p class="muted">Read-only view of ${spools.length} spool file${spools.length === 1 ? '' : 's'}. Times are ISO-8601 UTC (2026-12-07T10:00:00Z, 2026-12-07) or epoch seconds.</p>
<table id="spools"><thead><tr><th>spool</th><th>first request</th><th>last request</th></tr></thead><tbody>${rows}</tbody></table>
<h2 id="search">Trace a subscriber or a node</h2>
<form id="search-form" method="post" action="/search">
<select name="kind"><option value="imsi">IMSI</option><option value="msisdn">MSISDN</option><option value="pseudonym">pseudonym</option><option value="gt">GT</option></select>
<input name="q" required size="30" autocomplete="off" placeholder="214070000000001">
${timeInputs}
<button type="submit">trace</button></form>
<p class="muted">A typed IMSI or MSISDN is turned into its pseudonym with the site key${rawMode ? ' (this spool holds raw identities: the value is used as is)' : ''}; the pages and links carry the pseudonym only. The form is sent by POST: the identity stays out of URLs and history.</p>
<h2 id="period">Dialogues of a period</h2>
<form id="period-form" method="get" action="/dialogues">${timeInputs}<button type="submit">list</button></form>
<h2 id="report">Roaming report</h2>
<form id="report-form" method="get" action="/report">${timeInputs}<button type="submit">report</button></form>`,
  );
}

export function errorPage(status: number, message: string): string {
  return page(`sigprobe serve: ${status}`, `<h1>${status === 404 ? 'Not found' : status === 400 ? 'Bad request' : status === 401 ? 'Unauthorized' : 'Error'}</h1><p class="msg" id="error">${esc(message)}</p><p><a href="/">back</a></p>`);
}

/** The trace page: the ladder of src/trace/render.ts with the navigation and download links after <body>. */
export function tracePage(ladderHtml: string, query: string, missingNote: string): string {
  const style = '<style>nav.sp{font:13px system-ui,sans-serif;background:#eef2f8;border:1px solid #cdd5e3;padding:6px 12px;margin:0 0 12px} nav.sp a{margin-right:14px}</style>';
  const bar = `${style}<nav class="sp">${NAV.slice('<nav class="sp">'.length, -'</nav>'.length)}<a id="pcap" href="/trace.pcapng?${esc(query)}" download>download pcapng</a><a id="json" href="/trace.json?${esc(query)}">json</a>${missingNote}</nav>`;
  return ladderHtml.replace('<body>', `<body>\n${bar}`);
}
