/*
 * complaints_api.c — 投诉 over HTTP.
 *
 * Routes: POST /complaints                              (citizen: file one)
 *         GET  /me/complaints                           (citizen: theirs, with the answers)
 *         GET  /halls/{hall}/complaints?status=open|answered|overdue|all[&limit=]
 *                                                       (staff of the hall: a manager sees
 *                                                        all, anyone else those assigned to
 *                                                        them)
 *         POST /halls/{hall}/complaints/{id}/assign     (manager: {"assignee": username})
 *         POST /halls/{hall}/complaints/{id}/answer     (the assignee or a manager)
 * Tables: through complaints.c; halls (hall_find), staff (the assignee); audit_log
 *         (complaint.create, complaint.assign, complaint.answer, in their transactions)
 * Redis:  none.
 */
#include "handlers.h"
#include "reviews.h"
#include "reviews_int.h"
#include "../shared/audit.h"
#include "../hall/catalog.h"
#include "../identity/identity.h"
#include "../notify/notify.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <string.h>

/* 1 when s is a queue number as tickets print it: one capital letter and 3–4 digits. */
static int
ticket_number_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 4 || n > 5 || s[0] < 'A' || s[0] > 'Z')
		return 0;
	for (i = 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

struct create_step {
	struct req		*r;
	struct complaint_in	*in;
	long long		 id;
	int			 too_many;
};

static int
create_step(struct ctx *c, void *arg)
{
	struct create_step *st = arg;
	char target[32];
	long long n = 0;
	int rc;

	if ((rc = complaint_count_today(c, st->in->citizen, &n)) != 0)
		return rc;
	if (n >= COMPLAINT_DAILY_MAX) {
		st->too_many = 1;
		return E_RATE_LIMITED;
	}
	if ((rc = complaint_create(c, st->in, &st->id)) != 0)
		return rc;
	fmt(target, sizeof target, "complaint:%lld", st->id);
	audit(st->r, "complaint.create", target, "ok", st->in->about);
	return 0;
}

/*
 * POST /complaints (citizen): {"hall","about":"case"|"ticket"|"hall","ref"?,"text"}.  ref:
 * for a case its number (one of the citizen's own cases of that hall), for a ticket the
 * number as printed (A005); none for the hall.  text 5–500 characters.
 */
int
h_complaint_post(struct req *r)
{
	static const char *const abouts[] = { "case", "ticket", "hall", NULL };
	struct complaint_in in;
	struct create_step st;
	const char *hall = NULL, *ref = NULL, *text = NULL;
	json_t *o = NULL;
	int rc, about = 0;

	memset(&in, 0, sizeof in);
	if ((rc = require_citizen(r, NULL)) != 0)
		return rc;
	in_str(r, r->body, "hall", 1, 1, 32, &hall);
	in_enum(r, r->body, "about", 1, abouts, &about);
	in_str(r, r->body, "ref", 0, 0, COMPLAINT_REF_MAX, &ref);
	in_str(r, r->body, "text", 1, COMPLAINT_TEXT_MIN, COMPLAINT_TEXT_MAX, &text);
	if (hall && !token_ok(hall, 32))
		req_fail_field(r, "hall", "格式不正确");
	if (ref && ref[0] == '\0')
		ref = NULL;
	if (!in_has_errors(r)) {
		if (about == 2 && ref)
			req_fail_field(r, "ref", "投诉大厅时无需填写编号");
		else if (about != 2 && !ref)
			req_fail_field(r, "ref", about == 0 ? "请填写办件编号" : "请填写排队号码");
		else if (about == 1 && !ticket_number_ok(ref))
			req_fail_field(r, "ref", "排队号码为一个大写字母加数字，如 A005");
		else if (about == 0 && !token_ok(ref, COMPLAINT_REF_MAX))
			req_fail_field(r, "ref", "办件编号格式不正确");
	}
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	if (about == 0) {
		rc = complaint_case_mine(r->ctx, hall, ref, r->sess.subject);
		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 0) {
			req_fail_field(r, "ref", "没有找到您在本中心的这个办件");
			return req_invalid(r);
		}
	}
	in.hall = hall;
	in.citizen = r->sess.subject;
	in.about = abouts[about];
	in.ref = ref;
	in.body = text;
	if ((rc = complaint_deadline(r->ctx, hall, in.deadline)) != 0)
		return db_fail(r, rc);
	st = (struct create_step){ r, &in, 0, 0 };
	rc = db_tx(r->ctx, create_step, &st);
	if (rc == E_RATE_LIMITED)
		return req_err_msg(r, rc, "今天提交的投诉已达上限，请明天再提交或拨打 12345 热线");
	if (rc != 0)
		return db_fail(r, rc);
	if ((rc = complaint_json(r->ctx, hall, st.id, &o)) <= 0)
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "complaint vanished");
	json_object_del(json_object_get(o, "complaint"), "assigned_to");
	json_object_del(json_object_get(o, "complaint"), "assignee_name");
	json_object_del(json_object_get(o, "complaint"), "answered_by_name");
	return req_ok(r, 201, o);
}

