// Appointments on a phone (390×844): a citizen signs in with the real SMS sign-in page,
// books (业务 → 日期 → 时段 with the places left → 姓名和身份证 → 预约码), sees the booking in
// 我的预约, cancels it and books again; the same in 长辈模式.
//
// Runs against a live site (YICHUANG_BASE_URL) with the demo seed, and needs the worker to
// deliver SMS into var/<YICHUANG_INSTANCE>/sms.log, where the sign-in code is read from.
// Screenshots: book-1-category.png … book-5-done.png, book-error.png, my-appointments.png,
// my-appointments-cancelled.png, appointment-page.png, book-large.png, book-large-done.png.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenshot, allProblems, closeBrowser, eventually, apiJson, checkA11y,
  randomPhone, idNumber, smsLogSize, smsSince, scrollWidth, bodyFontPx, accessible, onPhonePage,
} from './lib.mjs';

const T = { timeout: 120000 };

after(closeBrowser);

/* Sign in through login.html (the page book.html sends a signed-out citizen to). */
async function signIn(page, phone) {
  await page.getByRole('link', { name: '手机号登录' }).tap();
  await page.waitForURL(/\/login\.html\?next=/);
  await page.getByLabel('手机号', { exact: true }).fill(phone);
  const since = await smsLogSize();
  await page.getByRole('button', { name: '获取验证码' }).tap();
  const sms = await smsSince(phone, 'login_code', since);
  await page.getByLabel('短信验证码', { exact: true }).fill(sms.params.code);
  await page.getByRole('button', { name: '登录', exact: true }).tap();
}

const step = (page, n) => page.locator(`#step-${n}`);

/* Category → first day with places → first slot with places.  Returns what was picked. */
async function pickSlot(page, category, shots, { signedIn = true } = {}) {
  const cat = step(page, 1).getByRole('button', { name: new RegExp(category) });
  await cat.waitFor();
  if (shots) await screenshot(page, `${shots}-1-category`);
  await cat.tap();

  const day = step(page, 2).locator('button.choice:not([disabled])').first();
  await day.waitFor();
  assert.ok(await step(page, 2).isVisible(), 'step 2 shown');
  assert.equal(await page.locator('#steps li[aria-current="step"]').getAttribute('data-step'), '2');
  assert.match(await day.textContent(), /剩余 \d+ 个/);
  const date = await day.getAttribute('data-date');
  if (shots) await screenshot(page, `${shots}-2-date`);
  await day.tap();

  const slotBtn = step(page, 3).locator('button.choice:not([disabled])').first();
  await slotBtn.waitFor();
  const slot = await slotBtn.getAttribute('data-slot');
  const shownLeft = Number((/剩余 (\d+) 个/.exec(await slotBtn.textContent()) || [])[1]);
  // The places shown are the API's.
  const { slots } = await apiJson(`/halls/demo/slots?category=${slot[0]}&date=${date}`);
  const api = slots.find((s) => s.id === slot);
  assert.equal(shownLeft, api.remaining, 'the page shows the places left');
  if (shots) await screenshot(page, `${shots}-3-slot`);
  await slotBtn.tap();
  if (signedIn) await step(page, 4).getByLabel('姓名').waitFor();
  else await step(page, 4).getByRole('heading', { name: '请先登录' }).waitFor();
  return { date, slot, left: api.remaining };
}

async function fillAndSubmit(page, name, id) {
  await page.getByLabel('姓名').fill(name);
  await page.getByLabel('身份证号码').fill(id);
  await page.getByRole('button', { name: '提交预约' }).tap();
}

async function remaining(slot) {
  const date = `${slot.slice(2, 6)}-${slot.slice(6, 8)}-${slot.slice(8, 10)}`;
  const { slots } = await apiJson(`/halls/demo/slots?category=${slot[0]}&date=${date}`);
  return slots.find((s) => s.id === slot).remaining;
}

