/*
 * stats.c — the hall manager's figures.
 *
 * Route:  GET /halls/{hall}/stats?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv]   (manager, admin)
 *         (Accept: text/csv also gives the CSV)
 * Tables: queue_tickets, appointments, cases, case_parts, departments, windows, categories,
 *         staff, reviews, review_rectifications, hall_alerts (all read only)
 * Redis:  none.
 *
 * Every figure is one SQL aggregate over an indexed range (hall, day) or (hall, accepted_at /
 * closed_at), except the tickets': the period's tickets are read once and counted and
 * grouped here (stats_tickets, stats_times), with the 90th percentile by nearest rank (the
 * smallest value with at least 90 % of the values at or below it).  A period of more than
 * TIMES_MAX_ROWS tickets is refused (422 PERIOD_TOO_LARGE).  Definitions:
 *   tickets          taken on a day of the period, grouped by the line they are in now
 *                    (category) and the hour they were taken;
 *   wait             called_at − taken_at of every ticket that was called;
 *   service          finished_at − started_at of every ticket served (outcome done);
 *                    per category, per window and per clerk (the one who called it);
 *   appointments     for a day of the period: booked (every booking not cancelled),
 *                    checked_in, no_show, cancelled;
 *   cases            accepted (accepted_at in the period), closed (closed_at in the period),
 *                    overdue (accepted in the period and decided after its deadline, or
 *                    still undecided past it — a supplement pause stops the clock), per
 *                    department of each part (a bundle counts in each of its departments;
 *                    the totals count cases once);
 *   comprehensive    share of the cases accepted in the period at a window of kind
 *                    'comprehensive' (online applications have no window);
 *   satisfaction     reviews given in the period with score 4–5 / all of them;
 *   rectification    tasks of the period's bad reviews closed / all of them.
 * Minutes are given to 0.1; rates to 0.0001 (null when nothing was counted).
 */
#include "handlers.h"
#include "../reviews/reviews.h"
#include "../hall/catalog.h"
#include "../identity/identity.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define STATS_MAX_DAYS 366

struct period {
	const char	*hall;
	char		 from[12], to[12];		/* days, inclusive */
	char		 from_dt[24], to_dt[24];	/* [from 00:00, to+1 00:00) */
	char		 today[12];
};

static json_t *
rate(long long num, long long den)
{
	if (den <= 0)
		return json_null();
	return json_real(round((double)num * 10000.0 / (double)den) / 10000.0);
}

static long long
ll(const char *s)
{
	long long v = 0;

	if (s == NULL || parse_ll(s, INT64_MIN, INT64_MAX, &v) != 0) {
		double d;
		char *end;

		if (s == NULL)
			return 0;
		d = strtod(s, &end);	/* SUM() of a DECIMAL arrives as "12.0000" at times */
		return end == s ? 0 : (long long)llround(d);
	}
	return v;
}

/* ---- times per group (category, window, clerk, the whole hall) ---- */

/*
 * The period's tickets are read once (one indexed range scan) and every ticket figure is
 * worked out here: the counts per category and per hour, and the waiting and service times
 * per category, window, clerk and the whole hall.  Each time grouping is one sort of
 * (group, seconds) pairs, packed in a 64-bit integer, so a group's values are contiguous and
 * in order for its percentile.  (Four PERCENTILE_DISC statements, each sorting the period
 * again, and two GROUP BY statements over the same rows were nearly all of a day's
 * statistics' time.)
 */
struct tic {
	int32_t	 g[4];		/* category letter, window (-1 none), clerk rank (-1 none), 0 */
	int32_t	 wait;		/* seconds from taken to called */
	int32_t	 service;	/* seconds from started to finished; INT32_MIN: not served */
};

enum { G_CAT, G_WIN, G_CLERK, G_ALL };

/* Counts of one category (A..Z): the columns of tickets.by_category, then by hour taken. */
enum { C_TAKEN, C_SERVED, C_NO_SHOW, C_CANCELLED, C_SKIPPED, C_OPEN, C_N };

struct times {
	struct tic	*v;		/* the called tickets */
	size_t		 n, cap;
	size_t		 rows;		/* tickets read */
	json_t		*clerks;	/* clerk id -> index in order of appearance */
	int		 oom, too_many;
	long long	 count[26][C_N];
	long long	 hour[26][24];
};

#define TIMES_MAX_ROWS 4000000	/* a year of a very busy hall is ~400k */
#define STATS_TOO_MANY (-100)	/* more tickets in the period than that */

static int32_t
secs32(const char *s, int32_t none)
{
	long long v;

	if (s == NULL || parse_ll(s, -2000000000LL, 2000000000LL, &v) != 0)
		return none;
	return (int32_t)v;
}

