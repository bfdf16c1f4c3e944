/*
 * cross-province.js — 跨省通办 收受分离 (staff/cross-province.html): the window's figures, its
 * cases by direction and state, one case's steps with the form of the next step, and the
 * registration of a case another province accepted for us.
 *
 * API: GET /cross-province/figures, GET /cross-province/cases?state=&direction=,
 *      GET /cases/{no}, GET /cases/{no}/cross-province, POST /cases/{no}/cross-province,
 *      POST /cross-province/incoming
 */

import { api, apiGet } from '/js/api.js';
import { el } from '/js/ui.js';
import {
  $, startStaffPage, say, errorText, showFieldErrors,
} from './cases-common.js';

const STATES = ['accepted', 'dispatched', 'received', 'decided', 'returned', 'delivered'];
const STEPS = ['dispatch', 'receive', 'decide', 'return', 'deliver'];
const LABEL = {
  accepted: '已受理', dispatched: '已寄出', received: '办理地已收件', decided: '已决定',
  returned: '结果已寄回', delivered: '已送达',
};
const LABEL_IN = { ...LABEL, accepted: '外省已受理', dispatched: '外省已寄出', received: '本地已收件', returned: '结果已寄回外省' };
const STEP_LABEL = {
  dispatch: '寄出材料', receive: '登记收件', decide: '录入决定', return: '结果寄回', deliver: '送达申请人',
};
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

let current = null;	/* { no, part, case } */

async function figures() {
  const { figures: f } = await apiGet('/cross-province/figures');
  const row = (name, side) => el('tr', { dataset: { direction: name === '本地受理、外省办理' ? 'out' : 'in' } },
    el('th', { scope: 'row' }, name),
    ...STATES.map((s) => el('td', { dataset: { state: s } }, String(side[s] || 0))),
    el('td', { class: side.overdue ? 'late' : '', dataset: { state: 'overdue' } }, String(side.overdue || 0)));
  $('figures').tBodies[0].replaceChildren(row('本地受理、外省办理', f.out), row('外省受理、本地办理', f.in));
}

async function list() {
  const ul = $('xp-list');
  ul.setAttribute('aria-busy', 'true');
  try {
    const q = {};
    if ($('f-state').value) q.state = $('f-state').value;
    if ($('f-direction').value) q.direction = $('f-direction').value;
    const { cases } = await apiGet('/cross-province/cases', q);
    ul.replaceChildren(...cases.map((c) => {
      const open = el('button', { type: 'button', class: 'btn btn-secondary' }, `办理 ${c.no}`);
      open.addEventListener('click', () => show(c.no));
      const lab = (c.direction === 'in' ? LABEL_IN : LABEL)[c.state];
      return el('li', { class: c.overdue ? 'overdue' : '', dataset: { no: c.no, state: c.state } },
        open, ' ', el('span', null, c.title), ' ',
        el('span', { class: 'status-chip xp-state' }, lab), ' ',
        el('span', null, c.direction === 'in' ? `来自 ${c.office}（${c.their_no}）` : `办理地 ${c.office}`), ' ',
        el('span', { class: 'xp-deadline' }, c.deadline ? `办结期限 ${c.deadline}${c.overdue ? '（超期）' : ''}` : ''));
    }));
    if (!cases.length) ul.append(el('li', { class: 'empty' }, '没有办件'));
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  } finally {
    ul.setAttribute('aria-busy', 'false');
  }
}

function field(id, name, label, input) {
  input.id = id;
  return el('div', { class: 'field', dataset: { field: name } }, el('label', { for: id }, label), input,
    el('p', { class: 'field-error', 'aria-live': 'polite' }));
}
const input = (attrs = {}) => el('input', { autocomplete: 'off', ...attrs });
const select = (opts) => el('select', null, ...opts.map(([v, t]) => el('option', { value: v }, t)));

