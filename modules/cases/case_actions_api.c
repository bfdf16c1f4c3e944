/*
 * case_actions_api.c — POST /cases/{no}/actions for the back office, the pickup window and
 * mail (the dispatcher cases_post.c sends online pre-review actions to the online room), and
 * POST /cases/{no}/track-token.
 *
 * Routes: POST /cases/{no}/actions, POST /cases/{no}/track-token
 * Tables: cases, case_materials, item_materials, staff (the assignee), case_tracking,
 *         case_history, audit_log, hall_alerts (a missing holiday year); the writes of each
 *         action: case_actions.c
 * Redis:  none
 *
 * The handler parses the body, finds the case (404 unless the caller sees it), asks the
 * state machine (case_rules.h: 403 FORBIDDEN, 409 INVALID_TRANSITION) and whether the step
 * falls to the caller's hall (case_route.h: 403 WRONG_HALL), checks what the
 * action needs (assignee, outstanding materials, the pickup code, the 补正 materials and the
 * moved deadline), then runs the action and its audit row in one transaction (db_tx).
 * Hand-over at the window is against the pickup code of the applicant's SMS, or — when the
 * applicant has no code — against an identity document the clerk checked and names
 * (identity_checked): the history row and the audit row record which it was.
 */
#include "handlers.h"
#include "case_actions.h"
#include "case_deadline.h"
#include "case_json.h"
#include "case_reply.h"
#include "case_route.h"
#include "../shared/audit.h"
#include "../hall/calendar.h"
#include "../notify/notify.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The actions of this handler (online pre-review is online/review_api.c's). */
static const char *const window_acts[] = {
	"assign", "approve", "reject", "request_supplement", "supplement", "ready", "mail",
	"hand_over", NULL
};
/* What a request may send for identity_checked (checked_names without "none"). */
static const char *const *const checked_choices = checked_names + 1;

/* ---------------------------------------------------------------- checks before the tx */

struct staff_pick {
	long long id;
	char	 name[204];	/* staff.name: up to 50 characters */
	char	 dept[32];
};

static const struct db_col staff_cols[] = {
	DBC_I(struct staff_pick, id, 1, INT64_MAX), DBC_S(struct staff_pick, name),
	DBC_S(struct staff_pick, dept),
};

/* Who is assigned: the approver themself, or the named approver of one of the departments. */
static int
pick_assignee(struct req *r, struct action *a)
{
	struct staff_pick s;
	char needle[40];
	int rc;

	memset(&s, 0, sizeof s);
	if (a->assignee)
		rc = db_row_into(r->ctx, "SELECT id, name, department FROM staff WHERE hall = ?"
		    " AND username = ? AND role = 'approver' AND disabled = 0",
		    DBARGS(DBS(a->cr.hall), DBS(a->assignee)), DB_COLS(staff_cols), &s);
	else if (r->sess.role == ROLE_APPROVER)
		rc = db_row_into(r->ctx, "SELECT id, name, department FROM staff WHERE id = ?",
		    DBARGS(DBI(a->staff)), DB_COLS(staff_cols), &s);
	else
		return req_fail_field(r, "assignee", "请选择承办的审批人员"), req_invalid(r);
	if (rc < 0)
		return db_fail(r, rc);
	fmt(needle, sizeof needle, ",%s,", s.dept);
	if (rc == 0 || strstr(a->cr.departments, needle) == NULL)
		return req_fail_field(r, "assignee", "不是该办件所属部门的审批人员"), req_invalid(r);
	if (r->sess.role == ROLE_APPROVER && strcmp(s.dept, r->sess.department) != 0)
		return req_fail_field(r, "assignee", "只能分派给本部门人员"), req_invalid(r);
	a->assignee_id = s.id;
	str_copy(a->assignee_name, sizeof a->assignee_name, s.name);
	str_copy(a->dept, sizeof a->dept, s.dept);
	return 0;
}

