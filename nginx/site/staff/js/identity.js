/*
 * identity.js — 实名改绑与代办登记 (staff/identity.html), for a window clerk who has the ID
 * card in front of them: rebind an ID number to the account its holder signs in with, and
 * register a proxy (亲友代办) for a number.  Both are audited by the API.
 *
 * API: POST /api/v1/identity-bindings/rebind   {phone,name,id_number} → {"binding"}
 *      POST /api/v1/identity-bindings/proxies  {name,id_number,proxy_phone} → {"proxy"}
 */
import { api } from '/js/api.js';
import { el } from '/js/ui.js';
import { $, startStaffPage, say, errorText, showFieldErrors } from './cases-common.js';

function facts(pairs) {
  return el('dl', { class: 'facts' }, pairs.map(([k, v]) => [el('dt', null, k), el('dd', null, String(v))]));
}

function wire(formId, statusId, resultId, buttonId, path, body, show) {
  const form = $(formId);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    say($(statusId), '');
    $(resultId).replaceChildren();
    showFieldErrors(form, {});
    const btn = $(buttonId);
    btn.disabled = true;
    try {
      const r = await api(path, { method: 'POST', body: body() });
      form.reset();
      $(resultId).replaceChildren(show(r));
    } catch (err) {
      const unknown = err.fields ? showFieldErrors(form, err.fields) : [];
      say($(statusId), [errorText(err), ...unknown].join('；'), 'error');
    } finally {
      btn.disabled = false;
    }
  });
}

const v = (id) => $(id).value.trim();

function onReady() {
  wire('rebind-form', 'rebind-status', 'rebind-result', 'rebind', '/identity-bindings/rebind',
    () => ({ phone: v('rb-phone'), name: v('rb-name'), id_number: v('rb-id').toUpperCase() }),
    ({ binding: b }) => el('div', { class: 'ok-note' },
      el('p', null, `已改绑：${b.name}（${b.id_number}）现属于手机号 ${b.phone} 的账号。`),
      facts([
        ['原绑定', b.previous === 'other_account' ? '其他账号（已解除）' : '无'],
        ['该账号原绑定的其他证件', b.own_number_released ? '已解除' : '无'],
        ['解除的代办关系', b.relations_ended],
        ['取消的原账号预约', b.appointments_cancelled],
      ])));
  wire('proxy-form', 'proxy-status', 'proxy-result', 'register', '/identity-bindings/proxies',
    () => ({ name: v('px-name'), id_number: v('px-id').toUpperCase(), proxy_phone: v('px-phone') }),
    ({ proxy: p }) => el('div', { class: 'ok-note' },
      el('p', null, `已登记：手机号 ${p.phone} 的账号可为 ${p.name}（${p.id_number}）预约和网上申请。`)));
}

startStaffPage({ roles: ['clerk'], onReady });
