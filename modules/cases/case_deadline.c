/*
 * case_deadline.c — promised time limits in working days, paused and resumed
 * (case_deadline.h).  Pure but for case_workcal, which binds the holiday calendar.
 *
 * Tables: calendar_years, calendar_days (through hall/calendar.c, case_workcal only).
 * Redis:  none.
 */
#include "case_deadline.h"
#include "../hall/calendar.h"
#include "../../fcgi/clock.h"

#define DEADLINE_MAX_SPAN 3660	/* days: beyond ten years the calendar cannot be trusted */

static int
hall_workday(void *arg, int64_t day, int *missing_year)
{
	int rc = calendar_is_workday(arg, day);

	if (rc == CAL_MISSING && missing_year) {
		int y;
		unsigned m, d;

		civil_from_days(day, &y, &m, &d);
		*missing_year = y;
	}
	return rc;
}

struct case_cal
case_workcal(struct ctx *c)
{
	struct case_cal w = { hall_workday, c };

	return w;
}

int
deadline_add(const struct case_cal *cal, int64_t from, int n, int64_t *out, int *missing_year)
{
	int64_t day = from;
	int left = n, guard = 0, rc;

	while (left > 0) {
		day++;
		if (++guard > DEADLINE_MAX_SPAN)
			return CAL_MISSING;
		if ((rc = cal->is_workday(cal->arg, day, missing_year)) < 0)
			return rc;
		left -= rc;
	}
	*out = day;
	return 0;
}

int
deadline_workdays_between(const struct case_cal *cal, int64_t from, int64_t to, int *out,
    int *missing_year)
{
	int n = 0, sign = 1, rc;
	int64_t d;

	if (to < from) {
		d = from;
		from = to;
		to = d;
		sign = -1;
	}
	if (to - from > DEADLINE_MAX_SPAN)
		return CAL_MISSING;
	for (d = from + 1; d <= to; d++) {
		if ((rc = cal->is_workday(cal->arg, d, missing_year)) < 0)
			return rc;
		n += rc;
	}
	*out = n * sign;
	return 0;
}

int
deadline_resume(const struct case_cal *cal, int64_t deadline, int64_t since, int64_t today,
    int *paused, int64_t *new_deadline, int *missing_year)
{
	int rc = deadline_workdays_between(cal, since, today, paused, missing_year);

	if (rc != 0)
		return rc;
	if (*paused < 0)
		*paused = 0;
	return deadline_add(cal, deadline, *paused, new_deadline, missing_year);
}

int
deadline_light(const struct case_cal *cal, int64_t deadline, int64_t since, int64_t today,
    int yellow_days, enum deadline_light *light)
{
	int64_t from = since >= 0 ? since : today;
	int left = 0, missing = 0, rc;

	if (from > deadline) {
		*light = DL_RED;
		return 0;
	}
	rc = deadline_workdays_between(cal, from, deadline, &left, &missing);
	if (rc == CAL_MISSING) {	/* cannot count: not green (the calendar job alerts managers) */
		*light = DL_YELLOW;
		return 0;
	}
	if (rc != 0)
		return rc;
	*light = left <= yellow_days ? DL_YELLOW : DL_GREEN;
	return 0;
}
