/*
 * my-cases.js — 我的申请 (my-cases.html): the citizen's applications with their status; one
 * application (?no=) with its materials, the clerk's reasons for a return, replacing the
 * returned files and resubmitting; once decided, its results (证照、决定书) with their status,
 * a link to their public check, and the PDF of those delivered electronically (全程网办):
 *   GET /me/cases/{no}/results, GET /me/cases/{no}/results/{vid}/pdf (each download is
 *   recorded; the PDF is fetched with the sign-in token and saved from a blob);
 * where the result is collected (全市通办: the hall that decides and the one that hands it
 * out), and a change of pickup hall until the result is ready: PUT /me/cases/{no}/pickup,
 * the choices from GET /halls (the city's halls that hand out results).
 */
import { api, apiGet, getToken } from './api.js';
import { el, clear, initLargeText } from './ui.js';
import { materialRow } from './online-common.js';

const $ = (id) => document.getElementById(id);
let fixRows = [];

async function showList() {
  const { cases } = await apiGet('/me/cases');
  const ul = $('list');
  clear(ul);
  if (!cases.length) $('status').textContent = '您还没有网上申请。';
  for (const c of cases) {
    ul.append(el('li', {}, el('a', { href: `/my-cases.html?no=${encodeURIComponent(c.no)}` },
      el('span', { class: `st ${c.status}` }, c.status_label),
      el('div', {}, c.title), el('div', { class: 'hint' }, `${c.no}${c.role === 'agent' ? ' · 代办' : ''}`))));
  }
}

async function showOne(no) {
  const { case: c } = await apiGet(`/me/cases/${encodeURIComponent(no)}`);
  $('detail').hidden = false;
  $('d-title').textContent = c.title;
  $('d-no').textContent = c.no;
  $('d-status').textContent = c.status_label;
  $('d-status').dataset.status = c.status;
  $('d-deadline').hidden = !c.deadline;
  if (c.deadline) $('d-deadline').textContent = `承诺办结日期：${c.deadline}${c.provisional ? '（暂定：节假日安排公布后确定，不会提前）' : ''}`;
  $('d-track').hidden = !c.track_url;
  if (c.track_url) $('d-track-link').href = c.track_url;
  await showPickup(c);
  const ul = $('d-materials');
  clear(ul);
  fixRows = [];
  for (const m of c.materials) {
    if (c.status === 'returned' && c.role === 'applicant' && m.state === 'returned') {
      const r = materialRow(m, { reason: m.reason });
      fixRows.push({ m, ...r });
      ul.append(r.li);
    } else {
      ul.append(el('li', { 'data-code': m.code }, el('span', { class: 'm-name' }, m.name),
        el('span', { class: 'tag' }, m.state === 'promised' ? '告知承诺替代'
          : m.reused ? '已复用' : (m.upload_id ? '已上传' : '未提交'))));
    }
  }
  $('resubmit').hidden = fixRows.length === 0;
  const steps = $('d-steps');
  clear(steps);
  for (const s of c.steps) steps.append(el('li', {}, `${s.at.slice(0, 16).replace('T', ' ')} ${s.note}`));
  await showResults(c.no);
}

const PICKUP_OPEN = ['submitted', 'returned', 'accepted', 'processing', 'supplement_needed', 'approved', 'rejected'];

async function showPickup(c) {
  const box = $('d-pickup');
  const h = c.halls;
  box.hidden = !h;
  if (!h) return;
  const decide = h.decide.code !== h.accept.code ? `由${h.decide.name}审批，` : '';
  $('d-pickup-now').textContent = h.pickup
    ? `${h.accept.name}受理，${decide}结果在${h.pickup.name}领取。`
    : `${h.accept.name}受理，${decide}结果邮寄送达。`;
  const form = $('d-pickup-form');
  form.hidden = !PICKUP_OPEN.includes(c.status);
  if (form.hidden) return;
  let halls = [];
  try {
    ({ halls } = await apiGet('/halls'));
  } catch {
    form.hidden = true;
    return;
  }
  const home = halls.find((x) => x.code === h.accept.code);
  const city = halls.filter((x) => x.pickup && (x.code === h.accept.code
    || (home && home.region && x.region === home.region)));
  $('d-pickup-hall').replaceChildren(...city.map((x) => el('option', { value: x.code }, x.name)));
  if (h.pickup) $('d-pickup-hall').value = h.pickup.code;
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    $('d-pickup-msg').textContent = '';
    try {
      const r = await api(`/me/cases/${encodeURIComponent(c.no)}/pickup`, {
        method: 'PUT', body: { pickup_hall: $('d-pickup-hall').value },
      });
      await showOne(c.no);
      $('d-pickup-msg').textContent = `已改为在${r.case.halls.pickup.name}领取`;
    } catch (err) {
      $('d-pickup-msg').textContent = err.message;
    }
  };
}

async function download(r, button) {
  button.disabled = true;
  $('d-error').hidden = true;
  try {
    const res = await fetch(r.pdf_url, { headers: { Authorization: `Bearer ${getToken()}` } });
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      throw new Error(body && body.error ? body.error.message : '下载失败，请稍后重试');
    }
    const href = URL.createObjectURL(await res.blob());
    const a = el('a', { href, download: `${r.title}-${r.number}.pdf` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 10000);
  } catch (err) {
    $('d-error').textContent = err.message;
    $('d-error').hidden = false;
  } finally {
    button.disabled = false;
  }
}

async function showResults(no) {
  const { results } = await apiGet(`/me/cases/${encodeURIComponent(no)}/results`);
  const ul = $('d-results-list');
  clear(ul);
  $('d-results').hidden = results.length === 0;
  for (const r of results) {
    const li = el('li', { 'data-vid': r.vid },
      el('span', { class: 'm-name' }, `${r.title} ${r.number}`),
      el('span', { class: 'tag' }, r.status_label),
      el('a', { href: r.qr_text, class: 'verify-link' }, '核验'));
    if (r.pdf_url) {
      const b = el('button', { type: 'button', class: 'btn' }, '下载电子版（PDF）');
      b.addEventListener('click', () => download(r, b));
      li.append(b);
    }
    ul.append(li);
  }
}

async function resubmit(no) {
  $('d-error').hidden = true;
  const missing = fixRows.filter((r) => !r.state.value).map((r) => r.m.name);
  if (fixRows.some((r) => r.state.busy)) return;
  if (missing.length) {
    $('d-error').textContent = `请重新上传：${missing.join('、')}`;
    $('d-error').hidden = false;
    return;
  }
  try {
    await api(`/cases/${encodeURIComponent(no)}/actions`, {
      method: 'POST',
      body: { action: 'resubmit', materials: Object.fromEntries(fixRows.map((r) => [r.m.code, r.state.value])) },
    });
    await showOne(no);
  } catch (err) {
    $('d-error').textContent = err.message;
    $('d-error').hidden = false;
  }
}

function init() {
  initLargeText($('toggle-large'));
  if (!getToken()) {
    $('need-login').hidden = false;
    return;
  }
  const no = new URLSearchParams(window.location.search).get('no');
  const run = no ? showOne(no) : showList();
  if (no) $('resubmit').addEventListener('click', () => resubmit(no));
  run.catch((err) => { $('status').textContent = err.message; });
}

init();
