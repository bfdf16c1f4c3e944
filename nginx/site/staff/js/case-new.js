/*
 * case-new.js — 综合受理 (staff/case-new.html): the clerk picks the item, checks each
 * material against the item's checklist (required / 可容缺 / optional), records a waiver with
 * the applicant's commitment and due date, and files the case.
 *
 * 一件事一次办: the select offers the hall's bundles (GET /bundles?hall=) after the items; a
 * bundle's checklist is the union of its items' materials (B1, B2 …, each ticked once) and
 * the case is filed with "bundle" instead of "item" (no 容缺, no 即办 for a bundle).
 * 代办: 由代办人代为办理 opens the agent's fields (name, ID number, phone, relation) and adds
 * the 授权委托书 (code AUTH) to the checklist as a required material; the receipt shows the
 * agent masked.  A 帮办代办 helper (role helper) files cases here as a clerk does.
 * 告知承诺制: a material whose promise_allowed is true (of an item, or of a bundle's form) offers
 * 申请人签署告知承诺书，以承诺替代; it is sent in "promises" and counts as given.
 *
 * API: GET /items?hall=, GET /bundles?hall=, GET /halls/{hall}/board (only its "now": the hall's today, for the
 *      default 容缺 due date), POST /cases with an Idempotency-Key per filled form.
 *   201 → the case: number, deadline, the tracking QR code (GET /track/{token}/qr.svg), links
 *         to the printable 受理通知书 and the case page, shown at the top of the page in view
 *         (below the sticky nav); the form is cleared at once, so pressing 受理 again cannot
 *         file the case twice.
 *   422 MATERIALS_INCOMPLETE → every missing material at once and the 一次性告知书 to print.
 *   422 CALENDAR_MISSING, 400 (fields shown next to their inputs).
 *
 * A required material neither ticked nor waived means 不予受理 and an SMS to the applicant:
 * 受理 first asks (a dialog listing them), offering 容缺 for those the item allows, and files
 * the refusal only when the clerk says so.
 *
 * From the console (console.html) the page opens as ?ticket=<token>&category=A&number=A005&day=
 * — the ticket being served: the category's items come first and the first is chosen, and
 * the case carries the ticket.  The case number is left in sessionStorage under day/number
 * (never the token) for the console's 办结 to record.
 *
 * The key belongs to the form as it is filled: it is made at the first 受理 and sent again
 * with every retry of the same form — after a lost reply, a timeout or a 5xx the server
 * answers the first result again (one case, one SMS) — and a new one is made once anything
 * in the form changes, or the form is cleared after a success.
 */

import { api, apiGet, ApiError } from '/js/api.js';
import { el, clear } from '/js/ui.js';
import {
  $, startStaffPage, say, errorText, showFieldErrors, newKey,
} from './cases-common.js';

let items = [];
let bundles = [];	// GET /bundles, shaped like items (bundle: true)
const AUTH = {
  code: 'AUTH', name: '授权委托书', required: true, waivable: false, form: 'original', copies: 1,
  note: '申请人签字的授权委托书，并核验代办人身份证原件',
};
let hallToday = '';	// YYYY-MM-DD by the hall clock (GET /halls/{hall}/board "now")
let key = null;		// Idempotency-Key of the form as it is filled now
const params = new URLSearchParams(window.location.search);
// The ticket being served at the clerk's window, when the page was opened from the console.
const ticket = /^[A-Za-z0-9_-]{16,64}$/.test(params.get('ticket') || '') ? {
  token: params.get('ticket'),
  category: (params.get('category') || '').slice(0, 1),
  number: (params.get('number') || '').slice(0, 8),
  day: (params.get('day') || '').slice(0, 10),
} : null;

const itemOf = (id) => items.find((it) => it.id === id) || bundles.find((b) => b.id === id);