/*
 * One ticket of the period: category, window_no, clerk, HOUR(taken_at), status, outcome,
 * seconds waited (NULL: never called), seconds served (NULL: not served).
 */
static int
tic_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct times *t = arg;
	struct tic *x;
	long long win, hour;
	long long *n;

	(void)lens;
	if (ncol < 8 || v[0] == NULL || v[0][0] < 'A' || v[0][0] > 'Z' || v[4] == NULL)
		return 0;
	if (t->rows == TIMES_MAX_ROWS) {
		t->too_many = 1;
		return 1;
	}
	t->rows++;
	n = t->count[v[0][0] - 'A'];
	n[C_TAKEN]++;
	if (v[5] && strcmp(v[5], "done") == 0)
		n[C_SERVED]++;
	else if (v[5] && strcmp(v[5], "no_show") == 0)
		n[C_NO_SHOW]++;
	if (strcmp(v[4], "cancelled") == 0)
		n[C_CANCELLED]++;
	else if (strcmp(v[4], "skipped") == 0)
		n[C_SKIPPED]++;
	else if (strcmp(v[4], "waiting") == 0 || strcmp(v[4], "called") == 0 ||
	    strcmp(v[4], "serving") == 0)
		n[C_OPEN]++;
	if (v[3] && parse_ll(v[3], 0, 23, &hour) == 0)
		t->hour[v[0][0] - 'A'][hour]++;
	if (v[6] == NULL)
		return 0;	/* not called: no times */
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct tic *nv;

		if (cap > TIMES_MAX_ROWS)
			cap = TIMES_MAX_ROWS;
		if ((nv = realloc(t->v, cap * sizeof *nv)) == NULL) {
			t->oom = 1;
			return 1;
		}
		t->v = nv;
		t->cap = cap;
	}
	x = &t->v[t->n];
	x->g[G_CAT] = (unsigned char)v[0][0];
	x->g[G_WIN] = v[1] && parse_ll(v[1], 0, 65535, &win) == 0 ? (int32_t)win : -1;
	x->g[G_CLERK] = -1;
	if (v[2]) {
		json_t *k = json_object_get(t->clerks, v[2]);

		if (k == NULL) {
			k = json_integer((json_int_t)json_object_size(t->clerks));
			if (json_object_set_new(t->clerks, v[2], k) != 0) {
				t->oom = 1;
				return 1;
			}
		}
		x->g[G_CLERK] = (int32_t)json_integer_value(k);
	}
	x->g[G_ALL] = 0;
	x->wait = secs32(v[6], 0);
	x->service = secs32(v[7], INT32_MIN);
	t->n++;
	return 0;
}

static uint64_t
pack(int32_t group, int32_t value)
{
	return ((uint64_t)(uint32_t)(group + 1) << 32) | ((uint32_t)value ^ 0x80000000u);
}

static int32_t
pack_group(uint64_t p)
{
	return (int32_t)(uint32_t)(p >> 32) - 1;
}

static int32_t
pack_value(uint64_t p)
{
	return (int32_t)((uint32_t)p ^ 0x80000000u);
}

static int
u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static json_t *
minutes_of(double seconds)
{
	return json_real(round(seconds / 6.0) / 10.0);
}

/* The run of group g starting at *i of the sorted pairs: count, average, nearest-rank p90. */
static size_t
group_run(const uint64_t *p, size_t n, size_t *i, int32_t g, double *avg, int32_t *p90)
{
	size_t s = *i, k;
	double sum = 0;

	while (*i < n && pack_group(p[*i]) == g)
		sum += pack_value(p[(*i)++]);
	k = *i - s;
	if (k) {
		*avg = sum / (double)k;
		*p90 = pack_value(p[s + (9 * k + 9) / 10 - 1]);	/* rank ⌈0.9 k⌉, exactly */
	}
	return k;
}

