/*
 * promises.js — 告知承诺事后核查 (staff/promises.html): the verification tasks of the
 * signed promises a case took in place of a certificate.  An approver sees their
 * department's and closes each as 核查属实 or 承诺不实 (a finding is required for the
 * latter); a manager sees the hall's, with the counts, and closes none.
 *
 * API: GET /promise-checks?status=, POST /promise-checks/{id}/close
 */

import { api, apiGet } from '/js/api.js';
import { el, clear } from '/js/ui.js';
import { $, startStaffPage, when, say, errorText } from './cases-common.js';

const LABEL = { open: '待核查', verified: '核查属实', false: '承诺不实' };
let params = new URLSearchParams(window.location.search);
let role = '';

function closeForm(c) {
  const note = el('textarea', { id: `note-${c.id}`, maxlength: '200', rows: '2' });
  const out = el('div', { class: 'status', 'aria-live': 'polite' });
  const send = async (result) => {
    try {
      await api(`/promise-checks/${c.id}/close`, {
        method: 'POST', body: { result, note: note.value.trim() || undefined },
      });
      say($('page-status'), `${c.case_no}「${c.name}」已记录为${LABEL[result]}`);
      await load();
    } catch (err) {
      const f = err.fields && (err.fields.note || err.fields.result);
      say(out, f ? `请填写核查情况：${f}` : errorText(err), 'error');
    }
  };
  const ok = el('button', { type: 'button', class: 'btn' }, '核查属实');
  const bad = el('button', { type: 'button', class: 'btn btn-danger' }, '承诺不实');
  ok.addEventListener('click', () => send('verified'));
  bad.addEventListener('click', () => send('false'));
  return el('div', { class: 'check-close' },
    el('div', { class: 'field' }, el('label', { for: `note-${c.id}` }, '核查情况（承诺不实时必填）'), note),
    el('div', { class: 'actions' }, ok, bad),
    out);
}

function card(c) {
  const href = `/staff/case.html?no=${encodeURIComponent(c.case_no)}`;
  return el('li', { class: 'card', dataset: { check: String(c.id), status: c.status } },
    el('div', { class: 'top' },
      el('a', { class: 'case-no', href }, c.case_no), ' ',
      el('span', { class: 'status-chip' }, LABEL[c.status] || c.status),
      c.overdue ? el('span', { class: 'light light-red' }, '已超期') : ''),
    el('p', { class: 'title' }, `${c.name}（${c.item_name}）`),
    el('p', { class: 'meta' },
      `${c.applicant} · ${c.department_name} · 承诺于 ${when(c.opened_at)} · `,
      c.due ? `核查期限 ${c.due}${c.due_provisional ? '（暂定：节假日安排未发布）' : ''}` : '核查期限待定（节假日安排未导入）'),
    c.status !== 'open'
      ? el('p', { class: 'meta' }, `${when(c.closed_at)} ${c.closed_by || ''}：${c.note || LABEL[c.status]}`)
      : '',
    c.status === 'open' && role === 'approver' ? closeForm(c) : '');
}

async function load() {
  const list = $('check-list');
  list.setAttribute('aria-busy', 'true');
  try {
    const r = await apiGet('/promise-checks', { status: params.get('status') || 'open' });
    const n = r.counts;
    $('counts').textContent = `待核查 ${n.open} · 已超期 ${n.overdue} · 承诺不实 ${n.false} · 核查属实 ${n.verified}`;
    list.replaceChildren(...r.checks.map(card));
    if (!r.checks.length) list.append(el('li', { class: 'empty' }, '没有符合条件的核查任务'));
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

async function ready(me) {
  role = me.role;
  $('f-status').value = params.get('status') || 'open';
  $('filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    params = new URLSearchParams({ status: $('f-status').value });
    window.history.replaceState(null, '', `?${params}`);
    clear($('page-status'));
    load();
  });
  await load();
}

startStaffPage({ roles: ['approver', 'manager', 'admin'], onReady: ready });
