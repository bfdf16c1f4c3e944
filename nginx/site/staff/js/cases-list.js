/*
 * cases-list.js — 办件列表 (staff/cases.html): the cases of the hall (an approver: of their
 * department), filtered by status and by the 电子监察 light, newest first — or, when looking
 * at warnings, the nearest deadline first.  The filters live in the address (?status=&overdue=
 * &q=&page=) so a manager can bookmark "已超期".
 *
 * API: GET /cases?status=&overdue=&q=&page=
 *      GET /case-waivers (a clerk: the 容缺 materials of the cases they accepted, still
 *      awaited, nearest due first; the overdue ones marked 已逾期 N 天)
 */

import { apiGet } from '/js/api.js';
import { el, clear } from '/js/ui.js';
import {
  $, startStaffPage, STATUS, lightChip, statusChip, when, say, errorText,
} from './cases-common.js';

const PER_PAGE = 20;
let params = new URLSearchParams(window.location.search);

function card(c) {
  const href = `/staff/case.html?no=${encodeURIComponent(c.no)}`;
  return el('li', null, el('a', { class: `case-card warn-${c.warning}`, href, dataset: { no: c.no } },
    el('div', { class: 'top' },
      el('span', { class: 'case-no' }, c.no),
      el('span', null, statusChip(c.status), ' ', lightChip(c.warning))),
    el('p', { class: 'title' }, c.item_name),
    el('p', { class: 'meta' },
      `${c.applicant} · ${c.department_name || ''} · 受理 ${when(c.accepted_at)}`,
      c.deadline ? ` · 期限 ${c.deadline}` : '',
      c.cross_province ? ' · 跨省通办' : '')));
}

async function load() {
  const list = $('case-list');
  list.setAttribute('aria-busy', 'true');
  const page = Number(params.get('page') || 1);
  try {
    const r = await apiGet('/cases', {
      status: params.get('status'), overdue: params.get('overdue'), q: params.get('q'),
      page, per_page: PER_PAGE,
    });
    clear($('page-status'));
    list.replaceChildren(...r.cases.map(card));
    if (!r.cases.length) list.append(el('li', { class: 'empty' }, '没有符合条件的办件'));
    $('count').textContent = `共 ${r.total} 件`;
    const pages = Math.max(1, Math.ceil(r.total / PER_PAGE));
    $('pager').hidden = pages <= 1;
    $('page-no').textContent = `第 ${page} / ${pages} 页`;
    $('prev').disabled = page <= 1;
    $('next').disabled = page >= pages;
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

/* A clerk's own 容缺 acceptances still awaiting a material: shown above the list. */
async function loadWaivers() {
  try {
    const r = await apiGet('/case-waivers', { limit: 20 });
    const list = r.waivers || [];
    $('my-waivers').hidden = !list.length;
    $('my-waivers-list').replaceChildren(...list.map((w) => el('li', { class: w.overdue ? 'overdue' : '', dataset: { case: w.case_no } },
      el('a', { href: `/staff/case.html?no=${encodeURIComponent(w.case_no)}` }, w.case_no), ' ',
      el('span', null, w.name), ' ',
      el('span', { class: w.overdue ? 'tag-over' : 'muted' },
        w.overdue ? `约定 ${w.due} 前补交，已逾期 ${w.days_overdue} 天` : `约定 ${w.due} 前补交`))));
  } catch (err) {
    $('my-waivers').hidden = true;
  }
}

function go(next) {
  params = next;
  const qs = params.toString();
  window.history.replaceState(null, '', qs ? `?${qs}` : window.location.pathname);
  load();
}

async function ready(me) {
  $('f-status').append(...Object.entries(STATUS).map(([k, v]) => el('option', { value: k }, v)));
  $('f-status').value = params.get('status') || '';
  $('f-overdue').value = params.get('overdue') || '';
  $('f-q').value = params.get('q') || '';
  $('filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const [k, id] of [['status', 'f-status'], ['overdue', 'f-overdue'], ['q', 'f-q']]) {
      const v = $(id).value.trim();
      if (v) p.set(k, v);
    }
    go(p);
  });
  for (const [id, d] of [['prev', -1], ['next', 1]]) {
    $(id).addEventListener('click', () => {
      const p = new URLSearchParams(params);
      p.set('page', String(Math.max(1, Number(p.get('page') || 1) + d)));
      go(p);
    });
  }
  if (me && me.role === 'clerk') loadWaivers();
  await load();
}

startStaffPage({ roles: ['clerk', 'approver', 'manager', 'admin'], onReady: ready });