/* One grouping: an array of { key, called, served, avg/p90 wait and service } in key order. */
static json_t *
times_group(const struct times *t, int which, const int32_t *clerk_rank, uint64_t *w,
    uint64_t *sv, char **clerk_of_rank)
{
	json_t *arr = json_array();
	size_t i, nw = 0, ns = 0, iw = 0, is = 0;

	for (i = 0; i < t->n; i++) {
		int32_t g = t->v[i].g[which];

		if (which == G_CLERK && g >= 0)
			g = clerk_rank[g];
		w[nw++] = pack(g, t->v[i].wait);
		if (t->v[i].service != INT32_MIN)
			sv[ns++] = pack(g, t->v[i].service);
	}
	qsort(w, nw, sizeof *w, u64cmp);
	qsort(sv, ns, sizeof *sv, u64cmp);
	while (iw < nw) {
		int32_t g = pack_group(w[iw]), wp90 = 0, sp90 = 0;
		double wavg = 0, savg = 0;
		size_t called, served;
		json_t *o = json_object();

		called = group_run(w, nw, &iw, g, &wavg, &wp90);
		while (is < ns && pack_group(sv[is]) < g)
			is++;
		served = group_run(sv, ns, &is, g, &savg, &sp90);
		switch (which) {
		case G_CAT: {
			char cat[2] = { (char)g, 0 };

			json_object_set_new(o, "category", json_string(cat));
			break;
		}
		case G_WIN:
			json_object_set_new(o, "window", g < 0 ? json_null() : json_integer(g));
			break;
		case G_CLERK:
			json_object_set_new(o, "clerk", g < 0 ? json_null() :
			    json_string(clerk_of_rank[g]));
			json_object_set_new(o, "name", json_null());	/* stats_times */
			break;
		default:
			json_object_set_new(o, "all", json_string("all"));
		}
		json_object_set_new(o, "called", json_integer((json_int_t)called));
		json_object_set_new(o, "served", json_integer((json_int_t)served));
		json_object_set_new(o, "avg_wait_minutes", minutes_of(wavg));
		json_object_set_new(o, "p90_wait_minutes", minutes_of(wp90));
		json_object_set_new(o, "avg_service_minutes", served ? minutes_of(savg) : json_null());
		json_object_set_new(o, "p90_service_minutes", served ? minutes_of(sp90) : json_null());
		json_array_append_new(arr, o);
	}
	return arr;
}

static int
strpcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* From the called tickets read (t): sets tickets.times_by_category, by_window, by_clerk
 * (with names) and *all (one object, or NULL when nothing was called). */
static int
stats_times(struct ctx *c, struct times *t, json_t *tickets, json_t **all)
{
	size_t nclerks = json_object_size(t->clerks), i;
	char **by_rank = NULL;
	int32_t *rank = NULL;
	uint64_t *w = NULL, *sv = NULL;
	const char *id;
	json_t *v, *arr;
	int rc = 0;

	*all = NULL;
	by_rank = calloc(nclerks + 1, sizeof *by_rank);
	rank = calloc(nclerks + 1, sizeof *rank);
	w = malloc((t->n + 1) * sizeof *w);
	sv = malloc((t->n + 1) * sizeof *sv);
	if (!by_rank || !rank || !w || !sv) {
		t->oom = 1;
		goto out;
	}
	/* Clerks in the order of their ids (as text), as ORDER BY would give. */
	i = 0;
	json_object_foreach(t->clerks, id, v)
		by_rank[i++] = (char *)(uintptr_t)id;
	qsort(by_rank, nclerks, sizeof *by_rank, strpcmp);
	for (i = 0; i < nclerks; i++)
		rank[json_integer_value(json_object_get(t->clerks, by_rank[i]))] = (int32_t)i;

	json_object_set_new(tickets, "times_by_category", times_group(t, G_CAT, rank, w, sv,
	    by_rank));
	json_object_set_new(tickets, "by_window", times_group(t, G_WIN, rank, w, sv, by_rank));
	arr = times_group(t, G_CLERK, rank, w, sv, by_rank);
	json_object_set_new(tickets, "by_clerk", arr);
	for (i = 0; i < json_array_size(arr) && rc >= 0; i++) {
		json_t *o = json_array_get(arr, i);
		const char *clerk = json_string_value(json_object_get(o, "clerk"));
		char name[256];		/* staff.name: 50 characters */

		rc = clerk ? db_scalar(c, "SELECT name FROM staff WHERE id = ?", DBARGS(DBS(clerk)),
		    name, sizeof name) : 0;
		json_object_set_new(o, "name", rc == 1 ? json_string(name) : json_null());
	}
	if (rc < 0)
		goto out;
	arr = times_group(t, G_ALL, rank, w, sv, by_rank);
	if (json_array_size(arr) == 1)
		*all = json_incref(json_array_get(arr, 0));
	json_decref(arr);
out:
	free(w);
	free(sv);
	free(rank);
	free(by_rank);
	return rc < 0 ? rc : 0;
}

/* ---- tickets ---- */

/* A category's name from its code, for the categories that have tickets in the period. */
static int
cat_name_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	(void)lens;
	if (ncol >= 2 && v[0] && v[1] && v[0][0] >= 'A' && v[0][0] <= 'Z' && v[0][1] == '\0')
		json_object_set_new(arg, v[0], json_string(v[1]));
	return 0;
}

