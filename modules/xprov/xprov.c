/*
 * xprov.c — 跨省通办 收受分离: the steps of a cross-province case, inside the caller's
 * transaction (xprov.h).
 *
 * Tables: xprov_cases (written, guarded UPDATE … WHERE state = ?), cases (status, decision,
 *         closed_at), case_history (cases.h), case_custody (the incoming case's first holder,
 *         the sending office), outbox (SMS, cases.h), handovers and their rows (handover.h),
 *         window_categories and categories (read: the 跨省通办 windows).
 *
 * Why a table of its own and not more case statuses: the case's own status machine
 * (accepted → processing → approved/rejected → ready/mailed → closed) keeps serving the
 * deadline watch, the pickup window and the reviews unchanged; the cross-province state
 * says where in 收受分离 the file is, one row per case, and moves the case's status with it
 * (dispatch/receive → processing, decide → approved/rejected, deliver → ready's hand-over,
 * mailed or closed).
 */
#include "xprov.h"
#include "../cases/case_actions.h"
#include "../hall/calendar.h"
#include "../shared/audit.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

const char *const xprov_state_names[XS__MAX + 1] = {
	"accepted", "dispatched", "received", "decided", "returned", "delivered", NULL
};
const char *const xprov_step_names[XP__MAX + 1] = {
	"dispatch", "receive", "decide", "return", "deliver", NULL
};

/* For the messages: the states and steps in words. */
static const char *const state_words[XS__MAX] = {
	"已受理", "已寄出", "办理地已收件", "已决定", "结果已寄回", "已送达"
};
static const char *const step_words[XP__MAX] = {
	"寄出材料", "登记收件", "录入决定", "登记结果寄回", "登记送达"
};

enum xprov_state
xprov_step_from(enum xprov_step s)
{
	return (enum xprov_state)s;	/* dispatch leaves accepted, receive dispatched, … */
}

int
xprov_may_record(struct ctx *c, const struct session *who)
{
	char n[16] = "";
	int rc;

	if (who->role == ROLE_MANAGER)
		return 1;
	if (who->role != ROLE_CLERK || who->window <= 0)
		return 0;
	rc = db_scalar(c, "SELECT COUNT(*) FROM window_categories wc JOIN categories g"
	    " ON g.hall = wc.hall AND g.code = wc.category WHERE wc.hall = ? AND wc.window_no = ?"
	    " AND g.cross_province = 1", DBARGS(DBS(who->hall), DBI(who->window)), n, sizeof n);
	if (rc < 0)
		return rc;
	return n[0] != '\0' && strcmp(n, "0") != 0;
}

/* ---------------------------------------------------------------- the row */

struct xrow {
	int		 found;
	enum xprov_state state;
	int		 incoming;
	char		 office[404];
	long long	 dispatch_ho, return_ho;
	int64_t		 dispatched_on, received_on, decided_on;
};

static int
xrow_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct xrow *x = arg;
	long long id = 0;
	int state;

	(void)lens;
	if (ncol < 8)
		return 1;
	x->found = 1;
	if ((state = str_index(xprov_state_names, v[0])) >= 0)
		x->state = (enum xprov_state)state;
	x->incoming = strcmp(v[1], "in") == 0;
	str_copy(x->office, sizeof x->office, v[2]);
	if (v[3] && parse_ll(v[3], 1, INT64_MAX, &id) == 0)
		x->dispatch_ho = id;
	if (v[4] && parse_ll(v[4], 1, INT64_MAX, &id) == 0)
		x->return_ho = id;
	if (v[5])
		date_parse(v[5], &x->dispatched_on);
	if (v[6])
		date_parse(v[6], &x->received_on);
	if (v[7])
		date_parse(v[7], &x->decided_on);
	return 1;
}

