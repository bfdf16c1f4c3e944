/*
 * case_promise_api.c — 告知承诺事后核查 over HTTP: the department's work list and closing a
 * task as verified or false (case_promise.h has the domain).
 *
 * Routes: GET  /promise-checks?status=open|overdue|verified|false|closed|all&department=&limit=
 *              (approver: their department's; manager, admin: the hall's)
 *         POST /promise-checks/{id}/close  {"result":"verified"|"false","note"}
 *              (approver of the task's department)
 * Tables: promise_checks, cases, items, departments, staff, case_history, hall_alerts,
 *         audit_log (audit.c)
 * Redis:  none.
 *
 * Closing is one transaction: the guarded UPDATE … WHERE status = 'open' (of two approvers at
 * once, one closes it and the other gets 409 INVALID_TRANSITION), the case's history row —
 * its public note tells the applicant the outcome, as the 告知承诺制 requires of a false
 * promise — the overdue alert cleared and the audit row.
 */
#include "handlers.h"
#include "cases.h"
#include "case_promise.h"
#include "../identity/identity.h"
#include "../shared/audit.h"
#include "../shared/alerts.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <stdio.h>
#include <string.h>

enum pc_filter { PCF_OPEN, PCF_OVERDUE, PCF_VERIFIED, PCF_FALSE, PCF_CLOSED, PCF_ALL };

static const char *const filters[] = { "open", "overdue", "verified", "false", "closed", "all",
    NULL };

#define PC_COLS \
	"SELECT pc.id, c.no, c.title, c.applicant_name_mask, pc.item, i.name, pc.code, pc.name," \
	" pc.department, d.name, pc.status, DATE_FORMAT(pc.due, '%Y-%m-%d'), pc.due_provisional," \
	" pc.status = 'open' AND pc.due IS NOT NULL AND pc.due < ?," \
	" DATE_FORMAT(pc.opened_at, '%Y-%m-%dT%H:%i:%s+08:00')," \
	" DATE_FORMAT(pc.closed_at, '%Y-%m-%dT%H:%i:%s+08:00'), s.name, pc.note" \
	" FROM promise_checks pc JOIN cases c ON c.id = pc.case_id" \
	" JOIN items i ON i.id = pc.item JOIN departments d ON d.code = pc.department" \
	" LEFT JOIN staff s ON s.id = pc.closed_by"

static const char *const pc_cols[] = { "id", "case_no", "case_title", "applicant", "item",
    "item_name", "code", "name", "department", "department_name", "status", "due",
    "due_provisional", "overdue",
    "opened_at", "closed_at", "closed_by", "note" };
#define PC_TYPES "i" "ssssssssss" "SbbsSSs"	/* id, case_no…status, due… */

static void
today_s(char out[12])
{
	date_format_days(case_today(), out, 12);
}

static int
count_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	long long *n = arg;
	size_t i;

	(void)lens;
	for (i = 0; i < ncol && i < 4; i++)
		parse_ll(v[i] ? v[i] : "0", 0, INT64_MAX, &n[i]);
	return 1;
}

