/*
 * appointments.c — booking, cancelling, rescheduling and checking in (预约).
 *
 * Routes: POST   /appointments                           citizen (real-name booking)
 *         GET    /me/appointments                        citizen
 *         GET    /appointments/{token}                   holder, staff or kiosk of the hall
 *         DELETE /appointments/{token}                   holder: cancel, the place is free at once
 *         POST   /appointments/{token}/reschedule        holder: {"slot"}, atomic move
 *         POST   /appointments/{token}/check-in          holder, kiosk, clerk → priority ticket
 *         POST   /halls/{hall}/appointments/check-in     kiosk, clerk: {"code"} (6 digits, today;
 *                                                         misses throttled: checkin_guard.h)
 * Tables: appointments, appointment_history, audit_log, outbox, idempotency_keys, citizens
 *         (through identity.h; the ID number's binding through realname.h), queue_tickets
 *         (through queue.h; read for the ticket shown), halls, categories, items.
 * Redis:  {hall:<code>}:appt:* through appointments_state.c; idem:* (idempotency.c).
 *
 * A booking is taken in Redis first — capacity and every per-citizen rule checked and taken
 * in one script — then recorded in MariaDB in one transaction with its history, audit and
 * outbox rows.  When the record fails the place is given back (503, nothing half-written);
 * when the outcome of the commit is unknown the day's Redis state is dropped so that it is
 * rebuilt from MariaDB, which is the truth.
 *
 * Real name (realname.h): a citizen books for the ID number their account holds (the first
 * use binds it, in the booking's transaction), or for one they hold a proxy relation for.  A
 * proxy booking belongs to the account that made it (it sees, moves, cancels and checks it
 * in), but counts for the principal only: the caps, bans and the one-a-day rule go by the ID
 * number, and the day is held in Redis under "x:<ID number hash>" (appt_holder), not under
 * the proxy's account.
 */
#include "handlers.h"
#include "appointments.h"
#include "appointments_int.h"
#include "../shared/audit.h"
#include "../hall/calendar.h"
#include "../hall/catalog.h"
#include "checkin_guard.h"
#include "../shared/idempotency.h"
#include "../identity/identity.h"
#include "../notify/outbox.h"
#include "../shared/pii.h"
#include "../queue/queue.h"
#include "../identity/realname.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CHARS 30

/* ------------------------------------------------------------------ the record */

struct appt_row {
	int		 found;
	long long	 id;
	char		 token[48];
	char		 code[8];
	char		 hall[33];
	char		 hall_name[256];
	char		 cat;
	char		 cat_name[160];
	int64_t		 day;
	int		 start_min, end_min;
	int		 seat;
	long long	 citizen;
	long long	 proxy_id;	/* booked through this proxy relation, 0: own */
	char		 name[128];
	char		 idnum[24];
	char		 idhash[65];
	char		 item[48];
	char		 status[16];
	long long	 ticket_id;
	char		 t_token[40], t_number[12], t_status[16], t_priority[16];
	char		 t_cat;
};

#define ROW_COLS \
	"SELECT a.id, a.token_enc, a.code, a.hall, h.name, a.category, c.name," \
	" DATE_FORMAT(a.day, '%Y-%m-%d'), HOUR(a.start_time) * 60 + MINUTE(a.start_time)," \
	" HOUR(a.end_time) * 60 + MINUTE(a.end_time), a.seat, a.citizen_id, a.name_enc," \
	" a.idnum_enc, a.idnum_hash, a.item, a.status, a.ticket_id, t.token, t.number, t.status," \
	" t.priority, t.category, a.proxy_id" \
	" FROM appointments a JOIN halls h ON h.code = a.hall" \
	" JOIN categories c ON c.hall = a.hall AND c.code = a.category" \
	" LEFT JOIN queue_tickets t ON t.id = a.ticket_id "

static void
open_sealed(const char *v, size_t n, char *out, size_t osz)
{
	out[0] = '\0';
	if (v == NULL || pii_open((const unsigned char *)v, n, out, osz) != 0)
		out[0] = '\0';
}

static void
row_fill(struct appt_row *a, char **v, const size_t *lens)
{
	long long n;

	memset(a, 0, sizeof *a);
	a->found = 1;
	parse_ll(v[0], 1, INT64_MAX, &a->id);
	open_sealed(v[1], lens[1], a->token, sizeof a->token);
	str_copy(a->code, sizeof a->code, v[2]);
	str_copy(a->hall, sizeof a->hall, v[3]);
	str_copy(a->hall_name, sizeof a->hall_name, v[4]);
	a->cat = v[5][0];
	str_copy(a->cat_name, sizeof a->cat_name, v[6]);
	date_parse(v[7], &a->day);
	if (parse_ll(v[8], 0, 1440, &n) == 0)
		a->start_min = (int)n;
	if (parse_ll(v[9], 0, 1440, &n) == 0)
		a->end_min = (int)n;
	if (v[10] && parse_ll(v[10], 1, 1000, &n) == 0)
		a->seat = (int)n;
	parse_ll(v[11], 1, INT64_MAX, &a->citizen);
	open_sealed(v[12], lens[12], a->name, sizeof a->name);
	open_sealed(v[13], lens[13], a->idnum, sizeof a->idnum);
	str_copy(a->idhash, sizeof a->idhash, v[14]);
	str_copy(a->item, sizeof a->item, v[15] ? v[15] : "");
	str_copy(a->status, sizeof a->status, v[16]);
	if (v[17])
		parse_ll(v[17], 1, INT64_MAX, &a->ticket_id);
	str_copy(a->t_token, sizeof a->t_token, v[18] ? v[18] : "");
	str_copy(a->t_number, sizeof a->t_number, v[19] ? v[19] : "");
	str_copy(a->t_status, sizeof a->t_status, v[20] ? v[20] : "");
	str_copy(a->t_priority, sizeof a->t_priority, v[21] ? v[21] : "");
	a->t_cat = v[22] ? v[22][0] : 0;
	if (v[23])
		parse_ll(v[23], 1, INT64_MAX, &a->proxy_id);
}

