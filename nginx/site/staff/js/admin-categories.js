/*
 * admin-categories.js — 业务类别 (staff/admin/categories.html): the hall's categories with
 * their windows and items; one made or changed through the form (each wrong field named
 * next to it); retired (停用) and restored (恢复); the trail.
 *
 * API: GET /admin/halls/{hall}/categories, PUT /admin/halls/{hall}/categories/{code},
 *      POST …/{code}/retire, POST …/{code}/restore,
 *      GET /admin/halls/{hall}/audit?action=admin.category.
 */
import { startStaffPage } from './cases-common.js';
import {
  $, say, errorText, api, apiGet, ApiError, el, clear, showAudit, button, showFieldErrors,
} from './admin-common.js';

let hall = '';
const base = () => `/admin/halls/${encodeURIComponent(hall)}/categories`;

function fill(c) {
  $('c-code').value = c.code;
  $('c-name').value = c.name;
  $('c-desc').value = c.description;
  $('c-sort').value = String(c.sort);
  $('c-kind').value = c.kind;
  $('c-avg').value = String(c.avg_service_minutes);
  $('c-cross').value = c.cross_province ? 'yes' : 'no';
  $('c-name').focus();
}

async function retire(c, yes) {
  try {
    await api(`${base()}/${encodeURIComponent(c.code)}/${yes ? 'retire' : 'restore'}`, { method: 'POST' });
    await load();
    say($('list-result'), `类别 ${c.code}（${c.name}）已${yes ? '停用' : '恢复'}`);
  } catch (err) {
    say($('list-result'), errorText(err), 'error');
  }
}

async function load() {
  const { categories } = await apiGet(base());
  const tb = $('cats');
  clear(tb);
  for (const c of categories) {
    tb.append(el('tr', { dataset: { code: c.code }, class: c.retired ? 'retired' : '' },
      el('td', null, c.code),
      el('td', null, el('div', null, c.name), c.description ? el('div', { class: 'hint' }, c.description) : ''),
      el('td', null, c.kind === 'consult' ? '咨询导办' : '办事', c.cross_province ? ' · 跨省通办' : ''),
      el('td', null, String(c.windows)),
      el('td', null, String(c.items)),
      el('td', null, c.retired ? '已停用' : '使用中'),
      el('td', null,
        button(`修改类别 ${c.code}`, '修改', () => fill(c)), ' ',
        c.retired ? button(`恢复类别 ${c.code}`, '恢复', () => retire(c, false))
          : button(`停用类别 ${c.code}`, '停用', () => retire(c, true)))));
  }
  await showAudit($('audit'), hall, 'admin.category');
}

async function save(ev) {
  ev.preventDefault();
  const form = $('cat-form');
  const code = $('c-code').value.trim();
  showFieldErrors(form, {});
  const body = {
    name: $('c-name').value.trim(),
    description: $('c-desc').value.trim(),
    sort: Number($('c-sort').value),
    kind: $('c-kind').value,
    avg_service_minutes: Number($('c-avg').value),
    cross_province: $('c-cross').value === 'yes',
  };
  if (!/^[A-Z]$/.test(code)) {
    showFieldErrors(form, { code: '类别代码须为一个大写字母（取号的字头，如 A）' });
    say($('form-result'), '请检查标出的项目', 'error');
    $('c-code').focus();
    return;
  }
  try {
    const r = await api(`${base()}/${encodeURIComponent(code)}`, { method: 'PUT', body });
    await load();
    say($('form-result'), `类别 ${r.category.code}（${r.category.name}）已保存`);
  } catch (err) {
    if (err instanceof ApiError && err.fields) {
      const unknown = showFieldErrors(form, err.fields);
      say($('form-result'), unknown.length ? unknown.join('；') : '请检查标出的项目', 'error');
      const first = form.querySelector('.has-error input, .has-error textarea, .has-error select');
      if (first) first.focus();
    } else say($('form-result'), errorText(err), 'error');
  }
}

startStaffPage({
  roles: ['admin'],
  async onReady(me) {
    hall = me.hall;
    $('cat-form').addEventListener('submit', save);
    try {
      await load();
    } catch (err) {
      say($('page-status'), errorText(err), 'error');
    }
  },
});
