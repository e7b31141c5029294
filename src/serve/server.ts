/**
 * `sigprobe serve`: a small read-only web UI over the code paths of the CLI — search and trace
 * (src/trace/query.ts runTrace, the ladder of src/trace/render.ts, the pcap of
 * src/trace/pcapExport.ts) and the roaming report (src/analytics/compute.ts computeReport,
 * src/report/html.ts) for a chosen period. Node's http / https module, no framework.
 *
 * Routes (GET unless said):
 *   /                      home: spools, search form, period and report forms
 *   POST /search           kind=imsi|msisdn|pseudonym|gt, q, from, to → 303 to /trace?… with the
 *                          identity in its stored (pseudonymized) form: a raw IMSI / MSISDN never
 *                          appears in a URL, a page or a log (GET /search works too, for scripts)
 *   /trace?kind=&v=&gt=&from=&to=      the ladder page;  /trace.pcapng?…  the packets;  /trace.json?…  the rows
 *   /dialogues?from=&to=   the period's first dialogues (time search), pseudonyms linked to their trace
 *   /report?from=&to=      report.html of the period
 *   /healthz               "ok"
 * Bad input → 400 with the message, nothing found → 404, wrong method → 405, no / bad
 * credentials (serve.auth) → 401. Every spool is opened read-only, per request.
 */
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { SigprobeError } from '../config/errors';
import { e164CountryCodeLength, type IdentityProtector } from '../correlate/identities';
import { openTraceSpool, runTrace, type TraceSelector } from '../trace/query';
import { isoUs, renderHtml as renderTraceHtml } from '../trace/render';
import { exportPcap } from '../trace/pcapExport';
import { computeReport } from '../analytics/compute';
import { renderHtml as renderReportHtml } from '../report/html';
import { parseTime } from '../cli/report';
import { errorPage, esc, homePage, page, tracePage, type SpoolInfo } from './pages';

export interface ServeOptions {
  files: string[];
  host: string;
  port: number;
  /** directories searched for capture files and packet rings (trace --pcap's --captures) */
  captureDirs: string[];
  /** the identity protector, built on first need (throws the "key missing" message) */
  protector: () => IdentityProtector;
  /** the spool holds raw identities (privacy.identities raw) */
  rawMode: boolean;
  auth?: { user: string; password: string };
  tls?: { cert: Buffer; key: Buffer };
  /** period listing: rows at most */
  listLimit?: number;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const bad = (m: string) => new HttpError(400, m);
const PSEUDONYM = /^[0-9a-f]{24}$/;
const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'";
const REPORT_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...SECURITY_HEADERS, ...extra });
  res.end(body);
}

function html(res: ServerResponse, status: number, body: string, csp = PAGE_CSP): void {
  send(res, status, 'text/html; charset=utf-8', body, { 'Content-Security-Policy': csp });
}

function period(q: URLSearchParams): { fromUs?: number; toUs?: number } {
  const get = (n: string) => {
    const v = (q.get(n) ?? '').trim();
    return v === '' ? undefined : v;
  };
  let fromUs: number | undefined;
  let toUs: number | undefined;
  try {
    const f = get('from');
    const t = get('to');
    fromUs = f !== undefined ? parseTime('from', f) : undefined;
    toUs = t !== undefined ? parseTime('to', t) : undefined;
  } catch (e) {
    throw bad((e as Error).message.replace(/^--/, ''));
  }
  if (fromUs !== undefined && toUs !== undefined && toUs <= fromUs) throw bad('to must be after from');
  return { fromUs, toUs };
}

