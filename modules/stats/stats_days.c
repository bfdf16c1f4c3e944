/*
 * stats_days.c — the tickets of a period for the figures (stats_times.h), a day at a time:
 * a day before today from its packed copy (stats_ticket_days, one row), made the first time
 * it is needed, or by the worker's job stats-days, once all its tickets are finished; today,
 * and a day not finished yet, from its rows.
 *
 * Tables: queue_tickets (read), stats_ticket_days (read, written).  Redis: none.
 * Job:    stats-days (every minute): for each hall, packs the days of the last DAYS_BACK
 *         before today that have tickets and no copy yet (so a manager's first call of a past
 *         month finds its days packed).
 *
 * Why (issue 24, item 5): a month of a city is 150,000 ticket rows; reading them was most of
 * the first call's time (the scan in MariaDB, then every row through the client library),
 * where thirty packed rows are a few milliseconds.  The nearest-rank p90 stays exact: every
 * ticket is in its day's copy, only packed.
 *
 * A packed day: clerks, the ids of the day's clerks one a line in order of appearance, and
 * packed, DAY_REC bytes a ticket (integers little-endian):
 *   0 category letter, 1 status (index in day_status, 255 other), 2 outcome (index in
 *   day_outcome: 0 none, 255 other), 3 hour taken (255: none), 4–7 window (-1: none),
 *   8–11 the clerk's line in clerks (-1: none), 12–15 seconds waited (INT32_MIN: never
 *   called), 16–19 seconds served (INT32_MIN: not served).
 * Every day, packed or read from its rows, goes through the same packing and unpacking, so a
 * day's figures are the same whichever way it was read.
 *
 * Freshness: a copy is made only of a day before today whose tickets are all done or
 * cancelled (a day without tickets too: a row of none, so a year is not 366 readings) (the queue's close-day job finishes the others the next morning), in the
 * transaction that read them with shared locks; migration 150's triggers on queue_tickets
 * remove the copy of a day when one of its tickets is inserted, deleted, or changed in a
 * column read here.  So a copy is never older than its day's tickets: a change either came
 * before the reading (and is in the copy) or waited for it (and removed the copy).
 */
#include "stats_times.h"
#include "../rooms.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <stdlib.h>
#include <string.h>

#define DAY_REC		20
#define DAY_MAX_BYTES	((size_t)TIMES_MAX_ROWS * DAY_REC)
#define DAY_BLOB_MAX	((size_t)16 * 1024 * 1024 - 1)	/* MEDIUMBLOB, MEDIUMTEXT */
#define DAYS_BACK	62
#define JOB_HALLS_MAX	64

static const char *const day_status[] = { "waiting", "called", "serving", "done", "skipped",
	"cancelled" };
static const char *const day_outcome[] = { "", "done", "no_show" };

/* A day's tickets (or a few days'), packed. */
struct day {
	struct buf	 recs;		/* DAY_REC bytes a ticket */
	struct buf	 ctext;		/* clerk ids, one a line */
	json_t		*clerks;	/* clerk id -> line */
	size_t		 n;		/* tickets */
	int		 open;		/* one is waiting, called, serving or skipped */
	int		 oom, too_many;
};

/* The columns day_row reads, from the (hall, day) key k_queue_stats alone. */
#define DAY_SQL \
	"SELECT category, window_no, clerk, HOUR(taken_at), status, outcome," \
	" TIMESTAMPDIFF(SECOND, taken_at, called_at), IF(outcome = 'done'," \
	" TIMESTAMPDIFF(SECOND, started_at, finished_at), NULL) FROM queue_tickets" \
	" WHERE hall = ? AND day BETWEEN ? AND ?"

static void
day_init(struct day *d)
{
	memset(d, 0, sizeof *d);
	buf_init(&d->recs, DAY_MAX_BYTES + 1);
	buf_init(&d->ctext, DAY_BLOB_MAX + 1);
	d->clerks = json_object();
	if (d->clerks == NULL)
		d->oom = 1;
}

static void
day_free(struct day *d)
{
	buf_free(&d->recs);
	buf_free(&d->ctext);
	json_decref(d->clerks);
	d->clerks = NULL;
}

static void
put32(unsigned char *b, int32_t v)
{
	uint32_t u = (uint32_t)v;

	b[0] = (unsigned char)u;
	b[1] = (unsigned char)(u >> 8);
	b[2] = (unsigned char)(u >> 16);
	b[3] = (unsigned char)(u >> 24);
}

