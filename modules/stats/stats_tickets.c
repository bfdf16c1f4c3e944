/*
 * stats_tickets.c — the tickets section of the hall's figures: counts per category and per
 * hour taken, and the waiting and service times per category, window, clerk and the whole
 * hall.
 *
 * Tables: categories, staff (names of the clerks) — read only; the tickets through
 *         stats_days.c (queue_tickets, stats_ticket_days).
 *
 * The period's tickets are read once (stats_days.c: the days before today packed, a row
 * each, today's rows) and every ticket figure is worked out here.  Each time grouping is one
 * sort of (group, seconds) pairs, packed in a 64-bit integer (stats_pack; a radix sort,
 * stats_sort_packed), so a group's values are contiguous and in order for its percentile: the 90th by nearest rank (the smallest value with at least 90 % of the values
 * at or below it).  (Four PERCENTILE_DISC statements, each sorting the period again, and two
 * GROUP BY statements over the same rows were nearly all of a day's statistics' time.)
 * A period of more than TIMES_MAX_ROWS tickets is refused (422 PERIOD_TOO_LARGE).
 *   wait     called_at − taken_at of every ticket that was called;
 *   service  finished_at − started_at of every ticket served (outcome done); per category,
 *            per window and per clerk (the one who called it).
 */
#include "stats.h"
#include "stats_calc.h"
#include "stats_times.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/log.h"

#include <stdlib.h>
#include <string.h>

static json_t *
minutes_of(double seconds)
{
	return json_real(stats_minutes(seconds));
}

/* The member that names group g of a grouping. */
static void
group_key(json_t *o, int which, int32_t g, char *const *clerk_of_rank)
{
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
		json_object_set_new(o, "clerk", g < 0 ? json_null() : json_string(clerk_of_rank[g]));
		json_object_set_new(o, "name", json_null());	/* stats_times */
		break;
	default:
		json_object_set_new(o, "all", json_string("all"));
	}
}

/* One grouping: an array of { key, called, served, avg/p90 wait and service } in key order. */
static json_t *
times_group(const struct times *t, int which, const int32_t *clerk_rank, uint64_t *w,
    uint64_t *sv, uint64_t *tmp, char **clerk_of_rank)
{
	json_t *arr = json_array();
	size_t i, nw = 0, ns = 0, iw = 0, is = 0;

	for (i = 0; i < t->n; i++) {
		int32_t g = t->v[i].g[which];

		if (which == G_CLERK && g >= 0)
			g = clerk_rank[g];
		w[nw++] = stats_pack(g, t->v[i].wait);
		if (t->v[i].service != INT32_MIN)
			sv[ns++] = stats_pack(g, t->v[i].service);
	}
	stats_sort_packed(w, nw, tmp);
	stats_sort_packed(sv, ns, tmp);
	while (iw < nw) {
		int32_t g = stats_pack_group(w[iw]), wp90 = 0, sp90 = 0;
		double wavg = 0, savg = 0;
		size_t called, served;
		json_t *o = json_object();

		called = stats_group_run(w, nw, &iw, g, &wavg, &wp90);
		while (is < ns && stats_pack_group(sv[is]) < g)
			is++;
		served = stats_group_run(sv, ns, &is, g, &savg, &sp90);
		group_key(o, which, g, clerk_of_rank);
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

/* Each clerk row of by_clerk gets its "name" (null when the account is gone).  0 or DB_*. */
static int
clerk_names(struct ctx *c, json_t *arr)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < json_array_size(arr) && rc >= 0; i++) {
		json_t *o = json_array_get(arr, i);
		const char *clerk = json_string_value(json_object_get(o, "clerk"));
		char name[256];		/* staff.name: 50 characters */

		rc = clerk ? db_scalar(c, "SELECT name FROM staff WHERE id = ?", DBARGS(DBS(clerk)),
		    name, sizeof name) : 0;
		json_object_set_new(o, "name", rc == 1 ? json_string(name) : json_null());
	}
	return rc < 0 ? rc : 0;
}

/* From the called tickets read (t): sets tickets.times_by_category, by_window, by_clerk
 * (with names) and *all (one object, or NULL when nothing was called). */
static int
stats_times(struct ctx *c, struct times *t, json_t *tickets, json_t **all)
{
	size_t nclerks = json_object_size(t->clerks), i;
	char **by_rank = NULL;
	int32_t *rank = NULL;
	uint64_t *w = NULL, *sv = NULL, *tmp = NULL;
	const char *id;
	json_t *v, *arr;
	int rc = 0;

	*all = NULL;
	by_rank = calloc(nclerks + 1, sizeof *by_rank);
	rank = calloc(nclerks + 1, sizeof *rank);
	w = malloc((t->n + 1) * sizeof *w);
	sv = malloc((t->n + 1) * sizeof *sv);
	tmp = malloc((t->n + 1) * sizeof *tmp);
	if (!by_rank || !rank || !w || !sv || !tmp) {
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
	    tmp, by_rank));
	json_object_set_new(tickets, "by_window", times_group(t, G_WIN, rank, w, sv, tmp, by_rank));
	arr = times_group(t, G_CLERK, rank, w, sv, tmp, by_rank);
	json_object_set_new(tickets, "by_clerk", arr);
	if ((rc = clerk_names(c, arr)) < 0)
		goto out;
	arr = times_group(t, G_ALL, rank, w, sv, tmp, by_rank);
	if (json_array_size(arr) == 1)
		*all = json_incref(json_array_get(arr, 0));
	json_decref(arr);
