/*
 * admin-item.js — one item of the region's catalog (staff/admin/item.html?id=…, or without
 * id a new one): the item's fields, its materials editor, the hall's choice and the audit
 * trail.  The region administrator saves (a new version when anything changed), retires and
 * restores; a hall administrator reads the item and sets the hall's choice.  A 400 puts each
 * message next to its field (data-field = the API's field: "name", "materials[2].note").
 *
 * API: GET/PUT /admin/items/{id}, POST /admin/items/{id}/retire|restore,
 *      GET/PUT /admin/halls/{hall}/items/{id}, GET /halls, GET /halls/{hall}/categories,
 *      GET /admin/items (the departments offered)
 */

import { api, apiGet, ApiError } from '/js/api.js';
import { el } from '/js/ui.js';
import { $, startStaffPage, say, errorText, when, showFieldErrors } from './cases-common.js';

const KINDS = [['promised', '承诺件'], ['instant', '即办件']];
const FORMS = [['original', '原件'], ['copy', '复印件'], ['original_and_copy', '原件及复印件'], ['electronic', '电子件']];
const RESULTS = [['decision', '决定书'], ['licence', '证照'], ['permit', '许可证'], ['certificate', '证书']];
const ACTIONS = { create: '新建', change: '修改', retire: '停用', restore: '恢复', choose: '中心选择' };
const LABELS = {
  id: '事项编号', hall: '所属中心', name: '事项名称', category: '业务类别', department: '实施部门',
  kind: '办件类型', promised_days: '承诺时限（工作日）', legal_days: '法定时限（工作日，0 表示无）',
  fee: '收费', basis: '设定依据', description: '办理说明', sort: '排序', must_attend: '须本人到场',
  cross_province: '跨省通办', result_kind: '办理结果类型', result_name: '结果名称',
  result_valid_years: '有效期（年，0 表示长期）', result_electronic: '可下载电子证照', keywords: '检索词',
};

let me = null;
let id = new URLSearchParams(window.location.search).get('id');
let item = null;
let mats = [];
let editable = false;

function box(name, control, hint) {
  const cid = control.id;
  const isCheck = control.type === 'checkbox';
  return el('div', { class: 'field', dataset: { field: name } },
    isCheck ? el('label', { class: 'check', for: cid }, control, ` ${LABELS[name] || name}`)
      : el('label', { for: cid }, LABELS[name] || name),
    isCheck ? '' : control,
    hint ? el('p', { class: 'field-hint', id: `${cid}-hint` }, hint) : '',
    el('p', { class: 'field-error', id: `${cid}-err` }));
}

function input(name, attrs = {}) {
  return el('input', { id: `i-${name}`, name, autocomplete: 'off', ...attrs });
}

function select(name, options) {
  return el('select', { id: `i-${name}`, name }, options.map(([v, t]) => el('option', { value: v }, t)));
}

function buildFields(halls, depts) {
  const f = $('item-fields');
  f.replaceChildren(
    box('id', input('id', { maxlength: '40', pattern: '[A-Za-z0-9_.-]+' }), '字母、数字或 _ . -，保存后不能修改'),
    box('name', input('name', { maxlength: '200' })),
    box('hall', select('hall', halls.map((h) => [h.code, h.name]))),
    box('category', select('category', [])),
    box('department', input('department', { maxlength: '32', list: 'dept-list' }), '部门编码'),
    el('datalist', { id: 'dept-list' }, depts.map(([c, n]) => el('option', { value: c }, n))),
    box('kind', select('kind', KINDS)),
    box('promised_days', input('promised_days', { type: 'number', min: '0', max: '365', inputmode: 'numeric' })),
    box('legal_days', input('legal_days', { type: 'number', min: '0', max: '365', inputmode: 'numeric' })),
    box('fee', input('fee', { maxlength: '100' })),
    box('basis', el('textarea', { id: 'i-basis', name: 'basis', maxlength: '300', rows: '2' })),
    box('description', el('textarea', { id: 'i-description', name: 'description', maxlength: '500', rows: '3' })),
    box('keywords', input('keywords'), '群众搜索时用的词，用逗号或空格分开'),
    box('sort', input('sort', { type: 'number', min: '0', max: '65535', inputmode: 'numeric' })),
    box('result_kind', select('result_kind', RESULTS)),
    box('result_name', input('result_name', { maxlength: '60' })),
    box('result_valid_years', input('result_valid_years', { type: 'number', min: '0', max: '100', inputmode: 'numeric' })),
    box('must_attend', input('must_attend', { type: 'checkbox' })),
    box('cross_province', input('cross_province', { type: 'checkbox' })),
    box('result_electronic', input('result_electronic', { type: 'checkbox' })),
  );
  $('i-hall').addEventListener('change', () => loadCategories($('i-hall').value, $('i-category'), null));
}

