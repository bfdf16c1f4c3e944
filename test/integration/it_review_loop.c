/*
 * it_review_loop.c — the review loop closes (issue 19, items 7 and 8), against the live stack:
 *   - a 1- or 2-star review needs a comment (400 naming comment, nothing written);
 *   - the closing SMS of a case and the finish of a served ticket carry a working review link;
 *   - a rectification's fix is checked (复核) by a second person: the one who recorded it is
 *     refused (403), a rejection sends it back, a pass closes it and tells the reviewer by SMS;
 *   - revealing the reviewer's phone is audited with the review it belongs to;
 *   - the overdue job raises the hall's alert once per late task or complaint, also when two
 *     workers run it at once;
 *   - 投诉: a signed-in citizen complains (limits by characters), a manager assigns it, the
 *     assignee answers (no one else but a manager), the citizen gets the SMS and sees it;
 *   - satisfaction per department, window and clerk moves by exactly the reviews given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/http.h"
#include "../lib/stackproc.h"
#include "../lib/expect.h"
#include "../lib/suite.h"
#include "../lib/records.h"
#include "../lib/flows.h"
#include "../lib/steps.h"
#include "../lib/race.h"
#include "../../fcgi/db.h"
#include "../../modules/reviews/reviews.h"

#define HALL "/api/v1/halls/demo"

static char clerk[128], clerk2[128], approver1[128], manager[128], manager2[128];

/* ---------------------------------------------------------------- helpers */

static long long
count1(const char *sql, long long id)
{
	long long n = -1;

	assert_true(db_query(&test_db, sql, DBARGS(DBI(id)), db_count_row, &n) >= 0);
	return n;
}

/* A case accepted at window 1 for IT-B-003 (department scjg) with the applicant's phone;
 * its number and tracking token. */
static void
accept_case(const char *phone, char no[64], char token[96])
{
	char mats[512], body[2048];

	material_codes_text("IT-B-003", 1, 0, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"IT-B-003\",\"materials\":%s,\"applicant\":"
	    "{\"name\":\"周小评\",\"id_number\":\"11010519491231002X\",\"phone\":\"%s\"}}", mats,
	    phone);
	case_post_ok(clerk, body, no, 64, token, 96);
}

/* Accepted, decided, handed over: closed (the closing SMS goes out). */
static void
close_case(const char *no)
{
	case_act_ok(approver1, no, "{\"action\":\"assign\"}", "processing");
	case_act_ok(approver1, no, "{\"action\":\"approve\"}", "approved");
	case_act_ok(clerk, no, "{\"action\":\"ready\"}", "ready");
	case_act_ok(clerk, no, "{\"action\":\"hand_over\",\"identity_checked\":\"id_card\"}",
	    "closed");
}

/* POST with a JSON object body built by the caller (consumed). */
static void
post_json(struct resp *r, const char *path, const char *tok, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT);

	assert_non_null(s);
	assert_int_equal(http_json(r, "POST", path, tok, s), 0);
	free(s);
	json_decref(body);
}

/* post_json that must be refused with this status and error code; the reply is freed. */
static void
post_refused(const char *path, const char *tok, json_t *body, long status, const char *code)
{
	struct resp r;

	post_json(&r, path, tok, body);
	assert_error(&r, status, code);
	resp_free(&r);
}

/* post_json that must be a 400 naming each of fields (assert_fields); the reply is freed. */
static void
post_fields(const char *path, const char *tok, json_t *body, const char *fields)
{
	struct resp r;

	post_json(&r, path, tok, body);
	assert_fields(&r, fields);
	resp_free(&r);
}

static void
review_ok(const char *kind, const char *tok, int score, const char *comment)
{
	struct resp r;

	post_json(&r, "/api/v1/reviews", NULL, comment ? json_pack("{s:s,s:i,s:s}", kind, tok,
	    "score", score, "comment", comment) : json_pack("{s:s,s:i}", kind, tok, "score",
	    score));
	expect_status(&r, 201);
	resp_free(&r);
}

/* The rectification task of a review of case or ticket ref (the newest one). */
static long long
task_of_ref(const char *ref)
{
	long long id = -1;

	assert_true(db_query(&test_db, "SELECT MAX(t.id) FROM review_rectifications t JOIN reviews v"
	    " ON v.id = t.review_id WHERE v.ref = ?", DBARGS(DBS(ref)), db_count_row, &id) >= 0);
	assert_true(id > 0);
	return id;
}