/* The row of case_id, locked; a cross-province case without one is 'accepted' (out). */
static int
xrow_load(struct ctx *c, const struct case_row *cr, struct xrow *x)
{
	int rc;

	memset(x, 0, sizeof *x);
	x->state = XS_ACCEPTED;
	str_copy(x->office, sizeof x->office, cr->office);
	rc = db_query(c, "SELECT state, direction, office, dispatch_handover, return_handover,"
	    " DATE_FORMAT(dispatched_on, '%Y-%m-%d'), DATE_FORMAT(received_on, '%Y-%m-%d'),"
	    " DATE_FORMAT(decided_on, '%Y-%m-%d') FROM xprov_cases WHERE case_id = ? FOR UPDATE",
	    DBARGS(DBI(cr->id)), xrow_row, x);
	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- helpers */

struct step {
	struct req			*r;
	const struct session		*who;
	const struct case_row		*cr;
	const struct xprov_step_in	*in;
	struct xprov_why		*why;
	struct xrow			 x;
	long long			 staff;
	char				 now[20];
	int64_t				 today;
	char				 today_s[12], on_s[12];
};

static int
refuse(struct step *s, int kind, const char *msg)
{
	str_copy(s->why->msg, sizeof s->why->msg, msg);
	return kind;
}

/*
 * The guarded move of the row from the step's state to the next.  sql is a literal made by
 * XMOVE (statements are cached per connection by the literal's address: never a buffer).
 */
#define XMOVE(set) "UPDATE xprov_cases SET state = ?, updated_by = ?, updated_at = ?, " set \
	" WHERE case_id = ? AND state = ?"

static int
state_move(struct ctx *c, struct step *s, const char *sql, const struct dbv *args,
    size_t nargs)
{
	struct dbv all[12];
	uint64_t n = 0;
	size_t i;
	int rc;

	if (nargs > NELEM(all) - 5)
		return DB_FAIL;
	all[0] = DBS(xprov_state_names[xprov_step_from(s->in->step) + 1]);
	all[1] = DBI(s->staff);
	all[2] = DBS(s->now);
	for (i = 0; i < nargs; i++)
		all[3 + i] = args[i];
	all[3 + nargs] = DBI(s->cr->id);
	all[4 + nargs] = DBS(xprov_state_names[xprov_step_from(s->in->step)]);
	rc = db_exec(c, sql, all, nargs + 5, &n, NULL);
	if (rc != 0)
		return rc;
	return n == 1 ? 0 : refuse(s, E_INVALID_STATE, "有人刚刚记录了这一步，请刷新");
}

/* The case, accepted, goes to processing (its file left for, or arrived from, the office):
 * 0, 409 INVALID_STATE when it has just moved, or a DB_* code. */
static int
to_processing(struct ctx *c, struct step *s)
{
	uint64_t n = 0;
	int rc;

	rc = db_exec(c, "UPDATE cases SET status = 'processing', version = version + 1,"
	    " updated_at = ? WHERE id = ? AND status = 'accepted'",
	    DBARGS(DBS(s->now), DBI(s->cr->id)), &n, NULL);
	if ((rc = case_guarded(n, rc)) != 0)
		return rc == E_INVALID_TRANSITION ? refuse(s, E_INVALID_STATE, "办件状态刚刚改变") : rc;
	return 0;
}

static int
history(struct ctx *c, struct step *s, const char *to_status, const char *note,
    const char *pub)
{
	char action[32];

	fmt(action, sizeof action, "xprov_%s", xprov_step_names[s->in->step]);
	return case_history_add(c, s->who, s->cr->id, s->now, action, s->cr->status,
	    to_status ? to_status : s->cr->status, NULL, note, pub);
}

/* An SMS to the applicant of an outgoing case (an incoming case's applicant is the other
 * province's: we hold only their masked phone). */
static int
sms(struct ctx *c, struct step *s, const char *tmpl, json_t *params)
{
	int rc = 0;

	if (!s->x.incoming && s->cr->phone[0])
		rc = case_sms(c, s->cr->hall, tmpl, s->cr->phone, params, s->cr->no);
	json_decref(params);
	return rc == -1 ? DB_FAIL : rc;
}

static void
end_office(struct step *s, struct handover_end *e)
{
	memset(e, 0, sizeof *e);
	e->kind = HO_OFFICE;
	str_copy(e->hall, sizeof e->hall, s->cr->hall);
	str_copy(e->office, sizeof e->office, s->x.office);
}

/* The signed-in staff's own side: the window they sit at, else (a manager) the hall. */
static void
end_mine(struct step *s, struct handover_end *e)
{
	memset(e, 0, sizeof *e);
	str_copy(e->hall, sizeof e->hall, s->cr->hall);
	if (s->who->role == ROLE_CLERK && s->who->window > 0) {
		e->kind = HO_WINDOW;
		e->window = s->who->window;
	} else
		e->kind = HO_HALL;
}

/* A hand-over of the case to `to`, with the materials given or the result's pages; with
 * receive, signed for at once by the same staff (who acts for both ends). */
static int
hand_over(struct ctx *c, struct step *s, const struct handover_end *to, int result,
    int receive, long long *id)
{
	struct handover_case_in hc;
	struct handover_in in;
	struct handover_made made;
	struct handover_why hw;
	long long got = 0;
	size_t i;
	int rc;

	memset(&hc, 0, sizeof hc);
	hc.no = s->cr->no;
	if (result) {
		hc.mats[0].code = HANDOVER_RESULT_CODE;
		hc.mats[0].pages = s->in->pages > 0 ? s->in->pages : 1;
		hc.nmats = 1;
	} else {
		for (i = 0; i < s->in->nmats; i++)
			hc.mats[i] = s->in->mats[i];
		hc.nmats = s->in->nmats;
	}
	memset(&in, 0, sizeof in);
	in.to = *to;
	in.cases = &hc;
	in.ncases = 1;
	in.note = s->in->note;
	memset(&hw, 0, sizeof hw);
	rc = handover_create_tx(c, s->r, &in, &made, &hw);
	sodium_memzero(made.token, sizeof made.token);
	if (rc == 0 && receive)
		rc = handover_receive_tx(c, s->r, made.id, NULL, NULL, 0, NULL, &got, &hw);
	if (rc > 0)
		str_copy(s->why->msg, sizeof s->why->msg, hw.msg);
	*id = made.id;
	return rc;
}

static int
date_check(struct step *s, int64_t after, const char *after_what)
{
	char msg[160], d[12];

	if (s->in->on > s->today)
		return req_fail_field(s->r, "date", "日期不能晚于今天"), E_INVALID_INPUT;
	if (after > 0 && s->in->on < after) {
		date_format_days(after, d, sizeof d);
		fmt(msg, sizeof msg, "日期不能早于%s（%s）", after_what, d);
		return req_fail_field(s->r, "date", msg), E_INVALID_INPUT;
	}
	return 0;
}

/* ---------------------------------------------------------------- the steps */

static int
step_dispatch(struct ctx *c, struct step *s)
{
	struct handover_end to;
	long long ho = 0;
	char note[160], pub[600];
	int rc;

	if (strcmp(s->cr->status, "accepted") != 0)
		return refuse(s, E_INVALID_STATE, strcmp(s->cr->status, "submitted") == 0 ?
		    "网上申请尚未受理，受理后才能寄出材料" : "办件已不在受理状态，不能寄出材料");
	if (s->x.office[0] == '\0')
		return refuse(s, E_INVALID_STATE, "办件没有办理地，不是跨省通办办件");
	end_office(s, &to);
	if ((rc = hand_over(c, s, &to, 0, 0, &ho)) != 0)
		return rc;
	rc = db_exec(c, "INSERT INTO xprov_cases (case_id, hall, direction, office, state,"
	    " accepted_on, dispatch_via, dispatch_waybill, dispatched_on, dispatch_handover,"
	    " created_by, created_at, updated_by, updated_at)"
	    " SELECT id, hall, 'out', ?, 'dispatched', DATE(COALESCE(accepted_at, created_at)),"
	    " ?, ?, ?, ?, ?, ?, ?, ? FROM cases WHERE id = ?",
	    DBARGS(DBS(s->x.office), DBS(s->in->electronic ? "electronic" : "mail"),
	    DBSO(s->in->waybill), DBS(s->today_s), DBI(ho), DBI(s->staff), DBS(s->now),
	    DBI(s->staff), DBS(s->now), DBI(s->cr->id)), NULL, NULL);
	if (rc == DB_DUP)
		return refuse(s, E_INVALID_STATE, "材料已寄出");
	if (rc != 0)
		return rc;
	if ((rc = to_processing(c, s)) != 0)
		return rc;
	if (s->in->electronic) {
		fmt(note, sizeof note, "网络传送，交接单 %lld", ho);
		fmt(pub, sizeof pub, "材料已通过网络传送至办理地（%s）审批", s->x.office);
	} else {
		fmt(note, sizeof note, "邮寄 %s，交接单 %lld", s->in->waybill, ho);
		fmt(pub, sizeof pub, "材料已邮寄至办理地（%s）审批，运单号 %s", s->x.office,
		    s->in->waybill);
	}
	rc = history(c, s, "processing", note, pub);
	if (rc == 0)
		rc = sms(c, s, "xprov_dispatched", json_pack("{s:s,s:s}", "case_no", s->cr->no,
		    "via", s->in->electronic ? "通过网络传送" : "邮寄"));
	return rc;
}

static int
step_receive(struct ctx *c, struct step *s)
{
	struct handover_end to;
	struct handover_why hw;
	long long got = 0, ho = 0;
	char pub[600];
	int rc;

	if ((rc = date_check(s, s->x.dispatched_on, "寄出日期")) != 0)
		return rc;
	if (!s->x.incoming) {
		/* The office signed for the sheet: recorded by the hall that deals with it. */
		memset(&hw, 0, sizeof hw);
		rc = handover_receive_tx(c, s->r, s->x.dispatch_ho, NULL, NULL, 0, s->in->note,
		    &got, &hw);
		if (rc > 0)
			return refuse(s, rc, hw.msg);
		if (rc != 0)
			return rc;
		rc = state_move(c, s, XMOVE("received_on = ?"), DBARGS(DBS(s->on_s)));
		if (rc != 0)
			return rc;
		fmt(pub, sizeof pub, "办理地（%s）已于 %s 收到材料，正在审批", s->x.office, s->on_s);
		rc = history(c, s, NULL, NULL, pub);
		if (rc == 0)
			rc = sms(c, s, "xprov_received", json_pack("{s:s,s:s}", "case_no", s->cr->no,
			    "date", s->on_s));
		return rc;
	}
	/* Incoming: the file the office sent arrives here, counted onto a sheet and signed. */
	end_mine(s, &to);
	if ((rc = hand_over(c, s, &to, 0, 1, &ho)) != 0)
		return rc;
	rc = state_move(c, s, XMOVE("received_on = ?, dispatch_handover = ?"),
	    DBARGS(DBS(s->on_s), DBI(ho)));
	if (rc != 0)
		return rc;
	if ((rc = to_processing(c, s)) != 0)
		return rc;
	fmt(pub, sizeof pub, "本地已于 %s 收到%s寄来的材料，交审批部门办理", s->on_s, s->x.office);
	return history(c, s, "processing", NULL, pub);
}

static int
step_decide(struct ctx *c, struct step *s)
{
	const char *d = s->in->approved ? "approved" : "rejected";
	uint64_t n = 0;
	char note[1100], pub[600];	/* a 文号 of 50 and a note of 200 characters */
	int rc;

	if ((rc = date_check(s, s->x.received_on, "收件日期")) != 0)
		return rc;
	rc = db_exec(c, "UPDATE cases SET status = ?, decision = ?, decided_at = ?, decided_by = ?,"
	    " decision_note = ?, version = version + 1, updated_at = ?"
	    " WHERE id = ? AND status = 'processing'",
	    DBARGS(DBS(d), DBS(d), DBS(s->now), DBI(s->staff), DBS(s->in->doc_no), DBS(s->now),
	    DBI(s->cr->id)), &n, NULL);
	if ((rc = case_guarded(n, rc)) != 0)
		return rc == E_INVALID_TRANSITION ? refuse(s, E_INVALID_STATE,
		    "办件不在审批中，不能录入决定") : rc;
	rc = state_move(c, s, XMOVE("decision = ?, doc_no = ?, decided_on = ?"),
	    DBARGS(DBS(d), DBS(s->in->doc_no), DBS(s->on_s)));
	if (rc != 0)
		return rc;
	fmt(note, sizeof note, "%s %s%s%s", s->in->approved ? "准予" : "不予", s->in->doc_no,
	    s->in->note ? "；" : "", s->in->note ? s->in->note : "");
	if (s->x.incoming)
		fmt(pub, sizeof pub, "已于 %s 作出%s决定（%s），结果将寄回%s", s->on_s,
		    s->in->approved ? "准予" : "不予", s->in->doc_no, s->x.office);
	else
		fmt(pub, sizeof pub, "办理地已于 %s 作出%s决定（%s），结果寄回后通知您", s->on_s,
		    s->in->approved ? "准予" : "不予", s->in->doc_no);
	rc = history(c, s, d, note, pub);
	if (rc == 0)
		rc = sms(c, s, "xprov_decided", json_pack("{s:s,s:s,s:s}", "case_no", s->cr->no,
		    "decision", s->in->approved ? "准予" : "不予", "doc_no", s->in->doc_no));
	return rc;
}

/* The action struct of the cases room for ready / mail / hand-over at the window. */
static int
case_action(struct ctx *c, struct step *s, enum case_act act)
{
	struct action *a;
	int rc;

	if ((a = calloc(1, sizeof *a)) == NULL)
		return DB_FAIL;
	a->act = act;
	a->cr = *s->cr;
	str_copy(a->now, sizeof a->now, s->now);
	a->today = s->today;
	a->staff = s->staff;
	a->note = s->in->note;
	a->pickup_code = s->in->pickup_code;
	a->carrier = s->in->carrier;
	a->tracking_no = s->in->waybill;
	a->address = s->in->address;
	a->checked = CHK_NONE;
	rc = case_act_run(c, s->who, a);
	free(a);
	if (rc == E_INVALID_TRANSITION)
		return refuse(s, E_INVALID_STATE, "办件状态刚刚改变");
	return rc;
}

static int
step_return(struct ctx *c, struct step *s)
{
	struct handover_end to;
	long long ho = 0;
	char note[160], pub[600];
	int rc;

	if (s->x.incoming) {
		/* The result goes back to the office that accepted it: on its way until they
		 * report it delivered (deliver signs the sheet for them). */
		end_office(s, &to);
		if ((rc = hand_over(c, s, &to, 1, 0, &ho)) != 0)
			return rc;
	} else {
		/* The office's result arrives here: counted and signed at once. */
		end_mine(s, &to);
		if ((rc = hand_over(c, s, &to, 1, 1, &ho)) != 0)
			return rc;
	}
	rc = state_move(c, s, XMOVE("return_via = ?, return_waybill = ?, returned_on = ?,"
	    " return_handover = ?"), DBARGS(DBS(s->in->electronic ? "electronic" : "mail"),
	    DBSO(s->in->waybill), DBS(s->today_s), DBI(ho)));
	if (rc != 0)
		return rc;
	if (s->in->electronic)
		fmt(note, sizeof note, "网络传送，交接单 %lld", ho);
	else
		fmt(note, sizeof note, "邮寄 %s，交接单 %lld", s->in->waybill, ho);
	if (s->x.incoming)
		fmt(pub, sizeof pub, "办理结果已%s寄回%s", s->in->electronic ? "通过网络" : "",
		    s->x.office);
	else
		fmt(pub, sizeof pub, "办理结果已从办理地（%s）寄回本中心", s->x.office);
	if ((rc = history(c, s, NULL, note, pub)) != 0)
		return rc;
	if (s->x.incoming)
		return 0;
	if (strcmp(s->cr->delivery, "pickup") == 0)
		return case_action(c, s, CA_READY);	/* status ready, the pickup code SMS */
	return sms(c, s, "xprov_returned", json_pack("{s:s}", "case_no", s->cr->no));
}

static int
step_deliver(struct ctx *c, struct step *s)
{
	struct handover_why hw;
	long long got = 0;
	uint64_t n = 0;
	char pub[600];
	int rc;

	if (s->x.incoming) {
		if ((rc = date_check(s, 0, "")) != 0)
			return rc;
		memset(&hw, 0, sizeof hw);
		rc = handover_receive_tx(c, s->r, s->x.return_ho, NULL, NULL, 0, s->in->note, &got,
		    &hw);
		if (rc > 0)
			return refuse(s, rc, hw.msg);
		if (rc != 0)
			return rc;
		rc = db_exec(c, "UPDATE cases SET status = 'closed', closed_at = ?,"
		    " version = version + 1, updated_at = ? WHERE id = ?"
		    " AND status IN ('approved', 'rejected')",
		    DBARGS(DBS(s->now), DBS(s->now), DBI(s->cr->id)), &n, NULL);
		if ((rc = case_guarded(n, rc)) != 0)
			return rc == E_INVALID_TRANSITION ? refuse(s, E_INVALID_STATE,
			    "办件状态刚刚改变") : rc;
		rc = state_move(c, s, XMOVE("delivered_via = 'office', delivered_on = ?"),
		    DBARGS(DBS(s->on_s)));
		if (rc != 0)
			return rc;
		fmt(pub, sizeof pub, "%s已于 %s 将结果送达申请人，办件完结", s->x.office, s->on_s);
		return history(c, s, "closed", NULL, pub);
	}
	if (s->in->by_mail) {
		if (strcmp(s->cr->status, "ready") == 0)
			return refuse(s, E_INVALID_STATE, "结果已通知窗口领取，请在窗口交付");
		if (s->in->address == NULL && strcmp(s->cr->delivery, "mail") != 0)
			return req_fail_field(s->r, "address", "该办件原定窗口领取，没有邮寄地址，"
			    "请填写收件地址"), E_INVALID_INPUT;
		rc = case_action(c, s, CA_MAIL);
	} else {
		char hash[PII_HASH_HEX];

		if (strcmp(s->cr->status, "ready") != 0)
			return refuse(s, E_INVALID_STATE, "该办件为邮寄送达，请选择邮寄");
		case_pickup_hash(s->cr->no, s->in->pickup_code, hash);
		if (sodium_memcmp(hash, s->cr->pickup_hash, sizeof hash - 1) != 0)
			return refuse(s, E_PICKUP_CODE_WRONG, "取件码不正确");
		rc = case_action(c, s, CA_HAND_OVER);
	}
	if (rc != 0)
		return rc;
	return state_move(c, s, XMOVE("delivered_via = ?, delivered_on = ?"),
	    DBARGS(DBS(s->in->by_mail ? "mail" : "pickup"), DBS(s->today_s)));
}

int
xprov_step_tx(struct ctx *c, struct req *r, const struct case_row *cr,
    const struct xprov_step_in *in, struct xprov_why *why)
{
	struct step s;
	char msg[200];
	int rc;

	memset(&s, 0, sizeof s);
	s.r = r;
	s.who = &r->sess;
	s.cr = cr;
	s.in = in;
	s.why = why;
	parse_ll(r->sess.subject, 1, INT64_MAX, &s.staff);
	case_now(s.now);
	s.today = case_today();
	date_format_days(s.today, s.today_s, sizeof s.today_s);
	date_format_days(in->on ? in->on : s.today, s.on_s, sizeof s.on_s);
	/* The case row first (as the hand-overs lock it), then ours. */
	rc = db_scalar(c, "SELECT id FROM cases WHERE id = ? FOR UPDATE", DBARGS(DBI(cr->id)),
	    msg, sizeof msg);
	if (rc >= 0)
		rc = xrow_load(c, cr, &s.x);
	if (rc != 0)
		return rc;
	if (s.x.state != xprov_step_from(in->step)) {
		fmt(msg, sizeof msg, "该跨省通办办件当前为“%s”，不能%s（下一步应为：%s）",
		    state_words[s.x.state], step_words[in->step], s.x.state < XS_DELIVERED ?
		    step_words[s.x.state] : "无，已办结");
		return refuse(&s, E_INVALID_STATE, msg);
	}
	switch (in->step) {
	case XP_DISPATCH: rc = step_dispatch(c, &s); break;
	case XP_RECEIVE: rc = step_receive(c, &s); break;
	case XP_DECIDE: rc = step_decide(c, &s); break;
	case XP_RETURN: rc = step_return(c, &s); break;
	case XP_DELIVER: rc = step_deliver(c, &s); break;
	default: rc = DB_FAIL; break;
	}
	if (rc == 0) {
		char what[32];

		fmt(what, sizeof what, "xprov.%s", xprov_step_names[in->step]);
		audit(r, what, cr->no, "ok", s.x.incoming ? "in" : "out");
	}
	return rc;
}

/* ---------------------------------------------------------------- reading */

static const char *const json_cols[] = {
	"direction", "office", "their_no", "state", "accepted_on", "dispatch_via",
	"dispatch_waybill", "dispatched_on", "dispatch_handover", "received_on", "decision",
	"doc_no", "decided_on", "return_via", "return_waybill", "returned_on", "return_handover",
	"delivered_via", "delivered_on", NULL
};

int
xprov_json(struct ctx *c, long long case_id, json_t **out)
{
	json_t *a = json_array(), *o;
	int rc;

	*out = NULL;
	rc = db_rows_json(c, "SELECT x.direction, x.office, x.their_no, x.state,"
	    " DATE_FORMAT(x.accepted_on, '%Y-%m-%d'), x.dispatch_via, x.dispatch_waybill,"
	    " DATE_FORMAT(x.dispatched_on, '%Y-%m-%d'), x.dispatch_handover,"
	    " DATE_FORMAT(x.received_on, '%Y-%m-%d'), x.decision, x.doc_no,"
	    " DATE_FORMAT(x.decided_on, '%Y-%m-%d'), x.return_via, x.return_waybill,"
	    " DATE_FORMAT(x.returned_on, '%Y-%m-%d'), x.return_handover, x.delivered_via,"
	    " DATE_FORMAT(x.delivered_on, '%Y-%m-%d') FROM xprov_cases x WHERE x.case_id = ?"
	    " UNION ALL SELECT 'out', c.processing_office, NULL, 'accepted',"
	    " DATE_FORMAT(COALESCE(c.accepted_at, c.created_at), '%Y-%m-%d'), NULL, NULL, NULL,"
	    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM cases c"
	    " WHERE c.id = ? AND c.cross_province = 1 AND c.processing_office IS NOT NULL"
	    " AND NOT EXISTS (SELECT 1 FROM xprov_cases y WHERE y.case_id = c.id)",
	    DBARGS(DBI(case_id), DBI(case_id)), json_cols, "sSSsSSSSISSSSSSSISS", a);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	if ((o = json_array_get(a, 0)) != NULL)
		*out = json_incref(o);
	json_decref(a);
	return 0;
}

struct figs {
	json_t	*out;
};

static int
figs_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct figs *f = arg;
	json_t *side;
	long long n = 0, late = 0;

	(void)lens;
	if (ncol < 4)
		return 1;
	side = json_object_get(f->out, v[0]);
	parse_ll(v[2], 0, INT64_MAX, &n);
	parse_ll(v[3] ? v[3] : "0", 0, INT64_MAX, &late);
	if (side == NULL)
		return 0;
	json_object_set_new(side, v[1], json_integer(n));
	json_object_set_new(side, "overdue", json_integer(json_integer_value(
	    json_object_get(side, "overdue")) + late));
	return 0;
}

