/*
 * book.c — booking (预约): POST /appointments → h_appointment_book.
 *
 * Tables: appointments, appointment_history, audit_log, outbox, idempotency_keys, citizens
 *         (the phone through identity.h; the ID number's binding through realname.h),
 *         halls, categories, items.
 * Redis:  {hall:<code>}:appt:* through state.c (appt_take, appt_release); idem:*.
 *
 * A booking is taken in Redis first — capacity and every per-citizen rule checked and taken
 * in one script — then recorded in MariaDB in one transaction with its history, audit and
 * outbox rows.  When the record fails the place is given back (503, nothing half-written);
 * when the outcome of the commit is unknown the day's Redis state is dropped so that it is
 * rebuilt from MariaDB, which is the truth.  The transaction keeps its own BEGIN/COMMIT
 * (not db_tx): a commit whose answer is lost is checked against the row (committed()), and
 * a booking code that collides is drawn again in a new transaction.
 *
 * Real name (realname.h): a citizen books for the ID number their account holds (the first
 * use binds it, in the booking's transaction), or for one they hold a proxy relation for.  A
 * proxy booking belongs to the account that made it (it sees, moves, cancels and checks it
 * in), but counts for the principal only: the caps, bans and the one-a-day rule go by the ID
 * number, and the day is held in Redis under "x:<ID number hash>" (appt_holder), not under
 * the proxy's account.
 */
#include "handlers.h"
#include "record.h"
#include "../shared/audit.h"
#include "../hall/calendar.h"
#include "../hall/catalog.h"
#include "../shared/idempotency.h"
#include "../identity/identity.h"
#include "../shared/pii.h"
#include "../identity/realname.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_CHARS 30

/* Was this booking committed after all (the commit's answer got lost)?  1, 0, or < 0. */
static int
committed(struct ctx *c, const char *th)
{
	char one[4];

	return db_scalar(c, "SELECT 1 FROM appointments WHERE token_hash = ?", DBARGS(DBS(th)),
	    one, sizeof one);
}

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

/* The new booking as its reply shows it (the hall's and category's names read in the
 * transaction).  0 or DB_DOWN. */
static int
booked_row(struct ctx *c, const struct book *b, long long id, const char *token,
    const char *code, struct appt_row *a)
{
	memset(a, 0, sizeof *a);
	a->found = 1;
	a->id = id;
	str_copy(a->token, sizeof a->token, token);
	str_copy(a->code, sizeof a->code, code);
	str_copy(a->hall, sizeof a->hall, b->hall);
	a->cat = b->slot.cat;
	a->day = b->slot.day;
	a->start_min = b->slot.start_min;
	a->end_min = b->slot.end_min;
	a->seat = b->take.seat;
	a->proxy_id = b->rn.proxy_id;
	str_copy(a->name, sizeof a->name, b->name);
	str_copy(a->idnum, sizeof a->idnum, b->idnum);
	str_copy(a->item, sizeof a->item, b->item ? b->item : "");
	str_copy(a->status, sizeof a->status, "booked");
	if (db_scalar(c, "SELECT name FROM halls WHERE code = ?", DBARGS(DBS(b->hall)),
	    a->hall_name, sizeof a->hall_name) < 0 ||
	    db_scalar(c, "SELECT name FROM categories WHERE hall = ? AND code = ?",
	    DBARGS(DBS(b->hall), DBSN(&b->slot.cat, 1)), a->cat_name, sizeof a->cat_name) < 0)
		return DB_DOWN;
	return 0;
}

/*
 * The insert met a unique key (rolled back): which?  The code (1: draw again), the day
 * (Redis had lost the citizen's booking: 409 ALREADY_BOOKED) or the place (Redis had lost
 * someone's booking: REC_RETRY, the day is rebuilt), or a DB failure set on r.
 */
static int
dup_reason(struct req *r, struct book *b, const char *date, const char *code)
{
	char one[4];
	int rc;

	if ((rc = appt_code_taken(r->ctx, b->hall, date, code)) < 0)
		return db_fail(r, rc);
	if (rc == 1)
		return 1;
	appt_invalidate(r->ctx, b->hall, b->slot.day);
	rc = db_scalar(r->ctx, "SELECT 1 FROM appointments WHERE hall = ? AND day = ?"
	    " AND (live_citizen = ? OR live_idnum = ?)", DBARGS(DBS(b->hall), DBS(date),
	    b->rn.proxy_id ? DBI(0) : DBS(b->citizen), DBS(b->idhash)), one, sizeof one);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 1)
		return appt_take_fail(r, APPT_TAKE_ALREADY, &b->take);
	log_warn("hall %s: place %d of %s was taken in MariaDB; rebuilding the day", b->hall,
	    b->take.seat, b->slot.id);
	return REC_RETRY;
}

/* Write the booking.  0 with the reply set, REC_RETRY (the place collided in MariaDB: the day
 * is being rebuilt), REC_ID_LOST (another account bound the ID number first: rolled back), or
 * a status with the error set.  The caller gives the place back on any status but 2xx and
 * REC_RETRY. */
static int
record(struct req *r, struct book *b)
{
	unsigned char tok_s[PII_SEALED_MAX], name_s[PII_SEALED_MAX], id_s[PII_SEALED_MAX];
	char token[48], th[65], code[8], date[11], start[6], end[6], at[32];
	struct appt_row a;
	json_t *body;
	uint64_t id = 0;
	int nt, nn, ni, attempt, rc;

