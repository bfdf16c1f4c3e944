/*
 * queue.c — taking a number, following it, and the window's actions (取号 / 叫号).
 *
 * Routes: POST   /halls/{hall}/tickets          kiosk, clerk, citizen
 *         GET    /tickets/{token}               anyone with the token
 *         DELETE /tickets/{token}               the holder (the token): leave the queue
 *         POST   /tickets/{token}/rejoin        the holder, once after a skip (extension)
 *         GET    /me/tickets                    citizen: today's tickets (extension)
 *         GET    /windows/{window}              clerk: the console's state (extension)
 *         POST   /windows/{window}/call-next|recall|skip|start|transfer|finish   clerk
 * Tables: queue_tickets, queue_ticket_history, audit_log, outbox, citizens (sealed phone,
 *         read only), calendar_* and hall_hours (opening hours).
 * Redis:  the lines and counters of queue_state.c ({hall:<code>}:…), through its scripts.
 *
 * Who goes first in Redis and who in MariaDB.  Taking a number starts with the take script
 * (the number comes from Redis); the row follows, and a failed insert takes the member back
 * out.  call-next pops in Redis first, then moves the row from waiting to called with a
 * guarded UPDATE … WHERE status = 'waiting' — so a member whose row is no longer waiting
 * (cancelled meanwhile, or left over by a wipe) is dropped and the next one is popped, and
 * no ticket is ever handed to two windows whatever Redis holds.  Every other change writes
 * MariaDB first and then mirrors it into Redis: a member left in a line by a failure is
 * harmless (the guard above), and one missing from its line is put back by the next read of
 * the ticket or the reconcile job (queue_jobs.c) once it is older than a few seconds.
 */
#include "handlers.h"
#include "queue.h"
#include "../shared/idempotency.h"
#include "queue_int.h"
#include "../shared/audit.h"
#include "../hall/calendar.h"
#include "../hall/catalog.h"
#include "../notify/outbox.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define Q_STALE 1		/* a transaction found the ticket no longer in that state */
#define Q_HEAL_MS 10000		/* a waiting ticket missing from its line this long is put back */

static const char *const pri_names[Q_PRI__MAX + 1] = {
	"normal", "elderly", "disabled", "appointment", NULL
};
static const char *const src_names[Q_SRC__MAX] = { "kiosk", "clerk", "citizen", "appointment" };

/* ------------------------------------------------------------------ ticket rows */

struct q_ticket {
	int		 found;
	unsigned long long id;
	char		 token[40];
	char		 hall[33];
	char		 day[11];
	char		 number[8];
	char		 num_cat;
	int		 seq;
	char		 category;
	char		 line;
	char		 score[24];
	char		 priority[16];
	char		 source[16];
	char		 status[12];
	char		 outcome[10];
	char		 citizen[48];
	int		 window;
	int		 rejoined;
	int		 transfers;
	int		 calls;
	int		 near_notified;
	int		 has_phone;
	char		 taken_at[24], called_at[24], started_at[24], finished_at[24], updated_at[24];
	char		 case_no[41];
};

#define T_COLS "SELECT id, token, hall, DATE_FORMAT(day, '%Y-%m-%d'), number, num_cat, seq," \
	" category, line, rank_score, priority, source, status, outcome, citizen, window_no," \
	" rejoined, transfers, calls, near_notified, phone_enc IS NOT NULL, taken_at, called_at," \
	" started_at, finished_at, updated_at, case_no FROM queue_tickets "

static int
t_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct q_ticket *t = arg;
	long long n;

	(void)lens;
	if (ncol < 27)
		return 1;
	memset(t, 0, sizeof *t);
	t->found = 1;
	if (parse_ll(v[0], 0, INT64_MAX, &n) == 0)
		t->id = (unsigned long long)n;
	str_copy(t->token, sizeof t->token, v[1]);
	str_copy(t->hall, sizeof t->hall, v[2]);
	str_copy(t->day, sizeof t->day, v[3]);
	str_copy(t->number, sizeof t->number, v[4]);
	t->num_cat = v[5][0];
	t->seq = parse_ll(v[6], 0, 9999, &n) == 0 ? (int)n : 0;
	t->category = v[7][0];
	t->line = v[8][0];
	str_copy(t->score, sizeof t->score, v[9]);
	str_copy(t->priority, sizeof t->priority, v[10]);
	str_copy(t->source, sizeof t->source, v[11]);
	str_copy(t->status, sizeof t->status, v[12]);
	str_copy(t->outcome, sizeof t->outcome, v[13] ? v[13] : "");
	str_copy(t->citizen, sizeof t->citizen, v[14] ? v[14] : "");
	t->window = v[15] && parse_ll(v[15], 0, 65535, &n) == 0 ? (int)n : 0;
	t->rejoined = v[16][0] == '1';
	t->transfers = parse_ll(v[17], 0, 255, &n) == 0 ? (int)n : 0;
	t->calls = parse_ll(v[18], 0, 65535, &n) == 0 ? (int)n : 0;
	t->near_notified = v[19][0] == '1';
	t->has_phone = v[20][0] == '1';
	str_copy(t->taken_at, sizeof t->taken_at, v[21] ? v[21] : "");
	str_copy(t->called_at, sizeof t->called_at, v[22] ? v[22] : "");
	str_copy(t->started_at, sizeof t->started_at, v[23] ? v[23] : "");
	str_copy(t->finished_at, sizeof t->finished_at, v[24] ? v[24] : "");
	str_copy(t->updated_at, sizeof t->updated_at, v[25] ? v[25] : "");
	str_copy(t->case_no, sizeof t->case_no, v[26] ? v[26] : "");
	return 1;
}

static void
t_member(const struct q_ticket *t, char *out, size_t osz)
{
	fmt(out, osz, "%s %s", t->number, t->token);
}

/* ms of a DATETIME(3) text in hall time; 0 when unreadable. */
static int64_t
dt_ms(const char *dt)
{
	char b[40];
	int64_t t;
	long long ms = 0;

	if (strlen(dt) < 19)
		return 0;
	fmt(b, sizeof b, "%.19s+08:00", dt);
	if (time_parse(b, &t) != 0)
		return 0;
	if (dt[19] == '.' && strlen(dt) >= 23)
		parse_lln(dt + 20, 3, 0, 999, &ms);
	return t * 1000 + ms;
}

/* ------------------------------------------------------------------ small helpers */

static const char *
actor_kind(const struct req *r)
{
	if (r->sess.role == ROLE_CITIZEN)
		return "citizen";
	if (r->sess.role == ROLE_KIOSK)
		return "kiosk";
	if (r->sess.role != 0)
		return "staff";
	return "anonymous";
}

static int
hist(struct req *r, unsigned long long id, const char *action, const char *from, const char *to,
    int window, const char *detail, const char *now_dt)
{
	return db_exec(r->ctx, "INSERT INTO queue_ticket_history (ticket_id, at, action, from_status,"
	    " to_status, window_no, actor_kind, actor, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    DBARGS(DBI(id), DBS(now_dt), DBS(action), DBSO(from), DBS(to),
	    window > 0 ? DBI(window) : DBN, DBS(actor_kind(r)), DBS(r->sess.subject),
	    DBS(detail ? detail : "")), NULL, NULL);
}

/* Audit target: never the token (it is the ticket's key), always the readable number. */
static void
q_audit(struct req *r, const char *action, const char *hall, const char *day, const char *number,
    const char *detail)
{
	char target[96];

	fmt(target, sizeof target, "%s/%s/%s", hall, day, number);
	audit(r, action, target, "ok", detail);
}

