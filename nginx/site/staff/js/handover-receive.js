/*
 * handover-receive.js — 交接签收 (staff/handover-receive.html): open a sheet by scanning its
 * QR — a hand-held scanner types the receive URL into the field (it ends with Enter), the
 * camera is read through BarcodeDetector where the browser has it, a link opened from the QR
 * carries the token in its fragment (#t=…) — or from the inbox of sheets waiting for me
 * (?id=); tick each material off, note the pages counted, a material or a whole file
 * missing, and sign.  What differs from the sheet is sent as discrepancies; the rest is
 * received as listed.
 *
 * API: GET /handovers?direction=in&status=sent, GET /handovers/{id}, POST /handovers/lookup,
 *      POST /handovers/receive (by token), POST /handovers/{id}/receive
 */

import { api, apiGet } from '/js/api.js';
import { el } from '/js/ui.js';
import { $, startStaffPage, when, say, errorText, showFieldErrors } from './cases-common.js';

let sheet = null;
let token = '';

function tokenOf(text) {
  const s = String(text || '').trim();
  const m = s.match(/[#?&]t=([A-Za-z0-9_-]+)/);
  return m ? m[1] : s;
}

function line(c, i) {
  const id = `l${i}`;
  const whole = el('input', { type: 'checkbox', id: `${id}-whole`, class: 'ho-whole' });
  const mats = c.materials.map((m, j) => el('li', { class: 'ho-mat', dataset: { code: m.code, pages: String(m.pages) } },
    el('input', { type: 'checkbox', id: `${id}-m${j}`, checked: true, class: 'ho-got' }),
    el('label', { for: `${id}-m${j}` }, `${m.code} ${m.name}（交 ${m.pages} 页）`),
    el('label', { class: 'ho-pages-label', for: `${id}-p${j}` }, '实收页数'),
    el('input', {
      id: `${id}-p${j}`, class: 'ho-pages', type: 'number', min: '0', max: '9999', inputmode: 'numeric', value: String(m.pages),
    }),
    el('label', { class: 'ho-pages-label', for: `${id}-n${j}` }, '差异说明'),
    el('input', { id: `${id}-n${j}`, class: 'ho-note', maxlength: '200', autocomplete: 'off' })));
  return el('li', { class: 'card ho-case', dataset: { no: c.no } },
    el('div', { class: 'top' }, el('span', { class: 'case-no' }, c.no), ' ', c.title),
    el('div', { class: 'ho-mat' }, whole, el('label', { for: `${id}-whole` }, '整卷未收到'),
      el('label', { class: 'ho-pages-label', for: `${id}-wn` }, '说明'),
      el('input', { id: `${id}-wn`, class: 'ho-whole-note', maxlength: '200', autocomplete: 'off' })),
    el('ul', { class: 'ho-mats', 'aria-label': `${c.no} 的材料` }, mats));
}

function show(h) {
  sheet = h;
  $('sheet-h').textContent = `交接单 ${h.id}：${h.from.label} → ${h.to.label}`;
  $('sheet-meta').textContent = `${h.status_label} · ${h.totals.cases} 件 ${h.totals.materials} 项 ${h.totals.pages} 页 · ${when(h.sent_at)} ${h.sent_by.name}${h.note ? ` · ${h.note}` : ''}`;
  $('sheet-link').setAttribute('href', h.sheet_url);
  $('lines').replaceChildren(...h.cases.map(line));
  $('receive-form').hidden = false;
  $('sign').disabled = !h.can_receive;
  if (h.status !== 'sent') say($('form-status'), `这张交接单${h.status_label}：${when(h.received_at)} ${h.received_by ? h.received_by.name : ''}`);
  else if (!h.can_receive) say($('form-status'), '这张交接单不是交给您这里的，不能签收', 'error');
  else say($('form-status'), '');
}

function discrepancies() {
  const out = [];
  for (const li of $('lines').querySelectorAll('li.ho-case')) {
    const no = li.dataset.no;
    if (li.querySelector('.ho-whole').checked) {
      const note = li.querySelector('.ho-whole-note').value.trim();
      out.push({ no, missing: true, ...(note ? { note } : {}) });
      continue;
    }
    for (const m of li.querySelectorAll('li.ho-mat')) {
      const note = m.querySelector('.ho-note').value.trim();
      const extra = note ? { note } : {};
      if (!m.querySelector('.ho-got').checked) {
        out.push({ no, code: m.dataset.code, missing: true, ...extra });
        continue;
      }
      const got = Number(m.querySelector('.ho-pages').value);
      if (String(got) !== m.dataset.pages) out.push({ no, code: m.dataset.code, pages_received: got, ...extra });
    }
  }
  return out;
}

async function openBy(promise) {
  try {
    show((await promise).handover);
    $('receive-form').scrollIntoView({ block: 'start' });
  } catch (err) {
    const rest = showFieldErrors($('scan-form'), err.fields);
    say($('page-status'), rest.length ? rest.join('；') : errorText(err), 'error');
  }
}

function openToken(text) {
  token = tokenOf(text);
  if (!token) return;
  say($('page-status'), '');
  openBy(api('/handovers/lookup', { method: 'POST', body: { token } }));
}

async function sign(ev) {
  ev.preventDefault();
  if (!sheet) return;
  const body = { discrepancies: discrepancies() };
  const note = $('r-note').value.trim();
  if (note) body.note = note;
  $('sign').disabled = true;
  try {
    const r = token
      ? await api('/handovers/receive', { method: 'POST', body: { token, ...body } })
      : await api(`/handovers/${sheet.id}/receive`, { method: 'POST', body });
    show(r.handover);
    say($('page-status'), `交接单 ${r.handover.id} ${r.handover.status_label}${r.handover.totals.discrepancies ? `，登记差异 ${r.handover.totals.discrepancies} 处` : ''}`);
    token = '';
    inbox();
  } catch (err) {
    const rest = showFieldErrors($('receive-form'), err.fields);
    say($('form-status'), rest.length ? rest.join('；') : errorText(err), 'error');
    $('sign').disabled = false;
  }
}

async function inbox() {
  const list = $('inbox');
  try {
    const { handovers } = await apiGet('/handovers', { direction: 'in', status: 'sent' });
    list.replaceChildren(...handovers.map((h) => {
      const b = el('button', { type: 'button', class: 'btn btn-secondary', dataset: { handover: String(h.id) } }, `交接单 ${h.id}`);
      b.addEventListener('click', () => {
        token = '';
        openBy(apiGet(`/handovers/${h.id}`));
      });
      return el('li', null, b, ` ${h.from.label} → ${h.to.label} · ${h.totals.cases} 件 ${h.totals.pages} 页 · ${when(h.sent_at)}`);
    }));
    if (!handovers.length) list.append(el('li', { class: 'empty' }, '没有待签收的交接单'));
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

/* The camera, where the browser can read QR codes itself. */
function camera() {
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices) return;
  const btn = $('camera');
  btn.hidden = false;
  btn.addEventListener('click', async () => {
    const video = $('video');
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    } catch {
      say($('page-status'), '无法打开摄像头，请用扫码枪或粘贴链接', 'error');
      return;
    }
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const stop = () => {
      for (const t of stream.getTracks()) t.stop();
      video.hidden = true;
    };
    const tick = async () => {
      try {
        const codes = await detector.detect(video);
        if (codes.length) {
          stop();
          $('scan').value = codes[0].rawValue;
          openToken(codes[0].rawValue);
          return;
        }
      } catch {
        stop();
        return;
      }
      window.setTimeout(tick, 250);
    };
    tick();
  });
}

async function ready() {
  $('scan-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    openToken($('scan').value);
  });
  $('receive-form').addEventListener('submit', sign);
  camera();
  const frag = window.location.hash.match(/t=([A-Za-z0-9_-]+)/);
  const id = new URLSearchParams(window.location.search).get('id');
  if (frag) {
    window.history.replaceState(null, '', window.location.pathname);
    openToken(frag[1]);
  } else if (id && /^\d{1,18}$/.test(id)) openBy(apiGet(`/handovers/${id}`));
  $('scan').focus();
  await inbox();
}

startStaffPage({ roles: ['clerk', 'approver', 'manager'], onReady: ready });
