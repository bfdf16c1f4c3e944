/*
 * hours_api.c — a hall's opening hours, as its admin sets them: the week's hours (every
 * working day of the calendar) and the hours of one date (a Saturday opening before a
 * deadline, 延时 evening hours, a working day closed).
 *
 * Routes: GET    /admin/halls/{hall}/hours          manager, admin of the hall
 *         PUT    /admin/halls/{hall}/hours          admin of the hall: the week's periods
 *         PUT    /admin/halls/{hall}/hours/{date}   admin: the date's periods, or closed
 *         DELETE /admin/halls/{hall}/hours/{date}   admin: the date back to the week's hours
 * Tables: hall_hours, hall_dates, hall_date_hours; audit_log (admin.hours, admin.hours.date,
 *         before and after); appointments (through appointments.h: the bookings a change
 *         leaves outside the opening hours, counted, and cancelled with their SMS).
 * Redis:  the day's slot places through appointments.h (rebuilt after a change).
 *
 * A change that leaves booked appointments outside the new opening hours is refused (409
 * BOOKINGS_AFFECTED with the count) unless the request says "notify": true; then it is
 * saved and those bookings are cancelled, each citizen told by the appointment_cancelled
 * SMS.  The queue and the slots read the hours through hall/hall_hours.h: every process
 * within HALL_HOURS_TTL_MS.  A booking taken meanwhile by a process still on the old hours
 * is caught by a second pass once that time is over.  Nothing is ever cancelled silently.
 */
#include "handlers.h"
#include "../appointments/appointments.h"
#include "../hall/calendar.h"
#include "../hall/catalog.h"
#include "../hall/hall_hours.h"
#include "../identity/identity.h"
#include "../queue/queue.h"
#include "../shared/audit.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define HOURS_DAYS_MAX 366	/* a date's hours can be set this far ahead */
#define NOTE_MAX 100

/* ------------------------------------------------------------------ input */

/* "HH:MM" (00:00–24:00) into minutes, or -1. */
static int
hhmm_parse(const char *s)
{
	long long h, m;

	if (s == NULL || strlen(s) != 5 || s[2] != ':' || parse_lln(s, 2, 0, 24, &h) != 0 ||
	    parse_lln(s + 3, 2, 0, 59, &m) != 0 || (h == 24 && m != 0))
		return -1;
	return (int)(h * 60 + m);
}

static void
hhmm_format(int m, char out[6])
{
	fmt(out, 6, "%02d:%02d", m / 60, m % 60);
}

/* body.periods: 1–HALL_MAX_PERIODS of {"open","close"}, each open < close, in order and
 * apart.  Field errors name "periods" or "periods[i].open|close".  0 or -1. */
static int
periods_in(struct req *r, json_t *body, struct hall_day *d)
{
	json_t *a = json_object_get(body, "periods"), *p;
	char f[48];
	size_t i;
	int bad = 0;

	memset(d, 0, sizeof *d);
	if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > HALL_MAX_PERIODS) {
		req_fail_field(r, "periods", "须为 1 至 4 个开放时段 {\"open\":\"09:00\",\"close\":\"12:00\"}");
		return -1;
	}
	json_array_foreach(a, i, p) {
		int o = hhmm_parse(json_string_value(json_object_get(p, "open")));
		int c = hhmm_parse(json_string_value(json_object_get(p, "close")));

		if (o < 0) {
			fmt(f, sizeof f, "periods[%zu].open", i);
			req_fail_field(r, f, "须为 HH:MM 格式的时间");
			bad = 1;
		}
		if (c < 0) {
			fmt(f, sizeof f, "periods[%zu].close", i);
			req_fail_field(r, f, "须为 HH:MM 格式的时间");
			bad = 1;
		}
		if (o < 0 || c < 0)
			continue;
		if (c <= o) {
			fmt(f, sizeof f, "periods[%zu].close", i);
			req_fail_field(r, f, "须晚于开始时间");
			bad = 1;
		} else if (d->n > 0 && o < d->close_min[d->n - 1]) {
			fmt(f, sizeof f, "periods[%zu].open", i);
			req_fail_field(r, f, "须在上一时段结束之后，按时间先后排列");
			bad = 1;
		}
		d->open_min[d->n] = o;
		d->close_min[d->n] = c;
		d->n++;
	}
	return bad ? -1 : 0;
}

