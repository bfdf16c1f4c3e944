/*
 * apply.js — 网上申请 (apply.html): pick an item or a 一件事 bundle, fill in the applicant (and
 * an agent), upload each material with progress and retry, choose pickup or free mail, and
 * submit: POST /cases → "submitted".  The applicant's ID number must be the account's own (the
 * first use binds it: 一证一号) or one it acts for (亲友代办, proxy.html): the refusals
 * (409 ID_BOUND_ELSEWHERE, PROXY_REQUIRED) are shown with the way to proxy.html.
 */
import { api, apiGet, getToken } from './api.js';
import { el, clear, initLargeText } from './ui.js';
import { materialRow } from './online-common.js';

const $ = (id) => document.getElementById(id);
const HALL = 'demo';
let forms = new Map();
let rows = [];
/* Material names GET /me/reusable-materials lists: only those are offered for 复用. */
let reusable = new Set();

function showError(msg, proxyLink = false) {
  const box = $('form-error');
  box.replaceChildren(msg);
  if (msg && proxyLink) {
    box.append(el('br'), '为亲友申请：', el('a', { href: '/proxy.html' }, '登记亲友代办'));
  }
  box.hidden = !msg;
}

/* 须本人到场 (must_attend): no online application; the way is a booking at the hall. */
function showAttend(msg, url) {
  clearAttend();
  $('what-info').after(el('div', { id: 'attend-note', class: 'error', role: 'alert' }, msg, el('br'),
    el('a', { href: url, id: 'book-instead', class: 'btn' }, '预约到场办理')));
  $('submit').disabled = true;
}

function clearAttend() {
  const old = $('attend-note');
  if (old) old.remove();
}

function attendCheck(form) {
  const it = (form.items || []).find((i) => i.must_attend);
  if (!it) {
    clearAttend();
    $('submit').disabled = false;
    return false;
  }
  const url = it.category
    ? `/book.html?${new URLSearchParams({ hall: HALL, category: it.category })}`
    : `/book.html?${new URLSearchParams({ hall: HALL })}`;
  showAttend(`「${it.name}」须申请人本人到政务服务中心现场办理，不能网上申请。请预约后按时到场办理。`, url);
  return true;
}

