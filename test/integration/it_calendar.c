/*
 * it_calendar.c — the calendar never stops the hall (issue 19, item 9), against the live
 * test stack.
 *
 * The demo seed loads the 2026 holiday notice only; 2027's is "not yet published" (any
 * 2027 rows are removed first and again at the end).  With the hall clock moved:
 * - a case accepted on Monday 2026-12-28 whose deadline runs into 2027 is accepted on the
 *   provisional calendar (weekends, 元旦 …) and says "provisional": true on the case, the
 *   tracking page and the 受理通知书; one whose deadline stays in 2026 does not;
 * - loading a 2027 notice (yichuang-admin calendar-load) recounts them: the one the notice
 *   makes later moves (history row), the one it would make earlier keeps what the citizen
 *   was told; both lose the mark;
 * - a 补正 received on 30 December moves a 2026 deadline into 2027: provisional from then;
 * - tickets and slots run on the first working day of the missing year (Monday 2027-01-04;
 *   2 January 2027 is a Saturday) and not on 元旦;
 * - the manager's calendar:2027 alert (the calendar-check job, run in-process) appears on
 *   1 November, not on 31 October, and clears once the notice is loaded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../lib/proc.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../lib/flows.h"
#include "../lib/steps.h"
#include "../../fcgi/db.h"
#include "../../modules/hall/calendar.h"

#define API "/api/v1"
#define APPLICANT "\"applicant\":{\"name\":\"欧阳娜娜\",\"id_number\":\"11010519491231002X\"," \
	"\"phone\":\"13800138027\"}"

/*
 * A 2027 notice for this test only (the real one is not out): 元旦 and Monday 4 January
 * off, Saturday 9 and Sunday 10 January make-up working days.
 */
static const char notice2027[] =
    "{\"year\":2027,\"source\":\"it_calendar 测试用安排（非正式通知）\",\"days\":["
    "{\"date\":\"2027-01-01\",\"name\":\"元旦\",\"off\":true},"
    "{\"date\":\"2027-01-04\",\"name\":\"元旦补假（测试）\",\"off\":true},"
    "{\"date\":\"2027-01-09\",\"name\":\"调休（测试）\",\"off\":false},"
    "{\"date\":\"2027-01-10\",\"name\":\"调休（测试）\",\"off\":false}]}";

static char clerk[128], manager[128], kiosk[128];

static void
forget_2027(void)
{
	assert_int_equal(db_exec(&test_db, "DELETE FROM calendar_days WHERE day BETWEEN"
	    " '2027-01-01' AND '2027-12-31'", DBNOARGS, NULL, NULL), 0);
	assert_int_equal(db_exec(&test_db, "DELETE FROM calendar_years WHERE year = 2027",
	    DBNOARGS, NULL, NULL), 0);
}

static long long
count1(const char *sql, const char *arg)
{
	return db_count(&test_db, sql, arg);
}

/* The first column of the first row into arg (64). */
static int
str_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	(void)ncol;
	(void)lens;
	snprintf(arg, 64, "%s", v[0] ? v[0] : "");
	return 1;
}

/* GET path as the bearer of tok (NULL: none): the case's deadline into dl (12), its
 * "provisional" returned. */
static int
deadline_shown(const char *path, const char *tok, char dl[12])
{
	struct resp r;
	int p;

	assert_int_equal(http_json(&r, "GET", path, tok, NULL), 0);
	expect_status(&r, 200);
	snprintf(dl, 12, "%s", jstr(r.json, "case.deadline"));
	assert_true(json_is_boolean(jget(r.json, "case.provisional")));
	p = json_is_true(jget(r.json, "case.provisional"));
	resp_free(&r);
	return p;
}

/* The case as staff see it: deadline into dl (12), "provisional" returned. */
static int
case_deadline(const char *no, char dl[12])
{
	char path[160];

	snprintf(path, sizeof path, API "/cases/%s", no);
	return deadline_shown(path, clerk, dl);
}