	if (token_new(token, sizeof token, APPT_TOKEN_BYTES) != 0)
		return req_bug(r, "no token");
	appt_token_hash(token, th);
	if ((nt = pii_seal(token, tok_s, sizeof tok_s)) < 0 ||
	    (nn = pii_seal(b->name, name_s, sizeof name_s)) < 0 ||
	    (ni = pii_seal(b->idnum, id_s, sizeof id_s)) < 0)
		return req_bug(r, "cannot seal");
	date_format_days(b->slot.day, date, sizeof date);
	appt_hhmm(b->slot.start_min, start);
	appt_hhmm(b->slot.end_min, end);
	sql_now(at, sizeof at);

	for (attempt = 0; attempt < 4; attempt++) {
		appt_code_new(code);
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
		if ((rc = dup_reason(r, b, date, code)) != 1)
			return rc;
	}
	if (rc == DB_DUP)
		return req_bug(r, "appointment codes keep colliding");
	memset(&a, 0, sizeof a);
	if (rc == 0)
		rc = booked_row(r->ctx, b, (long long)id, token, code, &a);
	/* The first use of the ID number binds it to the account, with this booking or not at
	 * all; another account that bound it meanwhile wins (uk_citizens_idnum). */
	if (rc == 0 && (rc = realname_bind_tx(r, b->cid, b->name, b->idnum, &b->rn)) ==
	    RN_LOST) {
		db_rollback(r->ctx);
		return REC_ID_LOST;
	}
	if (rc == 0)
		rc = appt_history(r->ctx, APPT_ACTOR(r), a.id, "book", NULL, "booked", b->slot.id,
		    at);
	if (rc == 0) {
		char target[32], detail[80];

		snprintf(target, sizeof target, "appointment:%lld", a.id);
		if (b->rn.proxy_id)
			fmt(detail, sizeof detail, "%s for proxy:%lld", b->slot.id, b->rn.proxy_id);
		else
			str_copy(detail, sizeof detail, b->slot.id);
		audit(r, "appointment.book", target, "ok", detail);
		rc = appt_sms(r->ctx, &a, b->phone, 0);
	}
	body = rc == 0 ? json_pack("{s:o}", "appointment", appt_row_json(&a)) : NULL;
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
	int rc;

	if (b->phone[0])
		return 0;
	rc = appt_phone(r->ctx, cid, b->phone);
	if (rc < 0)	/* DB_DOWN → 503; a record that does not open is DB_FAIL → 500 */
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_UNAUTHENTICATED, "登录已失效，请重新登录");
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
		if ((rc = appt_take_fail(r, appt_take(r->ctx, &b->take), &b->take)) != 0)
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
	return appt_busy(r);
}

/*
 * A full slot is refused from Redis alone, before the ID number's record is read
 * (realname_check): in a rush nearly every request is a refusal — 50,000 citizens for
 * 3,000 places — and each cost MariaDB that read.  The take script looks with every rule it
 * checks and writes nothing; only its FULL answers here (with the holder the account's own:
 * a day held through a proxy relation is the principal's ID number, which it checks too).
 * Anything else — a place free, already booked, a cap, a ban, Redis away — goes the whole
 * way, where the take itself decides.  0: go on.
 */
static int
book_peek(struct req *r, const struct book *b)
{
	struct appt_take t;
	char idhash[PII_HASH_HEX], holder[APPT_HOLDER_MAX];
	enum appt_take_rc rc;

	pii_hash("idnum", b->idnum, idhash);
	appt_holder(b->cid, 0, idhash, holder);
	memset(&t, 0, sizeof t);
	t.hall = b->hall;
	t.slot = &b->slot;
	t.citizen = holder;
	t.idhash = idhash;
	t.peek = 1;
	rc = appt_take(r->ctx, &t);
	return rc == APPT_TAKE_FULL ? appt_take_fail(r, rc, &t) : 0;
}

/* Everything after the inputs are valid and the caller is a citizen (and idem_begin). */
static int
book_request(struct req *r, struct book *b, const char *cat, const char *slot, long long cid)
{
	struct appt_rules ru;
	char one[4];
	int rc, found;

	/* The process's copy of the plan: a slot it has means its hall and category exist. */
	found = appt_slot_lookup(r->ctx, b->hall, slot, &b->slot);
	if (found < 0 && found != CAL_MISSING)
		return db_fail(r, found);
	if (found == 1 && b->slot.retired)
		return req_err_msg(r, E_SLOT_UNAVAILABLE, "该业务类别已停止预约，请选择其他类别");
	if (found != 1) {
		rc = db_scalar(r->ctx, "SELECT 1 FROM categories WHERE hall = ? AND code = ?",
		    DBARGS(DBS(b->hall), DBS(cat)), one, sizeof one);
		if ((rc = db_found(r, rc, "没有这个政务服务中心或业务类别")) != 0)
			return rc;
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
		return req_err_msg(r, E_NOT_FOUND, APPT_SLOT_NOT_FOUND);
	appt_rules(&ru);
	if ((rc = appt_rule_bookable(&ru, hall_now(), b->slot.day, b->slot.start_min)) != 0)
		return req_err(r, rc);
	if ((rc = book_peek(r, b)) != 0)
		return rc;
	/* Whose ID number it is decides everything after: checked before Redis counts it. */
	if ((rc = realname_check(r, cid, b->name, b->idnum, "name", "id_number", &b->rn)) != 0)
		return rc;
	str_copy(b->idhash, sizeof b->idhash, b->rn.idhash);
	snprintf(b->citizen, sizeof b->citizen, "%lld", cid);
	appt_holder(cid, b->rn.proxy_id, b->idhash, b->holder);
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
	rc = book_request(r, &b, cat, slot, cid);
	idem_end(r, &im);
	sodium_memzero(idup, sizeof idup);
	sodium_memzero(b.phone, sizeof b.phone);
	return rc;
}

