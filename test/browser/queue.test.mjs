// The queue's pages, driven as the hall uses them: the kiosk (a number is taken), the window
// console (a clerk signs in, calls with buttons and keys), the display board (a call shows up
// within a second, in words and as speech text; it survives a network drop) and the phone
// page /q/<token> (place, wait, leaving the queue).
//
// Runs against a live site with the demo seed. The hall clock of the stack instance
// (YICHUANG_INSTANCE, default "test") is moved to Mon 2026-12-14 10:00 for these tests, a day
// no other test uses, and put back afterwards.
// Screenshots: kiosk.png, kiosk-ticket.png, console.png, board.png, q.png, q-large.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenshot, allProblems, resetProblems, eventually, openHallAt, closeHall, api as call, staffToken as login, drainWindow as drain, screenPage as newPage, onPhonePage, checkA11y,
  signInKiosk, signInConsole, onScreenPage,
} from './lib.mjs';

const T = { timeout: 90000 };

async function take(token, category, extra = {}) {
  const r = await call('POST', '/halls/demo/tickets', { token, body: { category, ...extra } });
  assert.equal(r.status, 201, `a ${category} ticket: ${JSON.stringify(r.json)}`);
  return r.json.ticket;
}

let kiosk;

before(async () => {
  kiosk = await openHallAt('2026-12-14T10:00:00+08:00');
});
after(closeHall);

test('the kiosk: category, then priority and phone, then the ticket with its link', T, () => onScreenPage(async (page) => {
  // A new device signs in once with the kiosk account.
  await signInKiosk(page);

  await page.locator('#cat-buttons[aria-busy="false"] button').first().waitFor();
  assert.equal(await page.locator('#cat-buttons button').count(), 6, 'six categories');
  await screenshot(page, 'kiosk');
  await page.getByRole('button', { name: /^E 社会事务/ }).click();

  await page.getByRole('heading', { name: '请选择取号类型' }).waitFor();
  await page.getByRole('button', { name: /老年人/ }).click();
  assert.equal(await page.getByRole('button', { name: /老年人/ }).getAttribute('aria-pressed'), 'true');
  // A wrong phone is refused on the spot.
  await page.getByLabel(/手机号/).fill('12345');
  await page.getByRole('button', { name: '确认取号' }).click();
  await page.locator('#phone-error:not([hidden])').waitFor();
  await page.getByLabel(/手机号/).fill('13900139000');
  await page.getByRole('button', { name: '确认取号' }).click();

  await page.getByRole('heading', { name: '取号成功，您的号码是' }).waitFor();
  const number = (await page.locator('#ticket-number').textContent()).trim();
  assert.match(number, /^E\d{3}$/, 'an E number');
  assert.match(await page.locator('#ticket-priority').textContent(), /老年人/);
  assert.match(await page.locator('#ticket-ahead').textContent(), /^\d+ 人$/);
  assert.ok((await page.locator('#ticket-eta').textContent()).length > 0);
  const link = (await page.locator('#track-link').textContent()).trim();
  assert.match(link, /\/q\/[A-Za-z0-9_-]{20,}$/, 'the tracking link, as text');
  assert.equal(await page.locator('#qr-slot').getAttribute('data-qr-for'), link, 'the QR spot knows its link');
  // The spot holds the ticket's QR code (issue #8), the link as text beside it.
  assert.match(await page.locator('#qr-slot img').getAttribute('src'),
    /^\/api\/v1\/tickets\/[A-Za-z0-9_-]{20,}\/qr\.svg$/, 'the QR code of the ticket');
  await screenshot(page, 'kiosk-ticket');

  // The link works: the phone page shows the same number.
  const token = link.split('/q/')[1];
  const t = await call('GET', `/tickets/${token}`);
  assert.equal(t.json.ticket.number, number);
  assert.equal(t.json.ticket.priority, 'elderly');

  await page.getByRole('button', { name: '完成' }).click();
  await page.getByRole('heading', { name: '请选择要办理的业务' }).waitFor();
  assert.deepEqual(allProblems(page), []);
}, { viewport: { width: 800, height: 1280 } }));

/* The clerk of window w signed in (a token), the window's categories emptied, then two
 * tickets of cat taken at the kiosk: [clerk, first, second]. */