/* A bundle of GET /bundles as the checklist reads an item. */
function bundleItem(b) {
  return {
    id: b.id,
    bundle: true,
    name: b.name,
    category: '一件事',
    department_name: b.items.map((it) => it.name).join('、'),
    kind: 'promised',
    promised_days: b.promised_days,
    materials: b.materials.map((m) => ({ ...m, waivable: false, form: '', copies: 0 })),
  };
}

const hasAgent = () => $('has-agent').checked;

function tag(m) {
  if (!m.required) return el('span', { class: 'tag tag-optional' }, '可选');
  if (m.waivable) return el('span', { class: 'tag tag-waivable' }, '可容缺');
  return el('span', { class: 'tag tag-required' }, '必需');
}

const FORM = {
  original: '原件', copy: '复印件', original_and_copy: '原件及复印件', electronic: '电子件',
};

function renderChecklist() {
  const it = itemOf($('item').value);
  const list = $('checklist');
  clear(list);
  $('commitment').hidden = true;
  if (!it) return;
  $('item-hint').textContent = it.bundle
    ? `一件事一次办：${it.department_name} 并联办理 · 承诺 ${it.promised_days} 个工作日（一次收件、一份回执）`
    : `${it.department_name || it.department} · ${it.kind === 'instant'
      ? '即办件' : `承诺 ${it.promised_days} 个工作日`}${it.cross_province ? ' · 跨省通办' : ''}`;
  for (const m of it.materials.concat(hasAgent() ? [AUTH] : [])) {
    const recv = el('input', { type: 'checkbox', id: `mat-${m.code}`, value: m.code, 'data-mat': '1' });
    const head = el('div', { class: 'mat-head' },
      el('label', { class: 'check', for: `mat-${m.code}` }, recv, `${m.name}`), tag(m));
    const li = el('li', { dataset: { code: m.code } }, head,
      el('p', { class: 'mat-note' }, m.form
        ? `${FORM[m.form] || m.form} ${m.copies || 1} 份${m.note ? `；${m.note}` : ''}` : (m.note || '')));
    if (m.waivable) {
      const waive = el('input', { type: 'checkbox', id: `waive-${m.code}`, value: m.code, 'data-waive': '1' });
      li.append(el('label', { class: 'check waive', for: `waive-${m.code}` }, waive, '暂缺，容缺受理'));
      waive.addEventListener('change', () => {
        if (waive.checked) recv.checked = false;
        syncCommitment();
      });
      recv.addEventListener('change', () => {
        if (recv.checked) waive.checked = false;
        syncCommitment();
      });
    }
    if (m.promise_allowed) {
      // 告知承诺制: the applicant signs a promise in place of this certificate.
      const promise = el('input', { type: 'checkbox', id: `promise-${m.code}`, value: m.code, 'data-promise': '1' });
      li.append(el('label', { class: 'check waive', for: `promise-${m.code}` }, promise,
        '申请人签署告知承诺书，以承诺替代（事后核查）'));
      const others = () => li.querySelectorAll('[data-mat], [data-waive]');
      promise.addEventListener('change', () => {
        if (promise.checked) for (const n of others()) n.checked = false;
        syncCommitment();
      });
      for (const n of others()) n.addEventListener('change', () => { if (n.checked) promise.checked = false; });
    }
    list.append(li);
  }
  $('office-field').hidden = !it.cross_province;
  $('approve-field').hidden = it.kind !== 'instant';
  $('approve-now').checked = false;
}

function syncCommitment() {
  const any = document.querySelectorAll('[data-waive]:checked').length > 0;
  $('commitment').hidden = !any;
  if (any && !$('c-due').value && hallToday) {
    // From the hall's today (the hall clock, not this computer's): a week, but never past
    // the case's deadline — n promised working days are at least n calendar days, so
    // today + min(7, n) calendar days is always allowed — and stepped back off a weekend to
    // the Friday (the server refuses a holiday, naming the latest date allowed).
    const [y, m, d] = hallToday.split('-').map(Number);
    const it = itemOf($('item').value);
    const n = it && Number.isInteger(it.promised_days) ? Math.min(7, it.promised_days) : 7;
    const due = new Date(Date.UTC(y, m - 1, d + n));
    while (n > 0 && (due.getUTCDay() === 0 || due.getUTCDay() === 6)
      && due > new Date(Date.UTC(y, m - 1, d))) due.setUTCDate(due.getUTCDate() - 1);
    $('c-due').value = due.toISOString().slice(0, 10);
    $('c-due').min = hallToday;
  }
}

