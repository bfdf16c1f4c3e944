/*
 * cases-common.js — what the staff case pages share: signing in (an inline form when there
 * is no valid session, so each page also works on its own), the header with who is signed
 * in, labels for statuses and warning lights, and small formatting helpers.
 *
 *   import { startStaffPage, STATUS, lightChip, ... } from './cases-common.js';
 *   startStaffPage({ roles: ['clerk'], onReady(me) { ... } });
 *
 * API: GET /me, POST /staff/login, POST /auth/logout, GET /halls.
 * The token lives where js/api.js keeps it (localStorage), sent as a bearer token.
 */

import { api, apiGet, getToken, setToken, ApiError } from '/js/api.js';
import { el, clear } from '/js/ui.js';
import { staffNav, whoText, ROLE_NAME } from './layout.js';

export const STATUS = {
  submitted: '已提交',
  returned: '已退回',
  accepted: '已受理',
  processing: '审批中',
  supplement_needed: '待补正',
  approved: '审批通过',
  rejected: '不予许可',
  ready: '待领取',
  mailed: '已寄出',
  closed: '已完结',
};

export const ROLE = ROLE_NAME;

export const ACTION = {
  accept: '受理',
  assign: '接件办理',
  approve: '审批通过',
  reject: '不予许可',
  request_supplement: '要求补正',
  supplement: '收取补交材料',
  ready: '办结待取',
  mail: '邮寄送达',
  hand_over: '领取完结',
  warning: '电子监察',
  track_token: '重置查询码',
  promise: '告知承诺',
  promise_verified: '承诺核查属实',
  promise_false: '承诺不实',
  handover_sent: '材料移交',
  handover_received: '材料签收',
  handover_discrepancy: '交接差异',
};

const LIGHT = { green: '正常', yellow: '预警', red: '超期' };

export const $ = (id) => document.getElementById(id);

export function lightChip(warning) {
  const w = LIGHT[warning] ? warning : 'green';
  return el('span', { class: `light light-${w}`, title: '电子监察' }, LIGHT[w]);
}

export function statusChip(status) {
  return el('span', { class: 'status-chip' }, STATUS[status] || status || '');
}

/* "2026-11-23T09:30:01+08:00" → "2026-11-23 09:30" (hall time as written). */
export function when(ts) {
  if (!ts || typeof ts !== 'string') return '';
  return ts.replace('T', ' ').slice(0, 16);
}

export function newKey() {
  if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
  const a = new Uint8Array(16);
  window.crypto.getRandomValues(a);
  return [...a].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function say(region, text, kind = 'ok') {
  if (!text) {
    clear(region);
    return;
  }
  region.replaceChildren(el('div', { class: kind === 'ok' ? 'ok-note' : 'notice notice-error' },
    el('p', null, text)));
}

export function errorText(err) {
  if (err instanceof ApiError) return err.message;
  return '操作失败，请稍后重试';
}

/* Show each "fields" message of a 400 next to the input whose data-field names it. */
export function showFieldErrors(form, fields) {
  for (const node of form.querySelectorAll('.field-error')) node.textContent = '';
  for (const node of form.querySelectorAll('.has-error')) node.classList.remove('has-error');
  const unknown = [];
  for (const [name, msg] of Object.entries(fields || {})) {
    const box = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (box) {
      box.classList.add('has-error');
      const out = box.querySelector('.field-error');
      if (out) out.textContent = msg;
    } else unknown.push(`${name}：${msg}`);
  }
  return unknown;
}

let signinBuilt = false;

function buildSignin(box, halls, done) {
  const form = el('form', { class: 'card', id: 'signin-form', novalidate: true });
  const status = el('div', { class: 'status', role: 'alert' });
  const hallSel = el('select', { id: 'si-hall', name: 'hall' },
    halls.map((h) => el('option', { value: h.code }, h.name)));
  form.append(
    el('h2', null, '工作人员登录'),
    status,
    el('div', { class: 'form-grid' },
      el('div', { class: 'field' }, el('label', { for: 'si-hall' }, '服务中心'), hallSel),
      el('div', { class: 'field' }, el('label', { for: 'si-user' }, '用户名'),
        el('input', { id: 'si-user', name: 'username', autocomplete: 'username', required: true })),
      el('div', { class: 'field' }, el('label', { for: 'si-pass' }, '密码'),
        el('input', {
          id: 'si-pass', name: 'password', type: 'password', autocomplete: 'current-password', required: true,
        })),
      el('div', { class: 'field' }, el('label', { for: 'si-window' }, '窗口号（综合窗口人员填写）'),
        el('input', { id: 'si-window', name: 'window', inputmode: 'numeric', maxlength: '3' }))),
    el('div', { class: 'actions-row' }, el('button', { type: 'submit', class: 'btn' }, '登录')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {
      hall: hallSel.value,
      username: $('si-user').value.trim(),
      password: $('si-pass').value,
    };
    const w = $('si-window').value.trim();
    if (w) body.window = Number(w);
    const btn = form.querySelector('button[type="submit"]');
    btn.disabled = true;
    try {
      const r = await api('/staff/login', { method: 'POST', body });
      setToken(r.token, r.csrf);
      $('si-pass').value = '';
      clear(status);
      done();
    } catch (err) {
      status.replaceChildren(el('div', { class: 'notice notice-error' }, el('p', null, errorText(err))));
    } finally {
      btn.disabled = false;
    }
  });
  box.replaceChildren(form);
  signinBuilt = true;
}

function renderWho(me) {
  const who = $('who');
  if (!who) return;
  staffNav(me);
  const out = el('button', { type: 'button', class: 'btn', id: 'logout' }, '退出');
  out.addEventListener('click', async () => {
    try {
      await api('/auth/logout', { method: 'POST' });
    } catch {
      /* the session may already be gone */
    }
    setToken(null, null);
    window.location.reload();
  });
  who.replaceChildren(el('span', { id: 'who-role' }, whoText(me)), out);
}

/*
 * Resolve the session; show the sign-in form until there is one with an allowed role, then
 * call onReady(me) once.  The element ids the page provides: signin, content, who.
 */
export async function startStaffPage({ roles, onReady }) {
  const box = $('signin');
  const content = $('content');
  const status = $('page-status');
  const attempt = async () => {
    let me = null;
    if (getToken()) {
      try {
        me = await apiGet('/me');
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 401) {
          say(status, errorText(err), 'error');
          return;
        }
        setToken(null, null);
      }
    }
    if (me && roles && !roles.includes(me.role)) {
      say(status, `当前账号（${ROLE[me.role] || me.role}）不能使用本页面，请换用其他账号登录`, 'error');
      me = null;
      setToken(null, null);
    }
    if (!me) {
      content.hidden = true;
      box.hidden = false;
      if (!signinBuilt) {
        let halls = [];
        try {
          ({ halls } = await apiGet('/halls'));
        } catch {
          halls = [{ code: 'demo', name: 'demo' }];
        }
        buildSignin(box, halls, attempt);
      }
      return;
    }
    if (status.querySelector('.notice-error')) clear(status);
    box.hidden = true;
    content.hidden = false;
    renderWho(me);
    await onReady(me);
  };
  await attempt();
}
