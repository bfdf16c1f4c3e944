// The hall administration pages (issue 21, part B), as the hall's admin uses them, on a
// 1366×768 screen with the hall clock on Monday 2026-12-14:
//
//  * 开放时间: a period whose end is before its start is refused with the error next to the
//    field and nothing saved; Saturday 2026-12-19 opened 09:00–12:00 with a note appears in
//    the table, in the database and in the slots offered that day (morning only), and in the
//    修改记录; 恢复常规 closes it again;
//  * 预约时段: cutting a booked slot's places to 0 asks first (the count of bookings in the
//    question); 不保存 leaves the plan and the booking as they were; confirming saves it,
//    cancels the booking in the database and sends the citizen the cancellation SMS; the
//    plan is put back afterwards;
//  * 工作人员: a new account's fields named; made, its temporary password shown once signs in
//    only with a new one; 锁定 ends its session and shows 已锁定; 解锁; 重置密码 shows a new
//    temporary password; the trail lists the changes;
//  * 节假日安排: a file that is not JSON named; a 2027 notice previewed (nothing written) then
//    imported; 短信模板: a malformed code named, a code stored, emptied back to the file's;
//  * every page passes checkA11y (lang, one h1, labels, names, contrast, focus order), the
//    confirmation included, with no console errors.
// Screenshots: admin-hours, admin-hours-error, admin-slots-confirm, admin-staff.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenshot, problemsBut, eventually, openHallAt, closeHall, sql, api, screenPage,
  checkA11y, signInStaffForm, bookFreeSlot, planSaveAsked, planSaveConfirmed, idNumber,
  smsLogSize, smsSince, onScreenPage,
} from './lib.mjs';

const T = { timeout: 120000 };
const SCREEN = { width: 1366, height: 768 };

before(async () => {
  await openHallAt('2026-12-14T10:00:00+08:00');
});
after(async () => {
  sql("DELETE FROM hall_dates WHERE hall = 'demo' AND day = '2026-12-19'");
  await closeHall();
});

async function slotsOn(date, cat) {
  const r = await api('GET', `/halls/demo/slots?category=${cat}&date=${date}`);
  assert.equal(r.status, 200);
  return r.data.slots;
}

