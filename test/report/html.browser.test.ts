/**
 * `sigprobe report` end to end: a spool with a plausible roaming world → the CLI → report.html
 * opened from disk in real headless Chromium (Debian /usr/bin/chromium, playwright-core): no
 * console error, no network request, every section's chart drawn (SVG with content) and every
 * table with rows; a screenshot is kept in test/report/__screenshots__/report.png.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/analytics/model';
import { writeRichSpool } from './richSpool';
import { CHROMIUM, openBrowser, watchPage } from '../helpers/chromium';
import { buildSpool, lu, T0 } from '../analytics/spoolBuild';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const SHOT = resolve(__dirname, '__screenshots__/report.png');
const SECTIONS = ['traffic', 'devices', 'matrix', 'errors', 'sor', 'data', 'silent', 'storms', 'latency'];

describe.skipIf(!existsSync(CHROMIUM))('report.html in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-report-html-'));
  const spool = join(dir, 'spool.db');
  const rows = writeRichSpool(spool, { devices: 3000, hours: 6, seed: 7 });
  const out = join(dir, 'out');
  const run = spawnSync(process.execPath, [MAIN, 'report', '--spool', spool, '--out', out, '--customers', '214-07,234-15'], { encoding: 'utf8', timeout: 120_000 });

  it('the CLI writes report.html and report.json and prints the headline', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^report: .*report\.html$/m);
    expect(run.stdout).toMatch(/^top roaming pairs: /m);
    expect(run.stdout).toMatch(/^steering of roaming: /m);
    expect(run.stdout).toMatch(/^silent roamers: \d+$/m);
    const m = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportModel;
    expect(m.records).toEqual(rows);
    for (const k of ['traffic', 'matrix', 'errors', 'sor', 'silent_roamers', 'storms', 'latency'] as const) expect(m[k].length, k).toBeGreaterThan(0);
    expect(m.data_sessions.accepted).toBeGreaterThan(0);
    expect(m.distinct).toBe('exact');
  });

  it('no subscriber identity in the report', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const json = readFileSync(join(out, 'report.json'), 'utf8');
    for (let i = 0; i < 3000; i += 37) {
      const id = `dev${i.toString(36)}`;
      expect(json.includes(`"${id}"`), id).toBe(false);
      expect(new RegExp(`[>" ]${id}[<" ]`).test(html), id).toBe(false);
    }
  });

  it('renders every section with data, no console error, no network, and keeps a screenshot', async () => {
    const ctx = await openBrowser();
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      const { problems, requests } = watchPage(page);
      await page.goto(pathToFileURL(join(out, 'report.html')).href);
      await page.waitForFunction(() => (window as unknown as { __reportReady?: boolean }).__reportReady === true, null, { timeout: 30_000 });
      const state = await page.evaluate((ids) => {
        return ids.map((id) => {
          const s = document.querySelector(`section[data-section="${id}"]`);
          const charts = [...(s?.querySelectorAll('[data-chart]') ?? [])].map((c) => ({
            id: c.getAttribute('data-chart'),
            shapes: c.querySelectorAll('svg path, svg rect, svg text').length,
            width: c.getBoundingClientRect().width,
          }));
          const empty = s?.querySelectorAll('[data-chart-empty]').length ?? -1;
          const tables = [...(s?.querySelectorAll('table') ?? [])].map((t) => t.querySelectorAll('tbody tr').length);
          const defs = s?.querySelectorAll('aside.defs p[data-def]').length ?? 0;
          return { id, found: s !== null, charts, empty, tables, defs };
        });
      }, SECTIONS);
      for (const s of state) {
        expect(s.found, s.id).toBe(true);
        expect(s.empty, `${s.id}: a chart without data`).toBe(0);
        expect(s.charts.length, s.id).toBeGreaterThan(0);
        for (const c of s.charts) {
          expect(c.shapes, `${s.id}/${c.id} drawn`).toBeGreaterThan(10);
          expect(c.width, `${s.id}/${c.id} width`).toBeGreaterThan(300);
        }
        expect(s.tables.length, s.id).toBeGreaterThan(0);
        for (const n of s.tables) expect(n, `${s.id} table rows`).toBeGreaterThan(0);
        expect(s.defs, `${s.id} definitions`).toBeGreaterThan(0);
      }
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
      mkdirSync(resolve(__dirname, '__screenshots__'), { recursive: true });
      await page.screenshot({ path: SHOT, fullPage: true });
      expect(statSync(SHOT).size).toBeGreaterThan(50_000);
      expect(statSync(SHOT).size).toBeLessThan(1_500_000);
    } finally {
      await ctx.close();
    }
  });

  it('a report with little data: the empty charts say so, still no console error', async () => {
    const small = buildSpool([lu(T0, 'A', 'ES', 'FR', '208', '01'), lu(T0 + 1000, 'B', 'DE', 'FR', '208', '01')]);
    const o = join(dir, 'small');
    const r = spawnSync(process.execPath, [MAIN, 'report', '--spool', small, '--out', o], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const ctx = await openBrowser();
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      const { problems } = watchPage(page);
      await page.goto(pathToFileURL(join(o, 'report.html')).href);
      await page.waitForFunction(() => (window as unknown as { __reportReady?: boolean }).__reportReady === true, null, { timeout: 30_000 });
      const counts = await page.evaluate(() => ({
        drawn: document.querySelectorAll('[data-chart] svg').length,
        empty: document.querySelectorAll('[data-chart-empty]').length,
        matrixRows: document.querySelectorAll('section[data-section="matrix"] tbody tr').length,
      }));
      expect(counts.drawn).toBeGreaterThan(0); // traffic, matrix, storms (all zero), latency
      expect(counts.empty).toBeGreaterThan(0); // no tunnels, no errors, no RNA
      expect(counts.matrixRows).toBe(2);
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});
