// Shared helpers for the browser tests: Debian's Chromium driven by playwright-core.
//
//   import { BASE_URL, launch, phonePage, screenshot, problems, closeBrowser } from './lib.mjs';
//
// Environment:
//   YICHUANG_BASE_URL     site under test (default http://127.0.0.1:18080, the local nginx)
//   YICHUANG_SCREENSHOTS  where screenshots go (default ../../var/test/screenshots from here,
//                         i.e. var/test/screenshots at the repo root)
//   CHROMIUM              the browser binary (default /usr/bin/chromium)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  mkdir, open, rename, rm, stat, writeFile,
} from 'node:fs/promises';
import os from 'node:os';
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
    // A push subscription (Server-Sent Events) closed by the page, or by leaving it.
    if (why === 'net::ERR_ABORTED' && req.resourceType() === 'eventsource') return;
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

/* A hall screen (kiosk, window console, board: zh-CN, Asia/Shanghai, no touch) in its own
 * context; options for the context (viewport…).  Close with page.context().close(). */
export async function screenPage(options = {}) {
  const browser = await launch();
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  watch(page);
  return page;
}

/* The demo hall's first promised item of category B that asks for a required material and
 * is not 跨省通办 (whichever: suites before may add B items), as GET /items lists it. */
export async function promisedItemB() {
  const { items } = await apiJson('/items?hall=demo&category=B');
  const item = items.find((it) => it.kind === 'promised' && it.materials.some((m) => m.required)
    && !it.cross_province);
  assert.ok(item, 'a promised item of category B');
  return item;
}

/* fn(page) on a fresh page from open(options), its context closed afterwards whatever happens. */
async function onPage(open, fn, options) {
  const page = await open(options);
  try {
    return await fn(page);
  } finally {
    await page.context().close();
  }
}

/* fn(page) on a fresh phonePage(options) / screenPage(options) (a hall screen, a console: the
 * desktop), its context closed afterwards whatever happens:
 *   test('…', T, () => onPhonePage(async (page) => { … }));
 *   test('…', T, () => onScreenPage(async (page) => { … }, { viewport: SCREEN }));  */
export const onPhonePage = (fn, options = {}) => onPage(phonePage, fn, options);
export const onScreenPage = (fn, options = {}) => onPage(screenPage, fn, options);

/* Full-page PNG at SCREENSHOT_DIR/NAME.png; returns the path. */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // From the top: a sticky bar of a scrolled page would be drawn in the middle of the shot.
  await page.evaluate(() => window.scrollTo(0, 0));
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

/*
 * The accessibility check every page's test runs (citizen, staff, kiosk and board pages):
 *
 *   await checkA11y(page);                      // throws with every problem found, or returns []
 *   await checkA11y(page, { phone: true });     // also: tap targets of at least 44×44 px
 *
 * What it checks, on what is visible now (run it again after a step shows more):
 *   lang       <html lang="zh-CN">
 *   labels     every form control has an accessible name (a <label>, aria-label or
 *              aria-labelledby); every button and link says what it does; images have alt
 *   contrast   text against its background: at least 4.5:1, or 3:1 for large text
 *              (≥ 24 px, or ≥ 18.66 px bold) — WCAG 2.1 AA
 *   focus      no positive tabindex; Tab walks visible elements only, in reading order
 *              (document order), and each one shows a focus outline or ring
 *   targets    (opts.phone, default: viewport ≤ 480 px wide) buttons, links, selects, text
 *              fields, checkboxes and radios (or their label) at least opts.minTarget (44) px
 *              high and wide; links inside running text are exempt (WCAG 2.5.8)
 *   headings   one <h1> (opts.h1: false for a page that has none by design)
 *   text size  no visible text under opts.minText (12) px; chart text (SVG) counts at the
 *              size it is drawn, its font size scaled by the drawing
 *   large text where the page offers 长辈模式 (a .toggle-large button, or opts.large): with
 *              html.large the body text is at least 20 px and larger than without, and (on a
 *              phone) the page still has no horizontal scroll; the page is put back as it was
 * opts.ignore: CSS selectors whose elements (and their subtrees) are skipped, each with a
 * reason in the calling test.  opts.tabs: how many Tab presses to walk (default 60).
 */
