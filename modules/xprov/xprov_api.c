/*
 * xprov_api.c — the 跨省通办 (收受分离) routes: a step on a case, the case's cross-province
 * part, the window's work list and figures, registering a case another province accepted.
 *
 * Routes: POST /cases/{no}/cross-province   clerk, approver, manager → h_xprov_step
 *         GET  /cases/{no}/cross-province   staff                    → h_xprov_get
 *         GET  /cross-province/cases        staff                    → h_xprov_list
 *         GET  /cross-province/figures      staff                    → h_xprov_figures
 *         POST /cross-province/incoming     clerk, manager           → h_xprov_incoming
 * Tables: xprov_cases, cases, case_parts, case_materials, case_history, case_custody, outbox,
 *         handovers (through xprov.c and handover.h); audit_log.
 * Redis:  none (each history row drops the case's cached tracking page, cases.h).
 *
 * Who records a step (403 otherwise): a clerk signed in at a window that calls a 跨省通办
 * category, or a manager of the hall; an incoming case's decision also the approvers of its
 * department.
 */
#include "xprov.h"
#include "handlers.h"
#include "../cases/case_reply.h"
#include "../notify/notify.h"
#include "../shared/audit.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <stdlib.h>
#include <string.h>

static const char *const vias[] = { "mail", "electronic", NULL };
static const char *const decisions[] = { "approved", "rejected", NULL };
static const char *const deliveries[] = { "pickup", "mail", NULL };
static const char *const directions[] = { "out", "in", NULL };

/* A waybill: 4–40 of [A-Za-z0-9-]. */
static void
want_waybill(struct req *r, json_t *o, int required, const char **out)
{
	const char *s;
	size_t i;

	*out = NULL;
	if (in_str(r, o, "waybill", required, 4, XPROV_WAYBILL_MAX, out) != 0 || *out == NULL)
		return;
	for (s = *out, i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') || s[i] == '-')) {
			req_fail_field(r, "waybill", "运单号只能有字母、数字和连字符");
			*out = NULL;
			return;
		}
}

static void
want_date(struct req *r, json_t *o, const char *name, int64_t *out)
{
	const char *s = NULL;

	if (in_str(r, o, name, 1, 10, 10, &s) == 0 && s && date_parse(s, out) != 0)
		req_fail_field(r, name, "日期格式为 YYYY-MM-DD");
}

/* "materials": [{"code","pages"}] (1..HANDOVER_MATS_MAX), codes distinct. */
static void
want_mats(struct req *r, json_t *o, struct xprov_step_in *in)
{
	json_t *a = json_object_get(o, "materials"), *m;
	char field[64];
	size_t i, j;

	if (!json_is_array(a) || json_array_size(a) < 1 ||
	    json_array_size(a) > HANDOVER_MATS_MAX) {
		req_fail_field(r, "materials", "须列出交接的材料及页数：[{\"code\",\"pages\"}]，1–50 项");
		return;
	}
	json_array_foreach(a, i, m) {
		struct handover_mat_in *mi = &in->mats[i];
		json_t *code = json_object_get(m, "code"), *pages = json_object_get(m, "pages");

		fmt(field, sizeof field, "materials[%zu].code", i);
		if (!json_is_string(code) || json_string_length(code) < 1 ||
		    json_string_length(code) > 16) {
			req_fail_field(r, field, "须为材料编号");
			continue;
		}
		mi->code = json_string_value(code);
		for (j = 0; j < i; j++)
			if (in->mats[j].code && strcmp(in->mats[j].code, mi->code) == 0)
				req_fail_field(r, field, "材料重复");
		fmt(field, sizeof field, "materials[%zu].pages", i);
		if (!json_is_integer(pages) || json_integer_value(pages) < 1 ||
		    json_integer_value(pages) > HANDOVER_PAGES_MAX)
			req_fail_field(r, field, "页数为 1–9999");
		else
			mi->pages = json_integer_value(pages);
	}
	in->nmats = json_array_size(a);
}

