// The README gallery: docs/screenshots/*.png, phone pages at 390×844 and staff pages at
// 1366×768, one viewport each (not the full page) at 1× so the files stay small.
//
//   make screenshots          (starts a throwaway stack, runs this, stops it)
//
// Runs against YICHUANG_BASE_URL with the demo seed and the hall clock YICHUANG_NOW (set by
// ops/screenshots.sh). Each shot is a step a person takes (tap and type), not an API call;
// where the data would need days of traffic (a closed case, a served ticket) the page is
// given the API's answer by the browser, as the tracking tests do.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  url, launch, closeBrowser, signInCitizen, eventually,
} from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.resolve(process.env.YICHUANG_GALLERY || path.join(HERE, '../../docs/screenshots'));
const PHONE = {
  viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true,
  locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
};
const DESK = {
  viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
};
const shots = [];

async function ctx(kind) {
  const browser = await launch();
  const c = await browser.newContext(kind);
  c.setDefaultTimeout(15000);
  return c.newPage();
}

async function shot(page, name, locator) {
  if (locator) await locator.evaluate((n) => n.scrollIntoView({ block: 'start' }));
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(150);
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled' });
  shots.push(file);
}

const randomPhone = () => `16${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;

async function citizen() {
  const page = await ctx(PHONE);
  await page.goto(url('/'), { waitUntil: 'domcontentloaded' });
  await page.locator('#item-list[aria-busy="false"] > li').first().waitFor();
  await shot(page, 'phone-home');

  const box = page.getByLabel('搜索事项', { exact: true });
  await box.tap();
  await box.pressSequentially('营业执照', { delay: 20 });
  await eventually(() => new URL(page.url()).searchParams.get('q') === '营业执照', { message: 'search' });
  await page.locator('#item-list[aria-busy="false"] > li').first().waitFor();
  const item = page.locator('#item-list > li').first();
  await item.locator('summary').tap();
  await shot(page, 'phone-guide', page.locator('#guide'));

  await item.getByRole('link', { name: '预约', exact: true }).tap();
  await page.locator('#step-2:not([hidden]) button.choice:not([disabled])').first().waitFor();
  await page.locator('#step-2 button.choice:not([disabled])').first().tap();
  await page.locator('#step-3:not([hidden]) button.choice:not([disabled])').first().waitFor();
  await shot(page, 'phone-book-slots');
  await page.locator('#step-3 button.choice:not([disabled])').first().tap();
  await page.locator('#sign-in:not([hidden])').waitFor();
  await shot(page, 'phone-book-sign-in');

  // Signed in: book, then 改约 on 我的预约.
  const next = new URL(await page.locator('#sign-in-link').getAttribute('href'), url('/')).searchParams.get('next');
  await signInCitizen(page, randomPhone());
  await page.goto(url(next), { waitUntil: 'domcontentloaded' });
  await page.locator('#book-form:not([hidden]) #name').waitFor();
  await page.getByLabel('姓名').pressSequentially('王小明');
  await page.getByLabel('身份证号码').pressSequentially(idNumber());
  await page.getByRole('button', { name: '提交预约' }).tap();
  await page.getByRole('heading', { name: '预约成功' }).waitFor();
  await shot(page, 'phone-book-done');
  await page.getByRole('link', { name: '查看我的预约' }).tap();
  const card = page.locator('#upcoming li.appt').first();
  await card.waitFor();
  await card.getByRole('button', { name: '改约' }).tap();
  await card.getByLabel('时段', { exact: true }).locator('option').first().waitFor({ state: 'attached' });
  await shot(page, 'phone-my-appointments', card);

  await page.goto(url('/apply.html?item=IT-B-001'), { waitUntil: 'domcontentloaded' });
  await page.locator('#materials > li').first().waitFor();
  await shot(page, 'phone-apply');
  await shot(page, 'phone-apply-materials', page.locator('#materials'));

  // 长辈模式
  await page.goto(url('/'), { waitUntil: 'domcontentloaded' });
  await page.getByRole('button', { name: '长辈模式' }).tap();
  await page.locator('#cat-list[aria-busy="false"] > li').first().waitFor();
  await shot(page, 'phone-home-large');
  await page.getByRole('button', { name: '长辈模式' }).tap();
  await page.context().close();
}

/* A valid resident ID number (GB 11643 check digit), new on every run. */
function idNumber() {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const base = `11010519${70 + Math.floor(Math.random() * 25)}0303${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(base[i]) * w[i];
  return base + '10X98765432'[sum % 11];
}