function matFields(mats) {
  return el('fieldset', { class: 'field field-wide', dataset: { field: 'materials' } },
    el('legend', null, '材料及页数（交接单）'),
    ...mats.map((m, i) => el('div', { class: 'xp-mat', dataset: { code: m.code } },
      el('input', { type: 'checkbox', id: `xm-${i}`, checked: true, dataset: { code: m.code } }),
      el('label', { for: `xm-${i}` }, `${m.code} ${m.name}`),
      el('label', { for: `xp-${i}` }, '页数'),
      el('input', { type: 'number', id: `xp-${i}`, min: '1', max: '9999', value: '1', dataset: { pages: m.code } }))),
    el('p', { class: 'field-error', 'aria-live': 'polite' }));
}

function stepFields(step, incoming, mats) {
  const f = [];
  if (step === 'dispatch' || step === 'return') {
    f.push(field('s-via', 'via', '方式', select([['mail', '邮寄'], ['electronic', '网络传送']])));
    f.push(field('s-waybill', 'waybill', '运单号（邮寄）', input({ maxlength: '40' })));
    if (step === 'dispatch') f.push(matFields(mats));
    else f.push(field('s-pages', 'pages', '结果页数', input({ type: 'number', min: '1', max: '9999', value: '1' })));
  }
  if (step === 'receive' || step === 'decide' || (step === 'deliver' && incoming)) {
    const lab = { receive: incoming ? '收件日期' : '办理地确认收件日期', decide: '决定日期', deliver: '外省送达日期' }[step];
    f.push(field('s-date', 'date', lab, input({ type: 'date', value: today() })));
  }
  if (step === 'receive' && incoming) f.push(matFields(mats));
  if (step === 'decide') {
    f.push(field('s-decision', 'decision', '决定', select([['approved', '准予'], ['rejected', '不予']])));
    f.push(field('s-docno', 'doc_no', '文号', input({ maxlength: '50' })));
  }
  if (step === 'deliver' && !incoming) {
    f.push(field('s-how', 'how', '送达方式', select([['pickup', '窗口领取'], ['mail', '邮寄']])));
    f.push(field('s-code', 'pickup_code', '取件码（窗口领取）', input({ inputmode: 'numeric', maxlength: '6' })));
    f.push(field('s-carrier', 'carrier', '快递公司（邮寄）', input({ maxlength: '20' })));
    f.push(field('s-waybill', 'waybill', '运单号（邮寄）', input({ maxlength: '40' })));
    f.push(field('s-address', 'address', '收件地址（原定窗口领取时）', input({ maxlength: '60' })));
  }
  f.push(field('s-note', 'note', '备注（选填）', input({ maxlength: '200' })));
  return f;
}

function stepBody(step, incoming) {
  const v = (id) => ($(id) ? $(id).value.trim() : '');
  const b = { step };
  const put = (k, id) => { if (v(id)) b[k] = v(id); };
  if (step === 'dispatch' || step === 'return') { put('via', 's-via'); put('waybill', 's-waybill'); }
  if (step === 'return' && v('s-pages')) b.pages = Number(v('s-pages'));
  if ((step === 'dispatch') || (step === 'receive' && incoming)) {
    b.materials = [...document.querySelectorAll('#step-fields .xp-mat')]
      .filter((d) => d.querySelector('input[type="checkbox"]').checked)
      .map((d) => ({ code: d.dataset.code, pages: Number(d.querySelector('input[type="number"]').value) }));
  }
  put('date', 's-date');
  put('decision', 's-decision');
  put('doc_no', 's-docno');
  if (step === 'deliver' && !incoming) {
    put('how', 's-how');
    if (b.how === 'mail') { put('carrier', 's-carrier'); put('waybill', 's-waybill'); put('address', 's-address'); } else put('pickup_code', 's-code');
  }
  put('note', 's-note');
  return b;
}

