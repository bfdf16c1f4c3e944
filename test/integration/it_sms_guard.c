/*
 * it_sms_guard.c — SMS under hostile and careless use (issue 17), against the live stack:
 *
 *   - the daily budgets of login codes per client address, per hall and for the instance
 *     (small ones set for this run through YICHUANG_CONF_EXTRA), answered 429 with "limit"
 *     and Retry-After, held under real concurrent clients (checked against the outbox rows),
 *     given back when the phone's own limit refuses, and the managers' alerts as a budget
 *     nears and when it is spent;
 *   - a notice that fails for good raises an alert on the manager's dashboard (masked, with
 *     its case), cleared by a resend that goes out or dismissed by a manager;
 *   - a resent appointment notice carries a fresh appointment code (the old one is void);
 *   - nginx bounds the providers' receipt route: body size and rate.
 *
 * Clients come from addresses of their own (127.0.0.x, 127.0.1.x: libcurl binds the source
 * address; nginx sees each as a different client).  Every test puts the hall clock where it
 * needs it; the budgets count per hall day, so each budget test has a day of its own, whose
 * counters it clears first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../modules/notify/outbox.h"
#include "../../modules/shared/pii.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../lib/flows.h"
#include "../lib/stackproc.h"
#include "../lib/race.h"
#include "../lib/steps.h"

#define API "/api/v1"
#define HALL2 "smsg2"

static char manager[128], clerk[128];

/* ------------------------------------------------------------------ helpers */

static long long
max_outbox_id(void)
{
	return db_count(&test_db, "SELECT COALESCE(MAX(id), 0) FROM outbox", NULL);
}

/* A fresh mainland mobile number. */
static void
new_phone(char out[12])
{
	snprintf(out, 12, "137%08u", (unsigned)randombytes_uniform(100000000));
}

/* POST path with body as a client at source address from (NULL: the default). */
static int
post_from(struct resp *out, const char *from, const char *path, const char *body,
    size_t blen)
{
	static const char *const json[] = { "Content-Type: application/json", NULL };
	int rc;

	http_source(from);
	rc = http_bin(out, "POST", path, body, blen, json);
	http_source(NULL);
	return rc;
}

/* POST /auth/sms-code for phone (hall: optional) from address from. */
static void
ask_code(struct resp *r, const char *from, const char *phone, const char *hall)
{
	char body[160];

	if (hall)
		snprintf(body, sizeof body, "{\"phone\":\"%s\",\"purpose\":\"login\",\"hall\":\"%s\"}",
		    phone, hall);
	else
		snprintf(body, sizeof body, "{\"phone\":\"%s\",\"purpose\":\"login\"}", phone);
	assert_int_equal(post_from(r, from, API "/auth/sms-code", body, strlen(body)), 0);
}

static void
code_ok(const char *from, const char *phone, const char *hall)
{
	struct resp r;

	ask_code(&r, from, phone, hall);
	expect_status(&r, 202);
	resp_free(&r);
}

/* 429 RATE_LIMITED by the named daily budget, Retry-After until the hall's midnight. */
static void
code_over_budget(const char *from, const char *phone, const char *hall, const char *limit,
    long until_midnight)
{
	struct resp r;
	char ra[32];

	ask_code(&r, from, phone, hall);
	assert_error(&r, 429, "RATE_LIMITED");
	assert_string_equal(jstr(r.json, "error.limit"), limit);
	assert_non_null(resp_header(&r, "Retry-After", ra, sizeof ra));
	if (labs(strtol(ra, NULL, 10) - until_midnight) > 5)
		fail_msg("Retry-After %s, expected about %ld", ra, until_midnight);
	resp_free(&r);
}

/* The day's budget counters (and alert flags) of the hall clock's day, forgotten. */
static void
budgets_forget(const char *day)
{
	char pattern[64], cursor[32] = "0";
	redisReply *rep, *d;
	size_t i;

	snprintf(pattern, sizeof pattern, "{smsbudget}:*%s*", day);
	do {
		assert_non_null(rep = kv_cmd(&test_db, "SCAN %s MATCH %s COUNT 1000", cursor, pattern));
		snprintf(cursor, sizeof cursor, "%s", rep->element[0]->str);
		for (i = 0; i < rep->element[1]->elements; i++) {
			assert_non_null(d = kv_cmd(&test_db, "DEL %s", rep->element[1]->element[i]->str));
			freeReplyObject(d);
		}
		freeReplyObject(rep);
	} while (strcmp(cursor, "0") != 0);
}

