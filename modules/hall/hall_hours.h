/*
 * hall_hours.h — when a hall is open on a given date: the week's hours (hall_hours) on the
 * calendar's working days, unless the date has hours of its own (hall_dates, set by the
 * hall's admin: a Saturday opening, 延时 evening hours, a working day closed).
 *
 * Every reader of opening hours goes through hall_day_hours: taking a number (queue), the
 * slots offered and booked (appointments), the hall directory.  A change is read by every
 * process within HALL_HOURS_TTL_MS (a strict per-process copy), or at once by a process
 * that called hall_hours_changed.
 */
#ifndef YC_HALL_HOURS_H
#define YC_HALL_HOURS_H

#include <stdint.h>

#include "../../fcgi/ctx.h"

#define HALL_MAX_PERIODS 4
#define HALL_HOURS_TTL_MS 2000

struct hall_day {
	int	 n;				/* opening periods, in order */
	int	 open_min[HALL_MAX_PERIODS];	/* minutes after midnight, hall time */
	int	 close_min[HALL_MAX_PERIODS];
	int	 dated;				/* 1: the date's own hours (hall_dates) decide */
	int	 closed;			/* dated and closed */
};

/*
 * The opening of hall on day (days since 1970-01-01, hall time) into out.  1 open (out->n
 * periods), 0 closed (a day off of the calendar, a date closed, no hours at all),
 * CAL_MISSING (no hours of its own and the calendar cannot say), or a DB_* code.
 */
int	hall_day_hours(struct ctx *c, const char *hall, int64_t day, struct hall_day *out);
/* 1 when [start, end) lies inside one period of d. */
int	hall_day_covers(const struct hall_day *d, int start, int end);
/* The record changed: this process reads it afresh at the next call. */
void	hall_hours_changed(void);

#endif
