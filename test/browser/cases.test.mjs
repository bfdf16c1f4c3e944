// Cases (issue 7) in the staff pages, on a phone-sized screen: a clerk at window 1 accepts
// an application at the comprehensive window (after an incomplete attempt that prints a
// 一次性告知书), the department's approver takes it up and approves it in the back office,
// and the clerk hands the result over at the unified pickup window.
//
// Runs against a live site (YICHUANG_BASE_URL) with the demo seed and the demo staff
// (clerk1, approver1 of department scjg, manager1; password yichuang-demo). The item is read
// from the API: a promised item of category B (市场准入, department scjg).
// Screenshots: case-new, case-notice-incomplete, case-accepted, case-notice-accepted,
// case-notices (the 短信通知 section), case-notices-large (长辈模式), case-approver,
// cases-list, case-closed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  url, phonePage, screenshot, allProblems, closeBrowser, apiJson, eventually, BASE_URL,
  SCREENSHOT_DIR, PASSWORD, signInStaffForm as signIn,
  onPhonePage,
} from './lib.mjs';

const T = { timeout: 120000 };

let item;

before(async () => {
  const { items } = await apiJson('/items?hall=demo&category=B');
  item = items.find((it) => it.kind === 'promised' && it.department === 'scjg'
    && it.materials.filter((m) => m.required).length >= 2);
  assert.ok(item, 'a promised scjg item of category B with at least two required materials');
});

after(closeBrowser);

/* The browser may record the refusals the test provokes on purpose; nothing else. */
function unexpected(page, allowed = []) {
  return allProblems(page).filter((p) => !allowed.some((re) => re.test(p)));
}

const statusText = (page) => page.locator('#case-status').innerText();

/* Just the 短信通知 section, at SCREENSHOT_DIR/NAME.png. */
async function sectionShot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.locator('#notices-card').screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' });
}

const noHScroll = (page) => page.evaluate(() => document.scrollingElement.scrollWidth <= window.innerWidth);

/*
 * 短信通知 on the case page: the 受理通知 is listed with a status; once it has gone out
 * (the worker sends it within a second or so; the list is read again until then), 重发 —
 * pressed from the keyboard — queues one more row marked 重发.
 */