static int
stats_tickets(struct ctx *c, const struct period *p, json_t *out)
{
	static const char *const cat_cols[C_N] = { "taken", "served", "no_show", "cancelled",
		"skipped", "open" };
	json_t *t = json_object(), *cats = json_array(), *hours = json_array(), *times;
	json_t *names = json_object(), *all = NULL;
	struct times tm;
	long long tot[C_N] = { 0 };
	size_t i, j;
	int rc, h;

	memset(&tm, 0, sizeof tm);
	tm.clerks = json_object();
	json_object_set_new(out, "tickets", t);
	json_object_set_new(t, "by_category", cats);
	json_object_set_new(t, "by_hour", hours);
	rc = db_query(c, "SELECT category, window_no, clerk, HOUR(taken_at), status, outcome,"
	    " TIMESTAMPDIFF(SECOND, taken_at, called_at), IF(outcome = 'done',"
	    " TIMESTAMPDIFF(SECOND, started_at, finished_at), NULL) FROM queue_tickets"
	    " WHERE hall = ? AND day BETWEEN ? AND ?",
	    DBARGS(DBS(p->hall), DBS(p->from), DBS(p->to)), tic_row, &tm);
	if (rc >= 0 && !tm.oom && !tm.too_many)
		rc = db_query(c, "SELECT code, name FROM categories WHERE hall = ?",
		    DBARGS(DBS(p->hall)), cat_name_row, names);
	if (rc < 0 || tm.oom || tm.too_many)
		goto out;
	/* Per category, in code order (a ticket's category always names a row). */
	for (i = 0; i < 26; i++) {
		char code[2] = { (char)('A' + i), 0 };
		json_t *name = json_object_get(names, code), *row;

		if (tm.count[i][C_TAKEN] == 0 || name == NULL)
			continue;
		row = json_object();
		json_object_set_new(row, "category", json_string(code));
		json_object_set(row, "name", name);
		for (j = 0; j < C_N; j++) {
			json_object_set_new(row, cat_cols[j], json_integer(tm.count[i][j]));
			tot[j] += tm.count[i][j];
		}
		json_array_append_new(cats, row);
	}
	/* Per hour taken, then category. */
	for (h = 0; h < 24; h++)
		for (i = 0; i < 26; i++) {
			char code[2] = { (char)('A' + i), 0 };
			json_t *row;

			if (tm.hour[i][h] == 0 || json_object_get(names, code) == NULL)
				continue;
			row = json_object();
			json_object_set_new(row, "category", json_string(code));
			json_object_set_new(row, "hour", json_integer(h));
			json_object_set_new(row, "count", json_integer(tm.hour[i][h]));
			json_array_append_new(hours, row);
		}
	for (j = 0; j < C_N; j++)
		json_object_set_new(t, cat_cols[j], json_integer(tot[j]));
	if ((rc = stats_times(c, &tm, t, &all)) < 0 || tm.oom)
		goto out;
	/* Fold the times of each category into its row. */
	times = json_object_get(t, "times_by_category");
	for (i = 0; i < json_array_size(cats); i++) {
		json_t *row = json_array_get(cats, i);

		for (j = 0; j < json_array_size(times); j++) {
			json_t *tr = json_array_get(times, j);
			const char *k;
			json_t *v;

			if (strcmp(json_string_value(json_object_get(tr, "category")),
			    json_string_value(json_object_get(row, "category"))) != 0)
				continue;
			json_object_foreach(tr, k, v)
				if (strcmp(k, "category") != 0 && strcmp(k, "served") != 0)
					json_object_set(row, k, v);
		}
		if (json_object_get(row, "avg_wait_minutes") == NULL) {
			json_object_set_new(row, "called", json_integer(0));
			json_object_set_new(row, "avg_wait_minutes", json_null());
			json_object_set_new(row, "p90_wait_minutes", json_null());
			json_object_set_new(row, "avg_service_minutes", json_null());
			json_object_set_new(row, "p90_service_minutes", json_null());
		}
	}
	json_object_del(t, "times_by_category");
	/* The whole hall's times. */
	if (all) {
		const char *k;
		json_t *v;

		json_object_foreach(all, k, v)
			if (strcmp(k, "all") != 0 && strcmp(k, "served") != 0)
				json_object_set(t, k, v);
		json_decref(all);
	} else {
		json_object_set_new(t, "called", json_integer(0));
		json_object_set_new(t, "avg_wait_minutes", json_null());
		json_object_set_new(t, "p90_wait_minutes", json_null());
		json_object_set_new(t, "avg_service_minutes", json_null());
		json_object_set_new(t, "p90_service_minutes", json_null());
	}
out:
	free(tm.v);
	json_decref(tm.clerks);
	json_decref(names);
	if (rc < 0)
		return rc;
	if (tm.too_many)
		return STATS_TOO_MANY;
	if (tm.oom) {
		log_err("stats: the period's %zu called tickets do not fit in memory", tm.n);
		return DB_DOWN;	/* 503: try again */
	}
	return 0;
}

