/*
 * handover-sheet.js — the printable hand-over sheet (交接单, staff/handover-sheet.html?id=),
 * A4: from whom to whom, every case with its materials and page counts, the totals, the
 * note, the QR code the receiver scans (the receive URL with the sheet's token), and the
 * signatures — the sender's, and once signed for the receiver's with the time and any
 * discrepancy (pages counted, a material or the whole file missing) next to its line.
 *
 * API: GET /handovers/{id}, GET /handovers/{id}/qr.svg (with the bearer token: an <img> could
 * not send it, so the SVG is fetched and shown as a data: URL).
 */

import { apiGet, getToken } from '/js/api.js';
import { el } from '/js/ui.js';
import { $, startStaffPage, when, say, errorText } from './cases-common.js';

function discrepancy(m) {
  if (m.missing) return `缺失${m.note ? `（${m.note}）` : ''}`;
  if (m.pages_received !== null && m.pages_received !== undefined) {
    return `实收 ${m.pages_received} 页${m.note ? `（${m.note}）` : ''}`;
  }
  return '';
}

function rows(h) {
  const out = [];
  for (const c of h.cases) {
    const mats = c.materials.length ? c.materials : [{ code: '', name: '', pages: 0 }];
    mats.forEach((m, j) => {
      const cells = [];
      if (j === 0) {
        cells.push(el('td', { class: 'col-no', rowspan: String(mats.length) }, String(h.cases.indexOf(c) + 1)));
        cells.push(el('td', { rowspan: String(mats.length) },
          el('span', { class: 'ho-no' }, c.no), el('br'), c.title,
          c.missing ? el('p', { class: 'ho-missing' }, `整卷未收到${c.note ? `：${c.note}` : ''}`) : ''));
      }
      cells.push(el('td', null, `${m.code} ${m.name}`));
      cells.push(el('td', { class: 'col-pages' }, String(m.pages)));
      cells.push(el('td', { class: 'col-state' }, h.status === 'sent' ? '' : (discrepancy(m) || '✓')));
      out.push(el('tr', { dataset: { no: c.no, code: m.code } }, cells));
    });
  }
  return out;
}

async function qr(h) {
  const img = el('img', { class: 'ho-qr', alt: `交接单 ${h.id} 签收二维码`, width: '150', height: '150' });
  try {
    const res = await fetch(h.qr_url, { headers: { Authorization: `Bearer ${getToken()}` }, cache: 'no-store' });
    // A data: URL: the site's CSP allows images from itself and data:, not blob:.
    if (res.ok) img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(await res.text())}`;
  } catch {
    /* the sheet still prints; the receiver can tick it off in the inbox */
  }
  return img;
}

async function render(h) {
  const doc = $('doc');
  const t = h.totals;
  doc.replaceChildren(
    el('p', { class: 'doc-hall' }, h.from.hall_name),
    el('h2', { id: 'doc-title', class: 'ho-title' }, '材料交接单'),
    el('p', { class: 'doc-no' }, '交接单号：', el('span', { id: 'doc-no' }, String(h.id)), `　状态：${h.status_label}`),
    el('div', { class: 'ho-head' },
      el('div', null,
        el('p', { class: 'no-indent' }, el('strong', null, '移交方：'), h.from.label),
        el('p', { class: 'no-indent' }, el('strong', null, '接收方：'), h.to.label),
        el('p', { class: 'no-indent' }, el('strong', null, '移交时间：'), when(h.sent_at)),
        h.note ? el('p', { class: 'no-indent' }, el('strong', null, '备注：'), h.note) : ''),
      el('figure', { class: 'ho-qr-box' }, await qr(h), el('figcaption', null, '接收方扫码签收'))),
    el('table', { class: 'ho-table' },
      el('thead', null, el('tr', null,
        el('th', { scope: 'col', class: 'col-no' }, '序号'),
        el('th', { scope: 'col' }, '办件'),
        el('th', { scope: 'col' }, '材料'),
        el('th', { scope: 'col', class: 'col-pages' }, '页数'),
        el('th', { scope: 'col', class: 'col-state' }, '签收核对'))),
      el('tbody', null, rows(h)),
      el('tfoot', null, el('tr', null,
        el('td', { colspan: '3' }, `合计：办件 ${t.cases} 件，材料 ${t.materials} 项`),
        el('td', { class: 'col-pages' }, String(t.pages)),
        el('td', { class: 'col-state' }, h.status === 'sent' ? '' : `差异 ${t.discrepancies} 处`)))),
    el('div', { class: 'ho-sign' },
      el('p', { class: 'no-indent' }, `移交人：${h.sent_by.name}　${when(h.sent_at)}`),
      el('p', { class: 'no-indent' }, h.received_by
        ? `接收人：${h.received_by.name}　${when(h.received_at)}（系统签收）${h.receive_note ? `　${h.receive_note}` : ''}`
        : '接收人：＿＿＿＿＿＿　时间：＿＿＿＿＿＿')),
    el('div', { class: 'doc-foot' },
      el('p', null, '接收方核对材料和页数后在系统中签收（扫描本单二维码，或在“材料交接”待签收列表中打开本单）；有差异的逐项登记，不得遗漏。')));
  doc.hidden = false;
  $('print-bar').hidden = false;
}

async function ready() {
  const id = new URLSearchParams(window.location.search).get('id') || '';
  if (!/^\d{1,18}$/.test(id)) {
    say($('page-status'), '缺少交接单号', 'error');
    return;
  }
  $('print').addEventListener('click', () => window.print());
  try {
    const { handover } = await apiGet(`/handovers/${id}`);
    await render(handover);
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  }
}

startStaffPage({ roles: ['clerk', 'approver', 'manager', 'admin'], onReady: ready });
