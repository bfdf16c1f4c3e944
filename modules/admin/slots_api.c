/*
 * slots_api.c — a hall's slot plan per category, as its admin sets it: which slots each
 * category offers on every day the hall opens (start, minutes, places).
 *
 * Routes: GET /admin/halls/{hall}/slot-plans               manager, admin of the hall
 *         PUT /admin/halls/{hall}/slot-plans/{category}    admin of the hall
 *         (one day's capacity of one slot: PATCH /halls/{hall}/slots/{slot}, appointments)
 * Tables: appointment_slot_templates (written), appointment_slot_overrides (read; a slot
 *         removed loses its overrides by the foreign key), categories (read), audit_log
 *         (admin.slot_plan, before and after); appointments through appointments.h.
 * Redis:  the days' places through appointments.h (rebuilt from MariaDB after a change).
 *
 * A plan that leaves booked appointments without their place — their slot removed, or its
 * capacity (the day's override when there is one) below the booking's place number, as
 * PATCH …/slots/{slot} counts it — is refused with 409 BOOKINGS_AFFECTED and the count,
 * unless the request says "notify": true: then it is saved and those bookings are cancelled,
 * each citizen told by the appointment_cancelled SMS.  Nothing is cancelled silently.
 */
#include "handlers.h"
#include "../appointments/appointments.h"
#include "../hall/catalog.h"
#include "../identity/identity.h"
#include "../shared/audit.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <stdlib.h>
#include <string.h>

#define PLAN_SLOTS_MAX 96
#define PLAN_DAYS 90		/* bookings are looked at this many days on (days ahead ≤ 90) */
#define OVR_MAX 4096

struct plan_slot {
	int	 start, minutes, capacity;
};

struct plan_ovr {
	int64_t	 day;
	int	 start, capacity;
};

struct plan_keep {
	const struct plan_slot *s;
	int		 n;
	struct plan_ovr	*o;
	int		 no;
};

static int
hhmm(const char *s)
{
	long long h, m;

	if (s == NULL || strlen(s) != 5 || s[2] != ':' || parse_lln(s, 2, 0, 23, &h) != 0 ||
	    parse_lln(s + 3, 2, 0, 59, &m) != 0)
		return -1;
	return (int)(h * 60 + m);
}

/* body.slots: 0–PLAN_SLOTS_MAX of {"start","minutes","capacity"}, in order, apart. */
static int
slots_in(struct req *r, struct plan_slot *out, int *n)
{
	json_t *a = json_object_get(r->body, "slots"), *p;
	char f[40];
	size_t i;
	long long mi, cap;

	*n = 0;
	if (!json_is_array(a) || json_array_size(a) > PLAN_SLOTS_MAX)
		return req_fail_field(r, "slots", "须为至多 96 个时段的列表");
	json_array_foreach(a, i, p) {
		int st = hhmm(json_string_value(json_object_get(p, "start"))), bad = 0;

		mi = cap = -1;
		if (st < 0) {
			fmt(f, sizeof f, "slots[%zu].start", i);
			req_fail_field(r, f, "须为 HH:MM 格式的时间");
			bad = 1;
		}
		fmt(f, sizeof f, "slots[%zu].minutes", i);
		if (!json_is_integer(json_object_get(p, "minutes")) ||
		    (mi = json_integer_value(json_object_get(p, "minutes"))) < 5 || mi > 240) {
			req_fail_field(r, f, "须为 5 至 240 分钟");
			bad = 1;
		}
		fmt(f, sizeof f, "slots[%zu].capacity", i);
		if (!json_is_integer(json_object_get(p, "capacity")) ||
		    (cap = json_integer_value(json_object_get(p, "capacity"))) < 0 || cap > 1000) {
			req_fail_field(r, f, "须为 0 至 1000 个名额");
			bad = 1;
		}
		if (bad)
			continue;
		if (st + mi > 24 * 60 || (*n > 0 && st < out[*n - 1].start + out[*n - 1].minutes)) {
			fmt(f, sizeof f, "slots[%zu].start", i);
			req_fail_field(r, f, "时段须按时间先后排列、互不重叠，且在当天结束");
			continue;
		}
		out[*n].start = st;
		out[*n].minutes = (int)mi;
		out[*n].capacity = (int)cap;
		(*n)++;
	}
	return 0;
}

