/*
 * home.js — the citizen home page (index.html).
 *
 * API used (all public):
 *   GET /api/v1/halls                      → the hall: ?hall=code, else the first one
 *   GET /api/v1/halls/{hall}/categories    → queue cards, refreshed every 30 s
 *   GET /api/v1/items?hall=&q=&category=   → the service guide (办事指南)
 * Address parameters: hall, q, category (kept in step with the form), large (see ui.js).
 */

import { apiGet, MSG_UNAVAILABLE } from './api.js';
import {
  el, clear, initLargeText, showError, clearStatus, formatMinutes, formatClock,
} from './ui.js';

const REFRESH_MS = 30000;
const SEARCH_DEBOUNCE_MS = 300;

const $ = (id) => document.getElementById(id);

const state = {
  hall: null,
  categories: [],
  catNames: new Map(),
  catLoading: false,
  catLoadedAt: 0,
  itemsCtrl: null,
  itemsSeq: 0,
  timer: 0,
};

const params = new URLSearchParams(window.location.search);

/* What a citizen should read for a failed request: the API's own Chinese message for a
 * refusal (4xx), the standard "try again later" for outages and network trouble. */
function friendly(err) {
  if (!err || !err.status || err.status >= 500) return MSG_UNAVAILABLE;
  return err.message || MSG_UNAVAILABLE;
}

/* ---------- hall ---------- */

async function loadHall() {
  clearStatus($('hall-status'));
  $('queue-loading').hidden = false;
  let halls;
  try {
    ({ halls } = await apiGet('/halls'));
  } catch (err) {
    $('queue-loading').hidden = true;
    showError($('hall-status'), friendly(err), loadHall);
    return;
  }
  const wanted = params.get('hall');
  const list = Array.isArray(halls) ? halls : [];
  const hall = wanted ? list.find((h) => h.code === wanted) : list[0];
  if (!hall) {
    $('queue-loading').hidden = true;
    showError($('hall-status'), wanted
      ? '未找到该服务大厅，请核对链接或扫描大厅内的二维码'
      : '暂未查询到服务大厅信息，请稍后重试', wanted ? null : loadHall);
    return;
  }
  state.hall = hall;
  renderHall(hall);
  loadCategories();
  loadItems();
  startRefresh();
}

function renderHall(hall) {
  $('hall-name').textContent = hall.name;
  document.title = `${hall.name} · 一窗`;
  $('hall-address').textContent = hall.address || '—';
  $('hall-hours').textContent = hall.open && hall.close ? `${hall.open}–${hall.close}` : '—';
  $('hall-meta').hidden = false;
}

/* ---------- queue categories ---------- */

async function loadCategories() {
  if (!state.hall || state.catLoading) return;
  state.catLoading = true;
  const list = $('cat-list');
  list.setAttribute('aria-busy', 'true');
  try {
    const { categories } = await apiGet(
      `/halls/${encodeURIComponent(state.hall.code)}/categories`,
    );
    state.categories = Array.isArray(categories) ? categories : [];
    state.catNames = new Map(state.categories.map((c) => [c.code, c.name]));
    state.catLoadedAt = Date.now();
    renderCategories();
    fillCategorySelect();
    clearStatus($('queue-status'));
    $('queue-updated').textContent = `更新于 ${formatClock(new Date())} ·`;
  } catch (err) {
    // With numbers already on screen, say they are stale; keep them rather than blank the page.
    showError($('queue-status'), state.categories.length
      ? '排队数据暂未更新，请稍后重试'
      : friendly(err), loadCategories);
  } finally {
    state.catLoading = false;
    $('queue-loading').hidden = true;
    list.setAttribute('aria-busy', 'false');
  }
}