/* Waived (容缺) or requested (补正) materials still outstanding: 422 naming them. */
static int
outstanding(struct req *r, struct action *a, int kind, const char *msg_fmt)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < a->mats.n; i++)
		if (strcmp(a->mats.rows[i].state, "waived") == 0 ||
		    strcmp(a->mats.rows[i].state, "requested") == 0)
			json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "code",
			    a->mats.rows[i].code, "name", a->mats.rows[i].name, "state", a->mats.rows[i].state));
	return case_reply_missing_n(r, kind, msg_fmt, list);
}

static int
check_codes(struct req *r, struct action *a, const char *want_state)
{
	size_t i;
	char msg[200];

	for (i = 0; a->codes && i < json_array_size(a->codes); i++) {
		const char *code = json_string_value(json_array_get(a->codes, i));
		struct case_mat *m = case_action_mat(a, code);

		if (m == NULL) {
			fmt(msg, sizeof msg, "该办件没有材料 %s", code);
			return req_fail_field(r, "materials", msg), req_invalid(r);
		}
		if (want_state && strcmp(m->state, "waived") != 0 &&
		    strcmp(m->state, "requested") != 0) {
			fmt(msg, sizeof msg, "%s（%s）不在待补交之列", m->name, code);
			return req_fail_field(r, "materials", msg), req_invalid(r);
		}
	}
	return 0;
}

/*
 * Materials brought to the window.  Outside a 补正 they must be waived (容缺) ones.  A 补正
 * must bring every requested material at once (no list: all of them); then the clock runs
 * again and the deadline moves by the working days it stood still.
 */
static int
check_supplement(struct req *r, struct action *a)
{
	json_t *still, *all;
	size_t i, j;
	int64_t since, dl, nd = 0;
	int rc, missing = 0;
	char msg[160];

	if ((rc = check_codes(r, a, "outstanding")) != 0)
		return rc;
	if (strcmp(a->cr.status, "supplement_needed") != 0) {
		if (a->codes == NULL || json_array_size(a->codes) == 0)
			return req_fail_field(r, "materials", "请勾选补交的容缺材料"), req_invalid(r);
		return 0;
	}
	still = json_array();
	all = json_array();
	for (i = 0; i < a->mats.n; i++) {
		int listed = a->codes == NULL;

		if (strcmp(a->mats.rows[i].state, "requested") != 0)
			continue;
		for (j = 0; !listed && j < json_array_size(a->codes); j++)
			listed = strcmp(json_string_value(json_array_get(a->codes, j)),
			    a->mats.rows[i].code) == 0;
		if (listed)
			json_array_append_new(all, json_string(a->mats.rows[i].code));
		else
			json_array_append_new(still, json_pack("{s:s,s:s}", "code", a->mats.rows[i].code,
			    "name", a->mats.rows[i].name));
	}
	if (json_array_size(still) > 0) {
		fmt(msg, sizeof msg, "补正材料还缺 %zu 项，请一次性补齐", json_array_size(still));
		json_decref(all);
		return case_reply_missing(r, E_MATERIALS_INCOMPLETE, msg, still);
	}
	json_decref(still);
	if (a->codes == NULL) {
		/* r->body owns the list from here on, as it owns a given one. */
		json_object_set_new(r->body, "materials", all);
		a->codes = all;
	} else
		json_decref(all);
	/* The clock stood still from the day of the request to today. */
	if (date_parse(a->cr.paused_since, &since) != 0 || date_parse(a->cr.deadline, &dl) != 0)
		return req_bug(r, "paused case without dates");
	{
		const struct workcal *cal = calendar_pin(r->ctx, &rc);

		if (cal == NULL)
			return db_fail(r, rc);
		rc = deadline_resume(cal, dl, since, a->today, &a->paused, &nd, &missing);
		if (rc == 0)
			a->new_provisional = workcal_provisional_in(cal, dl, nd) != 0;
		calendar_unpin(cal);
	}
	if (rc == CAL_MISSING) {
		case_calendar_missing(r->ctx, a->cr.hall, missing);
		return case_reply_calendar(r, missing);
	}
	if (rc < 0)
		return db_fail(r, rc);
	date_format_days(nd, a->new_deadline, sizeof a->new_deadline);
	return 0;
}