/* ---- appointments ---- */

static int
stats_appointments(struct ctx *c, const struct period *p, json_t *out)
{
	static const char *const cols[] = { "category", "booked", "checked_in", "no_show",
		"cancelled", "pending" };
	json_t *a = json_object(), *cats = json_array();
	long long tot[5] = { 0 };
	size_t i, j;
	int rc;

	json_object_set_new(out, "appointments", a);
	json_object_set_new(a, "by_category", cats);
	rc = db_rows_json(c,
	    "SELECT category, SUM(status <> 'cancelled'), SUM(status = 'checked_in'),"
	    " SUM(status = 'no_show'), SUM(status = 'cancelled'), SUM(status = 'booked')"
	    " FROM appointments WHERE hall = ? AND day BETWEEN ? AND ?"
	    " GROUP BY category ORDER BY category",
	    DBARGS(DBS(p->hall), DBS(p->from), DBS(p->to)), cols, "siiiii", cats);
	if (rc < 0)
		return rc;
	for (i = 0; i < json_array_size(cats); i++)
		for (j = 0; j < 5; j++)
			tot[j] += json_integer_value(json_object_get(json_array_get(cats, i),
			    cols[j + 1]));
	for (j = 0; j < 5; j++)
		json_object_set_new(a, cols[j + 1], json_integer(tot[j]));
	json_object_set_new(a, "no_show_rate", rate(tot[2], tot[1] - tot[4]));
	return 0;
}

/* ---- cases ---- */

#define CASE_OVERDUE \
	"(c.deadline IS NOT NULL AND c.deadline < COALESCE(DATE(c.decided_at), c.paused_since, ?))"

static int
stats_cases(struct ctx *c, const struct period *p, json_t *out)
{
	static const char *const dcols[] = { "department", "name", "accepted", "overdue" };
	static const char *const ccols[] = { "department", "closed" };
	static const char *const tcols[] = { "accepted", "at_comprehensive", "online", "overdue" };
	json_t *k = json_object(), *deps = json_array(), *closed = json_array(), *tot = json_array();
	json_t *t;
	char n[32];
	size_t i, j;
	int rc;

	json_object_set_new(out, "cases", k);
	json_object_set_new(k, "by_department", deps);
	rc = db_rows_json(c,
	    "SELECT d.department, MAX(dp.name), COUNT(*), SUM(d.overdue) FROM"
	    " (SELECT DISTINCT pt.department, c.id, " CASE_OVERDUE " overdue"
	    "  FROM cases c JOIN case_parts pt ON pt.case_id = c.id"
	    "  WHERE c.hall = ? AND c.accepted_at >= ? AND c.accepted_at < ?) d"
	    " JOIN departments dp ON dp.code = d.department"
	    " GROUP BY d.department ORDER BY d.department",
	    DBARGS(DBS(p->today), DBS(p->hall), DBS(p->from_dt), DBS(p->to_dt)), dcols, "ssii",
	    deps);
	if (rc >= 0)
		rc = db_rows_json(c,
		    "SELECT pt.department, COUNT(DISTINCT c.id) FROM cases c"
		    " JOIN case_parts pt ON pt.case_id = c.id"
		    " WHERE c.hall = ? AND c.closed_at >= ? AND c.closed_at < ?"
		    " GROUP BY pt.department",
		    DBARGS(DBS(p->hall), DBS(p->from_dt), DBS(p->to_dt)), ccols, "si", closed);
	if (rc >= 0)
		rc = db_rows_json(c,
		    "SELECT COUNT(*), COALESCE(SUM(w.kind = 'comprehensive'), 0),"
		    " COALESCE(SUM(c.channel = 'online'), 0), COALESCE(SUM(" CASE_OVERDUE "), 0)"
		    " FROM cases c LEFT JOIN windows w ON w.hall = c.hall AND w.number = c.window_no"
		    " WHERE c.hall = ? AND c.accepted_at >= ? AND c.accepted_at < ?",
		    DBARGS(DBS(p->today), DBS(p->hall), DBS(p->from_dt), DBS(p->to_dt)), tcols,
		    "iiii", tot);
	if (rc >= 0) {
		rc = db_scalar(c, "SELECT COUNT(*) FROM cases WHERE hall = ? AND closed_at >= ?"
		    " AND closed_at < ?", DBARGS(DBS(p->hall), DBS(p->from_dt), DBS(p->to_dt)), n,
		    sizeof n);
		if (rc >= 0)
			rc = 0;
	}
	if (rc < 0) {
		json_decref(closed);
		json_decref(tot);
		return rc;
	}
	/* closed per department, folded into the department rows (a department may only close). */
	for (i = 0; i < json_array_size(deps); i++)
		json_object_set_new(json_array_get(deps, i), "closed", json_integer(0));
	for (j = 0; j < json_array_size(closed); j++) {
		json_t *cr = json_array_get(closed, j), *row = NULL;
		const char *d = json_string_value(json_object_get(cr, "department"));

		for (i = 0; i < json_array_size(deps); i++)
			if (strcmp(json_string_value(json_object_get(json_array_get(deps, i),
			    "department")), d) == 0)
				row = json_array_get(deps, i);
		if (row == NULL) {
			row = json_pack("{s:s,s:n,s:i,s:i}", "department", d, "name", "accepted", 0,
			    "overdue", 0);
			json_array_append_new(deps, row);
		}
		json_object_set(row, "closed", json_object_get(cr, "closed"));
	}
	json_decref(closed);
	t = json_array_get(tot, 0);
	json_object_set(k, "accepted", json_object_get(t, "accepted"));
	json_object_set_new(k, "closed", json_integer(ll(n)));
	json_object_set(k, "overdue", json_object_get(t, "overdue"));
	json_object_set(k, "online", json_object_get(t, "online"));
	json_object_set(k, "at_comprehensive", json_object_get(t, "at_comprehensive"));
	json_object_set_new(k, "comprehensive_share",
	    rate(json_integer_value(json_object_get(t, "at_comprehensive")),
	    json_integer_value(json_object_get(t, "accepted"))));
	json_decref(tot);
	return 0;
}

