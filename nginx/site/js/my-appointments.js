/*
 * my-appointments.js — 我的预约 (appointments.html): the citizen's appointments, the live
 * ones first (签到取号, 取消预约 on each card), then the history.
 *
 * API used:
 *   GET /api/v1/me/appointments → {"appointments":[…]} (newest first)
 * and the card actions of appt.js.  Address parameters: large (see ui.js).
 */

import { api } from './api.js';
import { el, initLargeText, showError, clearStatus } from './ui.js';
import { friendly, whoAmI, loginHref, appointmentCard } from './appt.js';

const $ = (id) => document.getElementById(id);

function isLive(a) {
  return a.status === 'booked' || a.status === 'checked_in';
}

function render(list) {
  const live = list.filter(isLive).sort((x, y) => (x.start < y.start ? -1 : 1));
  const past = list.filter((a) => !isLive(a));
  // After an action the lists are read again (the card moves between them); the message
  // stays on the page and takes the focus the replaced card had.
  const onChange = async (_updated, message) => {
    await load();
    if (message) {
      const n = el('div', { class: 'notice notice-ok', tabindex: '-1' }, el('p', null, message));
      $('page-status').replaceChildren(n);
      n.focus();
    }
  };
  $('upcoming').replaceChildren(...live.map((a) => appointmentCard(a, { onChange })));
  $('past').replaceChildren(...past.map((a) => appointmentCard(a)));
  $('upcoming-empty').hidden = live.length > 0;
  $('past-empty').hidden = past.length > 0;
}

async function load() {
  clearStatus($('page-status'));
  $('upcoming').setAttribute('aria-busy', 'true');
  try {
    const { appointments } = await api('/me/appointments');
    render(Array.isArray(appointments) ? appointments : []);
  } catch (err) {
    if (err.status === 401) {
      window.location.assign(loginHref('/appointments.html'));
      return;
    }
    showError($('page-status'), friendly(err), load);
  } finally {
    $('loading').hidden = true;
    $('upcoming').setAttribute('aria-busy', 'false');
  }
}

async function start() {
  initLargeText($('toggle-large'));
  let who;
  try {
    who = await whoAmI();
  } catch (err) {
    showError($('page-status'), friendly(err), start);
    return;
  }
  if (who !== 'citizen') {
    $('sign-in-link').setAttribute('href', loginHref('/appointments.html'));
    $('sign-in').hidden = false;
    return;
  }
  $('lists').hidden = false;
  await load();
}

start();
