/*
 * review.js — 好差评 (review.html?ticket=<token> or ?case=<token>[&channel=tablet]).
 *
 * API (the token is the credential; no sign-in):
 *   GET  /api/v1/tickets/{token}   what visit this is (number, status)
 *   GET  /api/v1/track/{token}     what case this is (number, item, status)
 *   GET  /api/v1/reviews?ticket=|case=   the review already given (shown instead of the form)
 *   POST /api/v1/reviews           {"ticket"|"case","score","indicators"?,"comment"?,"channel"?}
 *        → 201; 409 ALREADY_REVIEWED; 422 NOT_REVIEWABLE (not finished / not closed yet)
 * Five big buttons (非常满意 … 非常不满意), the indicators of the national 好差评 guideline,
 * a comment — required for 不满意 / 非常不满意 (the API answers 400 naming comment without
 * one; the page says so before sending).  On a tablet at the window (channel=tablet) the
 * page offers nothing else.
 */

import { api, apiGet } from './api.js';
import { el, initLargeText, showError, clearStatus } from './ui.js';

const $ = (id) => document.getElementById(id);
const LEVELS = [
  { score: 5, label: '非常满意', face: '★★★★★' },
  { score: 4, label: '满意', face: '★★★★' },
  { score: 3, label: '基本满意', face: '★★★' },
  { score: 2, label: '不满意', face: '★★' },
  { score: 1, label: '非常不满意', face: '★' },
];
const INDICATORS = [
  { key: 'attitude', name: '服务态度' },
  { key: 'efficiency', name: '服务效率' },
  { key: 'competence', name: '业务水平' },
  { key: 'convenience', name: '办事便利' },
  { key: 'transparency', name: '政务公开' },
];
const TOKEN_RE = /^[A-Za-z0-9_-]{8,128}$/;

const params = new URLSearchParams(window.location.search);
const kind = params.get('case') ? 'case' : 'ticket';
const token = params.get(kind) || '';
const channel = ['tablet', 'window'].includes(params.get('channel')) ? params.get('channel') : 'phone';
const state = { score: 0, ind: {} };

function missing(text) {
  $('rv-loading').hidden = true;
  $('rv-form').hidden = true;
  $('rv-missing').hidden = false;
  if (text) $('rv-missing-text').textContent = text;
}

function done(title, text) {
  $('rv-loading').hidden = true;
  $('rv-form').hidden = true;
  $('rv-done').hidden = false;
  $('rv-done-title').textContent = title;
  $('rv-done-text').textContent = text;
}

function press(group, btn) {
  for (const b of group.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === btn));
}

function buildForm() {
  const levels = $('rv-levels');
  for (const l of LEVELS) {
    const b = el('button', { type: 'button', class: `rv-level rv-l${l.score}`, 'aria-pressed': 'false', dataset: { score: String(l.score) } },
      el('span', { class: 'rv-face', 'aria-hidden': 'true' }, l.face), l.label);
    b.addEventListener('click', () => {
      state.score = l.score;
      press(levels, b);
      $('rv-bad-hint').hidden = l.score > 2;
      $('rv-comment-label').textContent = l.score <= 2 ? '不满意的原因（必填）' : '意见建议（可选）';
      if (l.score <= 2) $('rv-comment').setAttribute('aria-required', 'true');
      else {
        $('rv-comment').removeAttribute('aria-required');
        commentError('');
      }
      $('rv-submit').disabled = false;
    });
    levels.append(b);
  }
  const box = $('rv-indicators');
  for (const ind of INDICATORS) {
    const stars = el('div', { class: 'rv-stars', role: 'group', 'aria-label': `${ind.name}（1 分非常不满意，5 分非常满意）` });
    for (let v = 1; v <= 5; v += 1) {
      const meaning = LEVELS.find((l) => l.score === v).label;
      const b = el('button', { type: 'button', class: 'rv-star', 'aria-pressed': 'false', 'aria-label': `${ind.name} ${v} 分（${meaning}）` }, String(v));
      b.addEventListener('click', () => {
        state.ind[ind.key] = v;
        press(stars, b);
      });
      stars.append(b);
    }
    const ends = el('div', { class: 'rv-ends', 'aria-hidden': 'true' },
      el('span', null, '1 非常不满意'), el('span', null, '5 非常满意'));
    box.append(el('div', { class: 'rv-ind', dataset: { indicator: ind.key } },
      el('span', { class: 'rv-ind-name' }, ind.name), el('div', { class: 'rv-scale-row' }, stars, ends)));
  }
  $('rv-comment').addEventListener('input', () => {
    /* characters, as the API counts them (not UTF-16 units) */
    $('rv-count').textContent = `${[...$('rv-comment').value].length} / 500`;
    if ($('rv-comment').value.trim()) commentError('');
  });
  $('rv-form').addEventListener('submit', submit);
}

