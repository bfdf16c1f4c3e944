/*
 * it_notify.c — notifications against the live test stack: the outbox worker with the log
 * provider (fast delivery, refusals, quiet hours, daily caps), the verification-code
 * limits, the staff notice list (codes and links masked) and resend, no code or link
 * readable in the outbox rows before or after delivery (rows from before migration 103
 * included), and — with a worker of its own pointed at test/fake/provider.mjs — Aliyun and
 * Tencent (success, throttling, per-number failure, 500, every signature checked by the
 * fake), delivery receipts pushed by the fake to the callback URL with the instance's
 * secret (and refused without it, or for messages never sent), a worker killed between the
 * provider's reply and recording it, a provider outage, and WeChat subscribe messages.
 *
 * Rows are queued the way the other modules queue them: outbox_add() in a transaction,
 * through this process's own connection (the stack's yichuang.conf and data key).  While
 * the provider tests run, the stack's own worker is stopped so it cannot take their rows;
 * it is started again at the end (ops/stack.sh app-start).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "../lib/suite.h"
#include "../lib/http.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/util.h"
#include "../../modules/notify/notify.h"
#include "../../modules/notify/outbox.h"
#include "../../modules/shared/pii.h"
#include "../lib/stackproc.h"
#include "../lib/expect.h"
#include "../lib/steps.h"
#include "../lib/records.h"

static struct ctx C;
static pid_t workers[4];
static struct fake fake_sms = { .in = -1, .out = -1 };
static int nworkers;
static int stack_worker_stopped;

static int
final(const char *st)
{
	return strcmp(st, "sent") == 0 || strcmp(st, "failed") == 0 || strcmp(st, "dropped") == 0;
}

/* Wait until the row reaches want (or, with want NULL, any final status). */
static void
wait_row(uint64_t id, const char *want, int timeout_ms, struct outbox_row *s)
{
	int64_t end = mono_ms() + timeout_ms;

	for (;;) {
		outbox_row(&C, id, s);
		if (want ? strcmp(s->status, want) == 0 : final(s->status))
			return;
		if (mono_ms() > end)
			fail_msg("outbox %llu: still %s (%s) after %d ms, wanted %s",
			    (unsigned long long)id, s->status, s->last_error, timeout_ms,
			    want ? want : "a final status");
		pause_ms(50);
	}
}

/* ------------------------------------------------------------------ processes */

/* The stack's own worker stays away while workers of ours take the outbox rows. */
static void
stack_worker_stop(void)
{
	stack_worker_stopped = 1;
	assert_int_equal(stack_worker_away(), 0);
}

static void
stack_worker_start(void)
{
	if (stack_worker_stopped) {
		stack_worker_back();
		stack_worker_stopped = 0;
	}
}

/* A worker of our own: the stack's configuration plus the lines given. */
static void
worker_start(const char *extra)
{
	pid_t pid;

	assert_true(nworkers < (int)NELEM(workers));
	pid = worker_spawn("notify-it", extra);
	assert_true(pid > 0);	/* still running after its start-up */
	workers[nworkers++] = pid;
}

/* Stop every worker of ours (SIGKILL: as if the machine died under it). */
static void
worker_stop(int sig)
{
	while (nworkers > 0)
		worker_end(workers[--nworkers], sig);
}

/* A call to the fake's test controls, with a JSON body; the JSON reply (new reference). */
static json_t *
fake_post(const char *method, const char *path, const char *body)
{
	json_t *j = fake_send(&fake_sms, method, path, body);

	assert_non_null(j);
	return j;
}

static json_t *
fake(const char *method, const char *path)
{
	return fake_post(method, path, NULL);
}

static void
assert_signatures_all_right(json_t *stats)
{
	json_t *r;
	size_t i;

	assert_int_equal(json_integer_value(json_object_get(stats, "bad_signatures")), 0);
	assert_int_equal(json_integer_value(json_object_get(stats, "stale_timestamps")), 0);
	assert_int_equal(json_integer_value(json_object_get(stats, "replayed_nonces")), 0);
	json_array_foreach(json_object_get(stats, "requests"), i, r)
		assert_true(json_is_true(json_object_get(r, "sig_ok")));
}

static const char *PROVIDER_COMMON = PROVIDER_CONF
    "wechat_appid = wx-notify-appid\n"
    "wechat_secret = wx-notify-secret\n"
    "sms_lease_seconds = 4\n"
    "sms_timeout_ms = 1000\n"
    "sms_retry_base_ms = 200\n"
    "sms_retry_max_ms = 800\n";

static void
worker_with_conf(const char *provider, const char *more)
{
	char extra[2048];

	snprintf(extra, sizeof extra, "%ssms_provider = %s\nsms_base_url = http://127.0.0.1:%d/\n"
	    "wechat_base_url = http://127.0.0.1:%d\n%s", PROVIDER_COMMON, provider, fake_sms.port,
	    fake_sms.port, more);
	worker_start(extra);
}

static void
worker_with(const char *provider)
{
	worker_with_conf(provider, "");
}

/* ------------------------------------------------------------------ setup */