/* ---- reviews and rectification ---- */

struct score_ctx {
	long long	 by[6];
};

static int
score_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct score_ctx *s = arg;
	long long k = ll(v[0]);

	(void)lens;
	if (ncol >= 2 && k >= 1 && k <= 5)
		s->by[k] = ll(v[1]);
	return 0;
}

static int
ind_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	static const char *const names[] = { "attitude", "efficiency", "competence",
		"convenience", "transparency" };
	json_t *o = arg;
	size_t i;

	(void)lens;
	for (i = 0; i < ncol && i < 5; i++)
		json_object_set_new(o, names[i], v[i] ? json_real(round(strtod(v[i], NULL) * 100.0) /
		    100.0) : json_null());
	return 0;
}

static int
stats_reviews(struct ctx *c, const struct period *p, json_t *out)
{
	static const char *const tcols[] = { "tasks", "rectified", "late", "open", "overdue" };
	struct score_ctx s;
	json_t *rv = json_object(), *bys = json_object(), *ind = json_object(), *tk = json_array();
	json_t *t;
	long long total = 0, good, bad;
	char key[2];
	int rc, i;

	memset(&s, 0, sizeof s);
	json_object_set_new(out, "reviews", rv);
	json_object_set_new(rv, "by_score", bys);
	json_object_set_new(rv, "indicators", ind);
	rc = db_query(c, "SELECT score, COUNT(*) FROM reviews WHERE hall = ? AND day BETWEEN ? AND ?"
	    " GROUP BY score", DBARGS(DBS(p->hall), DBS(p->from), DBS(p->to)), score_row, &s);
	if (rc >= 0)
		rc = db_query(c, "SELECT AVG(attitude), AVG(efficiency), AVG(competence),"
		    " AVG(convenience), AVG(transparency) FROM reviews"
		    " WHERE hall = ? AND day BETWEEN ? AND ?",
		    DBARGS(DBS(p->hall), DBS(p->from), DBS(p->to)), ind_row, ind);
	if (rc >= 0)
		rc = db_rows_json(c, "SELECT COUNT(*), COALESCE(SUM(status = 'closed'), 0),"
		    " COALESCE(SUM(status = 'closed' AND late = 1), 0),"
		    " COALESCE(SUM(status = 'open'), 0),"
		    " COALESCE(SUM(status = 'open' AND deadline < ?), 0)"
		    " FROM review_rectifications WHERE hall = ? AND day BETWEEN ? AND ?",
		    DBARGS(DBS(p->today), DBS(p->hall), DBS(p->from), DBS(p->to)), tcols, "iiiii",
		    tk);
	if (rc < 0) {
		json_decref(tk);
		return rc;
	}
	for (i = 1; i <= 5; i++) {
		key[0] = (char)('0' + i);
		key[1] = '\0';
		json_object_set_new(bys, key, json_integer(s.by[i]));
		total += s.by[i];
	}
	good = s.by[4] + s.by[5];
	bad = s.by[1] + s.by[2];
	json_object_set_new(rv, "total", json_integer(total));
	json_object_set_new(rv, "satisfied", json_integer(good));
	json_object_set_new(rv, "bad", json_integer(bad));
	json_object_set_new(rv, "satisfaction_rate", rate(good, total));
	t = json_array_get(tk, 0);
	json_object_set_new(rv, "rectification", json_pack("{s:O,s:O,s:O,s:O,s:O,s:o}",
	    "tasks", json_object_get(t, "tasks"), "rectified", json_object_get(t, "rectified"),
	    "late", json_object_get(t, "late"), "open", json_object_get(t, "open"),
	    "overdue", json_object_get(t, "overdue"),
	    "rate", rate(json_integer_value(json_object_get(t, "rectified")),
	    json_integer_value(json_object_get(t, "tasks")))));
	json_object_set_new(rv, "rectification_rate",
	    rate(json_integer_value(json_object_get(t, "rectified")),
	    json_integer_value(json_object_get(t, "tasks"))));
	json_decref(tk);
	return 0;
}

