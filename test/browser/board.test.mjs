// The hall's display board (board.html, js/board.js) as the hall sees it on its TV.
//
//  * A call made at a window appears on the board within a second: the number and the window
//    in the big "now" box and in the window's row, the words in the board's live region
//    (aria-live="assertive", read out by a screen reader) and, with the voice on, spoken in
//    Mandarin (the page's speechSynthesis is recorded here: the test fails if nothing is said).
//  * A full board (all nine windows called, seven categories waiting) fits a 1920×1080 and a
//    1280×720 screen: no scrolling, every row on screen, no text under 20 px (read from
//    across the hall), and checkA11y (lib.mjs: lang, one h1, labels, contrast…) passes.
// The hall clock of the instance is moved to Wed 2026-12-16 10:00, a day no other test uses.
// Screenshots: board-1080, board-720.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, launch, watch, screenshot, allProblems, closeBrowser, eventually, checkA11y, setClock,
  resetClock, api as call, staffToken as login, drainWindow as drain,
} from './lib.mjs';

const T = { timeout: 120000 };
const DIGITS = '零一二三四五六七八九';

async function take(category) {
  const r = await call('POST', '/halls/demo/tickets', { token: kiosk, body: { category } });
  assert.equal(r.status, 201, `a ${category} ticket: ${JSON.stringify(r.json)}`);
  return r.json.ticket;
}

/* A TV-sized page whose speech is recorded (window.__spoken) instead of played. */
async function boardPage(viewport) {
  const browser = await launch();
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15000);
  await context.addInitScript(() => {
    window.__spoken = [];
    const synth = {
      speak: (u) => window.__spoken.push(u.text),
      cancel: () => {},
      getVoices: () => [],
    };
    Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
  });
  const page = await context.newPage();
  watch(page);
  await page.goto(url('/board.html?hall=demo'), { waitUntil: 'domcontentloaded' });
  await page.locator('#waiting li[data-code="A"]').waitFor();
  return page;
}

let kiosk;
const clerks = new Map();

before(async () => {
  await setClock('2026-12-16T10:00:00+08:00');
  kiosk = await login('kiosk1');
  for (let w = 1; w <= 9; w++) {
    clerks.set(w, await login(`clerk${w}`, w));
    await drain(clerks.get(w), w);
  }
  // The calls made here must be the newest of the day, also when this file runs again on the
  // same stack (the clock then starts again at 10:00, behind the calls of the last run).
  const board = (await call('GET', '/halls/demo/board')).json;
  const latest = Math.max(...board.calls.map((c) => Date.parse(c.at)), Date.parse(board.now));
  await setClock(new Date(latest + 60000).toISOString());
});

after(async () => {
  for (const [w, token] of clerks) await drain(token, w);
  await resetClock();
  await closeBrowser();
});

test('a call appears on the board at once, in its live region and spoken', T, async () => {
  const page = await boardPage({ width: 1920, height: 1080 });
  try {
    // The voice is turned on as the hall does it: one press of the button.
    await page.getByRole('button', { name: '开启语音播报' }).click();
    assert.equal(await page.getByRole('button', { name: /语音播报/ }).getAttribute('aria-pressed'), 'true');
    const live = page.locator('#announce');
    assert.equal(await live.getAttribute('aria-live'), 'assertive', 'calls are announced by screen readers');
    assert.equal(await live.getAttribute('aria-atomic'), 'true', 'the whole call is read, not the changed part');
    const t = await take('C');
    await page.waitForTimeout(500);	// the board holds a long poll now
    await page.evaluate(() => { window.__spoken.length = 0; });

    const t0 = Date.now();
    const r = await call('POST', '/windows/5/call-next', { token: clerks.get(5) });
    assert.equal(r.status, 200);
    assert.equal(r.json.ticket.number, t.number);
    await page.locator('#now-number', { hasText: t.number }).waitFor({ timeout: 2000 });
    assert.ok(Date.now() - t0 < 2000, `shown in ${Date.now() - t0} ms`);
    assert.equal(await page.locator('#now-window').innerText(), '5');
    assert.equal(await page.locator('#calls li[data-window="5"] .q-number').innerText(), t.number);
    assert.equal(await live.innerText(), `请 ${t.number} 号到 5 号窗口办理`);
    const said = `请 ${t.number.replace(/\d/g, (d) => DIGITS[Number(d)])} 号到 5 号窗口办理`;
    await eventually(() => page.evaluate(() => window.__spoken.length >= 2), { message: 'the call spoken' });
    assert.deepEqual(await page.evaluate(() => window.__spoken), [said, said], 'spoken twice, digit by digit');

    // A recall is announced and spoken again.
    await page.evaluate(() => { window.__spoken.length = 0; });
    await page.evaluate(() => { document.getElementById('announce').textContent = ''; });
    assert.equal((await call('POST', '/windows/5/recall', { token: clerks.get(5) })).status, 200);
    await eventually(async () => (await live.innerText()) === `请 ${t.number} 号到 5 号窗口办理`,
      { message: 'the recall announced', timeout: 3000 });
    await eventually(() => page.evaluate(() => window.__spoken.length >= 2), { message: 'the recall spoken', timeout: 3000 });
    assert.deepEqual(allProblems(page), []);
  } finally {
    await page.context().close();
    await drain(clerks.get(5), 5);
  }
});