async function checkNotices(page, caseNo) {
  await page.goto(url(`/staff/case.html?no=${encodeURIComponent(caseNo)}`), { waitUntil: 'domcontentloaded' });
  const card = page.locator('#notices-card');
  await card.locator('#notices[aria-busy="false"]').waitFor();
  assert.equal(await page.getByRole('heading', { name: '短信通知' }).count(), 1);
  const rows = card.locator('tbody tr');
  const accepted = rows.filter({ hasText: '受理通知' }).first();
  await accepted.waitFor();
  assert.match(await accepted.locator('.notice-status').innerText(), /^(待发送|发送中|已发送|发送失败|夜间暂缓|已放弃)$/);
  assert.match(await accepted.locator('.notice-to').innerText(), /^138\*{4}8000$/, 'the phone is masked');
  await eventually(async () => {
    if (/^(已发送|已放弃)$/.test(await accepted.locator('.notice-status').innerText())) return true;
    await card.getByRole('button', { name: '刷新通知' }).click();
    return false;
  }, { timeout: 20000, interval: 1000, message: 'the 受理通知 sent' });
  assert.match(await accepted.innerText(), /创建 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  const before = await rows.count();
  await sectionShot(page, 'case-notices');

  const btn = accepted.getByRole('button', { name: /^重发受理通知/ });
  await btn.focus();
  await page.keyboard.press('Enter');
  await eventually(async () => (await rows.count()) === before + 1, { message: 'a resent row' });
  const again = rows.nth(before);
  assert.ok((await again.innerText()).includes('受理通知'), 'the new row is the same notice');
  assert.equal(await again.locator('.tag', { hasText: '重发' }).count(), 1, 'marked as a resend');
  assert.match(await card.locator('#notices-status').innerText(), /已重发受理通知/);
  assert.ok(await noHScroll(page), 'no horizontal scroll');

  // 长辈模式: the same section, larger, still without horizontal scrolling.
  await page.goto(url(`/staff/case.html?no=${encodeURIComponent(caseNo)}&large=1`), { waitUntil: 'domcontentloaded' });
  await card.locator('#notices[aria-busy="false"]').waitFor();
  await rows.nth(before).waitFor();
  assert.ok(await noHScroll(page), 'no horizontal scroll in large-text mode');
  await sectionShot(page, 'case-notices-large');
}

test('a clerk accepts a case, the back office approves it and the clerk hands it over', T, async () => {
  const clerk = await phonePage();
  const required = item.materials.filter((m) => m.required);
  let caseNo;
  try {
    await clerk.goto(url('/staff/case-new.html'), { waitUntil: 'domcontentloaded' });
    await signIn(clerk, 'clerk1', 1);
    await clerk.locator(`#item option[value="${item.id}"]`).waitFor({ state: 'attached' });
    await clerk.getByLabel('事项', { exact: true }).selectOption(item.id);
    // The checklist is the item's: one row per material, marked 必需/可容缺/可选.
    await eventually(async () => (await clerk.locator('#checklist > li').count()) === item.materials.length,
      { message: 'the checklist of the item' });
    await clerk.getByLabel('姓名').fill('王小明');
    await clerk.getByLabel('居民身份证号码').fill('11010519491231002X');
    await clerk.getByLabel('手机号码').fill('13800138000');
    await screenshot(clerk, 'case-new');

    // Only the first required material: 受理 asks first, naming every unticked one; going
    // back files nothing.
    await clerk.locator(`#mat-${required[0].code}`).check();
    let posts = 0;
    clerk.on('request', (req) => { if (req.method() === 'POST' && req.url().endsWith('/api/v1/cases')) posts += 1; });
    await clerk.getByRole('button', { name: '受理', exact: true }).click();
    const ask = clerk.getByRole('dialog');
    await ask.waitFor();
    assert.equal(await ask.locator('#confirm-list > li').count(), required.length - 1, 'the dialog lists each unticked material');
    await screenshot(clerk, 'case-new-confirm');
    await ask.getByRole('button', { name: '返回核对材料' }).click();
    await ask.waitFor({ state: 'hidden' });
    assert.equal(posts, 0, 'going back sends nothing');
    // Asked again and told to refuse: refused, every missing one named at once.
    await clerk.getByRole('button', { name: '受理', exact: true }).click();
    await ask.getByRole('button', { name: /不予受理/ }).click();
    const missing = clerk.locator('#missing-list > li');
    await missing.first().waitFor();
    assert.equal(await missing.count(), required.length - 1, 'every missing required material is listed');
    for (const m of required.slice(1)) {
      assert.ok((await clerk.locator('#missing-list').innerText()).includes(m.name), `${m.name} is listed`);
    }
    const [incomplete] = await Promise.all([
      clerk.context().waitForEvent('page'),
      clerk.locator('#print-incomplete').click(),
    ]);
    await incomplete.locator('#doc:not([hidden])').waitFor();
    assert.equal((await incomplete.locator('#doc-title').innerText()).replace(/\s/g, ''), '一次性告知书');
    assert.equal(await incomplete.locator('.doc tbody tr').count(), required.length - 1);
    await screenshot(incomplete, 'case-notice-incomplete');
    await incomplete.close();

    // Everything required: accepted, with its number and deadline.
    for (const m of required) await clerk.locator(`#mat-${m.code}`).check();
    await clerk.getByRole('button', { name: '受理', exact: true }).click();
    await clerk.locator('#res-no').waitFor();
    caseNo = (await clerk.locator('#res-no').innerText()).trim();
    assert.match(caseNo, /^DEMO-\d{8}-\d{4,}$/);
    assert.match(await clerk.locator('#res-deadline').innerText(), /^\d{4}-\d{2}-\d{2}$/);
    await screenshot(clerk, 'case-accepted');

    const [notice] = await Promise.all([
      clerk.context().waitForEvent('page'),
      clerk.locator('#print-accepted').click(),
    ]);
    await notice.locator('#doc:not([hidden])').waitFor();
    assert.equal((await notice.locator('#doc-title').innerText()).replace(/\s/g, ''), '受理通知书');
    assert.equal(await notice.locator('#doc-no').innerText(), caseNo);
    assert.ok((await notice.locator('#doc-track').innerText()).startsWith(`${BASE_URL}/t/`),
      'the tracking address is printed as text');
    for (const src of await notice.locator('.doc img').evaluateAll((ns) => ns.map((n) => n.getAttribute('src')))) {
      assert.match(src, /^\/api\/v1\/(?:track|case-notices)\//, 'only real QR codes, no placeholder image');
    }
    const body = await notice.locator('#doc').innerText();
    assert.ok(!body.includes('13800138000') && !body.includes('王小明'), 'the applicant is masked');
    await screenshot(notice, 'case-notice-accepted');
    await notice.close();
    assert.deepEqual(unexpected(clerk, [/422 POST .*\/api\/v1\/cases$/, /status of 422 .*\/api\/v1\/cases:/]), [], 'no other errors');

    await checkNotices(clerk, caseNo);
  } catch (err) {
    await clerk.context().close();
    throw err;
  }

  // The back office: approver1 of scjg takes the case up and approves it.
  await onPhonePage(async (approver) => {
    await approver.goto(url(`/staff/case.html?no=${encodeURIComponent(caseNo)}`), { waitUntil: 'domcontentloaded' });
    await signIn(approver, 'approver1');
    await approver.locator('button[data-action="assign"]').click();
    await eventually(async () => (await statusText(approver)).includes('审批中'), { message: 'processing' });
    await approver.getByLabel('审批意见（选填）').fill('符合许可条件，准予许可');
    await approver.locator('button[data-action="approve"]').click();
    await eventually(async () => (await statusText(approver)).includes('审批通过'), { message: 'approved' });
    assert.equal(await approver.locator('button[data-action="approve"]').count(), 0, 'no second approval');
    await screenshot(approver, 'case-approver');
    assert.deepEqual(unexpected(approver), [], 'no errors in the back office');
  });

  // 统一出件: the clerk finds the case in the list, calls it ready and hands it over.
  try {
    await clerk.goto(url('/staff/cases.html'), { waitUntil: 'domcontentloaded' });
    const card = clerk.locator(`a.case-card[data-no="${caseNo}"]`);
    await card.waitFor();
    assert.match(await card.innerText(), /正常|预警|超期/, 'the card shows its warning light');
    await screenshot(clerk, 'cases-list');
    await card.click();
    await clerk.locator('button[data-action="ready"]').waitFor();
    // A case to be collected: mail is offered folded, its fields hidden until asked for.
    assert.equal(await clerk.locator('details[data-block="mail"]').count(), 1, 'mail offered folded for a pickup case');
    assert.equal(await clerk.locator('#carrier').isVisible(), false, 'mail fields hidden for a pickup case');
    await clerk.locator('button[data-action="ready"]').click();
    await eventually(async () => (await statusText(clerk)).includes('待领取'), { message: 'ready' });
    // The applicant has no SMS: without the code the clerk must say which papers were checked.
    await clerk.locator('button[data-action="hand_over"]').click();
    await eventually(async () => (await clerk.locator('[data-field="identity_checked"] .field-error').innerText()).length > 0,
      { message: 'the clerk is asked how the identity was checked' });
    assert.match(await statusText(clerk), /待领取/, 'still waiting at the window');
    await clerk.getByLabel('已核验申请人本人身份证原件').check();
    await clerk.locator('#handover-note').fill('申请人手机丢失');
    await screenshot(clerk, 'case-hand-over-without-code');
    await clerk.locator('button[data-action="hand_over"]').click();
    await eventually(async () => (await statusText(clerk)).includes('已完结'), { message: 'closed' });
    assert.match(await clerk.locator('#timeline').innerText(), /未凭取件码领取：已核验申请人本人身份证原件；申请人手机丢失/,
      'the timeline records what was checked');
    const timeline = await clerk.locator('#timeline').innerText();
    for (const step of ['受理', '接件办理', '审批通过', '办结待取', '领取完结']) {
      assert.ok(timeline.includes(step), `the timeline shows ${step}`);
    }
    assert.equal(await clerk.locator('#actions button').count(), 0, 'nothing left to do');
    await screenshot(clerk, 'case-closed');
    assert.deepEqual(unexpected(clerk, [/422 POST .*\/api\/v1\/cases$/, /status of 422 .*\/api\/v1\/cases:/,
      /400 POST .*\/actions$/, /status of 400 .*\/actions:/]), [], 'no errors');
  } finally {
    await clerk.context().close();
  }
});

test('the manager sees the overdue cases with their red light', T, () => onPhonePage(async (page) => {
  await page.goto(url('/staff/cases.html?overdue=1'), { waitUntil: 'domcontentloaded' });
  await signIn(page, 'manager1');
  await page.locator('#case-list[aria-busy="false"]').waitFor();
  assert.equal(await page.getByLabel('电子监察').inputValue(), '1');
  const cards = page.locator('a.case-card');
  const n = await cards.count();
  for (let i = 0; i < n; i += 1) {
    assert.ok((await cards.nth(i).getAttribute('class')).includes('warn-red'), 'every card is red');
  }
  if (n === 0) assert.ok(await page.getByText('没有符合条件的办件').isVisible());
  assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth) <= 390, 'no horizontal scroll');
  assert.deepEqual(unexpected(page), [], 'no errors');
}));

