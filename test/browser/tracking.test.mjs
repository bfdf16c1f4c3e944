// The case tracking page /t/<token> (nginx/site/t.html, js/track.js) on a phone.
//
// A real case is created through the API first (clerk1 at window 1 accepts a complete
// application, POST /cases); the page must show it, then follow it by itself when the back
// office moves it on (approver1 assigns it: accepted → processing) — the page's 30-second poll
// is driven by Playwright's fake clock so the test does not wait. States that take many steps
// to reach (ready for pickup, mailed, overdue, rejected) and failures (429, outage) are shown
// with the API answered by the test (page.route), in the shape GET /track/{token} gives.
// Screenshots: track.png, track-updated.png, track-large.png, track-missing.png,
// track-ready.png, track-mailed.png in SCREENSHOT_DIR (see lib.mjs).
//
//   cd test/browser && node --test tracking.test.mjs

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, phonePage, screenshot, allProblems, problems, resetProblems, closeBrowser, eventually,
  checkA11y, api as call, staffToken as staffLogin,
  onPhonePage, acceptCase,
} from './lib.mjs';

const T = { timeout: 90000 };

after(closeBrowser);

/* ---------- the API from node ---------- */

/* A complete application for a promised item of department dept, accepted by clerk1. */
async function newCase(dept = 'scjg') {
  const { data } = await call('GET', '/items?hall=demo');
  const item = data.items.find((i) => i.kind === 'promised' && i.department === dept);
  assert.ok(item, `the demo hall has a promised item of ${dept}`);
  const clerk = await staffLogin('clerk1', 1);
  const accepted = await acceptCase(clerk, {
    item: item.id,
    materials: item.materials.map((m) => m.code),
    delivery: 'pickup',
    applicant: { name: '李小龙', id_number: '11010519491231002X', phone: '13800138000' },
  });
  return { ...accepted, itemName: item.name };
}

/* ---------- the page ---------- */

const statusText = (page) => page.locator('#case-status').innerText();
const scrollWidth = (page) => page.evaluate(() => document.scrollingElement.scrollWidth);
const currentStage = (page) => page.locator('#stages [aria-current="step"] .stage-label').innerText();

async function openTrack(page, token, query = '') {
  await page.goto(url(`/t/${token}${query}`), { waitUntil: 'domcontentloaded' });
  await page.locator('#track-case').waitFor({ state: 'visible' });
}

test('a citizen scans the QR code and follows the case as it moves on', T, async () => {
  const c = await newCase();
  const { data: tracked } = await call('GET', `/track/${c.track_token}`);
  assert.equal(tracked.case.status, 'accepted');

  await onPhonePage(async (page) => {
    await page.clock.install();
    await openTrack(page, c.track_token);

    assert.equal(await statusText(page), tracked.case.status_label || '已受理');
    assert.equal(await page.locator('#case-item').innerText(), tracked.case.item);
    assert.equal(await page.locator('#case-no').innerText(), c.no);
    // The applicant only as the API masks it; never the full name, phone or ID number.
    assert.equal(await page.locator('#case-applicant').innerText(), tracked.case.applicant);
    const body = await page.locator('body').innerText();
    for (const secret of ['李小龙', '13800138000', '11010519491231002X']) {
      assert.ok(!body.includes(secret), `the page does not show ${secret}`);
    }
    // Deadline in words and the warning light as a word, not colour alone.
    const [y, m, d] = tracked.case.deadline.split('-').map(Number);
    assert.match(await page.locator('#case-deadline').innerText(), new RegExp(`^${y}年${m}月${d}日（周.）$`));
    assert.match(await page.locator('#case-warning').innerText(), /正常|即将到期|已超期/);
    assert.equal(await currentStage(page), '受理');
    assert.equal(await page.locator('#steps > li').count(), tracked.case.steps.length);
    assert.ok(await page.getByRole('heading', { name: '办理进度' }).isVisible());
    assert.ok(await scrollWidth(page) <= 390, 'nothing wider than the phone');
    await screenshot(page, 'track');

    // The back office takes the case; the page notices by itself at its next poll.
    const approver = await staffLogin('approver1');
    const moved = await call('POST', `/cases/${encodeURIComponent(c.no)}/actions`,
      { token: approver, body: { action: 'assign' } });
    assert.equal(moved.status, 200, `assign: ${JSON.stringify(moved.data)}`);
    assert.equal(moved.data.case.status, 'processing');
    const before = await statusText(page);
    const { data: now } = await call('GET', `/track/${c.track_token}`);
    const label = now.case.status_label;
    assert.notEqual(label, before);
    assert.equal(await statusText(page), before, 'no change before the poll');

    await page.clock.runFor(30500);
    await eventually(async () => (await statusText(page)) === label,
      { message: `the page to show ${label} after its 30 s poll` });
    assert.equal(await page.locator('#track-status').innerText(), `办件状态已更新：${label}`);
    assert.equal(await currentStage(page), '审批办理');
    assert.equal(await page.locator('#steps > li').count(), tracked.case.steps.length + 1);
    assert.match(await page.locator('#steps > li').first().innerText(), new RegExp(label.replace(/[()（）]/g, '.')));
    await screenshot(page, 'track-updated');
    assert.deepEqual(allProblems(page), []);
  });
});

