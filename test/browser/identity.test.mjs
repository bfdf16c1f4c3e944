// The sign-in pages on a phone: the citizen's (login.html: phone + SMS code) and the staff's
// (staff/login.html: hall, username, password, window).
//
// Runs against a live site (YICHUANG_BASE_URL) with the demo seed, and needs the worker to
// deliver SMS into var/<YICHUANG_INSTANCE>/sms.log (the local provider), where the code is
// read from. Screenshots: login.png, login-code-sent.png, login-signed-in.png,
// login-large.png, staff-login.png, staff-login-signed-in.png.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenshot, allProblems, resetProblems, closeBrowser, eventually,
  randomPhone, smsLogSize, loginCode, bodyFontPx, accessible,
  onPhonePage, chooseHall } from './lib.mjs';

const T = { timeout: 90000 };

after(closeBrowser);

const masked = (p) => `${p.slice(0, 3)}****${p.slice(7)}`;

test('a citizen signs in with a phone number and an SMS code', T, async () => {
  const phone = randomPhone('15');
  await onPhonePage(async (page) => {
    await page.goto(url('/login.html'), { waitUntil: 'domcontentloaded' });
    const phoneBox = page.getByLabel('手机号', { exact: true });
    await phoneBox.waitFor();
    await accessible(page, { targets: 'button, select, input, a', inlineExempt: false });
    await screenshot(page, 'login');

    // A wrong number is caught before anything is sent.
    await phoneBox.fill('1380013');
    await page.getByRole('button', { name: '获取验证码' }).tap();
    await page.getByText('请输入正确的 11 位手机号').waitFor();
    assert.equal(await phoneBox.getAttribute('aria-invalid'), 'true');

    await phoneBox.fill(phone);
    const since = await smsLogSize();
    await page.getByRole('button', { name: '获取验证码' }).tap();
    const hint = page.locator('#code-hint');
    await eventually(async () => (await hint.textContent()).includes(masked(phone)),
      { message: 'the hint to say where the code went' });
    assert.equal(await hint.getAttribute('aria-live'), 'polite');
    // The button counts down and cannot be pressed meanwhile.
    const sendBtn = page.locator('#send-code');
    assert.ok(await sendBtn.isDisabled(), 'the send button is disabled during the countdown');
    assert.match(await sendBtn.textContent(), /^\d+ 秒后重新获取$/);
    assert.equal(await phoneBox.getAttribute('aria-invalid'), null, 'the phone error is gone');
    await screenshot(page, 'login-code-sent');

    const code = await loginCode(phone, since);
    assert.match(code, /^\d{6}$/);

    // A wrong code: said under the code box, and the box is cleared for another try.
    const codeBox = page.getByLabel('短信验证码', { exact: true });
    const wrong = String((Number(code) + 1) % 1000000).padStart(6, '0');
    await codeBox.fill(wrong);
    await page.getByRole('button', { name: '登录', exact: true }).tap();
    await page.getByText('验证码错误或已失效').waitFor();
    assert.equal(await codeBox.getAttribute('aria-invalid'), 'true');
    assert.equal(await codeBox.inputValue(), '');
    resetProblems(page);	// the 401 was provoked on purpose

    await codeBox.fill(code);
    await page.getByRole('button', { name: '登录', exact: true }).tap();
    const done = page.getByRole('region', { name: '您已登录' });
    await done.waitFor();
    assert.ok((await done.innerText()).includes(masked(phone)), 'the masked phone is shown');
    assert.ok(!(await page.locator('body').innerText()).includes(phone), 'never the full phone');
    assert.ok(await page.evaluate(() => Boolean(window.localStorage.getItem('yichuang.token'))));
    await screenshot(page, 'login-signed-in');
    assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');

    // A reload still knows the citizen; signing out brings the form back.
    await page.reload({ waitUntil: 'domcontentloaded' });
    await done.waitFor();
    await page.getByRole('button', { name: '退出登录' }).tap();
    await phoneBox.waitFor();
    assert.equal(await done.isHidden(), true);
    assert.equal(await page.evaluate(() => window.localStorage.getItem('yichuang.token')), null);
    assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
  });
});

test('after signing in the citizen goes back where they came from (same site only)', T, async () => {
  const phone = randomPhone('15');
  await onPhonePage(async (page) => {
    await page.goto(url('/login.html?next=//evil.example/x'), { waitUntil: 'domcontentloaded' });
    await page.getByLabel('手机号', { exact: true }).fill(phone);
    let since = await smsLogSize();
    await page.getByRole('button', { name: '获取验证码' }).tap();
    let code = await loginCode(phone, since);
    await page.getByLabel('短信验证码', { exact: true }).fill(code);
    await page.getByRole('button', { name: '登录', exact: true }).tap();
    await page.getByRole('region', { name: '您已登录' }).waitFor();
    assert.equal(new URL(page.url()).origin, new URL(url('/')).origin, 'stayed on the site');
    assert.equal(await page.getByRole('link', { name: '继续' }).getAttribute('href'), '/');

    // Signed out, and in as someone else with ?next=/?q=x : straight there.
    await page.getByRole('button', { name: '退出登录' }).tap();
    const other = randomPhone('15');
    await page.goto(url('/login.html?next=%2F%3Fq%3Dx'), { waitUntil: 'domcontentloaded' });
    await page.getByLabel('手机号', { exact: true }).fill(other);
    since = await smsLogSize();
    await page.getByRole('button', { name: '获取验证码' }).tap();
    code = await loginCode(other, since);
    await page.getByLabel('短信验证码', { exact: true }).fill(code);
    await page.getByRole('button', { name: '登录', exact: true }).tap();
    await page.waitForURL((u) => u.pathname === '/' && u.search === '?q=x');
  });
  // Another device asks for a second code within the minute: the server's 429, shown
  // kindly, and the button waits as long as Retry-After says.
  await onPhonePage(async (second) => {
    await second.goto(url('/login.html'), { waitUntil: 'domcontentloaded' });
    await second.getByLabel('手机号', { exact: true }).fill(phone);
    await second.getByRole('button', { name: '获取验证码' }).tap();
    const notice = second.locator('#form-status');
    await notice.getByText(/秒后再试/).waitFor();
    assert.ok(await second.locator('#send-code').isDisabled(), 'the countdown follows Retry-After');
    assert.match(await second.locator('#send-code').textContent(), /^\d+ 秒后重新获取$/);
  });
});

