/*
 * it_cases_waivers.c — 容缺受理 that is watched (issue 19, item 1) against the live test stack:
 * the due date may not pass the case's deadline nor fall on a day the hall is closed (and a
 * refusal writes nothing), the applicant's reminder SMS on the working day before the due
 * date (across a weekend and across National Day; exactly once; not when the material came),
 * the overdue notice to the accepting clerk and the managers (history, SMS, hall alert) and
 * the dashboard's list GET /case-waivers, the tracking page's waived list with the time a
 * material was received, and the 受理通知书 that says 容缺受理, never 材料齐全.
 *
 * The demo seed's IT-B-003 (食品经营许可, 5 working days, department scjg) has one waivable
 * material; the test finds it from GET /items/IT-B-003 rather than naming it.  The job runs
 * in-process (job_cases_waivers) against the same database while the stack's worker runs it
 * too: every count below holds whoever gave the notice; one test runs it from six threads
 * with their own connections at the same moment and counts the rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../modules/cases/cases.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../lib/flows.h"
#include "../lib/steps.h"

#define ITEM "IT-B-003"
#define APPLICANT "\"applicant\":{\"name\":\"欧阳娜娜\",\"id_number\":\"11010519491231002X\"," \
	"\"phone\":\"13800138000\"}"

static char clerk[128], clerk2[128], approver[128], manager[128];
static char waivable[16], waivable_name[204], given[512];

/* ---------------------------------------------------------------- helpers */

static long long
count_case(const char *sql, const char *no)
{
	return db_count(&test_db, sql, no);
}

/* POST /cases for ITEM with the waivable material waived until due; the reply into r. */
static void
post_waived(struct resp *r, const char *due)
{
	char body[1024];

	snprintf(body, sizeof body, "{\"item\":\"" ITEM "\",\"materials\":%s,\"waived\":[\"%s\"],"
	    "\"commitment\":{\"signed\":true,\"due\":\"%s\"}," APPLICANT "}", given, waivable, due);
	assert_int_equal(http_json(r, "POST", "/api/v1/cases", clerk, body), 0);
}

/* Accepted at the hall instant when with the waivable material due on due: the case number
 * (and its tracking token, its notice token) into no (64), tok, notice (may be NULL). */
static void
accept_waived(const char *when, const char *due, char *no, char *tok, char *notice)
{
	struct resp r;
	const char *n;

	assert_int_equal(set_clock(when), 0);
	post_waived(&r, due);
	expect_status(&r, 201);
	snprintf(no, 64, "%s", jstr(r.json, "case.no"));
	if (tok)
		snprintf(tok, 128, "%s", jstr(r.json, "case.track_token"));
	if (notice) {
		n = strstr(jstr(r.json, "case.notice_url"), "?n=");
		assert_non_null(n);
		snprintf(notice, 128, "%s", n + 3);
	}
	resp_free(&r);
}

/* The hall clock at when, then the job (as the worker runs it). */
static void
job_at(const char *when)
{
	assert_int_equal(set_clock(when), 0);
	assert_int_equal(job_cases_waivers(&test_db), 0);
}

static long long
reminders(const char *no)
{
	return count_case("SELECT COUNT(*) FROM outbox WHERE template = 'waiver_due_reminder'"
	    " AND ref_kind = 'case' AND ref_id = ?", no);
}

/* The job run at each instant that follows (NULL ends them): then case no has had want
 * reminders in all. */
static void
jobs_then(const char *no, long long want, ...)
{
	const char *when;
	va_list ap;

	va_start(ap, want);
	while ((when = va_arg(ap, const char *)) != NULL)
		job_at(when);
	va_end(ap);
	assert_int_equal(reminders(no), want);
}

static void
supplement(const char *no)
{
	char body[128];

	snprintf(body, sizeof body, "{\"action\":\"supplement\",\"materials\":[\"%s\"]}", waivable);
	case_act_expect(clerk, no, body, 200);
}

/* The entry of case no in GET /case-waivers?<query> as the bearer of token: a new
 * reference, or NULL when the list does not have it. */
static json_t *
waiver_entry(const char *token, const char *query, const char *no)
{
	return get_entry(token, "waivers", "case_no", no, "/api/v1/case-waivers%s", query);
}

