// 代办 at the window, 一件事 at the window and the 帮办代办 helper (issue 19, item 3):
//
//  * 综合受理 with an agent: 由代办人代为办理 opens the agent's fields and adds the 授权委托书
//    to the checklist; left unticked, 受理 asks first and names it; ticked, the case is filed
//    with the agent (checked through the API) and the result shows the agent masked; the
//    printable 受理通知书 names the agent, masked;
//  * 综合受理 with a bundle: the select offers the hall's 一件事; its union checklist is ticked
//    once and one case is filed with every part, the result listing them;
//  * 我的帮办 (staff/helper.html) on a phone: helper1 signs in and lands on it, sees the case
//    they filed with its next step, opens its progress in place; checkA11y passes, no
//    horizontal scroll, no console errors.
// Runs against a live site (YICHUANG_BASE_URL) with the demo seed (clerk7 at window 7,
// helper1, manager1).  Screenshots: window-agent-accepted, window-bundle-accepted,
// helper-list.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, phonePage, screenshot, allProblems, closeBrowser, apiJson, promisedItemB, eventually,
  checkA11y,
  api as call, staffToken as login, signInStaffForm, idNumber, randomPhone, scrollWidth, PASSWORD, chooseHall,
  onPhonePage,
} from './lib.mjs';

const T = { timeout: 120000 };

let item;
let manager;

before(async () => {
  item = await promisedItemB();
  manager = await login('manager1');
});

after(closeBrowser);

async function openForm(user, windowNo) {
  const page = await phonePage();
  await page.goto(url('/staff/case-new.html'), { waitUntil: 'domcontentloaded' });
  await signInStaffForm(page, user, windowNo);
  await page.locator(`#item option[value="${item.id}"]`).waitFor({ state: 'attached' });
  return page;
}

async function applicant(page) {
  await page.getByLabel('姓名').fill('李秀英');
  await page.getByLabel('居民身份证号码').fill(idNumber('110105', 30, 20, '0312'));
  await page.getByLabel('手机号码').fill(randomPhone('13'));
}

async function caseOf(no) {
  const r = await call('GET', `/cases/${encodeURIComponent(no)}`, { token: manager });
  assert.equal(r.status, 200);
  return r.json.case;
}

test('综合受理 with an agent: the 授权委托书 is asked for, the case records the agent, shown masked', T, async () => {
  const page = await openForm('clerk7', 7);
  try {
    await page.getByLabel('事项', { exact: true }).selectOption(item.id);
    await eventually(async () => (await page.locator('#checklist > li').count()) === item.materials.length,
      { message: 'the checklist of the item' });
    await applicant(page);
    assert.equal(await page.locator('#agent-fields').isHidden(), true);
    for (const m of item.materials.filter((x) => x.required)) await page.locator(`#mat-${m.code}`).check();
    // An agent: the fields open and the checklist gains the 授权委托书, ticks kept.
    await page.getByLabel(/由代办人代为办理/).check();
    await page.locator('#agent-fields').waitFor();
    await eventually(async () => (await page.locator('#checklist > li').count()) === item.materials.length + 1,
      { message: 'the 授权委托书 in the checklist' });
    assert.equal(await page.locator('#checklist li[data-code="AUTH"]').innerText().then((t) => t.includes('授权委托书')), true);
    for (const m of item.materials.filter((x) => x.required)) {
      assert.equal(await page.locator(`#mat-${m.code}`).isChecked(), true, `${m.code} still ticked`);
    }
    const agentPhone = randomPhone('15');
    await page.getByLabel('代办人', { exact: true }).fill('赵代办');
    await page.getByLabel('代办人身份证件号').fill(idNumber('110105', 70, 10, '0615'));
    await page.getByLabel('代办人手机').fill(agentPhone);
    await page.getByLabel('与申请人的关系').selectOption('child');
    await checkA11y(page);

    // 受理 without the 授权委托书: asked first, it is named.
    await page.getByRole('button', { name: '受理', exact: true }).click();
    const dlg = page.locator('#confirm-missing');
    await dlg.waitFor();
    assert.match(await page.locator('#confirm-list').innerText(), /授权委托书/);
    await page.locator('#confirm-back').click();
    await page.locator('#mat-AUTH').check();
    await page.getByRole('button', { name: '受理', exact: true }).click();

    await page.locator('#res-no').waitFor();
    const no = (await page.locator('#res-no').innerText()).trim();
    assert.match(await page.locator('#res-agent').innerText(), /^赵\*\*（子女，15\d\*\*\*\*\d{4}）$/);
    assert.equal((await page.content()).includes(agentPhone), false, 'the full phone is never shown');
    await screenshot(page, 'window-agent-accepted');
    const c = await caseOf(no);
    assert.equal(c.agent.name, '赵**');
    assert.equal(c.agent.relation, 'child');
    assert.ok(c.materials.some((m) => m.code === 'AUTH' && m.state === 'received'));

    // The receipt names the agent, masked.
    const href = await page.locator('#print-accepted').getAttribute('href');
    // So does the case page.
    await page.goto(url(`/staff/case.html?no=${encodeURIComponent(no)}`), { waitUntil: 'domcontentloaded' });
    await page.locator('#case-agent').waitFor();
    assert.match(await page.locator('#case-agent').innerText(), /^赵\*\*（子女） · 110105\*{8}\d{3}[\dX] · 15\d\*{4}\d{4}$/);
    await page.goto(url(href), { waitUntil: 'domcontentloaded' });
    await page.locator('#doc-agent').waitFor();
    assert.match(await page.locator('#doc-agent').innerText(), /代办人：赵\*\*（子女）/);
    assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
  } finally {
    await page.context().close();
  }
});

