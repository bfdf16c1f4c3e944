// 证明事项告知承诺制 and must-attend items (issue 19, items 2 and 10) in the browser:
//   - a citizen applies online for 个体工商户设立登记 and signs a promise in place of
//     经营场所使用证明 (offered only for that material), and the case keeps it as promised;
//   - the guide marks 内地居民结婚登记 as 须本人到场 and offers 预约 instead of 在线办理; the
//     online form for it says so and links to the booking page for its category;
//   - the department's approver sees the verification task on 承诺核查 and records 承诺不实;
//     the case page shows it, the manager's counts include it and the manager gets no buttons.
//
// Runs against a live site with the demo seed; the hall clock is set to a Tuesday in
// November 2026 (put back at the end) so the tasks' due days fall in the loaded year.
// The window (case-new.html) takes a promise too, and the 受理通知书 says so.
// Screenshots: promise-apply, promise-attend-guide, promise-attend-apply, promise-checks.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenPage, screenshot, allProblems, closeBrowser, eventually, apiJson, api,
  randomPhone, idNumber, citizenToken, signInStaffForm, staffToken, setClock, resetClock, sql,
  checkA11y, onScreenPage, onPhonePage,
} from './lib.mjs';

const T = { timeout: 180000 };

before(() => setClock('2026-11-24T10:00:00+08:00'));
after(async () => {
  await resetClock();
  await closeBrowser();
});

async function image(page, label) {
  const b64 = await page.evaluate((text) => {
    const cv = document.createElement('canvas');
    cv.width = 200;
    cv.height = 120;
    const g = cv.getContext('2d');
    g.fillStyle = '#0b4ea2';
    g.fillRect(0, 0, 200, 120);
    g.fillStyle = '#fff';
    g.font = '24px sans-serif';
    g.fillText(text, 12, 70);
    return cv.toDataURL('image/png').split(',')[1];
  }, label);
  return { name: `${label}.png`, mimeType: 'image/png', buffer: Buffer.from(b64, 'base64') };
}

test('online form: a signed promise in place of a certificate that allows one', T, async () => {
  const { item } = await apiJson('/items/IT-B-001');
  const promised = item.materials.filter((m) => m.promise_allowed).map((m) => m.code);
  assert.deepEqual(promised, ['M3'], '经营场所使用证明 alone allows a promise');
  const token = await citizenToken(randomPhone('15'));
  await onPhonePage(async (phone) => {
    await phone.goto(url('/'), { waitUntil: 'domcontentloaded' });
    await phone.evaluate((t) => window.localStorage.setItem('yichuang.token', t), token);
    await phone.goto(url('/apply.html?item=IT-B-001'), { waitUntil: 'domcontentloaded' });
    await phone.locator('#materials > li[data-code="M3"]').waitFor();
    // Offered for M3 only.
    assert.equal(await phone.locator('#materials input[id^="promise-"]').count(), 1);
    assert.equal(await phone.locator('#promise-M3').count(), 1);
    for (const code of ['M1', 'M2']) {
      await phone.locator(`#file-${code}`).setInputFiles(await image(phone, code));
      await phone.locator(`li[data-code="${code}"] .m-state[data-state="done"]`).waitFor();
    }
    await phone.locator('#promise-M3').check();
    assert.match(await phone.locator('li[data-code="M3"] .m-state').innerText(), /告知承诺/);
    assert.ok(await phone.locator('#file-M3').isDisabled(), 'no file needed once promised');
    await phone.getByLabel('姓名', { exact: true }).fill('孙承诺');
    await phone.getByLabel('身份证号').fill(idNumber('110105', 70, 20, '0315'));
    await phone.getByLabel('手机号', { exact: true }).fill('13933334444');
    await checkA11y(phone);
    await screenshot(phone, 'promise-apply');
    await phone.getByRole('button', { name: '提交申请' }).click();
    await phone.locator('#done:not([hidden])').waitFor();
    const no = await phone.locator('#done-no').innerText();
    const mine = await api('GET', `/me/cases/${no}`, { token });
    assert.equal(mine.status, 200);
    const m3 = mine.data.case.materials.find((m) => m.code === 'M3');
    assert.equal(m3.state, 'promised');
    assert.equal(sql(`SELECT m.state FROM case_materials m JOIN cases c ON c.id = m.case_id
      WHERE c.no = '${no}' AND m.code = 'M3'`), 'promised');
    // Its page says so.
    await phone.goto(url(`/my-cases.html?no=${no}`), { waitUntil: 'domcontentloaded' });
    await phone.locator('#d-materials li[data-code="M3"]').waitFor();
    assert.match(await phone.locator('#d-materials li[data-code="M3"]').innerText(), /告知承诺替代/);
    assert.deepEqual(allProblems(phone), []);
  });
});