/* Run fn in a transaction, again on a deadlock.  0, a DB_* code, or fn's refusal (> 0). */
static int
q_tx(struct req *r, int (*fn)(struct req *, void *), void *arg)
{
	int i, rc = DB_RETRY;

	for (i = 0; i < 3 && rc == DB_RETRY; i++) {
		if ((rc = db_begin(r->ctx)) != 0)
			return rc;
		rc = fn(r, arg);
		if (rc == 0)
			rc = db_commit(r->ctx);
		else
			db_rollback(r->ctx);
	}
	return rc;
}

static int
hall_missing(struct req *r)
{
	return req_fail(r, 404, "NOT_FOUND", "没有这个政务服务中心");
}

/* Is the hall issuing numbers now?  0, or 422 HALL_CLOSED (or a DB failure) set on r. */
static int
q_hours_ok(struct req *r, const struct q_hall *h, int64_t now_ms)
{
	int64_t t = now_ms / 1000, d = hall_day(t);
	int sec = (int)(t - hall_day_start(d)), rc, i;
	json_t *hours;

	rc = calendar_is_workday(r->ctx, d);
	if (rc < 0 && rc != CAL_MISSING)
		return db_fail(r, rc);
	for (i = 0; rc == 1 && i < h->nhours; i++)
		if (sec >= h->open_s[i] && sec < h->close_s[i])
			return 0;
	hours = json_array();
	for (i = 0; i < h->nhours; i++) {
		char o[8], c[8];

		fmt(o, sizeof o, "%02d:%02d", h->open_s[i] / 3600, h->open_s[i] / 60 % 60);
		fmt(c, sizeof c, "%02d:%02d", h->close_s[i] / 3600, h->close_s[i] / 60 % 60);
		json_array_append_new(hours, json_pack("{s:s,s:s}", "open", o, "close", c));
	}
	json_decref(r->err_extra);
	r->err_extra = json_pack("{s:o}", "hours", hours);
	if (rc == CAL_MISSING)
		return req_fail(r, 422, "HALL_CLOSED", "今年的节假日安排尚未导入，暂停取号，请咨询大厅工作人员");
	if (rc == 0)
		return req_fail(r, 422, "HALL_CLOSED", "今天是休息日，大厅不办公");
	return req_fail(r, 422, "HALL_CLOSED", "当前不在取号时间，请在大厅开放时间内取号");
}

/* ------------------------------------------------------------------ the ticket as shown */

static json_t *
ticket_json(const struct q_hall *h, const struct q_ticket *t, long long ahead, int eta)
{
	const struct q_cat *qc = q_hall_cat(h, t->category);
	json_t *o = json_object();
	char url[64], ts[32];

	json_object_set_new(o, "token", json_string(t->token));
	json_object_set_new(o, "number", json_string(t->number));
	json_object_set_new(o, "category", json_stringn(&t->category, 1));
	if (qc)
		json_object_set_new(o, "category_name", json_string(qc->name));
	json_object_set_new(o, "priority", json_string(t->priority));
	json_object_set_new(o, "status", json_string(t->status));
	if (t->outcome[0])
		json_object_set_new(o, "outcome", json_string(t->outcome));
	json_object_set_new(o, "hall", json_string(t->hall));
	json_object_set_new(o, "hall_name", json_string(h->name));
	if (t->window > 0 && strcmp(t->status, "waiting") != 0) {
		const struct q_win *w = q_hall_win(h, t->window);

		json_object_set_new(o, "window", json_integer(t->window));
		if (w)
			json_object_set_new(o, "window_name", json_string(w->name));
	}
	json_object_set_new(o, "ahead", json_integer(ahead < 0 ? 0 : ahead));
	json_object_set_new(o, "eta_minutes", json_integer(eta));
	fmt(url, sizeof url, "/q/%s", t->token);
	json_object_set_new(o, "track_url", json_string(url));
	json_object_set_new(o, "day", json_string(t->day));
	q_rfc3339(t->taken_at, ts, sizeof ts);
	json_object_set_new(o, "taken_at", json_string(ts));
	if (t->called_at[0]) {
		q_rfc3339(t->called_at, ts, sizeof ts);
		json_object_set_new(o, "called_at", json_string(ts));
	}
	if (t->started_at[0]) {
		q_rfc3339(t->started_at, ts, sizeof ts);
		json_object_set_new(o, "started_at", json_string(ts));
	}
	if (t->finished_at[0]) {
		q_rfc3339(t->finished_at, ts, sizeof ts);
		json_object_set_new(o, "finished_at", json_string(ts));
	}
	json_object_set_new(o, "rejoin_allowed", json_boolean(strcmp(t->status, "skipped") == 0 &&
	    !t->rejoined));
	json_object_set_new(o, "sms", json_boolean(t->has_phone));
	return o;
}

/* ahead and eta from a place/take reply's svc and open members. */
static int
eta_from(const struct q_hall *h, char cat, long long ahead, redisReply *svc, redisReply *open,
    int64_t now_ms)
{
	return q_eta(h, cat, ahead, svc,
	    open && open->type == REDIS_REPLY_ARRAY ? (const redisReply *const *)open->element : NULL,
	    open && open->type == REDIS_REPLY_ARRAY ? open->elements : 0, now_ms);
}

/*
 * The ticket as the API shows it, with its place when it waits today.  A waiting ticket
 * missing from its line for a while (a failure between MariaDB and Redis) is put back.
 * Returns the JSON or NULL with the failure set on r.
 */
static json_t *
ticket_view(struct req *r, const struct q_hall *h, const struct q_ticket *t)
{
	int64_t now = hall_now_ms(), day_ms;
	char day[11], epoch[32], member[80];
	long long ahead = 0;
	int eta = 0, tries;
	redisReply *rep;

	q_today(now, day, &day_ms);
	if (strcmp(t->status, "waiting") != 0 || strcmp(t->day, day) != 0)
		return ticket_json(h, t, 0, 0);
	t_member(t, member, sizeof member);
	for (tries = 0; tries < 2; tries++) {
		if (q_ready(r, t->hall, day, epoch, sizeof epoch) != 0)
			return NULL;
		rep = q_script_place(r->ctx, t->hall, t->category, t->line, member);
		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements < 3) {
			if (rep)
				freeReplyObject(rep);
			req_unavailable(r);
			return NULL;
		}
		ahead = rep->element[0]->integer;
		if (ahead >= 0) {
			eta = eta_from(h, t->category, ahead, rep->element[1], rep->element[2], now);
			freeReplyObject(rep);
			return ticket_json(h, t, ahead, eta);
		}
		freeReplyObject(rep);
		if (now - dt_ms(t->updated_at) < Q_HEAL_MS)
			break;
		log_warn("hall %s: waiting %s was missing from its line; put back", t->hall, t->number);
		rep = q_script_requeue(r->ctx, t->hall, day, t->category, t->line, member, t->score,
		    day_ms, t->has_phone && !t->near_notified, t->num_cat, t->seq);
		if (rep)
			freeReplyObject(rep);
	}
	return ticket_json(h, t, 0, 0);
}

/* ------------------------------------------------------------------ turn-near SMS */

struct sealed_phone {
	unsigned char	 b[PII_SEALED_MAX];
	size_t		 n;
};

static int
sealed_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct sealed_phone *s = arg;

	if (ncol == 1 && v[0] && lens[0] <= sizeof s->b) {
		memcpy(s->b, v[0], lens[0]);
		s->n = lens[0];
	}
	return 1;
}