/* The public tracking page's "provisional" (and its deadline into dl). */
static int
track_provisional(const char *tok, char dl[12])
{
	char path[160];

	snprintf(path, sizeof path, API "/track/%s", tok);
	return deadline_shown(path, NULL, dl);
}

/* The 受理通知书 of the case (its notice_url) says "provisional"? */
static int
receipt_provisional(const char *notice_url)
{
	struct resp r;
	char path[200];
	const char *n = strstr(notice_url, "n=");
	int p;

	assert_non_null(n);
	snprintf(path, sizeof path, API "/case-notices?%s", n);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	assert_true(json_is_boolean(jget(r.json, "notice.case.provisional")));
	p = json_is_true(jget(r.json, "notice.case.provisional"));
	resp_free(&r);
	return p;
}

TEST(deadlines_provisional_then_confirmed)
{
	struct resp r;
	char a[64], ta[64], b[64], tb[64], c[64], tc[64], dl[12], url[300], out[2048], file[64];
	char sms_dl[64] = "";

	/* Early December: 5 working days stay in 2026 — a firm deadline. */
	assert_int_equal(set_clock("2026-12-01T10:00:00+08:00"), 0);
	case_accept(&r, clerk, "IT-B-003", APPLICANT, c, tc);
	assert_false(json_is_true(jget(r.json, "case.provisional")));
	resp_free(&r);
	assert_int_equal(case_deadline(c, dl), 0);
	assert_string_equal(dl, "2026-12-08");

	/* Monday 28 December: 5 working days are 29, 30, 31 December (元旦 and the weekend
	 * off), Monday 4 and Tuesday 5 January 2027 — counted, not refused, and provisional. */
	assert_int_equal(set_clock("2026-12-28T10:00:00+08:00"), 0);
	case_accept(&r, clerk, "IT-B-003", APPLICANT, a, ta);
	assert_string_equal(jstr(r.json, "case.deadline"), "2027-01-05");
	assert_true(json_is_true(jget(r.json, "case.provisional")));
	snprintf(url, sizeof url, "%s", jstr(r.json, "case.notice_url"));
	resp_free(&r);
	assert_int_equal(track_provisional(ta, dl), 1);
	assert_string_equal(dl, "2027-01-05");
	assert_int_equal(receipt_provisional(url), 1);
	assert_int_equal(count1("SELECT deadline_provisional FROM cases WHERE no = ?", a), 1);
	/* 20 working days: … 18–22, 25, 26 January. */
	case_accept(&r, clerk, "IT-E-002", APPLICANT, b, tb);
	assert_string_equal(jstr(r.json, "case.deadline"), "2027-01-26");
	assert_true(json_is_true(jget(r.json, "case.provisional")));
	resp_free(&r);
	/* The SMS told the citizen the provisional date. */
	assert_true(db_query(&test_db, "SELECT JSON_UNQUOTE(JSON_EXTRACT(params, '$.deadline'))"
	    " FROM outbox WHERE template = 'case_accepted' AND ref_id = ?", DBARGS(DBS(a)),
	    str_row, sms_dl) >= 0);
	assert_string_equal(sms_dl, "2027-01-05");
	/* The deadline service says so too. */
	assert_int_equal(http(&r, "GET", API "/calendar/deadline?from=2026-12-28&days=5", NULL,
	    NULL), 0);
	expect_strs(&r, 200, "deadline", "2027-01-05", NULL);
	assert_true(json_is_true(jget(r.json, "provisional")));
	resp_free(&r);

	/* The notice is loaded: 4 January off (A: 29, 30, 31, 5, 6 → later, moved), 9 and 10
	 * January worked (B would fall on 25 January, earlier than told: keeps the 26th). */
	assert_int_equal(case_history_rows(&test_db, a, "deadline", NULL), 0);
	proc_temp_file("notice2027", notice2027, sizeof notice2027 - 1, ".json", file);
	snprintf(out, sizeof out, "calendar-load %s", file);
	assert_int_equal(proc_admin(out, NULL, out, sizeof out), 0);
	unlink(file);
	/* The app's calendar copy is aged by the hall clock: ten minutes on, it has the year. */
	assert_int_equal(set_clock("2026-12-28T10:10:00+08:00"), 0);
	assert_int_equal(case_deadline(a, dl), 0);
	assert_string_equal(dl, "2027-01-06");
	assert_int_equal(track_provisional(ta, dl), 0);
	assert_string_equal(dl, "2027-01-06");
	assert_int_equal(receipt_provisional(url), 0);
	assert_int_equal(case_rows("case_history h", a, "h.action = 'deadline' AND h.public_note "
	    "LIKE '%2027-01-05%2027-01-06%'"), 1);
	assert_int_equal(case_deadline(b, dl), 0);
	assert_string_equal(dl, "2027-01-26");
	assert_int_equal(case_history_rows(&test_db, b, "deadline", NULL), 0);
	assert_int_equal(count1("SELECT COUNT(*) FROM cases WHERE no = ? AND deadline ="
	    " '2027-01-26' AND deadline_provisional = 0", b), 1);
	/* Its part too, never earlier. */
	assert_int_equal(case_rows("case_parts p", a, "p.deadline = '2027-01-06'"), 1);
	assert_int_equal(case_rows("case_parts p", b, "p.deadline = '2027-01-26'"), 1);
	/* The untouched firm one. */
	assert_int_equal(case_deadline(c, dl), 0);
	assert_string_equal(dl, "2026-12-08");
	/* New acceptances count on the notice, firm. */
	assert_int_equal(http(&r, "GET", API "/calendar/deadline?from=2026-12-28&days=5", NULL,
	    NULL), 0);
	assert_string_equal(jstr(r.json, "deadline"), "2027-01-06");
	assert_false(json_is_true(jget(r.json, "provisional")));
	resp_free(&r);
	forget_2027();
	set_clock(NULL);
}

