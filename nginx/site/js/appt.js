/*
 * appt.js — what the appointment pages share (book.html, appointments.html, a.html): the
 * signed-in citizen, hall-time formatting, the ID-number check, and one appointment card
 * with its actions (签到, 取消预约).
 *
 * Times come from the API as RFC 3339 in hall time ("2026-11-24T09:00:00+08:00") and are
 * shown by reading their digits, never through the device's clock or time zone: the hall
 * decides what day it is.
 *
 * API used:
 *   GET    /api/v1/me                                 → {"role":"citizen",…}
 *   POST   /api/v1/appointments/{token}/check-in      → 201/200 {"ticket":{…}}; 422 outside the window
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

function actions(a, card, live, onChange) {
  const checkin = el('button', { type: 'button', class: 'btn', dataset: { action: 'check-in' } }, '签到取号');
  const cancel = el('button', { type: 'button', class: 'btn btn-danger', dataset: { action: 'cancel' } }, '取消预约');
  const box = el('div', { class: 'appt-actions' }, checkin, cancel);

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
    if (card.querySelector('.confirm-box')) return;
    const yes = el('button', { type: 'button', class: 'btn btn-danger' }, '确认取消');
    const no = el('button', { type: 'button', class: 'btn btn-secondary' }, '不取消');
    const confirm = el('div', { class: 'confirm-box', role: 'group', 'aria-label': '确认取消预约' },
      el('p', null, `确定取消 ${dayLabel(dateOf(a.start))} ${hhmm(a.start)} 的预约吗？取消后名额将释放给他人。`),
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
