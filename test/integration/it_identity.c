/*
 * it_identity.c — identity and access against the live stack: citizens signing in by SMS
 * code and from the WeChat mini-program (against test/fake/wechat.mjs, started here), the
 * same citizen either way once the phone is bound, tokens that are tampered with or expire,
 * staff sessions and accounts, the audit trail (refusals included, and the app's database
 * user unable to change it), personal data sealed at rest, and nginx's sign-in throttle.
 *
 * Needs the worker to deliver SMS into var/<instance>/sms.log (the local provider).  The
 * WeChat tests restart the app with YICHUANG_WECHAT_BASE_URL pointing at the fake and put
 * the previous configuration back at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/session.h"
#include "../../modules/identity/identity.h"
#include "../../modules/shared/pii.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../lib/proc.h"
#include "../lib/stackproc.h"
#include "../lib/steps.h"

static char phone_a[12], phone_b[12], phone_c[12];
static char wx_user[16];

/* ------------------------------------------------------------------ helpers */

static void
post(struct resp *r, const char *path, const char *token, const char *fmtstr, ...)
    __attribute__((format(printf, 4, 5)));

static void
post(struct resp *r, const char *path, const char *token, const char *fmtstr, ...)
{
	char body[1024];
	va_list ap;

	va_start(ap, fmtstr);
	vsnprintf(body, sizeof body, fmtstr, ap);
	va_end(ap);
	assert_int_equal(http_json(r, "POST", path, token, body), 0);
}

/* POST /auth/sms-login with phone and code. */
static void
sms_login(struct resp *r, const char *phone, const char *code)
{
	post(r, "/api/v1/auth/sms-login", NULL, "{\"phone\":\"%s\",\"code\":\"%s\"}", phone,
	    code);
}

/* sms_login that must be refused with status and the error code; the reply is freed. */
static void
sms_login_refused(const char *phone, const char *code, long status, const char *err)
{
	struct resp r;

	sms_login(&r, phone, code);
	assert_error(&r, status, err);
	resp_free(&r);
}

static void
random_phone(char out[12], const char *prefix)
{
	snprintf(out, 12, "%s%08u", prefix, (unsigned)randombytes_uniform(100000000));
}

/* The citizen behind a token, as the session in Redis records it. */
static long long
subject_of(const char *token)
{
	char h[65];
	redisReply *rep;
	long long id = 0;

	session_hash(token, h);
	rep = kv_cmd(&test_db, "HGET sess:%s subject", h);
	assert_non_null(rep);
	if (rep->type == REDIS_REPLY_STRING)
		parse_ll(rep->str, 0, INT64_MAX, &id);
	freeReplyObject(rep);
	return id;
}

static long long
redis_ttl(const char *key)
{
	redisReply *rep = kv_cmd(&test_db, "TTL %s", key);
	long long t;

	assert_non_null(rep);
	t = rep->type == REDIS_REPLY_INTEGER ? rep->integer : -3;
	freeReplyObject(rep);
	return t;
}

static void
redis_do(const char *cmd, const char *key, const char *arg)
{
	redisReply *rep = arg ? kv_cmd(&test_db, "%s %s %s", cmd, key, arg) :
	    kv_cmd(&test_db, "%s %s", cmd, key);

	assert_non_null(rep);
	assert_true(rep->type != REDIS_REPLY_ERROR);
	freeReplyObject(rep);
}

static long long
last_audit_id(void)
{
	return db_count(&test_db, "SELECT COALESCE(MAX(id), 0) FROM audit_log", NULL);
}

/* Request a login code for phone (limits cleared first) and read it from the SMS log. */
static void
get_code(const char *phone, char code[8])
{
	struct resp r;
	long since;

	assert_int_equal(sms_limits_reset(phone), 0);
	since = sms_log_size();
	post(&r, "/api/v1/auth/sms-code", NULL, "{\"phone\":\"%s\",\"purpose\":\"login\"}", phone);
	assert_int_equal(r.status, 202);
	resp_free(&r);
	assert_int_equal(sms_code_wait(phone, since, code, 8), 0);
	assert_int_equal(strlen(code), 6);
}

static void
sms_sign_in(const char *phone, char *token, size_t tsz)
{
	struct resp r;
	char code[8];

	get_code(phone, code);
	sms_login(&r, phone, code);
	assert_int_equal(r.status, 200);
	assert_true(strlen(jstr(r.json, "token")) < tsz);
	snprintf(token, tsz, "%s", jstr(r.json, "token"));
	resp_free(&r);
}

/* A wrong code that is certainly not the right one. */
static void
wrong_code(const char *code, char out[8])
{
	snprintf(out, 8, "%06u", (unsigned)((strtoul(code, NULL, 10) + 1) % 1000000));
}

/* The mariadb client as the APP's database user (credentials from yichuang.conf). */
static int
app_sql(const char *sql, char *out, size_t osz)
{
	char cnf[256], cmd[1024];
	FILE *f;
	int rc;

	snprintf(cnf, sizeof cnf, "var/%s/it_identity.cnf", test_instance());
	umask(077);
	if ((f = fopen(cnf, "w")) == NULL)
		return -1;
	fprintf(f, "[client]\nuser=%s\npassword=%s\nhost=%s\nport=%s\n",
	    config_get("mysql_user", ""), config_get("mysql_password", ""),
	    config_get("mysql_host", "127.0.0.1"), config_get("mysql_port", "3306"));
	fclose(f);
	snprintf(cmd, sizeof cmd, "mariadb --defaults-file=%s --default-character-set=utf8mb4"
	    " --batch %s", cnf, config_get("mysql_db", "yichuang"));
	rc = proc_pipe(cmd, sql, out, osz);
	unlink(cnf);
	return rc;
}

