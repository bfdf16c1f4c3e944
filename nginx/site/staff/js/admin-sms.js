/*
 * admin-sms.js — 短信模板代码 (staff/admin/sms.html): each template's codes approved at
 * Aliyun and Tencent, over the files' placeholders; an empty field goes back to the file's.
 *
 * API: GET /admin/sms-templates, PUT /admin/sms-templates/{name},
 *      GET /admin/halls/{hall}/audit?action=admin.sms_codes.
 */
import { startStaffPage } from './cases-common.js';
import {
  $, say, errorText, api, apiGet, ApiError, el, clear, showAudit, button,
} from './admin-common.js';

let hall = '';

function input(id, label, value, placeholder) {
  return el('div', { class: 'field', dataset: { field: id.split('-')[0] } },
    el('label', { class: 'visually-hidden', for: id }, label),
    el('input', { type: 'text', id, value: value || '', placeholder, maxlength: '24', autocomplete: 'off' }),
    el('div', { class: 'field-error', role: 'alert' }));
}

async function save(t) {
  const row = document.querySelector(`tr[data-name="${CSS.escape(t.name)}"]`);
  const a = row.querySelector(`#aliyun-${t.name}`).value.trim();
  const tc = row.querySelector(`#tencent-${t.name}`).value.trim();
  for (const n of row.querySelectorAll('.field-error')) n.textContent = '';
  try {
    await api(`/admin/sms-templates/${encodeURIComponent(t.name)}`, {
      method: 'PUT', body: { aliyun: a || null, tencent: tc || null },
    });
    await load();	// the table as stored, then the result (a test waits for it)
    say($('sms-result'), `${t.title}（${t.name}）的模板代码已保存`);
  } catch (err) {
    if (err instanceof ApiError && err.fields) {
      for (const [k, msg] of Object.entries(err.fields)) {
        const box = row.querySelector(`[data-field="${k}"] .field-error`);
        if (box) box.textContent = msg;
      }
    }
    say($('sms-result'), errorText(err), 'error');
  }
}

async function load() {
  const { templates } = await apiGet('/admin/sms-templates');
  const tb = $('tmpls');
  clear(tb);
  for (const t of templates) {
    tb.append(el('tr', { dataset: { name: t.name } },
      el('td', null, el('div', null, t.title), el('div', { class: 'hint' }, t.name)),
      el('td', null, input(`aliyun-${t.name}`, `${t.title} 阿里云模板代码`, t.set.aliyun && t.set.aliyun.code, t.file.aliyun)),
      el('td', null, input(`tencent-${t.name}`, `${t.title} 腾讯云模板 ID`, t.set.tencent && t.set.tencent.code, t.file.tencent)),
      el('td', null, button(`保存 ${t.title} 的模板代码`, '保存', () => save(t)))));
  }
  await showAudit($('audit'), hall, 'admin.sms_codes');
}

startStaffPage({
  roles: ['admin'],
  async onReady(me) {
    hall = me.hall;
    try {
      await load();
    } catch (err) {
      say($('page-status'), errorText(err), 'error');
    }
  },
});
