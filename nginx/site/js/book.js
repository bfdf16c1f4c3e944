/*
 * book.js — booking an appointment (book.html): 业务类别 → 日期 → 时段 (remaining places
 * shown) → 姓名和身份证号 → confirmation with the appointment code and its link as text.
 *
 * API used:
 *   GET  /api/v1/halls                                  → the hall (?hall=code, else the first)
 *   GET  /api/v1/halls/{hall}/categories                → the categories
 *   GET  /api/v1/halls/{hall}/slots?category=X          → every bookable slot of the coming days
 *   GET  /api/v1/me/identity                            → the account's own ID number (masked)
 *   POST /api/v1/appointments  (Idempotency-Key)        → 201 {"appointment":{…}}
 * A retry of the very same booking (a timeout, a double tap) reuses its Idempotency-Key and
 * gets the first answer; any change of slot, name or ID number is a new key, and so is a
 * retry after a refusal of the ID number (409 ID_BOUND_ELSEWHERE, PROXY_REQUIRED): it is
 * fixed elsewhere (at a window, on proxy.html) and the next try must be asked anew.
 * Anyone sees the categories, days and free places; booking (step 4) asks for the sign-in,
 * which comes back with the choice in the address.
 * Address parameters: hall, category and slot (resume that choice), large (see ui.js).
 */

import { api, apiGet } from './api.js';
import { el, clear, initLargeText, showError, clearStatus } from './ui.js';
import {
  friendly, whoAmI, loginHref, dayLabel, fullDay, hhmm, idNumberOk, appointmentUrl,
} from './appt.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(window.location.search);

const state = {
  hall: null,
  categories: [],
  cat: null,
  slots: [],
  calendarMissing: null,
  date: null,
  slot: null,
  idem: { body: '', key: '' },
};

/* ---------- steps ---------- */

function showStep(n, { focus = true } = {}) {
  for (const sec of document.querySelectorAll('section[data-step]')) {
    sec.hidden = Number(sec.dataset.step) !== n;
  }
  for (const li of $('steps').children) {
    const s = Number(li.dataset.step);
    li.classList.toggle('done', s < n);
    if (s === n) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  }
  if (focus) {
    const h = $(`step-${n}-title`);
    if (h) h.focus();
  }
}

function picked() {
  const parts = [];
  if (state.cat) parts.push(el('strong', null, state.cat.name));
  if (state.date) parts.push(' · ', dayLabel(state.date));
  if (state.slot) parts.push(' ', `${hhmm(state.slot.start)}–${hhmm(state.slot.end)}`);
  return parts;
}

function renderPicked() {
  for (const id of ['picked-2', 'picked-3', 'picked-4']) {
    $(id).replaceChildren('已选：', ...picked());
  }
}

/* ---------- step 1: categories ---------- */

async function loadHall() {
  clearStatus($('page-status'));
  try {
    const { halls } = await apiGet('/halls');
    const list = Array.isArray(halls) ? halls : [];
    const wanted = params.get('hall');
    state.hall = wanted ? list.find((h) => h.code === wanted) : list[0];
    if (!state.hall) {
      showError($('page-status'), '未找到该服务大厅，请核对链接');
      return;
    }
    $('hall-line').textContent = state.hall.name;
    const { categories } = await apiGet(`/halls/${encodeURIComponent(state.hall.code)}/categories`);
    // 咨询导办 (kind consult) is asked at the hall, never booked.
    state.categories = (Array.isArray(categories) ? categories : []).filter((c) => c.kind !== 'consult');
    renderCategories();
  } catch (err) {
    showError($('page-status'), friendly(err), loadHall);
  } finally {
    $('cat-loading').hidden = true;
  }
}

function renderCategories() {
  const items = state.categories.map((c) => {
    const b = el('button', { type: 'button', class: 'choice choice-cat', dataset: { code: c.code } },
      el('span', { class: 'cat-letter', 'aria-hidden': 'true' }, c.code),
      el('span', { class: 'choice-main' },
        el('span', { class: 'choice-title' }, c.name),
        c.description ? el('span', { class: 'choice-sub' }, c.description) : null));
    b.addEventListener('click', () => pickCategory(c));
    return el('li', null, b);
  });
  $('cat-list').replaceChildren(...items);
  freePlaces();
}

/* The places free in the coming days, on each category (public, before any sign-in). */
async function freePlaces() {
  await Promise.all(state.categories.map(async (c) => {
    let left;
    try {
      const r = await apiGet(`/halls/${encodeURIComponent(state.hall.code)}/slots`, { category: c.code });
      left = (Array.isArray(r.slots) ? r.slots : []).reduce((n, s) => n + Math.max(0, Number(s.remaining) || 0), 0);
    } catch {
      return; /* only a hint: the days step says what is free */
    }
    const b = $('cat-list').querySelector(`button[data-code="${c.code}"]`);
    if (!b) return;
    b.append(el('span', { class: `choice-side${left > 0 && left <= 5 ? ' few' : ''}`, dataset: { free: String(left) } },
      left > 0 ? `可约 ${left} 个` : '近期约满'));
  }));
}

