/*
 * it_reviews.c — 好差评 against the live stack: a review of a finished visit (一次一评) and of
 * a closed case (一事一评) by whoever holds the token, once; a bad review opening a
 * rectification task with a deadline in working days (none, and a hall alert, when the year's
 * holidays are not loaded); the manager's contact / cause / fix / close; overdue tasks.
 *
 * The visits and cases reviewed are written straight into MariaDB (the mariadb client as root
 * over the instance's socket) in the states the queue and the cases modules leave them in.
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

#include "../lib/suite.h"
#include "../lib/http.h"
#include "../lib/stackproc.h"

static char mgr[128];
static char run[16];	/* this run's mark in tokens and case numbers */

static void
sql(const char *stmt)
{
	char path[128], cmd[512];
	FILE *f;

	snprintf(path, sizeof path, "var/%s/it-reviews.sql", test_instance());
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "SET NAMES utf8mb4;\n%s\n", stmt);
	fclose(f);
	snprintf(cmd, sizeof cmd, "mariadb --socket=var/%s/run/mysql.sock -uroot yichuang < %s",
	    test_instance(), path);
	assert_int_equal(system(cmd), 0);
}

/* A ticket of 2026-09-01 in the given state; its token is "rv<run><n>". */
static void
ticket(int n, const char *status, const char *outcome, char *tok, size_t tsz)
{
	char q[1600];

	snprintf(tok, tsz, "rv%s%02d", run, n);
	snprintf(q, sizeof q, "INSERT INTO queue_tickets (token, hall, day, num_cat, seq, number,"
	    " category, priority, line, rank_score, source, status, outcome, window_no, clerk,"
	    " taken_at, called_at, started_at, finished_at, updated_at) VALUES ('%s', 'demo',"
	    " '2026-09-01', 'A', (SELECT COALESCE(MAX(q.seq), 0) + 1 FROM queue_tickets q"
	    " WHERE q.hall = 'demo' AND q.day = '2026-09-01' AND q.num_cat = 'A'), 'A%03d', 'A',"
	    " 'normal', 'n', 1, 'kiosk', '%s', %s%s%s, %s, %s, '2026-09-01 09:00:00', %s, %s, %s,"
	    " '2026-09-01 09:00:00');", tok, n, status, outcome ? "'" : "",
	    outcome ? outcome : "NULL", outcome ? "'" : "", outcome ? "3" : "NULL",
	    outcome ? "'3'" : "NULL", outcome ? "'2026-09-01 09:10:00'" : "NULL",
	    outcome && strcmp(outcome, "done") == 0 ? "'2026-09-01 09:11:00'" : "NULL",
	    outcome ? "'2026-09-01 09:20:00'" : "NULL");
	sql(q);
}

/* A case in the given status with a tracking token "rvc<run><n>…" (≥ 16 characters). */
static void
kase(int n, const char *status, char *tok, size_t tsz)
{
	char q[2000], no[48];

	snprintf(tok, tsz, "rvcase%s%02dxxxxxxxxxx", run, n);
	snprintf(no, sizeof no, "RVTEST-%s-%02d", run, n);
	snprintf(q, sizeof q, "INSERT INTO cases (no, hall, channel, item, title, status,"
	    " applicant_name_enc, applicant_name_mask, applicant_id_enc, applicant_id_hash,"
	    " applicant_id_mask, applicant_phone_enc, applicant_phone_hash, applicant_phone_mask,"
	    " window_no, accepted_at, promised_days, deadline, closed_at, created_at, updated_at)"
	    " VALUES ('%s', 'demo', 'window', 'IT-B-001', '测试办件', '%s', 'x', '张*', 'x',"
	    " SHA2('%s', 256), 'x', 'x', SHA2('%s', 256), 'x', 2, '2026-09-01 10:00:00', 5,"
	    " '2026-09-08', %s, '2026-09-01 10:00:00', '2026-09-01 10:00:00');"
	    " INSERT INTO case_parts (case_id, seq, item, department, promised_days)"
	    " VALUES (LAST_INSERT_ID(), 1, 'IT-B-001', 'scjg', 5);"
	    " INSERT INTO case_tracking (token_hash, case_id, token_enc, created_at)"
	    " SELECT SHA2('%s', 256), id, 'x', NOW() FROM cases WHERE no = '%s';",
	    no, status, no, no, strcmp(status, "closed") == 0 ? "'2026-09-10 10:00:00'" : "NULL",
	    tok, no);
	sql(q);
}

