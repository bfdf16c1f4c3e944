/*
 * checkin.c — checking in (签到): the booking becomes a priority ticket of the hall's queue,
 * in the ticket's transaction (queue_take's hook), inside the check-in window.
 *
 * Routes: POST /appointments/{token}/check-in    → h_appointment_checkin (holder, kiosk,
 *                                                   clerk)
 *         POST /halls/{hall}/appointments/check-in → h_appointment_checkin_code (kiosk,
 *                                                   clerk: {"code"}, 6 digits, today — a
 *                                                   later day's booking is told its window;
 *                                                   misses throttled: checkin_guard.h)
 * Tables: appointments, appointment_history, audit_log, queue_tickets (through queue.h),
 *         idempotency_keys; citizens (the phone).
 * Redis:  through queue.h (the ticket), checkin_guard.c ({hall:<code>}:checkin:*), idem:*.
 */
#include "handlers.h"
#include "record.h"
#include "checkin_guard.h"
#include "../shared/audit.h"
#include "../shared/idempotency.h"
#include "../identity/identity.h"
#include "../queue/queue.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

struct checkin {
	struct appt_row	*a;
	char		 at[32];
};

/* In the ticket's transaction: the appointment is checked in with that ticket, or neither. */
static int
checkin_hook(struct req *r, void *arg, uint64_t ticket_id)
{
	struct checkin *ci = arg;
	char slot[APPT_SLOT_ID_LEN + 1], target[32];
	uint64_t n = 0;
	int rc;

	rc = db_exec(r->ctx, "UPDATE appointments SET status = 'checked_in', ticket_id = ?,"
	    " checked_in_at = ?, updated_at = ? WHERE id = ? AND status = 'booked'",
	    DBARGS(DBI(ticket_id), DBS(ci->at), DBS(ci->at), DBI(ci->a->id)), &n, NULL);
	if (rc != 0)
		return rc;
	if (n == 0)	/* checked in (or cancelled) meanwhile: the ticket is rolled back */
		return req_err_msg(r, E_INVALID_STATE, APPT_STATE_CHANGED);
	appt_slot_id(ci->a->cat, ci->a->day, ci->a->start_min, slot);
	if ((rc = appt_history(r->ctx, APPT_ACTOR(r), ci->a->id, "check_in", "booked",
	    "checked_in", slot, ci->at)) != 0)
		return rc;
	snprintf(target, sizeof target, "appointment:%lld", ci->a->id);
	audit(r, "appointment.check_in", target, "ok", slot);
	return 0;
}

static int
already_in(struct req *r, const struct appt_row *a)
{
	json_t *t = appt_ticket_json(a);

	if (t == NULL)
		return req_bug(r, "checked-in appointment without its ticket");
	return req_ok(r, 200, json_pack("{s:o,s:o}", "ticket", t, "appointment", appt_row_json(a)));
}

/* 422 OUTSIDE_CHECKIN_WINDOW, with the window (and its day: a citizen a day early must not
 * read it as "today"). */
static int
outside_window(struct req *r, const struct appt_rules *ru, int64_t start, int early)
{
	char from[32], until[32], msg[160];
	int64_t f, u;
	int status;

	appt_checkin_window(ru, start, &f, &u);
	time_format(f, from, sizeof from);
	time_format(u, until, sizeof until);
	fmt(msg, sizeof msg, early ? "还未到签到时间，请在 %d月%d日 %.5s–%.5s 之间签到" :
	    "已超过签到时间（%d月%d日 %.5s–%.5s），请重新预约或现场取号",
	    (from[5] - '0') * 10 + (from[6] - '0'), (from[8] - '0') * 10 + (from[9] - '0'),
	    from + 11, until + 11);
	status = req_err_msg(r, E_OUTSIDE_CHECKIN_WINDOW, msg);
	r->err_extra = json_pack("{s:s,s:s}", "checkin_from", from, "checkin_until", until);
	return status;
}

