/*
 * test_appt_rules.c — the booking rules (modules/appointments/rules.h) without a stack: the
 * very functions the booking, cancel, reschedule, check-in and no-show code calls, at hall
 * instants built here (not the clock), so they hold at any real hour.
 *
 * Capacity, one booking per citizen per hall and day, and the weekly and monthly caps are
 * checked inside the booking script in Redis (atomic with the take): it_appointments tests
 * those against the live stack; here, how the script's answers become the API's errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../modules/appointments/appointments_int.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/errors.h"

static const struct appt_rules RU = {
	.days_ahead = 7, .per_week = 2, .per_month = 6, .one_per_day = 1,
	.noshow_limit = 2, .noshow_window = 90, .ban_days = 90,
	.checkin_before = 30, .checkin_after = 15,
};

/* A Wednesday. */
static int64_t
wed(void)
{
	return days_from_civil(2026, 11, 25);
}

/* Hall instant of a day at hh:mm. */
static int64_t
at(int64_t day, int hh, int mm)
{
	return appt_instant(day, hh * 60 + mm);
}

TEST(bookable_past_and_horizon)
{
	int64_t d = wed(), now = at(d, 10, 0);

	/* Later today: bookable; one minute after it began, or earlier today: not. */
	assert_int_equal(appt_rule_bookable(&RU, now, d, 10 * 60 + 30), 0);
	assert_int_equal(appt_rule_bookable(&RU, now, d, 10 * 60), E_SLOT_UNAVAILABLE);
	assert_int_equal(appt_rule_bookable(&RU, now + 60, d, 10 * 60), E_SLOT_UNAVAILABLE);
	assert_int_equal(appt_rule_bookable(&RU, now, d, 9 * 60), E_SLOT_UNAVAILABLE);
	/* Yesterday: not, whatever the hour. */
	assert_int_equal(appt_rule_bookable(&RU, now, d - 1, 23 * 60), E_SLOT_UNAVAILABLE);
	/* The horizon: today + days_ahead is the last day, early in the morning too. */
	assert_int_equal(appt_rule_bookable(&RU, now, d + 7, 0), 0);
	assert_int_equal(appt_rule_bookable(&RU, now, d + 8, 9 * 60), E_SLOT_UNAVAILABLE);
	/* Just before midnight the horizon still counts from today, not from tomorrow. */
	assert_int_equal(appt_rule_bookable(&RU, at(d, 23, 59), d + 8, 9 * 60),
	    E_SLOT_UNAVAILABLE);
	assert_int_equal(appt_rule_bookable(&RU, at(d + 1, 0, 0), d + 8, 9 * 60), 0);
}

/* appointment_release_time: the last day opens at one instant, 08:00 of the day days_ahead
 * before it — not at midnight, not slot by slot. */
TEST(release_at_one_instant)
{
	struct appt_rules ru = RU;
	int64_t d = wed();

	ru.release_min = 8 * 60;
	assert_int_equal(appt_release_at(&ru, d + 7), at(d, 8, 0));
	/* 07:59:59: the day before the horizon is open, the horizon day is not (any slot). */
	assert_int_equal(appt_rule_bookable(&ru, at(d, 8, 0) - 1, d + 6, 9 * 60), 0);
	assert_int_equal(appt_rule_bookable(&ru, at(d, 8, 0) - 1, d + 7, 9 * 60),
	    E_SLOT_UNAVAILABLE);
	assert_int_equal(appt_rule_bookable(&ru, at(d, 8, 0) - 1, d + 7, 17 * 60),
	    E_SLOT_UNAVAILABLE);
	/* 08:00:00: every slot of it at once; the day after it still waits for tomorrow. */
	assert_int_equal(appt_rule_bookable(&ru, at(d, 8, 0), d + 7, 8 * 60 + 30), 0);
	assert_int_equal(appt_rule_bookable(&ru, at(d, 8, 0), d + 7, 17 * 60), 0);
	assert_int_equal(appt_rule_bookable(&ru, at(d, 23, 59), d + 8, 9 * 60),
	    E_SLOT_UNAVAILABLE);
	assert_int_equal(appt_rule_bookable(&ru, at(d + 1, 7, 59), d + 8, 9 * 60),
	    E_SLOT_UNAVAILABLE);
	assert_int_equal(appt_rule_bookable(&ru, at(d + 1, 8, 0), d + 8, 9 * 60), 0);
	/* No days ahead: today's slots open at 08:00 today. */
	ru.days_ahead = 0;
	assert_int_equal(appt_rule_bookable(&ru, at(d, 7, 0), d, 9 * 60), E_SLOT_UNAVAILABLE);
	assert_int_equal(appt_rule_bookable(&ru, at(d, 8, 0), d, 9 * 60), 0);
}

