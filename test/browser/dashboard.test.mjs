// Reviews and the hall manager's dashboard (issue 9).
//
//  * 好差评 on a phone: a citizen whose visit is over opens review.html?ticket=<token>, picks
//    不满意, an indicator and a comment, and sends it; a second attempt is told it was done.
//  * The dashboard after a day's traffic: test/bench/scenarios/stats-day.sql writes a day of
//    5,000 tickets, reviews and 500 cases (the mariadb client as the database superuser over
//    the instance's socket); manager1 signs in on staff/dashboard.html for that day and sees
//    the figures, the SVG charts, the tables and the open rectification task from the phone.
//    The same link again shows the review given.
// Screenshots: review-phone, review-thanks, review-given, dashboard-laptop, dashboard-tablet.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  url, phonePage, screenshot, allProblems, closeBrowser, checkA11y, ROOT, sql, signInStaffForm,
} from './lib.mjs';

const T = { timeout: 180000 };
const DAY = '2026-10-21';
const RUN = String(Date.now() % 1000000).padStart(6, '0');

after(closeBrowser);

const ticketToken = `bwrev${RUN}`;

test('a finished visit is reviewed on a phone, once', T, async () => {
  sql(`SET NAMES utf8mb4;
    INSERT INTO queue_tickets (token, hall, day, num_cat, seq, number, category, priority, line,
      rank_score, source, status, outcome, window_no, clerk, calls, taken_at, called_at,
      started_at, finished_at, updated_at)
    SELECT '${ticketToken}', 'demo', '2026-09-02', 'B', COALESCE(MAX(seq), 0) + 1,
      CONCAT('B', LPAD(COALESCE(MAX(seq), 0) + 1, 3, '0')), 'B', 'normal', 'n', 1, 'kiosk',
      'done', 'done', 2, '2', 1, '2026-09-02 09:00:00', '2026-09-02 09:20:00',
      '2026-09-02 09:21:00', '2026-09-02 09:40:00', '2026-09-02 09:40:00'
    FROM queue_tickets WHERE hall = 'demo' AND day = '2026-09-02' AND num_cat = 'B';`);
  const page = await phonePage();
  await page.goto(url(`/review.html?ticket=${ticketToken}`));
  await page.locator('#rv-form:not([hidden])').waitFor();
  assert.match(await page.locator('#rv-what').textContent(), /排队号 B\d{3}/);
  const levels = page.locator('.rv-level');
  assert.equal(await levels.count(), 5);
  assert.equal((await levels.first().textContent()).includes('非常满意'), true);
  assert.equal(await page.locator('#rv-submit').isDisabled(), true);
  await page.getByRole('button', { name: '不满意', exact: true }).click();
  await page.locator('#rv-bad-hint:not([hidden])').waitFor();
  // Each sub-score says what its ends mean.
  assert.match(await page.locator('[data-indicator="efficiency"]').innerText(), /1 非常不满意[\s\S]*5 非常满意/);
  // One promise about who sees the review, not "anonymous" and "we will call you" at once.
  assert.doesNotMatch(await page.locator('main').innerText(), /匿名/);
  await checkA11y(page);
  await page.getByRole('button', { name: '服务效率 2 分' }).click();
  await page.locator('#rv-comment').fill('等了二十分钟才叫号，窗口解释也不够清楚');
  await screenshot(page, 'review-phone');
  await page.locator('#rv-submit').click();
  await page.locator('#rv-done:not([hidden])').waitFor();
  assert.match(await page.locator('#rv-done-text').textContent(), /联系/);
  await screenshot(page, 'review-thanks');
  assert.deepEqual(allProblems(page), []);

  // The same link again: the review given is shown, not a form that could only fail.
  await page.goto(url(`/review.html?ticket=${ticketToken}`));
  await page.locator('#rv-given:not([hidden])').waitFor();
  assert.equal(await page.locator('#rv-form').isVisible(), false);
  assert.equal((await page.locator('#rv-given-label').textContent()).trim(), '不满意');
  assert.match(await page.locator('#rv-given-ind').innerText(), /服务效率\s*2 分/);
  assert.match(await page.locator('#rv-given-comment').textContent(), /等了二十分钟/);
  assert.match(await page.locator('#rv-given-rect').textContent(), /联系/);
  await checkA11y(page);
  await screenshot(page, 'review-given');
  assert.deepEqual(allProblems(page), []);
  await page.context().close();
});

async function dashboard(viewport, name) {
  const page = await phonePage({ viewport, isMobile: false, hasTouch: viewport.width < 1000, deviceScaleFactor: 1 });
  await page.goto(url(`/staff/dashboard.html?from=${DAY}&to=${DAY}`));
  await signInStaffForm(page, 'manager1', 0, 'body[data-loaded="1"]');
  const kpis = page.locator('#kpis .kpi');
  assert.equal(await kpis.count(), 8);
  assert.equal((await kpis.first().locator('.kpi-value').textContent()).trim(), '5000');
  assert.match(await page.locator('#kpis').textContent(), /满意率/);
  // Charts: inline SVG with bars.
  assert.ok(await page.locator('#chart-hours svg rect').count() > 20);
  assert.ok(await page.locator('#chart-wait svg rect').count() >= 12);
  assert.ok(await page.locator('#chart-dept svg rect').count() >= 3);
  // Tables: six categories, seven windows.
  assert.equal(await page.locator('#t-cat tbody tr').count(), 6);
  assert.equal(await page.locator('#t-win tbody tr').count(), 7);
  // The open task from the phone's bad review is on the list.
  await page.locator('#rect li').first().waitFor();
  assert.match(await page.locator('#rect').textContent(), /不满意|非常不满意/);
  await screenshot(page, name);
  assert.deepEqual(allProblems(page), []);
  await page.context().close();
}

test('the manager sees a day of 5,000 tickets and 500 cases on the dashboard', T, async () => {
  const day = readFileSync(path.join(ROOT, 'test/bench/scenarios/stats-day.sql'), 'utf8');
  sql(`SET @day = '${DAY}';\n${day}`);
  await dashboard({ width: 1280, height: 900 }, 'dashboard-laptop');
  await dashboard({ width: 820, height: 1180 }, 'dashboard-tablet');
});
