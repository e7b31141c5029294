/**
 * `sigprobe serve` end to end: a generated roaming world (gen --scenario roaming) replayed into a
 * pseudonymized spool, the built CLI serving it, and real headless Chromium (Debian
 * /usr/bin/chromium, playwright-core) driving it: search by the raw IMSI → trace page → ladder
 * drawn (one SVG arrow per request and per answer of the device's planted dialogues) → pcapng
 * download that tshark reads, frame for frame the packets of those dialogues; the report page
 * renders every chart; no console error anywhere; the raw IMSI never in a URL or a page.
 * Screenshots are kept in test/serve/__screenshots__/. Then the 400 / 404 / 405 answers, and the
 * bad flags (exit 2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/gen';
import { jsonl, type RoamingTruthLine } from '../gen/roamingHelpers';
import { browser, startServe, watch, type Served } from './helpers';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = resolve(__dirname, '__screenshots__');

describe.skipIf(!existsSync(CHROMIUM))('sigprobe serve in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-serve-'));
  const pcap = join(dir, 'world.pcap');
  const spool = join(dir, 'spool.db');
  let srv: Served;
  let truth: RoamingTruthLine[];
  let imsi: string;
  let mine: RoamingTruthLine[];

  beforeAll(async () => {
    const g = generate({ out: pcap, seed: 11, dialogues: 0, scenario: 'roaming', devices: 60, hours: 1 });
    const r = spawnSync(process.execPath, [MAIN, 'replay', pcap, '--spool', spool, '--networks', g.networksPath!], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    truth = jsonl<RoamingTruthLine>(g.truthPath);
    // the device with the most protocols, then the most dialogues
    const by = new Map<string, RoamingTruthLine[]>();
    for (const t of truth) if (t.device_imsi) (by.get(t.device_imsi) ?? by.set(t.device_imsi, []).get(t.device_imsi)!).push(t);
    const score = (l: RoamingTruthLine[]) => new Set(l.map((t) => t.protocol)).size * 1000 + l.length;
    [imsi, mine] = [...by.entries()].sort((a, b) => score(b[1]) - score(a[1]))[0];
    srv = await startServe(['--spool', spool]);
  }, 60_000);

  afterAll(async () => {
    expect(await srv.stop()).toBe(0);
    expect(srv.err()).toBe('');
  });

  it('search → trace page with the ladder → pcapng download → report page, no console error', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const ctx = await browser();
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      const problems = watch(page);
      const urls: string[] = [];
      page.on('request', (r) => urls.push(r.url()));
      await page.goto(srv.url);
      expect(await page.locator('#spools tbody tr').count()).toBe(1);
      await page.selectOption('#search-form select[name=kind]', 'imsi');
      await page.fill('#search-form input[name=q]', imsi);
      await Promise.all([page.waitForURL(/\/trace\?/), page.click('#search-form button')]);
      // the ladder: the device's planted dialogues, one arrow per request and one per answer
      const rows = (await (await page.request.get(page.url().replace('/trace?', '/trace.json?'))).json()) as Record<string, unknown>[];
      expect(rows.map((r) => r.req_frame).sort((a, b) => Number(a) - Number(b))).toEqual(mine.map((t) => t.req_frame).sort((a, b) => a - b));
      const arrows = await page.locator('#ladder g.arrow').count();
      const want = mine.reduce((a, t) => a + 1 + 1, 0); // request + answer (or its "no answer" mark)
      expect(arrows).toBe(want);
      expect(await page.locator('#dialogues tbody tr').count()).toBe(mine.length);
      expect(await page.locator('#ladder g.node').count()).toBeGreaterThan(2);
      const body = await page.content();
      expect(body).not.toContain(imsi);
      for (const u of urls) expect(u).not.toContain(imsi);
      await page.screenshot({ path: join(SHOTS, 'trace.png'), fullPage: true });
      // pcapng download: the packets of the traced dialogues, tshark reads them
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#pcap')]);
      const file = join(dir, 'trace.pcapng');
      await dl.saveAs(file);
      const ts = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8' });
      expect(ts.status, ts.stderr).toBe(0);
      const times = ts.stdout.trim().split('\n').map((s) => Math.round(Number(s) * 1e6));
      // at least every request and answer frame the truth names (plus the Continues inside, e.g. insertSubscriberData)
      const frames = mine.reduce((a, t) => a + 1 + (t.rsp_frame !== null ? 1 : 0), 0);
      expect(times.length).toBeGreaterThanOrEqual(frames);
      for (const t of mine) expect(times, `request of ${t.procedure} at ${t.req_time_us}`).toContain(t.req_time_us);
      expect([...times].sort((a, b) => a - b)).toEqual(times); // in time order
      // the report of the period
      const problemsBefore = problems.length;
      await page.goto(`${srv.url}report`);
      await page.waitForFunction(() => (window as unknown as { __reportReady?: boolean }).__reportReady === true, null, { timeout: 30_000 });
      const drawn = await page.evaluate(() => [...document.querySelectorAll('[data-chart]')].filter((c) => c.querySelectorAll('svg path, svg rect').length > 10).length);
      expect(drawn).toBeGreaterThan(5);
      expect(await page.locator('section[data-section="matrix"] tbody tr').count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true });
      expect(problems.slice(problemsBefore)).toEqual([]);
      // the home page and the period listing
      await page.goto(srv.url);
      const first = truth[0].req_time_us;
      await page.fill('#period-form input[name=from]', String(first / 1e6));
      await Promise.all([page.waitForURL(/\/dialogues\?/), page.click('#period-form button')]);
      expect(await page.locator('#dialogues tbody tr').count()).toBeGreaterThan(20);
      const listing = await page.content();
      for (const t of truth) if (t.imsi) expect(listing.includes(t.imsi), 'raw IMSI in the listing').toBe(false);
      await page.screenshot({ path: join(SHOTS, 'dialogues.png'), fullPage: false });
      expect(problems).toEqual([]);
      for (const s of ['trace.png', 'report.png', 'dialogues.png']) {
        expect(statSync(join(SHOTS, s)).size).toBeGreaterThan(10_000);
        expect(statSync(join(SHOTS, s)).size).toBeLessThan(1_500_000);
      }
    } finally {
      await ctx.close();
    }
  }, 120_000);

  it('bad queries: 400 with the message, nothing found: 404, writes: 405', async () => {
    const post = (body: string) => fetch(`${srv.url}search`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    const text = async (r: Response) => (/id="error">([^<]*)</.exec(await r.text()) ?? [])[1] ?? '';
    let r = await post('kind=imsi&q=12ab');
    expect(r.status).toBe(400);
    expect(await text(r)).toMatch(/an IMSI is 6 to 15 digits/);
    r = await post('kind=msisdn&q=0123');
    expect(r.status).toBe(400);
    r = await post('kind=imsi&q=');
    expect(r.status).toBe(400);
    r = await post('kind=foo&q=1234567');
    expect(r.status).toBe(400);
    // a well-formed IMSI that is not in the spool: redirected to its pseudonym, then 404
    r = await post('kind=imsi&q=999990000000001');
    expect(r.status).toBe(303);
    const loc = r.headers.get('location')!;
    expect(loc).toMatch(/^\/trace\?kind=imsi&v=[0-9a-f]{24}$/);
    expect(loc).not.toContain('999990000000001');
    r = await fetch(srv.url.replace(/\/$/, '') + loc);
    expect(r.status).toBe(404);
    expect(await text(r)).toMatch(/no records of that imsi/);
    // the device's trace outside its period
    r = await post(`kind=imsi&q=${imsi}&from=2030-01-01&to=2030-01-02`);
    r = await fetch(srv.url.replace(/\/$/, '') + r.headers.get('location')!);
    expect(r.status).toBe(404);
    expect(await text(r)).toMatch(/in the period \(there are some outside it\)/);
    for (const [path, status, msg] of [
      ['trace?kind=imsi&v=zz', 400, /stored IMSI/],
      ['trace?kind=nope&v=1', 400, /kind must be/],
      ['trace?kind=gt&v=12x', 400, /a GT is/],
      ['trace?kind=gt&v=4917000000', 404, /no records of that gt/],
      ['report?from=garbage', 400, /ISO-8601/],
      ['report?from=2030-01-01', 404, /empty period/],
      ['report?from=2030-01-02&to=2030-01-01', 400, /to must be after from/],
      ['dialogues', 400, /from is required/],
      ['dialogues?from=2030-01-01', 404, /no dialogues/],
      ['nope', 404, /no page/],
    ] as const) {
      const x = await fetch(srv.url + path);
      expect(x.status, path).toBe(status);
      expect(await text(x), path).toMatch(msg);
    }
    r = await fetch(srv.url, { method: 'PUT', body: 'x' });
    expect(r.status).toBe(405);
    expect((await fetch(`${srv.url}healthz`)).status).toBe(200);
  });

  it('bad flags: one line sigprobe: ..., exit 2', () => {
    for (const [args, re] of [
      [['--spool', join(dir, 'missing.db')], /sigprobe: spool .*missing\.db does not exist/],
      [['--spool', spool, '--listen', 'nonsense'], /sigprobe: --listen expects host:port/],
      [['--spool', spool, '--central', 'c.yaml'], /sigprobe: --central: serve over the central store is not available yet/],
      [['--spool', spool, '--bogus'], /sigprobe: unknown option --bogus/],
      [[], /sigprobe: --spool <db> is required/],
      [['--spool', pcap], /sigprobe: .*not a sigprobe spool/],
    ] as const) {
      const r = spawnSync(process.execPath, [MAIN, 'serve', ...args], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(re);
    }
  });
});
