/*
 * stats_figures.c — the sections of the hall's figures that are one SQL aggregate each over
 * an indexed range (hall, day) or (hall, accepted_at / closed_at): appointments, cases,
 * reviews and rectification, and the hall's open alerts; and stats_collect, which puts every
 * section (stats_tickets.c the tickets') together (stats_collect_figures: all but the alerts,
 * what stats_cache.c keeps).
 *
 * Tables: appointments, cases, case_parts, departments, windows, reviews,
 *         review_rectifications, hall_alerts (all read only)
 * Definitions:
 *   appointments     for a day of the period: booked (every booking not cancelled),
 *                    checked_in, no_show, cancelled;
 *   cases            accepted (accepted_at in the period), closed (closed_at in the period),
 *                    overdue (accepted in the period and decided after its deadline, or
 *                    still undecided past it — a supplement pause stops the clock), per
 *                    department of each part (a bundle counts in each of its departments;
 *                    the totals count cases once);
 *   comprehensive    share of the cases accepted in the period at a window of kind
 *                    'comprehensive' (online applications have no window);
 *   satisfaction     reviews given in the period that are satisfied (4–5) / all of them;
 *   rectification    tasks of the period's bad reviews closed / all of them.
 * Rates are given to 0.0001 (null when nothing was counted).
 */
#include "stats.h"
#include "stats_calc.h"
#include "../reviews/review_rules.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
stats_period(struct period *p, const char *hall, int64_t from, int64_t to, int64_t today)
{
	char next[12];

	memset(p, 0, sizeof *p);
	p->hall = hall;
	p->df = from;
	p->dt = to;
	p->dtoday = today;
	date_format_days(from, p->from, sizeof p->from);
	date_format_days(to, p->to, sizeof p->to);
	date_format_days(today, p->today, sizeof p->today);
	fmt(p->from_dt, sizeof p->from_dt, "%s 00:00:00", p->from);
	date_format_days(to + 1, next, sizeof next);
	fmt(p->to_dt, sizeof p->to_dt, "%s 00:00:00", next);
}

/* ---- appointments ---- */

int
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
	json_object_set_new(a, "no_show_rate", stats_rate(tot[2], tot[1] - tot[4]));
	return 0;
}

/* ---- cases ---- */

/* closed per department (closed), folded into the department rows (deps): a department
 * may only close in the period. */
static void
cases_fold_closed(json_t *deps, json_t *closed)
{
	size_t i, j;

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
}

#define CASE_OVERDUE \
	"(c.deadline IS NOT NULL AND c.deadline < COALESCE(DATE(c.decided_at), c.paused_since, ?))"