test('a full board fits 1920×1080 and 1280×720, readable from afar and accessible', T, async () => {
  // Every window has called someone; every category has people waiting.
  const order = [[4, 'B'], [5, 'C'], [6, 'D'], [7, 'E'], [1, 'A'], [2, 'A'], [3, 'A'], [8, 'A'], [9, 'Z']];
  for (const [, c] of order) await take(c);
  for (const [w] of order) assert.equal((await call('POST', `/windows/${w}/call-next`, { token: clerks.get(w) })).status, 200);
  for (const c of ['A', 'A', 'B', 'C', 'D', 'E', 'F', 'F', 'Z']) await take(c);

  for (const [viewport, name] of [[{ width: 1920, height: 1080 }, 'board-1080'], [{ width: 1280, height: 720 }, 'board-720']]) {
    const page = await boardPage(viewport);
    try {
      await eventually(async () => (await page.locator('#calls li').count()) === 9, { message: 'nine windows on the board' });
      await eventually(async () => (await page.locator('#waiting li[data-code="F"] .count').innerText()) === '2 人',
        { message: 'F waiting' });
      const fit = await page.evaluate(() => {
        const out = [];
        const W = window.innerWidth, H = window.innerHeight;
        const se = document.scrollingElement;
        if (se.scrollWidth > W || se.scrollHeight > H) out.push(`the page scrolls: ${se.scrollWidth}×${se.scrollHeight}`);
        for (const n of document.querySelectorAll('#now, #calls li, #waiting li, #voice, #conn, #clock, h1, h2')) {
          const r = n.getBoundingClientRect();
          if (r.left < 0 || r.top < 0 || r.right > W + 0.5 || r.bottom > H + 0.5) out.push(`${n.id || n.textContent.trim().slice(0, 12)} off screen`);
          if (n.scrollWidth > n.clientWidth + 1 && getComputedStyle(n).overflow !== 'visible') out.push(`${n.id || n.textContent.trim().slice(0, 12)} cut off`);
        }
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let t = walker.nextNode(); t; t = walker.nextNode()) {
          const e = t.parentElement;
          if (!t.textContent.trim() || e.closest('.visually-hidden') || !e.getClientRects().length) continue;
          const px = parseFloat(getComputedStyle(e).fontSize);
          if (px < 20) out.push(`"${t.textContent.trim().slice(0, 12)}" ${px.toFixed(1)} px`);
        }
        const big = parseFloat(getComputedStyle(document.getElementById('now-number')).fontSize);
        if (big < 96) out.push(`the called number is ${big} px`);
        return out;
      });
      assert.deepEqual(fit, [], `${name}: fits and reads from afar`);
      await checkA11y(page);
      await screenshot(page, name);
      assert.deepEqual(allProblems(page), []);
    } finally {
      await page.context().close();
    }
  }
});