static int
action_parse(struct req *r, struct action *a)
{
	int act = 0;
	json_t *codes;
	size_t i;

	in_enum(r, r->body, "action", 1, window_acts, &act);
	a->act = (enum case_act)act;
	in_str(r, r->body, "note", 0, 1, 200, &a->note);
	in_str(r, r->body, "reason", 0, 1, 200, &a->reason);
	in_str(r, r->body, "carrier", 0, 1, 32, &a->carrier);
	in_str(r, r->body, "tracking_no", 0, 4, 40, &a->tracking_no);
	in_str(r, r->body, "assignee", 0, 1, 32, &a->assignee);
	in_str(r, r->body, "pickup_code", 0, 6, 6, &a->pickup_code);
	in_str(r, r->body, "address", 0, 5, 60, &a->address);
	{
		int k = -1;

		in_enum(r, r->body, "identity_checked", 0, checked_choices, &k);
		a->checked = k + 1;
	}
	codes = json_object_get(r->body, "materials");
	if (codes && !json_is_null(codes)) {
		if (!json_is_array(codes) || json_array_size(codes) > MAX_CODES)
			req_fail_field(r, "materials", "须为材料编号列表");
		else
			for (i = 0; i < json_array_size(codes); i++) {
				json_t *c = json_array_get(codes, i);

				if (!json_is_string(c) || json_string_length(c) < 1 ||
				    json_string_length(c) > 16) {
					req_fail_field(r, "materials", "材料编号须为文本，如 M1");
					break;
				}
			}
		a->codes = codes;
	}
	if (in_has_errors(r))
		return req_invalid(r);
	if (a->tracking_no)
		for (i = 0; a->tracking_no[i]; i++)
			if (!((a->tracking_no[i] >= '0' && a->tracking_no[i] <= '9') ||
			    (a->tracking_no[i] >= 'A' && a->tracking_no[i] <= 'Z') ||
			    (a->tracking_no[i] >= 'a' && a->tracking_no[i] <= 'z') ||
			    a->tracking_no[i] == '-'))
				return req_fail_field(r, "tracking_no", "运单号只能包含字母、数字和连字符"),
				    req_invalid(r);
	if (a->pickup_code)
		for (i = 0; i < 6; i++)
			if (a->pickup_code[i] < '0' || a->pickup_code[i] > '9')
				return req_fail_field(r, "pickup_code", "取件码为 6 位数字"),
				    req_invalid(r);
	/* The reason of a rejection may come as "reason" or, per API.md, as "note". */
	if (a->act == CA_REJECT && a->reason == NULL)
		a->reason = a->note;
	if (a->act == CA_REJECT && a->reason == NULL)
		req_fail_field(r, "reason", "不予办理须写明理由");
	/* Text that goes into the applicant's SMS is refused here if the SMS cannot carry it,
	 * never accepted and then failed for good by the worker (notify.h). */
	if (a->act == CA_REJECT && a->reason != NULL)
		sms_text_field(r, a->reason == a->note ? "note" : "reason", a->reason, 1);
	if (a->act == CA_MAIL && a->carrier == NULL)
		req_fail_field(r, "carrier", "请填写寄递企业");
	if (a->act == CA_MAIL && a->tracking_no == NULL)
		req_fail_field(r, "tracking_no", "请填写运单号");
	if (a->act == CA_MAIL && a->carrier != NULL)
		sms_text_field(r, "carrier", a->carrier, 0);
	if (a->act == CA_MAIL && a->tracking_no != NULL)
		sms_text_field(r, "tracking_no", a->tracking_no, 0);
	if (a->act == CA_REQUEST_SUPPLEMENT && (a->codes == NULL ||
	    json_array_size(a->codes) == 0) && a->note == NULL)
		req_fail_field(r, "materials", "请列出需补正的材料或写明补正要求");
	if (in_has_errors(r))
		return req_invalid(r);
	return 0;
}