FIXTURE(setup)
{
	static const struct signer who[] = {
		STAFF("clerk1", 1, clerk), STAFF("clerk2", 2, clerk2),
		STAFF("approver1", 0, approver), STAFF("manager1", 0, manager),
	};
	json_t *mats, *m;
	size_t i;

	if (suite_sign_in(st, "2026-11-23T10:00:00+08:00", who) != 0)
		return -1;
	/* The item's one waivable required material, and every other required one. */
	mats = get_member(NULL, "item.materials", "/api/v1/items/%s", ITEM);
	assert_non_null(mats);
	json_array_foreach(mats, i, m)
		if (json_is_true(json_object_get(m, "waivable"))) {
			snprintf(waivable, sizeof waivable, "%s", jstr(m, "code"));
			snprintf(waivable_name, sizeof waivable_name, "%s", jstr(m, "name"));
		}
	json_decref(mats);
	assert_true(waivable[0] != '\0');
	material_codes_text(ITEM, 1, 1, given, sizeof given);
	return 0;
}

/* ---------------------------------------------------------------- the due date */

/* A commitment due on due is refused (400), the message at commitment.due saying says. */
static void
due_refused(const char *due, const char *says)
{
	struct resp r;
	const char *msg;

	post_waived(&r, due);
	assert_error(&r, 400, "INVALID_INPUT");
	msg = json_string_value(json_object_get(jget(r.json, "error.fields"), "commitment.due"));
	assert_non_null(msg);
	assert_non_null(strstr(msg, says));
	resp_free(&r);
}

TEST(due_after_deadline_is_refused_and_writes_nothing)
{
	struct resp r;
	long long cases0, mats0, sms0, notices0;
	char no[64];

	/* Monday 11-23 + 5 working days: Monday 11-30. */
	assert_int_equal(set_clock("2026-11-23T10:00:00+08:00"), 0);
	cases0 = db_count(&test_db, "SELECT COUNT(*) FROM cases", NULL);
	mats0 = db_count(&test_db, "SELECT COUNT(*) FROM case_materials", NULL);
	sms0 = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'case_accepted'",
	    NULL);
	notices0 = db_count(&test_db, "SELECT COUNT(*) FROM case_notices", NULL);

	/* The day after the deadline: 400 naming commitment.due, the latest date in words. */
	due_refused("2026-12-01", "2026-11-30");
	/* A Saturday before the deadline: nobody can hand it in that day. */
	due_refused("2026-11-28", "休息日");
	/* Yesterday. */
	post_waived(&r, "2026-11-22");
	assert_invalid(&r, "commitment.due");
	resp_free(&r);
	/* Nothing was written by any of them. */
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM cases", NULL), cases0);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM case_materials", NULL), mats0);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template ="
	    " 'case_accepted'", NULL), sms0);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM case_notices", NULL), notices0);

	/* The deadline itself is the latest date allowed. */
	accept_waived("2026-11-23T10:00:00+08:00", "2026-11-30", no, NULL, NULL);
	assert_int_equal(case_rows("case_materials m", no, "m.state = 'waived' AND m.due = "
	    "'2026-11-30' AND c.deadline = '2026-11-30'"), 1);
}

/* ---------------------------------------------------------------- the reminder */

TEST(reminder_goes_the_working_day_before_across_a_weekend_once)
{
	char no[64], list[256];

	/* Due Monday 11-30: reminded on Friday 11-27, not on Thursday, not again after. */
	accept_waived("2026-11-23T10:00:00+08:00", "2026-11-30", no, NULL, NULL);
	jobs_then(no, 0, "2026-11-23T18:00:00+08:00", "2026-11-26T17:00:00+08:00", NULL);
	jobs_then(no, 1, "2026-11-27T09:00:00+08:00", NULL);
	jobs_then(no, 1, "2026-11-27T09:05:00+08:00", "2026-11-28T09:00:00+08:00",
	    "2026-11-29T09:00:00+08:00", NULL);
	/* To the applicant, naming the material and the due date. */
	assert_int_equal(count_case("SELECT COUNT(*) FROM outbox WHERE template ="
	    " 'waiver_due_reminder' AND ref_id = ? AND recipient_mask = '138****8000'"
	    " AND JSON_UNQUOTE(JSON_EXTRACT(params, '$.due')) = '2026-11-30'", no), 1);
	assert_int_equal(db_scalar(&test_db, "SELECT JSON_UNQUOTE(JSON_EXTRACT(params, '$.list'))"
	    " FROM outbox WHERE template = 'waiver_due_reminder' AND ref_id = ?",
	    DBARGS(DBS(no)), list, sizeof list), 1);
	assert_non_null(strstr(list, waivable_name));
	/* The clerk sees it was sent, on the case's history. */
	assert_int_equal(case_history_rows(&test_db, no, "waiver_reminder", NULL), 1);
	set_clock("2026-11-23T10:00:00+08:00");
}

