/*
 * cases_view.c — reading cases: the staff work list and case page, and the printable
 * notices (受理通知书, 一次性告知书, 补正材料通知书, 不予受理通知书).
 *
 * Routes: GET /cases, GET /cases/{no}, GET /case-notices?n=<token>
 * Tables: cases, case_parts, case_history, case_materials, case_tracking, case_notices,
 *         items, item_versions (a notice reads the item as it was), departments, halls,
 *         windows, staff, audit_log (case.reveal)
 * Redis:  none
 *
 * Staff see the cases their hall touches (accepting, deciding or pickup hall: 全市通办,
 * case_route.h); an approver only those their hall decides with a part in their department.  Applicant data is masked; GET /cases/{no}?reveal=1 opens it for the roles that
 * work with it (clerk at pickup, approver deciding, manager), and every reveal is audited.
 * Notice tokens are capabilities (256 random bits): unknown or malformed ones are all the
 * same 404.  The notice token travels in the query string, which neither nginx's nor the
 * app's access log records.  (The public tracking page is the tracking room's: track_api.c.)
 */
#include "handlers.h"
#include "../shared/audit.h"
#include "cases.h"
#include "case_agent.h"
#include "case_helpers.h"
#include "case_json.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_PAGE 20

/* ---------------------------------------------------------------- GET /cases */

