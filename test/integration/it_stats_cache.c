/*
 * it_stats_cache.c — how fresh the manager's figures are (GET /halls/{hall}/stats, issue 24
 * item 5) and the satisfaction figures (GET /halls/{hall}/satisfaction): a period that ended
 * before today may come from an app process's copy, at most stats_cache_ms [10000] old; a
 * period that includes today is worked out on every call.
 *
 * A row is written straight into the record for a day no other suite uses — a case accepted
 * on Tuesday 6 October 2026 (the figures), a review given on Saturday 3 October (satisfaction)
 * — after both kinds of period were asked for many times (so every app process made its copy
 * of the past one, if it keeps copies at all): the period that includes today shows it on
 * every call at once; the past period shows it on every call once stats_cache_ms has gone
 * by, and never a count other than before or after.
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

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../lib/suite.h"
#include "../lib/flows.h"
#include "../lib/steps.h"
#include "../../fcgi/db.h"

#define TODAY "2026-10-09"
#define DAY   "2026-10-06"
#define PAST  "/api/v1/halls/demo/stats?from=" DAY "&to=" DAY
#define LIVE  "/api/v1/halls/demo/stats?from=" DAY "&to=" TODAY
#define SDAY  "2026-10-03"
#define SPAST "/api/v1/halls/demo/satisfaction?from=" SDAY "&to=" SDAY
#define SLIVE "/api/v1/halls/demo/satisfaction?from=" SDAY "&to=" TODAY
#define ASKS  16

/* One figure a manager reads, and the change that moves it by one. */
struct figure {
	const char	*past;		/* a period that ended before today */
	const char	*live;		/* one that includes today */
	long long	(*read)(const char *mgr, const char *path);
	void		(*write)(void);	/* straight into the record */
};

/* A case of the demo hall accepted on day (at 10:00), numbered tag-<pid>, into no. */
static void
case_written(const char *tag, const char *day, char *no, size_t nsz)
{
	snprintf(no, nsz, "%s-%ld", tag, (long)getpid());
	assert_int_equal(db_exec(&test_db, "INSERT INTO cases (no, hall, channel, item, title,"
	    " status, applicant_name_enc, applicant_name_mask, applicant_id_enc, applicant_id_hash,"
	    " applicant_id_mask, applicant_phone_enc, applicant_phone_hash, applicant_phone_mask,"
	    " accepted_at, promised_days, deadline, created_at, updated_at) VALUES (?, 'demo',"
	    " 'online', 'IT-A-001', '缓存测试', 'processing', 'x', '张*', 'x', SHA2(?, 256), 'x', 'x',"
	    " SHA2(?, 256), 'x', CONCAT(?, ' 10:00:00'), 5, '2026-10-13', NOW(), NOW())",
	    DBARGS(DBS(no), DBS(no), DBS(no), DBS(day)), NULL, NULL), 0);
}

/* cases.accepted of one call. */
static long long
accepted(const char *mgr, const char *path)
{
	return get_int(mgr, "cases.accepted", "%s", path);
}

static void
case_accepted(void)
{
	char no[48];

	case_written("CACHE-20261006", DAY, no, sizeof no);
}

/* The reviews of one call's satisfaction: the totals of by_window added up. */
static long long
reviewed(const char *mgr, const char *path)
{
	json_t *w = get_member(mgr, "by_window", "%s", path), *row;
	long long n = 0;
	size_t i;

	assert_true(json_is_array(w));
	json_array_foreach(w, i, row)
		n += json_integer_value(json_object_get(row, "total"));
	json_decref(w);
	return n;
}

/* A case accepted on SDAY at window 1, reviewed (5, satisfied) the same day. */
static void
review_given(void)
{
	char no[48];

	case_written("SATCOPY-20261003", SDAY, no, sizeof no);
	assert_int_equal(db_exec(&test_db, "INSERT INTO reviews (hall, kind, case_id, ref, day,"
	    " score, window_no, created_at) SELECT 'demo', 'case', id, no, ?, 5, 1,"
	    " CONCAT(?, ' 17:00:00') FROM cases WHERE no = ?",
	    DBARGS(DBS(SDAY), DBS(SDAY), DBS(no)), NULL, NULL), 0);
}

/* f's change after both periods were asked for many times: the live period shows it at
 * once; the past one before or after while copies may live, after on every call once
 * stats_cache_ms (the stack's default, 10 s) has gone by since the copies were made. */
static void
kept_then_fresh(const struct figure *f)
{
	char mgr[128];
	long long past0, live0, v;
	struct timespec t0, t1;
	int i, fresh;

	clock_at(TODAY "T10:00:00+08:00");
	staff_in("manager1", 0, mgr, sizeof mgr);
	past0 = f->read(mgr, f->past);
	live0 = f->read(mgr, f->live);
	for (i = 0; i < ASKS; i++) {
		assert_int_equal(f->read(mgr, f->past), past0);
		assert_int_equal(f->read(mgr, f->live), live0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);	/* every copy was made before this */
	f->write();

	/* Today's period: the change on every call, at once. */
	for (i = 0; i < ASKS; i++)
		assert_int_equal(f->read(mgr, f->live), live0 + 1);
	/* The past one: before or after, never anything else, while the copies may live … */
	for (i = 0; i < ASKS; i++) {
		v = f->read(mgr, f->past);
		assert_true(v == past0 || v == past0 + 1);
	}
	/* … and once stats_cache_ms has gone by since the copies were made, the new count on
	 * every call. */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	{
		long long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;

		if (ms < 11000)
			usleep((useconds_t)(11000 - ms) * 1000);
	}
	for (fresh = 0, i = 0; i < ASKS; i++)
		fresh += f->read(mgr, f->past) == past0 + 1;
	assert_int_equal(fresh, ASKS);
	set_clock(NULL);
}

TEST(past_kept_today_live)
{
	static const struct figure cases = { PAST, LIVE, accepted, case_accepted };

	kept_then_fresh(&cases);
}

TEST(satisfaction_past_kept_today_live)
{
	static const struct figure reviews = { SPAST, SLIVE, reviewed, review_given };

	kept_then_fresh(&reviews);
}

SUITE_MAIN("stats_cache", suite_setup, suite_teardown)
