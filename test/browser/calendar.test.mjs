// The calendar never stops the hall (issue 19, item 9), as staff and citizens see it: on
// Monday 2026-12-28, with 2027's holiday notice not loaded, a clerk accepts a 5-day item; its
// deadline (Tuesday 2027-01-05, on the provisional calendar) is shown as 暂定 on the staff
// case page and on the citizen's tracking page, and not as 暂定 for a case due in 2026.
//
// Runs against a live site (YICHUANG_BASE_URL) with the demo seed (item IT-B-003, clerk1 at
// window 1). Any 2027 notice rows are removed first; the hall clock is put back afterwards.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, onPhonePage, screenshot, allProblems, closeBrowser, api, staffToken, setClock, resetClock,
  sql, signInStaffForm as signIn,
} from './lib.mjs';

const T = { timeout: 120000 };

before(() => {
  sql("DELETE FROM calendar_days WHERE day BETWEEN '2027-01-01' AND '2027-12-31';"
    + ' DELETE FROM calendar_years WHERE year = 2027;');
});

after(async () => {
  await resetClock();
  await closeBrowser();
});

/* A complete IT-B-003 application accepted at window 1 now: the case of the 201. */
async function accept() {
  const clerk = await staffToken('clerk1', 1);
  const { data } = await api('GET', '/items/IT-B-003');
  const materials = data.item.materials.filter((m) => m.required).map((m) => m.code);
  const r = await api('POST', '/cases', {
    token: clerk,
    body: {
      item: 'IT-B-003', materials,
      applicant: { name: '欧阳娜娜', id_number: '11010519491231002X', phone: '13800138027' },
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  return r.data.case;
}

/* A case accepted with the hall clock at `at`: the API gives it deadline, provisional or not. */
async function acceptAt(at, deadline, provisional) {
  await setClock(at);
  const c = await accept();
  assert.equal(c.deadline, deadline);
  assert.equal(c.provisional, provisional);
  return c;
}

/* The deadline as the clerk's case page and the citizen's tracking page show it. */
async function deadlineShown(page, caseNo, trackToken) {
  await page.goto(url(`/staff/case.html?no=${encodeURIComponent(caseNo)}`), { waitUntil: 'domcontentloaded' });
  await signIn(page, 'clerk1', 1);
  const staff = page.locator('#case-deadline');
  await staff.waitFor();
  const staffText = await staff.innerText();
  await page.goto(url(`/t/${trackToken}`), { waitUntil: 'domcontentloaded' });
  await page.locator('#case-deadline:not(:empty)').waitFor();
  const note = page.locator('#case-deadline-note');
  const citizen = { date: await page.locator('#case-deadline').innerText(), note: await note.isVisible() ? await note.innerText() : null };
  return { staffText, citizen };
}

test('a deadline into a year without its notice is shown as 暂定, to staff and citizen', T, async () => {
  const c = await acceptAt('2026-12-28T10:00:00+08:00', '2027-01-05', true);
  await onPhonePage(async (page) => {
    const { staffText, citizen } = await deadlineShown(page, c.no, c.track_token);
    assert.match(staffText, /2027-01-05（暂定/);
    assert.match(citizen.date, /^2027年1月5日（周二）$/);
    assert.ok(citizen.note && citizen.note.includes('暂定') && citizen.note.includes('不会提前'));
    await screenshot(page, 'track-provisional');
    assert.deepEqual(allProblems(page), []);
  });
});

test('a deadline inside a loaded year is not', T, async () => {
  const c = await acceptAt('2026-12-01T10:00:00+08:00', '2026-12-08', false);
  await onPhonePage(async (page) => {
    const { staffText, citizen } = await deadlineShown(page, c.no, c.track_token);
    assert.ok(staffText.startsWith('2026-12-08'));
    assert.ok(!staffText.includes('暂定'));
    assert.equal(citizen.note, null);
  });
});