int
h_cases_list(struct req *r)
{
	static const char *const cols[] = { "no", "item", "item_name", "status", "deadline",
	    "warning", "applicant", "accepted_at", "delivery", "department", "department_name",
	    "paused_since", "window", "cross_province", "hall", "decide_hall", "pickup_hall" };
	static const char *const warnings[] = { "green", "yellow", "red", NULL };
	const char *status = NULL, *overdue = NULL, *warning = NULL, *item = NULL, *q = NULL;
	long long page = 1, per = PER_PAGE;
	int od = 0, by_deadline = 0, rc;
	char today[12], total[24] = "0", like[176];
	const char *dept = r->sess.role == ROLE_APPROVER ? r->sess.department : NULL;
	json_t *list, *row;
	size_t i;
	long long tot = 0;

	q_str(r, "status", 0, 24, &status);
	q_str(r, "overdue", 0, 8, &overdue);
	q_str(r, "warning", 0, 8, &warning);
	q_str(r, "item", 0, 40, &item);
	q_str(r, "q", 0, 40, &q);
	q_int(r, "page", 0, 1, 10000, &page);
	q_int(r, "per_page", 0, 1, 100, &per);
	if (status && case_status_parse(status) < 0)
		req_fail_field(r, "status", "不是有效的办件状态");
	if (overdue) {
		if (strcmp(overdue, "1") == 0 || strcmp(overdue, "true") == 0)
			od = 1;
		else if (strcmp(overdue, "yellow") == 0 || strcmp(overdue, "warning") == 0)
			od = 2;
		else if (strcmp(overdue, "0") != 0 && strcmp(overdue, "false") != 0)
			req_fail_field(r, "overdue", "取值为 1（已超期）、yellow（预警及超期）或 0");
	}
	if (warning && str_index(warnings, warning) < 0)
		req_fail_field(r, "warning", "取值为 green、yellow 或 red");
	if (q && !str_in_set(q, 0, 40, CH_DIGIT CH_UPPER CH_LOWER "-"))
		req_fail_field(r, "q", "按办件编号查询：字母、数字和连字符");
	if (in_has_errors(r))
		return req_invalid(r);
	if (r->sess.role == ROLE_APPROVER && dept[0] == '\0')
		return req_err_msg(r, E_FORBIDDEN, "您的账号未设置所属部门");
	fmt(like, sizeof like, "%%%s%%", q ? q : "");
	date_format_days(case_today(), today, sizeof today);
	by_deadline = od != 0 || warning != NULL;

#define CASES_WHERE \
	" WHERE ? IN (c.hall, COALESCE(c.decide_hall, c.hall), c.pickup_hall)" \
	" AND (? IS NULL OR COALESCE(c.decide_hall, c.hall) = ?)" \
	" AND (? IS NULL OR c.status = ?)" \
	" AND (? = 0 OR (c.status IN ('accepted', 'processing') AND c.deadline < ?)" \
	"  OR (? = 2 AND c.status IN ('accepted', 'processing') AND c.warning <> 'green'))" \
	" AND (? IS NULL OR c.warning = ?) AND (? IS NULL OR c.item = ?) AND c.no LIKE ?" \
	" AND (? IS NULL OR EXISTS (SELECT 1 FROM case_parts p WHERE p.case_id = c.id" \
	"  AND p.department = ?))"
#define CASES_ARGS \
	DBS(r->sess.hall), DBSO(dept ? r->sess.hall : NULL), DBSO(dept ? r->sess.hall : NULL), \
	DBSO(status), DBSO(status), DBI(od), DBS(today), DBI(od), \
	DBSO(warning), DBSO(warning), DBSO(item), DBSO(item), DBS(like), DBSO(dept), DBSO(dept)

	list = json_array();
	rc = db_rows_json(r->ctx,
	    "SELECT c.no, c.item, c.title, c.status, DATE_FORMAT(c.deadline, '%Y-%m-%d'),"
	    " c.warning, c.applicant_name_mask,"
	    " DATE_FORMAT(c.accepted_at, '%Y-%m-%dT%H:%i:%s+08:00'), c.delivery, i.department,"
	    " d.name, DATE_FORMAT(c.paused_since, '%Y-%m-%d'), c.window_no, c.cross_province,"
	    " c.hall, COALESCE(c.decide_hall, c.hall), c.pickup_hall"
	    " FROM cases c LEFT JOIN items i ON i.id = c.item"
	    " LEFT JOIN departments d ON d.code = i.department" CASES_WHERE
	    " ORDER BY CASE WHEN ? = 1 THEN c.deadline END ASC, c.id DESC LIMIT ? OFFSET ?",
	    DBARGS(CASES_ARGS, DBI(by_deadline), DBI(per), DBI((page - 1) * per)),
	    cols, "sSssSssSsSSSIbssS", list);
	if (rc >= 0)
		rc = db_scalar(r->ctx, "SELECT COUNT(*) FROM cases c" CASES_WHERE,
		    DBARGS(CASES_ARGS), total, sizeof total);
	if (rc < 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	parse_ll(total, 0, INT64_MAX, &tot);
	/* The live light of the cases still running (the stored one is up to a minute old). */
	json_array_foreach(list, i, row) {
		const char *st = json_string_value(json_object_get(row, "status")), *w;

		json_object_set_new(row, "status_label", json_string(case_status_label(st)));
		w = case_live_warning(r->ctx, st, json_string_value(json_object_get(row, "deadline")),
		    json_string_value(json_object_get(row, "paused_since")));
		if (w)
			json_object_set_new(row, "warning", json_string(w));
	}
	return req_ok(r, 200, json_pack("{s:o,s:I,s:I,s:I}", "cases", list, "page", page,
	    "per_page", per, "total", tot));
#undef CASES_WHERE
#undef CASES_ARGS
}

/* ---------------------------------------------------------------- GET /cases/{no} */

int
h_case_get(struct req *r)
{
	struct case_row cr;
	const char *reveal = NULL;
	json_t *o;
	int rc, open;

	q_str(r, "reveal", 0, 1, &reveal);
	if (in_has_errors(r))
		return req_invalid(r);
	open = reveal && reveal[0] == '1' &&
	    (r->sess.role & (ROLE_CLERK | ROLE_APPROVER | ROLE_MANAGER)) != 0;
	rc = case_load(r->ctx, r->sess.hall, r->pathv[0], &cr);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc > 0 && r->sess.role == ROLE_HELPER &&
	    (rc = case_helper_sees(r->ctx, &r->sess, &cr)) < 0)
		return db_fail(r, rc);
	if (rc == 0 || (r->sess.role != ROLE_HELPER && !case_visible(&r->sess, &cr)))
		return req_err_msg(r, E_NOT_FOUND, "没有这个办件");
	if (reveal && reveal[0] == '1' && !open)
		return req_err_msg(r, E_FORBIDDEN, "您的岗位不能查看申请人完整信息");
	if (open)
		audit(r, "case.reveal", cr.no, "ok", "applicant");
	rc = case_json(r->ctx, &r->sess, &cr, open, &o);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这个办件");
	return req_ok(r, 200, json_pack("{s:o}", "case", o));
}