test('large-text mode fits the phone', T, async () => {
  const c = await newCase();
  await onPhonePage(async (page) => {
    await openTrack(page, c.track_token, '?large=1');
    const px = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    assert.ok(px >= 22, `body text ${px}px in 长辈模式`);
    assert.equal(await page.getByRole('button', { name: '长辈模式' }).getAttribute('aria-pressed'), 'true');
    assert.ok(await scrollWidth(page) <= 390, 'nothing wider than the phone');
    await screenshot(page, 'track-large');
    assert.deepEqual(allProblems(page), []);
  });
});

test('an unknown or malformed link gets a friendly page that reveals nothing', T, () => onPhonePage(async (page) => {
  await page.goto(url('/t/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), { waitUntil: 'domcontentloaded' });
  await page.locator('#track-missing').waitFor({ state: 'visible' });
  assert.ok(await page.getByRole('heading', { name: '未找到办件信息' }).isVisible());
  assert.ok(await page.locator('#track-case').isHidden());
  const text = await page.locator('main').innerText();
  assert.ok(!/NOT_FOUND|失效|撤销|revoked/i.test(text), 'no hint of why');
  assert.ok(await scrollWidth(page) <= 390);
  await screenshot(page, 'track-missing');
  // The one expected problem: the API's 404 for the unknown token.
  const { badResponses } = problems(page);
  assert.deepEqual(badResponses.map((s) => s.split(' ')[0]), ['404']);
  resetProblems(page);

  // Too short to be a token: the page does not even ask.
  let asked = false;
  page.on('request', (req) => { if (req.url().includes('/api/v1/track/')) asked = true; });
  await page.goto(url('/t/abc'), { waitUntil: 'domcontentloaded' });
  await page.locator('#track-missing').waitFor({ state: 'visible' });
  assert.equal(asked, false);
  assert.deepEqual(allProblems(page), []);
}));

test('the printed 受理通知书 carries the tracking QR code beside the address', T, async () => {
  const c = await newCase();
  assert.ok(c.notice_url, 'POST /cases gives the notice address');
  await onPhonePage(async (page) => {
    await page.goto(url(c.notice_url), { waitUntil: 'domcontentloaded' });
    const img = page.locator('#doc-track-qr');
    await img.waitFor({ state: 'visible' });
    assert.equal(await img.getAttribute('src'), `/api/v1/track/${c.track_token}/qr.svg`);
    assert.match(await img.getAttribute('alt'), /二维码/);
    await eventually(() => img.evaluate((i) => i.complete && i.naturalWidth > 0), { message: 'the QR image to load' });
    // The address in words next to it, for those who cannot scan.
    assert.match(await page.locator('#doc-track').innerText(), new RegExp(`/t/${c.track_token}$`));
    await screenshot(page, 'track-notice');
    assert.deepEqual(allProblems(page), []);
  }, { viewport: { width: 800, height: 1100 }, isMobile: false });
});

/* ---------- states shown with the API answered by the test ---------- */

const TOKEN = 'MockTokenForTheTrackingPage0123456789abcdef';

// The cases module's words for each status (case_status_label), as GET /track gives them.
const LABELS = {
  accepted: '已受理', processing: '审批中', approved: '已办结（准予）', rejected: '已办结（不予）',
  ready: '待领取', mailed: '已寄出', closed: '已完结',
};

function mockCase(over = {}) {
  const status = over.status || 'processing';
  return {
    no: 'DEMO-20261123-0042',
    item: '食品经营许可（新办）',
    status,
    status_label: LABELS[status],
    deadline: '2026-11-30',
    warning: 'green',
    applicant: '王**',
    hall: { name: '示范区政务服务中心', phone: '0571-12345678' },
    steps: [
      { status: 'accepted', at: '2026-11-23T09:35:12+08:00', label: LABELS.accepted },
      { status: 'processing', at: '2026-11-23T10:02:00+08:00', label: LABELS.processing },
    ],
    ...over,
  };
}

async function mockedPage(answers, { reviewed = false } = {}) {
  const page = await phonePage();
  let n = 0;
  // Whether the case was reviewed (GET /reviews), for the 去评价 / 查看我的评价 link.
  await page.route('**/api/v1/reviews?**', (route) => route.fulfill({
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({
      kind: 'case', ref: 'DEMO-20261123-0042', reviewable: !reviewed,
      review: reviewed ? { score: 5, score_label: '非常满意', indicators: {}, comment: '', rectification: false } : null,
    }),
  }));
  await page.route('**/api/v1/track/**', (route) => {
    const a = answers[Math.min(n, answers.length - 1)];
    n += 1;
    return route.fulfill({
      status: a.status || 200,
      contentType: 'application/json',
      headers: a.headers || {},
      body: JSON.stringify(a.body),
    });
  });
  return page;
}

test('ready for pickup: where, when and what to bring', T, async () => {
  const page = await mockedPage([{
    body: {
      case: mockCase({
        status: 'ready',
        warning: 'green',
        steps: [...mockCase().steps,
          { status: 'approved', at: '2026-11-25T11:00:00+08:00', label: LABELS.approved },
          { status: 'ready', at: '2026-11-25T15:00:00+08:00', label: LABELS.ready, note: '请到 8 号窗口领取' }],
        pickup: { window: '8号窗口（统一出件）', hours: '08:30-12:00、13:30-17:30', bring: '申请人本人居民身份证原件及短信中的取件码（代领须带委托书）' },
      }),
    },
  }]);
  try {
    await openTrack(page, TOKEN);
    assert.equal(await statusText(page), LABELS.ready);
    const pickup = page.getByRole('region', { name: '领取证照' });
    assert.ok(await pickup.isVisible());
    const text = await pickup.innerText();
    assert.match(text, /8号窗口（统一出件）/);
    assert.match(text, /08:30-12:00/);
    assert.match(text, /居民身份证原件/);
    assert.ok(await page.locator('#case-warning-row').isHidden(), 'no warning light once done');
    assert.equal(await currentStage(page), '窗口领取');
    assert.match(await page.locator('#steps > li').first().innerText(), /请到 8 号窗口领取/);
    assert.ok(await page.locator('#review').isHidden(), 'not closed: nothing to rate yet');
    await screenshot(page, 'track-ready');
    assert.deepEqual(allProblems(page), []);
  } finally {
    await page.context().close();
  }
});

test('mailed: the carrier and the tracking number', T, async () => {
  const page = await mockedPage([{
    body: { case: mockCase({ status: 'mailed', mail: { carrier: 'EMS', tracking_no: '1234567890123' } }) },
  }]);
  try {
    await openTrack(page, TOKEN);
    assert.equal(await statusText(page), LABELS.mailed);
    const mail = page.getByRole('region', { name: '邮寄信息' });
    assert.match(await mail.innerText(), /EMS[\s\S]*1234567890123/);
    assert.equal(await currentStage(page), '邮寄送达');
    assert.ok(await page.locator('#pickup').isHidden());
    await screenshot(page, 'track-mailed');
  } finally {
    await page.context().close();
  }
});

test('the warning light is said in words', T, async () => {
  for (const [warning, word] of [['green', '正常'], ['yellow', '即将到期'], ['red', '已超期']]) {
    const page = await mockedPage([{ body: { case: mockCase({ warning }) } }]);
    try {
      await openTrack(page, TOKEN);
      const light = page.locator('#case-warning');
      assert.match(await light.innerText(), new RegExp(word));
      assert.equal(await light.getAttribute('class'), `light light-${warning}`);
    } finally {
      await page.context().close();
    }
  }
});

test('a refusal and a closed case', T, async () => {
  const page = await mockedPage([
    { body: { case: mockCase({ status: 'rejected', steps: [...mockCase().steps, { status: 'rejected', at: '2026-11-26T10:00:00+08:00', label: LABELS.rejected, note: '经营场所不符合要求' }] }) } },
    { body: { case: mockCase({ status: 'closed' }) } },
  ]);
  try {
    await page.clock.install();
    await openTrack(page, TOKEN);
    assert.equal(await statusText(page), LABELS.rejected);
    assert.match(await page.locator('#stages').innerText(), /不予许可/);
    assert.match(await page.locator('#steps').innerText(), /经营场所不符合要求/);
    await page.clock.runFor(30500);
    await eventually(async () => (await statusText(page)) === LABELS.closed, { message: LABELS.closed });
    assert.equal(await page.locator('#stages .stage-done').count(), await page.locator('#stages > li').count());
    // A closed case can be rated (好差评, issue 9): the link carries the tracking token.
    assert.ok(await page.locator('#review').isVisible());
    assert.equal(await page.locator('#review-link').getAttribute('href'), `/review.html?case=${TOKEN}`);
    assert.equal((await page.locator('#review-link').textContent()).trim(), '去评价');
  } finally {
    await page.context().close();
  }
});

test('a decided case reads 办结 once, and a reviewed one offers its review, not 去评价', T, async () => {
  const approved = mockCase({ status: 'approved', steps: [...mockCase().steps, { status: 'approved', at: '2026-11-26T10:00:00+08:00', label: LABELS.approved }] });
  let page = await mockedPage([{ body: { case: approved } }]);
  try {
    await openTrack(page, TOKEN);
    assert.equal(await statusText(page), LABELS.approved);
    const stages = page.locator('#stages > li');
    const decided = stages.filter({ hasText: '办结：准予许可' });
    assert.equal(await decided.count(), 1);
    assert.match(await decided.innerText(), /已完成/, 'the decision the status announces is done');
    const last = stages.last();
    assert.match(await last.innerText(), /完结/);
    assert.doesNotMatch(await page.locator('#stages').innerText(), /(^|\n)办结\n/);
    await checkA11y(page);
  } finally {
    await page.context().close();
  }
  page = await mockedPage([{ body: { case: mockCase({ status: 'closed' }) } }], { reviewed: true });
  try {
    await openTrack(page, TOKEN);
    await eventually(async () => (await page.locator('#review-link').textContent()).trim() === '查看我的评价',
      { message: 'the link to the review given' });
    assert.equal((await page.locator('#review-title').textContent()).trim(), '您已评价');
  } finally {
    await page.context().close();
  }
});

test('throttled or down: says so, keeps what it showed, and recovers', T, async () => {
  const page = await mockedPage([
    { body: { case: mockCase() } },
    { status: 429, headers: { 'Retry-After': '60' }, body: { error: { code: 'RATE_LIMITED', message: '操作过于频繁，请稍后再试' } } },
    { status: 503, body: { error: { code: 'UNAVAILABLE', message: '服务暂时不可用，请稍后再试' } } },
    { body: { case: mockCase({ status: 'approved' }) } },
  ]);
  try {
    await page.clock.install();
    await openTrack(page, TOKEN);
    assert.equal(await statusText(page), LABELS.processing);
    await page.clock.runFor(30500);
    await eventually(async () => /查询过于频繁，请 60 秒后再试/.test(await page.locator('#track-status').innerText()),
      { message: 'the 429 notice' });
    assert.equal(await statusText(page), LABELS.processing, 'the last answer stays on screen');
    await page.clock.runFor(30500);
    await eventually(async () => /暂时无法获取数据/.test(await page.locator('#track-status').innerText()),
      { message: 'the outage notice' });
    // The retry button asks at once.
    await page.locator('#track-status').getByRole('button', { name: '重试' }).click();
    await eventually(async () => (await statusText(page)) === LABELS.approved, { message: 'recovery' });
    assert.equal(await page.locator('#track-status').innerText(), `办件状态已更新：${LABELS.approved}`);
  } finally {
    await page.context().close();
  }
});

/* ---------- the results (办理结果) of a decided case ---------- */

// A 即办件 with an electronic 营业执照 (IT-B-001), decided at the window: the page lists the
// result with its status in words, a link to its verify page (the result's signed QR text)
// and, being electronic, a hint to download it from 我的申请 — never the PDF itself.
test('a decided case shows its result, its verify link and where to download it', T, async () => {
  const { data: items } = await call('GET', '/items?hall=demo');
  const item = items.items.find((i) => i.id === 'IT-B-001');
  assert.ok(item, 'the demo hall has IT-B-001 (即办件, 营业执照)');
  const clerk = await staffLogin('clerk1', 1);
  const c = await acceptCase(clerk, {
    item: item.id,
    materials: item.materials.filter((m) => m.required).map((m) => m.code),
    approve: true,
    applicant: { name: '李小龙', id_number: '11010519491231002X', phone: '13800138000' },
  });
  const { data: staffRes } = await call('GET', `/cases/${c.no}/results`, { token: clerk });
  assert.equal(staffRes.results.length, 1);
  const res = staffRes.results[0];

  await onPhonePage(async (page) => {
    await openTrack(page, c.track_token);
    const box = page.locator('#results');
    await box.waitFor({ state: 'visible' });
    const items1 = page.locator('#results-list > li');
    assert.equal(await items1.count(), 1);
    const text = await items1.first().innerText();
    assert.match(text, /营业执照/);
    assert.ok(text.includes(res.number), `the number ${res.number} is shown`);
    assert.equal(await items1.first().locator('.result-status strong').innerText(), '有效');
    // The verify link is the result's QR text, to our own verify page.
    const href = await items1.first().locator('a.result-verify').getAttribute('href');
    assert.equal(href, res.qr_text);
    assert.match(href, /\/v\.html#/);
    // Electronic: where to download it; no PDF on this page.
    const hint = items1.first().locator('.result-download');
    assert.match(await hint.innerText(), /我的申请/);
    assert.equal(await hint.locator('a').getAttribute('href'), '/my-cases.html');
    assert.equal(await page.locator('a[href*="/pdf"]').count(), 0);
    await checkA11y(page);
    await screenshot(page, 'track-results');

    // Following the link opens the verify page, which finds the result genuine and valid.
    await page.goto(href, { waitUntil: 'domcontentloaded' });
    await eventually(async () => (await page.locator('#v-verdict').innerText()) === '有效',
      { message: 'the verify page says 有效' });
    assert.equal(await page.locator('#v-number').innerText(), res.number);

    // Revoked by the manager: the tracking page says 已撤销 and no longer offers a download.
    const manager = await staffLogin('manager1');
    const rv = await call('POST', `/results/${res.vid}/revoke`,
      { token: manager, body: { reason: '申请人主动注销' } });
    assert.equal(rv.status, 200, JSON.stringify(rv.data));
    await openTrack(page, c.track_token);
    await page.locator('#results').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#results-list .result-status strong').innerText(), '已撤销');
    assert.equal(await page.locator('#results-list .result-download').count(), 0);
    assert.deepEqual(allProblems(page), []);
  });
});
