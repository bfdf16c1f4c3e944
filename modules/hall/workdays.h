/*
 * workdays.h — working-day arithmetic over a calendar held in memory: pure functions, no
 * database, no clock.  calendar.c fills a struct workcal from the record and calls these;
 * the unit tests (test/unit/test_calendar.c) build one by hand.
 *
 * A day is a working day when it is Monday–Friday and not a holiday, or when it is a
 * make-up working day (调休) on a weekend.  A year whose notice is not loaded can be given
 * the provisional calendar (workcal_provisional): weekends off plus the statutory holidays
 * of 《全国年节及纪念日放假办法》 (2024 revision, art. 2) on the dates known without the
 * notice — 元旦 1-1; 春节 除夕 and 正月初一–初三; 清明; 劳动节 5-1, 5-2; 端午; 中秋;
 * 国庆 10-1–10-3, the lunar and solar-term ones from festivals.h's table (a year beyond it
 * has only the fixed-date ones).  No 补假 and no 调休: those only the notice decides.
 * Deadlines that run through such a year are provisional (workcal_provisional_in).  A year
 * that has neither answers CAL_MISSING (and names the year).
 */
#ifndef YC_WORKDAYS_H
#define YC_WORKDAYS_H

#include <stdint.h>

enum { CAL_OK = 0, CAL_MISSING = -100 };

#define CAL_MIN_YEAR 2000
#define CAL_MAX_YEAR 2100
/* The longest span the arithmetic walks, in days (ten years): beyond it, CAL_MISSING. */
#define CAL_MAX_SPAN 3660

enum cal_day { CAL_PLAIN = 0, CAL_HOLIDAY = 1, CAL_MAKEUP = 2 };
/* What a year of the calendar holds. */
enum cal_source { CAL_NONE = 0, CAL_NOTICE = 1, CAL_PROVISIONAL = 2 };

struct workcal {
	struct {
		int	loaded;		/* enum cal_source */
		uint8_t	day[366];	/* enum cal_day, by day of the year */
	}	years[CAL_MAX_YEAR - CAL_MIN_YEAR + 1];
};

/* Mark a year's notice as loaded (its days default to plain weeks; a provisional year is
 * cleared first).  0, or -1 out of range. */
int	workcal_year(struct workcal *w, int year);
/* Give a year without its notice the provisional calendar.  0, 1 when the notice is
 * loaded (left alone), or -1 out of range. */
int	workcal_provisional(struct workcal *w, int year);
/* The provisional calendar for every year from `from` to `to` whose notice is not loaded. */
void	workcal_provisional_years(struct workcal *w, int from, int to);
/* The first year on the provisional calendar among the days after `from` up to and
 * including `to` (the days a deadline counted from `from` to `to` walked), or 0. */
int	workcal_provisional_in(const struct workcal *w, int64_t from, int64_t to);
/* Set one day (days since 1970-01-01) to a kind.  0, or -1 out of range. */
int	workcal_mark(struct workcal *w, int64_t day, enum cal_day kind);

/* 1 working day, 0 not, or CAL_MISSING (*missing_year set when not NULL). */
int	workcal_is_workday(const struct workcal *w, int64_t day, int *missing_year);
/* The day on which n working days after `day` end (day itself does not count). 0 or
 * CAL_MISSING. */
int	workcal_add(const struct workcal *w, int64_t day, int n, int64_t *out, int *missing_year);
/* Working days strictly after from up to and including to (negative when to < from).
 * 0 or CAL_MISSING. */
int	workcal_between(const struct workcal *w, int64_t from, int64_t to, int *out,
	    int *missing_year);

#endif
