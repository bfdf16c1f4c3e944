/*
 * calendar.c — working-day arithmetic over the holiday notices (see calendar.h).
 *
 * Tables: calendar_years, calendar_days.  Each process keeps a cache (fcgi/cache.h) of the
 * loaded years (a year's exceptions are a few dozen days), refreshed every few minutes or at
 * once after a load, so deadline arithmetic never costs a query per day.  Every year whose
 * notice is not loaded gets the provisional calendar (workdays.h), so tickets, slots and
 * deadlines never stop for a notice not yet published.  The arithmetic itself is
 * workdays.c, pure.
 */
#include "calendar.h"
#include "../../fcgi/cache.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAL_REFRESH_MS (300 * 1000)

static int
year_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	long long y;

	(void)ncol;
	if (parse_lln(v[0], lens[0], CAL_MIN_YEAR, CAL_MAX_YEAR, &y) == 0)
		workcal_year(arg, (int)y);
	return 0;
}

static int
day_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	int64_t d;

	(void)ncol;
	(void)lens;
	if (date_parse(v[0], &d) == 0)
		workcal_mark(arg, d, v[1][0] == '1' ? CAL_HOLIDAY : CAL_MAKEUP);
	return 0;
}

/* Every loaded year into the calendar w (zeroed).  0 or a DB_* code. */
static int
cal_load(struct ctx *c, void *w, void *arg)
{
	int rc;

	(void)arg;
	rc = db_query(c, "SELECT year FROM calendar_years", DBNOARGS, year_row, w);
	if (rc >= 0)
		rc = db_query(c, "SELECT DATE_FORMAT(day, '%Y-%m-%d'), off FROM calendar_days",
		    DBNOARGS, day_row, w);
	if (rc < 0)
		return rc;
	workcal_provisional_years(w, CAL_MIN_YEAR, CAL_MAX_YEAR);
	return 0;
}

/*
 * Aged by the hall clock, not the machine's: a test (or a drill) that moves the hall to
 * another day sees a notice loaded meanwhile by another process without waiting 5 minutes
 * of real time, and a clock moved back counts as stale.
 */
static struct cache cal_cache = {
	.size = sizeof(struct workcal), .max_age_ms = CAL_REFRESH_MS, .load = cal_load,
	.clock = hall_now_ms, .wait_ms = CACHE_WAIT_MS, .mu = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER
};

const struct workcal *
calendar_pin(struct ctx *c, int *rc)
{
	return cache_get(&cal_cache, c, NULL, rc);
}

void
calendar_unpin(const struct workcal *w)
{
	cache_put(&cal_cache, w);
}

void
calendar_invalidate(void)
{
	cache_invalidate(&cal_cache);
}

int
calendar_is_workday(struct ctx *c, int64_t day)
{
	const struct workcal *w;
	int rc;

	if ((w = cache_get(&cal_cache, c, NULL, &rc)) == NULL)
		return rc;
	rc = workcal_is_workday(w, day, NULL);
	cache_put(&cal_cache, w);
	return rc;
}

int
calendar_add_workdays(struct ctx *c, int64_t day, int n, int64_t *out, int *missing_year)
{
	const struct workcal *w;
	int rc;

	if ((w = cache_get(&cal_cache, c, NULL, &rc)) == NULL)
		return rc;
	rc = workcal_add(w, day, n, out, missing_year);
	cache_put(&cal_cache, w);
	return rc;
}

int
calendar_workdays_between(struct ctx *c, int64_t from, int64_t to, int *out, int *missing_year)
{
	const struct workcal *w;
	int rc;

	if ((w = cache_get(&cal_cache, c, NULL, &rc)) == NULL)
		return rc;
	rc = workcal_between(w, from, to, out, missing_year);
	cache_put(&cal_cache, w);
	return rc;
}

int
calendar_year_loaded(struct ctx *c, int year)
{
	const struct workcal *w;
	int rc;

	if (year < CAL_MIN_YEAR || year > CAL_MAX_YEAR)
		return 0;
	if ((w = cache_get(&cal_cache, c, NULL, &rc)) == NULL)
		return rc;
	rc = w->years[year - CAL_MIN_YEAR].loaded == CAL_NOTICE;
	cache_put(&cal_cache, w);
	return rc;
}

int
calendar_provisional_in(struct ctx *c, int64_t from, int64_t to)
{
	const struct workcal *w;
	int rc;

	if ((w = cache_get(&cal_cache, c, NULL, &rc)) == NULL)
		return rc;
	rc = workcal_provisional_in(w, from, to);
	cache_put(&cal_cache, w);
	return rc;
}

