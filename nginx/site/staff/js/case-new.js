/*
 * case-new.js — 综合受理 (staff/case-new.html): the clerk picks the item, checks each
 * material against the item's checklist (required / 可容缺 / optional), records a waiver with
 * the applicant's commitment and due date, and files the case.
 *
 * API: GET /items?hall=, POST /cases with an Idempotency-Key per filled form.
 *   201 → the case: number, deadline, links to the printable 受理通知书 and the case page;
 *         the form is cleared at once, so pressing 受理 again cannot file the case twice.
 *   422 MATERIALS_INCOMPLETE → every missing material at once and the 一次性告知书 to print.
 *   422 CALENDAR_MISSING, 400 (fields shown next to their inputs).
 *
 * The key belongs to the form as it is filled: it is made at the first 受理 and sent again
 * with every retry of the same form — after a lost reply, a timeout or a 5xx the server
 * answers the first result again (one case, one SMS) — and a new one is made once anything
 * in the form changes, or the form is cleared after a success.
 */

import { api, apiGet, ApiError } from '/js/api.js';
import { el, clear } from '/js/ui.js';
import {
  $, startStaffPage, say, errorText, showFieldErrors, newKey,
} from './cases-common.js';

let items = [];
let key = null;		// Idempotency-Key of the form as it is filled now

const itemOf = (id) => items.find((it) => it.id === id);

function tag(m) {
  if (!m.required) return el('span', { class: 'tag tag-optional' }, '可选');
  if (m.waivable) return el('span', { class: 'tag tag-waivable' }, '可容缺');
  return el('span', { class: 'tag tag-required' }, '必需');
}

const FORM = {
  original: '原件', copy: '复印件', original_and_copy: '原件及复印件', electronic: '电子件',
};

function renderChecklist() {
  const it = itemOf($('item').value);
  const list = $('checklist');
  clear(list);
  $('commitment').hidden = true;
  if (!it) return;
  $('item-hint').textContent = `${it.department_name || it.department} · ${it.kind === 'instant'
    ? '即办件' : `承诺 ${it.promised_days} 个工作日`}${it.cross_province ? ' · 跨省通办' : ''}`;
  for (const m of it.materials) {
    const recv = el('input', { type: 'checkbox', id: `mat-${m.code}`, value: m.code, 'data-mat': '1' });
    const head = el('div', { class: 'mat-head' },
      el('label', { class: 'check', for: `mat-${m.code}` }, recv, `${m.name}`), tag(m));
    const li = el('li', { dataset: { code: m.code } }, head,
      el('p', { class: 'mat-note' }, `${FORM[m.form] || m.form} ${m.copies || 1} 份${m.note ? `；${m.note}` : ''}`));
    if (m.waivable) {
      const waive = el('input', { type: 'checkbox', id: `waive-${m.code}`, value: m.code, 'data-waive': '1' });
      li.append(el('label', { class: 'check waive', for: `waive-${m.code}` }, waive, '暂缺，容缺受理'));
      waive.addEventListener('change', () => {
        if (waive.checked) recv.checked = false;
        syncCommitment();
      });
      recv.addEventListener('change', () => {
        if (recv.checked) waive.checked = false;
        syncCommitment();
      });
    }
    list.append(li);
  }
  $('office-field').hidden = !it.cross_province;
  $('approve-field').hidden = it.kind !== 'instant';
  $('approve-now').checked = false;
}

function syncCommitment() {
  const any = document.querySelectorAll('[data-waive]:checked').length > 0;
  $('commitment').hidden = !any;
  if (any && !$('c-due').value) {
    const d = new Date(Date.now() + 7 * 86400000);
    $('c-due').value = d.toISOString().slice(0, 10);
  }
}

function body() {
  const it = itemOf($('item').value);
  const b = {
    item: $('item').value,
    applicant: {
      name: $('a-name').value.trim(),
      id_number: $('a-id').value.trim().toUpperCase(),
      phone: $('a-phone').value.trim(),
    },
    materials: [...document.querySelectorAll('[data-mat]:checked')].map((n) => n.value),
    delivery: document.querySelector('input[name="delivery"]:checked').value,
  };
  const waived = [...document.querySelectorAll('[data-waive]:checked')].map((n) => n.value);
  if (waived.length) {
    b.waived = waived;
    b.commitment = { signed: $('c-signed').checked, due: $('c-due').value };
  }
  if (b.delivery === 'mail') b.address = $('address').value.trim();
  if (it && it.cross_province) b.processing_office = $('office').value.trim();
  if (it && it.kind === 'instant' && $('approve-now').checked) b.approve = true;
  const note = $('note').value.trim();
  if (note) b.note = note;
  return b;
}

