/*
 * dashboard-promises.js — the 告知承诺事后核查 figures on the manager's dashboard
 * (staff/dashboard.html): open, overdue, false and verified verifications of the hall, with
 * the way to the list (staff/promises.html).  Its own module beside dashboard.js: it starts
 * once that page has signed in and loaded (body[data-loaded]) and refreshes every minute.
 *
 * API: GET /promise-checks?status=all&limit=1   (only its counts are used)
 */

import { apiGet } from '/js/api.js';

const REFRESH_MS = 60000;

async function show() {
  const out = document.getElementById('promise-figures');
  if (!out) return;
  try {
    const { counts: n } = await apiGet('/promise-checks', { status: 'all', limit: 1 });
    out.textContent = `待核查 ${n.open} · 已超期 ${n.overdue} · 承诺不实 ${n.false} · 核查属实 ${n.verified}`;
  } catch {
    out.textContent = '暂时无法获取核查数字';
  }
}

function start() {
  if (document.body.dataset.loaded !== '1') {
    setTimeout(start, 300);
    return;
  }
  show();
  setInterval(() => { if (document.visibilityState === 'visible') show(); }, REFRESH_MS);
}

start();
