/*
 * online-common.js — what the online pages share: uploading one file with progress (XHR, so
 * the bar moves), and a material row with its file input, progress, message and retry.
 */
import { API_BASE, getToken } from './api.js';
import { el } from './ui.js';

export const ACCEPT = 'image/jpeg,image/png,application/pdf';
const MAX_BYTES = 10 * 1024 * 1024;

/* POST /uploads → {id, sha256, type, size}; rejects with an Error whose message is Chinese. */
export function uploadFile(file, onProgress) {
  return new Promise((resolve, reject) => {
    if (file.size > MAX_BYTES) {
      reject(new Error('文件过大：每个文件不能超过 10 MB，请压缩或分页后重新上传'));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API_BASE}/uploads`);
    const token = getToken();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { data = null; }
      if (xhr.status === 201 && data && data.upload) resolve(data.upload);
      else reject(new Error((data && data.error && data.error.message) || '上传失败，请重试'));
    };
    xhr.onerror = () => reject(new Error('网络连接失败，请重试'));
    xhr.send(file);
  });
}

/*
 * One material: name, tags, a file picker styled as a button (拍照或选择文件; the real
 * <input type=file> inside it, visually hidden but focusable), a preview of what was sent
 * (the picture, or the PDF's name and size), a progress bar with its percentage while
 * uploading, the state and a retry; state.value is the upload id (or "reuse").
 * opts: {reuse: true} offers 复用以前提交过的材料 with consent — the caller passes it only
 * for a material GET /me/reusable-materials lists; reason: the clerk's; promise: true offers
 * 告知承诺 (the material's promise_allowed): the applicant signs the promise in its place and
 * state.value becomes {promise: {signed: true}}.
 */
function sizeText(n) {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}

export function materialRow(m, opts = {}) {
  const state = { value: null, busy: false };
  const input = el('input', {
    type: 'file', accept: ACCEPT, id: `file-${m.code}`, class: 'file-input', 'aria-label': `上传${m.name}`,
  });
  const pickText = el('span', null, '拍照或选择文件');
  const pick = el('label', { class: 'btn btn-secondary file-pick', for: `file-${m.code}` }, input, pickText);
  const bar = el('progress', { max: '1', value: '0', hidden: '', 'aria-label': `${m.name}上传进度` });
  const pct = el('span', { class: 'm-pct', hidden: '' }, '0%');
  const preview = el('div', { class: 'm-preview', hidden: '' });
  const msg = el('span', { class: 'm-state', 'data-state': 'empty', role: 'status' }, opts.reason ? '' : '未上传');
  const retry = el('button', { type: 'button', class: 'btn', hidden: '' }, '重试');
  let lastFile = null;

  function showPreview(file) {
    const kids = [];
    if (/^image\/(jpeg|png)$/.test(file.type)) {
      // A data: URL (the site's CSP allows images from 'self' and data:, not blob:).
      const img = el('img', { alt: `${m.name}（已选的图片）` });
      const reader = new FileReader();
      reader.onload = () => { if (lastFile === file) img.src = String(reader.result); };
      reader.readAsDataURL(file);
      kids.push(img);
    } else {
      kids.push(el('span', { class: 'm-doc', 'aria-hidden': 'true' }, 'PDF'));
    }
    kids.push(el('span', { class: 'm-file' }, `${file.name} · ${sizeText(file.size)}`));
    preview.replaceChildren(...kids);
    preview.hidden = false;
  }

  async function send(file) {
    lastFile = file;
    state.value = null;
    state.busy = true;
    retry.hidden = true;
    bar.hidden = false;
    pct.hidden = false;
    bar.value = 0;
    pct.textContent = '0%';
    showPreview(file);
    msg.className = 'm-state';
    msg.dataset.state = 'uploading';
    msg.textContent = '上传中…';
    try {
      const up = await uploadFile(file, (p) => {
        bar.value = p;
        pct.textContent = `${Math.round(p * 100)}%`;
      });
      state.value = up.id;
      bar.value = 1;
      pct.textContent = '100%';
      msg.className = 'm-state ok';
      msg.dataset.state = 'done';
      msg.textContent = `已上传 ${file.name}`;
      pickText.textContent = '换一个文件';
    } catch (err) {
      bar.hidden = true;
      pct.hidden = true;
      preview.hidden = true;
      msg.className = 'm-state bad';
      msg.dataset.state = 'error';
      msg.textContent = err.message;
      retry.hidden = false;
      input.value = '';
    } finally {
      state.busy = false;
    }
  }
  input.addEventListener('change', () => { if (input.files && input.files[0]) send(input.files[0]); });
  retry.addEventListener('click', () => { if (lastFile) send(lastFile); else input.click(); });

  const tags = [el('span', { class: m.required ? 'tag req' : 'tag' }, m.required ? '必需' : '可选')];
  const kids = [el('div', {}, el('span', { class: 'm-name' }, m.name), ...tags)];
  if (m.note) kids.push(el('div', { class: 'hint' }, m.note));
  if (opts.reason) kids.push(el('div', { class: 'm-reason' }, `退回原因：${opts.reason}`));
  if (opts.reuse) {
    const cb = el('input', { type: 'checkbox', id: `reuse-${m.code}` });
    cb.addEventListener('change', () => {
      input.disabled = cb.checked;
      pick.classList.toggle('disabled', cb.checked);
      state.value = cb.checked ? 'reuse' : null;
      msg.dataset.state = cb.checked ? 'reuse' : 'empty';
      msg.textContent = cb.checked ? '将使用您以前提交过的这份材料' : '未上传';
    });
    kids.push(el('label', { class: 'check' }, cb, '复用我以前提交过的这份材料'));
  }
  if (opts.promise) {
    const cb = el('input', { type: 'checkbox', id: `promise-${m.code}` });
    cb.addEventListener('change', () => {
      input.disabled = cb.checked;
      pick.classList.toggle('disabled', cb.checked);
      state.value = cb.checked ? { promise: { signed: true } } : null;
      msg.dataset.state = cb.checked ? 'promise' : 'empty';
      msg.textContent = cb.checked ? '以告知承诺书替代，无需上传；主管部门将事后核查' : '未上传';
    });
    kids.push(el('label', { class: 'check' }, cb,
      '告知承诺：本人承诺符合要求，以签署告知承诺书代替这份证明（承诺不实的，依法处理并记入信用记录）'));
  }
  kids.push(el('div', { class: 'row' }, pick, retry), preview, el('div', { class: 'm-progress' }, bar, pct), msg);
  const li = el('li', { 'data-code': m.code }, ...kids);
  return { li, state, input };
}