static int
step_parse(struct req *r, int incoming, struct xprov_step_in *in)
{
	json_t *b = r->body;
	int step = 0, via = 0, d = 0, how = 0;

	memset(in, 0, sizeof *in);
	if (in_enum(r, b, "step", 1, xprov_step_names, &step) != 0)
		return -1;
	in->step = (enum xprov_step)step;
	in_str(r, b, "note", 0, 1, 200, &in->note);
	switch (in->step) {
	case XP_DISPATCH:
	case XP_RETURN:
		if (in_enum(r, b, "via", 1, vias, &via) == 0)
			in->electronic = via == 1;
		want_waybill(r, b, via == 0, &in->waybill);
		if (in->waybill)
			sms_text_field(r, "waybill", in->waybill, 0);
		if (in->step == XP_DISPATCH)
			want_mats(r, b, in);
		else
			in_int(r, b, "pages", 0, 1, HANDOVER_PAGES_MAX, &in->pages);
		break;
	case XP_RECEIVE:
		want_date(r, b, "date", &in->on);
		if (incoming)
			want_mats(r, b, in);
		break;
	case XP_DECIDE:
		if (in_enum(r, b, "decision", 1, decisions, &d) == 0)
			in->approved = d == 0;
		if (in_str(r, b, "doc_no", 1, 1, XPROV_DOCNO_MAX, &in->doc_no) == 0 && in->doc_no)
			sms_text_field(r, "doc_no", in->doc_no, 0);
		want_date(r, b, "date", &in->on);
		break;
	case XP_DELIVER:
		if (incoming) {
			want_date(r, b, "date", &in->on);
			break;
		}
		in_enum(r, b, "how", 1, deliveries, &how);
		in->by_mail = how == 1;
		if (in->by_mail) {
			in_str(r, b, "carrier", 1, 1, 20, &in->carrier);
			want_waybill(r, b, 1, &in->waybill);
			in_str(r, b, "address", 0, 5, 60, &in->address);
			if (in->carrier)
				sms_text_field(r, "carrier", in->carrier, 0);
			if (in->waybill)
				sms_text_field(r, "waybill", in->waybill, 0);
		} else if (in_str(r, b, "pickup_code", 1, 6, 6, &in->pickup_code) == 0 &&
		    in->pickup_code) {
			size_t i;

			for (i = 0; i < 6; i++)
				if (in->pickup_code[i] < '0' || in->pickup_code[i] > '9') {
					req_fail_field(r, "pickup_code", "取件码为 6 位数字");
					break;
				}
		}
		break;
	default:
		break;
	}
	return in_has_errors(r) ? -1 : 0;
}

/* ---------------------------------------------------------------- POST /cases/{no}/cross-province */

struct step_arg {
	struct req			*r;
	const struct case_row		*cr;
	const struct xprov_step_in	*in;
	struct xprov_why		 why;
	json_t				*body;
};

static int
step_tx(struct ctx *c, void *arg)
{
	struct step_arg *a = arg;
	json_t *x = NULL;
	int rc;

	json_decref(a->body);
	a->body = NULL;
	if ((rc = xprov_step_tx(c, a->r, a->cr, a->in, &a->why)) != 0)
		return rc;
	if ((rc = xprov_json(c, a->cr->id, &x)) != 0)
		return rc;
	a->body = json_pack("{s:s,s:o}", "no", a->cr->no, "cross_province", x ? x : json_null());
	return 0;
}

/* The case of {no} for staff of its hall, else the reply (404, 503). */
static int
load_case(struct req *r, struct case_row *cr)
{
	int rc = case_load(r->ctx, r->sess.hall, r->pathv[0], cr);

	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0 || !case_visible(&r->sess, cr))
		return req_err_msg(r, E_NOT_FOUND, "没有这个办件");
	if (!cr->cross_province)
		return req_err_msg(r, E_NOT_FOUND, "该办件不是跨省通办办件");
	return 0;
}

static int
is_incoming(struct ctx *c, long long case_id, int *incoming)
{
	char d[8] = "";
	int rc = db_scalar(c, "SELECT direction FROM xprov_cases WHERE case_id = ?",
	    DBARGS(DBI(case_id)), d, sizeof d);

	*incoming = rc > 0 && strcmp(d, "in") == 0;
	return rc < 0 ? rc : 0;
}

