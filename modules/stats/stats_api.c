/*
 * stats_api.c — the hall manager's figures over HTTP.
 *
 * Route:  GET /halls/{hall}/stats?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv]   (manager, admin
 *         of the hall; city_manager of the hall's region)
 *         (Accept: text/csv also gives the CSV)
 * Tables: through stats_tickets.c and stats_figures.c (read only); halls (hall_find)
 * Redis:  none.
 *
 * The period: from and to (days, inclusive), each defaulting to the other and both to today,
 * at most STATS_MAX_DAYS days.  JSON or CSV (stats_csv.c); not cached by the browser or
 * nginx (no-store); a period that ended before today comes from the process's copy
 * (stats_cache.c, stats_cache_ms), today's is worked out on every call.
 */
#include "handlers.h"
#include "stats.h"
#include "../hall/catalog.h"
#include "../identity/identity.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <string.h>

/* The CSV reply: the figures o laid out, as an attachment named after the period. */
static int
stats_csv_reply(struct req *r, json_t *o, const struct period *p)
{
	char disp[128];

	stats_csv(&r->raw_reply, o, p);
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

/* from, to and format of the query into days (inclusive) and *csv; 0 or the 400 reply. */
static int
stats_args(struct req *r, int64_t today, int64_t *df, int64_t *dt, int *csv)
{
	const char *format = NULL;

	q_str(r, "format", 0, 8, &format);
	if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
		req_fail_field(r, "format", "取值为 csv 或 json");
	if (q_days(r, today, STATS_MAX_DAYS, df, dt) != 0)
		return req_invalid(r);
	*csv = (format && strcmp(format, "csv") == 0) ||
	    (!format && r->accept && strstr(r->accept, "text/csv") != NULL);
	return 0;
}

int
h_stats(struct req *r)
{
	const char *hall = r->pathv[0];
	struct period p;
	int64_t df = 0, dt = 0, today;
	json_t *o;
	int rc, csv = 0;

	if (r->sess.role == ROLE_CITY_MANAGER) {
		/* A city manager reads the figures of every hall of the region. */
		char one[8];

		rc = db_scalar(r->ctx, "SELECT 1 FROM halls h JOIN halls me ON me.code = ?"
		    " WHERE h.code = ? AND (h.code = me.code OR h.region = me.region)",
		    DBARGS(DBS(r->sess.hall), DBS(hall)), one, sizeof one);
		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 0)
			return req_err_msg(r, E_FORBIDDEN, "只能查看本市服务大厅的统计");
	} else if ((rc = require_manager_of_hall(r, hall)) != 0)
		return rc;
	today = hall_day(hall_now());
	if ((rc = stats_args(r, today, &df, &dt, &csv)) != 0)
		return rc;
	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	stats_period(&p, hall, df, dt, today);
	if ((rc = stats_collect_cached(r->ctx, &p, df, dt, today, &o)) != 0) {
		if (rc == E_PERIOD_TOO_LARGE)
			return req_err_msg(r, rc, "统计区间内的取号记录过多，请缩短统计区间");
		return db_fail(r, rc);
	}
	if (csv) {
		rc = stats_csv_reply(r, o, &p);
		json_decref(o);
		return rc;
	}
	req_header(r, "Cache-Control", "no-store");
	return req_ok(r, 200, o);
}