FIXTURE(group_setup)
{
	char conf[256];

	snprintf(conf, sizeof conf, "var/%s/yichuang.conf", test_instance());
	if (sodium_init() < 0 || config_load(conf) != 0)
		return -1;
	clock_init();
	if (pii_init() != 0)
		return -1;
	ctx_init(&C, 0);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* After each provider test, whatever it asserted: no worker of ours left running. */
FIXTURE(stop_worker)
{
	worker_stop(SIGTERM);
	return 0;
}

FIXTURE(group_teardown)
{
	worker_stop(SIGTERM);
	fake_close(&fake_sms);
	stack_worker_start();
	set_clock(NULL);
	ctx_close(&C);
	return 0;
}

/* ------------------------------------------------------------------ log provider */

TEST(log_provider_delivers_at_once)
{
	char phone[12], want[64];
	json_t *line = NULL;
	long since = sms_log_size();
	int64_t t0;
	uint64_t id;
	struct outbox_row s;

	phone_with(phone, "0001");
	t0 = mono_ms();
	id = outbox_queue(&C, "sms", "login_code", phone, json_pack("{s:s}", "code", "482913"), "login", "",
	    1);
	assert_int_equal(sms_log_find_since(since, phone, "login_code", &line, 3000), 0);
	/* A booking's SMS is in the log within about a second. */
	assert_true(mono_ms() - t0 < 1500);
	assert_int_equal(json_integer_value(json_object_get(line, "id")), (json_int_t)id);
	assert_string_equal(jstr(line, "params.code"), "482913");
	snprintf(want, sizeof want, "【一窗政务】您的登录验证码为482913");
	assert_true(strncmp(jstr(line, "text"), want, strlen(want)) == 0);
	json_decref(line);
	/* The helper other tests use finds the same. */
	{
		json_t *p = NULL;

		assert_int_equal(sms_log_find(phone, "login_code", &p, 1000), 0);
		assert_string_equal(json_string_value(json_object_get(p, "code")), "482913");
		json_decref(p);
		assert_int_equal(sms_log_find(phone, "case_accepted", NULL, 100), -1);
	}
	wait_row(id, "sent", 2000, &s);
	assert_string_equal(s.provider, "log");
	assert_int_equal(s.segments, 1);
	assert_int_equal(s.attempts, 1);
}

TEST(refused_renderings_fail_with_reason)
{
	char phone[12];
	uint64_t a, b, c, d;
	struct outbox_row s;

	phone_with(phone, "0001");
	a = outbox_queue(&C, "sms", "appointment_booked", phone, json_pack("{s:s,s:s,s:s,s:s}",
	    "hall_name", "示范区政务服务中心", "date", "2026-11-24", "time", "09:00-09:30",
	    "category", "无差别受理"), "appointment", "x", 1);
	b = outbox_queue(&C, "sms", "no_such_template", phone, json_pack("{}"), "appointment", "x", 1);
	c = outbox_queue(&C, "sms", "case_rejected", phone, json_pack("{s:s,s:s,s:s}", "case_no", "YC1",
	    "reason", "不符合条件", "why", "x"), "case", "x", 1);
	d = outbox_queue(&C, "sms", "case_rejected", phone, json_pack("{s:s,s:s}", "case_no", "YC1",
	    "reason", "详见 https://example.com/x"), "case", "x", 1);
	wait_row(a, NULL, 3000, &s);
	assert_string_equal(s.status, "failed");
	assert_string_equal(s.last_error, "VAR_MISSING:code");
	wait_row(b, NULL, 3000, &s);
	assert_string_equal(s.status, "failed");
	assert_string_equal(s.last_error, "TEMPLATE_UNKNOWN");
	wait_row(c, NULL, 3000, &s);
	assert_string_equal(s.last_error, "VAR_UNKNOWN:why");
	wait_row(d, NULL, 3000, &s);
	assert_string_equal(s.last_error, "URL_FORBIDDEN:reason");
}

TEST(quiet_hours_hold_reminders)
{
	char phone[12];
	uint64_t rem, code, booked;
	struct outbox_row s;

	phone_with(phone, "0001");
	assert_int_equal(set_clock("2026-11-23T22:00:00+08:00"), 0);
	pause_ms(50);
	rem = outbox_queue(&C, "sms", "appointment_reminder", phone, json_pack("{s:s,s:s,s:s,s:s}",
	    "hall_name", "示范区政务服务中心", "date", "2026-11-24", "time", "09:00-09:30",
	    "code", "558201"), "appointment", "q1", 0);
	/* A code is never held, even queued as not urgent; an urgent notice goes out. */
	code = outbox_queue(&C, "sms", "login_code", phone, json_pack("{s:s}", "code", "771204"), "login", "",
	    0);
	booked = outbox_queue(&C, "sms", "appointment_booked", phone, json_pack("{s:s,s:s,s:s,s:s,s:s}",
	    "hall_name", "示范区政务服务中心", "date", "2026-11-24", "time", "09:00-09:30",
	    "category", "无差别受理", "code", "558201"), "appointment", "q1", 1);
	wait_row(code, "sent", 3000, &s);
	wait_row(booked, "sent", 3000, &s);
	wait_row(rem, "held", 3000, &s);
	assert_string_equal(s.next_at, "2026-11-24 08:00:00");
	assert_int_equal(s.attempts, 0);
	assert_int_equal(sms_log_find(phone, "appointment_reminder", NULL, 300), -1);

	/* At 08:00 it goes out. */
	assert_int_equal(set_clock("2026-11-24T07:59:59+08:00"), 0);
	wait_row(rem, "sent", 5000, &s);
	assert_int_equal(sms_log_find(phone, "appointment_reminder", NULL, 1000), 0);
	assert_int_equal(set_clock(NULL), 0);
}

TEST(daily_cap_per_template)
{
	char phone[12];
	uint64_t ids[11];
	struct outbox_row s;
	int i, sent = 0, dropped = 0;

	phone_with(phone, "0001");
	/* appointment_reminder: at most 10 a day to one phone. */
	for (i = 0; i < 11; i++)
		ids[i] = outbox_queue(&C, "sms", "appointment_reminder", phone, json_pack("{s:s,s:s,s:s,s:s}",
		    "hall_name", "示范区政务服务中心", "date", "2026-11-24", "time", "10:00-10:30",
		    "code", "310775"), "appointment", "cap", 1);
	for (i = 0; i < 11; i++) {
		wait_row(ids[i], NULL, 4000, &s);
		if (strcmp(s.status, "sent") == 0)
			sent++;
		else if (strcmp(s.status, "dropped") == 0 && strcmp(s.last_error, "DAILY_CAP") == 0)
			dropped++;
	}
	assert_int_equal(sent, 10);
	assert_int_equal(dropped, 1);
}

TEST(code_limits)
{
	char phone[12], when[40];
	int64_t t0;
	int i, wait;

	phone_with(phone, "0009");
	assert_int_equal(time_parse("2026-11-25T10:00:00+08:00", &t0), 0);
	assert_int_equal(set_clock("2026-11-25T10:00:00+08:00"), 0);
	assert_int_equal(notify_code_allowed(&C, phone, &wait), 1);
	/* A second code within the minute: refused, with the wait. */
	assert_int_equal(notify_code_allowed(&C, phone, &wait), 0);
	assert_true(wait >= 58 && wait <= 60);
	/* One a minute: five in the hour, then the sixth waits for the first to age out. */
	for (i = 1; i < 5; i++) {
		time_format(t0 + i * 61, when, sizeof when);
		assert_int_equal(set_clock(when), 0);
		assert_int_equal(notify_code_allowed(&C, phone, &wait), 1);
	}
	time_format(t0 + 5 * 61, when, sizeof when);
	assert_int_equal(set_clock(when), 0);
	assert_int_equal(notify_code_allowed(&C, phone, &wait), 0);
	assert_true(wait >= 3600 - 5 * 61 - 2 && wait <= 3600 - 5 * 61 + 1);
	/* Five more the next hour: ten in the day, then the day limit. */
	for (i = 0; i < 5; i++) {
		time_format(t0 + 3601 + i * 61, when, sizeof when);
		assert_int_equal(set_clock(when), 0);
		assert_int_equal(notify_code_allowed(&C, phone, &wait), 1);
	}
	time_format(t0 + 7300, when, sizeof when);
	assert_int_equal(set_clock(when), 0);
	assert_int_equal(notify_code_allowed(&C, phone, &wait), 0);
	assert_true(wait >= 86400 - 7300 - 2 && wait <= 86400 - 7300 + 1);
	/* A day later it is allowed again. */
	time_format(t0 + 86401, when, sizeof when);
	assert_int_equal(set_clock(when), 0);
	assert_int_equal(notify_code_allowed(&C, phone, &wait), 1);
	/* Not a mobile number: refused as unusable. */
	assert_int_equal(notify_code_allowed(&C, "12345", &wait), -1);
	assert_int_equal(set_clock(NULL), 0);
}

/* ------------------------------------------------------------------ staff */

TEST(staff_notices_and_resend)
{
	char phone[12], ref[40], path[160], tok[256], mask[16];
	uint64_t acc, code, later, appr;
	struct outbox_row s;
	struct resp r;
	json_t *n, *line = NULL;
	long since;

	phone_with(phone, "0001");
	snprintf(ref, sizeof ref, "YCIT%u", (unsigned)randombytes_uniform(1000000000));
	acc = outbox_queue(&C, "sms", "case_accepted", phone, json_pack("{s:s,s:s,s:s,s:s}", "case_no", ref,
	    "item", "个体工商户设立登记", "deadline", "2026-12-01", "url",
	    "http://127.0.0.1:18080/t/AbCdEfGhIjKlMnOpQrStUv"), "case", ref, 1);
	code = outbox_queue(&C, "sms", "login_code", phone, json_pack("{s:s}", "code", "665544"), "case", ref,
	    1);
	appr = outbox_queue(&C, "sms", "case_approved", phone, json_pack("{s:s,s:s}", "case_no", ref,
	    "item", "个体工商户设立登记"), "case", ref, 1);
	wait_row(acc, "sent", 3000, &s);
	wait_row(code, "sent", 3000, &s);
	wait_row(appr, "sent", 3000, &s);
	/* One still waiting (due tomorrow): queued and postponed in one transaction. */
	{
		struct outbox_msg m;
		json_t *p = json_pack("{s:s,s:s,s:s,s:s,s:s}", "case_no", ref, "hall",
		    "示范区政务服务中心", "window", "8",
		    "hours", "工作日9:00-17:00", "pickup_code", "7731");

		memset(&m, 0, sizeof m);
		m.hall = "demo";
		m.template = "result_ready";
		m.recipient = phone;
		m.params = p;
		m.ref_kind = "case";
		m.ref_id = ref;
		m.urgent = 1;
		assert_int_equal(db_begin(&C), 0);
		assert_int_equal(outbox_add(&C, &m, &later), 0);
		assert_int_equal(db_exec(&C, "UPDATE outbox SET next_attempt_at = next_attempt_at +"
		    " INTERVAL 1 DAY WHERE id = ?", DBARGS(DBI(later)), NULL, NULL), 0);
		assert_int_equal(db_commit(&C), 0);
		json_decref(p);
	}

	assert_int_equal(staff_login("clerk1", 1, tok, sizeof tok), 0);
	snprintf(path, sizeof path, "/api/v1/notices?ref_kind=case&ref_id=%s", ref);
	assert_int_equal(http_json(&r, "GET", path, tok, NULL), 0);
	assert_int_equal(r.status, 200);
	n = jget(r.json, "notices");
	assert_true(json_array_size(n) >= 4);
	assert_int_equal(jint(n, "0.id"), (long long)acc);
	assert_string_equal(jstr(n, "0.template"), "case_accepted");
	assert_string_equal(jstr(n, "0.title"), "受理通知");
	assert_string_equal(jstr(n, "0.status"), "sent");
	assert_string_equal(jstr(n, "0.channel"), "sms");
	mask_phone(phone, mask, sizeof mask);
	assert_string_equal(jstr(n, "0.recipient"), mask);
	assert_non_null(strstr(jstr(n, "0.text"), ref));
	/* The tracking link is a credential: masked in the text staff see. */
	assert_non_null(strstr(jstr(n, "0.text"), "办理进度：******"));
	assert_null(strstr(r.body, "AbCdEfGhIjKlMnOpQrStUv"));
	assert_true(json_is_true(jget(n, "0.resendable")));
	assert_non_null(jstr(n, "0.sent_at"));
	assert_int_equal(jint(n, "0.attempts"), 1);
	assert_int_equal(jint(n, "0.segments"), 2);
	assert_int_equal(strlen(jstr(n, "0.created_at")), 25);	/* 2026-11-23T09:30:10+08:00 */
	assert_true(json_is_null(jget(n, "0.next_attempt_at")));
	assert_true(json_is_null(jget(n, "0.resend_of")));
	assert_true(json_is_null(jget(n, "0.last_error")));
	assert_string_equal(jstr(n, "0.provider"), "log");
	assert_string_equal(jstr(n, "3.status"), "pending");
	assert_non_null(jstr(n, "3.next_attempt_at"));
	/* A verification code: listed, its text shown with the code masked, never resent. */
	assert_string_equal(jstr(n, "1.template"), "login_code");
	assert_non_null(strstr(jstr(n, "1.text"), "验证码为******"));
	assert_true(json_is_false(jget(n, "1.resendable")));
	/* The pickup code of a notice still to be sent: masked as well. */
	assert_string_equal(jstr(n, "3.template"), "result_ready");
	assert_non_null(strstr(jstr(n, "3.text"), "取件码******"));
	/* No full phone number and no code anywhere in the answer. */
	assert_null(strstr(r.body, phone));
	assert_null(strstr(r.body, "665544"));
	assert_null(strstr(r.body, "7731"));
	resp_free(&r);

	/* Bad queries name their fields; no session is 401. */
	expect_fields("GET", "/api/v1/notices?ref_kind=Case!", tok, NULL, "ref_kind ref_id");
	expect_reply("GET", path, NULL, NULL, 401);

	/* Resend: a new row pointing at the original, delivered again. */
	since = sms_log_size();
	http_at(&r, "POST", tok, NULL, "/api/v1/notices/%llu/resend", (unsigned long long)appr);
	assert_int_equal(r.status, 201);
	assert_int_equal(jint(r.json, "notice.resend_of"), (long long)appr);
	assert_true(jint(r.json, "notice.id") > (long long)appr);
	assert_non_null(jstr(r.json, "notice.requested_by"));
	assert_int_equal(sms_log_find_since(since, phone, "case_approved", &line, 3000), 0);
	assert_int_equal(json_integer_value(json_object_get(line, "id")), jint(r.json, "notice.id"));
	assert_string_equal(jstr(line, "params.case_no"), ref);
	json_decref(line);
	resp_free(&r);
	/* A notice with a link is resent with the case's link as it is now: here there is no
	 * such case (the link is never taken from the old message). */
	expect_at("POST", tok, NULL, 422, "NOT_RESENDABLE", "/api/v1/notices/%llu/resend",
	    (unsigned long long)acc);

	/* A code is not resent; a notice still on its way is not doubled; unknown is 404. */
	expect_at("POST", tok, NULL, 422, "NOT_RESENDABLE", "/api/v1/notices/%llu/resend",
	    (unsigned long long)code);
	expect_at("POST", tok, NULL, 409, "NOTICE_PENDING", "/api/v1/notices/%llu/resend",
	    (unsigned long long)later);
	expect_reply("POST", "/api/v1/notices/999999999999/resend", tok, NULL, 404);
	assert_int_equal(db_exec(&C, "UPDATE outbox SET status = 'dropped' WHERE id = ?",
	    DBARGS(DBI(later)), NULL, NULL), 0);
}

/* ------------------------------------------------------------------ providers */

struct scen {
	const char	*last4;
	const char	*status;
	int		 attempts;
	int		 requests;
	const char	*error;
	uint64_t	 id;
	char		 phone[12];
};

static void
run_provider(const char *provider, const char *fail_code)
{
	struct scen sc[] = {
		{ "0001", "sent", 1, 1, "", 0, "" },
		{ "0002", "sent", 2, 2, "", 0, "" },
		{ "0003", "failed", 1, 1, fail_code, 0, "" },
		{ "0004", "sent", 2, 2, "", 0, "" },
	};
	json_t *stats;
	struct outbox_row s;
	size_t i;

	json_decref(fake("POST", "/__reset"));
	worker_with(provider);
	for (i = 0; i < NELEM(sc); i++) {
		phone_with(sc[i].phone, sc[i].last4);
		sc[i].id = outbox_queue(&C, "sms", "appointment_booked", sc[i].phone,
		    json_pack("{s:s,s:s,s:s,s:s,s:s}", "hall_name", "示范区政务服务中心",
		    "date", "2026-11-24", "time", "09:00-09:30", "category", "无差别受理",
		    "code", "558201"), "appointment", provider, 1);
	}
	for (i = 0; i < NELEM(sc); i++) {
		wait_row(sc[i].id, NULL, 8000, &s);
		if (strcmp(s.status, sc[i].status) != 0)
			fail_msg("%s %s: %s (%s)", provider, sc[i].last4, s.status, s.last_error);
		assert_int_equal(s.attempts, sc[i].attempts);
		assert_string_equal(s.provider, provider);
		if (strcmp(sc[i].status, "sent") == 0) {
			assert_string_equal(s.last_error, "");
			assert_true(strlen(s.msg_id) > 0);
			/* 【一窗政务】您已成功预约…: 71–134 characters, two parts. */
			assert_int_equal(s.segments, 2);
		} else
			assert_string_equal(s.last_error, sc[i].error);
	}
	stats = fake("GET", "/__stats");
	assert_signatures_all_right(stats);
	for (i = 0; i < NELEM(sc); i++)
		assert_int_equal(fake_requests(stats, sc[i].id), sc[i].requests);
	json_decref(stats);
	worker_stop(SIGTERM);
}

/* Several workers at once (SKIP LOCKED): every row goes out exactly once. */
TEST_WITH(workers_side_by_side, NULL, stop_worker)
{
	char phone[12], want[24];
	uint64_t ids[30];
	struct outbox_row s;
	long since = sms_log_size();
	json_t *line;
	char path[256], *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int i, count;

	stack_worker_stop();
	worker_start("");			/* the stack's configuration: the log provider */
	worker_start("");
	for (i = 0; i < 30; i++) {
		phone_with(phone, "0001");
		ids[i] = outbox_queue(&C, "sms", "turn_near", phone, json_pack("{s:s,s:s,s:s}", "number", "B012",
		    "ahead", "2", "hall_name", "示范区政务服务中心"), "ticket", "pair", 1);
	}
	for (i = 0; i < 30; i++) {
		wait_row(ids[i], "sent", 5000, &s);
		assert_int_equal(s.attempts, 1);
	}
	snprintf(path, sizeof path, "var/%s/sms.log", test_instance());
	assert_non_null(f = fopen(path, "r"));
	for (i = 0; i < 30; i++) {
		assert_int_equal(fseek(f, since, SEEK_SET), 0);
		snprintf(want, sizeof want, "%llu", (unsigned long long)ids[i]);
		count = 0;
		while ((n = getline(&buf, &cap, f)) > 0)
			if ((line = json_loadb(buf, (size_t)n, 0, NULL)) != NULL) {
				count += json_integer_value(json_object_get(line, "id")) ==
				    (json_int_t)ids[i];
				json_decref(line);
			}
		if (count != 1)
			fail_msg("outbox %s is %d times in the SMS log", want, count);
	}
	free(buf);
	fclose(f);
	worker_stop(SIGTERM);
}

/* ------------------------------------------------------------------ secrets at rest */

struct raw {
	char		 params[1024];
	unsigned char	 enc[4096];
	size_t		 enclen;
	int		 has_enc;
	unsigned char	 rec[256];
	size_t		 reclen;
	char		 status[16];
};

static int
raw_fill(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct raw *x = arg;

	(void)ncol;
	snprintf(x->params, sizeof x->params, "%s", v[0] ? v[0] : "");
	x->has_enc = v[1] != NULL;
	x->enclen = v[1] && lens[1] <= sizeof x->enc ? lens[1] : 0;
	if (x->enclen)
		memcpy(x->enc, v[1], x->enclen);
	x->reclen = v[2] && lens[2] <= sizeof x->rec ? lens[2] : 0;
	if (x->reclen)
		memcpy(x->rec, v[2], x->reclen);
	snprintf(x->status, sizeof x->status, "%s", v[3] ? v[3] : "");
	return 1;
}

/* The outbox row as MariaDB has it: what anyone with read access to the table sees. */
static void
raw_row(uint64_t id, struct raw *x)
{
	memset(x, 0, sizeof *x);
	assert_int_equal(db_query(&C, "SELECT params, params_enc, recipient_enc, status FROM outbox"
	    " WHERE id = ?", DBARGS(DBI(id)), raw_fill, x), 1);
}

/* Neither the readable column nor the bytes of the sealed ones hold secret in clear. */
static void
assert_not_at_rest(const struct raw *x, const char *secret)
{
	if (strstr(x->params, secret))
		fail_msg("'%s' readable in outbox.params: %s", secret, x->params);
	assert_null(memmem(x->enc, x->enclen, secret, strlen(secret)));
	assert_null(memmem(x->rec, x->reclen, secret, strlen(secret)));
}

/*
 * Codes and links (a login code, an appointment code, a pickup code, a tracking link) are
 * never readable in the outbox rows: masked in params, sealed in params_enc while the row
 * waits, and gone once it is sent — yet the message carries them.  Rows from before
 * migration 103 (clear params, no params_enc) are sealed by the worker before it sends
 * them, or masked when they are done.
 */
TEST_WITH(secrets_sealed_at_rest, NULL, stop_worker)
{
	static const struct {
		const char *tmpl, *var, *value;
	} sec[] = {
		{ "login_code", "code", "314159" },
		{ "appointment_booked", "code", "161803" },
		{ "result_ready", "pickup_code", "271828" },
		{ "case_accepted", "url", "http://127.0.0.1:18080/t/SeCrEtTrAcKiNgToKeN0123456789abc" },
	};
	char phone[12], old_phone[12];
	uint64_t ids[4], legacy, held;
	struct outbox_row s;
	struct raw x;
	json_t *p, *line;
	long since;
	size_t i;

	/* No worker runs (workers_side_by_side stopped the stack's): the rows wait. */
	phone_with(phone, "0001");
	for (i = 0; i < NELEM(sec); i++) {
		if (strcmp(sec[i].tmpl, "login_code") == 0)
			p = json_pack("{s:s}", "code", sec[i].value);
		else if (strcmp(sec[i].tmpl, "appointment_booked") == 0)
			p = json_pack("{s:s,s:s,s:s,s:s,s:s}", "hall_name", "示范区政务服务中心",
			    "date", "2026年11月24日", "time", "09:00", "category", "无差别受理", "code",
			    sec[i].value);
		else if (strcmp(sec[i].tmpl, "result_ready") == 0)
			p = json_pack("{s:s,s:s,s:s,s:s,s:s}", "case_no", "YCSEAL1", "hall",
			    "示范区政务服务中心", "window", "8",
			    "hours", "工作日08:30-12:00", "pickup_code", sec[i].value);
		else
			p = json_pack("{s:s,s:s,s:s,s:s}", "case_no", "YCSEAL1", "item", "个体工商户设立登记",
			    "deadline", "2026-12-01", "url", sec[i].value);
		ids[i] = outbox_queue(&C, "sms", sec[i].tmpl, phone, p, "case", "YCSEAL1", 1);
		raw_row(ids[i], &x);
		assert_string_equal(x.status, "pending");
		assert_not_at_rest(&x, sec[i].value);
		assert_not_at_rest(&x, phone);
		assert_non_null(strstr(x.params, "\"******\""));
		assert_true(x.has_enc && x.enclen > 16);
	}
	/* Two rows as an older version wrote them: variables in clear, nothing sealed. */
	phone_with(old_phone, "0001");
	{
		struct outbox_msg m;

		memset(&m, 0, sizeof m);
		m.hall = "demo";
		m.template = "login_code";
		m.recipient = old_phone;
		m.params = p = json_pack("{s:s}", "code", "000000");
		m.ref_kind = "login";
		m.urgent = 1;
		assert_int_equal(db_begin(&C), 0);
		assert_int_equal(outbox_add(&C, &m, &legacy), 0);
		assert_int_equal(outbox_add(&C, &m, &held), 0);
		assert_int_equal(db_exec(&C, "UPDATE outbox SET params = '{\"code\":\"577215\"}',"
		    " params_enc = NULL WHERE id = ?", DBARGS(DBI(legacy)), NULL, NULL), 0);
		/* … one of them not due before tomorrow. */
		assert_int_equal(db_exec(&C, "UPDATE outbox SET params = '{\"code\":\"693147\"}',"
		    " params_enc = NULL, next_attempt_at = next_attempt_at + INTERVAL 1 DAY"
		    " WHERE id = ?", DBARGS(DBI(held)), NULL, NULL), 0);
		assert_int_equal(db_commit(&C), 0);
		json_decref(p);
	}
	raw_row(legacy, &x);
	assert_non_null(strstr(x.params, "577215"));	/* the old form, as it was */

	/* A worker (the log provider) sends them all. */
	since = sms_log_size();
	worker_start("");
	for (i = 0; i < NELEM(sec); i++) {
		wait_row(ids[i], "sent", 5000, &s);
		raw_row(ids[i], &x);
		assert_not_at_rest(&x, sec[i].value);
		assert_false(x.has_enc);	/* blanked with the delivery */
		/* … and the message itself carried the value. */
		assert_int_equal(sms_log_find_since(since, phone, sec[i].tmpl, &line, 3000), 0);
		assert_string_equal(json_string_value(json_object_get(json_object_get(line, "params"),
		    sec[i].var)), sec[i].value);
		json_decref(line);
	}
	wait_row(legacy, "sent", 5000, &s);
	raw_row(legacy, &x);
	assert_not_at_rest(&x, "577215");
	assert_false(x.has_enc);
	assert_int_equal(sms_log_find_since(since, old_phone, "login_code", &line, 3000), 0);
	assert_string_equal(jstr(line, "params.code"), "577215");
	json_decref(line);
	{
		/* The old row went out with its own code, once. */
		char path[256], *buf = NULL;
		size_t cap = 0;
		int found = 0;
		FILE *f;

		snprintf(path, sizeof path, "var/%s/sms.log", test_instance());
		assert_non_null(f = fopen(path, "r"));
		while (getline(&buf, &cap, f) > 0)
			found += strstr(buf, "\"577215\"") != NULL;
		free(buf);
		fclose(f);
		assert_int_equal(found, 1);
	}
	/* The one not due yet: sealed by the worker's housekeeping, still waiting. */
	raw_row(held, &x);
	assert_string_equal(x.status, "pending");
	assert_not_at_rest(&x, "693147");
	assert_true(x.has_enc);
	worker_stop(SIGTERM);
	assert_int_equal(db_exec(&C, "UPDATE outbox SET status = 'dropped' WHERE id = ?",
	    DBARGS(DBI(held)), NULL, NULL), 0);
}

TEST_WITH(aliyun_states, NULL, stop_worker)
{
	assert_int_equal(fake_open(&fake_sms, 0), 0);
	run_provider("aliyun", "isv.MOBILE_NUMBER_ILLEGAL");
}

TEST_WITH(tencent_states, NULL, stop_worker)
{
	run_provider("tencent", "InvalidParameterValue.IncorrectPhoneNumber");
}

/* The template code the fake got for outbox row id (its OutId), or "" when none came. */
static void
fake_template_of(json_t *stats, uint64_t id, char *out, size_t osz)
{
	char want[24];
	json_t *q;
	size_t i;

	snprintf(want, sizeof want, "%llu", (unsigned long long)id);
	out[0] = '\0';
	json_array_foreach(json_object_get(stats, "requests"), i, q)
		if (json_is_string(json_object_get(q, "out_id")) &&
		    strcmp(json_string_value(json_object_get(q, "out_id")), want) == 0)
			snprintf(out, osz, "%s", json_string_value(json_object_get(q, "template")));
}

static uint64_t
queue_booked(const char *phone)
{
	return outbox_queue(&C, "sms", "appointment_booked", phone,
	    json_pack("{s:s,s:s,s:s,s:s,s:s}", "hall_name", "示范区政务服务中心", "date",
	    "2026-11-24", "time", "09:00-09:30", "category", "无差别受理", "code", "558201"),
	    "appointment", "codes", 1);
}

/* A booking notice to phone, sent by the worker to the fake: the provider's template code it
 * carried into got. */
static void
booked_code(const char *phone, char *got, size_t gsz)
{
	struct outbox_row s;
	json_t *stats;
	uint64_t id;

	id = queue_booked(phone);
	wait_row(id, "sent", 8000, &s);
	stats = fake("GET", "/__stats");
	fake_template_of(stats, id, got, gsz);
	json_decref(stats);
}

/* Issue 21: the code approved in Aliyun's console, set by an admin, is the TemplateCode of
 * the worker's next message (within seconds, with the worker already running); null goes
 * back to the file's.  Only an admin sets it; a malformed code is named and changes
 * nothing; every change is audited. */
TEST_WITH(admin_codes_reach_the_provider, NULL, stop_worker)
{
	char admin[256], clerk[256], phone[12], got[64], n[24];
	struct resp r;

	assert_int_equal(staff_login("admin", 0, admin, sizeof admin), 0);
	assert_int_equal(staff_login("clerk1", 1, clerk, sizeof clerk), 0);
	assert_int_equal(http_json(&r, "PUT", "/api/v1/admin/sms-templates/appointment_booked",
	    clerk, "{\"aliyun\":\"SMS_900000001\"}"), 0);
	assert_error(&r, 403, "FORBIDDEN");
	resp_free(&r);
	expect_fields("PUT", "/api/v1/admin/sms-templates/appointment_booked",
	    admin, "{\"aliyun\":\"12345\",\"tencent\":\"SMS_1\"}", "aliyun tencent");
	assert_int_equal(db_scalar(&C, "SELECT COUNT(*) FROM sms_template_codes", DBNOARGS, n,
	    sizeof n), 1);
	assert_string_equal(n, "0");

	assert_int_equal(http_json(&r, "PUT", "/api/v1/admin/sms-templates/appointment_booked",
	    admin, "{\"aliyun\":\"SMS_900000001\"}"), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "template.in_use.aliyun"), "SMS_900000001");
	resp_free(&r);
	json_decref(fake("POST", "/__reset"));
	worker_with("aliyun");
	phone_with(phone, "0001");
	booked_code(phone, got, sizeof got);
	assert_string_equal(got, "SMS_900000001");

	/* Changed while the worker runs: its next message carries the new code. */
	assert_int_equal(http_json(&r, "PUT", "/api/v1/admin/sms-templates/appointment_booked",
	    admin, "{\"aliyun\":\"SMS_900000002\"}"), 0);
	expect_status(&r, 200);
	resp_free(&r);
	pause_ms(SMS_CODES_TTL_MS + 500);
	booked_code(phone, got, sizeof got);
	assert_string_equal(got, "SMS_900000002");

	/* Back to the file's code. */
	assert_int_equal(http_json(&r, "PUT", "/api/v1/admin/sms-templates/appointment_booked",
	    admin, "{\"aliyun\":null}"), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "template.in_use.aliyun"),
	    tmpl_find("appointment_booked")->aliyun);
	resp_free(&r);
	pause_ms(SMS_CODES_TTL_MS + 500);
	booked_code(phone, got, sizeof got);
	assert_string_equal(got, tmpl_find("appointment_booked")->aliyun);
	assert_int_equal(db_scalar(&C, "SELECT COUNT(*) FROM audit_log WHERE action ="
	    " 'admin.sms_codes' AND target = 'appointment_booked'", DBNOARGS, n, sizeof n), 1);
	assert_string_equal(n, "3");
	worker_stop(SIGTERM);
}

