/*
 * city.js — 全市政务服务概况 (staff/city.html): every hall of the city side by side and the
 * city total, for a period (the city manager, role city_manager).  Read only: the page
 * changes nothing in any hall.
 *
 * API: GET /city/stats?from=&to=
 */

import { apiGet } from '/js/api.js';
import { el, clear } from '/js/ui.js';
import { $, startStaffPage, say, errorText } from './cases-common.js';

const KIND = { centre: '市中心', district: '区级', station: '便民服务站' };

const num = (v) => (v === null || v === undefined ? '—' : String(v));
const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);

function cells(r) {
  return [
    el('td', null, num(r.tickets_taken)),
    el('td', null, num(r.tickets_served)),
    el('td', null, r.avg_wait_minutes === null ? '—' : r.avg_wait_minutes.toFixed(1)),
    el('td', null, num(r.cases_accepted)),
    el('td', null, num(r.cases_decided)),
    el('td', { class: r.cases_overdue > 0 ? 'tag-over' : '' }, num(r.cases_overdue)),
    el('td', null, num(r.reviews)),
    el('td', null, pct(r.satisfaction)),
  ];
}

function row(r) {
  return el('tr', { dataset: { hall: r.hall } },
    el('th', { scope: 'row' }, r.name, el('span', { class: 'muted' }, ` ${KIND[r.kind] || ''}`)),
    ...cells(r));
}

async function load() {
  const table = $('city-table');
  const q = {};
  if ($('from').value) q.from = $('from').value;
  if ($('to').value) q.to = $('to').value;
  table.setAttribute('aria-busy', 'true');
  try {
    const s = await apiGet('/city/stats', q);
    $('from').value = s.from;
    $('to').value = s.to;
    $('city-caption').textContent = s.from === s.to
      ? `${s.city.name} ${s.from}，共 ${s.total.halls} 个服务大厅`
      : `${s.city.name} ${s.from} 至 ${s.to}，共 ${s.total.halls} 个服务大厅`;
    $('city-rows').replaceChildren(...s.halls.map(row));
    $('city-total').replaceChildren(el('tr', { class: 'total', dataset: { hall: 'total' } },
      el('th', { scope: 'row' }, '全市合计'), ...cells(s.total)));
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  } finally {
    table.setAttribute('aria-busy', 'false');
  }
}

async function ready() {
  const p = new URLSearchParams(window.location.search);
  if (/^\d{4}-\d{2}-\d{2}$/.test(p.get('from') || '')) $('from').value = p.get('from');
  if (/^\d{4}-\d{2}-\d{2}$/.test(p.get('to') || '')) $('to').value = p.get('to');
  $('period').addEventListener('submit', (ev) => {
    ev.preventDefault();
    clear($('page-status'));
    const u = new URLSearchParams();
    if ($('from').value) u.set('from', $('from').value);
    if ($('to').value) u.set('to', $('to').value);
    window.history.replaceState(null, '', u.toString() ? `?${u}` : window.location.pathname);
    load();
  });
  await load();
}

startStaffPage({ roles: ['city_manager'], onReady: ready });
