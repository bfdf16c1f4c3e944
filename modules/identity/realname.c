/*
 * realname.c — 实名，一证一号: the binding of an ID number to one account, and proxy
 * relations (亲友代办).  See realname.h for the rule the booking and application modules
 * apply; this file also has the routes that make relations and rebind a number (the
 * citizen's own view and the ends of relations: realname_me.c).
 *
 * Routes: POST   /me/principals/sms-code       citizen: ask the holder of an ID number (SMS)
 *         POST   /me/principals                citizen: confirm with the holder's code
 *         POST   /identity-bindings/rebind     clerk (saw the ID card): bind to a phone's account
 *         POST   /identity-bindings/proxies    clerk (saw the principal's ID card): register
 * Tables: citizens (idnum_*, name_*: the binding), citizen_proxies, outbox (proxy_code),
 *         audit_log; the rebind has the wrong holder's bookings cancelled through the hook
 *         realname_on_rebind (the appointments room's).
 * Redis:  proxy:{c:<proxy citizen id>}:<ID number hash>  the pending confirmation code (a
 *         keyed hash, 10 minutes, 5 tries: identity_code_store/check), and the holder
 *         phone's code limits (notify_code_allowed).
 *
 * Which phone confirms a proxy relation: the phone of the account that holds the ID number.
 * That account was made by signing in with an SMS code to that phone (or binding it through
 * WeChat's getPhoneNumber), and the number was bound to it by its own first use or by a
 * clerk who saw the card — so the code reaches the person whose number it is, never a phone
 * the asker types.  An ID number that no account holds (an elderly parent without a
 * smartphone) has no such phone: its relations are registered by a clerk at the hall.
 *
 * Why the binding lives in citizens: an account has one identity (a column of its row), and
 * uk_citizens_idnum makes two accounts holding one number impossible, however they race; the
 * first use binds it in the very transaction that records the booking or application, so a
 * refused or failed request binds nothing.
 */
#include "handlers.h"
#include "../shared/audit.h"
#include "identity.h"
#include "../notify/notify.h"
#include "../notify/outbox.h"
#include "../shared/pii.h"
#include "realname.h"
#include "realname_int.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/log.h"
#include "../../fcgi/errors.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_CHARS     30
#define CODE_TTL_SECONDS   600
#define CODE_MAX_TRIES     5
#define PROXY_MAX_DEFAULT  5

#define MSG_BOUND_ELSEWHERE \
	"该身份证号码已绑定其他账号（一证一号）。本人请携带身份证到政务服务中心窗口改绑；" \
	"为亲友办理请先登记亲友代办"
#define MSG_PROXY_REQUIRED \
	"本账号已绑定本人身份证。为他人办理须先登记亲友代办：由对方短信确认，或到政务服务中心窗口登记"
#define MSG_NAME_MISMATCH  "姓名与该身份证号码登记的姓名不一致，请按身份证填写"

/* ------------------------------------------------------------------ small pieces */

int
realname_name_ok(const char *s)
{
	size_t n = strlen(s), i, cps = utf8_len(s, n);

	if (cps < 2 || cps > NAME_MAX_CHARS)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x80 && !((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == ' ' ||
		    ch == '.'))
			return 0;	/* digits and punctuation are not part of a name */
	}
	return s[0] != ' ' && s[n - 1] != ' ';
}

/* The ID number as stored: upper-case X. */
static void
id_upper(const char *in, char out[20])
{
	size_t i;

	for (i = 0; i < 18 && in[i]; i++)
		out[i] = in[i] == 'x' ? 'X' : in[i];
	out[i] = '\0';
}

int
rn_proxy_max(void)
{
	return (int)config_int("proxy_max_principals", PROXY_MAX_DEFAULT, 1, 50);
}

/* ------------------------------------------------------------------ the rule */

struct rn_state {
	long long	 owner;			/* account holding the number (after merges), 0 none */
	char		 owner_name[PII_HASH_HEX];
	char		 mine[PII_HASH_HEX];	/* the caller's own number, "" none */
	long long	 proxy;			/* the caller's live relation for the number, 0 none */
	char		 proxy_name[PII_HASH_HEX];
};