/* The body of a PUT: its slots and notify (default false); problems are left on r. */
static void
plan_body_in(struct req *r, struct plan_slot *out, int *n, int *notify)
{
	slots_in(r, out, n);
	in_bool(r, r->body, "notify", 0, notify);
}

static int
keep_booking(void *arg, char cat, int64_t day, int start, int end, int seat)
{
	const struct plan_keep *k = arg;
	int i, cap = -1;

	(void)cat;
	(void)end;
	for (i = 0; i < k->n; i++)
		if (k->s[i].start == start) {
			cap = k->s[i].capacity;
			break;
		}
	if (cap < 0)
		return 0;	/* its slot is gone */
	for (i = 0; i < k->no; i++)
		if (k->o[i].day == day && k->o[i].start == start)
			cap = k->o[i].capacity;	/* the day's own capacity stands */
	return seat <= cap;
}

/* The days' own capacities of hall's category cat from..to ("YYYY-MM-DD") into k->o, as
 * many as it holds (OVR_MAX).  Rows or a DB_* code. */
static int
ovr_load(struct ctx *c, const char *hall, const char *cat, const char *from, const char *to,
    struct plan_keep *k)
{
	static const struct db_col cols[] = {
		DBC_I(struct plan_ovr, day, 0, INT32_MAX), DBC_I(struct plan_ovr, start, 0, 24 * 60),
		DBC_I(struct plan_ovr, capacity, 0, 1000),
	};
	int rc = db_rows_into(c, "SELECT DATEDIFF(day, '1970-01-01'), HOUR(start_time) * 60 +"
	    " MINUTE(start_time), capacity FROM appointment_slot_overrides WHERE hall = ? AND"
	    " category = ? AND day BETWEEN ? AND ?", DBARGS(DBS(hall), DBS(cat), DBS(from),
	    DBS(to)), DB_COLS(cols), k->o, sizeof *k->o, OVR_MAX);

	k->no = rc < 0 ? 0 : rc < OVR_MAX ? rc : OVR_MAX;
	return rc;
}

struct old_plan {
	struct plan_slot s[PLAN_SLOTS_MAX * 2];
	int		 n;
};

static int
old_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct old_plan *p = arg;
	long long st, mi, cap;

	(void)ncol;
	(void)lens;
	if (p->n >= PLAN_SLOTS_MAX * 2)
		return 1;
	if (parse_ll(v[0], 0, 24 * 60, &st) != 0 || parse_ll(v[1], 0, 24 * 60, &mi) != 0 ||
	    parse_ll(v[2], 0, 1000, &cap) != 0)
		return 0;
	p->s[p->n].start = (int)st;
	p->s[p->n].minutes = (int)mi;
	p->s[p->n].capacity = (int)cap;
	p->n++;
	return 0;
}

/* The slots of one stored plan into p: the category's weekly template (weekday 0, date
 * NULL), a weekday's own plan (weekday 1-7) or a date's (date).  0 or a DB_* code. */
static int
plan_load(struct ctx *c, const char *hall, const char *cat, int weekday, const char *date,
    struct old_plan *p)
{
	if (weekday)
		return db_query(c, "SELECT HOUR(start_time) * 60 + MINUTE(start_time), minutes,"
		    " capacity FROM slot_plan_weekday_slots WHERE hall = ? AND category = ? AND"
		    " weekday = ? ORDER BY start_time", DBARGS(DBS(hall), DBS(cat), DBI(weekday)),
		    old_row, p);
	if (date)
		return db_query(c, "SELECT HOUR(start_time) * 60 + MINUTE(start_time), minutes,"
		    " capacity FROM slot_plan_date_slots WHERE hall = ? AND category = ? AND"
		    " day = ? ORDER BY start_time", DBARGS(DBS(hall), DBS(cat), DBS(date)),
		    old_row, p);
	return db_query(c, "SELECT HOUR(start_time) * 60 + MINUTE(start_time), minutes,"
	    " capacity FROM appointment_slot_templates WHERE hall = ? AND category = ?"
	    " ORDER BY start_time", DBARGS(DBS(hall), DBS(cat)), old_row, p);
}

