/*
 * prereview.js — 网上预审 (staff/prereview.html): the submitted online applications of the
 * hall; one of them (?no=) with the applicant's files side by side (images inline, PDFs by
 * link), then pre_accept, or return listing every problem at once.
 *
 * API: GET /cases?status=submitted, GET /cases/{no}, GET /cases/{no}/uploads,
 *      GET /uploads/{id} (fetched with the bearer token, shown as data:/blob: URLs),
 *      POST /cases/{no}/actions.
 */
import { api, apiGet, getToken, API_BASE } from '/js/api.js';
import { el, clear } from '/js/ui.js';
import { startStaffPage, STATUS, $ } from './cases-common.js';

async function fetchFile(id) {
  const res = await fetch(`${API_BASE}/uploads/${encodeURIComponent(id)}`, {
    headers: { Authorization: `Bearer ${getToken()}` }, cache: 'no-store',
  });
  if (!res.ok) throw new Error('文件无法打开');
  return res.blob();
}

function asDataUrl(blob) {
  return new Promise((resolve, reject) => {
    const fr = new FileReader();
    fr.onload = () => resolve(fr.result);
    fr.onerror = () => reject(fr.error);
    fr.readAsDataURL(blob);
  });
}

async function showQueue() {
  const data = await apiGet('/cases', { status: 'submitted', per_page: 50 });
  const list = data.cases || data.items || [];
  const ul = $('queue');
  clear(ul);
  if (!list.length) ul.append(el('li', {}, '暂无待预审的申请'));
  for (const c of list) {
    ul.append(el('li', {}, el('a', { href: `/staff/prereview.html?no=${encodeURIComponent(c.no)}` },
      el('span', { class: 'st' }, STATUS[c.status] || c.status), el('div', {}, c.item_name || c.no),
      el('div', { class: 'hint' }, c.no))));
  }
}

function fileCard(m) {
  const reason = el('textarea', { rows: '2', maxlength: '100', placeholder: '问题及修改要求', hidden: true, 'aria-label': `${m.name}的问题` });
  const bad = el('input', { type: 'checkbox', 'data-code': m.code });
  bad.addEventListener('change', () => { reason.hidden = !bad.checked; if (bad.checked) reason.focus(); });
  const view = el('div', { class: 'view' }, m.upload_id ? '加载中…'
    : m.state === 'promised' ? '告知承诺替代：申请人已签署告知承诺书，受理后由部门事后核查' : '未提交');
  const li = el('li', { 'data-code': m.code },
    el('div', { class: 'm-name' }, `${m.code} ${m.name}`),
    m.reused ? el('span', { class: 'tag' }, '复用既往材料') : null,
    view,
    el('label', { class: 'check' }, bad, '有问题'), reason);
  if (m.upload_id) {
    fetchFile(m.upload_id).then(async (blob) => {
      clear(view);
      if (m.type === 'application/pdf') {
        const a = el('a', { class: 'pdf', href: URL.createObjectURL(blob), target: '_blank', rel: 'noopener' }, '打开 PDF');
        view.append(a);
      } else {
        view.append(el('img', { src: await asDataUrl(blob), alt: m.name }));
      }
    }).catch((err) => { view.textContent = err.message; });
  }
  return { li, bad, reason, code: m.code };
}

async function showCase(no) {
  $('queue-card').hidden = true;
  $('case-card').hidden = false;
  const [{ case: c }, up] = await Promise.all([
    apiGet(`/cases/${encodeURIComponent(no)}`), apiGet(`/cases/${encodeURIComponent(no)}/uploads`),
  ]);
  $('c-title').textContent = c.item_name;
  $('c-no').textContent = c.no;
  $('c-status').textContent = STATUS[c.status] || c.status;
  $('c-status').dataset.status = c.status;
  $('c-applicant').textContent = `申请人 ${c.applicant.name} · ${c.applicant.id_number} · ${c.applicant.phone}`
    + ` · ${c.delivery === 'mail' ? '邮寄送达' : '窗口领取'}`;
  const ul = $('files');
  clear(ul);
  const cards = up.materials.map(fileCard);
  for (const k of cards) ul.append(k.li);
  $('c-actions').hidden = !up.actions.length;
  const fail = (err) => {
    const fields = err.fields ? Object.values(err.fields).join('；') : '';
    $('c-error').textContent = [err.message, fields].filter(Boolean).join('：');
    $('c-error').hidden = false;
  };
  const act = async (body) => {
    $('c-error').hidden = true;
    try {
      const { case: after } = await api(`/cases/${encodeURIComponent(no)}/actions`, { method: 'POST', body });
      $('c-status').textContent = STATUS[after.status] || after.status;
      $('c-status').dataset.status = after.status;
      $('c-actions').hidden = true;
      $('c-result').textContent = after.status === 'accepted'
        ? `已受理，承诺办结日期 ${after.deadline}` : '已退回申请人修改，短信已通知';
    } catch (err) { fail(err); }
  };
  $('do-accept').onclick = () => {
    if (cards.some((k) => k.bad.checked)) { fail(new Error('有材料标记了问题，请退回修改或取消勾选')); return; }
    act({ action: 'pre_accept' });
  };
  $('do-return').onclick = () => {
    const problems = cards.filter((k) => k.bad.checked).map((k) => ({ material: k.code, reason: k.reason.value.trim() }));
    if (!problems.length) { fail(new Error('请勾选有问题的材料并写明原因')); return; }
    act({ action: 'return', problems });
  };
}

startStaffPage({
  roles: ['clerk'],
  async onReady() {
    const no = new URLSearchParams(window.location.search).get('no');
    try {
      if (no) await showCase(no); else await showQueue();
    } catch (err) {
      $('page-status').textContent = err.message;
    }
  },
});
