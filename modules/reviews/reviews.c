/*
 * reviews.c — 好差评: a review of a visit (一次一评) or of a case (一事一评), and the
 * rectification (差评整改) every bad review opens for the hall's managers.
 *
 * Routes: POST /reviews                                       (the token holder)
 *         GET  /reviews?ticket=|case=                         (the token holder: the review
 *                                                              given, or whether one may be)
 *         GET  /halls/{hall}/rectifications?status=open|closed|overdue|all   (manager)
 *         PATCH /halls/{hall}/rectifications/{id}             (manager: contact, cause, fix)
 *         POST /halls/{hall}/rectifications/{id}/close        (manager)
 *         GET  /halls/{hall}/rectifications/{id}/contact      (manager: the reviewer's
 *                                                              mobile in full, audited)
 * Tables: reviews, review_rectifications, review_rectification_history, queue_tickets,
 *         citizens (a remote ticket's account phone), case_tracking, cases, hall_alerts (a missing holiday year), calendar_* (through
 *         calendar.c), audit_log (audit.c)
 * Redis:  none.
 *
 * The token is the credential: the ticket's token (/q/<token>) or the case's tracking token
 * (/t/<token>).  A ticket can be reviewed once it is done (served: outcome done), a case once
 * it is closed; the unique keys uk_reviews_ticket / uk_reviews_case make a second review a
 * 409 ALREADY_REVIEWED however two requests race.  A score of 1 or 2 opens the task in the
 * same transaction, its deadline review_rectify_days working days after today; when that
 * runs into a year whose holiday notice is not loaded the deadline stays NULL (never a
 * guess) and the hall gets a calendar:<year> alert.
 */
#include "handlers.h"
#include "reviews.h"
#include "../shared/audit.h"
#include "../hall/calendar.h"
#include "../cases/cases.h"
#include "../hall/catalog.h"
#include "../identity/identity.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define COMMENT_MAX 500
#define NOTE_MAX    500

static const char *const indicator_names[] = {
	"attitude", "efficiency", "competence", "convenience", "transparency"
};
#define NINDICATORS (sizeof indicator_names / sizeof indicator_names[0])

int
review_rectify_days(void)
{
	return (int)config_int("review_rectify_days", 5, 1, 60);
}

/* What a review is about, as found by its token. */
struct subject {
	int		 is_case;
	long long	 id;
	char		 hall[32];
	char		 ref[48];
	char		 status[24];
	char		 outcome[12];
	char		 category[4];
	char		 window[8];
	char		 clerk[48];
};

static int
subject_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct subject *s = arg;

	(void)lens;
	if (ncol < 8 || v[0] == NULL || parse_ll(v[0], 1, INT64_MAX, &s->id) != 0)
		return 1;
	str_copy(s->hall, sizeof s->hall, v[1] ? v[1] : "");
	str_copy(s->ref, sizeof s->ref, v[2] ? v[2] : "");
	str_copy(s->status, sizeof s->status, v[3] ? v[3] : "");
	str_copy(s->outcome, sizeof s->outcome, v[4] ? v[4] : "");
	str_copy(s->category, sizeof s->category, v[5] ? v[5] : "");
	str_copy(s->window, sizeof s->window, v[6] ? v[6] : "");
	str_copy(s->clerk, sizeof s->clerk, v[7] ? v[7] : "");
	return 0;
}

/* 1 found, 0 not, or a DB_* code. */
static int
subject_find(struct ctx *c, int is_case, const char *token, struct subject *s)
{
	char hash[65];
	int rc;

	memset(s, 0, sizeof *s);
	s->is_case = is_case;
	if (!is_case)
		rc = db_query(c, "SELECT id, hall, number, status, outcome, category, window_no, clerk"
		    " FROM queue_tickets WHERE token = ?", DBARGS(DBS(token)), subject_row, s);
	else {
		case_token_hash(token, hash);
		rc = db_query(c, "SELECT c.id, c.hall, c.no, c.status, NULL, NULL, c.window_no, NULL"
		    " FROM case_tracking t JOIN cases c ON c.id = t.case_id"
		    " WHERE t.token_hash = ? AND t.revoked_at IS NULL", DBARGS(DBS(hash)),
		    subject_row, s);
	}
	if (rc < 0)
		return rc;
	return s->id > 0 ? 1 : 0;
}

