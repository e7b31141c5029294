/** Test helpers of test/serve: the built CLI's `serve` as a child process, headless Chromium. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Served {
  child: ChildProcess;
  url: string;
  out: () => string;
  err: () => string;
  stop: () => Promise<number | null>;
}

/** Starts `sigprobe serve ... --listen 127.0.0.1:0` and waits for its URL. */
export async function startServe(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--listen', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (x) => (out += x));
  child.stderr?.on('data', (x) => (err += x));
  const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  const t0 = Date.now();
  while (!/on (https?:\/\/\S+)/.test(out)) {
    if (Date.now() - t0 > 20_000 || child.exitCode !== null) throw new Error(`serve did not start: ${out}${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = (/on (https?:\/\/\S+)/.exec(out) as RegExpExecArray)[1];
  return {
    child,
    url,
    out: () => out,
    err: () => err,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export async function browser(opts: { ignoreHTTPSErrors?: boolean; httpCredentials?: { username: string; password: string } } = {}): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'sp-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    deviceScaleFactor: 0.5, // half scale: PNGs small enough to keep in the repository
    acceptDownloads: true,
    ...opts,
  });
}

/** console errors / warnings and page errors of a page */
export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

