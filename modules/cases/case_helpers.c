/*
 * case_helpers.c — 帮办代办: the helper's work list and asking a helper to follow a case.
 *
 * Routes: GET  /helper/cases             the helper's cases (filed or assigned)
 *         POST /cases/{no}/helpers        a clerk or manager asks a helper to follow a case
 * Tables: case_helpers, cases, staff (read), audit_log
 * Redis:  none
 *
 * A helper files cases at the window as a clerk does (POST /cases; the acceptance writes the
 * 'filed' row through case_helper_filed), opens the cases they follow (GET /cases/{no}:
 * case_helper_sees) and takes no action of the back office: the state machine
 * (case_rules.c) names no helper.  The work list says, for each case, what happens next in
 * words a helper can tell the citizen, and the deadline's light as it is now.
 */
#include "handlers.h"
#include "case_helpers.h"
#include "../shared/audit.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <string.h>

#define HELPER_LIST_MAX 200

int
case_helper_filed(struct ctx *c, const struct session *who, long long case_id, const char *now)
{
	long long staff = 0;

	if (who->role != ROLE_HELPER || parse_ll(who->subject, 1, INT64_MAX, &staff) != 0)
		return 0;
	return db_exec(c, "INSERT INTO case_helpers (case_id, staff_id, how, by_staff, since)"
	    " VALUES (?, ?, 'filed', NULL, ?)", DBARGS(DBI(case_id), DBI(staff), DBS(now)),
	    NULL, NULL);
}

int
case_helper_sees(struct ctx *c, const struct session *who, const struct case_row *cr)
{
	char n[8] = "";
	long long staff = 0;
	int rc;

	if (who->role != ROLE_HELPER || strcmp(who->hall, cr->hall) != 0 ||
	    parse_ll(who->subject, 1, INT64_MAX, &staff) != 0)
		return 0;
	rc = db_scalar(c, "SELECT COUNT(*) FROM case_helpers WHERE case_id = ? AND staff_id = ?",
	    DBARGS(DBI(cr->id), DBI(staff)), n, sizeof n);
	if (rc < 0)
		return rc;
	return n[0] != '\0' && n[0] != '0';
}

/* What comes next for a case in status, told as a helper tells the citizen. */
static const char *
next_step(const char *status)
{
	static const char *const steps[][2] = {
		{ "submitted", "网上申请待窗口预审" },
		{ "returned", "申请被退回：协助申请人按告知修改材料后重新提交" },
		{ "accepted", "已受理，等待部门审查" },
		{ "processing", "部门审查中，请留意短信通知" },
		{ "supplement_needed", "需补正材料：协助申请人到窗口补交" },
		{ "approved", "已准予许可，等待出件" },
		{ "rejected", "不予许可，等待送达决定书" },
		{ "ready", "可领取：陪同申请人到出件窗口领取" },
		{ "mailed", "已邮寄，等待申请人签收" },
		{ "closed", "已办结" },
	};
	size_t i;

	for (i = 0; i < NELEM(steps); i++)
		if (strcmp(steps[i][0], status) == 0)
			return steps[i][1];
	return "";
}

int
h_helper_cases(struct req *r)
{
	static const char *const cols[] = { "no", "title", "status", "deadline", "paused_since",
	    "warning", "applicant", "agent", "how", "since", "delivery", "accepted_at" };
	json_t *rows = json_array(), *v;
	long long staff = 0;
	size_t i;
	int rc;

	if (parse_ll(r->sess.subject, 1, INT64_MAX, &staff) != 0) {
		json_decref(rows);
		return req_err(r, E_FORBIDDEN);
	}
	rc = db_rows_json(r->ctx,
	    "SELECT c.no, c.title, c.status, DATE_FORMAT(c.deadline, '%Y-%m-%d'),"
	    " DATE_FORMAT(c.paused_since, '%Y-%m-%d'), c.warning, c.applicant_name_mask,"
	    " c.agent_name_mask, h.how, DATE_FORMAT(h.since, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " c.delivery, DATE_FORMAT(c.accepted_at, '%Y-%m-%dT%H:%i:%s+08:00')"
	    " FROM case_helpers h JOIN cases c ON c.id = h.case_id"
	    " WHERE h.staff_id = ? AND c.hall = ?"
	    " ORDER BY c.status = 'closed', c.deadline IS NULL, c.deadline, h.since DESC LIMIT ?",
	    DBARGS(DBI(staff), DBS(r->sess.hall), DBI(HELPER_LIST_MAX)), cols, "sssSSssSssSS",
	    rows);
	if (rc < 0) {
		json_decref(rows);
		return db_fail(r, rc);
	}
	json_array_foreach(rows, i, v) {
		const char *st = json_string_value(json_object_get(v, "status"));
		const char *dl = json_string_value(json_object_get(v, "deadline"));
		const char *ps = json_string_value(json_object_get(v, "paused_since"));
		const char *w = dl ? case_live_warning(r->ctx, st, dl, ps ? ps : "") : NULL;

		if (w)
			json_object_set_new(v, "warning", json_string(w));
		json_object_set_new(v, "status_label", json_string(case_status_label(st)));
		json_object_set_new(v, "next_step", json_string(next_step(st)));
		json_object_del(v, "paused_since");
	}
	return req_ok(r, 200, json_pack("{s:o}", "cases", rows));
}

