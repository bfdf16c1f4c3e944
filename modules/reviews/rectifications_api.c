/*
 * rectifications_api.c — 差评整改 over HTTP, for the managers of the hall.
 *
 * Routes: GET   /halls/{hall}/rectifications?status=open|closed|overdue|all[&limit=]
 *         PATCH /halls/{hall}/rectifications/{id}          (contact, cause, fix)
 *         POST  /halls/{hall}/rectifications/{id}/close    (the fix, for its 复核)
 *         POST  /halls/{hall}/rectifications/{id}/check    (复核: pass or reject)
 *         GET   /halls/{hall}/rectifications/{id}/contact  (the reviewer's mobile in full,
 *                                                           audited)
 * Tables: through rectifications.c; halls (hall_find); audit_log (audit.c: the changes in
 *         their transaction, review.contact for every look at a mobile)
 * Redis:  none.
 */
#include "handlers.h"
#include "reviews_int.h"
#include "../shared/audit.h"
#include "../hall/catalog.h"
#include "../identity/identity.h"
#include "../notify/notify.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <sodium.h>
#include <string.h>

/* The hall of the path, which the caller must manage, and the task id: 0 or the reply. */
static int
task_args(struct req *r, long long *id)
{
	int rc;

	if ((rc = require_manager_of_hall(r, r->pathv[0])) != 0)
		return rc;
	if (parse_ll(r->pathv[1], 1, INT64_MAX, id) != 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这个整改任务");
	return 0;
}

/* "fixed_by_me": the caller recorded the fix, so another manager must check it (the
 * dashboard says so instead of offering 复核). */
static void
mark_fixer(const struct req *r, json_t *t)
{
	const char *f = json_string_value(json_object_get(t, "fixed_by"));

	json_object_set_new(t, "fixed_by_me", json_boolean(f != NULL &&
	    strcmp(f, r->sess.subject) == 0));
}

static const struct reviews_record task_record = {
	rect_json, "rectification", mark_fixer, "没有这个整改任务", "rectifications"
};

/*
 * GET /halls/{hall}/rectifications/{id}/contact (manager): the reviewer's mobile in full,
 * to call them back.  Every look is audited (review.contact); the number is not logged.
 */
int
h_rectification_contact(struct req *r)
{
	char phone[32], target[32], review[24], detail[64];
	long long id;
	int rc, found;

	if ((rc = task_args(r, &id)) != 0)
		return rc;
	if ((rc = rect_phone(r->ctx, r->pathv[0], id, phone)) == E_NOT_FOUND)
		return req_err_msg(r, rc, "没有这个整改任务");
	if (rc < 0)
		return db_fail(r, rc);
	fmt(target, sizeof target, "rectification:%lld", id);
	found = rc;
	if ((rc = db_scalar(r->ctx, "SELECT review_id FROM review_rectifications WHERE id = ?",
	    DBARGS(DBI(id)), review, sizeof review)) < 0) {
		sodium_memzero(phone, sizeof phone);
		return db_fail(r, rc);
	}
	fmt(detail, sizeof detail, "review:%s %s", review, found == 1 ? "phone" : "none");
	audit(r, "review.contact", target, "ok", detail);
	rc = found;
	rc = req_ok(r, 200, json_pack("{s:s?}", "phone", rc == 1 ? phone : NULL));
	sodium_memzero(phone, sizeof phone);
	return rc;
}

int
h_rectifications_list(struct req *r)
{
	static const char *const statuses[] = { "open", "closed", "overdue", "all", "checking",
	    NULL };
	const char *hall = r->pathv[0];
	json_t *tasks;
	long long limit;
	int rc, k;

	if ((rc = require_manager_of_hall(r, hall)) != 0)
		return rc;
	if ((rc = reviews_list_query(r, statuses, "取值为 open、checking、closed、overdue 或 all",
	    &k, &limit)) != 0)
		return rc;
	tasks = json_array();
	rc = rect_list(r->ctx, hall, (enum rect_filter)k, limit, tasks);
	return reviews_list_reply(r, &task_record, rc, tasks);
}

struct rect_step {
	struct req		*r;
	long long		 id;
	const struct rect_record *u;			/* PATCH */
	const char		*cause, *fix;		/* close */
	int			 late;
	int			 pass, told;		/* check */
	const char		*note;
};

static int
record_step(struct ctx *c, void *arg)
{
	struct rect_step *st = arg;

	return reviews_step_audit(st->r, rect_record(c, st->r->pathv[0], st->id, st->u),
	    "rectification.update", NULL, st->id, "");
}

static int
close_step(struct ctx *c, void *arg)
{
	struct rect_step *st = arg;

	return reviews_step_audit(st->r, rect_fix(c, st->r->pathv[0], st->id, st->cause, st->fix,
	    st->r->sess.subject), "rectification.fix", NULL, st->id, "");
}

static int
check_step(struct ctx *c, void *arg)
{
	struct rect_step *st = arg;
	int rc = rect_check(c, st->r->pathv[0], st->id, st->pass, st->note, st->late,
	    st->r->sess.subject, &st->told);

	return reviews_step_audit(st->r, rc, "rectification.check", NULL, st->id, st->pass ?
	    (st->told ? "pass sms" : "pass") : "reject");
}

/* The task of the path, for a step's checks, into *o: 0, or the reply (404, 503). */
static int
task_load(struct req *r, long long id, json_t **o)
{
	int rc = rect_json(r->ctx, r->pathv[0], id, o);

	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这个整改任务");
	return 0;
}

/* The 409 of a close or a check that another change overtook. */
#define RECT_TAKEN "整改任务已被他人处理，请刷新"

/*
 * PATCH: record the contact with the citizen (contacted: true, contact_note), the cause and
 * the fix, while the task is open.  Guarded by status = 'open'.
 */
int
h_rectification_update(struct req *r)
{
	struct rect_record u;
	struct rect_step st;
	long long id;
	int rc;

	memset(&u, 0, sizeof u);
	if ((rc = task_args(r, &id)) != 0)
		return rc;
	in_bool(r, r->body, "contacted", 0, &u.contacted);
	in_str(r, r->body, "contact_note", 0, 0, RECT_NOTE_MAX, &u.note);
	in_str(r, r->body, "cause", 0, 0, RECT_NOTE_MAX, &u.cause);
	in_str(r, r->body, "fix", 0, 0, RECT_NOTE_MAX, &u.fix);
	/* The fix is what the reviewer is told by SMS once it passes its 复核. */
	if (u.fix)
		sms_text_field(r, "fix", u.fix, 1);
	if (!u.contacted && !u.note && !u.cause && !u.fix)
		req_fail_field(r, "contacted", "请至少填写联系情况、原因或整改措施之一");
	if (in_has_errors(r))
		return req_invalid(r);
	u.actor = r->sess.subject;
	st = (struct rect_step){ .r = r, .id = id, .u = &u };
	return reviews_step_run(r, &task_record, record_step, &st, id,
	    "整改任务已关闭，不能再修改");
}

/* The task t may close with cause and fix (NULL: not given now): 0, or the 409 / 422 reply
 * naming what is missing.  *late: closed today, it is past its deadline. */
static int
close_check(struct req *r, json_t *t, const char *cause, const char *fix, int *late)
{
	char today[12];
	unsigned missing;

	if (strcmp(json_string_value(json_object_get(t, "status")), "open") != 0)
		return req_err_msg(r, E_INVALID_TRANSITION,
		    strcmp(json_string_value(json_object_get(t, "status")), "fixed") == 0 ?
		    "整改已提交，等待复核" : "整改任务已关闭");
	missing = rectification_missing(!json_is_null(json_object_get(t, "contacted_at")),
	    cause != NULL || json_string_length(json_object_get(t, "cause")) > 0,
	    fix != NULL || json_string_length(json_object_get(t, "fix")) > 0);
	if (missing & RECT_NEEDS_CONTACT)
		req_fail_field(r, "contacted", "请先联系评价人并记录联系情况");
	if (missing & RECT_NEEDS_CAUSE)
		req_fail_field(r, "cause", "请填写差评原因");
	if (missing & RECT_NEEDS_FIX)
		req_fail_field(r, "fix", "请填写整改措施");
	if (missing)
		return req_err(r, E_RECTIFICATION_INCOMPLETE);
	date_format_t(hall_now(), today, sizeof today);
	*late = rectification_late(json_string_value(json_object_get(t, "deadline")), today);
	return 0;
}

/*
 * POST …/close: the citizen was contacted and the cause and the fix are recorded (given
 * here or before) → fixed: the fix waits for its 复核 by another manager (…/check) before
 * the task counts as closed.
 */
int
h_rectification_close(struct req *r)
{
	const char *cause = NULL, *fix = NULL;
	struct rect_step st;
	json_t *o = NULL;
	long long id;
	int rc, late = 0;

	if ((rc = task_args(r, &id)) != 0)
		return rc;
	in_str(r, r->body, "cause", 0, 1, RECT_NOTE_MAX, &cause);
	in_str(r, r->body, "fix", 0, 1, RECT_NOTE_MAX, &fix);
	if (fix)
		sms_text_field(r, "fix", fix, 1);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = task_load(r, id, &o)) != 0)
		return rc;
	rc = close_check(r, json_object_get(o, "rectification"), cause, fix, &late);
	json_decref(o);
	if (rc != 0)
		return rc;
	st = (struct rect_step){ .r = r, .id = id, .cause = cause, .fix = fix };
	return reviews_step_run(r, &task_record, close_step, &st, id, RECT_TAKEN);
}