/*
 * Overdue: not yet decided (accepted, dispatched, received) and past the case's deadline,
 * the promised days counted from the acceptance — they run while the file travels.
 */
#define XPROV_FROM \
	" FROM cases c LEFT JOIN xprov_cases x ON x.case_id = c.id" \
	" WHERE c.hall = ? AND c.cross_province = 1 AND (x.case_id IS NOT NULL" \
	" OR (c.processing_office IS NOT NULL AND c.status = 'accepted'))"
#define XPROV_LATE \
	"(c.deadline IS NOT NULL AND c.deadline < ? AND COALESCE(x.state, 'accepted')" \
	" IN ('accepted', 'dispatched', 'received'))"

int
xprov_figures(struct ctx *c, const char *hall, json_t **out)
{
	struct figs f;
	char today[12];
	size_t i;
	int rc;

	date_format_days(case_today(), today, sizeof today);
	f.out = json_pack("{s:{},s:{}}", "out", "in");
	for (i = 0; xprov_state_names[i]; i++) {
		json_object_set_new(json_object_get(f.out, "out"), xprov_state_names[i],
		    json_integer(0));
		json_object_set_new(json_object_get(f.out, "in"), xprov_state_names[i],
		    json_integer(0));
	}
	json_object_set_new(json_object_get(f.out, "out"), "overdue", json_integer(0));
	json_object_set_new(json_object_get(f.out, "in"), "overdue", json_integer(0));
	rc = db_query(c, "SELECT COALESCE(x.direction, 'out'), COALESCE(x.state, 'accepted'),"
	    " COUNT(*), SUM(" XPROV_LATE ")" XPROV_FROM " GROUP BY 1, 2",
	    DBARGS(DBS(today), DBS(hall)), figs_row, &f);
	if (rc < 0) {
		json_decref(f.out);
		return rc;
	}
	*out = f.out;
	return 0;
}