static json_t *
periods_json(const struct hall_day *d)
{
	json_t *a = json_array();
	char o[6], c[6];
	int i;

	for (i = 0; i < d->n; i++) {
		hhmm_format(d->open_min[i], o);
		hhmm_format(d->close_min[i], c);
		json_array_append_new(a, json_pack("{s:s,s:s}", "open", o, "close", c));
	}
	return a;
}

/* The audit's "before"/"after" of one opening: "closed" or "08:30-12:00,13:30-17:00". */
static void
opening_text(const struct hall_day *d, int open, char *out, size_t osz)
{
	char o[6], c[6], one[16];
	int i;

	out[0] = '\0';
	if (!open || d->n == 0) {
		str_copy(out, osz, "closed");
		return;
	}
	for (i = 0; i < d->n; i++) {
		hhmm_format(d->open_min[i], o);
		hhmm_format(d->close_min[i], c);
		fmt(one, sizeof one, "%s%s-%s", i ? "," : "", o, c);
		if (strlen(out) + strlen(one) < osz)
			memcpy(out + strlen(out), one, strlen(one) + 1);
	}
}

/* 409 BOOKINGS_AFFECTED naming the count (and the date when one). */
static int
affected(struct req *r, int count, const char *date)
{
	char msg[200];

	if (date)
		fmt(msg, sizeof msg, "%s 有 %d 个预约不在新的开放时间内；确认通知并取消这些预约"
		    "（\"notify\":true）后才能保存", date, count);
	else
		fmt(msg, sizeof msg, "有 %d 个预约不在新的开放时间内；确认通知并取消这些预约"
		    "（\"notify\":true）后才能保存", count);
	return admin_bookings_affected(r, count, msg);
}