/* Move the hall clock to day at 10:00 and start that day's budgets from nothing. */
static void
day_at_ten(const char *day)
{
	char when[40];

	snprintf(when, sizeof when, "%sT10:00:00+08:00", day);
	assert_int_equal(set_clock(when), 0);
	pause_ms(300);
	budgets_forget(day);
}

/* The open alert of a hall with that key in the manager's figures (a new reference), or
 * NULL. */
static json_t *
alert_of(const char *hall, const char *key)
{
	return get_entry(manager, "alerts", "key", key, API "/halls/%s/stats", hall);
}

/* The same from the table, for a hall whose manager is not ours: its level, or "". */
static void
alert_level(const char *hall, const char *key, char level[16])
{
	level[0] = '\0';
	assert_true(db_scalar(&test_db, "SELECT level FROM hall_alerts WHERE hall = ? AND akey = ?"
	    " AND cleared_at IS NULL", DBARGS(DBS(hall), DBS(key)), level, 16) >= 0);
}

/* ------------------------------------------------------------------ setup */

FIXTURE(group_setup)
{
	if (suite_setup(st) != 0)
		return -1;
	/* Small budgets for this run: 3 codes an address, 8 a hall, 12 the instance a day;
	 * the managers are told at half of a budget. */
	if (app_restart_with("sms_code_address_day = 3\nsms_code_hall_day = 8\n"
	    "sms_code_instance_day = 12\nsms_code_alert_percent = 50") != 0)
		return -1;
	/* A second hall, to tell a hall's budget from the instance's. */
	if (db_exec(&test_db, "INSERT IGNORE INTO halls (code, name, address, phone, timezone)"
	    " VALUES (?, '第二政务服务中心', '测试路1号', '12345', 'Asia/Shanghai')",
	    DBARGS(DBS(HALL2)), NULL, NULL) != 0)
		return -1;
	staff_in("manager1", 0, manager, sizeof manager);
	staff_in("clerk1", 1, clerk, sizeof clerk);
	return 0;
}

FIXTURE(group_teardown)
{
	db_exec(&test_db, "DELETE FROM hall_alerts WHERE hall = ?", DBARGS(DBS(HALL2)), NULL, NULL);
	db_exec(&test_db, "DELETE FROM halls WHERE code = ?", DBARGS(DBS(HALL2)), NULL, NULL);
	app_restart_with(NULL);
	return suite_teardown(st);
}

/* ------------------------------------------------------------------ budgets */

static long long
codes_since(long long mark, const char *hall)
{
	return db_count_with(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'login_code'"
	    " AND hall = ? AND id > ?", DBARGS(DBS(hall), DBI(mark)));
}

/*
 * Three codes a day from one address.  A code the phone's own limit refuses does not use
 * the address's budget; the fourth is refused until midnight, nothing is queued for it, and
 * the refusal is on the audit trail with the address; another address still gets codes.
 */
TEST(address_budget)
{
	char p[5][12];
	struct resp r;
	long long mark;
	long since;
	int i;

	day_at_ten("2026-12-14");
	for (i = 0; i < 5; i++)
		new_phone(p[i]);
	mark = max_outbox_id();
	since = sms_log_size();
	code_ok("127.0.0.31", p[0], NULL);
	/* The same phone within the minute: the phone's limit, not the budget. */
	ask_code(&r, "127.0.0.31", p[0], NULL);
	assert_error(&r, 429, "RATE_LIMITED");
	assert_null(jget(r.json, "error.limit"));
	resp_free(&r);
	code_ok("127.0.0.31", p[1], NULL);
	code_ok("127.0.0.31", p[2], NULL);	/* the third: p[0]'s refusal cost nothing */
	code_over_budget("127.0.0.31", p[3], NULL, "address", 14 * 3600);
	/* Three codes queued, for the demo hall (the default one), and p[3] got none. */
	assert_int_equal(codes_since(mark, "demo"), 3);
	assert_int_equal(sms_log_find_since(since, p[2], "login_code", NULL, 5000), 0);
	assert_int_equal(sms_log_find_since(since, p[3], "login_code", NULL, 500), -1);
	assert_true(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE action = 'citizen.sms_code'"
	    " AND result = 'denied' AND remote_addr = '127.0.0.31'"
	    " AND detail = 'daily budget: client address'", NULL) >= 1);
	/* Another address (another phone user on another network) is not affected. */
	code_ok("127.0.0.32", p[3], NULL);
	/* A hall that does not exist is named: 400, nothing counted. */
	ask_code(&r, "127.0.0.33", p[4], "no-such-hall");
	assert_fields(&r, "hall");
	resp_free(&r);
	/* The next day the address has its three again. */
	day_at_ten("2026-12-15");
	code_ok("127.0.0.31", p[4], NULL);
}

