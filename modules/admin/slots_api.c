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

static int
ovr_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct plan_keep *k = arg;
	long long st, cap;
	int64_t day;

	(void)ncol;
	(void)lens;
	if (k->no >= OVR_MAX)
		return 1;
	if (date_parse(v[0], &day) != 0 || parse_ll(v[1], 0, 24 * 60, &st) != 0 ||
	    parse_ll(v[2], 0, 1000, &cap) != 0)
		return 0;
	k->o[k->no].day = day;
	k->o[k->no].start = (int)st;
	k->o[k->no].capacity = (int)cap;
	k->no++;
	return 0;
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

int
h_admin_slot_plan_put(struct req *r)
{
	const char *hall = r->pathv[0], *cat = r->pathv[1];
	struct plan_slot s[PLAN_SLOTS_MAX];
	struct old_plan *old = NULL;
	struct plan_keep k;
	struct plan_tx t;
	char one[4], from[11], to[11];
	int64_t today = hall_day(hall_now());
	int n = 0, notify = 0, rc, count = 0, cancelled = 0;

	if ((rc = require_admin_of_hall(r, hall)) != 0)
		return rc;
	slots_in(r, s, &n);
	in_bool(r, r->body, "notify", 0, &notify);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	if (!category_code_ok(cat))
		return req_err_msg(r, E_NOT_FOUND, "本中心没有这个类别");
	rc = db_scalar(r->ctx, "SELECT 1 FROM categories WHERE hall = ? AND code = ? AND"
	    " kind = 'service'", DBARGS(DBS(hall), DBS(cat)), one, sizeof one);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_NOT_FOUND, "本中心没有这个可预约的类别");
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
	rc = db_query(r->ctx, "SELECT DATE_FORMAT(day, '%Y-%m-%d'), HOUR(start_time) * 60 +"
	    " MINUTE(start_time), capacity FROM appointment_slot_overrides WHERE hall = ? AND"
	    " category = ? AND day BETWEEN ? AND ?", DBARGS(DBS(hall), DBS(cat), DBS(from),
	    DBS(to)), ovr_row, &k);
	if (rc >= 0)
		rc = db_query(r->ctx, "SELECT HOUR(start_time) * 60 + MINUTE(start_time), minutes,"
		    " capacity FROM appointment_slot_templates WHERE hall = ? AND category = ?"
		    " ORDER BY start_time", DBARGS(DBS(hall), DBS(cat)), old_row, old);
	if (rc >= 0)
		rc = appt_affected_count(r->ctx, hall, cat[0], today, today + PLAN_DAYS,
		    keep_booking, &k, &count);
	if (rc < 0)
		goto fail;
	if (count > 0 && !notify) {
		char msg[200];

		free(k.o);
		free(old);
		fmt(msg, sizeof msg, "有 %d 个预约会失去名额；确认通知并取消这些预约"
		    "（\"notify\":true）后才能保存", count);
		req_err_msg(r, E_BOOKINGS_AFFECTED, msg);
		json_decref(r->err_extra);
		r->err_extra = json_pack("{s:i}", "bookings", count);
		return 409;
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
	appt_plan_changed();
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

int
h_admin_slot_plans_get(struct req *r)
{
	const char *hall = r->pathv[0];
	json_t *plans, *list;
	int rc;

	if ((rc = require_manager_of_hall(r, hall)) != 0)
		return rc;
	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	list = json_array();
	rc = db_rows_json(r->ctx, "SELECT category, TIME_FORMAT(start_time, '%H:%i'), minutes,"
	    " capacity FROM appointment_slot_templates WHERE hall = ? ORDER BY category,"
	    " start_time", DBARGS(DBS(hall)), (const char *const[]){ "category", "start",
	    "minutes", "capacity" }, "ssII", list);
	if (rc < 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
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
	return req_ok(r, 200, json_pack("{s:o}", "plans", plans));
}