static void
review(struct resp *r, const char *kind, const char *tok, int score, const char *extra)
{
	char body[600];

	snprintf(body, sizeof body, "{\"%s\":\"%s\",\"score\":%d%s}", kind, tok, score,
	    extra ? extra : "");
	assert_int_equal(http_json(r, "POST", "/api/v1/reviews", NULL, body), 0);
}

static void expect(struct resp *r, long status, const char *code);

/* GET /reviews?<kind>=<tok>, expected to answer 200. */
static void
get_review(struct resp *r, const char *kind, const char *tok)
{
	char path[200];

	snprintf(path, sizeof path, "/api/v1/reviews?%s=%s", kind, tok);
	assert_int_equal(http_json(r, "GET", path, NULL, NULL), 0);
	expect(r, 200, NULL);
}

static void
expect(struct resp *r, long status, const char *code)
{
	if (r->status != status || (code && (jstr(r->json, "error.code") == NULL ||
	    strcmp(jstr(r->json, "error.code"), code) != 0)))
		fprintf(stderr, "expected %ld %s, got %ld: %s\n", status, code ? code : "",
		    r->status, r->body ? r->body : "");
	assert_int_equal(r->status, status);
	if (code)
		assert_string_equal(jstr(r->json, "error.code"), code);
}

TEST(review_visit)
{
	char done[48], waiting[48], noshow[48];
	struct resp r;

	ticket(1, "done", "done", done, sizeof done);
	ticket(2, "waiting", NULL, waiting, sizeof waiting);
	ticket(3, "done", "no_show", noshow, sizeof noshow);

	/* Bad input: every bad field named at once. */
	assert_int_equal(http_json(&r, "POST", "/api/v1/reviews", NULL,
	    "{\"score\":6,\"indicators\":{\"attitude\":0,\"mood\":3},\"comment\":7}"), 0);
	expect(&r, 400, "INVALID_INPUT");
	assert_non_null(jget(r.json, "error.fields.score"));
	assert_non_null(jget(r.json, "error.fields.ticket"));
	assert_non_null(jget(r.json, "error.fields.indicators.attitude") ?
	    jget(r.json, "error.fields.indicators.attitude") :
	    json_object_get(jget(r.json, "error.fields"), "indicators.attitude"));
	assert_non_null(json_object_get(jget(r.json, "error.fields"), "indicators.mood"));
	assert_non_null(jget(r.json, "error.fields.comment"));
	resp_free(&r);

	/* Unknown token, a visit not over yet, a no-show: nothing to review. */
	review(&r, "ticket", "nosuchticket0000", 5, NULL);
	expect(&r, 404, "NOT_FOUND");
	resp_free(&r);
	review(&r, "ticket", waiting, 5, NULL);
	expect(&r, 422, "NOT_REVIEWABLE");
	resp_free(&r);
	review(&r, "ticket", noshow, 5, NULL);
	expect(&r, 422, "NOT_REVIEWABLE");
	resp_free(&r);

	/* Before: the page can tell which visits may be reviewed, and asks for a token. */
	assert_int_equal(http_json(&r, "GET", "/api/v1/reviews", NULL, NULL), 0);
	expect(&r, 400, "INVALID_INPUT");
	assert_non_null(jget(r.json, "error.fields.ticket"));
	resp_free(&r);
	assert_int_equal(http_json(&r, "GET", "/api/v1/reviews?ticket=nosuchticket0000", NULL,
	    NULL), 0);
	expect(&r, 404, "NOT_FOUND");
	resp_free(&r);
	get_review(&r, "ticket", waiting);
	assert_false(json_is_true(jget(r.json, "reviewable")));
	assert_true(json_is_null(jget(r.json, "review")));
	resp_free(&r);
	get_review(&r, "ticket", done);
	assert_true(json_is_true(jget(r.json, "reviewable")));
	assert_true(json_is_null(jget(r.json, "review")));
	resp_free(&r);

	/* The holder of a finished visit's token reviews it, once (一次一评). */
	review(&r, "ticket", done, 5, ",\"comment\":\"窗口服务很耐心\",\"channel\":\"tablet\","
	    "\"indicators\":{\"attitude\":5,\"efficiency\":4,\"competence\":5,\"convenience\":4}");
	expect(&r, 201, NULL);
	assert_string_equal(jstr(r.json, "review.kind"), "ticket");
	assert_string_equal(jstr(r.json, "review.ref"), "A001");
	assert_false(json_is_true(jget(r.json, "review.rectification")));
	resp_free(&r);
	review(&r, "ticket", done, 1, ",\"comment\":\"再评一次\"");
	expect(&r, 409, "ALREADY_REVIEWED");
	resp_free(&r);

	/* After: the review given, as given (and the second try changed nothing). */
	get_review(&r, "ticket", done);
	assert_false(json_is_true(jget(r.json, "reviewable")));
	assert_int_equal(jint(r.json, "review.score"), 5);
	assert_string_equal(jstr(r.json, "review.score_label"), "非常满意");
	assert_string_equal(jstr(r.json, "review.comment"), "窗口服务很耐心");
	assert_int_equal(jint(r.json, "review.indicators.efficiency"), 4);
	assert_null(json_object_get(jget(r.json, "review.indicators"), "transparency"));
	assert_false(json_is_true(jget(r.json, "review.rectification")));
	resp_free(&r);
}

