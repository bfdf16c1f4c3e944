/*
 * case_deadline.c — a case's promised time limit, paused and resumed, and its light
 * (case_deadline.h).  Pure: the calendar is given.
 */
#include "case_deadline.h"

int
deadline_resume(const struct workcal *cal, int64_t deadline, int64_t since, int64_t today,
    int *paused, int64_t *new_deadline, int *missing_year)
{
	int rc = workcal_between(cal, since, today, paused, missing_year);

	if (rc != 0)
		return rc;
	if (*paused < 0)
		*paused = 0;
	return workcal_add(cal, deadline, *paused, new_deadline, missing_year);
}

int
deadline_light(const struct workcal *cal, int64_t deadline, int64_t since, int64_t today,
    int yellow_days, enum deadline_light *light)
{
	int64_t from = since >= 0 ? since : today;
	int left = 0, missing = 0, rc;

	if (from > deadline) {
		*light = DL_RED;
		return 0;
	}
	rc = workcal_between(cal, from, deadline, &left, &missing);
	if (rc == CAL_MISSING) {	/* cannot count: not green (the calendar job alerts managers) */
		*light = DL_YELLOW;
		return 0;
	}
	if (rc != 0)
		return rc;
	*light = left <= yellow_days ? DL_YELLOW : DL_GREEN;
	return 0;
}