int
h_promise_checks(struct req *r)
{
	const char *dept = NULL;
	char today[12];
	long long limit = 200, n[4] = { 0, 0, 0, 0 };
	json_t *list;
	int k = 0, rc;

	q_enum(r, "status", filters, "取值为 open、overdue、verified、false、closed 或 all", &k);
	q_str(r, "department", 0, 32, &dept);
	q_int(r, "limit", 0, 1, 500, &limit);
	if (in_has_errors(r))
		return req_invalid(r);
	/* An approver sees their own department's tasks, whatever the query says. */
	if (r->sess.role == ROLE_APPROVER)
		dept = r->sess.department;
	today_s(today);
	list = json_array();
	rc = db_rows_json(r->ctx, PC_COLS
	    " WHERE pc.hall = ? AND (? IS NULL OR pc.department = ?)"
	    " AND (? = 'all' OR (? = 'open' AND pc.status = 'open')"
	    "  OR (? = 'overdue' AND pc.status = 'open' AND pc.due < ?)"
	    "  OR (? = 'closed' AND pc.status <> 'open') OR pc.status = ?)"
	    " ORDER BY pc.status = 'open' DESC, pc.due IS NULL, pc.due, pc.id LIMIT ?",
	    DBARGS(DBS(today), DBS(r->sess.hall), DBSO(dept), DBSO(dept), DBS(filters[k]),
	    DBS(filters[k]), DBS(filters[k]), DBS(today), DBS(filters[k]), DBS(filters[k]),
	    DBI(limit)), pc_cols, PC_TYPES, list);
	if (rc >= 0)
		rc = db_query(r->ctx, "SELECT COALESCE(SUM(status = 'open'), 0),"
		    " COALESCE(SUM(status = 'open' AND due < ?), 0),"
		    " COALESCE(SUM(status = 'verified'), 0), COALESCE(SUM(status = 'false'), 0)"
		    " FROM promise_checks WHERE hall = ? AND (? IS NULL OR department = ?)",
		    DBARGS(DBS(today), DBS(r->sess.hall), DBSO(dept), DBSO(dept)), count_row, n);
	if (rc < 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	return req_ok(r, 200, json_pack("{s:o,s:{s:I,s:I,s:I,s:I}}", "checks", list, "counts",
	    "open", (json_int_t)n[0], "overdue", (json_int_t)n[1], "verified", (json_int_t)n[2],
	    "false", (json_int_t)n[3]));
}

/* ---------------------------------------------------------------- closing */

#define PC_TASK(I, S, t) \
	I(t, case_id, 1, INT64_MAX) S(t, case_no, CASE_NO_MAX) S(t, case_status, 24) \
	S(t, department, 32) S(t, status, 12) S(t, name, 204)
DB_ROW_STRUCT(pc_task, PC_TASK);

#define TASK_SQL "SELECT c.id, c.no, c.status, pc.department, pc.status, pc.name" \
	" FROM promise_checks pc JOIN cases c ON c.id = pc.case_id" \
	" WHERE pc.id = ? AND pc.hall = ?"

/* The task id of the hall into t (locked with its row when lock): 1, 0 none, or DB_*. */
static int
task_load(struct ctx *c, const char *hall, long long id, struct pc_task *t, int lock)
{
	memset(t, 0, sizeof *t);
	return db_row_into(c, lock ? TASK_SQL " FOR UPDATE" : TASK_SQL,
	    DBARGS(DBI(id), DBS(hall)), DB_COLS(pc_task_cols), t);
}

struct close_step {
	struct req	*r;
	long long	 id;
	int		 is_false;
	const char	*note;
	char		 now[20];
};

/* One try (db_tx retries): 0, E_NOT_FOUND, E_INVALID_TRANSITION or a DB_* code. */
static int
close_tx(struct ctx *c, void *arg)
{
	struct close_step *st = arg;
	struct pc_task t;
	char pub[CASE_PUBLIC_NOTE_MAX * 4], key[48], target[32];
	long long staff = 0;
	uint64_t n = 0;
	int rc;

	if ((rc = task_load(c, st->r->sess.hall, st->id, &t, 1)) <= 0)
		return rc < 0 ? rc : E_NOT_FOUND;
	parse_ll(st->r->sess.subject, 1, INT64_MAX, &staff);
	rc = db_exec(c, "UPDATE promise_checks SET status = ?, closed_at = ?, closed_by = ?,"
	    " note = ? WHERE id = ? AND status = 'open'",
	    DBARGS(DBS(st->is_false ? "false" : "verified"), DBS(st->now),
	    staff ? DBI(staff) : DBN, DBS(st->note ? st->note : ""), DBI(st->id)), &n, NULL);
	if ((rc = case_guarded(n, rc)) != 0)
		return rc;
	if (st->is_false)
		fmt(pub, sizeof pub, "告知承诺事后核查：申请人关于「%s」的承诺经核查与实际情况不符，"
		    "已记录在案，将依法处理并记入信用记录", t.name);
	else
		fmt(pub, sizeof pub, "告知承诺事后核查：「%s」经核查属实", t.name);
	utf8_trunc(pub, sizeof pub, CASE_PUBLIC_NOTE_MAX, "…");
	rc = case_history_add(c, &st->r->sess, t.case_id, st->now,
	    st->is_false ? "promise_false" : "promise_verified", t.case_status, t.case_status,
	    t.department, st->note ? st->note : "", pub);
	fmt(key, sizeof key, "promise_check:%lld", st->id);
	if (rc == 0)
		rc = hall_alert_clear(c, st->r->sess.hall, key, st->now, NULL);
	fmt(target, sizeof target, "%lld", st->id);
	if (rc == 0)
		audit(st->r, "promise_check.close", target, "ok",
		    st->is_false ? "false" : "verified");
	return rc;
}

int
h_promise_check_close(struct req *r)
{
	static const char *const results[] = { "verified", "false", NULL };
	struct close_step st;
	struct pc_task t;
	json_t *list;
	char today[12];
	int res = 0, rc;

	memset(&st, 0, sizeof st);
	st.r = r;
	if (parse_ll(r->pathv[0], 1, INT64_MAX, &st.id) != 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这个核查任务");
	in_enum(r, r->body, "result", 1, results, &res);
	st.is_false = res == 1;
	in_str(r, r->body, "note", st.is_false, 1, PROMISE_NOTE_MAX, &st.note);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = task_load(r->ctx, r->sess.hall, st.id, &t, 0)) < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这个核查任务");
	/* Only the department that decides the part verifies its promise. */
	if ((rc = require_approver_of(r, r->sess.hall, t.department)) != 0)
		return rc;
	case_now(st.now);
	rc = db_tx(r->ctx, close_tx, &st);
	if (rc == E_NOT_FOUND)
		return req_err_msg(r, rc, "没有这个核查任务");
	if (rc == E_INVALID_TRANSITION)
		return req_err_msg(r, rc, "该核查任务已办结");
	if (rc != 0)
		return db_fail(r, rc);
	today_s(today);
	list = json_array();
	rc = db_rows_json(r->ctx, PC_COLS " WHERE pc.id = ?", DBARGS(DBS(today), DBI(st.id)),
	    pc_cols, PC_TYPES, list);
	if (rc <= 0) {
		json_decref(list);
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "task vanished");
	}
	rc = req_ok(r, 200, json_pack("{s:O}", "check", json_array_get(list, 0)));
	json_decref(list);
	return rc;
}