static const char *const list_cols[] = {
	"no", "title", "status", "direction", "state", "office", "their_no", "accepted_on",
	"deadline", "overdue", "updated_at", NULL
};

/* The hall's work list (GET /cross-province/cases): state and direction may be NULL. */
int
xprov_list(struct ctx *c, const char *hall, const char *state, const char *direction,
    json_t *array)
{
	char today[12];

	date_format_days(case_today(), today, sizeof today);
	return db_rows_json(c, "SELECT c.no, c.title, c.status, COALESCE(x.direction, 'out'),"
	    " COALESCE(x.state, 'accepted'), COALESCE(x.office, c.processing_office), x.their_no,"
	    " DATE_FORMAT(COALESCE(x.accepted_on, c.accepted_at, c.created_at), '%Y-%m-%d'),"
	    " DATE_FORMAT(c.deadline, '%Y-%m-%d'), " XPROV_LATE ","
	    " DATE_FORMAT(c.updated_at, '%Y-%m-%dT%H:%i:%s+08:00')" XPROV_FROM
	    " AND (? IS NULL OR COALESCE(x.state, 'accepted') = ?)"
	    " AND (? IS NULL OR COALESCE(x.direction, 'out') = ?)"
	    " ORDER BY c.deadline IS NULL, c.deadline, c.id LIMIT 500",
	    DBARGS(DBS(today), DBS(hall), DBSO(state), DBSO(state), DBSO(direction),
	    DBSO(direction)), list_cols, "ssssssSSSbs", array);
}