test('综合受理 with a 一件事: the union checklist ticked once, one case with all its parts', T, async () => {
  const { bundles } = await apiJson('/bundles?hall=demo');
  const bundle = bundles.find((b) => b.items.length >= 2);
  assert.ok(bundle, 'a bundle of the demo hall');
  const page = await openForm('clerk7', 7);
  try {
    await page.locator(`#item option[value="${bundle.id}"]`).waitFor({ state: 'attached' });
    await page.getByLabel('事项', { exact: true }).selectOption(bundle.id);
    await eventually(async () => (await page.locator('#checklist > li').count()) === bundle.materials.length,
      { message: 'the bundle\'s checklist' });
    assert.match(await page.locator('#item-hint').innerText(), /一件事一次办/);
    await applicant(page);
    for (const m of bundle.materials.filter((x) => x.required)) await page.locator(`#mat-${m.code}`).check();
    await page.getByRole('button', { name: '受理', exact: true }).click();
    await page.locator('#res-no').waitFor();
    const no = (await page.locator('#res-no').innerText()).trim();
    const parts = await page.locator('#res-parts').innerText();
    for (const it of bundle.items) assert.ok(parts.includes(it.name), `${it.name} among the parts`);
    await screenshot(page, 'window-bundle-accepted');
    const c = await caseOf(no);
    assert.equal(c.bundle, bundle.id);
    assert.deepEqual(c.parts.map((p) => p.item), bundle.items.map((it) => it.id));
    assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
  } finally {
    await page.context().close();
  }
});

test('我的帮办 on a phone: the helper lands on it, sees their case and its next step, accessible', T, async () => {
  const helper = await login('helper1');
  const m = item.materials.filter((x) => x.required).map((x) => x.code);
  const filed = await call('POST', '/cases', {
    token: helper,
    body: {
      item: item.id, materials: m,
      applicant: { name: '王奶奶', id_number: idNumber('110105', 30, 10, '0101'), phone: randomPhone('18') },
    },
  });
  assert.equal(filed.status, 201, JSON.stringify(filed.json));
  const no = filed.json.case.no;
  await onPhonePage(async (page) => {
    await page.goto(url('/staff/login.html'), { waitUntil: 'domcontentloaded' });
    await chooseHall(page, 'demo');
    await page.getByLabel('用户名').fill('helper1');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL(/\/staff\/helper\.html$/);
    const card = page.locator(`article[data-no="${no}"]`);
    await card.waitFor();
    assert.match(await card.innerText(), /下一步：已受理，等待部门审查/);
    assert.match(await card.innerText(), /我代为受理/);
    assert.match(await card.innerText(), /王\*\*/);
    // The nav: the helper's own pages only.
    const nav = await page.locator('#staff-nav a').evaluateAll((as) => as.map((a) => a.textContent));
    assert.deepEqual(nav, ['我的帮办', '综合受理']);
    // Progress in place.
    await card.locator('summary').click();
    await card.locator('.timeline li').first().waitFor();
    const details = await card.locator('.helper-details').innerText();
    assert.match(details, /受理/);
    assert.doesNotMatch(details, /null|undefined/, 'nothing missing shows as null');
    assert.ok(await scrollWidth(page) <= 390, 'no horizontal scroll at 390px');
    await screenshot(page, 'helper-list');
    await checkA11y(page);
    assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
  });
});