/* 1 when the weekday (1-7), or else the date, has a plan of its own (even one with no
 * slots), 0 not, or a DB_* code. */
static int
plan_exists(struct ctx *c, const char *hall, const char *cat, int weekday, const char *date)
{
	char one[4];

	if (weekday)
		return db_scalar(c, "SELECT 1 FROM slot_plan_weekdays WHERE hall = ? AND"
		    " category = ? AND weekday = ?", DBARGS(DBS(hall), DBS(cat), DBI(weekday)),
		    one, sizeof one);
	return db_scalar(c, "SELECT 1 FROM slot_plan_dates WHERE hall = ? AND category = ? AND"
	    " day = ?", DBARGS(DBS(hall), DBS(cat), DBS(date)), one, sizeof one);
}

/* The 409 of a change that would take count bookings' places without "notify": true. */
static int
bookings_refused(struct req *r, int count)
{
	char msg[200];

	fmt(msg, sizeof msg, "有 %d 个预约会失去名额；确认通知并取消这些预约"
	    "（\"notify\":true）后才能保存", count);
	return admin_bookings_affected(r, count, msg);
}

/* "09:00/30/6 09:30/30/6 …" cut to fit out (the audit's before and after). */
static void
plan_text(const struct plan_slot *s, int n, char *out, size_t osz)
{
	char one[24];
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		fmt(one, sizeof one, "%s%02d:%02d/%d/%d", i ? " " : "", s[i].start / 60,
		    s[i].start % 60, s[i].minutes, s[i].capacity);
		if (len + strlen(one) + 4 >= osz) {
			str_copy(out + len, osz - len, " …");
			return;
		}
		memcpy(out + len, one, strlen(one) + 1);
		len += strlen(one);
	}
}

static json_t *
plan_json(const struct plan_slot *s, int n)
{
	json_t *a = json_array();
	char t[6];
	int i;

	for (i = 0; i < n; i++) {
		fmt(t, sizeof t, "%02d:%02d", s[i].start / 60, s[i].start % 60);
		json_array_append_new(a, json_pack("{s:s,s:i,s:i}", "start", t, "minutes",
		    s[i].minutes, "capacity", s[i].capacity));
	}
	return a;
}

struct plan_tx {
	struct req	*r;
	const char	*hall;
	char		 cat[2];
	const struct plan_slot *s;
	int		 n;
	const struct old_plan *old;
};

static int
plan_tx(struct ctx *c, void *arg)
{
	struct plan_tx *t = arg;
	char st[9], before[230], after[230], detail[500], target[48];
	int i, j, rc, keep;

	for (i = 0; i < t->old->n; i++) {
		for (keep = 0, j = 0; j < t->n && !keep; j++)
			keep = t->s[j].start == t->old->s[i].start;
		if (keep)
			continue;
		fmt(st, sizeof st, "%02d:%02d:00", t->old->s[i].start / 60, t->old->s[i].start % 60);
		if ((rc = db_exec(c, "DELETE FROM appointment_slot_templates WHERE hall = ? AND"
		    " category = ? AND start_time = ?", DBARGS(DBS(t->hall), DBS(t->cat), DBS(st)),
		    NULL, NULL)) != 0)
			return rc;
	}
	for (i = 0; i < t->n; i++) {
		fmt(st, sizeof st, "%02d:%02d:00", t->s[i].start / 60, t->s[i].start % 60);
		if ((rc = db_exec(c, "INSERT INTO appointment_slot_templates (hall, category,"
		    " start_time, minutes, capacity) VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
		    " minutes = VALUES(minutes), capacity = VALUES(capacity)",
		    DBARGS(DBS(t->hall), DBS(t->cat), DBS(st), DBI(t->s[i].minutes),
		    DBI(t->s[i].capacity)), NULL, NULL)) != 0)
			return rc;
	}
	plan_text(t->old->s, t->old->n, before, sizeof before);
	plan_text(t->s, t->n, after, sizeof after);
	fmt(detail, sizeof detail, "{\"before\":\"%s\",\"after\":\"%s\"}", before, after);
	fmt(target, sizeof target, "%s:%s", t->hall, t->cat);
	audit(t->r, "admin.slot_plan", target, "ok", detail);
	return 0;
}