/* ------------------------------------------------------------------ the fake WeChat */

static struct fake wx = { .in = -1, .out = -1 };
static int app_on_fake;
static char saved_wx_url[512];
static int had_wx_url;

/* Restart app and worker with the fake as WeChat (or, at the end, as they were). */
static int
app_with_fake(int on)
{
	char url[128];
	const char *v;

	if (on) {
		if ((v = getenv("YICHUANG_WECHAT_BASE_URL")) != NULL) {
			had_wx_url = 1;
			snprintf(saved_wx_url, sizeof saved_wx_url, "%s", v);
		}
		snprintf(url, sizeof url, "http://127.0.0.1:%d", wx.port);
		setenv("YICHUANG_WECHAT_BASE_URL", url, 1);
	} else if (had_wx_url)
		setenv("YICHUANG_WECHAT_BASE_URL", saved_wx_url, 1);
	else
		unsetenv("YICHUANG_WECHAT_BASE_URL");
	app_on_fake = on;
	return app_restart_with(on ? "wechat_appid = wx-fake-appid\nwechat_secret = fake-secret" :
	    NULL);
}

FIXTURE(setup)
{
	if (suite_setup(st) != 0)
		return -1;
	random_phone(phone_a, "138");
	random_phone(phone_b, "139");
	random_phone(phone_c, "137");
	snprintf(wx_user, sizeof wx_user, "u%08x", (unsigned)randombytes_random());
	return 0;
}

FIXTURE(teardown)
{
	fake_close(&wx);
	if (app_on_fake)
		app_with_fake(0);
	return suite_teardown(st);
}

/* ------------------------------------------------------------------ SMS codes */

TEST(sms_inputs)
{
	struct resp r;

	post(&r, "/api/v1/auth/sms-code", NULL, "{\"phone\":\"12800138000\",\"purpose\":\"spam\"}");
	assert_fields(&r, "phone purpose");
	resp_free(&r);
	post(&r, "/api/v1/auth/sms-code", NULL, "{}");
	assert_fields(&r, "phone");
	resp_free(&r);
	post(&r, "/api/v1/auth/sms-login", NULL, "{\"phone\":\"1380013800\",\"code\":\"12a456\"}");
	assert_fields(&r, "phone code");
	resp_free(&r);
	post(&r, "/api/v1/auth/sms-login", NULL, "{\"phone\":\"%s\",\"code\":1234567}", phone_a);
	assert_fields(&r, "code");
	assert_null(jget(r.json, "error.fields.phone"));
	resp_free(&r);
}

TEST(sms_sign_in_flow)
{
	struct resp r;
	char code[8], bad[8], token[128], token2[128], masked[16], ra[16], exp_s[40];
	long long before, id, idle = citizen_session_idle();
	int64_t exp;
	long since;

	assert_int_equal(sms_limits_reset(phone_a), 0);
	before = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'login_code'", NULL);
	since = sms_log_size();
	post(&r, "/api/v1/auth/sms-code", NULL, "{\"phone\":\"%s\",\"purpose\":\"login\"}",
	    phone_a);
	assert_int_equal(r.status, 202);
	resp_free(&r);
	/* The SMS is an outbox row, delivered by the worker. */
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'login_code'",
	    NULL), before + 1);

	/* Again within the minute: 429 with Retry-After, and nothing queued. */
	post(&r, "/api/v1/auth/sms-code", NULL, "{\"phone\":\"%s\"}", phone_a);
	assert_error(&r, 429, "RATE_LIMITED");
	assert_non_null(resp_header(&r, "Retry-After", ra, sizeof ra));
	assert_true(atoi(ra) >= 1 && atoi(ra) <= 60);
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'login_code'",
	    NULL), before + 1);

	assert_int_equal(sms_code_wait(phone_a, since, code, sizeof code), 0);
	wrong_code(code, bad);
	sms_login_refused(phone_a, bad, 401, "CODE_INVALID");
	/* The code of one phone is no good for another. */
	sms_login_refused(phone_b, code, 401, "CODE_INVALID");

	sms_login(&r, phone_a, code);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "role"), "citizen");
	assert_true(strlen(jstr(r.json, "token")) >= 43);
	snprintf(token, sizeof token, "%s", jstr(r.json, "token"));
	snprintf(exp_s, sizeof exp_s, "%s", jstr(r.json, "expires_at"));
	assert_int_equal(time_parse(exp_s, &exp), 0);
	assert_true(exp - hall_now() > idle - 60 && exp - hall_now() <= idle + 5);
	assert_null(strstr(r.body, phone_a));
	resp_free(&r);

	/* Used once: the same code again is refused. */
	sms_login_refused(phone_a, code, 401, "CODE_INVALID");

	/* GET /me: the phone, masked. */
	assert_int_equal(http_json(&r, "GET", "/api/v1/me", token, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "role"), "citizen");
	mask_phone(phone_a, masked, sizeof masked);
	assert_string_equal(jstr(r.json, "phone"), masked);
	assert_true(json_is_true(jget(r.json, "phone_bound")));
	assert_null(strstr(r.body, phone_a));
	resp_free(&r);

	/* Signing in again is the same citizen, with a new token. */
	id = subject_of(token);
	assert_true(id > 0);
	sms_sign_in(phone_a, token2, sizeof token2);
	assert_string_not_equal(token, token2);
	assert_int_equal(subject_of(token2), id);

	/* Logout kills that token only. */
	expect_reply("POST", "/api/v1/auth/logout", token, NULL, 204);
	expect_refusal("GET", "/api/v1/me", token, NULL, 401, "UNAUTHENTICATED");
	expect_reply("GET", "/api/v1/me", token2, NULL, 200);

	/* citizen_login (test/lib) gives the same citizen, and reuses its token. */
	assert_int_equal(citizen_login(phone_a, token, sizeof token), 0);
	assert_int_equal(subject_of(token), id);
	assert_int_equal(citizen_login(phone_a, token2, sizeof token2), 0);
	assert_string_equal(token, token2);
}

