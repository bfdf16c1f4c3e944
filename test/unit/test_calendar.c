/*
 * test_calendar.c — the working-day arithmetic (modules/hall/workdays.c) over a calendar
 * built here: the National Day week of 2026 off (Thursday 1 – Wednesday 7 October), Saturday
 * 10 October a make-up working day (调休), 2026 loaded and 2027 not.  The deadline of every
 * case runs through these functions (calendar.c fills the same struct from the record).
 * And the check a year's notice passes before it is loaded (calendar_notice_check).
 * And the provisional calendar of a year whose notice is missing (workcal_provisional):
 * weekends, the fixed-date statutory holidays, the lunar ones and 清明 from the table of
 * modules/hall/festivals.c, checked against dates written out here and against the 2026
 * notice (sql/data/cn-holidays-2026.json).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/tests.h"
#include "../lib/expect.h"
#include "../../fcgi/clock.h"
#include "../../modules/hall/calendar.h"
#include "../../modules/hall/workdays.h"
#include "../../modules/hall/festivals.h"

#include <jansson.h>

static struct workcal *cal;

#define D(iso)	day_of(iso)

FIXTURE(setup)
{
	int64_t d;

	cal = calloc(1, sizeof *cal);
	if (cal == NULL)
		return -1;
	workcal_year(cal, 2026);
	for (d = D("2026-10-01"); d <= D("2026-10-07"); d++)
		workcal_mark(cal, d, CAL_HOLIDAY);
	workcal_mark(cal, D("2026-10-10"), CAL_MAKEUP);
	return 0;
}

FIXTURE(teardown)
{
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

TEST_WITH(plain_weeks, setup, teardown)
{
	assert_int_equal(workcal_is_workday(cal, D("2026-11-23"), NULL), 1);	/* Monday */
	assert_int_equal(workcal_is_workday(cal, D("2026-11-28"), NULL), 0);	/* Saturday */
	assert_int_equal(workcal_is_workday(cal, D("2026-11-29"), NULL), 0);	/* Sunday */
	due("2026-11-23", 1, "2026-11-24");	/* the day itself does not count */
	due("2026-11-27", 1, "2026-11-30");	/* Friday + 1: the weekend skipped */
	due("2026-11-23", 5, "2026-11-30");
	due("2026-11-23", 0, "2026-11-23");
	due("2026-11-28", 1, "2026-11-30");	/* accepted on a Saturday */
}

TEST_WITH(holidays, setup, teardown)
{
	assert_int_equal(workcal_is_workday(cal, D("2026-10-01"), NULL), 0);	/* a Thursday */
	assert_int_equal(workcal_is_workday(cal, D("2026-10-07"), NULL), 0);	/* a Wednesday */
	assert_int_equal(workcal_is_workday(cal, D("2026-10-08"), NULL), 1);
	due("2026-09-30", 1, "2026-10-08");	/* the whole week off is skipped */
	due("2026-09-29", 2, "2026-10-08");
}

TEST_WITH(makeup_days, setup, teardown)
{
	assert_int_equal(workcal_is_workday(cal, D("2026-10-10"), NULL), 1);	/* Saturday, 调休 */
	assert_int_equal(workcal_is_workday(cal, D("2026-10-11"), NULL), 0);	/* Sunday after */
	due("2026-10-09", 1, "2026-10-10");
	due("2026-10-08", 3, "2026-10-12");	/* Fri, Sat (调休), then Monday */
}

TEST_WITH(between, setup, teardown)
{
	int n = 99, missing = 0;

	/* Oct 1–7 off, Thu 8, Fri 9, Sat 10 (调休), Sun 11 off, Mon 12: four days. */
	assert_int_equal(workcal_between(cal, D("2026-09-30"), D("2026-10-12"), &n, &missing), 0);
	assert_int_equal(n, 4);
	assert_int_equal(workcal_between(cal, D("2026-10-12"), D("2026-09-30"), &n, &missing), 0);
	assert_int_equal(n, -4);
	assert_int_equal(workcal_between(cal, D("2026-11-23"), D("2026-11-23"), &n, &missing), 0);
	assert_int_equal(n, 0);
}