/* The hall and its bookable (service) category cat: 0, or the reply set (404 naming which
 * is missing, 503) and its status. */
static int
bookable_find(struct req *r, const char *hall, const char *cat)
{
	char one[4];
	int rc;

	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	if (!category_code_ok(cat))
		return req_err_msg(r, E_NOT_FOUND, "本中心没有这个类别");
	rc = db_scalar(r->ctx, "SELECT 1 FROM categories WHERE hall = ? AND code = ? AND"
	    " kind = 'service'", DBARGS(DBS(hall), DBS(cat)), one, sizeof one);
	return db_found(r, rc, "本中心没有这个可预约的类别");
}

int
h_admin_slot_plan_put(struct req *r)
{
	const char *hall = r->pathv[0], *cat = r->pathv[1];
	struct plan_slot s[PLAN_SLOTS_MAX];
	struct old_plan *old = NULL;
	struct plan_keep k;
	struct plan_tx t;
	char from[11], to[11];
	int64_t today = hall_day(hall_now());
	int n = 0, notify = 0, rc, count = 0, cancelled = 0;

	if ((rc = require_admin_of_hall(r, hall)) != 0)
		return rc;
	plan_body_in(r, s, &n, &notify);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = bookable_find(r, hall, cat)) != 0)
		return rc;
	memset(&k, 0, sizeof k);
	k.s = s;
	k.n = n;
	if ((k.o = calloc(OVR_MAX, sizeof *k.o)) == NULL ||
	    (old = calloc(1, sizeof *old)) == NULL) {
		free(k.o);
		return req_bug(r, "out of memory");
	}
	date_format_days(today, from, sizeof from);
	date_format_days(today + PLAN_DAYS, to, sizeof to);
	rc = ovr_load(r->ctx, hall, cat, from, to, &k);
	if (rc >= 0)
		rc = plan_load(r->ctx, hall, cat, 0, NULL, old);
	if (rc >= 0)
		rc = appt_affected_count(r->ctx, hall, cat[0], today, today + PLAN_DAYS,
		    keep_booking, &k, &count);
	if (rc < 0)
		goto fail;
	if (count > 0 && !notify) {
		free(k.o);
		free(old);
		return bookings_refused(r, count);
	}
	t.r = r;
	t.hall = hall;
	t.cat[0] = cat[0];
	t.cat[1] = '\0';
	t.s = s;
	t.n = n;
	t.old = old;
	if ((rc = db_tx(r->ctx, plan_tx, &t)) != 0)
		goto fail;
	appt_plan_changed(r->ctx);
	rc = appt_affected_cancel(r, hall, cat[0], today, today + PLAN_DAYS, keep_booking, &k,
	    &cancelled);
	free(k.o);
	free(old);
	if (rc != 0)
		return req_err_msg(r, E_UNAVAILABLE, "预约时段已保存，但部分预约未能取消，请稍后重试保存");
	return req_ok(r, 200, json_pack("{s:s,s:o,s:i}", "category", cat, "slots",
	    plan_json(s, n), "cancelled", cancelled));
fail:
	free(k.o);
	free(old);
	return db_fail(r, rc);
}

/* Rows (category, key, start|NULL, minutes, capacity) into out: {"B":{"5":[slots…]}}; a
 * plan with no slots shows as []. */
static int
scoped_list(struct ctx *c, const char *sql, const char *hall, const char *from, json_t *out)
{
	json_t *rows = json_array(), *o;
	size_t i;
	int rc;

	if (from)
		rc = db_rows_json(c, sql, DBARGS(DBS(hall), DBS(from)), (const char *const[]){
		    "category", "key", "start", "minutes", "capacity" }, "ssSII", rows);
	else
		rc = db_rows_json(c, sql, DBARGS(DBS(hall)), (const char *const[]){ "category",
		    "key", "start", "minutes", "capacity" }, "ssSII", rows);
	json_array_foreach(rows, i, o) {
		const char *cat = json_string_value(json_object_get(o, "category"));
		const char *key = json_string_value(json_object_get(o, "key"));
		json_t *byc = json_object_get(out, cat), *a;

		if (byc == NULL) {
			byc = json_object();
			json_object_set_new(out, cat, byc);
		}
		if ((a = json_object_get(byc, key)) == NULL) {
			a = json_array();
			json_object_set_new(byc, key, a);
		}
		if (json_is_null(json_object_get(o, "start")))
			continue;
		json_array_append_new(a, json_pack("{s:O,s:O,s:O}", "start",
		    json_object_get(o, "start"), "minutes", json_object_get(o, "minutes"),
		    "capacity", json_object_get(o, "capacity")));
	}
	json_decref(rows);
	return rc;
}