TEST(sms_code_dies)
{
	struct resp r;
	char code[8], bad[8], key[128];
	int i;

	/* Five wrong tries kill the code: the right one is refused afterwards. */
	get_code(phone_b, code);
	wrong_code(code, bad);
	for (i = 0; i < 5; i++) {
		sms_login_refused(phone_b, bad, 401, "CODE_INVALID");
	}
	sms_login_refused(phone_b, code, 401, "CODE_INVALID");

	/* Stored hashed, for 10 minutes: Redis holds neither the code nor the phone. */
	get_code(phone_b, code);
	identity_sms_key(phone_b, "code", key, sizeof key);
	assert_null(strstr(key, phone_b));
	{
		long long ttl = redis_ttl(key);
		redisReply *rep = kv_cmd(&test_db, "HGET %s h", key);

		assert_true(ttl > 590 && ttl <= 600);
		assert_non_null(rep);
		assert_int_equal(rep->type, REDIS_REPLY_STRING);
		assert_int_equal(rep->len, 64);
		assert_null(strstr(rep->str, code));
		freeReplyObject(rep);
	}
	/* A new code replaces the old one... */
	{
		char code2[8];

		get_code(phone_b, code2);
		if (strcmp(code, code2) != 0) {
			post(&r, "/api/v1/auth/sms-login", NULL,
			    "{\"phone\":\"%s\",\"code\":\"%s\"}", phone_b, code);
			assert_error(&r, 401, "CODE_INVALID");
			resp_free(&r);
		}
		snprintf(code, sizeof code, "%s", code2);
	}
	/* ...and once its 10 minutes are over it is dead (expiry made to happen now). */
	redis_do("PEXPIRE", key, "1");
	usleep(50 * 1000);
	sms_login_refused(phone_b, code, 401, "CODE_INVALID");
}

/* Pretend n codes went to phone, the newest `newest_ago` ms ago, spaced `step` ms apart
 * (notify's record of codes sent: a zset scored by hall time in ms). */
static void
codes_sent(const char *phone, int n, long long newest_ago, long long step)
{
	char h[PII_HASH_HEX], key[64];
	long long now = hall_now_ms();
	redisReply *rep;
	int i;

	pii_hash("phone", phone, h);
	snprintf(key, sizeof key, "{sms:%.32s}:codes", h);
	for (i = 0; i < n; i++) {
		rep = kv_cmd(&test_db, "ZADD %s %lld it-%d", key, now - newest_ago - i * step, i);
		assert_non_null(rep);
		freeReplyObject(rep);
	}
	redis_do("PEXPIRE", key, "86400000");
}

TEST(sms_send_limits)
{
	struct resp r;
	char ra[16];
	long long before;

	before = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'login_code'", NULL);
	/* 5 an hour: five in the last half hour, the sixth waits until the hour is over. */
	assert_int_equal(sms_limits_reset(phone_c), 0);
	codes_sent(phone_c, 5, 120000, 300000);
	post(&r, "/api/v1/auth/sms-code", NULL, "{\"phone\":\"%s\"}", phone_c);
	assert_error(&r, 429, "RATE_LIMITED");
	assert_non_null(resp_header(&r, "Retry-After", ra, sizeof ra));
	assert_true(atoi(ra) > 60 && atoi(ra) <= 3600);
	resp_free(&r);
	/* 10 a day. */
	assert_int_equal(sms_limits_reset(phone_c), 0);
	codes_sent(phone_c, 10, 2 * 3600000LL, 3600000LL);
	post(&r, "/api/v1/auth/sms-code", NULL, "{\"phone\":\"%s\"}", phone_c);
	assert_error(&r, 429, "RATE_LIMITED");
	assert_non_null(resp_header(&r, "Retry-After", ra, sizeof ra));
	assert_true(atoi(ra) > 3600);
	resp_free(&r);
	/* A refused request queues no SMS. */
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'login_code'",
	    NULL), before);
	assert_int_equal(sms_limits_reset(phone_c), 0);
}

/* ------------------------------------------------------------------ tokens */