static void
task_call(struct resp *r, const char *method, long long id, const char *what, const char *tok,
    json_t *body)
{
	char path[160];
	char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;

	snprintf(path, sizeof path, HALL "/rectifications/%lld%s", id, what);
	assert_int_equal(http_json(r, method, path, tok, s), 0);
	free(s);
	json_decref(body);
}

/* A visit of day served at window 3 by clerk3, its token "lp<n>…". */
static void
served_ticket(const char *day, int n, char tok[48])
{
	char q[64];

	snprintf(tok, 48, "lp%06u%02dxxxxxxxx", (unsigned)(time(NULL) % 1000000), n);
	snprintf(q, sizeof q, "A9%02d", n);
	assert_int_equal(db_exec(&test_db, "INSERT INTO queue_tickets (token, hall, day, num_cat,"
	    " seq, number, category, priority, line, rank_score, source, status, outcome,"
	    " window_no, clerk, taken_at, called_at, started_at, finished_at, updated_at)"
	    " VALUES (?, 'demo', ?, 'A', (SELECT COALESCE(MAX(x.seq), 0) + 1 FROM queue_tickets x"
	    " WHERE x.hall = 'demo' AND x.day = ? AND x.num_cat = 'A'), ?, 'A', 'normal', 'n', 1,"
	    " 'kiosk', 'done', 'done', 3, (SELECT MIN(id) FROM staff WHERE username = 'clerk3'),"
	    " NOW(), NOW(), NOW(), NOW(), NOW())",
	    DBARGS(DBS(tok), DBS(day), DBS(day), DBS(q)), NULL, NULL), 0);
}

/* ---------------------------------------------------------------- the tests */

/* A 差评 says why: without a comment (or only spaces) 400 naming comment, nothing saved. */
TEST(bad_review_needs_a_comment)
{
	char tok[48];
	struct resp r;

	served_ticket("2026-11-20", 1, tok);
	post_fields("/api/v1/reviews", NULL, json_pack("{s:s,s:i}", "ticket", tok, "score", 1),
	    "comment");
	post_fields("/api/v1/reviews", NULL, json_pack("{s:s,s:i,s:s}", "ticket", tok,
	    "score", 2, "comment", " \u3000 "), "comment");
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM reviews v JOIN queue_tickets q"
	    " ON q.id = v.ticket_id WHERE q.token = ?", tok), 0);
	/* A 3 needs none; a 2 with its reason is taken and opens its task. */
	post_json(&r, "/api/v1/reviews", NULL, json_pack("{s:s,s:i,s:s}", "ticket", tok,
	    "score", 2, "comment", "等候区没有座位"));
	expect_status(&r, 201);
	assert_true(json_is_true(jget(r.json, "review.rectification")));
	resp_free(&r);
}

/* The case's closing SMS carries its review link, which reviews that case. */
TEST(closing_sms_carries_the_review_link)
{
	char phone[12], no[64], tok[96], url[400];
	const char *u, *q;
	json_t *line = NULL;
	struct resp r;
	long since;

	phone_with(phone, "7001");
	accept_case(phone, no, tok);
	since = sms_log_size();
	close_case(no);
	assert_int_equal(sms_log_find_since(since, phone, "case_closed", &line, 15000), 0);
	u = jstr(line, "params.url");
	assert_non_null(u);
	snprintf(url, sizeof url, "%s", u);
	json_decref(line);
	q = strstr(url, "/review.html?case=");
	assert_non_null(q);
	assert_string_equal(q + strlen("/review.html?case="), tok);
	/* The link's token is the credential the review page uses. */
	snprintf(url, sizeof url, "/api/v1/reviews?case=%s", tok);
	assert_int_equal(http_json(&r, "GET", url, NULL, NULL), 0);
	expect_status(&r, 200);
	assert_true(json_is_true(jget(r.json, "reviewable")));
	assert_string_equal(jstr(r.json, "ref"), no);
	resp_free(&r);
}

/* A served visit with a phone gets the review link when the clerk finishes it; a no-show
 * does not. */
