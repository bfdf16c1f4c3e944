// The review loop in a browser (issue 19, items 7 and 8):
//
//  * 投诉 on the phone: a signed-in citizen opens complaint.html, is told under the field that
//    four characters are too few (nothing is sent), files a complaint about the hall and sees
//    it in 我的投诉 with its deadline; the row is in the database as typed;
//  * 好差评 with 1 star: the review page asks for the reason under the comment box before
//    sending (no review row), then takes it with the reason;
//  * the manager's 复核 on the dashboard: manager1 recorded the fix, so the dashboard tells
//    manager1 another manager must check it and offers no button; admin passes it, the task is
//    closed in the database and the reviewer gets the outcome SMS.
// Screenshots: complaint-phone, review-one-star-needs-comment, dashboard-check.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenshot, allProblems, eventually, PASSWORD,
  sql, api as call, staffToken as login, signInCitizen, randomPhone, idNumber, closeHall,
  smsLogSize, smsSince, setClock, checkA11y, chooseHall, acceptCase,
  onScreenPage, onPhonePage,
} from './lib.mjs';

const T = { timeout: 120000 };

after(closeHall);

/* A case accepted at window 1 with this applicant phone, then closed; number and token. */
async function closedCase(phone) {
  const clerk = await login('clerk1', 1);
  const accepted = await acceptCase(clerk, {
    item: 'IT-A-001', materials: ['M1'],
    applicant: { name: '钱评价', id_number: idNumber('110105', 60, 30, '0101'), phone },
  });
  sql(`UPDATE cases SET status = 'closed', closed_at = NOW() WHERE no = '${accepted.no}';`);
  return { no: accepted.no, token: accepted.track_token };
}

test('a citizen complains from the phone: too short is said under the field, then it is filed and listed', T, async () => {
  await setClock('2026-11-23T10:00:00+08:00');
  const phone = randomPhone('13');
  await onPhonePage(async (page) => {
    await signInCitizen(page, phone);
    const before = sql('SELECT COUNT(*) FROM complaints;');
    await page.goto(url('/complaint.html'), { waitUntil: 'domcontentloaded' });
    await page.locator('#cp-form:not([hidden])').waitFor();
    await page.getByLabel('大厅服务').check();
    await page.getByLabel(/具体情况/).fill('空调太冷');	// 4 characters
    await page.getByRole('button', { name: '提交投诉' }).click();
    const err = page.locator('#cp-text-error');
    await eventually(async () => /至少写 5 个字/.test(await err.innerText()), { message: 'the field says why' });
    assert.equal(await page.getByLabel(/具体情况/).getAttribute('aria-invalid'), 'true');
    assert.equal(sql('SELECT COUNT(*) FROM complaints;'), before, 'nothing sent');

    const text = '大厅空调太冷，等候区老人一直发抖，希望调高温度😀';
    await page.getByLabel(/具体情况/).fill(text);
    assert.equal(await page.locator('#cp-count').innerText(), `${[...text].length} / 500`, 'counted in characters');
    await page.getByRole('button', { name: '提交投诉' }).click();
    await page.locator('#status .notice-ok').waitFor();
    assert.match(await page.locator('#status').innerText(), /2026-11-30 前答复/);
    const item = page.locator('#cp-list li').first();
    await item.waitFor();
    assert.match(await item.innerText(), /待处理/);
    assert.equal(await item.locator('.cp-text').innerText(), text);
    assert.equal(sql('SELECT HEX(body) FROM complaints ORDER BY id DESC LIMIT 1;'),
      Buffer.from(text, 'utf8').toString('hex').toUpperCase(), 'stored as typed (the emoji too)');
    assert.equal(sql(`SELECT CONCAT(about, ' ', status, ' ', deadline) FROM complaints ORDER BY id DESC LIMIT 1;`),
      'hall open 2026-11-30');
    await checkA11y(page);
    await screenshot(page, 'complaint-phone');
    assert.deepEqual(allProblems(page), []);
  });
});