static int32_t
get32(const unsigned char *b)
{
	return (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24);
}

static int32_t
secs32(const char *s, int32_t none)
{
	long long v;

	if (s == NULL || parse_ll(s, -2000000000LL, 2000000000LL, &v) != 0)
		return none;
	return (int32_t)v;
}

/* s's index in list (n), or 255. */
static unsigned char
index_of(const char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return (unsigned char)i;
	return 255;
}

/* The clerk's line in the day's list, added when new; -1 when it cannot be (d->oom). */
static int32_t
day_clerk(struct day *d, const char *clerk)
{
	json_t *k = json_object_get(d->clerks, clerk);

	if (k == NULL) {
		k = json_integer((json_int_t)json_object_size(d->clerks));
		if (strchr(clerk, '\n') != NULL || json_object_set_new(d->clerks, clerk, k) != 0 ||
		    buf_adds(&d->ctext, clerk) != 0 || buf_add(&d->ctext, "\n", 1) != 0) {
			d->oom = 1;
			return -1;
		}
	}
	return (int32_t)json_integer_value(k);
}

/*
 * One ticket (category, window_no, clerk, HOUR(taken_at), status, outcome, seconds waited —
 * NULL: never called —, seconds served — NULL: not served) packed onto the day.
 */
static int
day_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct day *d = arg;
	unsigned char r[DAY_REC];
	long long win, hour;

	(void)lens;
	if (ncol < 8 || v[0] == NULL || v[0][0] < 'A' || v[0][0] > 'Z' || v[4] == NULL)
		return 0;
	if (d->recs.len + DAY_REC > DAY_MAX_BYTES) {
		d->too_many = 1;
		return 1;
	}
	r[0] = (unsigned char)v[0][0];
	r[1] = index_of(day_status, NELEM(day_status), v[4]);
	r[2] = v[5] ? index_of(day_outcome, NELEM(day_outcome), v[5]) : 0;
	r[3] = v[3] && parse_ll(v[3], 0, 23, &hour) == 0 ? (unsigned char)hour : 255;
	put32(r + 4, v[1] && parse_ll(v[1], 0, 65535, &win) == 0 ? (int32_t)win : -1);
	put32(r + 8, v[2] ? day_clerk(d, v[2]) : -1);
	put32(r + 12, v[6] ? secs32(v[6], 0) : INT32_MIN);
	put32(r + 16, secs32(v[7], INT32_MIN));
	if (d->oom || buf_add(&d->recs, r, sizeof r) != 0) {
		d->oom = 1;
		return 1;
	}
	if (r[1] != 3 && r[1] != 5)	/* not done, not cancelled */
		d->open = 1;
	d->n++;
	return 0;
}

/* Room for one more called ticket.  0, or -1 (out of memory: t->oom). */
static int
times_grow(struct times *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024;
	struct tic *nv;

	if (t->n < t->cap)
		return 0;
	if (cap > TIMES_MAX_ROWS)
		cap = TIMES_MAX_ROWS;
	if ((nv = realloc(t->v, cap * sizeof *nv)) == NULL) {
		t->oom = 1;
		return -1;
	}
	t->v = nv;
	t->cap = cap;
	return 0;
}

int32_t
times_clerk(struct times *t, const char *clerk)
{
	json_t *k = json_object_get(t->clerks, clerk);

	if (k == NULL) {
		k = json_integer((json_int_t)json_object_size(t->clerks));
		if (json_object_set_new(t->clerks, clerk, k) != 0) {
			t->oom = 1;
			return -1;
		}
	}
	return (int32_t)json_integer_value(k);
}

/* The clerks of a packed day (lines of text, len bytes) as indexes of the period (t):
 * *map (malloc'd, one per line) and *n.  0, or -1 (out of memory: t->oom). */
static int
unpack_clerks(struct times *t, const char *text, size_t len, int32_t **map, size_t *n)
{
	size_t i, k = 0, lines = 0;
	const char *s = text;

	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	*n = 0;
	if ((*map = malloc((lines + 1) * sizeof **map)) == NULL) {
		t->oom = 1;
		return -1;
	}
	for (i = 0; i < len && k < lines; i++)
		if (text[i] == '\n') {
			char id[64];	/* staff.id: 48 characters */
			size_t l = (size_t)(text + i - s);

			if (l >= sizeof id)
				l = sizeof id - 1;
			memcpy(id, s, l);
			id[l] = '\0';
			if (((*map)[k++] = times_clerk(t, id)) < 0)
				return -1;
			s = text + i + 1;
		}
	*n = k;
	return 0;
}