static int
stats_alerts(struct ctx *c, const struct period *p, json_t *out)
{
	static const char *const cols[] = { "key", "level", "message", "raised_at",
	    "dismissible" };
	json_t *a = json_array();

	/* dismissible: a manager may mark it dealt with (POST /halls/{hall}/alerts/dismiss);
	 * calendar:<year> clears itself once the year is loaded. */
	json_object_set_new(out, "alerts", a);
	return db_rows_json(c, "SELECT akey, level, message,"
	    " DATE_FORMAT(raised_at, '%Y-%m-%dT%H:%i:%s+08:00'), LEFT(akey, 9) <> 'calendar:'"
	    " FROM hall_alerts WHERE hall = ? AND cleared_at IS NULL"
	    " ORDER BY FIELD(level, 'critical', 'warning', 'info'), raised_at DESC",
	    DBARGS(DBS(p->hall)), cols, "ssssb", a);
}

/* ---- CSV ---- */

static const char *const csv_keys[] = { "category", "hour", "window", "clerk", "department",
	"key", NULL };

static int
csv_is_key(const char *k)
{
	size_t i;

	for (i = 0; csv_keys[i]; i++)
		if (strcmp(csv_keys[i], k) == 0)
			return 1;
	return 0;
}

static void
csv_field(struct buf *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_adds(b, s);
		return;
	}
	buf_adds(b, "\"");
	for (; *s; s++)
		buf_add(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	buf_adds(b, "\"");
}

static void
csv_value(struct buf *b, json_t *v)
{
	char tmp[64];

	if (json_is_string(v))
		csv_field(b, json_string_value(v));
	else if (json_is_integer(v))
		buf_addf(b, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v)) {
		fmt(tmp, sizeof tmp, "%.4f", json_real_value(v));
		buf_adds(b, tmp);
	}
	/* null: empty */
}

static void
csv_line(struct buf *b, const char *section, const char *group, const char *metric, json_t *v)
{
	csv_field(b, section);
	buf_adds(b, ",");
	csv_field(b, group);
	buf_adds(b, ",");
	csv_field(b, metric);
	buf_adds(b, ",");
	csv_value(b, v);
	buf_adds(b, "\r\n");
}

/* One section (object): scalars as lines, nested objects as section.name, arrays of rows
 * with their key members as the group (A, A/9, 3, …). */
static void
csv_section(struct buf *b, const char *section, json_t *o)
{
	const char *k, *k2;
	json_t *v, *v2;
	char sub[96], group[160];
	size_t i;

	json_object_foreach(o, k, v) {
		if (json_is_object(v)) {
			fmt(sub, sizeof sub, "%s.%s", section, k);
			csv_section(b, sub, v);
		} else if (json_is_array(v)) {
			fmt(sub, sizeof sub, "%s.%s", section, k);
			for (i = 0; i < json_array_size(v); i++) {
				json_t *row = json_array_get(v, i);

				group[0] = '\0';
				json_object_foreach(row, k2, v2)
					if (csv_is_key(k2)) {
						char part[64] = "";

						if (json_is_string(v2))
							str_copy(part, sizeof part, json_string_value(v2));
						else if (json_is_integer(v2))
							fmt(part, sizeof part, "%lld",
							    (long long)json_integer_value(v2));
						if (fmt(group + strlen(group), sizeof group - strlen(group),
						    "%s%s", group[0] ? "/" : "", part) < 0)
							break;
					}
				json_object_foreach(row, k2, v2)
					if (!csv_is_key(k2))
						csv_line(b, sub, group, k2, v2);
			}
		} else
			csv_line(b, section, "", k, v);
	}
}