static const struct db_col state_cols[] = {
	DBC_I(struct rn_state, owner, 1, INT64_MAX), DBC_S(struct rn_state, owner_name),
	DBC_S(struct rn_state, mine), DBC_I(struct rn_state, proxy, 1, INT64_MAX),
	DBC_S(struct rn_state, proxy_name),
};

/* One round trip: who holds the number, what the caller holds, the caller's relation. */
static int
state_read(struct ctx *c, long long cid, const char *idhash, struct rn_state *s)
{
	memset(s, 0, sizeof *s);
	return db_row_into(c, "SELECT"
	    " (SELECT COALESCE(merged_into, id) FROM citizens WHERE idnum_hash = ?),"
	    " (SELECT name_hash FROM citizens WHERE idnum_hash = ?),"
	    " (SELECT idnum_hash FROM citizens WHERE id = ?),"
	    " (SELECT id FROM citizen_proxies WHERE idnum_hash = ? AND proxy_citizen = ? AND live = 1),"
	    " (SELECT name_hash FROM citizen_proxies WHERE idnum_hash = ? AND proxy_citizen = ?"
	    "  AND live = 1)",
	    DBARGS(DBS(idhash), DBS(idhash), DBI(cid), DBS(idhash), DBI(cid), DBS(idhash),
	    DBI(cid)), DB_COLS(state_cols), s);
}

static int
name_refused(struct req *r, const char *name_field)
{
	req_fail_field(r, name_field, MSG_NAME_MISMATCH);
	return req_invalid(r);
}

static int
bound_elsewhere(struct req *r, const char *id_field)
{
	req_fail_field(r, id_field, "该身份证号码已绑定其他账号");
	return req_err_msg(r, E_ID_BOUND_ELSEWHERE, MSG_BOUND_ELSEWHERE);
}

int
realname_check(struct req *r, long long cid, const char *name, const char *idnum,
    const char *name_field, const char *id_field, struct rn_use *u)
{
	struct rn_state s;
	char up[20], nh[PII_HASH_HEX];
	int rc;

	memset(u, 0, sizeof *u);
	id_upper(idnum, up);
	pii_hash("idnum", up, u->idhash);
	pii_hash("name", name, nh);
	sodium_memzero(up, sizeof up);
	if ((rc = state_read(r->ctx, cid, u->idhash, &s)) < 0)
		return db_fail(r, rc);
	if (s.owner == cid) {
		if (s.owner_name[0] && strcmp(s.owner_name, nh) != 0)
			return name_refused(r, name_field);
		return 0;
	}
	if (s.proxy > 0) {
		if (strcmp(s.proxy_name, nh) != 0)
			return name_refused(r, name_field);
		u->proxy_id = s.proxy;
		return 0;
	}
	if (s.owner > 0)
		return bound_elsewhere(r, id_field);
	if (s.mine[0]) {
		req_fail_field(r, id_field, "不是本账号绑定的本人证件");
		return req_err_msg(r, E_PROXY_REQUIRED, MSG_PROXY_REQUIRED);
	}
	u->bind = 1;
	return 0;
}

