/*
 * city_stats.c — the city's figures: every hall of the caller's region side by side, and the
 * city total (issue 22).
 *
 * Route:  GET /city/stats?from=YYYY-MM-DD&to=YYYY-MM-DD   (city_manager)
 * Tables: halls, regions, queue_tickets, cases, reviews (read only)
 * Redis:  none.
 *
 * Per hall, for the days from..to (inclusive, at most STATS_MAX_DAYS):
 *   tickets_taken    numbers taken in the hall (queue_tickets.day in the period);
 *   tickets_served   of those, served (outcome done);
 *   tickets_called   of those, called at least once (what the average wait is over);
 *   wait_seconds     the seconds they waited, taken → first call, summed;
 *   avg_wait_minutes wait_seconds / tickets_called / 60, to 0.1 (null: none called);
 *   cases_accepted   cases the hall accepted (cases.hall, accepted_at in the period);
 *   cases_decided    cases the hall decided (decide_hall, decided_at in the period);
 *   cases_overdue    cases the hall decides, accepted in the period, decided after their
 *                    deadline or still undecided past it (as GET /halls/{hall}/stats);
 *   reviews          好差评 given at the hall in the period; reviews_satisfied: scores 4–5;
 *   satisfaction     reviews_satisfied / reviews to 0.0001 (null: none).
 * Each case is counted once in each figure (accepted where accepted, decided and overdue
 * where decided), so the city total of every count is the sum of the rows, and the total's
 * averages are weighted: total wait_seconds / total tickets_called, total satisfied / total
 * reviews — never an average of the halls' averages.
 * A city manager reads; nothing here changes anything.
 */
#include "handlers.h"
#include "stats.h"
#include "stats_calc.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <math.h>
#include <string.h>

static const char *const counts[] = {
	"tickets_taken", "tickets_served", "tickets_called", "wait_seconds", "cases_accepted",
	"cases_decided", "cases_overdue", "reviews", "reviews_satisfied", NULL
};

/* avg_wait_minutes and satisfaction of a row (or the total) from its counts. */
static void
city_rates(json_t *o)
{
	long long called = json_integer_value(json_object_get(o, "tickets_called"));
	long long wait = json_integer_value(json_object_get(o, "wait_seconds"));

	json_object_set_new(o, "avg_wait_minutes", called > 0 ?
	    json_real(round((double)wait / (double)called / 60.0 * 10.0) / 10.0) : json_null());
	json_object_set_new(o, "satisfaction", stats_rate(
	    json_integer_value(json_object_get(o, "reviews_satisfied")),
	    json_integer_value(json_object_get(o, "reviews"))));
}

/* The halls of the region of hall (hall alone when it has none), centre first, with every
 * count of the period. */
