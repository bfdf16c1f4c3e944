/*
 * track.js — the case tracking page (t.html, reached as /t/<token> from the QR code on the
 * 受理通知书 or the link in an SMS).
 *
 * API used (public, the token is the only key):
 *   GET /api/v1/track/{token} → {"case":{"no","item","status","deadline","provisional","warning",
 *        "applicant","steps":[{"status","at","note"?}],"pickup"?,"mail"?,
 *        "results":[{"vid","kind_label","title","number","status","status_label",
 *        "replaced_by","electronic","verify_url",…}],
 *        "waived":[{"name","due","received_at"|null}],"custody":{"where","in_transit","since"},…}}
 * 容缺 materials show their due date and when they were received, or 待补交 while awaited.
 * The results (办理结果) link to their verify page; an electronic one says to download it
 * from 我的申请 (my-cases.html) — never a PDF here: the token is not the applicant's sign-in.
 * Refreshes every 30 s, when the page becomes visible again and when the network returns;
 * a status change is announced (aria-live). An unknown or revoked token shows a page that
 * says nothing about why; the token never leaves this page except to our own API.
 */

import { apiGet, MSG_UNAVAILABLE } from './api.js';
import {
  el, clear, initLargeText, showError, clearStatus, formatClock,
} from './ui.js';

const REFRESH_MS = 30000;
const MIN_GAP_MS = 5000;		// visibility/online refreshes closer than this are skipped
const TOKEN_RE = /^\/t\/([A-Za-z0-9_-]{16,128})\/?$/;

/* Only shown when the reviews page exists (another issue builds it). */
const REVIEW_PAGE = '/review.html';	// 好差评 (issue 9)

const $ = (id) => document.getElementById(id);

export const STATUS = {
  submitted: { label: '已提交', hint: '网上申请已提交，等待窗口工作人员预审。' },
  returned: { label: '已退回', hint: '申请材料需要修改，请按退回意见补充后重新提交。' },
  accepted: { label: '已受理', hint: '您的申请已受理，正在转交审批部门。' },
  processing: { label: '办理中', hint: '审批部门正在办理，请耐心等候。' },
  supplement_needed: {
    label: '待补正',
    hint: '需要补正材料：请按补正告知书的要求补齐后交到窗口。补正期间办理时限暂停计算。',
  },
  approved: { label: '审批通过', hint: '审批已通过，正在制作证照或准备送达。' },
  rejected: { label: '不予许可', hint: '审批未通过，具体原因见办理记录或书面决定。' },
  ready: { label: '待领取', hint: '已办好，请按下方提示到窗口领取。' },
  mailed: { label: '已寄出', hint: '已通过快递寄出，请留意查收。' },
  closed: { label: '已办结', hint: '办件已办结，感谢您的耐心等候。' },
};

const WARNING = {
  green: { text: '正常', detail: '在承诺时限内' },
  yellow: { text: '即将到期', detail: '临近承诺办结日期' },
  red: { text: '已超期', detail: '已超过承诺办结日期，您可拨打 12345 反映' },
};

/* The stages a case goes through, for the progress bar. */
const STAGE_OF = {
  submitted: 'submitted',
  returned: 'submitted',
  accepted: 'accepted',
  processing: 'processing',
  supplement_needed: 'processing',
  // 已办结（准予）/（不予）: the decision is made (that stage is done); handing over is next.
  approved: 'deliver',
  rejected: 'deliver',
  ready: 'deliver',
  mailed: 'deliver',
  closed: 'closed',
};
const ACTIVE = new Set(['submitted', 'returned', 'accepted', 'processing', 'supplement_needed']);

const state = {
  token: null,
  status: null,
  timer: 0,
  loading: false,
  loadedAt: 0,
  gone: false,
};

/* The API's own words for a status (its status_label / label) win: staff pages, SMS and
 * this page then say the same thing; ours cover a reply that has none. */
export function statusLabel(status, apiLabel) {
  return apiLabel || (STATUS[status] && STATUS[status].label) || status || '—';
}

/* "2026-11-30" → "2026年11月30日（周一）" */
const WEEKDAYS = '日一二三四五六';
export function formatDate(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(ymd || ''));
  if (!m) return '';
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日（周${WEEKDAYS[d.getUTCDay()]}）`;
}

/* An RFC 3339 time of the hall ("2026-11-23T09:35:00+08:00") as the hall reads it. */
export function formatTime(at) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/.exec(String(at || ''));
  if (!m) return '';
  return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日 ${m[4]}:${m[5]}`;
}

function applicantOf(c) {
  if (typeof c.applicant === 'string') return c.applicant;
  if (c.applicant && typeof c.applicant.name === 'string') return c.applicant.name;
  return '';
}