struct near_arg {
	const struct q_hall *h;
	const char	*token;
	long long	 ahead;
	int		 queued;
};

static int
near_tx(struct req *r, void *arg)
{
	struct near_arg *a = arg;
	struct q_ticket t;
	char phone[64], now_dt[24];
	uint64_t n = 0;
	json_t *params;
	int rc;

	memset(&t, 0, sizeof t);
	rc = db_query(r->ctx, T_COLS "WHERE token = ? FOR UPDATE", DBARGS(DBS(a->token)), t_row, &t);
	if (rc < 0)
		return rc;
	if (!t.found || strcmp(t.status, "waiting") != 0 || t.near_notified || !t.has_phone)
		return Q_STALE;
	/* The phone is opened only to hand it to the outbox, which seals it again. */
	{
		struct sealed_phone sp;

		memset(&sp, 0, sizeof sp);
		rc = db_query(r->ctx, "SELECT phone_enc FROM queue_tickets WHERE id = ?",
		    DBARGS(DBI(t.id)), sealed_row, &sp);
		if (rc < 0)
			return rc;
		if (sp.n == 0 || pii_open(sp.b, sp.n, phone, sizeof phone) != 0) {
			log_warn("ticket %llu: the phone cannot be opened", t.id);
			return Q_STALE;
		}
	}
	q_dt(hall_now_ms(), now_dt);
	rc = db_exec(r->ctx, "UPDATE queue_tickets SET near_notified = 1, updated_at = ?"
	    " WHERE id = ? AND near_notified = 0 AND status = 'waiting'",
	    DBARGS(DBS(now_dt), DBI(t.id)), &n, NULL);
	if (rc == 0 && n == 1) {
		struct outbox_msg m;
		char ref[24];

		fmt(ref, sizeof ref, "%llu", t.id);
		params = json_pack("{s:s,s:I,s:s}", "number", t.number, "ahead",
		    (json_int_t)a->ahead, "hall_name", a->h->name);
		memset(&m, 0, sizeof m);
		m.hall = t.hall;
		m.template = "turn_near";
		m.recipient = phone;
		m.params = params;
		m.ref_kind = "ticket";
		m.ref_id = ref;
		m.urgent = 1;
		rc = outbox_add(r->ctx, &m, NULL);
		json_decref(params);
		if (rc == -1)
			rc = DB_FAIL;
		if (rc == 0)
			rc = hist(r, t.id, "notify", "waiting", "waiting", 0, "turn_near", now_dt);
		a->queued = rc == 0;
	} else if (rc == 0)
		rc = Q_STALE;
	sodium_memzero(phone, sizeof phone);
	return rc;
}

/* Queue the turn-near SMS for "token ahead" entries of a script reply from index `from`. */
static void
notify_near(struct req *r, const struct q_hall *h, const redisReply *rep, size_t from)
{
	size_t i;

	for (i = from; rep && rep->type == REDIS_REPLY_ARRAY && i < rep->elements; i++) {
		const redisReply *e = rep->element[i];
		struct near_arg a;
		char token[40];
		const char *sp;
		long long ahead = Q_NEAR;
		int rc;

		if (e->type != REDIS_REPLY_STRING || (sp = strchr(e->str, ' ')) == NULL ||
		    (size_t)(sp - e->str) >= sizeof token)
			continue;
		memcpy(token, e->str, (size_t)(sp - e->str));
		token[sp - e->str] = '\0';
		parse_ll(sp + 1, 0, 1000, &ahead);
		memset(&a, 0, sizeof a);
		a.h = h;
		a.token = token;
		a.ahead = ahead;
		rc = q_tx(r, near_tx, &a);
		if (rc < 0)
			log_warn("hall %s: turn-near notice not queued (%d)", h->code, rc);
	}
}

/* ------------------------------------------------------------------ taking a number */

struct take_ctx {
	const struct queue_take_args *a;
	const struct q_hall *h;
	char		 token[40];
	char		 day[11];
	char		 number[8];
	int		 seq;
	char		 score[24];
	char		 line;
	char		 now_dt[24];
	const unsigned char *phone_sealed;
	size_t		 phone_len;
	json_t		*ticket;	/* the answer, saved with the row when idempotent */
	int		 idem_dup;	/* the Idempotency-Key won elsewhere */
	unsigned long long id;
};

static int
take_tx(struct req *r, void *arg)
{
	struct take_ctx *t = arg;
	const struct queue_take_args *a = t->a;
	char cat[2] = { a->category, 0 }, detail[64];
	uint64_t id = 0;
	int rc;

	t->idem_dup = 0;
	if (a->source == Q_SRC_CITIZEN)
		rc = db_exec(r->ctx, "INSERT INTO queue_tickets (token, hall, day, num_cat, seq, number,"
		    " category, priority, line, rank_score, source, citizen, phone_enc, appointment,"
		    " taken_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " (SELECT c.phone_enc FROM citizens c WHERE c.id = ?), ?, ?, ?)",
		    DBARGS(DBS(t->token), DBS(a->hall), DBS(t->day), DBS(cat), DBI(t->seq),
		    DBS(t->number), DBS(cat), DBS(pri_names[a->priority]), DBSN(&t->line, 1),
		    DBS(t->score), DBS(src_names[a->source]), DBS(a->citizen), DBS(a->citizen),
		    DBSO(a->appointment), DBS(t->now_dt), DBS(t->now_dt)), NULL, &id);
	else
		rc = db_exec(r->ctx, "INSERT INTO queue_tickets (token, hall, day, num_cat, seq, number,"
		    " category, priority, line, rank_score, source, citizen, phone_enc, appointment,"
		    " taken_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    DBARGS(DBS(t->token), DBS(a->hall), DBS(t->day), DBS(cat), DBI(t->seq),
		    DBS(t->number), DBS(cat), DBS(pri_names[a->priority]), DBSN(&t->line, 1),
		    DBS(t->score), DBS(src_names[a->source]), DBSO(a->citizen),
		    t->phone_sealed ? DBSN((const char *)t->phone_sealed, t->phone_len) : DBN,
		    DBSO(a->appointment), DBS(t->now_dt), DBS(t->now_dt)), NULL, &id);
	if (rc != 0)
		return rc;
	t->id = id;
	fmt(detail, sizeof detail, "%s %s", src_names[a->source], pri_names[a->priority]);
	if ((rc = hist(r, id, "take", NULL, "waiting", 0, detail, t->now_dt)) != 0)
		return rc;
	q_audit(r, "queue.take", a->hall, t->day, t->number, detail);
	if (a->idem && a->idem->active) {
		json_t *body = json_pack("{s:O}", "ticket", t->ticket);

		rc = idem_save_tx(r, a->idem, 201, body);
		json_decref(body);
		if (rc == DB_DUP)
			t->idem_dup = 1;
		if (rc != 0)
			return rc;
	}
	if (a->tx_hook)
		return a->tx_hook(r, a->tx_arg, id);
	return 0;
}

/* Take a member back out of its line after a failed insert (best effort). */
static void
take_undo(struct req *r, const struct take_ctx *t)
{
	char member[80];
	redisReply *rep;

	fmt(member, sizeof member, "%s %s", t->number, t->token);
	rep = q_script_remove(r->ctx, t->a->hall, t->day, t->a->category, member);
	if (rep)
		freeReplyObject(rep);
}

