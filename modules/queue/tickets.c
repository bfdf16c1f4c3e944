/*
 * tickets.c — the ticket: its row in MariaDB, its history, how the API shows it (with its
 * place in the line), and the turn-near SMS once few are ahead of it.
 *
 * Routes: none (ticket_api.c and window_api.c show what these build).
 * Tables: queue_tickets, queue_ticket_history, outbox (the turn-near SMS), halls and the
 *         rest of the hall's set-up through hall_config.c.
 * Redis:  the lines, through lines.c's place and requeue scripts.
 */
#include "queue_int.h"
#include "../notify/outbox.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <sodium.h>
#include <string.h>

#define Q_STALE 1		/* a transaction found the ticket no longer in that state */
#define Q_HEAL_MS 10000		/* a waiting ticket missing from its line this long is put back */

const char *const q_priority_names[Q_PRI__MAX + 1] = {
	"normal", "elderly", "disabled", "appointment", NULL
};
const char *const q_source_names[Q_SRC__MAX] = { "kiosk", "clerk", "citizen", "appointment" };

/* ------------------------------------------------------------------ the row */

#define TK_S(m)		DBC_S(struct q_ticket, m)
#define TK_I(m, lo, hi)	DBC_I(struct q_ticket, m, lo, hi)
#define TK_B(m)		DBC_B(struct q_ticket, m)
static const struct db_col ticket_cols[] = {	/* T_COLS */
	TK_I(id, 0, INT64_MAX), TK_S(token), TK_S(hall), TK_S(day), TK_S(number),
	DBC_NONE /* num_cat */, TK_I(seq, 0, 9999), DBC_NONE /* category */, DBC_NONE /* line */,
	TK_S(score), TK_S(priority), TK_S(source), TK_S(status), TK_S(outcome), TK_S(citizen),
	TK_I(window, 0, 65535), TK_B(rejoined), TK_I(transfers, 0, 255), TK_I(calls, 0, 65535),
	TK_B(near_notified), TK_B(has_phone), TK_S(taken_at), TK_S(called_at),
	TK_S(started_at), TK_S(finished_at), TK_S(updated_at), TK_S(case_no),
};
#undef TK_S
#undef TK_I
#undef TK_B

int
q_ticket_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct q_ticket *t = arg;

	(void)lens;
	if (ncol < 27)
		return 1;
	memset(t, 0, sizeof *t);
	t->found = 1;
	db_row_fill(t, DB_COLS(ticket_cols), ncol, v);
	/* One letter each, kept as a char. */
	t->num_cat = v[5][0];
	t->category = v[7][0];
	t->line = v[8][0];
	return 1;
}

void
q_member(const struct q_ticket *t, char *out, size_t osz)
{
	fmt(out, osz, "%s %s", t->number, t->token);
}

int
q_hist(struct ctx *c, const struct q_actor *who, unsigned long long id, const char *action,
    const char *from, const char *to, int window, const char *detail, const char *now_dt)
{
	return db_exec(c, "INSERT INTO queue_ticket_history (ticket_id, at, action, from_status,"
	    " to_status, window_no, actor_kind, actor, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    DBARGS(DBI(id), DBS(now_dt), DBS(action), DBSO(from), DBS(to),
	    window > 0 ? DBI(window) : DBN, DBS(who->kind), DBS(who->subject),
	    DBS(detail ? detail : "")), NULL, NULL);
}

void
q_audit(const struct q_actor *who, const char *action, const struct q_ticket *t,
    const char *detail)
{
	char target[96];

	if (who->audit == NULL)
		return;
	fmt(target, sizeof target, "%s/%s/%s", t->hall, t->day, t->number);
	who->audit(who->arg, action, target, detail);
}

int
q_ticket_load(struct ctx *c, const char *token, struct q_ticket *t, struct q_hall *h,
    const char **why)
{
	int rc;

	memset(t, 0, sizeof *t);
	*why = Q_NO_TICKET;
	if (!token_ok(token, 32))
		return E_NOT_FOUND;
	rc = db_query(c, T_COLS "WHERE token = ?", DBARGS(DBS(token)), q_ticket_row, t);
	if (rc < 0)
		return rc;
	if (!t->found)
		return E_NOT_FOUND;
	if ((rc = q_hall_get(c, t->hall, h)) < 0)
		return rc;
	*why = Q_NO_HALL;
	if (rc == 0)
		return E_NOT_FOUND;
	*why = NULL;
	return 0;
}

/* ------------------------------------------------------------------ the ticket as shown */

json_t *
q_ticket_json(const struct q_hall *h, const struct q_ticket *t, long long ahead, int eta)
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

int
q_ticket_view(struct ctx *c, const struct q_hall *h, const struct q_ticket *t, json_t **out,
    const char **why)
{
	int64_t now = hall_now_ms(), day_ms;
	char day[11], epoch[32], member[80];
	long long ahead;
	int tries, rc;
	redisReply *rep;

	*out = NULL;
	q_today(now, day, &day_ms);
	if (strcmp(t->status, "waiting") != 0 || strcmp(t->day, day) != 0) {
		*out = q_ticket_json(h, t, 0, 0);
		return 0;
	}
	q_member(t, member, sizeof member);
	for (tries = 0; tries < 2; tries++) {
		if ((rc = q_ready(c, t->hall, day, epoch, sizeof epoch, why)) != 0)
			return rc;
		rep = q_script_place(c, t->hall, t->category, t->line, member);
		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements < 3) {
			if (rep)
				freeReplyObject(rep);
			return E_UNAVAILABLE;
		}
		ahead = rep->element[0]->integer;
		if (ahead >= 0) {
			*out = q_ticket_json(h, t, ahead, q_eta_of(h, t->category, ahead,
			    rep->element[1], rep->element[2], now));
			freeReplyObject(rep);
			return 0;
		}
		freeReplyObject(rep);
		if (now - q_dt_ms(t->updated_at) < Q_HEAL_MS)
			break;
		log_warn("hall %s: waiting %s was missing from its line; put back", t->hall, t->number);
		q_requeue(c, t->hall, day, t->category, t->line, member, t->score, day_ms,
		    t->has_phone && !t->near_notified, t->num_cat, t->seq);
	}
	*out = q_ticket_json(h, t, 0, 0);
	return 0;
}