struct action_tx {
	struct req	*r;
	struct action	*a;
};

/* One try of the action's transaction: its writes and the audit row (db_tx retries). */
static int
action_tx(struct ctx *c, void *arg)
{
	struct action_tx *t = arg;
	struct action *a = t->a;
	char what[48];
	const char *detail = a->dept;
	int rc;

	if ((rc = case_act_run(c, &t->r->sess, a)) != 0)
		return rc;
	fmt(what, sizeof what, "case.%s", case_act_names[a->act]);
	/* A hand-over says what it was checked against: the code, or the document. */
	if (a->act == CA_HAND_OVER && strcmp(a->cr.status, "ready") == 0)
		detail = a->pickup_code ? "pickup_code" : checked_names[a->checked];
	audit(t->r, what, a->cr.no, "ok", detail);
	return 0;
}

/* The checks of one action against the case and its materials; 0 or the reply already set. */
static int
action_checks(struct req *r, struct action *a)
{
	int rc = 0;

	switch (a->act) {
	case CA_ASSIGN:
		rc = pick_assignee(r, a);
		break;
	case CA_APPROVE:
		rc = outstanding(r, a, E_MATERIALS_OUTSTANDING,
		    "还有 %zu 项容缺或补正材料未补交，暂不能审批通过");
		break;
	case CA_REQUEST_SUPPLEMENT:
		rc = check_codes(r, a, NULL);
		break;
	case CA_MAIL:
		/* A case to be collected at the window has no address: the mail needs one
		 * (chk_cases_mail would refuse the change). */
		if (a->address == NULL && strcmp(a->cr.delivery, "mail") != 0)
			rc = req_fail_field(r, "address", "该办件原定窗口领取，没有邮寄地址，请填写收件地址"),
			    req_invalid(r);
		break;
	case CA_SUPPLEMENT:
		rc = check_supplement(r, a);
		break;
	case CA_HAND_OVER:
		/* At the window the result goes to whoever shows the code, or to a person whose
		 * papers the clerk checked and names: never on nothing. */
		if (a->pickup_code == NULL && a->checked == CHK_NONE &&
		    strcmp(a->cr.status, "ready") == 0)
			rc = req_fail_field(r, "pickup_code", "请输入申请人短信中的 6 位取件码；"
			    "申请人没有取件码时，请核验身份证件并选择核验方式"),
			    req_fail_field(r, "identity_checked", "没有取件码时须选择核验方式"),
			    req_invalid(r);
		else if (a->pickup_code && strcmp(a->cr.status, "ready") == 0) {
			char hash[PII_HASH_HEX];

			case_pickup_hash(a->cr.no, a->pickup_code, hash);
			if (strcmp(hash, a->cr.pickup_hash) != 0)
				rc = req_err(r, E_PICKUP_CODE_WRONG);
		}
		break;
	default:
		break;
	}
	return rc;
}

