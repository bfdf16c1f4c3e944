/*
 * cancel.c — cancelling a booking: the holder's DELETE, and the cancellations a clerk's
 * rebinding of an ID number causes (appt_cancel_identity: the hook identity/realname.c
 * runs after a rebind, set at start by programs/assembly.c).
 *
 * Routes: DELETE /appointments/{token} → h_appointment_cancel (holder; the place is free at
 *         once).
 * Tables: appointments, appointment_history, audit_log, outbox; citizens (the phone).
 * Redis:  {hall:<code>}:appt:* through state.c (appt_ready, appt_release).
 */
#include "handlers.h"
#include "appointments.h"
#include "record.h"
#include "appointments_int.h"
#include "../hall/hall_hours.h"
#include "../shared/audit.h"
#include "../identity/identity.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Cancel a booked appointment: the record first, then its place is given back in Redis.
 * 0 (cancelled), E_INVALID_STATE (its status moved meanwhile), E_UNAVAILABLE (Redis) or a
 * DB_* code; no reply is written.  The day's state must be in Redis to give the place back
 * at once; an outage is a 503 with nothing changed, never a cancellation whose place stays
 * taken.  It takes the request for its actor and audit row (audit.h).
 */
static int
cancel_row(struct req *r, const struct appt_row *a)
{
	struct appt_epochs ep;
	char slot[APPT_SLOT_ID_LEN + 1], holder[APPT_HOLDER_MAX], at[32], target[32];
	char phone[24] = "";
	uint64_t n = 0;
	int rc;

	if (appt_ready(r->ctx, a->hall, a->day) != 0 ||
	    appt_epochs_get(r->ctx, a->hall, a->day, &ep))
		return E_UNAVAILABLE;
	if ((rc = appt_phone(r->ctx, a->citizen, phone)) < 0)
		return rc;
	appt_slot_id(a->cat, a->day, a->start_min, slot);
	appt_row_holder(a, holder);
	snprintf(target, sizeof target, "appointment:%lld", a->id);
	sql_now(at, sizeof at);
	if ((rc = db_begin(r->ctx)) != 0)
		return rc;
	rc = db_exec(r->ctx, "UPDATE appointments SET status = 'cancelled', seat = NULL,"
	    " cancelled_at = ?, updated_at = ? WHERE id = ? AND status = 'booked'",
	    DBARGS(DBS(at), DBS(at), DBI(a->id)), &n, NULL);
	if (rc == 0 && n == 0) {
		db_rollback(r->ctx);
		return E_INVALID_STATE;
	}
	if (rc == 0)
		rc = appt_history(r->ctx, APPT_ACTOR(r), a->id, "cancel", "booked", "cancelled",
		    slot, at);
	if (rc == 0)
		rc = appt_sms(r->ctx, a, phone, 1);
	sodium_memzero(phone, sizeof phone);
	if (rc == 0) {
		audit(r, "appointment.cancel", target, "ok", slot);
		rc = db_commit(r->ctx);
		if (rc != 0) {
			char st[16];

			if (db_scalar(r->ctx, "SELECT status FROM appointments WHERE id = ?",
			    DBARGS(DBI(a->id)), st, sizeof st) == 1 && strcmp(st, "cancelled") == 0)
				rc = 0;
			else if (rc != DB_RETRY)
				appt_invalidate(r->ctx, a->hall, a->day);
		}
	} else
		db_rollback(r->ctx);
	if (rc != 0)
		return rc;
	if (appt_release(r->ctx, a->hall, slot, a->seat, holder, a->idhash, &ep,
	    APPT_REL_ALL) != 0) {
		log_warn("hall %s: cancelled place of %s not given back (Redis down)", a->hall, slot);
		appt_invalidate(r->ctx, a->hall, a->day);
	}
	return 0;
}

