/*
 * login.js — the citizen sign-in page (login.html): phone number and SMS code.
 *
 * API used:
 *   GET  /api/v1/me              → already signed in? ({"role":"citizen","phone":"138****8000"})
 *   POST /api/v1/auth/sms-code   {"phone","purpose":"login","hall"?} → 202; 429 with Retry-After
 *                                (hall: from ?hall= or the next page's ?hall=, for the hall's
 *                                daily budget of codes)
 *   POST /api/v1/auth/sms-login  {"phone","code"} → {"token","role","expires_at"}; 401 CODE_INVALID
 *   POST /api/v1/auth/logout     → 204
 * The token is kept by api.js (localStorage) and sent as a bearer token.  Address
 * parameters: next (a path on this site to go to after signing in), large (see ui.js).
 * The countdown of "获取验证码" survives a reload (sessionStorage), so a reload does not
 * invite a second request the server would refuse anyway.
 */

import { api, getToken, setToken } from './api.js';
import { initLargeText } from './ui.js';
import {
  setFieldError, clearFieldErrors, showFieldErrors, formNotice, friendly, busy, nextPath,
} from './auth-form.js';

const $ = (id) => document.getElementById(id);
const COUNTDOWN_KEY = 'yichuang.smsCountdown';
const PHONE_RE = /^1[3-9]\d{9}$/;
const CODE_RE = /^\d{6}$/;
const SEND_LABEL = '获取验证码';

const state = { timer: 0, until: 0 };

/* "138 0013 8000", "+86 13800138000" → "13800138000". */
function normalizePhone(v) {
  let d = String(v || '').replace(/[\s-]/g, '');
  if (/^\+?86\d{11}$/.test(d)) d = d.replace(/^\+?86/, '');
  return d;
}

const maskPhone = (p) => `${p.slice(0, 3)}****${p.slice(7)}`;

/* The hall the citizen is using (its daily budget of codes): ?hall=, else the next page's. */
function hallCode() {
  const own = new URLSearchParams(window.location.search).get('hall');
  const next = nextPath('');
  const q = next.includes('?') ? next.slice(next.indexOf('?') + 1) : '';
  const hall = own || new URLSearchParams(q).get('hall') || '';
  return /^[A-Za-z0-9_-]{1,32}$/.test(hall) ? hall : '';
}

/* ---------- countdown on the 获取验证码 button ---------- */

function tick() {
  const btn = $('send-code');
  const left = Math.ceil((state.until - Date.now()) / 1000);
  if (left <= 0) {
    clearInterval(state.timer);
    state.timer = 0;
    btn.disabled = false;
    btn.textContent = state.until ? '重新获取' : SEND_LABEL;
    btn.removeAttribute('aria-describedby');
    try {
      window.sessionStorage.removeItem(COUNTDOWN_KEY);
    } catch { /* storage blocked */ }
    return;
  }
  btn.disabled = true;
  btn.textContent = `${left} 秒后重新获取`;
}

function startCountdown(seconds, phone) {
  state.until = Date.now() + seconds * 1000;
  try {
    window.sessionStorage.setItem(COUNTDOWN_KEY, JSON.stringify({ until: state.until, phone }));
  } catch { /* storage blocked: the countdown lasts as long as the page */ }
  clearInterval(state.timer);
  state.timer = setInterval(tick, 1000);
  tick();
}

function restoreCountdown() {
  let saved = null;
  try {
    saved = JSON.parse(window.sessionStorage.getItem(COUNTDOWN_KEY) || 'null');
  } catch { /* nothing saved */ }
  if (saved && Number(saved.until) > Date.now()) {
    if (typeof saved.phone === 'string' && PHONE_RE.test(saved.phone)) $('phone').value = saved.phone;
    state.until = Number(saved.until);
    state.timer = setInterval(tick, 1000);
    tick();
  }
}

/* ---------- the two requests ---------- */

function checkPhone() {
  const input = $('phone');
  const phone = normalizePhone(input.value);
  if (!PHONE_RE.test(phone)) {
    setFieldError(input, phone ? '请输入正确的 11 位手机号' : '请输入手机号');
    input.focus();
    return null;
  }
  input.value = phone;
  setFieldError(input, '');
  return phone;
}

