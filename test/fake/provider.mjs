#!/usr/bin/env node
// provider.mjs — a local stand-in for the SMS providers (Aliyun SendSms, Tencent SendSms
// 2021-01-11) and WeChat subscribe messages, for test/integration/it_notify.c, it_outbox.c
// and it_faults.c. Started by the test itself:
//
//   node test/fake/provider.mjs [PORT]      (0 or nothing: any free port)
//
// prints "PORT\n" on stdout once it listens, then only "held OUTID\n" lines (scenario 0006
// below; never a phone number or a secret), and exits when its standard input closes — it
// dies with the test that started it.
//
// It checks every request the way the provider would: it recomputes the signature from
// what it received (Aliyun RPC HMAC-SHA1 over the form parameters; Tencent TC3-HMAC-SHA256
// over content-type, host and the payload), the timestamp against the real clock, the
// nonce for replays, and answers an auth error when anything is off. /__stats counts them.
//
// Credentials: Aliyun AccessKeyId "testId" / secret "testSecret"; Tencent SecretId
// "AKIDnotifytest" / SecretKey "notify-test-key", SmsSdkAppId "1400000001";
// WeChat appid "wx-notify-appid" / secret "wx-notify-secret".
//
// What it answers, by the last four digits of the phone number (per OutId/SessionContext):
//   0001  success
//   0002  throttled the first time (Aliyun isv.BUSINESS_LIMIT_CONTROL, Tencent per-number
//         LimitExceeded.PhoneNumberThirtySecondLimit), then success
//   0003  per-number failure (Aliyun isv.MOBILE_NUMBER_ILLEGAL; Tencent a 200 reply whose
//         SendStatusSet[0].Code is InvalidParameterValue.IncorrectPhoneNumber)
//   0004  HTTP 500 the first time, then success
//   0005  accepts ("sends") the message but answers only after 1.2 s the first time — the
//         test kills the worker meanwhile; then answers at once
//   0006  holds the first request: neither accepted nor answered, and "held OUTID" on stdout,
//         until the client goes away (its worker killed, or its timeout): then it was not
//         sent (entry.answer "abandoned"); later requests are accepted at once
//   0007  success, but its delivery receipt (POST /__callbacks) says it failed
//   other success
// Every request is in /__stats "requests" with its out_id; "delivered": true when the fake
// accepted (sent) the message — what a phone would receive.
// WeChat (POST /cgi-bin/stable_token, POST /cgi-bin/message/subscribe/send?access_token=T):
//   unknown or expired T → 40001; touser starting "oBlocked" → 43101; a thing* value over
//   20 characters → 47003; otherwise {"errcode":0,"msgid":n}.
// Test controls: GET /__stats, POST /__reset, POST /__expire_token (the current WeChat token
// stops working, as when it expires; stable_token then hands out a new one),
// POST /__callbacks {"aliyun":URL,"tencent":URL} — the delivery-receipt URLs registered in
// each console (null: none).  With one set, every message the fake accepts is followed, as
// at the real provider, by a receipt pushed there (Aliyun SmsReport: a JSON array with
// biz_id and out_id; Tencent status callback: a JSON array with sid): delivered, except
// for a number ending 0007, whose receipt says it failed (Aliyun MK:0001, Tencent
// report_status FAIL).  A push not answered 200 is pushed again after 1 s, up to three
// times.  stats.pushes lists each receipt: provider, out_id, attempts, the HTTP status and
// the body the callback answered last.  POST /__reset keeps the callback URLs.
// POST /__down (the provider is away: every other request's connection is closed
// unanswered, counted in "refused", nothing received) and POST /__up (back).

import http from 'node:http';
import { createHmac, createHash, randomBytes } from 'node:crypto';

const ALI = { id: 'testId', secret: 'testSecret' };
const TC = { id: 'AKIDnotifytest', key: 'notify-test-key', app: '1400000001' };
const WX = { appid: 'wx-notify-appid', secret: 'wx-notify-secret' };
const HANG_MS = 1200;

let stats, seen, nonces, tokens, currentToken, msgid, down = false;
const callbacks = { aliyun: null, tencent: null };
function reset() {
  stats = { requests: [], bad_signatures: 0, stale_timestamps: 0, replayed_nonces: 0,
    stable_token: 0, stable_token_forced: 0, token_rejected: 0, refused: 0, wechat: [],
    pushes: [] };
  seen = new Map();       // provider:outId → times seen
  nonces = new Set();
  tokens = new Set();
  currentToken = null;
  msgid = 1000;
}
reset();