struct review_in {
	const char	*comment;
	const char	*channel;
	long long	 score;
	long long	 ind[NINDICATORS];	/* 0: not given */
};

static struct dbv
ind_arg(long long v)
{
	return v > 0 ? DBI(v) : DBN;
}

/* Raise (or reopen) the hall's alert for a holiday year that is not loaded. */
static int
alert_calendar(struct ctx *c, const char *hall, int year, const char *now)
{
	char key[32], msg[300];

	fmt(key, sizeof key, "calendar:%d", year);
	fmt(msg, sizeof msg, "%d 年节假日安排尚未导入：差评整改期限无法计算（暂不设期限）。"
	    "请尽快导入国务院办公厅 %d 年节假日安排。", year, year);
	return db_exec(c, "INSERT INTO hall_alerts (hall, akey, level, message, raised_at)"
	    " VALUES (?, ?, 'critical', ?, ?) ON DUPLICATE KEY UPDATE level = 'critical',"
	    " raised_at = IF(cleared_at IS NULL, raised_at, VALUES(raised_at)), cleared_at = NULL",
	    DBARGS(DBS(hall), DBS(key), DBS(msg), DBS(now)), NULL, NULL);
}

/*
 * One transaction: the review, and for a bad one its task and the task's first history
 * row (and the calendar alert when the deadline cannot be known).  0 or a DB_* code.
 */
static int
review_tx(struct req *r, const struct subject *s, const struct review_in *in,
    const char *deadline, int missing_year, long long *review_id, long long *task_id)
{
	char now[24], today[12];
	uint64_t id = 0;
	int rc;

	sql_now(now, sizeof now);
	date_format_t(hall_now(), today, sizeof today);
	*task_id = 0;
	if ((rc = db_begin(r->ctx)) != 0)
		return rc;
	rc = db_exec(r->ctx, "INSERT INTO reviews (hall, kind, ticket_id, case_id, ref, day, score,"
	    " attitude, efficiency, competence, convenience, transparency, comment, category,"
	    " window_no, clerk, channel, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    DBARGS(DBS(s->hall), DBS(s->is_case ? "case" : "ticket"),
	    s->is_case ? DBN : DBI(s->id), s->is_case ? DBI(s->id) : DBN, DBS(s->ref),
	    DBS(today), DBI(in->score), ind_arg(in->ind[0]), ind_arg(in->ind[1]),
	    ind_arg(in->ind[2]), ind_arg(in->ind[3]), ind_arg(in->ind[4]),
	    DBS(in->comment ? in->comment : ""), DBSO(s->category[0] ? s->category : NULL),
	    DBSO(s->window[0] ? s->window : NULL), DBSO(s->clerk[0] ? s->clerk : NULL),
	    DBS(in->channel ? in->channel : "phone"), DBS(now)), NULL, &id);
	if (rc != 0)
		goto fail;
	*review_id = (long long)id;
	if (in->score <= 2) {
		rc = db_exec(r->ctx, "INSERT INTO review_rectifications (review_id, hall, day, status,"
		    " deadline, opened_at, updated_at) VALUES (?, ?, ?, 'open', ?, ?, ?)",
		    DBARGS(DBI(*review_id), DBS(s->hall), DBS(today), DBSO(deadline), DBS(now),
		    DBS(now)), NULL, &id);
		if (rc != 0)
			goto fail;
		*task_id = (long long)id;
		rc = db_exec(r->ctx, "INSERT INTO review_rectification_history (task_id, at, action,"
		    " actor, note) VALUES (?, ?, 'open', '', ?)",
		    DBARGS(DBI(*task_id), DBS(now), DBS(deadline ? "" : "节假日安排未导入，暂无期限")),
		    NULL, NULL);
		if (rc != 0)
			goto fail;
		if (missing_year && (rc = alert_calendar(r->ctx, s->hall, missing_year, now)) != 0)
			goto fail;
	}
	audit(r, "review.create", s->ref, "ok", in->score <= 2 ? "bad" : "");
	if ((rc = db_commit(r->ctx)) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(r->ctx);
	return rc;
}

