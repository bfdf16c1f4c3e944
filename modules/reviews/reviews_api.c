/*
 * reviews_api.c — 好差评 over HTTP: the token holder gives a review, or asks for the one given.
 *
 * Routes: POST /reviews                 (the token holder: {"ticket"|"case", "score", …})
 *         GET  /reviews?ticket=|case=   (the token holder: the review given, or whether one
 *                                        may be)
 * Tables: through reviews.c; audit_log (audit.c, review.create in the review's transaction)
 * Redis:  none.
 */
#include "handlers.h"
#include "reviews_int.h"
#include "../shared/audit.h"
#include "../hall/catalog.h"
#include "../cases/cases.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <string.h>

/* The ticket or case token of the body or query (one of them, well formed), or a field
 * error.  *is_case says which. */
static const char *
token_check(struct req *r, const char *ticket, const char *kase, int given, int *is_case)
{
	const char *token = ticket ? ticket : kase;

	if (!given)
		req_fail_field(r, "ticket", "须给出 ticket 或 case 之一");
	if (ticket && kase)
		req_fail_field(r, "case", "ticket 与 case 只能给出一个");
	if (token != NULL && !token_ok(token, CASE_TOKEN_MAX))
		req_fail_field(r, ticket ? "ticket" : "case", "格式不正确");
	*is_case = kase != NULL;
	return token;
}

/* 1 when s has a character other than spaces (ASCII or the ideographic U+3000). */
static int
text_given(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL)
		return 0;
	while (*p) {
		if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
			p += 3;
		else if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		else
			return 1;
	}
	return 0;
}

/* indicators: {"attitude": 1–5, …}, each named one of review_indicators. */
static void
indicators_parse(struct req *r, struct review_in *in)
{
	json_t *ind = json_object_get(r->body, "indicators"), *v;
	const char *k;

	if (ind == NULL || json_is_null(ind))
		return;
	if (!json_is_object(ind)) {
		req_fail_field(r, "indicators", "须为对象");
		return;
	}
	json_object_foreach(ind, k, v) {
		char fname[176];	/* "indicators." and up to 40 characters */
		int i = review_indicator(k);

		fmt(fname, sizeof fname, "indicators.%.*s",
		    (int)utf8_cut(k, strlen(k), 40, SIZE_MAX), k);
		if (i < 0)
			req_fail_field(r, fname, "没有这个评价指标");
		else if (!json_is_integer(v) || json_integer_value(v) < REVIEW_SCORE_MIN ||
		    json_integer_value(v) > REVIEW_SCORE_MAX)
			req_fail_field(r, fname, "须为 1 到 5 的整数");
		else
			in->ind[i] = json_integer_value(v);
	}
}

/* The subject of a token, or the 404 reply (*s unset) / 503. */
static int
subject_or_reply(struct req *r, int is_case, const char *token, struct review_subject *s)
{
	int rc = review_subject_find(r->ctx, is_case, token, s);

	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_NOT_FOUND, is_case ? "没有找到这个办件" : "没有找到这个排队号");
	return 0;
}

struct review_step {
	struct req			*r;
	const struct review_subject	*s;
	const struct review_in		*in;
	const char			*deadline;
	int				 missing;
	long long			 review_id, task_id;
};

/* The review's transaction: its rows, then its audit row. */
static int
review_step(struct ctx *c, void *arg)
{
	struct review_step *st = arg;
	int rc = review_write(c, st->s, st->in, st->deadline, st->missing, &st->review_id,
	    &st->task_id);

	if (rc == 0)
		audit(st->r, "review.create", st->s->ref, "ok",
		    review_opens_task(st->in->score) ? "bad" : "");
	return rc;
}