int
realname_bind_tx(struct req *r, long long cid, const char *name, const char *idnum,
    const struct rn_use *u)
{
	struct ctx *c = r->ctx;
	unsigned char sn[PII_SEALED_MAX], si[PII_SEALED_MAX];
	char up[20], nh[PII_HASH_HEX], now[32], have[2 * PII_HASH_HEX + 2];
	char want[2 * PII_HASH_HEX + 2];
	uint64_t n = 0;
	int nn, ni, rc;

	if (!u->bind)
		return 0;
	id_upper(idnum, up);
	nn = pii_seal(name, sn, sizeof sn);
	ni = pii_seal(up, si, sizeof si);
	sodium_memzero(up, sizeof up);
	if (nn < 0 || ni < 0) {
		log_err("cannot seal a name or ID number");
		return DB_FAIL;
	}
	pii_hash("name", name, nh);
	identity_now(now, sizeof now);
	rc = db_exec(c, "UPDATE citizens SET name_enc = ?, name_hash = ?, idnum_enc = ?,"
	    " idnum_hash = ?, idnum_bound_at = ?, idnum_bound_how = 'first_use'"
	    " WHERE id = ? AND idnum_hash IS NULL AND merged_into IS NULL",
	    DBARGS(DBSN((const char *)sn, (size_t)nn), DBS(nh), DBSN((const char *)si, (size_t)ni),
	    DBS(u->idhash), DBS(now), DBI(cid)), &n, NULL);
	if (rc == DB_DUP)
		return RN_LOST;		/* another account holds it (uk_citizens_idnum) */
	if (rc != 0)
		return rc;
	if (n == 1) {
		char target[40];

		fmt(target, sizeof target, "citizen:%lld", cid);
		audit(r, "identity.bind", target, "ok", "first use");
		return 0;
	}
	/* The account holds a number already: this one (a twin request bound it), or not. */
	rc = db_scalar(c, "SELECT CONCAT(COALESCE(idnum_hash, ''), ':', COALESCE(name_hash, ''))"
	    " FROM citizens WHERE id = ? FOR UPDATE", DBARGS(DBI(cid)), have, sizeof have);
	if (rc < 0)
		return rc;
	fmt(want, sizeof want, "%s:%s", u->idhash, nh);
	return rc == 1 && strcmp(have, want) == 0 ? 0 : RN_LOST;
}

int
realname_refusal(struct req *r, long long cid, const char *name, const char *idnum,
    const char *name_field, const char *id_field)
{
	struct rn_use u;
	int rc;

	if ((rc = realname_check(r, cid, name, idnum, name_field, id_field, &u)) != 0)
		return rc;
	req_header(r, "Retry-After", "1");
	return req_err_msg(r, E_UNAVAILABLE, "系统繁忙，请稍后重试");
}

/* ------------------------------------------------------------------ asking by SMS */

/* The name and ID number of a body, checked.  Fields are recorded on r. */
static void
person_in(struct req *r, const char **name, const char **idn)
{
	in_str(r, r->body, "name", 1, 1, NAME_MAX_CHARS, name);
	in_str(r, r->body, "id_number", 1, 18, 18, idn);
	if (*name && !realname_name_ok(*name))
		req_fail_field(r, "name", "请填写与身份证一致的真实姓名");
	if (*idn && !idnum_ok(*idn))
		req_fail_field(r, "id_number", "身份证号码无效，请核对后重新输入");
}

/* The ID number as stored (up, upper-case X) and its keyed hash; the name's too when nh. */
static void
person_hash(const char *idn, const char *name, char up[20], char idhash[PII_HASH_HEX],
    char *nh)
{
	id_upper(idn, up);
	pii_hash("idnum", up, idhash);
	if (nh)
		pii_hash("name", name, nh);
}

static void
code_key(long long cid, const char *idhash, char *out, size_t osz)
{
	if (fmt(out, osz, "proxy:{c:%lld}:%s", cid, idhash) < 0 && osz > 0)
		out[0] = '\0';
}

/* The keyed hash of a confirmation code, bound to the asker, the number and the name. */
static void
code_hash(long long cid, const char *idhash, const char *namehash, const char *code,
    char out[PII_HASH_HEX])
{
	char all[200];

	fmt(all, sizeof all, "%lld:%s:%s:%s", cid, idhash, namehash, code);
	pii_hash("proxy-code", all, out);
	sodium_memzero(all, sizeof all);
}

/* Live principals of an account (FOR UPDATE in a transaction: the count then the insert). */
static int
principal_count(struct ctx *c, long long cid, int lock, long long *n)
{
	char out[24];
	int rc;

	if (lock && (rc = db_scalar(c, "SELECT id FROM citizens WHERE id = ? FOR UPDATE",
	    DBARGS(DBI(cid)), out, sizeof out)) < 0)
		return rc;
	rc = db_scalar(c, "SELECT COUNT(*) FROM citizen_proxies WHERE proxy_citizen = ?"
	    " AND live = 1", DBARGS(DBI(cid)), out, sizeof out);
	if (rc < 0)
		return rc;
	*n = 0;
	if (rc == 1)
		parse_ll(out, 0, INT64_MAX, n);
	return 0;
}