test('开放时间: a wrong period is named at its field; a Saturday opening is saved, offered and audited', T, () => onScreenPage(async (page) => {
  await page.goto(url('/staff/admin/hours.html'), { waitUntil: 'domcontentloaded' });
  await signInStaffForm(page, 'admin', null, '#dates-table');
  await page.locator('#week-periods .period').first().waitFor();
  await checkA11y(page);
  assert.equal(await slotsOn('2026-12-19', 'A').then((s) => s.length), 0, 'a Saturday has no slots');

  // A period that ends before it starts: the error beside that field, nothing saved.
  await page.getByLabel('日期', { exact: true }).fill('2026-12-19');
  await page.getByLabel('第 1 段开始').last().fill('12:00');
  await page.getByLabel('第 1 段结束').last().fill('09:00');
  await page.getByRole('button', { name: '保存这一天' }).click();
  const err = page.locator('#date-form [data-field="periods[0].close"] .field-error');
  await eventually(async () => (await err.textContent()).length > 0, { message: 'the close field says what is wrong' });
  assert.equal(sql("SELECT COUNT(*) FROM hall_dates WHERE hall = 'demo'"), '0');
  await screenshot(page, 'admin-hours-error');

  // The Saturday morning, with a note.
  await page.getByLabel('第 1 段开始').last().fill('09:00');
  await page.getByLabel('第 1 段结束').last().fill('12:00');
  await page.getByLabel(/说明/).fill('年底集中办理');
  await page.getByRole('button', { name: '保存这一天' }).click();
  await page.locator('#dates tr[data-date="2026-12-19"]').waitFor();
  assert.match(await page.locator('#dates tr[data-date="2026-12-19"]').innerText(), /09:00–12:00[\s\S]*年底集中办理/);
  assert.equal(sql("SELECT CONCAT(closed, ' ', note) FROM hall_dates WHERE hall = 'demo' AND day = '2026-12-19'"), '0 年底集中办理');
  const slots = await slotsOn('2026-12-19', 'A');
  assert.ok(slots.length > 0, 'the Saturday offers slots');
  assert.ok(slots.every((s) => s.end.slice(11, 16) <= '12:00'), 'only morning slots');
  await eventually(async () => /修改前 closed → 修改后 09:00-12:00/.test(await page.locator('#audit').innerText()),
    { message: 'the change in 修改记录' });
  await checkA11y(page);
  await screenshot(page, 'admin-hours');

  // Back to the calendar: closed again.
  await page.getByRole('button', { name: '2026-12-19 恢复为常规开放时间' }).click();
  await page.locator('#dates tr[data-date="2026-12-19"]').waitFor({ state: 'detached' });
  assert.equal(await slotsOn('2026-12-19', 'A').then((s) => s.length), 0);
  // The refused save answered 400 on purpose; nothing else may fail.
  assert.deepEqual(problemsBut(page, 400, /^PUT .*\/hours\//), []);
}, { viewport: SCREEN }));

test('预约时段: places below a booking are saved only after the confirmation, and the citizen is told', T, async () => {
  // A citizen books a C slot on Wednesday 2026-12-16.
  const { phone, start } = await bookFreeSlot('16', 'C', '2026-12-16', '王五', idNumber('110105', 70, 20, '0505'));
  const capOf = () => sql(`SELECT capacity FROM appointment_slot_templates WHERE hall = 'demo' AND category = 'C' AND start_time = '${start}:00'`);
  const before = capOf();
  const statusOf = () => sql(`SELECT status FROM appointments WHERE hall = 'demo' AND category = 'C' AND day = '2026-12-16' AND start_time = '${start}:00' ORDER BY id DESC LIMIT 1`);

  await onScreenPage(async (page) => {
    await page.goto(url('/staff/admin/slots.html'), { waitUntil: 'domcontentloaded' });
    await signInStaffForm(page, 'admin', null, '#plan-form');
    await page.getByLabel('业务类别').selectOption('C');
    const cap = page.getByLabel(`${start} 时段名额`);
    await cap.waitFor();
    await checkA11y(page);
    await cap.fill('0');

    // Asked first, with the count.
    const dialog = await planSaveAsked(page);
    await checkA11y(page);
    await screenshot(page, 'admin-slots-confirm');
    await dialog.getByRole('button', { name: '不保存' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(capOf(), before, 'declined: the plan as it was');
    assert.equal(statusOf(), 'booked', 'declined: the booking stands');

    // Confirmed: saved, cancelled, told.
    const since = await smsLogSize();
    await planSaveConfirmed(page);
    assert.equal(capOf(), '0');
    assert.equal(statusOf(), 'cancelled');
    await smsSince(phone, 'appointment_cancelled', since);
    await eventually(async () => new RegExp(`修改后 [^\\n]*${start}/\\d+/0`).test(await page.locator('#audit').innerText()),
      { message: 'the change in 修改记录' });

    // Put back.
    await page.getByLabel(`${start} 时段名额`).fill(before);
    await page.getByRole('button', { name: '保存预约时段' }).click();
    await eventually(async () => /预约时段已保存/.test(await page.locator('#plan-result').innerText()), { message: 'saved again' });
    assert.equal(capOf(), before);
    // The question came from a 409 on purpose; nothing else may fail.
    assert.deepEqual(problemsBut(page, 409, /^PUT .*\/slot-plans\//), []);
  }, { viewport: SCREEN });
});

test('工作人员: a new account and a reset show the temporary password once; a lock shows and ends sign-in', T, async () => {
  const page = await screenPage({ viewport: SCREEN });
  const user = `br_${Math.floor(Math.random() * 1e6)}`;
  try {
    await page.goto(url('/staff/admin/staff.html'), { waitUntil: 'domcontentloaded' });
    await signInStaffForm(page, 'admin', null, '#new-form');
    await page.locator('#staff tr[data-user="clerk1"]').waitFor();
    await checkA11y(page);
    // Every wrong field named beside it.
    await page.getByLabel(/^登录名/).fill('坏 名');
    await page.getByRole('button', { name: '新建账号' }).click();
    await eventually(async () => (await page.locator('#new-form [data-field="username"] .field-error').textContent()).length > 0
      && (await page.locator('#new-form [data-field="name"] .field-error').textContent()).length > 0,
    { message: 'username and name named' });
    // Made: the temporary password shown once, and it signs in only with a new one.
    await page.getByLabel(/^登录名/).fill(user);
    await page.getByLabel('姓名').fill('测试员');
    await page.getByLabel(/常用窗口号/).fill('2');
    await page.getByRole('button', { name: '新建账号' }).click();
    const temp = page.locator('#new-result .temp-pw');
    await temp.waitFor();
    const pw = await temp.innerText();
    assert.ok(pw.length >= 12);
    let r = await api('POST', '/staff/login', { body: { hall: 'demo', username: user, password: pw, window: 2 } });
    assert.equal(r.status, 403);
    assert.equal(r.data.error.code, 'PASSWORD_CHANGE_REQUIRED');
    r = await api('POST', '/staff/login', { body: { hall: 'demo', username: user, password: pw, window: 2, new_password: '新的密码-browser-2026' } });
    assert.equal(r.status, 200);
    const token = r.data.token;
    // Locked from the list: the row says so, the session is over.
    const row = page.locator(`#staff tr[data-user="${user}"]`);
    await row.getByRole('button', { name: `锁定 ${user}` }).click();
    await eventually(async () => /已锁定/.test(await row.innerText()), { message: 'the row says 已锁定' });
    assert.equal((await api('GET', '/me', { token })).status, 401);
    assert.equal(sql(`SELECT disabled FROM staff WHERE hall = 'demo' AND username = '${user}'`), '1');
    await row.getByRole('button', { name: `解锁 ${user}` }).click();
    await eventually(async () => /正常/.test(await row.innerText()), { message: 'unlocked' });
    // Reset: a new temporary password, shown once.
    await row.getByRole('button', { name: `重置 ${user} 的密码` }).click();
    await page.locator('#list-result .temp-pw').waitFor();
    assert.notEqual(await page.locator('#list-result .temp-pw').innerText(), pw);
    assert.equal(sql(`SELECT must_change_password FROM staff WHERE hall = 'demo' AND username = '${user}'`), '1');
    await eventually(async () => /修改前[\s\S]*"disabled":true/.test(await page.locator('#audit').innerText()),
      { message: 'the trail lists the lock with before and after' });
    await checkA11y(page);
    await screenshot(page, 'admin-staff');
    assert.deepEqual(problemsBut(page, 400, /^POST .*\/staff$/), []);
  } finally {
    sql(`DELETE FROM staff WHERE hall = 'demo' AND username = '${user}'`);
    await page.context().close();
  }
});

test('节假日安排 and 短信模板: a notice previewed then imported; a provider code set and taken back', T, async () => {
  const notice = {
    year: 2027,
    source: 'admin.test.mjs 测试用安排（非正式通知）',
    days: [
      { date: '2027-01-01', name: '元旦', off: true },
      { date: '2027-01-04', name: '元旦补假（测试）', off: true },
    ],
  };
  const forget = () => sql("DELETE FROM calendar_days WHERE day BETWEEN '2027-01-01' AND '2027-12-31'; DELETE FROM calendar_years WHERE year = 2027");
  forget();
  const page = await screenPage({ viewport: SCREEN });
  try {
    await page.goto(url('/staff/admin/calendar.html'), { waitUntil: 'domcontentloaded' });
    await signInStaffForm(page, 'admin', null, '#cal-form');
    await checkA11y(page);
    // Not JSON: named at the file field.
    await page.getByLabel(/节假日安排文件/).setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('not json') });
    await page.getByRole('button', { name: '预览' }).click();
    await eventually(async () => (await page.locator('[data-field="notice"] .field-error').textContent()).length > 0, { message: 'the file named' });
    // The preview writes nothing; the import does.
    await page.getByLabel(/节假日安排文件/).setInputFiles({ name: 'cn-holidays-2027.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(notice)) });
    await page.getByRole('button', { name: '预览' }).click();
    await page.locator('#pv:not([hidden])').waitFor();
    assert.match(await page.locator('#pv-sum').innerText(), /2027 年/);
    assert.equal(sql('SELECT COUNT(*) FROM calendar_years WHERE year = 2027'), '0');
    await checkA11y(page);
    await page.getByRole('button', { name: '确认导入' }).click();
    await eventually(async () => /2027 年节假日安排已导入/.test(await page.locator('#cal-result').innerText()), { message: 'imported' });
    assert.equal(sql('SELECT COUNT(*) FROM calendar_years WHERE year = 2027'), '1');
    assert.equal(sql("SELECT off FROM calendar_days WHERE day = '2027-01-04'"), '1');

    // A provider code set on 短信模板, then taken back to the file's.
    await page.goto(url('/staff/admin/sms.html'), { waitUntil: 'domcontentloaded' });
    const row = page.locator('tr[data-name="appointment_booked"]');
    await row.waitFor();
    await checkA11y(page);
    await row.locator('#aliyun-appointment_booked').fill('SMS_1');
    await row.getByRole('button', { name: /保存/ }).click();
    await eventually(async () => (await row.locator('[data-field="aliyun"] .field-error').textContent()).length > 0, { message: 'the bad code named' });
    await row.locator('#aliyun-appointment_booked').fill('SMS_800000123');
    await row.getByRole('button', { name: /保存/ }).click();
    await eventually(async () => /已保存/.test(await page.locator('#sms-result').innerText()), { message: 'saved' });
    assert.equal(sql("SELECT code FROM sms_template_codes WHERE template = 'appointment_booked' AND provider = 'aliyun'"), 'SMS_800000123');
    assert.equal(await page.locator('#aliyun-appointment_booked').inputValue(), 'SMS_800000123');
    await page.locator('tr[data-name="appointment_booked"] #aliyun-appointment_booked').fill('');
    await page.locator('tr[data-name="appointment_booked"]').getByRole('button', { name: /保存/ }).click();
    await eventually(async () => sql("SELECT COUNT(*) FROM sms_template_codes WHERE template = 'appointment_booked'") === '0',
      { message: 'back to the file' });
    assert.deepEqual(problemsBut(page, 400, /^(POST|PUT) /), []);
  } finally {
    forget();
    await page.context().close();
  }
});