int
h_appointment_cancel(struct req *r)
{
	struct appt_row a;
	int rc, noop;

	if ((rc = appt_row_of_path(r, APPT_HOLDER, &a)) != 0)
		return rc;
	rc = appt_rule_cancel(a.status, appt_instant(a.day, a.start_min), hall_now(), &noop);
	if (rc == E_INVALID_STATE)
		return req_err_msg(r, rc, strcmp(a.status, "checked_in") == 0 ?
		    "该预约已签到，不能取消" : "该预约已过期，不能取消");
	if (rc != 0)
		return req_err(r, rc);
	if (!noop && (rc = cancel_row(r, &a)) != 0) {
		if (rc == E_INVALID_STATE)
			return req_err_msg(r, rc, APPT_STATE_CHANGED);
		return rc == E_UNAVAILABLE ? req_unavailable(r) : db_fail(r, rc);
	}
	return req_ok(r, 204, NULL);
}

/* Bookings read into rows (at most max), those keep does not let stay: a plan change's
 * (appt_affected_cancel) or an ID number's (appt_cancel_identity) to cancel. */
struct affected_list {
	appt_keep_fn	 keep;
	void		*arg;
	struct appt_row	*rows;
	int		 n, max, seen;
	long long	 last;		/* the largest id read, kept or not */
};

static int
affected_collect(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct affected_list *l = arg;
	struct appt_row *a;

	(void)ncol;
	if (l->n >= l->max)
		return 1;
	a = &l->rows[l->n];
	appt_row_fill(a, v, lens);
	l->seen++;
	if (a->id > l->last)
		l->last = a->id;
	if (!l->keep(l->arg, a->cat, a->day, a->start_min, a->end_min, a->seat))
		l->n++;
	else
		sodium_memzero(a, sizeof *a);
	return 0;
}

/* A keep function that lets no booking stay: every row read is collected. */
static int
keep_none(void *arg, char cat, int64_t day, int start, int end, int seat)
{
	(void)arg;
	(void)cat;
	(void)day;
	(void)start;
	(void)end;
	(void)seat;
	return 0;
}

int
appt_cancel_identity(struct req *r, const char *idhash, long long holder, int *cancelled)
{
	struct affected_list l = { .keep = keep_none, .max = 16 };
	int rc, i, total = 0, round;

	*cancelled = 0;
	if ((l.rows = calloc((size_t)l.max, sizeof *l.rows)) == NULL)
		return -1;
	/* A few rounds of 16: a number can only have had so many live bookings (the caps). */
	for (round = 0; round < 8; round++) {
		l.n = 0;
		rc = db_query(r->ctx, APPT_ROW_COLS "WHERE a.idnum_hash = ? AND a.status = 'booked'"
		    " AND a.proxy_id IS NULL AND a.citizen_id <> ? ORDER BY a.id LIMIT 16",
		    DBARGS(DBS(idhash), DBI(holder)), affected_collect, &l);
		if (rc < 0)
			break;
		for (i = 0; i < l.n; i++) {
			rc = cancel_row(r, &l.rows[i]);
			/* Checked in or cancelled meanwhile: it stands. */
			if (rc == E_INVALID_STATE)
				rc = 0;
			if (rc != 0)
				break;
			total++;
		}
		if (rc != 0 || l.n < l.max)
			break;
	}
	sodium_memzero(l.rows, (size_t)l.max * sizeof *l.rows);
	free(l.rows);
	*cancelled = total;
	return rc != 0 ? -1 : 0;
}


/* ------------------------------------------------------------ the hall's plan changed */

/* The day's opening as a keep function: a booking stays when its slot lies inside. */
static int
keep_inside(void *arg, char cat, int64_t day, int start, int end, int seat)
{
	const struct hall_day *open = arg;

	(void)cat;
	(void)day;
	(void)seat;
	return open != NULL && hall_day_covers(open, start, end);
}

struct affected {
	appt_keep_fn	 keep;
	void		*arg;
	int		 n;
};

