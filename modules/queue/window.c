/*
 * window.c — the window's actions (叫号): call the next ticket, recall, skip, start,
 * transfer, finish; and the console's figures.
 *
 * Routes: none here; POST /windows/{window}/… and GET /windows/{window} (window_api.c).
 * Tables: queue_tickets, queue_ticket_history (and the audit trail through the actor).
 * Redis:  the pop, requeue, remove and announce scripts (lines.c), :open, :svc, :waiting.
 *
 * call-next pops in Redis first, then moves the row from waiting to called with a guarded
 * UPDATE … WHERE status = 'waiting' — so a member whose row is no longer waiting (cancelled
 * meanwhile, or left over by a wipe) is dropped and the next one is popped, and no ticket is
 * ever handed to two windows whatever Redis holds.  Every other action writes MariaDB first
 * and then mirrors it into Redis.
 */
#include "queue_int.h"
#include "../hall/catalog.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <string.h>

#define Q_STALE 1		/* call_tx: the ticket no longer waits: pop the next one */
#define Q_POP_TRIES 50		/* pops in one call-next (stale members dropped, rebuilds) */

int
q_window_load(struct ctx *c, const char *hall, int number, struct q_window *w, const char **why)
{
	int rc, i;

	memset(w, 0, sizeof *w);
	w->number = number;
	if ((rc = q_hall_get(c, hall, &w->h)) < 0)
		return rc;
	if (rc == 0) {
		*why = Q_NO_HALL;
		return E_NOT_FOUND;
	}
	if ((w->w = q_hall_win(&w->h, w->number)) == NULL) {
		*why = Q_NO_WINDOW;
		return E_NOT_FOUND;
	}
	for (i = 0; i < w->h.ncat; i++)
		if (w->w->mask & (1u << (w->h.cats[i].code - 'A')))
			w->cats[strlen(w->cats)] = w->h.cats[i].code;
	w->now = hall_now_ms();
	q_today(w->now, w->day, &w->day_ms);
	q_dt(w->now, w->now_dt);
	return 0;
}