/** The stored-form selector of a typed search (the checks of `sigprobe trace`). */
export function searchSelector(kind: string, raw: string, protector: () => IdentityProtector): TraceSelector {
  const v = raw.trim();
  if (v === '') throw bad('type an IMSI, MSISDN, pseudonym or GT');
  if (kind === 'imsi') {
    if (!/^\d{6,15}$/.test(v)) throw bad(`an IMSI is 6 to 15 digits (E.212), got ${v.length} characters that are not`);
    return { kind: 'imsi', value: protectOr400(protector, 'imsi', v) };
  }
  if (kind === 'msisdn') {
    const digits = v.replace(/^\+/, '');
    if (!/^[1-9]\d{5,14}$/.test(digits)) throw bad('an MSISDN is an international E.164 number: 6 to 15 digits, country code first (+ allowed), no leading 0');
    const ids = protectorOr400(protector);
    const ps = ids.protect('msisdn', digits) as string;
    const cc = digits.slice(0, e164CountryCodeLength(digits));
    return { kind: 'msisdn', value: ps, gtForms: ids.mode === 'raw' ? [digits] : [`${cc}:${ps}`] };
  }
  if (kind === 'pseudonym') {
    if (!PSEUDONYM.test(v)) throw bad('a pseudonym is the 24 lower-case hex digits the spool stores in imsi');
    return { kind: 'imsi', value: v };
  }
  if (kind === 'gt') {
    if (!/^(\d{1,15}|\d{1,4}(-\d{2,3})?:[0-9a-f]{24})$/.test(v)) throw bad('a GT is 1 to 15 digits, or a stored subscriber GT <cc>:<pseudonym>');
    return { kind: 'gt', value: v };
  }
  throw bad(`kind must be imsi, msisdn, pseudonym or gt, got '${kind.slice(0, 20)}'`);
}

function protectorOr400(p: () => IdentityProtector): IdentityProtector {
  try {
    return p();
  } catch (e) {
    throw bad((e as Error).message);
  }
}

function protectOr400(p: () => IdentityProtector, kind: 'imsi' | 'msisdn', v: string): string {
  return protectorOr400(p).protect(kind, v) as string;
}

/** The selector of a /trace URL (stored forms only). */
function urlSelector(q: URLSearchParams, rawMode: boolean): TraceSelector {
  const kind = q.get('kind') ?? '';
  const v = (q.get('v') ?? '').trim();
  const stored = rawMode ? /^(\d{6,15}|[0-9a-f]{24})$/ : PSEUDONYM;
  if (kind === 'imsi') {
    if (!stored.test(v)) throw bad('v must be the stored IMSI (its 24-hex pseudonym); search with the raw IMSI on the home page');
    return { kind: 'imsi', value: v };
  }
  if (kind === 'msisdn') {
    if (!stored.test(v)) throw bad('v must be the stored MSISDN (its 24-hex pseudonym); search with the raw MSISDN on the home page');
    const gt = (q.get('gt') ?? '').trim();
    if (gt !== '' && !/^(\d{1,15}|\d{1,4}:[0-9a-f]{24})$/.test(gt)) throw bad('gt must be a subscriber GT form <cc>:<pseudonym>');
    return { kind: 'msisdn', value: v, gtForms: gt !== '' ? [gt] : [] };
  }
  if (kind === 'gt') return searchSelector('gt', v, () => {
    throw new Error('unused');
  });
  throw bad(`kind must be imsi, msisdn or gt, got '${kind.slice(0, 20)}'`);
}

function selectorQuery(s: TraceSelector, q: { fromUs?: number; toUs?: number }): string {
  const u = new URLSearchParams({ kind: s.kind, v: s.value });
  if (s.gtForms && s.gtForms.length > 0) u.set('gt', s.gtForms[0]);
  if (q.fromUs !== undefined) u.set('from', String(q.fromUs / 1e6));
  if (q.toUs !== undefined) u.set('to', String(q.toUs / 1e6));
  return u.toString();
}

function titleOf(s: TraceSelector): string {
  if (s.kind === 'gt') return `GT ${s.value}`;
  return `${s.kind === 'imsi' ? 'IMSI' : 'MSISDN'} pseudonym ${s.value}`;
}