static int
checkin_idem(struct req *r, struct appt_row *a, struct idem *im)
{
	struct appt_rules ru;
	struct queue_take_args q;
	struct checkin ci;
	char citizen[24], ref[24], phone[24] = "";
	int64_t start = appt_instant(a->day, a->start_min);
	json_t *ticket = NULL;
	int rc, already, early;

	appt_rules(&ru);
	rc = appt_rule_checkin(&ru, a->status, start, hall_now(), &already, &early);
	if (already)
		return already_in(r, a);
	if (rc == E_INVALID_STATE)
		return req_err_msg(r, rc, "该预约已取消");
	if (rc != 0)
		return outside_window(r, &ru, start, early);
	if ((rc = appt_phone(r->ctx, a->citizen, phone)) < 0)
		return db_fail(r, rc);	/* DB_DOWN → 503; a record that does not open: 500 */
	snprintf(citizen, sizeof citizen, "%lld", a->citizen);
	snprintf(ref, sizeof ref, "%lld", a->id);
	memset(&ci, 0, sizeof ci);
	ci.a = a;
	sql_now(ci.at, sizeof ci.at);
	memset(&q, 0, sizeof q);
	q.hall = a->hall;
	q.category = a->cat;
	q.priority = Q_PRI_APPOINTMENT;
	q.source = Q_SRC_APPOINTMENT;
	/* A proxy's booking is the principal's turn, not one of the proxy's own tickets. */
	q.citizen = a->proxy_id ? NULL : citizen;
	q.phone = phone[0] ? phone : NULL;
	q.appointment = ref;
	q.idem = im;
	q.tx_hook = checkin_hook;
	q.tx_arg = &ci;
	rc = queue_take(r, &q, &ticket);
	sodium_memzero(phone, sizeof phone);
	if (rc == 0) {
		str_copy(a->status, sizeof a->status, "checked_in");
		rc = req_ok(r, 201, json_pack("{s:o,s:o}", "ticket", ticket, "appointment",
		    appt_row_json(a)));
	} else if (rc == 409 && r->err_code && strcmp(r->err_code, "INVALID_STATE") == 0) {
		/* A twin request checked in first: show its ticket. */
		struct appt_row again;

		if (appt_row_by_token(r->ctx, a->token, &again) == 1 &&
		    strcmp(again.status, "checked_in") == 0) {
			r->err_code = NULL;
			rc = already_in(r, &again);
		}
	}
	return rc;
}

static int
checkin(struct req *r, struct appt_row *a)
{
	struct idem im;
	int rc;

	if ((rc = idem_begin(r, &im)) != 0)
		return rc;
	rc = checkin_idem(r, a, &im);
	idem_end(r, &im);
	return rc;
}

int
h_appointment_checkin(struct req *r)
{
	struct appt_row a;
	int rc;

	if ((rc = appt_row_of_path(r, APPT_VIEWER, &a)) != 0)
		return rc;
	return checkin(r, &a);
}

/* 429 RATE_LIMITED: too many codes that matched nothing, at this desk or in the hall. */
static int
code_tries_exhausted(struct req *r, int seconds, int hall_wide)
{
	char ra[16], msg[256];
	int minutes = (seconds + 59) / 60, status;

	fmt(ra, sizeof ra, "%d", seconds);
	req_header(r, "Retry-After", ra);
	fmt(msg, sizeof msg, "%s预约码输错次数过多，请 %d 分钟后再试；也可扫描预约二维码签到，或到窗口办理",
	    hall_wide ? "本中心" : "本机", minutes < 1 ? 1 : minutes);
	status = req_err_msg(r, E_RATE_LIMITED, msg);
	r->err_extra = json_pack("{s:s}", "limit", hall_wide ? "hall" : "session");
	return status;
}

int
h_appointment_checkin_code(struct req *r)
{
	const char *hall = r->pathv[0], *code = NULL;
	struct appt_row a;
	struct checkin_try g;
	char today[11];
	size_t i;
	int rc, wait = 0;

	in_str(r, r->body, "code", 1, 6, 6, &code);
	for (i = 0; code && i < 6; i++)
		if (code[i] < '0' || code[i] > '9') {
			req_fail_field(r, "code", "预约码为 6 位数字");
			break;
		}
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = require_member_of_hall(r, hall)) != 0)
		return rc;
	/* Counted as a miss before the code is looked up (checkin_guard.h). */
	rc = checkin_guard_begin(r->ctx, hall, r->sess.id, &g, &wait);
	if (rc == CHECKIN_DOWN)
		return req_unavailable(r);
	if (rc != CHECKIN_GO)
		return code_tries_exhausted(r, wait, rc == CHECKIN_HALL_LIMIT);
	date_format_days(hall_day(hall_now()), today, sizeof today);
	memset(&a, 0, sizeof a);
	rc = db_query(r->ctx, APPT_ROW_COLS "WHERE a.hall = ? AND a.day = ? AND a.code = ?",
	    DBARGS(DBS(hall), DBS(today), DBS(code)), appt_one_row, &a);
	if (rc < 0) {
		checkin_guard_found(r->ctx, &g);	/* nothing was looked up: not a miss */
		return db_fail(r, rc);
	}
	if (!a.found) {
		/* Not today's: a booking of a later day with that code is told its day and
		 * hours (422 OUTSIDE_CHECKIN_WINDOW), not that the code is wrong. */
		rc = db_query(r->ctx, APPT_ROW_COLS "WHERE a.hall = ? AND a.day > ? AND a.code = ?"
		    " AND a.status = 'booked' ORDER BY a.day LIMIT 1",
		    DBARGS(DBS(hall), DBS(today), DBS(code)), appt_one_row, &a);
		if (rc < 0) {
			checkin_guard_found(r->ctx, &g);
			return db_fail(r, rc);
		}
	}
	if (!a.found)
		return req_err_msg(r, E_NOT_FOUND, "今天没有这个预约码的预约，请核对");
	/* Found: not a miss.  Should Redis fail here the try stays counted, which is harmless
	 * (and the check-in below needs Redis anyway). */
	checkin_guard_found(r->ctx, &g);
	return checkin(r, &a);
}

