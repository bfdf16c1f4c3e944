/*
 * admin-common.js — what the hall administration pages (staff/admin/*.html) share: the
 * hall of the signed-in admin, period rows, field errors, the confirmation before anything
 * that affects citizens (409 BOOKINGS_AFFECTED → ask → the same request with notify:true),
 * and a record's audit trail.
 *
 * API: GET /admin/halls/{hall}/audit, and whatever the page saves through saveConfirmed.
 */
import { api, apiGet, ApiError } from '/js/api.js';
import { el, clear } from '/js/ui.js';
import { $, say, errorText, showFieldErrors } from './cases-common.js';

export { $, say, errorText, showFieldErrors, api, apiGet, ApiError, el, clear };

/* A button named label (for screen readers) showing text, running fn when pressed. */
export function button(label, text, fn) {
  const b = el('button', { type: 'button', class: 'btn', 'aria-label': label }, text);
  b.addEventListener('click', fn);
  return b;
}

/* One period row: open and close time inputs, labelled, with their field errors. */
export function periodRow(prefix, i, p = { open: '09:00', close: '12:00' }, onRemove) {
  const field = (part, text, value) => el('div', { class: 'field', dataset: { field: `periods[${i}].${part}` } },
    el('label', { for: `${prefix}-${i}-${part}` }, `第 ${i + 1} 段${text}`),
    el('input', { type: 'time', id: `${prefix}-${i}-${part}`, value, required: true, dataset: { part } }),
    el('div', { class: 'field-error', role: 'alert' }));
  const row = el('div', { class: 'period', dataset: { i: String(i) } },
    field('open', '开始', p.open), field('close', '结束', p.close));
  if (onRemove) row.append(button(`删除第 ${i + 1} 段`, '删除', onRemove));
  return row;
}

/* The period rows of box as the API wants them. */
export function periodsOf(box) {
  return [...box.querySelectorAll('.period')].map((row) => ({
    open: row.querySelector('[data-part="open"]').value,
    close: row.querySelector('[data-part="close"]').value,
  }));
}

/* Draw the rows of list into box, each removable while more than one is left. */
export function drawPeriods(box, prefix, list) {
  clear(box);
  list.forEach((p, i) => box.append(periodRow(prefix, i, p, list.length > 1 ? () => {
    const now = periodsOf(box);
    now.splice(i, 1);
    drawPeriods(box, prefix, now);
  } : null)));
}

/*
 * Send method path body; when the API answers 409 BOOKINGS_AFFECTED, show the confirmation
 * (#confirm) with its message and send the same with notify:true only if the admin agrees.
 * Resolves with the reply, or null when the admin declined.  Other errors are thrown.
 */
export async function saveConfirmed(method, path, body) {
  try {
    return await api(path, { method, body });
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'BOOKINGS_AFFECTED') throw err;
    const e = err.body && err.body.error ? err.body.error : (err.body || {});
    const ok = await ask(Number.isInteger(e.bookings)
      ? `此次修改会使 ${e.bookings} 个预约不在开放时间内或失去名额。` : err.message);
    if (!ok) return null;
    if (method === 'DELETE') return api(`${path}?notify=true`, { method });
    return api(path, { method, body: { ...body, notify: true } });
  }
}

function ask(message) {
  const box = $('confirm');
  $('confirm-msg').textContent = message;
  box.hidden = false;
  const before = document.activeElement;
  $('confirm-yes').focus();
  return new Promise((resolve) => {
    const done = (v) => {
      box.hidden = true;
      $('confirm-yes').onclick = null;
      $('confirm-no').onclick = null;
      box.onkeydown = null;
      if (before && before.focus) before.focus();
      resolve(v);
    };
    $('confirm-yes').onclick = () => done(true);
    $('confirm-no').onclick = () => done(false);
    box.onkeydown = (e) => { if (e.key === 'Escape') done(false); };
  });
}

/* The audit trail of the hall's records whose action starts with prefix, newest first. */
export async function showAudit(ul, hall, prefix, target) {
  clear(ul);
  try {
    const { audit } = await apiGet(`/admin/halls/${encodeURIComponent(hall)}/audit`,
      target ? { action: prefix, target } : { action: prefix });
    if (!audit.length) ul.append(el('li', null, '暂无修改记录'));
    for (const a of audit) {
      let change = a.detail;
      try {
        const d = JSON.parse(a.detail);
        const txt = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
        change = `修改前 ${txt(d.before)} → 修改后 ${txt(d.after)}`;
      } catch { /* not JSON: shown as it is */ }
      ul.append(el('li', null, el('span', { class: 'when' }, a.at.replace('T', ' ').slice(0, 19)),
        ` ${a.actor_name || a.actor} · ${a.target} · `, change));
    }
  } catch (err) {
    ul.append(el('li', null, errorText(err)));
  }
}
