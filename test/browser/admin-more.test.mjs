// The hall's categories and the departments in the administration console (issue 21), as
// the hall's admin uses them on a 1366×768 screen, with the hall clock on Monday 2026-12-14:
//
//  * 业务类别: a category whose name is left empty is refused with the error next to the
//    name field and nothing made; category P made (it appears in the table, in the
//    database and on the kiosk's list), 停用 (the table says 已停用, the kiosk's list drops
//    it, the kiosk refuses a number in it), 恢复; the trail lists the changes;
//  * 办理部门: a wrong code named next to its field; a department made, 停用 and 恢复, each
//    shown in the table and in the database, the trail listing them;
//  * 预约时段, 每周四: Thursdays' own plan made from the category's, a booked Thursday slot
//    cut to 0 places asks first (the count in the question); 不保存 leaves nothing of its own
//    for Thursday and the booking standing; confirming saves Thursdays' plan, cancels the
//    booking and tells its citizen; 恢复为上级计划 takes Thursdays' plan away;
//  * each page passes checkA11y with no console error but the 400s asked for.
// Screenshots: admin-categories, admin-departments.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenshot, problemsBut, eventually, openHallAt, closeHall, sql, api,   checkA11y, signInStaffForm, bookFreeSlot, planSaveAsked, planSaveConfirmed, idNumber,
  smsLogSize, smsSince,
  staffToken, onScreenPage,
} from './lib.mjs';

const T = { timeout: 120000 };
const SCREEN = { width: 1366, height: 768 };

before(async () => {
  await openHallAt('2026-12-14T10:00:00+08:00');
});
after(async () => {
  // Through the console's own routes, so every app process drops its copies at once (a
  // change by SQL alone would linger in them: the board after this file would still list P).
  const admin = await staffToken('admin');
  const plan = await api('DELETE', '/admin/halls/demo/slot-plans/D/weekdays/4', { token: admin });
  if (plan.status !== 200 && plan.status !== 204 && plan.status !== 404) {
    sql("DELETE FROM slot_plan_weekdays WHERE hall = 'demo' AND category = 'D' AND weekday = 4");
  }
  // P stays retired (tickets may name it); the kiosk and the board do not offer it.
  const p = await api('POST', '/admin/halls/demo/categories/P/retire', { token: admin });
  assert.ok(p.status === 200 || p.status === 404, `P retired: ${p.status}`);
  await closeHall();
});

async function kioskLists(code) {
  const r = await api('GET', '/halls/demo/categories');
  assert.equal(r.status, 200);
  return r.data.categories.some((c) => c.code === code);
}