async function loadCategories(hall, sel, chosen) {
  try {
    const { categories } = await apiGet(`/halls/${encodeURIComponent(hall)}/categories`);
    sel.replaceChildren(...categories.map((c) => el('option', { value: c.code }, `${c.code} ${c.name}`)));
    if (chosen) sel.value = chosen;
  } catch (err) {
    say($('form-status'), errorText(err), 'error');
  }
}

function matRow(m, i) {
  const p = `materials[${i}].`;
  const idp = `m${i}-`;
  const check = (name, text) => {
    const c = el('input', { type: 'checkbox', id: `${idp}${name}`, checked: m[name] ? true : null });
    c.addEventListener('change', () => { m[name] = c.checked; });
    return el('div', { class: 'field', dataset: { field: p + name } },
      el('label', { class: 'check', for: c.id }, c, ` ${text}`), el('p', { class: 'field-error' }));
  };
  const text = (name, label, attrs) => {
    const c = el(attrs.rows ? 'textarea' : 'input', { id: `${idp}${name}`, ...attrs });
    c.value = m[name] == null ? '' : String(m[name]);
    c.addEventListener('input', () => { m[name] = attrs.type === 'number' ? Number(c.value) : c.value; });
    return el('div', { class: 'field', dataset: { field: p + name } },
      el('label', { for: c.id }, label), c, el('p', { class: 'field-error' }));
  };
  const form = el('select', { id: `${idp}form` }, FORMS.map(([v, t]) => el('option', { value: v }, t)));
  form.value = m.form || 'original';
  form.addEventListener('change', () => { m.form = form.value; });
  const tools = el('div', { class: 'mat-tools' });
  if (editable) {
    const up = el('button', { type: 'button', class: 'btn btn-secondary', 'aria-label': `上移第 ${i + 1} 项材料` }, '上移');
    const rm = el('button', { type: 'button', class: 'btn btn-danger', 'aria-label': `删除第 ${i + 1} 项材料` }, '删除');
    up.disabled = i === 0;
    up.addEventListener('click', () => { [mats[i - 1], mats[i]] = [mats[i], mats[i - 1]]; renderMats(); });
    rm.addEventListener('click', () => { mats.splice(i, 1); renderMats(); });
    tools.append(up, rm);
  }
  return el('li', { class: 'mat-row', dataset: { index: String(i), code: m.code || '' } },
    el('p', { class: 'mat-title' }, `${i + 1}. ${m.code ? `编号 ${m.code}` : '新材料'}`, tools),
    el('div', { class: 'form-grid' },
      text('name', '材料名称', { maxlength: '200' }),
      el('div', { class: 'field', dataset: { field: `${p}form` } },
        el('label', { for: form.id }, '形式'), form, el('p', { class: 'field-error' })),
      text('copies', '份数', { type: 'number', min: '1', max: '20', inputmode: 'numeric' }),
      text('note', '要求说明', { maxlength: '300', rows: '2' })),
    el('div', { class: 'checks' },
      check('required', '必交'), check('waivable', '可容缺受理'), check('promise_allowed', '可告知承诺替代')));
}

function renderMats() {
  $('mat-rows').replaceChildren(...mats.map(matRow));
  for (const c of $('mat-rows').querySelectorAll('input, select, textarea')) c.disabled = !editable;
}

function fill(it) {
  item = it;
  for (const k of ['id', 'name', 'department', 'promised_days', 'legal_days', 'fee', 'basis', 'description', 'sort', 'result_name', 'result_valid_years']) {
    $(`i-${k}`).value = it[k] == null ? '' : String(it[k]);
  }
  for (const k of ['kind', 'result_kind', 'hall']) $(`i-${k}`).value = it[k];
  for (const k of ['must_attend', 'cross_province', 'result_electronic']) $(`i-${k}`).checked = !!it[k];
  $('i-keywords').value = (it.keywords || []).join('，');
  $('i-id').readOnly = true;
  mats = it.materials.map((m) => ({ ...m }));
  renderMats();
  $('item-meta').textContent = `第 ${it.version} 版${it.retired_at ? ` · 已于 ${when(it.retired_at)} 停用` : ''}`;
  $('form-title').textContent = it.name;
  document.title = `${it.name} · 一窗`;
  $('retire').hidden = !editable || !!it.retired_at;
  $('restore').hidden = !editable || !it.retired_at;
}

