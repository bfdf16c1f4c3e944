/*
 * queue-common.js — what the queue's pages share: status words, the spoken form of a call,
 * the hall from the address, and a sleep that a signal can cut short.
 */

export const STATUS_TEXT = {
  waiting: '排队中',
  called: '正在叫号',
  serving: '正在办理',
  done: '已办结',
  skipped: '已过号',
  cancelled: '已取消',
};

export const PRIORITY_TEXT = {
  normal: '普通',
  elderly: '老年人（绿色通道）',
  disabled: '残疾人（绿色通道）',
  appointment: '预约',
};

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/* "A005" → "A零零五": the digits of a number are read one by one. */
export function spokenNumber(number) {
  return String(number).replace(/[0-9]/g, (d) => DIGITS[Number(d)]);
}

/* What the board says for a call: 请 A零零五 号到 3 号窗口办理 */
export function callSpeech(number, windowNo) {
  return `请 ${spokenNumber(number)} 号到 ${windowNo} 号窗口办理`;
}

/* The same, as shown (digits as digits). */
export function callText(number, windowNo) {
  return `请 ${number} 号到 ${windowNo} 号窗口办理`;
}

/* ?hall=code, else the first hall the API lists. */
export async function pickHall(apiGet) {
  const wanted = new URLSearchParams(window.location.search).get('hall');
  const { halls } = await apiGet('/halls');
  const list = Array.isArray(halls) ? halls : [];
  return (wanted ? list.find((h) => h.code === wanted) : list[0]) || null;
}

/* Wait ms, or less when signal aborts. */
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    if (signal) signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

/* "2026-11-23T09:30:00+08:00" → "09:30" */
export function hhmm(rfc3339) {
  const m = /T(\d\d:\d\d)/.exec(String(rfc3339 || ''));
  return m ? m[1] : '';
}

/* Minutes as a citizen reads them. */
export function waitText(minutes) {
  const m = Math.max(0, Math.round(Number(minutes) || 0));
  if (m === 0) return '即将轮到';
  if (m < 60) return `约 ${m} 分钟`;
  const h = Math.floor(m / 60);
  return m % 60 ? `约 ${h} 小时 ${m % 60} 分钟` : `约 ${h} 小时`;
}
