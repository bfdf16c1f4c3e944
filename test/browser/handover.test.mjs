// 材料交接 in the browser (issue 22 item 3), on a 1366×768 screen:
//
//  * window 1's clerk opens 材料交接, finds the case they just accepted among the cases they
//    hold (its materials listed, pages prefilled), ticks it, sends it to the scjg back office
//    and lands on the printable sheet: the case, each material with its pages, the totals,
//    the sender, and a QR code that zbarimg reads back as the receive URL with the sheet's
//    token; printed to A4 (PDF) it is one page (screenshot handover-sheet, looked at);
//  * approver1 opens the receive page, a hand-held scanner types that URL into the field,
//    the sheet opens; a material counted short is entered and 签收 signs it: the record
//    says received_with_discrepancies, signed by approver1, the page says so;
//  * every handover page passes checkA11y.
// Screenshots: handover-new, handover-sheet, handover-received.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  url, screenshot, allProblems, eventually, openHallAt, closeHall, sql, staffToken,
  screenPage, checkA11y, signInStaffForm, acceptCase, requiredCodes, onScreenPage,
} from './lib.mjs';

const T = { timeout: 120000 };
const SCREEN = { width: 1366, height: 768 };
const ITEM = 'IT-B-003';

let caseNo;
let trackToken;
let codes;

before(async () => {
  await openHallAt('2026-12-16T10:00:00+08:00');
  codes = await requiredCodes(ITEM);
  ({ no: caseNo, track_token: trackToken } = await acceptCase(await staffToken('clerk1', 1), {
    item: ITEM,
    materials: codes,
    applicant: { name: '赵交接', id_number: '11010519491231002X', phone: '13800138000' },
  }));
});
after(closeHall);