int
h_admin_slot_plans_get(struct req *r)
{
	const char *hall = r->pathv[0];
	json_t *plans, *list;
	int rc;

	if ((rc = admin_hall_rows(r, hall, "SELECT category, TIME_FORMAT(start_time, '%H:%i'),"
	    " minutes, capacity FROM appointment_slot_templates WHERE hall = ? ORDER BY category,"
	    " start_time", (const char *const[]){ "category", "start", "minutes", "capacity" },
	    "ssII", &list)) != 0)
		return rc;
	plans = json_object();
	{
		size_t i;
		json_t *o;

		json_array_foreach(list, i, o) {
			const char *c = json_string_value(json_object_get(o, "category"));
			json_t *a = json_object_get(plans, c);

			if (a == NULL) {
				a = json_array();
				json_object_set_new(plans, c, a);
			}
			json_object_del(o, "category");
			json_array_append(a, o);
		}
	}
	json_decref(list);
	{
		json_t *wk = json_object(), *dt = json_object();

		rc = scoped_list(r->ctx, "SELECT p.category, CAST(p.weekday AS CHAR),"
		    " TIME_FORMAT(s.start_time, '%H:%i'), s.minutes, s.capacity FROM"
		    " slot_plan_weekdays p LEFT JOIN slot_plan_weekday_slots s ON s.hall = p.hall AND"
		    " s.category = p.category AND s.weekday = p.weekday WHERE p.hall = ? ORDER BY"
		    " p.category, p.weekday, s.start_time", hall, NULL, wk);
		if (rc >= 0) {
			char from[11];

			date_format_days(hall_day(hall_now()), from, sizeof from);
			rc = scoped_list(r->ctx, "SELECT p.category, DATE_FORMAT(p.day, '%Y-%m-%d'),"
			    " TIME_FORMAT(s.start_time, '%H:%i'), s.minutes, s.capacity FROM"
			    " slot_plan_dates p LEFT JOIN slot_plan_date_slots s ON s.hall = p.hall AND"
			    " s.category = p.category AND s.day = p.day WHERE p.hall = ? AND p.day >= ?"
			    " ORDER BY p.category, p.day, s.start_time", hall, from, dt);
		}
		if (rc < 0) {
			json_decref(plans);
			json_decref(wk);
			json_decref(dt);
			return db_fail(r, rc);
		}
		return req_ok(r, 200, json_pack("{s:o,s:o,s:o}", "plans", plans, "weekdays", wk,
		    "dates", dt));
	}
}

/* ------------------------------------------------------------------ a weekday's, a date's */

/*
 * A weekday's own plan (slot_plan_weekdays: every Monday … Sunday of the category) and a
 * date's (slot_plan_dates: that one day), over the category's plan above; a date's plan
 * wins over its weekday's.  PUT sets one (its "slots" may be [] — no slots that day),
 * DELETE takes it away (the day follows the weekday's or the category's plan again).  The
 * bookings the change leaves without a place are refused or cancelled as above.
 */
struct scope {
	int		 weekday;	/* 1–7, or 0 for a date */
	int64_t		 day;		/* the date */
	char		 date[11];
	int		 remove;	/* DELETE: back to the plan under it */
};

struct scoped_keep {
	const struct scope *sc;
	const struct plan_slot *s;	/* the scope's new slots (or, removing, the plan under) */
	int		 n;
	struct old_plan	*under_week;	/* removing a date's: the weekday's plan, when it has one */
	int		 has_week;
	int64_t		*dated;		/* a weekday's: the days with a date plan (they stay) */
	int		 ndated;
	struct plan_keep ovr;		/* the days' capacity overrides */
};