TEST(tokens_tampered_and_expired)
{
	struct resp r;
	char token[128], bad[128], h[65], key[80];
	long long idle = citizen_session_idle(), ttl;
	size_t n;

	sms_sign_in(phone_c, token, sizeof token);
	/* One character changed: 401. */
	snprintf(bad, sizeof bad, "%s", token);
	n = strlen(bad);
	bad[n / 2] = bad[n / 2] == 'A' ? 'B' : 'A';
	expect_refusal("GET", "/api/v1/me", bad, NULL, 401, "UNAUTHENTICATED");
	/* Cut short, too long, not a bearer token at all. */
	bad[n - 1] = '\0';
	expect_refusal("GET", "/api/v1/me", bad, NULL, 401, "UNAUTHENTICATED");
	{
		const char *hdr[] = { "Authorization: Basic Zm9vOmJhcg==", NULL };

		assert_int_equal(http(&r, "GET", "/api/v1/me", NULL, hdr), 0);
		assert_error(&r, 401, "UNAUTHENTICATED");
		resp_free(&r);
	}

	/* The session has the configured idle expiry in Redis, renewed by each use. */
	session_hash(token, h);
	snprintf(key, sizeof key, "sess:%s", h);
	ttl = redis_ttl(key);
	assert_true(ttl > idle - 10 && ttl <= idle);
	if (idle >= 600) {
		/* A use renews the expiry once the last renewal is a minute old (not each time). */
		char seen[32];

		redis_do("EXPIRE", key, "500");
		expect_reply("GET", "/api/v1/me", token, NULL, 200);
		assert_true(redis_ttl(key) <= 500);	/* renewed a moment ago: left alone */
		snprintf(seen, sizeof seen, "%lld", (long long)time(NULL) - 61);
		{
			redisReply *rep = kv_cmd(&test_db, "HSET %s seen %s", key, seen);

			assert_non_null(rep);
			freeReplyObject(rep);
		}
		expect_reply("GET", "/api/v1/me", token, NULL, 200);
		ttl = redis_ttl(key);
		assert_true(ttl > idle - 10 && ttl <= idle);
	}
	if (idle <= 5) {
		/* This stack runs with a short citizen_session_idle: really wait it out. */
		expect_reply("GET", "/api/v1/me", token, NULL, 200);
		usleep((useconds_t)(idle * 1000000 + 1500000));
	} else {
		/* Idle time is real time: let Redis expire it now instead of waiting days. */
		redis_do("PEXPIRE", key, "1");
		usleep(50 * 1000);
	}
	expect_refusal("GET", "/api/v1/me", token, NULL, 401, "UNAUTHENTICATED");
}

/* ------------------------------------------------------------------ WeChat */

static void
wx_login(struct resp *r, const char *code)
{
	post(r, "/api/v1/auth/wx-login", NULL, "{\"code\":\"%s\"}", code);
}

/* wx-login with code, which must sign in (200): the session's token into tok, and the
 * citizen it is for. */
static long long
wx_signed_in(const char *code, char *tok, size_t tsz)
{
	struct resp r;

	wx_login(&r, code);
	expect_status(&r, 200);
	snprintf(tok, tsz, "%s", jstr(r.json, "token"));
	resp_free(&r);
	return subject_of(tok);
}

/* wx-login with code signs straight in as citizen id, whose phone is bound. */
static void
wx_bound_as(const char *code, long long id)
{
	struct resp r;

	wx_login(&r, code);
	expect_status(&r, 200);
	assert_true(json_is_true(jget(r.json, "phone_bound")));
	assert_int_equal(subject_of(jstr(r.json, "token")), id);
	resp_free(&r);
}

/* wx-login with code, which WeChat's answer makes the API's error status and err. */
static void
wx_refused(const char *code, long status, const char *err)
{
	struct resp r;

	wx_login(&r, code);
	assert_error(&r, status, err);
	resp_free(&r);
}

