/*
 * wechat.h — the WeChat mini-program server API through libcurl.
 *
 * Configuration: wechat_base_url (https://api.weixin.qq.com in production; the tests point it
 * at test/fake/wechat.mjs), wechat_appid, wechat_secret, wechat_timeout_ms (default 5000).
 * Nothing here logs a code, openid, session_key, phone, secret or access token.
 */
#ifndef YC_WECHAT_H
#define YC_WECHAT_H

#include <stddef.h>

#include "../../fcgi/ctx.h"

/* Outcomes; errcode carries WeChat's own number when it sent one. */
enum {
	WX_OK = 0,
	WX_DOWN = -1,		/* not configured, unreachable, timed out, busy (-1), bad reply */
	WX_CODE_INVALID = -2,	/* 40029 invalid code, 40163 code already used */
	WX_TOO_FREQUENT = -3,	/* 45011 API minute-quota reached */
	WX_RISKY = -4,		/* 40226 the user is blocked as high risk */
	WX_TOKEN = -5,		/* 40001 / 40014 / 42001 access token invalid or expired */
	WX_REFUSED = -6		/* any other errcode */
};

struct wx_session {
	char	openid[129];
	char	unionid[129];	/* "" when WeChat sent none */
	char	session_key[129];
};

/* jscode2session: the code from wx.login → openid and session_key. */
int	wechat_code2session(const char *code, struct wx_session *out, int *errcode);
/* The shared access token, cached in Redis under wx:access_token (fetched from
 * /cgi-bin/stable_token when absent; force: drop the cached one first).  WX_* code. */
int	wechat_access_token(struct ctx *c, int force, char *out, size_t osz);
/* getuserphonenumber: the code from getPhoneNumber → the mainland number (11 digits) and
 * its country code.  Retries once with a fresh token when WeChat says the token is stale. */
int	wechat_phone_number(struct ctx *c, const char *code, char *phone, size_t psz,
	    char *country, size_t csz, int *errcode);

#endif