TEST(reminder_across_national_day)
{
	char no[64];

	/* Accepted Monday 9-28 (deadline 10-10, a make-up Saturday), due Thursday 10-8, the first
	 * working day after 国庆: the working day before it is Wednesday 9-30. */
	accept_waived("2026-09-28T10:00:00+08:00", "2026-10-08", no, NULL, NULL);
	jobs_then(no, 0, "2026-09-29T16:00:00+08:00", NULL);
	jobs_then(no, 1, "2026-09-30T08:30:00+08:00", NULL);
	jobs_then(no, 1, "2026-10-05T10:00:00+08:00", "2026-10-07T10:00:00+08:00", NULL);
	set_clock("2026-11-23T10:00:00+08:00");
}

TEST(no_reminder_when_the_material_already_came)
{
	char no[64];

	/* Due Friday 11-27 (reminder Thursday 11-26); brought on Tuesday. */
	accept_waived("2026-11-23T10:00:00+08:00", "2026-11-27", no, NULL, NULL);
	assert_int_equal(set_clock("2026-11-24T11:00:00+08:00"), 0);
	supplement(no);
	jobs_then(no, 0, "2026-11-26T09:00:00+08:00", "2026-11-28T09:00:00+08:00", NULL);
	assert_int_equal(case_history_rows(&test_db, no, "waiver_overdue", NULL), 0);
	set_clock("2026-11-23T10:00:00+08:00");
}

/* ---------------------------------------------------------------- overdue */

TEST(overdue_is_raised_for_clerk_and_managers_and_listed)
{
	struct resp r;
	char no[64], key[80], clerk_name[64];
	json_t *w, *a;
	size_t i;
	int seen = 0;

	expect_reply("PUT", "/api/v1/staff/me/phone", clerk, "{\"phone\":\"13900139011\"}", 200);
	/* Due Wednesday 11-25, never brought. */
	accept_waived("2026-11-23T10:00:00+08:00", "2026-11-25", no, NULL, NULL);
	job_at("2026-11-25T16:00:00+08:00");
	assert_int_equal(case_history_rows(&test_db, no, "waiver_overdue", NULL), 0);
	assert_null(waiver_entry(manager, "?overdue=1", no));

	job_at("2026-11-26T09:00:00+08:00");
	job_at("2026-11-26T09:01:00+08:00");	/* twice: told once */
	assert_int_equal(case_history_rows(&test_db, no, "waiver_overdue", NULL), 1);
	/* The accepting clerk's SMS. */
	assert_int_equal(count_case("SELECT COUNT(*) FROM outbox WHERE template ="
	    " 'waiver_overdue_staff' AND ref_id = ? AND recipient_mask = '139****9011'", no), 1);
	/* The managers' alert, in the dashboard's figures. */
	snprintf(key, sizeof key, "waiver:%s", no);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM hall_alerts WHERE hall = 'demo'"
	    " AND akey = ? AND cleared_at IS NULL", key), 1);
	assert_int_equal(http_json(&r, "GET", "/api/v1/halls/demo/stats", manager, NULL), 0);
	expect_status(&r, 200);
	json_array_foreach(jget(r.json, "alerts"), i, a)
		if (strcmp(jstr(a, "key"), key) == 0) {
			seen = 1;
			assert_non_null(strstr(jstr(a, "message"), waivable_name));
		}
	assert_true(seen);
	resp_free(&r);

	/* The dashboard's list: case, material, due, days overdue, accepting clerk. */
	assert_int_equal(db_scalar(&test_db, "SELECT s.name FROM cases c JOIN staff s ON"
	    " s.id = c.accepted_by WHERE c.no = ?", DBARGS(DBS(no)), clerk_name,
	    sizeof clerk_name), 1);
	job_at("2026-11-27T10:00:00+08:00");
	w = waiver_entry(manager, "?overdue=1", no);
	assert_non_null(w);
	assert_string_equal(jstr(w, "code"), waivable);
	assert_string_equal(jstr(w, "name"), waivable_name);
	assert_string_equal(jstr(w, "due"), "2026-11-25");
	assert_int_equal(jint(w, "days_overdue"), 2);
	assert_true(json_is_true(json_object_get(w, "overdue")));
	assert_string_equal(jstr(w, "accepted_by"), clerk_name);
	json_decref(w);
	/* The clerk who accepted it sees it; another clerk does not; an approver may not ask. */
	w = waiver_entry(clerk, "", no);
	assert_non_null(w);
	json_decref(w);
	assert_null(waiver_entry(clerk2, "", no));
	expect_refusal("GET", "/api/v1/case-waivers", approver, NULL, 403, "FORBIDDEN");
	expect_refusal("GET", "/api/v1/case-waivers?overdue=2", manager, NULL, 400,
	    "INVALID_INPUT");

	/* Brought at last: off the list, the alert clears, no second notice. */
	supplement(no);
	job_at("2026-11-27T10:05:00+08:00");
	assert_null(waiver_entry(manager, "?overdue=1", no));
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM hall_alerts WHERE hall = 'demo'"
	    " AND akey = ? AND cleared_at IS NULL", key), 0);
	assert_int_equal(count_case("SELECT COUNT(*) FROM outbox WHERE template ="
	    " 'waiver_overdue_staff' AND ref_id = ?", no), 1);
	set_clock("2026-11-23T10:00:00+08:00");
}