function send(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

// RFC 3986 percent-encoding, as Aliyun specifies it.
const pct = (s) => encodeURIComponent(s).replace(/[!'()*]/g,
  (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

function scenario(phone) {
  return String(phone || '').slice(-4);
}

function times(key) {
  const n = (seen.get(key) || 0) + 1;
  seen.set(key, n);
  return n;
}

// Scenario 0006: keep the request open, unanswered and not sent, until the client goes.
function hold(req, entry) {
  entry.delivered = false;
  entry.answer = 'held';
  req.socket.on('close', () => { entry.answer = 'abandoned'; });
  process.stdout.write(`held ${entry.out_id}\n`);
}

function realClockOk(seconds) {
  return Math.abs(Date.now() / 1000 - seconds) < 15 * 60;
}

// ---------------------------------------------------------------- receipts
const beijing = (ms) => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 19).replace('T', ' ');

// Push one receipt to the provider's callback URL, as the provider does a moment after
// accepting a message; record what the callback answered.
function pushReceipt(provider, outId, entry) {
  const url = callbacks[provider];
  if (!url) return;
  const body = JSON.stringify([entry]);
  const push = { provider, out_id: outId, status: 0, body: null };
  stats.pushes.push(push);
  // Not answered 200: pushed again, three times at most (the real ones wait 1, 5 and 10
  // minutes; the fake waits 1 s).
  const attempt = (n) => {
    const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        push.status = res.statusCode;
        push.attempts = n;
        try { push.body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { push.body = null; }
        if (res.statusCode !== 200 && n < 4) setTimeout(() => attempt(n + 1), 1000);
      });
    });
    req.on('error', () => { push.status = -1; if (n < 4) setTimeout(() => attempt(n + 1), 1000); });
    req.end(body);
  };
  setTimeout(() => attempt(1), 30);
}

function aliyunReceipt(phone, outId, bizId) {
  const failed = scenario(phone) === '0007';
  const now = Date.now();
  pushReceipt('aliyun', outId, { phone_number: phone, send_time: beijing(now - 2000),
    report_time: beijing(now), success: !failed, err_code: failed ? 'MK:0001' : 'DELIVERED',
    err_msg: failed ? '空号' : '用户接收成功', sms_size: '1', biz_id: bizId, out_id: outId });
}

function tencentReceipt(phone, outId, sid) {
  const failed = scenario(phone) === '0007';
  pushReceipt('tencent', outId, { user_receive_time: beijing(Date.now()), nationcode: '86',
    mobile: phone, report_status: failed ? 'FAIL' : 'SUCCESS', errmsg: failed ? 'MN:0001' : 'DELIVRD',
    description: failed ? '空号' : '用户短信送达成功', sid });
}