async function pickCategory(c) {
  state.cat = c;
  state.date = null;
  state.slot = null;
  renderPicked();
  showStep(2);
  await loadSlots();
}

/* ---------- step 2: days ---------- */

async function loadSlots() {
  $('day-loading').hidden = false;
  clear($('day-list'));
  $('day-note').textContent = '';
  try {
    const r = await apiGet(`/halls/${encodeURIComponent(state.hall.code)}/slots`,
      { category: state.cat.code });
    state.slots = Array.isArray(r.slots) ? r.slots : [];
    state.calendarMissing = r.calendar_missing || null;
    renderDays();
  } catch (err) {
    showError($('page-status'), friendly(err), loadSlots);
  } finally {
    $('day-loading').hidden = true;
  }
}

function renderDays() {
  const days = new Map();
  for (const s of state.slots) {
    const d = days.get(s.date) || { date: s.date, remaining: 0 };
    d.remaining += Math.max(0, Number(s.remaining) || 0);
    days.set(s.date, d);
  }
  const items = [...days.values()].map((d) => {
    const full = d.remaining === 0;
    const b = el('button', { type: 'button', class: 'choice', dataset: { date: d.date }, disabled: full },
      el('span', { class: 'choice-main' }, el('span', { class: 'choice-title' }, dayLabel(d.date))),
      el('span', { class: `choice-side${d.remaining > 0 && d.remaining <= 5 ? ' few' : ''}` },
        full ? '已约满' : `剩余 ${d.remaining} 个`));
    b.addEventListener('click', () => pickDay(d.date));
    return el('li', null, b);
  });
  $('day-list').replaceChildren(...items);
  const notes = [];
  if (!items.length) notes.push('近期没有可预约的时段，请改日再来或直接到大厅取号。');
  if (state.calendarMissing) {
    notes.push(`${state.calendarMissing} 年节假日安排尚未公布，该年的日期暂不开放预约。`);
  }
  $('day-note').textContent = notes.join('');
}

function pickDay(date) {
  state.date = date;
  state.slot = null;
  renderPicked();
  renderSlots();
  showStep(3);
}

/* ---------- step 3: slots ---------- */

function renderSlots() {
  const items = state.slots.filter((s) => s.date === state.date).map((s) => {
    const left = Math.max(0, Number(s.remaining) || 0);
    const b = el('button', { type: 'button', class: 'choice', dataset: { slot: s.id }, disabled: left === 0 },
      el('span', { class: 'choice-main' },
        el('span', { class: 'choice-title' }, `${hhmm(s.start)}–${hhmm(s.end)}`)),
      el('span', { class: `choice-side${left > 0 && left <= 2 ? ' few' : ''}` },
        left === 0 ? '已约满' : `剩余 ${left} 个`));
    b.addEventListener('click', () => pickSlot(s));
    return el('li', null, b);
  });
  $('slot-list').replaceChildren(...items);
}

/* The choice so far as an address: the sign-in comes back to it. */
function here() {
  const q = new URLSearchParams();
  if (state.hall) q.set('hall', state.hall.code);
  if (state.cat) q.set('category', state.cat.code);
  if (state.slot) q.set('slot', state.slot.id);
  return `/book.html?${q}`;
}

function pickSlot(s) {
  state.slot = s;
  renderPicked();
  clearStatus($('form-status'));
  // Anyone can look at the places; booking needs a signed-in citizen (实名).
  const signedIn = state.who === 'citizen';
  $('sign-in').hidden = signedIn;
  $('book-form').hidden = !signedIn;
  $('who-note').hidden = !signedIn;
  if (!signedIn) {
    $('sign-in-link').setAttribute('href', loginHref(here()));
    if (state.who === 'other') $('sign-in-title').textContent = '请使用个人账号登录';
  }
  showStep(4);
}

/* Back from the sign-in (or from the guide, ?category=B): the choice made before. */
async function resume() {
  const c = state.categories.find((x) => x.code === params.get('category'));
  if (!c) return;
  await pickCategory(c);
  const s = state.slots.find((x) => x.id === params.get('slot'));
  if (s && Number(s.remaining) > 0) {
    pickDay(s.date);
    pickSlot(s);
  } else if (params.get('slot')) {
    showError($('page-status'), '您之前选的时段已约满或已过，请重新选择。');
  }
}

/* ---------- step 4: who ---------- */