static long long
receipts_for(const char *provider, uint64_t id)
{
	return db_count_with(&C, "SELECT COUNT(*) FROM sms_receipts WHERE provider = ?"
	    " AND outbox_id = ?", DBARGS(DBS(provider), DBI(id)));
}

/* The fake is no rubber stamp: a wrong secret is caught, and the worker keeps the message
 * (an operator fixes the keys) instead of failing it. */
TEST_WITH(fake_refuses_bad_signatures, NULL, stop_worker)
{
	static const struct {
		const char *provider, *conf, *code;
	} c[] = {
		{ "aliyun", "sms_access_key_secret = not-the-secret\n", "SignatureDoesNotMatch" },
		{ "tencent", "tencent_secret_key = not-the-key\n", "AuthFailure.SignatureFailure" },
	};
	char phone[12];
	uint64_t id;
	struct outbox_row s;
	json_t *stats;
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		json_decref(fake("POST", "/__reset"));
		worker_with_conf(c[i].provider, c[i].conf);
		phone_with(phone, "0001");
		id = outbox_queue(&C, "sms", "login_code", phone, json_pack("{s:s}", "code", "564738"), "login",
		    "", 1);
		{
			int64_t end = mono_ms() + 4000;

			do {
				pause_ms(50);
				outbox_row(&C, id, &s);
			} while (s.last_error[0] == '\0' && mono_ms() < end);
		}
		assert_string_equal(s.last_error, c[i].code);
		assert_true(strcmp(s.status, "pending") == 0 || strcmp(s.status, "sending") == 0);
		worker_stop(SIGTERM);
		stats = fake("GET", "/__stats");
		assert_true(json_integer_value(json_object_get(stats, "bad_signatures")) >= 1);
		json_decref(stats);
		assert_int_equal(db_exec(&C, "UPDATE outbox SET status = 'dropped' WHERE id = ?",
		    DBARGS(DBI(id)), NULL, NULL), 0);
	}
}

