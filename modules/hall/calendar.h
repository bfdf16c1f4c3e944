/*
 * calendar.h — working days of the State Council's holiday notices.
 *
 * A day is a working day when it is Monday–Friday and not a holiday, or when it is a
 * make-up working day (调休) on a weekend.  That is known for years whose notice has been
 * loaded (calendar_years); every other year of 2000–2100 runs on the provisional calendar
 * (workdays.h: weekends and the statutory holidays on their known dates), and a deadline
 * that walks through such a year is provisional (calendar_provisional_in) until the notice
 * is loaded.  CAL_MISSING is left for a day outside 2000–2100 or a span over ten years.
 */
#ifndef YC_CALENDAR_H
#define YC_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../../fcgi/ctx.h"
#include "workdays.h"	/* CAL_OK, CAL_MISSING */

/* 1 working day, 0 not; CAL_MISSING when the year is not loaded; or a DB_* code. */
int	calendar_is_workday(struct ctx *c, int64_t day);
/*
 * The day on which n working days after `day` end: day itself does not count (a case
 * accepted on Monday with 1 promised day is due on Tuesday).  *missing_year is set to the
 * year that is not loaded when CAL_MISSING is returned.
 */
int	calendar_add_workdays(struct ctx *c, int64_t day, int n, int64_t *out, int *missing_year);
/* Working days strictly after `from` up to and including `to` (negative when to < from). */
int	calendar_workdays_between(struct ctx *c, int64_t from, int64_t to, int *out,
	    int *missing_year);
/* 1 when the year's notice is loaded, 0 when it runs on the provisional calendar (or is
 * outside 2000–2100), or a DB_* code. */
int	calendar_year_loaded(struct ctx *c, int year);
/* The worker's job "calendar-check" (calendar_jobs.c): from 1 November, while next year's
 * notice is not loaded (and all year while this year's is not), the calendar:<year>
 * warning in hall_alerts; cleared once it is.  0 or a DB_* code. */
int	job_calendar_check(struct ctx *c);
/* The first provisional year among the days after `from` up to `to`, 0 when none, or a
 * DB_* code. */
int	calendar_provisional_in(struct ctx *c, int64_t from, int64_t to);
/*
 * The calendar of every loaded year, pinned, for the pure arithmetic of workdays.h (or a
 * room's own over it): NULL with *rc a DB_* code.  Give it back with calendar_unpin.
 */
const struct workcal *calendar_pin(struct ctx *c, int *rc);
void	calendar_unpin(const struct workcal *w);
/* Forget the cached years (after a load). */
void	calendar_invalidate(void);
/*
 * The notice as data: {"year":2026,"source":"…","days":[{"date","name","off"}]}, checked
 * whole before anything is written: a year the calendar can hold, a source (1–300 bytes),
 * every day a real date of that year with a name (≤ 90 bytes) and a boolean `off`, and a
 * make-up working day (off: false) only on a weekend.  0, or -1 with the reason in err.
 */
int	calendar_notice_check(json_t *root, char *err, size_t esz);
/*
 * What else a loaded notice changes, run inside the load's transaction with the calendar as
 * it will be once committed (the new year's days; the provisional calendar for the years
 * still missing): the cases room recomputes the provisional deadlines.  0 or a DB_* code
 * (the load is rolled back).
 */
typedef int (*calendar_loaded_fn)(struct ctx *c, const struct workcal *w, int year);
/* Load one year's notice (the JSON of sql/data/cn-holidays-YYYY.json), then after(…) when
 * not NULL, in one transaction.  0 or -1 (message). */
int	calendar_load_json(struct ctx *c, const char *text, size_t len, calendar_loaded_fn after,
	    char *err, size_t esz);
/*
 * The same with a look around it (the administration console's preview and upload):
 * before(c, notice, arg) runs in the transaction before anything is written, look(…) after
 * everything (after(…) included), both seeing the record as the load leaves it; then the
 * transaction is committed when apply is 1, rolled back when 0 (a preview: nothing
 * changes).  0; -1 with the reason in err for a notice that is not right; a DB_* code (err
 * says so too) when storage failed or before/look returned one.
 */
typedef int (*calendar_look_fn)(struct ctx *c, json_t *notice, void *arg);
int	calendar_load_json_ex(struct ctx *c, const char *text, size_t len,
	    calendar_loaded_fn after, calendar_look_fn before, calendar_look_fn look, void *arg,
	    int apply, char *err, size_t esz);

#endif
