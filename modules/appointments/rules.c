/*
 * rules.c — the booking rules as pure functions (rules.h says which, and which rules the
 * booking script keeps), and the configuration they are read from.
 *
 * Routes, tables, Redis: none.  Everything here is a decision on values; the hall clock's
 * now comes in as an argument, so test/unit/test_appt_rules.c runs these very functions.
 */
#include "rules.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/errors.h"

#include <string.h>

/* "HH:MM" (00:00–23:59) → minute of the day; -1 otherwise. */
static int
release_minute(const char *s)
{
	if (strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' ||
	    s[1] > '9' || s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return -1;
	if ((s[0] - '0') * 10 + (s[1] - '0') > 23)
		return -1;
	return ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0');
}

void
appt_rules(struct appt_rules *ru)
{
	ru->days_ahead = (int)config_int("appointment_days_ahead", 7, 0, 90);
	ru->per_week = (int)config_int("appointment_max_per_week", 2, 1, 100);
	ru->per_month = (int)config_int("appointment_max_per_month", 6, 1, 500);
	ru->one_per_day = (int)config_int("appointment_one_per_day", 1, 0, 1);
	ru->noshow_limit = (int)config_int("appointment_noshow_limit", 2, 1, 100);
	ru->noshow_window = (int)config_int("appointment_noshow_window_days", 90, 1, 3650);
	ru->ban_days = (int)config_int("appointment_ban_days", 90, 0, 3650);
	ru->checkin_before = (int)config_int("appointment_checkin_before_minutes", 30, 0, 600);
	ru->checkin_after = (int)config_int("appointment_checkin_after_minutes", 15, 0, 600);
	/* A value that is not HH:MM keeps the default rather than opening days at midnight. */
	ru->release_min = release_minute(config_get("appointment_release_time", "08:00"));
	if (ru->release_min < 0)
		ru->release_min = 8 * 60;
}

int64_t
appt_instant(int64_t day, int minute)
{
	return hall_day_start(day) + (int64_t)minute * 60;
}

int64_t
appt_monday(int64_t day)
{
	return day - (weekday_of_days(day) + 6) % 7;
}

int
appt_month(int64_t day)
{
	int y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	return y * 100 + (int)m;
}

int
appt_rule_bookable(const struct appt_rules *ru, int64_t now, int64_t day, int start_min)
{
	int64_t today = hall_day(now);

	if (day < today || day > today + ru->days_ahead || appt_instant(day, start_min) <= now ||
	    now < appt_release_at(ru, day))
		return E_SLOT_UNAVAILABLE;
	return 0;
}

int64_t
appt_release_at(const struct appt_rules *ru, int64_t day)
{
	return appt_instant(day - ru->days_ahead, ru->release_min);
}

int
appt_rule_cancel(const char *status, int64_t start, int64_t now, int *noop)
{
	*noop = 0;
	if (strcmp(status, "cancelled") == 0) {
		*noop = 1;
		return 0;
	}
	if (strcmp(status, "booked") != 0)
		return E_INVALID_STATE;
	if (start <= now)
		return E_APPOINTMENT_STARTED;
	return 0;
}

int
appt_rule_reschedule(const char *status, int64_t start, int64_t now, const char *from_slot,
    const char *to_slot)
{
	if (strcmp(status, "booked") != 0)
		return E_INVALID_STATE;
	if (start <= now)
		return E_APPOINTMENT_STARTED;
	if (strcmp(from_slot, to_slot) == 0)
		return E_SAME_SLOT;
	return 0;
}

void
appt_rule_move(int64_t from_day, int64_t to_day, struct appt_move *m)
{
	m->same_day = to_day == from_day;
	m->same_week = appt_monday(to_day) == appt_monday(from_day);
	m->same_month = appt_month(to_day) == appt_month(from_day);
	m->release = APPT_REL_SEAT | (m->same_day ? 0 : APPT_REL_DAY) |
	    (m->same_week ? 0 : APPT_REL_WEEK) | (m->same_month ? 0 : APPT_REL_MONTH);
}

void
appt_checkin_window(const struct appt_rules *ru, int64_t start, int64_t *from, int64_t *until)
{
	*from = start - (int64_t)ru->checkin_before * 60;
	*until = start + (int64_t)ru->checkin_after * 60;
}

int
appt_rule_checkin(const struct appt_rules *ru, const char *status, int64_t start, int64_t now,
    int *already, int *early)
{
	int64_t from, until;

	*already = *early = 0;
	if (strcmp(status, "checked_in") == 0) {
		*already = 1;
		return 0;
	}
	if (strcmp(status, "cancelled") == 0)
		return E_INVALID_STATE;
	appt_checkin_window(ru, start, &from, &until);
	if (now < from || now > until || strcmp(status, "booked") != 0) {
		*early = now < from;
		return E_OUTSIDE_CHECKIN_WINDOW;
	}
	return 0;
}

int
appt_take_kind(int take_rc)
{
	switch (take_rc) {
	case APPT_TAKE_OK:
		return 0;
	case APPT_TAKE_NO_SLOT:
		return E_NOT_FOUND;
	case APPT_TAKE_FULL:
		return E_SLOT_FULL;
	case APPT_TAKE_ALREADY:
		return E_ALREADY_BOOKED;
	case APPT_TAKE_LIMIT_WEEK:
	case APPT_TAKE_LIMIT_MONTH:
		return E_BOOKING_LIMIT;
	case APPT_TAKE_BANNED:
		return E_NO_SHOW_BANNED;
	default:
		return E_UNAVAILABLE;
	}
}

void
appt_noshow_span(const struct appt_rules *ru, int64_t day, int64_t *from)
{
	*from = day - ru->noshow_window + 1;
}

int
appt_rule_noshow_ban(const struct appt_rules *ru, int64_t day, long long count, int64_t *until)
{
	if (count < ru->noshow_limit || ru->ban_days <= 0)
		return 0;
	*until = day + ru->ban_days;
	return 1;
}