test('业务类别: a missing name is named at its field; a category made, retired and restored reaches the kiosk', T, () => onScreenPage(async (page) => {
  await page.goto(url('/staff/admin/categories.html'), { waitUntil: 'domcontentloaded' });
  await signInStaffForm(page, 'admin', null, '#cats tr[data-code="A"]');
  await checkA11y(page);

  // No name: the error beside the name field, nothing made.
  await page.getByLabel(/类别代码/).fill('P');
  await page.getByLabel('名称', { exact: true }).fill('');
  await page.getByRole('button', { name: '保存类别' }).click();
  const err = page.locator('#cat-form [data-field="name"] .field-error');
  await eventually(async () => (await err.textContent()).length > 0, { message: 'the name field says what is wrong' });
  assert.equal(sql("SELECT COUNT(*) FROM categories WHERE hall = 'demo' AND code = 'P'"), '0');

  // Made: in the table, the database and the kiosk's list.
  await page.getByLabel('名称', { exact: true }).fill('公积金·𠮷');
  await page.getByLabel(/说明/).fill('住房公积金提取、贷款');
  await page.getByLabel(/平均办理时长/).fill('9');
  await page.getByRole('button', { name: '保存类别' }).click();
  const row = page.locator('#cats tr[data-code="P"]');
  await row.waitFor();
  assert.match(await row.innerText(), /公积金·𠮷[\s\S]*使用中/);
  // (the sql helper's client shows 𠮷 as ?: its length is checked there, the text by the API)
  assert.equal(sql("SELECT CONCAT(CHAR_LENGTH(name), ' ', avg_service_minutes) FROM categories WHERE hall = 'demo' AND code = 'P'"), '5 9');
  await eventually(() => kioskLists('P'), { message: 'the kiosk lists P' });
  const listed = (await api('GET', '/halls/demo/categories')).data.categories.find((c) => c.code === 'P');
  assert.equal(listed.name, '公积金·𠮷');

  // 停用: the table says so, the kiosk drops it and refuses a number in it.
  await page.getByRole('button', { name: '停用类别 P' }).click();
  await eventually(async () => /已停用/.test(await row.innerText()), { message: 'P shown retired' });
  assert.equal(sql("SELECT retired_at IS NOT NULL FROM categories WHERE hall = 'demo' AND code = 'P'"), '1');
  await eventually(async () => !(await kioskLists('P')), { message: 'the kiosk no longer lists P' });
  await eventually(async () => /修改前 \{"retired":false\} → 修改后 \{"retired":true\}/.test(await page.locator('#audit').innerText()),
    { message: 'the retirement in 修改记录' });
  await checkA11y(page);
  await screenshot(page, 'admin-categories');

  // 恢复: offered again.
  await page.getByRole('button', { name: '恢复类别 P' }).click();
  await eventually(async () => /使用中/.test(await row.innerText()), { message: 'P shown in service' });
  await eventually(() => kioskLists('P'), { message: 'the kiosk lists P again' });
  assert.deepEqual(problemsBut(page, 400, /^PUT .*\/categories\//), []);
}, { viewport: SCREEN }));

test('办理部门: a wrong code is named at its field; a department made, retired and restored', T, async () => {
  const code = `bt-${Date.now() % 100000}`;
  await onScreenPage(async (page) => {
    await page.goto(url('/staff/admin/departments.html'), { waitUntil: 'domcontentloaded' });
    await signInStaffForm(page, 'admin', null, '#depts tr[data-code="scjg"]');
    await checkA11y(page);

    await page.getByLabel(/部门代码/).fill('有 空格');
    await page.getByLabel('部门名称').fill('测试局');
    await page.getByRole('button', { name: '保存部门' }).click();
    const err = page.locator('#dept-form [data-field="code"] .field-error');
    await eventually(async () => (await err.textContent()).length > 0, { message: 'the code field says what is wrong' });

    // An empty name: the API names it beside the field.
    await page.getByLabel(/部门代码/).fill(code);
    await page.getByLabel('部门名称').fill('');
    await page.getByRole('button', { name: '保存部门' }).click();
    const nerr = page.locator('#dept-form [data-field="name"] .field-error');
    await eventually(async () => (await nerr.textContent()).length > 0, { message: 'the name field says what is wrong' });
    assert.equal(sql(`SELECT COUNT(*) FROM departments WHERE code = '${code}'`), '0');

    await page.getByLabel('部门名称').fill('市数据𠮷局');
    await page.getByRole('button', { name: '保存部门' }).click();
    const row = page.locator(`#depts tr[data-code="${code}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /市数据𠮷局[\s\S]*使用中/);
    await page.getByRole('button', { name: `停用部门 ${code}` }).click();
    await eventually(async () => /已停用/.test(await row.innerText()), { message: 'shown retired' });
    assert.equal(sql(`SELECT retired_at IS NOT NULL FROM departments WHERE code = '${code}'`), '1');
    await page.getByRole('button', { name: `恢复部门 ${code}` }).click();
    await eventually(async () => /使用中/.test(await row.innerText()), { message: 'shown in service' });
    assert.equal(sql(`SELECT retired_at IS NULL FROM departments WHERE code = '${code}'`), '1');
    await eventually(async () => new RegExp(code).test(await page.locator('#audit').innerText()),
      { message: 'the changes in 修改记录' });
    await checkA11y(page);
    await screenshot(page, 'admin-departments');
    assert.deepEqual(problemsBut(page, 400, /^PUT .*\/departments\//), []);
  }, { viewport: SCREEN });
});

test('预约时段 每周四: a Thursday plan below a booking is saved only after the confirmation; 恢复为上级计划', T, async () => {
  // A citizen books a D slot on Thursday 2026-12-17.
  const { phone, start } = await bookFreeSlot('17', 'D', '2026-12-17', '赵六', idNumber('110105', 72, 21, '0606'));
  const own = () => sql("SELECT COUNT(*) FROM slot_plan_weekdays WHERE hall = 'demo' AND category = 'D' AND weekday = 4");
  const statusOf = () => sql(`SELECT status FROM appointments WHERE hall = 'demo' AND category = 'D' AND day = '2026-12-17' AND start_time = '${start}:00' ORDER BY id DESC LIMIT 1`);

  await onScreenPage(async (page) => {
    await page.goto(url('/staff/admin/slots.html'), { waitUntil: 'domcontentloaded' });
    await signInStaffForm(page, 'admin', null, '#plan-form');
    await page.getByLabel('业务类别').selectOption('D');
    await page.getByLabel('适用于').selectOption('w4');
    const cap = page.getByLabel(`${start} 时段名额`);
    await cap.waitFor();
    assert.match(await page.locator('#p-scope-hint').innerText(), /按上级计划/);
    await checkA11y(page);
    await cap.fill('0');
    const dialog = await planSaveAsked(page);
    await dialog.getByRole('button', { name: '不保存' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(own(), '0', 'declined: Thursday has no plan of its own');
    assert.equal(statusOf(), 'booked', 'declined: the booking stands');

    const since = await smsLogSize();
    await planSaveConfirmed(page);
    assert.equal(own(), '1');
    assert.equal(sql(`SELECT capacity FROM slot_plan_weekday_slots WHERE hall = 'demo' AND category = 'D' AND weekday = 4 AND start_time = '${start}:00'`), '0');
    assert.equal(statusOf(), 'cancelled');
    await smsSince(phone, 'appointment_cancelled', since);
    await eventually(async () => /demo:D:w4/.test(await page.locator('#audit').innerText()), { message: 'the change in 修改记录' });
    await checkA11y(page);
    await screenshot(page, 'admin-slots-weekday');

    // 恢复为上级计划: Thursdays follow the category's plan again.
    await page.getByRole('button', { name: '恢复为上级计划' }).click();
    await eventually(async () => own() === '0', { message: 'Thursday plan taken away' });
    await eventually(async () => /按上级计划/.test(await page.locator('#p-scope-hint').innerText()), { message: 'the page says so' });
    assert.deepEqual(problemsBut(page, 409, /^PUT .*\/slot-plans\//), []);
  }, { viewport: SCREEN });
});
