/*
 * calendar.c — working-day arithmetic over the holiday notices (see calendar.h).
 *
 * Tables: calendar_years, calendar_days.  Each process keeps a cache of the loaded years
 * (a year's exceptions are a few dozen days), refreshed every few minutes or at once after
 * a load, so deadline arithmetic never costs a query per day.
 */
#include "calendar.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define CAL_MIN_YEAR 2000
#define CAL_MAX_YEAR 2100
#define CAL_REFRESH_MS (300 * 1000)

struct year {
	int	loaded;
	/* One byte per day of the year: 0 plain week, 1 holiday (off), 2 make-up working day. */
	uint8_t	day[366];
};

static pthread_mutex_t cal_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct year years[CAL_MAX_YEAR - CAL_MIN_YEAR + 1];
static int64_t cal_loaded_ms;

void
calendar_invalidate(void)
{
	pthread_mutex_lock(&cal_mtx);
	cal_loaded_ms = 0;
	pthread_mutex_unlock(&cal_mtx);
}

struct fill {
	struct year *ys;
	int	     bad;
};

static int
year_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct fill *f = arg;
	long long y;

	(void)ncol;
	if (parse_lln(v[0], lens[0], CAL_MIN_YEAR, CAL_MAX_YEAR, &y) == 0)
		f->ys[y - CAL_MIN_YEAR].loaded = 1;
	return 0;
}

static int
day_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct fill *f = arg;
	int64_t d;
	int y;
	unsigned m, dd;

	(void)ncol;
	(void)lens;
	if (date_parse(v[0], &d) != 0)
		return 0;
	civil_from_days(d, &y, &m, &dd);
	if (y < CAL_MIN_YEAR || y > CAL_MAX_YEAR)
		return 0;
	f->ys[y - CAL_MIN_YEAR].day[d - days_from_civil(y, 1, 1)] = v[1][0] == '1' ? 1 : 2;
	return 0;
}

/* Refresh the cache when stale.  Called with cal_mtx held. */
static int
refresh(struct ctx *c)
{
	static struct year fresh[CAL_MAX_YEAR - CAL_MIN_YEAR + 1];
	struct fill f = { fresh, 0 };
	int64_t now = hall_now_ms();
	int rc;

	if (cal_loaded_ms && now - cal_loaded_ms < CAL_REFRESH_MS && now >= cal_loaded_ms)
		return 0;
	memset(fresh, 0, sizeof fresh);
	rc = db_query(c, "SELECT year FROM calendar_years", DBNOARGS, year_row, &f);
	if (rc >= 0)
		rc = db_query(c, "SELECT DATE_FORMAT(day, '%Y-%m-%d'), off FROM calendar_days",
		    DBNOARGS, day_row, &f);
	if (rc < 0)
		return rc;
	memcpy(years, fresh, sizeof years);
	cal_loaded_ms = now;
	return 0;
}

static int
workday_locked(int64_t day, int *missing_year)
{
	int y;
	unsigned m, d;
	struct year *yr;
	int wd;

	civil_from_days(day, &y, &m, &d);
	if (y < CAL_MIN_YEAR || y > CAL_MAX_YEAR || !years[y - CAL_MIN_YEAR].loaded) {
		if (missing_year)
			*missing_year = y;
		return CAL_MISSING;
	}
	yr = &years[y - CAL_MIN_YEAR];
	switch (yr->day[day - days_from_civil(y, 1, 1)]) {
	case 1:
		return 0;
	case 2:
		return 1;
	default:
		wd = weekday_of_days(day);
		return wd != 0 && wd != 6;
	}
}

int
calendar_is_workday(struct ctx *c, int64_t day)
{
	int rc;

	pthread_mutex_lock(&cal_mtx);
	rc = refresh(c);
	if (rc == 0)
		rc = workday_locked(day, NULL);
	pthread_mutex_unlock(&cal_mtx);
	return rc;
}

int
calendar_add_workdays(struct ctx *c, int64_t day, int n, int64_t *out, int *missing_year)
{
	int rc, left = n, guard = 0;

	pthread_mutex_lock(&cal_mtx);
	if ((rc = refresh(c)) != 0)
		goto done;
	while (left > 0) {
		day++;
		if (++guard > 3660) {
			rc = CAL_MISSING;
			break;
		}
		rc = workday_locked(day, missing_year);
		if (rc < 0)
			goto done;
		left -= rc;
	}
	rc = 0;
	*out = day;
done:
	pthread_mutex_unlock(&cal_mtx);
	return rc;
}

int
calendar_workdays_between(struct ctx *c, int64_t from, int64_t to, int *out, int *missing_year)
{
	int rc = 0, n = 0, sign = 1;
	int64_t d;

	if (to < from) {
		int64_t t = from;

		from = to;
		to = t;
		sign = -1;
	}
	if (to - from > 3660)
		return CAL_MISSING;
	pthread_mutex_lock(&cal_mtx);
	if ((rc = refresh(c)) == 0)
		for (d = from + 1; d <= to; d++) {
			int w = workday_locked(d, missing_year);

			if (w < 0) {
				rc = w;
				break;
			}
			n += w;
		}
	pthread_mutex_unlock(&cal_mtx);
	if (rc == 0)
		*out = n * sign;
	return rc;
}

/*
 * The notice as data: {"year":2026,"source":"…","days":[{"date","name","off"}]}.
 * Checked whole before anything is written: every date in the year, holidays only on
 * days that would otherwise be working days and make-up days only on weekends.
 */
int
calendar_load_json(struct ctx *c, const char *text, size_t len, char *err, size_t esz)
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
	days = json_object_get(root, "days");
	year = json_integer_value(json_object_get(root, "year"));
	source = json_string_value(json_object_get(root, "source"));
	if (year < CAL_MIN_YEAR || year > CAL_MAX_YEAR || !json_is_array(days) || source == NULL ||
	    strlen(source) == 0 || strlen(source) > 300) {
		snprintf(err, esz, "needs year, source and days");
		json_decref(root);
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
			json_decref(root);
			return -1;
		}
		civil_from_days(day, &y, &m, &dd);
		wd = weekday_of_days(day);
		if (y != year || (json_is_false(off) && wd != 0 && wd != 6)) {
			snprintf(err, esz, "%s: %s", ds, y != year ? "outside the year" :
			    "a make-up working day must fall on a weekend");
			json_decref(root);
			return -1;
		}
	}
	if ((rc = db_begin(c)) != 0)
		goto dbfail;
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
	if (rc == 0)
		rc = db_commit(c);
	else
		db_rollback(c);
	if (rc != 0)
		goto dbfail;
	json_decref(root);
	calendar_invalidate();
	return 0;
dbfail:
	snprintf(err, esz, "database error %d", rc);
	json_decref(root);
	return -1;
}