TEST(finish_sms_carries_the_review_link)
{
	char kiosk[128], c4[128], phone[12], body[96], tok[48], path[160];
	json_t *line = NULL;
	struct resp r;
	const char *u;
	long since;
	int i;

	assert_int_equal(set_clock("2026-12-08T10:00:00+08:00"), 0);
	assert_int_equal(staff_login("kiosk1", 0, kiosk, sizeof kiosk), 0);
	assert_int_equal(staff_login("clerk4", 4, c4, sizeof c4), 0);
	/* Window 4 (category B) free and its line empty. */
	for (i = 0; i < 200; i++) {
		assert_int_equal(http_json(&r, "POST", "/api/v1/windows/4/finish", c4,
		    "{\"outcome\":\"no_show\"}"), 0);
		resp_free(&r);
		assert_int_equal(http_json(&r, "POST", "/api/v1/windows/4/call-next", c4, NULL), 0);
		if (r.status == 204) {
			resp_free(&r);
			break;
		}
		resp_free(&r);
	}
	phone_with(phone, "7002");
	snprintf(body, sizeof body, "{\"category\":\"B\",\"phone\":\"%s\"}", phone);
	assert_int_equal(http_json(&r, "POST", HALL "/tickets", kiosk, body), 0);
	expect_status(&r, 201);
	snprintf(tok, sizeof tok, "%s", jstr(r.json, "ticket.token"));
	resp_free(&r);
	assert_int_equal(http_json(&r, "POST", "/api/v1/windows/4/call-next", c4, NULL), 0);
	expect_status(&r, 200);
	resp_free(&r);
	since = sms_log_size();
	assert_int_equal(http_json(&r, "POST", "/api/v1/windows/4/finish", c4,
	    "{\"outcome\":\"done\"}"), 0);
	expect_status(&r, 200);
	resp_free(&r);
	assert_int_equal(sms_log_find_since(since, phone, "ticket_finished", &line, 15000), 0);
	u = jstr(line, "params.url");
	assert_non_null(u);
	assert_non_null(strstr(u, "/review.html?ticket="));
	assert_string_equal(strstr(u, "?ticket=") + 8, tok);
	json_decref(line);
	snprintf(path, sizeof path, "/api/v1/reviews?ticket=%s", tok);
	assert_int_equal(http_json(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	assert_true(json_is_true(jget(r.json, "reviewable")));
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox o JOIN queue_tickets t"
	    " ON o.ref_kind = 'ticket' AND o.ref_id = t.id WHERE o.template = 'ticket_finished'"
	    " AND t.token = ?", tok), 1);
	set_clock("2026-11-23T10:00:00+08:00");
}

/*
 * 复核: manager1 records the fix; manager1 may not check it (403, the task stays fixed),
 * nor may a clerk; manager2 sends it back with a reason; manager2's own new fix is checked
 * by manager1, who passes it: closed, and the reviewer gets the outcome SMS.
 */
