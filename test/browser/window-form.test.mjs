// The window's acceptance form (staff/case-new.html) cannot file a case twice (issue 17,
// item 12): after a success the form is cleared, so pressing 受理 again files nothing; and a
// reply lost on the way back is answered again for the same form (the same Idempotency-Key):
// pressing 受理 again shows the case already made, not a second one.
//
// Runs against a live site (YICHUANG_BASE_URL) with the demo seed: clerk1 at window 1, and
// manager1 (through the API, from node) to count the hall's cases.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, phonePage, screenshot, allProblems, closeBrowser, promisedItemB, eventually, PASSWORD,
  staffToken as signInApi,
} from './lib.mjs';

const T = { timeout: 120000 };

let item;
let manager;

/* How many cases the hall has (the manager sees them all). */
async function caseCount() {
  const res = await fetch(url('/api/v1/cases?per_page=1'), {
    headers: { Authorization: `Bearer ${manager}`, Accept: 'application/json' },
  });
  assert.equal(res.status, 200);
  return (await res.json()).total;
}

before(async () => {
  item = await promisedItemB();
  manager = await signInApi('manager1');
});

after(closeBrowser);

async function openForm() {
  const page = await phonePage();
  await page.goto(url('/staff/case-new.html'), { waitUntil: 'domcontentloaded' });
  const form = page.locator('#signin-form');
  await form.waitFor();
  await page.getByLabel('用户名').fill('clerk1');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByLabel(/窗口号/).fill('1');
  await form.getByRole('button', { name: '登录' }).click();
  await page.locator('#content:not([hidden])').waitFor();
  await page.locator(`#item option[value="${item.id}"]`).waitFor({ state: 'attached' });
  return page;
}

async function fill(page, name) {
  await page.getByLabel('事项', { exact: true }).selectOption(item.id);
  await eventually(async () => (await page.locator('#checklist > li').count()) === item.materials.length,
    { message: 'the checklist of the item' });
  await page.getByLabel('姓名').fill(name);
  await page.getByLabel('居民身份证号码').fill('11010519491231002X');
  await page.getByLabel('手机号码').fill('13912340913');
  for (const m of item.materials.filter((x) => x.required)) {
    await page.locator(`#mat-${m.code}`).check();
  }
}

/* Answers to POST /api/v1/cases the page received, by status. */
function watchPosts(page) {
  const seen = [];
  page.on('response', (res) => {
    if (res.request().method() === 'POST' && new URL(res.url()).pathname === '/api/v1/cases') {
      seen.push(res.status());
    }
  });
  return seen;
}

test('after a success the form is cleared and pressing 受理 again files nothing', T, async () => {
  const page = await openForm();
  try {
    const posts = watchPosts(page);
    const before = await caseCount();
    await fill(page, '司马·相如');
    await page.getByRole('button', { name: '受理', exact: true }).click();
    await page.locator('#res-no').waitFor();
    const caseNo = (await page.locator('#res-no').innerText()).trim();
    assert.match(caseNo, /^DEMO-\d{8}-\d{4,}$/);

    // The form is empty for the next applicant; the item stays chosen.
    assert.equal(await page.getByLabel('姓名').inputValue(), '');
    assert.equal(await page.getByLabel('居民身份证号码').inputValue(), '');
    assert.equal(await page.getByLabel('手机号码').inputValue(), '');
    assert.equal(await page.locator('[data-mat]:checked').count(), 0, 'no material ticked');
    assert.equal(await page.getByLabel('事项', { exact: true }).inputValue(), item.id);
    await screenshot(page, 'case-new-cleared');

    // 受理 again: nothing to file — the form says what is missing, no second case.
    await page.getByRole('button', { name: '受理', exact: true }).click();
    await page.locator('[data-field="applicant.name"] .field-error:not(:empty)').waitFor();
    assert.equal(await caseCount(), before + 1, 'one case');
    assert.deepEqual(posts.filter((s) => s === 201), [201], 'one 201');
    assert.equal((await page.locator('#res-no').innerText()).trim(), caseNo, 'the result stays');
    assert.deepEqual(allProblems(page).filter((p) => !/400 POST .*\/api\/v1\/cases$|status of 400/.test(p)), [],
      'no other errors');
  } finally {
    await page.context().close();
  }
});

test('a reply lost on the way is answered again for the same form: one case', T, async () => {
  const page = await openForm();
  try {
    const before = await caseCount();
    let lost = null;
    // The first acceptance reaches the server and is done, but its answer never arrives.
    await page.route('**/api/v1/cases', async (route) => {
      if (route.request().method() !== 'POST' || lost) return route.continue();
      const res = await route.fetch();
      lost = { status: res.status(), body: await res.json(), key: route.request().headers()['idempotency-key'] };
      return route.abort('connectionreset');
    });
    await fill(page, '上官·婉儿');
    await page.getByRole('button', { name: '受理', exact: true }).click();
    await eventually(async () => (await page.locator('#form-status').innerText()).trim() !== '',
      { message: 'the page says the request failed' });
    assert.ok(lost, 'the first request reached the server');
    assert.equal(lost.status, 201);
    assert.ok(lost.key, 'the form sent an Idempotency-Key');
    assert.equal(await caseCount(), before + 1, 'the case was made');
    assert.equal(await page.getByLabel('姓名').inputValue(), '上官·婉儿', 'the form is kept for a retry');

    // The clerk presses 受理 again: the same key, the same case.
    let retryKey = null;
    page.on('request', (req) => {
      if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/v1/cases') {
        retryKey = req.headers()['idempotency-key'];
      }
    });
    await page.getByRole('button', { name: '受理', exact: true }).click();
    await page.locator('#res-no').waitFor();
    assert.equal(retryKey, lost.key, 'the retry carries the same key');
    assert.equal((await page.locator('#res-no').innerText()).trim(), lost.body.case.no, 'the case already made');
    assert.equal(await caseCount(), before + 1, 'still one case');
    assert.equal(await page.getByLabel('姓名').inputValue(), '', 'cleared after the success');
  } finally {
    await page.context().close();
  }
});
