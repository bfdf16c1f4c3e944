/*
 * admin-slots.js — 预约时段 (staff/admin/slots.html): each bookable category's slots (start,
 * minutes, places), edited as a table and saved whole.  A plan that would leave bookings
 * without a place is saved only after the confirmation (the citizens are told by SMS).
 *
 * API: GET /halls/{hall}/categories, GET /admin/halls/{hall}/slot-plans,
 *      PUT /admin/halls/{hall}/slot-plans/{category},
 *      GET /admin/halls/{hall}/audit?action=admin.slot_plan&target=<hall>:<category>.
 */
import { startStaffPage } from './cases-common.js';
import {
  $, say, errorText, showFieldErrors, apiGet, ApiError, el, clear, saveConfirmed, showAudit,
  button,
} from './admin-common.js';

let hall = '';
let plans = {};

function cell(i, part, label, input) {
  return el('td', { class: 'field', dataset: { field: `slots[${i}].${part}` } },
    el('label', { class: 'visually-hidden', for: input.id }, label), input,
    el('div', { class: 'field-error', role: 'alert' }));
}

function rowsOf() {
  return [...$('slots').querySelectorAll('tr')].map((tr) => ({
    start: tr.querySelector('[data-part="start"]').value,
    minutes: Number(tr.querySelector('[data-part="minutes"]').value),
    capacity: Number(tr.querySelector('[data-part="capacity"]').value),
  }));
}

function draw(list) {
  const tb = $('slots');
  clear(tb);
  list.forEach((s, i) => {
    const n = i + 1;
    tb.append(el('tr', { dataset: { start: s.start } },
      cell(i, 'start', `第 ${n} 个时段开始时间`, el('input', { type: 'time', id: `s-${i}-start`, value: s.start, dataset: { part: 'start' } })),
      cell(i, 'minutes', `第 ${n} 个时段时长（分钟）`, el('input', { type: 'number', id: `s-${i}-minutes`, min: '5', max: '240', value: String(s.minutes), dataset: { part: 'minutes' } })),
      cell(i, 'capacity', `${s.start} 时段名额`, el('input', { type: 'number', id: `s-${i}-capacity`, min: '0', max: '1000', value: String(s.capacity), dataset: { part: 'capacity' } })),
      el('td', null, button(`删除 ${s.start} 时段`, '删除', () => {
        const now = rowsOf();
        now.splice(i, 1);
        draw(now);
      }))));
  });
}

async function show() {
  const cat = $('p-cat').value;
  draw(plans[cat] || []);
  say($('plan-result'), '');
  showFieldErrors($('plan-form'), {});
  await showAudit($('audit'), hall, 'admin.slot_plan', `${hall}:${cat}`);
}

async function load() {
  ({ plans } = await apiGet(`/admin/halls/${encodeURIComponent(hall)}/slot-plans`));
}

async function save(e) {
  e.preventDefault();
  const form = $('plan-form');
  const cat = $('p-cat').value;
  showFieldErrors(form, {});
  say($('plan-result'), '');
  try {
    const reply = await saveConfirmed('PUT',
      `/admin/halls/${encodeURIComponent(hall)}/slot-plans/${encodeURIComponent(cat)}`,
      { slots: rowsOf() });
    if (!reply) return say($('plan-result'), '未保存', 'error');
    const n = reply.cancelled || 0;
    say($('plan-result'), n ? `预约时段已保存，已取消 ${n} 个预约并短信通知预约人` : '预约时段已保存');
    await load();
    draw(plans[cat] || []);
    await showAudit($('audit'), hall, 'admin.slot_plan', `${hall}:${cat}`);
  } catch (err) {
    if (err instanceof ApiError && err.fields) showFieldErrors(form, err.fields);
    say($('plan-result'), errorText(err), 'error');
  }
}

startStaffPage({
  roles: ['admin'],
  async onReady(me) {
    hall = me.hall;
    try {
      const { categories } = await apiGet(`/halls/${encodeURIComponent(hall)}/categories`);
      await load();
      const sel = $('p-cat');
      clear(sel);
      for (const c of categories) {
        if (c.kind === 'consult') continue;	// 咨询导办 is not booked
        sel.append(el('option', { value: c.code }, `${c.code} ${c.name}`));
      }
      sel.onchange = show;
      $('p-add').onclick = () => {
        const now = rowsOf();
        const last = now[now.length - 1];
        let start = '09:00';
        if (last && /^\d\d:\d\d$/.test(last.start)) {
          const m = Number(last.start.slice(0, 2)) * 60 + Number(last.start.slice(3)) + (last.minutes || 30);
          start = `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        }
        now.push({ start, minutes: 30, capacity: 4 });
        draw(now);
      };
      $('plan-form').onsubmit = save;
      await show();
    } catch (err) {
      say($('page-status'), errorText(err), 'error');
    }
  },
});
