/*
 * verify.js — the public verify page of a result (v.html, reached from the QR printed on a
 * licence, permit, certificate or decision: /v.html#<payload>).
 *
 * The QR's payload (after '#', so it never reaches a server log) is
 *   base64url(message) "." base64url(Ed25519 signature)
 * and the message is "YCR1\n" then vid, kind, title, number, holder (masked), issuer,
 * issued_on, valid_until, each followed by "\n" (modules/results_sign.c).
 *
 * 1. Offline: the signature is checked here with WebCrypto's Ed25519 against the instance's
 *    public key (GET /api/v1/results/public-key, remembered in localStorage so a later check
 *    needs no network).  A changed byte or another key: 无效, and nothing else is shown.
 * 2. Online: GET /api/v1/verify/{vid} says whether the result is still valid (有效 / 已撤销 /
 *    已被替换) and lists the permits joined to a licence (一照通).  Its fields must be the
 *    signed ones, else 无效.  Unreachable: the offline verdict stays, with a note.
 */

import { initLargeText } from './ui.js';

const KEY_STORE = 'yichuang.result-key';
const FIELDS = ['vid', 'kind', 'title', 'number', 'holder', 'issuer', 'issued_on', 'valid_until'];
const KIND = {
  licence: '营业执照', permit: '许可证', certificate: '证书', decision: '准予许可决定书',
  refusal: '不予许可决定书',
};
const $ = (id) => document.getElementById(id);

function b64url(s) {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error('malformed');
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

/*
 * The offline check, usable on its own: (payload or whole QR text, base64url public key) →
 * { ok: true, fields } | { ok: false, reason: 'malformed' | 'forged' }.
 */
export async function verifyOffline(qr, publicKey) {
  let msg;
  let sig;
  let fields;
  try {
    const payload = qr.includes('#') ? qr.slice(qr.lastIndexOf('#') + 1) : qr;
    const parts = payload.split('.');
    if (parts.length !== 2) throw new Error('malformed');
    msg = b64url(parts[0]);
    sig = b64url(parts[1]);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(msg);
    const lines = text.split('\n');
    if (lines.length !== FIELDS.length + 2 || lines[0] !== 'YCR1' || lines[FIELDS.length + 1] !== '') {
      throw new Error('malformed');
    }
    fields = Object.fromEntries(FIELDS.map((f, i) => [f, lines[i + 1]]));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  try {
    const key = await crypto.subtle.importKey('raw', b64url(publicKey), { name: 'Ed25519' }, false, ['verify']);
    const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, msg);
    return ok ? { ok: true, fields } : { ok: false, reason: 'forged' };
  } catch {
    return { ok: false, reason: 'forged' };
  }
}

async function publicKey() {
  try {
    const res = await fetch('/api/v1/results/public-key', { headers: { Accept: 'application/json' } });
    if (res.ok) {
      const { public_key: pk } = await res.json();
      try { localStorage.setItem(KEY_STORE, pk); } catch { /* private mode */ }
      return pk;
    }
  } catch { /* offline: the remembered key */ }
  try { return localStorage.getItem(KEY_STORE); } catch { return null; }
}

function show(verdict, cls, hint, f) {
  $('verify-loading').hidden = true;
  $('verify-result').hidden = false;
  const v = $('v-verdict');
  v.textContent = verdict;
  v.className = `verdict verdict-${cls}`;
  $('v-hint').textContent = hint;
  $('v-facts').hidden = !f;
  $('v-title').textContent = f ? f.title : '';
  if (!f) return;
  $('v-kind').textContent = KIND[f.kind] || '办理结果';
  $('v-number').textContent = f.number;
  $('v-holder').textContent = f.holder;
  $('v-issuer').textContent = f.issuer;
  $('v-issued').textContent = f.issued_on;
  $('v-valid').textContent = f.valid_until || '长期';
}

function joined(r) {
  const list = r.permits || (r.licence ? [r.licence] : []);
  if (!list.length) return;
  $('joined-title').textContent = r.permits ? `关联许可（一照通，共 ${list.length} 项）` : '所属营业执照';
  const ul = $('v-joined-list');
  ul.textContent = '';
  for (const p of list) {
    const li = document.createElement('li');
    li.textContent = `${p.title} ${p.number} · ${p.status_label} · ${p.issuer}${p.valid_until ? ` · 有效期至 ${p.valid_until}` : ''}`;
    ul.append(li);
  }
  $('v-joined').hidden = false;
}

async function main() {
  initLargeText($('toggle-large'));
  const qr = location.hash.slice(1);
  const pk = await publicKey();
  if (!pk) {
    show('暂不能核验', 'unknown', '无法取得签发机关的公钥，请联网后重试。', null);
    return;
  }
  const off = await verifyOffline(qr, pk);
  if (!off.ok) {
    show('无效', 'invalid', off.reason === 'forged'
      ? '签名不符：内容被改动，或并非本政务服务中心签发。请勿采信。'
      : '这不是本政务服务中心签发的办理结果二维码。', null);
    return;
  }
  const f = off.fields;
  let res;
  try {
    res = await fetch(`/api/v1/verify/${encodeURIComponent(f.vid)}`, { headers: { Accept: 'application/json' } });
  } catch {
    res = null;
  }
  if (!res || res.status >= 500 || res.status === 429) {
    show('签名有效', 'offline', '离线核验：内容与签发机关的签名一致。未能联网查询是否已撤销，请稍后重试。', f);
    return;
  }
  if (res.status === 404) {
    show('无效', 'invalid', '政务服务中心没有这个办理结果。', f);
    return;
  }
  const r = (await res.json()).result;
  const same = ['kind', 'title', 'number', 'holder', 'issuer', 'issued_on'].every((k) => r[k] === f[k])
    && (r.valid_until || '') === f.valid_until;
  if (!same) {
    show('无效', 'invalid', '二维码内容与登记信息不一致，请勿采信。', null);
    return;
  }
  if (r.status === 'valid') {
    show('有效', 'valid', '签名一致，且该办理结果目前有效。', f);
  } else if (r.status === 'revoked') {
    show('已撤销', 'revoked', `该办理结果已于 ${(r.changed_at || '').slice(0, 10)} 撤销，不再有效。`, f);
  } else {
    show('已被替换', 'replaced', '该办理结果已换发新证，旧证不再有效。', f);
    if (r.replaced_by) {
      $('v-replaced-row').hidden = false;
      $('v-replaced').textContent = r.replaced_by;
    }
  }
  joined(r);
}

if (typeof document !== 'undefined' && $('verify-result')) {
  // Another QR opened in the same tab changes only the fragment: check it from scratch.
  window.addEventListener('hashchange', () => location.reload());
  main();
}