TEST_WITH(missing_year_refused, setup, teardown)
{
	int64_t out = 0;
	int missing = 0, n = 0;

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

TEST(notice_checked_whole)
{
	char err[200];

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

/* Every day in list is (off = 1) or is not (off = 0) a working day. */
static void
days_are(const char *const *list, int work)
{
	size_t i;

	for (i = 0; list[i]; i++) {
		int got = workcal_is_workday(cal, D(list[i]), NULL);

		if (got != work)
			fail_msg("%s: %d, want %d", list[i], got, work);
	}
}

TEST_WITH(provisional_year, setup, teardown)
{
	/* 2027, whose notice is not out: 元旦 (Fri), 春节 除夕 2-5 (Fri) … 初三 2-8 (Mon),
	 * 清明 4-5 (Mon), 劳动节 5-1/5-2 (a weekend), 端午 6-9 (Wed), 中秋 9-15 (Wed),
	 * 国庆 10-1 (Fri) – 10-3. */
	static const char *const off[] = { "2027-01-01", "2027-02-05", "2027-02-08",
	    "2027-04-05", "2027-06-09", "2027-09-15", "2027-10-01",
	    "2027-01-02", "2027-01-03", "2027-05-01", "2027-05-02", "2027-10-02",
	    "2027-10-03", "2027-02-06", "2027-02-07", NULL };
	static const char *const work[] = { "2027-01-04", "2027-02-04", "2027-02-09",
	    "2027-04-06", "2027-05-03", "2027-06-08", "2027-06-10", "2027-09-14", "2027-09-16",
	    "2027-10-04", "2027-12-31", NULL };
	int64_t out = 0;
	int missing = 0;
	char buf[16];

	assert_int_equal(workcal_provisional(cal, 2027), 0);
	days_are(off, 0);
	days_are(work, 1);
	/* No 调休 is guessed: the weekend after National Day stays a weekend. */
	assert_int_equal(workcal_is_workday(cal, D("2027-10-09"), NULL), 0);
	/* The loaded year is left alone. */
	assert_int_equal(workcal_provisional(cal, 2026), 1);
	assert_int_equal(workcal_is_workday(cal, D("2026-10-10"), NULL), 1);
	/* Wednesday 30 December + 3: Thursday 31, 元旦 and the weekend off, Monday 4,
	 * Tuesday 5 January — and the deadline says it ran through 2027. */
	assert_int_equal(workcal_add(cal, D("2026-12-30"), 3, &out, &missing), 0);
	assert_string_equal(fmt_day(out, buf, sizeof buf), "2027-01-05");
	assert_int_equal(workcal_provisional_in(cal, D("2026-12-30"), out), 2027);
	assert_int_equal(workcal_provisional_in(cal, D("2026-12-01"), D("2026-12-31")), 0);
	/* The notice replaces it whole: 6-9 is whatever the notice says (here nothing). */
	workcal_year(cal, 2027);
	assert_int_equal(workcal_is_workday(cal, D("2027-06-09"), NULL), 1);
	assert_int_equal(workcal_provisional_in(cal, D("2026-12-30"), D("2027-01-05")), 0);
}

TEST_WITH(provisional_beyond_table, setup, teardown)
{
	struct festival_days f;

	/* 2040 is past the table: weekends, 元旦, 劳动节 and 国庆 only — 春节 (初一 Sunday
	 * 2-12, 初二 Monday 2-13), 端午 (Thursday 6-14) and 中秋 (Thursday 9-20) not known. */
	assert_int_equal(festival_days(2040, &f), -1);
	assert_int_equal(workcal_provisional(cal, 2040), 0);
	assert_int_equal(workcal_is_workday(cal, D("2040-05-01"), NULL), 0);	/* Tuesday */
	assert_int_equal(workcal_is_workday(cal, D("2040-05-02"), NULL), 0);
	assert_int_equal(workcal_is_workday(cal, D("2040-10-01"), NULL), 0);	/* Monday */
	assert_int_equal(workcal_is_workday(cal, D("2040-10-03"), NULL), 0);
	assert_int_equal(workcal_is_workday(cal, D("2040-02-13"), NULL), 1);
	assert_int_equal(workcal_is_workday(cal, D("2040-06-14"), NULL), 1);
	assert_int_equal(workcal_is_workday(cal, D("2040-09-20"), NULL), 1);
	assert_int_equal(workcal_provisional(cal, 2101), -1);
}

TEST_WITH(provisional_table_years, setup, teardown)
{
	int y, wd;
	struct festival_days f;

	/* Every year of the table: 13 statutory days (2024 revision), each off (two may fall
	 * on one date: 中秋 2031 is 10-1); 春节 in late
	 * January or February, 清明 on 4 or 5 April, 端午 in May/June, 中秋 in Sept/Oct. */
	for (y = FESTIVAL_FIRST_YEAR; y <= FESTIVAL_LAST_YEAR; y++) {
		int64_t jan1 = days_from_civil(y, 1, 1), d, days[13];
		int n = 0, i;

		assert_int_equal(festival_days(y, &f), 0);
		assert_int_equal(workcal_provisional(cal, y), y == 2026 ? 1 : 0);
		if (y == 2026)
			continue;
		assert_true(f.chunjie >= days_from_civil(y, 1, 21) &&
		    f.chunjie <= days_from_civil(y, 2, 20));
		assert_true(f.qingming == days_from_civil(y, 4, 4) ||
		    f.qingming == days_from_civil(y, 4, 5));
		assert_true(f.duanwu >= days_from_civil(y, 5, 28) &&
		    f.duanwu <= days_from_civil(y, 6, 25));
		assert_true(f.zhongqiu >= days_from_civil(y, 9, 8) &&
		    f.zhongqiu <= days_from_civil(y, 10, 7));
		days[n++] = jan1;
		for (d = f.chunjie - 1; d <= f.chunjie + 2; d++)
			days[n++] = d;
		days[n++] = f.qingming;
		days[n++] = days_from_civil(y, 5, 1);
		days[n++] = days_from_civil(y, 5, 2);
		days[n++] = f.duanwu;
		days[n++] = f.zhongqiu;
		for (d = days_from_civil(y, 10, 1); d <= days_from_civil(y, 10, 3); d++)
			days[n++] = d;
		assert_int_equal(n, 13);
		for (i = 0; i < n; i++)
			assert_int_equal(workcal_is_workday(cal, days[i], NULL), 0);
		/* … and nothing else: the other weekdays work. */
		n = 0;
		for (d = jan1; d < days_from_civil(y + 1, 1, 1); d++) {
			wd = weekday_of_days(d);
			if (wd != 0 && wd != 6 && workcal_is_workday(cal, d, NULL) == 0)
				n++;
		}
		for (i = 0, wd = 0; i < 13; i++) {	/* distinct weekdays (2031: 中秋 is 10-1) */
			int j, seen = 0;

			for (j = 0; j < i; j++)
				seen |= days[j] == days[i];
			wd += !seen && weekday_of_days(days[i]) != 0 && weekday_of_days(days[i]) != 6;
		}
		assert_int_equal(n, wd);
	}
}

TEST_WITH(provisional_agrees_with_2026_notice, setup, teardown)
{
	struct workcal *w = calloc(1, sizeof *w);
	json_t *root, *d;
	json_error_t je;
	size_t i;
	int64_t day;
	int y;

	assert_non_null(w);
	/* The provisional 2026 against the published one: every statutory day is off in the
	 * notice too (the notice adds the 补假 and bridge days, and the 调休). */
	root = json_load_file("sql/data/cn-holidays-2026.json", 0, &je);
	assert_non_null(root);
	workcal_year(cal, 2026);
	json_array_foreach(json_object_get(root, "days"), i, d) {
		assert_int_equal(date_parse(json_string_value(json_object_get(d, "date")), &day), 0);
		workcal_mark(cal, day, json_is_true(json_object_get(d, "off")) ? CAL_HOLIDAY :
		    CAL_MAKEUP);
	}
	json_decref(root);
	assert_int_equal(workcal_provisional(w, 2026), 0);
	for (day = days_from_civil(2026, 1, 1), y = 0; day <= days_from_civil(2026, 12, 31);
	    day++)
		if (workcal_is_workday(w, day, NULL) == 0 && weekday_of_days(day) != 0 &&
		    weekday_of_days(day) != 6) {
			y++;
			if (workcal_is_workday(cal, day, NULL) != 0) {
				char buf[16];

				fail_msg("%s off provisionally, a working day in the notice",
				    fmt_day(day, buf, sizeof buf));
			}
		}
	assert_true(y >= 9);
	free(w);
}

UNIT_MAIN("calendar", NULL, NULL)
