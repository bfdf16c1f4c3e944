/*
 * complaint.js — 我要投诉 (complaint.html[?hall=][&about=case&ref=<no>]): a signed-in citizen
 * complains about the hall, a visit (the number on the ticket) or one of their cases, and
 * follows the answer.
 *
 * API (citizen session):
 *   GET  /api/v1/halls                    the hall (?hall=, else the first one)
 *   POST /api/v1/complaints               {"hall","about","ref"?,"text"} → 201 {"complaint"}
 *        400 names the fields (text 5–500 characters, ref), 429 RATE_LIMITED
 *   GET  /api/v1/me/complaints            the citizen's complaints with their answers
 * The length shown is in characters, as the API counts them.
 */
import { api, apiGet, getToken } from './api.js';
import { el, clear, showError, clearStatus, initLargeText } from './ui.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(window.location.search);
const STATUS = { open: '待处理', assigned: '处理中', answered: '已答复' };
const ABOUT = { hall: '大厅服务', ticket: '排队办理', case: '办件' };
const REF = {
  ticket: { label: '排队号码', hint: '小票上的号码，如 A005', placeholder: 'A005' },
  case: { label: '办件编号', hint: '受理回执或“我的申请”中的编号', placeholder: 'DEMO-20261123-0001' },
};
let hall = '';

const chars = (s) => [...s].length;
const about = () => document.querySelector('input[name="about"]:checked').value;

function fieldError(name, text) {
  const input = $(`cp-${name}`);
  $(`cp-${name}-error`).textContent = text || '';
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function showAbout() {
  const a = about();
  $('cp-ref-field').hidden = a === 'hall';
  if (REF[a]) {
    $('cp-ref-label').textContent = REF[a].label;
    $('cp-ref-hint').textContent = REF[a].hint;
    $('cp-ref').placeholder = REF[a].placeholder;
  }
  fieldError('ref', '');
}

async function showMine() {
  const { complaints } = await apiGet('/me/complaints');
  const ul = $('cp-list');
  clear(ul);
  $('cp-mine').hidden = false;
  $('cp-empty').hidden = complaints.length > 0;
  for (const c of complaints) {
    const li = el('li', { class: 'cp-item', dataset: { id: String(c.id), status: c.status } },
      el('p', null, el('span', { class: `cp-st ${c.status}` }, STATUS[c.status] || c.status), ' ',
        `${ABOUT[c.about] || ''}${c.ref ? ` ${c.ref}` : ''} · ${c.hall_name}`),
      el('p', { class: 'cp-text' }, c.text),
      el('p', { class: 'cp-meta' }, `提交于 ${c.created_at.slice(0, 16).replace('T', ' ')}` +
        (c.status !== 'answered' && c.deadline ? ` · 答复期限 ${c.deadline}` : '')));
    if (c.status === 'answered')
      li.append(el('p', { class: 'cp-answer' }, `答复（${c.answered_at.slice(0, 16).replace('T', ' ')}）：${c.answer}`));
    ul.append(li);
  }
}

async function submit(ev) {
  ev.preventDefault();
  const a = about();
  const text = $('cp-text').value.trim();
  const ref = $('cp-ref').value.trim();
  let bad = false;
  fieldError('text', '');
  fieldError('ref', '');
  if (chars(text) < 5 || chars(text) > 500) {
    fieldError('text', chars(text) < 5 ? '请至少写 5 个字，说明具体情况' : '最多 500 字，请精简');
    bad = true;
  }
  if (a !== 'hall' && !ref) {
    fieldError('ref', `请填写${REF[a].label}`);
    bad = true;
  }
  if (bad) {
    (document.querySelector('[aria-invalid="true"]') || $('cp-text')).focus();
    return;
  }
  const body = { hall, about: a, text };
  if (a !== 'hall') body.ref = ref;
  $('cp-submit').disabled = true;
  try {
    const { complaint } = await api('/complaints', { method: 'POST', body });
    clearStatus($('status'));
    $('status').append(el('div', { class: 'notice notice-ok' }, el('p', null,
      `投诉已提交（编号 ${complaint.id}）。${complaint.deadline ? `中心将在 ${complaint.deadline} 前答复，` : '中心将尽快答复，'}答复会以短信通知您。`)));
    $('cp-text').value = '';
    $('cp-ref').value = '';
    $('cp-count').textContent = '0 / 500';
    await showMine();
  } catch (err) {
    if (err.status === 400 && err.fields) {
      if (err.fields.text) fieldError('text', err.fields.text);
      if (err.fields.ref) fieldError('ref', err.fields.ref);
      if (!err.fields.text && !err.fields.ref) showError($('status'), err.message);
    } else if (err.status === 401) {
      $('need-login').hidden = false;
    } else {
      showError($('status'), err.status >= 500 || !err.status ? '网络不稳定，请稍后再提交' : err.message);
    }
  } finally {
    $('cp-submit').disabled = false;
  }
}

async function init() {
  initLargeText($('toggle-large'));
  if (!getToken()) {
    $('need-login').hidden = false;
    return;
  }
  const want = params.get('hall');
  const { halls } = await apiGet('/halls');
  const h = (halls || []).find((x) => x.code === want) || (halls || [])[0];
  if (!h) {
    showError($('status'), '暂时无法读取服务中心信息，请稍后再试');
    return;
  }
  hall = h.code;
  $('cp-form').hidden = false;
  for (const r of document.querySelectorAll('input[name="about"]')) {
    if (r.value === params.get('about')) r.checked = true;
    r.addEventListener('change', showAbout);
  }
  if (params.get('ref')) $('cp-ref').value = params.get('ref').slice(0, 40);
  showAbout();
  $('cp-text').addEventListener('input', () => {
    $('cp-count').textContent = `${chars($('cp-text').value)} / 500`;
  });
  $('cp-form').addEventListener('submit', submit);
  await showMine();
}

init().catch((err) => {
  if (err.status === 401) $('need-login').hidden = false;
  else showError($('status'), err.message);
});
