// The region's catalog on the console (issue 21, part A) in the browser:
//   - the item form: region1 makes a new item; a bad form says what is wrong next to each
//     field (承诺时限, a material's name) and saves nothing; fixed, it saves as version 1 and
//     the public guide shows it; a changed material note saves as version 2 and the trail
//     shows who changed what; the hall's choice (not accepted here) takes the item out of the
//     hall's guide and joins the trail; the page passes the accessibility check;
//   - the import preview: a CSV with a problem lists it with its line and imports nothing;
//     a good one previews what would be created (still nothing written), and 确认导入 writes it.
//
// Runs against a live site with the demo seed.  Ids carry this run's number.
// Screenshots: admin-item-errors, admin-item-saved, admin-import-problems, admin-import-preview.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  url, screenshot, allProblems, closeBrowser, eventually, apiJson, api,
  signInStaffForm, staffToken, checkA11y, onScreenPage,
} from './lib.mjs';

const T = { timeout: 180000 };
const RUN = String(Date.now() % 100000000);
after(closeBrowser);

test('item form: errors next to the fields, then versions and the trail', T, async () => {
  const id = `IT-W${RUN}`;
  await onScreenPage(async (page) => {
    await page.goto(url('/staff/admin/item.html'), { waitUntil: 'domcontentloaded' });
    await signInStaffForm(page, 'region1');
    await page.locator('#i-category option').first().waitFor({ state: 'attached' });
    await page.getByLabel('事项编号').fill(id);
    await page.getByLabel('事项名称').fill('网页测试事项');
    await page.getByLabel('实施部门').fill('scjg');
    await page.getByLabel('承诺时限（工作日）').fill('0');
    await page.getByRole('button', { name: '添加材料' }).click();
    await page.getByRole('button', { name: '保存', exact: true }).click();
    // Each problem next to its field; nothing saved.
    const err = (field) => page.locator(`[data-field="${field}"] .field-error`);
    await eventually(async () => (await err('promised_days').textContent()).includes('至少'),
      { message: '承诺时限 says what is wrong' });
    assert.match(await err('materials[0].name').textContent(), /不能为空|必填/);
    assert.equal(await page.locator('[data-field="promised_days"]').getAttribute('class'), 'field has-error');
    await screenshot(page, 'admin-item-errors');
    const token = await staffToken('region1');
    assert.equal((await api('GET', `/admin/items/${id}`, { token })).status, 404, 'nothing saved');

    await page.getByLabel('承诺时限（工作日）').fill('5');
    await page.locator('#m0-name').fill('网页申请书');
    await page.locator('#m0-note').fill('须本人签字');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.locator('#page-status', { hasText: '已保存：第 1 版' }).waitFor();
    assert.match(page.url(), new RegExp(`\\?id=${id}$`));
    const { item } = await apiJson(`/items/${id}`);
    assert.equal(item.name, '网页测试事项');
    assert.deepEqual(item.materials.map((m) => [m.code, m.name, m.note]), [['M1', '网页申请书', '须本人签字']]);

    await page.locator('#m0-note').fill('须本人签字并按手印');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.locator('#page-status', { hasText: '已保存：第 2 版' }).waitFor();
    const trail = page.locator('#trail > li');
    await eventually(async () => (await trail.count()) === 2, { message: 'two trail entries' });
    const first = await trail.first().textContent();
    assert.match(first, /修改（第 2 版） · 区域事项管理员/);
    assert.match(first, /新增材料 M2 网页申请书/);
    assert.match(first, /停用材料 M1 网页申请书/);
    // The hall's choice on the same page: not accepted here, gone from the hall's guide.
    await page.getByLabel('本中心受理此事项').uncheck();
    await page.getByRole('button', { name: '保存本中心的选择' }).click();
    await page.locator('#choice-status', { hasText: '本中心不受理此事项' }).waitFor();
    const { items } = await apiJson('/items?hall=demo');
    assert.ok(!items.some((i) => i.id === id), 'gone from the hall guide');
    await eventually(async () => (await trail.count()) === 3, { message: 'the choice on the trail' });
    assert.match(await trail.first().textContent(), /中心选择 · 区域事项管理员.*受理：true → false/);
    await screenshot(page, 'admin-item-saved');
    await checkA11y(page);
    assert.deepEqual(allProblems(page).filter((p) => !/(status of 400|400 PUT) .*\/api\/v1\/admin\/items\//.test(p)), [],
      'no errors but the 400 the test asked for');
  });
});

test('import preview: problems with their lines, then a preview, then the import', T, async () => {
  const id = `IT-X${RUN}`;
  const token = await staffToken('region1');
  const head = 'item_id,hall,name,category,department,kind,promised_days,material_name,material_required\n';
  const bad = `${head}${id},demo,导入测试,B,scjg,promised,3,申请书,1\n${id},demo,导入测试,B,scjg,promised,3,,maybe\n`;
  const good = `${head}${id},demo,导入测试,B,scjg,promised,3,申请书,1\n${id},demo,导入测试,B,scjg,promised,3,"身份证,复印件",0\n`;
  await onScreenPage(async (page) => {
    await page.goto(url('/staff/admin/import.html'), { waitUntil: 'domcontentloaded' });
    await signInStaffForm(page, 'region1');
    await page.getByLabel('目录文件（.json 或 .csv）').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: '预览' }).click();
    const rows = page.locator('#problems tbody tr');
    await rows.first().waitFor();
    const text = await page.locator('#problems').textContent();
    assert.match(text, /3.*material_required/s, 'the line and the column of the bad boolean');
    assert.match(await page.locator('#result-summary').textContent(), /没有导入任何内容/);
    assert.ok(await page.getByRole('button', { name: '确认导入' }).isDisabled());
    await screenshot(page, 'admin-import-problems');
    assert.equal((await api('GET', `/admin/items/${id}`, { token })).status, 404);

    await page.getByLabel('目录文件（.json 或 .csv）').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.getByRole('button', { name: '预览' }).click();
    await page.locator('#result-summary', { hasText: '预览（尚未导入）：新建 1 个' }).waitFor();
    assert.match(await page.locator('#changes').textContent(), new RegExp(`${id}.*新建`));
    await screenshot(page, 'admin-import-preview');
    assert.equal((await api('GET', `/admin/items/${id}`, { token })).status, 404, 'a preview writes nothing');
    await page.getByRole('button', { name: '确认导入' }).click();
    await page.locator('#result-summary', { hasText: '已导入：新建 1 个' }).waitFor();
    const { item } = await apiJson(`/items/${id}`);
    assert.deepEqual(item.materials.map((m) => m.name), ['申请书', '身份证,复印件']);
    await checkA11y(page);
    assert.deepEqual(allProblems(page).filter((p) => !/(status of 400|400 POST) .*\/api\/v1\/admin\/catalog\/import/.test(p)), [],
      'no errors but the 400 of the bad file');
  });
});

test('bundles: a hall admin reads a bundle and the union of its materials', T, () => onScreenPage(async (page) => {
  await page.goto(url('/staff/admin/bundles.html?id=BD-001'), { waitUntil: 'domcontentloaded' });
  await signInStaffForm(page, 'admin');
  await page.locator('#b-mats > li').first().waitFor();
  assert.equal(await page.locator('#b-id').inputValue(), 'BD-001');
  assert.equal(await page.locator('#b-items > li').count(), 2);
  const { bundle } = (await api('GET', '/admin/bundles/BD-001', { token: await staffToken('admin') })).data;
  assert.equal(await page.locator('#b-mats > li').count(), bundle.materials.length);
  assert.ok(await page.locator('#b-save-row').isHidden(), 'a hall admin cannot change it');
  assert.ok(await page.locator('#b-name').isDisabled());
  await checkA11y(page);
  assert.deepEqual(allProblems(page), []);
}));