static int
scoped_keep_booking(void *arg, char cat, int64_t day, int start, int end, int seat)
{
	struct scoped_keep *k = arg;
	struct plan_keep one = k->ovr;
	int i;

	if (k->sc->weekday == 0 && day != k->sc->day)
		return 1;
	if (k->sc->weekday != 0) {
		if (appt_weekday(day) != k->sc->weekday)
			return 1;
		for (i = 0; i < k->ndated; i++)
			if (k->dated[i] == day)
				return 1;	/* its date's own plan decides */
	}
	one.s = k->s;
	one.n = k->n;
	if (k->sc->weekday == 0 && k->sc->remove && k->has_week) {
		one.s = k->under_week->s;
		one.n = k->under_week->n;
	}
	return keep_booking(&one, cat, day, start, end, seat);
}

static int
dated_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct scoped_keep *k = arg;
	int64_t d;

	(void)ncol;
	(void)lens;
	if (k->ndated >= PLAN_DAYS + 1)
		return 1;
	if (date_parse(v[0], &d) == 0)
		k->dated[k->ndated++] = d;
	return 0;
}

struct scoped_tx {
	struct req	*r;
	const char	*hall;
	char		 cat[2];
	const struct scope *sc;
	const struct plan_slot *s;
	int		 n;
	const struct old_plan *old;
	int		 had;		/* the scope had a plan of its own */
};

static int
scoped_tx(struct ctx *c, void *arg)
{
	struct scoped_tx *t = arg;
	char st[9], now[24], before[230], after[230], detail[520], target[64];
	int i, rc;

	sql_now(now, sizeof now);
	if (t->sc->weekday) {
		rc = db_exec(c, "DELETE FROM slot_plan_weekdays WHERE hall = ? AND category = ? AND"
		    " weekday = ?", DBARGS(DBS(t->hall), DBS(t->cat), DBI(t->sc->weekday)), NULL,
		    NULL);
		if (rc == 0 && !t->sc->remove)
			rc = db_exec(c, "INSERT INTO slot_plan_weekdays (hall, category, weekday,"
			    " updated_by, updated_at) VALUES (?, ?, ?, ?, ?)", DBARGS(DBS(t->hall),
			    DBS(t->cat), DBI(t->sc->weekday), DBS(t->r->sess.subject), DBS(now)), NULL,
			    NULL);
	} else {
		rc = db_exec(c, "DELETE FROM slot_plan_dates WHERE hall = ? AND category = ? AND"
		    " day = ?", DBARGS(DBS(t->hall), DBS(t->cat), DBS(t->sc->date)), NULL, NULL);
		if (rc == 0 && !t->sc->remove)
			rc = db_exec(c, "INSERT INTO slot_plan_dates (hall, category, day, updated_by,"
			    " updated_at) VALUES (?, ?, ?, ?, ?)", DBARGS(DBS(t->hall), DBS(t->cat),
			    DBS(t->sc->date), DBS(t->r->sess.subject), DBS(now)), NULL, NULL);
	}
	for (i = 0; rc == 0 && !t->sc->remove && i < t->n; i++) {
		fmt(st, sizeof st, "%02d:%02d:00", t->s[i].start / 60, t->s[i].start % 60);
		if (t->sc->weekday)
			rc = db_exec(c, "INSERT INTO slot_plan_weekday_slots (hall, category, weekday,"
			    " start_time, minutes, capacity) VALUES (?, ?, ?, ?, ?, ?)",
			    DBARGS(DBS(t->hall), DBS(t->cat), DBI(t->sc->weekday), DBS(st),
			    DBI(t->s[i].minutes), DBI(t->s[i].capacity)), NULL, NULL);
		else
			rc = db_exec(c, "INSERT INTO slot_plan_date_slots (hall, category, day,"
			    " start_time, minutes, capacity) VALUES (?, ?, ?, ?, ?, ?)",
			    DBARGS(DBS(t->hall), DBS(t->cat), DBS(t->sc->date), DBS(st),
			    DBI(t->s[i].minutes), DBI(t->s[i].capacity)), NULL, NULL);
	}
	if (rc != 0)
		return rc;
	if (t->had)
		plan_text(t->old->s, t->old->n, before, sizeof before);
	else
		str_copy(before, sizeof before, "（同上级计划）");
	if (t->sc->remove)
		str_copy(after, sizeof after, "（同上级计划）");
	else
		plan_text(t->s, t->n, after, sizeof after);
	fmt(detail, sizeof detail, "{\"before\":\"%s\",\"after\":\"%s\"}", before, after);
	if (t->sc->weekday)
		fmt(target, sizeof target, "%s:%s:w%d", t->hall, t->cat, t->sc->weekday);
	else
		fmt(target, sizeof target, "%s:%s:%s", t->hall, t->cat, t->sc->date);
	audit(t->r, "admin.slot_plan", target, "ok", detail);
	return 0;
}

