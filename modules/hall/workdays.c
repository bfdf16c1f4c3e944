/*
 * workdays.c — working-day arithmetic over a calendar in memory (see workdays.h).
 */
#include "workdays.h"
#include "festivals.h"
#include "../../fcgi/clock.h"

#include <string.h>

int
workcal_year(struct workcal *w, int year)
{
	if (year < CAL_MIN_YEAR || year > CAL_MAX_YEAR)
		return -1;
	if (w->years[year - CAL_MIN_YEAR].loaded == CAL_PROVISIONAL)
		memset(w->years[year - CAL_MIN_YEAR].day, 0, sizeof w->years[0].day);
	w->years[year - CAL_MIN_YEAR].loaded = CAL_NOTICE;
	return 0;
}

/* days holidays from `first` on, in a year being filled provisionally. */
static void
provisional_off(struct workcal *w, int year, int64_t first, int days)
{
	int64_t jan1 = days_from_civil(year, 1, 1), d;

	for (d = first; d < first + days; d++)
		if (d >= jan1 && d - jan1 < 366)
			w->years[year - CAL_MIN_YEAR].day[d - jan1] = CAL_HOLIDAY;
}

int
workcal_provisional(struct workcal *w, int year)
{
	struct festival_days f;

	if (year < CAL_MIN_YEAR || year > CAL_MAX_YEAR)
		return -1;
	if (w->years[year - CAL_MIN_YEAR].loaded == CAL_NOTICE)
		return 1;
	memset(w->years[year - CAL_MIN_YEAR].day, 0, sizeof w->years[0].day);
	w->years[year - CAL_MIN_YEAR].loaded = CAL_PROVISIONAL;
	provisional_off(w, year, days_from_civil(year, 1, 1), 1);	/* 元旦 */
	provisional_off(w, year, days_from_civil(year, 5, 1), 2);	/* 劳动节 */
	provisional_off(w, year, days_from_civil(year, 10, 1), 3);	/* 国庆节 */
	if (festival_days(year, &f) == 0) {
		provisional_off(w, year, f.chunjie - 1, 4);	/* 春节: 除夕, 初一–初三 */
		provisional_off(w, year, f.qingming, 1);
		provisional_off(w, year, f.duanwu, 1);
		provisional_off(w, year, f.zhongqiu, 1);
	}
	return 0;
}

void
workcal_provisional_years(struct workcal *w, int from, int to)
{
	int y;

	for (y = from < CAL_MIN_YEAR ? CAL_MIN_YEAR : from; y <= to && y <= CAL_MAX_YEAR; y++)
		workcal_provisional(w, y);
}

int
workcal_provisional_in(const struct workcal *w, int64_t from, int64_t to)
{
	int y0, y1, y;
	unsigned m, d;

	if (to <= from)
		return 0;
	civil_from_days(from + 1, &y0, &m, &d);
	civil_from_days(to, &y1, &m, &d);
	for (y = y0; y <= y1; y++)
		if (y >= CAL_MIN_YEAR && y <= CAL_MAX_YEAR &&
		    w->years[y - CAL_MIN_YEAR].loaded == CAL_PROVISIONAL)
			return y;
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
