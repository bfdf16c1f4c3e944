/*
 * record.c — a booking's row: reading it (APPT_ROW_COLS, by token), its JSON as docs/API.md
 * shows it, its history rows and SMS, and the refusals the booking routes share.
 *
 * Routes: none (book.c, cancel.c, reschedule.c, checkin.c and view_api.c serve them).
 * Tables: appointments, halls, categories, queue_tickets (read with the row),
 *         appointment_history, outbox (through outbox.h), citizens (the phone, identity.h).
 * Redis:  none.
 */
#include "record.h"
#include "../identity/identity.h"
#include "../notify/outbox.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void
open_sealed(const char *v, size_t n, char *out, size_t osz)
{
	out[0] = '\0';
	if (v == NULL || pii_open((const unsigned char *)v, n, out, osz) != 0)
		out[0] = '\0';
}

#define AR_S(m)		DBC_S(struct appt_row, m)
#define AR_I(m, lo, hi)	DBC_I(struct appt_row, m, lo, hi)
static const struct db_col appt_cols[] = {	/* APPT_ROW_COLS; the rest below */
	AR_I(id, 1, INT64_MAX), DBC_NONE /* token, sealed */, AR_S(code), AR_S(hall),
	AR_S(hall_name), DBC_NONE /* cat */, AR_S(cat_name), DBC_NONE /* day */,
	AR_I(start_min, 0, 1440), AR_I(end_min, 0, 1440), AR_I(seat, 1, 1000),
	AR_I(citizen, 1, INT64_MAX), DBC_NONE /* name, sealed */, DBC_NONE /* idnum, sealed */,
	AR_S(idhash), AR_S(item), AR_S(status), AR_I(ticket_id, 1, INT64_MAX), AR_S(t_token),
	AR_S(t_number), AR_S(t_status), AR_S(t_priority), DBC_NONE /* t_cat */,
	AR_I(proxy_id, 1, INT64_MAX),
};
#undef AR_S
#undef AR_I

void
appt_row_fill(struct appt_row *a, char **v, const size_t *lens)
{
	memset(a, 0, sizeof *a);
	a->found = 1;
	db_row_fill(a, DB_COLS(appt_cols), NELEM(appt_cols), v);	/* all of APPT_ROW_COLS */
	open_sealed(v[1], lens[1], a->token, sizeof a->token);
	open_sealed(v[12], lens[12], a->name, sizeof a->name);
	open_sealed(v[13], lens[13], a->idnum, sizeof a->idnum);
	a->cat = v[5][0];
	date_parse(v[7], &a->day);
	a->t_cat = v[22] ? v[22][0] : 0;
}

void
appt_row_holder(const struct appt_row *a, char out[APPT_HOLDER_MAX])
{
	appt_holder(a->citizen, a->proxy_id, a->idhash, out);
}

int
appt_one_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	(void)ncol;
	appt_row_fill(arg, v, lens);
	return 1;
}

void
appt_token_hash(const char *token, char out[65])
{
	hex_sha256(token, strlen(token), out);
}

int
appt_row_by_token(struct ctx *c, const char *token, struct appt_row *a)
{
	char h[65];
	int rc;

	memset(a, 0, sizeof *a);
	if (!token_ok(token, 64))
		return 0;
	appt_token_hash(token, h);
	rc = db_query(c, APPT_ROW_COLS "WHERE a.token_hash = ?", DBARGS(DBS(h)), appt_one_row, a);
	return rc < 0 ? rc : a->found;
}

json_t *
appt_ticket_json(const struct appt_row *a)
{
	char url[64];

	if (a->t_token[0] == '\0')
		return NULL;
	snprintf(url, sizeof url, "/q/%s", a->t_token);
	return json_pack("{s:s,s:s,s:s#,s:s,s:s,s:s}", "token", a->t_token, "number", a->t_number,
	    "category", &a->t_cat, (size_t)1, "status", a->t_status, "priority", a->t_priority,
	    "track_url", url);
}

json_t *
appt_row_json(const struct appt_row *a)
{
	struct appt_rules ru;
	char date[11], start[32], end[32], from[32], until[32], slot[APPT_SLOT_ID_LEN + 1];
	char name[128], id[32];
	int64_t wfrom, wuntil;
	json_t *o, *t;

	appt_rules(&ru);
	date_format_days(a->day, date, sizeof date);
	appt_time(a->day, a->start_min, start, sizeof start);
	appt_time(a->day, a->end_min, end, sizeof end);
	appt_checkin_window(&ru, appt_instant(a->day, a->start_min), &wfrom, &wuntil);
	time_format(wfrom, from, sizeof from);
	time_format(wuntil, until, sizeof until);
	appt_slot_id(a->cat, a->day, a->start_min, slot);
	mask_name(a->name, name, sizeof name);
	mask_id(a->idnum, id, sizeof id);
	o = json_pack("{s:s,s:s,s:s,s:s,s:s#,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
	    "token", a->token, "code", a->code, "hall", a->hall, "hall_name", a->hall_name,
	    "category", &a->cat, (size_t)1, "category_name", a->cat_name, "slot", slot,
	    "date", date, "start", start, "end", end, "status", a->status, "name", name,
	    "id_number", id, "checkin_from", from, "checkin_until", until);
	json_object_set_new(o, "item", a->item[0] ? json_string(a->item) : json_null());
	/* Booked through a proxy relation (亲友代办) for someone else's ID number. */
	json_object_set_new(o, "proxy", json_boolean(a->proxy_id > 0));
	if ((t = appt_ticket_json(a)) != NULL)
		json_object_set_new(o, "ticket", t);
	return o;
}