function itemName(c) {
  return c.item_name || c.title || (typeof c.item === 'string' ? c.item : '') || '';
}

function hallName(c) {
  return (c.hall && typeof c.hall === 'object' && c.hall.name) || '';
}

function isMail(c) {
  return c.delivery === 'mail' || Boolean(c.mail) || c.status === 'mailed';
}

/* ---------- rendering ---------- */

function renderSummary(c) {
  const item = itemName(c);
  $('case-item').textContent = item;
  $('case-item').hidden = !item;
  $('case-status').textContent = statusLabel(c.status, c.status_label);
  const box = document.querySelector('.track-summary');
  box.dataset.status = c.status || '';
  $('case-hint').textContent = (STATUS[c.status] && STATUS[c.status].hint) || '';
  $('case-no').textContent = c.no || '—';
  $('case-applicant').textContent = applicantOf(c) || '—';
  const hall = c.hall && typeof c.hall === 'object' ? c.hall : {};
  const tel = String(hall.phone || '').replace(/[^0-9-]/g, '');
  $('case-hall').replaceChildren(
    hall.name || '',
    hall.name && tel ? el('br') : '',
    tel ? el('a', { href: `tel:${tel}`, 'aria-label': `咨询电话 ${tel}` }, tel) : '',
  );
  $('case-hall-row').hidden = !hall.name && !hall.phone;

  // Where the paper file is (交接: the hand-overs signed for), in plain words.
  const k = c.custody && typeof c.custody === 'object' ? c.custody : null;
  $('case-custody').textContent = k && k.where ? String(k.where) : '';
  $('case-custody-row').hidden = !(k && k.where);

  const deadline = formatDate(c.deadline);
  $('case-deadline').textContent = deadline;
  $('case-deadline-note').hidden = !(deadline && c.provisional);
  $('case-deadline-row').hidden = !deadline;

  // The warning light only means something while the clock runs.
  const w = WARNING[c.warning];
  const light = $('case-warning');
  const showLight = Boolean(w) && ACTIVE.has(c.status) && Boolean(deadline);
  $('case-warning-row').hidden = !showLight;
  if (showLight) {
    light.className = `light light-${c.warning}`;
    const paused = c.status === 'supplement_needed' || Boolean(c.paused_since);
    light.replaceChildren(
      el('span', { class: 'light-dot', 'aria-hidden': 'true' }),
      el('strong', null, w.text),
      el('span', { class: 'light-detail' }, paused ? '（补正期间暂停计时）' : `（${w.detail}）`),
    );
  }
}

function renderStages(c) {
  const list = $('stages');
  const mail = isMail(c);
  const online = c.channel === 'online' || c.status === 'submitted' || c.status === 'returned'
    || (Array.isArray(c.steps) && c.steps.some((s) => s && s.status === 'submitted'));
  // The decision is 办结 (the status says 已办结（准予）/（不予）); what follows it is handing
  // the result over, and the last stage is 完结 (status 已完结) — never 办结 twice.
  const decided = c.status === 'rejected' || (Array.isArray(c.steps)
    && c.steps.some((s) => s && s.status === 'rejected')) ? '办结：不予许可' : '办结：准予许可';
  const stages = [
    online && ['submitted', '网上提交'],
    ['accepted', '受理'],
    ['processing', c.status === 'supplement_needed' ? '补正材料' : '审批办理'],
    ['decided', decided],
    ['deliver', mail ? '邮寄送达' : '窗口领取'],
    ['closed', '完结'],
  ].filter(Boolean);
  const cur = stages.findIndex(([k]) => k === STAGE_OF[c.status]);
  clear(list);
  stages.forEach(([, label], i) => {
    let cls = 'stage-todo';
    let note = '未开始';
    if (cur >= 0 && i < cur) {
      cls = 'stage-done';
      note = '已完成';
    } else if (i === cur) {
      cls = c.status === 'closed' ? 'stage-done' : 'stage-current';
      note = c.status === 'closed' ? '已完成' : '当前环节';
    }
    list.append(el('li', { class: `stage ${cls}`, 'aria-current': i === cur ? 'step' : null },
      el('span', { class: 'stage-mark', 'aria-hidden': 'true' }, cls === 'stage-done' ? '✓' : String(i + 1)),
      el('span', { class: 'stage-label' }, label),
      el('span', { class: 'stage-note' }, note)));
  });
}