static int
limit_reached(struct req *r)
{
	char msg[160];

	fmt(msg, sizeof msg, "每个账号最多为 %d 位亲友代办，请先解除不再需要的代办关系", rn_proxy_max());
	return req_err_msg(r, E_PROXY_LIMIT, msg);
}

static int
not_registered(struct req *r)
{
	req_fail_field(r, "id_number", "该证件尚未在本系统登记手机号");
	return req_err_msg(r, E_PRINCIPAL_NOT_REGISTERED,
	    "该证件尚无本人账号，无法短信确认。请本人先登录一窗使用一次本人证件，"
	    "或携带双方身份证到政务服务中心窗口登记代办");
}

static int
is_principal(struct req *r)
{
	req_fail_field(r, "id_number", "这是本账号绑定的本人证件");
	return req_err(r, E_PROXY_IS_PRINCIPAL);
}

static int
already(struct req *r)
{
	return req_err(r, E_PROXY_EXISTS);
}

/*
 * Whether cid may ask to act for the number: 0 (and the holder's account in *owner), or the
 * refusal set.  Checked when the code is asked for and again when it is confirmed.
 */
static int
may_ask(struct req *r, long long cid, const char *idhash, const char *namehash,
    long long *owner)
{
	struct rn_state s;
	long long n = 0;
	int rc;

	if ((rc = state_read(r->ctx, cid, idhash, &s)) < 0)
		return db_fail(r, rc);
	if (s.owner == 0)
		return not_registered(r);
	if (s.owner == cid)
		return is_principal(r);
	if (s.owner_name[0] && strcmp(s.owner_name, namehash) != 0)
		return name_refused(r, "name");
	if (s.proxy > 0)
		return already(r);
	if ((rc = principal_count(r->ctx, cid, 0, &n)) < 0)
		return db_fail(r, rc);
	if (n >= rn_proxy_max())
		return limit_reached(r);
	*owner = s.owner;
	return 0;
}

int
h_principal_code(struct req *r)
{
	const char *name = NULL, *idn = NULL;
	char up[20], idhash[PII_HASH_HEX], nh[PII_HASH_HEX], code[8], hash[PII_HASH_HEX];
	char key[128], masked[16], who[48], target[40];
	struct citizen holder, asker;
	struct outbox_msg m;
	long long cid, owner = 0;
	json_t *params;
	int rc, wait = 0;

	person_in(r, &name, &idn);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = require_citizen(r, &cid)) != 0)
		return rc;
	person_hash(idn, name, up, idhash, nh);
	sodium_memzero(up, sizeof up);
	if ((rc = may_ask(r, cid, idhash, nh, &owner)) != 0)
		return rc;
	if ((rc = citizen_get(r->ctx, owner, &holder)) < 0)
		return db_fail(r, rc);
	if (rc == 0 || holder.phone[0] == '\0') {
		sodium_memzero(&holder, sizeof holder);
		return not_registered(r);
	}
	if ((rc = citizen_get(r->ctx, cid, &asker)) < 0) {
		sodium_memzero(&holder, sizeof holder);
		return db_fail(r, rc);
	}
	/* Who asks, in words an SMS carries everywhere (no "*"): the last four digits. */
	if (rc == 1 && strlen(asker.phone) == 11)
		fmt(who, sizeof who, "手机尾号%s的用户", asker.phone + 7);
	else
		str_copy(who, sizeof who, "一位微信用户");
	sodium_memzero(&asker, sizeof asker);
	mask_phone(holder.phone, masked, sizeof masked);

	/* As for a login code: the transaction first, then the holder phone's limits. */
	if ((rc = db_begin(r->ctx)) != 0) {
		sodium_memzero(&holder, sizeof holder);
		return db_fail(r, rc);
	}
	rc = notify_code_allowed(r->ctx, holder.phone, &wait);
	if (rc <= 0) {
		db_rollback(r->ctx);
		sodium_memzero(&holder, sizeof holder);
		return rc < 0 ? req_unavailable(r) :
		    identity_code_rate_limited(r, wait > 0 ? wait : 60);
	}
	fmt(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
	code_hash(cid, idhash, nh, code, hash);
	code_key(cid, idhash, key, sizeof key);
	params = json_pack("{s:s,s:s}", "who", who, "code", code);
	sodium_memzero(code, sizeof code);
	m = (struct outbox_msg){ .channel = "sms", .template = "proxy_code",
	    .recipient = holder.phone, .params = params, .ref_kind = "proxy", .urgent = 1 };
	rc = outbox_add(r->ctx, &m, NULL);
	json_decref(params);
	sodium_memzero(&holder, sizeof holder);
	if (rc != 0) {
		db_rollback(r->ctx);
		return db_fail(r, rc);
	}
	if (identity_code_store(r->ctx, key, hash, CODE_TTL_SECONDS) != 0) {
		db_rollback(r->ctx);
		return req_unavailable(r);
	}
	if ((rc = db_commit(r->ctx)) != 0) {
		redisReply *rep;

		/* Not queued: the stored code must not be usable either. */
		if ((rep = kv_cmd(r->ctx, "DEL %s", key)) != NULL)
			freeReplyObject(rep);
		return db_fail(r, rc);
	}
	fmt(target, sizeof target, "citizen:%lld", owner);
	audit(r, "identity.proxy_code", target, "ok", masked);
	return req_ok(r, 202, json_pack("{s:b,s:s,s:i,s:i}", "sent", 1, "phone", masked,
	    "expires_in", CODE_TTL_SECONDS, "resend_after", 60));
}

