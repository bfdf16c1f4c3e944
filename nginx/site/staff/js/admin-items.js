/*
 * admin-items.js — 事项目录 (staff/admin/index.html): the region's items with search.  The
 * region administrator opens an item to change it or makes a new one; a hall administrator
 * opens it to choose whether the hall accepts it.
 *
 * Each item says whether the signed-in administrator's hall accepts it.
 *
 * API: GET /admin/items?q=&retired=1, GET /admin/halls/{hall}/items
 */

import { apiGet } from '/js/api.js';
import { el } from '/js/ui.js';
import { $, startStaffPage, say, errorText, when } from './cases-common.js';

let params = new URLSearchParams(window.location.search);
let hall = '';
let choices = new Map();	// item id → this hall's choice (GET /admin/halls/{hall}/items)

function choiceText(it) {
  const c = choices.get(it.id);
  if (!c) return '';
  if (!c.accepts) return ` · 本中心（${hall}）不受理`;
  return ` · 本中心（${hall}）受理，类别 ${c.category}${c.decides ? '' : '，由其他中心审批'}`;
}

function card(it) {
  const href = `/staff/admin/item.html?id=${encodeURIComponent(it.id)}`;
  return el('li', { class: 'card case-card', dataset: { item: it.id } },
    el('div', { class: 'top' },
      el('a', { class: 'case-no', href }, it.id), ' ',
      el('span', { class: 'status-chip' }, `第 ${it.version} 版`),
      it.retired_at ? el('span', { class: 'status-chip chip-retired' }, '已停用') : ''),
    el('p', { class: 'title' }, el('a', { href }, it.name)),
    el('p', { class: 'meta' },
      `${it.department_name} · ${it.kind === 'instant' ? '即办件' : '承诺件'} · 中心 ${it.hall}`
      + ` · 类别 ${it.category} · 材料 ${it.materials} 项`
      + (it.retired_at ? ` · ${when(it.retired_at)} 停用` : '') + choiceText(it)));
}

async function load() {
  const list = $('item-list');
  list.setAttribute('aria-busy', 'true');
  try {
    const q = params.get('q') || '';
    const [r, mine] = await Promise.all([
      apiGet('/admin/items', { q: q || undefined, retired: params.get('retired') ? '1' : undefined }),
      apiGet(`/admin/halls/${encodeURIComponent(hall)}/items`)]);
    choices = new Map(mine.items.map((c) => [c.id, c]));
    $('counts').textContent = `共 ${r.items.length} 个事项`;
    list.replaceChildren(...r.items.map(card));
    if (!r.items.length) list.append(el('li', { class: 'empty' }, '没有找到符合条件的事项'));
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

async function ready(me) {
  hall = me.hall;
  $('region-actions').hidden = me.role !== 'region_admin';
  $('f-q').value = params.get('q') || '';
  $('f-retired').checked = !!params.get('retired');
  $('filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    params = new URLSearchParams();
    if ($('f-q').value.trim()) params.set('q', $('f-q').value.trim());
    if ($('f-retired').checked) params.set('retired', '1');
    window.history.replaceState(null, '', params.toString() ? `?${params}` : window.location.pathname);
    load();
  });
  await load();
}

startStaffPage({ roles: ['region_admin', 'admin'], onReady: ready });
