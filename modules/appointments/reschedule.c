/*
 * reschedule.c — moving a booking to another slot, atomically: the new place is taken
 * before the old one is given back, so a failed move leaves the booking as it was.
 *
 * Routes: POST /appointments/{token}/reschedule → h_appointment_reschedule (holder: {"slot"})
 * Tables: appointments, appointment_history, audit_log, outbox, idempotency_keys,
 *         categories; citizens (the phone).
 * Redis:  {hall:<code>}:appt:* through state.c; idem:*.
 *
 * The move's transaction keeps its own BEGIN/COMMIT (not db_tx): a colliding code is drawn
 * again in a new transaction, and a commit whose answer is lost is checked against the row.
 */
#include "handlers.h"
#include "record.h"
#include "../shared/audit.h"
#include "../hall/calendar.h"
#include "../shared/idempotency.h"
#include "../identity/identity.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int
move_record(struct req *r, struct appt_row *a, const struct appt_slot *to, int seat,
    const char *phone, struct idem *im, const char *from_slot)
{
	char date[11], start[6], end[6], at[32], code[8], detail[64], target[32];
	char old_date[11], old_start[6];
	struct appt_row moved;
	json_t *body;
	uint64_t n = 0;
	int rc, attempt;

	date_format_days(to->day, date, sizeof date);
	appt_hhmm(to->start_min, start);
	appt_hhmm(to->end_min, end);
	date_format_days(a->day, old_date, sizeof old_date);
	appt_hhmm(a->start_min, old_start);
	sql_now(at, sizeof at);
	str_copy(code, sizeof code, a->code);
	for (attempt = 0; attempt < 4; attempt++) {
		if ((rc = db_begin(r->ctx)) != 0)
			return db_fail(r, rc);
		rc = db_exec(r->ctx, "UPDATE appointments SET category = ?, day = ?, start_time = ?,"
		    " end_time = ?, seat = ?, code = ?, reminded_at = NULL, updated_at = ?"
		    " WHERE id = ? AND status = 'booked' AND day = ? AND start_time = ?"
		    " AND category = ?",
		    DBARGS(DBSN(&to->cat, 1), DBS(date), DBS(start), DBS(end), DBI(seat), DBS(code),
		    DBS(at), DBI(a->id), DBS(old_date), DBS(old_start), DBSN(&a->cat, 1)), &n, NULL);
		if (rc != DB_DUP)
			break;
		db_rollback(r->ctx);
		if ((rc = appt_code_taken(r->ctx, a->hall, date, code)) < 0)
			return db_fail(r, rc);
		if (rc == 0) {
			/* Not the code: the place or the day in MariaDB disagrees with Redis. */
			appt_invalidate(r->ctx, a->hall, to->day);
			return REC_RETRY;
		}
		appt_code_new(code);
	}
	if (rc == DB_DUP)
		return req_bug(r, "appointment codes keep colliding");
	if (rc == 0 && n == 0) {
		db_rollback(r->ctx);
		return req_err_msg(r, E_INVALID_STATE, APPT_STATE_CHANGED);
	}
	moved = *a;
	moved.cat = to->cat;
	moved.day = to->day;
	moved.start_min = to->start_min;
	moved.end_min = to->end_min;
	moved.seat = seat;
	str_copy(moved.code, sizeof moved.code, code);
	snprintf(detail, sizeof detail, "%s -> %s", from_slot, to->id);
	snprintf(target, sizeof target, "appointment:%lld", a->id);
	if (rc == 0 && to->cat != a->cat)
		rc = db_scalar(r->ctx, "SELECT name FROM categories WHERE hall = ? AND code = ?",
		    DBARGS(DBS(a->hall), DBSN(&to->cat, 1)), moved.cat_name,
		    sizeof moved.cat_name) < 0 ? DB_DOWN : 0;
	if (rc == 0)
		rc = appt_history(r->ctx, APPT_ACTOR(r), a->id, "reschedule", "booked", "booked",
		    detail, at);
	if (rc == 0) {
		audit(r, "appointment.reschedule", target, "ok", detail);
		rc = appt_sms(r->ctx, &moved, phone, 0);
	}
	body = json_pack("{s:o}", "appointment", appt_row_json(&moved));
	if (rc == 0)
		rc = idem_save_tx(r, im, 200, body);
	if (rc != 0) {
		db_rollback(r->ctx);
		json_decref(body);
		if (rc == DB_DUP && im->active)
			return idem_replay(r, im);
		return db_fail(r, rc);
	}
	if ((rc = db_commit(r->ctx)) != 0) {
		char st[16] = "";
		int was = db_scalar(r->ctx, "SELECT DATE_FORMAT(day, '%Y-%m-%d') FROM appointments"
		    " WHERE id = ? AND start_time = ? AND category = ?",
		    DBARGS(DBI(a->id), DBS(start), DBSN(&to->cat, 1)), st, sizeof st);

		if (was != 1 || strcmp(st, date) != 0) {
			json_decref(body);
			if (was < 0) {
				appt_invalidate(r->ctx, a->hall, to->day);
				appt_invalidate(r->ctx, a->hall, a->day);
			}
			return db_fail(r, rc == DB_RETRY ? DB_RETRY : DB_DOWN);
		}
	}
	*a = moved;
	return req_ok(r, 200, body);
}