async function windowAndTwo(user, w, cat) {
  const clerk = await login(user, w);
  await drain(clerk, w);
  return [clerk, await take(kiosk, cat), await take(kiosk, cat)];
}

test('the window console: sign in at a window, call with buttons and keys', T, async () => {
  const [clerk, b1, b2] = await windowAndTwo('clerk4', 4, 'B');	// window 4 serves B only
  const page = await newPage({ viewport: { width: 1366, height: 768 } });
  try {
    await signInConsole(page, 'clerk4', 4);

    await page.getByRole('heading', { name: /4号窗口/, level: 1 }).waitFor();
    await eventually(async () => (await page.locator('#counts .count[data-code="B"]').textContent()) === '2',
      { message: 'two waiting in B' });
    const served = Number(await page.locator('#served').textContent());
    assert.ok(await page.getByRole('button', { name: /叫下一位/ }).isEnabled());
    assert.ok(await page.getByRole('button', { name: /开始办理/ }).isDisabled(), 'nothing to start yet');

    // The button.
    await page.getByRole('button', { name: /叫下一位/ }).click();
    await eventually(async () => (await page.locator('#cur-number').textContent()) === b1.number,
      { message: `${b1.number} is called` });
    assert.match(await page.locator('#cur-status').textContent(), /正在叫号/);
    // The keys: S start, F finish, N next, R recall, K skip.
    await page.keyboard.press('s');
    await eventually(async () => /正在办理/.test(await page.locator('#cur-status').textContent()),
      { message: 'serving' });
    await screenshot(page, 'console');
    await page.keyboard.press('f');
    await eventually(async () => (await page.locator('#cur-number').textContent()) === '—',
      { message: 'finished' });
    await eventually(async () => Number(await page.locator('#served').textContent()) === served + 1,
      { message: 'served today counts it' });
    await page.keyboard.press('n');
    await eventually(async () => (await page.locator('#cur-number').textContent()) === b2.number,
      { message: `${b2.number} is called` });
    await page.keyboard.press('r');
    await eventually(async () => /已重呼/.test(await page.locator('#console-status').textContent()),
      { message: 'recalled' });
    // Transfer through its box (T, choose, confirm).
    await page.keyboard.press('t');
    await page.getByLabel('转至业务类别').selectOption('D');
    await page.getByRole('button', { name: '确认转移' }).click();
    await eventually(async () => (await page.locator('#cur-number').textContent()) === '—',
      { message: 'transferred away' });
    const moved = await call('GET', `/tickets/${b2.token}`);
    assert.equal(moved.json.ticket.status, 'waiting');
    assert.equal(moved.json.ticket.category, 'D');

    // Nobody left: the console says so.
    await page.keyboard.press('n');
    await eventually(async () => /没有等候/.test(await page.locator('#console-status').textContent()),
      { message: 'empty' });
    // The counts follow what happens elsewhere in the hall, without a reload.
    await take(kiosk, 'B');
    await eventually(async () => (await page.locator('#counts .count[data-code="B"]').textContent()) === '1',
      { message: 'a new B ticket counted', timeout: 5000 });
    assert.deepEqual(allProblems(page), []);
  } finally {
    await page.context().close();
    await drain(clerk, 4);
    await drain(await login('clerk6', 6), 6);
  }
});