int
calendar_notice_check(json_t *root, char *err, size_t esz)
{
	json_t *days = json_object_get(root, "days"), *d;
	long long year = json_integer_value(json_object_get(root, "year"));
	const char *source = json_string_value(json_object_get(root, "source"));
	size_t i;

	if (year < CAL_MIN_YEAR || year > CAL_MAX_YEAR || !json_is_array(days) || source == NULL ||
	    strlen(source) == 0 || strlen(source) > 300) {
		snprintf(err, esz, "needs year, source and days");
		return -1;
	}
	json_array_foreach(days, i, d) {
		const char *ds = json_string_value(json_object_get(d, "date"));
		const char *name = json_string_value(json_object_get(d, "name"));
		json_t *off = json_object_get(d, "off");
		int64_t day;
		int y, wd;
		unsigned m, dd;

		if (ds == NULL || date_parse(ds, &day) != 0 || name == NULL || !json_is_boolean(off) ||
		    strlen(name) > 90) {
			snprintf(err, esz, "day %zu is malformed", i);
			return -1;
		}
		civil_from_days(day, &y, &m, &dd);
		wd = weekday_of_days(day);
		if (y != year || (json_is_false(off) && wd != 0 && wd != 6)) {
			snprintf(err, esz, "%s: %s", ds, y != year ? "outside the year" :
			    "a make-up working day must fall on a weekend");
			return -1;
		}
	}
	return 0;
}

/* after(…) over the calendar as this transaction sees it.  0 or a DB_* code. */
static int
cal_after(struct ctx *c, calendar_loaded_fn after, int year)
{
	struct workcal *w;
	int rc;

	if ((w = calloc(1, sizeof *w)) == NULL)
		return DB_FAIL;
	if ((rc = cal_load(c, w, NULL)) == 0)
		rc = after(c, w, year);
	free(w);
	return rc;
}

/* The notice checked whole (calendar_notice_check), then the year replaced and what it
 * changes (after) in one transaction, and this process's cache told. */
int
calendar_load_json(struct ctx *c, const char *text, size_t len, calendar_loaded_fn after,
    char *err, size_t esz)
{
	return calendar_load_json_ex(c, text, len, after, NULL, NULL, NULL, 1, err, esz);
}

int
calendar_load_json_ex(struct ctx *c, const char *text, size_t len, calendar_loaded_fn after,
    calendar_look_fn before, calendar_look_fn look, void *arg, int apply, char *err,
    size_t esz)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, 0, &je), *days, *d;
	long long year;
	const char *source;
	size_t i;
	int rc;

	if (root == NULL) {
		snprintf(err, esz, "not JSON: %s (line %d)", je.text, je.line);
		return -1;
	}
	if (calendar_notice_check(root, err, esz) != 0) {
		json_decref(root);
		return -1;
	}
	days = json_object_get(root, "days");
	year = json_integer_value(json_object_get(root, "year"));
	source = json_string_value(json_object_get(root, "source"));
	if ((rc = db_begin(c)) != 0)
		goto dbfail;
	if (before)
		rc = before(c, root, arg);
	if (rc == 0)
		rc = db_exec(c, "DELETE FROM calendar_days WHERE day BETWEEN ? AND ?",
		    DBARGS(DBI(year * 10000 + 101), DBI(year * 10000 + 1231)), NULL, NULL);
	json_array_foreach(days, i, d) {
		if (rc != 0)
			break;
		rc = db_exec(c, "INSERT INTO calendar_days (day, off, name) VALUES (?, ?, ?)",
		    DBARGS(DBS(json_string_value(json_object_get(d, "date"))),
		    DBI(json_is_true(json_object_get(d, "off"))),
		    DBS(json_string_value(json_object_get(d, "name")))), NULL, NULL);
	}
	if (rc == 0)
		rc = db_exec(c, "INSERT INTO calendar_years (year, source, loaded_at)"
		    " VALUES (?, ?, NOW()) ON DUPLICATE KEY UPDATE source = VALUES(source),"
		    " loaded_at = NOW()", DBARGS(DBI(year), DBS(source)), NULL, NULL);
	if (rc == 0 && after)
		rc = cal_after(c, after, (int)year);
	if (rc == 0 && look)
		rc = look(c, root, arg);
	if (rc == 0 && apply)
		rc = db_commit(c);
	else
		db_rollback(c);
	if (rc != 0)
		goto dbfail;
	json_decref(root);
	if (apply)
		calendar_invalidate();
	return 0;
dbfail:
	snprintf(err, esz, "database error %d", rc);
	json_decref(root);
	return rc < 0 ? rc : -1;
}