/*
 * The move: the new place first, the old one kept — a full slot changes nothing; a ban
 * stops new bookings, not the move of one already made.  Once the move is recorded the old
 * place is given back into the state it was taken from; when it is not, the new one is.
 */
static int
reschedule(struct req *r, struct appt_row *a, struct appt_slot *to, const char *slot,
    struct idem *im)
{
	struct appt_rules ru;
	struct appt_take t;
	struct appt_epochs old_ep;
	struct appt_move mv;
	char from[APPT_SLOT_ID_LEN + 1], citizen[APPT_HOLDER_MAX], phone[24] = "";
	int rc, attempt, old_seat;
	int64_t old_day, now = hall_now();

	appt_slot_id(a->cat, a->day, a->start_min, from);
	rc = appt_rule_reschedule(a->status, appt_instant(a->day, a->start_min), now, from, slot);
	if (rc != 0)
		return req_err_msg(r, rc, rc == E_INVALID_STATE ? "只有待签到的预约可以改约" :
		    rc == E_APPOINTMENT_STARTED ? "预约时段已开始，不能改约" : NULL);
	rc = appt_slot_find(r->ctx, a->hall, slot, to);
	if (rc == 0 || rc == CAL_MISSING)
		return req_err_msg(r, E_NOT_FOUND, APPT_SLOT_NOT_FOUND);
	if (rc < 0)
		return db_fail(r, rc);
	if (to->retired)	/* no new booking in a retired category, moved ones included */
		return req_err_msg(r, E_SLOT_UNAVAILABLE, "该业务类别已停止预约，请选择其他类别");
	appt_rules(&ru);
	if ((rc = appt_rule_bookable(&ru, now, to->day, to->start_min)) != 0)
		return req_err(r, rc);
	if ((rc = appt_phone(r->ctx, a->citizen, phone)) < 0)
		return db_fail(r, rc);	/* DB_DOWN → 503; a record that does not open: 500 */
	appt_row_holder(a, citizen);
	old_day = a->day;
	old_seat = a->seat;
	appt_rule_move(old_day, to->day, &mv);
	for (attempt = 0; attempt < 3; attempt++) {
		memset(&t, 0, sizeof t);
		t.hall = a->hall;
		t.slot = to;
		t.citizen = citizen;
		t.idhash = a->idhash;
		t.move = 1;
		t.same_day = mv.same_day;
		t.same_week = mv.same_week;
		t.same_month = mv.same_month;
		if ((rc = appt_take_fail(r, appt_take(r->ctx, &t), &t)) != 0)
			break;
		/* The old day is loaded now (same day) or was before: its epochs say which state
		 * the old place is to be given back into once the move is recorded. */
		if (appt_ready(r->ctx, a->hall, old_day) != 0 ||
		    appt_epochs_get(r->ctx, a->hall, old_day, &old_ep) != 0)
			memset(&old_ep, 0, sizeof old_ep);
		rc = move_record(r, a, to, t.seat, phone, im, from);
		if (rc == REC_RETRY)
			continue;
		if (rc >= 200 && rc < 300) {
			if (appt_release(r->ctx, a->hall, from, old_seat, citizen, a->idhash, &old_ep,
			    mv.release) != 0) {
				log_warn("hall %s: old place of %s not given back", a->hall, from);
				appt_invalidate(r->ctx, a->hall, old_day);
			}
		} else if (appt_release(r->ctx, a->hall, to->id, t.seat, citizen, a->idhash, &t.ep,
		    mv.release) != 0)
			log_warn("hall %s: place of %s not given back (Redis down)", a->hall, to->id);
		break;
	}
	sodium_memzero(phone, sizeof phone);
	if (attempt == 3)
		rc = appt_busy(r);
	return rc;
}

int
h_appointment_reschedule(struct req *r)
{
	struct appt_row a;
	struct appt_slot to;
	struct idem im;
	const char *slot = NULL;
	int rc;

	memset(&to, 0, sizeof to);
	in_str(r, r->body, "slot", 1, 1, 32, &slot);
	if (slot && appt_slot_parse(slot, &to.cat, &to.day, &to.start_min) != 0)
		req_fail_field(r, "slot", "不是有效的时段");
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = appt_row_of_path(r, APPT_HOLDER, &a)) != 0)
		return rc;
	if ((rc = idem_begin(r, &im)) != 0)
		return rc;
	rc = reschedule(r, &a, &to, slot, &im);
	idem_end(r, &im);
	return rc;
}

