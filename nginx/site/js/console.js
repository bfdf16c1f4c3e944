/*
 * console.js — the window clerk's console (console.html).
 *
 * API used:
 *   GET  /api/v1/me                          → signed in as a clerk, at which window?
 *   POST /api/v1/staff/login                 {"hall","username","password","window"}
 *   POST /api/v1/auth/logout
 *   GET  /api/v1/halls                       → hall names for the sign-in form
 *   GET  /api/v1/windows/{w}                 → the window, its current ticket, waiting counts
 *   POST /api/v1/windows/{w}/call-next|recall|start|skip|transfer|finish
 *                                              (finish sends "case": the case accepted for
 *                                              this ticket on staff/case-new.html)
 *   /api/v1/push/halls/{hall}/staff          → push (push.js, the session's cookie): any change
 *                                              in the hall refreshes the window at once
 *   GET  /api/v1/halls/{hall}/board?since=V  → the fallback while push errs (retried after a
 *                                              minute): a long poll, the same refresh
 *   POST /api/v1/halls/{hall}/appointments/check-in {"code"} → 预约签到 for a citizen at the
 *                                              window: their booking's priority ticket
 *   GET  /api/v1/items?hall=                 → the consult form's items and departments
 *   GET  /api/v1/consult/referrals           → 首问负责: mine still open, and those sent to me
 *   POST /api/v1/consult/referrals/{id}/accept → take a referral sent to me
 * At a consult window (window.kind "consult") 办结 opens the consultation record (question,
 * item, answer, referral) and sends it with the finish as "consult".
 * Every action has a button and a key (N R S K F X T, Esc closes the transfer box); keys are
 * ignored while typing in a field.
 */

import { api, apiGet, setToken, getToken } from './api.js';
import { el, initLargeText, showError, clearStatus } from './ui.js';
import { STATUS_TEXT, PRIORITY_TEXT, hhmm, sleep } from './queue-common.js';
import { staffNav, whoText } from '/staff/js/layout.js';
import { PUSH_RETRY_MS, openPush, pushEnabled } from './push.js';

const $ = (id) => document.getElementById(id);

const state = {
  hall: null,
  window: 0,
  kind: '',
  items: null,
  current: null,
  categories: [],
  busy: false,
  poll: null,
};

const KEYS = { n: 'call-next', r: 'recall', s: 'start', k: 'skip', f: 'done', x: 'no_show', t: 'transfer' };

/* Which actions a ticket in this state allows. */
function allowed(action, cur) {
  if (!cur) return action === 'call-next';
  if (cur.status === 'called') return action !== 'call-next';
  if (cur.status === 'serving') return action === 'done' || action === 'transfer';
  return action === 'call-next';
}

function friendly(err) {
  if (!err || !err.status || err.status >= 500) return '系统繁忙，请稍后重试';
  return err.message;
}

function say(message, ok = true) {
  const region = $('console-status');
  if (!ok) {
    showError(region, message);
    return;
  }
  region.replaceChildren(el('div', { class: 'notice notice-ok' }, el('p', null, message)));
}

/* ---------- sign-in ---------- */

async function showSignin(message) {
  $('signin').hidden = false;
  $('desk').hidden = true;
  $('logout').hidden = true;
  $('who-role').textContent = '';
  $('staff-nav').hidden = true;
  stopPoll();
  if (message) showError($('signin-status'), message);
  try {
    const { halls } = await apiGet('/halls');
    $('si-hall').replaceChildren(...(halls || []).map((h) => el('option', { value: h.code }, h.name)));
  } catch (err) {
    showError($('signin-status'), friendly(err));
  }
  $('si-user').focus();
}

async function onSignin(ev) {
  ev.preventDefault();
  clearStatus($('signin-status'));
  const w = Number($('si-window').value);
  if (!Number.isInteger(w) || w < 1) {
    showError($('signin-status'), '请填写您今天所在的窗口号');
    $('si-window').focus();
    return;
  }
  try {
    const r = await api('/staff/login', {
      method: 'POST',
      body: {
        hall: $('si-hall').value, username: $('si-user').value.trim(), password: $('si-pass').value, window: w,
      },
    });
    $('si-pass').value = '';
    if (r.role !== 'clerk') {
      showError($('signin-status'), '该账号不是窗口工作人员账号');
      return;
    }
    setToken(r.token, r.csrf);
    await start();
  } catch (err) {
    const msg = err.status === 401 ? '账号或密码错误'
      : err.fields && err.fields.window ? err.fields.window : friendly(err);
    showError($('signin-status'), msg);
  }
}