int
h_xprov_step(struct req *r)
{
	struct xprov_step_in *in = NULL;
	struct case_row *cr = NULL;
	struct step_arg a;
	int rc, incoming = 0, may;

	memset(&a, 0, sizeof a);
	if ((cr = calloc(1, sizeof *cr)) == NULL || (in = calloc(1, sizeof *in)) == NULL) {
		rc = req_unavailable(r);
		goto out;
	}
	if ((rc = load_case(r, cr)) != 0)
		goto out;
	if ((rc = is_incoming(r->ctx, cr->id, &incoming)) != 0) {
		rc = db_fail(r, rc);
		goto out;
	}
	if (step_parse(r, incoming, in) != 0) {
		rc = req_invalid(r);
		goto out;
	}
	if ((may = xprov_may_record(r->ctx, &r->sess)) < 0) {
		rc = db_fail(r, may);
		goto out;
	}
	/* Our department decides an incoming case: its approvers record the decision. */
	if (!may && incoming && in->step == XP_DECIDE && r->sess.role == ROLE_APPROVER &&
	    case_in_department(&r->sess, cr))
		may = 1;
	if (!may) {
		audit(r, "xprov.step", cr->no, "forbidden", xprov_step_names[in->step]);
		rc = req_err_msg(r, E_FORBIDDEN, "只有跨省通办窗口的工作人员或大厅管理员可以记录跨省通办的步骤");
		goto out;
	}
	a.r = r;
	a.cr = cr;
	a.in = in;
	rc = db_tx(r->ctx, step_tx, &a);
	if (rc == 0)
		rc = req_ok(r, 200, a.body);
	else {
		json_decref(a.body);
		if (rc == E_INVALID_INPUT)
			rc = req_invalid(r);
		else if (rc > 0)
			rc = req_err_msg(r, rc, a.why.msg[0] ? a.why.msg : NULL);
		else
			rc = case_db_fail(r, rc);
	}
out:
	free(cr);
	free(in);
	return rc;
}

int
h_xprov_get(struct req *r)
{
	struct case_row *cr;
	json_t *x = NULL;
	int rc;

	if ((cr = calloc(1, sizeof *cr)) == NULL)
		return req_unavailable(r);
	if ((rc = load_case(r, cr)) == 0) {
		if ((rc = xprov_json(r->ctx, cr->id, &x)) != 0)
			rc = db_fail(r, rc);
		else
			rc = req_ok(r, 200, json_pack("{s:s,s:o}", "no", cr->no, "cross_province",
			    x ? x : json_null()));
	}
	free(cr);
	return rc;
}

/* ---------------------------------------------------------------- lists */

int
h_xprov_list(struct req *r)
{
	const char *state = NULL, *direction = NULL;
	json_t *a;
	int rc;

	q_str(r, "state", 0, 16, &state);
	q_str(r, "direction", 0, 8, &direction);
	if (state && str_index(xprov_state_names, state) < 0)
		req_fail_field(r, "state", "状态为 accepted、dispatched、received、decided、"
		    "returned 或 delivered");
	if (direction && strcmp(direction, directions[0]) != 0 &&
	    strcmp(direction, directions[1]) != 0)
		req_fail_field(r, "direction", "方向为 out（本地受理、外省办理）或 in（外省受理、本地办理）");
	if (in_has_errors(r))
		return req_invalid(r);
	a = json_array();
	if ((rc = xprov_list(r->ctx, r->sess.hall, state, direction, a)) < 0) {
		json_decref(a);
		return db_fail(r, rc);
	}
	return req_ok(r, 200, json_pack("{s:o}", "cases", a));
}

int
h_xprov_figures(struct req *r)
{
	json_t *f = NULL;
	int rc;

	if ((rc = xprov_figures(r->ctx, r->sess.hall, &f)) != 0)
		return db_fail(r, rc);
	return req_ok(r, 200, json_pack("{s:o}", "figures", f));
}

/* ---------------------------------------------------------------- POST /cross-province/incoming */

/* A masked value as sent: given, within max characters, with at least one '*'. */
static void
want_masked(struct req *r, json_t *o, const char *key, const char *field, size_t maxc,
    const char **out)
{
	if (in_sub_str(r, o, key, field, 1, 2, maxc, out) == 0 && strchr(*out, '*') == NULL)
		req_fail_field(r, field, "请按对方发来的脱敏信息填写（含 *），不接收完整信息");
}

