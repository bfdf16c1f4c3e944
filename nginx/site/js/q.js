/*
 * q.js — the phone page of a queue ticket, /q/<token> (q.html; nginx maps the path).
 *
 * API used (the token is the key; no sign-in):
 *   GET    /api/v1/tickets/{token}          → number, status, ahead, eta_minutes, window …
 *   DELETE /api/v1/tickets/{token}          → 204: left the queue
 *   POST   /api/v1/tickets/{token}/rejoin   → once after 过号, back at the end of the line
 *   /api/v1/push/halls/{hall}/tickets/{token}  push (push.js): a message after each change of
 *                                            the hall's queue; the page then reads its own
 *                                            ticket (within 1.5 s, spread so a hall's phones
 *                                            do not all ask in the same instant)
 * With push open it reads the ticket on each message and every 60 s besides; without push
 * (blocked, refused, ?push=0) it refreshes every 5 s while the page is visible (30 s hidden)
 * and tries push again after a minute.  It reads at once when the page becomes visible
 * again; a phone that lost the network keeps the last figures and says so.  When
 * the number is called the phone vibrates (where it can) and the window is shown large.
 */

import { api, apiGet } from './api.js';
import { initLargeText, showError, clearStatus, formatClock } from './ui.js';
import { STATUS_TEXT, hhmm, waitText } from './queue-common.js';
import { PUSH_RETRY_MS, openPush, pushEnabled } from './push.js';

const $ = (id) => document.getElementById(id);
const VISIBLE_MS = 5000;
const HIDDEN_MS = 30000;
const PUSHED_MS = 60000;	// the safety read while push is open
const SPREAD_MS = 1500;

const token = (/^\/q\/([A-Za-z0-9_-]{8,64})$/.exec(window.location.pathname) || [])[1] || '';
const state = {
  ticket: null, timer: 0, loading: false, lastStatus: '',
  push: null,		// close function of the open push subscription
  pushOpen: false,
  pushRetryAt: 0,
  pushTimer: 0,
};

function over(t) {
  return t && (t.status === 'done' || t.status === 'cancelled');
}

/* Push for this ticket's hall, once the ticket (and so its hall) is known. */
function startPush() {
  const t = state.ticket;
  if (state.push || !t || !t.hall || over(t) || !pushEnabled() || Date.now() < state.pushRetryAt) return;
  const url = `/api/v1/push/halls/${encodeURIComponent(t.hall)}/tickets/${encodeURIComponent(token)}`;
  state.push = openPush(url, {
    onOpen: () => { state.pushOpen = true; load(); },
    onMessage: () => {
      clearTimeout(state.pushTimer);
      state.pushTimer = setTimeout(load, Math.floor(Math.random() * SPREAD_MS));
    },
    onFail: () => {
      state.push = null;
      state.pushOpen = false;
      state.pushRetryAt = Date.now() + PUSH_RETRY_MS;
      schedule();
    },
  });
}

function stopPush() {
  if (state.push) state.push();
  state.push = null;
  state.pushOpen = false;
}

function friendly(err) {
  if (!err || !err.status || err.status >= 500) return '网络不稳定，正在重试…';
  return err.message;
}

function hint(t) {
  switch (t.status) {
    case 'waiting':
      return t.ahead <= 3 ? '快轮到您了，请到等候区留意叫号。' : '请留意大厅叫号屏和语音提示。';
    case 'called':
      return `请立即到 ${t.window} 号窗口办理。`;
    case 'serving':
      return `正在 ${t.window} 号窗口办理。`;
    case 'done':
      return t.outcome === 'no_show' ? '叫号时未到窗口，本号码已作废，需要时请重新取号。' : '办理完成，感谢您的耐心等待。';
    case 'skipped':
      return t.rejoin_allowed ? '您已过号。可以重新排队一次，排在当前等候的人之后。' : '您已过号，本号码已不能再排队，需要时请重新取号。';
    case 'cancelled':
      return '您已离开队伍，本号码已作废。';
    default:
      return '';
  }
}