/* ---------------------------------------------------------------- several workers */

#define WORKERS 6

static pthread_barrier_t start_line;

/* One worker: its own connection, the job as soon as every other one is ready too. */
static void *
worker_run(void *arg)
{
	struct ctx c;
	int *rc = arg;

	ctx_init(&c, 0);
	pthread_barrier_wait(&start_line);
	*rc = job_cases_waivers(&c);
	ctx_close(&c);
	return NULL;
}

static void
workers_at(const char *when)
{
	pthread_t t[WORKERS];
	int rc[WORKERS], i;

	assert_int_equal(set_clock(when), 0);
	/* This process reads the moved clock now, before the workers start: of threads that ask
	 * at the same moment one reads the file and the others go on with the time they had
	 * (fcgi/clock.c), and a worker of the stack has never seen another day. */
	assert_true(hall_day(hall_now()) > 0);
	pthread_barrier_init(&start_line, NULL, WORKERS);
	for (i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker_run, &rc[i]), 0);
	for (i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start_line);
	for (i = 0; i < WORKERS; i++)
		assert_int_equal(rc[i], 0);
}

TEST(several_workers_at_once_tell_once)
{
	char no[64], key[80];

	/* Due Wednesday 11-25: the reminder on Tuesday, overdue on Thursday — each by six
	 * workers at the same moment (and the stack's own worker). */
	accept_waived("2026-11-23T10:00:00+08:00", "2026-11-25", no, NULL, NULL);
	workers_at("2026-11-24T09:00:00+08:00");
	assert_int_equal(reminders(no), 1);
	assert_int_equal(case_rows("case_waiver_notices n", no, "n.kind = 'reminder'"), 1);
	assert_int_equal(case_history_rows(&test_db, no, "waiver_reminder", NULL), 1);
	workers_at("2026-11-26T09:00:00+08:00");
	assert_int_equal(case_history_rows(&test_db, no, "waiver_overdue", NULL), 1);
	assert_int_equal(count_case("SELECT COUNT(*) FROM outbox WHERE template ="
	    " 'waiver_overdue_staff' AND ref_id = ?", no), 1);
	assert_int_equal(count_case("SELECT COUNT(*) FROM audit_log WHERE target = ? AND"
	    " action = 'case.waiver_overdue'", no), 1);
	snprintf(key, sizeof key, "waiver:%s", no);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM hall_alerts WHERE hall = 'demo'"
	    " AND akey = ? AND cleared_at IS NULL", key), 1);
	assert_int_equal(reminders(no), 1);
	set_clock("2026-11-23T10:00:00+08:00");
}

/* ---------------------------------------------------------------- tracking and notice */

