/*
 * workdays.h — working-day arithmetic over a calendar held in memory: pure functions, no
 * database, no clock.  calendar.c fills a struct workcal from the record and calls these;
 * the unit tests (test/unit/test_calendar.c) build one by hand.
 *
 * A day is a working day when it is Monday–Friday and not a holiday, or when it is a
 * make-up working day (调休) on a weekend.  A year whose notice is not loaded answers
 * CAL_MISSING (and names the year) instead of guessing Monday–Friday.
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

struct workcal {
	struct {
		int	loaded;
		uint8_t	day[366];	/* enum cal_day, by day of the year */
	}	years[CAL_MAX_YEAR - CAL_MIN_YEAR + 1];
};

/* Mark a year's notice as loaded (its days default to plain weeks).  0, or -1 out of range. */
int	workcal_year(struct workcal *w, int year);
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
