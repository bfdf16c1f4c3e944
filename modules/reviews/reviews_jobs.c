/*
 * reviews_jobs.c — the worker's job "reviews-overdue": a rectification task (差评整改) still
 * not closed after its deadline, or a complaint (投诉) still unanswered after its deadline,
 * raises the hall's alert once — rectification:<id> or complaint:<id>, level warning, on
 * the managers' dashboard (GET /halls/{hall}/stats "alerts") — with a history row.
 *
 * Routes: none.
 * Tables: review_rectifications, review_rectification_history, reviews, complaints,
 *         complaint_history, hall_alerts (through shared/alerts.c).
 * Redis:  none.
 *
 * "Once": the guarded UPDATE … SET overdue_alerted_at WHERE overdue_alerted_at IS NULL in
 * the alert's transaction lets one worker of several raise it, and never again for that
 * task.  The alert clears itself when the task passes its 复核 or the complaint is answered
 * (rect_check, complaint_answer); a manager may also dismiss it (已处理).
 */
#include "reviews.h"
#include "reviews_int.h"
#include "../rooms.h"
#include "../shared/alerts.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <stdlib.h>
#include <string.h>

#define OVERDUE_SCAN_MAX 200

/* An overdue task or complaint: id, hall, the review's or complaint's ref, deadline. */
#define OVERDUE(I, S, t) \
	I(t, id, 1, INT64_MAX) S(t, hall, 32) S(t, ref, 48) S(t, deadline, 12)
DB_ROW_STRUCT(overdue, OVERDUE);

struct alert_one {
	int		 complaint;	/* 0: a rectification task */
	long long	 id;
	const char	*hall, *ref, *deadline, *now;
	int		 raised;
};

static int
alert_tx(struct ctx *c, void *arg)
{
	struct alert_one *a = arg;
	char key[40], msg[300];
	uint64_t n = 0;
	int rc;

	a->raised = 0;
	if (a->complaint)
		rc = db_exec(c, "UPDATE complaints SET overdue_alerted_at = ? WHERE id = ?"
		    " AND overdue_alerted_at IS NULL AND status <> 'answered'",
		    DBARGS(DBS(a->now), DBI(a->id)), &n, NULL);
	else
		rc = db_exec(c, "UPDATE review_rectifications SET overdue_alerted_at = ? WHERE id = ?"
		    " AND overdue_alerted_at IS NULL AND status <> 'closed'",
		    DBARGS(DBS(a->now), DBI(a->id)), &n, NULL);
	if (rc != 0 || n != 1)		/* another worker came first, or it was dealt with */
		return rc;
	fmt(key, sizeof key, "%s:%lld", a->complaint ? "complaint" : "rectification", a->id);
	if (a->complaint)
		fmt(msg, sizeof msg, "投诉 #%lld（%s）已超过答复期限 %s，尚未答复，请尽快处理。", a->id,
		    a->ref[0] ? a->ref : "大厅", a->deadline);
	else
		fmt(msg, sizeof msg, "差评整改 #%lld（%s）已超过整改期限 %s，尚未完成整改复核，请尽快处理。",
		    a->id, a->ref, a->deadline);
	rc = hall_alert_raise(c, a->hall, key, "warning", msg, a->now);
	if (rc == 0)
		rc = (a->complaint ? complaint_history_add : rect_history_add)(c, a->id, a->now,
		    "overdue", "", a->deadline);
	a->raised = rc == 0;
	return rc;
}

/* Raise the alerts of one kind; 0 or a DB_* code. */
static int
overdue_kind(struct ctx *c, int complaint, const char *today, const char *now)
{
	struct overdue *o;
	int i, n, rc;

	if ((o = calloc(OVERDUE_SCAN_MAX, sizeof *o)) == NULL)
		return DB_FAIL;
	if (complaint)
		rc = db_rows_into(c, "SELECT id, hall, ref, DATE_FORMAT(deadline, '%Y-%m-%d')"
		    " FROM complaints WHERE status <> 'answered' AND deadline < ?"
		    " AND overdue_alerted_at IS NULL ORDER BY deadline, id LIMIT 200",
		    DBARGS(DBS(today)), DB_COLS(overdue_cols), o, sizeof *o, OVERDUE_SCAN_MAX);
	else
		rc = db_rows_into(c, "SELECT t.id, t.hall, v.ref, DATE_FORMAT(t.deadline, '%Y-%m-%d')"
		    " FROM review_rectifications t JOIN reviews v ON v.id = t.review_id"
		    " WHERE t.status <> 'closed' AND t.deadline < ? AND t.overdue_alerted_at IS NULL"
		    " ORDER BY t.deadline, t.id LIMIT 200", DBARGS(DBS(today)), DB_COLS(overdue_cols),
		    o, sizeof *o, OVERDUE_SCAN_MAX);
	n = rc < OVERDUE_SCAN_MAX ? rc : OVERDUE_SCAN_MAX;
	for (i = 0; rc >= 0 && i < n; i++) {
		struct alert_one a = { complaint, o[i].id, o[i].hall, o[i].ref, o[i].deadline, now, 0 };

		rc = db_tx(c, alert_tx, &a);
		if (rc == 0 && a.raised)
			log_info("hall %s: %s %lld overdue since %s", a.hall,
			    complaint ? "complaint" : "rectification", a.id, a.deadline);
	}
	free(o);
	return rc < 0 ? rc : 0;
}

int
job_reviews_overdue(struct ctx *c)
{
	char today[12], now[24];
	int rc;

	date_format_t(hall_now(), today, sizeof today);
	sql_now(now, sizeof now);
	if ((rc = overdue_kind(c, 0, today, now)) != 0)
		return rc;
	return overdue_kind(c, 1, today, now);
}

int
reviews_alert_clear(struct ctx *c, const char *hall, const char *kind, long long id)
{
	char key[40], now[24];

	fmt(key, sizeof key, "%s:%lld", kind, id);
	sql_now(now, sizeof now);
	return hall_alert_clear(c, hall, key, now, NULL);
}

const struct job reviews_jobs[] = {
	{ "reviews-overdue", 5 * 60 * 1000, job_reviews_overdue },
};
const size_t reviews_njobs = NELEM(reviews_jobs);
