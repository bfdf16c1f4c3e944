/*
 * appt.js — what the appointment pages share (book.html, appointments.html, a.html): the
 * signed-in citizen, hall-time formatting, the ID-number check, and one appointment card
 * with its actions (签到, 改约, 取消预约).
 *
 * Times come from the API as RFC 3339 in hall time ("2026-11-24T09:00:00+08:00") and are
 * shown by reading their digits, never through the device's clock or time zone: the hall
 * decides what day it is.
 *
 * API used:
 *   GET    /api/v1/me                                 → {"role":"citizen",…}
 *   POST   /api/v1/appointments/{token}/check-in      → 201/200 {"ticket":{…}}; 422 outside the window
 *   GET    /api/v1/halls/{hall}/slots?category=X      → the places free now (改约)
 *   POST   /api/v1/appointments/{token}/reschedule   → 200 {"appointment":{…}}; 409 SLOT_FULL
 *   DELETE /api/v1/appointments/{token}               → 204
 */

import { api, getToken, MSG_UNAVAILABLE } from './api.js';
import { el } from './ui.js';

export const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

export const STATUS_TEXT = {
  booked: '待签到',
  checked_in: '已签到',
  cancelled: '已取消',
  no_show: '已失约',
};

/* What a person should read for a failed request. */
export function friendly(err) {
  if (!err || !err.status || err.status >= 500) {
    return err && err.code === 'TIMEOUT' ? err.message : MSG_UNAVAILABLE;
  }
  return err.message || MSG_UNAVAILABLE;
}

/* Is a citizen signed in?  'citizen', 'other' (staff on this device) or null. */
export async function whoAmI() {
  if (!getToken()) return null;
  try {
    const me = await api('/me');
    return me && me.role === 'citizen' ? 'citizen' : 'other';
  } catch (err) {
    if (err.status === 401) return null;
    throw err;
  }
}

export function loginHref(next) {
  return `/login.html?next=${encodeURIComponent(next)}`;
}

/* "2026-11-24" → "11月24日 周二" */
export function dayLabel(date) {
  const [y, m, d] = date.split('-').map(Number);
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return `${m}月${d}日 ${WEEKDAYS[wd]}`;
}

