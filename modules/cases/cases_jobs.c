/*
 * cases_jobs.c — 电子监察: the worker's deadline scan (job "cases-supervise").
 *
 * Routes: none.  Tables: cases, case_parts, case_history, staff (phone), outbox, audit_log.
 * Redis:  none.
 *
 * Every active case (accepted or processing; a case waiting for a 补正 has its clock stopped)
 * whose deadline is near gets its light: yellow when at most case_yellow_days working days
 * are left (configuration, default 1), red once the deadline has passed.  A light that
 * changes is written with a guarded UPDATE (… AND warning = <old> AND status = <read>) in a
 * transaction with its history row, the audit row and an outbox row to
 * the approver handling the case — or, while nobody has claimed it, to every approver of the
 * department in the deciding hall (全市通办: case_route.h) with a phone on file (templates
 * case_due_soon_staff for yellow,
 * case_overdue_staff for red).  Managers see them through GET /cases?overdue=.
 * Several workers may run the scan at once: the guarded UPDATE lets only one of them report.
 */
#include "cases.h"
#include "case_promise.h"
#include "../notify/outbox.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../rooms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_MAX      500
#define HORIZON_DAYS  40	/* calendar days: covers 10 working days across any holiday */

#define SCAN_CASE(I, S, t) \
	I(t, id, 1, INT64_MAX) S(t, no, CASE_NO_MAX) S(t, hall, 32) S(t, title, 256) \
	S(t, status, 24) S(t, deadline, 12) S(t, warning, 8)
DB_ROW_STRUCT(scan_case, SCAN_CASE);

static int
tell_staff(struct ctx *c, struct scan_case *sc, const char *warning)
{
	struct pii_phones p;
	json_t *params;
	int rc;

	memset(&p, 0, sizeof p);
	rc = db_query(c, "SELECT DISTINCT s.phone_enc FROM case_parts cp JOIN staff s"
	    " ON s.id = cp.assigned_to WHERE cp.case_id = ? AND cp.status IN ('pending',"
	    " 'processing') AND s.phone_enc IS NOT NULL AND s.disabled = 0",
	    DBARGS(DBI(sc->id)), pii_phones_row, &p);
	if (rc >= 0 && p.n == 0)
		/* The approvers of the deciding hall (全市通办: not necessarily the accepting one). */
		rc = db_query(c, "SELECT DISTINCT s.phone_enc FROM case_parts cp"
		    " JOIN cases k ON k.id = cp.case_id JOIN staff s"
		    " ON s.department = cp.department AND s.hall = COALESCE(k.decide_hall, k.hall)"
		    " AND s.role = 'approver'"
		    " WHERE cp.case_id = ? AND cp.status IN ('pending', 'processing')"
		    " AND s.phone_enc IS NOT NULL AND s.disabled = 0",
		    DBARGS(DBI(sc->id)), pii_phones_row, &p);
	if (rc < 0)
		return rc;
	params = json_pack("{s:s,s:s,s:s}", "case_no", sc->no, "item", sc->title,
	    "deadline", sc->deadline);
	rc = case_tell_staff(c, sc->hall, sc->no, strcmp(warning, "red") == 0 ?
	    "case_overdue_staff" : "case_due_soon_staff", &p, params);
	json_decref(params);
	return rc;
}

struct light {
	struct scan_case	*sc;
	const char		*warning, *now;
};

/* One try of a light's transaction (db_tx retries): the guarded change, its history row,
 * the staff's notices and the audit row.  Another worker or a transition first: nothing. */
static int
light_tx(struct ctx *c, void *arg)
{
	struct light *l = arg;
	struct scan_case *sc = l->sc;
	const char *warning = l->warning, *now = l->now;
	char note[160];
	uint64_t n = 0;
	int rc;

	rc = db_exec(c, "UPDATE cases SET warning = ?, warned_at = ? WHERE id = ? AND warning = ?"
	    " AND status = ?", DBARGS(DBS(warning), DBS(now), DBI(sc->id), DBS(sc->warning),
	    DBS(sc->status)), &n, NULL);
	if (rc != 0 || n != 1)	/* another worker, or a transition, came first */
		return rc;
	fmt(note, sizeof note, "%s（办结期限 %s）", strcmp(warning, "red") == 0 ? "已超期，亮红灯" :
	    strcmp(warning, "yellow") == 0 ? "即将到期，亮黄灯" : "恢复正常", sc->deadline);
	rc = db_exec(c, "INSERT INTO case_history (case_id, at, action, from_status, to_status,"
	    " actor_kind, actor, actor_name, note, public_note) VALUES (?, ?, 'warning', ?, ?,"
	    " 'system', '', '电子监察', ?, '')", DBARGS(DBI(sc->id), DBS(now), DBS(sc->status),
	    DBS(sc->status), DBS(note)), NULL, NULL);
	case_changed(c, sc->id);	/* the stored light: the tracking page's copy goes */
	if (rc == 0 && strcmp(warning, "green") != 0)
		rc = tell_staff(c, sc, warning);
	if (rc == 0)
		rc = case_job_audit(c, now, sc->hall, "case.warning", sc->no, warning);
	return rc;
}

static int
set_light(struct ctx *c, struct scan_case *sc, const char *warning, const char *now)
{
	return db_tx(c, light_tx, &(struct light){ sc, warning, now });
}

int
job_cases_supervise(struct ctx *c)
{
	struct scan_case *sc;
	int64_t today = case_today();
	char horizon[12], now[20];
	size_t i, n;
	int rc;

	if ((sc = calloc(SCAN_MAX, sizeof *sc)) == NULL)
		return DB_FAIL;
	date_format_days(today + HORIZON_DAYS, horizon, sizeof horizon);
	case_now(now);
	/* Near or past their deadline, or lit before (a 补正 may have moved the deadline on). */
	rc = db_rows_into(c, "SELECT c.id, c.no, c.hall, c.title, c.status,"
	    " DATE_FORMAT(c.deadline, '%Y-%m-%d'), c.warning FROM cases c"
	    " WHERE c.status IN ('accepted', 'processing') AND c.deadline IS NOT NULL"
	    " AND (c.deadline <= ? OR c.warning <> 'green') ORDER BY c.deadline LIMIT 500",
	    DBARGS(DBS(horizon)), DB_COLS(scan_case_cols), sc, sizeof *sc, SCAN_MAX);
	n = rc > 0 ? (size_t)rc : 0;	/* the LIMIT is SCAN_MAX */
	for (i = 0; rc >= 0 && i < n; i++) {
		const char *w = case_warning_for(c, sc[i].deadline, NULL, today);

		if (w == NULL) {
			rc = DB_DOWN;
			break;
		}
		if (strcmp(w, sc[i].warning) == 0)
			continue;
		rc = set_light(c, &sc[i], w, now);
		if (rc == 0)
			log_info("case %s: %s", sc[i].no, w);
	}
	free(sc);
	return rc < 0 ? rc : 0;
}

const struct job cases_jobs[] = {
	{ "cases-supervise", 60 * 1000, job_cases_supervise },
	{ "cases-waivers",   60 * 1000, job_cases_waivers },	/* case_waivers.c */
	{ "promise-checks-overdue", 60 * 1000, job_promise_checks_overdue },	/* case_promise.c */
};
const size_t cases_njobs = NELEM(cases_jobs);
