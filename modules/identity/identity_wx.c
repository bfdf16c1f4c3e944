/*
 * identity_wx.c — citizens sign in from the WeChat mini-program.
 *
 * Routes: POST /auth/wx-login  {"code"} (from wx.login)        → token, phone_bound
 *         POST /auth/wx-phone  {"code"} (from getPhoneNumber)  → the phone, masked
 * Tables: citizens, citizen_wechat, audit_log
 * Redis:  sess:<hash> (the session gets one more field, wx = the openid's keyed hash, so
 *         wx-phone knows which WeChat account the caller signed in with), wx:access_token
 *         (wechat.c)
 *
 * An openid maps to exactly one citizen.  The session_key WeChat hands back is sealed into
 * citizen_wechat and never leaves the server.  Binding a phone makes the WeChat account and
 * the SMS account one citizen: if the phone already belongs to a citizen (who signed in by
 * SMS), the openid moves to that citizen, the WeChat-only citizen is marked merged_into it,
 * and the caller's session continues as that citizen.
 */
#include "handlers.h"
#include "../shared/audit.h"
#include "identity.h"
#include "../shared/pii.h"
#include "../notify/wechat.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/log.h"
#include "../../fcgi/session.h"
#include "../../fcgi/errors.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int
code_in(struct req *r, const char **code)
{
	if (in_str(r, r->body, "code", 1, 1, 128, code) == 0 && *code && !token_ok(*code, 128))
		return req_fail_field(r, "code", "凭证格式不正确");
	return 0;
}

/* WX_* failures that are not the caller's code → the reply. */
static int
wx_fail(struct req *r, int rc)
{
	switch (rc) {
	case WX_TOO_FREQUENT:
		req_header(r, "Retry-After", "60");
		return req_err_msg(r, E_RATE_LIMITED, "微信服务繁忙，请稍后再试");
	case WX_RISKY:
		return req_err_msg(r, E_FORBIDDEN, "该微信账号暂时无法登录，请改用短信验证码登录");
	default:
		req_header(r, "Retry-After", "5");
		return req_err_msg(r, E_UNAVAILABLE, "微信服务暂时不可用，请稍后再试或使用短信验证码登录");
	}
}

struct wx_found {
	long long	 citizen;
	int		 bound;
};

static const struct db_col wx_found_cols[] = {
	DBC_I(struct wx_found, citizen, 1, INT64_MAX), DBC_B(struct wx_found, bound),
};

/* The citizen of an openid, created on first sign-in; the session_key is refreshed.
 * 0 (*id, *bound set) or a DB_* code. */
static int
wx_citizen(struct ctx *c, const struct wx_session *ws, const char *ohash, long long *id,
    int *bound)
{
	unsigned char so[PII_SEALED_MAX], sk[PII_SEALED_MAX];
	char uh[PII_HASH_HEX], now[32];
	struct wx_found f;
	uint64_t newid = 0;
	int no, nk, rc, tries;

	if ((no = pii_seal(ws->openid, so, sizeof so)) < 0 ||
	    (nk = pii_seal(ws->session_key, sk, sizeof sk)) < 0) {
		log_err("cannot seal an openid or session_key");
		return DB_FAIL;
	}
	if (ws->unionid[0])
		pii_hash("wx-unionid", ws->unionid, uh);
	identity_now(now, sizeof now);
	for (tries = 0; tries < 3; tries++) {
		memset(&f, 0, sizeof f);
		rc = db_row_into(c, "SELECT w.citizen_id, c.phone_hash IS NOT NULL"
		    " FROM citizen_wechat w JOIN citizens c ON c.id = w.citizen_id"
		    " WHERE w.openid_hash = ?", DBARGS(DBS(ohash)), DB_COLS(wx_found_cols), &f);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			rc = db_exec(c, "UPDATE citizen_wechat SET session_key_enc = ?,"
			    " unionid_hash = COALESCE(?, unionid_hash), updated_at = ?"
			    " WHERE openid_hash = ?", DBARGS(DBSN((const char *)sk, (size_t)nk),
			    DBSO(ws->unionid[0] ? uh : NULL), DBS(now), DBS(ohash)), NULL, NULL);
			if (rc != 0)
				return rc;
			*id = f.citizen;
			*bound = f.bound;
			return 0;
		}
		if ((rc = db_begin(c)) != 0)
			return rc;
		rc = db_exec(c, "INSERT INTO citizens (created_at) VALUES (?)", DBARGS(DBS(now)),
		    NULL, &newid);
		if (rc == 0)
			rc = db_exec(c, "INSERT INTO citizen_wechat (openid_hash, openid_enc,"
			    " unionid_hash, citizen_id, session_key_enc, created_at, updated_at)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?)", DBARGS(DBS(ohash),
			    DBSN((const char *)so, (size_t)no), DBSO(ws->unionid[0] ? uh : NULL),
			    DBI(newid), DBSN((const char *)sk, (size_t)nk), DBS(now), DBS(now)),
			    NULL, NULL);
		if (rc == 0)
			rc = db_commit(c);
		else
			db_rollback(c);
		if (rc == 0) {
			*id = (long long)newid;
			*bound = 0;
			return 0;
		}
		if (rc != DB_DUP && rc != DB_RETRY)
			return rc;
		/* The same openid signed in twice at once: take the other's citizen. */
	}
	return DB_RETRY;
}

