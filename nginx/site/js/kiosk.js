/*
 * kiosk.js — the hall's self-service ticket machine (kiosk.html).
 *
 * API used:
 *   GET  /api/v1/me                        → is this device signed in as a kiosk?
 *   POST /api/v1/staff/login               → the device's sign-in (hall, username, password)
 *   GET  /api/v1/halls                     → hall names (set-up form, header)
 *   GET  /api/v1/halls/{hall}/categories   → the buttons of step 1, with waiting and wait
 *   POST /api/v1/halls/{hall}/tickets      {"category","priority","phone"?} with an
 *                                          Idempotency-Key, so a double tap is one ticket
 * Steps: category → priority (+ optional phone) → the ticket (number, place, wait, the
 * /q/<token> link and the spot for its QR code), which returns to step 1 by itself.
 */

import { api, apiGet, setToken, getToken } from './api.js';
import { el, initLargeText, showError, clearStatus, formatMinutes } from './ui.js';
import { PRIORITY_TEXT, hhmm, waitText } from './queue-common.js';

const $ = (id) => document.getElementById(id);
const RETURN_SECONDS = 30;
const STEPS = ['setup', 'step-category', 'step-priority', 'step-ticket'];

const state = {
  hall: null,
  hallName: '',
  categories: [],
  category: null,
  priority: 'normal',
  taking: false,
  countdown: 0,
  timer: 0,
};

function show(id) {
  for (const s of STEPS) $(s).hidden = s !== id;
  const h = $(id).querySelector('h2');
  if (h && id !== 'setup') h.focus();
}

function friendly(err) {
  if (!err || !err.status || err.status >= 500) return '系统繁忙，请稍后重试或咨询大厅工作人员';
  const hours = err.body && Array.isArray(err.body.hours) ? err.body.hours : [];
  if (err.code === 'HALL_CLOSED' && hours.length) {
    return `${err.message}（取号时间：${hours.map((h) => `${h.open}–${h.close}`).join('、')}）`;
  }
  return err.message;
}

/* ---------- device sign-in ---------- */

async function checkDevice() {
  if (!getToken()) return null;
  try {
    const me = await apiGet('/me');
    return me && me.role === 'kiosk' && me.hall ? me : null;
  } catch (err) {
    if (err.status === 401 || err.status === 403) return null;
    throw err;
  }
}

async function showSetup(message) {
  show('setup');
  if (message) showError($('setup-status'), message);
  const select = $('setup-hall');
  try {
    const { halls } = await apiGet('/halls');
    select.replaceChildren(...(halls || []).map((h) => el('option', { value: h.code }, h.name)));
  } catch (err) {
    showError($('setup-status'), friendly(err));
  }
}

async function onSetup(ev) {
  ev.preventDefault();
  clearStatus($('setup-status'));
  const body = {
    hall: $('setup-hall').value,
    username: $('setup-user').value.trim(),
    password: $('setup-pass').value,
  };
  try {
    const r = await api('/staff/login', { method: 'POST', body });
    if (r.role !== 'kiosk') {
      showError($('setup-status'), '该账号不是取号机账号');
      return;
    }
    setToken(r.token, r.csrf);
    $('setup-pass').value = '';
    await start();
  } catch (err) {
    showError($('setup-status'), err.status === 401 ? '账号或密码错误' : friendly(err));
  }
}

/* ---------- step 1: category ---------- */

async function loadCategories() {
  const list = $('cat-buttons');
  list.setAttribute('aria-busy', 'true');
  try {
    const { categories } = await apiGet(`/halls/${encodeURIComponent(state.hall)}/categories`);
    state.categories = Array.isArray(categories) ? categories : [];
    clearStatus($('kiosk-status'));
  } catch (err) {
    showError($('kiosk-status'), friendly(err), loadCategories);
  }
  list.replaceChildren(...state.categories.map((c) => {
    const waiting = Math.max(0, Number(c.waiting) || 0);
    const b = el('button', { type: 'button', class: 'cat-button', dataset: { code: c.code } },
      el('span', { class: 'cat-code', 'aria-hidden': 'true' }, c.code),
      el('span', { class: 'cat-name' }, c.name),
      el('span', { class: 'cat-meta' }, waiting
        ? `等候 ${waiting} 人 · 预计 ${formatMinutes(c.eta_minutes)}`
        : '当前无人等候'));
    b.setAttribute('aria-label', `${c.code} ${c.name}，等候 ${waiting} 人`);
    b.addEventListener('click', () => chooseCategory(c));
    return el('li', null, b);
  }));
  list.setAttribute('aria-busy', 'false');
}

