/*
 * slots_api.c — the slot routes: what a hall offers, and a manager's capacity for one day.
 *
 * Routes: GET   /halls/{hall}/slots?category=&date=   h_slots (public)
 *         PATCH /halls/{hall}/slots/{slot}            h_slot_capacity (manager: one day)
 * Tables: appointment_slot_overrides (the day's capacity), audit_log; the plan through
 *         slot_plan.c; halls through catalog.h.
 * Redis:  {hall:<code>}:appt:cap|free:<day> through state.c (capacity and places left).
 *
 * A slot exists on a day only when the day is a working day of the loaded holiday notice:
 * a day whose year is not loaded has no slots (the reply says which year is missing), never
 * a Monday–Friday guess.  Only bookable slots are listed (appt_rule_bookable: from now until
 * appointment_days_ahead days on).
 */
#include "handlers.h"
#include "appointments_int.h"
#include "../shared/audit.h"
#include "../hall/calendar.h"
#include "../hall/catalog.h"
#include "../identity/identity.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_NOT_FOUND "没有这个预约时段"

static json_t *
slot_json(const struct appt_slot *s, int cap, int remaining)
{
	char date[11], start[32], end[32];

	date_format_days(s->day, date, sizeof date);
	appt_time(s->day, s->start_min, start, sizeof start);
	appt_time(s->day, s->end_min, end, sizeof end);
	return json_pack("{s:s,s:s,s:s#,s:s,s:s,s:i,s:i}", "id", s->id, "date", date,
	    "category", &s->cat, (size_t)1, "start", start, "end", end, "capacity", cap,
	    "remaining", remaining < 0 ? 0 : remaining);
}

int
h_slots(struct req *r)
{
	const char *hall = r->pathv[0], *cat = NULL, *date = NULL;
	struct appt_slot *sl;
	struct appt_rules ru;
	int64_t today, now = hall_now(), from, to, d;
	int rem[APPT_MAX_SLOTS], cap[APPT_MAX_SLOTS], missing = 0, n, i, rc;
	json_t *list, *o;

	catalog_q_category(r, &cat);
	q_str(r, "date", 0, 10, &date);
	if (date && date_parse(date, &from) != 0)
		req_fail_field(r, "date", "须为 YYYY-MM-DD 格式的日期");
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	appt_rules(&ru);
	today = hall_day(now);
	if (!date) {
		from = today;
		to = today + ru.days_ahead;
	} else
		to = from;
	if ((sl = calloc(APPT_MAX_SLOTS, sizeof *sl)) == NULL)
		return req_bug(r, "out of memory");
	list = json_array();
	for (d = from; d <= to; d++) {
		if (d < today || d > today + ru.days_ahead)
			continue;	/* no slot of the day is bookable: none shown */
		n = appt_day_slots(r->ctx, hall, d, cat ? cat[0] : 0, sl, APPT_MAX_SLOTS);
		if (n == CAL_MISSING) {
			int y;
			unsigned m, dd;

			civil_from_days(d, &y, &m, &dd);
			missing = y;
			continue;
		}
		if (n < 0) {
			free(sl);
			json_decref(list);
			return db_fail(r, n);
		}
		if (n == 0)
			continue;
		if (appt_remaining(r->ctx, hall, d, sl, n, rem, cap) != 0) {
			free(sl);
			json_decref(list);
			return req_unavailable(r);
		}
		for (i = 0; i < n; i++)
			if (!sl[i].retired &&	/* a retired category is not offered */
			    appt_rule_bookable(&ru, now, d, sl[i].start_min) == 0)
				json_array_append_new(list, slot_json(&sl[i],
				    cap[i] >= 0 ? cap[i] : sl[i].capacity, rem[i]));
	}
	free(sl);
	{
		char rel[16];

		snprintf(rel, sizeof rel, "%02d:%02d", ru.release_min / 60, ru.release_min % 60);
		o = json_pack("{s:o,s:i,s:s}", "slots", list, "days_ahead", ru.days_ahead,
		    "release_time", rel);
	}
	if (missing)	/* extension: why some working days show nothing */
		json_object_set_new(o, "calendar_missing", json_integer(missing));
	return req_ok(r, 200, o);
}

/* The manager's capacity for the slot's day, in MariaDB with its audit row. */
struct cap_tx {
	struct req		*r;
	const char		*hall;
	const struct appt_slot	*s;
	long long		 cap;
	int			 old;
};

static int
cap_tx(struct ctx *c, void *arg)
{
	struct cap_tx *t = arg;
	char date[11], hhmm[6], at[32], detail[64];
	int rc;

	date_format_days(t->s->day, date, sizeof date);
	appt_hhmm(t->s->start_min, hhmm);
	sql_now(at, sizeof at);
	at[19] = '\0';
	rc = db_exec(c, "INSERT INTO appointment_slot_overrides (hall, category, day,"
	    " start_time, capacity, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
	    " ON DUPLICATE KEY UPDATE capacity = VALUES(capacity),"
	    " updated_by = VALUES(updated_by), updated_at = VALUES(updated_at)",
	    DBARGS(DBS(t->hall), DBSN(&t->s->cat, 1), DBS(date), DBS(hhmm), DBI(t->cap),
	    DBS(t->r->sess.subject), DBS(at)), NULL, NULL);
	if (rc == 0) {
		snprintf(detail, sizeof detail, "capacity %d -> %lld", t->old, t->cap);
		audit(t->r, "appointment.slot.capacity", t->s->id, "ok", detail);
	}
	return rc;
}

int
h_slot_capacity(struct req *r)
{
	const char *hall = r->pathv[0], *id = r->pathv[1];
	struct appt_slot s;
	struct cap_tx t;
	long long cap = -1;
	int rc, old = 0, rem[1], caps[1];

	if ((rc = require_manager_of_hall(r, hall)) != 0)
		return rc;
	in_int(r, r->body, "capacity", 1, 0, 1000, &cap);
	if (in_has_errors(r))
		return req_invalid(r);
	rc = appt_slot_find(r->ctx, hall, id, &s);
	if (rc == CAL_MISSING || rc == 0)
		return req_err_msg(r, E_NOT_FOUND, SLOT_NOT_FOUND);
	if (rc < 0)
		return db_fail(r, rc);
	if (appt_instant(s.day, s.end_min) <= hall_now())
		return req_err(r, E_SLOT_PAST);

	/* Redis first: it refuses atomically when a place above the new capacity is taken
	 * (even by a booking whose transaction is still running). */
	switch (appt_set_capacity(r->ctx, hall, &s, (int)cap, &old)) {
	case 0:
		break;
	case 1:
		return req_err(r, E_CAPACITY_BELOW_BOOKED);
	case 2:
		return req_err_msg(r, E_NOT_FOUND, SLOT_NOT_FOUND);
	default:
		return req_unavailable(r);
	}
	t.r = r;
	t.hall = hall;
	t.s = &s;
	t.cap = cap;
	t.old = old;
	if ((rc = db_tx(r->ctx, cap_tx, &t)) != 0) {
		/* Redis has the new capacity, MariaDB may not: let the day be rebuilt from it. */
		appt_invalidate(r->ctx, hall, s.day);
		return db_fail(r, rc);
	}
	s.capacity = (int)cap;
	if (appt_remaining(r->ctx, hall, s.day, &s, 1, rem, caps) != 0)
		rem[0] = -1;
	return req_ok(r, 200, json_pack("{s:o}", "slot", slot_json(&s, (int)cap, rem[0])));
}