export async function checkA11y(page, opts = {}) {
  const vp = page.viewportSize() || { width: 1366, height: 768 };
  const o = {
    phone: opts.phone ?? vp.width <= 480,
    minTarget: opts.minTarget ?? 44,
    ignore: opts.ignore || [],
    tabs: opts.tabs ?? 60,
    h1: opts.h1 ?? true,
    minText: opts.minText ?? 12,
    large: opts.large,
    width: vp.width,
  };
  const found = await page.evaluate((o) => {
    const out = [];
    const ignored = (e) => o.ignore.some((s) => e.closest(s));
    const visible = (e) => {
      if (!e.isConnected) return false;
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return false;
      const cs = getComputedStyle(e);
      return cs.visibility !== 'hidden' && cs.display !== 'none' && Number(cs.opacity) > 0;
    };
    const describe = (e) => {
      const t = (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
      return `<${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.trim().split(/\s+/).join('.')}` : ''}>${t ? ` "${t.slice(0, 30)}"` : ''}`;
    };
    const name = (e) => {
      if (e.getAttribute('aria-label')?.trim()) return e.getAttribute('aria-label').trim();
      const lb = e.getAttribute('aria-labelledby');
      if (lb) {
        const t = lb.split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ').trim();
        if (t) return t;
      }
      if (e.labels && e.labels.length) {
        const t = [...e.labels].map((l) => l.textContent).join(' ').trim();
        if (t) return t;
      }
      if (['button', 'a', 'summary'].includes(e.tagName.toLowerCase()) || e.getAttribute('role') === 'button') {
        const t = (e.textContent || '').trim();
        if (t) return t;
        const img = e.querySelector('img[alt]:not([alt=""]), svg[aria-label]');
        if (img) return img.getAttribute('alt') || img.getAttribute('aria-label');
      }
      if (e.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(e.type) && e.value) return e.value;
      if (e.getAttribute('title')?.trim()) return e.getAttribute('title').trim();
      return '';
    };

    // lang
    if (document.documentElement.getAttribute('lang') !== 'zh-CN') {
      out.push(`lang: <html lang="${document.documentElement.getAttribute('lang') || ''}">, want zh-CN`);
    }

    // labels
    const controls = [...document.querySelectorAll('input, select, textarea, button, a[href], summary, [role="button"]')]
      .filter((e) => !(e.tagName === 'INPUT' && e.type === 'hidden') && !ignored(e));
    for (const e of controls) {
      // A control the user cannot see is still announced, unless it is hidden from all.
      if (!visible(e) && !(e.tagName === 'INPUT' && ['file', 'checkbox', 'radio'].includes(e.type))) continue;
      if (e.closest('[hidden], [aria-hidden="true"]')) continue;
      if (!name(e)) out.push(`label: ${describe(e)} has no accessible name`);
    }
    for (const img of document.querySelectorAll('img')) {
      if (!ignored(img) && visible(img) && !img.hasAttribute('alt')) out.push(`label: <img src="${img.getAttribute('src')}"> has no alt`);
    }

    // contrast
    const parse = (c) => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return null;
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const blend = (top, under) => ({
      r: top.r * top.a + under.r * (1 - top.a),
      g: top.g * top.a + under.g * (1 - top.a),
      b: top.b * top.a + under.b * (1 - top.a),
      a: 1,
    });
    const background = (e) => {
      const layers = [];
      for (let n = e; n; n = n.parentElement) {
        const cs = getComputedStyle(n);
        if (cs.backgroundImage && cs.backgroundImage !== 'none' && !/gradient/.test(cs.backgroundImage)) return null;
        const c = parse(cs.backgroundColor);
        if (c && c.a > 0) {
          layers.push(c);
          if (c.a >= 1) break;
        }
      }
      let bg = { r: 255, g: 255, b: 255, a: 1 };
      for (let i = layers.length - 1; i >= 0; i--) bg = blend(layers[i], bg);
      return bg;
    };
    const seen = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (!t.textContent.trim()) continue;
      const e = t.parentElement;
      if (!e || seen.has(e) || ignored(e) || !visible(e)) continue;
      if (e.closest('[aria-hidden="true"], .skip-link, option, script, style, noscript')) continue;
      seen.add(e);
      const cs = getComputedStyle(e);
      const fg = parse(cs.color);
      const bg = background(e);
      if (!fg || !bg) continue;
      const fgc = blend(fg, bg);
      const l1 = lum(fgc), l2 = lum(bg);
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const px = parseFloat(cs.fontSize);
      const large = px >= 24 || (px >= 18.66 && Number(cs.fontWeight) >= 700);
      const need = large ? 3 : 4.5;
      if (ratio + 0.005 < need) out.push(`contrast: ${describe(e)} ${ratio.toFixed(2)}:1, want ${need}:1`);
    }

    // one h1
    if (o.h1) {
      const h1s = document.querySelectorAll('h1').length;
      if (h1s !== 1) out.push(`headings: ${h1s} <h1> elements, want 1`);
    }

    // text size (chart text at its drawn size)
    const small = new Set();
    const textWalker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let t = textWalker.nextNode(); t; t = textWalker.nextNode()) {
      const e = t.parentElement;
      if (!t.textContent.trim() || !e || small.has(e) || ignored(e)) continue;
      if (e.closest('[aria-hidden="true"], .skip-link, .visually-hidden, option, script, style, noscript')) continue;
      const svg = e.closest('svg');
      let px = parseFloat(getComputedStyle(e).fontSize);
      if (svg) {
        if (!visible(svg)) continue;
        const vb = svg.viewBox && svg.viewBox.baseVal;
        px *= vb && vb.width ? svg.getBoundingClientRect().width / vb.width : 1;
      } else if (!visible(e)) continue;
      if (px + 0.05 < o.minText) {
        small.add(e);
        out.push(`text size: "${t.textContent.trim().slice(0, 20)}" is ${px.toFixed(1)} px, want ≥ ${o.minText}`);
      }
    }

    // large-text mode
    const toggle = document.querySelector('.toggle-large');
    if (o.large ?? !!toggle) {
      const html = document.documentElement;
      const was = html.classList.contains('large');
      const size = () => parseFloat(getComputedStyle(document.body).fontSize);
      html.classList.remove('large');
      const normal = size();
      html.classList.add('large');
      const large = size();
      const scroll = document.scrollingElement.scrollWidth;
      html.classList.toggle('large', was);
      if (!(large >= 20 && large > normal)) out.push(`large text: body ${normal} px → ${large} px in 长辈模式, want ≥ 20 and larger`);
      if (o.width <= 480 && scroll > o.width + 1) out.push(`large text: the page scrolls sideways in 长辈模式 (${scroll} px wide)`);
    }

    // focus: no positive tabindex
    for (const e of document.querySelectorAll('[tabindex]')) {
      if (Number(e.getAttribute('tabindex')) > 0 && !ignored(e)) out.push(`focus: ${describe(e)} has tabindex=${e.getAttribute('tabindex')}`);
    }

    // tap targets
    if (o.phone) {
      const targets = [...document.querySelectorAll('a[href], button, select, input, textarea, summary, [role="button"]')]
        .filter((e) => !(e.tagName === 'INPUT' && e.type === 'hidden') && !ignored(e));
      for (const e of targets) {
        let box = e;
        if (e.tagName === 'INPUT' && ['checkbox', 'radio', 'file'].includes(e.type)) {
          const lab = e.closest('label') || (e.labels && e.labels[0]);
          if (!visible(e) && (!lab || !visible(lab))) continue;
          const r1 = e.getBoundingClientRect();
          if (lab && visible(lab)) {
            const r2 = lab.getBoundingClientRect();
            if (r2.height > r1.height || r2.width > r1.width) box = lab;
          }
        } else if (!visible(e)) continue;
        if (e.classList.contains('skip-link')) continue;
        // A link inside running text is exempt.
        if (e.tagName === 'A' && e.closest('p, dd, td') && getComputedStyle(e).display === 'inline') continue;
        const r = box.getBoundingClientRect();
        if (r.height + 0.5 < o.minTarget || r.width + 0.5 < o.minTarget) {
          out.push(`target: ${describe(e)} is ${Math.round(r.width)}×${Math.round(r.height)} px, want ≥ ${o.minTarget}×${o.minTarget}`);
        }
      }
    }
    return out;
  }, o);

  // focus order: Tab from the top of the page
  await page.evaluate(() => {
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    window.scrollTo(0, 0);
  });
  const focusProblems = [];
  let prev = null;
  for (let i = 0; i < o.tabs; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(({ prevIndex, ignore }) => {
      const e = document.activeElement;
      if (!e || e === document.body) return { done: true };
      const all = [...document.querySelectorAll('*')];
      const index = all.indexOf(e);
      const r = e.getBoundingClientRect();
      const cs = getComputedStyle(e);
      const shown = r.width > 0 && r.height > 0 && cs.visibility !== 'hidden';
      const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) ||
        (cs.boxShadow && cs.boxShadow !== 'none');
      const label = `<${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}> "${(e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 20)}"`;
      return {
        index, label, shown, ring, ignored: ignore.some((s) => e.closest(s)),
        wrapped: prevIndex !== null && index <= prevIndex,
      };
    }, { prevIndex: prev, ignore: o.ignore });
    if (f.done) break;
    if (f.wrapped) break; // back to the start (or into the browser UI and back)
    prev = f.index;
    if (f.ignored) continue;
    if (!f.shown) focusProblems.push(`focus: Tab reaches ${f.label}, which cannot be seen`);
    else if (!f.ring) focusProblems.push(`focus: ${f.label} shows no focus outline`);
  }
  const all = [...found, ...focusProblems];
  if (all.length && !opts.report) {
    const err = new Error(`accessibility (${page.url()}):\n  ${all.join('\n  ')}`);
    err.problems = all;
    throw err;
  }
  return all;
}

/* ---------- the test stack: its folder, its clock, its record ---------- */

export const INSTANCE = process.env.YICHUANG_INSTANCE || 'test';
export const ROOT = path.resolve(HERE, '../..');
const INSTANCE_VAR = path.resolve(ROOT, `var/${INSTANCE}`);
export const SMS_LOG = path.join(INSTANCE_VAR, 'sms.log');
/* The demo accounts' password (sql/seed). */
export const PASSWORD = 'yichuang-demo';

/* Move the hall clock (var/<instance>/clock, "BASE REAL") to an ISO instant; it runs on. */
export async function setClock(iso) {
  const clock = path.join(INSTANCE_VAR, 'clock');
  const base = Math.floor(Date.parse(iso) / 1000);
  await writeFile(`${clock}.tmp`, `${base} ${Math.floor(Date.now() / 1000)}\n`);
  await rename(`${clock}.tmp`, clock);
  await new Promise((r) => setTimeout(r, 50)); // the app looks at the file every 20 ms
}

/* A hall day for the tests of a file: the clock at iso, the kiosk signed in (its token). */
export async function openHallAt(iso) {
  await setClock(iso);
  return staffToken('kiosk1');
}

/* After them: the clock back where the stack started it, the browser closed. */
export async function closeHall() {
  await resetClock();
  await closeBrowser();
}

/* Put the hall clock back where the stack started it. */
export async function resetClock() {
  await rm(path.join(INSTANCE_VAR, 'clock'), { force: true });
}

/* SQL on the stack's database as the local superuser: the rows, tab-separated (trimmed). */
export function sql(text) {
  const user = process.getuid && process.getuid() === 0 ? 'root' : os.userInfo().username;
  return execFileSync('mariadb', ['--no-defaults', `--socket=${INSTANCE_VAR}/run/mysql.sock`,
    `-u${user}`, '--batch', '--skip-column-names', 'yichuang'], { input: text, encoding: 'utf8' }).trim();
}

/* ---------- people: phones, ID numbers, tokens ---------- */

/* An 11-digit mobile number starting with prefix ("15"), the rest random. */
export const randomPhone = (prefix) => `${prefix}${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;

/* A valid resident ID number (GB 11643 check digit) of its own: born 19<from…from+span> on
 * mmdd in region, a random sequence.  An ID number belongs to the first account that uses it
 * (实名, 一证一号), so a fresh citizen books or applies with a fresh one. */
export function idNumber(region, from, span, mmdd) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const seq = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
  const base = `${region}19${from + Math.floor(Math.random() * span)}${mmdd}${seq}`;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(base[i]) * w[i];
  return base + '10X98765432'[sum % 11];
}

/* A JSON API call from node: { status, data } (data: the parsed body, the text when it is not
 * JSON, null when empty; also as json). */
export async function api(method, p, { token, body, headers } = {}) {
  const h = { Accept: 'application/json', ...(headers || {}) };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(url(`/api/v1${p}`), {
    method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { status: res.status, data, json: data };
}

/* A demo staff member's token (POST /staff/login), at a window when windowNo is given. */
export async function staffToken(username, windowNo) {
  const body = { hall: 'demo', username, password: PASSWORD };
  if (windowNo) body.window = windowNo;
  const r = await api('POST', '/staff/login', { body });
  assert.equal(r.status, 200, `${username} signs in: ${JSON.stringify(r.data)}`);
  return r.data.token;
}

/* The window console (console.html): a demo clerk signs in at window windowNo with
 * 签到并开始叫号; the caller waits for what the window shows. */
export async function signInConsole(page, user, windowNo) {
  await page.goto(url('/console.html'), { waitUntil: 'domcontentloaded' });
  await page.getByRole('heading', { name: '窗口签到' }).waitFor();
  await page.getByLabel('服务大厅').selectOption('demo');
  await page.getByLabel('账号').fill(user);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.locator('#signin-form').getByLabel('窗口号').fill(String(windowNo));
  await page.getByRole('button', { name: '签到并开始叫号' }).click();
}

/* POST /cases as the bearer of token (a clerk at a window) with body, which must answer 201:
 * the case ({ no, track_token, … }). */
export async function acceptCase(token, body) {
  const r = await api('POST', '/cases', { token, body });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  return r.data.case;
}

/* A new citizen (a fresh phone starting with prefix, signed in by SMS) books the first slot of
 * category on date with places left, as name with ID number idNo; the booking must be made
 * (201).  { phone, start: the slot's "HH:MM" }. */
export async function bookFreeSlot(prefix, category, date, name, idNo) {
  const phone = randomPhone(prefix);
  const token = await citizenToken(phone);
  const r = await api('GET', `/halls/demo/slots?category=${category}&date=${date}`);
  assert.equal(r.status, 200);
  const free = r.data.slots.find((x) => x.remaining > 0);
  assert.ok(free, `a free ${category} slot on ${date}`);
  const booked = await api('POST', '/appointments', {
    token, body: { hall: 'demo', category, slot: free.id, name, id_number: idNo },
  });
  assert.equal(booked.status, 201, JSON.stringify(booked.data));
  return { phone, start: `${free.id.slice(11, 13)}:${free.id.slice(13, 15)}` };
}

/* On the slot-plan page (staff/admin/slots.html), 保存预约时段 for places below one booking:
 * the page asks first, counting it.  The dialog, still open. */
export async function planSaveAsked(page) {
  await page.getByRole('button', { name: '保存预约时段' }).click();
  const dialog = page.getByRole('alertdialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /1 个预约/);
  return dialog;
}

/* The same save again, confirmed: the page says the booking was cancelled and told. */
export async function planSaveConfirmed(page) {
  const dialog = await planSaveAsked(page);
  await dialog.getByRole('button', { name: '确认取消并短信通知' }).click();
  await eventually(async () => /已取消 1 个预约并短信通知/.test(await page.locator('#plan-result').innerText()),
    { message: 'the result says one booking was cancelled' });
}

/* The codes of an item's required materials (GET /items/{item}). */
export async function requiredCodes(item) {
  const it = await apiJson(`/items/${item}`);
  return it.item.materials.filter((m) => m.required).map((m) => m.code);
}

/* allProblems but for the refusals a test provoked on purpose: a bad response with status
 * whose request (method and URL: "PUT http://…/hours/…") matches request, and the console's
 * "status of <status>" lines. */
export function problemsBut(page, status, request) {
  const bad = `bad response: ${status} `;
  return allProblems(page).filter((x) => !(x.startsWith(bad) && request.test(x.slice(bad.length)))
    && !x.includes(`status of ${status}`));
}

/* Empty a window: finish its current ticket, call away whatever its categories hold. */
export async function drainWindow(token, w) {
  const v = await api('GET', `/windows/${w}`, { token });
  assert.equal(v.status, 200);
  if (v.data.current) {
    const outcome = v.data.current.status === 'serving' ? 'done' : 'no_show';
    await api('POST', `/windows/${w}/finish`, { token, body: { outcome } });
  }
  for (;;) {
    const r = await api('POST', `/windows/${w}/call-next`, { token });
    if (r.status === 204) return;
    assert.equal(r.status, 200);
    await api('POST', `/windows/${w}/finish`, { token, body: { outcome: 'no_show' } });
  }
}

/* Current size of the SMS log: pass it to smsSince to see only what comes after. */
export async function smsLogSize() {
  try {
    return (await stat(SMS_LOG)).size;
  } catch {
    return 0;
  }
}

/* The last SMS of `template` to `phone` written after byte `since` of the SMS log. */
export async function smsSince(phone, template, since, timeout = 20000) {
  return eventually(async () => {
    let fh;
    try {
      fh = await open(SMS_LOG, 'r');
    } catch {
      return null;
    }
    try {
      const { size } = await fh.stat();
      const buf = Buffer.alloc(Math.max(0, size - since));
      await fh.read(buf, 0, buf.length, since);
      let found = null;
      for (const line of buf.toString('utf8').split('\n')) {
        try {
          const j = JSON.parse(line);
          if (j.phone === phone && j.template === template) found = j;
        } catch { /* a line being written */ }
      }
      return found;
    } finally {
      await fh.close();
    }
  }, { timeout, message: `${template} for ${phone} in ${SMS_LOG}` });
}

/* The login code sent to phone after byte `since` of the SMS log. */
export async function loginCode(phone, since) {
  return (await smsSince(phone, 'login_code', since, 15000)).params.code;
}

/* A citizen's token through the API, the way the sign-in page gets one: a code by SMS
 * (POST /auth/sms-code, read from the instance's log), then POST /auth/sms-login. */
export async function citizenToken(phone) {
  const since = await smsLogSize();
  const r = await api('POST', '/auth/sms-code', { body: { phone, purpose: 'login' } });
  assert.equal(r.status, 202, `sms-code: ${JSON.stringify(r.data)}`);
  const code = await loginCode(phone, since);
  const login = await api('POST', '/auth/sms-login', { body: { phone, code } });
  assert.equal(login.status, 200, `sms-login: ${JSON.stringify(login.data)}`);
  return login.data.token;
}

/* ---------- pages: signing in, how a page measures ---------- */

/* Sign a citizen in through the API and give the page the session, as login.html would
 * (for tests about other pages).  Returns the token. */
export async function signInCitizen(page, phone) {
  const since = await smsLogSize();
  const r = await api('POST', '/auth/sms-code', { body: { phone, purpose: 'login' } });
  if (r.status !== 202) throw new Error(`sms-code → ${r.status}`);
  const sms = await smsSince(phone, 'login_code', since);
  const login = await api('POST', '/auth/sms-login', { body: { phone, code: sms.params.code } });
  if (login.status !== 200) throw new Error(`sms-login → ${login.status}`);
  await page.goto(url('/login.html'), { waitUntil: 'domcontentloaded' });
  await page.evaluate(([t, c]) => {
    window.localStorage.setItem('yichuang.token', t);
    if (c) window.localStorage.setItem('yichuang.csrf', c);
  }, [login.data.token, login.data.csrf]);
  return login.data.token;
}

/* Sign in on a staff page's own sign-in form (#signin-form), at a window when given; returns
 * when `ready` (the page's signed-in state) shows. */
export async function signInStaffForm(page, user, windowNo, ready = '#content:not([hidden])') {
  const form = page.locator('#signin-form');
  await form.waitFor();
  await page.getByLabel('用户名').fill(user);
  await page.getByLabel('密码').fill(PASSWORD);
  if (windowNo) await page.getByLabel(/窗口号/).fill(String(windowNo));
  await form.getByRole('button', { name: '登录' }).click();
  await page.locator(ready).waitFor({ timeout: 30000 });
}

/* The staff sign-in page (staff/login.html) of a city with several halls asks which hall:
 * choose code once the list has loaded. */
export async function chooseHall(page, code = 'demo') {
  const hall = page.getByLabel('服务大厅');
  await hall.locator(`option[value="${code}"]`).waitFor({ state: 'attached' });
  await hall.selectOption(code);
}

/* Open the kiosk page on page and sign the device in as kiosk1 of the demo hall on its own
 * form (取号机登录); returns once the form is sent. */
export async function signInKiosk(page) {
  await page.goto(url('/kiosk.html'), { waitUntil: 'domcontentloaded' });
  await page.getByRole('heading', { name: '取号机登录' }).waitFor();
  await page.getByLabel('服务大厅').selectOption('demo');
  await page.getByLabel('账号').fill('kiosk1');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
}

export const scrollWidth = (page) => page.evaluate(() => document.scrollingElement.scrollWidth);
export const bodyFontPx = (page) => page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));

/* A phone page's basics: zh-CN, one h1, the landmarks, every visible control labelled, touch
 * targets (the `targets` selector) at least 44×44px — links in running text and the footer
 * exempt when inlineExempt — and no horizontal scroll at 390px. */
export async function accessible(page, { targets = 'button, input, a', inlineExempt = true } = {}) {
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1, 'one h1');
  for (const role of ['banner', 'main', 'contentinfo']) {
    assert.ok(await page.getByRole(role).count() >= 1, `a ${role} landmark`);
  }
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select')]
    .filter((n) => n.type !== 'hidden' && n.offsetParent !== null && n.labels.length === 0)
    .map((n) => n.outerHTML));
  assert.deepEqual(unlabelled, [], 'every visible form control has a label');
  const small = await page.evaluate(([sel, exempt]) => [...document.querySelectorAll(sel)]
    .filter((n) => n.offsetParent !== null && !n.classList.contains('skip-link')
      && !(exempt && (n.closest('.site-footer') || n.closest('p'))))
    .map((n) => [n.textContent.trim() || n.outerHTML.slice(0, 60), n.getBoundingClientRect()])
    .filter(([, r]) => r.height < 44 || r.width < 44)
    .map(([name, r]) => `${name} ${Math.round(r.width)}×${Math.round(r.height)}`), [targets, inlineExempt]);
  assert.deepEqual(small, [], 'touch targets are at least 44×44px');
  assert.ok(await scrollWidth(page) <= 390, 'no horizontal scroll at 390px');
}
