// Online applications (issue 11) on a phone: a citizen applies for the 开办企业 bundle with
// uploaded files (small valid JPEG/PNG made by the browser's canvas, and a hand-written PDF),
// a wrong-type file is refused with a clear message and stores nothing, a clerk pre-reviews
// the files side by side and returns the case for one bad file, the citizen replaces that
// file and resubmits, and the clerk accepts it.
//
// Runs against a live site (YICHUANG_BASE_URL) with the demo seed; the citizen signs in by
// SMS (the code is read from var/<YICHUANG_INSTANCE>/sms.log), the clerk is clerk1 at
// window 1.  upload_dir is var/<instance>/uploads (ops/stack.sh).
// Screenshots: online-apply, online-apply-refused, online-submitted, online-prereview,
// online-returned, online-resubmitted, online-accepted.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  url, phonePage, screenshot, allProblems, closeBrowser, eventually, apiJson, checkA11y,
  ROOT, INSTANCE, randomPhone, idNumber, citizenToken, signInStaffForm,
} from './lib.mjs';

const VAR = path.resolve(ROOT, `var/${INSTANCE}`);
const T = { timeout: 180000 };

after(closeBrowser);

async function filesIn(dir) {
  let n = 0;
  let entries = [];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) n += e.isDirectory() ? await filesIn(path.join(dir, e.name)) : 1;
  return n;
}

/* A small valid image drawn by the browser, as a Buffer. */
async function image(page, type, label, color) {
  const b64 = await page.evaluate(([t, text, c]) => {
    const cv = document.createElement('canvas');
    cv.width = 240;
    cv.height = 160;
    const g = cv.getContext('2d');
    g.fillStyle = c;
    g.fillRect(0, 0, 240, 160);
    g.fillStyle = '#fff';
    g.font = '28px sans-serif';
    g.fillText(text, 16, 90);
    return cv.toDataURL(t).split(',')[1];
  }, [type, label, color]);
  return Buffer.from(b64, 'base64');
}

