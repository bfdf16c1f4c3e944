/*
 * admin-staff.js — 工作人员 (staff/admin/staff.html): the hall's accounts with their state,
 * locking and unlocking, resetting a password (the temporary one shown once, to hand
 * over), a new account, and the trail of the accounts' changes.
 *
 * API: GET /halls/{hall}/staff, POST /admin/halls/{hall}/staff,
 *      POST /admin/halls/{hall}/staff/{username}/lock|unlock|reset-password,
 *      GET /admin/halls/{hall}/audit?action=admin.staff.
 */
import { startStaffPage, ROLE } from './cases-common.js';
import {
  $, say, errorText, showFieldErrors, api, apiGet, ApiError, el, clear, showAudit, button,
} from './admin-common.js';

let hall = '';

function stateText(s) {
  if (s.disabled) return '已锁定';
  if (s.sign_in && s.sign_in.locked) return '登录暂停（密码错误过多）';
  return '正常';
}

function tempNote(user, pw) {
  return el('div', { class: 'ok-note' },
    el('p', null, `${user} 的临时密码：`, el('strong', { class: 'temp-pw' }, pw)),
    el('p', null, '只显示这一次。请当面交给本人，首次登录时须设置自己的新密码。'));
}

async function act(user, verb, what) {
  say($('new-result'), '');	// a password shown earlier goes: only the newest is on screen
  try {
    const r = await api(`/admin/halls/${encodeURIComponent(hall)}/staff/${encodeURIComponent(user)}/${verb}`, { method: 'POST' });
    if (r.temporary_password) $('list-result').replaceChildren(tempNote(user, r.temporary_password));
    else say($('list-result'), `${user} ${what}`);
    await load();
  } catch (err) {
    say($('list-result'), errorText(err), 'error');
  }
}

async function load() {
  const { staff } = await apiGet(`/halls/${encodeURIComponent(hall)}/staff`);
  const tb = $('staff');
  clear(tb);
  for (const s of staff) {
    // Locking or resetting one's own account is refused by the server (409), said here.
    const ops = el('td', null, s.disabled
      ? button(`解锁 ${s.username}`, '解锁', () => act(s.username, 'unlock', '已解锁'))
      : button(`锁定 ${s.username}`, '锁定', () => act(s.username, 'lock', '已锁定，其登录已结束')),
    button(`重置 ${s.username} 的密码`, '重置密码', () => act(s.username, 'reset-password', '密码已重置')));
    tb.append(el('tr', { dataset: { user: s.username } },
      el('td', null, s.username), el('td', null, s.name), el('td', null, ROLE[s.role] || s.role),
      el('td', null, s.window ? `${s.window} 号窗口` : (s.department || '')),
      el('td', null, stateText(s)), ops));
  }
  await showAudit($('audit'), hall, 'admin.staff');
}

async function create(e) {
  e.preventDefault();
  const form = $('new-form');
  showFieldErrors(form, {});
  say($('new-result'), '');
  const body = { username: $('n-user').value.trim(), name: $('n-name').value.trim(), role: $('n-role').value };
  if ($('n-window').value) body.window = Number($('n-window').value);
  if ($('n-dept').value.trim()) body.department = $('n-dept').value.trim();
  try {
    const r = await api(`/admin/halls/${encodeURIComponent(hall)}/staff`, { method: 'POST', body });
    $('new-result').replaceChildren(tempNote(r.staff.username, r.temporary_password));
    form.reset();
    await load();
  } catch (err) {
    if (err instanceof ApiError && err.fields) showFieldErrors(form, err.fields);
    say($('new-result'), errorText(err), 'error');
  }
}

startStaffPage({
  roles: ['admin'],
  async onReady(who) {
    hall = who.hall;
    try {
      $('new-form').onsubmit = create;
      await load();
    } catch (err) {
      say($('page-status'), errorText(err), 'error');
    }
  },
});