out:
	free(w);
	free(sv);
	free(tmp);
	free(rank);
	free(by_rank);
	return rc;
}

/* A category's name from its code, for the categories that have tickets in the period. */
static int
cat_name_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	(void)lens;
	if (ncol >= 2 && v[0] && v[1] && v[0][0] >= 'A' && v[0][0] <= 'Z' && v[0][1] == '\0')
		json_object_set_new(arg, v[0], json_string(v[1]));
	return 0;
}

/* The period's tickets into tm (stats_days.c), and the names of the hall's categories.  0 or
 * a DB_* code (tm->oom, tm->too_many say why the reading stopped). */
static int
tickets_read(struct ctx *c, const struct period *p, struct times *tm, json_t *names)
{
	int rc;

	rc = stats_days_read(c, p, tm);
	if (rc >= 0 && !tm->oom && !tm->too_many)
		rc = db_query(c, "SELECT code, name FROM categories WHERE hall = ?",
		    DBARGS(DBS(p->hall)), cat_name_row, names);
	return rc < 0 ? rc : 0;
}

/* tickets.by_category in code order (a ticket's category always names a row), the totals
 * into t, and tickets.by_hour: per hour taken, then category. */
static void
tickets_counts(const struct times *tm, json_t *names, json_t *t, json_t *cats, json_t *hours)
{
	static const char *const cat_cols[C_N] = { "taken", "served", "no_show", "cancelled",
		"skipped", "open" };
	long long tot[C_N] = { 0 };
	size_t i, j;
	int h;

	for (i = 0; i < 26; i++) {
		char code[2] = { (char)('A' + i), 0 };
		json_t *name = json_object_get(names, code), *row;

		if (tm->count[i][C_TAKEN] == 0 || name == NULL)
			continue;
		row = json_object();
		json_object_set_new(row, "category", json_string(code));
		json_object_set(row, "name", name);
		for (j = 0; j < C_N; j++) {
			json_object_set_new(row, cat_cols[j], json_integer(tm->count[i][j]));
			tot[j] += tm->count[i][j];
		}
		json_array_append_new(cats, row);
	}
	for (h = 0; h < 24; h++)
		for (i = 0; i < 26; i++) {
			char code[2] = { (char)('A' + i), 0 };

			if (tm->hour[i][h] == 0 || json_object_get(names, code) == NULL)
				continue;
			json_array_append_new(hours, json_pack("{s:s,s:i,s:I}", "category", code,
			    "hour", h, "count", (json_int_t)tm->hour[i][h]));
		}
	for (j = 0; j < C_N; j++)
		json_object_set_new(t, cat_cols[j], json_integer(tot[j]));
}

/* No ticket called: no times. */
static void
times_none(json_t *o)
{
	json_object_set_new(o, "called", json_integer(0));
	json_object_set_new(o, "avg_wait_minutes", json_null());
	json_object_set_new(o, "p90_wait_minutes", json_null());
	json_object_set_new(o, "avg_service_minutes", json_null());
	json_object_set_new(o, "p90_service_minutes", json_null());
}

/* The members of a times row (from) but its key and served, onto to. */
static void
times_copy(json_t *to, json_t *from, const char *key)
{
	const char *k;
	json_t *v;

	json_object_foreach(from, k, v)
		if (strcmp(k, key) != 0 && strcmp(k, "served") != 0)
			json_object_set(to, k, v);
}

/* Fold the times of each category into its row of by_category, the whole hall's (all,
 * consumed) into t. */
static void
tickets_fold_times(json_t *t, json_t *cats, json_t *all)
{
	json_t *times = json_object_get(t, "times_by_category");
	size_t i, j;

	for (i = 0; i < json_array_size(cats); i++) {
		json_t *row = json_array_get(cats, i);

		for (j = 0; j < json_array_size(times); j++) {
			json_t *tr = json_array_get(times, j);

			if (strcmp(json_string_value(json_object_get(tr, "category")),
			    json_string_value(json_object_get(row, "category"))) == 0)
				times_copy(row, tr, "category");
		}
		if (json_object_get(row, "avg_wait_minutes") == NULL)
			times_none(row);
	}
	json_object_del(t, "times_by_category");
	if (all) {
		times_copy(t, all, "all");
		json_decref(all);
	} else
		times_none(t);
}

int
stats_tickets(struct ctx *c, const struct period *p, json_t *out)
{
	json_t *t = json_object(), *cats = json_array(), *hours = json_array();
	json_t *names = json_object(), *all = NULL;
	struct times tm;
	int rc;

	memset(&tm, 0, sizeof tm);
	tm.clerks = json_object();
	json_object_set_new(out, "tickets", t);
	json_object_set_new(t, "by_category", cats);
	json_object_set_new(t, "by_hour", hours);
	if ((rc = tickets_read(c, p, &tm, names)) < 0 || tm.oom || tm.too_many)
		goto out;
	tickets_counts(&tm, names, t, cats, hours);
	if ((rc = stats_times(c, &tm, t, &all)) < 0 || tm.oom)
		goto out;
	tickets_fold_times(t, cats, all);
out:
	free(tm.v);
	json_decref(tm.clerks);
	json_decref(names);
	if (rc < 0)
		return rc;
	if (tm.too_many)
		return E_PERIOD_TOO_LARGE;
	if (tm.oom) {
		log_err("stats: the period's %zu called tickets do not fit in memory", tm.n);
		return DB_DOWN;	/* 503: try again */
	}
	return 0;
}