/* The Redis day holder of a booking (appt_holder). */
static void
row_holder(const struct appt_row *a, char out[APPT_HOLDER_MAX])
{
	appt_holder(a->citizen, a->proxy_id, a->idhash, out);
}

static int
one_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	(void)ncol;
	row_fill(arg, v, lens);
	return 1;
}

static void
token_hash(const char *token, char out[65])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, (const unsigned char *)token, strlen(token));
	hex_encode(out, d, sizeof d);
}

/* By token.  1 found, 0 not, or a DB_* code. */
static int
row_by_token(struct ctx *c, const char *token, struct appt_row *a)
{
	char h[65];
	int rc;

	memset(a, 0, sizeof *a);
	if (!token_ok(token, 64))
		return 0;
	token_hash(token, h);
	rc = db_query(c, ROW_COLS "WHERE a.token_hash = ?", DBARGS(DBS(h)), one_row, a);
	return rc < 0 ? rc : a->found;
}

static json_t *
ticket_json(const struct appt_row *a)
{
	char url[64];

	if (a->t_token[0] == '\0')
		return NULL;
	snprintf(url, sizeof url, "/q/%s", a->t_token);
	return json_pack("{s:s,s:s,s:s#,s:s,s:s,s:s}", "token", a->t_token, "number", a->t_number,
	    "category", &a->t_cat, (size_t)1, "status", a->t_status, "priority", a->t_priority,
	    "track_url", url);
}

static json_t *
row_json(const struct appt_row *a)
{
	struct appt_rules ru;
	char date[11], start[32], end[32], from[32], until[32], slot[APPT_SLOT_ID_LEN + 1];
	char name[128], id[32];
	json_t *o, *t;

	appt_rules(&ru);
	date_format_days(a->day, date, sizeof date);
	appt_time(a->day, a->start_min, start, sizeof start);
	appt_time(a->day, a->end_min, end, sizeof end);
	time_format(appt_instant(a->day, a->start_min) - ru.checkin_before * 60, from, sizeof from);
	time_format(appt_instant(a->day, a->start_min) + ru.checkin_after * 60, until,
	    sizeof until);
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
	if ((t = ticket_json(a)) != NULL)
		json_object_set_new(o, "ticket", t);
	return o;
}

/* ------------------------------------------------------------------ shared pieces */

static void
now_dt(char out[32])
{
	appt_now_dt(out, 32);
}

static int
history(struct req *r, long long id, const char *action, const char *from, const char *to,
    const char *detail, const char *at)
{
	const char *kind = r->sess.role == ROLE_CITIZEN ? "citizen" :
	    r->sess.role == ROLE_KIOSK ? "kiosk" : r->sess.role ? "staff" : "system";

	return db_exec(r->ctx, "INSERT INTO appointment_history (appointment_id, at, action,"
	    " from_status, to_status, actor_kind, actor, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	    DBARGS(DBI(id), DBS(at), DBS(action), DBSO(from), DBS(to), DBS(kind),
	    DBS(r->sess.subject), DBS(detail ? detail : "")), NULL, NULL);
}

/*
 * A booking's SMS, in the caller's transaction: the confirmation (new booking or a move,
 * template appointment_booked, with the code) or the cancellation (appointment_cancelled:
 * the citizen learns that the place, and its code, is gone whoever cancelled it).  No phone
 * bound (a mini-program citizen without one): nothing to send.
 */
static int
sms_appointment(struct req *r, const struct appt_row *a, const char *phone, int cancelled)
{
	struct outbox_msg m;
	char date[32], hhmm[6], ref[24];
	json_t *params;
	int y, rc;
	unsigned mo, d;

	if (phone == NULL || phone[0] == '\0')
		return 0;
	civil_from_days(a->day, &y, &mo, &d);
	snprintf(date, sizeof date, "%d年%u月%u日", y, mo, d);
	appt_hhmm(a->start_min, hhmm);
	snprintf(ref, sizeof ref, "%lld", a->id);
	params = json_pack("{s:s,s:s,s:s,s:s}", "hall_name", a->hall_name, "date", date,
	    "time", hhmm, "category", a->cat_name);
	if (!cancelled)
		json_object_set_new(params, "code", json_string(a->code));
	memset(&m, 0, sizeof m);
	m.hall = a->hall;
	m.template = cancelled ? "appointment_cancelled" : "appointment_booked";
	m.recipient = phone;
	m.params = params;
	m.ref_kind = "appointment";
	m.ref_id = ref;
	m.urgent = 1;
	rc = outbox_add(r->ctx, &m, NULL);
	json_decref(params);
	return rc == -1 ? DB_FAIL : rc;
}

