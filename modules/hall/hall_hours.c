/*
 * hall_hours.c — the opening of a hall on a date (hall_hours.h), read by the queue, the
 * slots and the directory.
 *
 * Routes: none (the admin room edits the hours: admin/hours_api.c).
 * Tables: hall_hours, hall_dates, hall_date_hours (read); calendar_* through calendar.h.
 * Redis:  none.
 *
 * Each process keeps one copy of the week's hours of every hall and of the dated hours from
 * a week ago on (fcgi/cache.h, strict, HALL_HOURS_TTL_MS old at most): taking a number or
 * booking asks MariaDB nothing more than before, and an admin's change is in force on every
 * process within seconds.  A date outside the copy (before its first day, or past the last
 * when there were more than HOURS_DATES_MAX dated rows) is read from MariaDB directly.
 */
#include "hall_hours.h"
#include "calendar.h"
#include "../../fcgi/cache.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#include <stdlib.h>
#include <string.h>

#define HOURS_HALLS_MAX 32
#define HOURS_DATES_MAX 2048

struct hours_week {
	char		 hall[33];
	struct hall_day	 d;
};

struct hours_date {
	char		 hall[33];
	int64_t		 day;
	struct hall_day	 d;
};

/* Dated rows as they are read: into date[max]. */
struct hours_dates {
	struct hours_date *date;
	int		 n, max;
	int		 complete;
};

struct hours_snap {
	struct hours_week week[HOURS_HALLS_MAX];
	int		 nweek;
	int		 week_complete;
	struct hours_date date[HOURS_DATES_MAX];
	int		 ndate;
	int		 date_complete;
	int64_t		 from;		/* dated rows from this day on are all here */
};

static int
hm(const char *s)
{
	long long h, m;

	if (s == NULL || strlen(s) < 5 || parse_lln(s, 2, 0, 24, &h) != 0 ||
	    parse_lln(s + 3, 2, 0, 59, &m) != 0)
		return -1;
	return (int)(h * 60 + m);
}

static void
period_add(struct hall_day *d, const char *o, const char *c)
{
	int a = hm(o), b = hm(c);

	if (a < 0 || b <= a || d->n == HALL_MAX_PERIODS)
		return;
	d->open_min[d->n] = a;
	d->close_min[d->n] = b;
	d->n++;
}

/* hall, open, close */
static int
week_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct hours_snap *s = arg;
	struct hours_week *w;

	(void)ncol;
	(void)lens;
	if (s->nweek == 0 || strcmp(s->week[s->nweek - 1].hall, v[0]) != 0) {
		if (s->nweek == HOURS_HALLS_MAX) {
			s->week_complete = 0;
			return 1;
		}
		w = &s->week[s->nweek++];
		str_copy(w->hall, sizeof w->hall, v[0]);
	}
	w = &s->week[s->nweek - 1];
	period_add(&w->d, v[1], v[2]);
	return 0;
}

/* hall, day, closed, open, close (NULL when closed) */
static int
date_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct hours_dates *s = arg;
	struct hours_date *d;
	int64_t day;

	(void)ncol;
	(void)lens;
	if (date_parse(v[1], &day) != 0)
		return 0;
	if (s->n == 0 || s->date[s->n - 1].day != day || strcmp(s->date[s->n - 1].hall, v[0]) != 0) {
		if (s->n == s->max) {
			s->complete = 0;
			return 1;
		}
		d = &s->date[s->n++];
		str_copy(d->hall, sizeof d->hall, v[0]);
		d->day = day;
		d->d.dated = 1;
		d->d.closed = v[2] && strcmp(v[2], "1") == 0;
	}
	d = &s->date[s->n - 1];
	if (!d->d.closed && v[3] && v[4])
		period_add(&d->d, v[3], v[4]);
	return 0;
}

#define DATE_COLS "SELECT d.hall, DATE_FORMAT(d.day, '%Y-%m-%d'), d.closed," \
	" TIME_FORMAT(p.open_at, '%H:%i'), TIME_FORMAT(p.close_at, '%H:%i')" \
	" FROM hall_dates d LEFT JOIN hall_date_hours p ON p.hall = d.hall AND p.day = d.day "