function fieldError(input, message) {
  $(`${input.id}-error`).textContent = message || '';
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function notice(message) {
  $('form-status').replaceChildren(el('div', { class: 'notice notice-error' }, el('p', null, message)));
}

/* 一证一号: the ID number is another account's, or not this account's own.  The API's message
 * says how to fix it; the page adds the way to the proxy page. */
const ID_REFUSALS = new Set(['ID_BOUND_ELSEWHERE', 'PROXY_REQUIRED']);

function idRefusal(err, input) {
  fieldError(input, (err.fields && err.fields.id_number) ? String(err.fields.id_number) : err.message);
  $('form-status').replaceChildren(el('div', { class: 'notice notice-error', id: 'id-refusal' },
    el('p', null, err.message),
    el('p', null, '为亲友预约：', el('a', { href: '/proxy.html' }, '登记亲友代办'))));
  state.idem.body = '';
  input.focus();
}

/* Whose ID numbers this account books for: said above the form. */
async function loadIdentity() {
  let me;
  try {
    me = await api('/me/identity');
  } catch {
    return; /* only a hint: the booking itself says what is wrong */
  }
  const p = [];
  if (me.identity) {
    p.push(`本账号已实名：${me.identity.name}（${me.identity.id_number}）。`);
  } else {
    p.push('首次预约填写的本人身份证将绑定到本账号（一证一号）。');
  }
  const names = (me.principals || []).map((x) => `${x.name}（${x.id_number}）`);
  if (names.length) p.push(`可代办：${names.join('、')}。`);
  $('who-note').replaceChildren(p.join(''), '为他人预约须先',
    el('a', { href: '/proxy.html' }, '登记亲友代办'), '。');
}

/* The same body keeps its key (a retry); another body gets a new one. */
function idempotencyKey(body) {
  const text = JSON.stringify(body);
  if (state.idem.body !== text) {
    state.idem.body = text;
    state.idem.key = (window.crypto && window.crypto.randomUUID)
      ? window.crypto.randomUUID()
      : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  }
  return state.idem.key;
}

async function submit(ev) {
  ev.preventDefault();
  const name = $('name');
  const idn = $('id-number');
  const nameV = name.value.trim();
  const idV = idn.value.trim().toUpperCase();
  fieldError(name, '');
  fieldError(idn, '');
  clearStatus($('form-status'));
  let bad = null;
  if (nameV.length < 2 || /[0-9<>"'&;{}/\\]/.test(nameV)) {
    fieldError(name, '请填写与身份证一致的真实姓名');
    bad = bad || name;
  }
  if (!idNumberOk(idV)) {
    fieldError(idn, '身份证号码无效，请核对后重新输入');
    bad = bad || idn;
  }
  if (bad) {
    bad.focus();
    return;
  }
  const body = {
    hall: state.hall.code, category: state.cat.code, slot: state.slot.id, name: nameV, id_number: idV,
  };
  const btn = $('submit');
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  btn.textContent = '正在提交…';
  try {
    const { appointment } = await api('/appointments', {
      method: 'POST', body, idempotencyKey: idempotencyKey(body),
    });
    done(appointment);
  } catch (err) {
    if (err.status === 401) {
      window.location.assign(loginHref('/book.html'));
      return;
    }
    if (ID_REFUSALS.has(err.code)) {
      idRefusal(err, idn);
    } else if (err.status === 400 && err.fields) {
      if (err.fields.name) fieldError(name, String(err.fields.name));
      if (err.fields.id_number) fieldError(idn, String(err.fields.id_number));
      if (!err.fields.name && !err.fields.id_number) notice(friendly(err));
      (err.fields.name ? name : idn).focus();
    } else if (err.code === 'SLOT_FULL' || err.code === 'SLOT_UNAVAILABLE') {
      // The places moved on: show the day's slots again, as they are now.
      await loadSlots();
      renderSlots();
      showStep(3);
      showError($('page-status'), `${err.message}，请重新选择时段。`);
    } else {
      notice(friendly(err));
    }
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
    btn.textContent = '提交预约';
  }
}

/* ---------- step 5: done ---------- */

function done(a) {
  clearStatus($('page-status'));
  $('done-code').textContent = a.code;
  $('done-category').textContent = a.category_name || a.category;
  $('done-time').textContent = `${fullDay(a.date)} ${hhmm(a.start)}–${hhmm(a.end)}`;
  $('done-hall').textContent = a.hall_name || a.hall;
  $('done-who').textContent = `${a.name}（${a.id_number}）`;
  $('done-checkin').textContent = `${hhmm(a.checkin_from)}–${hhmm(a.checkin_until)}`;
  $('done-link').textContent = appointmentUrl(a.token);
  $('done-qr').src = `/api/v1/appointments/${encodeURIComponent(a.token)}/qr.svg`; // issue #8
  $('book-form').reset();
  showStep(5);
}

/* ---------- start ---------- */

async function start() {
  initLargeText($('toggle-large'));
  for (const b of document.querySelectorAll('[data-back]')) {
    b.addEventListener('click', () => showStep(Number(b.dataset.back)));
  }
  $('book-form').addEventListener('submit', submit);
  showStep(1, { focus: false });
  // Categories and free places are public: shown at once; the sign-in is asked for at the
  // step that books (4).  Not knowing who this is (network) counts as not signed in.
  try {
    state.who = await whoAmI();
  } catch {
    state.who = 'anonymous';
  }
  if (state.who === 'citizen') loadIdentity();
  await loadHall();
  await resume();
}

start();