/* ---------------------------------------------------------------- incoming */

struct item_row {
	int		 found;
	char		 name[404], department[32];
	long long	 promised_days;
};

static int
item_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct item_row *it = arg;

	(void)lens;
	if (ncol < 3 || v[1] == NULL)
		return 1;
	it->found = 1;
	str_copy(it->name, sizeof it->name, v[0]);
	str_copy(it->department, sizeof it->department, v[1]);
	parse_ll(v[2], 0, 3650, &it->promised_days);
	return 1;
}

/* The item of an incoming case (into *it) and each material named: field errors recorded
 * when unknown.  0, E_INVALID_INPUT, or a DB_* code. */
static int
incoming_check(struct ctx *c, struct req *r, const struct xprov_incoming_in *in,
    struct item_row *it)
{
	char field[48];
	size_t i;
	int rc;

	memset(it, 0, sizeof *it);
	rc = db_query(c, "SELECT name, department, promised_days FROM items WHERE id = ?"
	    " AND retired_at IS NULL", DBARGS(DBS(in->item)), item_row, it);
	if (rc < 0)
		return rc;
	if (!it->found)
		return req_fail_field(r, "item", "没有这个事项"), E_INVALID_INPUT;
	for (i = 0; i < in->ncodes; i++) {
		char got[8] = "";

		rc = db_scalar(c, "SELECT 1 FROM item_materials WHERE item = ? AND code = ?"
		    " AND retired_version IS NULL", DBARGS(DBS(in->item), DBS(in->codes[i])), got,
		    sizeof got);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			fmt(field, sizeof field, "materials[%zu]", i);
			req_fail_field(r, field, "该事项没有这项材料");
		}
	}
	return in_has_errors(r) ? E_INVALID_INPUT : 0;
}

