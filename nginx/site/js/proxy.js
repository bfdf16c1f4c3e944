/*
 * proxy.js — 亲友代办 (proxy.html): the account's own identity (实名, masked), the people it
 * may book and apply for, asking a relative to confirm by SMS (their code comes to the phone
 * of their own account: they read it out), and the people who may act for this account —
 * each relation can be ended from either side.
 *
 * API used:
 *   GET    /api/v1/me/identity              → {"identity","principals","proxies","max_principals"}
 *   POST   /api/v1/me/principals/sms-code   {name,id_number} → 202 {"phone"} (the holder's, masked)
 *   POST   /api/v1/me/principals            {name,id_number,code} → 201 {"principal"}
 *   DELETE /api/v1/me/principals/{id}, /api/v1/me/proxies/{id} → 204
 * Address parameters: large (see ui.js).
 */

import { api } from './api.js';
import { el, initLargeText, showError, clearStatus } from './ui.js';
import { friendly, whoAmI, loginHref, idNumberOk } from './appt.js';

const $ = (id) => document.getElementById(id);
const HOW = { sms: '短信确认', clerk: '窗口登记' };

let asked = null;		/* {name, id_number} the code was sent for */
let countdown = null;

function fieldError(input, message) {
  $(`${input.id}-error`).textContent = message || '';
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function notice(region, message, kind = 'error') {
  region.replaceChildren(el('div', { class: `notice notice-${kind}` }, el('p', null, message)));
}

function since(rfc) {
  return String(rfc || '').slice(0, 10);
}

/* One relation as a card, with its 解除 button (asked twice). */
function relationCard(label, facts, onEnd) {
  const live = el('div', { class: 'status', 'aria-live': 'polite' });
  const end = el('button', { type: 'button', class: 'btn btn-danger' }, '解除代办');
  const card = el('li', { class: 'appt' },
    el('div', { class: 'appt-head' }, el('h3', null, label)),
    el('dl', { class: 'facts' }, facts.map(([dt, dd]) => [el('dt', null, dt), el('dd', null, dd)])),
    live, el('div', { class: 'appt-actions' }, end));
  end.addEventListener('click', () => {
    if (card.querySelector('.confirm-box')) return;
    const yes = el('button', { type: 'button', class: 'btn btn-danger' }, '确认解除');
    const no = el('button', { type: 'button', class: 'btn btn-secondary' }, '不解除');
    const box = el('div', { class: 'confirm-box', role: 'group', 'aria-label': '确认解除代办' },
      el('p', null, `确定解除与 ${label} 的代办关系吗？`), el('div', { class: 'appt-actions' }, yes, no));
    card.append(box);
    yes.focus();
    no.addEventListener('click', () => { box.remove(); end.focus(); });
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      try {
        await onEnd();
        await load();
        notice($('page-status'), '代办关系已解除。', 'ok');
      } catch (err) {
        yes.disabled = false;
        notice(live, friendly(err));
      }
    });
  });
  return card;
}

function render(me) {
  const id = me.identity;
  $('me-text').classList.remove('loading');
  $('me-text').textContent = id
    ? `本账号已实名：${id.name}（${id.id_number}）`
    : '本账号尚未绑定本人身份证。';
  $('max').textContent = String(me.max_principals || 5);
  const principals = Array.isArray(me.principals) ? me.principals : [];
  $('principals').replaceChildren(...principals.map((p) => relationCard(p.name,
    [['身份证', p.id_number], ['方式', HOW[p.how] || p.how], ['登记日期', since(p.since)]],
    () => api(`/me/principals/${encodeURIComponent(p.id)}`, { method: 'DELETE' }))));
  $('principals-empty').hidden = principals.length > 0;
  const proxies = Array.isArray(me.proxies) ? me.proxies : [];
  $('proxies').replaceChildren(...proxies.map((p) => relationCard(p.phone,
    [['手机号', p.phone], ['方式', HOW[p.how] || p.how], ['登记日期', since(p.since)]],
    () => api(`/me/proxies/${encodeURIComponent(p.id)}`, { method: 'DELETE' }))));
  $('proxies-empty').hidden = proxies.length > 0;
}