/* ------------------------------------------------------------------ turn-near SMS */

static int
sealed_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	if (ncol == 1)
		pii_sealed_keep(arg, v[0], lens[0]);
	return 1;
}

int
q_ticket_phone(struct ctx *c, unsigned long long id, char *out, size_t osz)
{
	struct pii_sealed s;
	int rc;

	memset(&s, 0, sizeof s);
	rc = db_query(c, "SELECT phone_enc FROM queue_tickets WHERE id = ?", DBARGS(DBI(id)),
	    sealed_row, &s);
	if (rc < 0)
		return rc;
	if (pii_sealed_open(&s, out, osz) != 0) {
		log_warn("ticket %llu: the phone cannot be opened", id);
		return 0;
	}
	return 1;
}

int
q_ticket_sms(struct ctx *c, const struct q_ticket *t, const char *phone, const char *template,
    json_t *params, int urgent)
{
	char ref[24];
	struct outbox_msg m = { .hall = t->hall, .template = template, .recipient = phone,
		.params = params, .ref_kind = "ticket", .ref_id = ref, .urgent = urgent };
	int rc;

	fmt(ref, sizeof ref, "%llu", t->id);
	rc = outbox_add(c, &m, NULL);
	json_decref(params);
	return rc == -1 ? DB_FAIL : rc;
}

struct near_arg {
	const struct q_actor *who;
	const struct q_hall *h;
	const char	*token;
	long long	 ahead;
	int		 queued;
};

static int
near_tx(struct ctx *c, void *arg)
{
	struct near_arg *a = arg;
	struct q_ticket t;
	char phone[64], now_dt[24];
	uint64_t n = 0;
	json_t *params;
	int rc;

	memset(&t, 0, sizeof t);
	rc = db_query(c, T_COLS "WHERE token = ? FOR UPDATE", DBARGS(DBS(a->token)), q_ticket_row, &t);
	if (rc < 0)
		return rc;
	if (!t.found || strcmp(t.status, "waiting") != 0 || t.near_notified || !t.has_phone)
		return Q_STALE;
	/* The phone is opened only to hand it to the outbox, which seals it again. */
	if ((rc = q_ticket_phone(c, t.id, phone, sizeof phone)) <= 0)
		return rc < 0 ? rc : Q_STALE;
	q_dt(hall_now_ms(), now_dt);
	rc = db_exec(c, "UPDATE queue_tickets SET near_notified = 1, updated_at = ?"
	    " WHERE id = ? AND near_notified = 0 AND status = 'waiting'",
	    DBARGS(DBS(now_dt), DBI(t.id)), &n, NULL);
	if (rc == 0 && n == 1) {
		params = json_pack("{s:s,s:I,s:s}", "number", t.number, "ahead",
		    (json_int_t)a->ahead, "hall_name", a->h->name);
		rc = q_ticket_sms(c, &t, phone, "turn_near", params, 1);
		if (rc == 0)
			rc = q_hist(c, a->who, t.id, "notify", "waiting", "waiting", 0, "turn_near", now_dt);
		a->queued = rc == 0;
	} else if (rc == 0)
		rc = Q_STALE;
	sodium_memzero(phone, sizeof phone);
	return rc;
}

/* Queue the turn-near SMS for "token ahead" entries of a script reply from index `from`. */
void
q_notify_near(struct ctx *c, const struct q_actor *who, const struct q_hall *h, const redisReply *rep, size_t from)
{
	size_t i;

	for (i = from; rep && rep->type == REDIS_REPLY_ARRAY && i < rep->elements; i++) {
		const redisReply *e = rep->element[i];
		struct near_arg a;
		char token[40];
		const char *sp;
		long long ahead = q_near_ahead();
		int rc;

		if (e->type != REDIS_REPLY_STRING || (sp = strchr(e->str, ' ')) == NULL ||
		    (size_t)(sp - e->str) >= sizeof token)
			continue;
		memcpy(token, e->str, (size_t)(sp - e->str));
		token[sp - e->str] = '\0';
		parse_ll(sp + 1, 0, 1000, &ahead);
		memset(&a, 0, sizeof a);
		a.who = who;
		a.h = h;
		a.token = token;
		a.ahead = ahead;
		rc = db_tx(c, near_tx, &a);
		if (rc < 0)
			log_warn("hall %s: turn-near notice not queued (%d)", h->code, rc);
	}
}

void
q_near_scan(struct ctx *c, const struct q_actor *who, const struct q_hall *h, const char *day,
    char cat)
{
	redisReply *rep = q_script_nearscan(c, h->code, day, cat);

	if (q_reply_ok(rep, 2) && strcmp(rep->element[0]->str, "OK") == 0)
		q_notify_near(c, who, h, rep, 2);
	else
		log_warn("hall %s: turn-near scan of %c not done; the next call looks again",
		    h->code, cat);
	if (rep)
		freeReplyObject(rep);
}
