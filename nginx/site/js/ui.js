/*
 * ui.js — helpers every page shares: DOM building that never parses API text as HTML,
 * the 长辈模式 (large text) toggle, and the error/retry notice.
 *
 * Rule: API text reaches the page only through textContent (el(), text children) or
 * escapeHtml(). Never assign API text to innerHTML.
 */

export const LARGE_KEY = 'yichuang.large';
export const LARGE_CLASS = 'large';

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/*
 * el('li', {class: 'card', dataset: {code: 'A'}, hidden: true}, 'text', childNode, ...)
 * Strings become text nodes; null/false children are skipped; arrays are flattened.
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'text') node.textContent = v;
    else if (v === true) node.setAttribute(k, '');
    else node.setAttribute(k, String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(node) {
  node.replaceChildren();
}

/* ---------- 长辈模式 ---------- */

function readLarge() {
  const m = /[?&]large=([01])(?:&|$)/.exec(window.location.search);
  if (m) return m[1] === '1';
  try {
    return window.localStorage.getItem(LARGE_KEY) === '1';
  } catch {
    return false;
  }
}

export function isLarge() {
  return document.documentElement.classList.contains(LARGE_CLASS);
}

export function setLarge(on, { remember = true } = {}) {
  document.documentElement.classList.toggle(LARGE_CLASS, on);
  for (const b of document.querySelectorAll('[data-large-toggle]')) {
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
  }
  if (remember) {
    try {
      window.localStorage.setItem(LARGE_KEY, on ? '1' : '0');
    } catch {
      /* storage blocked: applies to this page only */
    }
  }
}

/*
 * Wire a toggle button (a real <button> with aria-pressed). ?large=1 / ?large=0 in the
 * address turns the mode on/off and is remembered, so a printed QR code can open the
 * site straight in 长辈模式.
 */
export function initLargeText(button) {
  if (button) button.setAttribute('data-large-toggle', '');
  const fromQuery = /[?&]large=[01](?:&|$)/.test(window.location.search);
  setLarge(readLarge(), { remember: fromQuery });
  if (button) button.addEventListener('click', () => setLarge(!isLarge()));
}

/* ---------- notices ---------- */

/*
 * Show a friendly error in an aria-live region with an optional retry button.
 * The live region itself stays in the page; only its content changes, so screen
 * readers announce the message.
 */
export function showError(region, message, onRetry, { retryLabel = '重试' } = {}) {
  const box = el('div', { class: 'notice notice-error' }, el('p', null, message));
  if (onRetry) {
    const btn = el('button', { type: 'button', class: 'btn btn-secondary' }, retryLabel);
    btn.addEventListener('click', () => {
      clear(region);
      onRetry();
    });
    box.append(btn);
  }
  region.replaceChildren(box);
}

export function clearStatus(region) {
  clear(region);
}

/* ---------- formatting ---------- */

export function formatMinutes(min) {
  const m = Math.max(0, Math.round(Number(min) || 0));
  if (m < 60) return `${m} 分钟`;
  const h = Math.floor(m / 60);
  const r = m % 60;
  return r ? `${h} 小时 ${r} 分钟` : `${h} 小时`;
}

export function formatClock(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