static int
city_rows(struct ctx *c, const char *hall, const struct period *p, json_t *rows)
{
	static const char *const cols[] = { "hall", "name", "kind", "tickets_taken",
	    "tickets_served", "tickets_called", "wait_seconds", "cases_accepted", "cases_decided",
	    "cases_overdue", "reviews", "reviews_satisfied" };

	return db_rows_json(c,
	    "SELECT h.code, h.name, h.kind,"
	    " (SELECT COUNT(*) FROM queue_tickets t WHERE t.hall = h.code AND t.day BETWEEN ? AND ?),"
	    " (SELECT COUNT(*) FROM queue_tickets t WHERE t.hall = h.code AND t.day BETWEEN ? AND ?"
	    "  AND t.outcome = 'done'),"
	    " (SELECT COUNT(*) FROM queue_tickets t WHERE t.hall = h.code AND t.day BETWEEN ? AND ?"
	    "  AND t.called_at IS NOT NULL),"
	    " (SELECT COALESCE(SUM(GREATEST(TIMESTAMPDIFF(SECOND, t.taken_at, t.called_at), 0)), 0)"
	    "  FROM queue_tickets t WHERE t.hall = h.code AND t.day BETWEEN ? AND ?"
	    "  AND t.called_at IS NOT NULL),"
	    " (SELECT COUNT(*) FROM cases k WHERE k.hall = h.code AND k.accepted_at >= ?"
	    "  AND k.accepted_at < ?),"
	    " (SELECT COUNT(*) FROM cases k WHERE COALESCE(k.decide_hall, k.hall) = h.code"
	    "  AND k.decided_at >= ? AND k.decided_at < ?),"
	    " (SELECT COUNT(*) FROM cases k WHERE COALESCE(k.decide_hall, k.hall) = h.code"
	    "  AND k.accepted_at >= ? AND k.accepted_at < ? AND k.deadline IS NOT NULL"
	    "  AND k.deadline < COALESCE(DATE(k.decided_at), k.paused_since, ?)),"
	    " (SELECT COUNT(*) FROM reviews v WHERE v.hall = h.code AND v.day BETWEEN ? AND ?),"
	    " (SELECT COUNT(*) FROM reviews v WHERE v.hall = h.code AND v.day BETWEEN ? AND ?"
	    "  AND v.score >= 4)"
	    " FROM halls h JOIN halls me ON me.code = ?"
	    " WHERE h.code = me.code OR h.region = me.region"
	    " ORDER BY FIELD(h.kind, 'centre', 'district', 'station'), h.code",
	    DBARGS(DBS(p->from), DBS(p->to), DBS(p->from), DBS(p->to), DBS(p->from), DBS(p->to),
	    DBS(p->from), DBS(p->to), DBS(p->from_dt), DBS(p->to_dt), DBS(p->from_dt),
	    DBS(p->to_dt), DBS(p->from_dt), DBS(p->to_dt), DBS(p->today), DBS(p->from),
	    DBS(p->to), DBS(p->from), DBS(p->to), DBS(hall)), cols, "sssiiiiiiiii", rows);
}

struct city_name {
	char	 code[40];
	char	 name[404];
};

static const struct db_col city_name_cols[] = {
	DBC_S(struct city_name, code),
	DBC_S(struct city_name, name),
};

int
h_city_stats(struct req *r)
{
	int64_t df = 0, dt = 0, today = hall_day(hall_now());
	struct city_name cn;
	struct period p;
	json_t *rows, *total, *row;
	size_t i, k;
	int rc;

	if (q_days(r, today, STATS_MAX_DAYS, &df, &dt) != 0)
		return req_invalid(r);
	stats_period(&p, r->sess.hall, df, dt, today);
	memset(&cn, 0, sizeof cn);
	rc = db_row_into(r->ctx, "SELECT COALESCE(h.region, h.code), COALESCE(g.name, h.name)"
	    " FROM halls h LEFT JOIN regions g ON g.code = h.region WHERE h.code = ?",
	    DBARGS(DBS(r->sess.hall)), DB_COLS(city_name_cols), &cn);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_FORBIDDEN, "您的账号所在的服务大厅已不存在");
	rows = json_array();
	if ((rc = city_rows(r->ctx, r->sess.hall, &p, rows)) < 0) {
		json_decref(rows);
		return db_fail(r, rc);
	}
	total = json_object();
	for (k = 0; counts[k]; k++) {
		long long sum = 0;

		json_array_foreach(rows, i, row)
			sum += json_integer_value(json_object_get(row, counts[k]));
		json_object_set_new(total, counts[k], json_integer(sum));
	}
	json_array_foreach(rows, i, row)
		city_rates(row);
	city_rates(total);
	json_object_set_new(total, "halls", json_integer((json_int_t)json_array_size(rows)));
	req_header(r, "Cache-Control", "no-store");
	return req_ok(r, 200, json_pack("{s:{s:s,s:s},s:s,s:s,s:o,s:o}", "city", "code", cn.code,
	    "name", cn.name, "from", p.from, "to", p.to, "halls", rows, "total", total));
}
