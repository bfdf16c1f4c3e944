/*
 * admin-calendar.js — 节假日安排 (staff/admin/calendar.html): a year's notice chosen as a
 * file, previewed (the deadlines that move, the bookings on new days off), then imported;
 * bookings on days off are cancelled only after the confirmation.
 *
 * API: POST /admin/calendar/preview, POST /admin/calendar[?notify=true],
 *      GET /admin/halls/{hall}/audit?action=admin.calendar.
 */
import { startStaffPage } from './cases-common.js';
import {
  $, say, errorText, showFieldErrors, api, ApiError, el, clear, showAudit,
} from './admin-common.js';

let hall = '';
let notice = null;

async function readNotice() {
  const f = $('c-file').files[0];
  if (!f) throw new ApiError(400, 'INVALID_INPUT', '请选择文件', { notice: '请选择节假日安排文件' });
  try {
    return JSON.parse(await f.text());
  } catch {
    throw new ApiError(400, 'INVALID_INPUT', '文件不是 JSON', { notice: '文件不是有效的 JSON' });
  }
}

function show(p) {
  $('pv').hidden = false;
  $('pv-sum').textContent = `${p.year} 年（${p.source}）：${p.deadlines.length} 个办件时限会变化，放假日有 ${p.bookings_total} 个预约。`;
  const dl = $('pv-deadlines');
  clear(dl);
  if (!p.deadlines.length) dl.append(el('li', null, '无'));
  for (const d of p.deadlines) dl.append(el('li', null, `${d.case}：${d.before} → ${d.after}`));
  const bk = $('pv-bookings');
  clear(bk);
  if (!p.bookings.length) bk.append(el('li', null, '无'));
  for (const b of p.bookings) bk.append(el('li', null, `${b.date}（${b.holiday}）${b.category} 类 ${b.start}：${b.count} 个预约`));
}

async function preview(e) {
  e.preventDefault();
  const form = $('cal-form');
  showFieldErrors(form, {});
  say($('cal-result'), '');
  $('c-apply').disabled = true;
  try {
    notice = await readNotice();
    show(await api('/admin/calendar/preview', { method: 'POST', body: notice }));
    $('c-apply').disabled = false;
  } catch (err) {
    if (err instanceof ApiError && err.fields) showFieldErrors(form, err.fields);
    say($('cal-result'), errorText(err), 'error');
  }
}

function ask(message) {
  const box = $('confirm');
  $('confirm-msg').textContent = message;
  box.hidden = false;
  $('confirm-yes').focus();
  return new Promise((resolve) => {
    const done = (v) => { box.hidden = true; $('c-apply').focus(); resolve(v); };
    $('confirm-yes').onclick = () => done(true);
    $('confirm-no').onclick = () => done(false);
    box.onkeydown = (e) => { if (e.key === 'Escape') done(false); };
  });
}

async function apply() {
  if (!notice) return;
  try {
    let r;
    try {
      r = await api('/admin/calendar', { method: 'POST', body: notice });
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'BOOKINGS_AFFECTED') throw err;
      const n = err.body && Number.isInteger(err.body.bookings) ? err.body.bookings : 0;
      if (!(await ask(`这份安排放假的日子里有 ${n} 个预约。`))) return say($('cal-result'), '未导入', 'error');
      r = await api('/admin/calendar?notify=true', { method: 'POST', body: notice });
    }
    show(r);
    say($('cal-result'), `${r.year} 年节假日安排已导入${r.cancelled ? `，已取消 ${r.cancelled} 个预约并短信通知预约人` : ''}`);
    $('c-apply').disabled = true;
    await showAudit($('audit'), hall, 'admin.calendar');
  } catch (err) {
    say($('cal-result'), errorText(err), 'error');
  }
}

startStaffPage({
  roles: ['admin'],
  async onReady(me) {
    hall = me.hall;
    $('cal-form').onsubmit = preview;
    $('c-apply').onclick = apply;
    $('c-file').onchange = () => { $('c-apply').disabled = true; $('pv').hidden = true; };
    await showAudit($('audit'), hall, 'admin.calendar');
  },
});