/* ---------------------------------------------------------------- GET /case-notices?n= */

struct notice {
	int	 found;
	char	 kind[16];
	char	 hall[32];
	char	 item[48];
	long long case_id;
	char	 applicant[64];
	json_t	*materials;
	char	 note[504];
	long long window;
	char	 clerk[64];
	char	 created_at[32];
	char	 hall_name[128];
	char	 hall_address[256];
	char	 hall_phone[32];
	char	 item_name[256];
	char	 dept_name[128];
	char	 kind_item[12];
	long long promised_days;
	char	 window_name[64];
};

#define NO_S(m)	DBC_S(struct notice, m)
static const struct db_col notice_cols[] = {
	NO_S(kind), NO_S(hall), NO_S(item), DBC_I(struct notice, case_id, 1, INT64_MAX),
	NO_S(applicant), DBC_NONE /* materials: JSON */, NO_S(note),
	DBC_I(struct notice, window, 0, 9999), NO_S(clerk), NO_S(created_at), NO_S(hall_name),
	NO_S(hall_address), NO_S(hall_phone), NO_S(item_name), NO_S(dept_name), NO_S(kind_item),
	DBC_I(struct notice, promised_days, 0, 10000), NO_S(window_name),
};
#undef NO_S

static int
notice_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct notice *n = arg;

	(void)lens;
	n->found = 1;
	db_row_fill(n, DB_COLS(notice_cols), ncol, v);
	n->materials = v[5] ? json_loads(v[5], 0, NULL) : NULL;
	return 1;
}

/* The accepted case on its 受理通知书: number, deadline, materials, the tracking address. */
static int
notice_case(struct ctx *ctx, long long case_id, json_t *o)
{
	static const char *const case_cols[] = { "no", "status", "deadline", "accepted_at",
	    "delivery", "processing_office", "provisional" };
	static const char *const mat_cols[] = { "code", "name", "state", "due", "waived",
	    "received_at" };
	json_t *cs = json_array(), *mats = json_array(), *c, *m;
	char tok[CASE_TOKEN_MAX] = "", url[320];
	int rc, waived = 0, promised = 0;
	size_t i;

	rc = db_rows_json(ctx,
	    "SELECT no, status, DATE_FORMAT(deadline, '%Y-%m-%d'),"
	    " DATE_FORMAT(accepted_at, '%Y-%m-%dT%H:%i:%s+08:00'), delivery, processing_office,"
	    " deadline_provisional FROM cases WHERE id = ?", DBARGS(DBI(case_id)), case_cols,
	    "ssSSsSb", cs);
	if (rc >= 0)
		rc = db_rows_json(ctx,
		    "SELECT m.code, m.name, m.state, DATE_FORMAT(m.due, '%Y-%m-%d'),"
		    " m.committed_at IS NOT NULL,"
		    " DATE_FORMAT(m.received_at, '%Y-%m-%dT%H:%i:%s+08:00')"
		    " FROM case_materials m LEFT JOIN item_materials im ON im.item = m.item"
		    "  AND im.code = m.code WHERE m.case_id = ? ORDER BY im.sort, m.code",
		    DBARGS(DBI(case_id)), mat_cols, "sssSbS", mats);
	if (rc >= 0)
		rc = case_track_token(ctx, case_id, NULL, tok);
	if (rc < 0 || json_array_size(cs) != 1) {
		json_decref(cs);
		json_decref(mats);
		return rc < 0 ? rc : DB_FAIL;
	}
	c = json_incref(json_array_get(cs, 0));
	json_decref(cs);
	/* 容缺受理 (some material accepted on the applicant's commitment) is never "材料齐全". */
	json_array_foreach(mats, i, m) {
		if (json_is_true(json_object_get(m, "waived")))
			waived++;
		/* 告知承诺 (case_promise.c): a certificate replaced by the signed promise. */
		if (strcmp(json_string_value(json_object_get(m, "state")), "promised") == 0)
			promised++;
	}
	json_object_set_new(c, "acceptance", json_string(waived ? "waived" : "complete"));
	json_object_set_new(c, "acceptance_text", json_string(waived ?
	    "容缺受理：申请人已签署容缺受理承诺书，容缺材料须在约定日期前补交" : promised ?
	    "申请材料符合法定形式，部分证明以申请人签署的告知承诺书替代，予以受理（事后核查）" :
	    "申请材料齐全、符合法定形式，予以受理"));
	json_object_set_new(c, "materials", mats);
	if ((rc = case_agent_json_add(ctx, case_id, c)) < 0 ||
	    (rc = case_bundle_notice_add(ctx, case_id, c)) < 0) {
		json_decref(c);
		return rc;
	}
	if (tok[0]) {
		case_track_abs(tok, url, sizeof url);
		json_object_set_new(c, "track_url", json_string(url));
	}
	sodium_memzero(tok, sizeof tok);
	json_object_set_new(o, "case", c);
	return 0;
}