/* The case's row: a new number (no) of the hall's day today, accepted by staff at now, due
 * dl_s, the applicant sealed with the office's masks kept as sent.  Its id into *id; 0 or
 * a DB_* code. */
static int
incoming_case(struct ctx *c, const struct session *who, const struct xprov_incoming_in *in,
    const struct item_row *it, long long staff, int64_t today, const char *now,
    const char *dl_s, char no[CASE_NO_MAX], uint64_t *id)
{
	struct case_person p;
	int rc;

	if (case_person_seal(in->name, in->id_number, in->phone, NULL, &p) != 0)
		return DB_FAIL;
	/* As sent: the office's masks are kept as they are (we never hold the full data). */
	str_copy(p.m_name, sizeof p.m_name, in->name);
	str_copy(p.m_id, sizeof p.m_id, in->id_number);
	str_copy(p.m_phone, sizeof p.m_phone, in->phone);
	rc = case_no_next(c, who->hall, today, no, CASE_NO_MAX);
	if (rc == 0)
		rc = db_exec(c, "INSERT INTO cases (no, hall, channel, item, title, status,"
		    " applicant_name_enc, applicant_name_mask, applicant_id_enc, applicant_id_hash,"
		    " applicant_id_mask, applicant_phone_enc, applicant_phone_hash,"
		    " applicant_phone_mask, delivery, accepted_by, accepted_at, promised_days,"
		    " deadline, cross_province, processing_office, created_at, updated_at)"
		    " VALUES (?, ?, 'window', ?, ?, 'accepted', ?, ?, ?, ?, ?, ?, ?, ?, 'pickup', ?,"
		    " ?, ?, ?, 1, NULL, ?, ?)",
		    DBARGS(DBS(no), DBS(who->hall), DBS(in->item), DBS(it->name), p.name,
		    DBS(p.m_name), p.id, DBS(p.h_id), DBS(p.m_id), p.phone, DBS(p.h_phone),
		    DBS(p.m_phone), DBI(staff), DBS(now), DBI(it->promised_days), DBS(dl_s),
		    DBS(now), DBS(now)), NULL, id);
	sodium_memzero(&p, sizeof p);
	return rc;
}