static int
map_take(struct req *r, enum appt_take_rc rc, const struct appt_take *t)
{
	char until[11];
	json_t *x;

	switch (rc) {
	case APPT_TAKE_OK:
		return 0;
	case APPT_TAKE_NO_SLOT:
		return req_fail(r, 404, "NOT_FOUND", "没有这个预约时段");
	case APPT_TAKE_FULL:
		return req_fail(r, 409, "SLOT_FULL", "该时段已约满，请选择其他时段");
	case APPT_TAKE_ALREADY:
		return req_fail(r, 409, "ALREADY_BOOKED", "您当天在本中心已有预约，每人每天限约一次");
	case APPT_TAKE_LIMIT_WEEK:
	case APPT_TAKE_LIMIT_MONTH:
		req_fail(r, 429, "BOOKING_LIMIT", rc == APPT_TAKE_LIMIT_WEEK ?
		    "该证件本周的预约次数已达上限" : "该证件本月的预约次数已达上限");
		r->err_extra = json_pack("{s:s}", "limit",
		    rc == APPT_TAKE_LIMIT_WEEK ? "week" : "month");
		return 429;
	case APPT_TAKE_BANNED:
		date_format_days(t->banned_until, until, sizeof until);
		req_fail(r, 403, "NO_SHOW_BANNED", "因多次预约未到，暂停预约资格");
		x = json_pack("{s:s}", "until", until);
		r->err_extra = x;
		return 403;
	case APPT_TAKE_BUSY:
		req_header(r, "Retry-After", "1");
		return req_fail(r, 503, "UNAVAILABLE", "预约系统繁忙，请稍后重试");
	default:
		return req_unavailable(r);
	}
}

/* Can the slot be booked now: within the days ahead, not begun.  0 or 422 set. */
static int
bookable(struct req *r, const struct appt_slot *s)
{
	struct appt_rules ru;
	int64_t now = hall_now(), today = hall_day(now);

	appt_rules(&ru);
	if (s->day > today + ru.days_ahead || appt_instant(s->day, s->start_min) <= now)
		return req_fail(r, 422, "SLOT_UNAVAILABLE", "该时段不在可预约的时间范围内");
	return 0;
}

/* Was this booking committed after all (the commit's answer got lost)?  1, 0, or < 0. */
static int
committed(struct ctx *c, const char *th)
{
	char one[4];

	return db_scalar(c, "SELECT 1 FROM appointments WHERE token_hash = ?", DBARGS(DBS(th)),
	    one, sizeof one);
}

/* ------------------------------------------------------------------ POST /appointments */

struct book {
	const char	*hall, *item, *name, *idnum;
	long long	 cid;
	struct rn_use	 rn;		/* the ID number's standing: own, first use, proxy */
	char		 idhash[65];
	char		 citizen[24];
	char		 holder[APPT_HOLDER_MAX];
	char		 phone[24];
	struct appt_slot slot;
	struct appt_take take;
	struct idem	*im;
};

enum { REC_OK = 0, REC_RETRY = -100, REC_ID_LOST = -101 };

/* Write the booking.  0 with the reply set, REC_RETRY (the place collided in MariaDB: the day
 * is being rebuilt), REC_ID_LOST (another account bound the ID number first: rolled back), or
 * a status with the error set.  The caller gives the place back on any status but 2xx and
 * REC_RETRY. */
static int
record(struct req *r, struct book *b)
{
	unsigned char tok_s[PII_SEALED_MAX], name_s[PII_SEALED_MAX], id_s[PII_SEALED_MAX];
	char token[48], th[65], code[8], date[11], start[6], end[6], at[32], one[4];
	struct appt_row a;
	json_t *body;
	uint64_t id = 0;
	int nt, nn, ni, attempt, rc;

	if (token_new(token, sizeof token, APPT_TOKEN_BYTES) != 0)
		return req_bug(r, "no token");
	token_hash(token, th);
	if ((nt = pii_seal(token, tok_s, sizeof tok_s)) < 0 ||
	    (nn = pii_seal(b->name, name_s, sizeof name_s)) < 0 ||
	    (ni = pii_seal(b->idnum, id_s, sizeof id_s)) < 0)
		return req_bug(r, "cannot seal");
	date_format_days(b->slot.day, date, sizeof date);
	appt_hhmm(b->slot.start_min, start);
	appt_hhmm(b->slot.end_min, end);
	now_dt(at);

