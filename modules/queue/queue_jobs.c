/*
 * queue_jobs.c — the queue's periodic jobs (run by the worker, see jobs.c).
 *
 * Routes: none.
 * Tables: queue_tickets, queue_ticket_history, halls.
 * Redis:  {hall:<code>}:ready and the lines L:<c>:p / L:<c>:n (lines.c).
 *
 * job_queue_close_day: tickets left open when a day ended are closed the next day — waiting
 * and skipped ones cancelled, called ones finished as no_show, serving ones as done — each
 * with its history row, so statistics and "one active ticket per citizen" see a clean day.
 *
 * job_queue_reconcile: the lines in Redis mirror the waiting rows of MariaDB, and a failure
 * between the two (a Redis error after a commit, a restart that lost its last second of AOF)
 * can leave them apart.  Every half minute, for each hall whose lines of today are loaded:
 * a waiting row missing from its line is put back with its own score, and a member whose row
 * is no longer waiting in that line is taken out.  Only rows unchanged for 10 s are looked
 * at, so a request still between its two steps is never "repaired" under its feet.  Both
 * directions go through the same scripts as the requests (check the marker, then write), so
 * running in several workers at once is harmless.  When the loaded lines are an earlier
 * day's (the first morning request has not come yet), it drops their waiting counts, so the
 * categories page does not show yesterday's queue.
 */
#include "queue.h"
#include "queue_int.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"
#include "../rooms.h"

#include <stdlib.h>
#include <string.h>

#define RECONCILE_SETTLE_MS 10000

#define HALLS_MAX 16

struct hall_code {
	char	 code[33];
};

static const struct db_col hall_code_cols[] = { DBC_S(struct hall_code, code) };

/* The halls the jobs go through (the first HALLS_MAX by code): how many, or a DB_* code. */
static int
halls_load(struct ctx *c, struct hall_code h[HALLS_MAX])
{
	int rc = db_rows_into(c, "SELECT code FROM halls ORDER BY code LIMIT 16", DBNOARGS,
	    DB_COLS(hall_code_cols), h, sizeof h[0], HALLS_MAX);

	return rc < HALLS_MAX ? rc : HALLS_MAX;
}

/* ------------------------------------------------------------------ close the day */

#define OPEN_MAX 200

struct open_row {
	long long id;
	char	 status[12];
};

static const struct db_col open_cols[] = {
	DBC_I(struct open_row, id, 1, INT64_MAX), DBC_S(struct open_row, status),
};

struct close_arg {
	const struct open_row *t;
	const char	*now_dt;
};

/* One ticket of an earlier day closed, with its history row (one transaction). */
static int
close_tx(struct ctx *c, void *arg)
{
	const struct close_arg *a = arg;
	const char *to = "cancelled", *outcome = NULL;
	uint64_t n = 0;
	int rc;

	if (strcmp(a->t->status, "called") == 0) {
		to = "done";
		outcome = "no_show";
	} else if (strcmp(a->t->status, "serving") == 0) {
		to = "done";
		outcome = "done";
	}
	rc = db_exec(c, "UPDATE queue_tickets SET status = ?, outcome = ?,"
	    " finished_at = IF(? = 'done', ?, finished_at), updated_at = ?"
	    " WHERE id = ? AND status = ?", DBARGS(DBS(to), DBSO(outcome), DBS(to),
	    DBS(a->now_dt), DBS(a->now_dt), DBI(a->t->id), DBS(a->t->status)), &n, NULL);
	if (rc == 0 && n == 1)
		rc = db_exec(c, "INSERT INTO queue_ticket_history (ticket_id, at, action, from_status,"
		    " to_status, actor_kind, actor, detail) VALUES (?, ?, 'close_day', ?, ?, 'system',"
		    " 'yichuang-worker', 'day ended')", DBARGS(DBI(a->t->id), DBS(a->now_dt),
		    DBS(a->t->status), DBS(to)), NULL, NULL);
	return rc;
}

static int
close_one(struct ctx *c, const struct open_row *t, const char *now_dt)
{
	struct close_arg a = { t, now_dt };

	return db_tx(c, close_tx, &a);
}

int
job_queue_close_day(struct ctx *c)
{
	struct hall_code h[HALLS_MAX];
	struct open_row *o;
	char day[11], now_dt[24];
	int64_t now = hall_now_ms();
	int i, k, nh, no, rc;

	if ((nh = halls_load(c, h)) < 0)
		return nh;
	if ((o = calloc(OPEN_MAX, sizeof *o)) == NULL)
		return DB_FAIL;
	q_today(now, day, NULL);
	q_dt(now, now_dt);
	for (i = 0; i < nh; i++) {
		rc = no = db_rows_into(c, "SELECT id, status FROM queue_tickets WHERE hall = ?"
		    " AND day < ? AND status IN ('waiting', 'called', 'serving', 'skipped') LIMIT 200",
		    DBARGS(DBS(h[i].code), DBS(day)), DB_COLS(open_cols), o, sizeof *o, OPEN_MAX);
		for (k = 0; rc >= 0 && k < no; k++)
			if ((rc = close_one(c, &o[k], now_dt)) == DB_RETRY)
				rc = 0;
		if (rc < 0) {
			free(o);
			return rc;
		}
		if (no > 0)
			log_info("hall %s: closed %d tickets of earlier days", h[i].code, no);
	}
	free(o);
	return 0;
}