TEST(fix_is_checked_by_a_second_person)
{
	char phone[12], no[64], tok[96], detail[128];
	json_t *line = NULL;
	struct resp r;
	long long id, review_id = -1;
	long since;

	phone_with(phone, "7003");
	accept_case(phone, no, tok);
	close_case(no);
	review_ok("case", tok, 1, "材料清单前后说法不一");
	id = task_of_ref(no);

	/* The phone on demand, audited with the review it belongs to. */
	task_call(&r, "GET", id, "/contact", clerk, NULL);
	assert_error(&r, 403, "FORBIDDEN");
	resp_free(&r);
	task_call(&r, "GET", id, "/contact", manager, NULL);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "phone"), phone);
	resp_free(&r);
	assert_true(db_query(&test_db, "SELECT review_id FROM review_rectifications WHERE id = ?",
	    DBARGS(DBI(id)), db_count_row, &review_id) >= 0);
	snprintf(detail, sizeof detail, "review:%lld phone", review_id);
	{
		char target[48];

		snprintf(target, sizeof target, "rectification:%lld", id);
		assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE action ="
		    " 'review.contact' AND actor <> '' AND at IS NOT NULL AND target = ?", target), 1);
		assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE action ="
		    " 'review.contact' AND detail = ?", detail), 1);
	}

	/* Not before the fix is recorded. */
	task_call(&r, "POST", id, "/check", manager2, json_pack("{s:s}", "result", "pass"));
	assert_error(&r, 409, "INVALID_TRANSITION");
	resp_free(&r);
	task_call(&r, "PATCH", id, "", manager, json_pack("{s:b,s:s}", "contacted", 1, "cause",
	    "告知单未按事项核对"));
	expect_status(&r, 200);
	resp_free(&r);
	/* The fix goes to the reviewer by SMS: what an SMS cannot carry is refused at the door. */
	task_call(&r, "POST", id, "/close", manager, json_pack("{s:s}", "fix",
	    "详见 https://example.cn/fix"));
	assert_fields(&r, "fix");
	resp_free(&r);
	task_call(&r, "PATCH", id, "", manager, json_pack("{s:s}", "fix", "【整改】告知单"));
	assert_fields(&r, "fix");
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM review_rectifications WHERE id = ?"
	    " AND status = 'open' AND fix = ''", id), 1);
	task_call(&r, "POST", id, "/close", manager, json_pack("{s:s}", "fix", "告知单逐项核对后出具"));
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "rectification.status"), "fixed");
	assert_non_null(jstr(r.json, "rectification.fixed_at"));
	assert_true(json_is_true(jget(r.json, "rectification.fixed_by_me")));
	resp_free(&r);

	/* The fixer cannot check it; a clerk cannot either. */
	task_call(&r, "POST", id, "/check", manager, json_pack("{s:s}", "result", "pass"));
	assert_error(&r, 403, "FORBIDDEN");
	resp_free(&r);
	task_call(&r, "POST", id, "/check", clerk, json_pack("{s:s}", "result", "pass"));
	assert_error(&r, 403, "FORBIDDEN");
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM review_rectifications WHERE id = ?"
	    " AND status = 'fixed' AND closed_at IS NULL", id), 1);
	/* A fixed task is not editable, and does not count as rectified yet. */
	task_call(&r, "PATCH", id, "", manager2, json_pack("{s:s}", "fix", "x"));
	assert_error(&r, 409, "INVALID_TRANSITION");
	resp_free(&r);

	/* Rejected: needs a reason, then back to open. */
	task_call(&r, "POST", id, "/check", manager2, json_pack("{s:s}", "result", "reject"));
	assert_fields(&r, "note");
	resp_free(&r);
	task_call(&r, "POST", id, "/check", manager2, json_pack("{s:s,s:s}", "result", "reject",
	    "note", "还需当面回访申请人"));
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "rectification.status"), "open");
	assert_int_equal(jint(r.json, "rectification.rejections"), 1);
	assert_string_equal(jstr(r.json, "rectification.check_note"), "还需当面回访申请人");
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM outbox WHERE template = 'review_rectified'"
	    " AND ref_kind = 'rectification' AND ref_id = ?", id), 0);

	/* manager2 records the new fix; manager1 checks it now. */
	task_call(&r, "POST", id, "/close", manager2, json_pack("{s:s}", "fix",
	    "已当面回访并致歉，告知单逐项核对"));
	expect_status(&r, 200);
	resp_free(&r);
	task_call(&r, "POST", id, "/check", manager2, json_pack("{s:s}", "result", "pass"));
	assert_error(&r, 403, "FORBIDDEN");
	resp_free(&r);
	since = sms_log_size();
	task_call(&r, "POST", id, "/check", manager, json_pack("{s:s}", "result", "pass"));
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "rectification.status"), "closed");
	assert_true(json_is_true(jget(r.json, "rectification.outcome_sms")));
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM review_rectification_history WHERE task_id = ?"
	    " AND action IN ('fix', 'check_reject', 'check_pass')", id), 4);
	assert_int_equal(sms_log_find_since(since, phone, "review_rectified", &line, 15000), 0);
	assert_non_null(strstr(jstr(line, "params.subject"), no));
	json_decref(line);
	task_call(&r, "POST", id, "/check", manager2, json_pack("{s:s,s:s}", "result", "reject",
	    "note", "x"));
	assert_error(&r, 409, "INVALID_TRANSITION");
	resp_free(&r);
}

/* Two managers pass the same fix at the same moment: one wins, the other is told (409); one
 * close in the record, one history row, one SMS to the reviewer. */