/* The scope named by the path (a weekday, or a date within PLAN_DAYS of today) into sc,
 * and the new slots (s, *n) or, removing, ?notify: field errors recorded. */
static void
scoped_input(struct req *r, struct scope *sc, int64_t today, struct plan_slot *s, int *n,
    int *notify)
{
	const char *scope = r->pathv[2], *nq;
	long long wd = 0;

	if (sc->weekday < 0) {
		if (parse_ll(scope, 1, 7, &wd) != 0)
			req_fail_field(r, "weekday", "须为 1（星期一）至 7（星期日）");
		sc->weekday = (int)wd;
	} else if (date_parse(scope, &sc->day) != 0 || sc->day < today ||
	    sc->day > today + PLAN_DAYS)
		req_fail_field(r, "date", "须为今天起 90 天内的日期（YYYY-MM-DD）");
	else
		date_format_days(sc->day, sc->date, sizeof sc->date);
	if (sc->remove) {
		nq = req_query(r, "notify");
		if (nq && strcmp(nq, "true") != 0 && strcmp(nq, "false") != 0)
			req_fail_field(r, "notify", "须为 true 或 false");
		*notify = nq && strcmp(nq, "true") == 0;
	} else {
		plan_body_in(r, s, n, notify);
	}
}

/*
 * What the scope's days, from..to, stand on: the capacity overrides, the scope's own plan
 * (old; *had: it has one), the plans the days fall back to (tmpl, and k->under_week for a
 * date) and, for a weekday, the days with a date plan of their own.  Removing, the bookings
 * are then kept against the plan under the scope.  0, 1 when a removal finds nothing of the
 * scope's own to take away, or a DB_* code.
 */
static int
scoped_load(struct ctx *c, const char *hall, const char *cat, const char *from,
    const char *to, struct scoped_keep *k, struct old_plan *old, struct old_plan *tmpl,
    int *had)
{
	const struct scope *sc = k->sc;
	int rc;

	rc = ovr_load(c, hall, cat, from, to, &k->ovr);
	/* The scope's plan as it stands (the audit's before; had: one of its own). */
	if (rc >= 0)
		rc = plan_exists(c, hall, cat, sc->weekday, sc->date);
	*had = rc > 0;
	if (rc >= 0)
		rc = plan_load(c, hall, cat, sc->weekday, sc->date, old);
	if (rc >= 0 && sc->remove && !*had)	/* nothing of its own to take away */
		return 1;
	/* What the days fall back to when the scope's own plan goes. */
	if (rc >= 0)
		rc = plan_load(c, hall, cat, 0, NULL, tmpl);
	if (rc >= 0 && !sc->weekday) {
		rc = plan_exists(c, hall, cat, appt_weekday(sc->day), NULL);
		k->has_week = rc > 0;
		if (rc >= 0)
			rc = plan_load(c, hall, cat, appt_weekday(sc->day), NULL, k->under_week);
	}
	if (rc >= 0 && sc->weekday)
		rc = db_query(c, "SELECT DATE_FORMAT(day, '%Y-%m-%d') FROM slot_plan_dates"
		    " WHERE hall = ? AND category = ? AND day BETWEEN ? AND ?", DBARGS(DBS(hall),
		    DBS(cat), DBS(from), DBS(to)), dated_row, k);
	if (rc < 0)
		return rc;
	if (sc->remove && (sc->weekday || !k->has_week)) {
		k->s = tmpl->s;
		k->n = tmpl->n;
	}
	return 0;
}

/* The answer: the scope's slots as they now stand (null once removed) and how many
 * bookings were cancelled. */