/* category, day, start minute, end minute, seat: counted when keep says no. */
static int
affected_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct affected *o = arg;
	long long s, e, seat;
	int64_t day;

	(void)ncol;
	(void)lens;
	if (v[0] == NULL || date_parse(v[1], &day) != 0 || parse_ll(v[2], 0, 24 * 60, &s) != 0 ||
	    parse_ll(v[3], 0, 24 * 60, &e) != 0 || parse_ll(v[4], 0, 65535, &seat) != 0)
		return 0;
	if (!o->keep(o->arg, v[0][0], day, (int)s, (int)e, (int)seat))
		o->n++;
	return 0;
}

int
appt_affected_count(struct ctx *c, const char *hall, char cat, int64_t from, int64_t to,
    appt_keep_fn keep, void *arg, int *count)
{
	struct affected o = { keep, arg, 0 };
	char f[11], t[11], cs[2] = { cat, '\0' };
	int rc;

	date_format_days(from, f, sizeof f);
	date_format_days(to, t, sizeof t);
	rc = db_query(c, "SELECT category, DATE_FORMAT(day, '%Y-%m-%d'),"
	    " HOUR(start_time) * 60 + MINUTE(start_time), HOUR(end_time) * 60 + MINUTE(end_time),"
	    " seat FROM appointments WHERE hall = ? AND day BETWEEN ? AND ? AND status = 'booked'"
	    " AND (? = '' OR category = ?)", DBARGS(DBS(hall), DBS(f), DBS(t), DBS(cs), DBS(cs)),
	    affected_row, &o);
	*count = o.n;
	return rc < 0 ? rc : 0;
}


int
appt_affected_cancel(struct req *r, const char *hall, char cat, int64_t from, int64_t to,
    appt_keep_fn keep, void *arg, int *cancelled)
{
	struct affected_list l;
	char f[11], t[11], cs[2] = { cat, '\0' };
	long long after = 0;
	int rc = 0, i, total = 0, round;
	int64_t d;

	*cancelled = 0;
	memset(&l, 0, sizeof l);
	l.keep = keep;
	l.arg = arg;
	l.max = 16;
	if ((l.rows = calloc((size_t)l.max, sizeof *l.rows)) == NULL)
		return -1;
	date_format_days(from, f, sizeof f);
	date_format_days(to, t, sizeof t);
	/* In rounds by id: the ones kept stay booked and are passed over. */
	for (round = 0; round < 100000; round++) {
		l.n = l.seen = 0;
		l.last = after;
		rc = db_query(r->ctx, APPT_ROW_COLS "WHERE a.hall = ? AND a.day BETWEEN ? AND ?"
		    " AND a.status = 'booked' AND (? = '' OR a.category = ?) AND a.id > ?"
		    " ORDER BY a.id LIMIT 16", DBARGS(DBS(hall), DBS(f), DBS(t), DBS(cs), DBS(cs),
		    DBI(after)), affected_collect, &l);
		if (rc < 0 || l.seen == 0)
			break;
		for (i = 0; i < l.n; i++) {
			rc = cancel_row(r, &l.rows[i]);
			if (rc == E_INVALID_STATE)	/* checked in or cancelled meanwhile */
				rc = 0;
			if (rc != 0)
				break;
			total++;
		}
		if (rc != 0)
			break;
		after = l.last;
		if (l.seen < l.max)
			break;
	}
	sodium_memzero(l.rows, (size_t)l.max * sizeof *l.rows);
	free(l.rows);
	if (rc < 0)
		rc = -1;
	for (d = from; d <= to && d < from + 400; d++)
		appt_invalidate(r->ctx, hall, d);
	*cancelled = total;
	return rc != 0 ? -1 : 0;
}

int
appt_outside_count(struct ctx *c, const char *hall, int64_t day, const struct hall_day *open,
    int *count)
{
	return appt_affected_count(c, hall, 0, day, day, keep_inside, (void *)open, count);
}

int
appt_outside_cancel(struct req *r, const char *hall, int64_t day, const struct hall_day *open,
    int *cancelled)
{
	return appt_affected_cancel(r, hall, 0, day, day, keep_inside, (void *)open, cancelled);
}

void
appt_day_changed(struct ctx *c, const char *hall, int64_t day)
{
	appt_invalidate(c, hall, day);
}