test('the board: a call is on screen within a second, with its words; it survives a drop', T, async () => {
  const [clerk, c1, c2] = await windowAndTwo('clerk5', 5, 'C');	// window 5 serves C only
  const page = await newPage({ viewport: { width: 1920, height: 1080 } });
  try {
    await page.goto(url('/board.html?hall=demo'), { waitUntil: 'domcontentloaded' });
    await page.locator('#waiting li[data-code="C"]').waitFor();
    await eventually(async () => /2 人/.test(await page.locator('#waiting li[data-code="C"] .count').textContent()),
      { message: 'two waiting in C' });
    await page.waitForTimeout(500);	// the board is now holding a long poll

    const t0 = Date.now();
    const r = await call('POST', '/windows/5/call-next', { token: clerk });
    assert.equal(r.json.ticket.number, c1.number);
    await page.locator('#now-number', { hasText: c1.number }).waitFor({ timeout: 1000 });
    const shownIn = Date.now() - t0;
    assert.ok(shownIn < 1000, `shown in ${shownIn} ms`);
    assert.equal(await page.locator('#now-window').textContent(), '5');
    assert.equal(await page.locator('#calls li[data-window="5"] .q-number').textContent(), c1.number);
    const digits = '零一二三四五六七八九';
    const spoken = c1.number.replace(/\d/g, (d) => digits[Number(d)]);
    assert.equal(await page.locator('#speech-text').textContent(), `请 ${spoken} 号到 5 号窗口办理`);
    assert.equal(await page.locator('#announce').textContent(), `请 ${c1.number} 号到 5 号窗口办理`);
    await eventually(async () => /1 人/.test(await page.locator('#waiting li[data-code="C"] .count').textContent()),
      { message: 'one left waiting in C' });
    await screenshot(page, 'board');

    // The network drops and comes back: the board says so, then catches up by itself.
    await page.context().setOffline(true);
    await page.locator('#conn[data-state="down"]').waitFor({ timeout: 40000 });
    await call('POST', '/windows/5/finish', { token: clerk, body: { outcome: 'no_show' } });
    const r2 = await call('POST', '/windows/5/call-next', { token: clerk });
    assert.equal(r2.json.ticket.number, c2.number);
    await page.context().setOffline(false);
    await page.locator('#now-number', { hasText: c2.number }).waitFor({ timeout: 15000 });
    await page.locator('#conn[data-state="ok"]').waitFor();
    resetProblems(page);	// the requests that failed while offline

    // A recall is spoken again.
    const before = await page.locator('#speech-text').textContent();
    await page.evaluate(() => { document.getElementById('speech-text').textContent = ''; });
    await call('POST', '/windows/5/recall', { token: clerk });
    await eventually(async () => (await page.locator('#speech-text').textContent()) === before,
      { message: 'the recall is spoken', timeout: 3000 });
    assert.deepEqual(allProblems(page), []);
  } finally {
    await page.context().close();
    await drain(clerk, 5);
  }
});

test('the phone page of a ticket: place, wait, leaving the queue; large text', T, async () => {
  const first = await take(kiosk, 'F');
  const mine = await take(kiosk, 'F');
  await onPhonePage(async (page) => {
    await page.goto(url(`/q/${mine.token}`), { waitUntil: 'domcontentloaded' });
    await page.locator('#q-number', { hasText: mine.number }).waitFor();
    assert.equal(await page.locator('#q-state').textContent(), '排队中');
    assert.match(await page.locator('#q-ahead').textContent(), /^\d+ 人$/);
    assert.ok(Number((await page.locator('#q-ahead').textContent()).split(' ')[0]) >= 1, 'someone ahead');
    assert.ok((await page.locator('#q-eta').textContent()).length > 0);
    assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth) <= 390, 'no horizontal scroll');
    await screenshot(page, 'q');

    // 长辈模式: larger text, still no horizontal scroll.
    const small = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    await page.getByRole('button', { name: '长辈模式' }).click();
    const large = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    assert.ok(large >= 22 && large > small, `large text ${small} → ${large}`);
    assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth) <= 390);
    await screenshot(page, 'q-large');

    // The one ahead leaves: this page moves up on its next refresh.
    const ahead = Number((await page.locator('#q-ahead').textContent()).split(' ')[0]);
    assert.equal((await call('DELETE', `/tickets/${first.token}`)).status, 204);
    await eventually(async () => Number((await page.locator('#q-ahead').textContent()).split(' ')[0]) === ahead - 1,
      { message: 'moved up', timeout: 12000 });

    // Leaving asks first, then the number is void.
    await page.getByRole('button', { name: /离开队伍/ }).click();
    await page.getByRole('button', { name: '继续排队' }).click();
    assert.equal(await page.locator('#leave-confirm').isHidden(), true);
    await page.getByRole('button', { name: /离开队伍/ }).click();
    await page.getByRole('button', { name: '确定离开' }).click();
    await page.locator('#q-state', { hasText: '已取消' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /离开队伍/ }).isHidden(), true);
    assert.deepEqual(allProblems(page), []);
  });
});