TEST(two_checkers_at_once)
{
	char phone[12], no[64], tok[96], admin[128], path[160];
	struct shot k[2];
	struct resp r;
	long long id;
	int i;

	assert_int_equal(staff_login("admin", 0, admin, sizeof admin), 0);
	phone_with(phone, "7008");
	accept_case(phone, no, tok);
	close_case(no);
	review_ok("case", tok, 2, "等了很久");
	id = task_of_ref(no);
	task_call(&r, "PATCH", id, "", manager, json_pack("{s:b,s:s,s:s}", "contacted", 1,
	    "cause", "高峰期窗口不足", "fix", "高峰期加开窗口"));
	expect_status(&r, 200);
	resp_free(&r);
	task_call(&r, "POST", id, "/close", manager, json_pack("{}"));
	expect_status(&r, 200);
	resp_free(&r);

	snprintf(path, sizeof path, HALL "/rectifications/%lld/check", id);
	memset(k, 0, sizeof k);
	k[0].token = manager2;
	k[1].token = admin;
	for (i = 0; i < 2; i++) {
		k[i].path = path;
		k[i].body = "{\"result\":\"pass\"}";
	}
	race_http(k, 2);
	assert_int_equal(shots_with(k, 2, 200), 1);
	assert_int_equal(shots_with(k, 2, 409), 1);
	assert_int_equal(count1("SELECT COUNT(*) FROM review_rectifications WHERE id = ?"
	    " AND status = 'closed'", id), 1);
	assert_int_equal(count1("SELECT COUNT(*) FROM review_rectification_history WHERE task_id = ?"
	    " AND action = 'check_pass'", id), 1);
	assert_int_equal(count1("SELECT COUNT(*) FROM outbox WHERE template = 'review_rectified'"
	    " AND ref_kind = 'rectification' AND ref_id = ?", id), 1);
}

struct job_arg {
	int rc;
};

static void *
job_main(void *arg)
{
	struct job_arg *a = arg;
	struct ctx c;

	ctx_init(&c, 90);
	a->rc = job_reviews_overdue(&c);
	ctx_close(&c);
	return NULL;
}

/* Run the overdue job in two threads at once (two workers), each with its connections. */
static void
run_job_twice_at_once(void)
{
	struct job_arg a[2];
	int i;

	RACE(2, job_main, a);
	for (i = 0; i < 2; i++)
		assert_int_equal(a[i].rc, 0);
}

static long long
alert_count(const char *key)
{
	return db_count(&test_db, "SELECT COUNT(*) FROM hall_alerts WHERE hall = 'demo'"
	    " AND akey = ? AND cleared_at IS NULL", key);
}

/* A late task and a late complaint: one alert each however often and however many workers
 * run the job; the answer clears the complaint's. */
TEST(overdue_job_alerts_once)
{
	char tok[48], key[48], citizen[128], phone[12], path[160];
	struct resp r;
	long long id, cid;

	assert_int_equal(set_clock("2026-11-23T10:00:00+08:00"), 0);
	served_ticket("2026-11-20", 2, tok);
	review_ok("ticket", tok, 1, "叫号后窗口没人");
	id = -1;
	assert_true(db_query(&test_db, "SELECT t.id FROM review_rectifications t JOIN reviews v ON"
	    " v.id = t.review_id JOIN queue_tickets q ON q.id = v.ticket_id WHERE q.token = ?",
	    DBARGS(DBS(tok)), db_count_row, &id) >= 0);
	assert_true(id > 0);
	phone_with(phone, "7004");
	assert_int_equal(citizen_login(phone, citizen, sizeof citizen), 0);
	post_json(&r, "/api/v1/complaints", citizen, json_pack("{s:s,s:s,s:s}", "hall", "demo",
	    "about", "hall", "text", "自助取号机坏了一上午没人修"));
	expect_status(&r, 201);
	cid = jint(r.json, "complaint.id");
	assert_string_equal(jstr(r.json, "complaint.deadline"), "2026-11-30");
	resp_free(&r);

	/* Not late yet: nothing. */
	assert_int_equal(job_reviews_overdue(&test_db), 0);
	snprintf(key, sizeof key, "rectification:%lld", id);
	assert_int_equal(alert_count(key), 0);

	/* Late: once, with two workers and again. */
	assert_int_equal(set_clock("2026-12-02T10:00:00+08:00"), 0);
	run_job_twice_at_once();
	assert_int_equal(job_reviews_overdue(&test_db), 0);
	assert_int_equal(alert_count(key), 1);
	assert_int_equal(count1("SELECT COUNT(*) FROM review_rectification_history WHERE"
	    " task_id = ? AND action = 'overdue'", id), 1);
	snprintf(key, sizeof key, "complaint:%lld", cid);
	assert_int_equal(alert_count(key), 1);
	assert_int_equal(count1("SELECT COUNT(*) FROM complaint_history WHERE complaint = ?"
	    " AND action = 'overdue'", cid), 1);
	/* On the dashboard's alerts. */
	assert_int_equal(http_json(&r, "GET", HALL "/stats", manager, NULL), 0);
	expect_status(&r, 200);
	assert_non_null(strstr(r.body, key));
	resp_free(&r);

	/* Answered late: the alert clears, the complaint says late. */
	snprintf(path, sizeof path, HALL "/complaints/%lld/answer", cid);
	post_json(&r, path, manager, json_pack("{s:s}", "answer", "取号机已于当日修复，并增加巡检"));
	expect_status(&r, 200);
	assert_true(json_is_true(jget(r.json, "complaint.late")));
	resp_free(&r);
	assert_int_equal(alert_count(key), 0);
	assert_int_equal(job_reviews_overdue(&test_db), 0);
	assert_int_equal(alert_count(key), 0);
	set_clock("2026-11-23T10:00:00+08:00");
}