/* ------------------------------------------------------------------ history, SMS */

int
appt_history(struct ctx *c, struct appt_actor who, long long id, const char *action,
    const char *from, const char *to, const char *detail, const char *at)
{
	const char *kind = who.role == ROLE_CITIZEN ? "citizen" :
	    who.role == ROLE_KIOSK ? "kiosk" : who.role ? "staff" : "system";

	return db_exec(c, "INSERT INTO appointment_history (appointment_id, at, action,"
	    " from_status, to_status, actor_kind, actor, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	    DBARGS(DBI(id), DBS(at), DBS(action), DBSO(from), DBS(to), DBS(kind),
	    DBS(who.subject), DBS(detail ? detail : "")), NULL, NULL);
}

json_t *
appt_sms_params(const char *hall_name, int64_t day, int start_min)
{
	char date[32], hhmm[6];
	int y;
	unsigned mo, d;

	civil_from_days(day, &y, &mo, &d);
	snprintf(date, sizeof date, "%d年%u月%u日", y, mo, d);
	appt_hhmm(start_min, hhmm);
	return json_pack("{s:s,s:s,s:s}", "hall_name", hall_name, "date", date, "time", hhmm);
}

int
appt_sms_queue(struct ctx *c, const char *hall, long long id, const char *phone,
    const char *template, json_t *params, int urgent)
{
	char ref[24];
	struct outbox_msg m = { .hall = hall, .template = template, .recipient = phone,
		.params = params, .ref_kind = "appointment", .ref_id = ref, .urgent = urgent };
	int rc;

	snprintf(ref, sizeof ref, "%lld", id);
	rc = outbox_add(c, &m, NULL);
	json_decref(params);
	return rc == -1 ? DB_FAIL : rc;
}

int
appt_sms(struct ctx *c, const struct appt_row *a, const char *phone, int cancelled)
{
	json_t *params;

	if (phone == NULL || phone[0] == '\0')
		return 0;
	params = appt_sms_params(a->hall_name, a->day, a->start_min);
	json_object_set_new(params, "category", json_string(a->cat_name));
	if (!cancelled)
		json_object_set_new(params, "code", json_string(a->code));
	return appt_sms_queue(c, a->hall, a->id, phone,
	    cancelled ? "appointment_cancelled" : "appointment_booked", params, 1);
}

void
appt_code_new(char code[8])
{
	snprintf(code, 8, "%06u", (unsigned)randombytes_uniform(1000000));
}

int
appt_code_taken(struct ctx *c, const char *hall, const char *date, const char *code)
{
	char one[4];

	return db_scalar(c, "SELECT 1 FROM appointments WHERE hall = ? AND day = ? AND code = ?",
	    DBARGS(DBS(hall), DBS(date), DBS(code)), one, sizeof one);
}

int
appt_phone(struct ctx *c, long long citizen, char phone[24])
{
	struct citizen cz;
	int rc;

	phone[0] = '\0';
	if ((rc = citizen_get(c, citizen, &cz)) == 1)
		str_copy(phone, 24, cz.phone);
	sodium_memzero(&cz, sizeof cz);
	return rc;
}

/* ------------------------------------------------------------------ shared replies */

int
appt_may_see(struct req *r, const struct appt_row *a)
{
	if (r->sess.role == ROLE_CITIZEN)
		return require_owner(r, a->citizen);
	return require_member_of_hall(r, a->hall);
}

int
appt_row_of_path(struct req *r, int who, struct appt_row *a)
{
	int rc;

	if ((rc = db_found(r, appt_row_by_token(r->ctx, r->pathv[0], a), APPT_NOT_FOUND)) != 0)
		return rc;
	return who == APPT_HOLDER ? require_owner(r, a->citizen) : appt_may_see(r, a);
}

int
appt_take_fail(struct req *r, enum appt_take_rc rc, const struct appt_take *t)
{
	int kind = appt_take_kind((int)rc), week = rc == APPT_TAKE_LIMIT_WEEK, status;
	char until[11];

	switch (kind) {
	case 0:
		return 0;
	case E_NOT_FOUND:
		return req_err_msg(r, kind, APPT_SLOT_NOT_FOUND);
	case E_BOOKING_LIMIT:
		status = req_err_msg(r, kind, week ? "该证件本周的预约次数已达上限" :
		    "该证件本月的预约次数已达上限");
		r->err_extra = json_pack("{s:s}", "limit", week ? "week" : "month");
		return status;
	case E_NO_SHOW_BANNED:
		date_format_days(t->banned_until, until, sizeof until);
		status = req_err(r, kind);
		r->err_extra = json_pack("{s:s}", "until", until);
		return status;
	case E_UNAVAILABLE:
		return rc == APPT_TAKE_BUSY ? appt_busy(r) : req_unavailable(r);
	default:
		return req_err(r, kind);
	}
}

int
appt_busy(struct req *r)
{
	req_header(r, "Retry-After", "1");
	return req_err_msg(r, E_UNAVAILABLE, "预约系统繁忙，请稍后重试");
}

/* Can the slot be booked now: within the days ahead, not begun.  0 or 422 set. */
