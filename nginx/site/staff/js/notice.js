/*
 * notice.js — the printable notices (staff/notice.html?n=<token>), A4:
 *   受理通知书      (kind accepted)   the case number, deadline, materials and tracking address
 *   一次性告知书    (kind incomplete) every missing material and what it must be — no case exists
 *   补正材料通知书  (kind supplement) what the back office asks for; the clock stops meanwhile
 *   不予受理通知书  (kind refused)    why the window does not accept the application (no case)
 *
 * A 受理通知书 names the agent (代办, masked) when the case has one, and for a 一件事一次办
 * bundle its title and every part with its department and deadline (one receipt).
 *
 * API: GET /case-notices?n=<token> (the token is the only key; the applicant is masked).
 * The tracking address is printed as text; the QR code is the tracking issue's (#8).
 */

import { apiGet, ApiError } from '/js/api.js';
import { el } from '/js/ui.js';

const $ = (id) => document.getElementById(id);
const STATE = { received: '已收取', waived: '容缺，待补交', requested: '待补正', absent: '未提交', promised: '告知承诺替代，待事后核查' };

function day(ts) {
  if (!ts) return '';
  const [y, m, d] = ts.slice(0, 10).split('-');
  return `${y} 年 ${Number(m)} 月 ${Number(d)} 日`;
}

/* A material's state on the 受理通知书: a 容缺 one says its due date and whether it came. */
function stateText(m) {
  if (m.waived && m.state === 'received') return `容缺，已于${day(m.received_at)}补交`;
  if (m.waived && m.state === 'waived') return `容缺，须于${day(m.due)}前补交`;
  return `${STATE[m.state] || m.state}${m.due ? `（${day(m.due)}前补交）` : ''}`;
}

function materialsTable(rows, withState) {
  const head = withState ? ['序号', '材料名称', '状态'] : ['序号', '材料名称', '形式及份数', '要求'];
  const cls = withState ? ['col-no', null, 'col-state'] : ['col-no', null, 'col-form', null];
  return el('table', null,
    el('thead', null, el('tr', null, head.map((h, i) => el('th', { scope: 'col', class: cls[i] }, h)))),
    el('tbody', null, rows.map((m, i) => el('tr', null,
      el('td', { class: 'col-no' }, String(i + 1)),
      el('td', null, m.name),
      withState
        ? el('td', { class: 'col-state' }, stateText(m))
        : [el('td', { class: 'col-form' }, `${m.form || ''} ${m.copies || 1} 份`), el('td', null, m.note || '')]))));
}