int
h_wx_login(struct req *r)
{
	struct wx_session ws;
	char ohash[PII_HASH_HEX], token[SESSION_TOKEN_MAX + 1], exp[32], key[80];
	long long id = 0, expires = 0;
	int rc, errcode = 0, bound = 0;
	const char *code;
	redisReply *rep;

	code_in(r, &code);
	if (in_has_errors(r))
		return req_invalid(r);
	rc = wechat_code2session(code, &ws, &errcode);
	if (rc == WX_CODE_INVALID) {
		audit(r, "citizen.login", "wechat", "denied", errcode == 40163 ? "code used" :
		    "invalid code");
		return req_err_msg(r, E_LOGIN_CODE_INVALID, "微信登录凭证无效，请重新进入小程序");
	}
	if (rc != WX_OK) {
		audit(r, "citizen.login", "wechat", "error", rc == WX_TOO_FREQUENT ? "45011" :
		    rc == WX_RISKY ? "40226" : "wechat unavailable");
		return wx_fail(r, rc);
	}
	pii_hash("wx-openid", ws.openid, ohash);
	rc = wx_citizen(r->ctx, &ws, ohash, &id, &bound);
	sodium_memzero(&ws, sizeof ws);
	if (rc != 0)
		return db_fail(r, rc);
	if (citizen_session_start(r, id, "wechat", token, sizeof token, &expires) != 0)
		return req_unavailable(r);
	fmt(key, sizeof key, "sess:%s", r->sess.id);
	if ((rep = kv_cmd(r->ctx, "HSET %s wx %s", key, ohash)) == NULL)
		return req_unavailable(r);
	freeReplyObject(rep);
	time_format(expires, exp, sizeof exp);
	return req_ok(r, 200, json_pack("{s:s,s:s,s:b,s:s}", "token", token, "role", "citizen",
	    "phone_bound", bound, "expires_at", exp));
}

/* Bind phone to the citizen of openid ohash; *target gets the citizen in charge afterwards.
 * 0, 1 (merged into the citizen who already had the phone), or a DB_* code. */
