/*
 * case-page.js — one case (staff/case.html?no=…): its facts, materials and timeline, and a
 * form for each action the signed-in role may take now (the API lists them in "actions").
 * The applicant is masked; "显示完整信息" asks the API to reveal it (audited).
 *
 * API: GET /cases/{no}[?reveal=1], GET /items/{id} (the checklist for 补正),
 *      POST /cases/{no}/actions.  409 INVALID_TRANSITION (someone acted first) reloads.
 *      GET /cases/{no}/results: once decided, one 打印办理结果 button per valid result,
 *      opening GET /api/v1/results/{vid}/pdf in a new tab (the session cookie signs it in;
 *      each print is recorded by the API).
 * The 短信通知 section (the case's notices, 重发) is case-notices.js.
 */

import { api, apiGet, ApiError } from '/js/api.js';
import { el, clear } from '/js/ui.js';
import {
  $, startStaffPage, STATUS, ACTION, lightChip, statusChip, when, say, errorText,
} from './cases-common.js';
import { startNotices, loadNotices } from './case-notices.js';

const no = new URLSearchParams(window.location.search).get('no') || '';
const MSTATE = { received: '已收取', waived: '容缺待补', requested: '待补正', absent: '未提交', promised: '告知承诺替代' };
let me = null;
let current = null;
let checklist = null;	// the item's materials, for 补正
// What a clerk checked to hand the result over without the pickup code (API: identity_checked).
const CHECKED = {
  id_card: '已核验申请人本人身份证原件',
  agent_papers: '已核验代领人身份证原件及申请人签字的授权委托书',
};

function fact(dt, dd, id) {
  return [el('dt', null, dt), el('dd', id ? { id } : null, dd)];
}

function renderSummary(c) {
  $('page-title').textContent = `办件 ${c.no}`;
  document.title = `${c.no} · 办件 · 一窗`;
  const a = c.applicant || {};
  const reveal = el('button', { type: 'button', class: 'btn btn-secondary', id: 'reveal' }, '显示完整信息');
  reveal.addEventListener('click', () => load(true));
  const rows = [
    fact('受理编号', el('span', { class: 'case-no' }, c.no)),
    fact('事项', `${c.item_name}${c.kind === 'instant' ? '（即办件）' : ''}`),
    fact('部门', c.department_name || ''),
    fact('状态', [statusChip(c.status), ' ', lightChip(c.warning)], 'case-status'),
    fact('办结期限', `${c.deadline || '—'}${c.provisional ? '（暂定：节假日安排未导入，导入后重算，不早于此日）' : ''}${c.paused_days ? `（补正顺延 ${c.paused_days} 个工作日）` : ''}${c.paused_since ? `，${c.paused_since} 起暂停计时` : ''}`, 'case-deadline'),
    fact('受理', `${when(c.accepted_at)} · ${c.window ? `${c.window} 号窗口` : ''} · ${c.accepted_by || ''}`),
    fact('申请人', [`${a.name || ''} · ${a.id_number || ''} · ${a.phone || ''} `,
      ['clerk', 'approver', 'manager'].includes(me.role) && a.id_number && a.id_number.includes('*') ? reveal : '']),
    fact('领取方式', c.delivery === 'mail' ? `邮寄：${c.address || ''}`
      : `窗口领取${c.halls && c.halls.pickup ? `：${c.halls.pickup.name}` : ''}`),
  ];
  // 全市通办: the case touches more than one hall — who accepted, who decides, where it is collected.
  const h = c.halls;
  if (h && (h.decide.code !== h.accept.code || (h.pickup && h.pickup.code !== h.accept.code))) {
    rows.push(fact('全市通办', `${h.accept.name}受理 · ${h.decide.name}决定 · ${h.pickup ? `${h.pickup.name}出件` : '邮寄送达'}`, 'case-halls'));
  }
  // 代办: the agent, masked (the API never opens it), after the applicant.
  if (c.agent) {
    rows.splice(rows.length - 1, 0, fact('代办人', [c.agent.name, c.agent.relation_label ? `（${c.agent.relation_label}）` : '',
      c.agent.id_number ? ` · ${c.agent.id_number}` : '', ` · ${c.agent.phone}`].join(''), 'case-agent'));
  }
  if (c.cross) rows.push(fact('跨省通办', `受理地 ${c.hall} · 办理地 ${c.cross.processing_office || ''}`));
  if (c.decision) rows.push(fact('审批结果', `${c.decision.result === 'approved' ? '准予' : '不予许可'}${c.decision.note ? `：${c.decision.note}` : ''}（${c.decision.by || ''} ${when(c.decision.at)}）`));
  if (c.pickup) rows.push(fact('出件', `${c.pickup.window || ''}${c.pickup.handed_over_at ? ` · ${when(c.pickup.handed_over_at)} 由 ${c.pickup.handed_over_by || ''} 交付` : ''}`));
  if (c.mail) rows.push(fact('寄递', `${c.mail.carrier} ${c.mail.tracking_no}（${when(c.mail.mailed_at)}）`));
  // Custody (交接): who holds the paper file now, since when, and where it is travelling.
  if (c.custody && c.custody.holder) {
    const k = c.custody;
    rows.push(fact('材料所在', `${k.holder.label}（${when(k.since)} 起）${k.in_transit && k.to ? ` · 交接单 ${k.transit_handover} 移交至 ${k.to.label}，待签收` : ''}`));
  }
  $('summary').replaceChildren(...rows.flat());
  const links = [];
  if (c.notice_url) links.push(el('a', { class: 'btn btn-secondary', href: c.notice_url, target: '_blank' }, '打印受理通知书'));
  if (c.supplement_notice_url) {
    links.push(el('a', { class: 'btn btn-secondary', href: c.supplement_notice_url, target: '_blank', id: 'print-supplement' }, '打印补正材料通知书'));
  }
  $('links').replaceChildren(...links);
}

