/*
 * case-notices.js — the 短信通知 section of the staff case page (staff/case.html): every
 * notice of the case (SMS and WeChat subscribe messages), oldest first, with its template,
 * masked recipient, status (and the provider's delivery receipt) and times, and a 重发
 * button per row.  A table on a wide screen; one block per notice on a phone.
 *
 *   import { startNotices, loadNotices } from './case-notices.js';
 *   startNotices(caseNo);   // once the case page is signed in
 *   loadNotices();          // again after an action that may have queued a notice
 *
 * API: GET /notices?ref_kind=case&ref_id={no}, POST /notices/{id}/resend
 *      (201; 409 NOTICE_PENDING and 422 NOT_RESENDABLE show the API's message).
 * Element ids on the page: notices-card, notices-status, notices, notices-refresh.
 * While a row is still on its way (pending, sending) the list is read again every few
 * seconds, a limited number of times.
 */

import { api, apiGet, ApiError } from '/js/api.js';
import { el } from '/js/ui.js';
import { $, when, say, errorText } from './cases-common.js';

/* Short names of the templates in sms-templates/*.tmpl; others show the API's title or name. */
export const TEMPLATE = {
  appointment_booked: '预约成功',
  appointment_reminder: '预约提醒',
  case_accepted: '受理通知',
  case_approved: '审批通过',
  case_closed: '办件完结',
  case_due_soon_staff: '到期提醒（工作人员）',
  case_overdue_staff: '超期预警（工作人员）',
  case_processing: '进入审批',
  case_rejected: '不予许可',
  case_returned: '预审退回',
  case_supplement_received: '补正收件',
  login_code: '登录验证码',
  materials_incomplete: '一次性告知',
  result_mailed: '结果寄递',
  xprov_dispatched: '跨省材料寄出',
  xprov_received: '办理地收件',
  xprov_decided: '办理地决定',
  xprov_returned: '跨省结果寄回',
  result_ready: '办结待取',
  supplement_requested: '补正通知',
  turn_near: '即将叫号',
};

export const NOTICE_STATUS = {
  pending: '待发送',
  sending: '发送中',
  sent: '已发送',
  failed: '发送失败',
  held: '夜间暂缓',
  dropped: '已放弃',
};

const REASON = { DAILY_CAP: '超过当日发送上限', EXPIRED: '超时未发出' };
const CHANNEL = { sms: '短信', wechat: '微信' };
const COLS = ['通知', '接收人', '状态', '时间', '操作'];
const POLL_MS = 2000;
const POLL_MAX = 15;

let caseNo = '';
let pollTimer = null;
let polls = 0;
let seq = 0;	// a newer load wins over an older one still in flight
let listError = false;	// the status line shows a failed load (cleared by the next good one)

export function templateLabel(n) {
  return TEMPLATE[n.template] || n.title || n.template || '';
}

function deliveryText(d) {
  if (!d) return '';
  if (d === 'DELIVERED') return '已送达';
  if (d.startsWith('FAILED:')) return `未送达（${d.slice(7)}）`;
  return d;
}

function cell(i, ...children) {
  return el('td', { role: 'cell', dataset: { label: COLS[i] } }, ...children);
}

function line(text, cls = 'sub') {
  return text ? el('span', { class: cls }, text) : null;
}

function row(n) {
  const label = templateLabel(n);
  const status = NOTICE_STATUS[n.status] || n.status || '';
  const reason = n.last_error && (n.status === 'failed' || n.status === 'dropped')
    ? `原因：${REASON[n.last_error] || n.last_error}` : '';
  let action = line('不可重发');
  if (n.resendable !== false) {
    const at = when(n.created_at);
    action = el('button', {
      type: 'button',
      class: 'btn btn-secondary',
      dataset: { resend: String(n.id) },
      'aria-label': `重发${label}（${at.slice(5) || n.id}）`,
    }, '重发');
    action.addEventListener('click', () => resend(n, action));
  }
  return el('tr', { role: 'row', dataset: { id: String(n.id), template: n.template || '', status: n.status || '' } },
    cell(0, el('span', { class: 'notice-name' }, label),
      n.resend_of ? el('span', { class: 'tag tag-optional' }, '重发') : null),
    cell(1, el('span', { class: 'notice-to' }, n.recipient || '—'),
      n.channel && n.channel !== 'sms' ? line(CHANNEL[n.channel] || n.channel) : null),
    cell(2, el('span', { class: 'status-chip notice-status' }, status),
      line(deliveryText(n.delivery_status)), line(reason)),
    cell(3, line(`创建 ${when(n.created_at)}`, 'notice-time'),
      n.sent_at ? line(`发送 ${when(n.sent_at)}`, 'notice-time') : null,
      !n.sent_at && n.next_attempt_at ? line(`预计 ${when(n.next_attempt_at)}`, 'notice-time') : null),
    cell(4, action));
}

function render(list) {
  const box = $('notices');
  const focused = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.resend : undefined;
  if (!list.length) {
    box.replaceChildren(el('p', { class: 'empty' }, '本办件还没有发出通知。'));
    return;
  }
  box.replaceChildren(el('table', { class: 'notice-table', role: 'table', 'aria-labelledby': 'ntc-title' },
    el('thead', { role: 'rowgroup' }, el('tr', { role: 'row' },
      COLS.map((c) => el('th', { scope: 'col', role: 'columnheader' }, c)))),
    el('tbody', { role: 'rowgroup' }, list.map(row))));
  // A refresh rebuilds the rows: keep the keyboard where it was.
  if (focused) {
    const again = box.querySelector(`button[data-resend="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
}

function schedule(list) {
  clearTimeout(pollTimer);
  pollTimer = null;
  const moving = list.some((n) => n.status === 'pending' || n.status === 'sending');
  if (moving && polls < POLL_MAX) {
    polls += 1;
    pollTimer = setTimeout(() => loadNotices({ poll: true }), POLL_MS);
  }
}

/* Read the list again; { poll: true } keeps the poll budget, anything else renews it. */
export async function loadNotices({ poll = false } = {}) {
  if (!caseNo) return;
  if (!poll) polls = 0;
  const mine = ++seq;
  const box = $('notices');
  box.setAttribute('aria-busy', 'true');
  try {
    const r = await apiGet('/notices', { ref_kind: 'case', ref_id: caseNo });
    if (mine !== seq) return;
    const list = Array.isArray(r.notices) ? r.notices : [];
    if (listError) say($('notices-status'), '');
    listError = false;
    render(list);
    schedule(list);
  } catch (err) {
    if (mine !== seq) return;
    listError = true;
    say($('notices-status'), `通知列表：${errorText(err)}`, 'error');
  } finally {
    if (mine === seq) box.setAttribute('aria-busy', 'false');
  }
}

async function resend(n, btn) {
  const status = $('notices-status');
  btn.disabled = true;
  listError = false;
  try {
    await api(`/notices/${encodeURIComponent(n.id)}/resend`, { method: 'POST' });
    say(status, `已重发${templateLabel(n)}，正在发送`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 409 || err.status === 422 || err.status === 404)) {
      say(status, err.message, 'error');
    } else {
      say(status, errorText(err), 'error');
    }
  } finally {
    btn.disabled = false;
  }
  await loadNotices();
}

export function startNotices(no) {
  if (!caseNo) {
    $('notices-refresh').addEventListener('click', () => {
      say($('notices-status'), '');
      listError = false;
      loadNotices();
    });
  }
  caseNo = no;
  $('notices-card').hidden = false;
  return loadNotices();
}
