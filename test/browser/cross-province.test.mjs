// 跨省通办 收受分离 in the browser (issue 22 item 4), on a 1366×768 screen:
//
//  * window 7's clerk (社会事务·跨省通办) opens 跨省通办: the window's figures count the case
//    just accepted for 广东 as 已受理; the case is on the list, 办理 opens its steps with the
//    dispatch form (the case's materials listed with their pages);
//  * a waybill with a character not allowed is refused next to the field; by mail with a
//    proper waybill the case is 已寄出 (the row in MariaDB too), the figures follow, and the
//    office's receipt is recorded with its date: 办理地已收件, with that date on the steps;
//  * the citizen's tracking page says, in plain words, that the materials went to the office
//    by mail with that waybill and that the office received them on that date;
//  * the page passes checkA11y; the manager's dashboard shows the 跨省通办 figures as MariaDB
//    counts them.  Screenshots: cross-province-steps, cross-province-received,
//    cross-province-dashboard.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenshot, openHallAt, closeHall, sql, staffToken, checkA11y,
  signInStaffForm, acceptCase, requiredCodes, onScreenPage,
} from './lib.mjs';

const T = { timeout: 120000 };
const SCREEN = { width: 1366, height: 768 };
const ITEM = 'IT-F-001';
const OFFICE = '广东省广州市医疗保障局';
const TODAY = '2026-12-16';

let caseNo;
let trackToken;

before(async () => {
  await openHallAt(`${TODAY}T10:00:00+08:00`);
  ({ no: caseNo, track_token: trackToken } = await acceptCase(await staffToken('clerk7', 7), {
    item: ITEM,
    materials: await requiredCodes(ITEM),
    processing_office: OFFICE,
    applicant: { name: '钱跨省', id_number: '11010519491231002X', phone: '13800138099' },
  }));
});
after(closeHall);

test('the 跨省通办 window dispatches a case by mail and records the office\'s receipt', T, async () => {
  await onScreenPage(async (page) => {
    await page.goto(url('/staff/cross-province.html'), { waitUntil: 'domcontentloaded' });
    await signInStaffForm(page, 'clerk7', 7);
    const row = page.locator(`#xp-list li[data-no="${caseNo}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-state'), 'accepted');
    const accepted = Number(await page.locator('#figures tr[data-direction="out"] td[data-state="accepted"]').textContent());
    assert.ok(accepted >= 1, 'the figures count the accepted case');
    await checkA11y(page);

    await row.getByRole('button', { name: `办理 ${caseNo}` }).click();
    await page.locator('#steps:not([hidden])').waitFor();
    assert.match(await page.locator('#next-h').textContent(), /寄出材料/);
    assert.ok(await page.locator('#step-fields .xp-mat').count() >= 1, 'the materials listed');
    await page.getByLabel('运单号（邮寄）').fill('SF 123!');
    await page.getByRole('button', { name: '寄出材料' }).click();
    await page.locator('#step-form [data-field="waybill"].has-error').waitFor();
    assert.match(await page.locator('#step-form [data-field="waybill"] .field-error').textContent(), /运单号/);
    assert.equal(sql(`SELECT COUNT(*) FROM xprov_cases x JOIN cases c ON c.id = x.case_id WHERE c.no = '${caseNo}'`), '0');

    await page.getByLabel('运单号（邮寄）').fill('SF1234567890');
    await page.locator('#step-fields .xp-mat input[type="number"]').first().fill('3');
    await screenshot(page, 'cross-province-steps');
    await page.getByRole('button', { name: '寄出材料' }).click();
    await page.locator('#step-list li.done[data-state="dispatched"]').waitFor();
    assert.match(await page.locator('#step-list li[data-state="dispatched"]').textContent(), /SF1234567890/);
    assert.equal(sql(`SELECT x.state, x.dispatch_waybill FROM xprov_cases x JOIN cases c ON c.id = x.case_id WHERE c.no = '${caseNo}'`),
      'dispatched\tSF1234567890');
    assert.equal(sql(`SELECT m.pages FROM handover_materials m JOIN handover_cases h ON h.handover_id = m.handover_id JOIN cases c ON c.id = h.case_id WHERE c.no = '${caseNo}' ORDER BY m.code LIMIT 1`), '3');

    assert.match(await page.locator('#next-h').textContent(), /登记收件/);
    await page.getByLabel('办理地确认收件日期').fill(TODAY);
    await page.getByRole('button', { name: '登记收件' }).click();
    await page.locator('#step-list li.done[data-state="received"]').waitFor();
    assert.match(await page.locator('#step-list li[data-state="received"]').textContent(), new RegExp(TODAY));
    assert.equal(await page.locator(`#xp-list li[data-no="${caseNo}"]`).getAttribute('data-state'), 'received');
    await checkA11y(page);
    await screenshot(page, 'cross-province-received');
  }, { viewport: SCREEN });
  // The citizen's tracking page, in plain words.
  await onScreenPage(async (tpage) => {
    await tpage.goto(url(`/t/${trackToken}`), { waitUntil: 'domcontentloaded' });
    const main = tpage.locator('main');
    await tpage.getByText('材料已邮寄至办理地', { exact: false }).first().waitFor();
    const text = await main.textContent();
    assert.match(text, /材料已邮寄至办理地（广东省广州市医疗保障局）审批，运单号 SF1234567890/);
    assert.match(text, new RegExp(`已于 ${TODAY} 收到材料`));
  }, { viewport: { width: 390, height: 844 } });
});

test('the manager\'s dashboard shows the 跨省通办 figures', T, () => onScreenPage(async (page) => {
  await page.goto(url('/staff/dashboard.html'), { waitUntil: 'domcontentloaded' });
  await signInStaffForm(page, 'manager1');
  await page.locator('body[data-loaded="1"]').waitFor();
  const row = page.locator('#t-xprov tbody tr', { hasText: '本地受理' });
  await row.waitFor();
  // The case of the test above was received by the office: the figures agree with MariaDB.
  const received = sql("SELECT COUNT(*) FROM xprov_cases WHERE hall = 'demo' AND direction = 'out' AND state = 'received'");
  assert.ok(Number(received) >= 1);
  assert.equal((await row.locator('td').nth(2).textContent()).trim(), received);
  await page.locator('#t-xprov').scrollIntoViewIfNeeded();
  await page.locator('#t-xprov').screenshot({ path: await screenshot(page, 'cross-province-dashboard') });
}, { viewport: SCREEN }));