int
h_review_post(struct req *r)
{
	static const char *const channels[] = { "phone", "tablet", "window", NULL };
	struct review_in in;
	struct subject s;
	const char *ticket = NULL, *kase = NULL, *token;
	char deadline[12] = "";
	json_t *ind, *body, *rv;
	int64_t dl;
	long long review_id = 0, task_id = 0;
	int rc, ch = 0, missing = 0, tries;
	size_t i;

	memset(&in, 0, sizeof in);
	in_str(r, r->body, "ticket", 0, 8, 64, &ticket);
	in_str(r, r->body, "case", 0, 16, CASE_TOKEN_MAX, &kase);
	in_int(r, r->body, "score", 1, 1, 5, &in.score);
	in_str(r, r->body, "comment", 0, 0, COMMENT_MAX, &in.comment);
	if (in_enum(r, r->body, "channel", 0, channels, &ch) == 0 &&
	    json_object_get(r->body, "channel") != NULL)
		in.channel = channels[ch];
	if (ticket == NULL && kase == NULL && !json_object_get(r->body, "ticket") &&
	    !json_object_get(r->body, "case"))
		req_fail_field(r, "ticket", "须给出 ticket 或 case 之一");
	if (ticket && kase)
		req_fail_field(r, "case", "ticket 与 case 只能给出一个");
	if ((token = ticket ? ticket : kase) != NULL && !token_ok(token, CASE_TOKEN_MAX))
		req_fail_field(r, ticket ? "ticket" : "case", "格式不正确");
	ind = json_object_get(r->body, "indicators");
	if (ind && !json_is_null(ind)) {
		const char *k;
		json_t *v;

		if (!json_is_object(ind))
			req_fail_field(r, "indicators", "须为对象");
		else
			json_object_foreach(ind, k, v) {
				char fname[176];	/* "indicators." and up to 40 characters */
				int known = 0;

				fmt(fname, sizeof fname, "indicators.%.*s",
				    (int)utf8_cut(k, strlen(k), 40, SIZE_MAX), k);
				for (i = 0; i < NINDICATORS; i++)
					if (strcmp(k, indicator_names[i]) == 0) {
						known = 1;
						if (!json_is_integer(v) || json_integer_value(v) < 1 ||
						    json_integer_value(v) > 5)
							req_fail_field(r, fname, "须为 1 到 5 的整数");
						else
							in.ind[i] = json_integer_value(v);
					}
				if (!known)
					req_fail_field(r, fname, "没有这个评价指标");
			}
	}
	if (in_has_errors(r))
		return req_invalid(r);

	rc = subject_find(r->ctx, kase != NULL, token, &s);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail(r, 404, "NOT_FOUND", kase ? "没有找到这个办件" : "没有找到这个排队号");
	if (!s.is_case && (strcmp(s.status, "done") != 0 || strcmp(s.outcome, "done") != 0))
		return req_fail(r, 422, "NOT_REVIEWABLE", "业务办理完成后才能评价");
	if (s.is_case && strcmp(s.status, "closed") != 0)
		return req_fail(r, 422, "NOT_REVIEWABLE", "办件办结后才能评价");

	if (in.score <= 2) {
		rc = calendar_add_workdays(r->ctx, hall_day(hall_now()), review_rectify_days(), &dl,
		    &missing);
		if (rc == CAL_OK)
			date_format_days(dl, deadline, sizeof deadline);
		else if (rc == CAL_MISSING)
			log_warn("hall %s: rectification deadline reaches %d, not loaded", s.hall,
			    missing);
		else
			return db_fail(r, rc);
	}
	for (tries = 0; tries < 3; tries++)
		if ((rc = review_tx(r, &s, &in, deadline[0] ? deadline : NULL,
		    deadline[0] ? 0 : missing, &review_id, &task_id)) != DB_RETRY)
			break;
	if (rc == DB_DUP)
		return req_fail(r, 409, "ALREADY_REVIEWED",
		    s.is_case ? "这个办件已经评价过了，感谢您的反馈" : "本次办理已经评价过了，感谢您的反馈");
	if (rc != 0)
		return db_fail(r, rc);

	rv = json_pack("{s:s,s:s,s:I,s:b}", "kind", s.is_case ? "case" : "ticket", "ref", s.ref,
	    "score", in.score, "rectification", task_id > 0);
	if (task_id > 0)
		json_object_set_new(rv, "rectification_deadline",
		    deadline[0] ? json_string(deadline) : json_null());
	body = json_object();
	json_object_set_new(body, "review", rv);
	return req_ok(r, 201, body);
}

