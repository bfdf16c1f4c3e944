/*
 * test_case_deadline.c — 承诺时限 in working days (the calendar's arithmetic, hall/workdays.c,
 * and the case's pause and light, modules/cases/case_deadline.c) over a calendar of the
 * test's own: 2026 loaded with a National Day holiday (1–8 October off) and
 * two make-up working days (Sunday 27 September, Saturday 10 October); 2027 not loaded.
 * The clock stops for a 补正 and runs again, the deadline moving by the working days it stood.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../lib/tests.h"
#include "../lib/expect.h"
#include "../../modules/cases/case_deadline.h"
#include "../../fcgi/clock.h"

static struct workcal cal;

#define D(iso)	day_of(iso)

/* 2026 loaded: 1–8 October off, Sunday 27 September and Saturday 10 October worked. */
FIXTURE(cal_setup)
{
	int64_t d;

	memset(&cal, 0, sizeof cal);
	if (workcal_year(&cal, 2026) != 0)
		return -1;
	for (d = D("2026-10-01"); d <= D("2026-10-08"); d++)
		workcal_mark(&cal, d, CAL_HOLIDAY);
	workcal_mark(&cal, D("2026-09-27"), CAL_MAKEUP);
	workcal_mark(&cal, D("2026-10-10"), CAL_MAKEUP);
	return 0;
}


/* workcal_add: promised working days from a day of acceptance must end on want. */
static void
adds_to(const char *from, int days, const char *want)
{
	int64_t out = 0;
	int miss = 0, rc = workcal_add(&cal, D(from), days, &out, &miss);
	char got[16];

	date_format_days(out, got, sizeof got);
	if (rc != 0 || out != D(want))
		fail_msg("%s + %d working days: %s (rc %d), expected %s", from, days, got, rc, want);
}

/* deadline_resume: a case due `due`, 补正 requested on `asked` and brought on `brought`,
 * stood still `paused` working days and is due `now_due`. */
static void
resumes_to(const char *due, const char *asked, const char *brought, int paused,
    const char *now_due)
{
	int64_t nd = 0;
	int got = -1, miss = 0;
	int rc = deadline_resume(&cal, D(due), D(asked), D(brought), &got, &nd, &miss);
	char then[16];

	date_format_days(nd, then, sizeof then);
	if (rc != 0 || got != paused || nd != D(now_due))
		fail_msg("due %s, asked %s, brought %s: paused %d, due %s (rc %d); expected %d, %s",
		    due, asked, brought, got, then, rc, paused, now_due);
}

TEST(add)
{
	int64_t out = 0;
	int miss = 0;

	/* the day of acceptance does not count */
	adds_to("2026-11-23", 1, "2026-11-24");
	/* a weekend is skipped */
	adds_to("2026-11-27", 1, "2026-11-30");
	/* the holiday is skipped and the make-up Saturday counts */
	adds_to("2026-09-30", 3, "2026-10-12");
	/* the make-up Sunday counts too */
	adds_to("2026-09-25", 1, "2026-09-27");
	/* 0 promised days: due the same day */
	adds_to("2026-11-23", 0, "2026-11-23");
	/* a deadline in a year whose holidays are not loaded is not guessed */
	assert_int_equal(workcal_add(&cal, D("2026-12-29"), 5, &out, &miss), CAL_MISSING);
	assert_int_equal(miss, 2027);
}

TEST(pause_and_resume)
{
	int64_t nd = 0;
	int paused = -1, miss = 0;

	/* 补正 requested Monday 28 September, brought Friday 9 October: the clock stood on
	 * 29 and 30 September and 9 October (the holiday is no working day) */
	resumes_to("2026-10-20", "2026-09-28", "2026-10-09", 3, "2026-10-23");
	/* brought the same day: nothing moves */
	resumes_to("2026-11-30", "2026-11-23", "2026-11-23", 0, "2026-11-30");
	/* a pause over a weekend only counts its working days */
	resumes_to("2026-11-30", "2026-11-20", "2026-11-24", 2, "2026-12-02");
	/* a resume dated before the request (a clock set back) never shortens the deadline */
	resumes_to("2026-11-30", "2026-11-24", "2026-11-20", 0, "2026-11-30");
	/* moved into a year not loaded */
	assert_int_equal(deadline_resume(&cal, D("2026-12-30"), D("2026-12-01"), D("2026-12-10"),
	    &paused, &nd, &miss), CAL_MISSING);
	assert_int_equal(miss, 2027);
}

TEST(between)
{
	int n = 0, miss = 0;

	assert_int_equal(workcal_between(&cal, D("2026-09-30"), D("2026-10-12"), &n,
	    &miss), 0);
	assert_int_equal(n, 3);
	assert_int_equal(workcal_between(&cal, D("2026-10-12"), D("2026-09-30"), &n,
	    &miss), 0);
	assert_int_equal(n, -3);
}

TEST(light)
{
	enum deadline_light l = DL_GREEN;

	/* one working day left, yellow at 1 */
	assert_int_equal(deadline_light(&cal, D("2026-11-24"), -1, D("2026-11-23"), 1, &l), 0);
	assert_int_equal(l, DL_YELLOW);
	assert_int_equal(deadline_light(&cal, D("2026-11-26"), -1, D("2026-11-23"), 1, &l), 0);
	assert_int_equal(l, DL_GREEN);
	/* the deadline day itself is still running; the day after is red */
	assert_int_equal(deadline_light(&cal, D("2026-11-23"), -1, D("2026-11-23"), 1, &l), 0);
	assert_int_equal(l, DL_YELLOW);
	assert_int_equal(deadline_light(&cal, D("2026-11-20"), -1, D("2026-11-23"), 1, &l), 0);
	assert_int_equal(l, DL_RED);
	/* paused on 10 November: judged from there, green although today is past the date */
	assert_int_equal(deadline_light(&cal, D("2026-11-20"), D("2026-11-10"), D("2026-11-23"), 1,
	    &l), 0);
	assert_int_equal(l, DL_GREEN);
	/* cannot be counted (2027 not loaded): never green */
	assert_int_equal(deadline_light(&cal, D("2027-01-10"), -1, D("2026-12-30"), 1, &l), 0);
	assert_int_equal(l, DL_YELLOW);
}

UNIT_MAIN("case_deadline", cal_setup, NULL)