/*
 * POST …/check (复核): {"result":"pass"|"reject","note"} by a manager or admin of the hall
 * who did not record the fix (403 otherwise: 四眼原则).  pass → closed (late when after the
 * deadline) and the reviewer is told the outcome by SMS; reject → open again, the note
 * (required then) saying what is still wrong.
 */
int
h_rectification_check(struct req *r)
{
	static const char *const results[] = { "pass", "reject", NULL };
	const char *note = NULL, *fixer;
	struct rect_step st;
	json_t *o = NULL, *t;
	char today[12];
	long long id;
	int rc, res = 0, late;

	if ((rc = task_args(r, &id)) != 0)
		return rc;
	in_enum(r, r->body, "result", 1, results, &res);
	in_str(r, r->body, "note", 0, 0, RECT_NOTE_MAX, &note);
	if (res == 1 && (note == NULL || note[0] == '\0'))
		req_fail_field(r, "note", "退回时请写明需要重新整改的地方");
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = task_load(r, id, &o)) != 0)
		return rc;
	t = json_object_get(o, "rectification");
	if (strcmp(json_string_value(json_object_get(t, "status")), "fixed") != 0) {
		rc = strcmp(json_string_value(json_object_get(t, "status")), "open") == 0;
		json_decref(o);
		return req_err_msg(r, E_INVALID_TRANSITION, rc ? "整改尚未提交，不能复核" :
		    "整改任务已关闭");
	}
	fixer = json_string_value(json_object_get(t, "fixed_by"));
	if (!rectification_may_check(fixer, r->sess.subject)) {
		json_decref(o);
		return req_err_msg(r, E_FORBIDDEN, "整改由您提交，须由另一位负责人复核");
	}
	date_format_t(hall_now(), today, sizeof today);
	late = rectification_late(json_string_value(json_object_get(t, "deadline")), today);
	json_decref(o);
	st = (struct rect_step){ .r = r, .id = id, .late = late, .pass = res == 0, .note = note };
	return reviews_step_run(r, &task_record, check_step, &st, id, RECT_TAKEN);
}