	for (attempt = 0; attempt < 4; attempt++) {
		snprintf(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
		if ((rc = db_begin(r->ctx)) != 0)
			return db_fail(r, rc);
		rc = db_exec(r->ctx, "INSERT INTO appointments (token_hash, token_enc, code, hall,"
		    " category, day, start_time, end_time, seat, citizen_id, proxy_id, name_enc,"
		    " idnum_enc, idnum_hash, item, status, created_at, updated_at)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'booked', ?, ?)",
		    DBARGS(DBS(th), DBSN((const char *)tok_s, (size_t)nt), DBS(code), DBS(b->hall),
		    DBSN(&b->slot.cat, 1), DBS(date), DBS(start), DBS(end), DBI(b->take.seat),
		    DBS(b->citizen), b->rn.proxy_id ? DBI(b->rn.proxy_id) : DBN,
		    DBSN((const char *)name_s, (size_t)nn), DBSN((const char *)id_s, (size_t)ni),
		    DBS(b->idhash), DBSO(b->item), DBS(at), DBS(at)), NULL, &id);
		if (rc != DB_DUP)
			break;
		db_rollback(r->ctx);
		/* Which unique key?  The code (draw again), the day (Redis had lost the citizen's
		 * booking) or the place (Redis had lost someone's booking). */
		rc = db_scalar(r->ctx, "SELECT 1 FROM appointments WHERE hall = ? AND day = ?"
		    " AND code = ?", DBARGS(DBS(b->hall), DBS(date), DBS(code)), one, sizeof one);
		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 1)
			continue;
		appt_invalidate(r->ctx, b->hall, b->slot.day);
		rc = db_scalar(r->ctx, "SELECT 1 FROM appointments WHERE hall = ? AND day = ?"
		    " AND (live_citizen = ? OR live_idnum = ?)", DBARGS(DBS(b->hall), DBS(date),
		    b->rn.proxy_id ? DBI(0) : DBS(b->citizen), DBS(b->idhash)), one, sizeof one);
		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 1)
			return map_take(r, APPT_TAKE_ALREADY, &b->take);
		log_warn("hall %s: place %d of %s was taken in MariaDB; rebuilding the day", b->hall,
		    b->take.seat, b->slot.id);
		return REC_RETRY;
	}
	if (rc == DB_DUP)
		return req_bug(r, "appointment codes keep colliding");

	memset(&a, 0, sizeof a);
	a.found = 1;
	a.id = (long long)id;
	str_copy(a.token, sizeof a.token, token);
	str_copy(a.code, sizeof a.code, code);
	str_copy(a.hall, sizeof a.hall, b->hall);
	a.cat = b->slot.cat;
	a.day = b->slot.day;
	a.start_min = b->slot.start_min;
	a.end_min = b->slot.end_min;
	a.seat = b->take.seat;
	a.proxy_id = b->rn.proxy_id;
	str_copy(a.name, sizeof a.name, b->name);
	str_copy(a.idnum, sizeof a.idnum, b->idnum);
	str_copy(a.item, sizeof a.item, b->item ? b->item : "");
	str_copy(a.status, sizeof a.status, "booked");
	if (rc == 0)
		rc = db_scalar(r->ctx, "SELECT name FROM halls WHERE code = ?", DBARGS(DBS(b->hall)),
		    a.hall_name, sizeof a.hall_name) < 0 ? DB_DOWN : 0;
	if (rc == 0)
		rc = db_scalar(r->ctx, "SELECT name FROM categories WHERE hall = ? AND code = ?",
		    DBARGS(DBS(b->hall), DBSN(&b->slot.cat, 1)), a.cat_name, sizeof a.cat_name) < 0 ?
		    DB_DOWN : 0;
	/* The first use of the ID number binds it to the account, with this booking or not at
	 * all; another account that bound it meanwhile wins (uk_citizens_idnum). */
	if (rc == 0 && (rc = realname_bind_tx(r, b->cid, b->name, b->idnum, &b->rn)) ==
	    RN_LOST) {
		db_rollback(r->ctx);
		return REC_ID_LOST;
	}
	if (rc == 0)
		rc = history(r, a.id, "book", NULL, "booked", b->slot.id, at);
	if (rc == 0) {
		char target[32];

		char detail[80];

		snprintf(target, sizeof target, "appointment:%lld", a.id);
		if (b->rn.proxy_id)
			fmt(detail, sizeof detail, "%s for proxy:%lld", b->slot.id, b->rn.proxy_id);
		else
			str_copy(detail, sizeof detail, b->slot.id);
		audit(r, "appointment.book", target, "ok", detail);
		rc = sms_appointment(r, &a, b->phone, 0);
	}
	body = json_pack("{s:o}", "appointment", row_json(&a));
	if (rc == 0)
		rc = idem_save_tx(r, b->im, 201, body);
	if (rc != 0) {
		db_rollback(r->ctx);
		json_decref(body);
		if (rc == DB_DUP && b->im->active)	/* the same key won elsewhere */
			return idem_replay(r, b->im);
		return db_fail(r, rc);
	}
	if ((rc = db_commit(r->ctx)) != 0) {
		int was = committed(r->ctx, th);

		if (was != 1) {
			json_decref(body);
			if (was < 0)	/* unknown: let Redis be rebuilt from whatever is true */
				appt_invalidate(r->ctx, b->hall, b->slot.day);
			return db_fail(r, rc == DB_RETRY ? DB_RETRY : DB_DOWN);
		}
	}
	return req_ok(r, 201, body);
}

/* The citizen's phone for the confirmation SMS (once a place is held).  0 or the refusal. */
static int
book_phone(struct req *r, struct book *b, long long cid)
{
	struct citizen cz;
	int rc;

	if (b->phone[0])
		return 0;
	rc = citizen_get(r->ctx, cid, &cz);
	if (rc < 0)	/* DB_DOWN → 503; a record that does not open is DB_FAIL → 500 */
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail(r, 401, "UNAUTHENTICATED", "登录已失效，请重新登录");
	str_copy(b->phone, sizeof b->phone, cz.phone);
	sodium_memzero(&cz, sizeof cz);
	return 0;
}

/*
 * Redis gives a place first: in a rush nearly every request ends there (full, already
 * booked), having asked MariaDB nothing.  The citizen's record is read once a place is held.
 */
