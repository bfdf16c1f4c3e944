/*
 * admin-import.js — 导入 / 导出事项目录 (staff/admin/import.html), region administrator only.
 * Export: links to GET /admin/catalog/export (the session cookie goes with them).  Import:
 * the chosen file is first sent with dry_run=1 — the server checks and writes everything,
 * then rolls back — and the page shows every problem (line, record, field) or what would
 * change; 确认导入 sends the same file for real.  Choosing another file asks for a new preview.
 *
 * API: POST /admin/catalog/import?format=json|csv&dry_run=1, GET /admin/catalog/export
 */

import { api, ApiError } from '/js/api.js';
import { el } from '/js/ui.js';
import { $, startStaffPage, say, errorText } from './cases-common.js';

const ACTION = { created: '新建', changed: '修改（新版本）', unchanged: '无变化' };
let previewed = null;	// the File that previewed without problems

function format(file) {
  return /\.csv$/i.test(file.name) || file.type === 'text/csv' ? 'csv' : 'json';
}

function showProblems(list) {
  const t = $('problems');
  t.hidden = false;
  $('changes').hidden = true;
  t.tBodies[0].replaceChildren(...list.map((p) => el('tr', null,
    el('td', null, p.line ? String(p.line) : '—'), el('td', null, p.record || '—'),
    el('td', null, p.field || '—'), el('td', null, p.message))));
  $('result-summary').textContent = `文件有 ${list.length} 处问题，没有导入任何内容。请修改后重新预览。`;
}

function showChanges(r) {
  const t = $('changes');
  const n = r.counts || {};
  t.hidden = false;
  $('problems').hidden = true;
  const rows = [...r.items.map((i) => ({ ...i, kind: '事项' })), ...r.bundles.map((b) => ({ ...b, kind: '一件事' }))]
    .filter((x) => x.action !== 'unchanged');
  t.tBodies[0].replaceChildren(...rows.map((x) => el('tr', null,
    el('td', null, `${x.kind} ${x.id}`), el('td', null, ACTION[x.action] || x.action),
    el('td', null, x.version ? `第 ${x.version} 版` : '—'))));
  if (!rows.length) t.hidden = true;
  $('result-summary').textContent = `${r.dry_run ? '预览（尚未导入）' : '已导入'}：新建 ${n.created || 0} 个，修改 ${n.changed || 0} 个，`
    + `无变化 ${n.unchanged || 0} 个，停用 ${n.retired || 0} 个，恢复 ${n.restored || 0} 个；一件事 ${r.bundles.length} 个。`;
}

async function send(dry) {
  const file = $('file').files[0];
  if (!file) {
    $('import-form').querySelector('[data-field="file"]').classList.add('has-error');
    $('import-form').querySelector('[data-field="file"] .field-error').textContent = '请选择目录文件';
    $('file').focus();
    return;
  }
  $('import-form').querySelector('[data-field="file"]').classList.remove('has-error');
  $('import-form').querySelector('[data-field="file"] .field-error').textContent = '';
  const f = format(file);
  $('preview').disabled = true;
  $('apply').disabled = true;
  try {
    const r = await api(`/admin/catalog/import?format=${f}${dry ? '&dry_run=1' : ''}`, {
      method: 'POST',
      body: file,
      headers: { 'Content-Type': f === 'csv' ? 'text/csv' : 'application/json' },
      timeout: 120000,
    });
    $('result').hidden = false;
    $('result-title').textContent = dry ? '预览' : '导入结果';
    showChanges(r);
    previewed = dry ? file : null;
    $('apply').disabled = !dry;
    if (!dry) say($('page-status'), '目录已导入');
    $('result').focus();
  } catch (err) {
    previewed = null;
    if (err instanceof ApiError && err.body && Array.isArray(err.body.problems)) {
      $('result').hidden = false;
      $('result-title').textContent = '文件中的问题';
      showProblems(err.body.problems);
      $('result').focus();
    } else say($('page-status'), errorText(err), 'error');
  } finally {
    $('preview').disabled = false;
  }
}

function ready() {
  $('import-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    send(true);
  });
  $('apply').addEventListener('click', () => {
    if (previewed && previewed === $('file').files[0]) send(false);
  });
  $('file').addEventListener('change', () => {
    previewed = null;
    $('apply').disabled = true;
  });
}

startStaffPage({ roles: ['region_admin'], onReady: ready });
