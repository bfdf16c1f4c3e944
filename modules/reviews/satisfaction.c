/*
 * satisfaction.c — 满意度 per department, window and clerk, for the hall's managers:
 * GET /halls/{hall}/satisfaction?from=YYYY-MM-DD&to=YYYY-MM-DD (manager, admin).
 *
 * Tables: reviews, cases, case_parts, queue_tickets, departments, windows, staff (read only)
 * Redis:  none.
 *
 * A review counts in the period of the hall day it was given (reviews.day).  Per department:
 * a case's review counts in each department of its parts (a bundle in each); a visit's
 * review in the departments of the case the visit was finished with (queue_tickets.case_no),
 * and nowhere when it recorded none.  Per window: the window of the review (a visit's
 * serving window, a case's accepting window).  Per clerk: a visit's serving clerk, a case's
 * accepting clerk.  satisfied = scores 4–5 (review_is_satisfied), bad = 1–2
 * (review_opens_task); satisfaction_rate = satisfied / total to 0.0001, average to 0.01.
 *
 * A period that ended before the hall's today is answered from the app process's copy
 * (shared/period_copy.h), per (from, to, hall), at most stats_cache_ms [10000; 0 = no
 * copies] old: a city's month is three groupings over ~16,000 reviews, ~0.1 s of MariaDB,
 * asked by every manager's dashboard every 10 s.  A past day's reviews are all in (a review
 * is counted on the hall day it was given), so what can still move is a correction made by
 * hand in the record, or a department, window or clerk renamed: they show at most
 * stats_cache_ms plus one computation later.  A period that includes today is worked out on
 * every call.
 */
#include "handlers.h"
#include "reviews_int.h"
#include "../hall/catalog.h"
#include "../identity/identity.h"
#include "../shared/period_copy.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <math.h>
#include <string.h>

#define SAT_MAX_DAYS 366
#define SAT_BYTES    (64 * 1024)	/* ~120 bytes a group: ~500 groups */
#define SAT_KEYS     16

/* total, satisfied, bad, sum of scores → the figures of one group. */
static void
sat_shape(json_t *row)
{
	long long total = json_integer_value(json_object_get(row, "total"));
	long long sat = json_integer_value(json_object_get(row, "satisfied"));
	long long sum = json_integer_value(json_object_get(row, "score_sum"));

	json_object_set_new(row, "satisfaction_rate", total > 0 ?
	    json_real(round((double)sat / (double)total * 10000.0) / 10000.0) : json_null());
	json_object_set_new(row, "average_score", total > 0 ?
	    json_real(round((double)sum / (double)total * 100.0) / 100.0) : json_null());
	json_object_del(row, "score_sum");
}

#define SAT_COUNTS \
	" COUNT(*), SUM(v.score >= 4), SUM(v.score <= 2), SUM(v.score)"

/* The three groupings of the reply (see the top of the file), each a query whose rows
 * sat_shape turns into figures. */
static const struct sat_view {
	const char		*member;
	const char		*sql;
	const char *const	 cols[6];
	const char		*types;
} sat_views[] = {
	{ "by_department", "SELECT d.code, d.name," SAT_COUNTS " FROM (SELECT DISTINCT v.id,"
	    " v.score, p.department FROM reviews v"
	    " LEFT JOIN queue_tickets q ON v.kind = 'ticket' AND q.id = v.ticket_id"
	    " JOIN cases cs ON cs.id = COALESCE(v.case_id, (SELECT c2.id FROM cases c2"
	    "   WHERE c2.hall = v.hall AND c2.no = q.case_no))"
	    " JOIN case_parts p ON p.case_id = cs.id"
	    " WHERE v.hall = ? AND v.day BETWEEN ? AND ?) v"
	    " JOIN departments d ON d.code = v.department GROUP BY d.code, d.name ORDER BY d.code",
	    { "department", "name", "total", "satisfied", "bad", "score_sum" }, "ssiiii" },
	{ "by_window", "SELECT v.window_no, w.name," SAT_COUNTS " FROM reviews v"
	    " LEFT JOIN windows w ON w.hall = v.hall AND w.number = v.window_no"
	    " WHERE v.hall = ? AND v.day BETWEEN ? AND ? AND v.window_no IS NOT NULL"
	    " GROUP BY v.window_no, w.name ORDER BY v.window_no",
	    { "window", "name", "total", "satisfied", "bad", "score_sum" }, "iSiiii" },
	/* Counted per clerk first, then named: joined to staff on COALESCE(…) row by row,
	 * MariaDB read the period's reviews once per staff row (0.5 s for a city's month). */
	{ "by_clerk", "SELECT s.id, s.name, x.n, x.sat, x.bad, x.sm FROM (SELECT"
	    " COALESCE(v.clerk, cs.accepted_by) AS sid, COUNT(*) AS n, SUM(v.score >= 4) AS sat,"
	    " SUM(v.score <= 2) AS bad, SUM(v.score) AS sm FROM reviews v"
	    " LEFT JOIN cases cs ON cs.id = v.case_id"
	    " WHERE v.hall = ? AND v.day BETWEEN ? AND ? GROUP BY sid) x"
	    " JOIN staff s ON s.id = x.sid ORDER BY s.name, s.id",
	    { "clerk", "name", "total", "satisfied", "bad", "score_sum" }, "ssiiii" },
};
#define SAT_NVIEWS (sizeof sat_views / sizeof sat_views[0])