function body() {
  const num = (k) => ($(`i-${k}`).value.trim() === '' ? undefined : Number($(`i-${k}`).value));
  return {
    id: $('i-id').value.trim(),
    hall: $('i-hall').value,
    name: $('i-name').value.trim(),
    category: $('i-category').value,
    department: $('i-department').value.trim(),
    kind: $('i-kind').value,
    promised_days: num('promised_days'),
    legal_days: num('legal_days'),
    fee: $('i-fee').value.trim() || undefined,
    basis: $('i-basis').value.trim(),
    description: $('i-description').value.trim(),
    sort: num('sort'),
    result_kind: $('i-result_kind').value,
    result_name: $('i-result_name').value.trim(),
    result_valid_years: num('result_valid_years'),
    must_attend: $('i-must_attend').checked,
    cross_province: $('i-cross_province').checked,
    result_electronic: $('i-result_electronic').checked,
    keywords: $('i-keywords').value.split(/[\s,，、]+/).filter(Boolean),
    materials: mats.map((m) => ({
      code: m.code || undefined, name: (m.name || '').trim(), required: !!m.required,
      waivable: !!m.waivable, promise_allowed: !!m.promise_allowed, form: m.form || 'original',
      copies: m.copies === '' || m.copies == null ? 1 : Number(m.copies), note: (m.note || '').trim(),
    })),
  };
}

function describe(row) {
  const out = [];
  const b = row.before || {};
  const a = row.after || {};
  for (const k of Object.keys(LABELS)) {
    if (k === 'id' || JSON.stringify(b[k]) === JSON.stringify(a[k]) || !row.before) continue;
    const show = (v) => (Array.isArray(v) ? v.join('、') : v === true ? '是' : v === false ? '否' : v == null ? '—' : String(v));
    out.push(`${LABELS[k]}：${show(b[k])} → ${show(a[k])}`);
  }
  for (const k of ['accepts', 'decides', 'category']) {
    if (row.before && k in a && JSON.stringify(b[k]) !== JSON.stringify(a[k])) out.push(`${k === 'accepts' ? '受理' : k === 'decides' ? '本中心审批' : '类别'}：${b[k]} → ${a[k]}`);
  }
  const names = (x) => (x.materials || []).map((m) => `${m.code} ${m.name}`);
  const was = names(b);
  const now = names(a);
  for (const m of now) if (row.before && !was.includes(m)) out.push(`新增材料 ${m}`);
  for (const m of was) if (row.after && !now.includes(m)) out.push(`停用材料 ${m}`);
  return out;
}

function renderTrail(rows) {
  $('trail-box').hidden = false;
  $('trail').replaceChildren(...rows.map((r) => el('li', null,
    el('span', { class: 'when' }, when(r.at)), ' ',
    el('span', { class: 'what' }, `${ACTIONS[r.action] || r.action}${r.version ? `（第 ${r.version} 版）` : ''} · ${r.actor_name || r.actor}`),
    el('ul', { class: 'diff' }, describe(r).map((t) => el('li', null, t))))));
  if (!rows.length) $('trail').append(el('li', { class: 'empty' }, '还没有变更记录'));
}

async function loadItem() {
  const r = await apiGet(`/admin/items/${encodeURIComponent(id)}`);
  fill(r.item);
  await loadCategories(r.item.hall, $('i-category'), r.item.category);
  const choices = await loadChoice();
  // One trail: the item's changes and this hall's choices about it, newest first.
  renderTrail([...r.audit, ...choices].sort((a, b) => b.id - a.id));
}