struct incoming_arg {
	struct req			*r;
	const struct xprov_incoming_in	*in;
	char				 no[CASE_NO_MAX];
	int				 missing_year;
	json_t				*body;
};

static int
incoming_tx(struct ctx *c, void *arg)
{
	struct incoming_arg *a = arg;
	json_t *x = NULL;
	long long id = 0;
	char s[24] = "";
	int rc;

	json_decref(a->body);
	a->body = NULL;
	if ((rc = xprov_incoming_tx(c, a->r, a->in, a->no, &a->missing_year)) != 0)
		return rc;
	if ((rc = db_scalar(c, "SELECT id FROM cases WHERE no = ?", DBARGS(DBS(a->no)), s,
	    sizeof s)) < 0)
		return rc;
	parse_ll(s, 1, INT64_MAX, &id);
	if ((rc = xprov_json(c, id, &x)) != 0)
		return rc;
	a->body = json_pack("{s:s,s:o}", "no", a->no, "cross_province", x ? x : json_null());
	return 0;
}

int
h_xprov_incoming(struct req *r)
{
	struct xprov_incoming_in *in;
	struct incoming_arg a;
	json_t *app, *mats, *m;
	char field[40];
	size_t i;
	int rc, via = 0;

	if ((rc = xprov_may_record(r->ctx, &r->sess)) < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_FORBIDDEN, "只有跨省通办窗口的工作人员或大厅管理员可以登记外省受理的办件");
	if ((in = calloc(1, sizeof *in)) == NULL)
		return req_unavailable(r);
	in_str(r, r->body, "office", 1, 2, HANDOVER_OFFICE_MAX, &in->office);
	in_str(r, r->body, "their_no", 1, 1, 48, &in->their_no);
	in_str(r, r->body, "item", 1, 1, 40, &in->item);
	want_date(r, r->body, "accepted_on", &in->accepted_on);
	if (in->accepted_on > case_today())
		req_fail_field(r, "accepted_on", "受理日期不能晚于今天");
	app = json_object_get(r->body, "applicant");
	if (!json_is_object(app))
		req_fail_field(r, "applicant", "须填写对方发来的申请人脱敏信息：name、id_number、phone");
	else {
		want_masked(r, app, "name", "applicant.name", 20, &in->name);
		want_masked(r, app, "id_number", "applicant.id_number", 18, &in->id_number);
		want_masked(r, app, "phone", "applicant.phone", 11, &in->phone);
	}
	mats = json_object_get(r->body, "materials");
	if (!json_is_array(mats) || json_array_size(mats) < 1 ||
	    json_array_size(mats) > HANDOVER_MATS_MAX)
		req_fail_field(r, "materials", "须列出寄来的材料编号，1–50 项");
	else
		json_array_foreach(mats, i, m) {
			fmt(field, sizeof field, "materials[%zu]", i);
			if (!json_is_string(m) || json_string_length(m) < 1 ||
			    json_string_length(m) > 16)
				req_fail_field(r, field, "须为材料编号");
			else
				in->codes[in->ncodes++] = json_string_value(m);
		}
	if (in_enum(r, r->body, "via", 1, vias, &via) == 0)
		in->electronic = via == 1;
	want_waybill(r, r->body, via == 0 && !in_has_errors(r), &in->waybill);
	if (in_has_errors(r)) {
		free(in);
		return req_invalid(r);
	}
	memset(&a, 0, sizeof a);
	a.r = r;
	a.in = in;
	rc = db_tx(r->ctx, incoming_tx, &a);
	free(in);
	if (rc == 0)
		return req_ok(r, 201, a.body);
	json_decref(a.body);
	if (rc == E_INVALID_INPUT)
		return req_invalid(r);
	if (rc == E_CONFLICT)
		return req_err_msg(r, E_CONFLICT, "该办理地的这个办件已登记");
	if (rc == E_CALENDAR_MISSING)
		return case_reply_calendar(r, a.missing_year);
	if (rc > 0)
		return req_err(r, rc);
	return case_db_fail(r, rc);
}
