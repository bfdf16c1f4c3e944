/*
 * ticket_ops.c — what the holder of a ticket does with it: leave the queue, and rejoin it
 * once after a skip.
 *
 * Routes: none here; DELETE /tickets/{token} and POST /tickets/{token}/rejoin
 *         (ticket_api.c) come here.
 * Tables: queue_tickets, queue_ticket_history (and the audit trail through the actor).
 * Redis:  the remove and requeue scripts (lines.c), :ord for the rejoin's place.
 *
 * MariaDB first, then Redis: the guarded UPDATE decides; a member left in a line by a
 * failure after it is harmless (call-next drops a member whose row no longer waits), and
 * one missing is put back by the next read of the ticket or the reconcile job.
 */
#include "queue_int.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#include <string.h>

struct tok_arg {
	const struct q_actor *who;
	const char	*token;
	struct q_ticket	 t;		/* as it was before the change */
	char		 now_dt[24];
	char		 day[11];
	int64_t		 day_ms;
	char		 score[24];
	const char	*why;
	/* The change: its check and guarded UPDATE (n: rows changed), its action and status. */
	int		(*change)(struct ctx *, struct tok_arg *, uint64_t *n);
	const char	*action, *to;
};

/* The ticket of a.token, locked, as it was before the change.  0 or a DB_* code. */
static int
tok_lock(struct ctx *c, struct tok_arg *a)
{
	int rc = db_query(c, T_COLS "WHERE token = ? FOR UPDATE", DBARGS(DBS(a->token)),
	    q_ticket_row, &a->t);

	return rc < 0 ? rc : 0;
}

/* One change of the ticket, in its transaction: the ticket locked, a->change, then its
 * history row and audit event once its guarded UPDATE changed the one row. */
static int
tok_tx(struct ctx *c, void *arg)
{
	struct tok_arg *a = arg;
	char audit[32];
	uint64_t n = 0;
	int rc;

	if ((rc = tok_lock(c, a)) != 0 || (rc = a->change(c, a, &n)) != 0)
		return rc;
	if (n != 1)
		return DB_RETRY;
	if ((rc = q_hist(c, a->who, a->t.id, a->action, a->t.status, a->to, 0, "",
	    a->now_dt)) != 0)
		return rc;
	fmt(audit, sizeof audit, "queue.%s", a->action);
	q_audit(a->who, audit, &a->t, "");
	return 0;
}

static int
cancel_change(struct ctx *c, struct tok_arg *a, uint64_t *n)
{
	if (strcmp(a->t.status, "waiting") != 0 && strcmp(a->t.status, "skipped") != 0) {
		a->why = strcmp(a->t.status, "cancelled") == 0 ? "该号码已取消" :
		    "该号码已叫号或已办结，无法取消";
		return E_INVALID_TRANSITION;
	}
	return db_exec(c, "UPDATE queue_tickets SET status = 'cancelled', updated_at = ?"
	    " WHERE id = ? AND status = ?", DBARGS(DBS(a->now_dt), DBI(a->t.id), DBS(a->t.status)),
	    n, NULL);
}

static void
tok_begin(struct tok_arg *a, const struct q_actor *who, const char *token,
    int (*change)(struct ctx *, struct tok_arg *, uint64_t *), const char *action,
    const char *to)
{
	int64_t now = hall_now_ms();

	memset(a, 0, sizeof *a);
	a->who = who;
	a->token = token;
	a->change = change;
	a->action = action;
	a->to = to;
	q_dt(now, a->now_dt);
	q_today(now, a->day, &a->day_ms);
}

int
q_ticket_cancel(struct ctx *c, const struct q_actor *who, const struct q_hall *h,
    struct q_ticket *t, const char **why)
{
	struct tok_arg a;
	char member[80];
	redisReply *rep;
	int rc;

	tok_begin(&a, who, t->token, cancel_change, "cancel", "cancelled");
	if ((rc = db_tx(c, tok_tx, &a)) != 0) {
		*why = a.why;
		return rc;
	}
	if (strcmp(a.t.status, "waiting") == 0 && strcmp(a.t.day, a.day) == 0) {
		q_member(&a.t, member, sizeof member);
		rep = q_script_remove(c, a.t.hall, a.day, a.t.category, member);
		if (q_reply_ok(rep, 3) && strcmp(rep->element[0]->str, "OK") == 0)
			q_notify_near(c, who, h, rep, 3);
		if (rep)
			freeReplyObject(rep);
		/* A failure here leaves a member whose row is cancelled: call-next drops it. */
	}
	*t = a.t;
	q_push(c, a.t.hall, "cancel", 0, a.t.number);
	return 0;
}

static int
rejoin_change(struct ctx *c, struct tok_arg *a, uint64_t *n)
{
	if (strcmp(a->t.status, "skipped") != 0 || strcmp(a->t.day, a->day) != 0) {
		a->why = "只有今天过号的号码可以重新排队";
		return E_INVALID_TRANSITION;
	}
	if (a->t.rejoined) {
		a->why = "过号后只能重新排队一次，请重新取号";
		return E_REJOIN_USED;
	}
	return db_exec(c, "UPDATE queue_tickets SET status = 'waiting', rejoined = 1, line = 'n',"
	    " rank_score = ?, updated_at = ? WHERE id = ? AND status = 'skipped' AND rejoined = 0",
	    DBARGS(DBS(a->score), DBS(a->now_dt), DBI(a->t.id)), n, NULL);
}

int
q_ticket_rejoin(struct ctx *c, const struct q_actor *who, const struct q_hall *h,
    struct q_ticket *t, const char **why)
{
	struct tok_arg a;
	char member[80], epoch[32];
	long long last;
	int rc;

	tok_begin(&a, who, t->token, rejoin_change, "rejoin", "waiting");
	if ((rc = q_ready(c, t->hall, a.day, epoch, sizeof epoch, why)) != 0)
		return rc;
	/* Behind everyone waiting now: a score past any handed out so far. */
	if ((last = q_last_score(c, t->hall)) < 0)
		return E_UNAVAILABLE;
	fmt(a.score, sizeof a.score, "%lld", q_rejoin_score(last, a.day_ms));
	rc = db_tx(c, tok_tx, &a);
	if (rc == DB_DUP) {
		*why = "您在本中心已有排队中的号码";
		return E_ALREADY_QUEUED;
	}
	if (rc != 0) {
		*why = a.why;
		return rc;
	}
	q_member(&a.t, member, sizeof member);
	q_requeue(c, a.t.hall, a.day, a.t.category, 'n', member, a.score, a.day_ms,
	    a.t.has_phone && !a.t.near_notified, a.t.num_cat, a.t.seq);
	if (a.t.has_phone && !a.t.near_notified)
		q_near_scan(c, who, h, a.day, a.t.category);
	a.t.line = 'n';
	str_copy(a.t.status, sizeof a.t.status, "waiting");
	str_copy(a.t.score, sizeof a.t.score, a.score);
	a.t.rejoined = 1;
	str_copy(a.t.updated_at, sizeof a.t.updated_at, a.now_dt);
	*t = a.t;
	q_push(c, a.t.hall, "rejoin", 0, a.t.number);
	return 0;
}