static int
already_queued(struct req *r)
{
	return req_fail(r, 409, "ALREADY_QUEUED", "您在本中心已有排队中的号码，请先办理或取消后再取号");
}

int
queue_take(struct req *r, const struct queue_take_args *a, json_t **ticket)
{
	struct q_hall h;
	struct take_ctx t;
	struct q_take_in in;
	struct q_ticket v;
	unsigned char sealed[PII_SEALED_MAX];
	char epoch[32], e2[32], member[80], old_member[80] = "";
	int64_t now = hall_now_ms(), day_ms;
	long long ahead = 0;
	int rc, attempt, min_seq = 0, eta = 0, has_phone = a->phone != NULL;
	redisReply *rep = NULL;

	*ticket = NULL;
	if ((rc = q_hall_get(r->ctx, a->hall, &h)) < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return hall_missing(r);
	if (q_hall_cat(&h, a->category) == NULL)
		return req_fail_field(r, "category", "本中心没有这个类别"), req_invalid(r);
	if ((rc = q_hours_ok(r, &h, now)) != 0)
		return rc;

	memset(&t, 0, sizeof t);
	t.a = a;
	t.h = &h;
	t.line = a->priority == Q_PRI_NORMAL ? 'n' : 'p';
	q_today(now, t.day, &day_ms);
	q_dt(now, t.now_dt);

	if (a->source == Q_SRC_CITIZEN && a->citizen == NULL)
		return req_bug(r, "citizen ticket without a citizen");
	if (a->citizen) {
		char tok[40];

		/* One active ticket per citizen and hall (the unique key decides a race). */
		rc = db_scalar(r->ctx, "SELECT token FROM queue_tickets WHERE hall = ? AND day = ?"
		    " AND active_citizen = ?", DBARGS(DBS(a->hall), DBS(t.day), DBS(a->citizen)),
		    tok, sizeof tok);
		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 1)
			return already_queued(r);
	}
	if (a->source == Q_SRC_CITIZEN) {
		char one[4];

		/* The reminder goes to the account's phone (sealed in citizens, copied sealed). */
		rc = db_scalar(r->ctx, "SELECT 1 FROM citizens WHERE id = ? AND phone_enc IS NOT NULL",
		    DBARGS(DBS(a->citizen)), one, sizeof one);
		if (rc < 0)
			return db_fail(r, rc);
		has_phone = rc == 1;
	} else if (a->phone) {
		int n = pii_seal(a->phone, sealed, sizeof sealed);

		if (n < 0)
			return req_bug(r, "cannot seal a phone");
		t.phone_sealed = sealed;
		t.phone_len = (size_t)n;
	}
	if (token_new(t.token, sizeof t.token, Q_TOKEN_BYTES) != 0)
		return req_bug(r, "no token");
	if ((rc = q_ready(r, a->hall, t.day, epoch, sizeof epoch)) != 0)
		return rc;

	memset(&in, 0, sizeof in);
	for (attempt = 0; ; attempt++) {
		if (attempt == 8) {
			take_undo(r, &t);
			return req_bug(r, "take: numbers keep colliding");
		}
		in.hall = a->hall;
		in.day = t.day;
		in.cat = a->category;
		in.line = t.line;
		in.token = t.token;
		in.day_ms = day_ms;
		in.min_seq = min_seq;
		in.notify = has_phone;
		in.old_member = old_member;
		if ((rep = q_script_take(r->ctx, &in)) == NULL || rep->type != REDIS_REPLY_ARRAY ||
		    rep->elements < 1 || rep->element[0]->type != REDIS_REPLY_STRING) {
			if (rep)
				freeReplyObject(rep);
			return req_unavailable(r);
		}
		if (strcmp(rep->element[0]->str, "NOTREADY") == 0) {
			freeReplyObject(rep);
			if ((rc = q_ready(r, a->hall, t.day, epoch, sizeof epoch)) != 0)
				return rc;
			continue;
		}
		if (strcmp(rep->element[0]->str, "FULL") == 0) {
			freeReplyObject(rep);
			if (old_member[0])
				take_undo(r, &t);
			return req_fail(r, 422, "QUEUE_FULL", "今日该类别号码已取完，请明日再来或选择其他类别");
		}
		if (rep->elements < 7) {
			freeReplyObject(rep);
			return req_bug(r, "take: short reply");
		}
		str_copy(epoch, sizeof epoch, rep->element[1]->str ? rep->element[1]->str : "");
		t.seq = (int)rep->element[2]->integer;
		str_copy(t.score, sizeof t.score, rep->element[3]->str ? rep->element[3]->str : "0");
		ahead = rep->element[4]->integer;
		eta = eta_from(&h, a->category, ahead, rep->element[5], rep->element[6], now);
		freeReplyObject(rep);
		rep = NULL;
		fmt(t.number, sizeof t.number, "%c%03d", a->category, t.seq);
		fmt(member, sizeof member, "%s %s", t.number, t.token);

		memset(&v, 0, sizeof v);
		str_copy(v.token, sizeof v.token, t.token);
		str_copy(v.hall, sizeof v.hall, a->hall);
		str_copy(v.day, sizeof v.day, t.day);
		str_copy(v.number, sizeof v.number, t.number);
		v.category = v.num_cat = a->category;
		v.line = t.line;
		str_copy(v.priority, sizeof v.priority, pri_names[a->priority]);
		str_copy(v.status, sizeof v.status, "waiting");
		str_copy(v.taken_at, sizeof v.taken_at, t.now_dt);
		v.has_phone = has_phone;
		json_decref(t.ticket);
		t.ticket = ticket_json(&h, &v, ahead, eta);

		rc = q_tx(r, take_tx, &t);
		if (rc == 0)
			break;
		if (rc == DB_DUP && !t.idem_dup) {
			char top[24];
			char cat[2] = { a->category, 0 };
			long long mx = 0;

			/* A number already in the record (the lines were behind it): go on above
			 * the day's highest.  Otherwise it is the citizen's one active ticket. */
			rc = db_scalar(r->ctx, "SELECT MAX(seq) FROM queue_tickets WHERE hall = ? AND"
			    " day = ? AND num_cat = ?", DBARGS(DBS(a->hall), DBS(t.day), DBS(cat)),
			    top, sizeof top);
			if (rc == 1 && parse_ll(top, 0, Q_MAX_SEQ, &mx) == 0 && mx >= t.seq) {
				log_warn("hall %s: %s already issued; the lines were behind the record",
				    a->hall, t.number);
				min_seq = (int)mx;
				str_copy(old_member, sizeof old_member, member);
				continue;
			}
			take_undo(r, &t);
			json_decref(t.ticket);
			if (rc < 0)
				return db_fail(r, rc);
			if (a->citizen)
				return already_queued(r);
			return db_fail(r, DB_DUP);
		}
		take_undo(r, &t);
		json_decref(t.ticket);
		if (t.idem_dup)
			return idem_replay(r, a->idem);
		if (rc < 0)
			return db_fail(r, rc);
		return rc;	/* the hook refused */
	}

	/* A wipe between the script and the commit: put this ticket into the new lines. */
	if (q_epoch(r->ctx, a->hall, t.day, e2, sizeof e2) != 0 || strcmp(e2, epoch) != 0) {
		if (q_ready(r, a->hall, t.day, e2, sizeof e2) == 0 &&
		    (rep = q_script_requeue(r->ctx, a->hall, t.day, a->category, t.line, member,
		    t.score, day_ms, has_phone, a->category, t.seq)) != NULL)
			freeReplyObject(rep);
		r->status = 0;
		r->err_code = NULL;
	}
	*ticket = t.ticket;
	return 0;
}