static int
book(struct req *r, struct book *b, long long cid)
{
	int attempt, rc;

	for (attempt = 0; attempt < 3; attempt++) {
		memset(&b->take, 0, sizeof b->take);
		b->take.hall = b->hall;
		b->take.slot = &b->slot;
		b->take.citizen = b->holder;
		b->take.idhash = b->idhash;
		if ((rc = map_take(r, appt_take(r->ctx, &b->take), &b->take)) != 0)
			return rc;
		rc = book_phone(r, b, cid);
		if (rc == 0)
			rc = record(r, b);
		if (rc == REC_RETRY)
			continue;
		if (rc >= 200 && rc < 300)
			return rc;
		/* Nothing was recorded (or it is unknown, and the day is being rebuilt): the
		 * place goes back — only into the state it was taken from. */
		if (appt_release(r->ctx, b->hall, b->slot.id, b->take.seat, b->holder, b->idhash,
		    &b->take.ep, APPT_REL_ALL) != 0)
			log_warn("hall %s: place of %s not given back (Redis down)", b->hall,
			    b->slot.id);
		if (rc == REC_ID_LOST)
			rc = realname_refusal(r, b->cid, b->name, b->idnum, "name", "id_number");
		return rc;
	}
	req_header(r, "Retry-After", "1");
	return req_fail(r, 503, "UNAVAILABLE", "预约系统繁忙，请稍后重试");
}

/* Everything after the inputs are valid and the caller is a citizen (and idem_begin). */
static int
book_request(struct req *r, struct book *b, const char *cat, const char *slot, long long cid)
{
	char one[4];
	int rc, found;

	/* The process's copy of the plan: a slot it has means its hall and category exist. */
	found = appt_slot_lookup(r->ctx, b->hall, slot, &b->slot);
	if (found < 0 && found != CAL_MISSING)
		return db_fail(r, found);
	if (found != 1) {
		rc = db_scalar(r->ctx, "SELECT 1 FROM categories WHERE hall = ? AND code = ?",
		    DBARGS(DBS(b->hall), DBS(cat)), one, sizeof one);
		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 0)
			return req_fail(r, 404, "NOT_FOUND", "没有这个政务服务中心或业务类别");
	}
	if (b->item) {
		rc = db_scalar(r->ctx, "SELECT 1 FROM items WHERE id = ? AND hall = ? AND category = ?",
		    DBARGS(DBS(b->item), DBS(b->hall), DBS(cat)), one, sizeof one);
		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 0)
			return req_fail_field(r, "item", "不是该类别的事项"), req_invalid(r);
	}
	if (found != 1)
		return req_fail(r, 404, "NOT_FOUND", "没有这个预约时段");
	if ((rc = bookable(r, &b->slot)) != 0)
		return rc;
	return book(r, b, cid);
}

int
h_appointment_book(struct req *r)
{
	const char *hall = NULL, *cat = NULL, *slot = NULL, *item = NULL, *name = NULL, *idn = NULL;
	struct book b;
	struct idem im;
	char idup[24];
	long long cid;
	size_t i;
	int rc;

	in_str(r, r->body, "hall", 1, 1, 32, &hall);
	in_str(r, r->body, "category", 1, 1, 1, &cat);
	in_str(r, r->body, "slot", 1, 1, 32, &slot);
	in_str(r, r->body, "item", 0, 1, 40, &item);
	in_str(r, r->body, "name", 1, 1, NAME_MAX_CHARS, &name);
	in_str(r, r->body, "id_number", 1, 1, 18, &idn);
	memset(&b, 0, sizeof b);
	if (hall && !hall_code_ok(hall))
		req_fail_field(r, "hall", "不是有效的中心编码");
	if (cat && !category_code_ok(cat))
		req_fail_field(r, "category", "须为一个大写字母");
	if (slot && (appt_slot_parse(slot, &b.slot.cat, &b.slot.day, &b.slot.start_min) != 0 ||
	    (cat && slot[0] != cat[0])))
		req_fail_field(r, "slot", "不是该类别的有效时段");
	if (name && !realname_name_ok(name))
		req_fail_field(r, "name", "请填写与身份证一致的真实姓名");
	if (idn && !idnum_ok(idn))
		req_fail_field(r, "id_number", "身份证号码无效，请核对后重新输入");
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = require_citizen(r, &cid)) != 0)
		return rc;
	for (i = 0; i < 18; i++)
		idup[i] = idn[i] == 'x' ? 'X' : idn[i];
	idup[18] = '\0';

	/* From here on the answer is the key's answer (a retry after a lost reply gets it). */
	if ((rc = idem_begin(r, &im)) != 0)
		return rc;
	b.hall = hall;
	b.item = item;
	b.name = name;
	b.idnum = idup;
	b.im = &im;
	b.cid = cid;
	/* Whose ID number it is decides everything after: checked before Redis counts it. */
	if ((rc = realname_check(r, cid, name, idup, "name", "id_number", &b.rn)) != 0) {
		idem_end(r, &im);
		sodium_memzero(idup, sizeof idup);
		return rc;
	}
	str_copy(b.idhash, sizeof b.idhash, b.rn.idhash);
	snprintf(b.citizen, sizeof b.citizen, "%lld", cid);
	appt_holder(cid, b.rn.proxy_id, b.idhash, b.holder);
	rc = book_request(r, &b, cat, slot, cid);
	idem_end(r, &im);
	sodium_memzero(idup, sizeof idup);
	sodium_memzero(b.phone, sizeof b.phone);
	return rc;
}

/* ------------------------------------------------------------------ reading */