struct racer {
	char		 from[32];
	char		 phone[12];
	const char	*hall;
	long		 status;
	char		 limit[16];
};

static void *
race(void *arg)
{
	struct racer *x = arg;
	struct resp r;

	ask_code(&r, x->from, x->phone, x->hall);
	x->status = r.status;
	if (jstr(r.json, "error.limit"))
		snprintf(x->limit, sizeof x->limit, "%s", jstr(r.json, "error.limit"));
	resp_free(&r);
	return NULL;
}

/* n clients from n addresses ask at once; returns how many got a code. */
static int
rush(int n, const char *hall, const char *limit, int subnet)
{
	struct racer *x = calloc((size_t)n, sizeof *x);
	int i, ok = 0, refused = 0;

	assert_non_null(x);
	for (i = 0; i < n; i++) {
		snprintf(x[i].from, sizeof x[i].from, "127.0.%d.%d", subnet, i + 1);
		new_phone(x[i].phone);
		x[i].hall = hall;
	}
	race_run(n, race, x, sizeof *x);
	for (i = 0; i < n; i++) {
		if (x[i].status == 202)
			ok++;
		else if (x[i].status == 429 && strcmp(x[i].limit, limit) == 0)
			refused++;
		else
			fail_msg("client %d: %ld %s", i, x[i].status, x[i].limit);
	}
	assert_int_equal(ok + refused, n);
	free(x);
	return ok;
}

/*
 * Eight codes a day for a hall, whoever asks: four, and the managers are warned (half the
 * budget); then 24 clients at once from 24 addresses — exactly four more get one, the
 * outbox holds exactly eight, and the warning turns critical.  The other hall still gets
 * codes.  The next day the hall's budget is back and yesterday's alert goes.
 */
TEST(hall_budget_under_a_rush)
{
	char phone[12], from[32], level[16];
	long long mark;
	json_t *a;
	int i;

	day_at_ten("2026-12-16");
	mark = max_outbox_id();
	for (i = 0; i < 3; i++) {
		snprintf(from, sizeof from, "127.0.2.%d", i + 1);
		new_phone(phone);
		code_ok(from, phone, "demo");
	}
	assert_null(alert_of("demo", "sms_budget:2026-12-16"));
	new_phone(phone);
	code_ok("127.0.2.4", phone, NULL);	/* no hall named: the default, demo */
	assert_non_null(a = alert_of("demo", "sms_budget:2026-12-16"));
	assert_string_equal(jstr(a, "level"), "warning");
	assert_true(json_is_true(jget(a, "dismissible")));
	assert_non_null(strstr(jstr(a, "message"), "4 条"));
	json_decref(a);
	/* Not in the other hall's: its own budget is untouched. */
	alert_level(HALL2, "sms_budget:2026-12-16", level);
	assert_string_equal(level, "");

	assert_int_equal(rush(24, "demo", "hall", 3), 4);
	assert_int_equal(codes_since(mark, "demo"), 8);
	assert_non_null(a = alert_of("demo", "sms_budget:2026-12-16"));
	assert_string_equal(jstr(a, "level"), "critical");
	assert_non_null(strstr(jstr(a, "message"), "已用完"));
	json_decref(a);
	code_over_budget("127.0.2.30", phone, "demo", "hall", 14 * 3600);
	new_phone(phone);
	code_ok("127.0.2.31", phone, HALL2);

	/* The next day: codes again, and yesterday's alert is cleared (the worker's
	 * housekeeping, which runs at its start and every minute). */
	day_at_ten("2026-12-17");
	new_phone(phone);
	code_ok("127.0.2.32", phone, "demo");
	assert_int_equal(stack("restart-app"), 0);
	{
		int64_t end = mono_ms() + 10000;

		while ((a = alert_of("demo", "sms_budget:2026-12-16")) != NULL) {
			json_decref(a);
			if (mono_ms() > end)
				fail_msg("yesterday's budget alert is still open");
			pause_ms(200);
		}
	}
}