function render() {
  const { part, no } = current;
  const incoming = part.direction === 'in';
  const lab = incoming ? LABEL_IN : LABEL;
  const at = {
    accepted: part.accepted_on, dispatched: part.dispatched_on, received: part.received_on,
    decided: part.decided_on, returned: part.returned_on, delivered: part.delivered_on,
  };
  const idx = STATES.indexOf(part.state);
  $('steps-h').textContent = `办件步骤 ${no}（${incoming ? `来自 ${part.office}` : `办理地 ${part.office}`}）`;
  $('step-list').replaceChildren(...STATES.map((s, i) => {
    let extra = '';
    if (s === 'dispatched' && part.dispatch_waybill) extra = ` 运单号 ${part.dispatch_waybill}`;
    if (s === 'decided' && part.doc_no) extra = ` ${part.decision === 'approved' ? '准予' : '不予'} ${part.doc_no}`;
    if (s === 'returned' && part.return_waybill) extra = ` 运单号 ${part.return_waybill}`;
    return el('li', { class: i <= idx ? 'done' : (i === idx + 1 ? 'next' : ''), dataset: { state: s } },
      lab[s], el('span', { class: 'xp-when' }, i <= idx && at[s] ? `${at[s]}${extra}` : ''));
  }));
  const step = STEPS[idx];
  $('step-form').hidden = !step;
  if (step) {
    $('next-h').textContent = `下一步：${STEP_LABEL[step]}`;
    $('step-fields').replaceChildren(...stepFields(step, incoming, current.mats));
    $('step-submit').textContent = STEP_LABEL[step];
  }
  $('steps').hidden = false;
}

async function show(no) {
  try {
    const [p, c] = await Promise.all([
      apiGet(`/cases/${encodeURIComponent(no)}/cross-province`),
      apiGet(`/cases/${encodeURIComponent(no)}`),
    ]);
    current = { no, part: p.cross_province, mats: (c.case.materials || []).filter((m) => m.state === 'received') };
    say($('step-status'), '', 'ok');
    render();
    $('steps').scrollIntoView({ block: 'start' });
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  }
}

async function submitStep(ev) {
  ev.preventDefault();
  const incoming = current.part.direction === 'in';
  const step = STEPS[STATES.indexOf(current.part.state)];
  const btn = $('step-submit');
  btn.disabled = true;
  try {
    const r = await api(`/cases/${encodeURIComponent(current.no)}/cross-province`,
      { method: 'POST', body: stepBody(step, incoming) });
    current.part = r.cross_province;
    render();
    say($('step-status'), `已登记：${STEP_LABEL[step]}`, 'ok');
    await Promise.all([figures(), list()]);
  } catch (err) {
    const rest = showFieldErrors($('step-form'), err.fields);
    say($('step-status'), rest.length ? rest.join('；') : errorText(err), 'error');
  } finally {
    btn.disabled = false;
  }
}

async function submitIncoming(ev) {
  ev.preventDefault();
  const v = (id) => $(id).value.trim();
  const body = {
    office: v('in-office'), their_no: v('in-their'), item: v('in-item'), accepted_on: v('in-acc'),
    applicant: { name: v('in-name'), id_number: v('in-id'), phone: v('in-phone') },
    materials: v('in-mats').split(/[,，\s]+/).filter(Boolean),
    via: v('in-via'),
  };
  if (v('in-waybill')) body.waybill = v('in-waybill');
  try {
    const r = await api('/cross-province/incoming', { method: 'POST', body });
    showFieldErrors($('incoming'), {});
    say($('in-status'), `已登记来件 ${r.no}`, 'ok');
    await Promise.all([figures(), list()]);
    await show(r.no);
  } catch (err) {
    const rest = showFieldErrors($('incoming'), err.fields);
    say($('in-status'), rest.length ? rest.join('；') : errorText(err), 'error');
  }
}

async function ready() {
  $('f-state').addEventListener('change', list);
  $('f-direction').addEventListener('change', list);
  $('step-form').addEventListener('submit', submitStep);
  $('incoming').addEventListener('submit', submitIncoming);
  $('in-acc').value = today();
  try {
    await Promise.all([figures(), list()]);
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  }
  const no = new URLSearchParams(window.location.search).get('no');
  if (no) await show(no);
}

startStaffPage({ roles: ['clerk', 'approver', 'manager'], onReady: ready });
