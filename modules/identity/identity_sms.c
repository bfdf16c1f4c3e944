/*
 * identity_sms.c — citizens sign in with a code sent by SMS.
 *
 * Routes: POST /auth/sms-code, POST /auth/sms-login
 * Tables: outbox (the SMS, template login_code), citizens, audit_log, halls (read),
 *         hall_alerts (budget alerts, through notify_budget.c)
 * Redis:  auth:{p:<phone hash>}:code  hash {h: keyed hash of the code, tries} — 10 minutes
 *         (the phone appears only as its keyed hash), and the per-phone send limits of
 *         notify_code_allowed() (modules/notify/notify.c: {sms:<phone hash>}:codes).
 *
 * A code is 6 digits from the CSPRNG (randombytes_uniform), stored only as a keyed hash,
 * lives 10 minutes, is used once, and dies after 5 wrong tries; only the latest code of a
 * phone is valid.  Sending is limited per phone to 1 a minute, 5 an hour and 10 a day
 * (notify_code_allowed; 429 RATE_LIMITED with Retry-After), and per hall day against the
 * budgets of the client address, the hall and the instance (notify_code_budget_take; 429
 * RATE_LIMITED with "limit" and Retry-After until midnight), so SMS cannot be pumped across
 * many numbers.  The code counts against the hall the request names (optional "hall"),
 * else the default one (notify_code_default_hall).  The SMS itself is an outbox row,
 * committed in the same transaction in which the code is stored: a code exists only if its
 * SMS is queued, and a failed request queues nothing (and gives its budget back).
 */
#include "handlers.h"
#include "../hall/halldir.h"
#include "../shared/audit.h"
#include "identity.h"
#include "../notify/notify.h"
#include "../notify/outbox.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/log.h"
#include "../../fcgi/session.h"
#include "../../fcgi/errors.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define CODE_TTL_SECONDS 600
#define CODE_MAX_TRIES   5

/* Store a new code, replacing any earlier one.  KEYS: code.  ARGV: code hash, ttl. */
static struct kv_script store_script = { "sms_code_store",
	"redis.call('DEL', KEYS[1])\n"
	"redis.call('HSET', KEYS[1], 'h', ARGV[1], 'tries', '0')\n"
	"redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))\n"
	"return 1\n", "" };

/*
 * Check a code.  KEYS: code.  ARGV: candidate hash, max tries.
 * 1 right (the code is used up), 0 wrong or none, -1 wrong and now dead.
 */
static struct kv_script check_script = { "sms_code_check",
	"local h = redis.call('HGET', KEYS[1], 'h')\n"
	"if not h then return 0 end\n"
	"if h == ARGV[1] then\n"
	"  redis.call('DEL', KEYS[1])\n"
	"  return 1\n"
	"end\n"
	"local t = redis.call('HINCRBY', KEYS[1], 'tries', 1)\n"
	"if t >= tonumber(ARGV[2]) then\n"
	"  redis.call('DEL', KEYS[1])\n"
	"  return -1\n"
	"end\n"
	"return 0\n", "" };

void
identity_sms_key(const char *phone, const char *which, char *out, size_t osz)
{
	char h[PII_HASH_HEX];

	pii_hash("phone", phone, h);
	if (fmt(out, osz, "auth:{p:%s}:%s", h, which) < 0 && osz > 0)
		out[0] = '\0';
}

/* The keyed hash of a code, bound to its phone. */
static void
code_hash(const char *phone, const char *code, char out[PII_HASH_HEX])
{
	char both[40];

	fmt(both, sizeof both, "%s:%s", phone, code);
	pii_hash("sms-code", both, out);
	sodium_memzero(both, sizeof both);
}

void
identity_phone_in(struct req *r, const char *name, const char *msg, const char **phone)
{
	if (in_str(r, r->body, name, 1, 11, 11, phone) == 0 && *phone && !phone_ok(*phone))
		req_fail_field(r, name, msg);
}

void
identity_code_in(struct req *r, const char *what, const char **code)
{
	char msg[64];
	size_t i;

	if (in_str(r, r->body, "code", 1, 6, 6, code) != 0 || *code == NULL)
		return;
	for (i = 0; i < 6; i++)
		if ((*code)[i] < '0' || (*code)[i] > '9') {
			fmt(msg, sizeof msg, "%s为 6 位数字", what);
			req_fail_field(r, "code", msg);
			return;
		}
}

