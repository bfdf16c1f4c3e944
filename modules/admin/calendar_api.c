/*
 * calendar_api.c — a year's holiday notice uploaded from the administration console:
 * previewed (what it would change), then applied.
 *
 * Routes: POST /admin/calendar/preview            admin: the notice as in sql/data/ → what
 *                                                  loading it changes; nothing is written
 *         POST /admin/calendar?notify=true|false  admin: load it
 * Tables: calendar_years, calendar_days (through hall/calendar.h, in one transaction with
 *         the cases room's recount, case_deadlines_confirm), cases (read: deadlines before
 *         and after), appointments and hall_dates (read: bookings on days the notice takes
 *         off), audit_log (admin.calendar).
 * Redis:  the days' places through appointments.h when bookings are cancelled.
 *
 * The preview is the load itself, rolled back: the same transaction as the upload, so what
 * it lists is what the upload does — the provisional deadlines that move (never earlier than
 * the citizen was told: case_provisional.h) and the bookings on days that become holidays
 * (unless the hall opens that date by hours of its own).  The upload refuses while there
 * are such bookings (409 BOOKINGS_AFFECTED) unless notify=true: then they are cancelled
 * after the load, each citizen told by SMS.  The calendar is the instance's (the State
 * Council's notice is the same for every hall): any hall's admin loads it.
 */
#include "handlers.h"
#include "../appointments/appointments.h"
#include "../cases/case_provisional.h"
#include "../hall/calendar.h"
#include "../hall/hall_hours.h"
#include "../identity/identity.h"
#include "../shared/audit.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <stdlib.h>
#include <string.h>

#define SNAP_MAX 2000

struct snap_case {
	char	 no[40];
	char	 deadline[11];
};

struct preview {
	struct snap_case *cases;
	int		 ncases;
	json_t		*deadlines;	/* [{case, before, after}] */
	json_t		*bookings;	/* [{hall, date, holiday, category, start, count}] */
	long long	 total;
};

/* Before the load: the deadlines counted on the provisional calendar. */
static int
look_before(struct ctx *c, json_t *notice, void *arg)
{
	struct preview *p = arg;
	static const struct db_col cols[] = {
		DBC_S(struct snap_case, no), DBC_S(struct snap_case, deadline),
	};
	int rc;

	(void)notice;
	rc = db_rows_into(c, "SELECT no, DATE_FORMAT(deadline, '%Y-%m-%d') FROM cases"
	    " WHERE deadline_provisional = 1 ORDER BY id LIMIT ?", DBARGS(DBI(SNAP_MAX)),
	    DB_COLS(cols), p->cases, sizeof *p->cases, SNAP_MAX);
	if (rc < 0)
		return rc;
	p->ncases = rc < SNAP_MAX ? rc : SNAP_MAX;
	return 0;
}

static int
booking_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct preview *p = arg;
	long long n = 0;

	(void)ncol;
	(void)lens;
	parse_ll(v[5], 0, 1000000, &n);
	p->total += n;
	json_array_append_new(p->bookings, json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "hall", v[0],
	    "date", v[1], "holiday", v[2], "category", v[3], "start", v[4], "count",
	    (json_int_t)n));
	return 0;
}