function renderCategories() {
  const cards = state.categories.map((c) => {
    const waiting = Math.max(0, Number(c.waiting) || 0);
    const eta = waiting === 0 ? '预计无需等候' : `预计等候约 ${formatMinutes(c.eta_minutes)}`;
    return el('li', { class: 'cat-card', dataset: { code: c.code } },
      el('h3', { class: 'cat-title' },
        el('span', { class: 'cat-code', 'aria-hidden': 'true' }, c.code),
        el('span', { class: 'cat-name' }, c.name)),
      el('p', { class: 'cat-waiting' }, '等候 ', el('strong', null, String(waiting)), ' 人'),
      el('p', { class: 'cat-eta' }, eta));
  });
  if (!cards.length) {
    cards.push(el('li', { class: 'empty' }, '今日暂无排队信息'));
  }
  $('cat-list').replaceChildren(...cards);
}

function fillCategorySelect() {
  const select = $('category');
  const current = select.value || params.get('category') || '';
  const options = [el('option', { value: '' }, '全部类别')];
  for (const c of state.categories) {
    options.push(el('option', { value: c.code }, `${c.code} · ${c.name}`));
  }
  select.replaceChildren(...options);
  if (state.categories.some((c) => c.code === current)) select.value = current;
}

function startRefresh() {
  clearInterval(state.timer);
  state.timer = setInterval(() => {
    if (!document.hidden) loadCategories();
  }, REFRESH_MS);
  // Back from another app or tab: refresh at once if the numbers are stale.
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && Date.now() - state.catLoadedAt >= REFRESH_MS) loadCategories();
  });
}

/* ---------- service guide ---------- */

function currentQuery() {
  return {
    q: $('q').value.trim().slice(0, 50),
    category: $('category').value,
  };
}

