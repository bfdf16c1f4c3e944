/*
 * api.js — the one way pages talk to /api/v1.
 *
 *   import { api, apiGet, ApiError } from './api.js';
 *   const { halls } = await apiGet('/halls');
 *   const r = await api('/appointments', { method: 'POST', body: {...}, idempotencyKey: k });
 *
 * Every failure is thrown as an ApiError with .status (HTTP status, 0 when the network
 * failed), .code (the API's stable UPPER_SNAKE code, or NETWORK / TIMEOUT / BAD_RESPONSE /
 * HTTP_<status> when the server gave none), .message (Chinese, fit for a citizen),
 * .fields (per-field problems of a 400) and .body (the whole error object, e.g. "missing").
 * A bearer token kept in localStorage ("yichuang.token") is sent when present.
 */

export const API_BASE = '/api/v1';
export const TOKEN_KEY = 'yichuang.token';
export const CSRF_KEY = 'yichuang.csrf';

const DEFAULT_TIMEOUT_MS = 15000;
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const MSG_UNAVAILABLE = '暂时无法获取数据，请稍后重试';

export class ApiError extends Error {
  constructor(status, code, message, fields, body) {
    super(message || MSG_UNAVAILABLE);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields || null;
    this.body = body || null;
    this.retryAfter = null;
  }
}

function stored(key) {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function getToken() {
  return stored(TOKEN_KEY);
}

export function setToken(token, csrf) {
  try {
    if (token) window.localStorage.setItem(TOKEN_KEY, token);
    else window.localStorage.removeItem(TOKEN_KEY);
    if (csrf) window.localStorage.setItem(CSRF_KEY, csrf);
    else window.localStorage.removeItem(CSRF_KEY);
  } catch {
    /* storage blocked: the session lasts as long as the page */
  }
}

/* Build "/path?a=1&b=2", leaving out empty, null and undefined parameters. */
export function withQuery(path, params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') qs.append(k, String(v));
  }
  const s = qs.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

/*
 * api(path, {method, body, headers, signal, timeout, idempotencyKey}) → parsed JSON,
 * or null for 204/empty bodies. path is relative to /api/v1 unless it starts with it.
 */
export async function api(path, opts = {}) {
  const method = (opts.method || 'GET').toUpperCase();
  const url = path.startsWith(API_BASE) ? path : API_BASE + path;
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };

  const token = getToken();
  if (token && !headers.Authorization) headers.Authorization = `Bearer ${token}`;
  if (UNSAFE.has(method)) {
    const csrf = stored(CSRF_KEY);
    if (csrf) headers['X-CSRF-Token'] = csrf;
    if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  }

  let body;
  if (opts.body !== undefined) {
    if (opts.body instanceof Blob || opts.body instanceof ArrayBuffer) {
      body = opts.body;
    } else {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] = 'application/json';
    }
  }

  // Our own timeout, chained to the caller's signal so either can cancel.
  const ctrl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctrl.abort();
  }, opts.timeout || DEFAULT_TIMEOUT_MS);
  const onAbort = () => ctrl.abort();
  if (opts.signal) {
    if (opts.signal.aborted) ctrl.abort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  }

  let res;
  let text;
  try {
    res = await fetch(url, {
      method,
      headers,
      body,
      signal: ctrl.signal,
      credentials: 'same-origin',
      cache: 'no-store',
    });
    text = await res.text();
  } catch (err) {
    if (opts.signal && opts.signal.aborted) throw err; // the caller cancelled: not an error to show
    if (timedOut) throw new ApiError(0, 'TIMEOUT', '网络较慢，请稍后重试');
    throw new ApiError(0, 'NETWORK', '网络连接失败，请检查网络后重试');
  } finally {
    clearTimeout(timer);
    if (opts.signal) opts.signal.removeEventListener('abort', onAbort);
  }

  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }

  if (res.ok) {
    if (data === undefined) throw new ApiError(res.status, 'BAD_RESPONSE', MSG_UNAVAILABLE);
    return data;
  }

  const e = data && typeof data === 'object' && data.error && typeof data.error === 'object'
    ? data.error
    : null;
  const err = new ApiError(
    res.status,
    (e && typeof e.code === 'string' && e.code) || `HTTP_${res.status}`,
    (e && typeof e.message === 'string' && e.message) || MSG_UNAVAILABLE,
    e && e.fields,
    e,
  );
  const ra = res.headers.get('Retry-After');
  if (ra && /^\d+$/.test(ra)) err.retryAfter = Number(ra);
  throw err;
}

export function apiGet(path, params, opts = {}) {
  return api(withQuery(path, params), { ...opts, method: 'GET' });
}
