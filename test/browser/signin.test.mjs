// Staff sign-in under guessing, on the staff sign-in page (staff/login.html): after five
// failed sign-ins from this device the page says the sign-in is paused and for how long,
// the same for a name that is no account at all (the lock tells nothing about accounts).
//
// Runs against a live site (YICHUANG_BASE_URL) with the demo seed.  Uses a made-up user
// name, so the lock it leaves behind touches no real account.  Screenshot:
// staff-login-locked.png.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenshot, closeBrowser, eventually, onPhonePage, chooseHall } from './lib.mjs';

const T = { timeout: 90000 };

after(closeBrowser);

test('five failed sign-ins: the page says sign-in is paused and for how long', T, () => onPhonePage(async (page) => {
  await page.goto(url('/staff/login.html'), { waitUntil: 'domcontentloaded' });
  await chooseHall(page, 'demo');
  const name = `nobody${Math.floor(Math.random() * 1e8)}`;
  await page.getByLabel('用户名').fill(name);
  const pw = page.getByLabel('密码', { exact: true });
  const status = page.locator('#form-status');
  const submit = async () => {
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/staff/login'));
    await page.getByRole('button', { name: '登录', exact: true }).tap();
    return answered;
  };

  for (let i = 0; i < 5; i++) {
    await pw.fill(`wrong-password-${i}`);
    const r = await submit();
    assert.equal(r.status(), 401);
    assert.equal(r.headers()['retry-after'], undefined, `failure ${i + 1} is not a lock yet`);
    await status.getByText('用户名或密码错误，请重新输入').waitFor();
  }
  await pw.fill('yet-another-guess');
  const r = await submit();
  assert.equal(r.status(), 401, 'the same status as any failure');
  assert.equal((await r.json()).error.code, 'UNAUTHENTICATED', 'the same code');
  const wait = Number(r.headers()['retry-after']);
  assert.ok(wait > 0 && wait <= 15 * 60, `Retry-After ${wait}`);
  const text = await status.getByText(/登录失败次数过多/).innerText();
  assert.match(text, /请 \d+ 分钟后再试/);
  assert.match(text, /中心管理员解锁/);
  assert.equal(await pw.inputValue(), '', 'the password is cleared');
  assert.equal(await status.getAttribute('role'), 'alert', 'read out by screen readers');
  await screenshot(page, 'staff-login-locked');
}));