int
q_window_current(struct ctx *c, struct q_window *w, int lock)
{
	int rc;

	memset(&w->t, 0, sizeof w->t);
	if (lock)
		rc = db_query(c, T_COLS "WHERE hall = ? AND day = ? AND active_window = ?"
		    " FOR UPDATE", DBARGS(DBS(w->h.code), DBS(w->day), DBI(w->number)),
		    q_ticket_row, &w->t);
	else
		rc = db_query(c, T_COLS "WHERE hall = ? AND day = ? AND active_window = ?",
		    DBARGS(DBS(w->h.code), DBS(w->day), DBI(w->number)), q_ticket_row, &w->t);
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------------ call-next */

struct call_arg {
	const struct q_actor *who;
	struct q_window	*w;
	const char	*token;
	char		 number[8];
};

static int
call_tx(struct ctx *c, void *arg)
{
	struct call_arg *a = arg;
	struct q_window *w = a->w;
	struct q_ticket t;
	char detail[32];
	uint64_t n = 0;
	int rc;

	memset(&t, 0, sizeof t);
	rc = db_query(c, T_COLS "WHERE token = ? FOR UPDATE", DBARGS(DBS(a->token)), q_ticket_row,
	    &t);
	if (rc < 0)
		return rc;
	if (!t.found || strcmp(t.status, "waiting") != 0 || strcmp(t.day, w->day) != 0 ||
	    strcmp(t.hall, w->h.code) != 0)
		return Q_STALE;
	rc = db_exec(c, "UPDATE queue_tickets SET status = 'called', window_no = ?, clerk = ?,"
	    " called_at = COALESCE(called_at, ?), last_called_at = ?, calls = calls + 1,"
	    " updated_at = ? WHERE id = ? AND status = 'waiting'",
	    DBARGS(DBI(w->number), DBS(a->who->subject), DBS(w->now_dt), DBS(w->now_dt),
	    DBS(w->now_dt), DBI(t.id)), &n, NULL);
	if (rc != 0)
		return rc;
	if (n != 1)
		return Q_STALE;
	str_copy(a->number, sizeof a->number, t.number);
	fmt(detail, sizeof detail, "window %d", w->number);
	if ((rc = q_hist(c, a->who, t.id, "call", "waiting", "called", w->number, "",
	    w->now_dt)) != 0)
		return rc;
	q_audit(a->who, "queue.call", &t, detail);
	return 0;
}

/* Show the call on the board, and queue the turn-near notices it causes. */
static void
announce(struct ctx *c, const struct q_actor *who, struct q_window *w, const char *number,
    const char *near_cats)
{
	const char *why = NULL;
	char epoch[32];
	redisReply *rep;
	int i;

	for (i = 0; i < 2; i++) {
		rep = q_script_announce(c, w->h.code, w->day, w->number, number, w->now, near_cats);
		if (!q_reply_ok(rep, 1)) {
			if (rep)
				freeReplyObject(rep);
			log_warn("hall %s: call of %s not shown on the board", w->h.code, number);
			return;
		}
		if (strcmp(rep->element[0]->str, "NOTREADY") == 0) {
			/* A rebuild reads the call back from the record. */
			freeReplyObject(rep);
			if (q_ready(c, w->h.code, w->day, epoch, sizeof epoch, &why) != 0)
				return;
			continue;
		}
		q_notify_near(c, who, &w->h, rep, 3);
		freeReplyObject(rep);
		return;
	}
}

/* What the pop script handed out. */
struct popped {
	char	 epoch[32];
	char	 member[80];
	char	 score[24];
	char	 token[40];
	char	 line;
	char	 cat;
};

/* Pop the next member for the window: 0 with it in p, 1 nobody waits, E_* or DB_*. */
static int
pop_next(struct ctx *c, struct q_window *w, struct popped *p, const char **why)
{
	redisReply *rep = NULL;
	const char *sp;
	int rc, tries;

	for (tries = 0; ; tries++) {
		if (tries == Q_POP_TRIES)
			return E_UNAVAILABLE;
		rep = q_script_pop(c, w->h.code, w->day, w->number, w->cats);
		if (!q_reply_ok(rep, 1)) {
			if (rep)
				freeReplyObject(rep);
			return E_UNAVAILABLE;
		}
		if (strcmp(rep->element[0]->str, "NOTREADY") != 0)
			break;
		freeReplyObject(rep);
		if ((rc = q_ready(c, w->h.code, w->day, p->epoch, sizeof p->epoch, why)) != 0)
			return rc;
	}
	if (strcmp(rep->element[0]->str, "EMPTY") == 0) {
		freeReplyObject(rep);
		return 1;
	}
	if (rep->elements < 6 || rep->element[2]->type != REDIS_REPLY_STRING) {
		freeReplyObject(rep);
		log_err("pop: short reply");
		return E_INTERNAL;
	}
	str_copy(p->epoch, sizeof p->epoch, rep->element[1]->str ? rep->element[1]->str : "");
	str_copy(p->member, sizeof p->member, rep->element[2]->str);
	str_copy(p->score, sizeof p->score, rep->element[3]->str ? rep->element[3]->str : "0");
	p->line = rep->element[4]->str && rep->element[4]->str[0] == 'p' ? 'p' : 'n';
	p->cat = rep->element[5]->str ? rep->element[5]->str[0] : 'A';
	freeReplyObject(rep);
	p->token[0] = '\0';
	if ((sp = strchr(p->member, ' ')) != NULL)
		str_copy(p->token, sizeof p->token, sp + 1);
	return 0;
}

int
q_window_call_next(struct ctx *c, const struct q_actor *who, struct q_window *w, char *token,
    size_t tsz, const char **why)
{
	struct call_arg ca;
	struct popped p;
	int rc, attempt;

	token[0] = '\0';
	if ((rc = q_window_current(c, w, 0)) != 0)
		return rc;
	if (w->t.found) {
		*why = "请先办结、过号或转移当前号码";
		return E_WINDOW_BUSY;
	}
	if (w->cats[0] == '\0')
		return 0;
	memset(&p, 0, sizeof p);
	if ((rc = q_ready(c, w->h.code, w->day, p.epoch, sizeof p.epoch, why)) != 0)
		return rc;
	memset(&ca, 0, sizeof ca);
	ca.who = who;
	ca.w = w;
	for (attempt = 0; ; attempt++) {
		if (attempt == Q_POP_TRIES)
			return E_UNAVAILABLE;
		if ((rc = pop_next(c, w, &p, why)) == 1) {
			q_window_open(c, w->h.code, w->number, w->now);
			return 0;
		}
		if (rc != 0)
			return rc;
		if (p.token[0] == '\0')
			continue;
		ca.token = p.token;
		if ((rc = db_tx(c, call_tx, &ca)) == 0)
			break;
		if (rc == Q_STALE)
			continue;	/* cancelled, or left over by a wipe: out of the line now */
		/* The call did not happen: the ticket goes back where it was. */
		q_requeue(c, w->h.code, w->day, p.cat, p.line, p.member, p.score, w->day_ms, 0, 0, 0);
		if (rc == DB_DUP) {
			*why = "本窗口已有叫号，请刷新";
			return E_WINDOW_BUSY;
		}
		return rc;
	}
	/* A wipe between the pop and the commit may have put the ticket back into a line. */
	if (q_rebuilt_since(c, w->h.code, w->day, p.epoch)) {
		redisReply *rep = q_script_remove(c, w->h.code, w->day, p.cat, p.member);

		if (rep)
			freeReplyObject(rep);
	}
	announce(c, who, w, ca.number, w->cats);
	str_copy(token, tsz, p.token);
	q_push(c, w->h.code, "call", w->number, ca.number);
	return 0;
}

/* ------------------------------------------------------------------ the other actions */

static const char *const act_names[] = { "recall", "skip", "start", "transfer", "finish" };

struct act_arg {
	const struct q_actor *who;
	struct q_window	*w;
	const struct q_act_in *in;
	const char	*why;
};

/* Recall, start and skip act on a called ticket only: the refusal for any other, the status
 * after, and the guarded UPDATE, bound to the instant (instants times) and the ticket's id. */
static const struct called_act {
	const char	*refusal, *to, *sql;
	int		 instants;
} called_acts[] = {
	[Q_ACT_RECALL] = { "正在办理的号码无需重呼", "called", "UPDATE queue_tickets SET"
	    " last_called_at = ?, calls = calls + 1, updated_at = ? WHERE id = ? AND"
	    " status = 'called'", 2 },
	[Q_ACT_START] = { "该号码已在办理中", "serving", "UPDATE queue_tickets SET"
	    " status = 'serving', started_at = ?, updated_at = ? WHERE id = ? AND"
	    " status = 'called'", 2 },
	[Q_ACT_SKIP] = { "正在办理的号码不能过号", "skipped", "UPDATE queue_tickets SET"
	    " status = 'skipped', updated_at = ? WHERE id = ? AND status = 'called'", 1 },
};

/* The guarded UPDATE of one action on t; *to is the status after it, *detail its history
 * detail.  0 with *n rows changed, a kind (why set) or a DB_* code. */
static int
act_update(struct ctx *c, struct act_arg *a, const char **to, const char **detail,
    char *det, size_t dsz, uint64_t *n)
{
	struct q_window *w = a->w;
	const struct q_ticket *t = &w->t;
	const struct q_act_in *in = a->in;
	int called = strcmp(t->status, "called") == 0;

	switch (in->act) {
	case Q_ACT_RECALL:
	case Q_ACT_START:
	case Q_ACT_SKIP: {
		const struct called_act *k = &called_acts[in->act];

		if (!called)
			return a->why = k->refusal, E_INVALID_TRANSITION;
		*to = k->to;
		return k->instants == 2 ? db_exec(c, k->sql, DBARGS(DBS(w->now_dt), DBS(w->now_dt),
		    DBI(t->id)), n, NULL) : db_exec(c, k->sql, DBARGS(DBS(w->now_dt), DBI(t->id)), n,
		    NULL);
	}
	case Q_ACT_TRANSFER: {
		char cat[2] = { in->to_cat, 0 };

		if (in->to_cat == t->category)
			return a->why = "须为其他类别", E_INVALID_INPUT;
		*to = "waiting";
		fmt(det, dsz, "%c->%c", t->category, in->to_cat);
		*detail = det;
		return db_exec(c, "UPDATE queue_tickets SET status = 'waiting', category = ?,"
		    " transfers = transfers + 1, updated_at = ? WHERE id = ? AND status = ?",
		    DBARGS(DBS(cat), DBS(w->now_dt), DBI(t->id), DBS(t->status)), n, NULL);
	}
	case Q_ACT_FINISH:
		if (!in->outcome_done && !called)
			return a->why = "已开始办理的号码不能记为未到", E_INVALID_TRANSITION;
		*to = "done";
		*detail = in->outcome_done ? "done" : "no_show";
		return db_exec(c, "UPDATE queue_tickets SET status = 'done', outcome = ?,"
		    " finished_at = ?, case_no = ?, updated_at = ? WHERE id = ? AND status = ?",
		    DBARGS(DBS(*detail), DBS(w->now_dt), DBSO(in->case_no), DBS(w->now_dt),
		    DBI(t->id), DBS(t->status)), n, NULL);
	}
	return DB_FAIL;
}

/* The clerk actions on the window's current ticket, as one transaction each. */
static int
act_tx(struct ctx *c, void *arg)
{
	struct act_arg *a = arg;
	struct q_window *w = a->w;
	const char *to = NULL, *detail = "", *name = act_names[a->in->act];
	char det[32], action[32];
	uint64_t n = 0;
	int rc;

	if ((rc = q_window_current(c, w, 1)) != 0)
		return rc;
	if (!w->t.found) {
		a->why = "本窗口当前没有叫号";
		return E_NO_CURRENT_TICKET;
	}
	if ((rc = act_update(c, a, &to, &detail, det, sizeof det, &n)) != 0)
		return rc;
	if (n != 1)
		return DB_RETRY;
	if ((rc = q_hist(c, a->who, w->t.id, name, w->t.status, to, w->number, detail,
	    w->now_dt)) != 0)
		return rc;
	/* A served visit: its review link by SMS (finish_sms.c). */
	if (a->in->act == Q_ACT_FINISH && a->in->outcome_done && (rc = q_finish_sms(c, w)) != 0)
		return rc;
	fmt(action, sizeof action, "queue.%s", name);
	fmt(det, sizeof det, "window %d %s", w->number, detail);
	q_audit(a->who, action, &w->t, det);
	if (a->in->in_tx)
		return a->in->in_tx(c, a->in->in_tx_arg, &w->t);
	return 0;
}

int
q_window_act(struct ctx *c, const struct q_actor *who, struct q_window *w,
    const struct q_act_in *in, const char **why)
{
	struct act_arg a;
	char member[80];
	int rc;

	memset(&a, 0, sizeof a);
	a.who = who;
	a.w = w;
	a.in = in;
	if ((rc = db_tx(c, act_tx, &a)) != 0) {
		*why = a.why;
		return rc;
	}
	q_window_open(c, w->h.code, w->number, w->now);
	if (in->act == Q_ACT_RECALL)
		announce(c, who, w, w->t.number, "");
	else if (in->act == Q_ACT_TRANSFER) {
		q_member(&w->t, member, sizeof member);
		q_requeue(c, w->h.code, w->day, in->to_cat, w->t.line, member, w->t.score,
		    w->day_ms, w->t.has_phone && !w->t.near_notified, 0, 0);
		if (w->t.has_phone && !w->t.near_notified)
			q_near_scan(c, who, &w->h, w->day, in->to_cat);
	} else if (in->act == Q_ACT_FINISH && in->outcome_done && w->t.started_at[0]) {
		int64_t s = q_dt_ms(w->t.started_at);

		if (s > 0 && w->now > s)
			q_svc_add(c, w->h.code, w->t.category, (w->now - s) / 1000);
	}
	q_push(c, w->h.code, act_names[in->act], w->number, w->t.number);
	return 0;
}

int
q_window_figures(struct ctx *c, struct q_window *w, long long *served, json_t *counts,
    const char **why)
{
	char n[16], epoch[32];
	int rc;

	*served = 0;
	rc = db_scalar(c, "SELECT COUNT(*) FROM queue_tickets WHERE hall = ? AND day = ?"
	    " AND window_no = ? AND status = 'done'", DBARGS(DBS(w->h.code), DBS(w->day),
	    DBI(w->number)), n, sizeof n);
	if (rc < 0)
		return rc;
	if ((rc = q_ready(c, w->h.code, w->day, epoch, sizeof epoch, why)) != 0)
		return rc;
	if (catalog_waiting(c, w->h.code, counts) != 0)
		return E_UNAVAILABLE;
	q_window_open(c, w->h.code, w->number, w->now);
	parse_ll(n, 0, 1000000, served);
	return 0;
}