function syncAddress({ q, category }) {
  const p = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries({ q, category })) {
    if (v) p.set(k, v);
    else p.delete(k);
  }
  const s = p.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${s ? `?${s}` : ''}${window.location.hash}`);
}

async function loadItems() {
  if (!state.hall) return;
  const query = currentQuery();
  syncAddress(query);
  if (state.itemsCtrl) state.itemsCtrl.abort();
  const ctrl = new AbortController();
  state.itemsCtrl = ctrl;
  const seq = ++state.itemsSeq;

  const list = $('item-list');
  list.setAttribute('aria-busy', 'true');
  $('guide-loading').hidden = list.childElementCount > 0;
  clearStatus($('guide-status'));

  try {
    const { items } = await apiGet('/items', { hall: state.hall.code, ...query }, { signal: ctrl.signal });
    if (seq !== state.itemsSeq) return;
    renderItems(Array.isArray(items) ? items : [], query);
  } catch (err) {
    if (ctrl.signal.aborted || seq !== state.itemsSeq) return;
    showError($('guide-status'), friendly(err), loadItems);
    $('guide-count').textContent = '';
  } finally {
    if (seq === state.itemsSeq) {
      $('guide-loading').hidden = true;
      list.setAttribute('aria-busy', 'false');
    }
  }
}

function renderItems(items, query) {
  const filtered = query.q || query.category;
  const count = $('guide-count');
  if (!items.length) {
    count.textContent = filtered
      ? '未找到相关事项，请换个说法（如“营业执照”“社保卡”“过户”）或类别试试；不确定的可到大厅取 A 号（无差别受理）咨询'
      : '暂无可查询的事项';
  } else {
    count.textContent = filtered ? `找到 ${items.length} 项相关事项` : `共 ${items.length} 项事项`;
  }
  $('item-list').replaceChildren(...items.map(renderItem));
  $('guide-legend').hidden = !items.some((it) => Array.isArray(it.materials) && it.materials.length);
}

function timeLimit(item) {
  if (item.kind === 'instant') return '即办件';
  const days = Number(item.promised_days);
  return Number.isFinite(days) && days > 0 ? `承诺 ${days} 个工作日` : '承诺件';
}

function materialTag(m) {
  if (!m.required) return el('span', { class: 'tag tag-optional' }, '可选');
  if (m.waivable) return el('span', { class: 'tag tag-waivable' }, '可容缺');
  return el('span', { class: 'tag tag-required' }, '必需');
}

/* 告知承诺制: the certificate may be replaced by the applicant's signed promise. */
function promiseTag(m) {
  return m.promise_allowed ? el('span', { class: 'tag tag-promise' }, '可告知承诺') : null;
}

function renderItem(item) {
  const instant = item.kind === 'instant';
  const materials = Array.isArray(item.materials) ? item.materials : [];
  const catName = state.catNames.get(item.category);

  const summary = el('summary', null,
    el('span', { class: 'item-head' },
      el('span', { class: 'item-name' }, item.name),
      el('span', { class: 'badges' },
        el('span', { class: `badge ${instant ? 'badge-instant' : 'badge-promised'}` }, timeLimit(item)),
        item.cross_province ? el('span', { class: 'badge badge-cross' }, '跨省通办') : null,
        item.must_attend ? el('span', { class: 'badge badge-attend' }, '须本人到场') : null)));

  const facts = el('dl', { class: 'item-facts' },
    el('dt', null, '实施部门'), el('dd', null, item.department_name || '—'),
    el('dt', null, '办理时限'),
    el('dd', null, instant ? '即办件（材料齐全可当场办结）' : timeLimit(item)),
    el('dt', null, '取号类别'),
    el('dd', null, catName ? `${item.category} · ${catName}` : (item.category || '—')),
    item.cross_province ? [el('dt', null, '跨省通办'), el('dd', null, '支持异地受理')] : null,
    item.must_attend ? [el('dt', null, '办理方式'),
      el('dd', { class: 'must-attend' }, '须申请人本人到政务服务中心现场办理，不能网上申请，请预约后到场')] : null);

  const body = el('div', { class: 'item-body' },
    facts,
    el('h3', null, materials.length ? `申请材料（${materials.length} 项）` : '申请材料'),
    materials.length
      ? el('ul', { class: 'materials' }, materials.map((m) => el('li', { class: 'material' },
        el('span', { class: 'material-name' }, m.name),
        materialTag(m), promiseTag(m))))
      : el('p', null, '无需提交材料'),
    el('div', { class: 'item-actions' },
      el('a', { class: 'btn', href: `/book.html?${new URLSearchParams({ hall: item.hall || state.hall.code, category: item.category })}` }, '预约'),
      item.must_attend
        ? null
        : el('a', { class: 'btn btn-secondary', href: `/apply.html?${new URLSearchParams({ item: item.id })}` }, '在线办理')));

  return el('li', null, el('details', { class: 'item', dataset: { id: item.id } }, summary, body));
}

function initGuide() {
  const form = $('guide-form');
  const q = $('q');
  const category = $('category');
  q.value = (params.get('q') || '').slice(0, 50);
  // A category from the address applies to the first search, before the names arrive.
  const wantedCat = (params.get('category') || '').slice(0, 8);
  if (wantedCat) {
    category.append(el('option', { value: wantedCat }, wantedCat));
    category.value = wantedCat;
  }

  let debounce = 0;
  let composing = false;
  const later = () => {
    clearTimeout(debounce);
    debounce = setTimeout(loadItems, SEARCH_DEBOUNCE_MS);
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(debounce);
    loadItems();
  });
  // Pinyin/handwriting input: search when a word is committed, not on every keystroke.
  q.addEventListener('compositionstart', () => { composing = true; });
  q.addEventListener('compositionend', () => { composing = false; later(); });
  q.addEventListener('input', (ev) => {
    if (!composing && !ev.isComposing) later();
  });
  category.addEventListener('change', () => {
    clearTimeout(debounce);
    loadItems();
  });
}

/* Printing the guide prints every item open, then puts them back. */
function initPrint() {
  let opened = [];
  window.addEventListener('beforeprint', () => {
    opened = [...document.querySelectorAll('details.item:not([open])')];
    for (const d of opened) d.open = true;
  });
  window.addEventListener('afterprint', () => {
    for (const d of opened) d.open = false;
    opened = [];
  });
}

initLargeText($('toggle-large'));
initGuide();
initPrint();
loadHall();