// ---------------------------------------------------------------- Aliyun
function aliyun(req, res, raw) {
  const form = new URLSearchParams(raw);
  const params = {};
  for (const [k, v] of form) params[k] = v;
  const got = params.Signature;
  delete params.Signature;
  const query = Object.keys(params).sort().map((k) => pct(k) + '=' + pct(params[k])).join('&');
  const sts = 'POST&%2F&' + pct(query);
  const want = createHmac('sha1', ALI.secret + '&').update(sts).digest('base64');
  const rid = randomBytes(8).toString('hex');
  const entry = { provider: 'aliyun', out_id: params.OutId, phone: scenario(params.PhoneNumbers),
    template: params.TemplateCode, params: params.TemplateParam, sig_ok: got === want };
  stats.requests.push(entry);
  if (got !== want || params.AccessKeyId !== ALI.id) {
    stats.bad_signatures += 1;
    entry.answer = 'SignatureDoesNotMatch';
    return send(res, 400, { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched', RequestId: rid });
  }
  if (!realClockOk(Date.parse(params.Timestamp) / 1000)) {
    stats.stale_timestamps += 1;
    entry.answer = 'InvalidTimeStamp.Expired';
    return send(res, 400, { Code: 'InvalidTimeStamp.Expired', Message: 'stale', RequestId: rid });
  }
  if (nonces.has(params.SignatureNonce)) {
    stats.replayed_nonces += 1;
    entry.answer = 'SignatureNonceUsed';
    return send(res, 400, { Code: 'SignatureNonceUsed', Message: 'nonce used', RequestId: rid });
  }
  nonces.add(params.SignatureNonce);
  const n = times('aliyun:' + params.OutId);
  const ok = () => { entry.answer = 'OK';
    const bizId = `${900000 + Number(params.OutId)}^0`;
    send(res, 200, { Code: 'OK', Message: 'OK', RequestId: rid, BizId: bizId });
    aliyunReceipt(params.PhoneNumbers, params.OutId, bizId); };
  switch (scenario(params.PhoneNumbers)) {
    case '0002':
      if (n === 1) { entry.answer = 'isv.BUSINESS_LIMIT_CONTROL';
        return send(res, 200, { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控Permits:1', RequestId: rid }); }
      entry.delivered = true;
      return ok();
    case '0003':
      entry.answer = 'isv.MOBILE_NUMBER_ILLEGAL';
      return send(res, 200, { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号', RequestId: rid });
    case '0004':
      if (n === 1) { entry.answer = '500'; res.writeHead(500); return res.end('Internal Server Error'); }
      entry.delivered = true;
      return ok();
    case '0005':
      entry.delivered = true;
      if (n === 1) { entry.answer = 'OK (late)'; return setTimeout(ok, HANG_MS); }
      return ok();
    case '0006':
      if (n === 1) return hold(req, entry);
      entry.delivered = true;
      return ok();
    default:
      entry.delivered = true;
      return ok();
  }
}

// ---------------------------------------------------------------- Tencent
function tencent(req, res, raw) {
  const rid = randomBytes(8).toString('hex');
  const auth = req.headers.authorization || '';
  const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/sms\/tc3_request, SignedHeaders=content-type;host, Signature=([0-9a-f]{64})$/.exec(auth);
  const ts = Number(req.headers['x-tc-timestamp']);
  let body = {};
  try { body = JSON.parse(raw); } catch { body = {}; }
  const phone = (body.PhoneNumberSet || [])[0];
  const entry = { provider: 'tencent', out_id: body.SessionContext, phone: scenario(phone),
    template: body.TemplateId, params: body.TemplateParamSet, sig_ok: false };
  stats.requests.push(entry);
  let ok = false;
  if (m && m[1] === TC.id) {
    const date = new Date(ts * 1000).toISOString().slice(0, 10);
    const cr = ['POST', '/', '', `content-type:${req.headers['content-type']}`,
      `host:${req.headers.host}`, '', 'content-type;host',
      createHash('sha256').update(raw).digest('hex')].join('\n');
    const sts = ['TC3-HMAC-SHA256', String(ts), `${date}/sms/tc3_request`,
      createHash('sha256').update(cr).digest('hex')].join('\n');
    const h = (k, d) => createHmac('sha256', k).update(d).digest();
    const kSign = h(h(h('TC3' + TC.key, date), 'sms'), 'tc3_request');
    ok = m[2] === date && createHmac('sha256', kSign).update(sts).digest('hex') === m[3];
  }
  entry.sig_ok = ok;
  const fail = (code, msg) => { entry.answer = code;
    send(res, 200, { Response: { Error: { Code: code, Message: msg }, RequestId: rid } }); };
  if (!ok) { stats.bad_signatures += 1; return fail('AuthFailure.SignatureFailure', 'signature'); }
  if (!realClockOk(ts)) { stats.stale_timestamps += 1; return fail('AuthFailure.SignatureExpire', 'expired'); }
  if (req.headers['x-tc-action'] !== 'SendSms' || req.headers['x-tc-version'] !== '2021-01-11')
    return fail('InvalidAction', 'action/version');
  if (body.SmsSdkAppId !== TC.app) return fail('InvalidParameterValue.SdkAppIdNotExist', 'app');
  const n = times('tencent:' + body.SessionContext);
  const status = (code, message) => {
    entry.answer = code;
    entry.delivered = code === 'Ok';
    send(res, 200, { Response: { SendStatusSet: [{ SerialNo: `2028:${rid}`, PhoneNumber: phone,
      Fee: code === 'Ok' ? 1 : 0, SessionContext: body.SessionContext, Code: code, Message: message,
      IsoCode: 'CN' }], RequestId: rid } });
    if (code === 'Ok') tencentReceipt(phone, body.SessionContext, `2028:${rid}`);
  };
  switch (scenario(phone)) {
    case '0002':
      if (n === 1) return status('LimitExceeded.PhoneNumberThirtySecondLimit', '30秒内限发1条');
      return status('Ok', 'send success');
    case '0003':
      return status('InvalidParameterValue.IncorrectPhoneNumber', 'incorrect phone number');
    case '0004':
      if (n === 1) { entry.answer = '500'; res.writeHead(500); return res.end('oops'); }
      return status('Ok', 'send success');
    case '0005':
      if (n === 1) { entry.delivered = true; return setTimeout(() => status('Ok', 'send success'), HANG_MS); }
      return status('Ok', 'send success');
    case '0006':
      if (n === 1) return hold(req, entry);
      return status('Ok', 'send success');
    default:
      return status('Ok', 'send success');
  }
}

// ---------------------------------------------------------------- WeChat
function newToken() {
  currentToken = 'wxtok-' + randomBytes(12).toString('hex');
  tokens.add(currentToken);
  return currentToken;
}

function stableToken(res, raw) {
  let b = {};
  try { b = JSON.parse(raw); } catch { b = {}; }
  if (b.appid !== WX.appid || b.secret !== WX.secret)
    return send(res, 200, { errcode: 40013, errmsg: 'invalid appid' });
  stats.stable_token += 1;
  if (b.force_refresh) { stats.stable_token_forced += 1; tokens.clear(); newToken(); }
  if (!currentToken) newToken();
  send(res, 200, { access_token: currentToken, expires_in: 7200 });
}

function subscribeSend(res, url, raw) {
  const t = url.searchParams.get('access_token');
  if (!tokens.has(t)) { stats.token_rejected += 1;
    return send(res, 200, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' }); }
  let b = {};
  try { b = JSON.parse(raw); } catch { b = {}; }
  const entry = { touser_blocked: String(b.touser || '').startsWith('oBlocked'),
    template_id: b.template_id, page: b.page, data: b.data };
  stats.wechat.push(entry);
  if (entry.touser_blocked) return send(res, 200, { errcode: 43101, errmsg: 'user refuse to accept the msg' });
  for (const [k, v] of Object.entries(b.data || {}))
    if (k.startsWith('thing') && [...String(v.value)].length > 20)
      return send(res, 200, { errcode: 47003, errmsg: `argument invalid! data.${k}.value` });
  msgid += 1;
  send(res, 200, { errcode: 0, errmsg: 'ok', msgid });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url, 'http://fake');
    if (req.method === 'GET' && url.pathname === '/__stats') return send(res, 200, stats);
    if (req.method === 'POST' && url.pathname === '/__reset') { reset(); return send(res, 200, {}); }
    if (req.method === 'POST' && url.pathname === '/__callbacks') {
      let b = {};
      try { b = JSON.parse(raw || '{}'); } catch { b = {}; }
      callbacks.aliyun = typeof b.aliyun === 'string' ? b.aliyun : null;
      callbacks.tencent = typeof b.tencent === 'string' ? b.tencent : null;
      return send(res, 200, {});
    }
    if (req.method === 'POST' && url.pathname === '/__expire_token') {
      tokens.delete(currentToken); currentToken = null; return send(res, 200, {});
    }
    if (req.method === 'POST' && url.pathname === '/__down') { down = true; return send(res, 200, {}); }
    if (req.method === 'POST' && url.pathname === '/__up') { down = false; return send(res, 200, {}); }
    if (down) { stats.refused += 1; return req.socket.destroy(); }
    if (req.method === 'POST' && url.pathname === '/cgi-bin/stable_token') return stableToken(res, raw);
    if (req.method === 'POST' && url.pathname === '/cgi-bin/message/subscribe/send')
      return subscribeSend(res, url, raw);
    if (req.method === 'POST' && url.pathname === '/' && req.headers['x-tc-action'])
      return tencent(req, res, raw);
    if (req.method === 'POST' && url.pathname === '/' &&
        String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded'))
      return aliyun(req, res, raw);
    send(res, 404, { error: 'not here' });
  });
});

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
// A test that reads only the port closes the pipe: later lines are simply not wanted.
process.stdout.on('error', () => {});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