static json_t *
task_of(json_t *list, const char *ref)
{
	size_t i;

	for (i = 0; i < json_array_size(list); i++)
		if (strcmp(jstr(json_array_get(list, i), "ref"), ref) == 0)
			return json_array_get(list, i);
	return NULL;
}

TEST(bad_review_rectified)
{
	char closed[64], open[64], ref[48], path[160], body[300], clerk[128];
	struct resp r;
	json_t *t;
	long long id;

	kase(1, "closed", closed, sizeof closed);
	kase(2, "processing", open, sizeof open);
	snprintf(ref, sizeof ref, "RVTEST-%s-01", run);

	review(&r, "case", open, 2, ",\"comment\":\"还没办完\"");
	expect(&r, 422, "NOT_REVIEWABLE");
	resp_free(&r);

	/* Monday 2026-11-23: five working days on is Monday 2026-11-30. */
	assert_int_equal(set_clock("2026-11-23T10:00:00+08:00"), 0);
	review(&r, "case", closed, 1, ",\"comment\":\"材料被退回三次，每次说法不一样\"");
	expect(&r, 201, NULL);
	assert_string_equal(jstr(r.json, "review.kind"), "case");
	assert_string_equal(jstr(r.json, "review.ref"), ref);
	assert_true(json_is_true(jget(r.json, "review.rectification")));
	assert_string_equal(jstr(r.json, "review.rectification_deadline"), "2026-11-30");
	resp_free(&r);
	review(&r, "case", closed, 5, NULL);	/* 一事一评 */
	expect(&r, 409, "ALREADY_REVIEWED");
	resp_free(&r);
	get_review(&r, "case", closed);
	assert_int_equal(jint(r.json, "review.score"), 1);
	assert_true(json_is_true(jget(r.json, "review.rectification")));
	assert_string_equal(jstr(r.json, "review.deadline"), "2026-11-30");
	assert_true(json_is_null(jget(r.json, "review.contacted_at")));
	resp_free(&r);
	get_review(&r, "case", open);
	assert_false(json_is_true(jget(r.json, "reviewable")));
	resp_free(&r);

	/* The task is on the manager's list; a clerk may not see it. */
	assert_int_equal(staff_login("clerk1", 1, clerk, sizeof clerk), 0);
	assert_int_equal(http_json(&r, "GET", "/api/v1/halls/demo/rectifications", clerk, NULL), 0);
	expect(&r, 403, "FORBIDDEN");
	resp_free(&r);
	assert_int_equal(http_json(&r, "GET", "/api/v1/halls/demo/rectifications", mgr, NULL), 0);
	expect(&r, 200, NULL);
	t = task_of(jget(r.json, "rectifications"), ref);
	assert_non_null(t);
	assert_string_equal(jstr(t, "status"), "open");
	assert_string_equal(jstr(t, "deadline"), "2026-11-30");
	assert_false(json_is_true(json_object_get(t, "overdue")));
	assert_int_equal(jint(t, "score"), 1);
	id = jint(t, "id");
	resp_free(&r);

	/* Closing needs the contact, the cause and the fix. */
	snprintf(path, sizeof path, "/api/v1/halls/demo/rectifications/%lld/close", id);
	assert_int_equal(http_json(&r, "POST", path, mgr, "{}"), 0);
	expect(&r, 422, "RECTIFICATION_INCOMPLETE");
	assert_non_null(json_object_get(jget(r.json, "error.fields"), "contacted"));
	assert_non_null(json_object_get(jget(r.json, "error.fields"), "cause"));
	assert_non_null(json_object_get(jget(r.json, "error.fields"), "fix"));
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/halls/demo/rectifications/%lld", id);
	assert_int_equal(http_json(&r, "PATCH", path, mgr,
	    "{\"contacted\":true,\"contact_note\":\"已电话联系申请人，当面致歉\","
	    "\"cause\":\"补正告知未一次讲清\"}"), 0);
	expect(&r, 200, NULL);
	assert_non_null(jstr(r.json, "rectification.contacted_at"));
	assert_string_equal(jstr(r.json, "rectification.cause"), "补正告知未一次讲清");
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/halls/demo/rectifications/%lld/close", id);
	snprintf(body, sizeof body, "{\"fix\":\"一次性告知单按事项逐条核对后再出具\"}");
	assert_int_equal(http_json(&r, "POST", path, mgr, body), 0);
	expect(&r, 200, NULL);
	/* Recorded, it waits for its 复核 by another manager (it_review_loop). */
	assert_string_equal(jstr(r.json, "rectification.status"), "fixed");
	assert_false(json_is_true(jget(r.json, "rectification.late")));
	resp_free(&r);
	assert_int_equal(http_json(&r, "POST", path, mgr, body), 0);
	expect(&r, 409, "INVALID_TRANSITION");
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/halls/demo/rectifications/%lld", id);
	assert_int_equal(http_json(&r, "PATCH", path, mgr, "{\"fix\":\"x\"}"), 0);
	expect(&r, 409, "INVALID_TRANSITION");
	resp_free(&r);
	assert_int_equal(http_json(&r, "PATCH", "/api/v1/halls/demo/rectifications/999999999", mgr,
	    "{\"fix\":\"x\"}"), 0);
	expect(&r, 404, "NOT_FOUND");
	resp_free(&r);
	assert_int_equal(set_clock(NULL), 0);
}

