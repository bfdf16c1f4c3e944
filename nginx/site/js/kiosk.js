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
 *   POST /api/v1/halls/{hall}/appointments/check-in  {"code"} (预约签到) with an
 *                                          Idempotency-Key → the booking's priority ticket
 * Steps: category → priority (+ optional phone) → the ticket (number, place, wait, the
 * /q/<token> link and the spot for its QR code), which returns to step 1 by itself.
 * 预约签到: the 6-digit code on a keypad → the same ticket screen (and the same print).
 * Categories of kind "consult" (咨询导办) get their own button above the others.
 */

import { api, apiGet, setToken, getToken } from './api.js';
import { el, initLargeText, showError, clearStatus, formatMinutes } from './ui.js';
import { PRIORITY_TEXT, hhmm, waitText } from './queue-common.js';

const $ = (id) => document.getElementById(id);
const RETURN_SECONDS = 30;
const STEPS = ['setup', 'step-category', 'step-priority', 'step-ticket', 'step-checkin'];

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
  /* On a day the hall opens, the message already names that day's hours. */
  if (err.code === 'HALL_CLOSED' && hours.length && !err.message.includes('取号时间')) {
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
  const consult = state.categories.filter((c) => c.kind === 'consult');
  $('consult-buttons').hidden = consult.length === 0;
  $('consult-buttons').replaceChildren(...consult.map((c) => {
    const waiting = Math.max(0, Number(c.waiting) || 0);
    const b = el('button', { type: 'button', class: 'cat-button', dataset: { code: c.code } },
      el('span', { class: 'cat-code', 'aria-hidden': 'true' }, c.code),
      el('span', { class: 'cat-name' }, `${c.name}（咨询）`),
      el('span', { class: 'cat-meta' }, `不清楚怎么办、要带什么材料，先取咨询号 · ${waiting ? `等候 ${waiting} 人` : '当前无人等候'}`));
    b.setAttribute('aria-label', `${c.code} ${c.name}（咨询），等候 ${waiting} 人`);
    b.addEventListener('click', () => chooseCategory(c));
    return el('li', null, b);
  }));
  list.replaceChildren(...state.categories.filter((c) => c.kind !== 'consult').map((c) => {
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

/* ---------- 预约签到: the code of the booking SMS ---------- */

function setCheckinError(msg) {
  const e = $('checkin-error');
  e.textContent = msg;
  e.hidden = !msg;
  $('checkin-code').setAttribute('aria-invalid', msg ? 'true' : 'false');
}

function openCheckin() {
  clearInterval(state.timer);
  $('checkin-code').value = '';
  setCheckinError('');
  clearStatus($('kiosk-status'));
  show('step-checkin');
}

function onKeypad(key) {
  const input = $('checkin-code');
  if (key === 'clear') input.value = '';
  else if (key === 'back') input.value = input.value.slice(0, -1);
  else if (input.value.length < 6) input.value += key;
  setCheckinError('');
}

/* What the citizen reads for each refusal of the check-in (the server's own words where it
 * has them: the day and hours of the check-in window, the minutes to wait). */
function checkinMessage(err) {
  if (!err || !err.status || err.status >= 500) return '系统繁忙，请稍后重试或咨询大厅工作人员';
  if (err.status === 400) return '预约码为 6 位数字，请核对短信';
  if (err.status === 404) return `${err.message || '今天没有这个预约码的预约'}。预约码在预约成功短信中，也可到窗口由工作人员查询`;
  return friendly(err);
}

async function onCheckin(ev) {
  ev.preventDefault();
  if (state.taking) return;
  const code = $('checkin-code').value.trim();
  if (!/^[0-9]{6}$/.test(code)) {
    setCheckinError('请输入 6 位数字的预约码');
    $('checkin-code').focus();
    return;
  }
  setCheckinError('');
  state.taking = true;
  $('checkin-button').disabled = true;
  const key = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
  try {
    const r = await api(`/halls/${encodeURIComponent(state.hall)}/appointments/check-in`,
      { method: 'POST', body: { code }, idempotencyKey: key });
    let t = r.ticket;
    // Checked in already (200): the booking names its ticket; its place comes from the ticket.
    if (t && t.ahead === undefined) t = (await apiGet(`/tickets/${encodeURIComponent(t.token)}`)).ticket;
    showTicket(t, 'checkin');
  } catch (err) {
    if (err.status === 401) await showSetup('取号机登录已失效，请工作人员重新登录');
    else setCheckinError(checkinMessage(err));
  } finally {
    state.taking = false;
    $('checkin-button').disabled = false;
  }
}

/* ---------- step 3: the ticket ---------- */

function showTicket(t, mode = 'take') {
  const link = new URL(t.track_url, window.location.origin).href;
  $('ticket-title').textContent = mode === 'checkin' ? '签到成功，您的号码是' : '取号成功，您的号码是';
  $('ticket-note').hidden = mode !== 'checkin';
  $('ticket-note').textContent = mode === 'checkin'
    ? '预约号优先叫号；大厅开始叫号前签到的，开始叫号后第一批叫到。' : '';
  $('ticket-hall').textContent = t.hall_name || state.hallName || '';
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
  $('checkin-start').addEventListener('click', openCheckin);
  $('checkin-back').addEventListener('click', backToStart);
  $('checkin-form').addEventListener('submit', onCheckin);
  for (const b of document.querySelectorAll('#keypad [data-key]')) {
    b.addEventListener('click', () => onKeypad(b.dataset.key));
  }
  $('checkin-code').addEventListener('input', () => {
    const v = $('checkin-code').value.replace(/[^0-9]/g, '').slice(0, 6);
    if (v !== $('checkin-code').value) $('checkin-code').value = v;
    setCheckinError('');
  });
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
