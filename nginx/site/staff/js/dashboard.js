/*
 * dashboard.js — 大厅运行监测 (staff/dashboard.html), for the hall's manager.
 *
 * API: GET /halls/{hall}/stats?from=&to=       the figures (and open hall alerts)
 *      GET /halls/{hall}/stats?…&format=csv    the same as CSV (downloaded as a file)
 *      GET /cases?overdue=1&per_page=20        overdue cases (cases module)
 *      GET /case-waivers?overdue=1&limit=20    容缺 materials past their due date, not received
 *      GET /cross-province/figures             跨省通办 by direction and state, overdue
 *      GET /halls/{hall}/rectifications        open rectification tasks
 *      GET /consult/referrals                  咨询导办 referrals not yet accepted (首问负责)
 *      PATCH /halls/{hall}/rectifications/{id}, POST …/{id}/close
 *      POST /halls/{hall}/alerts/dismiss {"key"}  an alert dealt with (已处理)
 *      GET /halls/{hall}/rectifications/{id}/contact   the reviewer's mobile (audited)
 *      POST /halls/{hall}/rectifications/{id}/check {"result","note"?}  复核 of a recorded fix
 *           (not by the manager who recorded it: the page says so instead)
 *      GET /halls/{hall}/satisfaction?from=&to=      满意度 per department, window, clerk
 *      GET /halls/{hall}/complaints, POST …/{id}/assign {"assignee"}, POST …/{id}/answer
 *      GET /halls/{hall}/staff                       who a complaint may be assigned to
 * Charts are inline SVG built with DOM calls (the CSP allows no inline script or style and no
 * library is used).  Count axes tick at whole numbers; the review bars run from green
 * (非常满意) to red (非常不满意).  Everything refreshes by itself every 60 s while the page
 * is visible, and after a change of the hall's queue: the staff push subscription
 * (/api/v1/push/halls/{hall}/staff, push.js) says when one happened, and the page refreshes
 * within PUSH_GAP_MS of it (at most once in that time: the figures are many requests).
 * Without push (blocked, refused, ?push=0) the 60 s refresh alone; push is tried again
 * after a minute.
 */

import { api, apiGet, getToken } from '/js/api.js';
import { el, clear } from '/js/ui.js';
import { $, startStaffPage, when, say, errorText } from './cases-common.js';
import { PUSH_RETRY_MS, openPush, pushEnabled } from '/js/push.js';

const REFRESH_MS = 60000;
const RECT_SHOWN = 12;	// the tasks nearest their deadline; the rest on request
const SVG = 'http://www.w3.org/2000/svg';
const CAT_COLORS = ['#0b4ea2', '#1b8a5a', '#c77700', '#7b3fa0', '#b00020', '#3a7ca5'];
const SCORE_LABEL = { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' };
// 5 … 1: green for praise, grey for neutral, orange and red for the bad reviews.
const SCORE_COLOR = { 5: '#1b8a5a', 4: '#4f9a6a', 3: '#6b7280', 2: '#c77700', 1: '#b00020' };

const PUSH_GAP_MS = 10000;

const state = { hall: 'demo', timer: 0, busy: false, lastRefresh: 0, pushTimer: 0 };

/* A change in the hall: refresh now, or at the end of the gap since the last refresh. */
function onPushed() {
  if (state.pushTimer) return;
  const wait = Math.max(0, state.lastRefresh + PUSH_GAP_MS - Date.now());
  state.pushTimer = setTimeout(() => {
    state.pushTimer = 0;
    if (document.visibilityState === 'visible') refresh();
  }, wait);
}

function startPush() {
  if (!pushEnabled()) return;
  openPush(`/api/v1/push/halls/${encodeURIComponent(state.hall)}/staff`, {
    onMessage: onPushed,
    onFail: () => setTimeout(startPush, PUSH_RETRY_MS),
  });
}


function s(tag, attrs, ...kids) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, String(v));
  for (const k of kids) if (k) n.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return n;
}

function num(v, digits = 1) {
  if (v === null || v === undefined) return '—';
  return typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(digits) : String(v);
}