/* "2026-11-24" → "2026年11月24日" */
export function fullDay(date) {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/* RFC 3339 in hall time → "09:00" */
export function hhmm(rfc) {
  return String(rfc || '').slice(11, 16);
}

/* RFC 3339 → "2026-11-24" */
export function dateOf(rfc) {
  return String(rfc || '').slice(0, 10);
}

/* GB 11643: 17 digits, then the check digit (0-9 or X) over them; a real birth date. */
export function idNumberOk(s) {
  const v = String(s || '').trim().toUpperCase();
  if (!/^[1-9]\d{16}[\dX]$/.test(v)) return false;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(v[i]) * w[i];
  if ('10X98765432'[sum % 11] !== v[17]) return false;
  const y = Number(v.slice(6, 10));
  const m = Number(v.slice(10, 12));
  const d = Number(v.slice(12, 14));
  const born = new Date(Date.UTC(y, m - 1, d));
  return y >= 1900 && born.getUTCFullYear() === y && born.getUTCMonth() === m - 1
    && born.getUTCDate() === d;
}

export function appointmentUrl(token) {
  return `${window.location.origin}/a/${token}`;
}

/*
 * One appointment as a card (an <li> or <section>), with its actions for a booked one.
 * onChange(updated, message) is called after a successful action so the page can refresh.
 */
export function appointmentCard(a, { tag = 'li', onChange, headingLevel = 'h3' } = {}) {
  const status = STATUS_TEXT[a.status] || a.status;
  const date = dateOf(a.start);
  const live = el('div', { class: 'status', 'aria-live': 'polite' });
  const card = el(tag, { class: 'appt', dataset: { status: a.status, token: a.token } },
    el('div', { class: 'appt-head' },
      el(headingLevel, null, `${a.category_name || a.category}`),
      el('span', { class: `status-tag status-${a.status}` }, status)),
    el('dl', { class: 'facts' },
      el('dt', null, '时间'), el('dd', null, `${dayLabel(date)} ${hhmm(a.start)}–${hhmm(a.end)}`),
      el('dt', null, '地点'), el('dd', null, a.hall_name || a.hall),
      el('dt', null, '预约码'), el('dd', { class: 'appt-code' }, a.code),
      el('dt', null, '预约人'), el('dd', null, `${a.name} ${a.id_number}`),
      a.status === 'booked'
        ? [el('dt', null, '签到时间'),
          el('dd', null, `${hhmm(a.checkin_from)}–${hhmm(a.checkin_until)}`)]
        : null),
    live);
  if (a.ticket) card.append(ticketBox(a.ticket));
  if (a.status === 'booked') card.append(actions(a, card, live, onChange));
  return card;
}

function ticketBox(t) {
  return el('div', { class: 'ticket-box' },
    el('p', null, '排队号 ', el('span', { class: 'ticket-number' }, t.number),
      `（${t.priority === 'appointment' ? '预约优先' : '普通'}）`),
    el('p', null, el('a', { href: t.track_url || `/q/${t.token}` }, '查看排队进度')));
}

/*
 * 改约: another slot of the same hall and category, picked from the places free now
 * (GET /halls/{hall}/slots), moved in one go (POST /appointments/{token}/reschedule): the
 * old place is kept until the new one is held, so a full slot changes nothing.
 */
function moveBox(a, card, live, onChange, opener) {
  const id = `move-${a.token}`;
  const day = el('select', { id: `${id}-day` });
  const slot = el('select', { id: `${id}-slot` });
  const yes = el('button', { type: 'button', class: 'btn' }, '确认改约');
  const no = el('button', { type: 'button', class: 'btn btn-secondary' }, '不改了');
  const note = el('p', { class: 'card-note', role: 'status' }, '正在查询可改约的时段…');
  const box = el('div', { class: 'confirm-box move-box', role: 'group', 'aria-label': '改约到其他时段' },
    el('p', null, `改约到 ${a.category_name || a.category} 的其他时段：`),
    el('div', { class: 'field' }, el('label', { for: day.id }, '日期'), day),
    el('div', { class: 'field' }, el('label', { for: slot.id }, '时段'), slot),
    note,
    el('div', { class: 'appt-actions' }, yes, no));
  let slots = [];

  function fillSlots() {
    const mine = a.slot;
    const list = slots.filter((s) => s.date === day.value && s.id !== mine);
    slot.replaceChildren(...list.map((s) => {
      const left = Math.max(0, Number(s.remaining) || 0);
      return el('option', { value: s.id, disabled: left === 0 },
        `${hhmm(s.start)}–${hhmm(s.end)}（${left === 0 ? '已约满' : `剩余 ${left} 个`}）`);
    }));
    const first = [...slot.options].find((o) => !o.disabled);
    if (first) slot.value = first.value;
    yes.disabled = !first;
  }

  async function loadSlots() {
    yes.disabled = true;
    try {
      const r = await api(`/halls/${encodeURIComponent(a.hall)}/slots?category=${encodeURIComponent(a.category)}`);
      slots = (Array.isArray(r.slots) ? r.slots : []).filter((s) => s.id !== a.slot);
      const days = [...new Set(slots.map((s) => s.date))];
      day.replaceChildren(...days.map((d) => {
        const left = slots.filter((s) => s.date === d).reduce((n, s) => n + Math.max(0, Number(s.remaining) || 0), 0);
        return el('option', { value: d, disabled: left === 0 }, `${dayLabel(d)}（${left === 0 ? '已约满' : `剩余 ${left} 个`}）`);
      }));
      const firstDay = [...day.options].find((o) => !o.disabled);
      if (firstDay) day.value = firstDay.value;
      fillSlots();
      note.textContent = firstDay ? '原预约在改约成功后才释放；新时段约满时原预约保持不变。' : '近期没有可改约的时段，请保留原预约或取消后到大厅取号。';
    } catch (err) {
      note.textContent = friendly(err);
    }
  }

  day.addEventListener('change', fillSlots);
  no.addEventListener('click', () => {
    box.remove();
    opener.focus();
  });
  yes.addEventListener('click', async () => {
    if (!slot.value) return;
    yes.disabled = true;
    try {
      const r = await api(`/appointments/${encodeURIComponent(a.token)}/reschedule`, {
        method: 'POST', body: { slot: slot.value },
      });
      const updated = { ...a, ...r.appointment };
      const fresh = appointmentCard(updated, { tag: card.tagName.toLowerCase(), onChange });
      card.replaceWith(fresh);
      const msg = `已改约到 ${dayLabel(dateOf(updated.start))} ${hhmm(updated.start)}–${hhmm(updated.end)}，确认短信已发送（预约码以本卡片为准）。`;
      fresh.querySelector('.status').replaceChildren(el('div', { class: 'notice notice-ok' }, el('p', null, msg)));
      fresh.setAttribute('tabindex', '-1');
      fresh.focus();
      if (onChange) onChange(updated, msg);
    } catch (err) {
      note.textContent = friendly(err);
      if (err.code === 'SLOT_FULL') await loadSlots();
      else yes.disabled = false;
    }
  });
  loadSlots();
  return { box, focus: () => day.focus() };
}

function actions(a, card, live, onChange) {
  const checkin = el('button', { type: 'button', class: 'btn', dataset: { action: 'check-in' } }, '签到取号');
  const move = el('button', { type: 'button', class: 'btn btn-secondary', dataset: { action: 'reschedule' } }, '改约');
  const cancel = el('button', { type: 'button', class: 'btn btn-danger', dataset: { action: 'cancel' } }, '取消预约');
  const box = el('div', { class: 'appt-actions' }, checkin, move, cancel);

  move.addEventListener('click', () => {
    if (card.querySelector('.move-box')) return;
    const other = card.querySelector('.confirm-box');
    if (other) other.remove();
    const m = moveBox(a, card, live, onChange, move);
    card.append(m.box);
    m.focus();
  });

  checkin.addEventListener('click', async () => {
    checkin.disabled = true;
    live.replaceChildren();
    try {
      // A second check-in answers the same ticket: safe to press twice.
      const r = await api(`/appointments/${encodeURIComponent(a.token)}/check-in`, { method: 'POST' });
      const updated = { ...a, status: 'checked_in', ticket: r.ticket };
      const fresh = appointmentCard(updated, { tag: card.tagName.toLowerCase(), onChange });
      card.replaceWith(fresh);
      const msg = `签到成功，您的排队号是 ${r.ticket.number}，请留意叫号。`;
      fresh.querySelector('.status').replaceChildren(el('div', { class: 'notice notice-ok' },
        el('p', null, msg)));
      if (onChange) onChange(updated, msg);
    } catch (err) {
      checkin.disabled = false;
      live.replaceChildren(el('div', { class: 'notice notice-error' }, el('p', null, friendly(err))));
    }
  });

  cancel.addEventListener('click', () => {
    const moving = card.querySelector('.move-box');
    if (moving) moving.remove();
    if (card.querySelector('.confirm-box')) return;
    const yes = el('button', { type: 'button', class: 'btn btn-danger' }, '确认取消');
    const no = el('button', { type: 'button', class: 'btn btn-secondary' }, '不取消');
    const confirm = el('div', { class: 'confirm-box', role: 'group', 'aria-label': '确认取消预约' },
      el('p', null, `确定取消 ${dayLabel(dateOf(a.start))} ${hhmm(a.start)} 的预约吗？取消后名额将释放给他人，并会短信通知您。`),
      el('div', { class: 'appt-actions' }, yes, no));
    card.append(confirm);
    yes.focus();
    no.addEventListener('click', () => {
      confirm.remove();
      cancel.focus();
    });
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      try {
        await api(`/appointments/${encodeURIComponent(a.token)}`, { method: 'DELETE' });
        const updated = { ...a, status: 'cancelled' };
        const fresh = appointmentCard(updated, { tag: card.tagName.toLowerCase(), onChange });
        card.replaceWith(fresh);
        fresh.querySelector('.status').replaceChildren(el('div', { class: 'notice notice-ok' },
          el('p', null, '预约已取消，名额已释放。')));
        fresh.setAttribute('tabindex', '-1');
        fresh.focus();
        if (onChange) onChange(updated, '预约已取消，名额已释放。');
      } catch (err) {
        yes.disabled = false;
        live.replaceChildren(el('div', { class: 'notice notice-error' }, el('p', null, friendly(err))));
      }
    });
  });
  return box;
}