async function sendCode() {
  formNotice($('form-status'), '');
  const phone = checkPhone();
  if (!phone) return;
  const btn = $('send-code');
  busy(btn, true, '发送中…');
  try {
    const hall = hallCode();
    const r = await api('/auth/sms-code', { method: 'POST', body: hall ? { phone, purpose: 'login', hall } : { phone, purpose: 'login' } });
    busy(btn, false);
    startCountdown(Number(r && r.resend_after) || 60, phone);
    $('code-hint').textContent = `验证码已发送至 ${maskPhone(phone)}，10 分钟内有效`;
    $('code').focus();
  } catch (err) {
    busy(btn, false);
    if (err.status === 429) {
      formNotice($('form-status'), err.message);
      if (err.retryAfter && err.retryAfter <= 600) startCountdown(err.retryAfter, phone);
    } else if (!(err.status === 400 && showFieldErrors(err.fields, { purpose: 'phone' }))) {
      formNotice($('form-status'), friendly(err));
    }
  }
}

async function signIn(ev) {
  ev.preventDefault();
  const form = $('login-form');
  clearFieldErrors(form);
  formNotice($('form-status'), '');
  const phone = checkPhone();
  if (!phone) return;
  const codeInput = $('code');
  const code = codeInput.value.replace(/\s/g, '');
  if (!CODE_RE.test(code)) {
    setFieldError(codeInput, code ? '验证码为 6 位数字' : '请输入短信验证码');
    codeInput.focus();
    return;
  }
  const btn = $('submit');
  busy(btn, true, '登录中…');
  try {
    const r = await api('/auth/sms-login', { method: 'POST', body: { phone, code } });
    setToken(r.token, null);
    try {
      window.sessionStorage.removeItem(COUNTDOWN_KEY);
    } catch { /* storage blocked */ }
    const next = nextPath(null);
    if (next) {
      window.location.assign(next);
      return;
    }
    busy(btn, false);
    codeInput.value = '';
    await showState(true);
  } catch (err) {
    busy(btn, false);
    if (err.code === 'CODE_INVALID') {
      setFieldError(codeInput, err.message);
      codeInput.value = '';
      codeInput.focus();
    } else if (!(err.status === 400 && showFieldErrors(err.fields, {}))) {
      formNotice($('form-status'), friendly(err));
    }
  }
}

async function logout() {
  const btn = $('logout');
  busy(btn, true, '正在退出…');
  try {
    await api('/auth/logout', { method: 'POST' });
  } catch (err) {
    // Already expired is as good as signed out; anything else: say so and stay.
    if (err.status !== 401) {
      busy(btn, false);
      formNotice($('page-status'), friendly(err));
      return;
    }
  }
  busy(btn, false);
  setToken(null, null);
  await showState();
  $('phone').focus();
}

/* ---------- which panel ---------- */

async function showState(moveFocus = false) {
  let me = null;
  if (getToken()) {
    try {
      me = await api('/me');
    } catch (err) {
      if (err.status === 401) setToken(null, null);
      me = null;
    }
  }
  const signedIn = me && me.role === 'citizen';
  $('signed-in').hidden = !signedIn;
  $('sign-in').hidden = !!signedIn;
  if (signedIn) {
    $('who-phone').textContent = me.phone || '未绑定';
    $('continue').setAttribute('href', nextPath('/'));
    if (moveFocus) $('signed-in-title').focus({ preventScroll: true });
  }
}

function init() {
  initLargeText($('toggle-large'));
  $('signed-in-title').setAttribute('tabindex', '-1');
  $('send-code').addEventListener('click', sendCode);
  $('login-form').addEventListener('submit', signIn);
  $('logout').addEventListener('click', logout);
  // Only digits belong in the code box (an SMS autofill may bring spaces).
  $('code').addEventListener('input', (ev) => {
    const v = ev.target.value.replace(/\D/g, '').slice(0, 6);
    if (v !== ev.target.value) ev.target.value = v;
  });
  restoreCountdown();
  showState();
}

init();