TEST(cancel_before_start)
{
	int64_t d = wed(), start = at(d, 10, 0);
	int noop;

	assert_int_equal(appt_rule_cancel("booked", start, start - 1, &noop), 0);
	assert_false(noop);
	assert_int_equal(appt_rule_cancel("booked", start, start, &noop),
	    E_APPOINTMENT_STARTED);
	/* Cancelling again is a no-op, even after the start. */
	assert_int_equal(appt_rule_cancel("cancelled", start, start + 3600, &noop), 0);
	assert_true(noop);
	assert_int_equal(appt_rule_cancel("checked_in", start, start - 600, &noop),
	    E_INVALID_STATE);
	assert_false(noop);
	assert_int_equal(appt_rule_cancel("no_show", start, start - 600, &noop), E_INVALID_STATE);
}

TEST(reschedule_rules)
{
	int64_t d = wed(), start = at(d, 10, 0);

	assert_int_equal(appt_rule_reschedule("booked", start, start - 60, "A-20261125-1000",
	    "A-20261125-1030"), 0);
	assert_int_equal(appt_rule_reschedule("booked", start, start - 60, "A-20261125-1000",
	    "A-20261125-1000"), E_SAME_SLOT);
	assert_int_equal(appt_rule_reschedule("booked", start, start, "A-20261125-1000",
	    "A-20261125-1030"), E_APPOINTMENT_STARTED);
	assert_int_equal(appt_rule_reschedule("checked_in", start, start - 60, "A-20261125-1000",
	    "A-20261125-1030"), E_INVALID_STATE);
	assert_int_equal(appt_rule_reschedule("cancelled", start, start - 60, "A-20261125-1000",
	    "A-20261125-1030"), E_INVALID_STATE);
}

TEST(move_counts)
{
	struct appt_move m;
	int64_t d = wed();

	/* Same day: the day's holder and the counts stay; only the seat goes back. */
	appt_rule_move(d, d, &m);
	assert_true(m.same_day && m.same_week && m.same_month);
	assert_int_equal(m.release, APPT_REL_SEAT);
	/* Friday of the same week (and month). */
	appt_rule_move(d, d + 2, &m);
	assert_true(!m.same_day && m.same_week && m.same_month);
	assert_int_equal(m.release, APPT_REL_SEAT | APPT_REL_DAY);
	/* Next Monday, still November: another week. */
	appt_rule_move(d, d + 5, &m);
	assert_true(!m.same_day && !m.same_week && m.same_month);
	assert_int_equal(m.release, APPT_REL_SEAT | APPT_REL_DAY | APPT_REL_WEEK);
	/* Tuesday 1 December: the same week (Monday 30 November), another month. */
	appt_rule_move(days_from_civil(2026, 11, 30), days_from_civil(2026, 12, 1), &m);
	assert_true(!m.same_day && m.same_week && !m.same_month);
	assert_int_equal(m.release, APPT_REL_SEAT | APPT_REL_DAY | APPT_REL_MONTH);
	/* A Sunday and the Monday after: weeks run Monday to Sunday. */
	appt_rule_move(days_from_civil(2026, 11, 29), days_from_civil(2026, 11, 30), &m);
	assert_false(m.same_week);
}