/* GET /me/complaints (citizen): theirs, newest first, with the answers. */
int
h_my_complaints(struct req *r)
{
	json_t *list;
	int rc;

	if ((rc = require_citizen(r, NULL)) != 0)
		return rc;
	list = json_array();
	if ((rc = complaint_list_mine(r->ctx, r->sess.subject, list)) != 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	return req_ok(r, 200, json_pack("{s:o}", "complaints", list));
}

static int
is_manager(const struct req *r)
{
	return (r->sess.role & (ROLE_MANAGER | ROLE_ADMIN)) != 0;
}

/* "mine": assigned to the caller — the console offers the answer form on it. */
static void
mark_mine(const struct req *r, json_t *c)
{
	char me[24];

	fmt(me, sizeof me, "%lld", (long long)json_integer_value(json_object_get(c, "assigned_to")));
	json_object_set_new(c, "mine", json_boolean(strcmp(me, r->sess.subject) == 0));
}

static const struct reviews_record complaint_record = {
	complaint_json, "complaint", mark_mine, "没有这个投诉", "complaints"
};

int
h_complaints_list(struct req *r)
{
	static const char *const statuses[] = { "open", "answered", "overdue", "all", NULL };
	const char *hall = r->pathv[0];
	long long limit;
	json_t *list;
	int rc, k;

	if ((rc = require_staff_of_hall(r, hall)) != 0)
		return rc;
	if ((rc = reviews_list_query(r, statuses, "取值为 open、answered、overdue 或 all", &k,
	    &limit)) != 0)
		return rc;
	list = json_array();
	rc = complaint_list_hall(r->ctx, hall, (enum complaint_filter)k,
	    is_manager(r) ? NULL : r->sess.subject, limit, list);
	return reviews_list_reply(r, &complaint_record, rc, list);
}

/* The complaint id of the path: 0, or the 404 reply. */
static int
complaint_id(struct req *r, long long *id)
{
	if (parse_ll(r->pathv[1], 1, INT64_MAX, id) != 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这个投诉");
	return 0;
}

struct change_step {
	struct req	*r;
	long long	 id, staff;
	const char	*answer;
	int		 told;
};

static int
assign_step(struct ctx *c, void *arg)
{
	struct change_step *st = arg;
	char detail[32];

	fmt(detail, sizeof detail, "staff:%lld", st->staff);
	return reviews_step_audit(st->r, complaint_assign(c, st->r->pathv[0], st->id, st->staff,
	    st->r->sess.subject), "complaint.assign", "complaint", st->id, detail);
}

static int
answer_step(struct ctx *c, void *arg)
{
	struct change_step *st = arg;
	int rc = complaint_answer(c, st->r->pathv[0], st->id, st->answer, st->r->sess.subject,
	    is_manager(st->r), &st->told);

	return reviews_step_audit(st->r, rc, "complaint.answer", "complaint", st->id,
	    st->told ? "sms" : "no phone");
}

/* POST …/assign (manager): {"assignee": username of staff of the hall, not disabled}. */
int
h_complaint_assign(struct req *r)
{
	struct change_step st;
	const char *user = NULL;
	char sid[24];
	long long id, staff = 0;
	int rc;

	if ((rc = require_manager_of_hall(r, r->pathv[0])) != 0)
		return rc;
	if ((rc = complaint_id(r, &id)) != 0)
		return rc;
	in_str(r, r->body, "assignee", 1, 1, 32, &user);
	if (in_has_errors(r))
		return req_invalid(r);
	rc = db_scalar(r->ctx, "SELECT id FROM staff WHERE username = ? AND hall = ?"
	    " AND disabled = 0", DBARGS(DBS(user), DBS(r->pathv[0])), sid, sizeof sid);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0 || parse_ll(sid, 1, INT64_MAX, &staff) != 0) {
		req_fail_field(r, "assignee", "不是本中心在岗的工作人员");
		return req_invalid(r);
	}
	st = (struct change_step){ .r = r, .id = id, .staff = staff };
	return reviews_step_run(r, &complaint_record, assign_step, &st, id,
	    "投诉已答复，不能再分派");
}

/* POST …/answer: {"answer"} 5–500 characters, by the assignee or a manager. */
int
h_complaint_answer(struct req *r)
{
	struct change_step st;
	const char *answer = NULL;
	json_t *o = NULL, *cur;
	char me[48];
	long long id;
	int rc;

	if ((rc = require_staff_of_hall(r, r->pathv[0])) != 0)
		return rc;
	if ((rc = complaint_id(r, &id)) != 0)
		return rc;
	in_str(r, r->body, "answer", 1, COMPLAINT_TEXT_MIN, COMPLAINT_TEXT_MAX, &answer);
	/* The answer goes to the citizen by SMS (complaint_answered, cut to fit). */
	if (answer)
		sms_text_field(r, "answer", answer, 1);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = complaint_json(r->ctx, r->pathv[0], id, &o)) < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这个投诉");
	cur = json_object_get(o, "complaint");
	fmt(me, sizeof me, "%lld", (long long)json_integer_value(json_object_get(cur,
	    "assigned_to")));
	rc = strcmp(json_string_value(json_object_get(cur, "status")), "answered") == 0 ? 1 :
	    !is_manager(r) && strcmp(me, r->sess.subject) != 0 ? 2 : 0;
	json_decref(o);
	if (rc == 1)
		return req_err_msg(r, E_INVALID_TRANSITION, "投诉已答复");
	if (rc == 2)
		return req_err_msg(r, E_FORBIDDEN, "这件投诉没有分派给您");
	st = (struct change_step){ .r = r, .id = id, .answer = answer };
	return reviews_step_run(r, &complaint_record, answer_step, &st, id,
	    "投诉已被他人答复或改派，请刷新");
}