/* ------------------------------------------------------------------ reconcile */

static const struct q_wait *
find_member(const struct q_waits *w, const char *member)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (strcmp(w->r[i].member, member) == 0)
			return &w->r[i];
	return NULL;
}

/* Is the row of this token settled (unchanged for a while) and not waiting in cat/line? */
static int
stale_member(struct ctx *c, const char *hall, const char *day, const char *member, char cat,
    char line, const char *settled_dt)
{
	const char *tok = strchr(member, ' ');
	char cl[8];
	int rc;

	if (tok == NULL)
		return 1;
	rc = db_scalar(c, "SELECT CONCAT(IF(status = 'waiting' AND day = ? AND hall = ?, 'w', 'x'),"
	    " category, line, IF(updated_at < ?, 's', 'r')) FROM queue_tickets WHERE token = ?",
	    DBARGS(DBS(day), DBS(hall), DBS(settled_dt), DBS(tok + 1)), cl, sizeof cl);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return 1;	/* no row at all: a take whose insert failed */
	if (cl[3] != 's')
		return 0;	/* changed moments ago: leave it to the request */
	return !(cl[0] == 'w' && cl[1] == cat && cl[2] == line);
}

static int
reconcile_hall(struct ctx *c, const char *hall)
{
	struct q_hall h;
	struct q_waits w;
	char day[11], epoch[32], settled_dt[24], k[96], suffix[16];
	int64_t now = hall_now_ms(), day_ms;
	size_t i, j;
	int rc, li, fixed = 0;

	q_today(now, day, &day_ms);
	if (q_epoch(c, hall, day, epoch, sizeof epoch) != 0)
		return DB_DOWN;
	if (epoch[0] == '\0')	/* not loaded: the first request rebuilds it from the record */
		return q_clear_stale(c, hall, day) == 0 ? 0 : DB_DOWN;
	if ((rc = q_hall_get(c, hall, &h)) <= 0)
		return rc;
	q_dt(now - RECONCILE_SETTLE_MS, settled_dt);
	memset(&w, 0, sizeof w);
	rc = db_query(c, "SELECT token, number, category, line, rank_score,"
	    " phone_enc IS NOT NULL AND near_notified = 0, num_cat, seq, updated_at < ?"
	    " FROM queue_tickets WHERE hall = ? AND day = ? AND status = 'waiting'",
	    DBARGS(DBS(settled_dt), DBS(hall), DBS(day)), q_wait_row, &w);
	if (rc < 0) {
		free(w.r);
		return rc;
	}
	/* Members in Redis that should not be there. */
	for (i = 0; i < (size_t)h.ncat; i++) {
		for (li = 0; li < 2; li++) {
			char line = li ? 'n' : 'p';
			redisReply *rep;

			fmt(suffix, sizeof suffix, "L:%c:%c", h.cats[i].code, line);
			q_key(k, sizeof k, hall, suffix);
			if ((rep = kv_cmd(c, "ZRANGE %s 0 -1", k)) == NULL) {
				free(w.r);
				return DB_DOWN;
			}
			for (j = 0; rep->type == REDIS_REPLY_ARRAY && j < rep->elements; j++) {
				const char *m = rep->element[j]->str;
				const struct q_wait *x;
				redisReply *r2;

				if (m == NULL)
					continue;
				x = find_member(&w, m);
				if (x && x->cat == h.cats[i].code && x->line == line)
					continue;
				if (stale_member(c, hall, day, m, h.cats[i].code, line, settled_dt) != 1)
					continue;
				r2 = q_script_remove(c, hall, day, h.cats[i].code, m);
				if (r2)
					freeReplyObject(r2);
				fixed++;
			}
			freeReplyObject(rep);
		}
	}
	/* Waiting rows missing from their line. */
	for (i = 0; i < w.n; i++) {
		redisReply *rep, *r2;

		if (!w.r[i].settled)
			continue;
		fmt(suffix, sizeof suffix, "L:%c:%c", w.r[i].cat, w.r[i].line);
		q_key(k, sizeof k, hall, suffix);
		if ((rep = kv_cmd(c, "ZSCORE %s %s", k, w.r[i].member)) == NULL) {
			free(w.r);
			return DB_DOWN;
		}
		if (rep->type == REDIS_REPLY_NIL) {
			r2 = q_script_requeue(c, hall, day, w.r[i].cat, w.r[i].line, w.r[i].member,
			    w.r[i].score, day_ms, w.r[i].notify, w.r[i].num_cat, w.r[i].seq);
			if (r2)
				freeReplyObject(r2);
			fixed++;
		}
		freeReplyObject(rep);
	}
	if (fixed)
		log_warn("hall %s: reconciled %d line entries with the record", hall, fixed);
	free(w.r);
	return 0;
}

int
job_queue_reconcile(struct ctx *c)
{
	struct hall_code h[HALLS_MAX];
	int i, n, rc;

	if ((n = halls_load(c, h)) < 0)
		return n;
	for (i = 0; i < n; i++)
		if ((rc = reconcile_hall(c, h[i].code)) < 0)
			return rc;
	return 0;
}

const struct job queue_jobs[] = {
	{ "queue-reconcile", 30 * 1000, job_queue_reconcile },
	{ "queue-close-day", 10 * 60 * 1000, job_queue_close_day },
};
const size_t queue_njobs = NELEM(queue_jobs);
