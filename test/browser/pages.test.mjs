// Every citizen page on a phone: the one skeleton (js/layout.js) and the accessibility check.
//
//  * Each page has the shared top bar (brand, 登录 when signed out, 长辈模式) and the site nav
//    once, with the page's own entry marked as the current one; none repeats its own.
//  * checkA11y (lib.mjs: lang, labels, contrast, focus order, 44 px tap targets) passes on
//    each page signed out and signed in, in normal and in 长辈模式, with no console errors.
// The journeys themselves are walked in home, appointments, online, tracking, queue and
// dashboard tests; this file is the sweep that no citizen page is left out of.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, allProblems, closeBrowser, checkA11y, signInCitizen, eventually, randomPhone,
  onPhonePage,
} from './lib.mjs';

const T = { timeout: 120000 };
after(closeBrowser);

// path → [nav entry marked current or null, what shows the page has loaded]
const PAGES = [
  ['/', '/', '#item-list[aria-busy="false"] > li'],
  ['/book.html', '/book.html', '#cat-list > li'],
  ['/apply.html', '/apply.html', '#need-login:not([hidden]), #apply-form:not([hidden]) #what optgroup'],
  ['/appointments.html', '/appointments.html', '#sign-in:not([hidden]), #lists:not([hidden]) #upcoming[aria-busy="false"]'],
  ['/my-cases.html', '/my-cases.html', '#need-login:not([hidden]), #status, #list'],
  ['/complaint.html', null, '#need-login:not([hidden]), #cp-mine:not([hidden])'],
  ['/proxy.html', '/book.html', 'main h2'],
  ['/login.html', null, '#phone, input[type="tel"]'],
  ['/review.html?ticket=nosuchticket0000', null, '#rv-missing:not([hidden])'],
  ['/q.html', null, 'main'],
  ['/t.html', null, 'main'],
  ['/v.html', null, '#how-title'],
];

async function sweep(page, { signedIn }) {
  const seen = [];
  for (const [p, current, ready] of PAGES) {
    await page.goto(url(p), { waitUntil: 'domcontentloaded' });
    await page.locator(ready).first().waitFor({ state: 'attached' });
    await page.waitForLoadState('networkidle');
    // One skeleton: one top bar, one site nav, one 长辈模式 toggle.
    assert.equal(await page.locator('.topbar').count(), 1, `${p}: one top bar`);
    assert.equal(await page.locator('nav.site-nav').count(), 1, `${p}: one site nav`);
    assert.equal(await page.getByRole('button', { name: '长辈模式' }).count(), 1, `${p}: the 长辈模式 toggle`);
    const marked = await page.locator('nav.site-nav a[aria-current="page"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(marked, current ? [current] : [], `${p}: the current nav entry`);
    const login = page.locator('#top-login');
    if (signedIn || p === '/login.html') assert.equal(await login.count(), 0, `${p}: no 登录 when signed in`);
    else assert.match(await login.getAttribute('href'), /^\/login\.html\?next=/, `${p}: 登录 comes back here`);
    await checkA11y(page);
    // The same page in 长辈模式.
    await page.getByRole('button', { name: '长辈模式' }).tap();
    await eventually(() => page.evaluate(() => document.documentElement.classList.contains('large')),
      { message: '长辈模式 on' });
    assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth) <= 390, `${p}: no horizontal scroll in 长辈模式`);
    await checkA11y(page);
    await page.getByRole('button', { name: '长辈模式' }).tap();
    seen.push(p);
  }
  return seen;
}

test('every citizen page, signed out: one skeleton, accessible, no console errors', T, () => onPhonePage(async (page) => {
  const seen = await sweep(page, { signedIn: false });
  assert.equal(seen.length, PAGES.length);
  // The review link of an unknown ticket answers 404 on purpose; nothing else may fail.
  const unexpected = allProblems(page).filter((x) => !/nosuchticket0000/.test(x));
  assert.deepEqual(unexpected, []);
}));

test('every citizen page, signed in: one skeleton, accessible, no console errors', T, () => onPhonePage(async (page) => {
  await signInCitizen(page, randomPhone('17'));
  const seen = await sweep(page, { signedIn: true });
  assert.equal(seen.length, PAGES.length);
  const unexpected = allProblems(page).filter((x) => !/nosuchticket0000/.test(x));
  assert.deepEqual(unexpected, []);
}));