static int
list_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct appt_row a;

	(void)ncol;
	row_fill(&a, v, lens);
	json_array_append_new(arg, row_json(&a));
	return 0;
}

int
h_my_appointments(struct req *r)
{
	long long cid;
	json_t *list;
	int rc;

	if ((rc = require_citizen(r, &cid)) != 0)
		return rc;
	list = json_array();
	rc = db_query(r->ctx, ROW_COLS "WHERE a.citizen_id = ?"
	    " ORDER BY a.day DESC, a.start_time DESC, a.id DESC LIMIT 50",
	    DBARGS(DBI(cid)), list_row, list);
	if (rc < 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	return req_ok(r, 200, json_pack("{s:o}", "appointments", list));
}

/* The holder, or staff / a kiosk of the appointment's hall.  0 or the refusal. */
static int
may_see(struct req *r, const struct appt_row *a)
{
	if (r->sess.role == ROLE_CITIZEN)
		return require_owner(r, a->citizen);
	return require_member_of_hall(r, a->hall);
}

static int
not_found(struct req *r)
{
	return req_fail(r, 404, "NOT_FOUND", "没有这个预约");
}

int
h_appointment_get(struct req *r)
{
	struct appt_row a;
	int rc;

	rc = row_by_token(r->ctx, r->pathv[0], &a);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return not_found(r);
	if ((rc = may_see(r, &a)) != 0)
		return rc;
	return req_ok(r, 200, json_pack("{s:o}", "appointment", row_json(&a)));
}

/* ------------------------------------------------------------------ cancel */

/*
 * Cancel a booked appointment: the record first, then its place is given back in Redis.
 * 0 (cancelled), or the refusal (409 when its status moved meanwhile) or 503 set.  The
 * day's state must be in Redis to give the place back at once; an outage is a 503 with
 * nothing changed, never a cancellation whose place stays taken.
 */
static int
cancel_row(struct req *r, const struct appt_row *a)
{
	struct appt_epochs ep;
	struct citizen cz;
	char slot[APPT_SLOT_ID_LEN + 1], holder[APPT_HOLDER_MAX], at[32], target[32];
	char phone[24] = "";
	uint64_t n = 0;
	int rc;

	if (appt_ready(r->ctx, a->hall, a->day) != 0 ||
	    appt_epochs_get(r->ctx, a->hall, a->day, &ep))
		return req_unavailable(r);
	if ((rc = citizen_get(r->ctx, a->citizen, &cz)) < 0)
		return db_fail(r, rc);
	if (rc == 1)
		str_copy(phone, sizeof phone, cz.phone);
	sodium_memzero(&cz, sizeof cz);
	appt_slot_id(a->cat, a->day, a->start_min, slot);
	row_holder(a, holder);
	snprintf(target, sizeof target, "appointment:%lld", a->id);
	now_dt(at);
	if ((rc = db_begin(r->ctx)) != 0)
		return db_fail(r, rc);
	rc = db_exec(r->ctx, "UPDATE appointments SET status = 'cancelled', seat = NULL,"
	    " cancelled_at = ?, updated_at = ? WHERE id = ? AND status = 'booked'",
	    DBARGS(DBS(at), DBS(at), DBI(a->id)), &n, NULL);
	if (rc == 0 && n == 0) {
		db_rollback(r->ctx);
		return req_fail(r, 409, "INVALID_STATE", "该预约状态已变化，请刷新后重试");
	}
	if (rc == 0)
		rc = history(r, a->id, "cancel", "booked", "cancelled", slot, at);
	if (rc == 0)
		rc = sms_appointment(r, a, phone, 1);
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
		return db_fail(r, rc);
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
	int rc;

	rc = row_by_token(r->ctx, r->pathv[0], &a);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return not_found(r);
	if ((rc = require_owner(r, a.citizen)) != 0)
		return rc;
	if (strcmp(a.status, "cancelled") == 0)
		return req_ok(r, 204, NULL);
	if (strcmp(a.status, "booked") != 0)
		return req_fail(r, 409, "INVALID_STATE", strcmp(a.status, "checked_in") == 0 ?
		    "该预约已签到，不能取消" : "该预约已过期，不能取消");
	if (appt_instant(a.day, a.start_min) <= hall_now())
		return req_fail(r, 422, "APPOINTMENT_STARTED", "预约时段已开始，不能取消");
	if ((rc = cancel_row(r, &a)) != 0)
		return rc;
	return req_ok(r, 204, NULL);
}

struct appt_list {
	struct appt_row	*rows;
	int		 n, max;
};

static int
collect_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct appt_list *l = arg;

	(void)ncol;
	if (l->n < l->max)
		row_fill(&l->rows[l->n++], v, lens);
	return 0;
}