TEST(wechat_sign_in)
{
	struct resp r;
	char code[64], tok[128], tok2[128], sms_tok[128], staff[128], masked[16], ra[16];
	json_t *stats;
	long long id, n0;

	assert_int_equal(fake_open_as(&wx, "test/fake/wechat.mjs", 0), 0);
	assert_int_equal(app_with_fake(1), 0);

	/* First sign-in: a new citizen, no phone yet. */
	snprintf(code, sizeof code, "%s-1", wx_user);
	wx_login(&r, code);
	if (r.status != 200)
		fprintf(stderr, "wx-login: %ld %s\n", r.status, r.body ? r.body : "");
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "role"), "citizen");
	assert_true(json_is_false(jget(r.json, "phone_bound")));
	assert_non_null(jstr(r.json, "expires_at"));
	snprintf(tok, sizeof tok, "%s", jstr(r.json, "token"));
	/* The session_key stays on the server; the openid is not handed out either. */
	stats = fake_call(&wx, "GET", "/__stats");
	assert_non_null(stats);
	assert_non_null(jstr(stats, "last_session_key"));
	assert_null(strstr(r.body, jstr(stats, "last_session_key")));
	assert_null(strstr(r.body, "oFake_"));
	assert_null(strstr(r.body, "session_key"));
	assert_int_equal(jint(stats, "bad_credentials"), 0);
	json_decref(stats);
	resp_free(&r);
	id = subject_of(tok);
	assert_true(id > 0);
	assert_int_equal(http_json(&r, "GET", "/api/v1/me", tok, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_true(json_is_false(jget(r.json, "phone_bound")));
	assert_null(jget(r.json, "phone"));
	resp_free(&r);

	/* The same WeChat user again: the same citizen. */
	snprintf(code, sizeof code, "%s-2", wx_user);
	assert_int_equal(wx_signed_in(code, tok2, sizeof tok2), id);

	/* WeChat's refusals. A used code and an invalid one (40163, 40029): 401. */
	wx_refused(code, 401, "CODE_INVALID");
	wx_refused("bad-code", 401, "CODE_INVALID");
	/* 45011 too frequent: 429 with Retry-After. */
	wx_login(&r, "busy-1");
	assert_error(&r, 429, "RATE_LIMITED");
	assert_non_null(resp_header(&r, "Retry-After", ra, sizeof ra));
	resp_free(&r);
	wx_refused("risky-1", 403, "FORBIDDEN");
	/* WeChat itself failing is our 503, never a 500. */
	wx_refused("sick-1", 503, "UNAVAILABLE");
	wx_refused("no spaces allowed", 400, "INVALID_INPUT");

	/* Binding the phone needs a WeChat session of a citizen. */
	post(&r, "/api/v1/auth/wx-phone", NULL, "{\"code\":\"p%s-1\"}", phone_b);
	assert_error(&r, 401, "UNAUTHENTICATED");
	resp_free(&r);
	assert_int_equal(staff_login("clerk4", 4, staff, sizeof staff), 0);
	post(&r, "/api/v1/auth/wx-phone", staff, "{\"code\":\"p%s-1\"}", phone_b);
	assert_error(&r, 403, "FORBIDDEN");
	resp_free(&r);
	sms_sign_in(phone_a, sms_tok, sizeof sms_tok);
	post(&r, "/api/v1/auth/wx-phone", sms_tok, "{\"code\":\"p%s-1\"}", phone_b);
	assert_error(&r, 409, "NOT_WECHAT_SESSION");
	resp_free(&r);
	post(&r, "/api/v1/auth/wx-phone", tok, "{\"code\":\"bad-1\"}");
	assert_error(&r, 422, "CODE_INVALID");
	resp_free(&r);
	post(&r, "/api/v1/auth/wx-phone", tok, "{\"code\":\"busy-1\"}");
	assert_error(&r, 429, "RATE_LIMITED");
	resp_free(&r);
	post(&r, "/api/v1/auth/wx-phone", tok, "{\"code\":\"intl-1\"}");
	assert_error(&r, 422, "PHONE_UNSUPPORTED");
	resp_free(&r);

	/* Phone B is new: it becomes this citizen's phone. */
	n0 = db_count(&test_db, "SELECT COUNT(*) FROM citizens", NULL);
	post(&r, "/api/v1/auth/wx-phone", tok, "{\"code\":\"p%s-1\"}", phone_b);
	assert_int_equal(r.status, 200);
	mask_phone(phone_b, masked, sizeof masked);
	assert_string_equal(jstr(r.json, "phone"), masked);
	assert_null(strstr(r.body, phone_b));
	resp_free(&r);
	assert_int_equal(subject_of(tok), id);
	assert_int_equal(http_json(&r, "GET", "/api/v1/me", tok, NULL), 0);
	assert_string_equal(jstr(r.json, "phone"), masked);
	assert_true(json_is_true(jget(r.json, "phone_bound")));
	resp_free(&r);
	/* Signing in by SMS with that phone: the same citizen, no new one. */
	sms_sign_in(phone_b, tok2, sizeof tok2);
	assert_int_equal(subject_of(tok2), id);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM citizens", NULL), n0);
	/* And WeChat again now says the phone is bound. */
	snprintf(code, sizeof code, "%s-3", wx_user);
	wx_bound_as(code, id);
}

TEST(wechat_joins_sms_citizen)
{
	struct resp r;
	char code[64], tok[128], sms_tok[128], user2[24];
	long long sms_id, wx_id;

	/* Phone A first signed in by SMS; later the same person opens the mini-program. */
	sms_sign_in(phone_a, sms_tok, sizeof sms_tok);
	sms_id = subject_of(sms_tok);
	snprintf(user2, sizeof user2, "%sb", wx_user);
	snprintf(code, sizeof code, "%s-1", user2);
	wx_id = wx_signed_in(code, tok, sizeof tok);
	assert_true(wx_id != sms_id);
	/* Binding phone A joins the two: the session goes on as the SMS citizen. */
	post(&r, "/api/v1/auth/wx-phone", tok, "{\"code\":\"p%s-2\"}", phone_a);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	assert_int_equal(subject_of(tok), sms_id);
	assert_int_equal(http_json(&r, "GET", "/api/v1/me", tok, NULL), 0);
	assert_true(json_is_true(jget(r.json, "phone_bound")));
	resp_free(&r);
	{
		char idtxt[24];

		snprintf(idtxt, sizeof idtxt, "%lld", wx_id);
		assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM citizens WHERE id = ? AND"
		    " merged_into IS NOT NULL", idtxt), 1);
	}
	/* From now on that WeChat user signs straight in as the SMS citizen. */
	snprintf(code, sizeof code, "%s-2", user2);
	wx_bound_as(code, sms_id);
}

TEST(wechat_access_token)
{
	struct resp r;
	char code[64], tok[128], cmd[256];
	long long ttl, rejected;
	json_t *stats;
	redisReply *rep;

	/* The access token is cached in Redis (wx:access_token), short of WeChat's 7200 s. */
	ttl = redis_ttl("wx:access_token");
	assert_true(ttl > 0 && ttl <= 6900);
	rep = kv_cmd(&test_db, "GET wx:access_token");
	assert_non_null(rep);
	assert_int_equal(rep->type, REDIS_REPLY_STRING);
	freeReplyObject(rep);
	/* WeChat drops it (refreshed elsewhere): one 40001, a fresh token, and success. */
	snprintf(cmd, sizeof cmd, "curl -s -X POST http://127.0.0.1:%d/__invalidate_tokens",
	    wx.port);
	assert_int_equal(proc_pipe(cmd, NULL, NULL, 0), 0);
	stats = fake_call(&wx, "GET", "/__stats");
	rejected = jint(stats, "token_rejected");
	json_decref(stats);
	snprintf(code, sizeof code, "%sc-1", wx_user);
	wx_signed_in(code, tok, sizeof tok);
	post(&r, "/api/v1/auth/wx-phone", tok, "{\"code\":\"p%s-3\"}", phone_c);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	stats = fake_call(&wx, "GET", "/__stats");
	assert_int_equal(jint(stats, "token_rejected"), rejected + 1);
	json_decref(stats);

	/* WeChat unreachable: 503, and the app goes on. */
	fake_close(&wx);
	snprintf(code, sizeof code, "%sd-1", wx_user);
	wx_refused(code, 503, "UNAVAILABLE");
	assert_int_equal(app_with_fake(0), 0);
}

