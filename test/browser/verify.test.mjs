// The public verify page of a result, /v.html#<signed payload> (nginx/site/v.html,
// js/verify.js), on a phone: what a QR printed on a licence opens.
//
// A real result is made through the API first (clerk1 accepts a 有限责任公司设立登记 case,
// approver1 approves it: its 营业执照 is recorded with a signed QR).  The page must say 有效
// for the real QR; 无效 for the QR with one changed byte and for the same fields signed with
// another Ed25519 key (generated here); 签名有效 (offline) when the server cannot be reached —
// the signature is checked in the browser, with WebCrypto; 已撤销 once a manager revokes it.
// It never shows the holder's phone or ID number.  It is on the citizen skeleton (js/layout.js:
// the top bar with 长辈模式, the site nav) and passes checkA11y, in normal and in 长辈模式.
// Screenshots: verify.png, verify-large.png, verify-forged.png, verify-revoked.png.
//
//   cd test/browser && node --test verify.test.mjs

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  url, screenshot, allProblems, closeBrowser, api as call, staffToken as staffLogin, citizenToken, eventually, checkA11y,
  acceptCase, onPhonePage,
} from './lib.mjs';

const T = { timeout: 90000 };
const PHONE = '13800138099';
const ID = '11010519491231002X';

after(closeBrowser);

/* An approved IT-B-002 case; its result (with qr_text). */
async function newResult(phone = PHONE) {
  const { data } = await call('GET', '/items/IT-B-002');
  const clerk = await staffLogin('clerk1', 1);
  const approver = await staffLogin('approver1');
  const { no } = await acceptCase(clerk, {
    item: 'IT-B-002',
    materials: data.item.materials.filter((m) => m.required).map((m) => m.code),
    applicant: { name: '欧阳小龙', id_number: ID, phone },
  });
  for (const action of ['assign', 'approve']) {
    const r = await call('POST', `/cases/${no}/actions`, { token: approver, body: { action } });
    assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.data)}`);
  }
  const r = await call('GET', `/cases/${no}/results`, { token: clerk });
  assert.equal(r.status, 200);
  assert.equal(r.data.results.length, 1);
  return { ...r.data.results[0], no };
}

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const split = (qr) => {
  const [page, payload] = qr.split('#');
  const [m, s] = payload.split('.');
  return { page, msg: Buffer.from(m, 'base64url'), sig: s };
};

async function open(page, qr) {
  await page.goto('about:blank');
  await page.goto(qr.replace(/^https?:\/\/[^/]+/, url('')), { waitUntil: 'domcontentloaded' });
  await page.locator('#verify-result').waitFor({ state: 'visible' });
  return page.locator('#v-verdict').innerText();
}

test('a genuine result says 有效 with its fields and nothing private', T, async () => {
  const res = await newResult();
  await onPhonePage(async (page) => {
    assert.equal(await open(page, res.qr_text), '有效');
    assert.equal(await page.locator('#v-number').innerText(), res.number);
    assert.equal(await page.locator('#v-issuer').innerText(), '市场监督管理局');
    assert.equal(await page.locator('#v-title').innerText(), '营业执照');
    assert.equal(await page.locator('#v-holder').innerText(), res.holder);
    const body = await page.locator('body').innerText();
    assert.ok(!body.includes(PHONE) && !body.includes(ID) && !body.includes('欧阳小龙'), body);
    const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling on a phone (${width})`);
    // The citizen skeleton: one top bar, the site nav (this page is none of its entries).
    assert.equal(await page.locator('.topbar').count(), 1, 'one top bar');
    assert.equal(await page.getByRole('navigation', { name: '网站导航' }).count(), 1, 'the site nav');
    assert.equal(await page.locator('nav.site-nav a[aria-current]').count(), 0);
    await checkA11y(page);
    await screenshot(page, 'verify');
    const small = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    await page.getByRole('button', { name: '长辈模式' }).click();
    await eventually(() => page.evaluate(() => document.documentElement.classList.contains('large')),
      { message: '长辈模式 on' });
    assert.ok(await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize)) > small, 'larger text');
    assert.equal(await page.locator('#v-verdict').innerText(), '有效', 'the verdict stays');
    await checkA11y(page);
    await screenshot(page, 'verify-large');
    assert.deepEqual(allProblems(page), []);
  });
});

test('a changed byte, another key, or garbage say 无效 without trusting the server', T, async () => {
  const res = await newResult();
  const { page: base, msg, sig } = split(res.qr_text);
  await onPhonePage(async (page) => {
    // One changed byte of the number.
    const changed = Buffer.from(msg);
    const at = changed.indexOf(Buffer.from(res.number)) + res.number.length - 1;
    changed[at] = changed[at] === 0x39 ? 0x38 : changed[at] + 1;
    assert.equal(await open(page, `${base}#${b64u(changed)}.${sig}`), '无效');
    assert.ok(await page.locator('#v-facts').isHidden(), 'a forged QR shows no fields');
    await screenshot(page, 'verify-forged');
    // The same message signed with another Ed25519 key.
    const { privateKey } = generateKeyPairSync('ed25519');
    const other = sign(null, msg, privateKey);
    assert.equal(await open(page, `${base}#${b64u(msg)}.${b64u(other)}`), '无效');
    // Not a result QR at all.
    assert.equal(await open(page, `${base}#hello`), '无效');
  });
});

test('offline the signature alone decides; revoked says 已撤销', T, async () => {
  const res = await newResult();
  await onPhonePage(async (page) => {
    // The key is remembered from a first visit; then the network is gone.
    assert.equal(await open(page, res.qr_text), '有效');
    await page.context().route('**/api/v1/**', (r) => r.abort('internetdisconnected'));
    assert.equal(await open(page, res.qr_text), '签名有效');
    assert.match(await page.locator('#v-hint').innerText(), /离线/);
    const { page: base, msg, sig } = split(res.qr_text);
    const changed = Buffer.from(msg);
    changed[changed.length - 3] ^= 1;
    assert.equal(await open(page, `${base}#${b64u(changed)}.${sig}`), '无效');
    await page.context().unroute('**/api/v1/**');

    const manager = await staffLogin('manager1');
    const r = await call('POST', `/results/${res.vid}/revoke`, {
      token: manager, body: { reason: '以欺骗手段取得许可' },
    });
    assert.equal(r.status, 200, JSON.stringify(r.data));
    assert.equal(await open(page, res.qr_text), '已撤销');
    await screenshot(page, 'verify-revoked');
  });
});

test('the applicant downloads the electronic licence from the case page', T, async () => {
  const phone = `15${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
  const token = await citizenToken(phone);
  const res = await newResult(phone);
  await onPhonePage(async (page) => {
    await page.goto(url('/'), { waitUntil: 'domcontentloaded' });
    await page.evaluate((t) => window.localStorage.setItem('yichuang.token', t), token);
    await page.goto(url(`/my-cases.html?no=${res.no}`), { waitUntil: 'domcontentloaded' });
    const row = page.locator(`#d-results-list li[data-vid="${res.vid}"]`);
    await row.waitFor({ state: 'visible' });
    assert.match(await row.innerText(), /营业执照/);
    assert.match(await row.innerText(), /有效/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: '下载电子版（PDF）' }).click(),
    ]);
    const file = await download.path();
    const bytes = await readFile(file);
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    assert.match(download.suggestedFilename(), /营业执照/);
    await screenshot(page, 'verify-case-results');
    assert.deepEqual(allProblems(page), []);
  }, { acceptDownloads: true });
});