/* A packed day (recs: len bytes, clerks: clen bytes) into the period's tickets t, as the
 * rows it was packed from would have been counted.  0, or -1 (t->oom or t->too_many). */
static int
day_unpack(struct times *t, const unsigned char *recs, size_t len, const char *clerks,
    size_t clen)
{
	int32_t *map = NULL;
	size_t nclerks, i;

	if (unpack_clerks(t, clerks, clen, &map, &nclerks) != 0) {
		free(map);
		return -1;
	}
	for (i = 0; i + DAY_REC <= len; i += DAY_REC) {
		const unsigned char *r = recs + i;
		int cat = r[0] - 'A';
		int32_t wait = get32(r + 12), clerk = get32(r + 8);
		struct tic *x;

		if (cat < 0 || cat >= 26)
			continue;
		if (t->rows == TIMES_MAX_ROWS) {
			t->too_many = 1;
			break;
		}
		t->rows++;
		stats_ticket_count(t->count[cat], r[1] < NELEM(day_status) ? day_status[r[1]] : "",
		    r[2] == 0 ? NULL : r[2] < NELEM(day_outcome) ? day_outcome[r[2]] : "");
		if (r[3] < 24)
			t->hour[cat][r[3]]++;
		if (wait == INT32_MIN)
			continue;	/* not called: no times */
		if (times_grow(t) != 0)
			break;
		x = &t->v[t->n++];
		x->g[G_CAT] = r[0];
		x->g[G_WIN] = get32(r + 4);
		x->g[G_CLERK] = clerk >= 0 && (size_t)clerk < nclerks ? map[clerk] : -1;
		x->g[G_ALL] = 0;
		x->wait = wait;
		x->service = get32(r + 16);
	}
	free(map);
	return t->oom || t->too_many ? -1 : 0;
}

/* ---- packed days ---- */

struct packed_arg {
	struct times	*t;
	unsigned char	*have;		/* 1: day df + k was read packed */
	int64_t		 n;
};

/* One packed day: its index in the period, clerks, packed. */
static int
packed_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct packed_arg *a = arg;
	long long k;

	if (ncol < 3 || v[0] == NULL || v[1] == NULL || v[2] == NULL ||
	    parse_ll(v[0], 0, a->n - 1, &k) != 0)
		return 0;
	a->have[k] = 1;
	return day_unpack(a->t, (const unsigned char *)v[2], lens[2], v[1], lens[1]) != 0;
}

struct build {
	const char	*hall, *day;
	struct day	*d;
	int		 stored;
};

/* Read the day's tickets with shared locks and, when they are all finished, keep them
 * packed (one transaction: db_tx). */
static int
build_tx(struct ctx *c, void *arg)
{
	struct build *b = arg;
	char now[24];
	int rc;

	day_free(b->d);
	day_init(b->d);	/* a retried try starts again */
	b->stored = 0;
	rc = db_query(c, DAY_SQL " LOCK IN SHARE MODE", DBARGS(DBS(b->hall), DBS(b->day),
	    DBS(b->day)), day_row, b->d);
	if (rc < 0 || b->d->oom || b->d->too_many || b->d->open || b->d->recs.len > DAY_BLOB_MAX)
		return rc < 0 ? rc : 0;
	sql_now(now, sizeof now);
	rc = db_exec(c, "INSERT INTO stats_ticket_days (hall, day, tickets, clerks, packed,"
	    " built_at) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE tickets = VALUES(tickets),"
	    " clerks = VALUES(clerks), packed = VALUES(packed), built_at = VALUES(built_at)",
	    DBARGS(DBS(b->hall), DBS(b->day), DBI(b->d->n),
	    DBSN(b->d->ctext.len ? b->d->ctext.data : "", b->d->ctext.len),
	    DBSN(b->d->recs.len ? b->d->recs.data : "", b->d->recs.len), DBS(now)), NULL, NULL);
	if (rc == 0)
		b->stored = 1;
	return rc;
}

/* The day's tickets read (d) into the period's (t), or why they could not be. */
static void
day_into(struct times *t, const struct day *d)
{
	if (d->too_many)
		t->too_many = 1;
	else if (d->oom)
		t->oom = 1;
	else
		day_unpack(t, (const unsigned char *)d->recs.data, d->recs.len,
		    d->ctext.data ? d->ctext.data : "", d->ctext.len);
}

/* Day (days since 1970) of hall packed when it can be, and into t unless t is NULL.
 * 0 or a DB_* code. */
