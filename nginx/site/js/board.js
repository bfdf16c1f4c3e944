/*
 * board.js — the hall's display board (board.html): a landscape TV showing the latest call of
 * each window, the waiting counts, and calling numbers out loud in Mandarin.
 *
 * API used (public):
 *   GET /api/v1/halls                         → the hall (?hall=code, else the first)
 *   GET /api/v1/halls/{hall}/categories       → category names (every 10 minutes)
 *   /api/v1/push/halls/{hall}/board           → push (Server-Sent Events): the board after
 *                                               each change; on opening, one GET …/board
 *   GET /api/v1/halls/{hall}/board?since=V    → the fallback, a long poll: 200 with the board
 *                                               when it changed (at once when V is old), 304
 *                                               after 25 s; its "now" sets the clock shown
 * Push first (push.js); when its connection errs (blocked, refused, a proxy that does not
 * stream) the board long-polls as before and tries push again after a minute (at once when
 * the browser comes back online after saying it was offline).  ?push=0: long polls only.
 * A call is new when its id differs from the one last seen for that window (a recall is a new
 * id: the voice repeats it).  What is on screen when the page loads is shown, not spoken.
 *
 * Voice: speechSynthesis, zh-CN, "请 A零零五 号到 3 号窗口办理" (digits one by one), twice
 * (?repeat=1..3).  Browsers only speak after someone pressed something on the page, so the
 * board has a button to turn the voice on (a kiosk browser may be started with an autoplay
 * policy that allows it at once; the choice is remembered on the device).
 *
 * Recovery: a failed poll (network down, nginx or the app restarting) shows "正在重新连接",
 * retries with a growing pause (1 s … 10 s) and at once when the browser says it is online
 * again; each poll has its own 35 s time limit, so a dead connection never hangs the board.
 */

import { apiGet } from './api.js';
import { el } from './ui.js';
import { callSpeech, callText, pickHall, sleep } from './queue-common.js';
import { PUSH_RETRY_MS, openPush, pushEnabled } from './push.js';

const $ = (id) => document.getElementById(id);
const VOICE_KEY = 'yichuang.boardVoice';
const POLL_TIMEOUT_MS = 35000;
const NAMES_EVERY_MS = 10 * 60 * 1000;

const params = new URLSearchParams(window.location.search);
const REPEAT = Math.min(3, Math.max(1, Number(params.get('repeat')) || 2));

const state = {
  hall: null,
  names: new Map(),
  order: [],
  seen: new Map(),	// window → last call id seen
  first: true,
  voice: false,
  wake: null,		// AbortController of the pause between retries
  last: null,		// the latest board
  version: -1,		// the version of the board on screen
  pushRetryAt: 0,	// when to try push again (ms, this screen's clock)
  stopPush: null,	// ends the open push subscription (to the long polls)
  skew: 0,		// hall time − this screen's clock, ms (from the board's "now")
};

/* ---------- voice ---------- */

function zhVoice() {
  const voices = window.speechSynthesis ? window.speechSynthesis.getVoices() : [];
  return voices.find((v) => /^zh[-_]CN/i.test(v.lang)) || voices.find((v) => /^zh/i.test(v.lang)) || null;
}

function speak(text) {
  $('speech-text').textContent = text;
  if (!state.voice || !('speechSynthesis' in window)) return;
  for (let i = 0; i < REPEAT; i++) {
    const u = new SpeechSynthesisUtterance(text);
    u.lang = 'zh-CN';
    u.rate = 0.85;
    const v = zhVoice();
    if (v) u.voice = v;
    window.speechSynthesis.speak(u);
  }
}

function setVoice(on) {
  state.voice = on;
  const b = $('voice');
  b.setAttribute('aria-pressed', on ? 'true' : 'false');
  b.textContent = on ? '语音播报：开' : '开启语音播报';
  try {
    window.localStorage.setItem(VOICE_KEY, on ? '1' : '0');
  } catch { /* storage blocked */ }
  if (on && 'speechSynthesis' in window) {
    // Speaking once inside the click unlocks speech for the page.
    const u = new SpeechSynthesisUtterance('语音播报已开启');
    u.lang = 'zh-CN';
    window.speechSynthesis.speak(u);
  } else if (!on && 'speechSynthesis' in window) {
    window.speechSynthesis.cancel();
  }
}

/* ---------- rendering ---------- */

function render(b) {
  state.last = b;
  const calls = Array.isArray(b.calls) ? b.calls : [];
  const fresh = [];
  for (const c of calls) {
    const key = String(c.window);
    if (state.seen.get(key) !== c.id) {
      if (!state.first) fresh.push(c);
      state.seen.set(key, c.id);
    }
  }
  state.first = false;

  const now = calls[0];
  $('now').hidden = !now;
  $('calls-empty').hidden = calls.length > 0;
  if (now) {
    $('now-number').textContent = now.number;
    $('now-window').textContent = String(now.window);
  }
  $('calls').replaceChildren(...calls.map((c) => el('li', { dataset: { window: String(c.window) } },
    el('span', { class: 'q-number' }, c.number),
    el('span', { class: 'win' }, `${c.window} 号窗口`))));

  const waiting = b.waiting && typeof b.waiting === 'object' ? b.waiting : {};
  const codes = state.order.length ? state.order : Object.keys(waiting).sort();
  $('waiting').replaceChildren(...codes.map((code) => el('li', { dataset: { code } },
    el('span', null, `${code} · ${state.names.get(code) || ''}`),
    el('span', { class: 'count' }, `${Number(waiting[code]) || 0} 人`))));

  // Oldest first, so the voice follows the order of the calls.
  fresh.sort((x, y) => String(x.at).localeCompare(String(y.at)) || x.id - y.id);
  for (const c of fresh) {
    $('announce').textContent = callText(c.number, c.window);
    speak(callSpeech(c.number, c.window));
  }
  if (fresh.length) {
    const n = $('now');
    n.classList.remove('flash');
    void n.offsetWidth;	// restart the animation
    n.classList.add('flash');
  }
}