int
h_ticket_take(struct req *r)
{
	struct queue_take_args a;
	struct idem im;
	const char *hall = r->pathv[0], *cat = NULL, *phone = NULL;
	int pri = Q_PRI_NORMAL, rc;
	json_t *ticket;

	in_str(r, r->body, "category", 1, 1, 1, &cat);
	in_enum(r, r->body, "priority", 0, pri_names, &pri);
	in_str(r, r->body, "phone", 0, 1, 11, &phone);
	if (cat && !category_code_ok(cat))
		req_fail_field(r, "category", "须为一个大写字母");
	if (phone && !phone_ok(phone))
		req_fail_field(r, "phone", "不是有效的手机号码");
	if (r->sess.role == ROLE_CITIZEN && phone)
		req_fail_field(r, "phone", "线上取号使用您账号绑定的手机号接收提醒");
	if (in_has_errors(r))
		return req_invalid(r);
	if (!hall_code_ok(hall))
		return hall_missing(r);
	if ((r->sess.role & (ROLE_KIOSK | ROLE_CLERK)) && strcmp(r->sess.hall, hall) != 0)
		return req_fail(r, 403, "FORBIDDEN", "只能为本中心取号");
	if (pri == Q_PRI_APPOINTMENT)
		return req_fail(r, 422, "CHECK_IN_REQUIRED", "预约取号请使用预约签到");
	if (r->sess.role == ROLE_CITIZEN && pri != Q_PRI_NORMAL)
		return req_fail(r, 422, "PRIORITY_AT_HALL", "绿色通道请到大厅取号机或窗口取号");

	memset(&a, 0, sizeof a);
	a.hall = hall;
	a.category = cat[0];
	a.priority = (enum q_priority)pri;
	a.phone = phone;
	a.idem = &im;
	if (r->sess.role == ROLE_CITIZEN) {
		a.source = Q_SRC_CITIZEN;
		a.citizen = r->sess.subject;
	} else
		a.source = r->sess.role == ROLE_KIOSK ? Q_SRC_KIOSK : Q_SRC_CLERK;
	if ((rc = idem_begin(r, &im)) != 0)
		return rc;
	if ((rc = queue_take(r, &a, &ticket)) == 0)
		rc = req_ok(r, 201, json_pack("{s:o}", "ticket", ticket));
	idem_end(r, &im);
	return rc;
}

/* ------------------------------------------------------------------ following a ticket */

static int
load_by_token(struct req *r, const char *token, struct q_ticket *t, struct q_hall *h)
{
	int rc;

	memset(t, 0, sizeof *t);
	if (!token_ok(token, 32))
		return req_fail(r, 404, "NOT_FOUND", "没有这个号码");
	rc = db_query(r->ctx, T_COLS "WHERE token = ?", DBARGS(DBS(token)), t_row, t);
	if (rc < 0)
		return db_fail(r, rc);
	if (!t->found)
		return req_fail(r, 404, "NOT_FOUND", "没有这个号码");
	if ((rc = q_hall_get(r->ctx, t->hall, h)) < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return hall_missing(r);
	return 0;
}

int
h_ticket_get(struct req *r)
{
	struct q_ticket t;
	struct q_hall h;
	json_t *j;
	int rc;

	if ((rc = load_by_token(r, r->pathv[0], &t, &h)) != 0)
		return rc;
	if ((j = ticket_view(r, &h, &t)) == NULL)
		return r->status;
	return req_ok(r, 200, json_pack("{s:o}", "ticket", j));
}

struct tok_arg {
	const char	*token;
	struct q_ticket	 t;		/* as it was before the change */
	char		 now_dt[24];
	char		 day[11];
	int64_t		 day_ms;
	char		 score[24];
};

static int
cancel_tx(struct req *r, void *arg)
{
	struct tok_arg *a = arg;
	uint64_t n = 0;
	int rc;

	rc = db_query(r->ctx, T_COLS "WHERE token = ? FOR UPDATE", DBARGS(DBS(a->token)), t_row,
	    &a->t);
	if (rc < 0)
		return rc;
	if (strcmp(a->t.status, "waiting") != 0 && strcmp(a->t.status, "skipped") != 0) {
		if (strcmp(a->t.status, "cancelled") == 0)
			return req_fail(r, 409, "INVALID_TRANSITION", "该号码已取消");
		return req_fail(r, 409, "INVALID_TRANSITION", "该号码已叫号或已办结，无法取消");
	}
	rc = db_exec(r->ctx, "UPDATE queue_tickets SET status = 'cancelled', updated_at = ?"
	    " WHERE id = ? AND status = ?", DBARGS(DBS(a->now_dt), DBI(a->t.id), DBS(a->t.status)),
	    &n, NULL);
	if (rc != 0)
		return rc;
	if (n != 1)
		return DB_RETRY;
	if ((rc = hist(r, a->t.id, "cancel", a->t.status, "cancelled", 0, "", a->now_dt)) != 0)
		return rc;
	q_audit(r, "queue.cancel", a->t.hall, a->t.day, a->t.number, "");
	return 0;
}

int
h_ticket_cancel(struct req *r)
{
	struct tok_arg a;
	struct q_ticket t;
	struct q_hall h;
	char member[80];
	redisReply *rep;
	int rc;

	if ((rc = load_by_token(r, r->pathv[0], &t, &h)) != 0)
		return rc;
	memset(&a, 0, sizeof a);
	a.token = t.token;
	q_dt(hall_now_ms(), a.now_dt);
	q_today(hall_now_ms(), a.day, &a.day_ms);
	if ((rc = q_tx(r, cancel_tx, &a)) != 0)
		return rc < 0 ? db_fail(r, rc) : rc;
	if (strcmp(a.t.status, "waiting") == 0 && strcmp(a.t.day, a.day) == 0) {
		t_member(&a.t, member, sizeof member);
		rep = q_script_remove(r->ctx, a.t.hall, a.day, a.t.category, member);
		if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements >= 3 &&
		    rep->element[0]->str && strcmp(rep->element[0]->str, "OK") == 0)
			notify_near(r, &h, rep, 3);
		if (rep)
			freeReplyObject(rep);
		/* A failure here leaves a member whose row is cancelled: call-next drops it. */
	}
	return req_ok(r, 204, NULL);
}

static int
rejoin_tx(struct req *r, void *arg)
{
	struct tok_arg *a = arg;
	uint64_t n = 0;
	int rc;

	rc = db_query(r->ctx, T_COLS "WHERE token = ? FOR UPDATE", DBARGS(DBS(a->token)), t_row,
	    &a->t);
	if (rc < 0)
		return rc;
	if (strcmp(a->t.status, "skipped") != 0 || strcmp(a->t.day, a->day) != 0)
		return req_fail(r, 409, "INVALID_TRANSITION", "只有今天过号的号码可以重新排队");
	if (a->t.rejoined)
		return req_fail(r, 409, "REJOIN_USED", "过号后只能重新排队一次，请重新取号");
	rc = db_exec(r->ctx, "UPDATE queue_tickets SET status = 'waiting', rejoined = 1, line = 'n',"
	    " rank_score = ?, updated_at = ? WHERE id = ? AND status = 'skipped' AND rejoined = 0",
	    DBARGS(DBS(a->score), DBS(a->now_dt), DBI(a->t.id)), &n, NULL);
	if (rc != 0)
		return rc;
	if (n != 1)
		return DB_RETRY;
	if ((rc = hist(r, a->t.id, "rejoin", "skipped", "waiting", 0, "", a->now_dt)) != 0)
		return rc;
	q_audit(r, "queue.rejoin", a->t.hall, a->t.day, a->t.number, "");
	return 0;
}

