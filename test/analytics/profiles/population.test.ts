// The planted population end to end: `sigprobe gen --scenario devices` (≥ 20k devices, six labels)
// → `sigprobe replay` (pseudonymized identities, the default) → `sigprobe devices --clusters 6`;
// the truth's raw IMSIs are pseudonymized with the spool's key (src/correlate/identities.ts) to
// join the planted labels with the clusters: adjusted Rand index ≥ 0.8. Then profiles.html in
// real headless Chromium (Debian's /usr/bin/chromium through playwright-core): it renders the
// scatter, no console error, and a screenshot is kept. `--clusters auto` finds the six.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '../../../src/analytics/profiles/cluster';
import { IdentityProtector, loadOrCreateKey } from '../../../src/correlate/identities';

const MAIN = resolve(__dirname, '../../../dist/cli/main.js');
const DEVICES = Number(process.env.SIGPROBE_PROFILE_DEVICES ?? 20_000);
const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(tmpdir(), 'sigprobe-profiles');

function run(...args: string[]): string {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`sigprobe ${args[0]} exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

describe(`planted device population (${DEVICES} devices)`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-population-'));
  const pcap = join(dir, 'pop.pcap');
  const spool = join(dir, 'pop.db');
  const out = join(dir, 'profiles');

  it('clustering recovers the planted labels (adjusted Rand index ≥ 0.8)', () => {
    run('gen', '--scenario', 'devices', '--devices', String(DEVICES), '--seed', '7', '--hours', '2', '--out', pcap);
    run('replay', pcap, '--spool', spool);
    const summary = run('devices', '--spool', spool, '--out', out, '--clusters', '6', '--seed', '1');
    expect(summary).toMatch(/6 clusters/);
    const protector = new IdentityProtector('pseudonymize', loadOrCreateKey(join(dir, 'sigprobe-pseudonym.key'), false));
    const truth = new Map<string, string>();
    for (const l of readFileSync(join(dir, 'pop.devices.jsonl'), 'utf8').trim().split('\n')) {
      const t = JSON.parse(l) as { imsi: string; label: string };
      truth.set(protector.protect('imsi', t.imsi)!, t.label);
    }
    expect(truth.size).toBe(DEVICES);
    const planted: string[] = [];
    const found: number[] = [];
    const lines = readFileSync(join(out, 'clusters.csv'), 'utf8').trim().split('\n').slice(1);
    for (const l of lines) {
      const [dev, c] = l.split(',');
      const label = truth.get(dev);
      expect(label, `device ${dev} of clusters.csv is not in the truth`).toBeDefined();
      planted.push(label!);
      found.push(Number(c));
    }
    // every planted device made dialogues with its IMSI
    expect(lines.length).toBeGreaterThanOrEqual(DEVICES * 0.99);
    const ari = adjustedRandIndex(planted, found);
    // contingency table for the report
    const table = new Map<string, number[]>();
    planted.forEach((p, i) => {
      if (!table.has(p)) table.set(p, new Array(6).fill(0));
      table.get(p)![found[i]]++;
    });
    const doc = JSON.parse(readFileSync(join(out, 'profiles.json'), 'utf8')) as { clusters: { label: string; size: number }[]; pca: { components: number } };
    console.log(`devices ${lines.length}, ARI ${ari.toFixed(4)}, PCA components ${doc.pca.components}`);
    for (const [p, row] of table) console.log(`  ${p.padEnd(15)} ${row.join('\t')}`);
    console.log(`  clusters: ${doc.clusters.map((c, i) => `${i} ${c.label} (${c.size})`).join('; ')}`);
    expect(ari).toBeGreaterThanOrEqual(0.8);
  }, 1_800_000);

  it('--clusters auto picks K = 6 by silhouette on the same population', () => {
    const auto = join(dir, 'auto');
    run('devices', '--spool', spool, '--out', auto, '--seed', '1');
    const doc = JSON.parse(readFileSync(join(auto, 'profiles.json'), 'utf8')) as { k: number; silhouette: { k: number; value: number }[] };
    console.log(`auto: silhouettes ${doc.silhouette.map((x) => `${x.k}:${x.value.toFixed(3)}`).join(' ')}`);
    expect(doc.silhouette.map((x) => x.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(doc.k).toBe(6);
  }, 1_800_000);

  it('profiles.html renders in headless Chromium without console errors; screenshot kept', async (ctx) => {
    if (!existsSync(CHROMIUM)) ctx.skip();
    const html = join(out, 'profiles.html');
    expect(existsSync(html)).toBe(true);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      // file:// and no network: the page must be self-contained
      await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
      await page.goto('file://' + html);
      await page.waitForSelector('body[data-rendered="1"]', { timeout: 60_000 });
      const canvas = await page.$('#scatter canvas');
      expect(canvas).not.toBeNull();
      const sections = await page.$$eval('section.cluster', (s) => s.length);
      expect(sections).toBe(6);
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const shot = join(SCREENSHOT_DIR, 'profiles.png');
      await page.screenshot({ path: shot, fullPage: false });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      console.log(`screenshot: ${shot}`);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
