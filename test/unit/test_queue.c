/*
 * test_queue.c — the queue's pure helpers: the hall's day and DATETIME text, and the
 * waiting-time estimate (recent average service time ÷ windows open for the category), the
 * opening hours with the appointment check-in's early start.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../modules/queue/queue_int.h"
#include "../../fcgi/clock.h"

TEST(days_and_times)
{
	char day[11], dt[24], out[40];
	int64_t t, day_ms;

	/* 2026-11-23 09:30:00.250 in the hall is 01:30:00.250 UTC. */
	assert_int_equal(time_parse("2026-11-23T09:30:00+08:00", &t), 0);
	q_today(t * 1000 + 250, day, &day_ms);
	assert_string_equal(day, "2026-11-23");
	assert_int_equal(day_ms, (9 * 3600 + 30 * 60) * 1000LL + 250);
	q_dt(t * 1000 + 250, dt);
	assert_string_equal(dt, "2026-11-23 09:30:00.250");
	q_rfc3339(dt, out, sizeof out);
	assert_string_equal(out, "2026-11-23T09:30:00+08:00");
	q_rfc3339("", out, sizeof out);
	assert_string_equal(out, "");
	/* Just before and after the hall's midnight (16:00 UTC). */
	assert_int_equal(time_parse("2026-11-23T23:59:59+08:00", &t), 0);
	q_today(t * 1000 + 999, day, NULL);
	assert_string_equal(day, "2026-11-23");
	q_today(t * 1000 + 1000, day, &day_ms);
	assert_string_equal(day, "2026-11-24");
	assert_int_equal(day_ms, 0);
}

static redisReply *
str_reply(redisReply *r, const char *s)
{
	memset(r, 0, sizeof *r);
	r->type = REDIS_REPLY_STRING;
	r->str = (char *)s;
	r->len = strlen(s);
	return r;
}

TEST(estimates)
{
	struct q_hall h;
	redisReply svc, o[4];
	const redisReply *open[4] = { &o[0], &o[1], &o[2], &o[3] };
	int64_t now = 1795399200000LL;
	char fresh[32], old[32];

	memset(&h, 0, sizeof h);
	h.ncat = 1;
	h.cats[0].code = 'A';
	h.cats[0].avg_min = 12;
	h.cats[0].nwin = 3;
	h.nwin = 3;
	h.wins[0].number = 1;
	h.wins[1].number = 2;
	h.wins[2].number = 3;
	h.wins[0].mask = h.wins[1].mask = h.wins[2].mask = 1u << 0;

	/* Nobody ahead: no wait. */
	assert_int_equal(q_eta(&h, 'A', 0, NULL, NULL, 0, now), 0);
	/* No service measured, no window open: the seed (12 min) over the 3 windows serving A. */
	assert_int_equal(q_eta(&h, 'A', 5, NULL, NULL, 0, now), 20);
	/* A measured average of 6 min (360 s), still 3 windows. */
	assert_int_equal(q_eta(&h, 'A', 5, str_reply(&svc, "360.0"), NULL, 0, now), 10);
	/* Only window 2 is open now (window 1 acted 2 hours ago): 5 × 6 min on one window. */
	snprintf(fresh, sizeof fresh, "%lld", (long long)(now - 60 * 1000));
	snprintf(old, sizeof old, "%lld", (long long)(now - 2 * 3600 * 1000));
	str_reply(&o[0], "2");
	str_reply(&o[1], fresh);
	str_reply(&o[2], "1");
	str_reply(&o[3], old);
	assert_int_equal(q_eta(&h, 'A', 5, &svc, open, 4, now), 30);
	/* Rounded up: 1 ahead × 6 min ÷ 4 windows is 2 minutes, not 1. */
	h.cats[0].nwin = 4;
	assert_int_equal(q_eta(&h, 'A', 1, &svc, NULL, 0, now), 2);
	/* An unknown category has no estimate. */
	assert_int_equal(q_eta(&h, 'Z', 5, &svc, NULL, 0, now), 0);
}

/* Opening hours, and the appointment check-in's early start before each opening period
 * (08:30–12:00 and 13:30–17:30 with 30 minutes: from 08:00 and from 13:00). */
TEST(checkin_before_opening)
{
	struct q_hall h;

	memset(&h, 0, sizeof h);
	h.nhours = 2;
	h.open_s[0] = 8 * 3600 + 30 * 60;
	h.close_s[0] = 12 * 3600;
	h.open_s[1] = 13 * 3600 + 30 * 60;
	h.close_s[1] = 17 * 3600 + 30 * 60;
	assert_false(q_hours_open(&h, 8 * 3600));
	assert_true(q_hours_checkin(&h, 8 * 3600, 1800));
	assert_false(q_hours_checkin(&h, 8 * 3600 - 1, 1800));
	assert_true(q_hours_checkin(&h, 8 * 3600 + 30 * 60, 1800));
	assert_false(q_hours_checkin(&h, 12 * 3600 + 10 * 60, 1800));	/* lunch */
	assert_true(q_hours_checkin(&h, 13 * 3600, 1800));
	assert_false(q_hours_checkin(&h, 17 * 3600 + 30 * 60, 1800));	/* closed */
	assert_false(q_hours_checkin(&h, 8 * 3600, 0));
}

UNIT_MAIN("queue", NULL, NULL)