function showAccepted(c) {
  const box = $('result');
  box.replaceChildren(el('section', { class: 'result', 'aria-labelledby': 'res-title' },
    el('h2', { id: 'res-title' }, c.status === 'approved' ? '已受理并当场办结' : '已受理'),
    el('dl', { class: 'facts' },
      el('dt', null, '受理编号'), el('dd', { class: 'case-no', id: 'res-no' }, c.no),
      el('dt', null, '事项'), el('dd', null, c.item_name),
      el('dt', null, '办结期限'), el('dd', { id: 'res-deadline' }, c.deadline || ''),
      el('dt', null, '申请人'), el('dd', null, c.applicant && c.applicant.name)),
    el('div', { class: 'actions-row' },
      c.notice_url ? el('a', { class: 'btn', href: c.notice_url, target: '_blank', id: 'print-accepted' },
        '打印受理通知书') : null,
      el('a', { class: 'btn btn-secondary', href: `/staff/case.html?no=${encodeURIComponent(c.no)}` }, '查看办件'),
      newButton())));
  box.scrollIntoView({ block: 'start' });
}

function showIncomplete(e) {
  const box = $('result');
  box.replaceChildren(el('section', { class: 'result result-incomplete', 'aria-labelledby': 'res-title' },
    el('h2', { id: 'res-title' }, `材料不齐全，不予受理（还缺 ${e.missing.length} 项）`),
    el('p', { class: 'small' }, '已一次性告知申请人以下全部缺少的材料，并发送短信提醒：'),
    el('ol', { id: 'missing-list' }, e.missing.map((m) => el('li', null,
      el('strong', null, m.name), m.note ? `（${m.note}）` : ''))),
    el('div', { class: 'actions-row' },
      e.notice_url ? el('a', { class: 'btn', href: e.notice_url, target: '_blank', id: 'print-incomplete' },
        '打印一次性告知书') : null)));
  box.scrollIntoView({ block: 'start' });
}

/* Empty the form for the next applicant (the item stays chosen): a new form, a new key. */
function clearForm() {
  const itemId = $('item').value;
  $('accept-form').reset();
  $('item').value = itemId;
  renderChecklist();
  $('address-field').hidden = true;
  showFieldErrors($('accept-form'), {});
  key = null;
}

function newButton() {
  const b = el('button', { type: 'button', class: 'btn btn-secondary' }, '继续受理');
  b.addEventListener('click', () => {
    clearForm();
    clear($('result'));
    $('a-name').focus();
  });
  return b;
}

async function submit(ev) {
  ev.preventDefault();
  const form = $('accept-form');
  const status = $('form-status');
  clear(status);
  showFieldErrors(form, {});
  if (!key) key = newKey();
  const btn = $('submit');
  btn.disabled = true;
  try {
    const r = await api('/cases', { method: 'POST', body: body(), idempotencyKey: key });
    clearForm();
    showAccepted(r.case);
  } catch (err) {
    if (err instanceof ApiError && err.status === 422 && err.code === 'MATERIALS_INCOMPLETE') {
      // Kept: the same form again gets the same notice back, not a second one (and SMS).
      showIncomplete(err.body);
    } else if (err instanceof ApiError && err.status === 400) {
      key = null;
      const rest = showFieldErrors(form, err.fields);
      say(status, [err.message, ...rest].join('；'), 'error');
    } else {
      // A refusal is final for this key (retrying the same form must be asked afresh); no
      // answer, a 5xx or the first attempt still running (409 IDEMPOTENCY_IN_PROGRESS) keep
      // it, so pressing again cannot file the case twice.
      const settled = err instanceof ApiError && err.status >= 400 && err.status < 500
        && err.code !== 'IDEMPOTENCY_IN_PROGRESS';
      if (settled) key = null;
      clear($('result'));
      say(status, errorText(err), 'error');
    }
  } finally {
    btn.disabled = false;
  }
}

async function ready(me) {
  const sel = $('item');
  try {
    ({ items } = await apiGet('/items', { hall: me.hall }));
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
    return;
  }
  sel.replaceChildren(...items.map((it) => el('option', { value: it.id },
    `${it.category} · ${it.name}`)));
  const want = new URLSearchParams(window.location.search).get('item');
  if (want && itemOf(want)) sel.value = want;
  renderChecklist();
  sel.addEventListener('change', () => {
    key = null;
    renderChecklist();
  });
  $('accept-form').addEventListener('input', () => {
    key = null;
  });
  for (const r of document.querySelectorAll('input[name="delivery"]')) {
    r.addEventListener('change', () => {
      $('address-field').hidden = document.querySelector('input[name="delivery"]:checked').value !== 'mail';
    });
  }
  $('accept-form').addEventListener('submit', submit);
}

startStaffPage({ roles: ['clerk'], onReady: ready });