static void
phone_in(struct req *r, const char **phone)
{
	identity_phone_in(r, "phone", "请输入正确的 11 位手机号", phone);
}

int
identity_code_store(struct ctx *c, const char *key, const char *hash, int ttl)
{
	const char *args[3];
	char t[16];

	fmt(t, sizeof t, "%d", ttl);
	args[0] = key;
	args[1] = hash;
	args[2] = t;
	return kv_eval_int(c, &store_script, 1, 3, args, NULL);
}

int
identity_code_check(struct ctx *c, const char *key, const char *hash, int max_tries)
{
	const char *args[3];
	char tries[8];
	long long verdict;

	fmt(tries, sizeof tries, "%d", max_tries);
	args[0] = key;
	args[1] = hash;
	args[2] = tries;
	if (kv_eval_int(c, &check_script, 1, 3, args, &verdict) != 0)
		return -2;
	return verdict == 1 ? 1 : verdict < 0 ? -1 : 0;
}

int
identity_code_rate_limited(struct req *r, int seconds)
{
	char ra[24], msg[128];

	fmt(ra, sizeof ra, "%d", seconds);
	req_header(r, "Retry-After", ra);
	if (seconds <= 60)
		fmt(msg, sizeof msg, "验证码已发送，请 %d 秒后再试", seconds);
	else if (seconds <= 3600)
		fmt(msg, sizeof msg, "获取验证码过于频繁，请 %d 分钟后再试", (seconds + 59) / 60);
	else
		fmt(msg, sizeof msg, "获取验证码次数已达上限，请 %d 小时后再试",
		    (seconds + 3599) / 3600);
	return req_err_msg(r, E_RATE_LIMITED, msg);
}

/* A daily budget said no: until the hall's midnight. */
static int
budget_refused(struct req *r, struct code_budget *b, const char *masked)
{
	static const char *const scope[] = { "", "address", "hall", "instance" };
	char ra[24];

	fmt(ra, sizeof ra, "%d", b->retry_after);
	req_header(r, "Retry-After", ra);
	audit(r, "citizen.sms_code", masked, "denied", b->refused == BUDGET_ADDRESS ?
	    "daily budget: client address" : b->refused == BUDGET_HALL ? "daily budget: hall" :
	    "daily budget: instance");
	notify_code_budget_alerts(r->ctx, b);
	req_err_msg(r, E_RATE_LIMITED, b->refused == BUDGET_ADDRESS ?
	    "此网络今天获取验证码的次数已达上限，请明天再试，或到大厅窗口办理" :
	    "今天的短信验证码已发放完毕，请明天再试，或到大厅窗口办理");
	json_decref(r->err_extra);
	r->err_extra = json_pack("{s:s}", "limit", scope[b->refused]);
	return 429;
}

/* "hall": optional, a hall of this instance (400 naming it otherwise); else the default. */
static int
hall_in(struct req *r, char *hall, size_t hsz)
{
	const char *h = NULL;
	char name[8], phone[8], hours[8];
	int rc;

	hall[0] = '\0';
	if (in_str(r, r->body, "hall", 0, 1, 32, &h) != 0 || h == NULL)
		return 0;
	rc = halldir_hall(r->ctx, h, name, sizeof name, phone, sizeof phone, hours, sizeof hours);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return req_fail_field(r, "hall", "没有这个大厅"), 0;
	str_copy(hall, hsz, h);
	return 0;
}