test('the clerk makes a sheet from what they hold and prints it; approver1 scans and signs with a discrepancy', T, async () => {
  const page = await screenPage({ viewport: SCREEN });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'yc-handover-'));
  try {
    await page.goto(url('/staff/handovers.html'), { waitUntil: 'domcontentloaded' });
    await signInStaffForm(page, 'clerk1', 1);
    const item = page.locator(`li.ho-case[data-no="${caseNo}"]`);
    await item.waitFor();
    // Every required material listed, pages prefilled (1: the case was never handed over).
    assert.equal(await item.locator('li.ho-mat').count(), codes.length);
    for (const c of codes) {
      assert.equal(await item.locator(`li.ho-mat[data-code="${c}"] .ho-pages`).inputValue(), '1');
    }
    await checkA11y(page);
    await item.locator('.ho-pick').check();
    await item.locator(`li.ho-mat[data-code="${codes[0]}"] .ho-pages`).fill('3');
    await page.getByLabel('接收方').selectOption('department');
    await page.getByLabel('部门代码').fill('scjg');
    await page.getByLabel('备注（选填）').fill('原件一袋');
    await screenshot(page, 'handover-new');
    await page.getByRole('button', { name: '生成交接单' }).click();

    // The printable sheet.
    await page.waitForURL(/handover-sheet\.html\?id=\d+/);
    const id = Number(new URL(page.url()).searchParams.get('id'));
    const doc = page.locator('#doc');
    await doc.waitFor();
    await eventually(() => page.locator('img.ho-qr').evaluate((i) => i.complete && i.naturalWidth > 0),
      { message: 'the QR code drawn' });
    assert.equal(await page.locator('#doc-no').textContent(), String(id));
    assert.match(await doc.textContent(), /市场监督管理局/);
    assert.match(await doc.textContent(), /原件一袋/);
    const rows = doc.locator(`tbody tr[data-no="${caseNo}"]`);
    assert.equal(await rows.count(), codes.length);
    assert.equal(await doc.locator(`tbody tr[data-code="${codes[0]}"] .col-pages`).textContent(), '3');
    const total = 3 + (codes.length - 1);
    assert.equal(await doc.locator('tfoot .col-pages').textContent(), String(total));
    await checkA11y(page);
    await screenshot(page, 'handover-sheet');
    // The QR as printed scans to the receive URL carrying the sheet's token.
    const qrPng = path.join(tmp, 'qr.png');
    await page.locator('img.ho-qr').screenshot({ path: qrPng });
    const decoded = execFileSync('zbarimg', ['--quiet', '--raw', qrPng], { encoding: 'utf8' }).trim();
    assert.match(decoded, /\/staff\/handover-receive\.html#t=[A-Za-z0-9_-]{40,}$/);
    const tokenHash = sql(`SELECT token_hash FROM handovers WHERE id = ${id}`);
    assert.equal(tokenHash.length, 64);
    assert.ok(!decoded.includes(tokenHash), 'the QR carries the token, the record its hash');
    // On A4 the sheet is one page.
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    assert.equal(pages, 1, 'one A4 page');
    await page.emulateMedia({ media: 'screen' });
    assert.deepEqual(allProblems(page), []);
    await page.context().close();

    // approver1 scans it with a hand-held scanner (it types the URL, then Enter).
    await onScreenPage(async (rpage) => {
      await rpage.goto(url('/staff/handover-receive.html'), { waitUntil: 'domcontentloaded' });
      await signInStaffForm(rpage, 'approver1');
      await rpage.locator(`#inbox [data-handover="${id}"]`).waitFor();
      await rpage.getByLabel(/扫描交接单二维码/).fill(decoded);
      await rpage.getByLabel(/扫描交接单二维码/).press('Enter');
      const form = rpage.locator('#receive-form');
      await form.waitFor();
      assert.match(await rpage.locator('#sheet-h').textContent(), new RegExp(`交接单 ${id}`));
      const line = rpage.locator(`#lines li.ho-case[data-no="${caseNo}"] li.ho-mat[data-code="${codes[0]}"]`);
      await line.locator('.ho-pages').fill('2');
      await line.locator('.ho-note').fill('第3页缺失');
      await checkA11y(rpage);
      await rpage.getByRole('button', { name: '签收' }).click();
      await eventually(async () => /已签收（有差异）/.test(await rpage.locator('#page-status').textContent()),
        { message: 'signed with a discrepancy' });
      await screenshot(rpage, 'handover-received');
      // The case page says who holds the file now and lists the signature with the discrepancy.
      await rpage.goto(url(`/staff/case.html?no=${encodeURIComponent(caseNo)}`), { waitUntil: 'domcontentloaded' });
      await rpage.locator('#timeline li').first().waitFor();
      assert.match(await rpage.locator('#summary').textContent(), /材料所在\s*市场监督管理局/);
      const timeline = await rpage.locator('#timeline').textContent();
      assert.match(timeline, /材料签收/);
      assert.match(timeline, /交接差异/);
      assert.match(timeline, /第3页缺失/);
      assert.deepEqual(allProblems(rpage), []);
    }, { viewport: SCREEN });
    // The citizen's tracking page: where the file is, in plain words, no staff names.
    await onScreenPage(async (tpage) => {
      await tpage.goto(url(`/t/${trackToken}`), { waitUntil: 'domcontentloaded' });
      await tpage.locator('#case-custody-row:not([hidden])').waitFor();
      assert.match(await tpage.locator('#case-custody').textContent(), /材料在市场监督管理局/);
      const names = sql("SELECT name FROM staff WHERE hall = 'demo' AND username IN ('clerk1', 'approver1')").split('\n');
      const body = await tpage.locator('main').textContent();
      for (const n of names) assert.ok(!body.includes(n), `no staff name (${n}) on the tracking page`);
    }, { viewport: { width: 390, height: 844 } });
    // The record: signed once, by approver1, the pages counted and the note kept.
    assert.equal(sql(`SELECT h.status, s.username FROM handovers h JOIN staff s ON s.id = h.received_by WHERE h.id = ${id}`),
      'received_with_discrepancies\tapprover1');
    assert.equal(sql(`SELECT pages, pages_received, note FROM handover_materials WHERE handover_id = ${id} AND code = '${codes[0]}'`),
      '3\t2\t第3页缺失');
    assert.equal(sql(`SELECT holder_kind, department FROM case_custody c JOIN cases k ON k.id = c.case_id WHERE k.no = '${caseNo}'`),
      'department\tscjg');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
