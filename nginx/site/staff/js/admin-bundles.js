/*
 * admin-bundles.js — 一件事 (staff/admin/bundles.html): the bundles with their items, the
 * union of their materials and their trail.  The region administrator creates, changes,
 * retires and restores them; a hall administrator reads them.
 *
 * API: GET /admin/bundles, GET/PUT /admin/bundles/{id}, POST /admin/bundles/{id}/retire|restore,
 *      GET /admin/items (the items offered), GET /halls
 */

import { api, apiGet, ApiError } from '/js/api.js';
import { el } from '/js/ui.js';
import { $, startStaffPage, say, errorText, when, showFieldErrors } from './cases-common.js';

let editable = false;
let current = null;	// the bundle shown, or null for a new one
let items = [];		// its item ids, in order
let names = new Map();	// item id → name

function itemRow(id, i) {
  const tools = el('div', { class: 'mat-tools' });
  if (editable) {
    const rm = el('button', { type: 'button', class: 'btn btn-danger', 'aria-label': `移除 ${names.get(id) || id}` }, '移除');
    rm.addEventListener('click', () => { items.splice(i, 1); renderItems(); });
    tools.append(rm);
  }
  return el('li', { class: 'mat-row', dataset: { field: `items[${i}]` } },
    el('p', { class: 'mat-title' }, `${i + 1}. ${id} ${names.get(id) || ''}`, tools),
    el('p', { class: 'field-error' }));
}

function renderItems() {
  $('b-items').replaceChildren(...items.map(itemRow));
}

function show(b, trail) {
  current = b;
  $('bundle-form').hidden = false;
  $('b-title').textContent = b ? b.name : '新建一件事';
  $('b-meta').textContent = b && b.retired_at ? `已于 ${when(b.retired_at)} 停用` : '';
  $('b-id').value = b ? b.id : '';
  $('b-id').readOnly = !!b;
  $('b-name').value = b ? b.name : '';
  $('b-sort').value = b ? String(b.sort) : '0';
  $('b-desc').value = b ? b.description : '';
  if (b) $('b-hall').value = b.hall;
  items = b ? [...b.items] : [];
  renderItems();
  $('b-mats').replaceChildren(...(b ? b.materials : []).map((m) => el('li', null,
    `${m.name}（${m.required ? '必交' : '选交'}，${m.copies} 份）— ${m.for.map((f) => `${names.get(f.item) || f.item} ${f.code}`).join('、')}`)));
  $('b-trail').replaceChildren(...(trail || []).map((r) => el('li', null,
    el('span', { class: 'when' }, when(r.at)), ' ',
    el('span', { class: 'what' }, `${{ create: '新建', change: '修改', retire: '停用', restore: '恢复' }[r.action] || r.action} · ${r.actor_name || r.actor}`))));
  $('b-retire').hidden = !editable || !b || !!b.retired_at;
  $('b-restore').hidden = !editable || !b || !b.retired_at;
  for (const c of $('bundle-form').querySelectorAll('input, select, textarea')) c.disabled = !editable;
  showFieldErrors($('bundle-form'), {});
}

async function open(id) {
  const r = await apiGet(`/admin/bundles/${encodeURIComponent(id)}`);
  show(r.bundle, r.audit);
  $('bundle-form').scrollIntoView();
}

async function loadList() {
  const list = $('bundle-list');
  list.setAttribute('aria-busy', 'true');
  try {
    const { bundles } = await apiGet('/admin/bundles');
    list.replaceChildren(...bundles.map((b) => {
      const a = el('a', { href: `?id=${encodeURIComponent(b.id)}` }, `${b.id} ${b.name}`);
      a.addEventListener('click', (ev) => { ev.preventDefault(); window.history.replaceState(null, '', `?id=${encodeURIComponent(b.id)}`); open(b.id); });
      return el('li', { class: 'card case-card', dataset: { bundle: b.id } },
        el('p', { class: 'title' }, a),
        el('p', { class: 'meta' }, `中心 ${b.hall} · ${b.items} 个事项${b.retired_at ? ' · 已停用' : ''}`));
    }));
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

async function save(ev) {
  ev.preventDefault();
  const id = $('b-id').value.trim();
  const body = {
    id, hall: $('b-hall').value, name: $('b-name').value.trim(), description: $('b-desc').value.trim(),
    sort: $('b-sort').value === '' ? 0 : Number($('b-sort').value), items,
  };
  try {
    const r = await api(`/admin/bundles/${encodeURIComponent(id || '-')}`, { method: 'PUT', body });
    say($('page-status'), r.action === 'unchanged' ? '没有改动' : '一件事已保存');
    window.history.replaceState(null, '', `?id=${encodeURIComponent(r.bundle.id)}`);
    await open(r.bundle.id);
    await loadList();
  } catch (err) {
    if (err instanceof ApiError && err.fields) {
      const rest = showFieldErrors($('bundle-form'), err.fields);
      say($('b-status'), rest.length ? `请修改标出的项目：${rest.join('；')}` : '请修改标出的项目', 'error');
    } else say($('b-status'), errorText(err), 'error');
  }
}

async function retire(on) {
  try {
    await api(`/admin/bundles/${encodeURIComponent(current.id)}/${on ? 'retire' : 'restore'}`, { method: 'POST' });
    say($('page-status'), on ? '一件事已停用' : '一件事已恢复');
    await open(current.id);
    await loadList();
  } catch (err) {
    say($('b-status'), errorText(err), 'error');
  }
}

async function ready(me) {
  editable = me.role === 'region_admin';
  $('new-row').hidden = !editable;
  $('b-save-row').hidden = !editable;
  $('b-add-row').hidden = !editable;
  try {
    const [{ halls }, list] = await Promise.all([apiGet('/halls'), apiGet('/admin/items')]);
    $('b-hall').replaceChildren(...halls.map((h) => el('option', { value: h.code }, h.name)));
    $('b-hall').value = me.hall;
    names = new Map(list.items.map((i) => [i.id, i.name]));
    $('b-item-list').replaceChildren(...list.items.map((i) => el('option', { value: i.id }, i.name)));
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  }
  $('new-bundle').addEventListener('click', () => { show(null, []); $('b-id').focus(); });
  $('b-add-btn').addEventListener('click', () => {
    const v = $('b-add').value.trim();
    if (v && !items.includes(v)) items.push(v);
    $('b-add').value = '';
    renderItems();
  });
  $('bundle-form').addEventListener('submit', save);
  $('b-retire').addEventListener('click', () => {
    if (window.confirm('停用后群众将不能再申请这件事，已受理的办件不受影响。确认停用？')) retire(true);
  });
  $('b-restore').addEventListener('click', () => retire(false));
  await loadList();
  const id = new URLSearchParams(window.location.search).get('id');
  if (id) await open(id).catch((err) => say($('page-status'), errorText(err), 'error'));
}

startStaffPage({ roles: ['region_admin', 'admin'], onReady: ready });