int
h_ticket_rejoin(struct req *r)
{
	struct tok_arg a;
	struct q_ticket t;
	struct q_hall h;
	char member[80], epoch[32];
	redisReply *rep;
	long long last;
	json_t *j;
	int rc;

	if ((rc = load_by_token(r, r->pathv[0], &t, &h)) != 0)
		return rc;
	memset(&a, 0, sizeof a);
	a.token = t.token;
	q_dt(hall_now_ms(), a.now_dt);
	q_today(hall_now_ms(), a.day, &a.day_ms);
	if ((rc = q_ready(r, t.hall, a.day, epoch, sizeof epoch)) != 0)
		return rc;
	/* Behind everyone waiting now: a score past any handed out so far. */
	if ((last = q_last_score(r->ctx, t.hall)) < 0)
		return req_unavailable(r);
	if (last < (long long)a.day_ms * 1000 + 999)
		last = (long long)a.day_ms * 1000 + 999;
	else
		last++;
	fmt(a.score, sizeof a.score, "%lld", last);
	rc = q_tx(r, rejoin_tx, &a);
	if (rc == DB_DUP)
		return req_fail(r, 409, "ALREADY_QUEUED", "您在本中心已有排队中的号码");
	if (rc != 0)
		return rc < 0 ? db_fail(r, rc) : rc;
	t_member(&a.t, member, sizeof member);
	rep = q_script_requeue(r->ctx, a.t.hall, a.day, a.t.category, 'n', member, a.score,
	    a.day_ms, a.t.has_phone && !a.t.near_notified, a.t.num_cat, a.t.seq);
	if (rep)
		freeReplyObject(rep);
	a.t.line = 'n';
	str_copy(a.t.status, sizeof a.t.status, "waiting");
	str_copy(a.t.score, sizeof a.t.score, a.score);
	a.t.rejoined = 1;
	str_copy(a.t.updated_at, sizeof a.t.updated_at, a.now_dt);
	if ((j = ticket_view(r, &h, &a.t)) == NULL)
		return r->status;
	return req_ok(r, 200, json_pack("{s:o}", "ticket", j));
}

struct mine {
	struct req	*r;
	json_t		*list;
	struct q_ticket	 t[8];
	int		 n;
};

static int
mine_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct mine *m = arg;

	if (m->n == (int)NELEM(m->t))
		return 1;
	t_row(&m->t[m->n], ncol, v, lens);
	m->n++;
	return 0;
}

