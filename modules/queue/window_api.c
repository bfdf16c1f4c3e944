/*
 * window_api.c — the window routes: the clerk's console and its actions (叫号).
 *
 * Routes: GET  /windows/{window}                                    clerk (extension)
 *         POST /windows/{window}/call-next|recall|skip|start|transfer|finish   clerk
 *         all → window.c; the clerk acts only at the window signed in to.  At a consult
 *         window (咨询导办) finish carries the consultation record (consult/consult.h),
 *         written in the finishing transaction.
 * Tables and Redis: through window.c; consult_records through consult.h.
 */
#include "handlers.h"
#include "queue_int.h"
#include "../consult/consult.h"
#include "../hall/catalog.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#include <string.h>

/* The window of the path, for a clerk signed in at it.  0 or the status replied. */
static int
win_begin(struct req *r, struct q_window *w)
{
	const char *why = NULL;
	long long n;
	int rc;

	if (parse_ll(r->pathv[0], 1, 65535, &n) != 0)
		return req_err_msg(r, E_NOT_FOUND, Q_NO_WINDOW);
	if (r->sess.window != n)
		return req_err_msg(r, E_FORBIDDEN, "只能在您签到的窗口操作");
	if ((rc = q_window_load(r->ctx, r->sess.hall, (int)n, w, &why)) != 0)
		return q_fail(r, rc, why, NULL);
	return 0;
}

/* Reload the ticket (after a change) and reply with it. */
static int
win_reply_token(struct req *r, struct q_window *w, const char *token)
{
	struct q_ticket t;
	int rc;

	memset(&t, 0, sizeof t);
	rc = db_query(r->ctx, T_COLS "WHERE token = ?", DBARGS(DBS(token)), q_ticket_row, &t);
	if (rc < 0)
		return db_fail(r, rc);
	if (!t.found)
		return req_bug(r, "ticket vanished");
	return q_reply_ticket(r, &w->h, &t);
}

int
h_window_call_next(struct req *r)
{
	struct q_window w;
	struct q_actor who;
	const char *why = NULL;
	char token[40];
	int rc;

	if ((rc = win_begin(r, &w)) != 0)
		return rc;
	q_actor_of(r, &who);
	if ((rc = q_window_call_next(r->ctx, &who, &w, token, sizeof token, &why)) != 0)
		return q_fail(r, rc, why, NULL);
	if (token[0] == '\0')
		return req_ok(r, 204, NULL);
	return win_reply_token(r, &w, token);
}

/* The consultation record of a finish at a consult window, written in its transaction. */
struct finish_consult {
	struct req	*r;
	struct consult_in ci;
	int		 given;		/* "consult" was in the body */
	int		 window;
};

static int
finish_consult_tx(struct ctx *c, void *arg, const struct q_ticket *t)
{
	struct finish_consult *f = arg;

	(void)c;
	return consult_record_tx(f->r, t->hall, t->id, t->number, f->window, &f->ci);
}

/* At a consult window 办结 carries the record; elsewhere, and with 未到, there is none. */
static int
win_consult(struct req *r, struct q_window *w, struct q_act_in *in, struct finish_consult *f)
{
	int rc;

	if (in->act != Q_ACT_FINISH)
		return 0;
	if (f->given && (!w->w->consult || !in->outcome_done)) {
		req_fail_field(r, "consult", w->w->consult ? "未到的号码没有咨询记录" :
		    "只有咨询导办窗口记录咨询");
		return req_invalid(r);
	}
	if (!f->given && w->w->consult && in->outcome_done) {
		req_fail_field(r, "consult", "咨询导办窗口办结时须填写咨询记录（问题和答复）");
		return req_invalid(r);
	}
	if (!f->given)
		return 0;
	f->window = w->number;
	if ((rc = consult_check(r, w->h.code, w->number, &f->ci)) != 0)
		return rc;
	in->in_tx = finish_consult_tx;
	in->in_tx_arg = f;
	return 0;
}