int
satisfaction_collect(struct ctx *c, const char *hall, const char *from, const char *to,
    json_t *out)
{
	json_t *lists[SAT_NVIEWS], *row;
	size_t i, k;
	int rc = 0;

	for (k = 0; k < SAT_NVIEWS; k++) {
		lists[k] = json_array();
		if (rc >= 0)
			rc = db_rows_json(c, sat_views[k].sql, DBARGS(DBS(hall), DBS(from), DBS(to)),
			    sat_views[k].cols, sat_views[k].types, lists[k]);
	}
	for (k = 0; k < SAT_NVIEWS; k++) {
		if (rc < 0) {
			json_decref(lists[k]);
			continue;
		}
		json_array_foreach(lists[k], i, row)
			sat_shape(row);
		json_object_set_new(out, sat_views[k].member, lists[k]);
	}
	return rc < 0 ? rc : 0;
}

/* The reply for days df..dt: hall, from, to and the three groupings.  0 or a DB_* code. */
static int
sat_reply(struct ctx *c, const char *hall, int64_t df, int64_t dt, json_t **out)
{
	char fs[12], ts[12];
	json_t *o;
	int rc;

	date_format_days(df, fs, sizeof fs);
	date_format_days(dt, ts, sizeof ts);
	if ((o = json_pack("{s:s,s:s,s:s}", "hall", hall, "from", fs, "to", ts)) == NULL)
		return DB_FAIL;
	if ((rc = satisfaction_collect(c, hall, fs, ts, o)) != 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

static int sat_load(struct ctx *c, void *value, void *arg);

static struct cache sat_slots[SAT_KEYS];
static struct cache_set sat_copies = CACHE_SET_INIT(sat_slots, PERIOD_COPY_SIZE(SAT_BYTES),
    10000, sat_load);

/* The copy of the key's period (from, to; period_copy_key) into value.  0, a DB_* code or
 * PERIOD_COPY_TOO_BIG. */
static int
sat_load(struct ctx *c, void *value, void *arg)
{
	const char *hall;
	int64_t d[2];
	json_t *o;
	int rc;

	if ((rc = period_copy_key_days(arg, d, 2, &hall)) != 0 ||
	    (rc = sat_reply(c, hall, d[0], d[1], &o)) != 0)
		return rc;
	rc = period_copy_keep(&sat_copies, value, o);
	json_decref(o);
	return rc;
}

/* sat_reply, from the process's copy when the period ended before today. */
static int
sat_reply_kept(struct ctx *c, const char *hall, int64_t df, int64_t dt, int64_t today,
    json_t **out)
{
	const int64_t days[2] = { df, dt };
	char key[CACHE_KEY_MAX];
	int rc;

	if (dt >= today || !period_copy_on(&sat_copies) ||
	    period_copy_key(key, sizeof key, days, 2, hall) != 0 ||
	    (rc = period_copy_get(&sat_copies, c, key, out)) == PERIOD_COPY_TOO_BIG)
		return sat_reply(c, hall, df, dt, out);
	return rc;
}

int
h_satisfaction(struct req *r)
{
	const char *hall = r->pathv[0];
	int64_t today = hall_day(hall_now()), df = 0, dt = 0;
	json_t *out;
	int rc;

	if ((rc = require_manager_of_hall(r, hall)) != 0)
		return rc;
	if (q_days(r, today, SAT_MAX_DAYS, &df, &dt) != 0)
		return req_invalid(r);
	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	if ((rc = sat_reply_kept(r->ctx, hall, df, dt, today, &out)) != 0)
		return db_fail(r, rc);
	return req_ok(r, 200, out);
}