test('a citizen books, sees, cancels and books again on a phone', T, async () => {
  const phone = randomPhone('16');
  const id = idNumber('320102', 70, 25, '0615');
  await onPhonePage(async (page) => {
    await page.goto(url('/book.html'), { waitUntil: 'domcontentloaded' });
    // Signed out, the categories, days and places left are there to look at…
    await step(page, 1).getByRole('button').first().waitFor();
    const e = step(page, 1).locator('button[data-code="E"] [data-free]');
    await e.waitFor();
    const { slots: eSlots } = await apiJson('/halls/demo/slots?category=E');
    const eFree = eSlots.reduce((n, x) => n + x.remaining, 0);
    assert.ok(eFree > 0);
    assert.equal((await e.textContent()).trim(), `可约 ${eFree} 个`, 'each category shows its free places');
    await accessible(page);
    await checkA11y(page);
    const picked = await pickSlot(page, '社会事务', 'book', { signedIn: false });
    assert.ok(picked.left > 0);
    // …and booking is real-name: the step that books asks to sign in, and comes back to it.
    assert.equal(await step(page, 4).locator('#book-form').isVisible(), false);
    await screenshot(page, 'book-sign-in');
    await checkA11y(page);
    await signIn(page, phone);
    await page.waitForURL(/\/book\.html\?/);
    await step(page, 4).getByLabel('姓名').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('slot'), picked.slot);
    await accessible(page);
    await checkA11y(page);
    assert.match(await page.locator('#picked-4').textContent(), /社会事务/);

    // A wrong ID number is caught on the page, said under the field.
    await fillAndSubmit(page, '王小明', '110105194912310021');
    await page.getByText('身份证号码无效，请核对后重新输入').waitFor();
    assert.equal(await page.getByLabel('身份证号码').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'book-error');

    await page.getByLabel('身份证号码').fill(id);
    await screenshot(page, 'book-4-form');
    const since = await smsLogSize();
    await page.getByRole('button', { name: '提交预约' }).tap();
    await page.getByRole('heading', { name: '预约成功' }).waitFor();
    const code = (await page.locator('#done-code').textContent()).trim();
    assert.match(code, /^\d{6}$/);
    const link = (await page.locator('#done-link').textContent()).trim();
    assert.match(link, /\/a\/[A-Za-z0-9_-]{22,}$/);
    // Any image here is the real QR code of this appointment (issue #8), never a placeholder.
    for (const img of await page.locator('#step-5 img').all()) {
      assert.match(await img.getAttribute('src'), /^\/api\/v1\/appointments\/[A-Za-z0-9_-]+\/qr\.svg$/);
      await eventually(() => img.evaluate((n) => n.complete && n.naturalWidth > 0),
        { message: 'the QR image to load' });
    }
    assert.match(await page.locator('#done-who').textContent(), /王\*/);
    assert.ok(!(await page.locator('main').textContent()).includes(id), 'the ID number is masked');
    await accessible(page);
    await screenshot(page, 'book-5-done');
    assert.equal(await remaining(picked.slot), picked.left - 1);
    // The confirmation SMS carries the same code.
    const sms = await smsSince(phone, 'appointment_booked', since);
    assert.equal(sms.params.code, code);

    // The link printed on the confirmation opens the appointment.
    await page.goto(link.replace(/^https?:\/\/[^/]+/, url('').replace(/\/$/, '')));
    await page.getByRole('heading', { level: 2, name: '社会事务' }).waitFor();
    assert.equal((await page.locator('.appt-code').textContent()).trim(), code);
    await screenshot(page, 'appointment-page');

    // 我的预约: there it is; cancel it (asked twice), and the place is free again.
    await page.goto(url('/appointments.html'));
    const card = page.locator('#upcoming li.appt', { hasText: code });
    await card.waitFor();
    assert.equal((await card.locator('.status-tag').textContent()).trim(), '待签到');
    await accessible(page);
    await checkA11y(page);
    await screenshot(page, 'my-appointments');

    // 改约: another day and time of the same business, picked from the places free now; the
    // old place is given back and the new one taken, and a new confirmation is sent.
    await card.getByRole('button', { name: '改约' }).tap();
    const daySel = card.getByLabel('日期', { exact: true });
    await daySel.waitFor();
    await eventually(async () => (await card.getByLabel('时段', { exact: true }).locator('option:not([disabled])').count()) > 0,
      { message: 'free slots to move to' });
    const days = await daySel.locator('option:not([disabled])').evaluateAll((os) => os.map((o) => o.value));
    assert.ok(days.length >= 2, 'several days to choose from');
    await daySel.selectOption(days[1]);
    const target = await card.getByLabel('时段', { exact: true }).inputValue();
    assert.ok(target.startsWith('E-') && target !== picked.slot, target);
    const targetLeft = await remaining(target);
    await checkA11y(page);
    await screenshot(page, 'my-appointments-move');
    const sinceMove = await smsLogSize();
    await card.getByRole('button', { name: '确认改约' }).tap();
    const moved = page.locator('#upcoming li.appt', { hasText: code });
    await page.getByText(/^已改约到 /).first().waitFor();
    const [, hh, mm] = /-(\d\d)(\d\d)$/.exec(target);
    assert.match(await moved.innerText(), new RegExp(`${hh}:${mm}–`));
    assert.equal(await remaining(picked.slot), picked.left, 'the old place is free again');
    assert.equal(await remaining(target), targetLeft - 1, 'the new place is taken');
    const movedSms = await smsSince(phone, 'appointment_booked', sinceMove);
    assert.equal(movedSms.params.time, `${hh}:${mm}`);

    // Cancel it (asked twice): the place is free again and an SMS says so.
    await moved.getByRole('button', { name: '取消预约' }).tap();
    await page.getByRole('button', { name: '不取消' }).tap();
    assert.equal(await remaining(target), targetLeft - 1, '"不取消" keeps it');
    const sinceCancel = await smsLogSize();
    await moved.getByRole('button', { name: '取消预约' }).tap();
    await page.getByRole('button', { name: '确认取消' }).tap();
    await page.getByText('预约已取消，名额已释放。').first().waitFor();
    const old = page.locator('#past li.appt', { hasText: code });
    await old.waitFor();
    assert.equal((await old.locator('.status-tag').textContent()).trim(), '已取消');
    await eventually(async () => (await remaining(target)) === targetLeft,
      { message: 'the place to be free at once' });
    const cancelSms = await smsSince(phone, 'appointment_cancelled', sinceCancel);
    assert.equal(cancelSms.params.time, `${hh}:${mm}`);
    assert.match(cancelSms.text, /已取消/);
    await screenshot(page, 'my-appointments-cancelled');

    // Book the same slot again.
    await page.goto(url('/book.html'));
    const again = await pickSlot(page, '社会事务');
    assert.equal(again.slot, picked.slot, 'the same first free slot');
    await fillAndSubmit(page, '王小明', id);
    await page.getByRole('heading', { name: '预约成功' }).waitFor();
    const code2 = (await page.locator('#done-code').textContent()).trim();
    assert.notEqual(code2, code);
    await page.getByRole('link', { name: '查看我的预约' }).tap();
    await page.locator('#upcoming li.appt', { hasText: code2 }).waitFor();
    assert.equal(await page.locator('#upcoming li.appt').count(), 1, 'one live booking');

    assert.deepEqual(allProblems(page), []);
  });
});

