// 实名，一证一号 on a phone (390×844): an ID number another account holds is refused on
// book.html with the API's message (where to go) under the field and a way to 亲友代办; on
// proxy.html the asker gets the holder's SMS confirmation (the code reaches the holder's own
// phone; the page waits out the minute between codes), and then books for the holder.  The
// proxy page also in 长辈模式.
//
// Runs against a live site (YICHUANG_BASE_URL) with the demo seed, and needs the worker to
// deliver SMS into var/<YICHUANG_INSTANCE>/sms.log, where codes are read from.
// Screenshots: realname-refused.png, proxy-asked.png, proxy-added.png, proxy-large.png.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenshot, allProblems, resetProblems, closeBrowser, eventually,
  randomPhone, idNumber, smsLogSize, smsSince, api as call, citizenToken, onPhonePage,
} from './lib.mjs';

const T = { timeout: 180000 };

after(closeBrowser);

/* A slot with places in category E on a working day ahead (read from the API). */
async function freeSlot(exclude = []) {
  const r = await call('GET', '/halls/demo/slots?category=E');
  const s = r.data.slots.find((x) => x.remaining > 0 && !exclude.includes(x.date)
    && x.date > r.data.slots[0].date);
  assert.ok(s, 'a free E slot');
  return s;
}

async function signedIn(page, token) {
  await page.goto(url('/'), { waitUntil: 'domcontentloaded' });
  await page.evaluate((t) => window.localStorage.setItem('yichuang.token', t), token);
}

/* book.html: first category E, then the slot's day and the slot itself. */
async function bookOnPage(page, slot, name, id) {
  await page.goto(url('/book.html'), { waitUntil: 'domcontentloaded' });
  const cat = page.locator('#step-1 button[data-code="E"]');
  await cat.waitFor();
  await cat.tap();
  const day = page.locator(`#step-2 button[data-date="${slot.date}"]`);
  await day.waitFor();
  await day.tap();
  const s = page.locator(`#step-3 button[data-slot="${slot.id}"]`);
  await s.waitFor();
  await s.tap();
  await page.getByLabel('姓名').fill(name);
  await page.getByLabel('身份证号码').fill(id);
  await page.getByRole('button', { name: '提交预约' }).tap();
}

test('another account\'s ID number is refused on book.html; the holder confirms a proxy by SMS, then the proxy books', T, async () => {
  const holderPhone = randomPhone('17');
  const askerPhone = randomPhone('17');
  const id = idNumber('510107', 50, 40, '1111');
  const holder = await citizenToken(holderPhone);
  // The holder's first use binds the number to the holder's account.
  const first = await freeSlot();
  const b = await call('POST', '/appointments', {
    token: holder,
    body: { hall: 'demo', category: 'E', slot: first.id, name: '刘一', id_number: id },
  });
  assert.equal(b.status, 201, JSON.stringify(b.data));

  const asker = await citizenToken(askerPhone);
  await onPhonePage(async (page) => {
    await signedIn(page, asker);
    // The asker books with the holder's number: the refusal, said plainly.
    const slot = await freeSlot([first.date]);
    const before = slot.remaining;
    await bookOnPage(page, slot, '刘一', id);
    const refusal = page.locator('#id-refusal');
    await refusal.waitFor();
    const text = await refusal.innerText();
    assert.match(text, /已绑定其他账号/);
    assert.match(text, /窗口/);
    assert.match(text, /亲友代办/);
    assert.equal(await page.getByLabel('身份证号码').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#id-number-error').innerText(), /已绑定其他账号/);
    const r = await call('GET', `/halls/demo/slots?category=E&date=${slot.date}`);
    assert.equal(r.data.slots.find((x) => x.id === slot.id).remaining, before, 'no place taken');
    await screenshot(page, 'realname-refused');

    // The way out: 登记亲友代办.
    await refusal.getByRole('link', { name: '登记亲友代办' }).tap();
    await page.waitForURL(/\/proxy\.html$/);
    await page.getByRole('heading', { name: '添加亲友（对方短信确认）' }).waitFor();
    assert.match(await page.locator('#me-text').innerText(), /尚未绑定/);
    await page.getByLabel('亲友姓名').fill('刘一');
    await page.getByLabel('亲友身份证号码').fill(id);
    // The holder signed in less than a minute ago: the page waits out the minute, then asks.
    let since = await smsLogSize();
    await page.getByRole('button', { name: '获取确认码' }).tap();
    const ask = page.locator('#ask');
    await eventually(async () => !(await page.locator('#confirm-form').isHidden())
      || /秒后可重新获取/.test(await ask.innerText()), { message: 'sent, or waiting' });
    if (await page.locator('#confirm-form').isHidden()) {
      assert.match(await page.locator('#ask-status').innerText(), /秒后再试/);
      await eventually(async () => !(await ask.isDisabled()), { timeout: 70000, message: 'the minute to pass' });
      since = await smsLogSize();
      await ask.tap();
    }
    await page.locator('#confirm-form:not([hidden])').waitFor();
    // The code went to the holder's phone (named masked on the page), not the asker's.
    const masked = `${holderPhone.slice(0, 3)}****${holderPhone.slice(7)}`;
    assert.match(await page.locator('#p-code-hint').innerText(), new RegExp(masked.replace(/\*/g, '\\*')));
    const sms = await smsSince(holderPhone, 'proxy_code', since);
    assert.equal(sms.params.who, `手机尾号${askerPhone.slice(7)}的用户`);
    await screenshot(page, 'proxy-asked');
    // A wrong code first: said under the field, nothing added.
    await page.getByLabel('确认码').fill(sms.params.code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: '确认添加' }).tap();
    await page.locator('#p-code-error:not(:empty)').waitFor();
    assert.equal(await page.locator('#principals li').count(), 0);
    await page.getByLabel('确认码').fill(sms.params.code);
    await page.getByRole('button', { name: '确认添加' }).tap();
    await page.getByText(/已添加：您可以为 刘\*（/).waitFor();
    const card = page.locator('#principals li');
    await card.waitFor();
    assert.match(await card.innerText(), /短信确认/);
    assert.ok(!(await page.locator('main').innerText()).includes(id), 'the ID number is masked');
    await screenshot(page, 'proxy-added');

    // Now the same booking goes through, and it is the holder's: a proxy booking.  (The
    // refusals above were on purpose; from here on nothing may fail.)
    resetProblems(page);
    await bookOnPage(page, slot, '刘一', id);
    await page.getByRole('heading', { name: '预约成功' }).waitFor();
    assert.match(await page.locator('#done-who').innerText(), /刘\*/);
    assert.deepEqual(allProblems(page), []);
  });
});