/* The first column of the first row of a query (the mariadb client, as sql() does). */
static void
sql_value(const char *stmt, char *out, size_t osz)
{
	char cmd[1024];
	FILE *p;

	snprintf(cmd, sizeof cmd, "mariadb --socket=var/%s/run/mysql.sock -uroot -N -B yichuang"
	    " -e \"%s\"", test_instance(), stmt);
	p = popen(cmd, "r");
	assert_non_null(p);
	out[0] = '\0';
	if (fgets(out, (int)osz, p) == NULL)
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

/*
 * A bad review of a real case (accepted at the window, so its applicant's phone is sealed):
 * the manager's list shows the reviewer's mobile masked, …/contact shows it whole to a
 * manager only, and every look is audited without the number.
 */
TEST(bad_review_shows_how_to_reach_the_reviewer)
{
	char clerk[128], tok[96], no[64], path[200], q[300], v[128];
	struct resp r;
	json_t *t;
	long long id;

	assert_int_equal(staff_login("clerk1", 1, clerk, sizeof clerk), 0);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk,
	    "{\"item\":\"IT-A-001\",\"materials\":[\"M1\"],\"applicant\":{\"name\":\"王小明\","
	    "\"id_number\":\"11010519491231002X\",\"phone\":\"13800138000\"}}"), 0);
	expect(&r, 201, NULL);
	snprintf(tok, sizeof tok, "%s", jstr(r.json, "case.track_token"));
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	resp_free(&r);
	snprintf(q, sizeof q, "UPDATE cases SET status = 'closed', closed_at = NOW() WHERE no = '%s';", no);
	sql(q);
	review(&r, "case", tok, 1, ",\"comment\":\"等了很久没人理\"");
	expect(&r, 201, NULL);
	resp_free(&r);

	assert_int_equal(http_json(&r, "GET", "/api/v1/halls/demo/rectifications?status=all", mgr,
	    NULL), 0);
	expect(&r, 200, NULL);
	t = task_of(jget(r.json, "rectifications"), no);
	assert_non_null(t);
	assert_string_equal(jstr(t, "contact_phone"), "138****8000");
	assert_null(strstr(r.body, "13800138000"));
	id = jint(t, "id");
	resp_free(&r);

	snprintf(path, sizeof path, "/api/v1/halls/demo/rectifications/%lld/contact", id);
	assert_int_equal(http_json(&r, "GET", path, clerk, NULL), 0);
	expect(&r, 403, "FORBIDDEN");
	resp_free(&r);
	assert_int_equal(http_json(&r, "GET", path, mgr, NULL), 0);
	expect(&r, 200, NULL);
	assert_string_equal(jstr(r.json, "phone"), "13800138000");
	resp_free(&r);
	snprintf(q, sizeof q, "SELECT COUNT(*) FROM audit_log WHERE action = 'review.contact'"
	    " AND target = 'rectification:%lld' AND result = 'ok' AND detail NOT LIKE '%%0013%%'", id);
	sql_value(q, v, sizeof v);
	assert_string_equal(v, "1");
	assert_int_equal(http_json(&r, "GET",
	    "/api/v1/halls/demo/rectifications/999999999/contact", mgr, NULL), 0);
	expect(&r, 404, "NOT_FOUND");
	resp_free(&r);
}