TEST(tickets_and_slots_in_missing_year)
{
	struct resp r;
	size_t i;
	json_t *s;

	forget_2027();
	/* 元旦 2027: closed, as on any holiday, and no slot. */
	assert_int_equal(set_clock("2027-01-01T10:00:00+08:00"), 0);
	assert_int_equal(http_json(&r, "POST", API "/halls/demo/tickets", kiosk,
	    "{\"category\":\"A\"}"), 0);
	assert_error(&r, 422, "HALL_CLOSED");
	assert_null(strstr(jstr(r.json, "error.message"), "节假日安排"));
	resp_free(&r);
	assert_int_equal(slot_count("category=A&date=2027-01-01"), 0);
	/* Monday 4 January 2027, the first working day (the 2nd is a Saturday): the kiosk
	 * issues numbers and the booking page offers the day's slots. */
	assert_int_equal(set_clock("2027-01-04T09:30:00+08:00"), 0);
	assert_int_equal(http_json(&r, "POST", API "/halls/demo/tickets", kiosk,
	    "{\"category\":\"A\"}"), 0);
	expect_status(&r, 201);
	assert_non_null(jstr(r.json, "ticket.number"));
	resp_free(&r);
	assert_true(count1("SELECT COUNT(*) FROM queue_tickets WHERE hall = ? AND"
	    " day = '2027-01-04'", "demo") >= 1);
	assert_int_equal(http(&r, "GET", API "/halls/demo/slots?category=A&date=2027-01-05", NULL,
	    NULL), 0);
	expect_status(&r, 200);
	assert_true(json_array_size(jget(r.json, "slots")) > 0);
	json_array_foreach(jget(r.json, "slots"), i, s)
		assert_string_equal(jstr(s, "date"), "2027-01-05");
	assert_null(jget(r.json, "calendar_missing"));
	resp_free(&r);
	set_clock(NULL);
}