int
h_review_post(struct req *r)
{
	static const char *const channels[] = { "phone", "tablet", "window", NULL };
	struct review_in in;
	struct review_subject s;
	struct review_step st;
	const char *ticket = NULL, *kase = NULL, *token;
	char deadline[12] = "";
	json_t *rv;
	int rc, ch = 0, missing = 0, is_case;

	memset(&in, 0, sizeof in);
	in_str(r, r->body, "ticket", 0, 8, 64, &ticket);
	in_str(r, r->body, "case", 0, 16, CASE_TOKEN_MAX, &kase);
	in_int(r, r->body, "score", 1, REVIEW_SCORE_MIN, REVIEW_SCORE_MAX, &in.score);
	in_str(r, r->body, "comment", 0, 0, REVIEW_COMMENT_MAX, &in.comment);
	if (in_enum(r, r->body, "channel", 0, channels, &ch) == 0 &&
	    json_object_get(r->body, "channel") != NULL)
		in.channel = channels[ch];
	token = token_check(r, ticket, kase, ticket || kase ||
	    json_object_get(r->body, "ticket") || json_object_get(r->body, "case"), &is_case);
	indicators_parse(r, &in);
	/* A 差评 says why: the manager who calls back needs something to act on. */
	if (review_needs_comment(in.score) && !text_given(in.comment))
		req_fail_field(r, "comment", "评价为“不满意”或“非常不满意”时，请写下原因");
	if (in_has_errors(r))
		return req_invalid(r);

	if ((rc = subject_or_reply(r, is_case, token, &s)) != 0)
		return rc;
	if (!review_reviewable(s.is_case, s.status, s.outcome))
		return req_err_msg(r, E_NOT_REVIEWABLE, s.is_case ? "办件办结后才能评价" :
		    "业务办理完成后才能评价");
	if (review_opens_task(in.score) &&
	    (rc = review_task_deadline(r->ctx, s.hall, deadline, &missing)) != 0)
		return db_fail(r, rc);
	st = (struct review_step){ r, &s, &in, deadline, missing, 0, 0 };
	rc = db_tx(r->ctx, review_step, &st);
	if (rc == DB_DUP)
		return req_err_msg(r, E_ALREADY_REVIEWED, s.is_case ?
		    "这个办件已经评价过了，感谢您的反馈" : "本次办理已经评价过了，感谢您的反馈");
	if (rc != 0)
		return db_fail(r, rc);

	rv = json_pack("{s:s,s:s,s:I,s:b}", "kind", s.is_case ? "case" : "ticket", "ref", s.ref,
	    "score", in.score, "rectification", st.task_id > 0);
	if (st.task_id > 0)
		json_object_set_new(rv, "rectification_deadline",
		    deadline[0] ? json_string(deadline) : json_null());
	return req_ok(r, 201, json_pack("{s:o}", "review", rv));
}

/*
 * The review given for a visit or case, for the token holder: the review page shows it
 * instead of a form that could only fail, and the ticket and tracking pages say 已评价
 * instead of 去评价.  `reviewable`: a review may be posted now.
 */
int
h_review_get(struct req *r)
{
	const char *ticket = NULL, *kase = NULL, *token;
	struct review_subject s;
	json_t *row, *out;
	int rc, is_case;

	q_str(r, "ticket", 0, 64, &ticket);
	q_str(r, "case", 0, CASE_TOKEN_MAX, &kase);
	token = token_check(r, ticket, kase, ticket || kase, &is_case);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = subject_or_reply(r, is_case, token, &s)) != 0)
		return rc;
	if ((rc = review_given(r->ctx, &s, &row)) != 0)
		return db_fail(r, rc);
	out = json_pack("{s:s,s:s,s:b}", "kind", s.is_case ? "case" : "ticket", "ref", s.ref,
	    "reviewable", row == NULL && review_reviewable(s.is_case, s.status, s.outcome));
	json_object_set_new(out, "review", row ? row : json_null());
	return req_ok(r, 200, out);
}

int
reviews_step_audit(struct req *r, int rc, const char *action, const char *kind, long long id,
    const char *detail)
{
	char target[48];

	if (rc == 0) {
		if (kind)
			fmt(target, sizeof target, "%s:%lld", kind, id);
		else
			fmt(target, sizeof target, "%lld", id);
		audit(r, action, target, "ok", detail);
	}
	return rc;
}

static int
step_fail(struct req *r, int rc, const char *missing, const char *conflict)
{
	if (rc == E_NOT_FOUND)
		return req_err_msg(r, rc, missing);
	if (rc == E_INVALID_TRANSITION)
		return req_err_msg(r, rc, conflict);
	return db_fail(r, rc);
}

int
reviews_record_reply(struct req *r, const struct reviews_record *k, long long id)
{
	json_t *o = NULL;
	int rc = k->load(r->ctx, r->pathv[0], id, &o);

	if (rc <= 0)
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "the record changed vanished");
	k->mark(r, json_object_get(o, k->member));
	return req_ok(r, 200, o);
}

int
reviews_step_run(struct req *r, const struct reviews_record *k,
    int (*fn)(struct ctx *, void *), void *st, long long id, const char *conflict)
{
	int rc = db_tx(r->ctx, fn, st);

	return rc != 0 ? step_fail(r, rc, k->missing, conflict) : reviews_record_reply(r, k, id);
}

int
reviews_list_query(struct req *r, const char *const *statuses, const char *words, int *k,
    long long *limit)
{
	*k = 0;
	*limit = 100;
	q_enum(r, "status", statuses, words, k);
	q_int(r, "limit", 0, 1, 500, limit);
	if (in_has_errors(r))
		return req_invalid(r);
	return hall_find(r, r->pathv[0]);
}

int
reviews_list_reply(struct req *r, const struct reviews_record *kind, int rc, json_t *list)
{
	size_t i;
	json_t *o;

	if (rc != 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	json_array_foreach(list, i, o)
		kind->mark(r, o);
	return req_ok(r, 200, json_pack("{s:o}", kind->list, list));
}