static void
wait_copies(void)
{
	struct timespec ts = { HALL_HOURS_TTL_MS / 1000, (HALL_HOURS_TTL_MS % 1000 + 200) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------------ the week's hours */

struct week_tx {
	struct req	*r;
	const char	*hall;
	const struct hall_day *d;
	char		 before[128], after[128];
};

static int
week_tx(struct ctx *c, void *arg)
{
	struct week_tx *t = arg;
	char o[6], cl[6], detail[300];
	int rc, i;

	if ((rc = db_exec(c, "DELETE FROM hall_hours WHERE hall = ?", DBARGS(DBS(t->hall)),
	    NULL, NULL)) != 0)
		return rc;
	for (i = 0; i < t->d->n; i++) {
		hhmm_format(t->d->open_min[i], o);
		hhmm_format(t->d->close_min[i], cl);
		if ((rc = db_exec(c, "INSERT INTO hall_hours (hall, seq, open_at, close_at)"
		    " VALUES (?, ?, ?, ?)", DBARGS(DBS(t->hall), DBI(i + 1), DBS(o), DBS(cl)),
		    NULL, NULL)) != 0)
			return rc;
	}
	fmt(detail, sizeof detail, "{\"before\":\"%s\",\"after\":\"%s\"}", t->before, t->after);
	audit(t->r, "admin.hours", t->hall, "ok", detail);
	return 0;
}

/* The days ahead that run on the week's hours (no hours of their own, a working day). */
static int
week_days(struct ctx *c, const char *hall, int64_t *days, int max)
{
	int64_t today = hall_day(hall_now()), d;
	int ahead = (int)config_int("appointment_days_ahead", 7, 0, 90), n = 0, rc;
	struct hall_day hd;

	for (d = today; d <= today + ahead && n < max; d++) {
		rc = hall_day_hours(c, hall, d, &hd);
		if (rc < 0 && rc != CAL_MISSING)
			return rc;
		if (rc == 1 && !hd.dated)
			days[n++] = d;
	}
	return n;
}

int
h_admin_hours_put(struct req *r)
{
	const char *hall = r->pathv[0];
	struct hall_day nd, cur;
	struct week_tx t;
	int64_t days[96];
	int notify = 0, rc, n, i, count = 0, k, cancelled = 0, pass;

	if ((rc = require_admin_of_hall(r, hall)) != 0)
		return rc;
	periods_in(r, r->body, &nd);
	in_bool(r, r->body, "notify", 0, &notify);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	if ((n = week_days(r->ctx, hall, days, 96)) < 0)
		return db_fail(r, n);
	for (i = 0; i < n; i++) {
		if ((rc = appt_outside_count(r->ctx, hall, days[i], &nd, &k)) < 0)
			return db_fail(r, rc);
		count += k;
	}
	if (count > 0 && !notify)
		return affected(r, count, NULL);
	memset(&t, 0, sizeof t);
	t.r = r;
	t.hall = hall;
	t.d = &nd;
	/* The week's hours as they stand: those of a day ahead that runs on them. */
	memset(&cur, 0, sizeof cur);
	if (n > 0 && hall_day_hours(r->ctx, hall, days[0], &cur) != 1)
		memset(&cur, 0, sizeof cur);
	opening_text(&cur, cur.n > 0, t.before, sizeof t.before);
	opening_text(&nd, 1, t.after, sizeof t.after);
	if ((rc = db_tx(r->ctx, week_tx, &t)) != 0)
		return db_fail(r, rc);
	hall_hours_changed();
	queue_hall_changed(r->ctx, hall);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			wait_copies();
		for (i = 0; i < n; i++) {
			if (appt_outside_cancel(r, hall, days[i], &nd, &k) != 0)
				return req_err_msg(r, E_UNAVAILABLE,
				    "开放时间已保存，但部分预约未能取消，请稍后重试保存");
			cancelled += k;
		}
	}
	return req_ok(r, 200, json_pack("{s:o,s:i}", "periods", periods_json(&nd),
	    "cancelled", cancelled));
}

/* ------------------------------------------------------------------ one date */

struct date_tx {
	struct req	*r;
	const char	*hall;
	const char	*date;
	const struct hall_day *d;	/* NULL: the date's own hours are removed */
	const char	*note;
	char		 before[128], after[128];
	uint64_t	 removed;
};

static int
date_tx(struct ctx *c, void *arg)
{
	struct date_tx *t = arg;
	char o[6], cl[6], at[32], target[64], detail[300];
	int rc, i;

	sql_now(at, sizeof at);
	at[19] = '\0';
	if ((rc = db_exec(c, "DELETE FROM hall_dates WHERE hall = ? AND day = ?",
	    DBARGS(DBS(t->hall), DBS(t->date)), &t->removed, NULL)) != 0)
		return rc;
	if (t->d != NULL) {
		if ((rc = db_exec(c, "INSERT INTO hall_dates (hall, day, closed, note, updated_by,"
		    " updated_at) VALUES (?, ?, ?, ?, ?, ?)", DBARGS(DBS(t->hall), DBS(t->date),
		    DBI(t->d->closed), DBS(t->note), DBS(t->r->sess.subject), DBS(at)), NULL,
		    NULL)) != 0)
			return rc;
		for (i = 0; !t->d->closed && i < t->d->n; i++) {
			hhmm_format(t->d->open_min[i], o);
			hhmm_format(t->d->close_min[i], cl);
			if ((rc = db_exec(c, "INSERT INTO hall_date_hours (hall, day, seq, open_at,"
			    " close_at) VALUES (?, ?, ?, ?, ?)", DBARGS(DBS(t->hall), DBS(t->date),
			    DBI(i + 1), DBS(o), DBS(cl)), NULL, NULL)) != 0)
				return rc;
		}
	}
	fmt(target, sizeof target, "%s:%s", t->hall, t->date);
	fmt(detail, sizeof detail, "{\"before\":\"%s\",\"after\":\"%s\"}", t->before, t->after);
	audit(t->r, "admin.hours.date", target, "ok", detail);
	return 0;
}

/* The path's date: YYYY-MM-DD, from today to HOURS_DAYS_MAX days on.  0 or -1 (field set). */
static int
date_in(struct req *r, const char *date, int64_t *day)
{
	int64_t today = hall_day(hall_now());

	if (date_parse(date, day) != 0) {
		req_fail_field(r, "date", "须为 YYYY-MM-DD 格式的日期");
		return -1;
	}
	if (*day < today || *day > today + HOURS_DAYS_MAX) {
		req_fail_field(r, "date", "须为今天起一年内的日期（过去的日期不能修改）");
		return -1;
	}
	return 0;
}

/* Save (d != NULL) or remove the date's own hours; the bookings check and sweep around it. */
static int
date_change(struct req *r, const char *hall, const char *date, int64_t day,
    const struct hall_day *d, const char *note, int notify)
{
	struct hall_day cur, after;
	struct date_tx t;
	int rc, open_now, open_after, count, k, cancelled = 0, pass;

	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	open_now = hall_day_hours(r->ctx, hall, day, &cur);
	if (open_now < 0 && open_now != CAL_MISSING)
		return db_fail(r, open_now);
	if (d != NULL) {
		after = *d;
		open_after = !d->closed && d->n > 0;
	} else {
		/* Back to the calendar and the week's hours. */
		struct hall_day w;

		memset(&after, 0, sizeof after);
		open_after = 0;
		if ((rc = calendar_is_workday(r->ctx, day)) < 0 && rc != CAL_MISSING)
			return db_fail(r, rc);
		if (rc == 1) {
			int64_t probe;

			/* The week's periods: those of a working day without hours of its own. */
			memset(&w, 0, sizeof w);
			for (probe = day + 1; probe < day + 60; probe++)
				if (hall_day_hours(r->ctx, hall, probe, &w) == 1 && !w.dated)
					break;
			if (!w.dated && w.n > 0) {
				after = w;
				open_after = 1;
			}
		}
	}
	if ((rc = appt_outside_count(r->ctx, hall, day, open_after ? &after : NULL, &count)) < 0)
		return db_fail(r, rc);
	if (count > 0 && !notify)
		return affected(r, count, date);
	memset(&t, 0, sizeof t);
	t.r = r;
	t.hall = hall;
	t.date = date;
	t.d = d;
	t.note = note ? note : "";
	opening_text(&cur, open_now == 1, t.before, sizeof t.before);
	opening_text(&after, open_after, t.after, sizeof t.after);
	if ((rc = db_tx(r->ctx, date_tx, &t)) != 0)
		return db_fail(r, rc);
	hall_hours_changed();
	queue_hall_changed(r->ctx, hall);
	appt_day_changed(r->ctx, hall, day);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			wait_copies();
		if (appt_outside_cancel(r, hall, day, open_after ? &after : NULL, &k) != 0)
			return req_err_msg(r, E_UNAVAILABLE,
			    "开放时间已保存，但部分预约未能取消，请稍后重试保存");
		cancelled += k;
	}
	if (d == NULL)
		return req_ok(r, 200, json_pack("{s:s,s:b,s:o,s:i}", "date", date, "closed",
		    !open_after, "periods", periods_json(open_after ? &after : &cur),
		    "cancelled", cancelled));
	return req_ok(r, 200, json_pack("{s:s,s:b,s:o,s:s,s:i}", "date", date, "closed",
	    d->closed, "periods", d->closed ? json_array() : periods_json(d), "note", t.note,
	    "cancelled", cancelled));
}