static int
stats_csv(struct req *r, json_t *o, const struct period *p)
{
	static const char *const sections[] = { "tickets", "appointments", "cases", "reviews" };
	char disp[128];
	size_t i;

	buf_adds(&r->raw_reply, "\xEF\xBB\xBF");	/* BOM: spreadsheets then read UTF-8 */
	buf_adds(&r->raw_reply, "section,group,metric,value\r\n");
	{
		json_t *h = json_pack("{s:s,s:s,s:s}", "hall", p->hall, "from", p->from, "to", p->to);

		csv_section(&r->raw_reply, "period", h);
		json_decref(h);
	}
	for (i = 0; i < sizeof sections / sizeof sections[0]; i++)
		csv_section(&r->raw_reply, sections[i], json_object_get(o, sections[i]));
	if (r->raw_reply.overflow)
		return req_bug(r, "stats CSV too large");
	fmt(disp, sizeof disp, "attachment; filename=\"stats-%s-%s-%s.csv\"", p->hall, p->from,
	    p->to);
	req_header(r, "Content-Disposition", disp);
	req_header(r, "Cache-Control", "no-store");
	r->raw_type = "text/csv; charset=utf-8";
	r->status = 200;
	return 200;
}

int
h_stats(struct req *r)
{
	struct period p;
	const char *from = NULL, *to = NULL, *format = NULL;
	int64_t df = 0, dt = 0, today;
	json_t *o;
	int rc, csv;

	memset(&p, 0, sizeof p);
	p.hall = r->pathv[0];
	if ((rc = require_manager_of_hall(r, p.hall)) != 0)
		return rc;
	today = hall_day(hall_now());
	q_str(r, "from", 0, 10, &from);
	q_str(r, "to", 0, 10, &to);
	q_str(r, "format", 0, 8, &format);
	if (from && date_parse(from, &df) != 0)
		req_fail_field(r, "from", "须为日期 YYYY-MM-DD");
	if (to && date_parse(to, &dt) != 0)
		req_fail_field(r, "to", "须为日期 YYYY-MM-DD");
	if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
		req_fail_field(r, "format", "取值为 csv 或 json");
	if (in_has_errors(r))
		return req_invalid(r);
	if (!from)
		df = to ? dt : today;
	if (!to)
		dt = from ? df : today;
	if (dt < df)
		req_fail_field(r, "to", "不能早于 from");
	else if (dt - df >= STATS_MAX_DAYS)
		req_fail_field(r, "to", "统计区间最长 366 天");
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = hall_find(r, p.hall)) != 0)
		return rc;
	date_format_days(df, p.from, sizeof p.from);
	date_format_days(dt, p.to, sizeof p.to);
	date_format_days(today, p.today, sizeof p.today);
	fmt(p.from_dt, sizeof p.from_dt, "%s 00:00:00", p.from);
	{
		char next[12];

		date_format_days(dt + 1, next, sizeof next);
		fmt(p.to_dt, sizeof p.to_dt, "%s 00:00:00", next);
	}
	csv = (format && strcmp(format, "csv") == 0) ||
	    (!format && r->accept && strstr(r->accept, "text/csv") != NULL);

	o = json_object();
	{
		char gen[32];

		time_format(hall_now(), gen, sizeof gen);
		json_object_set_new(o, "hall", json_string(p.hall));
		json_object_set_new(o, "from", json_string(p.from));
		json_object_set_new(o, "to", json_string(p.to));
		json_object_set_new(o, "generated_at", json_string(gen));
	}
	rc = stats_tickets(r->ctx, &p, o);
	if (rc >= 0)
		rc = stats_appointments(r->ctx, &p, o);
	if (rc >= 0)
		rc = stats_cases(r->ctx, &p, o);
	if (rc >= 0)
		rc = stats_reviews(r->ctx, &p, o);
	if (rc >= 0)
		rc = stats_alerts(r->ctx, &p, o);
	if (rc < 0) {
		json_decref(o);
		if (rc == STATS_TOO_MANY)
			return req_fail(r, 422, "PERIOD_TOO_LARGE", "统计区间内的取号记录过多，请缩短统计区间");
		return db_fail(r, rc);
	}
	if (csv) {
		rc = stats_csv(r, o, &p);
		json_decref(o);
		return rc;
	}
	req_header(r, "Cache-Control", "no-store");
	return req_ok(r, 200, o);
}