async function logout() {
  try {
    await api('/auth/logout', { method: 'POST' });
  } catch { /* gone already */ }
  setToken(null);
  await showSignin();
}

/* ---------- the desk ---------- */

function renderCurrent(cur) {
  state.current = cur;
  $('cur-number').textContent = cur ? cur.number : '—';
  $('cur-status').textContent = cur
    ? `${STATUS_TEXT[cur.status] || cur.status}${cur.status === 'called' ? '：等待办事人到窗口' : ''}`
    : '本窗口暂无叫号，请按“叫下一位”';
  $('cur-facts').hidden = !cur;
  if (cur) {
    $('cur-category').textContent = `${cur.category} · ${cur.category_name || ''}`;
    $('cur-priority').textContent = PRIORITY_TEXT[cur.priority] || cur.priority;
    $('cur-taken').textContent = hhmm(cur.taken_at);
    $('cur-called').textContent = hhmm(cur.called_at);
  }
  for (const b of document.querySelectorAll('.console-actions [data-action]')) {
    b.disabled = !allowed(b.dataset.action, cur) || state.busy;
  }
  // 综合受理 starts from the ticket at this window: its category preset, the ticket linked.
  const live = cur && (cur.status === 'called' || cur.status === 'serving');
  if (!live) closeConsult();
  $('accept-box').hidden = !live || state.kind === 'consult';
  if (live) {
    const q = new URLSearchParams({
      ticket: cur.token, category: cur.category, number: cur.number, day: cur.day || '',
    });
    $('to-accept').setAttribute('href', `/staff/case-new.html?${q}`);
    $('accept-number').textContent = cur.number;
    const linked = ticketCase(cur);
    $('accept-linked').textContent = linked ? `已受理办件 ${linked}，办结时一并记录` : '';
  }
}

/* The case accepted for a ticket (case-new.js records it under the day and number, never
 * the ticket's token), sent with 办结 so the visit and the case point at each other. */
function ticketCase(cur) {
  try {
    const all = JSON.parse(window.sessionStorage.getItem('yichuang.ticketCases') || '{}');
    return all[`${cur.day}/${cur.number}`] || null;
  } catch {
    return null;
  }
}

function renderWindow(data) {
  const w = data.window || {};
  state.kind = w.kind || '';
  $('page-title').textContent = `${w.name || `${state.window}号窗口`}`;
  document.title = `${w.name || '窗口叫号'} · 一窗`;
  state.categories = Array.isArray(data.categories) ? data.categories : [];
  const mine = state.categories.filter((c) => c.mine);
  const others = state.categories.filter((c) => !c.mine);
  $('counts').replaceChildren(...[...mine, ...others].map((c) => el('li', { class: c.mine ? 'mine' : null },
    el('span', null, `${c.code} · ${c.name}${c.mine ? '（本窗口）' : ''}`),
    el('span', { class: 'count', dataset: { code: c.code } }, String(c.waiting)))));
  $('served').textContent = String(data.served_today || 0);
  renderCurrent(data.current && typeof data.current === 'object' ? data.current : null);
}

async function refresh() {
  try {
    renderWindow(await apiGet(`/windows/${state.window}`));
    await loadReferrals();
  } catch (err) {
    if (err.status === 401) await showSignin('登录已超时，请重新签到');
    else say(friendly(err), false);
  }
}

async function act(action, body) {
  if (state.busy || !allowed(action, state.current)) return;
  if (action === 'transfer' && !body) {
    openTransfer();
    return;
  }
  if (action === 'done' && state.kind === 'consult' && !body) {
    openConsult();
    return;
  }
  state.busy = true;
  renderCurrent(state.current);
  const path = action === 'done' || action === 'no_show' ? 'finish' : action;
  const linked = action === 'done' && state.current ? ticketCase(state.current) : null;
  const payload = action === 'done' && body ? body
    : action === 'done' ? { outcome: 'done', ...(linked ? { case: linked } : {}) }
    : action === 'no_show' ? { outcome: 'no_show' } : body;
  const number = state.current ? state.current.number : '';
  try {
    const r = await api(`/windows/${state.window}/${path}`, { method: 'POST', body: payload });
    const t = r && r.ticket;
    switch (action) {
      case 'call-next':
        if (t) say(`已叫号 ${t.number}`);
        else say('当前没有等候的号码');
        break;
      case 'recall': say(`已重呼 ${number}`); break;
      case 'start': say(`${number} 开始办理`); break;
      case 'skip': say(`${number} 已过号`); break;
      case 'done': say(`${number} 已办结`); break;
      case 'no_show': say(`${number} 记为未到`); break;
      case 'transfer': say(`${number} 已转至 ${payload.category} 类排队`); break;
      default: break;
    }
    closeTransfer();
    if (action === 'done') closeConsult();
  } catch (err) {
    if (err.status === 401) {
      state.busy = false;
      await showSignin('登录已超时，请重新签到');
      return;
    }
    if (action === 'done' && !$('consult-box').hidden && err.status === 400 && err.fields) {
      consultFieldErrors(err.fields);
    } else say(friendly(err), false);
  } finally {
    state.busy = false;
  }
  await refresh();
}

