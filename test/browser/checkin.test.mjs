// 预约签到 and 咨询导办 on the hall's own screens (issue 19 items 4 and 6): the kiosk checks a
// booking in by its 6-digit code on a keypad before the hall opens the queue and shows (and
// prints) the ticket; the clerk's console checks one in from its box; at the consult window
// (9) 办结 opens the consultation record, which keeps the referral on the clerk's list (and the
// manager's dashboard) until the receiver accepts it.
//
// The hall clock of the stack instance is moved to Thu 2026-12-17 (07:30 to book, 08:10 to
// check in before the 08:30 opening, 10:00 for the consult window) and put back afterwards.
// Screenshots: kiosk-checkin.png, kiosk-checkin-ticket.png, console-checkin.png,
// console-consult.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenshot, allProblems, eventually, openHallAt, closeHall, setClock, api as call,
  staffToken as login, citizenToken, randomPhone, idNumber, sql,
  drainWindow as drain, signInStaffForm, signInKiosk, signInConsole, onScreenPage,
} from './lib.mjs';

const T = { timeout: 120000 };

/* A booking of slot for a fresh citizen: { token, code, citizen }. */
async function book(slot) {
  const citizen = await citizenToken(randomPhone('16'));
  const r = await call('POST', '/appointments', {
    token: citizen,
    body: { hall: 'demo', category: slot[0], slot, name: '孙丽', id_number: idNumber('110105', 70, 20, '0312') },
  });
  assert.equal(r.status, 201, `booked ${slot}: ${JSON.stringify(r.json)}`);
  return { token: r.json.appointment.token, code: r.json.appointment.code, citizen };
}

let kiosk;
let early;
let atWindow;

before(async () => {
  kiosk = await openHallAt('2026-12-17T07:30:00+08:00');
  early = await book('A-20261217-0830');
  atWindow = await book('A-20261217-0830');
  await setClock('2026-12-17T08:10:00+08:00');
});
after(closeHall);

test('the kiosk: 预约签到 by the code on a keypad before the queue opens, the ticket printed', T, () => onScreenPage(async (page) => {
  await signInKiosk(page);
  await page.getByRole('button', { name: /预约签到/ }).click();
  await page.getByRole('heading', { name: '预约签到' }).waitFor();
  // A standing citizen's keypad: every key at least 64 px high.
  const key = page.locator('#keypad').getByRole('button', { name: '5', exact: true });
  assert.ok((await key.boundingBox()).height >= 64, 'big keys');

  // Too short, then a code that is nobody's today: said in words, nothing issued.
  await page.locator('#keypad').getByRole('button', { name: '1', exact: true }).click();
  await page.getByRole('button', { name: '签到取号' }).click();
  await page.locator('#checkin-error:not([hidden])', { hasText: '6 位' }).waitFor();
  const wrong = early.code === '999999' ? '999998' : '999999';
  await page.getByLabel(/预约码/).fill(wrong);
  await page.getByRole('button', { name: '签到取号' }).click();
  await page.locator('#checkin-error:not([hidden])', { hasText: '预约码' }).waitFor();
  await screenshot(page, 'kiosk-checkin');

  // The real code, typed on the keypad (清空 first).
  await page.locator('#keypad').getByRole('button', { name: '清空' }).click();
  for (const d of early.code) await page.locator('#keypad').getByRole('button', { name: d, exact: true }).click();
  assert.equal(await page.getByLabel(/预约码/).inputValue(), early.code);
  await page.getByRole('button', { name: '签到取号' }).click();
  await page.getByRole('heading', { name: '签到成功，您的号码是' }).waitFor();
  const number = (await page.locator('#ticket-number').textContent()).trim();
  assert.match(number, /^A\d{3}$/);
  assert.match(await page.locator('#ticket-priority').textContent(), /预约/);
  assert.match(await page.locator('#ticket-category').textContent(), /无差别受理/);
  assert.match(await page.locator('#ticket-ahead').textContent(), /^\d+ 人$/);
  assert.match(await page.locator('#ticket-hall').textContent(), /\S/);
  await screenshot(page, 'kiosk-checkin-ticket');

  // The booking is checked in with that very ticket, at 08:10, before the 08:30 opening.
  const a = await call('GET', `/appointments/${early.token}`, { token: early.citizen });
  assert.equal(a.json.appointment.status, 'checked_in');
  assert.equal(a.json.appointment.ticket.number, number);
  // Printed as the kiosk prints tickets: the number stays, the buttons and steps go.
  await page.emulateMedia({ media: 'print' });
  assert.ok(await page.locator('#ticket-number').isVisible());
  assert.equal(await page.getByRole('button', { name: '打印号票' }).isVisible(), false);
  await page.emulateMedia({ media: 'screen' });

  // The same code again: the same ticket, never a second one.
  await page.getByRole('button', { name: '完成' }).click();
  await page.getByRole('button', { name: /预约签到/ }).click();
  await page.getByLabel(/预约码/).fill(early.code);
  await page.getByRole('button', { name: '签到取号' }).click();
  await page.locator('#ticket-number', { hasText: number }).waitFor();
  assert.equal(sql(`SELECT COUNT(*) FROM queue_tickets t JOIN appointments a ON a.id = t.appointment
    WHERE a.hall = 'demo' AND a.day = '2026-12-17' AND a.code = '${early.code}'`), '1');
  assert.deepEqual(allProblems(page).filter((p) => !/ 40[49] /.test(p)), []);
}, { viewport: { width: 1366, height: 768 } }));