/* 投诉 from the phone: limits by characters, only the citizen's own case, 401/403 for others;
 * assigned by a manager, answered by the assignee alone (or a manager), told by SMS. */
TEST(complaint_is_assigned_and_answered)
{
	char phone[12], other_phone[12], citizen[128], other[128], no[64], tok[96], path[160];
	char clerk1_id[24], five[64], big[2100];
	json_t *line = NULL, *c;
	struct resp r;
	long long id, before;
	long since;
	size_t i;

	assert_int_equal(set_clock("2026-11-23T10:00:00+08:00"), 0);
	phone_with(phone, "7005");
	phone_with(other_phone, "7006");
	assert_int_equal(citizen_login(phone, citizen, sizeof citizen), 0);
	assert_int_equal(citizen_login(other_phone, other, sizeof other), 0);
	accept_case(phone, no, tok);

	/* Who may complain. */
	post_refused("/api/v1/complaints", NULL, json_pack("{s:s,s:s,s:s}", "hall", "demo",
	    "about", "hall", "text", "大厅空调太冷了"), 401, "UNAUTHENTICATED");
	post_refused("/api/v1/complaints", clerk, json_pack("{s:s,s:s,s:s}", "hall", "demo",
	    "about", "hall", "text", "大厅空调太冷了"), 403, "FORBIDDEN");

	before = db_count(&test_db, "SELECT COUNT(*) FROM complaints WHERE hall = ?", "demo");
	/* Limits by characters: 4 Chinese characters (12 bytes) are too few, 5 enough; 501 too
	 * many (while 500 four-byte characters fit). */
	post_fields("/api/v1/complaints", citizen, json_pack("{s:s,s:s,s:s}", "hall", "demo",
	    "about", "hall", "text", "太慢了吧"), "text");
	for (i = 0; i < 501; i++)
		memcpy(big + i * 3, "慢", 3);
	big[501 * 3] = '\0';
	post_fields("/api/v1/complaints", citizen, json_pack("{s:s,s:s,s:s}", "hall", "demo",
	    "about", "hall", "text", big), "text");
	/* What it is about must be named rightly. */
	post_fields("/api/v1/complaints", citizen, json_pack("{s:s,s:s,s:s,s:s}", "hall",
	    "demo", "about", "hall", "ref", "A001", "text", "大厅空调太冷了"), "ref");
	post_fields("/api/v1/complaints", citizen, json_pack("{s:s,s:s,s:s,s:s}", "hall",
	    "demo", "about", "ticket", "ref", "12", "text", "叫号后窗口没人"), "ref");
	/* Someone else's case is not theirs to name. */
	post_fields("/api/v1/complaints", other, json_pack("{s:s,s:s,s:s,s:s}", "hall",
	    "demo", "about", "case", "ref", no, "text", "办件拖了很久没有结果"), "ref");
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM complaints WHERE hall = ?",
	    "demo"), before);

	snprintf(five, sizeof five, "办件太慢了");
	post_json(&r, "/api/v1/complaints", citizen, json_pack("{s:s,s:s,s:s,s:s}", "hall",
	    "demo", "about", "case", "ref", no, "text", five));
	expect_status(&r, 201);
	id = jint(r.json, "complaint.id");
	assert_string_equal(jstr(r.json, "complaint.status"), "open");
	assert_string_equal(jstr(r.json, "complaint.text"), five);
	assert_string_equal(jstr(r.json, "complaint.deadline"), "2026-11-30");
	resp_free(&r);

	/* The other citizen does not see it; the clerk does not until it is theirs. */
	assert_int_equal(http_json(&r, "GET", "/api/v1/me/complaints", other, NULL), 0);
	expect_status(&r, 200);
	json_array_foreach(jget(r.json, "complaints"), i, c)
		assert_true(jint(c, "id") != id);
	resp_free(&r);
	assert_int_equal(http_json(&r, "GET", HALL "/complaints?status=all", clerk, NULL), 0);
	expect_status(&r, 200);
	json_array_foreach(jget(r.json, "complaints"), i, c)
		assert_true(jint(c, "id") != id);
	resp_free(&r);

	/* Assigned by a manager only, to staff of the hall. */
	assert_int_equal(db_scalar(&test_db, "SELECT id FROM staff WHERE hall = 'demo' AND"
	    " username = 'clerk1'", DBNOARGS, clerk1_id, sizeof clerk1_id), 1);
	snprintf(path, sizeof path, HALL "/complaints/%lld/assign", id);
	post_refused(path, clerk, json_pack("{s:s}", "assignee", "clerk1"), 403, "FORBIDDEN");
	post_fields(path, manager, json_pack("{s:s}", "assignee", "nobody-here"), "assignee");
	post_json(&r, path, manager, json_pack("{s:s}", "assignee", "clerk1"));
	expect_strs(&r, 200, "complaint.status", "assigned", "complaint.assignee_name", "王晓明",
	    NULL);
	assert_int_equal(jint(r.json, "complaint.assigned_to"), strtoll(clerk1_id, NULL, 10));
	assert_false(json_is_true(jget(r.json, "complaint.mine")));
	resp_free(&r);
	/* Now on the clerk's own list, marked theirs. */
	assert_int_equal(http_json(&r, "GET", HALL "/complaints", clerk, NULL), 0);
	expect_status(&r, 200);
	{
		int seen = 0;

		json_array_foreach(jget(r.json, "complaints"), i, c)
			if (jint(c, "id") == id) {
				seen = 1;
				assert_true(json_is_true(json_object_get(c, "mine")));
			}
		assert_true(seen);
	}
	resp_free(&r);

	/* Answered by the assignee, not by another clerk. */
	snprintf(path, sizeof path, HALL "/complaints/%lld/answer", id);
	post_refused(path, clerk2, json_pack("{s:s}", "answer", "已联系审批部门加快办理"), 403,
	    "FORBIDDEN");
	post_fields(path, clerk, json_pack("{s:s}", "answer", "详情见 www.example.cn 公告"),
	    "answer");
	post_fields(path, clerk, json_pack("{s:s}", "answer", "太短"), "answer");
	since = sms_log_size();
	post_json(&r, path, clerk, json_pack("{s:s}", "answer", "已联系审批部门，本周内办结"));
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "complaint.status"), "answered");
	assert_false(json_is_true(jget(r.json, "complaint.late")));
	resp_free(&r);
	post_refused(path, clerk, json_pack("{s:s}", "answer", "再答复一次试试"), 409,
	    "INVALID_TRANSITION");
	assert_int_equal(sms_log_find_since(since, phone, "complaint_answered", &line, 15000), 0);
	assert_non_null(strstr(jstr(line, "params.answer"), "本周内办结"));
	json_decref(line);
	assert_int_equal(http_json(&r, "GET", "/api/v1/me/complaints", citizen, NULL), 0);
	expect_status(&r, 200);
	c = json_array_get(jget(r.json, "complaints"), 0);
	assert_int_equal(jint(c, "id"), id);
	assert_string_equal(jstr(c, "status"), "answered");
	assert_string_equal(jstr(c, "answer"), "已联系审批部门，本周内办结");
	assert_string_equal(jstr(c, "ref"), no);
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM complaint_history WHERE complaint = ?", id), 3);
}

