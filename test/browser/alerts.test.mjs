// The hall manager's alerts on the dashboard (issue 17): a notice that failed for good and
// a login-code budget nearing its end are shown with the alerts, each with 已处理; pressing
// it marks the alert dealt with (POST /halls/demo/alerts/dismiss) and it leaves the list —
// for good: the record says it was cleared.  The holiday-calendar alert clears itself once
// the year is loaded: it has no button.
//
// The alerts are written into hall_alerts as the worker and the sign-in route write them
// (it_sms_guard.c makes them for real); the mariadb client runs as the database superuser
// over the instance's socket, as dashboard.test.mjs does.
// Screenshot: dashboard-alerts.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, phonePage, screenshot, allProblems, closeBrowser, apiJson, sql, signInStaffForm,
} from './lib.mjs';

const T = { timeout: 120000 };
const RUN = String(Date.now() % 1000000).padStart(6, '0');

after(closeBrowser);

test('the manager sees a failed notice and a budget warning, and marks them dealt with', T, async () => {
  const dead = `notice:9${RUN}`;
  // Today's key (the hall clock's day): the worker clears budget alerts of earlier days.
  const { now } = await apiJson('/halls/demo/board');
  const budget = `sms_budget:${now.slice(0, 10)}`;
  sql(`SET NAMES utf8mb4;
    INSERT INTO hall_alerts (hall, akey, level, message, raised_at) VALUES
    ('demo', '${dead}', 'warning', '「办结领取通知」短信未能送达 139****0001（办件 DEMO-20261123-${RUN}）：手机号码无效（isv.MOBILE_NUMBER_ILLEGAL）。请核实后在办件或通知记录中重发，或电话告知。', NOW()),
    ('demo', '${budget}', 'warning', '本大厅已发出登录验证码短信 1600 条，达到每日额度 2000 条的 80%。', NOW())
    ON DUPLICATE KEY UPDATE cleared_at = NULL;`);

  const page = await phonePage({ viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 });
  await page.goto(url('/staff/dashboard.html'));
  await signInStaffForm(page, 'manager1', 0, 'body[data-loaded="1"]');

  const card = page.locator('#alerts-card');
  assert.equal(await card.isVisible(), true);
  const deadItem = page.locator(`#alerts li[data-key="${dead}"]`);
  await deadItem.waitFor();
  assert.match(await deadItem.textContent(), new RegExp(`DEMO-20261123-${RUN}`));
  assert.match(await deadItem.textContent(), /139\*\*\*\*0001/);
  assert.match(await page.locator(`#alerts li[data-key="${budget}"]`).textContent(), /80%/);
  // A calendar alert, if the hall has one, clears itself: no button on it.
  for (const li of await page.locator('#alerts li[data-key^="calendar:"]').all())
    assert.equal(await li.getByRole('button', { name: '已处理' }).count(), 0);
  await screenshot(page, 'dashboard-alerts');

  await deadItem.getByRole('button', { name: '已处理' }).click();
  await deadItem.waitFor({ state: 'detached' });
  assert.equal((await page.locator(`#alerts li[data-key="${budget}"]`).count()), 1);
  assert.equal(sql(`SELECT cleared_at IS NOT NULL FROM hall_alerts WHERE hall = 'demo' AND akey = '${dead}';`).trim(), '1');
  // After a reload it stays gone.
  await page.reload();
  await page.locator('body[data-loaded="1"]').waitFor({ timeout: 30000 });
  await page.locator(`#alerts li[data-key="${budget}"]`).waitFor();
  assert.equal(await page.locator(`#alerts li[data-key="${dead}"]`).count(), 0);
  await page.locator(`#alerts li[data-key="${budget}"]`).getByRole('button', { name: '已处理' }).click();
  await page.locator(`#alerts li[data-key="${budget}"]`).waitFor({ state: 'detached' });
  assert.deepEqual(allProblems(page), []);
  await page.context().close();
});