/* ------------------------------------------------------------------ staff */

TEST(staff_sessions)
{
	const char *json[] = { "Content-Type: application/json", NULL };
	struct resp r;
	char tok[128], cookie[256], csrf[128], hdr1[300], hdr2[200];
	const char *h[4];
	char *p;

	/* A clerk signs in at a window; /me says which. */
	assert_int_equal(staff_login("clerk2", 2, tok, sizeof tok), 0);
	assert_int_equal(http_json(&r, "GET", "/api/v1/me", tok, NULL), 0);
	assert_string_equal(jstr(r.json, "role"), "clerk");
	assert_string_equal(jstr(r.json, "hall"), "demo");
	assert_int_equal(jint(r.json, "window"), 2);
	resp_free(&r);
	/* Each sign-in is a new token. */
	{
		char tok2[128];

		assert_int_equal(staff_login("clerk2", 3, tok2, sizeof tok2), 0);
		assert_string_not_equal(tok, tok2);
		assert_int_equal(http_json(&r, "GET", "/api/v1/me", tok2, NULL), 0);
		assert_int_equal(jint(r.json, "window"), 3);
		resp_free(&r);
	}

	/* The H5 way: the HttpOnly cookie, and unsafe requests need X-CSRF-Token. */
	assert_int_equal(http(&r, "POST", "/api/v1/staff/login", "{\"hall\":\"demo\","
	    "\"username\":\"manager1\",\"password\":\"yichuang-demo\"}", json), 0);
	assert_int_equal(r.status, 200);
	snprintf(csrf, sizeof csrf, "%s", jstr(r.json, "csrf"));
	assert_non_null(resp_header(&r, "Set-Cookie", cookie, sizeof cookie));
	assert_non_null(strstr(cookie, "HttpOnly"));
	assert_non_null(strstr(cookie, "SameSite=Strict"));
	if ((p = strchr(cookie, ';')) != NULL)
		*p = '\0';
	resp_free(&r);
	snprintf(hdr1, sizeof hdr1, "Cookie: %s", cookie);
	h[0] = hdr1;
	h[1] = NULL;
	assert_int_equal(http(&r, "GET", "/api/v1/me", NULL, h), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "role"), "manager");
	resp_free(&r);
	assert_int_equal(http(&r, "POST", "/api/v1/auth/logout", NULL, h), 0);
	assert_error(&r, 403, "CSRF");
	resp_free(&r);
	snprintf(hdr2, sizeof hdr2, "X-CSRF-Token: %sx", csrf);
	h[1] = hdr2;
	h[2] = NULL;
	assert_int_equal(http(&r, "POST", "/api/v1/auth/logout", NULL, h), 0);
	assert_error(&r, 403, "CSRF");
	resp_free(&r);
	snprintf(hdr2, sizeof hdr2, "X-CSRF-Token: %s", csrf);
	assert_int_equal(http(&r, "POST", "/api/v1/auth/logout", NULL, h), 0);
	assert_int_equal(r.status, 204);
	resp_free(&r);
	h[1] = NULL;
	assert_int_equal(http(&r, "GET", "/api/v1/me", NULL, h), 0);
	assert_error(&r, 401, "UNAUTHENTICATED");
	resp_free(&r);

	/* Staff idle timeout: 30 minutes in Redis. */
	{
		char hh[65], key[80];
		long long ttl;

		session_hash(tok, hh);
		snprintf(key, sizeof key, "sess:%s", hh);
		ttl = redis_ttl(key);
		assert_true(ttl > 1790 && ttl <= 1800);
	}
}

/* POST /staff/login with body, which must sign in (200): the session's token into tok. */
static void
staff_signed_in(const char *body, char *tok, size_t tsz)
{
	struct resp r;

	assert_int_equal(http_json(&r, "POST", "/api/v1/staff/login", NULL, body), 0);
	expect_status(&r, 200);
	snprintf(tok, tsz, "%s", jstr(r.json, "token"));
	resp_free(&r);
}