function render(n) {
  const doc = $('doc');
  const parts = [
    el('p', { class: 'doc-hall' }, n.hall.name),
    el('h1', { id: 'doc-title' }, n.title),
  ];
  if (n.case) parts.push(el('p', { class: 'doc-no' }, '受理编号：', el('span', { id: 'doc-no' }, n.case.no)));
  parts.push(el('p', { class: 'no-indent' }, `${n.applicant || '申请人'}：`));
  if (n.kind === 'accepted') {
    const c = n.case;
    // A bundle: its longest part's days (the case's deadline is that part's); never instant.
    const days = c.parts ? Math.max(...c.parts.map((p) => p.promised_days)) : n.item.promised_days;
    const instant = !c.parts && n.item.kind === 'instant';
    const title = c.parts ? `“${c.title}”（一件事一次办）` : `“${n.item.name}”事项`;
    if (c.agent) {
      parts.push(el('p', { id: 'doc-agent' }, `代办人：${c.agent.name}${c.agent.relation_label ? `（${c.agent.relation_label}）` : ''}`
        + `${c.agent.id_number ? `，身份证号 ${c.agent.id_number}` : ''}，手机 ${c.agent.phone}，凭申请人签字的授权委托书代为办理。`));
    }
    // 容缺受理 never says 材料齐全: it names each 容缺 material and its due date.
    const waived = (c.materials || []).filter((m) => m.waived);
    parts.push(
      waived.length
        ? el('p', { id: 'doc-acceptance' }, `您于${day(c.accepted_at)}申请办理的${title}，经审查，除下列 ${waived.length} 项容缺材料外，其余申请材料符合法定形式。您已签署《容缺受理承诺书》，本中心决定容缺受理。`)
        : (c.materials || []).some((m) => m.state === 'promised')
          // 告知承诺制: the certificate is replaced by the signed promise, checked afterwards.
          ? el('p', { id: 'doc-acceptance' }, `您于${day(c.accepted_at)}申请办理的${title}，经审查，申请材料符合法定形式，其中 ${(c.materials || []).filter((m) => m.state === 'promised').length} 项证明以您签署的告知承诺书替代，本中心决定予以受理。主管部门将对承诺内容进行事后核查，承诺不实的，依法处理并记入信用记录。`)
          : el('p', { id: 'doc-acceptance' }, `您于${day(c.accepted_at)}申请办理的${title}，经审查，申请材料齐全、符合法定形式，本中心决定予以受理。`),
      waived.length
        ? el('ul', { class: 'doc-waived', id: 'doc-waived' }, waived.map((m) => el('li', null,
          `${m.name}：须于 `, el('strong', null, day(m.due)), ' 前补交',
          m.state === 'received' ? `（已于${day(m.received_at)}补交）` : '')))
        : '',
      waived.length
        ? el('p', null, '请按承诺在约定日期前将容缺材料交到综合窗口；补交前一个工作日本中心将短信提醒。逾期未补交的，将影响审批办结。')
        : '',
      el('p', null, instant
        ? '本事项为即办件，当场办结。'
        : `本${c.parts ? '件' : '事项'}承诺办结时限为 ${days} 个工作日，办结期限为 `,
      instant ? '' : el('strong', { id: 'doc-deadline' }, day(c.deadline)),
      instant || !c.provisional ? '' : '（暂定：相关年度节假日安排公布后确定，不早于此日）',
      instant ? '' : '（需补正材料的，补正期间不计入办理时限）。'),
    );
    if (c.parts) {
      parts.push(el('p', { class: 'no-indent' }, '本件由以下部门并联办理：'),
        el('table', { id: 'doc-parts' },
          el('thead', null, el('tr', null, ['序号', '事项', '部门', '办结期限'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', null, c.parts.map((p, i) => el('tr', null,
            el('td', { class: 'col-no' }, String(i + 1)), el('td', null, p.item_name),
            el('td', null, p.department_name), el('td', null, day(p.deadline)))))));
    }
    if (c.processing_office) {
      parts.push(el('p', null, `本事项为跨省通办事项，由本中心收件，申请材料转${c.processing_office}审批，办理结果由本中心送达。`));
    }
    parts.push(el('p', { class: 'no-indent' }, waived.length ? '申请材料：' : '已收取的申请材料：'), materialsTable(c.materials || [], true));
    parts.push(el('p', null, c.delivery === 'mail'
      ? '办理结果将免费邮寄送达，寄出时将短信告知运单号。'
      : '办结后将短信通知您，请凭本通知书、本人身份证件和短信中的取件码到统一出件窗口领取。'));
    if (c.track_url) {
      // QR code of the tracking address (issue #8: GET /api/v1/track/{token}/qr.svg).
      const tt = (/\/t\/([A-Za-z0-9_-]+)$/.exec(c.track_url) || [])[1];
      parts.push(el('p', null, '办理进度查询地址（请妥善保管，勿转发他人）：'),
        tt ? el('img', { class: 'doc-qr', id: 'doc-track-qr', src: `/api/v1/track/${tt}/qr.svg`, width: 132, height: 132, alt: '办理进度查询二维码：用手机扫码查看办件进度' }) : null,
        el('p', { class: 'track no-indent', id: 'doc-track' }, c.track_url));
    }
  } else if (n.kind === 'incomplete') {
    parts.push(
      el('p', null, `您申请办理的“${n.item.name}”事项，经审查，申请材料不齐全。根据一次性告知制度，现将需补齐的全部材料告知如下，请备齐后再来办理：`),
      materialsTable(n.materials || [], false),
      el('p', null, '材料备齐后，可到本中心任一综合窗口办理。如对所需材料有疑问，请拨打下方咨询电话。'),
    );
    // QR code of this notice (issue #8): the list on the applicant's phone.
    const nt = new URLSearchParams(window.location.search).get('n') || '';
    if (/^[A-Za-z0-9_-]{16,64}$/.test(nt)) {
      parts.push(el('p', { class: 'no-indent' }, '用手机扫描下方二维码，可随时查看本告知书：'),
        el('img', { class: 'doc-qr', id: 'doc-notice-qr', src: `/api/v1/case-notices/qr.svg?n=${nt}`, width: 132, height: 132, alt: '本告知书二维码：用手机扫码随时查看所需材料' }));
    }
  } else if (n.kind === 'refused') {
    parts.push(
      el('p', null, `您申请办理的“${n.item.name}”事项，经审查，决定不予受理。理由如下：`),
      el('p', { id: 'doc-reason' }, n.note || ''),
      el('p', null, '如对本决定不服，可依法申请行政复议或者提起行政诉讼。'),
    );
  } else {
    parts.push(
      el('p', null, `您申请办理的“${n.item.name}”事项（受理编号 ${n.case ? n.case.no : ''}），经审查需补正下列材料：`),
      materialsTable(n.materials || [], false),
    );
    if (n.note) parts.push(el('p', null, `补正要求：${n.note}`));
    parts.push(el('p', null, '请将补正材料交到综合窗口。补正期间办理时限暂停计算，收到补正材料后继续计算。'));
  }
  parts.push(
    el('div', { class: 'doc-sign' },
      el('p', null, `${n.hall.name}（受理专用章）`),
      el('p', null, day(n.created_at))),
    el('div', { class: 'doc-foot' },
      el('p', null, `受理窗口：${n.window_name || (n.window ? `${n.window} 号窗口` : '')}　经办人：${n.clerk || ''}`),
      el('p', null, `地址：${n.hall.address}　咨询电话：${n.hall.phone}`)),
  );
  doc.replaceChildren(...parts);
  document.title = `${n.title} · ${n.hall.name}`;
  doc.hidden = false;
  $('print-bar').hidden = false;
}

async function main() {
  $('print').addEventListener('click', () => window.print());
  const token = new URLSearchParams(window.location.search).get('n') || '';
  try {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) throw new ApiError(404, 'NOT_FOUND', '通知书不存在或链接有误');
    const { notice } = await apiGet('/case-notices', { n: token });
    render(notice);
  } catch (err) {
    $('page-status').replaceChildren(el('div', { class: 'notice notice-error' },
      el('p', null, err instanceof ApiError && err.status === 404 ? '通知书不存在或链接有误' : err.message)));
  } finally {
    $('loading').hidden = true;
  }
}

main();