/* The message under the comment box ('' clears it). */
function commentError(text) {
  $('rv-comment-error').textContent = text;
  $('rv-comment-error').hidden = !text;
  if (text) $('rv-comment').setAttribute('aria-invalid', 'true');
  else $('rv-comment').removeAttribute('aria-invalid');
}

async function submit(ev) {
  ev.preventDefault();
  if (!state.score) return;
  const body = { [kind]: token, score: state.score, channel };
  const comment = $('rv-comment').value.trim();
  if (state.score <= 2 && !comment) {
    commentError('请写下不满意的原因，方便中心负责人联系您并整改');
    $('rv-comment').focus();
    return;
  }
  if (comment) body.comment = comment;
  if (Object.keys(state.ind).length) body.indicators = state.ind;
  $('rv-submit').disabled = true;
  try {
    const r = await api('/reviews', { method: 'POST', body });
    clearStatus($('rv-status'));
    done('感谢您的评价', r.review && r.review.rectification
      ? `我们已收到您的意见，中心负责人会${r.review.rectification_deadline ? `在 ${r.review.rectification_deadline} 前` : '尽快'}按您办事时留的电话联系您并整改。`
      : '您的评价已收到，我们会持续改进服务。');
  } catch (err) {
    if (err.status === 400 && err.fields && err.fields.comment) {
      commentError(err.fields.comment);
      $('rv-comment').focus();
      $('rv-submit').disabled = false;
    } else if (err.status === 409) done('已经评价过了', err.message);
    else if (err.status === 422 || err.status === 404) missing(err.message);
    else {
      showError($('rv-status'), err.status >= 500 || !err.status ? '网络不稳定，请稍后再提交' : err.message);
      $('rv-submit').disabled = false;
    }
  }
}

/* The review already given for this visit or case, as the citizen gave it. */
function given(what, rv) {
  $('rv-loading').hidden = true;
  $('rv-form').hidden = true;
  $('rv-given').hidden = false;
  $('rv-given-what').textContent = what;
  const level = LEVELS.find((l) => l.score === Number(rv.score));
  $('rv-given-face').textContent = level ? level.face : '';
  $('rv-given-label').textContent = rv.score_label || (level ? level.label : '');
  const dl = $('rv-given-ind');
  dl.replaceChildren(...INDICATORS.filter((i) => rv.indicators && rv.indicators[i.key])
    .flatMap((i) => [el('dt', null, i.name), el('dd', null, `${rv.indicators[i.key]} 分`)]));
  if (rv.comment) {
    $('rv-given-comment').hidden = false;
    $('rv-given-comment').textContent = `您的意见：${rv.comment}`;
  }
  $('rv-given-when').textContent = rv.created_at
    ? `评价时间：${rv.created_at.slice(0, 10)} ${rv.created_at.slice(11, 16)}` : '';
  if (rv.rectification) {
    $('rv-given-rect').hidden = false;
    $('rv-given-rect').textContent = rv.contacted_at
      ? '中心已就您的意见与您联系，整改情况请留意短信或来电。'
      : `中心负责人会${rv.deadline ? `在 ${rv.deadline} 前` : '尽快'}按您办事时留的电话联系您并整改。`;
  }
}

async function load() {
  if (!TOKEN_RE.test(token)) {
    missing('链接不完整，请重新扫码或点击短信中的链接。');
    return;
  }
  try {
    if (kind === 'ticket') {
      const { ticket } = await apiGet(`/tickets/${encodeURIComponent(token)}`);
      if (ticket.status !== 'done' || ticket.outcome === 'no_show') {
        missing('业务办理完成后才能评价。');
        return;
      }
      $('rv-what').textContent = `排队号 ${ticket.number}${ticket.window ? ` · ${ticket.window} 号窗口` : ''}`;
    } else {
      const { case: c } = await apiGet(`/track/${encodeURIComponent(token)}`);
      if (c.status !== 'closed') {
        missing('办件办结后才能评价。');
        return;
      }
      $('rv-what').textContent = `办件 ${c.no} · ${c.item || ''}`;
    }
    const r = await apiGet('/reviews', { [kind]: token });
    if (r.review) {
      given($('rv-what').textContent, r.review);
      return;
    }
  } catch (err) {
    if (err.status === 404) {
      missing();
      return;
    }
    /* Could not look it up (network): still let the citizen review; the server decides. */
    if (!$('rv-what').textContent) $('rv-what').textContent = kind === 'case' ? '办件评价' : '本次办理评价';
  }
  $('rv-loading').hidden = true;
  $('rv-form').hidden = false;
}

initLargeText($('toggle-large'));
buildForm();
load();