function openTransfer() {
  const select = $('transfer-cat');
  const cur = state.current;
  select.replaceChildren(...state.categories.filter((c) => !cur || c.code !== cur.category)
    .map((c) => el('option', { value: c.code }, `${c.code} · ${c.name}`)));
  $('transfer-box').hidden = false;
  document.querySelector('[data-action="transfer"]').setAttribute('aria-expanded', 'true');
  select.focus();
}

function closeTransfer() {
  $('transfer-box').hidden = true;
  document.querySelector('[data-action="transfer"]').setAttribute('aria-expanded', 'false');
}

/* ---------- 咨询导办: the consultation record, and 首问负责 referrals ---------- */

function fieldError(id, msg) {
  $(id).textContent = msg || '';
  $(id).hidden = !msg;
}

function consultFieldErrors(fields) {
  fieldError('consult-question-error', fields['consult.question'] || '');
  fieldError('consult-answer-error', fields['consult.answer'] || '');
  fieldError('consult-ref-error', fields['consult.referral.to'] || fields['consult.referral.kind']
    || fields['consult.item'] || fields.consult || '');
  const first = fields['consult.question'] ? 'consult-question'
    : fields['consult.answer'] ? 'consult-answer' : 'consult-ref-kind';
  $(first).focus();
}

async function loadItems() {
  if (state.items) return;
  try {
    const { items } = await apiGet('/items', { hall: state.hall });
    state.items = Array.isArray(items) ? items : [];
  } catch {
    state.items = [];
  }
  $('consult-item').replaceChildren(el('option', { value: '' }, '（不涉及具体事项）'),
    ...state.items.map((i) => el('option', { value: i.id }, `${i.name}（${i.department_name || i.department}）`)));
  const depts = new Map();
  for (const i of state.items) if (i.department) depts.set(i.department, i.department_name || i.department);
  $('consult-ref-dept').replaceChildren(...[...depts].map(([code, name]) => el('option', { value: code }, name)));
}

function onRefKind() {
  const kind = $('consult-ref-kind').value;
  $('consult-ref-dept-field').hidden = kind !== 'department';
  $('consult-ref-to-field').hidden = kind !== 'window' && kind !== 'staff';
  $('consult-ref-to-label').textContent = kind === 'staff' ? '工作人员账号' : '转交窗口（填号码）';
  $('consult-ref-to').setAttribute('inputmode', kind === 'window' ? 'numeric' : 'text');
  fieldError('consult-ref-error', '');
}

async function openConsult() {
  for (const id of ['consult-question-error', 'consult-answer-error', 'consult-ref-error']) fieldError(id, '');
  clearStatus($('consult-status'));
  $('consult-box').hidden = false;
  document.querySelector('[data-action="done"]').setAttribute('aria-expanded', 'true');
  $('consult-question').focus();
  await loadItems();
}

function closeConsult() {
  if ($('consult-box').hidden) return;
  $('consult-box').hidden = true;
  document.querySelector('[data-action="done"]').setAttribute('aria-expanded', 'false');
  $('consult-box').reset();
  onRefKind();
}

