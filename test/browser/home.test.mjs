// The citizen home page (nginx/site/index.html) on a phone, as a citizen sees it.
//
// Runs against a live site: YICHUANG_BASE_URL (default http://127.0.0.1:18080) with the demo
// seed (hall "demo", categories A–F, ~20 items). Item names are read from the API here, never
// hard-coded. Screenshots: home.png, home-large.png in SCREENSHOT_DIR (see lib.mjs).
//
//   cd test/browser && node --test

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenshot, allProblems, resetProblems, closeBrowser, apiJson, eventually,
  checkA11y, bodyFontPx, scrollWidth,
  onPhonePage,
} from './lib.mjs';

const CATEGORIES = [
  ['A', '无差别受理'],
  ['B', '市场准入'],
  ['C', '建设工程'],
  ['D', '不动产登记'],
  ['E', '社会事务'],
  ['F', '跨省通办'],
  ['Z', '咨询导办'],
];

const T = { timeout: 60000 };

let hall;
let allItems;

before(async () => {
  const { halls } = await apiJson('/halls');
  assert.ok(Array.isArray(halls) && halls.length > 0, 'GET /halls lists at least one hall');
  [hall] = halls;
  ({ items: allItems } = await apiJson(`/items?hall=${encodeURIComponent(hall.code)}`));
  assert.ok(Array.isArray(allItems) && allItems.length > 0, 'the demo hall has items in its guide');
});

after(closeBrowser);

const queue = (page) => page.getByRole('region', { name: '今日排队' });
const guide = (page) => page.getByRole('region', { name: '办事指南' });
const guideItems = (page) => guide(page).locator('#item-list > li');
const toggle = (page) => page.getByRole('button', { name: '长辈模式' });

/* Open a page of the site and wait until the queue cards and the guide have loaded. */
async function openHome(page, path = '/') {
  await page.goto(url(path), { waitUntil: 'domcontentloaded' });
  await loaded(page);
}

async function loaded(page) {
  await page.locator('#cat-list[aria-busy="false"] > li').first().waitFor();
  await page.locator('#item-list[aria-busy="false"] > li').first().waitFor();
}

/* Wait for the guide to settle after a search, then read the item names it shows. */
async function shownItemNames(page, expectedCount) {
  await eventually(async () => (await page.locator('#item-list[aria-busy="false"]').count()) === 1
      && (await guideItems(page).count()) === expectedCount,
  { message: `${expectedCount} items in the guide` });
  return guideItems(page).locator('summary .item-name').allTextContents();
}

test('a citizen sees the hall and today\'s queue for each category', T, () => onPhonePage(async (page) => {
  await openHome(page);

  const h1 = page.getByRole('heading', { level: 1 });
  await eventually(async () => (await h1.textContent()).trim() === hall.name,
    { message: `the h1 to read ${hall.name}` });
  if (hall.address) assert.ok(await page.getByText(hall.address).isVisible(), 'address shown');
  if (hall.open && hall.close) {
    const header = await page.getByRole('banner').innerText();
    assert.ok(header.includes(hall.open) && header.includes(hall.close), 'opening hours shown');
  }

  const cards = queue(page).getByRole('listitem');
  assert.equal(await cards.count(), CATEGORIES.length, 'a card per category, 咨询导办 included');
  for (const [code, name] of CATEGORIES) {
    const card = cards.filter({ hasText: name });
    assert.equal(await card.count(), 1, `one card named ${name}`);
    const text = (await card.innerText()).replace(/\s+/g, ' ').trim();
    assert.ok(text.startsWith(code), `the ${name} card shows the letter ${code}: "${text}"`);
    assert.match(text, /等候 ?\d+ ?人/, `the ${name} card shows a waiting count: "${text}"`);
    assert.ok(await card.isVisible(), `the ${name} card is visible`);
  }
  // Two cards side by side on a phone.
  const [a, b] = [await cards.nth(0).boundingBox(), await cards.nth(1).boundingBox()];
  assert.equal(Math.round(a.y), Math.round(b.y), 'A and B share a row');

  assert.ok(await scrollWidth(page) <= 390, 'no horizontal scroll at 390px');
  await screenshot(page, 'home');
  assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
}));

