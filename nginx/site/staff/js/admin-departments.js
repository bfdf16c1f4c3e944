/*
 * admin-departments.js — 办理部门 (staff/admin/departments.html): the region's departments
 * with their items and staff; one made or renamed through the form (each wrong field named
 * next to it); retired (停用) and restored (恢复); the trail.
 *
 * API: GET /admin/departments, PUT /admin/departments/{code}, POST …/{code}/retire,
 *      POST …/{code}/restore, GET /admin/halls/{hall}/audit?action=admin.department.
 */
import { startStaffPage } from './cases-common.js';
import {
  $, say, errorText, api, apiGet, ApiError, el, clear, showAudit, button, showFieldErrors,
} from './admin-common.js';

let hall = '';

async function retire(d, yes) {
  try {
    await api(`/admin/departments/${encodeURIComponent(d.code)}/${yes ? 'retire' : 'restore'}`, { method: 'POST' });
    await load();
    say($('list-result'), `部门 ${d.name} 已${yes ? '停用' : '恢复'}`);
  } catch (err) {
    say($('list-result'), errorText(err), 'error');
  }
}

async function load() {
  const { departments } = await apiGet('/admin/departments');
  const tb = $('depts');
  clear(tb);
  for (const d of departments) {
    tb.append(el('tr', { dataset: { code: d.code }, class: d.retired ? 'retired' : '' },
      el('td', null, d.code),
      el('td', null, d.name),
      el('td', null, String(d.items)),
      el('td', null, String(d.staff)),
      el('td', null, d.retired ? '已停用' : '使用中'),
      el('td', null,
        button(`修改部门 ${d.code}`, '修改', () => {
          $('d-code').value = d.code;
          $('d-name').value = d.name;
          $('d-name').focus();
        }), ' ',
        d.retired ? button(`恢复部门 ${d.code}`, '恢复', () => retire(d, false))
          : button(`停用部门 ${d.code}`, '停用', () => retire(d, true)))));
  }
  if (hall) await showAudit($('audit'), hall, 'admin.department');
}

async function save(ev) {
  ev.preventDefault();
  const form = $('dept-form');
  const code = $('d-code').value.trim();
  showFieldErrors(form, {});
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(code)) {
    showFieldErrors(form, { code: '部门代码须为 1–32 位字母、数字、_ 或 -' });
    say($('form-result'), '请检查标出的项目', 'error');
    $('d-code').focus();
    return;
  }
  try {
    const r = await api(`/admin/departments/${encodeURIComponent(code)}`, {
      method: 'PUT', body: { name: $('d-name').value.trim() },
    });
    await load();
    say($('form-result'), `部门 ${r.department.name} 已保存`);
  } catch (err) {
    if (err instanceof ApiError && err.fields) {
      const unknown = showFieldErrors(form, err.fields);
      say($('form-result'), unknown.length ? unknown.join('；') : '请检查标出的项目', 'error');
      const first = form.querySelector('.has-error input');
      if (first) first.focus();
    } else say($('form-result'), errorText(err), 'error');
  }
}

startStaffPage({
  roles: ['admin', 'region_admin'],
  async onReady(me) {
    hall = me.hall;
    $('dept-form').addEventListener('submit', save);
    try {
      await load();
    } catch (err) {
      say($('page-status'), errorText(err), 'error');
    }
  },
});