int
appt_cancel_identity(struct req *r, const char *idhash, long long holder, int *cancelled)
{
	struct appt_list l;
	int rc, i, total = 0, round;

	*cancelled = 0;
	l.max = 16;
	if ((l.rows = calloc((size_t)l.max, sizeof *l.rows)) == NULL)
		return -1;
	/* A few rounds of 16: a number can only have had so many live bookings (the caps). */
	for (round = 0; round < 8; round++) {
		l.n = 0;
		rc = db_query(r->ctx, ROW_COLS "WHERE a.idnum_hash = ? AND a.status = 'booked'"
		    " AND a.proxy_id IS NULL AND a.citizen_id <> ? ORDER BY a.id LIMIT 16",
		    DBARGS(DBS(idhash), DBI(holder)), collect_row, &l);
		if (rc < 0)
			break;
		for (i = 0; i < l.n; i++) {
			rc = cancel_row(r, &l.rows[i]);
			if (rc == 409)	/* checked in or cancelled meanwhile: it stands */
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
	/* Whatever the refusals set on r were, the caller answers for itself. */
	r->err_code = NULL;
	json_decref(r->err_fields);
	r->err_fields = NULL;
	*cancelled = total;
	return rc < 0 || (rc != 0 && (rc < 200 || rc >= 300)) ? -1 : 0;
}

/* ------------------------------------------------------------------ reschedule */

static int
move_record(struct req *r, struct appt_row *a, const struct appt_slot *to, int seat,
    const char *phone, struct idem *im, const char *from_slot)
{
	char date[11], start[6], end[6], at[32], code[8], detail[64], target[32], one[4];
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
	now_dt(at);
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
		rc = db_scalar(r->ctx, "SELECT 1 FROM appointments WHERE hall = ? AND day = ?"
		    " AND code = ?", DBARGS(DBS(a->hall), DBS(date), DBS(code)), one, sizeof one);
		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 0) {
			/* Not the code: the place or the day in MariaDB disagrees with Redis. */
			appt_invalidate(r->ctx, a->hall, to->day);
			return REC_RETRY;
		}
		snprintf(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
	}
	if (rc == DB_DUP)
		return req_bug(r, "appointment codes keep colliding");
	if (rc == 0 && n == 0) {
		db_rollback(r->ctx);
		return req_fail(r, 409, "INVALID_STATE", "该预约状态已变化，请刷新后重试");
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
		rc = history(r, a->id, "reschedule", "booked", "booked", detail, at);
	if (rc == 0) {
		audit(r, "appointment.reschedule", target, "ok", detail);
		rc = sms_appointment(r, &moved, phone, 0);
	}
	body = json_pack("{s:o}", "appointment", row_json(&moved));
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

static int
reschedule(struct req *r, struct appt_row *a, struct appt_slot *to, const char *slot,
    struct idem *im)
{
	struct appt_take t;
	struct appt_epochs old_ep;
	struct citizen cz;
	char from[APPT_SLOT_ID_LEN + 1], citizen[APPT_HOLDER_MAX], phone[24] = "";
	int rc, attempt, parts, old_seat;
	int64_t old_day;

	if (strcmp(a->status, "booked") != 0)
		return req_fail(r, 409, "INVALID_STATE", "只有待签到的预约可以改约");
	if (appt_instant(a->day, a->start_min) <= hall_now())
		return req_fail(r, 422, "APPOINTMENT_STARTED", "预约时段已开始，不能改约");
	appt_slot_id(a->cat, a->day, a->start_min, from);
	if (strcmp(from, slot) == 0)
		return req_fail(r, 422, "SAME_SLOT", "您已预约该时段");
	rc = appt_slot_find(r->ctx, a->hall, slot, to);
	if (rc == 0 || rc == CAL_MISSING)
		return req_fail(r, 404, "NOT_FOUND", "没有这个预约时段");
	if (rc < 0)
		return db_fail(r, rc);
	if ((rc = bookable(r, to)) != 0)
		return rc;
	if ((rc = citizen_get(r->ctx, a->citizen, &cz)) < 0)
		return db_fail(r, rc);	/* DB_DOWN → 503; a record that does not open: DB_FAIL → 500 */
	if (rc == 1)
		str_copy(phone, sizeof phone, cz.phone);
	sodium_memzero(&cz, sizeof cz);
	row_holder(a, citizen);
	old_day = a->day;
	old_seat = a->seat;
	for (attempt = 0; attempt < 3; attempt++) {
		/* The new place first, the old one kept: a full slot changes nothing.  A ban
		 * stops new bookings, not the move of one already made. */
		memset(&t, 0, sizeof t);
		t.hall = a->hall;
		t.slot = to;
		t.citizen = citizen;
		t.idhash = a->idhash;
		t.move = 1;
		t.same_day = to->day == a->day;
		t.same_week = appt_monday(to->day) == appt_monday(a->day);
		t.same_month = appt_month(to->day) == appt_month(a->day);
		parts = APPT_REL_SEAT | (t.same_day ? 0 : APPT_REL_DAY) |
		    (t.same_week ? 0 : APPT_REL_WEEK) | (t.same_month ? 0 : APPT_REL_MONTH);
		if ((rc = map_take(r, appt_take(r->ctx, &t), &t)) != 0)
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
			    parts) != 0) {
				log_warn("hall %s: old place of %s not given back", a->hall, from);
				appt_invalidate(r->ctx, a->hall, old_day);
			}
		} else if (appt_release(r->ctx, a->hall, to->id, t.seat, citizen, a->idhash, &t.ep,
		    parts) != 0)
			log_warn("hall %s: place of %s not given back (Redis down)", a->hall, to->id);
		break;
	}
	sodium_memzero(phone, sizeof phone);
	if (attempt == 3) {
		req_header(r, "Retry-After", "1");
		rc = req_fail(r, 503, "UNAVAILABLE", "预约系统繁忙，请稍后重试");
	}
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
	rc = row_by_token(r->ctx, r->pathv[0], &a);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return not_found(r);
	if ((rc = require_owner(r, a.citizen)) != 0)
		return rc;
	if ((rc = idem_begin(r, &im)) != 0)
		return rc;
	rc = reschedule(r, &a, &to, slot, &im);
	idem_end(r, &im);
	return rc;
}