/* 由代办人代为办理: the agent's fields, and the 授权委托书 in the checklist (ticks kept). */
function syncAgent() {
  $('agent-fields').hidden = !hasAgent();
  const list = $('checklist');
  const row = list.querySelector('li[data-code="AUTH"]');
  if (hasAgent() && !row && itemOf($('item').value)) {
    const ticked = new Set([...document.querySelectorAll('[data-mat]:checked, [data-waive]:checked')]
      .map((n) => `${n.dataset.mat ? 'mat' : 'waive'}-${n.value}`));
    renderChecklist();
    for (const id of ticked) {
      const n = document.getElementById(id);
      if (n) n.checked = true;
    }
    syncCommitment();
  } else if (!hasAgent() && row) row.remove();
}

function agentBody() {
  return {
    name: $('g-name').value.trim(),
    id_number: $('g-id').value.trim().toUpperCase(),
    phone: $('g-phone').value.trim(),
    relation: $('g-relation').value,
  };
}

function body() {
  const it = itemOf($('item').value);
  const b = {
    [it && it.bundle ? 'bundle' : 'item']: $('item').value,
    applicant: {
      name: $('a-name').value.trim(),
      id_number: $('a-id').value.trim().toUpperCase(),
      phone: $('a-phone').value.trim(),
    },
    materials: [...document.querySelectorAll('[data-mat]:checked')].map((n) => n.value),
    delivery: document.querySelector('input[name="delivery"]:checked').value,
  };
  const waived = [...document.querySelectorAll('[data-waive]:checked')].map((n) => n.value);
  if (waived.length) {
    b.waived = waived;
    b.commitment = { signed: $('c-signed').checked, due: $('c-due').value };
  }
  const promised = [...document.querySelectorAll('[data-promise]:checked')].map((n) => n.value);
  if (promised.length) b.promises = Object.fromEntries(promised.map((c) => [c, { signed: true }]));
  if (b.delivery === 'mail') b.address = $('address').value.trim();
  else if ($('pickup-hall').value) b.pickup_hall = $('pickup-hall').value;
  if (it && it.cross_province) b.processing_office = $('office').value.trim();
  if (it && it.kind === 'instant' && $('approve-now').checked) b.approve = true;
  const note = $('note').value.trim();
  if (note) b.note = note;
  if (ticket) b.ticket = ticket.token;
  if (hasAgent()) b.agent = agentBody();
  return b;
}