int
h_case_action(struct req *r)
{
	struct action *a;
	int rc, to;

	if ((a = calloc(1, sizeof *a)) == NULL)
		return req_bug(r, "out of memory");
	if ((rc = action_parse(r, a)) != 0)
		goto out;
	rc = case_load(r->ctx, r->sess.hall, r->pathv[0], &a->cr);
	if (rc < 0) {
		rc = db_fail(r, rc);
		goto out;
	}
	if (rc == 0 || !case_visible(&r->sess, &a->cr)) {
		rc = req_err_msg(r, E_NOT_FOUND, "没有这个办件");
		goto out;
	}
	rc = case_rule_check(a->act, case_status_parse(a->cr.status), r->sess.role,
	    case_in_department(&r->sess, &a->cr), &to);
	if (rc == E_FORBIDDEN) {
		audit(r, "case.action", a->cr.no, "forbidden", case_act_names[a->act]);
		rc = req_err_msg(r, E_FORBIDDEN, "您的岗位不能进行该操作");
		goto out;
	}
	if (rc != 0) {
		rc = case_reply_transition(r, a->cr.status, case_act_names[a->act]);
		goto out;
	}
	/* 全市通办: the step falls to one of the case's halls (case_route.h). */
	if ((case_act_halls(a->act, &a->cr) & case_hall_is(&a->cr, r->sess.hall)) == 0) {
		audit(r, "case.action", a->cr.no, "wrong_hall", case_act_names[a->act]);
		rc = case_reply_wrong_hall(r, &a->cr, a->act);
		goto out;
	}
	/* 跨省通办 收受分离: decided by the other province's office, through the xprov steps. */
	if (case_act_cross_province(a->act, &a->cr)) {
		audit(r, "case.action", a->cr.no, "cross_province", case_act_names[a->act]);
		rc = req_err_msg(r, E_INVALID_STATE, "跨省通办（收受分离）办件由办理地审批，审批结果、"
		    "寄回和送达请在「跨省通办」页面按步骤登记");
		goto out;
	}
	parse_ll(r->sess.subject, 1, INT64_MAX, &a->staff);
	a->today = case_today();
	case_now(a->now);
	str_copy(a->dept, sizeof a->dept, r->sess.department);
	if ((rc = case_action_mats(r->ctx, a)) < 0) {
		rc = db_fail(r, rc);
		goto out;
	}
	if ((rc = action_checks(r, a)) != 0)
		goto out;
	rc = db_tx(r->ctx, action_tx, &(struct action_tx){ r, a });
	if (rc == E_INVALID_TRANSITION) {
		audit(r, "case.action", a->cr.no, "conflict", case_act_names[a->act]);
		rc = case_reply_conflict(r, &a->cr, case_act_names[a->act]);
		goto out;
	}
	if (rc > 0) {		/* E_NO_PICKUP_WINDOW */
		rc = req_err(r, rc);
		goto out;
	}
	if (rc != 0) {
		rc = case_db_fail(r, rc);
		goto out;
	}
	rc = case_reply_case(r, a->cr.no);
out:
	sodium_memzero(a, sizeof *a);
	free(a);
	return rc;
}

struct track_token_tx {
	struct req		*r;
	const struct case_row	*cr;
	const char		*now, *hash;
	const unsigned char	*sealed;
	size_t			 n;
};

/* One try of the new tracking token's transaction and its audit row (db_tx retries). */
static int
track_token_tx(struct ctx *c, void *arg)
{
	struct track_token_tx *t = arg;
	int rc;

	rc = case_track_renew(c, &t->r->sess, t->cr, t->now, t->hash, t->sealed, t->n);
	if (rc == 0)
		audit(t->r, "case.track_token", t->cr->no, "ok", "");
	return rc;
}

/*
 * POST /cases/{no}/track-token (clerk, manager): the applicant lost the notice or the link
 * leaked — every earlier tracking token stops working and a new one is issued.
 */
int
h_case_track_token(struct req *r)
{
	struct case_row cr;
	unsigned char sealed[PII_SEALED_MAX];
	char tok[CASE_TOKEN_MAX], hash[65], now[20], url[128];
	int rc, n;

	rc = case_load(r->ctx, r->sess.hall, r->pathv[0], &cr);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0 || !case_visible(&r->sess, &cr))
		return req_err_msg(r, E_NOT_FOUND, "没有这个办件");
	if ((n = case_token_new(tok, hash, sealed, sizeof sealed)) < 0)
		return req_bug(r, "cannot make a token");
	case_now(now);
	rc = db_tx(r->ctx, track_token_tx, &(struct track_token_tx){ r, &cr, now, hash, sealed,
	    (size_t)n });
	if (rc != 0) {
		sodium_memzero(tok, sizeof tok);
		return db_fail(r, rc);
	}
	fmt(url, sizeof url, "/t/%s", tok);
	rc = req_ok(r, 201, json_pack("{s:s,s:s}", "track_token", tok, "track_url", url));
	sodium_memzero(tok, sizeof tok);
	return rc;
}
