/*
 * admin-hours.js — 开放时间 (staff/admin/hours.html): the week's opening periods, the dates
 * with hours of their own (a Saturday opening, evening hours, a day closed), and the audit
 * trail.  A change that would cancel bookings is saved only after the confirmation.
 *
 * API: GET/PUT /admin/halls/{hall}/hours, PUT/DELETE /admin/halls/{hall}/hours/{date},
 *      GET /admin/halls/{hall}/audit?action=admin.hours.
 */
import { startStaffPage } from './cases-common.js';
import {
  $, say, errorText, showFieldErrors, apiGet, ApiError, el, clear,
  drawPeriods, periodsOf, saveConfirmed, showAudit, button,
} from './admin-common.js';

let hall = '';

function periodsText(d) {
  if (d.closed) return '闭厅';
  return d.periods.map((p) => `${p.open}–${p.close}`).join('、');
}

async function load() {
  const data = await apiGet(`/admin/halls/${encodeURIComponent(hall)}/hours`);
  drawPeriods($('week-periods'), 'w', data.hours.length ? data.hours : [{ open: '09:00', close: '12:00' }]);
  const tb = $('dates');
  clear(tb);
  if (!data.dates.length) tb.append(el('tr', null, el('td', { colspan: '5' }, '暂无特定日期')));
  for (const d of data.dates) {
    tb.append(el('tr', { dataset: { date: d.date } },
      el('td', null, d.date), el('td', null, periodsText(d)), el('td', null, d.note || ''),
      el('td', null, d.updated_by || ''),
      el('td', null, button(`${d.date} 恢复为常规开放时间`, '恢复常规', () => restore(d.date)))));
  }
  await showAudit($('audit'), hall, 'admin.hours');
}

function done(region, reply, what) {
  const n = reply.cancelled || 0;
  say(region, n ? `${what}已保存，已取消 ${n} 个预约并短信通知预约人` : `${what}已保存`);
}

async function saveWeek(e) {
  e.preventDefault();
  const form = $('week-form');
  showFieldErrors(form, {});
  say($('week-result'), '');
  try {
    const reply = await saveConfirmed('PUT', `/admin/halls/${encodeURIComponent(hall)}/hours`,
      { periods: periodsOf($('week-periods')) });
    if (!reply) return say($('week-result'), '未保存', 'error');
    done($('week-result'), reply, '每周开放时间');
    await load();
  } catch (err) {
    if (err instanceof ApiError && err.fields) showFieldErrors(form, err.fields);
    say($('week-result'), errorText(err), 'error');
  }
}

async function saveDate(e) {
  e.preventDefault();
  const form = $('date-form');
  showFieldErrors(form, {});
  say($('date-result'), '');
  const date = $('d-date').value;
  if (!date) {
    showFieldErrors(form, { date: '请选择日期' });
    return;
  }
  const closed = $('d-closed').checked;
  const body = closed ? { closed: true } : { periods: periodsOf($('date-periods')) };
  if ($('d-note').value) body.note = $('d-note').value;
  try {
    const reply = await saveConfirmed('PUT',
      `/admin/halls/${encodeURIComponent(hall)}/hours/${encodeURIComponent(date)}`, body);
    if (!reply) return say($('date-result'), '未保存', 'error');
    done($('date-result'), reply, `${date} 的开放时间`);
    await load();
  } catch (err) {
    if (err instanceof ApiError && err.fields) showFieldErrors(form, err.fields);
    say($('date-result'), errorText(err), 'error');
  }
}

async function restore(date) {
  try {
    const reply = await saveConfirmed('DELETE',
      `/admin/halls/${encodeURIComponent(hall)}/hours/${encodeURIComponent(date)}`);
    if (!reply) return say($('date-result'), '未保存', 'error');
    done($('date-result'), reply, `${date} 恢复为常规开放时间`);
    await load();
  } catch (err) {
    say($('date-result'), errorText(err), 'error');
  }
}

startStaffPage({
  roles: ['admin'],
  async onReady(me) {
    hall = me.hall;
    drawPeriods($('date-periods'), 'd', [{ open: '09:00', close: '12:00' }]);
    $('week-add').onclick = () => {
      const now = periodsOf($('week-periods'));
      now.push({ open: '14:00', close: '17:00' });
      drawPeriods($('week-periods'), 'w', now);
    };
    $('date-add').onclick = () => {
      const now = periodsOf($('date-periods'));
      now.push({ open: '14:00', close: '17:00' });
      drawPeriods($('date-periods'), 'd', now);
    };
    const mode = () => {
      const closed = $('d-closed').checked;
      $('date-periods').hidden = closed;
      $('date-add').hidden = closed;
    };
    $('d-open').onchange = mode;
    $('d-closed').onchange = mode;
    $('week-form').onsubmit = saveWeek;
    $('date-form').onsubmit = saveDate;
    try {
      await load();
    } catch (err) {
      say($('page-status'), errorText(err), 'error');
    }
  },
});