test('the page is built to be accessible', T, () => onPhonePage(async (page) => {
  await openHome(page);
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  for (const role of ['banner', 'navigation', 'main', 'contentinfo']) {
    assert.ok(await page.getByRole(role).count() >= 1, `a ${role} landmark`);
  }
  const levels = await page.evaluate(() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
    .map((h) => Number(h.tagName[1])));
  assert.equal(levels[0], 1, 'the first heading is the h1');
  assert.equal(levels.filter((l) => l === 1).length, 1, 'one h1');
  levels.forEach((l, i) => {
    if (i > 0) assert.ok(l <= levels[i - 1] + 1, `heading levels do not skip: ${levels.join(',')}`);
  });
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((n) => n.type !== 'hidden' && n.labels.length === 0 && !n.getAttribute('aria-label'))
    .map((n) => n.outerHTML));
  assert.deepEqual(unlabelled, [], 'every form control has a label');
  const small = await page.evaluate(() => [...document.querySelectorAll('button, summary, select, input, nav a')]
    .filter((n) => n.offsetParent !== null)
    .map((n) => [n.textContent.trim() || n.outerHTML.slice(0, 60), n.getBoundingClientRect()])
    .filter(([, r]) => r.height < 44 || r.width < 44)
    .map(([name, r]) => `${name} ${Math.round(r.width)}×${Math.round(r.height)}`));
  assert.deepEqual(small, [], 'touch targets are at least 44×44px');
  assert.equal(await page.locator('[aria-live="polite"]').count() >= 1, true, 'a polite live region');
  await checkA11y(page);
  // And with the guide open and 长辈模式 on.
  await page.locator('details.item summary').first().tap();
  await checkA11y(page);
  await toggle(page).tap();
  await checkA11y(page);
  await toggle(page).tap();
}));

test('the service guide lists every item and expands one to its materials', T, () => onPhonePage(async (page) => {
  await openHome(page);
  await shownItemNames(page, allItems.length);

  const item = allItems.find((it) => Array.isArray(it.materials) && it.materials.length > 0);
  assert.ok(item, 'at least one seeded item has materials');
  const details = guide(page).locator('details').filter({
    has: page.locator('summary').getByText(item.name, { exact: true }),
  }).first();
  const summary = details.locator('summary');
  const summaryText = await summary.innerText();
  if (item.kind === 'instant') assert.ok(summaryText.includes('即办件'), summaryText);
  else assert.ok(summaryText.includes(`承诺 ${item.promised_days} 个工作日`), summaryText);
  if (item.cross_province) assert.ok(summaryText.includes('跨省通办'), summaryText);

  const first = details.getByRole('listitem').filter({ hasText: item.materials[0].name }).first();
  assert.equal(await first.isVisible(), false, 'materials hidden before expanding');
  await summary.tap();
  await first.waitFor({ state: 'visible' });
  assert.equal(await details.getAttribute('open'), '', 'details open');

  const body = await details.innerText();
  // The department by its name, never its code (scjg, bdc…).
  assert.ok(body.includes(item.department_name), 'department shown by name');
  assert.ok(!new RegExp(`\\b${item.department}\\b`).test(body), `no raw code ${item.department}`);
  for (const m of item.materials) {
    const row = details.getByRole('listitem').filter({ hasText: m.name }).first();
    const want = !m.required ? '可选' : m.waivable ? '可容缺' : '必需';
    const rowText = await row.innerText();
    assert.ok(rowText.includes(want), `material ${m.name} is marked ${want}: "${rowText}"`);
  }
  assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
}));