/* One action on the window's current ticket, and the ticket as it now stands. */
static int
win_act(struct req *r, struct q_act_in *in, struct finish_consult *f)
{
	struct q_window w;
	struct q_actor who;
	const char *why = NULL;
	int rc;

	if ((rc = win_begin(r, &w)) != 0)
		return rc;
	if (in->act == Q_ACT_TRANSFER && q_hall_cat(&w.h, in->to_cat) == NULL) {
		req_fail_field(r, "category", "本中心没有这个类别");
		return req_invalid(r);
	}
	if (f && (rc = win_consult(r, &w, in, f)) != 0)
		return rc;
	q_actor_of(r, &who);
	if ((rc = q_window_act(r->ctx, &who, &w, in, &why)) != 0)
		return q_fail(r, rc, why, "category");
	return win_reply_token(r, &w, w.t.token);
}

int
h_window_recall(struct req *r)
{
	return win_act(r, &(struct q_act_in){ .act = Q_ACT_RECALL }, NULL);
}

int
h_window_skip(struct req *r)
{
	return win_act(r, &(struct q_act_in){ .act = Q_ACT_SKIP }, NULL);
}

int
h_window_start(struct req *r)
{
	return win_act(r, &(struct q_act_in){ .act = Q_ACT_START }, NULL);
}

int
h_window_transfer(struct req *r)
{
	struct q_act_in in = { .act = Q_ACT_TRANSFER };
	const char *cat = NULL;

	in_str(r, r->body, "category", 1, 1, 1, &cat);
	if (cat && !category_code_ok(cat))
		req_fail_field(r, "category", "须为一个大写字母");
	if (in_has_errors(r))
		return req_invalid(r);
	in.to_cat = cat[0];
	return win_act(r, &in, NULL);
}

int
h_window_finish(struct req *r)
{
	static const char *const outcomes[] = { "done", "no_show", NULL };
	struct q_act_in in = { .act = Q_ACT_FINISH };
	const char *case_no = NULL;
	int outcome = 0;

	struct finish_consult f;

	in_enum(r, r->body, "outcome", 1, outcomes, &outcome);
	in_str(r, r->body, "case", 0, 1, 40, &case_no);
	if (case_no && !token_ok(case_no, 40))
		req_fail_field(r, "case", "不是有效的办件编号");
	memset(&f, 0, sizeof f);
	f.r = r;
	f.given = consult_parse(r, r->body, &f.ci);
	if (in_has_errors(r))
		return req_invalid(r);
	in.outcome_done = outcome == 0;
	in.case_no = case_no;
	return win_act(r, &in, &f);
}

/* The console's categories: each with its waiting count, and whether this window serves it. */
static json_t *
console_cats(const struct q_window *w, json_t *counts)
{
	json_t *cats = json_array();
	int i;

	for (i = 0; i < w->h.ncat; i++) {
		const struct q_cat *c = &w->h.cats[i];
		char code[2] = { c->code, 0 };
		json_t *n = json_object_get(counts, code);

		json_array_append_new(cats, json_pack("{s:s,s:s,s:I,s:b}", "code", code,
		    "name", c->name, "waiting", (json_int_t)(n ? json_integer_value(n) : 0),
		    "mine", (w->w->mask & (1u << (c->code - 'A'))) != 0));
	}
	return cats;
}

int
h_window_get(struct req *r)
{
	struct q_window w;
	json_t *o, *cur = NULL, *counts;
	const char *why = NULL;
	long long served = 0;
	int rc;

	if ((rc = win_begin(r, &w)) != 0)
		return rc;
	if ((rc = q_window_current(r->ctx, &w, 0)) != 0)
		return db_fail(r, rc);
	if (w.t.found && (rc = q_ticket_view(r->ctx, &w.h, &w.t, &cur, &why)) != 0)
		return q_fail(r, rc, why, NULL);
	counts = json_object();
	if ((rc = q_window_figures(r->ctx, &w, &served, counts, &why)) != 0) {
		json_decref(cur);
		json_decref(counts);
		return q_fail(r, rc, why, NULL);
	}
	o = json_pack("{s:{s:i,s:s,s:s},s:o,s:o,s:i}",
	    "window", "number", w.number, "name", w.w->name, "hall", w.h.code,
	    "categories", console_cats(&w, counts),
	    "current", cur ? cur : json_null(),
	    "served_today", (int)served);
	json_decref(counts);
	json_object_set_new(json_object_get(o, "window"), "hall_name", json_string(w.h.name));
	json_object_set_new(json_object_get(o, "window"), "kind",
	    json_string(w.w->kind));
	return req_ok(r, 200, o);
}