async function answered(page, pattern, body) {
  await page.route(pattern, (route) => route.fulfill({
    status: 200, contentType: 'application/json', body: JSON.stringify(body),
  }));
}

async function trackingAndReview() {
  const token = 'GalleryTokenForTheTrackingPage0123456789ab';
  const page = await ctx(PHONE);
  await answered(page, '**/api/v1/track/**', {
    case: {
      no: 'DEMO-20261123-0042', item: '食品经营许可（新办）', status: 'approved', status_label: '已办结（准予）',
      deadline: '2026-11-30', warning: 'green', applicant: '王**', delivery: 'pickup',
      hall: { name: '示范区政务服务中心', phone: '0571-12345678' },
      steps: [
        { status: 'accepted', at: '2026-11-23T09:35:12+08:00', label: '已受理' },
        { status: 'processing', at: '2026-11-23T10:02:00+08:00', label: '审批中' },
        { status: 'approved', at: '2026-11-26T15:20:00+08:00', label: '已办结（准予）' },
      ],
    },
  });
  await answered(page, '**/api/v1/reviews?**', { kind: 'case', ref: 'DEMO-20261123-0042', reviewable: false, review: null });
  await page.goto(url(`/t/${token}`), { waitUntil: 'domcontentloaded' });
  await page.locator('#stages > li').first().waitFor();
  await shot(page, 'phone-tracking');
  await page.context().close();

  const rv = await ctx(PHONE);
  await answered(rv, '**/api/v1/tickets/**', { ticket: { number: 'B012', status: 'done', outcome: 'done', window: '3' } });
  await answered(rv, '**/api/v1/reviews?**', { kind: 'ticket', ref: 'B012', reviewable: true, review: null });
  await rv.goto(url('/review.html?ticket=GalleryTicketToken01'), { waitUntil: 'domcontentloaded' });
  await rv.locator('#rv-form:not([hidden])').waitFor();
  await rv.getByRole('button', { name: '满意', exact: true }).tap();
  await shot(rv, 'phone-review');
  await rv.context().close();
}

async function staff() {
  const res = await fetch(url('/api/v1/staff/login'), {
    method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ hall: 'demo', username: 'clerk1', password: 'yichuang-demo' }),
  });
  const page = await ctx(DESK);
  await page.goto(url('/staff/login.html'), { waitUntil: 'domcontentloaded' });
  await page.waitForLoadState('networkidle');
  await shot(page, 'staff-login');
  if (res.ok) {
    const { token, csrf } = await res.json();
    await page.evaluate(([t, c]) => {
      window.localStorage.setItem('yichuang.token', t);
      if (c) window.localStorage.setItem('yichuang.csrf', c);
    }, [token, csrf]);
    for (const [p, name] of [['/console.html', 'staff-console'], ['/staff/case-new.html', 'staff-case-new'],
      ['/staff/cases.html', 'staff-cases']]) {
      await page.goto(url(p), { waitUntil: 'load' });
      await page.waitForTimeout(1500);	// long polls never let the network go idle
      await shot(page, name);
    }
  }
  await page.goto(url('/board.html?hall=demo'), { waitUntil: 'load' });
  await page.waitForTimeout(1500);
  await shot(page, 'staff-board');
  await page.context().close();
}

await mkdir(OUT, { recursive: true });
try {
  await citizen();
  await trackingAndReview();
  await staff();
} finally {
  await closeBrowser();
}
console.log(shots.map((f) => path.relative(process.cwd(), f)).join('\n'));