TEST(tracking_shows_due_and_received_time)
{
	struct resp r;
	char no[64], tok[128], path[200], at[40];

	accept_waived("2026-11-23T10:00:00+08:00", "2026-11-27", no, tok, NULL);
	snprintf(path, sizeof path, "/api/v1/track/%s", tok);
	assert_int_equal(http_json(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	assert_int_equal(json_array_size(jget(r.json, "case.waived")), 1);
	assert_string_equal(jstr(r.json, "case.waived.0.name"), waivable_name);
	assert_string_equal(jstr(r.json, "case.waived.0.due"), "2026-11-27");
	assert_true(json_is_null(jget(r.json, "case.waived.0.received_at")));
	resp_free(&r);

	assert_int_equal(set_clock("2026-11-24T14:30:00+08:00"), 0);
	supplement(no);
	assert_int_equal(db_scalar(&test_db, "SELECT DATE_FORMAT(m.received_at,"
	    " '%Y-%m-%dT%H:%i:%s+08:00') FROM case_materials m JOIN cases c ON c.id = m.case_id"
	    " WHERE c.no = ? AND m.committed_at IS NOT NULL", DBARGS(DBS(no)), at, sizeof at), 1);
	assert_true(strncmp(at, "2026-11-24T14:3", 15) == 0);
	assert_int_equal(http_json(&r, "GET", path, NULL, NULL), 0);
	expect_strs(&r, 200, "case.waived.0.received_at", at, "case.waived.0.due", "2026-11-27",
	    NULL);
	/* Only what the page already showed of the applicant: the masked name. */
	assert_null(strstr(r.body, "欧阳娜娜"));
	assert_null(strstr(r.body, "13800138000"));
	resp_free(&r);
	set_clock("2026-11-23T10:00:00+08:00");
}

static void notice_pdf_text(const char *notice, char *out, size_t osz);

TEST(notice_of_a_waived_case_never_says_complete)
{
	struct resp r;
	char no[64], notice[128], path[200], body[1024], mats[512];
	json_t *m;
	size_t i;
	int seen = 0;

	accept_waived("2026-11-23T10:00:00+08:00", "2026-11-27", no, NULL, notice);
	snprintf(path, sizeof path, "/api/v1/case-notices?n=%s", notice);
	assert_int_equal(http_json(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "notice.case.acceptance"), "waived");
	assert_null(strstr(r.body, "材料齐全"));
	assert_non_null(strstr(jstr(r.json, "notice.case.acceptance_text"), "容缺"));
	json_array_foreach(jget(r.json, "notice.case.materials"), i, m)
		if (strcmp(jstr(m, "code"), waivable) == 0) {
			seen = 1;
			assert_true(json_is_true(json_object_get(m, "waived")));
			assert_string_equal(jstr(m, "state"), "waived");
			assert_string_equal(jstr(m, "due"), "2026-11-27");
		} else
			assert_false(json_is_true(json_object_get(m, "waived")));
	assert_true(seen);
	resp_free(&r);
	/* The printed PDF says the same: 容缺受理, the material with its due date. */
	{
		char text[8192], want[300];

		notice_pdf_text(notice, text, sizeof text);
		assert_null(strstr(text, "材料齐全"));
		assert_non_null(strstr(text, "容缺受理"));
		snprintf(want, sizeof want, "%s（容缺，2026-11-27前补交）", waivable_name);
		assert_non_null(strstr(text, want));
	}
	/* Its history's public note says 容缺受理 too. */
	assert_int_equal(case_rows("case_history h", no, "h.action = 'accept' AND h.public_note "
	    "LIKE '容缺受理%2026-11-27%'"), 1);

	/* A complete case's notice does say so. */
	material_codes_text(ITEM, 1, 0, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"" ITEM "\",\"materials\":%s," APPLICANT "}", mats);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	expect_status(&r, 201);
	snprintf(notice, sizeof notice, "%s", strstr(jstr(r.json, "case.notice_url"), "?n=") + 3);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/case-notices?n=%s", notice);
	assert_int_equal(http_json(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "notice.case.acceptance"), "complete");
	assert_non_null(strstr(jstr(r.json, "notice.case.acceptance_text"), "材料齐全"));
	resp_free(&r);
}

/* The text of the notice's PDF (GET /case-notices/pdf, pdftotext) into out, no line breaks
 * nor spaces (the PDF wraps long values). */
static void
notice_pdf_text(const char *notice, char *out, size_t osz)
{
	struct resp r;
	char path[200], file[96], cmd[256], raw[8192];
	size_t n, i, k;
	FILE *p;

	snprintf(path, sizeof path, "/api/v1/case-notices/pdf?n=%s", notice);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	pdf_saved(r.body, r.len, "it_cases_waivers", file, sizeof file);
	resp_free(&r);
	snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", file);
	assert_non_null(p = popen(cmd, "r"));
	n = fread(raw, 1, sizeof raw - 1, p);
	raw[n] = '\0';
	assert_int_equal(pclose(p), 0);
	unlink(file);
	for (i = k = 0; i < n && k + 1 < osz; i++)
		if (raw[i] != '\n' && raw[i] != ' ')
			out[k++] = raw[i];
	out[k] = '\0';
}

SUITE_MAIN("cases_waivers", setup, suite_teardown)
