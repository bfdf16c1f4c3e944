/*
 * workdays.c — working-day arithmetic over a calendar in memory (see workdays.h).
 */
#include "workdays.h"
#include "../../fcgi/clock.h"

int
workcal_year(struct workcal *w, int year)
{
	if (year < CAL_MIN_YEAR || year > CAL_MAX_YEAR)
		return -1;
	w->years[year - CAL_MIN_YEAR].loaded = 1;
	return 0;
}

int
workcal_mark(struct workcal *w, int64_t day, enum cal_day kind)
{
	int y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	if (y < CAL_MIN_YEAR || y > CAL_MAX_YEAR)
		return -1;
	w->years[y - CAL_MIN_YEAR].day[day - days_from_civil(y, 1, 1)] = (uint8_t)kind;
	return 0;
}

int
workcal_is_workday(const struct workcal *w, int64_t day, int *missing_year)
{
	int y, wd;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	if (y < CAL_MIN_YEAR || y > CAL_MAX_YEAR || !w->years[y - CAL_MIN_YEAR].loaded) {
		if (missing_year)
			*missing_year = y;
		return CAL_MISSING;
	}
	switch (w->years[y - CAL_MIN_YEAR].day[day - days_from_civil(y, 1, 1)]) {
	case CAL_HOLIDAY:
		return 0;
	case CAL_MAKEUP:
		return 1;
	default:
		wd = weekday_of_days(day);
		return wd != 0 && wd != 6;
	}
}

int
workcal_add(const struct workcal *w, int64_t day, int n, int64_t *out, int *missing_year)
{
	int left = n, walked = 0, rc;

	while (left > 0) {
		day++;
		if (++walked > CAL_MAX_SPAN)
			return CAL_MISSING;
		if ((rc = workcal_is_workday(w, day, missing_year)) < 0)
			return rc;
		left -= rc;
	}
	*out = day;
	return 0;
}

int
workcal_between(const struct workcal *w, int64_t from, int64_t to, int *out,
    int *missing_year)
{
	int n = 0, sign = 1, rc;
	int64_t d;

	if (to < from) {
		int64_t t = from;

		from = to;
		to = t;
		sign = -1;
	}
	if (to - from > CAL_MAX_SPAN)
		return CAL_MISSING;
	for (d = from + 1; d <= to; d++) {
		if ((rc = workcal_is_workday(w, d, missing_year)) < 0)
			return rc;
		n += rc;
	}
	*out = n * sign;
	return 0;
}