function idFieldError(message) {
  const input = $('id_number');
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function renderMaterials(form) {
  const ul = $('materials');
  clear(ul);
  showError('');
  attendCheck(form);
  rows = form.materials.map((m) => ({
    m, ...materialRow(m, { reuse: reusable.has(m.name), promise: !!m.promise_allowed }),
  }));
  for (const r of rows) ul.append(r.li);
  const parts = form.items.length > 1
    ? `一件事一次办：${form.items.map((i) => i.name).join('、')}，${form.items.length} 个部门并联办理，`
    : '';
  const days = Number(form.promised_days) || 0;
  $('what-info').textContent = days > 0
    ? `${parts}承诺 ${days} 个工作日内办结`
    : `${parts}即办件：预审通过、材料齐全即可办结`;
}

async function load() {
  const [{ bundles }, { items }, mine, { halls }] = await Promise.all([
    apiGet('/bundles', { hall: HALL }), apiGet('/items', { hall: HALL }),
    api('/me/reusable-materials').catch(() => ({ materials: [] })),
    apiGet('/halls').catch(() => ({ halls: [] })),
  ]);
  // 全市通办: any hall of the city that hands out results; the application's own hall first.
  const home = halls.find((h) => h.code === HALL);
  const city = halls.filter((h) => h.pickup && (h.code === HALL || (home && home.region && h.region === home.region)));
  city.sort((a, b) => (a.code === HALL ? -1 : b.code === HALL ? 1 : 0));
  $('pickup_hall').replaceChildren(...city.map((h) => el('option', { value: h.code }, h.name)));
  $('pickup-field').hidden = city.length < 2;
  reusable = new Set(Array.isArray(mine.materials) ? mine.materials : []);
  const sel = $('what');
  const gb = el('optgroup', { label: '一件事一次办' });
  for (const b of bundles) {
    forms.set(`bundle:${b.id}`, b);
    gb.append(el('option', { value: `bundle:${b.id}` }, b.name));
  }
  const gi = el('optgroup', { label: '单个事项' });
  for (const it of items) {
    forms.set(`item:${it.id}`, {
      id: it.id, name: it.name, items: [it], promised_days: it.promised_days,
      materials: it.materials,
    });
    gi.append(el('option', { value: `item:${it.id}` }, it.name));
  }
  sel.append(gb, gi);
  // From the guide (?item=IT-B-001) or a bundle link (?bundle=BD-001): preselected.
  const q = new URLSearchParams(window.location.search);
  const want = q.get('bundle') ? `bundle:${q.get('bundle')}` : `item:${q.get('item') || ''}`;
  if (forms.has(want)) {
    sel.value = want;
    renderMaterials(forms.get(want));
  }
}

async function submit(ev) {
  ev.preventDefault();
  showError('');
  const key = $('what').value;
  if (!forms.has(key)) { showError('请选择办理事项'); return; }
  if (rows.some((r) => r.state.busy)) { showError('还有材料正在上传，请稍候'); return; }
  const missing = rows.filter((r) => r.m.required && !r.state.value).map((r) => r.m.name);
  if (missing.length) { showError(`请上传：${missing.join('、')}`); return; }
  idFieldError('');
  const [kind, id] = key.split(':');
  const body = {
    [kind]: id,
    applicant: { name: $('name').value.trim(), id_number: $('id_number').value.trim().toUpperCase(), phone: $('phone').value.trim() },
    materials: Object.fromEntries(rows.filter((r) => r.state.value).map((r) => [r.m.code, r.state.value])),
    delivery: document.querySelector('input[name=delivery]:checked').value,
  };
  if (body.delivery === 'mail') body.address = $('address').value.trim();
  else if ($('pickup_hall').value) body.pickup_hall = $('pickup_hall').value;
  if ($('has-agent').checked) body.agent = { name: $('agent_name').value.trim(), phone: $('agent_phone').value.trim() };
  $('submit').disabled = true;
  try {
    const { case: c } = await api('/cases', { method: 'POST', body, idempotencyKey: crypto.randomUUID() });
    $('apply-form').hidden = true;
    $('done').hidden = false;
    $('done-no').textContent = c.no;
    $('done-link').href = `/my-cases.html?no=${encodeURIComponent(c.no)}`;
  } catch (err) {
    if (err.code === 'MUST_ATTEND') {
      const b = err.body && err.body.booking;
      showAttend(err.message, b && typeof b.url === 'string' && b.url.startsWith('/book.html') ? b.url : '/book.html');
      $('attend-note').scrollIntoView({ block: 'center' });
      return;
    }
    if (err.code === 'ID_BOUND_ELSEWHERE' || err.code === 'PROXY_REQUIRED') {
      idFieldError(err.message);
      showError(err.message, true);
      $('id_number').focus();
      return;
    }
    const fields = err.fields ? Object.values(err.fields).join('；') : '';
    const miss = err.body && err.body.missing ? err.body.missing.map((m) => m.name).join('、') : '';
    showError([err.message, fields, miss].filter(Boolean).join('：'));
  } finally {
    $('submit').disabled = !!document.getElementById('book-instead');
  }
}

function init() {
  initLargeText($('toggle-large'));
  if (!getToken()) {
    $('login-link').setAttribute('href',
      `/login.html?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    $('need-login').hidden = false;
    return;
  }
  $('apply-form').hidden = false;
  $('what').addEventListener('change', () => {
    const f = forms.get($('what').value);
    if (f) renderMaterials(f); else clear($('materials'));
  });
  $('has-agent').addEventListener('change', () => { $('agent-fields').hidden = !$('has-agent').checked; });
  for (const r of document.querySelectorAll('input[name=delivery]')) {
    r.addEventListener('change', () => {
      const mail = document.querySelector('input[name=delivery]:checked').value === 'mail';
      $('address-field').hidden = !mail;
      $('pickup-field').hidden = mail;
    });
  }
  $('apply-form').addEventListener('submit', submit);
  load().catch((err) => showError(err.message));
}

init();