/* A promised material's 事后核查: "待核查，期限 …", "核查属实" or "承诺不实". */
const PCHECK = { open: '待核查', verified: '核查属实', false: '承诺不实' };
function promiseText(c, m) {
  const p = (c.promises || []).find((x) => x.item === m.item && x.code === m.code);
  if (!p) return '';
  return ` · ${PCHECK[p.status] || p.status}${p.status === 'open' && p.due ? `（期限 ${p.due}${p.due_provisional ? '，暂定' : ''}）` : ''}`;
}

function renderMaterials(c) {
  $('materials').replaceChildren(...(c.materials || []).map((m) => el('li', { dataset: { state: m.state } },
    el('span', null, m.name), el('span', { class: `tag ${m.state === 'received' ? 'tag-optional' : 'tag-waivable'}` },
      `${MSTATE[m.state] || m.state}${m.due ? ` ${m.due}前` : ''}${m.state === 'promised' ? promiseText(c, m) : ''}`))));
}

function renderTimeline(c) {
  $('timeline').replaceChildren(...[...(c.history || [])].reverse().map((h) => el('li', null,
    el('span', { class: 'when' }, `${when(h.at)} · ${h.by || ''}`),
    el('span', { class: 'what' }, `${ACTION[h.action] || h.action}${h.from !== h.to && STATUS[h.to] !== ACTION[h.action] ? ` → ${STATUS[h.to] || h.to}` : ''}`),
    h.public_note || h.note ? el('p', { class: 'note' }, [h.public_note, h.note].filter(Boolean).join('；')) : null)));
}

function textField(id, label, opts = {}) {
  const input = opts.multiline
    ? el('textarea', { id, maxlength: '200' })
    : el('input', { id, maxlength: opts.max || '200', autocomplete: 'off', inputmode: opts.inputmode || null });
  return el('div', { class: 'field', dataset: { field: opts.field || id } }, el('label', { for: id }, label), input,
    el('p', { class: 'field-error' }));
}

function codesBox(id, mats, checked) {
  return el('fieldset', { class: 'field', dataset: { field: 'materials' } },
    el('legend', null, '材料'),
    mats.map((m) => el('label', { class: 'check' },
      el('input', { type: 'checkbox', value: m.code, name: id, checked: checked || null }), m.name)),
    el('p', { class: 'field-error' }));
}

