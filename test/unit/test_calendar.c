/*
 * test_calendar.c — the working-day arithmetic (modules/hall/workdays.c) over a calendar
 * built here: the National Day week of 2026 off (Thursday 1 – Wednesday 7 October), Saturday
 * 10 October a make-up working day (调休), 2026 loaded and 2027 not.  The deadline of every
 * case runs through these functions (calendar.c fills the same struct from the record).
 * And the check a year's notice passes before it is loaded (calendar_notice_check).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../fcgi/clock.h"
#include "../../modules/hall/calendar.h"
#include "../../modules/hall/workdays.h"

static struct workcal *cal;

static int64_t
D(const char *s)
{
	int64_t d = 0;

	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

static int
setup(void **st)
{
	int64_t d;

	(void)st;
	cal = calloc(1, sizeof *cal);
	if (cal == NULL)
		return -1;
	workcal_year(cal, 2026);
	for (d = D("2026-10-01"); d <= D("2026-10-07"); d++)
		workcal_mark(cal, d, CAL_HOLIDAY);
	workcal_mark(cal, D("2026-10-10"), CAL_MAKEUP);
	return 0;
}

static int
teardown(void **st)
{
	(void)st;
	free(cal);
	return 0;
}

static const char *
fmt_day(int64_t d, char *buf, size_t n)
{
	date_format_days(d, buf, n);
	return buf;
}

/* n working days after `from` end on `want`. */
static void
due(const char *from, int n, const char *want)
{
	int64_t out = 0;
	int missing = 0;
	char buf[16];

	assert_int_equal(workcal_add(cal, D(from), n, &out, &missing), 0);
	assert_string_equal(fmt_day(out, buf, sizeof buf), want);
}

static void
plain_weeks(void **st)
{
	(void)st;
	assert_int_equal(workcal_is_workday(cal, D("2026-11-23"), NULL), 1);	/* Monday */
	assert_int_equal(workcal_is_workday(cal, D("2026-11-28"), NULL), 0);	/* Saturday */
	assert_int_equal(workcal_is_workday(cal, D("2026-11-29"), NULL), 0);	/* Sunday */
	due("2026-11-23", 1, "2026-11-24");	/* the day itself does not count */
	due("2026-11-27", 1, "2026-11-30");	/* Friday + 1: the weekend skipped */
	due("2026-11-23", 5, "2026-11-30");
	due("2026-11-23", 0, "2026-11-23");
	due("2026-11-28", 1, "2026-11-30");	/* accepted on a Saturday */
}

static void
holidays(void **st)
{
	(void)st;
	assert_int_equal(workcal_is_workday(cal, D("2026-10-01"), NULL), 0);	/* a Thursday */
	assert_int_equal(workcal_is_workday(cal, D("2026-10-07"), NULL), 0);	/* a Wednesday */
	assert_int_equal(workcal_is_workday(cal, D("2026-10-08"), NULL), 1);
	due("2026-09-30", 1, "2026-10-08");	/* the whole week off is skipped */
	due("2026-09-29", 2, "2026-10-08");
}

static void
makeup_days(void **st)
{
	(void)st;
	assert_int_equal(workcal_is_workday(cal, D("2026-10-10"), NULL), 1);	/* Saturday, 调休 */
	assert_int_equal(workcal_is_workday(cal, D("2026-10-11"), NULL), 0);	/* Sunday after */
	due("2026-10-09", 1, "2026-10-10");
	due("2026-10-08", 3, "2026-10-12");	/* Fri, Sat (调休), then Monday */
}

static void
between(void **st)
{
	int n = 99, missing = 0;

	(void)st;
	/* Oct 1–7 off, Thu 8, Fri 9, Sat 10 (调休), Sun 11 off, Mon 12: four days. */
	assert_int_equal(workcal_between(cal, D("2026-09-30"), D("2026-10-12"), &n, &missing), 0);
	assert_int_equal(n, 4);
	assert_int_equal(workcal_between(cal, D("2026-10-12"), D("2026-09-30"), &n, &missing), 0);
	assert_int_equal(n, -4);
	assert_int_equal(workcal_between(cal, D("2026-11-23"), D("2026-11-23"), &n, &missing), 0);
	assert_int_equal(n, 0);
}