test('searching and filtering narrow the guide', T, async () => {
  // An item whose full name is not part of another item's name: searching it finds it alone
  // (or at least fewer than all, whatever the server's matching adds).
  const target = allItems.find((it) => !allItems.some((o) => o !== it && o.name.includes(it.name)))
    || allItems[0];
  const hallQ = `hall=${encodeURIComponent(hall.code)}`;
  const { items: found } = await apiJson(`/items?${hallQ}&q=${encodeURIComponent(target.name)}`);
  assert.ok(found.some((it) => it.id === target.id), 'the API finds the item by its name');

  await onPhonePage(async (page) => {
    await openHome(page);
    await shownItemNames(page, allItems.length);

    const box = page.getByLabel('搜索事项', { exact: true });
    await box.fill(target.name);
    const names = await shownItemNames(page, found.length);
    assert.deepEqual(names.sort(), found.map((it) => it.name).sort(), 'the page shows what the API found');
    assert.ok(names.includes(target.name), `${target.name} is listed`);
    if (allItems.length > 1) assert.ok(names.length < allItems.length, 'the list got shorter');
    assert.match(await page.locator('#guide-count').innerText(), /找到 \d+ 项/);

    await box.fill('');
    await shownItemNames(page, allItems.length);

    const cat = target.category;
    const { items: inCat } = await apiJson(`/items?${hallQ}&category=${encodeURIComponent(cat)}`);
    await page.getByLabel('事项类别').selectOption(cat);
    const catNames = await shownItemNames(page, inCat.length);
    assert.deepEqual(catNames.sort(), inCat.map((it) => it.name).sort(), `category ${cat} filter`);
    assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
  });
});

test('from the home page a visitor finds 营业执照 and goes on to book or apply', T, () => onPhonePage(async (page) => {
  await openHome(page);
  // Every journey starts here: booking, applying, my bookings and cases, signing in.
  const hub = page.getByRole('navigation', { name: '我要办事' });
  for (const name of ['预约办事', '网上申请', '排队情况', '办事指南', '我的预约', '我的申请']) {
    assert.ok(await hub.getByRole('link', { name: new RegExp(name) }).isVisible(), `${name} on the home page`);
  }
  assert.ok(await page.getByRole('link', { name: '登录', exact: true }).isVisible(), '登录 in the top bar');

  // What people call it, not the item's official name: typed as a person types it.
  const box = page.getByLabel('搜索事项', { exact: true });
  await box.tap();
  await box.pressSequentially('营业执照', { delay: 30 });
  const { items: want } = await apiJson(`/items?hall=${hall.code}&q=${encodeURIComponent('营业执照')}`);
  assert.ok(want.some((it) => it.name === '个体工商户设立登记'), 'the API finds 设立登记 by 营业执照');
  const names = await shownItemNames(page, want.length);
  assert.ok(names.includes('个体工商户设立登记') && names.includes('有限责任公司设立登记'), names.join('、'));
  await screenshot(page, 'home-search');

  // A shorter word finds them too.
  await box.fill('');
  await shownItemNames(page, allItems.length);
  await box.pressSequentially('执照', { delay: 30 });
  await eventually(() => new URL(page.url()).searchParams.get('q') === '执照', { message: 'the search for 执照' });
  assert.ok((await shownItemNames(page, want.length)).includes('个体工商户设立登记'));

  // Open the item: 预约 leads to booking with its category chosen.
  const item = guideItems(page).filter({ hasText: '个体工商户设立登记' }).first();
  await item.locator('summary').tap();
  await checkA11y(page);
  await screenshot(page, 'home-item');
  assert.ok(await item.getByRole('link', { name: '在线办理' }).isVisible());
  await item.getByRole('link', { name: '预约', exact: true }).tap();
  await page.waitForURL(/\/book\.html\?.*category=B/);
  await page.locator('#step-2:not([hidden])').waitFor();
  assert.match(await page.locator('#picked-2').innerText(), /市场准入/);
  await page.locator('#step-2 button.choice:not([disabled])').first().waitFor();

  // 在线办理 leads to the application form with the item chosen (after signing in).
  await page.goBack();
  const again = guideItems(page).filter({ hasText: '个体工商户设立登记' }).first();
  await again.locator('summary').waitFor();
  if (!(await again.getByRole('link', { name: '在线办理' }).isVisible())) {
    await again.locator('summary').tap();
  }
  await again.getByRole('link', { name: '在线办理' }).tap();
  await page.waitForURL(/\/apply\.html\?item=IT-B-001/);
  await page.locator('#need-login:not([hidden])').waitFor();
  assert.match(await page.getByRole('link', { name: '手机号登录' }).getAttribute('href'),
    /next=%2Fapply\.html%3Fitem%3DIT-B-001/);
  await checkA11y(page);
  assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
}));

