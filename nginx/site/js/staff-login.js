/*
 * staff-login.js — the staff sign-in page (staff/login.html): hall, username, password and,
 * for window clerks, the window they sit at today.
 *
 * API used:
 *   GET  /api/v1/halls          → the hall list (one hall: chosen for you)
 *   GET  /api/v1/me             → already signed in? ({"role","hall","window"})
 *   POST /api/v1/staff/login    {"hall","username","password","window"?}
 *                               → {"token","csrf","role","hall","window"}; 401 (with
 *                               Retry-After while this device is locked out), 429
 *   POST /api/v1/auth/logout    → 204
 * The token and its CSRF value are kept by api.js (localStorage).  The hall, username and
 * window are remembered on this device for the next sign-in; the password never is.
 * Address parameters: next (a path on this site to go to after signing in), hall, large.
 * Without next, signing in goes to the role's home (ROLE_HOME in staff/js/layout.js): the
 * console for a clerk, the case list for an approver, the dashboard for a manager.
 */

import { api, apiGet, getToken, setToken } from './api.js';
import { el, initLargeText } from './ui.js';
import { ROLE_HOME } from '/staff/js/layout.js';
import {
  setFieldError, clearFieldErrors, showFieldErrors, formNotice, friendly, busy, nextPath,
} from './auth-form.js';

const $ = (id) => document.getElementById(id);
const REMEMBER_KEY = 'yichuang.staffLogin';

const ROLE_NAMES = {
  clerk: '窗口工作人员',
  approver: '审批人员',
  manager: '中心管理人员',
  admin: '系统管理员',
  kiosk: '自助取号机',
  helper: '帮办代办人员',
  region_admin: '区域事项管理员',
  city_manager: '市级管理人员',
};

function remembered() {
  try {
    const v = JSON.parse(window.localStorage.getItem(REMEMBER_KEY) || 'null');
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

function remember(hall, username, windowNo) {
  try {
    window.localStorage.setItem(REMEMBER_KEY, JSON.stringify({ hall, username, window: windowNo }));
  } catch { /* storage blocked */ }
}

async function loadHalls() {
  const select = $('hall');
  const wanted = new URLSearchParams(window.location.search).get('hall') || remembered().hall || '';
  try {
    const { halls } = await apiGet('/halls');
    const list = Array.isArray(halls) ? halls : [];
    const options = list.map((h) => el('option', { value: h.code }, h.name));
    if (list.length !== 1) options.unshift(el('option', { value: '' }, '请选择服务大厅'));
    select.replaceChildren(...options);
    if (list.some((h) => h.code === wanted)) select.value = wanted;
  } catch (err) {
    select.replaceChildren(el('option', { value: '' }, '暂时无法加载'));
    formNotice($('form-status'), friendly(err));
  }
}

function fillRemembered() {
  const r = remembered();
  if (typeof r.username === 'string') $('username').value = r.username.slice(0, 32);
  if (r.window) $('window').value = String(r.window).slice(0, 3);
}

function togglePassword() {
  const input = $('password');
  const btn = $('show-password');
  const show = input.type === 'password';
  input.type = show ? 'text' : 'password';
  btn.setAttribute('aria-pressed', show ? 'true' : 'false');
  btn.textContent = show ? '隐藏密码' : '显示密码';
}

async function signIn(ev) {
  ev.preventDefault();
  const form = $('staff-form');
  clearFieldErrors(form);
  formNotice($('form-status'), '');

  const hall = $('hall').value;
  const username = $('username').value.trim();
  const password = $('password').value;
  const windowText = $('window').value.trim();
  const bad = [];
  if (!hall) bad.push([$('hall'), '请选择服务大厅']);
  if (!username) bad.push([$('username'), '请输入用户名']);
  if (!password) bad.push([$('password'), '请输入密码']);
  if (windowText && !/^[1-9]\d{0,2}$/.test(windowText)) bad.push([$('window'), '窗口号为 1–999 的数字']);
  if (bad.length) {
    for (const [input, msg] of bad) setFieldError(input, msg);
    bad[0][0].focus();
    return;
  }

  const body = { hall, username, password };
  if (windowText) body.window = Number(windowText);
  const btn = $('submit');
  busy(btn, true, '登录中…');
  try {
    const r = await api('/staff/login', { method: 'POST', body });
    setToken(r.token, r.csrf);
    remember(hall, username, windowText);
    $('password').value = '';
    // Where the person was going, else their role's home (console, case list, dashboard).
    const next = nextPath(null) || ROLE_HOME[r.role];
    if (next) {
      window.location.assign(next);
      return;
    }
    busy(btn, false);
    await showState(true);
  } catch (err) {
    busy(btn, false);
    if (err.status === 400 && showFieldErrors(err.fields, {})) return;
    if (err.status === 401) {
      // Locked out (too many failures from this device): the server says for how long.
      formNotice($('form-status'), err.retryAfter ? friendly(err) : '用户名或密码错误，请重新输入');
      $('password').value = '';
      $('password').focus();
      return;
    }
    // 429 RATE_LIMITED and the rest: the server's own words.
    formNotice($('form-status'), friendly(err));
  }
}

async function logout() {
  const btn = $('logout');
  busy(btn, true, '正在退出…');
  try {
    await api('/auth/logout', { method: 'POST' });
  } catch (err) {
    if (err.status !== 401) {
      busy(btn, false);
      formNotice($('page-status'), friendly(err));
      return;
    }
  }
  busy(btn, false);
  setToken(null, null);
  await showState();
  $('password').focus();
}

async function showState(moveFocus = false) {
  let me = null;
  if (getToken()) {
    try {
      me = await api('/me');
    } catch (err) {
      if (err.status === 401) setToken(null, null);
    }
  }
  const staff = me && me.role && me.role !== 'citizen';
  $('signed-in').hidden = !staff;
  $('sign-in').hidden = !!staff;
  if (!staff) return;
  $('who-role').textContent = ROLE_NAMES[me.role] || me.role;
  const hallSelect = $('hall');
  const opt = [...hallSelect.options].find((o) => o.value === me.hall);
  $('who-hall').textContent = opt ? opt.textContent : (me.hall || '—');
  const hasWindow = Number(me.window) > 0;
  $('who-window-label').hidden = !hasWindow;
  $('who-window').hidden = !hasWindow;
  $('who-window').textContent = hasWindow ? `${me.window} 号窗口` : '';
  const next = nextPath(null) || ROLE_HOME[me.role];
  $('continue').hidden = !next;
  if (next) $('continue').setAttribute('href', next);
  if (moveFocus) $('signed-in-title').focus({ preventScroll: true });
}

async function init() {
  initLargeText($('toggle-large'));
  fillRemembered();
  $('show-password').addEventListener('click', togglePassword);
  $('staff-form').addEventListener('submit', signIn);
  $('logout').addEventListener('click', logout);
  $('window').addEventListener('input', (ev) => {
    const v = ev.target.value.replace(/\D/g, '').slice(0, 3);
    if (v !== ev.target.value) ev.target.value = v;
  });
  await loadHalls();
  await showState();
}

init();