TEST(staff_accounts)
{
	struct resp r;
	char user[32], args[128], out[1024], tok[128], tok2[128], body[256];
	long long a0;

	a0 = last_audit_id();
	snprintf(user, sizeof user, "it%06u", (unsigned)randombytes_uniform(1000000));
	/* Passwords have at least 12 characters. */
	snprintf(args, sizeof args, "staff-create demo %s clerk 测试 5", user);
	assert_int_not_equal(proc_admin(args, "short-pw\n", out, sizeof out), 0);
	assert_int_equal(proc_admin(args, "a-long-enough-password\n", out, sizeof out), 0);
	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"username\":\"%s\","
	    "\"password\":\"a-long-enough-password\",\"window\":5}", user);
	/* The operator's password is a first one: the person must set their own. */
	assert_int_equal(http_json(&r, "POST", "/api/v1/staff/login", NULL, body), 0);
	assert_error(&r, 403, "PASSWORD_CHANGE_REQUIRED");
	resp_free(&r);
	/* --password-final keeps it (seeds, tests): the account signs in with it. */
	snprintf(user, sizeof user, "it%06u", (unsigned)randombytes_uniform(1000000));
	snprintf(args, sizeof args, "staff-create --password-final demo %s clerk 测试 5", user);
	assert_int_equal(proc_admin(args, "a-long-enough-password\n", out, sizeof out), 0);
	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"username\":\"%s\","
	    "\"password\":\"a-long-enough-password\",\"window\":5}", user);
	staff_signed_in(body, tok, sizeof tok);

	/* A password reset ends the account's sessions. */
	snprintf(args, sizeof args, "staff-passwd demo %s", user);
	assert_int_equal(proc_admin(args, "another-long-password\n", out, sizeof out), 0);
	expect_refusal("GET", "/api/v1/me", tok, NULL, 401, "UNAUTHENTICATED");
	expect_refusal("POST", "/api/v1/staff/login", NULL, body, 401, "UNAUTHENTICATED");
	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"username\":\"%s\","
	    "\"password\":\"another-long-password\",\"window\":5}", user);
	staff_signed_in(body, tok2, sizeof tok2);

	/* Disabled: its sessions end and it cannot sign in; enabled again, it can. */
	snprintf(args, sizeof args, "staff-disable demo %s", user);
	assert_int_equal(proc_admin(args, NULL, out, sizeof out), 0);
	expect_refusal("GET", "/api/v1/me", tok2, NULL, 401, "UNAUTHENTICATED");
	expect_refusal("POST", "/api/v1/staff/login", NULL, body, 401, "UNAUTHENTICATED");
	snprintf(args, sizeof args, "staff-enable demo %s", user);
	assert_int_equal(proc_admin(args, NULL, out, sizeof out), 0);
	expect_reply("POST", "/api/v1/staff/login", NULL, body, 200);

	/* Every change is on the audit trail. */
	{
		char a0s[24];

		snprintf(a0s, sizeof a0s, "%lld", a0);
		assert_int_equal(db_count(&test_db, "SELECT COUNT(DISTINCT action) FROM audit_log"
		    " WHERE id > ? AND action IN ('staff.create', 'staff.password_reset', 'staff.disable',"
		    " 'staff.enable')", a0s), 4);
		assert_true(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE id > ? AND"
		    " action = 'staff.login' AND result = 'ok'", a0s) >= 3);
		assert_true(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE id > ? AND"
		    " action = 'staff.login' AND result = 'denied'", a0s) >= 2);
	}
}

/* ------------------------------------------------------------------ audit */

TEST(audit_trail)
{
	struct resp r;
	char a0s[24], tok[128], out[4096];
	long long a0;

	a0 = last_audit_id();
	snprintf(a0s, sizeof a0s, "%lld", a0);
	/* Refusals: 401 without a token, 403 for a role the route does not take. */
	expect_refusal("GET", "/api/v1/me", NULL, NULL, 401, "UNAUTHENTICATED");
	assert_int_equal(staff_login("kiosk1", 0, tok, sizeof tok), 0);
	post(&r, "/api/v1/auth/wx-phone", tok, "{\"code\":\"p13800138000-9\"}");
	assert_error(&r, 403, "FORBIDDEN");
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE id > ? AND"
	    " action = 'refused' AND target = 'GET /me' AND result = '401'"
	    " AND actor_kind = 'anonymous'", a0s), 1);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE id > ? AND"
	    " action = 'refused' AND target = 'POST /auth/wx-phone' AND result = '403'"
	    " AND hall = 'demo' AND actor <> ''", a0s), 1);
	/* A failed sign-in is recorded once, as a sign-in, not again as a refusal. */
	post(&r, "/api/v1/auth/sms-login", NULL, "{\"phone\":\"%s\",\"code\":\"000000\"}", phone_c);
	assert_error(&r, 401, "CODE_INVALID");
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE id > ? AND"
	    " action = 'citizen.login' AND result = 'denied'", a0s), 1);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE id > ? AND"
	    " action = 'refused' AND target = 'POST /auth/sms-login'", a0s), 0);

	/* The app's database user may read and add audit rows, never change or delete them. */
	assert_int_equal(app_sql("SELECT COUNT(*) FROM audit_log;", out, sizeof out), 0);
	assert_int_not_equal(app_sql("UPDATE audit_log SET result = 'ok' WHERE action ="
	    " 'refused';", out, sizeof out), 0);
	assert_non_null(strstr(out, "command denied"));
	assert_int_not_equal(app_sql("DELETE FROM audit_log;", out, sizeof out), 0);
	assert_non_null(strstr(out, "command denied"));
	assert_int_not_equal(app_sql("TRUNCATE TABLE audit_log;", out, sizeof out), 0);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE id > ? AND"
	    " action = 'refused'", a0s), 2);
}

/* ------------------------------------------------------------------ personal data */

TEST(personal_data_sealed)
{
	static char out[256 * 1024];
	static const char *const tables[] = {
		"SELECT * FROM citizens ORDER BY id DESC LIMIT 300;",
		"SELECT * FROM citizen_wechat ORDER BY updated_at DESC LIMIT 300;",
		"SELECT * FROM audit_log ORDER BY id DESC LIMIT 500;",
		"SELECT * FROM outbox ORDER BY id DESC LIMIT 300;",
	};
	struct resp r;
	char tok[128], idnum[20], masked[32];
	long long id;
	size_t i;
	int k;

	/* A valid ID number of someone born 1985-04-30 (the check digit computed by idnum_ok;
	 * it_faults' bookers are born on days 1–28: an ID number belongs to one account). */
	{
		unsigned seq = (unsigned)randombytes_uniform(1000);

		for (k = 0; k < 11; k++) {
			snprintf(idnum, sizeof idnum, "11010519850430%03u%c", seq,
			    "0123456789X"[k]);
			if (idnum_ok(idnum))
				break;
		}
	}
	assert_true(idnum_ok(idnum));
	sms_sign_in(phone_c, tok, sizeof tok);
	id = subject_of(tok);
	/* The name and ID number a citizen gives (e.g. when booking) are sealed too. */
	assert_int_equal(citizen_set_identity(&test_db, id, "欧阳娜娜", idnum), 0);
	assert_int_equal(http_json(&r, "GET", "/api/v1/me", tok, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "name"), "欧阳**");
	assert_null(strstr(r.body, idnum));
	resp_free(&r);
	{
		struct citizen z;

		assert_int_equal(citizen_get(&test_db, id, &z), 1);
		assert_string_equal(z.phone, phone_c);
		assert_string_equal(z.id_number, idnum);
		assert_string_equal(z.name, "欧阳娜娜");
		mask_id(z.id_number, masked, sizeof masked);
		assert_int_equal(strlen(masked), 18);
	}
	/* What the app's own database user sees: no phone, ID number, name or openid in clear. */
	for (i = 0; i < NELEM(tables); i++) {
		assert_int_equal(app_sql(tables[i], out, sizeof out), 0);
		assert_true(strlen(out) > 10);
		assert_null(strstr(out, phone_a));
		assert_null(strstr(out, phone_b));
		assert_null(strstr(out, phone_c));
		assert_null(strstr(out, idnum));
		assert_null(strstr(out, "欧阳娜娜"));
		assert_null(strstr(out, "oFake_"));
	}
}