function showAccepted(c) {
  const box = $('result');
  const qr = c.track_token ? el('figure', { class: 'res-qr' },
    el('img', {
      src: `/api/v1/track/${encodeURIComponent(c.track_token)}/qr.svg`, width: '132', height: '132',
      alt: `办件 ${c.no} 的进度查询二维码`, id: 'res-qr',
    }),
    el('figcaption', null, '申请人扫码查看办理进度')) : null;
  box.replaceChildren(el('section', { class: 'result', 'aria-labelledby': 'res-title' },
    el('div', { class: 'res-body' },
      el('div', null,
        el('h2', { id: 'res-title', tabindex: '-1' }, c.status === 'approved' ? '已受理并当场办结' : '已受理'),
        el('dl', { class: 'facts' },
          el('dt', null, '受理编号'), el('dd', { class: 'case-no', id: 'res-no' }, c.no),
          el('dt', null, c.bundle ? '一件事' : '事项'), el('dd', null, c.item_name),
          c.bundle ? el('dt', null, '并联事项') : null,
          c.bundle ? el('dd', { id: 'res-parts' }, (c.parts || []).map((p) => `${p.item_name}（${p.department_name}）`).join('、')) : null,
          el('dt', null, '办结期限'), el('dd', { id: 'res-deadline' }, `${c.deadline || ''}${c.provisional ? '（暂定）' : ''}`),
          el('dt', null, '申请人'), el('dd', null, c.applicant && c.applicant.name),
          c.agent ? el('dt', null, '代办人') : null,
          c.agent ? el('dd', { id: 'res-agent' }, `${c.agent.name}（${c.agent.relation_label || ''}，${c.agent.phone}）`) : null,
          ticket ? el('dt', null, '排队号') : null, ticket ? el('dd', { id: 'res-ticket' }, ticket.number) : null),
        el('p', { class: 'small' }, c.agent ? '已短信告知申请人和代办人受理编号和进度查询链接。'
          : '已短信告知申请人受理编号和进度查询链接。')),
      qr),
    el('div', { class: 'actions-row' },
      c.notice_url ? el('a', { class: 'btn', href: c.notice_url, target: '_blank', id: 'print-accepted' },
        '打印受理通知书（回执）') : null,
      el('a', { class: 'btn btn-secondary', href: `/staff/case.html?no=${encodeURIComponent(c.no)}` }, '查看办件'),
      ticket ? el('a', { class: 'btn btn-secondary', href: '/console.html', id: 'back-console' }, '返回叫号台') : null,
      newButton())));
  reveal(box);
}

/* Bring a result into view below the sticky nav and move the focus to its heading. */
function reveal(box) {
  box.scrollIntoView({ block: 'start' });
  const h = box.querySelector('h2');
  if (h) h.focus({ preventScroll: true });
}

/* The case of the ticket, for the console's 办结 (day/number → case number; no token). */
function rememberTicketCase(no) {
  if (!ticket || !ticket.day || !ticket.number) return;
  try {
    const all = JSON.parse(window.sessionStorage.getItem('yichuang.ticketCases') || '{}');
    all[`${ticket.day}/${ticket.number}`] = no;
    window.sessionStorage.setItem('yichuang.ticketCases', JSON.stringify(all));
  } catch { /* storage blocked: the case still carries the ticket */ }
}

function showIncomplete(e) {
  const box = $('result');
  box.replaceChildren(el('section', { class: 'result result-incomplete', 'aria-labelledby': 'res-title' },
    el('h2', { id: 'res-title' }, `材料不齐全，不予受理（还缺 ${e.missing.length} 项）`),
    el('p', { class: 'small' }, '已一次性告知申请人以下全部缺少的材料，并发送短信提醒：'),
    el('ol', { id: 'missing-list' }, e.missing.map((m) => el('li', null,
      el('strong', null, m.name), m.note ? `（${m.note}）` : ''))),
    el('div', { class: 'actions-row' },
      e.notice_url ? el('a', { class: 'btn', href: e.notice_url, target: '_blank', id: 'print-incomplete' },
        '打印一次性告知书') : null)));
  reveal(box);
}

/* Empty the form for the next applicant (the item stays chosen): a new form, a new key. */
function clearForm() {
  const itemId = $('item').value;
  $('accept-form').reset();
  $('item').value = itemId;
  renderChecklist();
  $('agent-fields').hidden = true;
  $('address-field').hidden = true;
  $('pickup-field').hidden = false;
  $('pickup-hall').value = myHall;
  showFieldErrors($('accept-form'), {});
  key = null;
}

function newButton() {
  const b = el('button', { type: 'button', class: 'btn btn-secondary' }, '继续受理');
  b.addEventListener('click', () => {
    clearForm();
    clear($('result'));
    $('a-name').focus();
  });
  return b;
}

/* Required materials neither ticked nor waived: 受理 would record 不予受理 and text the
 * applicant. */
function unticked() {
  const it = itemOf($('item').value);
  if (!it) return [];
  const got = new Set([...document.querySelectorAll('[data-mat]:checked, [data-waive]:checked, [data-promise]:checked')]
    .map((n) => n.value));
  return it.materials.concat(hasAgent() ? [AUTH] : []).filter((m) => m.required && !got.has(m.code));
}

