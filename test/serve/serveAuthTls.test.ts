/**
 * `sigprobe serve` with serve.tls (a self-signed certificate made here with openssl) and
 * serve.auth (basic auth, the password in a file): HTTPS only, 401 without or with wrong
 * credentials, 200 with them (also in headless Chromium); the key file the config names is
 * missing → a raw IMSI search is a 400 that says so, a pseudonym search still works.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/gen';
import { browser, startServe, watch, type Served } from './helpers';

const MAIN = join(__dirname, '../../dist/cli/main.js');

function get(url: string, ca: Buffer, auth?: string, method = 'GET', body?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((res, rej) => {
    const req = request(url, { ca, method, headers: { ...(auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) } }, (r) => {
      let b = '';
      r.on('data', (x) => (b += x));
      r.on('end', () => res({ status: r.statusCode ?? 0, body: b, headers: r.headers }));
    });
    req.on('error', rej);
    req.end(body);
  });
}

describe.skipIf(spawnSync('openssl', ['version']).status !== 0)('sigprobe serve: TLS and basic auth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-serve-tls-'));
  const spool = join(dir, 'spool.db');
  let srv: Served;
  let ca: Buffer;
  let pseudonym: string;

  beforeAll(async () => {
    const cap = join(dir, 'ipx.pcap');
    generate({ out: cap, seed: 4, dialogues: 200, scenario: 'ipx' });
    const r = spawnSync(process.execPath, [MAIN, 'replay', cap, '--spool', spool], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const db = new Database(spool, { readonly: true });
    pseudonym = (db.prepare("SELECT imsi FROM dialogues WHERE imsi IS NOT NULL GROUP BY imsi ORDER BY count(*) DESC LIMIT 1").get() as { imsi: string }).imsi;
    db.close();
    const o = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    expect(o.status, o.stderr).toBe(0);
    ca = readFileSync(join(dir, 'cert.pem'));
    writeFileSync(join(dir, 'ui.pass'), 's3cret pass\n', { mode: 0o600 });
    writeFileSync(
      join(dir, 'site.yaml'),
      `site: lab1\nspool:\n  path: spool.db\nprivacy:\n  keyFile: missing.key\nserve:\n  auth:\n    user: noc\n    passwordFile: ui.pass\n  tls:\n    certFile: cert.pem\n    keyFile: key.pem\n`,
    );
    srv = await startServe(['--spool', spool, '--config', join(dir, 'site.yaml')]);
  }, 60_000);

  afterAll(async () => {
    expect(await srv.stop()).toBe(0);
  });

  it('HTTPS only; 401 without or with wrong credentials, 200 with them', async () => {
    expect(srv.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(srv.out()).toContain('(basic auth)');
    let r = await get(srv.url, ca);
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Basic realm="sigprobe", charset="UTF-8"');
    r = await get(srv.url, ca, 'noc:wrong');
    expect(r.status).toBe(401);
    r = await get(srv.url, ca, 'root:s3cret pass');
    expect(r.status).toBe(401);
    r = await get(`${srv.url}trace?kind=imsi&v=${pseudonym}`, ca);
    expect(r.status).toBe(401);
    expect(r.body).not.toContain(pseudonym);
    r = await get(srv.url, ca, 'noc:s3cret pass');
    expect(r.status).toBe(200);
    expect(r.body).toContain('id="search-form"');
    // plain HTTP on the TLS port gets no page
    const plain = await new Promise<string>((res) => {
      const q = httpRequest(srv.url.replace('https:', 'http:'), (x) => res(String(x.statusCode)));
      q.on('error', (e) => res(`error ${e.message}`));
      q.end();
    });
    expect(plain).not.toBe('200');
  });

  it('the key file is missing: a raw IMSI search says so (400), a pseudonym search works', async () => {
    let r = await get(`${srv.url}search`, ca, 'noc:s3cret pass', 'POST', 'kind=imsi&q=001010000000001');
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/privacy key file .*missing\.key does not exist/);
    r = await get(`${srv.url}search`, ca, 'noc:s3cret pass', 'POST', `kind=pseudonym&q=${pseudonym}`);
    expect(r.status).toBe(303);
    r = await get(`https://127.0.0.1:${new URL(srv.url).port}${r.headers.location as string}`, ca, 'noc:s3cret pass');
    expect(r.status).toBe(200);
    expect(r.body).toContain('id="ladder"');
  });

  it('headless Chromium over HTTPS with the credentials: the trace page, no console error', async () => {
    if (!existsSync('/usr/bin/chromium')) return;
    const ctx = await browser({ ignoreHTTPSErrors: true, httpCredentials: { username: 'noc', password: 's3cret pass' } });
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      const problems = watch(page);
      await page.goto(srv.url);
      await page.selectOption('#search-form select[name=kind]', 'pseudonym');
      await page.fill('#search-form input[name=q]', pseudonym);
      await Promise.all([page.waitForURL(/\/trace\?/), page.click('#search-form button')]);
      expect(await page.locator('#ladder g.arrow').count()).toBeGreaterThan(1);
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 60_000);

  it('a config whose TLS files or password file are missing: exit 2, one line', () => {
    writeFileSync(join(dir, 'bad.yaml'), `site: lab1\nspool:\n  path: spool.db\nserve:\n  tls:\n    certFile: nope.pem\n    keyFile: key.pem\n`);
    let r = spawnSync(process.execPath, [MAIN, 'serve', '--spool', spool, '--config', join(dir, 'bad.yaml')], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^sigprobe: serve\.tls\.certFile: cannot read .*nope\.pem: ENOENT\n$/);
    writeFileSync(join(dir, 'bad2.yaml'), `site: lab1\nspool:\n  path: spool.db\nserve:\n  auth:\n    user: noc\n    passwordFile: none.pass\n`);
    r = spawnSync(process.execPath, [MAIN, 'serve', '--spool', spool, '--config', join(dir, 'bad2.yaml')], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^sigprobe: serve\.auth\.passwordFile: cannot read/);
  });
});
