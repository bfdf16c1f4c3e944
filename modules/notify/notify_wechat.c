/*
 * notify_wechat.c — WeChat mini-program subscribe messages (订阅消息), the second channel
 * for citizens who subscribed in the mini-program (outbox rows with channel 'wechat', the
 * recipient being the openid).
 *
 * Access token: POST {wechat_base_url}/cgi-bin/stable_token (grant_type client_credential,
 * wechat_appid, wechat_secret), cached in Redis until shortly before it expires, shared by
 * every worker.  When WeChat answers 40001/42001/40014 (token invalid or expired) the cached
 * token is dropped — only if it is still the one that failed — and a fresh one fetched:
 * first the ordinary way (stable_token hands out the current token, which another process
 * may already have renewed), then, if that is the very token that failed, with
 * force_refresh (limited per day by WeChat, hence last).  The message is retried once with
 * the new token.
 *
 * Send: POST {wechat_base_url}/cgi-bin/message/subscribe/send?access_token=…
 *   {"touser","template_id","page","data":{"thing1":{"value":…}},"miniprogram_state","lang"}
 * 43101 (the user has not subscribed, or used up the subscription) and other argument
 * errors are permanent; -1 (busy) and rate limits are retried.
 *
 * Redis: wx:access_token (string, TTL = expires_in − 300 s; shared with modules/notify/wechat.c).
 */
#include "notify_sms.h"
#include "../../fcgi/config.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/log.h"

#include <stdlib.h>
#include <string.h>

#define TOKEN_MAX 600

/* Delete the cached token only if it is still the one that failed. */
static struct kv_script drop_if_same = {
	"wechat_token_drop",
	"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end\n"
	"return 0\n",
	""
};

/* The same key and format as modules/notify/wechat.c (sign-in), so the app and the worker share
 * one token and never force-refresh each other's away without need. */
static void
token_key(char *out, size_t osz)
{
	str_copy(out, osz, "wx:access_token");
}

static const char *
base_url(void)
{
	return config_get("wechat_base_url", "https://api.weixin.qq.com");
}

/* Fetch a token from stable_token into tok.  0, 1 when WeChat is unreachable, -1 refused. */
static int
token_fetch(struct ctx *c, int force, char *tok, size_t tsz)
{
	char url[1200], key[120], ttl[16];
	struct http_reply rep;
	json_t *req, *j;
	char *body;
	const char *t;
	long long expires;
	int rc = -1;

	if (http_url(base_url(), "/cgi-bin/stable_token", NULL, NULL, 0, url, sizeof url) != HTTP_OK)
		return 1;
	req = json_pack("{s:s,s:s,s:s,s:b}", "grant_type", "client_credential",
	    "appid", config_get("wechat_appid", ""), "secret", config_get("wechat_secret", ""),
	    "force_refresh", force);
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (body == NULL)
		return -1;
	{
		const char *h[] = { "Content-Type: application/json", NULL };

		if (sms_http_post(url, h, body, strlen(body), &rep) != 0) {
			free(body);
			buf_free(&rep.body);
			return 1;
		}
	}
	free(body);
	j = rep.body.data ? json_loadb(rep.body.data, rep.body.len, 0, NULL) : NULL;
	t = json_string_value(json_object_get(j, "access_token"));
	expires = json_integer_value(json_object_get(j, "expires_in"));
	if (rep.status >= 500)
		rc = 1;
	else if (t && strlen(t) < tsz && strlen(t) < TOKEN_MAX) {
		redisReply *r;

		str_copy(tok, tsz, t);
		if (expires <= 0)
			expires = 7200;
		expires = expires > 600 ? expires - 300 : expires / 2 + 1;
		token_key(key, sizeof key);
		fmt(ttl, sizeof ttl, "%lld", expires);
		r = kv_cmd(c, "SET %s %s EX %s", key, tok, ttl);
		if (r)
			freeReplyObject(r);
		rc = 0;
	} else
		log_err("wechat stable_token refused: errcode %lld",
		    (long long)json_integer_value(json_object_get(j, "errcode")));
	json_decref(j);
	buf_free(&rep.body);
	return rc;
}

/* The cached token, or a fetched one.  0, 1 unreachable (or Redis down), -1 refused. */
static int
token_get(struct ctx *c, char *tok, size_t tsz)
{
	char key[120];
	redisReply *r;

	token_key(key, sizeof key);
	if ((r = kv_cmd(c, "GET %s", key)) == NULL)
		return 1;
	if (r->type == REDIS_REPLY_STRING && r->len > 0 && r->len < tsz) {
		memcpy(tok, r->str, r->len);
		tok[r->len] = '\0';
		freeReplyObject(r);
		return 0;
	}
	freeReplyObject(r);
	return token_fetch(c, 0, tok, tsz);
}