/* ------------------------------------------------------------------ outages */

/* With store ("redis", "mysql") stopped: 503 UNAVAILABLE, not 500, for a code (phone_c), a
 * sign-in (phone_b with its code) and the session tok; then the store is started again and
 * the stack healthy. */
static void
store_away(const char *store, const char *tok, const char *code)
{
	struct resp r;
	char verb[32];

	snprintf(verb, sizeof verb, "%s-stop", store);
	assert_int_equal(stack(verb), 0);
	post(&r, "/api/v1/auth/sms-code", NULL, "{\"phone\":\"%s\"}", phone_c);
	assert_error(&r, 503, "UNAVAILABLE");
	resp_free(&r);
	sms_login_refused(phone_b, code, 503, "UNAVAILABLE");
	expect_refusal("GET", "/api/v1/me", tok, NULL, 503, "UNAVAILABLE");
	snprintf(verb, sizeof verb, "%s-start", store);
	assert_int_equal(stack(verb), 0);
	wait_health(200, 15000);
}

TEST(outages)
{
	struct resp r;
	char tok[128], code[8], key[128];
	long long before;
	int i;

	sms_sign_in(phone_a, tok, sizeof tok);
	get_code(phone_b, code);
	assert_int_equal(sms_limits_reset(phone_b), 0);

	/* Redis down: 503, not 500, for codes, sign-ins and sessions. */
	store_away("redis", tok, code);
	/* Redis keeps its data (AOF): the session is still good.  (Each app thread's old
	 * connection fails once before it reconnects, hence the retries.) */
	kv_drop(&test_db);
	for (i = 0; i < 60; i++) {
		assert_int_equal(http_json(&r, "GET", "/api/v1/me", tok, NULL), 0);
		if (r.status == 200)
			break;
		resp_free(&r);
		usleep(100 * 1000);
	}
	assert_int_equal(r.status, 200);
	resp_free(&r);

	/* MariaDB down: 503, and a refused code request counts nothing and stores nothing. */
	before = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'login_code'", NULL);
	identity_sms_key(phone_c, "code", key, sizeof key);
	redis_do("DEL", key, NULL);
	assert_int_equal(sms_limits_reset(phone_c), 0);
	store_away("mysql", tok, code);
	db_drop(&test_db);
	assert_int_equal(redis_ttl(key), -2);
	/* The refused request used up neither the minute nor the phone's count. */
	for (i = 0; i < 30; i++) {
		post(&r, "/api/v1/auth/sms-code", NULL, "{\"phone\":\"%s\"}", phone_c);
		if (r.status != 503)
			break;
		resp_free(&r);
		usleep(100 * 1000);
	}
	assert_int_equal(r.status, 202);
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'login_code'",
	    NULL), before + 1);
	assert_int_equal(sms_limits_reset(phone_c), 0);
	/* Leave a clean stack for whatever runs next: fresh app processes, whose threads hold
	 * no connection from before the restarts. */
	assert_int_equal(stack("restart-app"), 0);
	wait_health(200, 15000);
}

/* ------------------------------------------------------------------ nginx */

TEST(signin_throttle)
{
	struct resp r;
	char ra[16];
	int i, limited = 0, other = 0;

	/* A burst on a sign-in route: nginx answers 429 in the API's shape. */
	for (i = 0; i < 300 && limited == 0; i++) {
		assert_int_equal(http_json(&r, "POST", "/api/v1/auth/sms-login", NULL, "{}"), 0);
		if (r.status == 429) {
			assert_error(&r, 429, "RATE_LIMITED");
			assert_non_null(resp_header(&r, "Retry-After", ra, sizeof ra));
			limited = 1;
		} else if (r.status != 400)
			other++;
		resp_free(&r);
	}
	assert_int_equal(limited, 1);
	assert_int_equal(other, 0);
	/* Other routes are not throttled meanwhile. */
	expect_reply("GET", "/api/v1/health", NULL, NULL, 200);
	/* Let the bucket refill before anything else signs in (at most a minute). */
	for (i = 0; i < 70; i++) {
		sleep(1);
		assert_int_equal(http_json(&r, "POST", "/api/v1/auth/sms-login", NULL, "{}"), 0);
		if (r.status == 400) {
			resp_free(&r);
			break;
		}
		resp_free(&r);
	}
	assert_true(i < 70);
	sleep(6);	/* a full bucket again for whoever comes next */
}

SUITE_MAIN("identity", setup, teardown)