/*
 * The review given for a visit or case, for the token holder: the review page shows it
 * instead of a form that could only fail, and the ticket and tracking pages say 已评价
 * instead of 去评价.  `reviewable`: a review may be posted now.
 */
int
h_review_get(struct req *r)
{
	static const char *const cols[] = { "score", "attitude", "efficiency", "competence",
	    "convenience", "transparency", "comment", "channel", "created_at", "task_status",
	    "deadline", "contacted_at" };
	static const char *const labels[] = { "", "非常不满意", "不满意", "基本满意", "满意",
	    "非常满意" };
	const char *ticket = NULL, *kase = NULL, *token;
	struct subject s;
	json_t *rows, *row, *out, *ind;
	size_t i;
	long long score;
	int rc, reviewable;

	q_str(r, "ticket", 0, 64, &ticket);
	q_str(r, "case", 0, CASE_TOKEN_MAX, &kase);
	if (ticket == NULL && kase == NULL)
		req_fail_field(r, "ticket", "须给出 ticket 或 case 之一");
	if (ticket && kase)
		req_fail_field(r, "case", "ticket 与 case 只能给出一个");
	if ((token = ticket ? ticket : kase) != NULL && !token_ok(token, CASE_TOKEN_MAX))
		req_fail_field(r, ticket ? "ticket" : "case", "格式不正确");
	if (in_has_errors(r))
		return req_invalid(r);
	rc = subject_find(r->ctx, kase != NULL, token, &s);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail(r, 404, "NOT_FOUND", kase ? "没有找到这个办件" : "没有找到这个排队号");
	rows = json_array();
	rc = db_rows_json(r->ctx,
	    "SELECT v.score, v.attitude, v.efficiency, v.competence, v.convenience, v.transparency,"
	    " v.comment, v.channel, DATE_FORMAT(v.created_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " t.status, DATE_FORMAT(t.deadline, '%Y-%m-%d'),"
	    " DATE_FORMAT(t.contacted_at, '%Y-%m-%dT%H:%i:%s+08:00')"
	    " FROM reviews v LEFT JOIN review_rectifications t ON t.review_id = v.id"
	    " WHERE (? = 1 AND v.case_id = ?) OR (? = 0 AND v.ticket_id = ?)",
	    DBARGS(DBI(s.is_case), DBI(s.id), DBI(s.is_case), DBI(s.id)), cols, "iIIIIIsssSSS",
	    rows);
	if (rc < 0) {
		json_decref(rows);
		return db_fail(r, rc);
	}
	row = json_array_get(rows, 0);
	reviewable = row == NULL && (s.is_case ? strcmp(s.status, "closed") == 0 :
	    strcmp(s.status, "done") == 0 && strcmp(s.outcome, "done") == 0);
	out = json_pack("{s:s,s:s,s:b}", "kind", s.is_case ? "case" : "ticket", "ref", s.ref,
	    "reviewable", reviewable);
	if (row == NULL) {
		json_object_set_new(out, "review", json_null());
		json_decref(rows);
		return req_ok(r, 200, out);
	}
	score = json_integer_value(json_object_get(row, "score"));
	ind = json_object();
	for (i = 0; i < NINDICATORS; i++) {
		json_t *v = json_object_get(row, indicator_names[i]);

		if (json_is_integer(v))
			json_object_set(ind, indicator_names[i], v);
		json_object_del(row, indicator_names[i]);
	}
	json_object_set_new(row, "indicators", ind);
	json_object_set_new(row, "score_label", json_string(labels[score >= 1 && score <= 5 ?
	    score : 0]));
	json_object_set_new(row, "rectification",
	    json_boolean(!json_is_null(json_object_get(row, "task_status"))));
	if (json_is_null(json_object_get(row, "task_status"))) {
		json_object_del(row, "deadline");
		json_object_del(row, "contacted_at");
	}
	json_object_del(row, "task_status");
	json_object_set(out, "review", row);
	json_decref(rows);
	return req_ok(r, 200, out);
}