test('the citizen sign-in page in 长辈模式', T, () => onPhonePage(async (page) => {
  await page.goto(url('/login.html?large=1'), { waitUntil: 'domcontentloaded' });
  await page.getByLabel('手机号', { exact: true }).waitFor();
  assert.ok(await bodyFontPx(page) >= 22, 'large text');
  assert.equal(await page.getByRole('button', { name: '长辈模式' }).getAttribute('aria-pressed'), 'true');
  await accessible(page, { targets: 'button, select, input, a', inlineExempt: false });
  const btn = await page.locator('#send-code').boundingBox();
  assert.ok(btn.height >= 56, `a bigger send button in large mode (${btn.height}px)`);
  await screenshot(page, 'login-large');
  assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
}));

test('staff sign in with hall, username, password and window', T, () => onPhonePage(async (page) => {
  await page.goto(url('/staff/login.html'), { waitUntil: 'domcontentloaded' });
  // A city of several halls: the page asks which one (nothing chosen for you), the centre first.
  const hall = page.getByLabel('服务大厅');
  await hall.locator('option[value="qiaotou"]').waitFor({ state: 'attached' });
  assert.equal(await hall.inputValue(), '', 'no hall chosen for you among several');
  assert.equal(await hall.locator('option').nth(1).getAttribute('value'), 'demo', 'the centre first');
  await chooseHall(page, 'demo');
  await accessible(page, { targets: 'button, select, input, a', inlineExempt: false });
  await screenshot(page, 'staff-login');

  // Nothing typed: every missing field is named at once.
  await page.getByRole('button', { name: '登录', exact: true }).tap();
  await page.locator('#username-error').getByText('请输入用户名').waitFor();
  await page.locator('#password-error').getByText('请输入密码').waitFor();

  await page.getByLabel('用户名').fill('clerk6');
  const pw = page.getByLabel('密码', { exact: true });
  await pw.fill('not-the-password');
  // The password can be shown and hidden again.
  await page.getByRole('button', { name: '显示密码' }).tap();
  assert.equal(await pw.getAttribute('type'), 'text');
  await page.getByRole('button', { name: '隐藏密码' }).tap();
  assert.equal(await pw.getAttribute('type'), 'password');
  await page.getByLabel(/窗口号/).fill('6');
  await page.getByRole('button', { name: '登录', exact: true }).tap();
  await page.getByText('用户名或密码错误，请重新输入').waitFor();
  assert.equal(await pw.inputValue(), '', 'the wrong password is cleared');
  resetProblems(page);

  await pw.fill('yichuang-demo');
  await page.getByRole('button', { name: '登录', exact: true }).tap();
  // A clerk lands on the window console, at the window just signed in at.
  await page.waitForURL(/\/console\.html$/);
  await page.locator('#desk').waitFor();
  assert.match(await page.locator('#who-role').innerText(), /6 号窗口/);
  await page.goto(url('/staff/login.html'), { waitUntil: 'domcontentloaded' });
  const done = page.getByRole('region', { name: '已登录' });
  await done.waitFor();
  assert.equal(await page.getByRole('link', { name: '进入工作台' }).getAttribute('href'), '/console.html',
    'the way on from the sign-in page is the role\'s home');
  const text = await done.innerText();
  assert.ok(text.includes('窗口工作人员'), text);
  assert.ok(text.includes('6 号窗口'), text);
  const token = await page.evaluate(() => window.localStorage.getItem('yichuang.token'));
  const csrf = await page.evaluate(() => window.localStorage.getItem('yichuang.csrf'));
  assert.ok(token && csrf, 'token and CSRF value kept for api.js');
  assert.equal(await page.evaluate(() => JSON.stringify(window.localStorage)).then((s) => s.includes('yichuang-demo')), false,
    'the password is never stored');
  await screenshot(page, 'staff-login-signed-in');

  await page.getByRole('button', { name: '退出登录' }).tap();
  await page.getByLabel('用户名').waitFor();
  // Remembered for the next sign-in on this device: the username and window.
  assert.equal(await page.getByLabel('用户名').inputValue(), 'clerk6');
  assert.equal(await page.getByLabel(/窗口号/).inputValue(), '6');
  assert.deepEqual(allProblems(page), [], 'no console errors or failed requests');
}));

test('a window the hall does not have is refused on its field', T, () => onPhonePage(async (page) => {
  await page.goto(url('/staff/login.html?large=1'), { waitUntil: 'domcontentloaded' });
  await chooseHall(page, 'demo');
  await page.getByLabel('用户名').fill('clerk6');
  await page.getByLabel('密码', { exact: true }).fill('yichuang-demo');
  await page.getByLabel(/窗口号/).fill('99');
  await page.getByRole('button', { name: '登录', exact: true }).tap();
  await page.locator('#window-error').getByText('本中心没有这个窗口').waitFor();
  assert.equal(await page.getByLabel(/窗口号/).getAttribute('aria-invalid'), 'true');
  assert.ok(await bodyFontPx(page) >= 22);
  await accessible(page, { targets: 'button, select, input, a', inlineExempt: false });
}));