static int
snap_load(struct ctx *c, void *value, void *arg)
{
	struct hours_snap *s = value;
	struct hours_dates l = { s->date, 0, HOURS_DATES_MAX, 1 };
	char from[11];
	int rc;

	(void)arg;
	s->week_complete = s->date_complete = 1;
	s->from = hall_day(hall_now()) - 7;
	date_format_days(s->from, from, sizeof from);
	if ((rc = db_query(c, "SELECT hall, TIME_FORMAT(open_at, '%H:%i'),"
	    " TIME_FORMAT(close_at, '%H:%i') FROM hall_hours ORDER BY hall, seq", DBNOARGS,
	    week_row, s)) < 0)
		return rc;
	rc = db_query(c, DATE_COLS "WHERE d.day >= ? ORDER BY d.day, d.hall, p.seq",
	    DBARGS(DBS(from)), date_row, &l);
	s->ndate = l.n;
	s->date_complete = l.complete;
	return rc < 0 ? rc : 0;
}

static struct cache snap_cache = { .size = sizeof(struct hours_snap),
	.max_age_ms = HALL_HOURS_TTL_MS, .load = snap_load, .wait_ms = CACHE_WAIT_MS,
	.strict = 1, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

void
hall_hours_changed(void)
{
	cache_invalidate(&snap_cache);
}

/* The dated hours of one date straight from MariaDB: 1 found, 0 none, or a DB_* code. */
static int
date_direct(struct ctx *c, const char *hall, int64_t day, struct hall_day *out)
{
	struct hours_date one;
	struct hours_dates l = { &one, 0, 1, 1 };
	char date[11];
	int rc;

	memset(&one, 0, sizeof one);
	date_format_days(day, date, sizeof date);
	rc = db_query(c, DATE_COLS "WHERE d.hall = ? AND d.day = ? ORDER BY p.seq",
	    DBARGS(DBS(hall), DBS(date)), date_row, &l);
	if (rc < 0)
		return rc;
	if (l.n == 0)
		return 0;
	*out = one.d;
	return 1;
}

/* The week's hours of hall straight from MariaDB (a copy that had no room for it). */
static int
week_direct(struct ctx *c, const char *hall, struct hall_day *out)
{
	struct hours_snap *s;
	int rc;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return DB_FAIL;
	s->week_complete = 1;
	rc = db_query(c, "SELECT hall, TIME_FORMAT(open_at, '%H:%i'), TIME_FORMAT(close_at, '%H:%i')"
	    " FROM hall_hours WHERE hall = ? ORDER BY seq", DBARGS(DBS(hall)), week_row, s);
	if (rc >= 0 && s->nweek > 0)
		*out = s->week[0].d;
	free(s);
	return rc < 0 ? rc : 0;
}

int
hall_day_hours(struct ctx *c, const char *hall, int64_t day, struct hall_day *out)
{
	const struct hours_snap *s;
	int rc, i, found = 0, week_found = 0, week_complete, direct = 0;

	memset(out, 0, sizeof *out);
	if ((s = cache_get(&snap_cache, c, NULL, &rc)) == NULL)
		return rc;
	if (day < s->from)
		direct = 1;
	else {
		for (i = 0; i < s->ndate; i++)
			if (s->date[i].day == day && strcmp(s->date[i].hall, hall) == 0) {
				*out = s->date[i].d;
				found = 1;
				break;
			}
		if (!found && !s->date_complete && (s->ndate == 0 ||
		    day >= s->date[s->ndate - 1].day))
			direct = 1;
	}
	week_complete = s->week_complete;
	if (!found && !direct)
		for (i = 0; i < s->nweek; i++)
			if (strcmp(s->week[i].hall, hall) == 0) {
				*out = s->week[i].d;
				week_found = 1;
				break;
			}
	cache_put(&snap_cache, s);
	if (direct) {
		if ((rc = date_direct(c, hall, day, out)) != 0)
			return rc < 0 ? rc : out->closed ? 0 : out->n > 0;
		found = 0;
	}
	if (found)
		return out->closed ? 0 : out->n > 0;
	/* No hours of its own: the calendar says whether it opens, the week's hours when. */
	if ((rc = calendar_is_workday(c, day)) != 1) {
		memset(out, 0, sizeof *out);
		return rc;
	}
	if (direct || (!week_found && !week_complete)) {
		memset(out, 0, sizeof *out);
		if ((rc = week_direct(c, hall, out)) < 0)
			return rc;
	}
	return out->n > 0;
}

int
hall_day_covers(const struct hall_day *d, int start, int end)
{
	int i;

	for (i = 0; i < d->n; i++)
		if (start >= d->open_min[i] && end <= d->close_min[i])
			return 1;
	return 0;
}