async function load() {
  try {
    render(await api('/me/identity'));
  } catch (err) {
    if (err.status === 401) {
      window.location.assign(loginHref('/proxy.html'));
      return;
    }
    showError($('page-status'), friendly(err), load);
  }
}

/* 获取确认码 waits out the minute between codes (Retry-After when the API says so). */
function wait(seconds) {
  const btn = $('ask');
  clearInterval(countdown);
  let left = seconds;
  btn.disabled = true;
  const tick = () => {
    if (left <= 0) {
      clearInterval(countdown);
      btn.disabled = false;
      btn.textContent = '重新获取确认码';
      return;
    }
    btn.textContent = `${left} 秒后可重新获取`;
    left -= 1;
  };
  tick();
  countdown = setInterval(tick, 1000);
}

async function ask(ev) {
  ev.preventDefault();
  const name = $('p-name');
  const idn = $('p-id');
  const body = { name: name.value.trim(), id_number: idn.value.trim().toUpperCase() };
  fieldError(name, '');
  fieldError(idn, '');
  clearStatus($('ask-status'));
  let bad = null;
  if (body.name.length < 2 || /[0-9<>"'&;{}/\\]/.test(body.name)) {
    fieldError(name, '请填写与身份证一致的真实姓名');
    bad = bad || name;
  }
  if (!idNumberOk(body.id_number)) {
    fieldError(idn, '身份证号码无效，请核对后重新输入');
    bad = bad || idn;
  }
  if (bad) {
    bad.focus();
    return;
  }
  $('ask').disabled = true;
  try {
    const r = await api('/me/principals/sms-code', { method: 'POST', body });
    asked = body;
    $('p-code-hint').textContent = `确认码已发送到该身份证本人的手机 ${r.phone}，请对方告诉您（10 分钟内有效）`;
    $('confirm-form').hidden = false;
    $('p-code').focus();
    wait(r.resend_after || 60);
  } catch (err) {
    $('ask').disabled = false;
    if (err.status === 401) {
      window.location.assign(loginHref('/proxy.html'));
      return;
    }
    if (err.fields && err.fields.name) fieldError(name, String(err.fields.name));
    if (err.fields && err.fields.id_number) fieldError(idn, String(err.fields.id_number));
    notice($('ask-status'), friendly(err));
    if (err.code === 'RATE_LIMITED' && err.retryAfter) wait(err.retryAfter);
  }
}

async function confirm(ev) {
  ev.preventDefault();
  const code = $('p-code');
  fieldError(code, '');
  clearStatus($('confirm-status'));
  if (!/^\d{6}$/.test(code.value.trim())) {
    fieldError(code, '确认码为 6 位数字');
    code.focus();
    return;
  }
  $('confirm').disabled = true;
  try {
    const { principal } = await api('/me/principals', {
      method: 'POST', body: { ...asked, code: code.value.trim() },
    });
    $('ask-form').reset();
    $('confirm-form').reset();
    $('confirm-form').hidden = true;
    clearInterval(countdown);
    $('ask').disabled = false;
    $('ask').textContent = '获取确认码';
    await load();
    const msg = `已添加：您可以为 ${principal.name}（${principal.id_number}）预约和网上申请。`;
    const n = el('div', { class: 'notice notice-ok', tabindex: '-1' }, el('p', null, msg));
    $('page-status').replaceChildren(n);
    n.focus();
  } catch (err) {
    if (err.fields && err.fields.code) fieldError(code, String(err.fields.code));
    notice($('confirm-status'), friendly(err));
  } finally {
    $('confirm').disabled = false;
  }
}

async function start() {
  initLargeText($('toggle-large'));
  $('ask-form').addEventListener('submit', ask);
  $('confirm-form').addEventListener('submit', confirm);
  let who;
  try {
    who = await whoAmI();
  } catch (err) {
    showError($('page-status'), friendly(err), start);
    return;
  }
  if (who !== 'citizen') {
    $('sign-in-link').setAttribute('href', loginHref('/proxy.html'));
    if (who === 'other') $('sign-in-title').textContent = '请使用个人账号登录';
    $('sign-in').hidden = false;
    return;
  }
  $('content').hidden = false;
  await load();
}

start();