int
h_admin_hours_date_put(struct req *r)
{
	const char *hall = r->pathv[0], *date = r->pathv[1], *note = NULL;
	struct hall_day nd;
	int64_t day;
	int closed = 0, notify = 0, rc;

	if ((rc = require_admin_of_hall(r, hall)) != 0)
		return rc;
	date_in(r, date, &day);
	in_bool(r, r->body, "closed", 0, &closed);
	in_bool(r, r->body, "notify", 0, &notify);
	in_str(r, r->body, "note", 0, 0, NOTE_MAX, &note);
	memset(&nd, 0, sizeof nd);
	if (closed) {
		if (json_object_get(r->body, "periods") != NULL)
			req_fail_field(r, "periods", "休息的日期不能有开放时段");
	} else
		periods_in(r, r->body, &nd);
	if (in_has_errors(r))
		return req_invalid(r);
	nd.dated = 1;
	nd.closed = closed;
	return date_change(r, hall, date, day, &nd, note, notify);
}

int
h_admin_hours_date_delete(struct req *r)
{
	const char *hall = r->pathv[0], *date = r->pathv[1], *nv = NULL;
	int64_t day;
	int notify = 0, rc;

	if ((rc = require_admin_of_hall(r, hall)) != 0)
		return rc;
	date_in(r, date, &day);
	q_str(r, "notify", 0, 5, &nv);
	if (nv && strcmp(nv, "true") != 0 && strcmp(nv, "false") != 0)
		req_fail_field(r, "notify", "须为 true 或 false");
	notify = nv && strcmp(nv, "true") == 0;
	if (in_has_errors(r))
		return req_invalid(r);
	return date_change(r, hall, date, day, NULL, NULL, notify);
}