/* ---- rectification tasks (manager) ---- */

static const char *const task_cols[] = { "id", "status", "deadline", "overdue", "opened_at",
	"contacted_at", "contact_note", "cause", "fix", "closed_at", "late", "kind", "ref",
	"score", "comment", "window", "clerk_name", "category", "attitude", "efficiency",
	"competence", "convenience", "transparency" };
static const char task_types[] = "isSbsSsssSbssisISSIIIII";

#define TASK_SELECT \
	"SELECT t.id, t.status, DATE_FORMAT(t.deadline, '%Y-%m-%d')," \
	" (t.status = 'open' AND t.deadline IS NOT NULL AND t.deadline < ?)," \
	" DATE_FORMAT(t.opened_at, '%Y-%m-%dT%H:%i:%s+08:00')," \
	" DATE_FORMAT(t.contacted_at, '%Y-%m-%dT%H:%i:%s+08:00'), t.contact_note, t.cause, t.fix," \
	" DATE_FORMAT(t.closed_at, '%Y-%m-%dT%H:%i:%s+08:00'), t.late, v.kind, v.ref, v.score," \
	" v.comment, v.window_no, s.name, v.category, v.attitude, v.efficiency, v.competence," \
	" v.convenience, v.transparency" \
	" FROM review_rectifications t JOIN reviews v ON v.id = t.review_id" \
	" LEFT JOIN staff s ON s.id = v.clerk"

static void
today_str(char out[12])
{
	date_format_t(hall_now(), out, 12);
}

/*
 * The reviewer's mobile, so that the manager can call back about a bad review: the case's
 * applicant; for a visit, the phone given at the kiosk or window for the reminder, else the
 * account of the citizen who took the number on the phone.  Sealed at rest; opened here only
 * to mask it (the list) or to show it to a manager (…/contact, audited).
 */
static int task_id_arg(struct req *, long long *);

struct contact_blobs {
	unsigned char	 b[3][PII_SEALED_MAX];
	size_t		 n[3];
};

static int
contact_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct contact_blobs *cb = arg;
	size_t i;

	for (i = 0; i < ncol && i < 3; i++)
		if (v[i] && lens[i] <= sizeof cb->b[i]) {
			memcpy(cb->b[i], v[i], lens[i]);
			cb->n[i] = lens[i];
		}
	return 1;
}

/* 1 and the phone in out (size 32), 0 none known, or a DB_* code. */
static int
task_phone(struct ctx *c, const char *hall, long long id, char out[32])
{
	struct contact_blobs cb;
	int rc, i, found = 0;

	memset(&cb, 0, sizeof cb);
	out[0] = '\0';
	rc = db_query(c, "SELECT cs.applicant_phone_enc, q.phone_enc, ci.phone_enc"
	    " FROM review_rectifications t JOIN reviews v ON v.id = t.review_id"
	    " LEFT JOIN cases cs ON cs.id = v.case_id"
	    " LEFT JOIN queue_tickets q ON q.id = v.ticket_id"
	    " LEFT JOIN citizens ci ON q.citizen IS NOT NULL AND ci.id = q.citizen"
	    " WHERE t.hall = ? AND t.id = ?", DBARGS(DBS(hall), DBI(id)), contact_row, &cb);
	if (rc < 0)
		return rc;
	for (i = 0; i < 3 && !found; i++)
		if (cb.n[i] > 0 && pii_open(cb.b[i], cb.n[i], out, 32) == 0 && out[0])
			found = 1;
	if (!found)
		out[0] = '\0';
	sodium_memzero(&cb, sizeof cb);
	return found;
}

