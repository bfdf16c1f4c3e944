/*
 * case_deadline.h — a case's promised time limit (承诺时限) with the clock stopped for a 补正
 * (or 特别程序) and run again, and its warning light.  Pure functions over a calendar of
 * working days (hall/workdays.h: production pins the holiday calendar with calendar_pin,
 * test/unit/test_case_deadline.c builds one of its own).  Adding working days and counting
 * them is the calendar's own arithmetic (workcal_add, workcal_between; with a connection,
 * calendar_add_workdays): this file only adds what a case does with it.
 *
 * Days are day numbers since 1970-01-01 (clock.h).  Every function returns 0 or CAL_MISSING
 * (a year whose holidays are not loaded: *missing_year says which).
 */
#ifndef YC_CASE_DEADLINE_H
#define YC_CASE_DEADLINE_H

#include <stdint.h>

#include "../hall/workdays.h"

/*
 * The clock runs again on `today` after standing still since `since` (the day of the
 * request): *paused is the working days it stood (never negative) and *new_deadline the
 * deadline moved by them.
 */
int	deadline_resume(const struct workcal *cal, int64_t deadline, int64_t since, int64_t today,
	    int *paused, int64_t *new_deadline, int *missing_year);

enum deadline_light { DL_GREEN, DL_YELLOW, DL_RED };
/*
 * The light of a running case on `today`: red once past the deadline, yellow when at most
 * yellow_days working days are left (or they cannot be counted: a year not loaded), green
 * otherwise.  A paused case (since ≥ 0) is judged from the day its clock stopped.
 * Always 0, with *light set.
 */
int	deadline_light(const struct workcal *cal, int64_t deadline, int64_t since, int64_t today,
	    int yellow_days, enum deadline_light *light);

#endif