function render(t) {
  state.ticket = t;
  $('q-loading').hidden = true;
  $('q-missing').hidden = true;
  $('q-ticket').hidden = false;
  if (t.hall_name) $('hall-name').textContent = t.hall_name;
  document.title = `${t.number} · 我的排队号`;
  $('q-number').textContent = t.number;
  const st = $('q-state');
  st.dataset.status = t.status;
  st.textContent = t.status === 'called' ? `请到 ${t.window} 号窗口` : (STATUS_TEXT[t.status] || t.status);
  const waiting = t.status === 'waiting';
  $('q-place').hidden = !waiting;
  if (waiting) {
    $('q-ahead').textContent = `${t.ahead} 人`;
    $('q-eta').textContent = waitText(t.eta_minutes);
  }
  $('q-category').textContent = `${t.category} · ${t.category_name || ''}`;
  $('q-taken').textContent = hhmm(t.taken_at);
  $('q-updated').textContent = formatClock(new Date());
  $('q-hint').textContent = hint(t);
  // 好差评 (issue 9): a served visit can be reviewed once, with this ticket's token.
  const reviewable = t.status === 'done' && t.outcome !== 'no_show';
  $('q-review').hidden = !reviewable;
  if (reviewable) {
    $('q-review-link').href = `/review.html?ticket=${encodeURIComponent(token)}`;
    // Once reviewed, the link shows the review given instead of offering a form that fails.
    if (state.reviewed === undefined) {
      state.reviewed = null;
      apiGet('/reviews', { ticket: token }).then((r) => {
        state.reviewed = Boolean(r.review);
        if (state.reviewed) $('q-review-link').textContent = '查看我的评价';
      }).catch(() => { state.reviewed = undefined; });
    }
  }
  $('leave').hidden = !(waiting || t.status === 'skipped');
  $('rejoin').hidden = !(t.status === 'skipped' && t.rejoin_allowed);
  if (t.status !== 'waiting' && t.status !== 'skipped') $('leave-confirm').hidden = true;
  // Only after the citizen touched the page: Chrome blocks (and logs) a vibration before that.
  if (t.status === 'called' && state.lastStatus && state.lastStatus !== 'called' && navigator.vibrate &&
      (!navigator.userActivation || navigator.userActivation.hasBeenActive)) {
    navigator.vibrate([300, 150, 300]);
  }
  state.lastStatus = t.status;
}

async function load() {
  if (state.loading) return;
  state.loading = true;
  try {
    const { ticket } = await apiGet(`/tickets/${encodeURIComponent(token)}`);
    render(ticket);
    clearStatus($('q-status'));
  } catch (err) {
    if (err.status === 404) {
      $('q-loading').hidden = true;
      $('q-ticket').hidden = true;
      $('q-missing').hidden = false;
    } else {
      $('q-loading').hidden = true;
      showError($('q-status'), state.ticket ? '暂时无法更新，显示的是最近一次的结果' : friendly(err), load);
    }
  } finally {
    state.loading = false;
  }
  schedule();
}

function schedule() {
  clearTimeout(state.timer);
  const t = state.ticket;
  if (over(t)) {	// nothing more will change
    stopPush();
    return;
  }
  startPush();
  state.timer = setTimeout(load, state.pushOpen ? PUSHED_MS : document.hidden ? HIDDEN_MS : VISIBLE_MS);
}

async function leave() {
  $('leave-yes').disabled = true;
  try {
    await api(`/tickets/${encodeURIComponent(token)}`, { method: 'DELETE' });
    $('leave-confirm').hidden = true;
    await load();
    $('q-state').focus?.();
  } catch (err) {
    showError($('q-status'), err.status === 409 ? err.message : friendly(err));
  } finally {
    $('leave-yes').disabled = false;
  }
}

async function rejoin() {
  $('rejoin').disabled = true;
  try {
    const { ticket } = await api(`/tickets/${encodeURIComponent(token)}/rejoin`, { method: 'POST' });
    render(ticket);
    schedule();
  } catch (err) {
    showError($('q-status'), err.status === 409 ? err.message : friendly(err));
  } finally {
    $('rejoin').disabled = false;
  }
}

function init() {
  initLargeText($('toggle-large'));
  if (!token) {
    $('q-loading').hidden = true;
    $('q-missing').hidden = false;
    return;
  }
  $('leave').addEventListener('click', () => {
    $('leave-confirm').hidden = false;
    $('leave-no').focus();
  });
  $('leave-no').addEventListener('click', () => {
    $('leave-confirm').hidden = true;
    $('leave').focus();
  });
  $('leave-yes').addEventListener('click', leave);
  $('rejoin').addEventListener('click', rejoin);
  // QR code of this page (issue #8); the address in words beside it.
  $('q-qr').src = `/api/v1/tickets/${encodeURIComponent(token)}/qr.svg`;
  $('q-share-link').textContent = window.location.href.split(/[?#]/)[0];
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) load();
  });
  load();
}

init();