test('a 1-star review asks for the reason before it is sent, then takes it', T, async () => {
  const { no, token } = await closedCase(randomPhone('15'));
  await onPhonePage(async (page) => {
    await page.goto(url(`/review.html?case=${token}`), { waitUntil: 'domcontentloaded' });
    await page.locator('#rv-form:not([hidden])').waitFor();
    await page.getByRole('button', { name: '非常不满意', exact: true }).click();
    assert.match(await page.locator('#rv-comment-label').innerText(), /必填/);
    await page.getByRole('button', { name: '提交评价' }).click();
    const err = page.locator('#rv-comment-error');
    await err.waitFor();
    assert.match(await err.innerText(), /不满意的原因/);
    assert.equal(sql(`SELECT COUNT(*) FROM reviews WHERE ref = '${no}';`), '0', 'nothing sent without a reason');
    await screenshot(page, 'review-one-star-needs-comment');

    await page.locator('#rv-comment').fill('材料清单说了三个版本');
    assert.ok(await err.isHidden(), 'the message goes once a reason is typed');
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.locator('#rv-done:not([hidden])').waitFor();
    assert.equal(sql(`SELECT CONCAT(score, ' ', comment) FROM reviews WHERE ref = '${no}';`), '1 材料清单说了三个版本');
    assert.equal(sql(`SELECT COUNT(*) FROM review_rectifications t JOIN reviews v ON v.id = t.review_id WHERE v.ref = '${no}';`), '1');
    assert.deepEqual(allProblems(page), []);
  });
});

/* Sign in on staff/login.html and open the dashboard. */
async function dashboardAs(page, user) {
  await page.goto(url('/staff/login.html'), { waitUntil: 'domcontentloaded' });
  await chooseHall(page, 'demo');
  await page.getByLabel('用户名').fill(user);
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.waitForURL((u) => !/login\.html/.test(String(u)));
  await page.goto(url('/staff/dashboard.html'), { waitUntil: 'domcontentloaded' });
  await page.locator('body[data-loaded="1"]').waitFor({ timeout: 30000 });
}

test('the manager who recorded a fix cannot check it; another passes it and the reviewer is told', T, async () => {
  const phone = randomPhone('18');
  const { no, token } = await closedCase(phone);
  const rv = await call('POST', '/reviews', { body: { case: token, score: 2, comment: '窗口让我跑了三趟' } });
  assert.equal(rv.status, 201, JSON.stringify(rv.json));
  // Among the dashboard's first tasks (nearest deadline): long overdue.
  sql(`UPDATE review_rectifications t JOIN reviews v ON v.id = t.review_id SET t.deadline = '2025-11-01' WHERE v.ref = '${no}';`);
  const id = sql(`SELECT t.id FROM review_rectifications t JOIN reviews v ON v.id = t.review_id WHERE v.ref = '${no}';`);
  const mgr = await login('manager1');
  let r = await call('PATCH', `/halls/demo/rectifications/${id}`, { token: mgr, body: { contacted: true, contact_note: '已电话致歉', cause: '一次性告知不全' } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  r = await call('POST', `/halls/demo/rectifications/${id}/close`, { token: mgr, body: { fix: '告知单逐项核对后出具' } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.rectification.status, 'fixed');

  await onScreenPage(async (page) => {
    // manager1 recorded it: told so, no 复核 button.
    await dashboardAs(page, 'manager1');
    let item = page.locator(`#rect li[data-ref="${no}"]`);
    await item.waitFor();
    assert.match(await item.locator('summary').innerText(), /待复核/);
    await item.locator('summary').click();
    await item.getByText('整改由您提交，须由另一位负责人复核').waitFor();
    assert.equal(await item.getByRole('button', { name: '复核通过' }).count(), 0);
    await page.context().clearCookies();
    await page.evaluate(() => window.localStorage.clear());

    // admin checks it.
    await dashboardAs(page, 'admin');
    item = page.locator(`#rect li[data-ref="${no}"]`);
    await item.waitFor();
    await item.locator('summary').click();
    assert.match(await item.innerText(), /告知单逐项核对后出具/);
    // Sending back needs a reason: said, nothing changes.
    await item.getByRole('button', { name: '退回重新整改' }).click();
    await item.locator('.rect-msg .notice-error').waitFor();
    assert.equal(sql(`SELECT status FROM review_rectifications WHERE id = ${id};`), 'fixed');
    await checkA11y(page);
    await screenshot(page, 'dashboard-check');
    const since = await smsLogSize();
    await item.getByRole('button', { name: '复核通过' }).click();
    await eventually(async () => sql(`SELECT status FROM review_rectifications WHERE id = ${id};`) === 'closed',
      { message: 'the task is closed' });
    assert.equal(sql(`SELECT COUNT(*) FROM review_rectification_history WHERE task_id = ${id} AND action = 'check_pass'
      AND actor = (SELECT id FROM staff WHERE username = 'admin' AND hall = 'demo');`), '1', 'checked by admin');
    const sms = await smsSince(phone, 'review_rectified', since);
    assert.match(sms.params.subject, new RegExp(no));
    await eventually(async () => (await page.locator(`#rect li[data-ref="${no}"]`).count()) === 0,
      { message: 'gone from the open tasks' });
    assert.deepEqual(allProblems(page), []);
  }, { viewport: { width: 1366, height: 768 } });
});