int
h_my_tickets(struct req *r)
{
	struct mine m;
	char day[11];
	json_t *list = json_array();
	int rc, i;

	memset(&m, 0, sizeof m);
	q_today(hall_now_ms(), day, NULL);
	rc = db_query(r->ctx, T_COLS "WHERE citizen = ? AND day = ? ORDER BY id DESC LIMIT 8",
	    DBARGS(DBS(r->sess.subject), DBS(day)), mine_row, &m);
	if (rc < 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	for (i = 0; i < m.n; i++) {
		struct q_hall h;
		json_t *j;

		if ((rc = q_hall_get(r->ctx, m.t[i].hall, &h)) != 1 ||
		    (j = ticket_view(r, &h, &m.t[i])) == NULL) {
			json_decref(list);
			return rc < 0 ? db_fail(r, rc) : r->status ? r->status : req_unavailable(r);
		}
		json_array_append_new(list, j);
	}
	return req_ok(r, 200, json_pack("{s:o}", "tickets", list));
}

/* ------------------------------------------------------------------ the window */

struct win {
	struct q_hall	 h;
	const struct q_win *w;
	int		 number;
	char		 cats[Q_MAX_CATS + 1];
	int64_t		 now;
	int64_t		 day_ms;
	char		 day[11];
	char		 now_dt[24];
	struct q_ticket	 t;		/* the window's current ticket (before the change) */
	const char	*action;
	/* action inputs */
	char		 to_cat;
	int		 outcome_done;
	const char	*case_no;
};

/* Check the clerk is signed in at this window of an existing hall. 0 or status. */
static int
win_begin(struct req *r, struct win *w, const char *action)
{
	long long n;
	int rc, i;

	memset(w, 0, sizeof *w);
	w->action = action;
	if (parse_ll(r->pathv[0], 1, 65535, &n) != 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个窗口");
	if (r->sess.window != n)
		return req_fail(r, 403, "FORBIDDEN", "只能在您签到的窗口操作");
	w->number = (int)n;
	if ((rc = q_hall_get(r->ctx, r->sess.hall, &w->h)) < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return hall_missing(r);
	if ((w->w = q_hall_win(&w->h, w->number)) == NULL)
		return req_fail(r, 404, "NOT_FOUND", "没有这个窗口");
	for (i = 0; i < w->h.ncat; i++)
		if (w->w->mask & (1u << (w->h.cats[i].code - 'A')))
			w->cats[strlen(w->cats)] = w->h.cats[i].code;
	w->now = hall_now_ms();
	q_today(w->now, w->day, &w->day_ms);
	q_dt(w->now, w->now_dt);
	return 0;
}

static int
win_current(struct req *r, struct win *w, int lock)
{
	memset(&w->t, 0, sizeof w->t);
	if (lock)
		return db_query(r->ctx, T_COLS "WHERE hall = ? AND day = ? AND active_window = ?"
		    " FOR UPDATE", DBARGS(DBS(w->h.code), DBS(w->day), DBI(w->number)), t_row, &w->t);
	return db_query(r->ctx, T_COLS "WHERE hall = ? AND day = ? AND active_window = ?",
	    DBARGS(DBS(w->h.code), DBS(w->day), DBI(w->number)), t_row, &w->t);
}

static int
no_current(struct req *r)
{
	return req_fail(r, 409, "NO_CURRENT_TICKET", "本窗口当前没有叫号");
}

static int
bad_state(struct req *r, const char *msg)
{
	return req_fail(r, 409, "INVALID_TRANSITION", msg);
}

static int
win_reply(struct req *r, struct win *w, struct q_ticket *t)
{
	json_t *j = ticket_view(r, &w->h, t);

	if (j == NULL)
		return r->status;
	return req_ok(r, 200, json_pack("{s:o}", "ticket", j));
}

/* Reload the ticket (after a change) and reply with it. */
static int
win_reply_token(struct req *r, struct win *w, const char *token)
{
	struct q_ticket t;
	int rc;

	memset(&t, 0, sizeof t);
	rc = db_query(r->ctx, T_COLS "WHERE token = ?", DBARGS(DBS(token)), t_row, &t);
	if (rc < 0)
		return db_fail(r, rc);
	if (!t.found)
		return req_bug(r, "ticket vanished");
	return win_reply(r, w, &t);
}

struct call_arg {
	struct win	*w;
	const char	*token;
	unsigned long long id;
	char		 number[8];
};

static int
call_tx(struct req *r, void *arg)
{
	struct call_arg *a = arg;
	struct win *w = a->w;
	struct q_ticket t;
	char detail[32];
	uint64_t n = 0;
	int rc;

	memset(&t, 0, sizeof t);
	rc = db_query(r->ctx, T_COLS "WHERE token = ? FOR UPDATE", DBARGS(DBS(a->token)), t_row, &t);
	if (rc < 0)
		return rc;
	if (!t.found || strcmp(t.status, "waiting") != 0 || strcmp(t.day, w->day) != 0 ||
	    strcmp(t.hall, w->h.code) != 0)
		return Q_STALE;
	rc = db_exec(r->ctx, "UPDATE queue_tickets SET status = 'called', window_no = ?, clerk = ?,"
	    " called_at = COALESCE(called_at, ?), last_called_at = ?, calls = calls + 1,"
	    " updated_at = ? WHERE id = ? AND status = 'waiting'",
	    DBARGS(DBI(w->number), DBS(r->sess.subject), DBS(w->now_dt), DBS(w->now_dt),
	    DBS(w->now_dt), DBI(t.id)), &n, NULL);
	if (rc != 0)
		return rc;
	if (n != 1)
		return Q_STALE;
	a->id = t.id;
	str_copy(a->number, sizeof a->number, t.number);
	fmt(detail, sizeof detail, "window %d", w->number);
	if ((rc = hist(r, t.id, "call", "waiting", "called", w->number, "", w->now_dt)) != 0)
		return rc;
	q_audit(r, "queue.call", t.hall, t.day, t.number, detail);
	return 0;
}

/* Show the call on the board, and queue the turn-near notices it causes. */
static void
announce(struct req *r, struct win *w, const char *number, const char *near_cats)
{
	char epoch[32];
	redisReply *rep;
	int i;

	for (i = 0; i < 2; i++) {
		rep = q_script_announce(r->ctx, w->h.code, w->day, w->number, number, w->now,
		    near_cats);
		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements < 1 ||
		    rep->element[0]->type != REDIS_REPLY_STRING) {
			if (rep)
				freeReplyObject(rep);
			log_warn("hall %s: call of %s not shown on the board", w->h.code, number);
			return;
		}
		if (strcmp(rep->element[0]->str, "NOTREADY") == 0) {
			/* A rebuild reads the call back from the record. */
			freeReplyObject(rep);
			if (q_ready(r, w->h.code, w->day, epoch, sizeof epoch) != 0) {
				r->status = 0;
				r->err_code = NULL;
				return;
			}
			continue;
		}
		notify_near(r, &w->h, rep, 3);
		freeReplyObject(rep);
		return;
	}
}

int
h_window_call_next(struct req *r)
{
	struct win w;
	struct call_arg ca;
	char epoch[32], e2[32], member[80], score[24], token[40], cat = 0, line = 'n';
	redisReply *rep;
	int rc, attempt;

	if ((rc = win_begin(r, &w, "call")) != 0)
		return rc;
	if ((rc = win_current(r, &w, 0)) < 0)
		return db_fail(r, rc);
	if (w.t.found)
		return req_fail(r, 409, "WINDOW_BUSY", "请先办结、过号或转移当前号码");
	if (w.cats[0] == '\0')
		return req_ok(r, 204, NULL);
	if ((rc = q_ready(r, w.h.code, w.day, epoch, sizeof epoch)) != 0)
		return rc;
	memset(&ca, 0, sizeof ca);
	ca.w = &w;
	for (attempt = 0; ; attempt++) {
		const char *sp;

		if (attempt == 50)
			return req_unavailable(r);
		rep = q_script_pop(r->ctx, w.h.code, w.day, w.number, w.cats);
		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements < 1 ||
		    rep->element[0]->type != REDIS_REPLY_STRING) {
			if (rep)
				freeReplyObject(rep);
			return req_unavailable(r);
		}
		if (strcmp(rep->element[0]->str, "NOTREADY") == 0) {
			freeReplyObject(rep);
			if ((rc = q_ready(r, w.h.code, w.day, epoch, sizeof epoch)) != 0)
				return rc;
			continue;
		}
		if (strcmp(rep->element[0]->str, "EMPTY") == 0) {
			freeReplyObject(rep);
			q_window_open(r->ctx, w.h.code, w.number, w.now);
			return req_ok(r, 204, NULL);
		}
		if (rep->elements < 6 || rep->element[2]->type != REDIS_REPLY_STRING) {
			freeReplyObject(rep);
			return req_bug(r, "pop: short reply");
		}
		str_copy(epoch, sizeof epoch, rep->element[1]->str ? rep->element[1]->str : "");
		str_copy(member, sizeof member, rep->element[2]->str);
		str_copy(score, sizeof score, rep->element[3]->str ? rep->element[3]->str : "0");
		line = rep->element[4]->str && rep->element[4]->str[0] == 'p' ? 'p' : 'n';
		cat = rep->element[5]->str ? rep->element[5]->str[0] : 'A';
		freeReplyObject(rep);
		if ((sp = strchr(member, ' ')) == NULL)
			continue;
		str_copy(token, sizeof token, sp + 1);
		ca.token = token;
		rc = q_tx(r, call_tx, &ca);
		if (rc == 0)
			break;
		if (rc == Q_STALE) {
			/* Cancelled, or left over by a wipe: it is out of the line now. */
			continue;
		}
		/* The call did not happen: the ticket goes back where it was. */
		rep = q_script_requeue(r->ctx, w.h.code, w.day, cat, line, member, score, w.day_ms,
		    0, 0, 0);
		if (rep)
			freeReplyObject(rep);
		if (rc == DB_DUP)
			return req_fail(r, 409, "WINDOW_BUSY", "本窗口已有叫号，请刷新");
		return rc < 0 ? db_fail(r, rc) : rc;
	}
	/* A wipe between the pop and the commit may have put the ticket back into a line. */
	if (q_epoch(r->ctx, w.h.code, w.day, e2, sizeof e2) != 0 || strcmp(e2, epoch) != 0) {
		if (q_ready(r, w.h.code, w.day, e2, sizeof e2) == 0 &&
		    (rep = q_script_remove(r->ctx, w.h.code, w.day, cat, member)) != NULL)
			freeReplyObject(rep);
		r->status = 0;
		r->err_code = NULL;
	}
	announce(r, &w, ca.number, w.cats);
	return win_reply_token(r, &w, token);
}

/* The clerk actions on the window's current ticket, as one transaction each. */
static int
act_tx(struct req *r, void *arg)
{
	struct win *w = arg;
	struct q_ticket *t = &w->t;
	const char *to = NULL, *detail = "";
	char det[32];
	uint64_t n = 0;
	int rc;

	if ((rc = win_current(r, w, 1)) < 0)
		return rc;
	if (!t->found)
		return no_current(r);
	if (strcmp(w->action, "recall") == 0) {
		if (strcmp(t->status, "called") != 0)
			return bad_state(r, "正在办理的号码无需重呼");
		to = "called";
		rc = db_exec(r->ctx, "UPDATE queue_tickets SET last_called_at = ?, calls = calls + 1,"
		    " updated_at = ? WHERE id = ? AND status = 'called'",
		    DBARGS(DBS(w->now_dt), DBS(w->now_dt), DBI(t->id)), &n, NULL);
	} else if (strcmp(w->action, "start") == 0) {
		if (strcmp(t->status, "called") != 0)
			return bad_state(r, "该号码已在办理中");
		to = "serving";
		rc = db_exec(r->ctx, "UPDATE queue_tickets SET status = 'serving', started_at = ?,"
		    " updated_at = ? WHERE id = ? AND status = 'called'",
		    DBARGS(DBS(w->now_dt), DBS(w->now_dt), DBI(t->id)), &n, NULL);
	} else if (strcmp(w->action, "skip") == 0) {
		if (strcmp(t->status, "called") != 0)
			return bad_state(r, "正在办理的号码不能过号");
		to = "skipped";
		rc = db_exec(r->ctx, "UPDATE queue_tickets SET status = 'skipped', updated_at = ?"
		    " WHERE id = ? AND status = 'called'",
		    DBARGS(DBS(w->now_dt), DBI(t->id)), &n, NULL);
	} else if (strcmp(w->action, "transfer") == 0) {
		char cat[2] = { w->to_cat, 0 };

		if (w->to_cat == t->category)
			return req_fail_field(r, "category", "须为其他类别"), req_invalid(r);
		to = "waiting";
		fmt(det, sizeof det, "%c->%c", t->category, w->to_cat);
		detail = det;
		rc = db_exec(r->ctx, "UPDATE queue_tickets SET status = 'waiting', category = ?,"
		    " transfers = transfers + 1, updated_at = ? WHERE id = ? AND status = ?",
		    DBARGS(DBS(cat), DBS(w->now_dt), DBI(t->id), DBS(t->status)), &n, NULL);
	} else if (strcmp(w->action, "finish") == 0) {
		if (!w->outcome_done && strcmp(t->status, "called") != 0)
			return bad_state(r, "已开始办理的号码不能记为未到");
		to = "done";
		detail = w->outcome_done ? "done" : "no_show";
		rc = db_exec(r->ctx, "UPDATE queue_tickets SET status = 'done', outcome = ?,"
		    " finished_at = ?, case_no = ?, updated_at = ? WHERE id = ? AND status = ?",
		    DBARGS(DBS(detail), DBS(w->now_dt), DBSO(w->case_no), DBS(w->now_dt), DBI(t->id),
		    DBS(t->status)), &n, NULL);
	} else
		return DB_FAIL;
	if (rc != 0)
		return rc;
	if (n != 1)
		return DB_RETRY;
	if ((rc = hist(r, t->id, w->action, t->status, to, w->number, detail, w->now_dt)) != 0)
		return rc;
	{
		char a[32];

		fmt(a, sizeof a, "queue.%s", w->action);
		fmt(det, sizeof det, "window %d %s", w->number, detail);
		q_audit(r, a, t->hall, t->day, t->number, det);
	}
	return 0;
}

static int
win_act(struct req *r, struct win *w)
{
	char member[80];
	redisReply *rep;
	int rc;

	if ((rc = q_tx(r, act_tx, w)) != 0)
		return rc < 0 ? db_fail(r, rc) : rc;
	q_window_open(r->ctx, w->h.code, w->number, w->now);
	if (strcmp(w->action, "recall") == 0)
		announce(r, w, w->t.number, "");
	else if (strcmp(w->action, "transfer") == 0) {
		t_member(&w->t, member, sizeof member);
		rep = q_script_requeue(r->ctx, w->h.code, w->day, w->to_cat, w->t.line, member,
		    w->t.score, w->day_ms, w->t.has_phone && !w->t.near_notified, 0, 0);
		if (rep)
			freeReplyObject(rep);
	} else if (strcmp(w->action, "finish") == 0 && w->outcome_done && w->t.started_at[0]) {
		int64_t s = dt_ms(w->t.started_at);

		if (s > 0 && w->now > s)
			q_svc_add(r->ctx, w->h.code, w->t.category, (w->now - s) / 1000);
	}
	return win_reply_token(r, w, w->t.token);
}

int
h_window_recall(struct req *r)
{
	struct win w;
	int rc;

	if ((rc = win_begin(r, &w, "recall")) != 0)
		return rc;
	return win_act(r, &w);
}

int
h_window_skip(struct req *r)
{
	struct win w;
	int rc;

	if ((rc = win_begin(r, &w, "skip")) != 0)
		return rc;
	return win_act(r, &w);
}

int
h_window_start(struct req *r)
{
	struct win w;
	int rc;

	if ((rc = win_begin(r, &w, "start")) != 0)
		return rc;
	return win_act(r, &w);
}

int
h_window_transfer(struct req *r)
{
	struct win w;
	const char *cat = NULL;
	int rc;

	in_str(r, r->body, "category", 1, 1, 1, &cat);
	if (cat && !category_code_ok(cat))
		req_fail_field(r, "category", "须为一个大写字母");
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = win_begin(r, &w, "transfer")) != 0)
		return rc;
	if (q_hall_cat(&w.h, cat[0]) == NULL)
		return req_fail_field(r, "category", "本中心没有这个类别"), req_invalid(r);
	w.to_cat = cat[0];
	return win_act(r, &w);
}