function pct(v) {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`;
}

/*
 * Axis ticks from 0 to at least max: steps of 1, 2 or 5 × 10^k, at most 5 intervals.  Counts
 * (integer) never tick below 1, so no count axis shows 2.3; minutes may tick at 0.5.
 */
function ticks(max, integer) {
  const want = Math.max(max, integer ? 1 : 0.5) / 5;
  const mag = 10 ** Math.floor(Math.log10(want));
  let step = [1, 2, 5, 10].map((m) => m * mag).find((st) => st >= want);
  if (integer) step = Math.max(1, Math.round(step));
  const n = Math.max(1, Math.ceil(max / step));
  return Array.from({ length: n + 1 }, (_, k) => Number((k * step).toFixed(6)));
}

/* A bar chart: groups along x, each with one or more bars (series), or stacked.  A series
 * may colour each bar (colors[i]) instead of one colour for all. */
function barChart(box, {
  labels, series, stacked = false, title, integer = true,
}) {
  const W = 560;
  const H = 240;
  const L = 44;
  const B = 32;
  const top = 12;
  const n = labels.length || 1;
  const totals = labels.map((_, i) => (stacked
    ? series.reduce((a, sr) => a + (sr.values[i] || 0), 0)
    : Math.max(0, ...series.map((sr) => sr.values[i] || 0))));
  const marks = ticks(Math.max(0, ...totals), integer);
  const max = marks[marks.length - 1];
  const step = (W - L - 8) / n;
  const bw = stacked ? step * 0.7 : (step * 0.8) / series.length;
  const y = (v) => top + (H - top - B) * (1 - v / max);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'svg-chart' });
  svg.append(s('title', null, title));
  for (const v of marks) {
    svg.append(s('line', { x1: L, x2: W - 4, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(s('text', { x: L - 6, y: y(v) + 5, class: 'axis', 'text-anchor': 'end' }, String(v)));
  }
  labels.forEach((lab, i) => {
    const x0 = L + i * step + step * 0.1;
    let acc = 0;
    series.forEach((sr, j) => {
      const v = sr.values[i] || 0;
      const x = stacked ? x0 : x0 + j * bw;
      const y1 = y(acc + v);
      const h = y(acc) - y1;
      const fill = sr.colors ? sr.colors[i] : sr.color;
      const r = s('rect', {
        x, y: y1, width: Math.max(1, bw - 1), height: Math.max(0, h), fill, 'data-label': lab,
      });
      r.append(s('title', null, `${lab} ${sr.name}: ${num(v)}`));
      svg.append(r);
      if (stacked) acc += v;
    });
    svg.append(s('text', { x: L + i * step + step / 2, y: H - B + 20, class: 'axis', 'text-anchor': 'middle' }, lab));
  });
  box.replaceChildren(svg);
}

function table(t, head, rows) {
  t.replaceChildren(
    el('thead', null, el('tr', null, head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', null, rows.length
      ? rows.map((r) => el('tr', null, r.map((c, i) => (i === 0 ? el('th', { scope: 'row' }, c) : el('td', null, c)))))
      : el('tr', null, el('td', { colspan: String(head.length) }, '暂无数据'))),
  );
}

/* 跨省通办: accepted here for other provinces, accepted elsewhere for ours, by state. */
function renderXprov(f) {
  const states = ['accepted', 'dispatched', 'received', 'decided', 'returned', 'delivered', 'overdue'];
  const head = ['方向', '已受理', '已寄出', '已收件', '已决定', '已寄回', '已送达', '超期'];
  const rows = f ? [['本地受理', f.out], ['外省受理', f.in]]
    .map(([name, side]) => [name, ...states.map((k) => String(side[k] || 0))]) : [];
  table($('t-xprov'), head, rows);
}

function kpi(label, value, note, warn) {
  return el('li', { class: `kpi${warn ? ' kpi-warn' : ''}` },
    el('span', { class: 'kpi-label' }, label),
    el('span', { class: 'kpi-value' }, value),
    note ? el('span', { class: 'kpi-note' }, note) : null);
}

function renderStats(st) {
  const t = st.tickets;
  const a = st.appointments;
  const c = st.cases;
  const r = st.reviews;
  $('kpis').replaceChildren(
    kpi('取号', String(t.taken), `已办 ${t.served} · 过号 ${t.skipped} · 未到 ${t.no_show}`),
    kpi('平均等候', `${num(t.avg_wait_minutes)} 分`, `90% 在 ${num(t.p90_wait_minutes)} 分钟内`),
    kpi('平均办理', `${num(t.avg_service_minutes)} 分`, `90% 在 ${num(t.p90_service_minutes)} 分钟内`),
    kpi('预约', String(a.booked), `签到 ${a.checked_in} · 爽约 ${a.no_show}`),
    kpi('办件受理', String(c.accepted), `办结 ${c.closed} · 超期 ${c.overdue}`, c.overdue > 0),
    kpi('综合窗口受理', pct(c.comprehensive_share), `${c.at_comprehensive} / ${c.accepted} 件`),
    kpi('满意率', pct(r.satisfaction_rate), `${r.satisfied} / ${r.total} 条评价`),
    kpi('差评整改率', pct(r.rectification_rate),
      `已整改 ${r.rectification.rectified} / ${r.rectification.tasks} · 逾期 ${r.rectification.overdue}`,
      r.rectification.overdue > 0),
  );

  // Tickets by hour, stacked by category.
  const cats = [...new Set(t.by_category.map((x) => x.category))];
  const hours = [...new Set(t.by_hour.map((x) => x.hour))].sort((x, y) => x - y);
  barChart($('chart-hours'), {
    title: '各时段取号量',
    labels: hours.map((h) => `${h}时`),
    stacked: true,
    series: cats.map((cat, i) => ({
      name: cat,
      color: CAT_COLORS[i % CAT_COLORS.length],
      values: hours.map((h) => (t.by_hour.find((x) => x.hour === h && x.category === cat) || {}).count || 0),
    })),
  });
  $('legend-hours').replaceChildren(...t.by_category.map((x, i) => el('span', { class: 'leg' },
    el('span', { class: `sw sw-c${i % CAT_COLORS.length}` }), `${x.category} ${x.name}`)));

  barChart($('chart-wait'), {
    title: '各类业务等候时间',
    integer: false,
    labels: t.by_category.map((x) => x.category),
    series: [
      { name: '平均', color: '#0b4ea2', values: t.by_category.map((x) => x.avg_wait_minutes || 0) },
      { name: '90%', color: '#9bb8e0', values: t.by_category.map((x) => x.p90_wait_minutes || 0) },
    ],
  });

  barChart($('chart-score'), {
    title: '好差评分布',
    labels: [5, 4, 3, 2, 1].map((k) => SCORE_LABEL[k]),
    series: [{
      name: '条',
      colors: [5, 4, 3, 2, 1].map((k) => SCORE_COLOR[k]),
      values: [5, 4, 3, 2, 1].map((k) => r.by_score[String(k)] || 0),
    }],
  });
  const ind = r.indicators || {};
  $('review-summary').textContent = `服务态度 ${num(ind.attitude, 2)} · 服务效率 ${num(ind.efficiency, 2)}`
    + ` · 业务水平 ${num(ind.competence, 2)} · 办事便利 ${num(ind.convenience, 2)}（满分 5）`;

  barChart($('chart-dept'), {
    title: '各部门办件',
    labels: c.by_department.map((d) => d.name || d.department),
    series: [
      { name: '受理', color: '#0b4ea2', values: c.by_department.map((d) => d.accepted) },
      { name: '办结', color: '#1b8a5a', values: c.by_department.map((d) => d.closed) },
      { name: '超期', color: '#b00020', values: c.by_department.map((d) => d.overdue) },
    ],
  });

  table($('t-cat'), ['类别', '取号', '已办', '未到', '离开', '平均等候', '90%等候', '平均办理', '90%办理'],
    t.by_category.map((x) => [`${x.category} ${x.name}`, x.taken, x.served, x.no_show, x.cancelled,
      num(x.avg_wait_minutes), num(x.p90_wait_minutes), num(x.avg_service_minutes), num(x.p90_service_minutes)]));
  table($('t-win'), ['窗口', '叫号', '已办', '平均等候', '90%等候', '平均办理', '90%办理'],
    t.by_window.map((x) => [`${x.window} 号`, x.called, x.served, num(x.avg_wait_minutes), num(x.p90_wait_minutes),
      num(x.avg_service_minutes), num(x.p90_service_minutes)]));
  table($('t-clerk'), ['工作人员', '叫号', '已办', '平均办理', '90%办理'],
    t.by_clerk.map((x) => [x.name || x.clerk || '—', x.called, x.served, num(x.avg_service_minutes),
      num(x.p90_service_minutes)]));

  const alerts = st.alerts || [];
  $('alerts-card').hidden = alerts.length === 0;
  $('alerts').replaceChildren(...alerts.map((al) => el('li', { class: `alert alert-${al.level}`, 'data-key': al.key },
    el('strong', null, al.level === 'critical' ? '紧急' : al.level === 'warning' ? '注意' : '提示'),
    ' ', al.message, el('span', { class: 'muted' }, ` （${when(al.raised_at)}）`),
    al.dismissible ? dismissButton(al) : null)));
}

/* 已处理: the manager has dealt with it (a failed notice resent or phoned, a budget looked at). */
function dismissButton(al) {
  const btn = el('button', { type: 'button', class: 'btn btn-secondary alert-done', 'aria-label': `标记为已处理：${al.message}` }, '已处理');
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      await api(`/halls/${encodeURIComponent(state.hall)}/alerts/dismiss`, { method: 'POST', body: { key: al.key } });
      refresh();
    } catch (err) {
      btn.disabled = false;
      say($('page-status'), errorText(err), 'error');
    }
  });
  return btn;
}

function renderOverdue(list) {
  const ul = $('overdue');
  ul.replaceChildren(...list.map((c) => el('li', null,
    el('a', { href: `/staff/case.html?no=${encodeURIComponent(c.no)}` }, c.no), ' ',
    el('span', null, c.item_name || ''), ' ',
    el('span', { class: 'muted' }, `期限 ${c.deadline || '—'} · ${c.department_name || ''}`))));
  if (!list.length) ul.append(el('li', { class: 'muted' }, '没有超期办件'));
}

/* 容缺 materials past their due date: case, material, due, days overdue, accepting clerk. */
function renderWaivers(list) {
  const t = $('t-waivers');
  t.replaceChildren(
    el('thead', null, el('tr', null, ['办件编号', '材料', '约定补交', '逾期', '受理人'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', null, list.length
      ? list.map((w) => el('tr', { dataset: { case: w.case_no } },
        el('th', { scope: 'row' }, el('a', { href: `/staff/case.html?no=${encodeURIComponent(w.case_no)}` }, w.case_no)),
        el('td', null, w.name),
        el('td', null, w.due),
        el('td', { class: 'tag-over' }, `${w.days_overdue} 天`),
        el('td', null, w.accepted_by || '—')))
      : el('tr', null, el('td', { colspan: '5', class: 'muted' }, '没有逾期未补交的容缺材料'))),
  );
}

/* 咨询导办 referrals nobody has accepted yet, oldest first, with who stays responsible. */
function renderConsult(list) {
  const ul = $('consult-open');
  const what = { window: '窗口', department: '部门', staff: '工作人员' };
  ul.replaceChildren(...list.map((c) => el('li', { dataset: { id: String(c.id) } },
    el('strong', null, `${c.ticket}`), ' ',
    el('span', null, c.question), ' ',
    el('span', { class: 'muted' }, `${c.day} · 转交${what[c.referral.kind] || ''} ${c.referral.to_name || c.referral.to}`
      + ` · 首问 ${c.clerk.name}（${c.window_name}）`))));
  if (!list.length) ul.append(el('li', { class: 'muted' }, '没有未接收的转交'));
}

/* A result line under a form: styled as a note or as an error, read out when it changes. */
function tell(out, text, kind = 'ok') {
  out.replaceChildren(text ? el('div', { class: kind === 'ok' ? 'ok-note' : 'notice notice-error' },
    el('p', null, text)) : '');
}

/* How to reach the reviewer: the masked mobile and 显示完整号码 (audited), the case's page. */
function contactLine(t) {
  const parts = [];
  if (t.kind === 'case') {
    parts.push(el('a', { href: `/staff/case.html?no=${encodeURIComponent(t.ref)}`, class: 'rect-ref' }, `办件 ${t.ref}`));
  } else {
    parts.push(el('span', { class: 'rect-ref' }, `排队号 ${t.ref}`));
  }
  if (t.contact_phone) {
    const phone = el('span', { class: 'rect-phone' }, `联系电话 ${t.contact_phone}`);
    const show = el('button', { type: 'button', class: 'btn btn-secondary rect-reveal', 'aria-label': `显示 ${t.ref} 评价人的完整号码` }, '显示完整号码');
    show.addEventListener('click', async () => {
      show.disabled = true;
      try {
        const r = await apiGet(`/halls/${encodeURIComponent(state.hall)}/rectifications/${t.id}/contact`);
        if (r.phone) {
          phone.replaceChildren('联系电话 ', el('a', { href: `tel:${r.phone}` }, r.phone));
          show.remove();
        } else {
          phone.textContent = '未留联系电话';
          show.remove();
        }
      } catch (err) {
        show.disabled = false;
        say($('page-status'), errorText(err), 'error');
      }
    });
    parts.push(phone, show);
  } else {
    parts.push(el('span', { class: 'muted' }, '未留联系电话（取号时未填手机号）'));
  }
  return el('p', { class: 'rect-contact' }, parts);
}

/* A fix waiting for its 复核: pass, or send it back with what is still wrong — by another
 * manager than the one who recorded it. */
function checkForm(task) {
  const form = el('form', { class: 'rect-form rect-check' });
  const id = `rect-${task.id}-check`;
  const out = el('div', { class: 'rect-msg', role: 'status' });
  const fixed = el('p', null, `整改措施：${task.fix}`, el('br'),
    el('span', { class: 'muted' }, `${task.fixed_by_name || '负责人'} 于 ${when(task.fixed_at)} 提交，待复核`));
  if (task.fixed_by_me) {
    form.append(fixed, el('p', { class: 'muted rect-own' }, '整改由您提交，须由另一位负责人复核。'));
    return form;
  }
  const note = el('input', { id, name: 'note', maxlength: '500' });
  const pass = el('button', { type: 'button', class: 'btn' }, '复核通过');
  const reject = el('button', { type: 'button', class: 'btn btn-secondary' }, '退回重新整改');
  form.append(fixed, el('label', { for: id }, '复核意见（退回时必填）'), note,
    el('div', { class: 'actions-row' }, pass, reject), out);
  const base = `/halls/${encodeURIComponent(state.hall)}/rectifications/${task.id}/check`;
  const send = async (result) => {
    const body = { result };
    if (note.value.trim()) body.note = note.value.trim();
    if (result === 'reject' && !body.note) {
      tell(out, '退回时请写明需要重新整改的地方', 'error');
      note.focus();
      return;
    }
    pass.disabled = true;
    reject.disabled = true;
    try {
      await api(base, { method: 'POST', body });
      tell(out, result === 'pass' ? '复核通过，已短信告知评价人' : '已退回重新整改');
      refresh();
    } catch (err) {
      pass.disabled = false;
      reject.disabled = false;
      tell(out, err.fields ? `${errorText(err)}：${Object.values(err.fields).join('；')}` : errorText(err), 'error');
    }
  };
  pass.addEventListener('click', () => send('pass'));
  reject.addEventListener('click', () => send('reject'));
  return form;
}

function rectForm(task) {
  if (task.status === 'fixed') return checkForm(task);
  const form = el('form', { class: 'rect-form' });
  const id = (k) => `rect-${task.id}-${k}`;
  const note = el('input', { id: id('note'), name: 'contact_note', maxlength: '500', value: task.contact_note || '' });
  const cause = el('input', { id: id('cause'), name: 'cause', maxlength: '500', value: task.cause || '' });
  const fix = el('input', { id: id('fix'), name: 'fix', maxlength: '500', value: task.fix || '' });
  const out = el('div', { class: 'rect-msg', role: 'status' });
  const save = el('button', { type: 'submit', class: 'btn btn-secondary' }, '保存');
  const close = el('button', { type: 'button', class: 'btn' }, '整改完成');
  form.append(
    el('label', { for: id('note') }, '联系情况'), note,
    el('label', { for: id('cause') }, '差评原因'), cause,
    el('label', { for: id('fix') }, '整改措施'), fix,
    el('div', { class: 'actions-row' }, save, close), out,
  );
  const base = `/halls/${encodeURIComponent(state.hall)}/rectifications/${task.id}`;
  const patch = async () => {
    const body = { contacted: Boolean(note.value.trim()) || Boolean(task.contacted_at) };
    if (note.value.trim()) body.contact_note = note.value.trim();
    if (cause.value.trim()) body.cause = cause.value.trim();
    if (fix.value.trim()) body.fix = fix.value.trim();
    if (!body.contacted && !body.cause && !body.fix) return;
    await api(base, { method: 'PATCH', body });
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await patch();
      tell(out, '已保存');
    } catch (err) {
      tell(out, errorText(err), 'error');
    }
  });
  close.addEventListener('click', async () => {
    try {
      await patch();
      await api(`${base}/close`, { method: 'POST', body: {} });
      tell(out, '已提交，待另一位负责人复核');
      refresh();
    } catch (err) {
      tell(out, err.fields ? `${errorText(err)}：${Object.values(err.fields).join('；')}` : errorText(err), 'error');
    }
  });
  return form;
}

function renderRect(all) {
  const ul = $('rect');
  const list = all.slice(0, RECT_SHOWN);
  ul.replaceChildren(...list.map((t) => el('li', { class: t.overdue ? 'overdue' : '', dataset: { ref: t.ref } },
    el('details', null,
      el('summary', null,
        el('strong', null, `${SCORE_LABEL[t.score] || t.score}`), ' ',
        `${t.kind === 'case' ? '办件' : '排队号'} ${t.ref}`, t.window ? ` · ${t.window} 号窗口` : '',
        ' · ', el('span', { class: t.overdue ? 'tag-over' : 'muted' },
          t.deadline ? `期限 ${t.deadline}${t.overdue ? '（已逾期）' : ''}` : '期限待定（节假日未导入）'),
        t.status === 'fixed' ? el('span', { class: 'tag-check' }, ' · 待复核') : ''),
      contactLine(t),
      t.comment ? el('p', { class: 'quote' }, `“${t.comment}”`) : null,
      t.rejections > 0 && t.status === 'open' && t.check_note
        ? el('p', { class: 'notice notice-error' }, el('p', null, `复核退回（${t.checked_by_name || ''}）：${t.check_note}`)) : null,
      rectForm(t)))));
  if (!list.length) ul.append(el('li', { class: 'muted' }, '没有待整改的差评'));
  if (all.length > RECT_SHOWN) ul.append(el('li', { class: 'muted' }, `仅列出最早到期的 ${RECT_SHOWN} 条，更多待整改见统计区间的整改数字`));
}

/* 满意度 per department, window and clerk. */
function renderSatisfaction(sat) {
  const row = (name, g) => [name, String(g.total), String(g.satisfied), String(g.bad), pct(g.satisfaction_rate),
    g.average_score == null ? '—' : num(g.average_score, 2)];
  const head = (what) => [what, '评价数', '满意', '差评', '满意率', '平均分'];
  table($('t-sat-dept'), head('部门'), (sat.by_department || []).map((g) => row(g.name, g)));
  table($('t-sat-win'), head('窗口'), (sat.by_window || []).map((g) => row(g.name || `${g.window} 号窗口`, g)));
  table($('t-sat-clerk'), head('工作人员'), (sat.by_clerk || []).map((g) => row(g.name, g)));
}

const CP_ABOUT = { hall: '大厅', ticket: '排队号', case: '办件' };

/* Unanswered complaints: assign (to a member of staff) or answer. */
function complaintItem(c, staff) {
  const base = `/halls/${encodeURIComponent(state.hall)}/complaints/${c.id}`;
  const out = el('div', { class: 'rect-msg', role: 'status' });
  const sel = el('select', { id: `cp-${c.id}-who`, name: 'assignee' },
    el('option', { value: '' }, '选择工作人员'),
    ...staff.map((p) => el('option', { value: p.username }, `${p.name}（${p.username}）`)));
  const assign = el('button', { type: 'button', class: 'btn btn-secondary' }, '分派');
  const answer = el('input', { id: `cp-${c.id}-answer`, name: 'answer', maxlength: '500' });
  const send = el('button', { type: 'button', class: 'btn' }, '答复');
  assign.addEventListener('click', async () => {
    if (!sel.value) return;
    try {
      await api(`${base}/assign`, { method: 'POST', body: { assignee: sel.value } });
      refresh();
    } catch (err) {
      tell(out, errorText(err), 'error');
    }
  });
  send.addEventListener('click', async () => {
    try {
      await api(`${base}/answer`, { method: 'POST', body: { answer: answer.value.trim() } });
      tell(out, '已答复，已短信告知投诉人');
      refresh();
    } catch (err) {
      tell(out, err.fields ? `${errorText(err)}：${Object.values(err.fields).join('；')}` : errorText(err), 'error');
    }
  });
  return el('li', { class: c.overdue ? 'overdue' : '', dataset: { id: String(c.id) } },
    el('details', null,
      el('summary', null, el('strong', null, `投诉 #${c.id}`), ` ${CP_ABOUT[c.about] || ''}${c.ref ? ` ${c.ref}` : ''}`,
        ' · ', el('span', { class: c.overdue ? 'tag-over' : 'muted' },
          c.deadline ? `答复期限 ${c.deadline}${c.overdue ? '（已逾期）' : ''}` : '期限待定'),
        c.assignee_name ? el('span', { class: 'muted' }, ` · 已分派 ${c.assignee_name}`) : ''),
      el('p', { class: 'quote' }, `“${c.text}”`),
      el('form', { class: 'rect-form' },
        el('label', { for: `cp-${c.id}-who` }, '分派给'), sel, el('div', { class: 'actions-row' }, assign),
        el('label', { for: `cp-${c.id}-answer` }, '答复内容（5–500 字，短信告知投诉人）'), answer,
        el('div', { class: 'actions-row' }, send), out)));
}

