// Push to the hall's screens and phones (js/push.js; docs/API.md "Push"), as the board and a
// citizen's ticket page live it:
//
//  * The board shows a call by push alone: its long polls are refused by the test (any
//    GET …/board?since= is aborted and counted) and the call still reaches the screen within
//    a few seconds — and the board never even tried to poll while push worked.
//  * The ticket page learns of a call by push: while push is open it does not poll every
//    5 s (no ticket read in 6 s of quiet), and after a call of the number ahead it shows its
//    new place within 3 s; when its own number is called it says which window.
//  * With the push endpoint blocked (every /api/v1/push/ request aborted), the board falls
//    back to its long poll and still shows the call.
// The hall clock of the instance is moved to Tue 2026-12-29 10:00, a day no other test uses.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenPage, phonePage, allProblems, eventually, api, staffToken, drainWindow,
  openHallAt, closeHall,
} from './lib.mjs';

const T = { timeout: 120000 };
let kiosk;
let clerk;

async function take(category) {
  const r = await api('POST', '/halls/demo/tickets', { token: kiosk, body: { category } });
  assert.equal(r.status, 201, `a ${category} ticket: ${JSON.stringify(r.data)}`);
  return r.data.ticket;
}

async function callNext() {
  const r = await api('POST', '/windows/1/call-next', { token: clerk });
  assert.equal(r.status, 200, `call-next: ${JSON.stringify(r.data)}`);
  return r.data.ticket;
}

const isPush = (u) => new URL(u).pathname.startsWith('/api/v1/push/');
const isLongPoll = (u) => {
  const x = new URL(u);
  return /^\/api\/v1\/halls\/[^/]+\/board$/.test(x.pathname) && x.searchParams.has('since');
};

/* The board page, waiting until its push subscription answered (or was refused). */
async function openBoard(page, { expectPush }) {
  const pushed = expectPush ? page.waitForResponse((res) => isPush(res.url()), { timeout: 15000 }) : null;
  await page.goto(url('/board.html?hall=demo'));
  await page.waitForSelector('#calls-empty, #now:not([hidden])', { state: 'attached' });
  if (pushed) assert.equal((await pushed).status(), 200, 'the board subscribed to push');
}

before(async () => {
  kiosk = await openHallAt('2026-12-29T10:00:00+08:00');
  clerk = await staffToken('clerk1', 1);
  await drainWindow(clerk, 1);
});

after(closeHall);

test('the board shows a call by push, with its long polls refused', T, async () => {
  const page = await screenPage({ viewport: { width: 1280, height: 720 } });
  try {
    let polls = 0;
    await page.route((u) => isLongPoll(u.href), (route) => {
      polls += 1;
      return route.abort();
    });
    await openBoard(page, { expectPush: true });
    await page.waitForTimeout(500);
    const t = await take('A');
    const t0 = Date.now();
    const called = await callNext();
    assert.equal(called.number, t.number);
    await eventually(async () => (await page.textContent('#now-number')) === t.number,
      { timeout: 5000, message: `the board shows ${t.number}` });
    const ms = Date.now() - t0;
    assert.ok(ms < 3000, `on the board ${ms} ms after the call`);
    assert.equal(await page.textContent('#now-window'), '1');
    assert.equal(await page.getAttribute('#conn', 'data-state'), 'ok');
    assert.equal(polls, 0, 'the board did not poll while push worked');
    assert.deepEqual(allProblems(page), []);
  } finally {
    await page.context().close();
  }
});

test('the ticket page learns its new place by push, not by polling', T, async () => {
  await drainWindow(clerk, 1);
  const first = await take('A');
  const mine = await take('A');
  const page = await phonePage();
  try {
    let reads = 0;
    const ticketPath = `/api/v1/tickets/${mine.token}`;
    page.on('request', (req) => {
      if (new URL(req.url()).pathname === ticketPath && req.method() === 'GET') reads += 1;
    });
    const pushed = page.waitForResponse((res) => isPush(res.url()), { timeout: 15000 });
    await page.goto(url(`/q/${mine.token}`));
    assert.equal((await pushed).status(), 200, 'the ticket page subscribed to push');
    await page.waitForSelector('#q-ticket:not([hidden])');
    assert.equal(await page.textContent('#q-number'), mine.number);
    await eventually(async () => (await page.textContent('#q-ahead')).includes('1'),
      { message: 'one ahead' });
    // Quiet: with push open there is no 5-second poll.
    await page.waitForTimeout(1000);
    const quiet = reads;
    await page.waitForTimeout(6000);
    assert.equal(reads, quiet, 'no ticket read in 6 s of quiet while push is open');

    const t0 = Date.now();
    assert.equal((await callNext()).number, first.number);
    await eventually(async () => (await page.textContent('#q-ahead')).includes('0'),
      { timeout: 5000, message: 'nobody ahead after the call' });
    assert.ok(Date.now() - t0 < 3000, `the new place in ${Date.now() - t0} ms`);
    assert.ok(reads > quiet, 'the page read its ticket after the push');

    await api('POST', '/windows/1/finish', { token: clerk, body: { outcome: 'no_show' } });
    assert.equal((await callNext()).number, mine.number);
    await eventually(async () => (await page.getAttribute('#q-state', 'data-status')) === 'called',
      { timeout: 5000, message: 'my number called' });
    assert.match(await page.textContent('#q-hint'), /1 号窗口/);
    assert.deepEqual(allProblems(page), []);
  } finally {
    await page.context().close();
    await drainWindow(clerk, 1);
  }
});

test('with push blocked the board falls back to its long poll', T, async () => {
  const page = await screenPage({ viewport: { width: 1280, height: 720 } });
  try {
    let blocked = 0;
    let polls = 0;
    await page.route((u) => isPush(u.href), (route) => {
      blocked += 1;
      return route.abort();
    });
    page.on('request', (req) => { if (isLongPoll(req.url())) polls += 1; });
    await openBoard(page, { expectPush: false });
    await eventually(() => blocked > 0 && polls > 0, { message: 'push tried, then a long poll' });
    await page.waitForTimeout(500);
    const t = await take('E');
    const t0 = Date.now();
    assert.equal((await callNext()).number, t.number);
    await eventually(async () => (await page.textContent('#now-number')) === t.number,
      { timeout: 5000, message: `the board shows ${t.number} by its long poll` });
    assert.ok(Date.now() - t0 < 3000, `on the board ${Date.now() - t0} ms after the call`);
    assert.equal(await page.getAttribute('#conn', 'data-state'), 'ok');
    // The only problems: the push requests the test aborted.
    assert.deepEqual(allProblems(page).filter((p) => !p.includes('/api/v1/push/')), []);
  } finally {
    await page.context().close();
    await drainWindow(clerk, 1);
  }
});