/*
 * Twelve codes a day for the instance: eight for one hall (its budget), four for the
 * other, then even the other hall is refused — "instance" — and every hall's managers
 * are told.
 */
TEST(instance_budget)
{
	char phone[12], level[16];
	long long mark;
	json_t *a;

	day_at_ten("2026-12-18");
	mark = max_outbox_id();
	assert_int_equal(rush(10, "demo", "hall", 4), 8);
	alert_level(HALL2, "sms_budget_all:2026-12-18", level);	/* 8 of 12: past half */
	assert_string_equal(level, "warning");
	assert_non_null(a = alert_of("demo", "sms_budget_all:2026-12-18"));
	assert_string_equal(jstr(a, "level"), "warning");
	json_decref(a);
	assert_int_equal(rush(8, HALL2, "instance", 5), 4);
	assert_int_equal(codes_since(mark, "demo"), 8);
	assert_int_equal(codes_since(mark, HALL2), 4);
	new_phone(phone);
	code_over_budget("127.0.6.1", phone, HALL2, "instance", 14 * 3600);
	assert_non_null(a = alert_of("demo", "sms_budget_all:2026-12-18"));
	assert_string_equal(jstr(a, "level"), "critical");
	json_decref(a);
	alert_level(HALL2, "sms_budget_all:2026-12-18", level);
	assert_string_equal(level, "critical");
}

/* ------------------------------------------------------------------ dead notices */

static uint64_t
queue(const char *tmpl, const char *phone, json_t *params, const char *ref, const char *extra_sql)
{
	return outbox_queue_sql(&test_db, extra_sql, "sms", tmpl, phone, params, "case", ref, 1);
}

static void
wait_status(uint64_t id, const char *want)
{
	char st[16] = "";
	int64_t end = mono_ms() + 8000;

	for (;;) {
		assert_int_equal(db_scalar(&test_db, "SELECT status FROM outbox WHERE id = ?",
		    DBARGS(DBI(id)), st, sizeof st), 1);
		if (strcmp(st, want) == 0)
			return;
		if (mono_ms() > end)
			fail_msg("outbox %llu is %s, wanted %s", (unsigned long long)id, st, want);
		pause_ms(50);
	}
}

/*
 * A notice that fails for good (a link the template refuses outside a link variable —
 * outbox_add makes other odd characters safe, not links; one never sent within its
 * time) is on the manager's dashboard: what, for which case, to whom (masked), why.  A
 * resend that goes out clears it; a manager can also mark one dealt with.  A verification
 * code that fails raises nothing (the citizen asks again).
 */