/* Insert a relation (in the caller's transaction, the account's row locked).  0 with *id,
 * DB_DUP (a live one exists) or a DB_* code. */
static int
relation_insert(struct req *r, const char *name, const char *up, const char *idhash,
    const char *namehash, long long proxy, const char *how, const char *hall, uint64_t *id)
{
	unsigned char sn[PII_SEALED_MAX], si[PII_SEALED_MAX];
	char now[32];
	int nn, ni;

	if ((nn = pii_seal(name, sn, sizeof sn)) < 0 || (ni = pii_seal(up, si, sizeof si)) < 0) {
		log_err("cannot seal a name or ID number");
		return DB_FAIL;
	}
	identity_now(now, sizeof now);
	return db_exec(r->ctx, "INSERT INTO citizen_proxies (idnum_hash, idnum_enc, name_hash,"
	    " name_enc, proxy_citizen, how, hall, created_by, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    DBARGS(DBS(idhash), DBSN((const char *)si, (size_t)ni), DBS(namehash),
	    DBSN((const char *)sn, (size_t)nn), DBI(proxy), DBS(how), DBSO(hall),
	    DBS(r->sess.subject), DBS(now)), NULL, id);
}

/* One relation as its proxy sees it (or a clerk: with the proxy's phone). */
static json_t *
relation_json(long long id, const char *name, const char *up, const char *how,
    const char *since, const char *phone)
{
	char mn[64], mi[32], mp[16], now[32];
	json_t *o;

	mask_name(name, mn, sizeof mn);
	mask_id(up, mi, sizeof mi);
	if (since == NULL) {
		time_format(hall_now(), now, sizeof now);
		since = now;
	}
	o = json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)id, "name", mn, "id_number", mi,
	    "how", how, "since", since);
	if (phone) {
		mask_phone(phone, mp, sizeof mp);
		json_object_set_new(o, "phone", json_string(mp));
	}
	return o;
}

