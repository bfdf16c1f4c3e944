// The demo city (issue 22): the city manager's figures and the citizen's choice of pickup hall.
//
//  * staff/city.html: city1 (role city_manager) signs in on the page's own form and sees one
//    row per hall of 示范市 and the 全市合计 row, for a day whose queue the test writes: the
//    station's one number waited 10 minutes, chengbei's three 2 minutes each — the city's
//    average is 4.0 (weighted by the numbers called), not 6.0 (the mean of the halls'). On a
//    phone the table scrolls in its box, not the page; large-text mode is larger.
//  * The window's acceptance page offers the city's pickup halls, its own first.
//  * my-cases.html: a citizen whose case was accepted at the centre changes the pickup hall to
//    chengbei before the result is ready; the record says so, and the page names the hall.
// Screenshots: city-phone, city-large, my-case-pickup.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenshot, allProblems, closeBrowser, checkA11y, sql, api,
  staffToken, signInStaffForm, signInCitizen, randomPhone, scrollWidth, bodyFontPx,
  onScreenPage, onPhonePage,
} from './lib.mjs';

const T = { timeout: 180000 };
const DAY = '2026-08-12';
const RUN = String(Date.now() % 1000000).padStart(6, '0');

after(closeBrowser);

/* One called ticket of hall at DAY, taken at 09:00 and called `wait` minutes later. */
function ticketSql(hall, seq, wait) {
  return `INSERT INTO queue_tickets (token, hall, day, num_cat, seq, number, category, priority,
      line, rank_score, source, status, outcome, window_no, calls, taken_at, called_at,
      started_at, finished_at, updated_at)
    VALUES ('bwcity${RUN}${hall.slice(0, 2)}${seq}', '${hall}', '${DAY}', 'A', ${seq},
      'A${String(seq).padStart(3, '0')}', 'A', 'normal', 'n', ${seq}, 'kiosk', 'done', 'done', 1,
      1, '${DAY} 09:00:00', ADDTIME('${DAY} 09:00:00', SEC_TO_TIME(${wait * 60})),
      ADDTIME('${DAY} 09:00:00', SEC_TO_TIME(${wait * 60})),
      ADDTIME('${DAY} 09:20:00', SEC_TO_TIME(${wait * 60})), '${DAY} 10:00:00');`;
}

test('the city manager sees every hall side by side and the weighted city total', T, async () => {
  sql(`DELETE FROM queue_tickets WHERE day = '${DAY}';
    ${ticketSql('qiaotou', 1, 10)}
    ${ticketSql('chengbei', 1, 2)} ${ticketSql('chengbei', 2, 2)} ${ticketSql('chengbei', 3, 2)}`);
  await onPhonePage(async (page) => {
    await page.goto(url(`/staff/city.html?from=${DAY}&to=${DAY}`), { waitUntil: 'domcontentloaded' });
    await signInStaffForm(page, 'city1');
    const rows = page.locator('#city-rows tr');
    await rows.nth(3).waitFor();
    assert.equal(await rows.count(), 4, 'one row per hall of the city');
    assert.match(await rows.nth(0).innerText(), /示范区政务服务中心/, 'the centre first');
    const cell = async (hall, i) => (await page.locator(`tr[data-hall="${hall}"] td`).nth(i).innerText()).trim();
    assert.equal(await cell('qiaotou', 0), '1');
    assert.equal(await cell('qiaotou', 2), '10.0');
    assert.equal(await cell('chengbei', 0), '3');
    assert.equal(await cell('chengbei', 2), '2.0');
    assert.equal(await cell('demo', 0), '0');
    assert.equal(await cell('total', 0), '4', 'the total is the sum of the rows');
    assert.equal(await cell('total', 2), '4.0', 'the average is weighted by the numbers called');
    assert.match(await page.locator('#city-caption').innerText(), /示范市/);
    assert.ok(await scrollWidth(page) <= 390, 'the page itself does not scroll sideways');
    await checkA11y(page);
    await screenshot(page, 'city-phone');
    const normal = await bodyFontPx(page);
    await page.goto(url(`/staff/city.html?from=${DAY}&to=${DAY}&large=1`), { waitUntil: 'domcontentloaded' });
    await page.locator('tr[data-hall="total"]').waitFor();
    assert.ok(await bodyFontPx(page) > normal, 'large-text mode is larger');
    await screenshot(page, 'city-large');
    assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
  });
  // A hall's manager is not let in.
  const mgr = await staffToken('manager1');
  assert.equal((await api('GET', '/city/stats', { token: mgr })).status, 403);
});

test('the window offers the city\'s pickup halls, its own first', T, () => onScreenPage(async (page) => {
  await page.goto(url('/staff/case-new.html'), { waitUntil: 'domcontentloaded' });
  await signInStaffForm(page, 'clerk2', 2);
  const sel = page.getByLabel(/领取地点/);
  await sel.locator('option[value="qiaotou"]').waitFor({ state: 'attached' });
  assert.equal(await sel.inputValue(), 'demo');
  const values = await sel.locator('option').evaluateAll((o) => o.map((x) => x.value));
  assert.deepEqual([...values].sort(), ['chengbei', 'chengnan', 'demo', 'qiaotou']);
  assert.equal(values[0], 'demo');
  // Mailed results have no pickup hall: the choice goes away.
  await page.getByLabel('免费邮寄').check();
  assert.equal(await sel.isVisible(), false);
}));

test('a citizen moves the pickup to a district hall before the result is ready', T, async () => {
  const phone = randomPhone('13');
  const clerk = await staffToken('clerk1', 1);
  const item = await api('GET', '/items/IT-E-004');
  const materials = item.data.item.materials.filter((m) => m.required).map((m) => m.code);
  const made = await api('POST', '/cases', {
    token: clerk,
    body: {
      item: 'IT-E-004', materials,
      applicant: { name: '城北领', id_number: '11010519491231002X', phone },
    },
  });
  assert.equal(made.status, 201, JSON.stringify(made.data));
  const no = made.data.case.no;
  assert.equal(made.data.case.pickup_hall, 'demo');
  await onPhonePage(async (page) => {
    await signInCitizen(page, phone);
    await page.goto(url(`/my-cases.html?no=${no}`), { waitUntil: 'domcontentloaded' });
    await page.locator('#d-pickup:not([hidden])').waitFor();
    assert.match(await page.locator('#d-pickup-now').innerText(), /示范区政务服务中心领取/);
    await page.getByLabel(/改到本市其他服务大厅领取/).selectOption('chengbei');
    await page.getByRole('button', { name: '确认更改' }).click();
    await page.locator('#d-pickup-msg', { hasText: '城北区政务服务中心' }).waitFor();
    assert.match(await page.locator('#d-pickup-now').innerText(), /城北区政务服务中心领取/);
    assert.equal(sql(`SELECT pickup_hall FROM cases WHERE no = '${no}'`).trim(), 'chengbei');
    await screenshot(page, 'my-case-pickup');
    assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
  });
});
