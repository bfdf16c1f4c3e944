/*
 * resend.c — a fresh appointment code for a booking's notice resent by staff
 * (POST /notices/{id}/resend, notify/notify_api.c): the renewer this room hands the notify
 * room at start (notify_on_resend, programs/assembly.c).
 *
 * Tables: appointments (code), appointment_history.  Redis: none.
 */
#include "appointments.h"
#include "../../fcgi/yc.h"
#include "../notify/notify.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

/* appointment_booked / appointment_reminder .code: a new appointment code (unique in the
 * hall's day); the one sent before stops working at the kiosk. */
int
appt_renew_code(struct req *r, const struct notice_ref *o, char *out, size_t osz,
    const char **msg)
{
	char code[8], now[32], today[12];
	long long id;
	uint64_t n = 0;
	int rc = 0, tries;

	if (parse_ll(o->ref_id, 1, INT64_MAX, &id) != 0) {
		*msg = "找不到这条通知对应的预约";
		return 1;
	}
	sql_now(now, sizeof now);
	date_format_t(hall_now(), today, sizeof today);
	for (tries = 0; tries < 8; tries++) {
		fmt(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
		rc = db_exec(r->ctx, "UPDATE appointments SET code = ?, updated_at = ?"
		    " WHERE id = ? AND hall = ? AND status = 'booked' AND day >= ?",
		    DBARGS(DBS(code), DBS(now), DBI(id), DBS(r->sess.hall), DBS(today)), &n, NULL);
		if (rc != DB_DUP)	/* another booking of that day has it: draw again */
			break;
	}
	if (rc == 0 && n == 0) {
		*msg = "预约已取消、已签到或已过期，无需重发预约码";
		rc = 1;
	}
	if (rc == 0)
		rc = db_exec(r->ctx, "INSERT INTO appointment_history (appointment_id, at, action,"
		    " from_status, to_status, actor_kind, actor, detail)"
		    " VALUES (?, ?, 'new_code', 'booked', 'booked', 'staff', ?, ?)",
		    DBARGS(DBI(id), DBS(now), DBS(r->sess.subject),
		    DBS("notice resent: a new appointment code, the old one is void")), NULL, NULL);
	if (rc == 0)
		str_copy(out, osz, code);
	sodium_memzero(code, sizeof code);
	return rc;
}