int
stats_cases(struct ctx *c, const struct period *p, json_t *out)
{
	static const char *const dcols[] = { "department", "name", "accepted", "overdue" };
	static const char *const ccols[] = { "department", "closed" };
	static const char *const tcols[] = { "accepted", "at_comprehensive", "online", "overdue" };
	json_t *k = json_object(), *deps = json_array(), *closed = json_array(), *tot = json_array();
	json_t *t;
	char n[32];
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
		/* Counted per window first, then the few windows looked up (not one per case). */
		rc = db_rows_json(c,
		    "SELECT COALESCE(SUM(g.n), 0), COALESCE(SUM(IF(w.kind = 'comprehensive', g.n, 0)), 0),"
		    " COALESCE(SUM(g.online), 0), COALESCE(SUM(g.overdue), 0) FROM"
		    " (SELECT c.window_no, COUNT(*) n, SUM(c.channel = 'online') online,"
		    "  SUM(" CASE_OVERDUE ") overdue FROM cases c"
		    "  WHERE c.hall = ? AND c.accepted_at >= ? AND c.accepted_at < ? GROUP BY c.window_no) g"
		    " LEFT JOIN windows w ON w.hall = ? AND w.number = g.window_no",
		    DBARGS(DBS(p->today), DBS(p->hall), DBS(p->from_dt), DBS(p->to_dt),
		    DBS(p->hall)), tcols, "iiii", tot);
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
	cases_fold_closed(deps, closed);
	json_decref(closed);
	t = json_array_get(tot, 0);
	json_object_set(k, "accepted", json_object_get(t, "accepted"));
	json_object_set_new(k, "closed", json_integer(stats_ll(n)));
	json_object_set(k, "overdue", json_object_get(t, "overdue"));
	json_object_set(k, "online", json_object_get(t, "online"));
	json_object_set(k, "at_comprehensive", json_object_get(t, "at_comprehensive"));
	json_object_set_new(k, "comprehensive_share",
	    stats_rate(json_integer_value(json_object_get(t, "at_comprehensive")),
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
	long long k = stats_ll(v[0]);

	(void)lens;
	if (ncol >= 2 && k >= 1 && k <= 5)
		s->by[k] = stats_ll(v[1]);
	return 0;
}

static int
ind_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	json_t *o = arg;
	size_t i;

	(void)lens;
	for (i = 0; i < ncol && i < REVIEW_NINDICATORS; i++)
		json_object_set_new(o, review_indicators[i], v[i] ? json_real(round(strtod(v[i], NULL) * 100.0) /
		    100.0) : json_null());
	return 0;
}

int
stats_reviews(struct ctx *c, const struct period *p, json_t *out)
{
	static const char *const tcols[] = { "tasks", "rectified", "late", "open", "overdue" };
	struct score_ctx s;
	json_t *rv = json_object(), *bys = json_object(), *ind = json_object(), *tk = json_array();
	json_t *t;
	long long total = 0, good = 0, bad = 0;
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
		    " COALESCE(SUM(status <> 'closed'), 0),"	/* open, or fixed awaiting 复核 */
		    " COALESCE(SUM(status <> 'closed' AND deadline < ?), 0)"
		    " FROM review_rectifications WHERE hall = ? AND day BETWEEN ? AND ?",
		    DBARGS(DBS(p->today), DBS(p->hall), DBS(p->from), DBS(p->to)), tcols, "iiiii",
		    tk);
	if (rc < 0) {
		json_decref(tk);
		return rc;
	}
	for (i = REVIEW_SCORE_MIN; i <= REVIEW_SCORE_MAX; i++) {
		key[0] = (char)('0' + i);
		key[1] = '\0';
		json_object_set_new(bys, key, json_integer(s.by[i]));
		total += s.by[i];
		if (review_is_satisfied(i))
			good += s.by[i];
		if (review_opens_task(i))
			bad += s.by[i];
	}
	json_object_set_new(rv, "total", json_integer(total));
	json_object_set_new(rv, "satisfied", json_integer(good));
	json_object_set_new(rv, "bad", json_integer(bad));
	json_object_set_new(rv, "satisfaction_rate", stats_rate(good, total));
	t = json_array_get(tk, 0);
	json_object_set_new(rv, "rectification", json_pack("{s:O,s:O,s:O,s:O,s:O,s:o}",
	    "tasks", json_object_get(t, "tasks"), "rectified", json_object_get(t, "rectified"),
	    "late", json_object_get(t, "late"), "open", json_object_get(t, "open"),
	    "overdue", json_object_get(t, "overdue"),
	    "rate", stats_rate(json_integer_value(json_object_get(t, "rectified")),
	    json_integer_value(json_object_get(t, "tasks")))));
	json_object_set_new(rv, "rectification_rate",
	    stats_rate(json_integer_value(json_object_get(t, "rectified")),
	    json_integer_value(json_object_get(t, "tasks"))));
	json_decref(tk);
	return 0;
}

int
stats_alerts(struct ctx *c, const struct period *p, json_t *out)
{
	static const char *const cols[] = { "key", "level", "message", "raised_at",
	    "dismissible" };
	json_t *a = json_array();
	int rc;

	/* dismissible: a manager may mark it dealt with (POST /halls/{hall}/alerts/dismiss);
	 * calendar:<year> clears itself once the year is loaded. */
	json_object_set_new(out, "alerts", a);
	rc = db_rows_json(c, "SELECT akey, level, message,"
	    " DATE_FORMAT(raised_at, '%Y-%m-%dT%H:%i:%s+08:00'), LEFT(akey, 9) <> 'calendar:'"
	    " FROM hall_alerts WHERE hall = ? AND cleared_at IS NULL"
	    " ORDER BY FIELD(level, 'critical', 'warning', 'info'), raised_at DESC",
	    DBARGS(DBS(p->hall)), cols, "ssssb", a);
	return rc < 0 ? rc : 0;
}


int
stats_collect(struct ctx *c, const struct period *p, json_t **out)
{
	json_t *o;
	int rc;

	if ((rc = stats_collect_figures(c, p, &o)) != 0)
		return rc;
	if ((rc = stats_alerts(c, p, o)) != 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

int
stats_collect_figures(struct ctx *c, const struct period *p, json_t **out)
{
	json_t *o = json_object();
	char gen[32];
	int rc;

	time_format(hall_now(), gen, sizeof gen);
	json_object_set_new(o, "hall", json_string(p->hall));
	json_object_set_new(o, "from", json_string(p->from));
	json_object_set_new(o, "to", json_string(p->to));
	json_object_set_new(o, "generated_at", json_string(gen));
	rc = stats_tickets(c, p, o);
	if (rc == 0)
		rc = stats_appointments(c, p, o);
	if (rc == 0)
		rc = stats_cases(c, p, o);
	if (rc == 0)
		rc = stats_reviews(c, p, o);
	if (rc != 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}
