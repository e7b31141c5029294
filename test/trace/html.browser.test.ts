/**
 * `sigprobe trace --format html`: the ladder of a generated device opened from disk in real
 * headless Chromium (Debian /usr/bin/chromium, playwright-core): no console error, no network
 * request, one column per network element, one arrow per request and per answer of the truth's
 * dialogues (drawn: a visible line), the tunnels' bars; a screenshot is kept in
 * test/trace/__screenshots__/trace.png.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, openBrowser, watchPage } from '../helpers/chromium';
import { buildWorld, cli } from './fixture';

const SHOT = resolve(__dirname, '__screenshots__/trace.png');

describe.skipIf(!existsSync(CHROMIUM))('trace.html in headless Chromium', () => {
  const w = buildWorld(40, 5);
  // the device with the most kinds of dialogue
  const [imsi, lines] = [...w.devices].sort((a, b) => new Set(b[1].map((x) => x.procedure)).size - new Set(a[1].map((x) => x.procedure)).size)[0];
  const html = join(w.dir, 'trace.html');
  const run = cli(['trace', '--imsi', imsi, '--spool', w.spool, '--format', 'html', '--out', html]);

  it('the CLI writes one self-contained page', () => {
    expect(run.status, run.stderr).toBe(0);
    const s = readFileSync(html, 'utf8');
    expect(s).not.toMatch(/<script|(src|href)=["']?(https?:)?\/\//);
  });

  it('the ladder is drawn: an arrow per request and per answer, no console error, screenshot kept', async () => {
    const ctx = await openBrowser();
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      const { problems, requests } = watchPage(page);
      await page.goto(pathToFileURL(html).href);
      const st = await page.evaluate(() => {
        const arrows = [...document.querySelectorAll('#ladder g.arrow')];
        return {
          req: arrows.filter((a) => a.getAttribute('data-kind') === 'req').length,
          rsp: arrows.filter((a) => a.getAttribute('data-kind') !== 'req').length,
          drawn: arrows.filter((a) => {
            const l = a.querySelector('line, path');
            const b = l?.getBoundingClientRect();
            return b !== undefined && b.width > 10;
          }).length,
          roles: [...document.querySelectorAll('#ladder g.node')].map((n) => n.getAttribute('data-role')),
          tunnels: document.querySelectorAll('#tunnels g.tunnel rect').length,
          rows: document.querySelectorAll('#dialogues tbody tr').length,
          width: document.querySelector('#ladder')!.getBoundingClientRect().width,
        };
      });
      expect(st.req).toBe(lines.length); // no orphan in a whole capture
      expect(st.rsp).toBe(lines.length);
      expect(st.drawn).toBe(2 * lines.length);
      expect(st.rows).toBe(lines.length);
      expect(st.roles.length).toBeGreaterThanOrEqual(2);
      const protos = new Set(lines.map((l) => l.protocol));
      if (protos.has('map')) expect(st.roles).toContain('HLR');
      if (protos.has('diameter')) expect(st.roles).toContain('HSS');
      if (protos.has('gtpv1')) expect(st.roles).toContain('GGSN');
      if (protos.has('gtpv2')) expect(st.roles).toContain('PGW');
      expect(st.tunnels).toBe(lines.filter((l) => l.procedure === 'CreatePDPContext' || l.procedure === 'CreateSession').length);
      expect(st.width).toBeGreaterThan(300);
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
      mkdirSync(resolve(__dirname, '__screenshots__'), { recursive: true });
      await page.screenshot({ path: SHOT, fullPage: true });
      expect(statSync(SHOT).size).toBeGreaterThan(10_000);
      expect(statSync(SHOT).size).toBeLessThan(1_500_000);
    } finally {
      await ctx.close();
    }
  });
});