TEST(overdue_and_missing_calendar)
{
	char a[48], b[48], refa[16], refb[16];
	struct resp r;
	json_t *t;
	size_t i;
	int seen = 0;

	ticket(4, "done", "done", a, sizeof a);
	ticket(5, "done", "done", b, sizeof b);
	snprintf(refa, sizeof refa, "A004");
	snprintf(refb, sizeof refb, "A005");

	/* A bad review left open past its deadline is flagged overdue. */
	assert_int_equal(set_clock("2026-11-23T10:00:00+08:00"), 0);
	review(&r, "ticket", a, 2, ",\"comment\":\"等了四十分钟\"");
	expect(&r, 201, NULL);
	resp_free(&r);
	assert_int_equal(set_clock("2026-12-10T10:00:00+08:00"), 0);
	assert_int_equal(http_json(&r, "GET", "/api/v1/halls/demo/rectifications?status=overdue",
	    mgr, NULL), 0);
	expect(&r, 200, NULL);
	for (i = 0; i < json_array_size(jget(r.json, "rectifications")); i++) {
		t = json_array_get(jget(r.json, "rectifications"), i);
		assert_true(json_is_true(json_object_get(t, "overdue")));
		if (strcmp(jstr(t, "ref"), refa) == 0 && strcmp(jstr(t, "kind"), "ticket") == 0)
			seen = 1;
	}
	assert_true(seen);
	resp_free(&r);

	/* Five working days after 2026-12-28 reach 2027, whose holidays are not loaded: since
	 * issue 19 counted on the provisional calendar (29–31 December, 元旦 and the weekend
	 * off, 4 and 5 January) rather than left without a deadline. */
	assert_int_equal(set_clock("2026-12-28T10:00:00+08:00"), 0);
	review(&r, "ticket", b, 1, ",\"comment\":\"窗口无人\"");
	expect(&r, 201, NULL);
	assert_true(json_is_true(jget(r.json, "review.rectification")));
	assert_string_equal(jstr(r.json, "review.rectification_deadline"), "2027-01-05");
	resp_free(&r);
	assert_int_equal(http_json(&r, "GET", "/api/v1/halls/demo/stats", mgr, NULL), 0);
	expect(&r, 200, NULL);
	assert_true(jint(r.json, "reviews.rectification.tasks") >= 1);
	resp_free(&r);
	(void)refb;
	assert_int_equal(set_clock(NULL), 0);
}

FIXTURE(setup)
{
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	snprintf(run, sizeof run, "%06d", rand() % 1000000);
	/* Numbers A001… of 2026-09-01 are this test's own: clear an earlier run's. */
	sql("DELETE h FROM review_rectification_history h JOIN review_rectifications t"
	    " ON t.id = h.task_id JOIN reviews v ON v.id = t.review_id"
	    " WHERE v.ref LIKE 'RVTEST-%' OR v.ticket_id IN (SELECT id FROM queue_tickets"
	    " WHERE hall = 'demo' AND day = '2026-09-01');"
	    " DELETE t FROM review_rectifications t JOIN reviews v ON v.id = t.review_id"
	    " WHERE v.ref LIKE 'RVTEST-%' OR v.ticket_id IN (SELECT id FROM queue_tickets"
	    " WHERE hall = 'demo' AND day = '2026-09-01');"
	    " DELETE FROM reviews WHERE ref LIKE 'RVTEST-%' OR ticket_id IN (SELECT id FROM"
	    " queue_tickets WHERE hall = 'demo' AND day = '2026-09-01');"
	    " DELETE FROM queue_ticket_history WHERE ticket_id IN (SELECT id FROM queue_tickets"
	    " WHERE hall = 'demo' AND day = '2026-09-01');"
	    " DELETE FROM queue_tickets WHERE hall = 'demo' AND day = '2026-09-01';"
	    " DELETE FROM cases WHERE no LIKE 'RVTEST-%';");
	return staff_login("manager1", 0, mgr, sizeof mgr);
}

SUITE_MAIN("reviews", setup, NULL)