/* ------------------------------------------------------------------ reading */

static const char *const date_names[] = { "date", "closed", "note", "updated_by",
	"updated_at" };

int
h_admin_hours_get(struct req *r)
{
	const char *hall = r->pathv[0];
	char from[11];
	json_t *week, *dates, *d;
	size_t i;
	int rc;

	if ((rc = admin_hall(r, hall, require_manager_of_hall)) != 0)
		return rc;
	week = json_array();
	dates = json_array();
	date_format_days(hall_day(hall_now()), from, sizeof from);
	rc = db_rows_json(r->ctx, "SELECT TIME_FORMAT(open_at, '%H:%i'), TIME_FORMAT(close_at,"
	    " '%H:%i') FROM hall_hours WHERE hall = ? ORDER BY seq", DBARGS(DBS(hall)),
	    (const char *const[]){ "open", "close" }, "ss", week);
	if (rc >= 0)
		rc = db_rows_json(r->ctx, "SELECT DATE_FORMAT(day, '%Y-%m-%d'), closed, note,"
		    " updated_by, DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%s+08:00') FROM hall_dates"
		    " WHERE hall = ? AND day >= ? ORDER BY day LIMIT 500",
		    DBARGS(DBS(hall), DBS(from)), date_names, "sbsss", dates);
	json_array_foreach(dates, i, d) {
		json_t *p = json_array();

		if (rc >= 0)
			rc = db_rows_json(r->ctx, "SELECT TIME_FORMAT(open_at, '%H:%i'),"
			    " TIME_FORMAT(close_at, '%H:%i') FROM hall_date_hours WHERE hall = ?"
			    " AND day = ? ORDER BY seq", DBARGS(DBS(hall),
			    DBS(json_string_value(json_object_get(d, "date")))),
			    (const char *const[]){ "open", "close" }, "ss", p);
		json_object_set_new(d, "periods", p);
	}
	if (rc < 0) {
		json_decref(week);
		json_decref(dates);
		return db_fail(r, rc);
	}
	return req_ok(r, 200, json_pack("{s:o,s:o}", "hours", week, "dates", dates));
}