/*
 * 打印办理结果 on the case page: a decided case offers one button per valid result, opening
 * GET /api/v1/results/{vid}/pdf in a new tab; the signed-in clerk's session (the cookie the
 * sign-in set) gets the A4 PDF.  An undecided case offers none.
 */
test('a decided case offers 打印办理结果, and the PDF opens for the signed-in clerk', T, async () => {
  const login = await fetch(url('/api/v1/staff/login'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ hall: 'demo', username: 'clerk1', password: PASSWORD, window: 1 }),
  });
  assert.equal(login.status, 200);
  const { token } = await login.json();
  const { item: instant } = await apiJson('/items/IT-B-001');
  const accept = async (it, approve) => {
    const r = await fetch(url('/api/v1/cases'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({
        item: it.id,
        materials: it.materials.filter((m) => m.required).map((m) => m.code),
        approve: approve || undefined,
        applicant: { name: '王小明', id_number: '11010519491231002X', phone: '13800138000' },
      }),
    });
    const body = await r.json();
    assert.equal(r.status, 201, JSON.stringify(body));
    return body.case;
  };
  const decided = await accept(instant, true);
  const open = await accept(item, false);
  const res = await fetch(url(`/api/v1/cases/${decided.no}/results`), {
    headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
  }).then((r) => r.json());
  assert.equal(res.results.length, 1);
  const { vid, title } = res.results[0];

  await onPhonePage(async (page) => {
    await page.goto(url(`/staff/case.html?no=${encodeURIComponent(decided.no)}`), { waitUntil: 'domcontentloaded' });
    await signIn(page, 'clerk1', 1);
    const link = page.locator('#result-links a.print-result');
    await link.first().waitFor();
    assert.equal(await link.count(), 1);
    assert.equal(await link.getAttribute('href'), `/api/v1/results/${vid}/pdf`);
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.innerText(), `打印办理结果（${title}）`);
    // What the button opens, with the page's own session: the PDF.
    const pdf = await page.request.get(url(await link.getAttribute('href')));
    assert.equal(pdf.status(), 200);
    assert.match(pdf.headers()['content-type'], /^application\/pdf/);
    assert.equal((await pdf.body()).subarray(0, 5).toString('latin1'), '%PDF-');
    await screenshot(page, 'case-print-result');

    // A case not yet decided has nothing to print.
    await page.goto(url(`/staff/case.html?no=${encodeURIComponent(open.no)}`), { waitUntil: 'domcontentloaded' });
    await page.locator('#case-status').waitFor();
    await eventually(async () => (await page.locator('#page-title').innerText()).includes(open.no),
      { message: 'the open case shown' });
    assert.equal(await page.locator('#result-links a').count(), 0);
    assert.deepEqual(unexpected(page), []);
  });
});