/* The instance's receipt secret (ops/stack.sh made it: var/<instance>/sms-receipt.token). */
static void
receipt_secret(char *out, size_t osz)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "var/%s/sms-receipt.token", test_instance());
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(fgets(out, (int)osz, f));
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	assert_true(strlen(out) >= 32);
}

static long long
receipts_total(void)
{
	return db_count(&C, "SELECT COUNT(*) FROM sms_receipts", NULL);
}

/* Wait until the row's delivery status is want. */
static void
wait_delivery(uint64_t id, const char *want, struct outbox_row *s)
{
	int64_t end = mono_ms() + 8000;

	for (;;) {
		outbox_row(&C, id, s);
		if (strcmp(s->delivery, want) == 0)
			return;
		if (mono_ms() > end)
			fail_msg("outbox %llu: delivery '%s', wanted %s", (unsigned long long)id,
			    s->delivery, want);
		pause_ms(50);
	}
}

TEST_WITH(receipts, NULL, stop_worker)
{
	char phone[12], bad[12], body[1024], path[256], secret[128], wrong[128], cb[640];
	uint64_t a, a_bad, t, t_bad, logged;
	struct outbox_row sa, stn, s;
	struct resp r;
	const char *hdr[] = { "Content-Type: application/json", NULL };
	json_t *stats, *p;
	long long before;
	size_t i;
	int k;

	receipt_secret(secret, sizeof secret);
	/* The URLs an operator registers in each console: the API, the provider, the secret. */
	snprintf(cb, sizeof cb, "{\"aliyun\":\"%s/api/v1/sms/receipts/aliyun/%s\","
	    "\"tencent\":\"%s/api/v1/sms/receipts/tencent/%s\"}", base_url(), secret, base_url(),
	    secret);
	json_decref(fake_post("POST", "/__callbacks", cb));
	json_decref(fake("POST", "/__reset"));

	/* Messages through each provider; the fake pushes a receipt for each, as they do. */
	worker_with("aliyun");
	phone_with(phone, "0001");
	phone_with(bad, "0007");
	a = outbox_queue(&C, "sms", "login_code", phone, json_pack("{s:s}", "code", "246810"), "login", "", 1);
	a_bad = outbox_queue(&C, "sms", "case_approved", bad, json_pack("{s:s,s:s}", "case_no", "YCR1",
	    "item", "个体工商户设立登记"), "case", "YCR1", 1);
	wait_row(a, "sent", 5000, &sa);
	wait_row(a_bad, "sent", 5000, &s);
	worker_stop(SIGTERM);
	worker_with("tencent");
	t = outbox_queue(&C, "sms", "login_code", phone, json_pack("{s:s}", "code", "135790"), "login", "", 1);
	t_bad = outbox_queue(&C, "sms", "case_approved", bad, json_pack("{s:s,s:s}", "case_no", "YCR2",
	    "item", "个体工商户设立登记"), "case", "YCR2", 1);
	wait_row(t, "sent", 5000, &stn);
	wait_row(t_bad, "sent", 5000, &s);
	worker_stop(SIGTERM);
	wait_delivery(a, "DELIVERED", &sa);
	wait_delivery(a_bad, "FAILED:MK:0001", &s);
	wait_delivery(t, "DELIVERED", &stn);
	wait_delivery(t_bad, "FAILED:MN:0001", &s);
	assert_int_equal(receipts_for("aliyun", a), 1);
	assert_int_equal(receipts_for("tencent", t), 1);
	/* Every push was answered in the provider's own form. */
	stats = fake("GET", "/__stats");
	assert_int_equal(json_array_size(json_object_get(stats, "pushes")), 4);
	json_array_foreach(json_object_get(stats, "pushes"), i, p) {
		assert_int_equal(json_integer_value(json_object_get(p, "status")), 200);
		if (strcmp(json_string_value(json_object_get(p, "provider")), "aliyun") == 0)
			assert_int_equal(jint(p, "body.code"), 0);
		else
			assert_int_equal(jint(p, "body.result"), 0);
	}
	json_decref(stats);
	json_decref(fake_post("POST", "/__callbacks", "{}"));

	/* Aliyun SmsReport pushed again: the same batch changes nothing more. */
	snprintf(path, sizeof path, "/api/v1/sms/receipts/aliyun/%s", secret);
	snprintf(body, sizeof body, "[{\"phone_number\":\"%s\",\"send_time\":\"2026-11-23 09:31:00\","
	    "\"report_time\":\"2026-11-23 09:31:05\",\"success\":true,\"err_code\":\"DELIVERED\","
	    "\"err_msg\":\"用户接收成功\",\"sms_size\":\"1\",\"biz_id\":\"%s\",\"out_id\":\"%llu\"}]",
	    phone, sa.msg_id, (unsigned long long)a);
	for (k = 0; k < 2; k++) {
		assert_int_equal(http(&r, "POST", path, body, hdr), 0);
		assert_int_equal(r.status, 200);
		assert_int_equal(jint(r.json, "code"), 0);
		assert_string_equal(jstr(r.json, "msg"), "成功");
		resp_free(&r);
	}
	outbox_row(&C, a, &sa);
	assert_string_equal(sa.delivery, "DELIVERED");
	assert_int_equal(receipts_for("aliyun", a), 1);
	/* A later failure report does not overwrite a delivery. */
	snprintf(body, sizeof body, "[{\"success\":false,\"err_code\":\"MK:0001\",\"biz_id\":\"%s\","
	    "\"out_id\":\"%llu\"}]", sa.msg_id, (unsigned long long)a);
	assert_int_equal(http(&r, "POST", path, body, hdr), 0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	outbox_row(&C, a, &sa);
	assert_string_equal(sa.delivery, "DELIVERED");

	/* Tencent status callback pushed again: matched by sid (SerialNo), once. */
	snprintf(path, sizeof path, "/api/v1/sms/receipts/tencent/%s", secret);
	snprintf(body, sizeof body, "[{\"user_receive_time\":\"2026-11-23 09:32:00\","
	    "\"nationcode\":\"86\",\"mobile\":\"%s\",\"report_status\":\"SUCCESS\","
	    "\"errmsg\":\"DELIVRD\",\"description\":\"用户短信送达成功\",\"sid\":\"%s\"}]", phone,
	    stn.msg_id);
	for (k = 0; k < 2; k++) {
		assert_int_equal(http(&r, "POST", path, body, hdr), 0);
		assert_int_equal(r.status, 200);
		assert_int_equal(jint(r.json, "result"), 0);
		assert_string_equal(jstr(r.json, "errmsg"), "OK");
		resp_free(&r);
	}
	assert_int_equal(receipts_for("tencent", t), 1);

	/* Not JSON: refused in the provider's own form. */
	snprintf(path, sizeof path, "/api/v1/sms/receipts/aliyun/%s", secret);
	assert_int_equal(http(&r, "POST", path, "nope", hdr), 0);
	assert_int_equal(r.status, 400);
	assert_int_equal(jint(r.json, "code"), 1);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/sms/receipts/tencent/%s", secret);
	assert_int_equal(http(&r, "POST", path, "{\"x\":", hdr), 0);
	assert_int_equal(r.status, 400);
	assert_int_equal(jint(r.json, "result"), 1);
	resp_free(&r);

	/* Without the secret, or with a wrong one (same length, last character changed): refused,
	 * and nothing stored — even for a real message. */
	before = receipts_total();
	snprintf(body, sizeof body, "[{\"success\":true,\"biz_id\":\"%s\",\"out_id\":\"%llu\"}]",
	    sa.msg_id, (unsigned long long)a_bad);
	snprintf(wrong, sizeof wrong, "%s", secret);
	wrong[strlen(wrong) - 1] = wrong[strlen(wrong) - 1] == 'a' ? 'b' : 'a';
	assert_int_equal(http(&r, "POST", "/api/v1/sms/receipts/aliyun", body, hdr), 0);
	assert_error(&r, 401, "UNAUTHENTICATED");
	resp_free(&r);
	assert_int_equal(http(&r, "POST", "/api/v1/sms/receipts/tencent", body, hdr), 0);
	assert_int_equal(r.status, 401);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/sms/receipts/aliyun/%s", wrong);
	assert_int_equal(http(&r, "POST", path, body, hdr), 0);
	assert_error(&r, 403, "FORBIDDEN");
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/sms/receipts/tencent/%s", wrong);
	assert_int_equal(http(&r, "POST", path, body, hdr), 0);
	assert_int_equal(r.status, 403);
	resp_free(&r);
	assert_int_equal(http(&r, "POST", "/api/v1/sms/receipts/aliyun/x", body, hdr), 0);
	assert_int_equal(r.status, 403);
	resp_free(&r);
	assert_int_equal(receipts_total(), before);
	outbox_row(&C, a_bad, &s);
	assert_string_equal(s.delivery, "FAILED:MK:0001");

	/* With the secret, receipts for messages the outbox never sent are dropped: 200 junk
	 * entries (made-up ids, a message sent through the other provider, one sent only to the
	 * log) store nothing and change no row. */
	logged = outbox_queue(&C, "sms", "login_code", phone, json_pack("{s:s}", "code", "112233"), "login",
	    "", 1);
	worker_start("");
	wait_row(logged, "sent", 5000, &s);
	worker_stop(SIGTERM);
	{
		struct buf jb;

		buf_init(&jb, 1 << 20);
		buf_adds(&jb, "[");
		for (k = 0; k < 200; k++)
			buf_addf(&jb, "%s{\"success\":true,\"biz_id\":\"%s\",\"out_id\":\"%llu\"}",
			    k ? "," : "", k == 0 ? stn.msg_id : k == 1 ? "" : "9999^0",
			    k == 0 ? (unsigned long long)t : k == 1 ? (unsigned long long)logged :
			    (unsigned long long)(900000000 + k));
		buf_adds(&jb, "]");
		snprintf(path, sizeof path, "/api/v1/sms/receipts/aliyun/%s", secret);
		assert_int_equal(http(&r, "POST", path, jb.data, hdr), 0);
		buf_free(&jb);
	}
	assert_int_equal(r.status, 200);
	assert_int_equal(jint(r.json, "code"), 0);
	resp_free(&r);
	assert_int_equal(receipts_total(), before);
	outbox_row(&C, logged, &s);
	assert_string_equal(s.delivery, "");
	outbox_row(&C, t, &stn);
	assert_string_equal(stn.delivery, "DELIVERED");

	/* The nginx log keeps the route, never the secret. */
	{
		char lp[256], line[2048];
		FILE *f;
		int seen = 0;

		snprintf(lp, sizeof lp, "var/%s/log/nginx-access.log", test_instance());
		assert_non_null(f = fopen(lp, "r"));
		while (fgets(line, sizeof line, f)) {
			assert_null(strstr(line, secret));
			seen += strstr(line, "/api/v1/sms/receipts/aliyun/*") != NULL;
		}
		fclose(f);
		assert_true(seen > 0);
	}
}

/* Killed after the provider accepted the message and before the worker recorded it: the
 * next worker sends it again with the same OutId, and it ends sent once. */
TEST_WITH(killed_worker_resends_same_id, NULL, stop_worker)
{
	char phone[12];
	uint64_t id;
	json_t *stats;
	struct outbox_row s;
	int64_t end;

	json_decref(fake("POST", "/__reset"));
	worker_with("aliyun");
	phone_with(phone, "0005");
	id = outbox_queue(&C, "sms", "login_code", phone, json_pack("{s:s}", "code", "918273"), "login", "",
	    1);
	/* The fake has the request (it "sent" the SMS) but holds its answer back. */
	end = mono_ms() + 5000;
	for (;;) {
		stats = fake("GET", "/__stats");
		if (fake_requests(stats, id) == 1)
			break;
		json_decref(stats);
		assert_true(mono_ms() < end);
		pause_ms(20);
	}
	json_decref(stats);
	worker_stop(SIGKILL);
	outbox_row(&C, id, &s);
	assert_string_equal(s.status, "sending");
	worker_with("aliyun");
	wait_row(id, "sent", 15000, &s);
	assert_int_equal(s.attempts, 2);
	stats = fake("GET", "/__stats");
	assert_int_equal(fake_requests(stats, id), 2);	/* the duplicate carries the same OutId */
	assert_signatures_all_right(stats);
	json_decref(stats);
	/* Recorded once: it is never claimed again. */
	pause_ms(1500);
	stats = fake("GET", "/__stats");
	assert_int_equal(fake_requests(stats, id), 2);
	json_decref(stats);
	worker_stop(SIGTERM);
}

TEST_WITH(provider_outage, NULL, stop_worker)
{
	char phone[12];
	uint64_t ids[5];
	struct outbox_row s;
	json_t *stats;
	int port = fake_sms.port, i;

	worker_with("tencent");
	fake_close(&fake_sms);	/* the provider is unreachable */
	for (i = 0; i < 5; i++) {
		phone_with(phone, "0001");
		ids[i] = outbox_queue(&C, "sms", "turn_near", phone, json_pack("{s:s,s:s,s:s}", "number", "A0",
		    "ahead", "3", "hall_name", "示范区政务服务中心"), "ticket", "outage", 1);
	}
	pause_ms(2500);
	for (i = 0; i < 5; i++) {
		outbox_row(&C, ids[i], &s);
		assert_true(strcmp(s.status, "pending") == 0 || strcmp(s.status, "sending") == 0);
	}
	outbox_row(&C, ids[0], &s);
	assert_string_equal(s.last_error, "NETWORK");
	assert_int_equal(fake_open(&fake_sms, port), 0);	/* back */
	for (i = 0; i < 5; i++)
		wait_row(ids[i], "sent", 40000, &s);
	stats = fake("GET", "/__stats");
	assert_signatures_all_right(stats);
	for (i = 0; i < 5; i++)
		assert_int_equal(fake_requests(stats, ids[i]), 1);
	json_decref(stats);
	worker_stop(SIGTERM);
}

TEST_WITH(wechat_subscribe_messages, NULL, stop_worker)
{
	uint64_t ok1, ok2, blocked;
	struct outbox_row s;
	json_t *stats, *msg;
	redisReply *rep;
	char first[128] = "";

	json_decref(fake("POST", "/__reset"));
	rep = kv_cmd(&C, "DEL wx:access_token");
	assert_non_null(rep);
	freeReplyObject(rep);
	worker_with("aliyun");
	ok1 = outbox_queue(&C, "wechat", "appointment_booked", "oNotifyUser-1",
	    json_pack("{s:s,s:s,s:s,s:s,s:s}", "hall_name", "示范区政务服务中心", "date",
	    "2026-11-24", "time", "09:00-09:30", "category", "无差别受理", "code", "558201"),
	    "appointment", "wx", 1);
	wait_row(ok1, "sent", 5000, &s);
	assert_string_equal(s.provider, "wechat");
	stats = fake("GET", "/__stats");
	assert_int_equal(json_integer_value(json_object_get(stats, "stable_token")), 1);
	msg = json_array_get(json_object_get(stats, "wechat"), 0);
	assert_string_equal(json_string_value(json_object_get(msg, "template_id")),
	    "yc_tmpl_booked");
	assert_string_equal(jstr(msg, "data.thing1.value"), "示范区政务服务中心");
	assert_string_equal(jstr(msg, "data.time2.value"), "2026-11-24 09:00-09:30");
	assert_string_equal(jstr(msg, "page"), "pages/appointment/index");
	json_decref(stats);
	rep = kv_cmd(&C, "GET wx:access_token");
	assert_true(rep && rep->type == REDIS_REPLY_STRING);
	snprintf(first, sizeof first, "%s", rep->str);
	freeReplyObject(rep);

	/* The token expires: 40001, a fresh token, the message still goes. */
	json_decref(fake("POST", "/__expire_token"));
	ok2 = outbox_queue(&C, "wechat", "result_ready", "oNotifyUser-1", json_pack("{s:s,s:s,s:s,s:s,s:s}",
	    "case_no", "YC2026112300012", "hall", "示范区政务服务中心", "window", "8",
	    "hours", "工作日9:00-17:00",
	    "pickup_code", "7731"), "case", "wx", 1);
	wait_row(ok2, "sent", 5000, &s);
	stats = fake("GET", "/__stats");
	assert_int_equal(json_integer_value(json_object_get(stats, "token_rejected")), 1);
	assert_int_equal(json_integer_value(json_object_get(stats, "stable_token")), 2);
	assert_int_equal(json_integer_value(json_object_get(stats, "stable_token_forced")), 0);
	json_decref(stats);
	rep = kv_cmd(&C, "GET wx:access_token");
	assert_true(rep && rep->type == REDIS_REPLY_STRING);
	assert_string_not_equal(rep->str, first);
	freeReplyObject(rep);

	/* Not subscribed: permanent. */
	blocked = outbox_queue(&C, "wechat", "case_rejected", "oBlocked-2", json_pack("{s:s,s:s}", "case_no",
	    "YC2026112300013", "reason", "材料不符合要求"), "case", "wx", 1);
	wait_row(blocked, NULL, 5000, &s);
	assert_string_equal(s.status, "failed");
	assert_string_equal(s.last_error, "WX_43101");
	worker_stop(SIGTERM);
	rep = kv_cmd(&C, "DEL wx:access_token");
	if (rep)
		freeReplyObject(rep);
}

TEST(the_stack_worker_takes_over_again)
{
	char phone[12];
	uint64_t id;
	struct outbox_row s;

	fake_close(&fake_sms);
	stack_worker_start();
	phone_with(phone, "0001");
	id = outbox_queue(&C, "sms", "login_code", phone, json_pack("{s:s}", "code", "102938"), "login", "", 1);
	wait_row(id, "sent", 5000, &s);
	assert_string_equal(s.provider, "log");
}

SUITE_MAIN("notify", group_setup, group_teardown)