TEST(dead_notice_alerts)
{
	char phone[12], mask[16], ref[32], key[40], key2[40], key3[40], path[96], body[96];
	uint64_t bad, late, code;
	struct resp r;
	json_t *a;

	assert_int_equal(set_clock("2026-11-23T10:00:00+08:00"), 0);
	new_phone(phone);
	mask_phone(phone, mask, sizeof mask);
	snprintf(ref, sizeof ref, "DEMO-DEAD-%u", (unsigned)randombytes_uniform(1000000));
	bad = queue("case_rejected", phone, json_pack("{s:s,s:s}", "case_no", ref, "reason",
	    "材料不全，详见 www.example.com"), ref, NULL);
	late = queue("case_approved", phone, json_pack("{s:s,s:s}", "case_no", ref, "item",
	    "个体工商户设立登记"), ref, "UPDATE outbox SET created_at = created_at - INTERVAL 2 DAY"
	    " WHERE id = ?");
	code = queue("login_code", phone, json_pack("{s:s}", "code", "12"), ref, NULL);
	wait_status(bad, "failed");
	wait_status(late, "dropped");
	wait_status(code, "failed");

	snprintf(key, sizeof key, "notice:%llu", (unsigned long long)bad);
	assert_non_null(a = alert_of("demo", key));
	assert_string_equal(jstr(a, "level"), "warning");
	assert_true(json_is_true(jget(a, "dismissible")));
	assert_non_null(strstr(jstr(a, "message"), "「办理结果通知」短信未能送达"));
	assert_non_null(strstr(jstr(a, "message"), ref));
	assert_non_null(strstr(jstr(a, "message"), mask));
	assert_null(strstr(jstr(a, "message"), phone));
	assert_non_null(strstr(jstr(a, "message"), "URL_FORBIDDEN:reason"));
	json_decref(a);
	snprintf(key2, sizeof key2, "notice:%llu", (unsigned long long)late);
	assert_non_null(a = alert_of("demo", key2));
	assert_non_null(strstr(jstr(a, "message"), "EXPIRED"));
	json_decref(a);
	snprintf(key3, sizeof key3, "notice:%llu", (unsigned long long)code);
	assert_null(alert_of("demo", key3));

	/* The late one is resent by a clerk and goes out: its alert is done. */
	snprintf(path, sizeof path, API "/notices/%llu/resend", (unsigned long long)late);
	assert_int_equal(http_json(&r, "POST", path, clerk, NULL), 0);
	expect_status(&r, 201);
	wait_status((uint64_t)jint(r.json, "notice.id"), "sent");
	resp_free(&r);
	{
		int64_t end = mono_ms() + 3000;

		while ((a = alert_of("demo", key2)) != NULL) {
			json_decref(a);
			if (mono_ms() > end)
				fail_msg("the alert of a notice resent and sent is still open");
			pause_ms(100);
		}
	}

	/* The other is dealt with by phone: the manager dismisses it, once; audited. */
	snprintf(body, sizeof body, "{\"key\":\"%s\"}", key);
	expect_refusal("POST", API "/halls/demo/alerts/dismiss", clerk, body, 403, "FORBIDDEN");
	expect_reply("POST", API "/halls/demo/alerts/dismiss", manager, body, 204);
	assert_null(alert_of("demo", key));
	expect_refusal("POST", API "/halls/demo/alerts/dismiss", manager, body, 404, "NOT_FOUND");
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE action = 'alert.dismiss'"
	    " AND target = ?", key), 1);
	/* Another hall's, a system alert, no key. */
	expect_refusal("POST", API "/halls/" HALL2 "/alerts/dismiss", manager,
	    body, 403, "FORBIDDEN");
	expect_refusal("POST", API "/halls/demo/alerts/dismiss", manager,
	    "{\"key\":\"calendar:2027\"}", 422, "ALERT_NOT_DISMISSABLE");
	expect_fields("POST", API "/halls/demo/alerts/dismiss", manager, "{}", "key");
	set_clock(NULL);
}

/* ------------------------------------------------------------------ appointment codes */

static void
appointment_code_sent(long since, const char *phone, char code[8])
{
	json_t *line = NULL;

	if (sms_log_find_since(since, phone, "appointment_booked", &line, 10000) != 0)
		fail_msg("no appointment_booked SMS");
	snprintf(code, 8, "%s", jstr(line, "params.code"));
	assert_int_equal(strlen(code), 6);
	json_decref(line);
}

/*
 * The citizen lost the booking's SMS; staff resend it.  The resent SMS has a new code, the
 * booking shows it, the kiosk takes it — and no longer the old one.  Staff never see either.
 */