int
h_window_finish(struct req *r)
{
	static const char *const outcomes[] = { "done", "no_show", NULL };
	struct win w;
	const char *case_no = NULL;
	int outcome = 0, rc;

	in_enum(r, r->body, "outcome", 1, outcomes, &outcome);
	in_str(r, r->body, "case", 0, 1, 40, &case_no);
	if (case_no && !token_ok(case_no, 40))
		req_fail_field(r, "case", "不是有效的办件编号");
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = win_begin(r, &w, "finish")) != 0)
		return rc;
	w.outcome_done = outcome == 0;
	w.case_no = case_no;
	return win_act(r, &w);
}

int
h_window_get(struct req *r)
{
	struct win w;
	json_t *o, *cats, *cur = NULL, *counts;
	char served[16], epoch[32];
	long long nserved = 0;
	int rc, i;

	if ((rc = win_begin(r, &w, "view")) != 0)
		return rc;
	if ((rc = win_current(r, &w, 0)) < 0)
		return db_fail(r, rc);
	if (w.t.found && (cur = ticket_view(r, &w.h, &w.t)) == NULL)
		return r->status;
	rc = db_scalar(r->ctx, "SELECT COUNT(*) FROM queue_tickets WHERE hall = ? AND day = ?"
	    " AND window_no = ? AND status = 'done'", DBARGS(DBS(w.h.code), DBS(w.day),
	    DBI(w.number)), served, sizeof served);
	if (rc < 0) {
		json_decref(cur);
		return db_fail(r, rc);
	}
	if ((rc = q_ready(r, w.h.code, w.day, epoch, sizeof epoch)) != 0) {
		json_decref(cur);
		return rc;
	}
	counts = json_object();
	if (catalog_waiting(r->ctx, w.h.code, counts) != 0) {
		json_decref(cur);
		json_decref(counts);
		return req_unavailable(r);
	}
	q_window_open(r->ctx, w.h.code, w.number, w.now);
	parse_ll(served, 0, 1000000, &nserved);
	cats = json_array();
	for (i = 0; i < w.h.ncat; i++) {
		const struct q_cat *c = &w.h.cats[i];
		char code[2] = { c->code, 0 };
		json_t *n = json_object_get(counts, code);

		json_array_append_new(cats, json_pack("{s:s,s:s,s:I,s:b}", "code", code,
		    "name", c->name, "waiting", (json_int_t)(n ? json_integer_value(n) : 0),
		    "mine", (w.w->mask & (1u << (c->code - 'A'))) != 0));
	}
	json_decref(counts);
	o = json_pack("{s:{s:i,s:s,s:s},s:o,s:o,s:i}",
	    "window", "number", w.number, "name", w.w->name, "hall", w.h.code,
	    "categories", cats,
	    "current", cur ? cur : json_null(),
	    "served_today", (int)nserved);
	json_object_set_new(json_object_get(o, "window"), "hall_name", json_string(w.h.name));
	return req_ok(r, 200, o);
}