int
h_principal_add(struct req *r)
{
	const char *name = NULL, *idn = NULL, *code = NULL;
	char up[20], idhash[PII_HASH_HEX], nh[PII_HASH_HEX], hash[PII_HASH_HEX], key[128];
	char target[40];
	long long cid, owner = 0, n = 0;
	uint64_t id = 0;
	int rc, verdict;

	person_in(r, &name, &idn);
	identity_code_in(r, "确认码", &code);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = require_citizen(r, &cid)) != 0)
		return rc;
	person_hash(idn, name, up, idhash, nh);
	code_hash(cid, idhash, nh, code, hash);
	code_key(cid, idhash, key, sizeof key);
	verdict = identity_code_check(r->ctx, key, hash, CODE_MAX_TRIES);
	if (verdict == -2)
		return req_unavailable(r);
	if (verdict != 1) {
		req_fail_field(r, "code", verdict < 0 ? "错误次数过多，请重新获取" :
		    "确认码错误或已失效");
		return req_err_msg(r, E_CODE_INVALID, verdict < 0 ?
		    "确认码错误次数过多，请重新获取" : "确认码错误或已失效，请向对方核对或重新获取");
	}
	/* The code says the holder agreed; the rest may have changed in the ten minutes. */
	if ((rc = may_ask(r, cid, idhash, nh, &owner)) != 0)
		return rc;
	if ((rc = db_begin(r->ctx)) != 0)
		return db_fail(r, rc);
	rc = principal_count(r->ctx, cid, 1, &n);
	if (rc == 0 && n >= rn_proxy_max()) {
		db_rollback(r->ctx);
		return limit_reached(r);
	}
	if (rc == 0)
		rc = relation_insert(r, name, up, idhash, nh, cid, "sms", NULL, &id);
	if (rc == 0) {
		fmt(target, sizeof target, "proxy:%llu", (unsigned long long)id);
		audit(r, "identity.proxy_add", target, "ok", "sms");
		rc = db_commit(r->ctx);
	} else
		db_rollback(r->ctx);
	if (rc == DB_DUP) {
		sodium_memzero(up, sizeof up);
		return already(r);
	}
	if (rc != 0) {
		sodium_memzero(up, sizeof up);
		return db_fail(r, rc);
	}
	rc = req_ok(r, 201, json_pack("{s:o}", "principal",
	    relation_json((long long)id, name, up, "sms", NULL, NULL)));
	sodium_memzero(up, sizeof up);
	return rc;
}

/* ------------------------------------------------------------------ at the hall (clerk) */

struct holder_row {
	long long	 row, owner;
};

static const struct db_col holder_cols[] = {
	DBC_I(struct holder_row, row, 1, INT64_MAX), DBC_I(struct holder_row, owner, 1, INT64_MAX),
};

/* The citizen of a phone, made when there is none (they sign in with it later). */
static int
account_of(struct req *r, const char *phone, long long *id)
{
	int rc = citizen_by_phone(r->ctx, phone, 1, id);

	return rc == 1 ? 0 : rc < 0 ? rc : DB_FAIL;
}

#define END_RELATIONS "UPDATE citizen_proxies SET revoked_at = ?, revoked_by = 'rebind'" \
	" WHERE revoked_at IS NULL AND "

/* Add the rows a statement changed to *n; pass its code on. */
static int
counted(int rc, const uint64_t *k, uint64_t *n)
{
	if (rc == 0)
		*n += *k;
	return rc;
}

/* The rebind: what it binds (in), and the summary it fills (out). */
struct rebind {
	struct req	*r;			/* for the audit row's actor */
	const char	*name, *up, *idhash;
	long long	 target, previous;	/* previous holder's row, 0 none */
	int		 released;		/* the target held another number, now unbound */
	uint64_t	 revoked;
};

/* The rebind's transaction (run by db_tx, which retries it after a deadlock): fills the
 * summary; 0 or a DB_* code. */
