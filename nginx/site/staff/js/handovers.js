/*
 * handovers.js — 材料交接 (staff/handovers.html): the sheets waiting for my signature, a new
 * sheet made from the cases my side holds (materials and pages prefilled from the case's last
 * sheet, each editable), and the sheets I sent.  A new sheet opens its printable page.
 *
 * API: GET /custody, GET /handovers?direction=&status=, GET /halls, POST /handovers
 */

import { api, apiGet } from '/js/api.js';
import { el, clear } from '/js/ui.js';
import {
  $, startStaffPage, when, say, errorText, newKey, showFieldErrors, statusChip,
} from './cases-common.js';

let key = newKey();
let held = [];

function sheetLine(h, href) {
  const t = h.totals || {};
  return el('li', { dataset: { handover: String(h.id), status: h.status } },
    el('a', { href }, `交接单 ${h.id}`), ' ',
    el('span', { class: 'status-chip' }, h.status_label), ' ',
    `${h.from ? h.from.label : ''} → ${h.to ? h.to.label : ''} · ${t.cases || 0} 件 ${t.pages || 0} 页 · ${when(h.sent_at)} ${h.sent_by ? h.sent_by.name : ''}`);
}

async function lists() {
  const inbox = $('inbox');
  const outbox = $('outbox');
  try {
    const [a, b] = await Promise.all([
      apiGet('/handovers', { direction: 'in', status: 'sent' }),
      apiGet('/handovers', { direction: 'out' }),
    ]);
    inbox.replaceChildren(...a.handovers.map((h) => sheetLine(h, `/staff/handover-receive.html?id=${h.id}`)));
    if (!a.handovers.length) inbox.append(el('li', { class: 'empty' }, '没有待签收的交接单'));
    outbox.replaceChildren(...b.handovers.slice(0, 50).map((h) => sheetLine(h, h.sheet_url)));
    if (!b.handovers.length) outbox.append(el('li', { class: 'empty' }, '还没有移交过'));
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  } finally {
    inbox.setAttribute('aria-busy', 'false');
    outbox.setAttribute('aria-busy', 'false');
  }
}

function caseItem(c, i) {
  const id = `c${i}`;
  const mats = c.materials.map((m, j) => el('li', { class: 'ho-mat', dataset: { code: m.code } },
    el('input', { type: 'checkbox', id: `${id}-m${j}`, checked: true, dataset: { code: m.code } }),
    el('label', { for: `${id}-m${j}` }, `${m.code} ${m.name}`),
    el('label', { class: 'ho-pages-label', for: `${id}-p${j}` }, '页数'),
    el('input', {
      id: `${id}-p${j}`, class: 'ho-pages', type: 'number', min: '1', max: '9999', inputmode: 'numeric',
      value: String(m.pages || 1), dataset: { pages: m.code },
    }),
    el('p', { class: 'field-error', 'aria-live': 'polite' })));
  return el('li', { class: 'card ho-case', dataset: { no: c.no } },
    el('div', { class: 'top' },
      el('input', { type: 'checkbox', id: `${id}-pick`, class: 'ho-pick' }),
      el('label', { for: `${id}-pick`, class: 'case-no' }, c.no), ' ', statusChip(c.status)),
    el('p', { class: 'title' }, c.title),
    el('ul', { class: 'ho-mats', 'aria-label': `${c.no} 的材料` }, mats));
}

async function loadHeld() {
  const list = $('held');
  list.setAttribute('aria-busy', 'true');
  try {
    ({ cases: held } = await apiGet('/custody'));
    list.replaceChildren(...held.map(caseItem));
    if (!held.length) list.append(el('li', { class: 'empty' }, '您这里现在没有可移交的办件'));
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

function showKind() {
  const k = $('to-kind').value;
  $('f-dept').hidden = k !== 'department';
  $('f-window').hidden = k !== 'window';
  $('f-hall').hidden = k !== 'hall';
  $('f-office').hidden = k !== 'office';
}

function body() {
  const k = $('to-kind').value;
  const to = {};
  if (k === 'department') to.department = $('to-dept').value.trim();
  if (k === 'window') to.window = Number($('to-window').value.trim()) || 0;
  if (k === 'hall') to.hall = $('to-hall').value;
  if (k === 'office') to.office = $('to-office').value.trim();
  const cases = [];
  for (const li of $('held').querySelectorAll('li.ho-case')) {
    if (!li.querySelector('.ho-pick').checked) continue;
    const materials = [];
    for (const m of li.querySelectorAll('li.ho-mat')) {
      if (!m.querySelector('input[type="checkbox"]').checked) continue;
      materials.push({ code: m.dataset.code, pages: Number(m.querySelector('.ho-pages').value) || 0 });
    }
    cases.push({ no: li.dataset.no, materials });
  }
  const b = { to, cases };
  if ($('note').value.trim()) b.note = $('note').value.trim();
  return b;
}

async function submit(ev) {
  ev.preventDefault();
  const form = $('new-sheet');
  const b = body();
  if (!b.cases.length) {
    say($('form-status'), '请勾选要移交的办件', 'error');
    return;
  }
  const btn = $('make');
  btn.disabled = true;
  try {
    const r = await api('/handovers', { method: 'POST', body: b, idempotencyKey: key });
    key = newKey();
    window.location.assign(r.handover.sheet_url);
  } catch (err) {
    const rest = showFieldErrors(form, err.fields);
    say($('form-status'), rest.length ? rest.join('；') : errorText(err), 'error');
  } finally {
    btn.disabled = false;
  }
}

async function ready() {
  try {
    const { halls } = await apiGet('/halls');
    $('to-hall').replaceChildren(...halls.map((h) => el('option', { value: h.code }, h.name)));
  } catch {
    clear($('to-hall'));
  }
  $('to-kind').addEventListener('change', showKind);
  showKind();
  $('new-sheet').addEventListener('submit', submit);
  await Promise.all([loadHeld(), lists()]);
}

startStaffPage({ roles: ['clerk', 'approver', 'manager'], onReady: ready });