int
xprov_incoming_tx(struct ctx *c, struct req *r, const struct xprov_incoming_in *in,
    char no[CASE_NO_MAX], int *missing_year)
{
	const struct session *who = &r->sess;
	struct item_row it;
	long long staff = 0;
	uint64_t id = 0, n = 0;
	int64_t today = case_today(), deadline = 0;
	char now[20], today_s[12], acc_s[12], dl_s[12], field[48], pub[600], note[600];
	size_t i;
	int rc;

	if ((rc = incoming_check(c, r, in, &it)) != 0)
		return rc;
	/* The promised days run from the office's acceptance: the file's travel counts. */
	rc = calendar_add_workdays(c, in->accepted_on, (int)it.promised_days, &deadline,
	    missing_year);
	if (rc == CAL_MISSING)
		return E_CALENDAR_MISSING;
	if (rc < 0)
		return rc;
	parse_ll(who->subject, 1, INT64_MAX, &staff);
	case_now(now);
	date_format_days(today, today_s, sizeof today_s);
	date_format_days(in->accepted_on, acc_s, sizeof acc_s);
	date_format_days(deadline, dl_s, sizeof dl_s);
	if ((rc = incoming_case(c, who, in, &it, staff, today, now, dl_s, no, &id)) != 0)
		return rc;
	rc = db_exec(c, "INSERT INTO case_parts (case_id, seq, item, department, status,"
	    " promised_days, deadline) VALUES (?, 1, ?, ?, 'pending', ?, ?)",
	    DBARGS(DBI(id), DBS(in->item), DBS(it.department), DBI(it.promised_days), DBS(dl_s)),
	    NULL, NULL);
	for (i = 0; rc == 0 && i < in->ncodes; i++)
		rc = db_exec(c, "INSERT INTO case_materials (case_id, item, code, name, required,"
		    " state, received_at) SELECT ?, item, code, name, required, 'received', ?"
		    " FROM item_materials WHERE item = ? AND code = ? AND retired_version IS NULL",
		    DBARGS(DBI(id), DBS(now), DBS(in->item), DBS(in->codes[i])), &n, NULL);
	if (rc == DB_DUP) {
		fmt(field, sizeof field, "materials[%zu]", i - 1);
		return req_fail_field(r, field, "材料重复"), E_INVALID_INPUT;
	}
	if (rc != 0)
		return rc;
	rc = db_exec(c, "INSERT INTO xprov_cases (case_id, hall, direction, office, their_no,"
	    " state, accepted_on, dispatch_via, dispatch_waybill, dispatched_on, created_by,"
	    " created_at, updated_by, updated_at)"
	    " VALUES (?, ?, 'in', ?, ?, 'dispatched', ?, ?, ?, ?, ?, ?, ?, ?)",
	    DBARGS(DBI(id), DBS(who->hall), DBS(in->office), DBS(in->their_no), DBS(acc_s),
	    DBS(in->electronic ? "electronic" : "mail"), DBSO(in->waybill), DBS(today_s),
	    DBI(staff), DBS(now), DBI(staff), DBS(now)), NULL, NULL);
	if (rc == DB_DUP)
		return req_fail_field(r, "their_no", "该办理地的这个办件已登记"), E_CONFLICT;
	if (rc != 0)
		return rc;
	/* The file is with the sending office until it arrives and is signed for here. */
	rc = db_exec(c, "INSERT INTO case_custody (case_id, holder_kind, hall, office, since)"
	    " VALUES (?, 'office', ?, ?, ?)", DBARGS(DBI(id), DBS(who->hall), DBS(in->office),
	    DBS(now)), NULL, NULL);
	if (rc != 0)
		return rc;
	fmt(note, sizeof note, "%s 受理号 %s", in->office, in->their_no);
	fmt(pub, sizeof pub, "%s已于 %s 受理，材料%s寄来本地办理", in->office, acc_s,
	    in->electronic ? "通过网络" : "");
	rc = case_history_add(c, who, (long long)id, now, "xprov_incoming", NULL, "accepted",
	    it.department, note, pub);
	if (rc == 0)
		audit(r, "xprov.incoming", no, "ok", in->office);
	return rc;
}