int
h_sms_code(struct req *r)
{
	static const char *const purposes[] = { "login", NULL };
	const char *phone;
	char code[8], hash[PII_HASH_HEX], kc[96], masked[16], hall[32];
	struct code_budget budget;
	struct outbox_msg m;
	redisReply *rep;
	json_t *params;
	int purpose = 0, rc, wait = 0;

	phone_in(r, &phone);
	in_enum(r, r->body, "purpose", 0, purposes, &purpose);
	if ((rc = hall_in(r, hall, sizeof hall)) < 0)
		return db_fail(r, rc);
	if (in_has_errors(r))
		return req_invalid(r);
	/* No hall named: the default one (an instance without halls counts none). */
	if (hall[0] == '\0' && (rc = notify_code_default_hall(r->ctx, hall, sizeof hall)) <= 0) {
		if (rc < 0)
			return db_fail(r, rc);
		hall[0] = '\0';
	}
	mask_phone(phone, masked, sizeof masked);

	/* The transaction first: with MariaDB down nothing below happens, not even counting. */
	if ((rc = db_begin(r->ctx)) != 0)
		return db_fail(r, rc);
	/* The day's budgets of this address, the hall and the instance: one script. */
	rc = notify_code_budget_take(r->ctx, hall, r->remote_addr, &budget);
	if (rc <= 0) {
		db_rollback(r->ctx);
		return rc < 0 ? req_unavailable(r) : budget_refused(r, &budget, masked);
	}
	/* 1 a minute, 5 an hour, 10 a day per phone: checked and counted in one script. */
	rc = notify_code_allowed(r->ctx, phone, &wait);
	if (rc <= 0) {
		db_rollback(r->ctx);
		notify_code_budget_give_back(r->ctx, &budget);
		return rc < 0 ? req_unavailable(r) :
		    identity_code_rate_limited(r, wait > 0 ? wait : 60);
	}

	fmt(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
	code_hash(phone, code, hash);
	identity_sms_key(phone, "code", kc, sizeof kc);
	params = json_pack("{s:s}", "code", code);
	sodium_memzero(code, sizeof code);
	m = (struct outbox_msg){ .hall = hall[0] ? hall : NULL, .channel = "sms",
	    .template = "login_code", .recipient = phone, .params = params, .ref_kind = "login",
	    .urgent = 1 };
	rc = outbox_add(r->ctx, &m, NULL);
	json_decref(params);
	if (rc != 0) {
		/* outbox_add's -1 (cannot seal) is also DB_DOWN: a valid phone always seals, so
		 * take it as the database being gone. */
		db_rollback(r->ctx);
		notify_code_budget_give_back(r->ctx, &budget);
		return db_fail(r, rc);
	}
	if (identity_code_store(r->ctx, kc, hash, CODE_TTL_SECONDS) != 0) {
		db_rollback(r->ctx);
		notify_code_budget_give_back(r->ctx, &budget);
		return req_unavailable(r);
	}
	if ((rc = db_commit(r->ctx)) != 0) {
		/* Not queued: the stored code must not be usable either. */
		if ((rep = kv_cmd(r->ctx, "DEL %s", kc)) != NULL)
			freeReplyObject(rep);
		notify_code_budget_give_back(r->ctx, &budget);
		return db_fail(r, rc);
	}
	notify_code_budget_alerts(r->ctx, &budget);
	audit(r, "citizen.sms_code", masked, "ok", purposes[purpose]);
	return req_ok(r, 202, json_pack("{s:b,s:i,s:i}", "sent", 1, "expires_in",
	    CODE_TTL_SECONDS, "resend_after", 60));
}

int
h_sms_login(struct req *r)
{
	const char *phone, *code;
	char hash[PII_HASH_HEX], kc[96], masked[16], token[SESSION_TOKEN_MAX + 1];
	char exp[32], how[32];
	long long verdict, id = 0, expires;
	int rc;

	phone_in(r, &phone);
	identity_code_in(r, "验证码", &code);
	if (in_has_errors(r))
		return req_invalid(r);
	mask_phone(phone, masked, sizeof masked);

	code_hash(phone, code, hash);
	identity_sms_key(phone, "code", kc, sizeof kc);
	verdict = identity_code_check(r->ctx, kc, hash, CODE_MAX_TRIES);
	if (verdict == -2)
		return req_unavailable(r);
	if (verdict != 1) {
		audit(r, "citizen.login", masked, "denied", verdict < 0 ?
		    "code dead after 5 wrong tries" : "wrong, expired or used code");
		return req_err_msg(r, E_LOGIN_CODE_INVALID, verdict < 0 ?
		    "验证码错误次数过多，请重新获取" : "验证码错误或已失效");
	}

	rc = citizen_by_phone(r->ctx, phone, 1, &id);
	if (rc < 0)
		return db_fail(r, rc);
	fmt(how, sizeof how, "sms %s", masked);
	if (citizen_session_start(r, id, how, token, sizeof token, &expires) != 0)
		return req_unavailable(r);
	time_format(expires, exp, sizeof exp);
	return req_ok(r, 200, json_pack("{s:s,s:s,s:s}", "token", token, "role", "citizen",
	    "expires_at", exp));
}