/* Each task of the list gets "contact_phone": the reviewer's mobile, masked, or null. */
static int
tasks_add_contact(struct req *r, const char *hall, json_t *tasks)
{
	size_t i;
	json_t *t;
	char phone[32], mask[32];
	int rc;

	json_array_foreach(tasks, i, t) {
		long long id = (long long)json_integer_value(json_object_get(t, "id"));

		if ((rc = task_phone(r->ctx, hall, id, phone)) < 0)
			return rc;
		if (rc == 1) {
			mask_phone(phone, mask, sizeof mask);
			json_object_set_new(t, "contact_phone", json_string(mask));
		} else
			json_object_set_new(t, "contact_phone", json_null());
		sodium_memzero(phone, sizeof phone);
	}
	return 0;
}

/*
 * GET /halls/{hall}/rectifications/{id}/contact (manager): the reviewer's mobile in full,
 * to call them back.  Every look is audited (review.contact); the number is not logged.
 */
int
h_rectification_contact(struct req *r)
{
	const char *hall = r->pathv[0];
	char phone[32], target[32];
	long long id;
	int rc;

	if ((rc = require_manager_of_hall(r, hall)) != 0)
		return rc;
	if ((rc = task_id_arg(r, &id)) != 0)
		return rc;
	if ((rc = db_scalar(r->ctx, "SELECT 1 FROM review_rectifications WHERE hall = ? AND id = ?",
	    DBARGS(DBS(hall), DBI(id)), target, sizeof target)) < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个整改任务");
	if ((rc = task_phone(r->ctx, hall, id, phone)) < 0)
		return db_fail(r, rc);
	fmt(target, sizeof target, "rectification:%lld", id);
	audit(r, "review.contact", target, "ok", rc == 1 ? "phone" : "none");
	rc = req_ok(r, 200, json_pack("{s:s?}", "phone", rc == 1 ? phone : NULL));
	sodium_memzero(phone, sizeof phone);
	return rc;
}

int
h_rectifications_list(struct req *r)
{
	static const char *const statuses[] = { "open", "closed", "overdue", "all", NULL };
	const char *hall = r->pathv[0], *st = NULL;
	char today[12];
	json_t *tasks, *o;
	long long limit = 100;
	int rc, k = 0;

	if ((rc = require_manager_of_hall(r, hall)) != 0)
		return rc;
	q_str(r, "status", 0, 8, &st);
	q_int(r, "limit", 0, 1, 500, &limit);
	if (st) {
		for (k = 0; statuses[k] && strcmp(statuses[k], st) != 0; k++)
			;
		if (statuses[k] == NULL)
			req_fail_field(r, "status", "取值为 open、closed、overdue 或 all");
	}
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	today_str(today);
	tasks = json_array();
	if (st == NULL || k == 0)
		rc = db_rows_json(r->ctx, TASK_SELECT " WHERE t.hall = ? AND t.status = 'open'"
		    " ORDER BY t.deadline IS NULL, t.deadline, t.id LIMIT ?",
		    DBARGS(DBS(today), DBS(hall), DBI(limit)), task_cols, task_types, tasks);
	else if (k == 1)
		rc = db_rows_json(r->ctx, TASK_SELECT " WHERE t.hall = ? AND t.status = 'closed'"
		    " ORDER BY t.closed_at DESC, t.id DESC LIMIT ?",
		    DBARGS(DBS(today), DBS(hall), DBI(limit)), task_cols, task_types, tasks);
	else if (k == 2)
		rc = db_rows_json(r->ctx, TASK_SELECT " WHERE t.hall = ? AND t.status = 'open'"
		    " AND t.deadline < ? ORDER BY t.deadline, t.id LIMIT ?",
		    DBARGS(DBS(today), DBS(hall), DBS(today), DBI(limit)), task_cols, task_types,
		    tasks);
	else
		rc = db_rows_json(r->ctx, TASK_SELECT " WHERE t.hall = ? ORDER BY t.id DESC LIMIT ?",
		    DBARGS(DBS(today), DBS(hall), DBI(limit)), task_cols, task_types, tasks);
	if (rc >= 0)
		rc = tasks_add_contact(r, hall, tasks);
	if (rc < 0) {
		json_decref(tasks);
		return db_fail(r, rc);
	}
	o = json_object();
	json_object_set_new(o, "rectifications", tasks);
	return req_ok(r, 200, o);
}

/* The task as the reply shows it.  1 found, 0 not, or a DB_* code. */
static int
task_json(struct req *r, const char *hall, long long id, json_t **out)
{
	char today[12];
	json_t *a = json_array();
	int rc;

	today_str(today);
	rc = db_rows_json(r->ctx, TASK_SELECT " WHERE t.hall = ? AND t.id = ?",
	    DBARGS(DBS(today), DBS(hall), DBI(id)), task_cols, task_types, a);
	if (rc <= 0) {
		json_decref(a);
		return rc;
	}
	*out = json_pack("{s:O}", "rectification", json_array_get(a, 0));
	json_decref(a);
	return 1;
}

static int
task_id_arg(struct req *r, long long *id)
{
	if (parse_ll(r->pathv[1], 1, INT64_MAX, id) != 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个整改任务");
	return 0;
}

/*
 * PATCH: record the contact with the citizen (contacted: true, contact_note), the cause and
 * the fix, while the task is open.  Guarded by status = 'open'.
 */
int
h_rectification_update(struct req *r)
{
	const char *hall = r->pathv[0], *note = NULL, *cause = NULL, *fix = NULL;
	char now[24], detail[64];
	uint64_t n = 0;
	long long id;
	json_t *o = NULL;
	int rc, contacted = 0;

	if ((rc = require_manager_of_hall(r, hall)) != 0)
		return rc;
	if ((rc = task_id_arg(r, &id)) != 0)
		return rc;
	in_bool(r, r->body, "contacted", 0, &contacted);
	in_str(r, r->body, "contact_note", 0, 0, NOTE_MAX, &note);
	in_str(r, r->body, "cause", 0, 0, NOTE_MAX, &cause);
	in_str(r, r->body, "fix", 0, 0, NOTE_MAX, &fix);
	if (!contacted && !note && !cause && !fix)
		req_fail_field(r, "contacted", "请至少填写联系情况、原因或整改措施之一");
	if (in_has_errors(r))
		return req_invalid(r);

	sql_now(now, sizeof now);
	if ((rc = db_begin(r->ctx)) != 0)
		return db_fail(r, rc);
	rc = db_exec(r->ctx, "UPDATE review_rectifications SET"
	    " contacted_at = IF(? OR ? IS NOT NULL, COALESCE(contacted_at, ?), contacted_at),"
	    " contact_note = COALESCE(?, contact_note), cause = COALESCE(?, cause),"
	    " fix = COALESCE(?, fix), version = version + 1, updated_at = ?"
	    " WHERE id = ? AND hall = ? AND status = 'open'",
	    DBARGS(DBI(contacted), DBSO(note), DBS(now), DBSO(note), DBSO(cause), DBSO(fix),
	    DBS(now), DBI(id), DBS(hall)), &n, NULL);
	if (rc == 0 && n == 1) {
		fmt(detail, sizeof detail, "%s%s%s", contacted || note ? "contact " : "",
		    cause ? "cause " : "", fix ? "fix" : "");
		rc = db_exec(r->ctx, "INSERT INTO review_rectification_history (task_id, at, action,"
		    " actor, note) VALUES (?, ?, ?, ?, ?)",
		    DBARGS(DBI(id), DBS(now), DBS(contacted || note ? "contact" : "record"),
		    DBS(r->sess.subject), DBS(detail)), NULL, NULL);
		fmt(detail, sizeof detail, "%lld", id);
		if (rc == 0)
			audit(r, "rectification.update", detail, "ok", "");
	}
	if (rc == 0 && n == 1)
		rc = db_commit(r->ctx);
	if (rc != 0 || n != 1)
		db_rollback(r->ctx);
	if (rc != 0)
		return db_fail(r, rc);
	if (n != 1) {
		rc = task_json(r, hall, id, &o);
		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 0)
			return req_fail(r, 404, "NOT_FOUND", "没有这个整改任务");
		json_decref(o);
		return req_fail(r, 409, "INVALID_TRANSITION", "整改任务已关闭，不能再修改");
	}
	rc = task_json(r, hall, id, &o);
	if (rc <= 0)
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "task vanished");
	return req_ok(r, 200, o);
}

