/*
 * push.js — a hall's queue changes by push (Server-Sent Events from nginx's nchan), with
 * polling as the fallback.  Used by the board, the ticket page, the console and the
 * dashboard.
 *
 * Subscriptions (docs/API.md "Push"):
 *   /api/v1/push/halls/{hall}/board            public: the board after each change
 *   /api/v1/push/halls/{hall}/tickets/{token}  the same messages, for a ticket of the hall
 *   /api/v1/push/halls/{hall}/staff            the same messages, for the hall's staff (cookie)
 * Each message is the board as GET /halls/{hall}/board shows it plus "event": {kind, window,
 * number}.  A subscription gets only changes made after it opened: the page reads its data
 * once on "open", then on each message.
 *
 * openPush(url, {onOpen, onMessage, onFail}) → close function.  EventSource would reconnect
 * by itself, but an error may as well be a refusal (429: too many from this address, 401, a
 * proxy that does not stream): on the first error the subscription is closed and onFail
 * called once; the page then polls as it always did and calls openPush again later
 * (PUSH_RETRY_MS).  ?push=0 in the page's address turns push off (polling only).
 */

export const PUSH_RETRY_MS = 60000;

export function pushEnabled() {
  return 'EventSource' in window && new URLSearchParams(window.location.search).get('push') !== '0';
}

export function openPush(url, { onOpen, onMessage, onFail } = {}) {
  let es;
  let done = false;
  const finish = () => {
    if (done) return false;
    done = true;
    if (es) es.close();
    return true;
  };
  try {
    es = new EventSource(url, { withCredentials: true });
  } catch {
    setTimeout(() => { if (finish() && onFail) onFail(); }, 0);
    return () => finish();
  }
  es.onopen = () => { if (!done && onOpen) onOpen(); };
  es.onmessage = (ev) => {
    if (done) return;
    let data = null;
    try {
      data = JSON.parse(ev.data);
    } catch {
      return;	// not ours: ignore
    }
    if (data && typeof data === 'object' && onMessage) onMessage(data);
  };
  es.onerror = () => { if (finish() && onFail) onFail(); };
  return () => finish();
}