function onConsultSubmit(ev) {
  ev.preventDefault();
  const question = $('consult-question').value.trim();
  const answer = $('consult-answer').value.trim();
  fieldError('consult-question-error', question ? '' : '请填写办事人问的问题');
  fieldError('consult-answer-error', answer ? '' : '请填写给出的答复');
  const consult = { question, answer };
  if ($('consult-item').value) consult.item = $('consult-item').value;
  const kind = $('consult-ref-kind').value;
  let refOk = true;
  if (kind === 'department') consult.referral = { kind, to: $('consult-ref-dept').value };
  else if (kind === 'window') {
    const n = Number($('consult-ref-to').value.trim());
    refOk = Number.isInteger(n) && n >= 1;
    consult.referral = { kind, to: n };
  } else if (kind === 'staff') {
    const to = $('consult-ref-to').value.trim();
    refOk = to.length > 0;
    consult.referral = { kind, to };
  }
  fieldError('consult-ref-error', refOk ? '' : kind === 'window' ? '请填写窗口号' : '请填写工作人员账号');
  if (!question || !answer || !refOk) {
    $(!question ? 'consult-question' : !answer ? 'consult-answer' : 'consult-ref-to').focus();
    return;
  }
  act('done', { outcome: 'done', consult });
}

function refTarget(ref) {
  if (!ref) return '';
  const what = { window: '窗口', department: '部门', staff: '工作人员' }[ref.kind] || ref.kind;
  return `${what} ${ref.to_name || ref.to}`;
}

function referralItem(rec, incoming) {
  const li = el('li', { class: 'referral', dataset: { id: String(rec.id) } },
    el('p', { class: 'ref-head' }, `${rec.ticket} · ${rec.day} · 转交${refTarget(rec.referral)}`),
    el('p', null, `问：${rec.question}`),
    el('p', null, `答：${rec.answer}`),
    el('p', { class: 'field-hint' }, `首问：${rec.clerk && rec.clerk.name}（${rec.window_name || `${rec.window}号窗口`}）${rec.item ? ` · 事项：${rec.item.name}` : ''}`));
  if (incoming) {
    const b = el('button', { type: 'button', class: 'btn' }, `接收 ${rec.ticket} 的转交`);
    b.addEventListener('click', () => acceptReferral(rec, b));
    li.append(b);
  }
  return li;
}

async function loadReferrals() {
  try {
    const r = await apiGet('/consult/referrals');
    const mine = r.responsible || [];
    const incoming = r.incoming || [];
    $('ref-responsible').replaceChildren(...(mine.length ? mine.map((x) => referralItem(x, false))
      : [el('li', { class: 'empty' }, '没有')]));
    $('ref-incoming').replaceChildren(...(incoming.length ? incoming.map((x) => referralItem(x, true))
      : [el('li', { class: 'empty' }, '没有')]));
  } catch (err) {
    if (err.status !== 401) showError($('referrals-status'), friendly(err));
  }
}

async function acceptReferral(rec, button) {
  button.disabled = true;
  try {
    await api(`/consult/referrals/${rec.id}/accept`, { method: 'POST' });
    $('referrals-status').replaceChildren(el('div', { class: 'notice notice-ok' },
      el('p', null, `已接收 ${rec.ticket} 的转交，由您负责答复`)));
  } catch (err) {
    showError($('referrals-status'), friendly(err));
  }
  await loadReferrals();
}

/* ---------- 预约签到 at the window ---------- */

async function onCheckin(ev) {
  ev.preventDefault();
  const out = $('checkin-result');
  const code = $('checkin-code').value.trim();
  if (!/^[0-9]{6}$/.test(code)) {
    showError(out, '预约码为 6 位数字');
    $('checkin-code').focus();
    return;
  }
  $('checkin-button').disabled = true;
  try {
    const key = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
    const r = await api(`/halls/${encodeURIComponent(state.hall)}/appointments/check-in`,
      { method: 'POST', body: { code }, idempotencyKey: key });
    let t = r.ticket;
    if (t && t.ahead === undefined) t = (await apiGet(`/tickets/${encodeURIComponent(t.token)}`)).ticket;
    const appt = r.appointment || {};
    out.replaceChildren(el('div', { class: 'notice notice-ok' }, el('p', { id: 'checkin-ticket' },
      `${appt.name || ''} 已签到：${t.number}（预约号，${t.category} · ${t.category_name || ''}，`
      + `${appt.start ? `预约 ${appt.start}，` : ''}前面 ${t.ahead} 人）`)));
    $('checkin-code').value = '';
    await refresh();
  } catch (err) {
    if (err.status === 401) {
      await showSignin('登录已超时，请重新签到');
      return;
    }
    showError(out, err.status === 404 ? `${err.message}` : friendly(err));
  } finally {
    $('checkin-button').disabled = false;
  }
}

/* ---------- live counts: push (else the board's long poll) says when anything changed ---------- */

/* Hold the staff push subscription until it fails or the console stops; refresh on opening
 * (what changed before it opened) and on every message. */