/*
 * POST …/close: the citizen was contacted and the cause and the fix are recorded (given
 * here or before) → closed.  late = closed after the deadline.
 */
int
h_rectification_close(struct req *r)
{
	const char *hall = r->pathv[0], *cause = NULL, *fix = NULL;
	char now[24], today[12], detail[32];
	uint64_t n = 0;
	long long id;
	json_t *o = NULL, *t;
	int rc;

	if ((rc = require_manager_of_hall(r, hall)) != 0)
		return rc;
	if ((rc = task_id_arg(r, &id)) != 0)
		return rc;
	in_str(r, r->body, "cause", 0, 1, NOTE_MAX, &cause);
	in_str(r, r->body, "fix", 0, 1, NOTE_MAX, &fix);
	if (in_has_errors(r))
		return req_invalid(r);

	rc = task_json(r, hall, id, &o);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个整改任务");
	t = json_object_get(o, "rectification");
	if (strcmp(json_string_value(json_object_get(t, "status")), "open") != 0) {
		json_decref(o);
		return req_fail(r, 409, "INVALID_TRANSITION", "整改任务已关闭");
	}
	if (json_is_null(json_object_get(t, "contacted_at")))
		req_fail_field(r, "contacted", "请先联系评价人并记录联系情况");
	if (!cause && json_string_length(json_object_get(t, "cause")) == 0)
		req_fail_field(r, "cause", "请填写差评原因");
	if (!fix && json_string_length(json_object_get(t, "fix")) == 0)
		req_fail_field(r, "fix", "请填写整改措施");
	json_decref(o);
	o = NULL;
	if (in_has_errors(r)) {
		req_fail(r, 422, "RECTIFICATION_INCOMPLETE", "整改记录不完整，不能关闭");
		return 422;
	}

	sql_now(now, sizeof now);
	today_str(today);
	if ((rc = db_begin(r->ctx)) != 0)
		return db_fail(r, rc);
	rc = db_exec(r->ctx, "UPDATE review_rectifications SET status = 'closed',"
	    " cause = COALESCE(?, cause), fix = COALESCE(?, fix), closed_at = ?, closed_by = ?,"
	    " late = (deadline IS NOT NULL AND deadline < ?), version = version + 1, updated_at = ?"
	    " WHERE id = ? AND hall = ? AND status = 'open' AND contacted_at IS NOT NULL",
	    DBARGS(DBSO(cause), DBSO(fix), DBS(now), DBS(r->sess.subject), DBS(today), DBS(now),
	    DBI(id), DBS(hall)), &n, NULL);
	if (rc == 0 && n == 1)
		rc = db_exec(r->ctx, "INSERT INTO review_rectification_history (task_id, at, action,"
		    " actor, note) VALUES (?, ?, 'close', ?, '')",
		    DBARGS(DBI(id), DBS(now), DBS(r->sess.subject)), NULL, NULL);
	if (rc == 0 && n == 1) {
		fmt(detail, sizeof detail, "%lld", id);
		audit(r, "rectification.close", detail, "ok", "");
		rc = db_commit(r->ctx);
	}
	if (rc != 0 || n != 1)
		db_rollback(r->ctx);
	if (rc != 0)
		return db_fail(r, rc);
	if (n != 1)
		return req_fail(r, 409, "INVALID_TRANSITION", "整改任务已被他人处理，请刷新");
	rc = task_json(r, hall, id, &o);
	if (rc <= 0)
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "task vanished");
	return req_ok(r, 200, o);
}
