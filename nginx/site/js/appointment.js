/*
 * appointment.js — one appointment (a.html, served at /a/<token>: the link printed on the
 * confirmation and encoded in the appointment's QR code): its details, 签到取号, 取消预约.
 * The token is read from the address (/a/<token>, or a.html?t=<token>).
 *
 * API used:
 *   GET /api/v1/appointments/{token} → {"appointment":{…}} for the citizen who booked it
 * and the card actions of appt.js.  Address parameters: large (see ui.js).
 */

import { api } from './api.js';
import { initLargeText, showError, clearStatus } from './ui.js';
import { friendly, whoAmI, loginHref, appointmentCard } from './appt.js';

const $ = (id) => document.getElementById(id);

function tokenFromAddress() {
  const m = /^\/a\/([A-Za-z0-9_-]{16,64})$/.exec(window.location.pathname);
  if (m) return m[1];
  const t = new URLSearchParams(window.location.search).get('t') || '';
  return /^[A-Za-z0-9_-]{16,64}$/.test(t) ? t : null;
}

async function load(token) {
  clearStatus($('page-status'));
  try {
    const { appointment } = await api(`/appointments/${encodeURIComponent(token)}`);
    $('one').replaceChildren(appointmentCard(appointment, { tag: 'section', headingLevel: 'h2' }));
  } catch (err) {
    if (err.status === 401) {
      $('sign-in').hidden = false;
    } else if (err.status === 403) {
      showError($('page-status'), '该预约不属于当前登录的账号，请用预约时的手机号登录。');
    } else if (err.status === 404) {
      showError($('page-status'), '未找到该预约，请核对链接。');
    } else {
      showError($('page-status'), friendly(err), () => load(token));
    }
  } finally {
    $('loading').hidden = true;
  }
}

async function start() {
  initLargeText($('toggle-large'));
  const token = tokenFromAddress();
  $('sign-in-link').setAttribute('href', loginHref(window.location.pathname + window.location.search));
  if (!token) {
    $('loading').hidden = true;
    showError($('page-status'), '链接不完整，请核对后重新打开。');
    return;
  }
  let who;
  try {
    who = await whoAmI();
  } catch (err) {
    $('loading').hidden = true;
    showError($('page-status'), friendly(err), start);
    return;
  }
  if (who !== 'citizen') {
    $('loading').hidden = true;
    $('sign-in').hidden = false;
    return;
  }
  await load(token);
}

start();