static void
missing_year_refused(void **st)
{
	int64_t out = 0;
	int missing = 0, n = 0;

	(void)st;
	/* Wednesday 30 December + 3 working days runs into 2027, whose notice is not loaded:
	 * refused, naming the year, rather than guessing Monday–Friday. */
	assert_int_equal(workcal_add(cal, D("2026-12-30"), 3, &out, &missing), CAL_MISSING);
	assert_int_equal(missing, 2027);
	due("2026-12-29", 2, "2026-12-31");	/* … while the days of 2026 still count */
	missing = 0;
	assert_int_equal(workcal_is_workday(cal, D("2025-06-02"), &missing), CAL_MISSING);
	assert_int_equal(missing, 2025);
	missing = 0;
	assert_int_equal(workcal_between(cal, D("2026-12-28"), D("2027-01-04"), &n, &missing),
	    CAL_MISSING);
	assert_int_equal(missing, 2027);
	/* Loading 2027 lifts it (Monday 4 January is then a working day). */
	workcal_year(cal, 2027);
	due("2026-12-30", 3, "2027-01-04");
	memset(&cal->years[2027 - CAL_MIN_YEAR], 0, sizeof cal->years[0]);
	/* Outside the years a calendar can hold at all. */
	assert_int_equal(workcal_is_workday(cal, D("1999-06-01"), &missing), CAL_MISSING);
	assert_int_equal(missing, 1999);
	assert_int_equal(workcal_year(cal, 2101), -1);
}

/* The notice a year is loaded from is refused whole when one day is wrong. */
static int
notice(const char *text, char *err, size_t esz)
{
	json_t *root = json_loads(text, 0, NULL);
	int rc;

	assert_non_null(root);
	err[0] = '\0';
	rc = calendar_notice_check(root, err, esz);
	json_decref(root);
	return rc;
}

static void
notice_checked_whole(void **st)
{
	char err[200];

	(void)st;
	assert_int_equal(notice("{\"year\":2026,\"source\":\"国办发明电〔2025〕7号\",\"days\":["
	    "{\"date\":\"2026-10-01\",\"name\":\"国庆节\",\"off\":true},"
	    "{\"date\":\"2026-10-03\",\"name\":\"国庆节\",\"off\":true},"	/* a Saturday off */
	    "{\"date\":\"2026-10-10\",\"name\":\"国庆节调休\",\"off\":false}]}",
	    err, sizeof err), 0);
	/* A make-up working day on a Friday (2026-10-09): refused, naming the day. */
	assert_int_equal(notice("{\"year\":2026,\"source\":\"x\",\"days\":["
	    "{\"date\":\"2026-10-09\",\"name\":\"调休\",\"off\":false}]}", err, sizeof err), -1);
	assert_non_null(strstr(err, "2026-10-09"));
	assert_non_null(strstr(err, "weekend"));
	/* A day of another year. */
	assert_int_equal(notice("{\"year\":2026,\"source\":\"x\",\"days\":["
	    "{\"date\":\"2027-01-01\",\"name\":\"元旦\",\"off\":true}]}", err, sizeof err), -1);
	assert_non_null(strstr(err, "outside the year"));
	/* Not a date, no source, a year the calendar cannot hold. */
	assert_int_equal(notice("{\"year\":2026,\"source\":\"x\",\"days\":["
	    "{\"date\":\"2026-02-30\",\"name\":\"春节\",\"off\":true}]}", err, sizeof err), -1);
	assert_int_equal(notice("{\"year\":2026,\"days\":[]}", err, sizeof err), -1);
	assert_int_equal(notice("{\"year\":2101,\"source\":\"x\",\"days\":[]}", err, sizeof err),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(plain_weeks, setup, teardown),
		cmocka_unit_test_setup_teardown(holidays, setup, teardown),
		cmocka_unit_test_setup_teardown(makeup_days, setup, teardown),
		cmocka_unit_test_setup_teardown(between, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_year_refused, setup, teardown),
		cmocka_unit_test(notice_checked_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