function pushUntilFail(signal) {
  return new Promise((resolve) => {
    const close = openPush(`/api/v1/push/halls/${encodeURIComponent(state.hall)}/staff`, {
      onOpen: () => refresh(),
      onMessage: () => refresh(),
      onFail: () => resolve(),
    });
    signal.addEventListener('abort', () => { close(); resolve(); }, { once: true });
  });
}

function stopPoll() {
  if (state.poll) state.poll.abort();
  state.poll = null;
}

async function pollLoop() {
  stopPoll();
  const ctrl = new AbortController();
  state.poll = ctrl;
  let since = '';
  let backoff = 1000;
  let pushRetryAt = 0;
  while (!ctrl.signal.aborted) {
    if (pushEnabled() && Date.now() >= pushRetryAt) {
      await pushUntilFail(ctrl.signal);
      pushRetryAt = Date.now() + PUSH_RETRY_MS;
      since = '';
      continue;
    }
    try {
      const path = `/halls/${encodeURIComponent(state.hall)}/board${since !== '' ? `?since=${since}` : ''}`;
      const res = await fetch(`/api/v1${path}`, { signal: ctrl.signal, cache: 'no-store' });
      if (res.status === 200) {
        const b = await res.json();
        if (since !== '') await refresh();
        since = b.version;
      } else if (res.status !== 304) {
        throw new Error(`board ${res.status}`);
      }
      backoff = 1000;
    } catch {
      if (ctrl.signal.aborted) return;
      await sleep(backoff, ctrl.signal);
      backoff = Math.min(backoff * 2, 15000);
    }
  }
}

/* ---------- keys ---------- */

function onKey(ev) {
  if ($('desk').hidden || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === 'Escape' && !$('transfer-box').hidden) {
    closeTransfer();
    return;
  }
  if (ev.key === 'Escape' && !$('consult-box').hidden) {
    closeConsult();
    return;
  }
  const t = ev.target;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
  const action = KEYS[String(ev.key).toLowerCase()];
  if (!action) return;
  ev.preventDefault();
  act(action);
}

/* ---------- start ---------- */

async function start() {
  let me = null;
  if (getToken()) {
    try {
      me = await apiGet('/me');
    } catch (err) {
      if (err.status !== 401) {
        say(friendly(err), false);
        return;
      }
    }
  }
  if (!me || me.role !== 'clerk' || !me.window) {
    await showSignin();
    return;
  }
  state.hall = me.hall;
  state.window = me.window;
  staffNav(me);
  $('who-role').textContent = whoText(me);
  $('signin').hidden = true;
  $('desk').hidden = false;
  $('logout').hidden = false;
  await refresh();
  pollLoop();
}

/* The shared header's #who: 长辈模式, who is signed in, and 退出登录 (once signed in). */
function buildWho() {
  $('who').replaceChildren(
    el('span', { id: 'who-role' }),
    el('button', {
      type: 'button', class: 'btn toggle-large', id: 'toggle-large', 'aria-pressed': 'false',
    }, el('span', { class: 'toggle-icon', 'aria-hidden': 'true' }, '大'), el('span', null, '长辈模式')),
    el('button', { type: 'button', class: 'btn toggle-large', id: 'logout', hidden: true }, '退出登录'),
  );
}

function init() {
  buildWho();
  initLargeText($('toggle-large'));
  $('signin-form').addEventListener('submit', onSignin);
  $('logout').addEventListener('click', logout);
  for (const b of document.querySelectorAll('.console-actions [data-action]')) {
    b.addEventListener('click', () => act(b.dataset.action));
  }
  $('transfer-box').addEventListener('submit', (ev) => {
    ev.preventDefault();
    act('transfer', { category: $('transfer-cat').value });
  });
  $('transfer-cancel').addEventListener('click', closeTransfer);
  $('checkin-form').addEventListener('submit', onCheckin);
  $('consult-box').addEventListener('submit', onConsultSubmit);
  $('consult-cancel').addEventListener('click', closeConsult);
  $('consult-ref-kind').addEventListener('change', onRefKind);
  $('consult-question').addEventListener('input', () => fieldError('consult-question-error', ''));
  $('consult-answer').addEventListener('input', () => fieldError('consult-answer-error', ''));
  $('consult-ref-to').addEventListener('input', () => fieldError('consult-ref-error', ''));
  document.addEventListener('keydown', onKey);
  start();
}

init();