/* A group of by_<what> whose member key equals v (string or integer), or NULL. */
static json_t *
group_of(json_t *o, const char *list, const char *key, const char *v)
{
	json_t *g;
	size_t i;
	char s[48];

	json_array_foreach(json_object_get(o, list), i, g) {
		json_t *k = json_object_get(g, key);

		if (json_is_integer(k))
			snprintf(s, sizeof s, "%lld", (long long)json_integer_value(k));
		else
			snprintf(s, sizeof s, "%s", json_is_string(k) ? json_string_value(k) : "");
		if (strcmp(s, v) == 0)
			return g;
	}
	return NULL;
}

static long long
gint(json_t *g, const char *m)
{
	return g ? json_integer_value(json_object_get(g, m)) : 0;
}

/* Satisfaction per department, window and clerk moves by exactly the reviews given (on a
 * day of its own: it_stats rebuilds 2026-10-14 from generated rows). */
TEST(satisfaction_per_department_window_and_clerk)
{
	char phone[12], no1[64], tok1[96], no2[64], tok2[96], clerk1_id[24], t3[48];
	char clerk3_id[24];
	json_t *a, *b;
	struct resp r;

	assert_int_equal(set_clock("2026-10-29T10:00:00+08:00"), 0);
	assert_int_equal(http_json(&r, "GET", HALL "/satisfaction", clerk, NULL), 0);
	assert_error(&r, 403, "FORBIDDEN");
	resp_free(&r);
	expect_fields("GET", HALL "/satisfaction?from=2026-10-29&to=2026-10-01",
	    manager, NULL, "to");
	assert_int_equal(http_json(&r, "GET", HALL "/satisfaction", manager, NULL), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "from"), "2026-10-29");
	a = json_incref(r.json);
	resp_free(&r);

	phone_with(phone, "7007");
	accept_case(phone, no1, tok1);
	close_case(no1);
	accept_case(phone, no2, tok2);
	close_case(no2);
	served_ticket("2026-10-29", 3, t3);
	review_ok("case", tok1, 5, NULL);
	review_ok("case", tok2, 1, "窗口解释不清");
	review_ok("ticket", t3, 4, NULL);

	assert_int_equal(http_json(&r, "GET", HALL "/satisfaction?from=2026-10-29&to=2026-10-29",
	    manager, NULL), 0);
	expect_status(&r, 200);
	b = r.json;
	/* Department scjg: the two cases (the visit recorded no case). */
	assert_int_equal(gint(group_of(b, "by_department", "department", "scjg"), "total") -
	    gint(group_of(a, "by_department", "department", "scjg"), "total"), 2);
	assert_int_equal(gint(group_of(b, "by_department", "department", "scjg"), "satisfied") -
	    gint(group_of(a, "by_department", "department", "scjg"), "satisfied"), 1);
	assert_int_equal(gint(group_of(b, "by_department", "department", "scjg"), "bad") -
	    gint(group_of(a, "by_department", "department", "scjg"), "bad"), 1);
	assert_string_equal(jstr(group_of(b, "by_department", "department", "scjg"), "name"),
	    "市场监督管理局");
	/* Window 1 (the cases' accepting window), window 3 (the visit). */
	assert_int_equal(gint(group_of(b, "by_window", "window", "1"), "total") -
	    gint(group_of(a, "by_window", "window", "1"), "total"), 2);
	assert_int_equal(gint(group_of(b, "by_window", "window", "3"), "satisfied") -
	    gint(group_of(a, "by_window", "window", "3"), "satisfied"), 1);
	/* Clerk1 accepted both cases; clerk3 served the visit. */
	assert_int_equal(db_scalar(&test_db, "SELECT id FROM staff WHERE hall = 'demo' AND"
	    " username = 'clerk1'", DBNOARGS, clerk1_id, sizeof clerk1_id), 1);
	assert_int_equal(db_scalar(&test_db, "SELECT id FROM staff WHERE hall = 'demo' AND"
	    " username = 'clerk3'", DBNOARGS, clerk3_id, sizeof clerk3_id), 1);
	assert_int_equal(gint(group_of(b, "by_clerk", "clerk", clerk1_id), "total") -
	    gint(group_of(a, "by_clerk", "clerk", clerk1_id), "total"), 2);
	assert_int_equal(gint(group_of(b, "by_clerk", "clerk", clerk3_id), "total") -
	    gint(group_of(a, "by_clerk", "clerk", clerk3_id), "total"), 1);
	/* The rate is satisfied / total of the group. */
	{
		json_t *g = group_of(b, "by_clerk", "clerk", clerk1_id);
		double want = (double)gint(g, "satisfied") / (double)gint(g, "total");
		double got = json_real_value(json_object_get(g, "satisfaction_rate"));

		assert_true(got > want - 0.0001 && got < want + 0.0001);
	}
	json_decref(a);
	resp_free(&r);
	set_clock("2026-11-23T10:00:00+08:00");
}

FIXTURE(setup)
{
	static const struct signer who[] = {
		STAFF("clerk1", 1, clerk), STAFF("clerk2", 2, clerk2),
		STAFF("approver1", 0, approver1), STAFF("manager1", 0, manager),
		NEW_STAFF("manager2", "林复核", "manager", NULL, 0, manager2),
	};

	return suite_sign_in(st, "2026-11-23T10:00:00+08:00", who);
}

SUITE_MAIN("review_loop", setup, suite_teardown)