static int
rebind_tx(struct ctx *c, void *arg)
{
	struct rebind *rb = arg;
	const char *name = rb->name, *up = rb->up, *idhash = rb->idhash;
	unsigned char sn[PII_SEALED_MAX], si[PII_SEALED_MAX];
	struct holder_row h;
	char nh[PII_HASH_HEX], now[32], old[PII_HASH_HEX] = "", target[40], detail[200];
	uint64_t n = 0, k = 0;
	int nn, ni, rc, found;

	if ((nn = pii_seal(name, sn, sizeof sn)) < 0 || (ni = pii_seal(up, si, sizeof si)) < 0) {
		log_err("cannot seal a name or ID number");
		return DB_FAIL;
	}
	pii_hash("name", name, nh);
	identity_now(now, sizeof now);
	memset(&h, 0, sizeof h);
	found = db_row_into(c, "SELECT id, COALESCE(merged_into, id) FROM citizens"
	    " WHERE idnum_hash = ? FOR UPDATE", DBARGS(DBS(idhash)), DB_COLS(holder_cols), &h);
	if (found < 0)
		return found;
	rc = db_scalar(c, "SELECT COALESCE(idnum_hash, '') FROM citizens WHERE id = ?"
	    " FOR UPDATE", DBARGS(DBI(rb->target)), old, sizeof old);
	if (rc < 0)
		return rc;
	rb->previous = found && h.owner != rb->target ? h.owner : 0;
	rb->released = old[0] != '\0' && strcmp(old, idhash) != 0;
	rc = 0;
	if (found && h.row != rb->target)
		rc = db_exec(c, "UPDATE citizens SET name_enc = NULL, name_hash = NULL,"
		    " idnum_enc = NULL, idnum_hash = NULL, idnum_bound_at = NULL,"
		    " idnum_bound_how = NULL WHERE id = ?", DBARGS(DBI(h.row)), NULL, NULL);
	if (rc == 0)
		rc = db_exec(c, "UPDATE citizens SET name_enc = ?, name_hash = ?, idnum_enc = ?,"
		    " idnum_hash = ?, idnum_bound_at = ?, idnum_bound_how = 'clerk' WHERE id = ?",
		    DBARGS(DBSN((const char *)sn, (size_t)nn), DBS(nh),
		    DBSN((const char *)si, (size_t)ni), DBS(idhash), DBS(now), DBI(rb->target)),
		    NULL, NULL);
	/*
	 * Relations confirmed by SMS went to the phone of whoever held the number then: when
	 * that was another account (or the number the target held by mistake), they were never
	 * the real holder's word.  Relations a clerk registered stand.  The target cannot be a
	 * proxy of its own number.
	 */
	if (rc == 0)
		rc = counted(db_exec(c, END_RELATIONS "proxy_citizen = ? AND idnum_hash = ?",
		    DBARGS(DBS(now), DBI(rb->target), DBS(idhash)), &k, NULL), &k, &n);
	if (rc == 0 && rb->previous)
		rc = counted(db_exec(c, END_RELATIONS "how = 'sms' AND idnum_hash = ?",
		    DBARGS(DBS(now), DBS(idhash)), &k, NULL), &k, &n);
	if (rc == 0 && rb->released)
		rc = counted(db_exec(c, END_RELATIONS "how = 'sms' AND idnum_hash = ?",
		    DBARGS(DBS(now), DBS(old)), &k, NULL), &k, &n);
	rb->revoked = n;
	if (rc == 0) {
		fmt(target, sizeof target, "citizen:%lld", rb->target);
		if (rb->previous)
			fmt(detail, sizeof detail, "from citizen:%lld", rb->previous);
		else
			str_copy(detail, sizeof detail, "from no other account");
		fmt(detail + strlen(detail), sizeof detail - strlen(detail),
		    "; own number released: %s; relations ended: %llu",
		    rb->released ? "yes" : "no", (unsigned long long)n);
		audit(rb->r, "identity.rebind", target, "ok", detail);
	}
	return rc;
}

static realname_rebind_fn rebind_hook;

void
realname_on_rebind(realname_rebind_fn fn)
{
	rebind_hook = fn;
}

int
h_identity_rebind(struct req *r)
{
	const char *phone = NULL, *name = NULL, *idn = NULL;
	char up[20], idhash[PII_HASH_HEX], mp[16], mn[64], mi[32];
	struct rebind rb;
	int rc, cancelled = 0;

	identity_phone_in(r, "phone", "请输入本人登录一窗所用的 11 位手机号", &phone);
	person_in(r, &name, &idn);
	if (in_has_errors(r))
		return req_invalid(r);
	memset(&rb, 0, sizeof rb);
	if ((rc = account_of(r, phone, &rb.target)) != 0)
		return db_fail(r, rc);
	person_hash(idn, name, up, idhash, NULL);
	rb.r = r;
	rb.name = name;
	rb.up = up;
	rb.idhash = idhash;
	if ((rc = db_tx(r->ctx, rebind_tx, &rb)) != 0) {
		sodium_memzero(up, sizeof up);
		return db_fail(r, rc);
	}
	/* The number's bookings that another account made as its own were never the holder's:
	 * they are cancelled (their places free again), so they cannot count against the holder
	 * or end as no-shows.  Repeating the rebind finishes what an outage left. */
	if (rebind_hook != NULL && rebind_hook(r, idhash, rb.target, &cancelled) != 0) {
		sodium_memzero(up, sizeof up);
		req_header(r, "Retry-After", "5");
		return req_err_msg(r, E_UNAVAILABLE,
		    "已改绑，但原账号的预约未能全部取消，请稍后再提交一次");
	}
	mask_phone(phone, mp, sizeof mp);
	mask_name(name, mn, sizeof mn);
	mask_id(up, mi, sizeof mi);
	sodium_memzero(up, sizeof up);
	return req_ok(r, 200, json_pack("{s:{s:s,s:s,s:s,s:s,s:b,s:I,s:i}}", "binding",
	    "phone", mp, "name", mn, "id_number", mi,
	    "previous", rb.previous ? "other_account" : "none", "own_number_released",
	    rb.released, "relations_ended", (json_int_t)rb.revoked, "appointments_cancelled",
	    cancelled));
}