/*
 * The notice of a token as its printable page shows it (GET /case-notices; the PDF of
 * results_notice.c draws the same): 1 with *out, 0 no such notice (an unknown, revoked or
 * malformed token), or a DB_* code.
 */
int
case_notice_json(struct ctx *ctx, const char *token, json_t **out)
{
	static const char *const titles[][2] = {
		{ "accepted", "受理通知书" }, { "incomplete", "一次性告知书" },
		{ "supplement", "补正材料通知书" }, { "refused", "不予受理通知书" },
	};
	const char *title = "";
	struct notice n;
	char hash[65];
	json_t *o;
	size_t i;
	int rc;

	*out = NULL;
	if (!token_ok(token, CASE_TOKEN_MAX))
		return 0;
	case_token_hash(token, hash);
	memset(&n, 0, sizeof n);
	rc = db_query(ctx,
	    "SELECT n.kind, n.hall, n.item, n.case_id, n.applicant_mask, n.materials, n.note,"
	    " n.window_no, s.name, DATE_FORMAT(n.created_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " h.name, h.address, h.phone, COALESCE(JSON_VALUE(iv.body, '$.name'), i.name), d.name,"
	    " COALESCE(JSON_VALUE(iv.body, '$.kind'), i.kind),"
	    " COALESCE(JSON_VALUE(iv.body, '$.promised_days'), i.promised_days), w.name"
	    " FROM case_notices n JOIN halls h ON h.code = n.hall JOIN items i ON i.id = n.item"
	    " LEFT JOIN item_versions iv ON iv.item = n.item AND iv.version = n.item_version"
	    " JOIN departments d ON d.code = COALESCE(JSON_VALUE(iv.body, '$.department'),"
	    "  i.department)"
	    " LEFT JOIN staff s ON s.id = n.created_by"
	    " LEFT JOIN windows w ON w.hall = n.hall AND w.number = n.window_no"
	    " WHERE n.token_hash = ?", DBARGS(DBS(hash)), notice_row, &n);
	if (rc < 0 || !n.found) {
		json_decref(n.materials);
		return rc < 0 ? rc : 0;
	}
	for (i = 0; i < NELEM(titles); i++)
		if (strcmp(titles[i][0], n.kind) == 0)
			title = titles[i][1];
	o = json_pack("{s:s,s:s,s:{s:s,s:s,s:s},s:{s:s,s:s,s:s,s:s,s:I},s:s,s:s,s:s,s:o,s:s}",
	    "kind", n.kind, "title", title,
	    "hall", "name", n.hall_name, "address", n.hall_address, "phone", n.hall_phone,
	    "item", "id", n.item, "name", n.item_name, "department", n.dept_name,
	    "kind", n.kind_item, "promised_days", n.promised_days,
	    "applicant", n.applicant, "created_at", n.created_at, "clerk", n.clerk,
	    "window", n.window ? json_integer(n.window) : json_null(),
	    "window_name", n.window_name);
	if (n.note[0])
		json_object_set_new(o, "note", json_string(n.note));
	if (n.materials)
		json_object_set_new(o, "materials", n.materials);
	if (n.case_id && (rc = notice_case(ctx, n.case_id, o)) != 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 1;
}

int
h_notice(struct req *r)
{
	const char *token = NULL;
	json_t *o;
	int rc;

	q_str(r, "n", 1, CASE_TOKEN_MAX, &token);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = case_notice_json(r->ctx, token, &o)) < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_NOT_FOUND, "查询码无效或已失效");
	return req_ok(r, 200, json_pack("{s:o}", "notice", o));
}
