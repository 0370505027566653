/**
 * A real headless Chromium (Debian's `chromium`, /usr/bin/chromium) driven by puppeteer-core,
 * which never downloads a browser. Each launch gets a fresh profile directory, removed on close.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { tempDir } from './keytool';
import { ROOT } from './midtrustCli';

export const CHROMIUM = '/usr/bin/chromium';

/** Where page tests leave their screenshots (gitignored; overwritten by each run). */
export const ARTIFACTS = path.join(ROOT, 'artifacts');

export interface LaunchedChromium {
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Starts Chromium headless with no network side channels (updates, sync, first run). */
export async function launchChromium(): Promise<LaunchedChromium> {
  const puppeteer = (await import('puppeteer-core')).default;
  const profile = tempDir('mt-chromium-');
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page opened on a local file, recording every request, console message and page error. */
export interface WatchedPage {
  readonly page: Page;
  readonly url: string;
  readonly requests: string[];
  readonly consoleProblems: string[];
  readonly pageErrors: string[];
}

/** Opens `file` at 1280 px wide and waits until it has loaded and painted. */
export async function openFile(browser: Browser, file: string, opts: { javaScript?: boolean } = {}): Promise<WatchedPage> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  if (opts.javaScript === false) await page.setJavaScriptEnabled(false);
  const url = `file://${file}`;
  const requests: string[] = [];
  const consoleProblems: string[] = [];
  const pageErrors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') consoleProblems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(url, { waitUntil: 'load' });
  if (opts.javaScript !== false) await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  return { page, url, requests, consoleProblems, pageErrors };
}