/* ------------------------------------------------------------------ check-in */

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
		return req_fail(r, 409, "INVALID_STATE", "该预约状态已变化，请刷新后重试");
	appt_slot_id(ci->a->cat, ci->a->day, ci->a->start_min, slot);
	if ((rc = history(r, ci->a->id, "check_in", "booked", "checked_in", slot, ci->at)) != 0)
		return rc;
	snprintf(target, sizeof target, "appointment:%lld", ci->a->id);
	audit(r, "appointment.check_in", target, "ok", slot);
	return 0;
}

static int
already_in(struct req *r, const struct appt_row *a)
{
	json_t *t = ticket_json(a);

	if (t == NULL)
		return req_bug(r, "checked-in appointment without its ticket");
	return req_ok(r, 200, json_pack("{s:o,s:o}", "ticket", t, "appointment", row_json(a)));
}

static int
checkin_idem(struct req *r, struct appt_row *a, struct idem *im)
{
	struct appt_rules ru;
	struct queue_take_args q;
	struct checkin ci;
	struct citizen cz;
	char citizen[24], ref[24], phone[24] = "", from[32], until[32];
	int64_t now = hall_now(), start = appt_instant(a->day, a->start_min);
	json_t *ticket = NULL;
	int rc;

	if (strcmp(a->status, "checked_in") == 0)
		return already_in(r, a);
	if (strcmp(a->status, "cancelled") == 0)
		return req_fail(r, 409, "INVALID_STATE", "该预约已取消");
	appt_rules(&ru);
	if (now < start - ru.checkin_before * 60 || now > start + ru.checkin_after * 60 ||
	    strcmp(a->status, "booked") != 0) {
		char msg[160];

		time_format(start - ru.checkin_before * 60, from, sizeof from);
		time_format(start + ru.checkin_after * 60, until, sizeof until);
		/* With the day: a citizen a day early must not read it as "today". */
		if (now < start - ru.checkin_before * 60)
			fmt(msg, sizeof msg, "还未到签到时间，请在 %d月%d日 %.5s–%.5s 之间签到",
			    (from[5] - '0') * 10 + (from[6] - '0'), (from[8] - '0') * 10 + (from[9] - '0'),
			    from + 11, until + 11);
		else
			fmt(msg, sizeof msg, "已超过签到时间（%d月%d日 %.5s–%.5s），请重新预约或现场取号",
			    (from[5] - '0') * 10 + (from[6] - '0'), (from[8] - '0') * 10 + (from[9] - '0'),
			    from + 11, until + 11);
		req_fail(r, 422, "OUTSIDE_CHECKIN_WINDOW", msg);
		r->err_extra = json_pack("{s:s,s:s}", "checkin_from", from, "checkin_until", until);
		return 422;
	}
	if ((rc = citizen_get(r->ctx, a->citizen, &cz)) < 0)
		return db_fail(r, rc);	/* DB_DOWN → 503; a record that does not open: DB_FAIL → 500 */
	if (rc == 1)
		str_copy(phone, sizeof phone, cz.phone);
	sodium_memzero(&cz, sizeof cz);
	snprintf(citizen, sizeof citizen, "%lld", a->citizen);
	snprintf(ref, sizeof ref, "%lld", a->id);
	memset(&ci, 0, sizeof ci);
	ci.a = a;
	now_dt(ci.at);
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
		    row_json(a)));
	} else if (rc == 409 && r->err_code && strcmp(r->err_code, "INVALID_STATE") == 0) {
		/* A twin request checked in first: show its ticket. */
		struct appt_row again;

		if (row_by_token(r->ctx, a->token, &again) == 1 &&
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

	rc = row_by_token(r->ctx, r->pathv[0], &a);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return not_found(r);
	if ((rc = may_see(r, &a)) != 0)
		return rc;
	return checkin(r, &a);
}

/* 429 RATE_LIMITED: too many codes that matched nothing, at this desk or in the hall. */
static int
code_tries_exhausted(struct req *r, int seconds, int hall_wide)
{
	char ra[16], msg[256];
	int minutes = (seconds + 59) / 60;

	fmt(ra, sizeof ra, "%d", seconds);
	req_header(r, "Retry-After", ra);
	fmt(msg, sizeof msg, "%s预约码输错次数过多，请 %d 分钟后再试；也可扫描预约二维码签到，或到窗口办理",
	    hall_wide ? "本中心" : "本机", minutes < 1 ? 1 : minutes);
	req_fail(r, 429, "RATE_LIMITED", msg);
	r->err_extra = json_pack("{s:s}", "limit", hall_wide ? "hall" : "session");
	return 429;
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
	rc = db_query(r->ctx, ROW_COLS "WHERE a.hall = ? AND a.day = ? AND a.code = ?",
	    DBARGS(DBS(hall), DBS(today), DBS(code)), one_row, &a);
	if (rc < 0) {
		checkin_guard_found(r->ctx, &g);	/* nothing was looked up: not a miss */
		return db_fail(r, rc);
	}
	if (!a.found)
		return req_fail(r, 404, "NOT_FOUND", "今天没有这个预约码的预约，请核对");
	/* Found: not a miss.  Should Redis fail here the try stays counted, which is harmless
	 * (and the check-in below needs Redis anyway). */
	checkin_guard_found(r->ctx, &g);
	return checkin(r, &a);
}