function renderSteps(c) {
  const list = $('steps');
  const steps = (Array.isArray(c.steps) ? c.steps : []).filter((s) => s && s.status);
  clear(list);
  // Newest first: what a citizen checks for is what happened last.
  for (const s of [...steps].reverse()) {
    const when = formatTime(s.at);
    list.append(el('li', { class: 'step' },
      el('p', { class: 'step-head' },
        el('strong', null, s.label || statusLabel(s.status)),
        when ? el('time', { datetime: s.at }, when) : null),
      s.note ? el('p', { class: 'step-note' }, s.note) : null));
  }
  if (!steps.length) list.append(el('li', { class: 'step' }, el('p', null, '暂无办理记录')));
}

function renderPickup(c) {
  const show = c.status === 'ready' && !isMail(c);
  $('pickup').hidden = !show;
  if (!show) return;
  const p = c.pickup && typeof c.pickup === 'object' ? c.pickup : {};
  const body = $('pickup-body');
  const facts = el('dl', { class: 'track-facts' });
  const where = p.place || p.window_name || (p.window ? `${p.window}` : '') || hallName(c);
  if (where) facts.append(el('div', null, el('dt', null, '领取地点'), el('dd', null, String(where))));
  if (p.hours) facts.append(el('div', null, el('dt', null, '领取时间'), el('dd', null, String(p.hours))));
  const readyAt = formatTime(p.ready_at);
  if (readyAt) facts.append(el('div', null, el('dt', null, '办好时间'), el('dd', null, readyAt)));
  let bring = [];
  if (Array.isArray(p.bring)) bring = p.bring.map((b) => (typeof b === 'string' ? b : b && b.name));
  else if (typeof p.bring === 'string') bring = [p.bring];
  bring = bring.filter(Boolean);
  if (!bring.length) bring = ['申请人本人有效身份证件原件', '受理通知书（或本页面）'];
  body.replaceChildren(
    facts.children.length ? facts : '',
    el('h3', { class: 'bring-title' }, '领取时请携带'),
    el('ul', { class: 'bring' }, bring.map((b) => el('li', null, b))),
    el('p', { class: 'track-small' }, p.agent_note
      || '委托他人代领的，代领人还需携带授权委托书和本人身份证件。'),
  );
}

function renderMail(c) {
  const m = c.mail && typeof c.mail === 'object' ? c.mail : null;
  const show = Boolean(m) && (c.status === 'mailed' || c.status === 'closed');
  $('mail').hidden = !show;
  if (!show) return;
  const rows = [
    ['快递公司', m.carrier],
    ['快递单号', m.tracking_no],
    ['寄出时间', formatTime(m.mailed_at)],
  ].filter(([, v]) => v);
  $('mail-body').replaceChildren(...rows.map(([k, v]) => el('div', null,
    el('dt', null, k), el('dd', { class: k === '快递单号' ? 'mono' : null }, String(v)))));
}

const RESULT_STATUS = { valid: '有效', revoked: '已撤销', replaced: '已被替换' };

/* Only our own verify page (v.html#…) is linked: the address comes from the server, but a
 * link on this page must never lead anywhere else. */
function verifyHref(u) {
  try {
    const url = new URL(String(u || ''), window.location.href);
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.pathname === '/v.html'
      && url.hash.length > 1) return url.href;
  } catch (e) { /* not a URL */ }
  return '';
}

function renderResults(c) {
  const list = (Array.isArray(c.results) ? c.results : []).filter((x) => x && x.number);
  $('results').hidden = !list.length;
  if (!list.length) return;
  $('results-list').replaceChildren(...list.map((x) => {
    const label = x.status_label || RESULT_STATUS[x.status] || x.status || '';
    const href = verifyHref(x.verify_url);
    return el('li', { class: 'track-result', 'data-status': x.status || '' },
      el('p', { class: 'track-result-head' },
        el('strong', null, x.title || x.kind_label || ''),
        x.kind_label && x.kind_label !== x.title ? el('span', { class: 'track-small' }, `（${x.kind_label}）`) : null),
      el('dl', { class: 'track-facts' },
        el('div', null, el('dt', null, '编号'), el('dd', { class: 'mono' }, x.number)),
        el('div', null, el('dt', null, '状态'), el('dd', { class: 'result-status' },
          el('strong', null, label),
          x.status === 'replaced' && x.replaced_by ? `（新编号 ${x.replaced_by}）` : '')),
        x.issued_on ? el('div', null, el('dt', null, '发证日期'), el('dd', null, formatDate(x.issued_on))) : null,
        x.valid_until ? el('div', null, el('dt', null, '有效期至'), el('dd', null, formatDate(x.valid_until))) : null),
      href ? el('p', null, el('a', { class: 'result-verify', href }, `核验${x.title || '办理结果'}（扫码核验页）`)) : null,
      x.electronic && x.status === 'valid'
        ? el('p', { class: 'track-small result-download' }, '电子证照：请登录',
          el('a', { href: '/my-cases.html' }, '「我的申请」'), '下载 PDF（需本人登录）。')
        : null);
  }));
}