/* The hall's choice into its form; its trail rows (none when it cannot be read). */
async function loadChoice() {
  const hall = me.hall;
  const form = $('choice-form');
  try {
    const r = await apiGet(`/admin/halls/${encodeURIComponent(hall)}/items/${encodeURIComponent(id)}`);
    form.hidden = false;
    $('choice-title').textContent = `本中心受理（${hall}）`;
    $('c-accepts').checked = !!r.choice.accepts;
    $('c-decides').checked = !!r.choice.decides;
    await loadCategories(hall, $('c-category'), r.choice.category);
    return r.audit.map((row) => ({ ...row, action: 'choose' }));
  } catch (err) {
    say($('choice-status'), errorText(err), 'error');
    return [];
  }
}

async function save(ev) {
  ev.preventDefault();
  const form = $('item-form');
  const b = body();
  const btn = $('save');
  btn.disabled = true;
  showFieldErrors(form, {});
  say($('form-status'), '');
  try {
    const r = await api(`/admin/items/${encodeURIComponent(b.id || '-')}`, { method: 'PUT', body: b });
    const first = !id;
    id = r.item.id;
    if (first) window.history.replaceState(null, '', `?id=${encodeURIComponent(id)}`);
    say($('page-status'), r.action === 'unchanged' ? '没有改动' : `已保存：第 ${r.item.version} 版`);
    await loadItem();
  } catch (err) {
    if (err instanceof ApiError && err.fields) {
      const rest = showFieldErrors(form, err.fields);
      say($('form-status'), rest.length ? `请修改标出的项目：${rest.join('；')}` : '请修改标出的项目', 'error');
      const bad = form.querySelector('.has-error input, .has-error select, .has-error textarea');
      if (bad) bad.focus();
    } else say($('form-status'), errorText(err), 'error');
  } finally {
    btn.disabled = false;
  }
}

async function retire(on) {
  try {
    await api(`/admin/items/${encodeURIComponent(id)}/${on ? 'retire' : 'restore'}`, { method: 'POST' });
    $('retire-confirm').hidden = true;
    say($('page-status'), on ? '事项已停用' : '事项已恢复');
    await loadItem();
  } catch (err) {
    say($('form-status'), errorText(err), 'error');
  }
}

async function saveChoice(ev) {
  ev.preventDefault();
  const form = $('choice-form');
  showFieldErrors(form, {});
  try {
    await api(`/admin/halls/${encodeURIComponent(me.hall)}/items/${encodeURIComponent(id)}`, {
      method: 'PUT',
      body: { accepts: $('c-accepts').checked, decides: $('c-decides').checked, category: $('c-category').value || undefined },
    });
    say($('choice-status'), $('c-accepts').checked ? '已保存：本中心受理此事项' : '已保存：本中心不受理此事项');
    await loadItem();
  } catch (err) {
    if (err instanceof ApiError && err.fields) showFieldErrors(form, err.fields);
    say($('choice-status'), errorText(err), 'error');
  }
}

async function ready(who) {
  me = who;
  editable = me.role === 'region_admin';
  let halls = [];
  let depts = [];
  try {
    ({ halls } = await apiGet('/halls'));
    const { items } = await apiGet('/admin/items', { retired: '1' });
    const seen = new Map();
    for (const it of items) seen.set(it.department, it.department_name);
    depts = [...seen.entries()];
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  }
  buildFields(halls, depts);
  $('mat-add').hidden = !editable;
  $('save-row').hidden = !editable;
  $('mat-add').addEventListener('click', () => {
    mats.push({ name: '', required: true, form: 'original', copies: 1, note: '' });
    renderMats();
    $(`m${mats.length - 1}-name`).focus();
  });
  $('item-form').addEventListener('submit', save);
  $('retire').addEventListener('click', () => { $('retire-confirm').hidden = false; $('retire-yes').focus(); });
  $('retire-no').addEventListener('click', () => { $('retire-confirm').hidden = true; $('retire').focus(); });
  $('retire-yes').addEventListener('click', () => retire(true));
  $('restore').addEventListener('click', () => retire(false));
  $('choice-form').addEventListener('submit', saveChoice);
  try {
    if (id) await loadItem();
    else {
      $('form-title').textContent = '新建事项';
      $('i-hall').value = me.hall;
      $('i-fee').value = '不收费';
      $('i-promised_days').value = '5';
      $('i-legal_days').value = '20';
      await loadCategories(me.hall, $('i-category'), null);
      mats = [];
      renderMats();
    }
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  }
  for (const c of $('item-fields').querySelectorAll('input, select, textarea')) c.disabled = !editable;
}

startStaffPage({ roles: ['region_admin', 'admin'], onReady: ready });