int
h_identity_proxy_register(struct req *r)
{
	const char *phone = NULL, *name = NULL, *idn = NULL;
	char up[20], idhash[PII_HASH_HEX], nh[PII_HASH_HEX], target[40], one[24];
	struct rn_state s;
	long long proxy = 0, n = 0;
	uint64_t id = 0;
	int rc;

	identity_phone_in(r, "proxy_phone", "请输入代办人登录一窗所用的 11 位手机号", &phone);
	person_in(r, &name, &idn);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = account_of(r, phone, &proxy)) != 0)
		return db_fail(r, rc);
	person_hash(idn, name, up, idhash, nh);
	if ((rc = state_read(r->ctx, proxy, idhash, &s)) < 0)
		goto dbfail;
	if (s.owner == proxy) {
		sodium_memzero(up, sizeof up);
		return is_principal(r);
	}
	if (s.owner && s.owner_name[0] && strcmp(s.owner_name, nh) != 0) {
		sodium_memzero(up, sizeof up);
		req_fail_field(r, "name", "与该证件登记的姓名不一致；如登记有误，请先改绑");
		return req_invalid(r);
	}
	if (s.proxy > 0) {
		/* Registered already (by SMS or at a window): that relation, nothing more. */
		char hs[48] = "";

		if ((rc = db_scalar(r->ctx, "SELECT CONCAT(how, ' ', " RFC3339("created_at") ")"
		    " FROM citizen_proxies WHERE id = ?", DBARGS(DBI(s.proxy)), hs, sizeof hs)) < 0)
			goto dbfail;
		hs[strcspn(hs, " ")] = '\0';
		rc = req_ok(r, 200, json_pack("{s:o}", "proxy", relation_json(s.proxy, name, up, hs,
		    hs[0] ? hs + strlen(hs) + 1 : "", phone)));
		sodium_memzero(up, sizeof up);
		return rc;
	}
	if ((rc = db_begin(r->ctx)) != 0)
		goto dbfail;
	rc = principal_count(r->ctx, proxy, 1, &n);
	if (rc == 0 && n >= rn_proxy_max()) {
		db_rollback(r->ctx);
		sodium_memzero(up, sizeof up);
		return limit_reached(r);
	}
	if (rc == 0)
		rc = relation_insert(r, name, up, idhash, nh, proxy, "clerk", r->sess.hall, &id);
	if (rc == 0) {
		fmt(target, sizeof target, "proxy:%llu", (unsigned long long)id);
		fmt(one, sizeof one, "citizen:%lld", proxy);
		audit(r, "identity.proxy_register", target, "ok", one);
		rc = db_commit(r->ctx);
	} else
		db_rollback(r->ctx);
	if (rc == DB_DUP) {	/* registered at the same moment elsewhere */
		sodium_memzero(up, sizeof up);
		return already(r);
	}
	if (rc != 0)
		goto dbfail;
	rc = req_ok(r, 201, json_pack("{s:o}", "proxy",
	    relation_json((long long)id, name, up, "clerk", NULL, phone)));
	sodium_memzero(up, sizeof up);
	return rc;
dbfail:
	sodium_memzero(up, sizeof up);
	return db_fail(r, rc);
}