test('every step works in 长辈模式 (large text)', T, async () => {
  const phone = randomPhone('16');
  await onPhonePage(async (page) => {
    await page.goto(url('/book.html?large=1'), { waitUntil: 'domcontentloaded' });
    await step(page, 1).getByRole('button').first().waitFor();
    assert.ok(await bodyFontPx(page) >= 22, 'large text from the first page');
    assert.equal(await page.getByRole('button', { name: '长辈模式' }).getAttribute('aria-pressed'), 'true');
    await accessible(page);
    await checkA11y(page);
    await screenshot(page, 'book-large');
    await pickSlot(page, '跨省通办', null, { signedIn: false });
    assert.ok(await scrollWidth(page) <= 390);
    await signIn(page, phone);
    await page.waitForURL(/\/book\.html/);
    await step(page, 4).getByLabel('姓名').waitFor();
    assert.ok(await bodyFontPx(page) >= 22);
    await fillAndSubmit(page, '欧阳娜娜', idNumber('320102', 70, 25, '0615'));
    await page.getByRole('heading', { name: '预约成功' }).waitFor();
    assert.ok(await bodyFontPx(page) >= 22);
    await accessible(page);
    await screenshot(page, 'book-large-done');
    await page.goto(url('/appointments.html'));
    await page.locator('#upcoming li.appt').first().waitFor();
    assert.ok(await bodyFontPx(page) >= 22);
    await accessible(page);
    // Back to normal for whoever uses this browser next.
    await page.getByRole('button', { name: '长辈模式' }).tap();
    assert.ok(await bodyFontPx(page) < 22);
    assert.deepEqual(allProblems(page), []);
  });
});