/* 容缺: each material accepted on the applicant's commitment — due, and received or not. */
function renderWaived(c) {
  const list = (Array.isArray(c.waived) ? c.waived : []).filter((m) => m && m.name);
  $('waived').hidden = !list.length;
  if (!list.length) return;
  $('waived-hint').textContent = list.some((m) => !m.received_at)
    ? '以下材料已先行容缺受理，请在约定日期前携带到综合窗口补交。'
    : '以下容缺受理的材料均已补交。';
  $('waived-list').replaceChildren(...list.map((m) => el('li', {
    class: 'track-result waived-item', 'data-received': m.received_at ? '1' : '0',
  },
  el('p', { class: 'track-result-head' }, el('strong', null, m.name)),
  el('dl', { class: 'track-facts' },
    el('div', null, el('dt', null, '约定补交'), el('dd', null, `${formatDate(m.due)}前`)),
    el('div', null, el('dt', null, '补交情况'), el('dd', { class: 'waived-state' },
      m.received_at ? `已于 ${formatTime(m.received_at)} 收到` : el('strong', null, '待补交')))))));
}

function renderReview(c) {
  const show = Boolean(REVIEW_PAGE) && c.status === 'closed';
  $('review').hidden = !show;
  if (show) {
    $('review-link').href = `${REVIEW_PAGE}?case=${encodeURIComponent(state.token)}`;
    // Once reviewed, the page says so and the link shows the review given.
    if (state.reviewed === undefined) {
      state.reviewed = null;
      apiGet('/reviews', { case: state.token }).then((r) => {
        state.reviewed = Boolean(r.review);
        if (state.reviewed) {
          $('review-title').textContent = '您已评价';
          $('review-link').textContent = '查看我的评价';
        }
      }).catch(() => { state.reviewed = undefined; });
    }
  }
}

function render(c) {
  renderSummary(c);
  renderResults(c);
  renderWaived(c);
  renderPickup(c);
  renderMail(c);
  renderReview(c);
  renderStages(c);
  renderSteps(c);
  $('track-case').hidden = false;
  $('track-loading').hidden = true;
  $('track-missing').hidden = true;
  $('track-updated').textContent = `更新于 ${formatClock(new Date())}`;
  document.title = `${statusLabel(c.status, c.status_label)} · 办件进度查询`;
}

function showMissing() {
  state.gone = true;
  stopRefresh();
  $('track-loading').hidden = true;
  $('track-case').hidden = true;
  $('track-missing').hidden = false;
  clearStatus($('track-status'));
  document.title = '未找到办件信息 · 一窗';
}

/* ---------- loading ---------- */

function friendly(err) {
  if (err && err.status === 429) {
    return err.retryAfter ? `查询过于频繁，请 ${err.retryAfter} 秒后再试` : '查询过于频繁，请稍后再试';
  }
  if (!err || !err.status || err.status >= 500) return MSG_UNAVAILABLE;
  return err.message || MSG_UNAVAILABLE;
}

async function load() {
  if (state.loading || state.gone) return;
  state.loading = true;
  try {
    const data = await apiGet(`/track/${encodeURIComponent(state.token)}`);
    const c = data && data.case;
    if (!c || typeof c !== 'object') throw Object.assign(new Error('bad'), { status: 0 });
    const before = state.status;
    state.status = c.status;
    state.loadedAt = Date.now();
    render(c);
    if (before && before !== c.status) {
      $('track-status').replaceChildren(el('div', { class: 'notice notice-info' },
        el('p', null, `办件状态已更新：${statusLabel(c.status, c.status_label)}`)));
    } else if (before) {
      clearStatus($('track-status'));
    }
  } catch (err) {
    if (err && (err.status === 404 || err.status === 400)) {
      showMissing();
      return;
    }
    $('track-loading').hidden = true;
    // Keep what was shown; say that it may be stale and offer a retry.
    showError($('track-status'), friendly(err), () => refreshNow());
  } finally {
    state.loading = false;
    if (!state.gone) schedule();
  }
}

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(load, REFRESH_MS);
}

function stopRefresh() {
  clearTimeout(state.timer);
  state.timer = 0;
}

function refreshNow() {
  if (state.gone) return;
  clearTimeout(state.timer);
  load();
}

function startRefresh() {
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && Date.now() - state.loadedAt > MIN_GAP_MS) refreshNow();
  });
  window.addEventListener('online', refreshNow);
}

function main() {
  initLargeText($('toggle-large'));
  const m = TOKEN_RE.exec(window.location.pathname);
  if (!m) {
    showMissing();
    return;
  }
  state.token = m[1];
  startRefresh();
  load();
}

main();