function pdf(label) {
  const content = `BT /F1 18 Tf 20 100 Td (${label}) Tj ET`;
  const objs = [
    '<</Type/Catalog/Pages 2 0 R>>',
    '<</Type/Pages/Kids[3 0 R]/Count 1>>',
    '<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>',
    `<</Length ${content.length}>>stream\n${content}\nendstream`,
    '<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>',
  ];
  let out = '%PDF-1.4\n';
  const offs = [];
  objs.forEach((o, i) => { offs.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const o of offs) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer<</Size ${objs.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const uploadDone = (page, code) => page.locator(`li[data-code="${code}"] .m-state[data-state="done"]`).waitFor();

test('apply for a bundle from a phone, returned for one file, fixed and accepted', T, async () => {
  const { bundles } = await apiJson('/bundles?hall=demo');
  const bundle = bundles.find((b) => b.id === 'BD-001');
  assert.ok(bundle && bundle.items.length >= 2, 'the 开办企业 bundle with items of two departments');
  const required = bundle.materials.filter((m) => m.required);
  const token = await citizenToken(randomPhone('15'));

  const phone = await phonePage();
  const clerk = await phonePage();
  let no;
  try {
    await phone.goto(url('/'), { waitUntil: 'domcontentloaded' });
    await phone.evaluate((t) => window.localStorage.setItem('yichuang.token', t), token);
    await phone.goto(url('/apply.html'), { waitUntil: 'domcontentloaded' });
    await phone.locator('#what option[value="bundle:BD-001"]').waitFor({ state: 'attached' });
    await phone.getByLabel('办理事项').selectOption('bundle:BD-001');
    await eventually(async () => (await phone.locator('#materials > li').count()) === bundle.materials.length,
      { message: 'one row per material of the bundle (the union, no duplicates)' });
    // A first-time applicant has nothing on file: no 复用 offered.
    assert.equal(await phone.locator('#materials input[id^="reuse-"]').count(), 0, 'nothing to reuse');
    // Usable with a thumb: 44 px targets, labels, contrast; 长辈模式 is there too.
    await checkA11y(phone);
    assert.ok(await phone.getByRole('button', { name: '长辈模式' }).isVisible());
    const nameBox = phone.getByLabel('姓名', { exact: true });
    await nameBox.tap();
    await nameBox.pressSequentially('王小明');
    await phone.getByLabel('身份证号').fill(idNumber('440305', 70, 25, '0808'));
    const tel = phone.getByLabel('手机号', { exact: true });
    // The phone field brings up the numeric keypad.
    assert.equal(await tel.getAttribute('inputmode'), 'numeric');
    assert.equal(await tel.getAttribute('type'), 'tel');
    await tel.tap();
    await tel.pressSequentially('13911112222');

    // A wrong type is refused with a clear message, and nothing is stored.
    const before = await filesIn(path.join(VAR, 'uploads'));
    const first = required[0].code;
    await phone.locator(`#file-${first}`).setInputFiles({
      name: 'scan.gif', mimeType: 'image/gif', buffer: Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00', 'latin1'),
    });
    const refused = phone.locator(`li[data-code="${first}"] .m-state[data-state="error"]`);
    await refused.waitFor();
    assert.match(await refused.innerText(), /只能上传 JPG、PNG 图片或 PDF/);
    assert.ok(await phone.locator(`li[data-code="${first}"] button:has-text("重试")`).isVisible());
    assert.equal(await filesIn(path.join(VAR, 'uploads')), before, 'a refused upload stores nothing');
    await screenshot(phone, 'online-apply-refused');

    // Every required material: JPEG, PNG and PDF files, each with its progress bar.
    let i = 0;
    for (const m of required) {
      const kind = i % 3;
      const file = kind === 0
        ? { name: `m${i}.jpg`, mimeType: 'image/jpeg', buffer: await image(phone, 'image/jpeg', `${m.code} JPEG`, '#0b4ea2') }
        : kind === 1
          ? { name: `m${i}.png`, mimeType: 'image/png', buffer: await image(phone, 'image/png', `${m.code} PNG`, '#067647') }
          : { name: `m${i}.pdf`, mimeType: 'application/pdf', buffer: pdf(`${m.code} PDF`) };
      await phone.locator(`#file-${m.code}`).setInputFiles(file);
      await uploadDone(phone, m.code);
      // What was sent is shown: the picture itself, or the PDF's name; the bar is full.
      const row = phone.locator(`li[data-code="${m.code}"]`);
      if (kind === 2) assert.match(await row.locator('.m-preview').innerText(), new RegExp(`m${i}\\.pdf`));
      else await eventually(() => row.locator('.m-preview img').evaluate((n) => n.complete && n.naturalWidth > 0),
        { message: 'the preview of the picture' });
      assert.equal(await row.locator('progress').evaluate((n) => n.value), 1);
      assert.equal((await row.locator('.m-pct').textContent()).trim(), '100%');
      i += 1;
    }
    await checkA11y(phone);
    await phone.getByLabel('免费邮寄').tap();
    await phone.getByLabel('邮寄地址').fill('北京市东城区正义路1号');
    await screenshot(phone, 'online-apply');
    await phone.getByRole('button', { name: '提交申请' }).click();
    await phone.locator('#done:not([hidden])').waitFor();
    no = await phone.locator('#done-no').innerText();
    assert.match(no, /^DEMO-\d{8}-\d{4}$/);
    await screenshot(phone, 'online-submitted');

    // The clerk sees the files side by side and returns it for one bad file.
    await clerk.goto(url(`/staff/prereview.html?no=${no}`), { waitUntil: 'domcontentloaded' });
    await signInStaffForm(clerk, 'clerk1', 1);
    await clerk.locator('#files > li').first().waitFor();
    assert.equal(await clerk.locator('#files > li').count(), required.length);
    await clerk.locator('#files img').first().waitFor();
    await eventually(async () => (await clerk.locator('#files img').count()) >= 2, { message: 'images inline' });
    await eventually(async () => (await clerk.locator('#files a.pdf').count()) >= 1, { message: 'a PDF link' });
    await screenshot(clerk, 'online-prereview');
    const bad = required[1].code;
    await clerk.locator(`#files li[data-code="${bad}"] input[type=checkbox]`).check();
    await clerk.locator(`#files li[data-code="${bad}"] textarea`).fill('照片模糊，看不清签字');
    await clerk.getByRole('button', { name: '退回修改（一次性告知）' }).click();
    await eventually(async () => (await clerk.locator('#c-status').getAttribute('data-status')) === 'returned',
      { message: 'returned' });

    // The citizen sees why, replaces that one file and resubmits.
    await phone.goto(url(`/my-cases.html?no=${no}`), { waitUntil: 'domcontentloaded' });
    await phone.locator('#d-status[data-status="returned"]').waitFor();
    assert.match(await phone.locator(`#d-materials li[data-code="${bad}"]`).innerText(), /照片模糊/);
    assert.equal(await phone.locator('#d-materials input[type=file]').count(), 1);
    await screenshot(phone, 'online-returned');
    await phone.locator(`#file-${bad}`).setInputFiles({
      name: 'fixed.png', mimeType: 'image/png', buffer: await image(phone, 'image/png', `${bad} 清晰`, '#b54708'),
    });
    await uploadDone(phone, bad);
    await phone.getByRole('button', { name: '重新提交' }).click();
    await phone.locator('#d-status[data-status="submitted"]').waitFor();
    await screenshot(phone, 'online-resubmitted');

    // Accepted: the same deadline and notices as at the window.
    await clerk.goto(url(`/staff/prereview.html?no=${no}`), { waitUntil: 'domcontentloaded' });
    await clerk.locator('#files > li').first().waitFor();
    await clerk.getByRole('button', { name: '预审通过，受理' }).click();
    await eventually(async () => (await clerk.locator('#c-status').getAttribute('data-status')) === 'accepted',
      { message: 'accepted' });
    assert.match(await clerk.locator('#c-result').innerText(), /承诺办结日期 \d{4}-\d{2}-\d{2}/);
    await screenshot(clerk, 'online-accepted');
    await phone.goto(url(`/my-cases.html?no=${no}`), { waitUntil: 'domcontentloaded' });
    await phone.locator('#d-status[data-status="accepted"]').waitFor();
    assert.ok(await phone.locator('#d-track-link').isVisible());

    // Only the refused upload's 415 is expected.
    const unexpected = allProblems(phone).filter((p) => !/415.*\/api\/v1\/uploads/.test(p));
    assert.deepEqual(unexpected, []);
    assert.deepEqual(allProblems(clerk), []);
  } finally {
    await phone.context().close();
    await clerk.context().close();
  }
});