function chooseCategory(c) {
  state.category = c;
  $('prio-cat').textContent = `已选：${c.code} · ${c.name}`;
  setPriority('normal');
  $('phone').value = '';
  setPhoneError('');
  show('step-priority');
}

/* ---------- step 2: priority and phone ---------- */

function setPriority(p) {
  state.priority = p;
  for (const b of document.querySelectorAll('.prio-button')) {
    const on = b.dataset.priority === p;
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
    b.classList.toggle('btn-secondary', !on);
  }
}

function setPhoneError(msg) {
  const e = $('phone-error');
  e.textContent = msg;
  e.hidden = !msg;
  $('phone').setAttribute('aria-invalid', msg ? 'true' : 'false');
}

async function onTake(ev) {
  ev.preventDefault();
  if (state.taking) return;
  const phone = $('phone').value.trim();
  if (phone && !/^1[3-9][0-9]{9}$/.test(phone)) {
    setPhoneError('请输入 11 位手机号码，或留空');
    $('phone').focus();
    return;
  }
  setPhoneError('');
  clearStatus($('kiosk-status'));
  state.taking = true;
  $('take-button').disabled = true;
  const body = { category: state.category.code, priority: state.priority };
  if (phone) body.phone = phone;
  const key = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
  try {
    const { ticket } = await api(`/halls/${encodeURIComponent(state.hall)}/tickets`,
      { method: 'POST', body, idempotencyKey: key });
    showTicket(ticket);
  } catch (err) {
    if (err.status === 401) {
      await showSetup('取号机登录已失效，请工作人员重新登录');
    } else if (err.status === 400 && err.fields && err.fields.phone) {
      setPhoneError(err.fields.phone);
    } else {
      showError($('kiosk-status'), friendly(err));
    }
  } finally {
    state.taking = false;
    $('take-button').disabled = false;
  }
}

/* ---------- step 3: the ticket ---------- */

function showTicket(t) {
  const link = new URL(t.track_url, window.location.origin).href;
  $('ticket-number').textContent = t.number;
  $('ticket-category').textContent = `${t.category} · ${t.category_name || ''}`;
  $('ticket-priority').textContent = PRIORITY_TEXT[t.priority] || t.priority;
  $('ticket-ahead').textContent = `${t.ahead} 人`;
  $('ticket-eta').textContent = waitText(t.eta_minutes);
  $('ticket-time').textContent = hhmm(t.taken_at);
  $('track-link').textContent = link;
  $('qr-slot').dataset.qrFor = link;
  // The ticket's QR code (issue #8: GET /api/v1/tickets/{token}/qr.svg), the link beside it.
  $('qr-slot').removeAttribute('role');
  $('qr-slot').removeAttribute('aria-label');
  $('qr-slot').replaceChildren(el('img', {
    id: 'ticket-qr', src: `/api/v1/tickets/${encodeURIComponent(t.token)}/qr.svg`,
    width: 144, height: 144, alt: `排队进度二维码，手机扫码打开 ${link}`,
  }));
  show('step-ticket');
  startCountdown();
}

function startCountdown() {
  clearInterval(state.timer);
  state.countdown = RETURN_SECONDS;
  const tick = () => {
    $('countdown').textContent = `${state.countdown} 秒后返回首页`;
    if (state.countdown-- <= 0) backToStart();
  };
  tick();
  state.timer = setInterval(tick, 1000);
}

function backToStart() {
  clearInterval(state.timer);
  state.category = null;
  show('step-category');
  loadCategories();
}

/* ---------- start ---------- */

async function start() {
  let me;
  try {
    me = await checkDevice();
  } catch (err) {
    showError($('kiosk-status'), friendly(err), start);
    return;
  }
  if (!me) {
    await showSetup();
    return;
  }
  state.hall = me.hall;
  try {
    const { halls } = await apiGet('/halls');
    const h = (halls || []).find((x) => x.code === state.hall);
    if (h) {
      $('hall-name').textContent = h.name;
      document.title = `自助取号 · ${h.name}`;
    }
  } catch { /* the name is a nicety */ }
  backToStart();
}

function init() {
  initLargeText($('toggle-large'));
  $('setup-form').addEventListener('submit', onSetup);
  $('take-form').addEventListener('submit', onTake);
  $('back-to-cat').addEventListener('click', backToStart);
  $('done-button').addEventListener('click', backToStart);
  $('print-button').addEventListener('click', () => window.print());
  for (const b of document.querySelectorAll('.prio-button')) {
    b.addEventListener('click', () => setPriority(b.dataset.priority));
  }
  // Waiting counts stay fresh while nobody touches the screen.
  setInterval(() => {
    if (!$('step-category').hidden && !document.hidden) loadCategories();
  }, 30000);
  start();
}

init();