test('a must-attend item offers booking, not online application', T, async () => {
  const { item } = await apiJson('/items/IT-E-001');
  assert.equal(item.must_attend, true);
  await onPhonePage(async (phone) => {
    // The guide: 须本人到场, 预约 to the item's category, no 在线办理.
    await phone.goto(url('/'), { waitUntil: 'domcontentloaded' });
    const entry = phone.locator('details.item[data-id="IT-E-001"]');
    await entry.waitFor();
    await entry.locator('summary').click();
    assert.match(await entry.locator('summary').innerText(), /须本人到场/);
    assert.match(await entry.locator('.must-attend').innerText(), /本人到政务服务中心现场办理/);
    assert.equal(await entry.getByRole('link', { name: '在线办理' }).count(), 0);
    const book = entry.getByRole('link', { name: '预约' });
    assert.match(await book.getAttribute('href'), new RegExp(`category=${item.category}`));
    await screenshot(phone, 'promise-attend-guide');
    // An item that may be applied for online keeps its 在线办理.
    const other = phone.locator('details.item[data-id="IT-B-001"]');
    await other.locator('summary').click();
    assert.equal(await other.getByRole('link', { name: '在线办理' }).count(), 1);

    // The online form, opened by its address anyway, says why and links to the booking.
    const token = await citizenToken(randomPhone('15'));
    await phone.evaluate((t) => window.localStorage.setItem('yichuang.token', t), token);
    await phone.goto(url('/apply.html?item=IT-E-001'), { waitUntil: 'domcontentloaded' });
    const link = phone.locator('#book-instead');
    await link.waitFor();
    assert.match(await phone.locator('#attend-note').innerText(), /须申请人本人到政务服务中心现场办理/);
    assert.equal(await link.getAttribute('href'), `/book.html?hall=demo&category=${item.category}`);
    assert.ok(await phone.locator('#submit').isDisabled());
    await screenshot(phone, 'promise-attend-apply');
    await link.click();
    await phone.waitForURL(/\/book\.html\?hall=demo&category=E/);
    // The API refuses it the same way (what the page shows when the form is sent anyway).
    const r = await api('POST', '/cases', {
      token,
      body: {
        item: 'IT-E-001', applicant: { name: '周到场', id_number: idNumber('110105', 70, 20, '0520'), phone: '13933335555' },
        materials: {},
      },
    });
    assert.equal(r.status, 422);
    assert.equal(r.data.error.code, 'MUST_ATTEND');
    assert.equal(r.data.error.booking.url, `/book.html?hall=demo&category=${item.category}`);
  });
});