test('the console: a clerk checks a booking in from the check-in box', T, () => onScreenPage(async (page) => {
  await signInConsole(page, 'clerk1', 1);
  await page.getByRole('heading', { name: /1号窗口/, level: 1 }).waitFor();

  await page.getByLabel(/预约码/).fill('12a');
  await page.getByRole('button', { name: '签到取号' }).click();
  await page.locator('#checkin-result', { hasText: '6 位' }).waitFor();
  await page.getByLabel(/预约码/).fill(atWindow.code);
  await page.getByRole('button', { name: '签到取号' }).click();
  const shown = page.locator('#checkin-ticket');
  await shown.waitFor();
  const number = /A\d{3}/.exec(await shown.textContent())[0];
  assert.match(await shown.textContent(), /预约号/);
  await screenshot(page, 'console-checkin');
  const a = await call('GET', `/appointments/${atWindow.token}`, { token: atWindow.citizen });
  assert.equal(a.json.appointment.status, 'checked_in');
  assert.equal(a.json.appointment.ticket.number, number);
  assert.deepEqual(allProblems(page), []);
}, { viewport: { width: 1366, height: 900 } }));

test('the consult window: 办结 writes the record; the referral stays mine until accepted', T, async () => {
  await setClock('2026-12-17T10:00:00+08:00');
  const clerk = await login('clerk8', 9);
  const v = await call('GET', '/windows/9', { token: clerk });
  if (v.json.current) await call('POST', '/windows/9/finish', { token: clerk, body: { outcome: 'no_show' } });
  await drain(clerk, 9);
  const taken = await call('POST', '/halls/demo/tickets', { token: kiosk, body: { category: 'Z' } });
  assert.equal(taken.status, 201);
  const z = taken.json.ticket.number;
  await onScreenPage(async (page) => {
    await signInConsole(page, 'clerk8', 9);
    await page.getByRole('heading', { name: /咨询导办/, level: 1 }).waitFor();
    await page.getByRole('button', { name: /叫下一位/ }).click();
    await eventually(async () => (await page.locator('#cur-number').textContent()) === z, { message: `${z} called` });

    // 办结 opens the record; an empty one is refused on the spot, nothing finished.
    await page.getByRole('button', { name: /办结/ }).click();
    await page.getByRole('heading', { name: /咨询记录/ }).waitFor();
    await page.getByRole('button', { name: '保存记录并办结' }).click();
    await page.locator('#consult-question-error:not([hidden])').waitFor();
    assert.equal((await call('GET', `/tickets/${taken.json.ticket.token}`)).json.ticket.status, 'called');

    await page.getByLabel('咨询问题').fill('开奶茶店要办哪些证？');
    assert.equal(await page.locator('#consult-question-error').isVisible(), false, 'the error goes once typed');
    const item = await page.locator('#consult-item option').nth(1).getAttribute('value');
    await page.getByLabel(/涉及事项/).selectOption(item);
    await page.getByLabel('答复内容').fill('先办营业执照，再办食品经营许可，请到 4 号窗口。');
    await page.getByLabel('转交给').selectOption('window');
    await page.getByLabel('转交窗口（填号码）').fill('4');
    await screenshot(page, 'console-consult');
    await page.getByRole('button', { name: '保存记录并办结' }).click();
    await eventually(async () => (await page.locator('#cur-number').textContent()) === '—', { message: 'finished' });
    const row = sql(`SELECT c.id, c.question, c.item, c.ref_kind, c.ref_window, c.ref_status, s.username
      FROM consult_records c JOIN queue_tickets t ON t.id = c.ticket_id JOIN staff s ON s.id = c.clerk
      WHERE t.token = '${taken.json.ticket.token}'`).split('\t');
    assert.deepEqual(row.slice(1), ['开奶茶店要办哪些证？', item, 'window', '4', 'open', 'clerk8']);
    // 首问负责: on my list until window 4 accepts it.
    const mine = page.locator(`#ref-responsible li[data-id="${row[0]}"]`);
    await mine.waitFor();
    assert.match(await mine.textContent(), /转交窗口/);
    // The manager's dashboard lists it among the referrals nobody has accepted yet.
    await onScreenPage(async (dash) => {
      await dash.goto(url('/staff/dashboard.html'));
      await signInStaffForm(dash, 'manager1', 0, 'body[data-loaded="1"]');
      const open = dash.locator(`#consult-open li[data-id="${row[0]}"]`);
      await open.waitFor();
      assert.match(await open.textContent(), /首问 黄磊/);
    }, { viewport: { width: 1366, height: 900 } });
    const accepted = await call('POST', `/consult/referrals/${row[0]}/accept`, { token: await login('clerk4', 4) });
    assert.equal(accepted.status, 200);
    await page.reload();
    await page.locator('#ref-responsible li').first().waitFor();
    assert.equal(await mine.count(), 0, 'accepted: off my list');
    assert.deepEqual(allProblems(page), []);
  }, { viewport: { width: 1366, height: 900 } });
});