TEST(resumed_deadline_becomes_provisional)
{
	struct resp r;
	char no[64], tok[64], dl[12], approver[128];

	forget_2027();
	staff_in("approver1", 0, approver, sizeof approver);
	/* Accepted Tuesday 1 December (due the 8th), 补正 requested on the 2nd, brought on
	 * Wednesday 30 December: the clock stood still 20 working days (3 December – 30
	 * December), so the deadline moves 20 working days past the 8th — 9 December …
	 * 28–31 December, 4, 5, 6 January 2027 — and becomes provisional. */
	assert_int_equal(set_clock("2026-12-01T10:00:00+08:00"), 0);
	case_accept(&r, clerk, "IT-B-003", APPLICANT, no, tok);
	resp_free(&r);
	case_act_expect(approver, no, "{\"action\":\"assign\"}", 200);
	assert_int_equal(set_clock("2026-12-02T10:00:00+08:00"), 0);
	case_act_expect(approver, no,
	    "{\"action\":\"request_supplement\",\"materials\":[\"M2\"]}", 200);
	assert_int_equal(case_deadline(no, dl), 0);
	assert_int_equal(set_clock("2026-12-30T10:00:00+08:00"), 0);
	case_act(&r, clerk, no, "{\"action\":\"supplement\"}");
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "case.paused_days"), 20);
	assert_string_equal(jstr(r.json, "case.deadline"), "2027-01-06");
	assert_true(json_is_true(jget(r.json, "case.provisional")));
	resp_free(&r);
	assert_int_equal(track_provisional(tok, dl), 1);
	set_clock(NULL);
}

/* The calendar:2027 alert is open for the demo hall? */
static long long
alert_open(void)
{
	return count1("SELECT COUNT(*) FROM hall_alerts WHERE hall = 'demo' AND akey = ?"
	    " AND cleared_at IS NULL", "calendar:2027");
}

TEST(manager_warned_from_november)
{
	struct resp r;
	char out[1024], file[64];
	size_t i;
	int seen = 0;

	forget_2027();
	assert_int_equal(db_exec(&test_db, "DELETE FROM hall_alerts WHERE akey = 'calendar:2027'",
	    DBNOARGS, NULL, NULL), 0);
	/* 31 October: next year's notice is not expected yet. */
	assert_int_equal(set_clock("2026-10-31T09:00:00+08:00"), 0);
	assert_int_equal(job_calendar_check(&test_db), 0);
	assert_int_equal(alert_open(), 0);
	/* 1 November: the manager is told, on the dashboard. */
	assert_int_equal(set_clock("2026-11-01T09:00:00+08:00"), 0);
	assert_int_equal(job_calendar_check(&test_db), 0);
	assert_int_equal(alert_open(), 1);
	assert_int_equal(http_json(&r, "GET", API "/halls/demo/stats", manager, NULL), 0);
	expect_status(&r, 200);
	for (i = 0; i < json_array_size(jget(r.json, "alerts")); i++) {
		json_t *a = json_array_get(jget(r.json, "alerts"), i);

		if (strcmp(jstr(a, "key"), "calendar:2027") == 0) {
			seen = 1;
			assert_string_equal(jstr(a, "level"), "warning");
			assert_non_null(strstr(jstr(a, "message"), "暂定"));
		}
	}
	assert_true(seen);
	resp_free(&r);
	/* Loaded: the job clears it (its own copy of the calendar aged by the hall clock). */
	proc_temp_file("notice2027", notice2027, sizeof notice2027 - 1, ".json", file);
	snprintf(out, sizeof out, "calendar-load %s", file);
	assert_int_equal(proc_admin(out, NULL, out, sizeof out), 0);
	unlink(file);
	assert_int_equal(set_clock("2026-11-01T09:10:00+08:00"), 0);
	assert_int_equal(job_calendar_check(&test_db), 0);
	assert_int_equal(alert_open(), 0);
	forget_2027();
	set_clock(NULL);
}

FIXTURE(setup)
{
	if (suite_setup(st) != 0)
		return -1;
	forget_2027();
	staff_in("clerk1", 1, clerk, sizeof clerk);
	staff_in("manager1", 0, manager, sizeof manager);
	staff_in("kiosk1", 0, kiosk, sizeof kiosk);
	return 0;
}

FIXTURE(teardown)
{
	forget_2027();
	return suite_teardown(st);
}

SUITE_MAIN("it_calendar", setup, teardown)