/* ---------------------------------------------------------------- POST /cases/{no}/helpers */

struct assign {
	struct req	*r;
	long long	 case_id;
	long long	 helper;
	long long	 by;
	const char	*username;
	char		 name[64];
	char		 now[20];
	int		 existed;
	json_t		*reply;
};

static const struct db_col helper_cols[] = {
	DBC_I(struct assign, helper, 1, INT64_MAX), DBC_S(struct assign, name),
};

static int
assign_tx(struct ctx *c, void *arg)
{
	static const char *const cols[] = { "how", "since" };
	struct assign *a = arg;
	json_t *rows;
	uint64_t n = 0;
	int rc;

	json_decref(a->reply);
	a->reply = NULL;
	rc = db_exec(c, "INSERT IGNORE INTO case_helpers (case_id, staff_id, how, by_staff, since)"
	    " VALUES (?, ?, 'assigned', ?, ?)", DBARGS(DBI(a->case_id), DBI(a->helper),
	    a->by ? DBI(a->by) : DBN, DBS(a->now)), &n, NULL);
	if (rc != 0)
		return rc;
	a->existed = n == 0;
	rows = json_array();
	rc = db_rows_json(c, "SELECT how, DATE_FORMAT(since, '%Y-%m-%dT%H:%i:%s+08:00')"
	    " FROM case_helpers WHERE case_id = ? AND staff_id = ?",
	    DBARGS(DBI(a->case_id), DBI(a->helper)), cols, "ss", rows);
	if (rc < 0 || json_array_size(rows) != 1) {
		json_decref(rows);
		return rc < 0 ? rc : DB_FAIL;
	}
	a->reply = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	json_object_set_new(a->reply, "username", json_string(a->username));
	json_object_set_new(a->reply, "name", json_string(a->name));
	audit(a->r, "case.helper", a->r->pathv[0], "ok", a->username);
	return 0;
}

int
h_case_helper_assign(struct req *r)
{
	struct assign a;
	struct case_row cr;
	int rc;

	memset(&a, 0, sizeof a);
	a.r = r;
	in_str(r, r->body, "helper", 1, 1, 32, &a.username);
	if (in_has_errors(r))
		return req_invalid(r);
	rc = case_load(r->ctx, r->sess.hall, r->pathv[0], &cr);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0 || !case_visible(&r->sess, &cr))
		return req_err_msg(r, E_NOT_FOUND, "没有这个办件");
	a.case_id = cr.id;
	rc = db_row_into(r->ctx, "SELECT id, name FROM staff WHERE hall = ? AND username = ?"
	    " AND role = 'helper' AND disabled = 0", DBARGS(DBS(r->sess.hall), DBS(a.username)),
	    DB_COLS(helper_cols), &a);
	if (rc < 0)
		return db_fail(r, rc);
	if (a.helper == 0)
		return req_fail_field(r, "helper", "本中心没有这位帮办代办人员"), req_invalid(r);
	parse_ll(r->sess.subject, 1, INT64_MAX, &a.by);
	case_now(a.now);
	if ((rc = db_tx(r->ctx, assign_tx, &a)) != 0) {
		json_decref(a.reply);
		return db_fail(r, rc == -1 ? DB_FAIL : rc);
	}
	return req_ok(r, a.existed ? 200 : 201, json_pack("{s:o}", "helper", a.reply));
}