static int
token_renew(struct ctx *c, const char *failed, char *tok, size_t tsz)
{
	char key[120];
	const char *args[2];
	redisReply *r;
	int rc;

	token_key(key, sizeof key);
	args[0] = key;
	args[1] = failed;
	if ((r = kv_eval(c, &drop_if_same, 1, 2, args, NULL)) == NULL)
		return 1;
	freeReplyObject(r);
	if ((rc = token_fetch(c, 0, tok, tsz)) != 0)
		return rc;
	if (strcmp(tok, failed) == 0)
		return token_fetch(c, 1, tok, tsz);
	return 0;
}

/* One send with tok.  Returns WeChat's errcode (0 ok), or INT_MIN-ish codes below. */
#define WX_NETWORK  (-100000)
#define WX_HTTP5XX  (-100001)
#define WX_BADREPLY (-100002)

static long long
send_once(const char *tok, const char *body, char *msgid, size_t msz)
{
	const char *k[] = { "access_token" }, *v[] = { tok };
	char url[1200];
	struct http_reply rep;
	json_t *j;
	long long code;

	/* A base URL libcurl refuses would fail the transfer: count it as the network. */
	if (http_url(base_url(), "/cgi-bin/message/subscribe/send", k, v, 1, url,
	    sizeof url) != HTTP_OK)
		return WX_NETWORK;
	{
		const char *h[] = { "Content-Type: application/json", NULL };

		if (sms_http_post(url, h, body, strlen(body), &rep) != 0) {
			buf_free(&rep.body);
			return WX_NETWORK;
		}
	}
	if (rep.status >= 500) {
		buf_free(&rep.body);
		return WX_HTTP5XX;
	}
	j = rep.body.data ? json_loadb(rep.body.data, rep.body.len, 0, NULL) : NULL;
	if (!json_is_integer(json_object_get(j, "errcode")))
		code = WX_BADREPLY;
	else
		code = json_integer_value(json_object_get(j, "errcode"));
	if (code == 0 && json_object_get(j, "msgid"))
		fmt(msgid, msz, "%lld", (long long)json_integer_value(json_object_get(j, "msgid")));
	json_decref(j);
	buf_free(&rep.body);
	return code;
}

void
wechat_send(struct ctx *c, const struct sms_out *m, struct send_result *res)
{
	char tok[TOKEN_MAX], err[96];
	json_t *data, *req;
	char *body;
	long long code;
	int rc, tries;

	memset(res, 0, sizeof *res);
	if ((data = tmpl_wechat_data(m->t, m->params, err, sizeof err)) == NULL) {
		res->outcome = SEND_FAIL;
		str_copy(res->code, sizeof res->code, err);
		return;
	}
	req = json_pack("{s:s,s:s,s:o,s:s,s:s}", "touser", m->to, "template_id", m->t->wechat_id,
	    "data", data, "miniprogram_state", config_get("wechat_state", "formal"),
	    "lang", "zh_CN");
	if (req && m->t->wechat_page[0])
		json_object_set_new(req, "page", json_string(m->t->wechat_page));
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (body == NULL) {
		res->outcome = SEND_FAIL;
		str_copy(res->code, sizeof res->code, "ENCODE");
		return;
	}
	if ((rc = token_get(c, tok, sizeof tok)) != 0) {
		free(body);
		res->outcome = SEND_RETRY;
		res->unreachable = rc > 0;
		str_copy(res->code, sizeof res->code, rc > 0 ? "TOKEN_UNAVAILABLE" : "TOKEN_REFUSED");
		return;
	}
	for (tries = 0;; tries++) {
		code = send_once(tok, body, res->msg_id, sizeof res->msg_id);
		if ((code == 40001 || code == 42001 || code == 40014) && tries == 0) {
			char fresh[TOKEN_MAX];

			if ((rc = token_renew(c, tok, fresh, sizeof fresh)) != 0) {
				res->outcome = SEND_RETRY;
				res->unreachable = rc > 0;
				str_copy(res->code, sizeof res->code, "TOKEN_UNAVAILABLE");
				free(body);
				return;
			}
			str_copy(tok, sizeof tok, fresh);
			continue;
		}
		break;
	}
	free(body);
	if (code == 0) {
		res->outcome = SEND_OK;
		return;
	}
	if (code == WX_NETWORK || code == WX_HTTP5XX) {
		res->outcome = SEND_RETRY;
		res->unreachable = 1;
		str_copy(res->code, sizeof res->code, code == WX_NETWORK ? "NETWORK" : "HTTP_5XX");
		return;
	}
	/* -1 busy, 45009 API quota, 40001/42001 again after a renewal: later. */
	res->outcome = code == -1 || code == 45009 || code == 45011 || code == 40001 ||
	    code == 42001 || code == WX_BADREPLY ? SEND_RETRY : SEND_FAIL;
	fmt(res->code, sizeof res->code, "WX_%lld", code);
}