test('the proxy page in 长辈模式 (large text), with labels', T, async () => {
  const token = await citizenToken(randomPhone('17'));
  await onPhonePage(async (page) => {
    await signedIn(page, token);
    await page.goto(url('/proxy.html?large=1'), { waitUntil: 'domcontentloaded' });
    await page.getByRole('heading', { name: '我可以代办的亲友' }).waitFor();
    await page.locator('#me-text:not(.loading)').waitFor();
    assert.ok(await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize)) >= 22);
    assert.equal(await page.getByRole('button', { name: '长辈模式' }).getAttribute('aria-pressed'), 'true');
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select')]
      .filter((n) => n.type !== 'hidden' && n.offsetParent !== null && n.labels.length === 0)
      .map((n) => n.outerHTML));
    assert.deepEqual(unlabelled, [], 'every visible form control has a label');
    assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth) <= 390);
    // A number nobody holds: the page says to go to a window (no phone to confirm with).
    await page.getByLabel('亲友姓名').fill('陈二');
    await page.getByLabel('亲友身份证号码').fill(idNumber('510107', 50, 40, '1111'));
    await page.getByRole('button', { name: '获取确认码' }).tap();
    await page.locator('#ask-status .notice').waitFor();
    assert.match(await page.locator('#ask-status').innerText(), /窗口登记代办/);
    await screenshot(page, 'proxy-large');
    await page.getByRole('button', { name: '长辈模式' }).tap();
    assert.ok(await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize)) < 22);
  });
});

test('a clerk registers a proxy and rebinds a number on staff/identity.html', T, async () => {
  const proxyPhone = randomPhone('17');
  const holderPhone = randomPhone('17');
  const id = idNumber('510107', 50, 40, '1111');
  await onPhonePage(async (page) => {
    await page.goto(url('/staff/identity.html'), { waitUntil: 'domcontentloaded' });
    const form = page.locator('#signin-form');
    await form.waitFor();
    await page.getByLabel('用户名').fill('clerk3');
    await page.getByLabel('密码').fill('yichuang-demo');
    await page.getByLabel(/窗口号/).fill('3');
    await form.getByRole('button', { name: '登录' }).click();
    await page.locator('#content:not([hidden])').waitFor();
    // A bad phone is named at its field; nothing registered.
    await page.getByLabel('被代办人姓名').fill('黄老伯');
    await page.getByLabel('被代办人身份证号码').fill(id);
    await page.getByLabel('代办人登录手机号').fill('123');
    await page.getByRole('button', { name: '登记代办' }).click();
    await page.locator('#proxy-form [data-field="proxy_phone"].has-error').waitFor();
    resetProblems(page); // that 400 was on purpose
    await page.getByLabel('代办人登录手机号').fill(proxyPhone);
    await page.getByRole('button', { name: '登记代办' }).click();
    await page.getByText(/已登记：手机号 .* 的账号可为 黄\*+（/).waitFor();
    // The proxy's account now books for the number (made at the window, not bound).
    const token = await citizenToken(proxyPhone);
    const slot = await freeSlot();
    const b = await call('POST', '/appointments', {
      token, body: { hall: 'demo', category: 'E', slot: slot.id, name: '黄老伯', id_number: id },
    });
    assert.equal(b.status, 201, JSON.stringify(b.data));
    assert.equal(b.data.appointment.proxy, true);
    // Rebind the number to its holder's own account.
    await page.getByLabel('姓名（与身份证一致）').fill('黄老伯');
    await page.getByLabel('居民身份证号码').fill(id);
    await page.getByLabel('本人登录手机号').fill(holderPhone);
    await page.getByRole('button', { name: '核验无误，改绑' }).click();
    await page.getByText(/已改绑：黄\*+（/).waitFor();
    const holder = await citizenToken(holderPhone);
    const me = await call('GET', '/me/identity', { token: holder });
    assert.equal(me.data.identity.how, 'clerk');
    assert.deepEqual(allProblems(page), []);
  }, { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false });
});
