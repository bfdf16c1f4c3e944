/*
 * case_deadline.h — the arithmetic of a case's promised time limit (承诺时限) in working days,
 * with the clock stopped for a 补正 (or 特别程序) and run again.  Pure functions over a
 * calendar the caller gives (struct case_cal): production passes the holiday calendar of
 * hall/calendar.h (case_workcal), test/unit/test_case_deadline.c a calendar of its own.
 *
 * Days are day numbers since 1970-01-01 (clock.h).  A calendar answers for one day: 1 a
 * working day, 0 not, CAL_MISSING when its year's holidays are not loaded (*missing_year
 * says which), or a DB_* code.  Every function returns 0, CAL_MISSING or that code.
 */
#ifndef YC_CASE_DEADLINE_H
#define YC_CASE_DEADLINE_H

#include <stdint.h>

#include "../hall/calendar.h"
#include "../../fcgi/ctx.h"

struct case_cal {
	int	(*is_workday)(void *arg, int64_t day, int *missing_year);
	void	*arg;
};

/* The holiday calendar (hall/calendar.h) through connection c. */
struct case_cal case_workcal(struct ctx *c);

/*
 * The day on which n working days after `from` end (from itself does not count: accepted
 * on Monday with 1 promised day is due on Tuesday).  More than ten years of days → CAL_MISSING.
 */
int	deadline_add(const struct case_cal *cal, int64_t from, int n, int64_t *out,
	    int *missing_year);
/* Working days strictly after `from` up to and including `to` (negative when to < from). */
int	deadline_workdays_between(const struct case_cal *cal, int64_t from, int64_t to, int *out,
	    int *missing_year);
/*
 * The clock runs again on `today` after standing still since `since` (the day of the
 * request): *paused is the working days it stood (never negative) and *new_deadline the
 * deadline moved by them.
 */
int	deadline_resume(const struct case_cal *cal, int64_t deadline, int64_t since, int64_t today,
	    int *paused, int64_t *new_deadline, int *missing_year);

enum deadline_light { DL_GREEN, DL_YELLOW, DL_RED };
/*
 * The light of a running case on `today`: red once past the deadline, yellow when at most
 * yellow_days working days are left (or they cannot be counted: a year not loaded), green
 * otherwise.  A paused case (since ≥ 0) is judged from the day its clock stopped.
 * 0 with *light set, or a DB_* code.
 */
int	deadline_light(const struct case_cal *cal, int64_t deadline, int64_t since, int64_t today,
	    int yellow_days, enum deadline_light *light);

#endif