/* Ask before a refusal: list what is missing, offer 容缺 for what may be waived.  Resolves to
 * 'refuse' (file it: 一次性告知) or null (the clerk goes back to the form). */
function confirmMissing(missing) {
  const dlg = $('confirm-missing');
  const waivable = missing.filter((m) => m.waivable);
  const fixed = missing.filter((m) => !m.waivable);
  const list = el('ul', { class: 'confirm-list', id: 'confirm-list' }, missing.map((m) => el('li', null,
    el('strong', null, m.name), ' ', tag(m))));
  const buttons = [];
  return new Promise((resolve) => {
    const done = (v) => {
      dlg.close();
      resolve(v);
    };
    if (waivable.length) {
      const b = el('button', { type: 'button', class: 'btn', id: 'confirm-waive' },
        `对${waivable.length === missing.length ? '以上' : '可容缺的'} ${waivable.length} 项容缺受理`);
      b.addEventListener('click', () => {
        for (const m of waivable) {
          const w = document.getElementById(`waive-${m.code}`);
          if (w) w.checked = true;
        }
        key = null;
        syncCommitment();
        done('waive');
      });
      buttons.push(b);
    }
    const refuse = el('button', { type: 'button', class: 'btn btn-danger', id: 'confirm-refuse' },
      '材料不齐，不予受理并一次性告知');
    refuse.addEventListener('click', () => done('refuse'));
    const back = el('button', { type: 'button', class: 'btn btn-secondary', id: 'confirm-back' }, '返回核对材料');
    back.addEventListener('click', () => done(null));
    buttons.push(refuse, back);
    dlg.replaceChildren(
      el('h2', { id: 'confirm-title' }, `还有 ${missing.length} 项必需材料未勾选`),
      list,
      el('p', { class: 'small' }, waivable.length
        ? `标“可容缺”的材料可以容缺受理：申请人签署《容缺受理承诺书》并约定补交日期，今天即可受理。${fixed.length ? `其余 ${fixed.length} 项不可容缺，须收取后才能受理。` : ''}`
        : '这些材料不可容缺，须收取后才能受理。'),
      el('p', { class: 'small' }, '选择“不予受理”将记录本次不予受理，并短信告知申请人缺少的全部材料。'),
      el('div', { class: 'actions-row' }, buttons));
    dlg.addEventListener('cancel', () => resolve(null), { once: true });
    dlg.showModal();
    (buttons[0]).focus();
  });
}

async function submit(ev) {
  ev.preventDefault();
  const form = $('accept-form');
  const status = $('form-status');
  clear(status);
  showFieldErrors(form, {});
  // Asked only about a filled-in applicant: with a field empty the server names it (400)
  // and nothing is refused or texted.
  const applicant = ['a-name', 'a-id', 'a-phone'].every((id) => $(id).value.trim() !== '');
  const missing = applicant ? unticked() : [];
  if (missing.length) {
    const choice = await confirmMissing(missing);
    if (choice === 'waive') {
      say(status, '已改为容缺受理：请申请人签署容缺受理承诺书、确认补交日期后，再按“受理”。');
      $('c-signed').focus();
      return;
    }
    if (choice !== 'refuse') return;
  }
  if (!key) key = newKey();
  const btn = $('submit');
  btn.disabled = true;
  try {
    const r = await api('/cases', { method: 'POST', body: body(), idempotencyKey: key });
    clearForm();
    rememberTicketCase(r.case.no);
    showAccepted(r.case);
  } catch (err) {
    if (err instanceof ApiError && err.status === 422 && err.code === 'MATERIALS_INCOMPLETE') {
      // Kept: the same form again gets the same notice back, not a second one (and SMS).
      showIncomplete(err.body);
    } else if (err instanceof ApiError && err.status === 400) {
      key = null;
      const rest = showFieldErrors(form, err.fields);
      say(status, [err.message, ...rest].join('；'), 'error');
      status.scrollIntoView({ block: 'start' });
    } else {
      // A refusal is final for this key (retrying the same form must be asked afresh); no
      // answer, a 5xx or the first attempt still running (409 IDEMPOTENCY_IN_PROGRESS) keep
      // it, so pressing again cannot file the case twice.
      const settled = err instanceof ApiError && err.status >= 400 && err.status < 500
        && err.code !== 'IDEMPOTENCY_IN_PROGRESS';
      if (settled) key = null;
      clear($('result'));
      say(status, errorText(err), 'error');
      status.scrollIntoView({ block: 'start' });
    }
  } finally {
    btn.disabled = false;
  }
}

