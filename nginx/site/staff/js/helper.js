/*
 * helper.js — 我的帮办 (staff/helper.html): the work list of a 帮办代办 helper — the cases
 * they filed for citizens at the window and those a clerk or manager asked them to follow —
 * each with its status, the next step in words to tell the citizen, the deadline and its
 * 电子监察 light.  办理进度 opens the case's public timeline and its 受理通知书 in place.
 *
 * API: GET /helper/cases, GET /cases/{no} (a case the helper follows).
 */

import { apiGet } from '/js/api.js';
import { el, clear } from '/js/ui.js';
import {
  $, startStaffPage, lightChip, statusChip, when, say, errorText,
} from './cases-common.js';

const HOW = { filed: '我代为受理', assigned: '窗口交我跟进' };

/* The case's timeline (public notes) and receipt, loaded when first opened. */
async function fillDetails(box, no) {
  box.setAttribute('aria-busy', 'true');
  try {
    const { case: c } = await apiGet(`/cases/${encodeURIComponent(no)}`);
    const steps = (c.history || []).filter((h) => h.public_note);
    box.replaceChildren(...[
      el('ol', { class: 'timeline' }, steps.map((h) => el('li', null,
        el('span', { class: 'small' }, when(h.at)), ' ', h.public_note))),
      c.agent ? el('p', { class: 'small' }, `代办人：${c.agent.name}（${c.agent.relation_label || ''}）`) : null,
      c.notice_url ? el('p', null, el('a', { href: c.notice_url, target: '_blank' }, '打印受理通知书（回执）')) : null,
    ].filter(Boolean));
  } catch (err) {
    box.replaceChildren(el('p', { class: 'small' }, errorText(err)));
  } finally {
    box.setAttribute('aria-busy', 'false');
  }
}

function card(c) {
  const details = el('div', { class: 'helper-details' });
  const more = el('details', null, el('summary', null, '办理进度'), details);
  more.addEventListener('toggle', () => {
    if (more.open && !details.dataset.loaded) {
      details.dataset.loaded = '1';
      fillDetails(details, c.no);
    }
  });
  return el('li', null, el('article', {
    class: `case-card warn-${c.warning}`, dataset: { no: c.no }, 'aria-labelledby': `h-${c.no}`,
  },
  el('div', { class: 'top' },
    el('span', { class: 'case-no', id: `h-${c.no}` }, c.no),
    el('span', null, statusChip(c.status), ' ', lightChip(c.warning))),
  el('p', { class: 'title' }, c.title),
  el('p', { class: 'next-step' }, el('strong', null, '下一步：'), c.next_step),
  el('p', { class: 'meta' },
    `申请人 ${c.applicant}`, c.agent ? ` · 代办人 ${c.agent}` : '',
    ` · ${HOW[c.how] || c.how} ${when(c.since)}`,
    c.deadline ? ` · 期限 ${c.deadline}` : ''),
  more));
}

async function load() {
  const list = $('case-list');
  list.setAttribute('aria-busy', 'true');
  try {
    const r = await apiGet('/helper/cases');
    clear($('page-status'));
    list.replaceChildren(...r.cases.map(card));
    if (!r.cases.length) list.append(el('li', { class: 'empty' }, '暂无帮办的办件。'));
    const open = r.cases.filter((c) => c.status !== 'closed').length;
    $('count').textContent = `共 ${r.cases.length} 件，未办结 ${open} 件`;
  } catch (err) {
    say($('page-status'), errorText(err), 'error');
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

startStaffPage({
  roles: ['helper'],
  onReady() {
    $('reload').addEventListener('click', load);
    load();
  },
});