static int
day_build(struct ctx *c, const char *hall, int64_t day, struct times *t)
{
	struct day d;
	struct build b = { hall, NULL, &d, 0 };
	char ds[12];
	int rc;

	date_format_days(day, ds, sizeof ds);
	b.day = ds;
	day_init(&d);
	rc = db_tx(c, build_tx, &b);
	if (rc == 0 && t)
		day_into(t, &d);
	day_free(&d);
	return rc;
}

/* Days from … to of hall from their rows, into t.  0 or a DB_* code. */
static int
days_live(struct ctx *c, const char *hall, const char *from, const char *to, struct times *t)
{
	struct day d;
	int rc;

	day_init(&d);
	rc = db_query(c, DAY_SQL, DBARGS(DBS(hall), DBS(from), DBS(to)), day_row, &d);
	if (rc >= 0) {
		rc = 0;
		day_into(t, &d);
	}
	day_free(&d);
	return rc;
}

int
stats_days_read(struct ctx *c, const struct period *p, struct times *tm)
{
	int64_t last = p->dt < p->dtoday ? p->dt : p->dtoday - 1, k;
	struct packed_arg a = { tm, NULL, 0 };
	char day[12];
	int rc = 0;

	if (p->df <= last) {
		a.n = last - p->df + 1;
		if ((a.have = calloc((size_t)a.n, 1)) == NULL) {
			tm->oom = 1;
			return 0;
		}
		date_format_days(last, day, sizeof day);
		rc = db_query(c, "SELECT DATEDIFF(day, ?), clerks, packed FROM stats_ticket_days"
		    " WHERE hall = ? AND day BETWEEN ? AND ?", DBARGS(DBS(p->from), DBS(p->hall),
		    DBS(p->from), DBS(day)), packed_row, &a);
		for (k = 0; rc >= 0 && k < a.n && !tm->oom && !tm->too_many; k++)
			if (!a.have[k])
				rc = day_build(c, p->hall, p->df + k, tm);
		free(a.have);
	}
	if (rc >= 0 && last < p->dt && !tm->oom && !tm->too_many) {
		date_format_days(last + 1 > p->df ? last + 1 : p->df, day, sizeof day);
		rc = days_live(c, p->hall, day, p->to, tm);
	}
	return rc < 0 ? rc : 0;
}

/* ---- the job ---- */

struct day_no {
	long long day;
};

static const struct db_col day_no_cols[] = {
	DBC_I(struct day_no, day, 0, 10000000),
};

struct hall_no {
	char	 code[33];
};

static const struct db_col hall_no_cols[] = { DBC_S(struct hall_no, code) };

int
job_stats_days(struct ctx *c)
{
	struct hall_no h[JOB_HALLS_MAX];
	struct day_no d[DAYS_BACK];
	int64_t today = hall_day(hall_now());
	char from[12], to[12];
	int i, k, nh, nd, rc = 0, made = 0;

	date_format_days(today - DAYS_BACK, from, sizeof from);
	date_format_days(today - 1, to, sizeof to);
	nh = db_rows_into(c, "SELECT code FROM halls ORDER BY code", DBNOARGS,
	    DB_COLS(hall_no_cols), h, sizeof h[0], JOB_HALLS_MAX);
	if (nh < 0)
		return nh;
	if (nh > JOB_HALLS_MAX)
		nh = JOB_HALLS_MAX;
	for (i = 0; i < nh && rc >= 0; i++) {
		nd = db_rows_into(c, "SELECT TO_DAYS(t.day) - TO_DAYS('1970-01-01') FROM"
		    " (SELECT DISTINCT day FROM queue_tickets WHERE hall = ? AND day BETWEEN ? AND ?) t"
		    " WHERE NOT EXISTS (SELECT 1 FROM stats_ticket_days s WHERE s.hall = ?"
		    " AND s.day = t.day) ORDER BY t.day", DBARGS(DBS(h[i].code), DBS(from), DBS(to),
		    DBS(h[i].code)), DB_COLS(day_no_cols), d, sizeof d[0], DAYS_BACK);
		if (nd < 0)
			return nd;
		if (nd > DAYS_BACK)
			nd = DAYS_BACK;
		for (k = 0; k < nd && rc >= 0; k++, made++)
			rc = day_build(c, h[i].code, d[k].day, NULL);
	}
	if (made > 0)
		log_info("stats: %d days of tickets read for packing", made);
	return rc < 0 ? rc : 0;
}
