/*
 * wechat.c — WeChat mini-program server API client (see wechat.h).
 *
 * Calls: GET  {base}/sns/jscode2session?appid&secret&js_code&grant_type=authorization_code
 *        POST {base}/cgi-bin/stable_token {"grant_type":"client_credential","appid","secret"}
 *        POST {base}/wxa/business/getuserphonenumber?access_token=… {"code"}
 * Redis:  wx:access_token — the access token, expiring 5 minutes before WeChat's own expiry.
 *         Shared with the notify worker (subscribe messages).  A GET then SET, not a script:
 *         two threads that both miss fetch the same stable token (stable_token without
 *         force_refresh returns the current one), so the race is harmless.
 *
 * Every call goes through fcgi/http_client.h, bounded: a 3 s connect and wechat_timeout_ms
 * total timeout, a 64 KiB cap on the reply, JSON only.
 */
#include "wechat.h"
#include "../../fcgi/config.h"
#include "../../fcgi/http_client.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define WX_REPLY_MAX (64 * 1024)
#define WX_TOKEN_KEY "wx:access_token"

/* One request; the reply parsed as a JSON object into *out.  WX_OK or WX_DOWN. */
static int
wx_call(const char *what, const char *url, const char *body, json_t **out)
{
	const char *json_ct[] = { "Content-Type: application/json", NULL };
	struct http_call call = {
		.url = url, .headers = body ? json_ct : NULL, .body = body,
		.len = body ? strlen(body) : 0,
		.timeout_ms = (long)config_int("wechat_timeout_ms", 5000, 100, 60000),
		.connect_ms = 3000, .max_reply = WX_REPLY_MAX, .user_agent = "yichuang",
	};
	struct http_reply rep;
	json_error_t je;

	*out = NULL;
	if (http_request(&call, &rep) != HTTP_OK || rep.status != 200) {
		/* The URL may carry a secret or a token: name the call, not the URL. */
		log_warn("%s: %s (HTTP %ld)", what, rep.err != HTTP_OK ? rep.reason :
		    "unexpected status", rep.status);
		buf_free(&rep.body);
		return WX_DOWN;
	}
	*out = json_loadb(rep.body.data ? rep.body.data : "", rep.body.len, 0, &je);
	buf_free(&rep.body);
	if (*out == NULL || !json_is_object(*out)) {
		log_warn("%s: the reply is not a JSON object", what);
		json_decref(*out);
		*out = NULL;
		return WX_DOWN;
	}
	return WX_OK;
}

/* WeChat's errcode (0 when absent) → WX_*. */
static int
wx_errcode(const char *what, json_t *o, int *errcode)
{
	json_t *e = json_object_get(o, "errcode");
	long long n = json_is_integer(e) ? json_integer_value(e) : 0;

	if (errcode)
		*errcode = (int)n;
	switch (n) {
	case 0:
		return WX_OK;
	case -1:
		log_warn("%s: WeChat is busy (-1)", what);
		return WX_DOWN;
	case 40029:
	case 40163:
		return WX_CODE_INVALID;
	case 45011:
		return WX_TOO_FREQUENT;
	case 40226:
		return WX_RISKY;
	case 40001:
	case 40014:
	case 42001:
		return WX_TOKEN;
	default:
		log_warn("%s: errcode %lld", what, n);
		return WX_REFUSED;
	}
}

static const char *
base_url(void)
{
	const char *b = config_get("wechat_base_url", "");

	return *b ? b : NULL;
}

/* Copy a string member (1..osz-1 bytes of printable ASCII) into out. 0 or -1. */
static int
member(json_t *o, const char *name, char *out, size_t osz, int required)
{
	const char *s = json_string_value(json_object_get(o, name));
	size_t i, n;

	out[0] = '\0';
	if (s == NULL)
		return required ? -1 : 0;
	n = strlen(s);
	if (n == 0 || n >= osz)
		return required ? -1 : 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return -1;
	memcpy(out, s, n + 1);
	return 0;
}

int
wechat_code2session(const char *code, struct wx_session *out, int *errcode)
{
	const char *base = base_url();
	const char *k[] = { "appid", "secret", "js_code", "grant_type" };
	const char *v[] = { config_get("wechat_appid", ""), config_get("wechat_secret", ""), code,
	    "authorization_code" };
	char url[2048];
	json_t *o = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	*errcode = 0;
	if (base == NULL) {
		log_warn("wechat_base_url is not configured");
		return WX_DOWN;
	}
	if (http_url(base, "/sns/jscode2session", k, v, NELEM(k), url, sizeof url) != HTTP_OK) {
		log_warn("jscode2session: wechat_base_url is not an http(s) URL");
		return WX_DOWN;
	}
	rc = wx_call("jscode2session", url, NULL, &o);
	sodium_memzero(url, sizeof url);
	if (rc != WX_OK)
		return rc;
	if ((rc = wx_errcode("jscode2session", o, errcode)) == WX_OK &&
	    (member(o, "openid", out->openid, sizeof out->openid, 1) != 0 ||
	    member(o, "session_key", out->session_key, sizeof out->session_key, 1) != 0 ||
	    member(o, "unionid", out->unionid, sizeof out->unionid, 0) != 0)) {
		log_warn("jscode2session: openid or session_key missing");
		rc = WX_DOWN;
	}
	json_decref(o);
	if (rc != WX_OK)
		sodium_memzero(out, sizeof *out);
	return rc;
}

