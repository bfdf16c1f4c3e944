/*
 * auth-form.js — what the two sign-in pages (login.html, staff/login.html) share: field
 * errors tied to their inputs for screen readers, the form-level notice, the busy state of
 * a submit button, and where to go after signing in.
 */

import { MSG_UNAVAILABLE } from './api.js';
import { el } from './ui.js';

/* Mark one field bad: the message under it, aria-invalid on the input. */
export function setFieldError(input, message) {
  const box = document.getElementById(`${input.id}-error`);
  if (box) box.textContent = message || '';
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

export function clearFieldErrors(form) {
  for (const input of form.querySelectorAll('input, select')) setFieldError(input, '');
}

/*
 * The API's 400 names each bad field: show each under its input (api name → input id via
 * map) and focus the first.  Returns true when at least one field was shown.
 */
export function showFieldErrors(fields, map) {
  let first = null;
  for (const [name, message] of Object.entries(fields || {})) {
    const input = document.getElementById(map[name] || name);
    if (!input) continue;
    setFieldError(input, String(message));
    if (!first) first = input;
  }
  if (first) first.focus();
  return first !== null;
}

/* The form-level notice (role="alert"): a sentence, or nothing. */
export function formNotice(region, message) {
  if (!message) {
    region.replaceChildren();
    return;
  }
  region.replaceChildren(el('div', { class: 'notice notice-error' }, el('p', null, message)));
}

/* What a person should read for a failed request. */
export function friendly(err) {
  if (!err || !err.status || err.status >= 500) return err && err.code === 'TIMEOUT' ? err.message : MSG_UNAVAILABLE;
  return err.message || MSG_UNAVAILABLE;
}

/* A button that shows it is working and cannot be pressed twice. */
export function busy(button, on, label) {
  if (on) {
    button.dataset.label = button.textContent;
    button.textContent = label;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  } else {
    if (button.dataset.label) button.textContent = button.dataset.label;
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/* ?next=/path on this site only (never another origin, never a protocol-relative URL). */
export function nextPath(fallback) {
  const next = new URLSearchParams(window.location.search).get('next') || '';
  if (/^\/(?![/\\])[^\s]*$/.test(next) && next.length <= 512) return next;
  return fallback;
}