function setConn(ok) {
  const c = $('conn');
  c.dataset.state = ok ? 'ok' : 'down';
  c.textContent = ok ? '连接正常' : '网络中断，正在重新连接…';
}

/* A board from a poll or a push: shown unless an older one than what is on screen. */
function accept(b) {
  const v = Number(b.version);
  if (Number.isFinite(v) && v < state.version && state.version - v < 1e6) return;
  if (Number.isFinite(v)) state.version = v;
  const hall = Date.parse(b.now);
  if (Number.isFinite(hall)) state.skew = hall - Date.now();
  render(b);
  tickClock();
}

/* ---------- push ---------- */

/* Hold the push subscription until it fails; resolves then.  On opening, the whole board
 * once (a subscription hears only what happens after it opened). */
function pushUntilFail() {
  return new Promise((resolve) => {
    const hall = encodeURIComponent(state.hall.code);
    const close = openPush(`/api/v1/push/halls/${hall}/board`, {
      onOpen: async () => {
        setConn(true);
        state.version = -1;	// a wiped hall starts its versions again
        try {
          accept(await apiGet(`/halls/${hall}/board`));
        } catch { /* the next push brings it */ }
      },
      onMessage: (b) => { setConn(true); accept(b); },
      onFail: () => { state.stopPush = null; resolve(); },
    });
    // The browser says the network is gone: an open stream may not notice for a long time.
    state.stopPush = () => {
      state.stopPush = null;
      close();
      resolve();
    };
  });
}

/* Push while it works, long polls while it does not. */
async function run() {
  for (;;) {
    if (pushEnabled() && Date.now() >= state.pushRetryAt) {
      await pushUntilFail();
      state.pushRetryAt = Date.now() + PUSH_RETRY_MS;
    }
    await poll();
  }
}

/* ---------- polling ---------- */

async function loadNames() {
  try {
    const { categories } = await apiGet(`/halls/${encodeURIComponent(state.hall.code)}/categories`);
    state.names = new Map((categories || []).map((c) => [c.code, c.name]));
    state.order = (categories || []).map((c) => c.code);
    if (state.last) render({ ...state.last, calls: state.last.calls });
  } catch { /* names come with the next try */ }
}

/* Long polls until it is time to try push again (for ever when push is off). */
async function poll() {
  let since = '';
  let backoff = 1000;
  while (!pushEnabled() || Date.now() < state.pushRetryAt) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), POLL_TIMEOUT_MS);
    try {
      const q = since !== '' ? `?since=${encodeURIComponent(since)}` : '';
      const res = await fetch(`/api/v1/halls/${encodeURIComponent(state.hall.code)}/board${q}`,
        { signal: ctrl.signal, cache: 'no-store', headers: { Accept: 'application/json' } });
      if (res.status === 200) {
        const b = await res.json();
        since = String(b.version);
        state.version = -1;	// the poll's board is the hall's own now
        accept(b);
      } else if (res.status !== 304) {
        throw new Error(`HTTP ${res.status}`);
      }
      setConn(true);
      backoff = 1000;
    } catch {
      setConn(false);
      state.wake = new AbortController();
      await sleep(backoff, state.wake.signal);
      state.wake = null;
      backoff = Math.min(backoff * 2, 10000);
      since = '';	// after a gap, start from the whole board again
    } finally {
      clearTimeout(timer);
    }
  }
}

/* ---------- clock and start ---------- */

/* The hall's clock (the screen's own clock may be off; the board says the hall's time). */
function tickClock() {
  const d = new Date(Date.now() + state.skew);
  $('clock').textContent = d.toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai', month: 'long', day: 'numeric', weekday: 'short',
    hour: '2-digit', minute: '2-digit', hour12: false,
  });
}

async function start() {
  for (;;) {
    try {
      state.hall = await pickHall(apiGet);
      if (state.hall) break;
      $('hall-name').textContent = '未找到该服务大厅';
      return;
    } catch {
      setConn(false);
      await sleep(3000);
    }
  }
  $('hall-name').textContent = state.hall.name;
  document.title = `叫号屏 · ${state.hall.name}`;
  await loadNames();
  setInterval(loadNames, NAMES_EVERY_MS);
  run();
}

function init() {
  tickClock();
  setInterval(tickClock, 1000);
  let remembered = false;
  try {
    remembered = window.localStorage.getItem(VOICE_KEY) === '1';
  } catch { /* storage blocked */ }
  state.voice = remembered;
  $('voice').setAttribute('aria-pressed', remembered ? 'true' : 'false');
  $('voice').textContent = remembered ? '语音播报：开' : '开启语音播报';
  $('voice').addEventListener('click', () => setVoice(!state.voice));
  // Offline: say so and leave push (the long polls retry until the network is back); back
  // online: push again at once, and the board read whole when it opens.
  window.addEventListener('offline', () => {
    setConn(false);
    if (state.stopPush) state.stopPush();
  });
  window.addEventListener('online', () => {
    state.pushRetryAt = 0;
    if (state.wake) state.wake.abort();
  });
  if ('speechSynthesis' in window) window.speechSynthesis.getVoices();
  start();
}

init();