TEST(appointment_resend_new_code)
{
	char phone[12], tok[256], kiosk[256], idn[19], body[256], path[160], appt[128];
	char c1[8], c2[8], nid[24] = "", slot[32] = "";
	struct resp r;
	long since;

	assert_int_equal(set_clock("2026-11-23T09:40:00+08:00"), 0);
	pause_ms(300);
	/* This run's budgets are small and the other suites signed citizens in on this day. */
	budgets_forget("2026-11-23");
	new_phone(phone);
	assert_int_equal(citizen_login(phone, tok, sizeof tok), 0);
	free_slot("category=E&date=2026-11-25", slot, sizeof slot);
	make_id(idn, "19800101", (int)randombytes_uniform(1000));
	since = sms_log_size();
	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"category\":\"E\",\"slot\":\"%s\","
	    "\"name\":\"王五\",\"id_number\":\"%s\"}", slot, idn);
	assert_int_equal(http_json(&r, "POST", API "/appointments", tok, body), 0);
	expect_status(&r, 201);
	snprintf(appt, sizeof appt, "%s", jstr(r.json, "appointment.token"));
	resp_free(&r);
	appointment_code_sent(since, phone, c1);

	/* The notice, as staff find it; resent once it is sent. */
	{
		int64_t end = mono_ms() + 8000;

		while (db_scalar(&test_db, "SELECT o.id FROM outbox o JOIN appointments a"
		    " ON o.ref_kind = 'appointment' AND o.ref_id = a.id"
		    " WHERE a.code = ? AND a.hall = 'demo' AND o.template = 'appointment_booked'"
		    " AND o.status = 'sent' ORDER BY o.id DESC LIMIT 1", DBARGS(DBS(c1)), nid,
		    sizeof nid) != 1) {
			assert_true(mono_ms() < end);
			pause_ms(100);
		}
	}
	since = sms_log_size();
	notice_resend_ok(clerk, nid, "预约码******", c1);
	appointment_code_sent(since, phone, c2);
	assert_string_not_equal(c1, c2);

	/* The booking shows the new code. */
	expect_str_at("GET", tok, NULL, 200, "appointment.code", c2, API "/appointments/%s", appt);

	/* At the kiosk on the day: the old code is void, the new one checks in. */
	{
		char when[40];
		int64_t t;

		/* 5 minutes after the slot began: inside the check-in window and the hours. */
		snprintf(when, sizeof when, "2026-11-25T%.2s:%.2s:00+08:00", slot + 11, slot + 13);
		assert_int_equal(time_parse(when, &t), 0);
		time_format(t + 5 * 60, when, sizeof when);
		assert_int_equal(set_clock(when), 0);
		pause_ms(300);
	}
	staff_in("kiosk1", 0, kiosk, sizeof kiosk);
	snprintf(body, sizeof body, "{\"code\":\"%s\"}", c1);
	expect_refusal("POST", API "/halls/demo/appointments/check-in", kiosk,
	    body, 404, "NOT_FOUND");
	snprintf(body, sizeof body, "{\"code\":\"%s\"}", c2);
	expect_reply("POST", API "/halls/demo/appointments/check-in", kiosk,
	    body, 201);
	/* Checked in: a code is no longer needed, nor resent. */
	snprintf(path, sizeof path, API "/notices/%s/resend", nid);
	{
		int64_t end = mono_ms() + 8000;
		long long busy;

		do {	/* the resend must have gone out first */
			busy = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE resend_of = ? AND status"
			    " IN ('pending', 'sending', 'held')", nid);
			if (busy)
				pause_ms(100);
		} while (busy && mono_ms() < end);
	}
	expect_refusal("POST", path, clerk, NULL, 422, "NOT_RESENDABLE");
	set_clock(NULL);
}

/* ------------------------------------------------------------------ receipts' bounds */

struct flood {
	const char	*path;
	int		 ok, limited, other;
};

static void *
flood_run(void *arg)
{
	struct flood *f = arg;
	struct resp r;
	int i;

	for (i = 0; i < 40; i++) {
		if (post_from(&r, "127.0.9.9", f->path, "[]", 2) != 0) {
			f->other++;
			continue;
		}
		if (r.status == 200)
			f->ok++;
		else if (r.status == 429 && jstr(r.json, "error.code") &&
		    strcmp(jstr(r.json, "error.code"), "RATE_LIMITED") == 0)
			f->limited++;
		else
			f->other++;
		resp_free(&r);
	}
	return NULL;
}

/*
 * The receipt route takes at most 256 KiB (413 in the API's shape beyond) and a bounded
 * rate per client address (429 in the API's shape beyond the burst).
 */
TEST(receipt_bounds)
{
	char secret[128], path[256], p2[256];
	struct flood f[8];
	struct resp r;
	char *big;
	size_t n = 300 * 1024, i;
	int ok = 0, limited = 0, other = 0;
	FILE *fp;

	snprintf(p2, sizeof p2, "var/%s/sms-receipt.token", test_instance());
	assert_non_null(fp = fopen(p2, "r"));
	assert_non_null(fgets(secret, sizeof secret, fp));
	fclose(fp);
	secret[strcspn(secret, "\r\n")] = '\0';
	snprintf(path, sizeof path, API "/sms/receipts/aliyun/%s", secret);

	assert_non_null(big = malloc(n));
	big[0] = '[';
	for (i = 1; i < n - 1; i++)
		big[i] = ' ';
	big[n - 1] = ']';
	assert_int_equal(post_from(&r, "127.0.9.8", path, big, n), 0);
	assert_error(&r, 413, "TOO_LARGE");
	resp_free(&r);
	free(big);

	memset(f, 0, sizeof f);
	for (i = 0; i < 8; i++)
		f[i].path = path;
	RACE(8, flood_run, f);
	for (i = 0; i < 8; i++) {
		ok += f[i].ok;
		limited += f[i].limited;
		other += f[i].other;
	}
	/* 320 pushes in a moment: the burst (100) and a few more pass, the rest wait. */
	assert_int_equal(other, 0);
	assert_true(ok >= 100 && ok < 200);
	assert_true(limited > 100);
}

SUITE_MAIN("sms_guard", group_setup, group_teardown)