function renderComplaints(list, staff) {
  const ul = $('complaints');
  ul.replaceChildren(...list.map((c) => complaintItem(c, staff)));
  if (!list.length) ul.append(el('li', { class: 'muted' }, '没有未答复的投诉'));
}

/* Empty dates: the server's hall day (the hall clock, not this device's). */
async function refresh() {
  if (state.busy) return;
  state.busy = true;
  state.lastRefresh = Date.now();
  const from = $('from').value;
  const to = $('to').value || from;
  try {
    const hall = encodeURIComponent(state.hall);
    const [st, cases, rect, waivers, sat, cps, staff, consult, xprov] = await Promise.all([
      apiGet(`/halls/${hall}/stats`, { from, to }),
      apiGet('/cases', { overdue: 1, per_page: 12 }).catch(() => ({ cases: [] })),
      apiGet(`/halls/${hall}/rectifications`, { status: 'open', limit: RECT_SHOWN + 1 }),
      apiGet('/case-waivers', { overdue: 1, limit: 20 }),
      apiGet(`/halls/${hall}/satisfaction`, { from, to }),
      apiGet(`/halls/${hall}/complaints`, { status: 'open', limit: 50 }),
      apiGet(`/halls/${hall}/staff`).catch(() => ({ staff: [] })),
      apiGet('/consult/referrals').catch(() => ({ open: [] })),
      apiGet('/cross-province/figures').catch(() => ({ figures: null })),
    ]);
    renderSatisfaction(sat);
    renderComplaints(cps.complaints || [], (staff.staff || []).filter((p) => !p.disabled && p.role !== 'kiosk'));
    renderStats(st);
    if (!$('from').value) $('from').value = st.from;
    if (!$('to').value) $('to').value = st.to;
    renderOverdue(cases.cases || []);
    renderWaivers(waivers.waivers || []);
    renderRect(rect.rectifications || []);
    renderConsult(consult.open || []);
    renderXprov(xprov.figures);
    clear($('page-status'));
    $('updated').textContent = `更新于 ${new Date().toLocaleTimeString('zh-CN', { hour12: false })}，每分钟自动刷新`;
    document.body.dataset.loaded = '1';
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  } finally {
    state.busy = false;
  }
}

async function downloadCsv() {
  const from = $('from').value;
  const to = $('to').value || from;
  const res = await fetch(`/api/v1/halls/${encodeURIComponent(state.hall)}/stats?from=${from}&to=${to}&format=csv`, {
    headers: { Authorization: `Bearer ${getToken()}`, Accept: 'text/csv' },
  });
  if (!res.ok) {
    say($('page-status'), '导出失败，请稍后重试', 'error');
    return;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', { href: url, download: `stats-${state.hall}-${from}-${to}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function schedule() {
  clearInterval(state.timer);
  state.timer = setInterval(() => {
    if (document.visibilityState === 'visible') refresh();
  }, REFRESH_MS);
}

startStaffPage({
  roles: ['manager', 'admin'],
  onReady(me) {
    state.hall = me.hall || 'demo';
    const params = new URLSearchParams(window.location.search);
    $('from').value = params.get('from') || '';
    $('to').value = params.get('to') || $('from').value;
    $('period').addEventListener('submit', (ev) => {
      ev.preventDefault();
      refresh();
    });
    $('csv').addEventListener('click', downloadCsv);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') refresh();
    });
    refresh();
    schedule();
    startPush();
  },
});