test('after a visit the ticket page offers 评价本次服务, then 查看我的评价 with the review given', T, async () => {
  const clerk = await login('clerk6', 6);	// window 6 serves D only
  await drain(clerk, 6);
  const mine = await take(kiosk, 'D');
  assert.equal((await call('POST', '/windows/6/call-next', { token: clerk })).json.ticket.number, mine.number);
  assert.equal((await call('POST', '/windows/6/start', { token: clerk })).status, 200);
  assert.equal((await call('POST', '/windows/6/finish', { token: clerk, body: { outcome: 'done' } })).status, 200);
  await onPhonePage(async (page) => {
    await page.goto(url(`/q/${mine.token}`), { waitUntil: 'domcontentloaded' });
    const link = page.locator('#q-review-link');
    await link.waitFor();
    assert.equal((await link.innerText()).trim(), '评价本次服务', 'not reviewed yet: the form is offered');
    await link.tap();
    await page.waitForURL(/\/review\.html\?ticket=/);
    await page.locator('#rv-form:not([hidden])').waitFor();
    await page.getByRole('button', { name: '满意', exact: true }).tap();
    await page.locator('#rv-comment').fill('叫号及时，窗口讲解清楚');
    await page.locator('#rv-submit').tap();
    await page.locator('#rv-done:not([hidden])').waitFor();

    // Back on the ticket page: the link now shows the review given instead of a form.
    await page.goto(url(`/q/${mine.token}`), { waitUntil: 'domcontentloaded' });
    await page.getByRole('link', { name: '查看我的评价' }).waitFor();
    assert.equal(await page.getByRole('link', { name: '评价本次服务' }).count(), 0, 'no second review offered');
    await checkA11y(page);
    await page.getByRole('link', { name: '查看我的评价' }).tap();
    await page.locator('#rv-given:not([hidden])').waitFor();
    assert.equal(await page.locator('#rv-form').isVisible(), false, 'the review, not the form');
    assert.match(await page.locator('#rv-given-what').innerText(), new RegExp(mine.number));
    assert.equal((await page.locator('#rv-given-label').innerText()).trim(), '满意');
    assert.match(await page.locator('#rv-given-comment').innerText(), /叫号及时，窗口讲解清楚/);
    await screenshot(page, 'q-review-given');
    assert.deepEqual(allProblems(page), []);
  });
});

test('an unknown ticket says so', T, () => onPhonePage(async (page) => {
  await page.goto(url('/q/AAAAAAAAAAAAAAAAAAAAAAAA'), { waitUntil: 'domcontentloaded' });
  await page.getByRole('heading', { name: '未找到该号码' }).waitFor();
  resetProblems(page);	// the 404 of the lookup is the point
}));

test('the queue pages are built to be accessible', T, async () => {
  const checks = async (page, name) => {
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN', `${name}: lang`);
    assert.equal(await page.locator('h1').count(), 1, `${name}: one h1`);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((n) => n.type !== 'hidden' && n.labels.length === 0 && !n.getAttribute('aria-label'))
      .map((n) => n.outerHTML));
    assert.deepEqual(unlabelled, [], `${name}: every form control has a label`);
    const small = await page.evaluate(() => [...document.querySelectorAll('button, select, input')]
      .filter((n) => n.offsetParent !== null)
      .map((n) => [n.textContent.trim() || n.outerHTML.slice(0, 60), n.getBoundingClientRect()])
      .filter(([, r]) => r.height < 44 || r.width < 44)
      .map(([label, r]) => `${label} ${Math.round(r.width)}×${Math.round(r.height)}`));
    assert.deepEqual(small, [], `${name}: touch targets are at least 44×44px`);
    assert.ok(await page.locator('[aria-live]').count() >= 1, `${name}: a live region`);
  };
  await onPhonePage(async (phone) => {
    const t = await take(kiosk, 'A');
    await phone.goto(url(`/q/${t.token}`), { waitUntil: 'domcontentloaded' });
    await phone.locator('#q-number', { hasText: t.number }).waitFor();
    await checks(phone, 'q');
    await phone.goto(url('/kiosk.html'), { waitUntil: 'domcontentloaded' });
    await phone.getByRole('heading', { name: '取号机登录' }).waitFor();
    await checks(phone, 'kiosk');
    assert.ok(await phone.evaluate(() => document.scrollingElement.scrollWidth) <= 390, 'kiosk: no horizontal scroll');
    await phone.goto(url('/console.html'), { waitUntil: 'domcontentloaded' });
    await phone.getByRole('heading', { name: '窗口签到' }).waitFor();
    await checks(phone, 'console');
    await call('DELETE', `/tickets/${t.token}`);
    assert.deepEqual(allProblems(phone), []);
  });
});
