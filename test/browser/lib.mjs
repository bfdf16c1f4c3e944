// Shared helpers for the browser tests: Debian's Chromium driven by playwright-core.
//
//   import { BASE_URL, launch, phonePage, screenshot, problems, closeBrowser } from './lib.mjs';
//
// Environment:
//   YICHUANG_BASE_URL     site under test (default http://127.0.0.1:18080, the local nginx)
//   YICHUANG_SCREENSHOTS  where screenshots go (default ../../var/test/screenshots from here,
//                         i.e. var/test/screenshots at the repo root)
//   CHROMIUM              the browser binary (default /usr/bin/chromium)

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const BASE_URL = (process.env.YICHUANG_BASE_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');

// The default is relative to this folder (test/browser), whatever the current directory is;
// a relative YICHUANG_SCREENSHOTS is relative to the current directory.
export const SCREENSHOT_DIR = process.env.YICHUANG_SCREENSHOTS
  ? path.resolve(process.env.YICHUANG_SCREENSHOTS)
  : path.resolve(HERE, '../../var/test/screenshots');

export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
};

let browserPromise = null;

/* One browser per test file, started on first use. */
export function launch() {
  if (!browserPromise) {
    browserPromise = chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
  }
  return browserPromise;
}

export async function closeBrowser() {
  if (!browserPromise) return;
  const p = browserPromise;
  browserPromise = null;
  await (await p).close();
}

/* Absolute URL on the site under test: url('/') → http://127.0.0.1:18080/ */
export function url(p = '/') {
  return BASE_URL + (p.startsWith('/') ? p : `/${p}`);
}

const PROBLEMS = new WeakMap();

/*
 * Record, per page, everything that should never happen on a healthy page:
 *   consoleErrors  console.error and browser-logged errors (CSP violations, 404 resources…)
 *   pageErrors     uncaught exceptions
 *   failedRequests requests that got no response (network error, blocked, aborted)
 *   badResponses   responses with status ≥ 400
 * A test that provokes some on purpose calls resetProblems(page) afterwards, or ignores them.
 */
export function watch(page) {
  const p = { consoleErrors: [], pageErrors: [], failedRequests: [], badResponses: [] };
  PROBLEMS.set(page, p);
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      p.consoleErrors.push(`${msg.text()}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (err) => p.pageErrors.push(String(err && err.stack ? err.stack : err)));
  page.on('requestfailed', (req) => {
    const why = req.failure() ? req.failure().errorText : 'failed';
    // A search superseded by a newer one is aborted on purpose by the page.
    if (why === 'net::ERR_ABORTED' && req.resourceType() === 'fetch') return;
    // The tab's icon, dropped by the browser when the page moves on before it arrives.
    if (why === 'net::ERR_ABORTED' && new URL(req.url()).pathname === '/favicon.svg') return;
    p.failedRequests.push(`${req.method()} ${req.url()} ${why}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) p.badResponses.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  return p;
}

export function problems(page) {
  return PROBLEMS.get(page) || { consoleErrors: [], pageErrors: [], failedRequests: [], badResponses: [] };
}

export function resetProblems(page) {
  const p = problems(page);
  for (const k of Object.keys(p)) p[k].length = 0;
}

/* A flat list of every recorded problem, for assert.deepEqual(allProblems(page), []). */
export function allProblems(page) {
  const p = problems(page);
  return [
    ...p.pageErrors.map((s) => `page error: ${s}`),
    ...p.consoleErrors.map((s) => `console error: ${s}`),
    ...p.failedRequests.map((s) => `request failed: ${s}`),
    ...p.badResponses.map((s) => `bad response: ${s}`),
  ];
}

/*
 * A fresh phone (390×844 @2x, touch, zh-CN, Asia/Shanghai) in its own context, so
 * localStorage and cookies do not leak between tests. Close with page.context().close().
 */
export async function phonePage(options = {}) {
  const browser = await launch();
  const context = await browser.newContext({ ...PHONE, ...options });
  context.setDefaultTimeout(15000);
  context.setDefaultNavigationTimeout(30000);
  const page = await context.newPage();
  watch(page);
  return page;
}

/* Full-page PNG at SCREENSHOT_DIR/NAME.png; returns the path. */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/* GET a JSON API route from node (not the browser), for tests that need to know the data. */
export async function apiJson(p) {
  let res;
  try {
    res = await fetch(url(`/api/v1${p}`), { headers: { Accept: 'application/json' } });
  } catch (err) {
    throw new Error(`cannot reach the site at ${BASE_URL} (set YICHUANG_BASE_URL): ${err.cause?.code || err.message}`);
  }
  if (!res.ok) throw new Error(`GET /api/v1${p} → ${res.status}`);
  return res.json();
}

/* Poll fn (in node) until it returns a truthy value or the time runs out. */
export async function eventually(fn, { timeout = 10000, interval = 100, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${message}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