async function readBody(req: IncomingMessage, max = 16 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > max) throw new HttpError(413, 'request body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export class ServeApp {
  constructor(readonly o: ServeOptions) {}

  private authorized(req: IncomingMessage): boolean {
    const a = this.o.auth;
    if (!a) return true;
    const h = req.headers.authorization ?? '';
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(h);
    if (!m) return false;
    const dec = Buffer.from(m[1], 'base64').toString('utf8');
    const i = dec.indexOf(':');
    if (i < 0) return false;
    const okUser = timingSafeEqual(digest(dec.slice(0, i)), digest(a.user));
    const okPass = timingSafeEqual(digest(dec.slice(i + 1)), digest(a.password));
    return okUser && okPass;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!this.authorized(req)) {
        send(res, 401, 'text/html; charset=utf-8', errorPage(401, 'this sigprobe serve needs a user name and password (serve.auth in its config)'), {
          'Content-Security-Policy': PAGE_CSP,
          'WWW-Authenticate': 'Basic realm="sigprobe", charset="UTF-8"',
        });
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      if (url.pathname === '/search' && method === 'POST') {
        const body = await readBody(req);
        return this.search(new URLSearchParams(body), res);
      }
      if (method !== 'GET' && method !== 'HEAD') {
        send(res, 405, 'text/plain; charset=utf-8', 'sigprobe serve is read-only: GET (and POST /search) only\n', { Allow: 'GET, HEAD, POST' });
        return;
      }
      const q = url.searchParams;
      switch (url.pathname) {
        case '/':
          return html(res, 200, homePage(this.spoolInfo(), this.o.rawMode));
        case '/healthz':
          return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
        case '/search':
          return this.search(q, res);
        case '/trace':
        case '/trace.json':
        case '/trace.pcapng':
          return this.trace(url.pathname, q, res);
        case '/dialogues':
          return this.dialogues(q, res);
        case '/report':
          return this.report(q, res);
        default:
          throw new HttpError(404, `no page ${url.pathname.slice(0, 80)}`);
      }
    } catch (e) {
      if (e instanceof HttpError) {
        html(res, e.status, errorPage(e.status, e.message));
      } else if (e instanceof SigprobeError) {
        // the code paths' input errors (spool locked, period without data...) are the user's to fix
        const status = e.code === 'E_REPORT_INPUT' && /no records|empty period/i.test(e.message) ? 404 : 400;
        html(res, status, errorPage(status, e.message));
      } else {
        process.stderr.write(`sigprobe: serve: internal error: ${(e as Error).stack ?? String(e)}\n`);
        if (!res.headersSent) html(res, 500, errorPage(500, 'internal error (see the server log)'));
        else res.destroy();
      }
    }
  }

  private spoolInfo(): SpoolInfo[] {
    return this.o.files.map((f) => {
      const db = openTraceSpool(f);
      try {
        const r = db.prepare('SELECT min(req_time_us) a, max(req_time_us) b FROM dialogues').get() as { a: number | null; b: number | null };
        return { name: basename(f), dialogues: '', from: r.a !== null ? isoUs(r.a) : '-', to: r.b !== null ? isoUs(r.b) : '-' };
      } finally {
        db.close();
      }
    });
  }

  private search(q: URLSearchParams, res: ServerResponse): void {
    const sel = searchSelector(q.get('kind') ?? '', q.get('q') ?? '', this.o.protector);
    const p = period(q);
    send(res, 303, 'text/plain; charset=utf-8', 'see the trace\n', { Location: `/trace?${selectorQuery(sel, p)}` });
  }

  private trace(path: string, q: URLSearchParams, res: ServerResponse): void {
    const sel = urlSelector(q, this.o.rawMode);
    const p = period(q);
    const t0 = process.hrtime.bigint();
    const result = runTrace({ files: this.o.files, selector: sel, ...p });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (result.records.length === 0) {
      const inPeriod = p.fromUs !== undefined || p.toUs !== undefined;
      const outside = inPeriod && runTrace({ files: this.o.files, selector: sel }).records.length > 0;
      throw new HttpError(404, `no records of that ${sel.kind}${inPeriod ? ' in the period' : ''}${outside ? ' (there are some outside it)' : ''}${sel.kind !== 'gt' && !outside ? ' (is the key of this server the one the probe used?)' : ''}`);
    }
    const query = selectorQuery(sel, p);
    if (path === '/trace.json') {
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify(result.records.map((r) => r.row), null, 1));
      return;
    }
    if (path === '/trace.pcapng') {
      const dir = mkdtempSync(join(tmpdir(), 'sigprobe-serve-'));
      try {
        const file = join(dir, 'trace.pcapng');
        const ex = exportPcap(result.records, file, this.o.captureDirs);
        if (ex.packets === 0) throw new HttpError(404, `no packets for this trace: ${ex.warnings.slice(0, 3).join('; ')}`);
        const body = readFileSync(file);
        const name = `trace-${sel.value.replace(/[^0-9a-z-]/gi, '').slice(0, 12)}.pcapng`;
        send(res, 200, 'application/x-pcapng', body, {
          'Content-Disposition': `attachment; filename="${name}"`,
          'X-Sigprobe-Packets': String(ex.packets),
          'X-Sigprobe-Dialogues-Without-Packets': String(ex.warnings.length),
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return;
    }
    const sub = `${result.records.length} dialogues, ${result.tunnels.length} tunnels; ${this.o.files.length} spool file${this.o.files.length > 1 ? 's' : ''}; ` +
      `${result.imsis.length === 1 ? `pseudonym ${result.imsis[0]}` : `${result.imsis.length} pseudonyms`}; served by sigprobe serve in ${ms.toFixed(0)} ms`;
    html(res, 200, tracePage(renderTraceHtml(result, titleOf(sel), sub), query, ''));
  }

  /** Time search: the period's first dialogues, through dialogues_time. */
  private dialogues(q: URLSearchParams, res: ServerResponse): void {
    const p = period(q);
    if (p.fromUs === undefined) throw bad('from is required (the start of the period)');
    const to = p.toUs ?? p.fromUs + 3600e6;
    const limit = this.o.listLimit ?? 500;
    const rows: Record<string, unknown>[] = [];
    for (const f of this.o.files) {
      const db = openTraceSpool(f);
      try {
        const st = db.prepare(
          'SELECT req_time_us, protocol, procedure, status, result_name, result_code, imsi, latency_us FROM dialogues INDEXED BY dialogues_time WHERE req_time_us >= ? AND req_time_us < ? ORDER BY req_time_us LIMIT ?',
        );
        for (const r of st.all(p.fromUs, to, limit + 1) as Record<string, unknown>[]) rows.push({ ...r, spool: basename(f) });
      } finally {
        db.close();
      }
    }
    if (rows.length === 0) throw new HttpError(404, `no dialogues from ${isoUs(p.fromUs)} to ${isoUs(to)}`);
    rows.sort((a, b) => (a.req_time_us as number) - (b.req_time_us as number));
    const more = rows.length > limit;
    const shown = rows.slice(0, limit);
    const tr = shown
      .map((r) => {
        const imsi = typeof r.imsi === 'string' ? r.imsi : null;
        // only pseudonyms are shown: a raw spool's identities stay hidden unless typed in the search
        const who = imsi === null ? '' : PSEUDONYM.test(imsi) ? `<a href="/trace?${esc(new URLSearchParams({ kind: 'imsi', v: imsi }).toString())}">${esc(imsi)}</a>` : '<span class="muted">(raw identity, hidden)</span>';
        const res = r.status === 'ok' ? 'ok' : `${String(r.status)} ${String(r.result_name ?? r.result_code ?? '')}`;
        const lat = typeof r.latency_us === 'number' ? `${(r.latency_us / 1000).toFixed(1)} ms` : '-';
        return `<tr><td>${esc(isoUs(r.req_time_us as number))}</td><td>${esc(String(r.protocol))}</td><td>${esc(String(r.procedure ?? '?'))}</td><td>${esc(res)}</td><td>${esc(lat)}</td><td>${who}</td><td>${esc(String(r.spool))}</td></tr>`;
      })
      .join('\n');
    html(
      res,
      200,
      page(
        'sigprobe serve: dialogues',
        `<h1>Dialogues from ${esc(isoUs(p.fromUs))} to ${esc(isoUs(to))}</h1><p class="muted">${shown.length}${more ? ` (the first ${limit}; narrow the period for the rest)` : ''} dialogues, in time order.</p>
<table id="dialogues"><thead><tr><th>time (UTC)</th><th>protocol</th><th>procedure</th><th>result</th><th>latency</th><th>subscriber (pseudonym)</th><th>spool</th></tr></thead><tbody>
${tr}
</tbody></table>`,
      ),
    );
  }

  private report(q: URLSearchParams, res: ServerResponse): void {
    const p = period(q);
    const model = computeReport({ files: this.o.files, ...p });
    html(res, 200, renderReportHtml(model), REPORT_CSP);
  }
}

/** Starts listening; resolves with the server and its URL once bound. */
export function startServe(o: ServeOptions): Promise<{ server: Server; url: string }> {
  const app = new ServeApp(o);
  const handler = (req: IncomingMessage, res: ServerResponse) => void app.handle(req, res);
  const server: Server = o.tls ? (createHttps({ cert: o.tls.cert, key: o.tls.key }, handler) as unknown as Server) : createHttp(handler);
  server.requestTimeout = 120_000;
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new SigprobeError('E_USAGE', `cannot listen on ${o.host}:${o.port}: ${e.code ?? e.message}`)),
    );
    server.listen(o.port, o.host, () => {
      const a = server.address();
      const port = typeof a === 'object' && a !== null ? a.port : o.port;
      const host = o.host.includes(':') ? `[${o.host}]` : o.host;
      resolve({ server, url: `${o.tls ? 'https' : 'http'}://${host}:${port}/` });
    });
  });
}