test('the approver records a false promise from the verification list', T, async () => {
  const clerk = await staffToken('clerk1', 1);
  const { item } = await apiJson('/items/IT-B-001');
  const given = item.materials.filter((m) => m.required && !m.promise_allowed).map((m) => m.code);
  const acc = await api('POST', '/cases', {
    token: clerk,
    body: {
      item: 'IT-B-001', materials: given, promises: { M3: { signed: true } },
      applicant: { name: '吴不实', id_number: idNumber('110105', 70, 20, '0709'), phone: '13933336666' },
    },
  });
  assert.equal(acc.status, 201, JSON.stringify(acc.data));
  const no = acc.data.case.no;
  const id = acc.data.case.promises[0].id;

  const page = await screenPage();
  const boss = await screenPage();
  try {
    await page.goto(url('/staff/promises.html'), { waitUntil: 'domcontentloaded' });
    await signInStaffForm(page, 'approver1');
    const nav = page.getByRole('navigation', { name: '工作台导航' });
    assert.equal(await nav.getByRole('link', { name: '承诺核查' }).getAttribute('aria-current'), 'page');
    const card = page.locator(`li[data-check="${id}"]`);
    await card.waitFor();
    assert.match(await card.innerText(), new RegExp(no));
    assert.match(await card.innerText(), /经营场所使用证明/);
    assert.match(await card.innerText(), /核查期限 \d{4}-\d{2}-\d{2}/);
    await checkA11y(page);
    await screenshot(page, 'promise-checks');
    // 承诺不实 without the finding: the page says what is missing, nothing changes.
    await card.getByRole('button', { name: '承诺不实' }).click();
    await eventually(async () => /请填写核查情况：必填/.test(await card.innerText()), { message: 'the note is asked for' });
    assert.equal(sql(`SELECT status FROM promise_checks WHERE id = ${id}`), 'open');
    await card.getByLabel(/核查情况/).fill('实地核查：经营场所为住宅，无租赁合同');
    await card.getByRole('button', { name: '承诺不实' }).click();
    await eventually(async () => (await page.locator(`li[data-check="${id}"]`).count()) === 0,
      { message: 'gone from the open list' });
    assert.equal(sql(`SELECT status FROM promise_checks WHERE id = ${id}`), 'false');
    // The case page shows the outcome beside the material.
    await page.goto(url(`/staff/case.html?no=${no}`), { waitUntil: 'domcontentloaded' });
    await page.locator('#materials li[data-state="promised"]').waitFor();
    assert.match(await page.locator('#materials li[data-state="promised"]').innerText(), /告知承诺替代 · 承诺不实/);

    // The manager: the counts and the list of false promises, no buttons.
    await boss.goto(url('/staff/promises.html?status=false'), { waitUntil: 'domcontentloaded' });
    await signInStaffForm(boss, 'manager1');
    const row = boss.locator(`li[data-check="${id}"]`);
    await row.waitFor();
    assert.match(await boss.locator('#counts').innerText(), /承诺不实 [1-9]\d*/);
    assert.equal(await row.getByRole('button').count(), 0);
    // The dashboard's figure counts it too.
    const nFalse = Number(sql(`SELECT COUNT(*) FROM promise_checks WHERE hall = 'demo' AND status = 'false'`));
    assert.ok(nFalse >= 1);
    await boss.goto(url('/staff/dashboard.html'), { waitUntil: 'domcontentloaded' });
    await eventually(async () => (await boss.locator('#promise-figures').innerText()).includes(`承诺不实 ${nFalse}`),
      { message: 'the dashboard counts the false promises' });
    // 400 is the refusal the page showed on purpose.
    assert.deepEqual(allProblems(page).filter((p) => !/400 .*promise-checks/.test(p)), []);
    assert.deepEqual(allProblems(boss), []);
  } finally {
    await page.context().close();
    await boss.context().close();
  }
});

test('the window takes a signed promise and the receipt says so', T, () => onScreenPage(async (clerk) => {
  await clerk.goto(url('/staff/case-new.html'), { waitUntil: 'domcontentloaded' });
  await signInStaffForm(clerk, 'clerk1', 1);
  await clerk.locator('#item option[value="IT-B-001"]').waitFor({ state: 'attached' });
  await clerk.getByLabel('事项', { exact: true }).selectOption('IT-B-001');
  await clerk.locator('#checklist > li[data-code="M3"]').waitFor();
  // Offered only where the catalogue allows it.
  assert.equal(await clerk.locator('#checklist [data-promise]').count(), 1);
  await clerk.locator('#mat-M1').check();
  await clerk.locator('#mat-M2').check();
  await clerk.locator('#promise-M3').check();
  await clerk.getByLabel('姓名').fill('郑承诺');
  await clerk.getByLabel('居民身份证号码').fill(idNumber('110105', 70, 20, '1111'));
  await clerk.getByLabel('手机号码').fill('13933337777');
  await clerk.getByRole('button', { name: '受理', exact: true }).click();
  await clerk.locator('#res-no').waitFor();
  const no = (await clerk.locator('#res-no').innerText()).trim();
  assert.equal(sql(`SELECT m.state FROM case_materials m JOIN cases c ON c.id = m.case_id
    WHERE c.no = '${no}' AND m.code = 'M3'`), 'promised');
  assert.equal(sql(`SELECT COUNT(*) FROM promise_checks pc JOIN cases c ON c.id = pc.case_id
    WHERE c.no = '${no}' AND pc.status = 'open'`), '1');
  const [notice] = await Promise.all([
    clerk.context().waitForEvent('page'),
    clerk.locator('#print-accepted').click(),
  ]);
  await notice.locator('#doc:not([hidden])').waitFor();
  const doc = await notice.locator('#doc').innerText();
  assert.match(doc, /经营场所使用证明[\s\S]*告知承诺替代/);
  assert.match(await notice.locator('#doc-acceptance').innerText(), /1 项证明以您签署的告知承诺书替代/);
  assert.doesNotMatch(doc, /容缺/);
  await notice.close();
  assert.deepEqual(allProblems(clerk), []);
}));