static int
scoped_reply(struct req *r, const char *cat, const struct scope *sc,
    const struct plan_slot *s, int n, int cancelled)
{
	json_t *o = json_pack("{s:s,s:o,s:i}", "category", cat, "slots", sc->remove ?
	    json_null() : plan_json(s, n), "cancelled", cancelled);

	if (sc->weekday)
		json_object_set_new(o, "weekday", json_integer(sc->weekday));
	else
		json_object_set_new(o, "date", json_string(sc->date));
	return req_ok(r, 200, o);
}

static int
scoped_put(struct req *r, struct scope *sc)
{
	const char *hall = r->pathv[0], *cat = r->pathv[1];
	struct plan_slot s[PLAN_SLOTS_MAX];
	struct old_plan *old = NULL, *week = NULL, *tmpl = NULL;
	struct scoped_keep k;
	struct scoped_tx t;
	char from[11], to[11];
	int64_t today = hall_day(hall_now()), d0, d1;
	int n = 0, notify = 0, rc, count = 0, cancelled = 0, had;

	if ((rc = require_admin_of_hall(r, hall)) != 0)
		return rc;
	scoped_input(r, sc, today, s, &n, &notify);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = bookable_find(r, hall, cat)) != 0)
		return rc;

	memset(&k, 0, sizeof k);
	k.sc = sc;
	k.s = s;
	k.n = n;
	old = calloc(1, sizeof *old);
	week = calloc(1, sizeof *week);
	tmpl = calloc(1, sizeof *tmpl);
	k.ovr.o = calloc(OVR_MAX, sizeof *k.ovr.o);
	k.dated = calloc(PLAN_DAYS + 1, sizeof *k.dated);
	if (old == NULL || week == NULL || tmpl == NULL || k.ovr.o == NULL || k.dated == NULL) {
		rc = DB_FAIL;
		goto fail;
	}
	k.under_week = week;
	d0 = sc->weekday ? today : sc->day;
	d1 = sc->weekday ? today + PLAN_DAYS : sc->day;
	date_format_days(d0, from, sizeof from);
	date_format_days(d1, to, sizeof to);
	if ((rc = scoped_load(r->ctx, hall, cat, from, to, &k, old, tmpl, &had)) == 1)
		goto done;
	if (rc < 0)
		goto fail;
	if ((rc = appt_affected_count(r->ctx, hall, cat[0], d0, d1, scoped_keep_booking, &k,
	    &count)) < 0)
		goto fail;
	if (count > 0 && !notify) {
		rc = bookings_refused(r, count);
		goto out;
	}
	memset(&t, 0, sizeof t);
	t.r = r;
	t.hall = hall;
	t.cat[0] = cat[0];
	t.sc = sc;
	t.s = s;
	t.n = n;
	t.old = old;
	t.had = had;
	if ((rc = db_tx(r->ctx, scoped_tx, &t)) != 0)
		goto fail;
	appt_plan_changed(r->ctx);
	if (appt_affected_cancel(r, hall, cat[0], d0, d1, scoped_keep_booking, &k,
	    &cancelled) != 0) {
		rc = req_err_msg(r, E_UNAVAILABLE, "预约时段已保存，但部分预约未能取消，请稍后重试保存");
		goto out;
	}
done:
	rc = scoped_reply(r, cat, sc, s, n, cancelled);
	goto out;
fail:
	rc = rc == DB_FAIL && old == NULL ? req_bug(r, "out of memory") : db_fail(r, rc);
out:
	free(old);
	free(week);
	free(tmpl);
	free(k.ovr.o);
	free(k.dated);
	return rc;
}

int
h_admin_slot_plan_weekday_put(struct req *r)
{
	struct scope sc = { -1, 0, "", 0 };

	return scoped_put(r, &sc);
}

int
h_admin_slot_plan_weekday_delete(struct req *r)
{
	struct scope sc = { -1, 0, "", 1 };

	return scoped_put(r, &sc);
}

int
h_admin_slot_plan_date_put(struct req *r)
{
	struct scope sc = { 0, 0, "", 0 };

	return scoped_put(r, &sc);
}

int
h_admin_slot_plan_date_delete(struct req *r)
{
	struct scope sc = { 0, 0, "", 1 };

	return scoped_put(r, &sc);
}