static int
fetch_token(struct ctx *c, char *out, size_t osz)
{
	const char *base = base_url();
	char url[1024], ex[16];
	json_t *req, *o = NULL;
	char *body;
	long long expires;
	redisReply *rep;
	int rc;

	if (base == NULL) {
		log_warn("wechat_base_url is not configured");
		return WX_DOWN;
	}
	if (http_url(base, "/cgi-bin/stable_token", NULL, NULL, 0, url, sizeof url) != HTTP_OK)
		return WX_DOWN;
	req = json_pack("{s:s,s:s,s:s,s:b}", "grant_type", "client_credential",
	    "appid", config_get("wechat_appid", ""), "secret", config_get("wechat_secret", ""),
	    "force_refresh", 0);
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (body == NULL)
		return WX_DOWN;
	rc = wx_call("stable_token", url, body, &o);
	sodium_memzero(body, strlen(body));
	free(body);
	if (rc != WX_OK)
		return rc;
	rc = wx_errcode("stable_token", o, NULL);
	if (rc == WX_OK && member(o, "access_token", out, osz, 1) != 0)
		rc = WX_DOWN;
	expires = json_integer_value(json_object_get(o, "expires_in"));
	json_decref(o);
	if (rc != WX_OK)
		return rc == WX_TOKEN || rc == WX_REFUSED ? WX_DOWN : rc;
	/* Keep it until 5 minutes before WeChat drops it (at least a minute). */
	expires = expires > 360 ? expires - 300 : 60;
	fmt(ex, sizeof ex, "%lld", expires);
	if ((rep = kv_cmd(c, "SET %s %s EX %s", WX_TOKEN_KEY, out, ex)) != NULL)
		freeReplyObject(rep);
	return WX_OK;
}

int
wechat_access_token(struct ctx *c, int force, char *out, size_t osz)
{
	redisReply *rep;

	out[0] = '\0';
	if (force) {
		if ((rep = kv_cmd(c, "DEL %s", WX_TOKEN_KEY)) == NULL)
			return WX_DOWN;
		freeReplyObject(rep);
	} else {
		if ((rep = kv_cmd(c, "GET %s", WX_TOKEN_KEY)) == NULL)
			return WX_DOWN;
		if (rep->type == REDIS_REPLY_STRING && rep->len > 0 && rep->len < osz) {
			memcpy(out, rep->str, rep->len);
			out[rep->len] = '\0';
		}
		freeReplyObject(rep);
		if (out[0])
			return WX_OK;
	}
	return fetch_token(c, out, osz);
}

int
wechat_phone_number(struct ctx *c, const char *code, char *phone, size_t psz, char *country,
    size_t csz, int *errcode)
{
	const char *base = base_url();
	char token[600], url[2048], *body;
	const char *k[] = { "access_token" }, *v[] = { token };
	json_t *req, *o, *info;
	int rc = WX_DOWN, attempt;

	phone[0] = country[0] = '\0';
	*errcode = 0;
	if (base == NULL) {
		log_warn("wechat_base_url is not configured");
		return WX_DOWN;
	}
	req = json_pack("{s:s}", "code", code);
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (body == NULL)
		return WX_DOWN;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((rc = wechat_access_token(c, attempt > 0, token, sizeof token)) != WX_OK)
			break;
		if (http_url(base, "/wxa/business/getuserphonenumber", k, v, 1, url,
		    sizeof url) != HTTP_OK) {
			rc = WX_DOWN;
			break;
		}
		rc = wx_call("getuserphonenumber", url, body, &o);
		sodium_memzero(url, sizeof url);
		if (rc != WX_OK)
			break;
		rc = wx_errcode("getuserphonenumber", o, errcode);
		if (rc == WX_OK) {
			info = json_object_get(o, "phone_info");
			if (member(info, "purePhoneNumber", phone, psz, 1) != 0 ||
			    member(info, "countryCode", country, csz, 1) != 0) {
				log_warn("getuserphonenumber: phone_info incomplete");
				rc = WX_DOWN;
			}
		}
		json_decref(o);
		if (rc != WX_TOKEN)
			break;
		/* The cached token went stale (refreshed elsewhere): once more with a new one. */
	}
	sodium_memzero(token, sizeof token);
	free(body);
	if (rc == WX_TOKEN)
		rc = WX_DOWN;
	return rc;
}