TEST(checkin_window)
{
	int64_t d = wed(), start = at(d, 10, 0), from, until;
	int already, early;

	appt_checkin_window(&RU, start, &from, &until);
	assert_true(from == at(d, 9, 30));
	assert_true(until == at(d, 10, 15));
	/* Both ends are inside. */
	assert_int_equal(appt_rule_checkin(&RU, "booked", start, from, &already, &early), 0);
	assert_int_equal(appt_rule_checkin(&RU, "booked", start, until, &already, &early), 0);
	assert_false(already);
	assert_int_equal(appt_rule_checkin(&RU, "booked", start, from - 1, &already, &early),
	    E_OUTSIDE_CHECKIN_WINDOW);
	assert_true(early);
	assert_int_equal(appt_rule_checkin(&RU, "booked", start, until + 1, &already, &early),
	    E_OUTSIDE_CHECKIN_WINDOW);
	assert_false(early);
	/* A day early is early, not "today". */
	assert_int_equal(appt_rule_checkin(&RU, "booked", start, start - 86400, &already,
	    &early), E_OUTSIDE_CHECKIN_WINDOW);
	assert_true(early);
	/* Checked in: shown again, at any time; cancelled: refused; a no-show: too late. */
	assert_int_equal(appt_rule_checkin(&RU, "checked_in", start, until + 3600, &already,
	    &early), 0);
	assert_true(already);
	assert_int_equal(appt_rule_checkin(&RU, "cancelled", start, start, &already, &early),
	    E_INVALID_STATE);
	assert_false(already);
	assert_int_equal(appt_rule_checkin(&RU, "no_show", start, start, &already, &early),
	    E_OUTSIDE_CHECKIN_WINDOW);
	assert_false(early);
}

TEST(noshow_ban)
{
	struct appt_rules ru = RU;
	int64_t d = wed(), from, until = -1;

	/* The window counts back 90 days, this day included. */
	appt_noshow_span(&ru, d, &from);
	assert_true(from == d - 89);
	assert_int_equal(appt_rule_noshow_ban(&ru, d, 1, &until), 0);
	assert_true(until == -1);
	assert_int_equal(appt_rule_noshow_ban(&ru, d, 2, &until), 1);
	assert_true(until == d + 90);
	assert_int_equal(appt_rule_noshow_ban(&ru, d, 5, &until), 1);
	/* appointment_ban_days = 0 switches bans off. */
	ru.ban_days = 0;
	until = -1;
	assert_int_equal(appt_rule_noshow_ban(&ru, d, 5, &until), 0);
	assert_true(until == -1);
}

TEST(take_outcomes)
{
	assert_int_equal(appt_take_kind(APPT_TAKE_OK), 0);
	assert_int_equal(appt_take_kind(APPT_TAKE_FULL), E_SLOT_FULL);
	assert_int_equal(err_kind(E_SLOT_FULL)->status, 409);
	assert_int_equal(appt_take_kind(APPT_TAKE_ALREADY), E_ALREADY_BOOKED);
	assert_string_equal(err_kind(E_ALREADY_BOOKED)->code, "ALREADY_BOOKED");
	assert_int_equal(appt_take_kind(APPT_TAKE_LIMIT_WEEK), E_BOOKING_LIMIT);
	assert_int_equal(appt_take_kind(APPT_TAKE_LIMIT_MONTH), E_BOOKING_LIMIT);
	assert_int_equal(err_kind(E_BOOKING_LIMIT)->status, 429);
	assert_int_equal(appt_take_kind(APPT_TAKE_BANNED), E_NO_SHOW_BANNED);
	assert_int_equal(err_kind(E_NO_SHOW_BANNED)->status, 403);
	assert_int_equal(appt_take_kind(APPT_TAKE_NO_SLOT), E_NOT_FOUND);
	assert_int_equal(appt_take_kind(APPT_TAKE_DOWN), E_UNAVAILABLE);
	assert_int_equal(appt_take_kind(APPT_TAKE_BUSY), E_UNAVAILABLE);
}

TEST(slot_ids)
{
	char id[APPT_SLOT_ID_LEN + 1], cat;
	int64_t day;
	int start;

	appt_slot_id('B', wed(), 14 * 60 + 30, id);
	assert_string_equal(id, "B-20261125-1430");
	assert_int_equal(appt_slot_parse(id, &cat, &day, &start), 0);
	assert_int_equal(cat, 'B');
	assert_true(day == wed());
	assert_int_equal(start, 14 * 60 + 30);
	assert_int_equal(appt_slot_parse("b-20261125-1430", &cat, &day, &start), -1);
	assert_int_equal(appt_slot_parse("B-20261131-1430", &cat, &day, &start), -1);
	assert_int_equal(appt_slot_parse("B-20261125-2430", &cat, &day, &start), -1);
	assert_int_equal(appt_slot_parse("B-20261125-143", &cat, &day, &start), -1);
}

UNIT_MAIN("appt_rules", NULL, NULL)