/* After the load: deadlines that moved, bookings on the notice's days off. */
static int
look_after(struct ctx *c, json_t *notice, void *arg)
{
	struct preview *p = arg;
	char now[11];
	json_t *d;
	size_t i;
	int k, rc;

	for (k = 0; k < p->ncases; k++) {
		rc = db_scalar(c, "SELECT DATE_FORMAT(deadline, '%Y-%m-%d') FROM cases WHERE no = ?",
		    DBARGS(DBS(p->cases[k].no)), now, sizeof now);
		if (rc < 0)
			return rc;
		if (rc == 1 && strcmp(now, p->cases[k].deadline) != 0)
			json_array_append_new(p->deadlines, json_pack("{s:s,s:s,s:s}", "case",
			    p->cases[k].no, "before", p->cases[k].deadline, "after", now));
	}
	json_array_foreach(json_object_get(notice, "days"), i, d) {
		if (!json_is_true(json_object_get(d, "off")))
			continue;
		rc = db_query(c, "SELECT a.hall, DATE_FORMAT(a.day, '%Y-%m-%d'), ?, a.category,"
		    " TIME_FORMAT(a.start_time, '%H:%i'), COUNT(*) FROM appointments a"
		    " WHERE a.day = ? AND a.status = 'booked' AND NOT EXISTS (SELECT 1 FROM"
		    " hall_dates h WHERE h.hall = a.hall AND h.day = a.day AND h.closed = 0)"
		    " GROUP BY a.hall, a.day, a.category, a.start_time ORDER BY a.hall, a.start_time",
		    DBARGS(DBS(json_string_value(json_object_get(d, "name"))),
		    DBS(json_string_value(json_object_get(d, "date")))), booking_row, p);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The load with the look around it; apply 0: rolled back.  0, or the reply's status. */
static int
run(struct req *r, struct preview *p, int apply)
{
	char err[256];
	int rc;

	memset(p, 0, sizeof *p);
	p->deadlines = json_array();
	p->bookings = json_array();
	if ((p->cases = calloc(SNAP_MAX, sizeof *p->cases)) == NULL)
		return req_bug(r, "out of memory");
	rc = calendar_load_json_ex(r->ctx, r->raw_body ? r->raw_body : "", r->body_len,
	    case_deadlines_confirm, look_before, look_after, p, apply, err, sizeof err);
	free(p->cases);
	p->cases = NULL;
	if (rc == -1)
		return req_fail_field(r, "notice", err), req_invalid(r);
	if (rc != 0)
		return db_fail(r, rc);
	return 0;
}

static json_t *
summary(struct req *r, struct preview *p)
{
	return json_pack("{s:I,s:s,s:o,s:o,s:I}", "year",
	    json_integer_value(json_object_get(r->body, "year")), "source",
	    json_string_value(json_object_get(r->body, "source")) ?
	    json_string_value(json_object_get(r->body, "source")) : "",
	    "deadlines", p->deadlines, "bookings", p->bookings, "bookings_total",
	    (json_int_t)p->total);
}

int
h_admin_calendar_preview(struct req *r)
{
	struct preview p;
	int rc;

	if ((rc = require_role(r, ROLE_ADMIN)) != 0)
		return rc;
	if ((rc = run(r, &p, 0)) != 0) {
		json_decref(p.deadlines);
		json_decref(p.bookings);
		return rc;
	}
	return req_ok(r, 200, summary(r, &p));
}

/* Cancel the bookings a loaded notice left on its days off (hall by hall, day by day). */
static int
cancel_on_days_off(struct req *r, json_t *bookings, int *cancelled)
{
	json_t *b;
	size_t i;
	int k;

	*cancelled = 0;
	json_array_foreach(bookings, i, b) {
		const char *hall = json_string_value(json_object_get(b, "hall"));
		int64_t day;
		struct hall_day hd;
		int open;

		if (i > 0 && strcmp(hall, json_string_value(json_object_get(json_array_get(bookings,
		    i - 1), "hall"))) == 0 && strcmp(json_string_value(json_object_get(b, "date")),
		    json_string_value(json_object_get(json_array_get(bookings, i - 1), "date"))) == 0)
			continue;	/* that hall's day is done */
		if (date_parse(json_string_value(json_object_get(b, "date")), &day) != 0)
			continue;
		open = hall_day_hours(r->ctx, hall, day, &hd);
		if (open < 0 && open != CAL_MISSING)
			return -1;
		if (appt_outside_cancel(r, hall, day, open == 1 ? &hd : NULL, &k) != 0)
			return -1;
		*cancelled += k;
	}
	return 0;
}

int
h_admin_calendar_load(struct req *r)
{
	struct preview p;
	const char *nv = NULL;
	char detail[200];
	json_t *o;
	int rc, notify, cancelled = 0;

	if ((rc = require_role(r, ROLE_ADMIN)) != 0)
		return rc;
	q_str(r, "notify", 0, 5, &nv);
	if (nv && strcmp(nv, "true") != 0 && strcmp(nv, "false") != 0)
		req_fail_field(r, "notify", "须为 true 或 false");
	if (in_has_errors(r))
		return req_invalid(r);
	notify = nv && strcmp(nv, "true") == 0;
	/* What it would do first: bookings on new days off need the admin's notify. */
	if ((rc = run(r, &p, 0)) != 0) {
		json_decref(p.deadlines);
		json_decref(p.bookings);
		return rc;
	}
	if (p.total > 0 && !notify) {
		char msg[200];

		fmt(msg, sizeof msg, "这份通知放假的日子里有 %lld 个预约；确认通知并取消这些预约"
		    "（notify=true）后才能导入", p.total);
		json_decref(p.deadlines);
		json_decref(p.bookings);
		return admin_bookings_affected(r, p.total, msg);
	}
	json_decref(p.deadlines);
	json_decref(p.bookings);
	if ((rc = run(r, &p, 1)) != 0) {
		json_decref(p.deadlines);
		json_decref(p.bookings);
		return rc;
	}
	fmt(detail, sizeof detail, "{\"year\":%lld,\"deadlines_moved\":%zu,\"bookings\":%lld}",
	    (long long)json_integer_value(json_object_get(r->body, "year")),
	    json_array_size(p.deadlines), p.total);
	audit(r, "admin.calendar", "calendar", "ok", detail);
	o = summary(r, &p);
	if (cancel_on_days_off(r, json_object_get(o, "bookings"), &cancelled) != 0) {
		json_decref(o);
		return req_err_msg(r, E_UNAVAILABLE,
		    "节假日安排已导入，但部分预约未能取消，请稍后再导入一次");
	}
	json_object_set_new(o, "cancelled", json_integer(cancelled));
	return req_ok(r, 200, o);
}