function value(id) {
  const n = document.getElementById(id);
  return n && n.value.trim() ? n.value.trim() : undefined;
}

function checkedCodes(name) {
  return [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((n) => n.value);
}

/* One block per allowed action: its inputs and its button. */
function actionBlock(action) {
  const parts = [];
  let cls = 'btn';
  let build = () => ({ action });
  switch (action) {
    case 'assign':
      if (me.role === 'manager') {
        parts.push(textField('assignee', '承办人（审批人员用户名）', { max: '32' }));
        build = () => ({ action, assignee: value('assignee') });
      }
      break;
    case 'approve':
      parts.push(textField('approve-note', '审批意见（选填）', { multiline: true, field: 'note' }));
      build = () => ({ action, note: value('approve-note') });
      break;
    case 'reject':
      parts.push(textField('reject-reason', '不予许可的理由', { multiline: true, field: 'reason' }));
      cls = 'btn btn-danger';
      build = () => ({ action, reason: value('reject-reason') });
      break;
    case 'request_supplement':
      parts.push(codesBox('sup-codes', checklist || [], false),
        textField('sup-note', '补正要求（选填）', { multiline: true, field: 'note' }));
      cls = 'btn btn-secondary';
      build = () => ({ action, materials: checkedCodes('sup-codes'), note: value('sup-note') });
      break;
    case 'supplement': {
      const due = (current.materials || []).filter((m) => m.state === 'requested' || m.state === 'waived');
      parts.push(codesBox('got-codes', due, true));
      build = () => ({ action, materials: checkedCodes('got-codes') });
      break;
    }
    case 'mail':
      parts.push(textField('carrier', '寄递企业', { max: '32' }),
        textField('tracking-no', '运单号', { max: '40', field: 'tracking_no' }));
      if (current.delivery !== 'mail') parts.push(textField('mail-address', '邮寄地址', { max: '60', field: 'address' }));
      cls = 'btn btn-secondary';
      build = () => ({
        action, carrier: value('carrier'), tracking_no: value('tracking-no'), address: value('mail-address'),
      });
      break;
    case 'hand_over':
      if (current.status === 'ready') {
        parts.push(textField('pickup-code', '取件码（申请人短信中的 6 位数字）', { max: '6', inputmode: 'numeric', field: 'pickup_code' }),
          el('fieldset', { class: 'field', dataset: { field: 'identity_checked' } },
            el('legend', null, '申请人没有取件码时：核验证件后选择'),
            Object.entries(CHECKED).map(([v, text]) => el('label', { class: 'check' },
              el('input', { type: 'radio', name: 'identity-checked', value: v }), text)),
            el('p', { class: 'field-hint' }, '未凭取件码交付的，办件记录和审计日志会记下核验方式和经办人。'),
            el('p', { class: 'field-error' })),
          textField('handover-note', '备注（选填）', { field: 'note' }));
      }
      build = () => {
        const picked = document.querySelector('input[name="identity-checked"]:checked');
        return {
          action, pickup_code: value('pickup-code'), identity_checked: picked ? picked.value : undefined,
          note: value('handover-note'),
        };
      };
      break;
    default:
      break;
  }
  const label = action === 'hand_over' && current.status === 'mailed' ? '确认签收完结' : ACTION[action] || action;
  const btn = el('button', { type: 'button', class: cls, dataset: { action } }, label);
  /* Mail fields only for a mail case, window pickup only for a pickup case: the other way
   * (the applicant changed their mind) stays one tap away, folded. */
  const other = (action === 'mail' && current.delivery !== 'mail') || (action === 'ready' && current.delivery === 'mail');
  const form = other
    ? el('details', { class: 'card action action-other', dataset: { block: action } },
      el('summary', null, action === 'mail' ? '申请人改为邮寄送达' : '申请人改为窗口领取'),
      parts, el('div', { class: 'actions-row' }, btn))
    : el('div', { class: 'card action', dataset: { block: action } }, parts, el('div', { class: 'actions-row' }, btn));
  btn.addEventListener('click', () => run(form, btn, build()));
  return form;
}

async function run(form, btn, body) {
  const status = $('act-status');
  for (const n of form.querySelectorAll('.field-error')) n.textContent = '';
  btn.disabled = true;
  try {
    const r = await api(`/cases/${encodeURIComponent(no)}/actions`, { method: 'POST', body });
    say(status, `已${ACTION[body.action] || body.action}：${STATUS[r.case.status] || r.case.status}`);
    render(r.case);
    loadNotices();
  } catch (err) {
    if (err instanceof ApiError && err.status === 400 && err.fields) {
      for (const [k, msg] of Object.entries(err.fields)) {
        const box = form.querySelector(`[data-field="${CSS.escape(k)}"] .field-error`);
        if (box) box.textContent = msg;
      }
      say(status, err.message, 'error');
    } else if (err instanceof ApiError && err.status === 409) {
      say(status, `${err.message}（已刷新为最新状态）`, 'error');
      await load(false, true);
    } else if (err instanceof ApiError && err.body && Array.isArray(err.body.missing)) {
      say(status, `${err.message}：${err.body.missing.map((m) => m.name).join('、')}`, 'error');
    } else {
      say(status, errorText(err), 'error');
    }
  } finally {
    btn.disabled = false;
  }
}

/* 打印办理结果: the case's valid results as PDFs for the window to print.  Asked after each
 * render (a decision records them); a slower earlier answer never overwrites a newer one. */
const DECIDED = new Set(['approved', 'rejected', 'ready', 'mailed', 'closed']);
let resultsAsk = 0;
async function renderResultLinks(c) {
  const ask = ++resultsAsk;
  const box = $('result-links');
  if (!DECIDED.has(c.status)) {
    box.replaceChildren();
    return;
  }
  let list = [];
  try {
    list = (await apiGet(`/cases/${encodeURIComponent(c.no)}/results`)).results || [];
  } catch {
    list = [];	// printing is an extra: the case page works without it
  }
  if (ask !== resultsAsk) return;
  const valid = list.filter((x) => x && x.status === 'valid' && /^[0-9a-f]{20}$/.test(x.vid || ''));
  box.replaceChildren(...valid.map((x) => el('a', {
    class: 'btn btn-secondary print-result',
    href: `/api/v1/results/${x.vid}/pdf`,
    target: '_blank',
    rel: 'noopener',
    'data-vid': x.vid,
  }, valid.length > 1 ? `打印办理结果：${x.title}（${x.number}）` : `打印办理结果（${x.title}）`)));
}

function render(c) {
  current = c;
  renderSummary(c);
  renderResultLinks(c);
  renderMaterials(c);
  renderTimeline(c);
  const acts = Array.isArray(c.actions) ? c.actions : [];
  $('actions').replaceChildren(...acts.map(actionBlock));
  if (!acts.length) $('actions').append(el('p', { class: 'field-hint' }, '当前状态下您无需操作。'));
}

async function load(reveal = false, keepStatus = false) {
  try {
    const r = await apiGet(`/cases/${encodeURIComponent(no)}`, reveal ? { reveal: 1 } : null);
    if (!checklist && r.case.item) {
      try {
        checklist = (await apiGet(`/items/${encodeURIComponent(r.case.item)}`)).item.materials;
      } catch {
        checklist = r.case.materials || [];
      }
    }
    if (!keepStatus) clear($('act-status'));
    render(r.case);
  } catch (err) {
    say($('page-status'), err instanceof ApiError && err.status === 404 ? '没有这个办件，或您无权查看' : errorText(err), 'error');
  }
}

startStaffPage({
  roles: ['clerk', 'approver', 'manager', 'admin'],
  onReady: async (who) => {
    me = who;
    if (!/^[A-Za-z0-9._-]{1,48}$/.test(no)) {
      say($('page-status'), '没有这个办件', 'error');
      return;
    }
    await load();
    if (current) await startNotices(current.no);
  },
});
