#!/usr/bin/env node
// wechat.mjs — a local stand-in for the WeChat mini-program server API (api.weixin.qq.com),
// for the integration tests. Started by the test itself:
//
//   node test/fake/wechat.mjs [PORT]     (0 or nothing: any free port)
//
// prints "PORT\n" on stdout once it listens, then nothing else (it never prints a code,
// openid, phone or token), and exits when its standard input closes — so it dies with the
// test that started it, even if that test crashes.
//
// Expected credentials: appid "wx-fake-appid", secret "fake-secret" (else 40013 / 40125).
//
// GET  /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code
//        js_code "bad…"   → 40029 invalid code        "busy…"  → 45011 API minute-quota
//        js_code "risky…" → 40226 high-risk user      "sick…"  → HTTP 500
//        otherwise "USER" or "USER-anything" → openid "oFake_USER", a fresh session_key.
//        Every code works once; a second use → 40163 code been used.
// POST /cgi-bin/stable_token {"grant_type":"client_credential","appid","secret","force_refresh"}
//        → {"access_token","expires_in":7200}; the same token until it is invalidated.
// POST /wxa/business/getuserphonenumber?access_token=T {"code"}
//        unknown T → 40001. code "bad…" → 40029, "busy…" → 45011, "intl…" → a US number,
//        "p13800138000-anything" → that mainland number. Codes work once (then 40029).
// Test controls (never on the real API):
//   GET  /__stats               → counters and the last session_key handed out
//   POST /__invalidate_tokens   → the tokens issued so far stop working (40001), as when
//                                 another server refreshed with force_refresh

import http from 'node:http';
import { randomBytes } from 'node:crypto';

const APPID = 'wx-fake-appid';
const SECRET = 'fake-secret';

const usedCodes = new Set();
const usedPhoneCodes = new Set();
const validTokens = new Set();
let currentToken = null;
const stats = {
  jscode2session: 0, stable_token: 0, getuserphonenumber: 0,
  bad_credentials: 0, last_session_key: null, token_rejected: 0,
};

function send(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const err = (res, errcode, errmsg) => send(res, 200, { errcode, errmsg });

function credentialsOk(res, appid, secret) {
  if (appid !== APPID) {
    stats.bad_credentials += 1;
    err(res, 40013, 'invalid appid');
    return false;
  }
  if (secret !== SECRET) {
    stats.bad_credentials += 1;
    err(res, 40125, 'invalid appsecret');
    return false;
  }
  return true;
}

function readJson(req) {
  return new Promise((resolve) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      data += c;
      if (data.length > 65536) req.destroy();
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(data || '{}'));
      } catch {
        resolve(null);
      }
    });
  });
}

function jscode2session(res, q) {
  stats.jscode2session += 1;
  if (!credentialsOk(res, q.get('appid'), q.get('secret'))) return;
  const code = q.get('js_code') || '';
  if (q.get('grant_type') !== 'authorization_code') return err(res, 40002, 'invalid grant_type');
  if (!code) return err(res, 41008, 'missing code');
  if (code.startsWith('sick')) return send(res, 500, { message: 'internal error' });
  if (code.startsWith('bad')) return err(res, 40029, 'invalid code');
  if (code.startsWith('busy')) return err(res, 45011, 'api minute-quota reach limit');
  if (code.startsWith('risky')) return err(res, 40226, 'high risk user');
  if (usedCodes.has(code)) return err(res, 40163, 'code been used');
  usedCodes.add(code);
  const user = code.split('-')[0];
  const sessionKey = randomBytes(16).toString('base64');
  stats.last_session_key = sessionKey;
  return send(res, 200, { openid: `oFake_${user}`, session_key: sessionKey });
}

async function stableToken(req, res) {
  stats.stable_token += 1;
  const b = await readJson(req);
  if (!b) return err(res, 47001, 'data format error');
  if (b.grant_type !== 'client_credential') return err(res, 40002, 'invalid grant_type');
  if (!credentialsOk(res, b.appid, b.secret)) return;
  if (!currentToken || b.force_refresh === true) {
    currentToken = `ACCESS_${randomBytes(24).toString('hex')}`;
    validTokens.add(currentToken);
  }
  return send(res, 200, { access_token: currentToken, expires_in: 7200 });
}

async function phoneNumber(req, res, q) {
  stats.getuserphonenumber += 1;
  const b = await readJson(req);
  if (!validTokens.has(q.get('access_token') || '')) {
    stats.token_rejected += 1;
    return err(res, 40001, 'invalid credential, access_token is invalid or not latest');
  }
  if (!b || typeof b.code !== 'string' || !b.code) return err(res, 47001, 'data format error');
  const { code } = b;
  if (code.startsWith('bad') || usedPhoneCodes.has(code)) return err(res, 40029, 'invalid code');
  if (code.startsWith('busy')) return err(res, 45011, 'api minute-quota reach limit');
  usedPhoneCodes.add(code);
  let pure;
  let country = '86';
  if (code.startsWith('intl')) {
    pure = '2025550123';
    country = '1';
  } else {
    const m = /^p(\d{11})(?:-|$)/.exec(code);
    if (!m) return err(res, 40029, 'invalid code');
    [, pure] = m;
  }
  return send(res, 200, {
    errcode: 0,
    errmsg: 'ok',
    phone_info: {
      phoneNumber: country === '86' ? pure : `+${country} ${pure}`,
      purePhoneNumber: pure,
      countryCode: country,
      watermark: { timestamp: Math.floor(Date.now() / 1000), appid: APPID },
    },
  });
}

const server = http.createServer(async (req, res) => {
  const u = new URL(req.url, 'http://fake');
  const q = u.searchParams;
  try {
    if (req.method === 'GET' && u.pathname === '/sns/jscode2session') return jscode2session(res, q);
    if (req.method === 'POST' && u.pathname === '/cgi-bin/stable_token') return await stableToken(req, res);
    if (req.method === 'POST' && u.pathname === '/wxa/business/getuserphonenumber') {
      return await phoneNumber(req, res, q);
    }
    if (req.method === 'GET' && u.pathname === '/__stats') return send(res, 200, stats);
    if (req.method === 'POST' && u.pathname === '/__invalidate_tokens') {
      // As if another server had refreshed with force_refresh: the old tokens die and
      // stable_token now hands out a new one.
      validTokens.clear();
      currentToken = `ACCESS_${randomBytes(24).toString('hex')}`;
      validTokens.add(currentToken);
      return send(res, 200, { ok: true });
    }
    return send(res, 404, { errcode: 404, errmsg: 'not found' });
  } catch {
    return send(res, 500, { errcode: -1, errmsg: 'system error' });
  }
});

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