/* 全市通办: the halls of the city that hand out results, this hall first (GET /halls). */
let myHall = '';
async function loadPickupHalls(me) {
  myHall = me.hall;
  let halls = [];
  try {
    ({ halls } = await apiGet('/halls'));
  } catch {
    halls = [];
  }
  const mine = halls.find((h) => h.code === me.hall);
  const city = halls.filter((h) => h.pickup && (h.code === me.hall
    || (mine && mine.region && h.region === mine.region)));
  city.sort((a, b) => (a.code === me.hall ? -1 : b.code === me.hall ? 1 : 0));
  $('pickup-hall').replaceChildren(...(city.length ? city : [{ code: me.hall, name: '本中心' }])
    .map((h) => el('option', { value: h.code }, h.code === me.hall ? `${h.name}（本中心）` : h.name)));
  $('pickup-hall').value = me.hall;
}

async function ready(me) {
  const sel = $('item');
  await loadPickupHalls(me);
  try {
    ({ items } = await apiGet('/items', { hall: me.hall }));
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
    return;
  }
  try {
    bundles = (await apiGet('/bundles', { hall: me.hall })).bundles.map(bundleItem);
  } catch {
    bundles = [];	// the items still work; bundles come back with the next load
  }
  try {
    const b = await apiGet(`/halls/${encodeURIComponent(me.hall)}/board`);
    hallToday = typeof b.now === 'string' ? b.now.slice(0, 10) : '';
  } catch {
    hallToday = '';	// no default due date: the clerk picks one
  }
  // The ticket's category first (its items are what the person queued for), then the rest.
  const first = ticket ? items.filter((it) => it.category === ticket.category) : [];
  const rest = items.filter((it) => !first.includes(it));
  const opt = (it) => el('option', { value: it.id }, `${it.category} · ${it.name}`);
  const bundleGroup = bundles.length
    ? [el('optgroup', { label: '一件事一次办（多个部门并联办理）' },
      bundles.map((b) => el('option', { value: b.id }, `一件事 · ${b.name}`)))] : [];
  sel.replaceChildren(...(first.length
    ? [el('optgroup', { label: `${ticket.number} 所排的 ${ticket.category} 类业务` }, first.map(opt)),
      el('optgroup', { label: '其他业务' }, rest.map(opt))]
    : items.map(opt)), ...bundleGroup);
  const want = params.get('item');
  if (want && itemOf(want)) sel.value = want;
  else if (first.length) sel.value = first[0].id;
  if (ticket) {
    $('ticket-box').hidden = false;
    $('ticket-number').textContent = ticket.number;
  }
  renderChecklist();
  sel.addEventListener('change', () => {
    key = null;
    renderChecklist();
  });
  $('accept-form').addEventListener('input', () => {
    key = null;
  });
  $('has-agent').addEventListener('change', syncAgent);
  for (const r of document.querySelectorAll('input[name="delivery"]')) {
    r.addEventListener('change', () => {
      const mail = document.querySelector('input[name="delivery"]:checked').value === 'mail';
      $('address-field').hidden = !mail;
      $('pickup-field').hidden = mail;
    });
  }
  $('accept-form').addEventListener('submit', submit);
}

startStaffPage({ roles: ['clerk', 'helper'], onReady: ready });
