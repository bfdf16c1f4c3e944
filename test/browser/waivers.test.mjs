// 容缺受理 as the citizen and the window see it (issue 19, item 1): the tracking page /t/<token>
// lists each 容缺 material with its due date and 待补交, then the time it was received once the
// clerk records it; the printed 受理通知书 (staff/notice.html) of a 容缺 case says 容缺受理 and
// names the material with its due date — never 材料齐全 — while a complete case's does.
// Cases are made through the API at a fixed hall instant (Monday 2026-11-23, IT-B-003: 5
// working days, deadline 2026-11-30), the clock moved for the receipt, and put back after.
// The manager's dashboard lists a 容缺 material past its due date (case, material, due, days
// overdue, accepting clerk).
// Screenshots: track-waived.png, track-waived-received.png, notice-waived.png,
// dashboard-waivers.png.
//
//   cd test/browser && node --test waivers.test.mjs

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, phonePage, screenPage, screenshot, allProblems, closeBrowser, checkA11y, api,
  staffToken, setClock, resetClock, signInStaffForm,
} from './lib.mjs';

const T = { timeout: 120000 };
const ITEM = 'IT-B-003';
const DUE = '2026-11-27';

after(async () => {
  await resetClock();
  await closeBrowser();
});

/* The item's waivable material and the other required ones, from the catalogue. */
async function checklist() {
  const { data } = await api('GET', `/items/${ITEM}`);
  const mats = data.item.materials;
  const waivable = mats.find((m) => m.required && m.waivable);
  assert.ok(waivable, `${ITEM} has a 容缺-able material`);
  return { waivable, given: mats.filter((m) => m.required && !m.waivable).map((m) => m.code), all: mats.filter((m) => m.required).map((m) => m.code) };
}

async function accept(clerk, body) {
  const r = await api('POST', '/cases', {
    token: clerk,
    body: {
      item: ITEM,
      delivery: 'pickup',
      applicant: { name: '欧阳娜娜', id_number: '11010519491231002X', phone: '13800138000' },
      ...body,
    },
  });
  assert.equal(r.status, 201, `POST /cases: ${JSON.stringify(r.data)}`);
  return r.data.case;
}

const noticeToken = (c) => new URL(c.notice_url, url('/')).searchParams.get('n');

test('the tracking page shows the 容缺 material awaited, then when it was received', T, async () => {
  await setClock('2026-11-23T10:00:00+08:00');
  const { waivable, given } = await checklist();
  const clerk = await staffToken('clerk1', 1);
  const c = await accept(clerk, {
    materials: given, waived: [waivable.code], commitment: { signed: true, due: DUE },
  });

  const page = await phonePage();
  try {
    await page.goto(url(`/t/${c.track_token}`), { waitUntil: 'domcontentloaded' });
    await page.locator('#track-case').waitFor({ state: 'visible' });
    const section = page.locator('#waived');
    await section.waitFor({ state: 'visible' });
    const item = section.locator('.waived-item');
    assert.equal(await item.count(), 1);
    assert.match(await item.innerText(), new RegExp(waivable.name));
    assert.match(await item.innerText(), /2026年11月27日（周五）前/);
    assert.equal(await item.locator('.waived-state').innerText(), '待补交');
    assert.equal(await item.getAttribute('data-received'), '0');
    await checkA11y(page);
    await screenshot(page, 'track-waived');

    // The applicant brings it on Tuesday afternoon; the clerk records it.
    await setClock('2026-11-24T14:30:00+08:00');
    const r = await api('POST', `/cases/${c.no}/actions`, {
      token: clerk, body: { action: 'supplement', materials: [waivable.code] },
    });
    assert.equal(r.status, 200, JSON.stringify(r.data));
    const { data } = await api('GET', `/track/${c.track_token}`);
    const at = data.case.waived[0].received_at;
    assert.match(at, /^2026-11-24T14:3\d:\d\d\+08:00$/);

    await page.reload({ waitUntil: 'domcontentloaded' });
    await section.waitFor({ state: 'visible' });
    assert.equal(await item.getAttribute('data-received'), '1');
    assert.equal(await item.locator('.waived-state').innerText(), `已于 2026年11月24日 ${at.slice(11, 16)} 收到`);
    // Nothing of the applicant beyond what the page already masks.
    const text = await page.locator('body').innerText();
    for (const secret of ['欧阳娜娜', '13800138000', '11010519491231002X']) {
      assert.ok(!text.includes(secret), `the page does not show ${secret}`);
    }
    await screenshot(page, 'track-waived-received');
    assert.deepEqual(allProblems(page), []);
  } finally {
    await page.close();
    await resetClock();
  }
});