test('长辈模式 raises the text to ≥ 22px and is remembered', T, () => onPhonePage(async (page) => {
  await openHome(page);
  const button = toggle(page);
  assert.equal(await button.getAttribute('aria-pressed'), 'false');
  const normal = await bodyFontPx(page);
  assert.ok(normal < 22, `normal text is normal-sized (${normal}px)`);
  const box = await button.boundingBox();
  assert.ok(box.height >= 44 && box.width >= 44, 'toggle is a ≥ 44px touch target');

  await button.tap();
  assert.equal(await button.getAttribute('aria-pressed'), 'true');
  assert.ok(await bodyFontPx(page) >= 22, 'large text on');
  assert.ok(await page.evaluate(() => document.documentElement.classList.contains('large')));

  await page.reload({ waitUntil: 'domcontentloaded' });
  await loaded(page);
  assert.equal(await toggle(page).getAttribute('aria-pressed'), 'true', 'still on after reload');
  const large = await bodyFontPx(page);
  assert.ok(large >= 22, `large text survives a reload (${large}px)`);
  assert.ok(await scrollWidth(page) <= 390, 'no horizontal scroll in large text');
  await screenshot(page, 'home-large');

  await toggle(page).tap();
  assert.equal(await toggle(page).getAttribute('aria-pressed'), 'false');
  assert.ok(await bodyFontPx(page) < 22, 'large text off again');
  await page.reload({ waitUntil: 'domcontentloaded' });
  await loaded(page);
  assert.ok(await bodyFontPx(page) < 22, 'off survives a reload too');
  assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
}));

test('?large=1 opens the page in 长辈模式', T, () => onPhonePage(async (page) => {
  await openHome(page, '/?large=1');
  assert.ok(await bodyFontPx(page) >= 22);
  assert.equal(await toggle(page).getAttribute('aria-pressed'), 'true');
  assert.ok(await scrollWidth(page) <= 390, 'no horizontal scroll');
  assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
}));

test('queue numbers refresh every 30 seconds', T, () => onPhonePage(async (page) => {
  await page.clock.install();
  let calls = 0;
  page.on('request', (req) => {
    if (/\/api\/v1\/halls\/[^/]+\/categories/.test(req.url())) calls += 1;
  });
  await openHome(page);
  const before = calls;
  assert.ok(before >= 1);
  await page.clock.runFor(31000);
  await eventually(() => calls > before, { message: 'a refresh of the categories' });
  await page.locator('#cat-list[aria-busy="false"] > li').first().waitFor();
  assert.equal(await queue(page).getByRole('listitem').count(), CATEGORIES.length);
  assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
}));

test('when the API fails the page says so kindly and can retry', T, () => onPhonePage(async (page) => {
  const outage = (route) => route.fulfill({
    status: 503,
    contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'UNAVAILABLE', message: '服务暂不可用' } }),
  });
  await page.route('**/api/v1/halls/*/categories', outage);
  await page.goto(url('/'), { waitUntil: 'domcontentloaded' });

  const message = queue(page).getByText('暂时无法获取数据，请稍后重试');
  await message.waitFor();
  const live = await message.evaluate((n) => n.closest('[aria-live]')?.getAttribute('aria-live'));
  assert.equal(live, 'polite', 'the error is in a polite live region');

  await page.unroute('**/api/v1/halls/*/categories', outage);
  resetProblems(page);
  await queue(page).getByRole('button', { name: '重试' }).tap();
  await page.locator('#cat-list[aria-busy="false"] > li').first().waitFor();
  assert.equal(await queue(page).getByRole('listitem').count(), CATEGORIES.length);
  assert.equal(await message.count(), 0, 'the error is gone after a good retry');
  assert.deepEqual(allProblems(page), [], 'no errors after the retry');
}));
