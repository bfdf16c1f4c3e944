/*
 * admin-slots.js — 预约时段 (staff/admin/slots.html): each bookable category's slots (start,
 * minutes, places), edited as a table and saved whole.  A plan that would leave bookings
 * without a place is saved only after the confirmation (the citizens are told by SMS).
 *
 * A weekday's or a date's own plan is chosen with 适用于 and saved the same way; 恢复为上级计划
 * takes it away (the days follow the weekday's or the category's plan again).
 *
 * API: GET /halls/{hall}/categories, GET /admin/halls/{hall}/slot-plans,
 *      PUT /admin/halls/{hall}/slot-plans/{category},
 *      PUT, DELETE …/slot-plans/{category}/weekdays/{weekday}, …/dates/{date},
 *      GET /admin/halls/{hall}/audit?action=admin.slot_plan&target=<hall>:<category>.
 */
import { startStaffPage } from './cases-common.js';
import {
  $, say, errorText, showFieldErrors, apiGet, ApiError, el, clear, saveConfirmed, showAudit,
  button,
} from './admin-common.js';

let hall = '';
let plans = {};
let weekdays = {};
let dates = {};

/* The chosen scope: its path below …/slot-plans/{category}, its audit target, its plan of
 * its own (undefined: none, it follows the plan above it). */
function scope() {
  const cat = $('p-cat').value;
  const v = $('p-scope').value;
  if (v === 'all') return { path: '', target: `${hall}:${cat}`, own: plans[cat] || [], base: true };
  if (v === 'date') {
    const d = $('p-date').value;
    return { path: `/dates/${encodeURIComponent(d)}`, target: `${hall}:${cat}:${d}`, own: (dates[cat] || {})[d], date: d };
  }
  const w = v.slice(1);
  return { path: `/weekdays/${w}`, target: `${hall}:${cat}:w${w}`, own: (weekdays[cat] || {})[w] };
}

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
  const sc = scope();
  $('p-date-field').hidden = $('p-scope').value !== 'date';
  $('p-inherit').hidden = sc.base || sc.own === undefined;
  $('p-scope-hint').hidden = sc.base;
  $('p-scope-hint').textContent = sc.own === undefined
    ? '这一天目前按上级计划提供预约（下表为上级计划的时段，保存后成为它自己的时段）。'
    : '这一天有自己的时段（空表表示这一天不提供预约）。';
  draw(sc.own !== undefined ? sc.own : (sc.date ? ((weekdays[cat] || {})[weekdayOf(sc.date)] || plans[cat] || [])
    : (plans[cat] || [])));
  say($('plan-result'), '');
  showFieldErrors($('plan-form'), {});
  await showAudit($('audit'), hall, 'admin.slot_plan', sc.target);
}

/* 1 Monday … 7 Sunday of "YYYY-MM-DD" (as a string key of weekdays). */
function weekdayOf(d) {
  const n = new Date(`${d}T00:00:00Z`).getUTCDay();
  return String(n === 0 ? 7 : n);
}

async function load() {
  ({ plans, weekdays = {}, dates = {} } = await apiGet(`/admin/halls/${encodeURIComponent(hall)}/slot-plans`));
}

async function save(e) {
  e.preventDefault();
  const form = $('plan-form');
  const cat = $('p-cat').value;
  const sc = scope();
  showFieldErrors(form, {});
  say($('plan-result'), '');
  if ($('p-scope').value === 'date' && !sc.date) {
    showFieldErrors(form, { date: '请选择日期' });
    return say($('plan-result'), '请检查标出的项目', 'error');
  }
  try {
    const inherit = e.type !== 'submit';
    const reply = await saveConfirmed(inherit ? 'DELETE' : 'PUT',
      `/admin/halls/${encodeURIComponent(hall)}/slot-plans/${encodeURIComponent(cat)}${sc.path}`,
      inherit ? undefined : { slots: rowsOf() });
    if (!reply) return say($('plan-result'), '未保存', 'error');
    const n = reply.cancelled || 0;
    await load();
    await show();
    say($('plan-result'), n ? `预约时段已保存，已取消 ${n} 个预约并短信通知预约人` : '预约时段已保存');
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
      $('p-scope').onchange = show;
      $('p-date').onchange = show;
      $('p-inherit').onclick = save;
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
