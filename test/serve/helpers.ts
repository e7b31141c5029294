/** Test helpers of test/serve: the built CLI's `serve` as a child process, headless Chromium. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { openBrowser, watchPage } from '../helpers/chromium';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');

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

export function browser(opts: { ignoreHTTPSErrors?: boolean; httpCredentials?: { username: string; password: string } } = {}): Promise<BrowserContext> {
  return openBrowser({ acceptDownloads: true, ...opts });
}

/** console errors / warnings and page errors of a page (its requests go to the served UI) */
export function watch(page: Page): string[] {
  return watchPage(page).problems;
}