static int
bind_phone(struct ctx *c, const char *ohash, const char *phone, long long *target)
{
	unsigned char sp[PII_SEALED_MAX];
	char ph[PII_HASH_HEX], now[32], v[24];
	long long cur, owner;
	int n, rc, tries;

	if ((n = pii_seal(phone, sp, sizeof sp)) < 0) {
		log_err("cannot seal a phone");
		return DB_FAIL;
	}
	pii_hash("phone", phone, ph);
	identity_now(now, sizeof now);
	for (tries = 0; tries < 3; tries++) {
		if ((rc = db_begin(c)) != 0)
			return rc;
		rc = db_scalar(c, "SELECT citizen_id FROM citizen_wechat WHERE openid_hash = ?"
		    " FOR UPDATE", DBARGS(DBS(ohash)), v, sizeof v);
		if (rc != 1 || parse_ll(v, 1, INT64_MAX, &cur) != 0)
			goto fail;
		owner = 0;
		rc = db_scalar(c, "SELECT id FROM citizens WHERE phone_hash = ? FOR UPDATE",
		    DBARGS(DBS(ph)), v, sizeof v);
		if (rc < 0 || (rc == 1 && parse_ll(v, 1, INT64_MAX, &owner) != 0))
			goto fail;
		if (owner == 0) {
			rc = db_exec(c, "UPDATE citizens SET phone_enc = ?, phone_hash = ?"
			    " WHERE id = ?", DBARGS(DBSN((const char *)sp, (size_t)n), DBS(ph),
			    DBI(cur)), NULL, NULL);
			*target = cur;
		} else if (owner == cur) {
			rc = 0;
			*target = cur;
		} else {
			rc = db_exec(c, "UPDATE citizen_wechat SET citizen_id = ?, updated_at = ?"
			    " WHERE openid_hash = ?", DBARGS(DBI(owner), DBS(now), DBS(ohash)),
			    NULL, NULL);
			if (rc == 0)
				rc = db_exec(c, "UPDATE citizens SET merged_into = ? WHERE id = ?"
				    " AND phone_hash IS NULL", DBARGS(DBI(owner), DBI(cur)), NULL,
				    NULL);
			*target = owner;
		}
		if (rc == 0 && (rc = db_commit(c)) == 0)
			return owner != 0 && owner != cur ? 1 : 0;
		if (rc != 0)
			goto fail;
		continue;
fail:
		db_rollback(c);
		if (rc == 0 || rc == 1)
			return DB_FAIL;		/* the openid row vanished: cannot happen */
		if (rc != DB_DUP && rc != DB_RETRY)
			return rc;
		/* Someone bound the same phone at the same moment: look again. */
	}
	return DB_RETRY;
}

int
h_wx_phone(struct req *r)
{
	char ohash[PII_HASH_HEX], phone[24], country[8], masked[16], key[80], sub[24];
	const char *code;
	long long me = 0, target = 0;
	redisReply *rep;
	int rc, errcode = 0;

	code_in(r, &code);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = require_citizen(r, &me)) != 0)
		return rc;
	/* Which WeChat account this session signed in with. */
	fmt(key, sizeof key, "sess:%s", r->sess.id);
	if ((rep = kv_cmd(r->ctx, "HGET %s wx", key)) == NULL)
		return req_unavailable(r);
	ohash[0] = '\0';
	if (rep->type == REDIS_REPLY_STRING && rep->len == PII_HASH_HEX - 1)
		str_copy(ohash, sizeof ohash, rep->str);
	freeReplyObject(rep);
	if (ohash[0] == '\0')
		return req_err(r, E_NOT_WECHAT_SESSION);

	rc = wechat_phone_number(r->ctx, code, phone, sizeof phone, country, sizeof country,
	    &errcode);
	if (rc == WX_CODE_INVALID) {
		audit(r, "citizen.bind_phone", "wechat", "denied", "invalid code");
		return req_err_msg(r, E_CODE_INVALID, "手机号授权已失效，请重新授权");
	}
	if (rc != WX_OK) {
		audit(r, "citizen.bind_phone", "wechat", "error", rc == WX_TOO_FREQUENT ? "45011" :
		    "wechat unavailable");
		return wx_fail(r, rc);
	}
	if (strcmp(country, "86") != 0 || !phone_ok(phone)) {
		sodium_memzero(phone, sizeof phone);
		audit(r, "citizen.bind_phone", "wechat", "denied", "not a mainland mobile number");
		return req_err(r, E_PHONE_UNSUPPORTED);
	}
	mask_phone(phone, masked, sizeof masked);
	rc = bind_phone(r->ctx, ohash, phone, &target);
	sodium_memzero(phone, sizeof phone);
	if (rc < 0)
		return db_fail(r, rc);
	if (target != me) {
		/* From now on this session acts as the citizen the phone belongs to. */
		fmt(sub, sizeof sub, "%lld", target);
		if ((rep = kv_cmd(r->ctx, "HSET %s subject %s", key, sub)) == NULL)
			return req_unavailable(r);
		freeReplyObject(rep);
		str_copy(r->sess.subject, sizeof r->sess.subject, sub);
	}
	audit(r, "citizen.bind_phone", masked, "ok", rc == 1 ? "joined the citizen of this phone" :
	    "");
	return req_ok(r, 200, json_pack("{s:s,s:b}", "phone", masked, "phone_bound", 1));
}