test('the 受理通知书 of a 容缺 case says 容缺受理 with the due date, never 材料齐全', T, async () => {
  await setClock('2026-11-23T10:00:00+08:00');
  const { waivable, given, all } = await checklist();
  const clerk = await staffToken('clerk1', 1);
  const waived = await accept(clerk, {
    materials: given, waived: [waivable.code], commitment: { signed: true, due: DUE },
  });
  const complete = await accept(clerk, { materials: all });

  const page = await screenPage();
  try {
    await page.goto(url(`/staff/notice.html?n=${noticeToken(waived)}`), { waitUntil: 'domcontentloaded' });
    await page.locator('#doc:not([hidden])').waitFor();
    const doc = await page.locator('#doc').innerText();
    assert.ok(!doc.includes('材料齐全'), 'a 容缺 case is never 材料齐全');
    assert.match(await page.locator('#doc-acceptance').innerText(), /容缺受理/);
    const list = page.locator('#doc-waived li');
    assert.equal(await list.count(), 1);
    assert.match(await list.innerText(), new RegExp(`${waivable.name}：须于 2026 年 11 月 27 日 前补交`));
    assert.match(doc, new RegExp(`${waivable.name}\\s*容缺，须于2026 年 11 月 27 日前补交`));
    await screenshot(page, 'notice-waived');
    assert.deepEqual(allProblems(page), []);

    // A complete case's notice does say it, and lists no 容缺 material.
    await page.goto(url(`/staff/notice.html?n=${noticeToken(complete)}`), { waitUntil: 'domcontentloaded' });
    await page.locator('#doc:not([hidden])').waitFor();
    assert.match(await page.locator('#doc-acceptance').innerText(), /申请材料齐全/);
    assert.equal(await page.locator('#doc-waived').count(), 0);
  } finally {
    await page.close();
    await resetClock();
  }
});

test('the dashboard lists a 容缺 material past its due date with the accepting clerk', T, async () => {
  await setClock('2026-11-23T10:00:00+08:00');
  const { waivable, given } = await checklist();
  const clerk = await staffToken('clerk1', 1);
  const c = await accept(clerk, {
    materials: given, waived: [waivable.code], commitment: { signed: true, due: '2026-11-25' },
  });
  const { data: staff } = await api('GET', `/cases/${c.no}`, { token: clerk });
  // Two days after the due date, never brought.
  await setClock('2026-11-27T10:00:00+08:00');
  const page = await phonePage({ viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 });
  try {
    await page.goto(url('/staff/dashboard.html'));
    await signInStaffForm(page, 'manager1', 0, 'body[data-loaded="1"]');
    const row = page.locator(`#t-waivers tbody tr[data-case="${c.no}"]`);
    await row.waitFor();
    const cells = await row.locator('th, td').allInnerTexts();
    assert.deepEqual(cells, [c.no, waivable.name, '2026-11-25', '2 天', staff.case.accepted_by]);
    assert.equal(await row.locator('a').getAttribute('href'), `/staff/case.html?no=${encodeURIComponent(c.no)}`);
    await page.locator('#t-waivers').scrollIntoViewIfNeeded();
    await screenshot(page, 'dashboard-waivers');
    assert.deepEqual(allProblems(page), []);

    // Brought at last: the list no longer has it.
    const r = await api('POST', `/cases/${c.no}/actions`, {
      token: clerk, body: { action: 'supplement', materials: [waivable.code] },
    });
    assert.equal(r.status, 200, JSON.stringify(r.data));
    await page.reload();
    await page.locator('body[data-loaded="1"]').waitFor();
    assert.equal(await page.locator(`#t-waivers tbody tr[data-case="${c.no}"]`).count(), 0);
  } finally {
    await page.context().close();
    await resetClock();
  }
});
