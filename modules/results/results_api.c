/*
 * results_api.c — the results of cases over HTTP (办理结果: 证照、决定书): public
 * verification, staff views and PDFs, revocation and replacement, electronic delivery.
 *
 * Routes: GET  /results/public-key               the instance's Ed25519 public key (public)
 *         GET  /verify/{vid}                     what the verify page shows (public; nginx
 *                                                rate-limits /api/v1/verify/ like tracking)
 *         GET  /cases/{no}/results               staff: the case's results with their QR text
 *         GET  /results/{vid}/pdf                staff: print the result (recorded)
 *         POST /results/{vid}/revoke             manager, admin: 撤销 (audited)
 *         POST /results/{vid}/replace            manager, admin: 换发 a new one (audited)
 *         GET  /me/cases/{no}/results            the applicant (or agent): the case's results
 *         GET  /me/cases/{no}/results/{vid}/pdf  the applicant: electronic delivery (recorded)
 * Tables: through results_view.c and results_change.c; case_history (case_history_add),
 *         audit_log (audit.c)
 * Redis:  none
 */
#include "handlers.h"
#include "results_int.h"
#include "../shared/audit.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <sodium.h>
#include <string.h>

/* GET /results/public-key */
int
h_result_public_key(struct req *r)
{
	char pk[RESULT_PK_B64], id[17];

	if (result_public_key_b64(pk, id) != 0)
		return req_unavailable(r);
	req_header(r, "Cache-Control", "public, max-age=3600");
	return req_ok(r, 200, json_pack("{s:s,s:s,s:s,s:s}", "alg", "Ed25519", "public_key", pk,
	    "key_id", id, "encoding", "base64url"));
}

/* GET /verify/{vid}: the record behind a QR, for the verify page (no PII but the mask). */
int
h_result_verify(struct req *r)
{
	struct result_row x;
	json_t *o;
	int rc = result_load(r->ctx, r->pathv[0], &x);

	if ((rc = db_found(r, rc, "没有这个办理结果，该二维码无效")) != 0)
		return rc;
	o = result_fields_json(&x);
	json_object_set_new(o, "replaced_by", x.replaced_by_number[0] ?
	    json_string(x.replaced_by_number) : json_null());
	json_object_set_new(o, "changed_at", x.changed_at[0] ? json_string(x.changed_at) :
	    json_null());
	if ((rc = result_add_joined(r->ctx, &x, o)) != 0) {
		json_decref(o);
		return db_fail(r, rc);
	}
	req_header(r, "Cache-Control", "no-store");
	return req_ok(r, 200, json_pack("{s:o}", "result", o));
}

/* GET /cases/{no}/results */
int
h_case_results(struct req *r)
{
	struct case_row cr;
	json_t *a;
	int rc = case_load(r->ctx, r->sess.hall, r->pathv[0], &cr);

	sodium_memzero(cr.phone, sizeof cr.phone);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0 || !case_visible(&r->sess, &cr))
		return req_err_msg(r, E_NOT_FOUND, "没有这个办件");
	if ((rc = results_case_json(r->ctx, cr.id, 0, &a)) != 0)
		return db_fail(r, rc);
	return req_ok(r, 200, json_pack("{s:s,s:o}", "case_no", cr.no, "results", a));
}

/* A result of the caller's hall (and department, for an approver).  1, 0 or a DB_* code. */
static int
staff_result(struct req *r, struct result_row *x)
{
	return result_load_staff(r->ctx, r->pathv[0], r->sess.hall,
	    r->sess.role == ROLE_APPROVER ? r->sess.department : NULL, x);
}

/* 409 RESULT_NOT_VALID, with the result's status among the fields. */
static int
not_valid_reply(struct req *r, const char *status)
{
	int rc = req_err_msg(r, E_RESULT_NOT_VALID, strcmp(status, "revoked") == 0 ?
	    "该办理结果已撤销，不能再操作" : "该办理结果已被替换，请对新的结果操作");

	json_decref(r->err_extra);
	r->err_extra = json_pack("{s:s}", "status", status);
	return rc;
}

struct change_step {
	struct req			*r;
	const struct result_row		*x;
	struct result_change		*ch;
	int				 replace;
};

/* The change's transaction: the result, the case's history row, the audit row. */
static int
change_step(struct ctx *c, void *arg)
{
	struct change_step *st = arg;
	const struct result_row *x = st->x;
	int rc = st->replace ? result_replace(c, x, st->ch) : result_revoke(c, x, st->ch);

	if (rc == 0)
		rc = case_history_add(st->r->ctx, &st->r->sess, x->case_id, st->ch->now,
		    st->replace ? "result_replace" : "result_revoke", x->case_status,
		    x->case_status, x->department, st->ch->reason,
		    st->replace ? "办理结果已换发" : "办理结果已撤销");
	if (rc == 0)
		audit(st->r, st->replace ? "result.replace" : "result.revoke", x->f.number, "ok",
		    st->replace ? st->ch->new_vid : x->f.vid);
	return rc;
}

/* The reply to a change: 200 {"result"} (revoke), 201 {"result","replaced"} (replace). */
static int
change_reply(struct req *r, struct result_row *x, const struct result_change *ch,
    int replace)
{
	struct result_row nx;
	json_t *o = NULL, *old = NULL;
	int rc;

	if ((rc = result_load(r->ctx, x->f.vid, x)) <= 0 ||
	    (rc = result_json(r->ctx, x, &old)) != 0)
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "result vanished");
	if (!replace)
		return req_ok(r, 200, json_pack("{s:o}", "result", old));
	if ((rc = result_load(r->ctx, ch->new_vid, &nx)) <= 0 ||
	    (rc = result_json(r->ctx, &nx, &o)) != 0) {
		json_decref(old);
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "result vanished");
	}
	return req_ok(r, 201, json_pack("{s:o,s:o}", "result", o, "replaced", old));
}

/* POST /results/{vid}/revoke and POST /results/{vid}/replace */
int
h_result_change(struct req *r)
{
	const int replace = req_route_ends(r, "/replace");
	struct result_row x;
	struct result_change ch;
	struct change_step st;
	int rc;

	memset(&ch, 0, sizeof ch);
	in_str(r, r->body, "reason", 1, 1, 200, &ch.reason);
	if (replace)
		in_str(r, r->body, "valid_until", 0, 10, 10, &ch.valid_until);
	if (ch.valid_until && !result_valid_until_ok(ch.valid_until))
		req_fail_field(r, "valid_until", "请按 YYYY-MM-DD 填写有效期至");
	if (in_has_errors(r))
		return req_invalid(r);
	parse_ll(r->sess.subject, 1, INT64_MAX, &ch.staff);
	case_now(ch.now);
	if ((rc = db_found(r, staff_result(r, &x), "没有这个办理结果")) != 0)
		return rc;
	if ((rc = result_change_allowed(&x, replace)) == E_RESULT_NOT_VALID)
		return not_valid_reply(r, x.status);
	if (rc != 0)
		return req_err_msg(r, rc, "不予许可决定书不能换发");
	st = (struct change_step){ r, &x, &ch, replace };
	if ((rc = db_tx(r->ctx, change_step, &st)) == E_RESULT_NOT_VALID) {
		audit(r, replace ? "result.replace" : "result.revoke", x.f.number, "conflict", "");
		return not_valid_reply(r, x.status);
	}
	if (rc != 0)
		return db_fail(r, rc);
	return change_reply(r, &x, &ch, replace);
}

/* The PDF of x as the reply (an attachment named after its number); its download is
 * recorded with the citizen or staff who asked. */
static int
pdf_reply(struct req *r, const struct result_row *x, const char *citizen, long long staff)
{
	char disp[128];
	int rc;

	buf_free(&r->raw_reply);
	buf_init(&r->raw_reply, 16 * 1024 * 1024);
	if ((rc = result_pdf_make(r->ctx, x, citizen, staff, &r->raw_reply)) != 0) {
		buf_free(&r->raw_reply);
		if (rc == E_UNAVAILABLE)
			return req_unavailable(r);
		return rc == E_INTERNAL ? req_bug(r, "PDF rendering failed") : db_fail(r, rc);
	}
	r->raw_type = "application/pdf";
	r->status = 200;
	fmt(disp, sizeof disp, "attachment; filename=\"result-%s.pdf\"", x->f.number);
	req_header(r, "Content-Disposition", disp);
	req_header(r, "Cache-Control", "no-store");
	return 200;
}

/* GET /results/{vid}/pdf (staff: the window prints it) */
int
h_result_pdf(struct req *r)
{
	struct result_row x;
	long long staff = 0;
	int rc = staff_result(r, &x);

	if ((rc = db_found(r, rc, "没有这个办理结果")) != 0)
		return rc;
	parse_ll(r->sess.subject, 1, INT64_MAX, &staff);
	return pdf_reply(r, &x, NULL, staff);
}

/* GET /me/cases/{no}/results */
int
h_my_case_results(struct req *r)
{
	long long id;
	json_t *a;
	int rc = results_my_case(r->ctx, r->sess.subject, r->pathv[0], &id);

	if ((rc = db_found(r, rc, "没有这个办件")) != 0)
		return rc;
	if ((rc = results_case_json(r->ctx, id, 1, &a)) != 0)
		return db_fail(r, rc);
	return req_ok(r, 200, json_pack("{s:s,s:o}", "case_no", r->pathv[0], "results", a));
}

/* GET /me/cases/{no}/results/{vid}/pdf: electronic delivery (全程网办) */
int
h_my_result_pdf(struct req *r)
{
	struct result_row x;
	long long id;
	int rc = results_my_case(r->ctx, r->sess.subject, r->pathv[0], &id);

	if (rc > 0)
		rc = result_load(r->ctx, r->pathv[1], &x);
	if (rc > 0 && x.case_id != id)
		rc = 0;
	if ((rc = db_found(r, rc, "没有这个办理结果")) != 0)
		return rc;
	if (!x.electronic)
		return req_err_msg(r, E_RESULT_NOT_ELECTRONIC,
		    "该事项的办理结果不提供电子版，请到窗口领取或邮寄");
	if (strcmp(x.status, "valid") != 0)
		return req_err_msg(r, E_RESULT_NOT_VALID, strcmp(x.status, "revoked") == 0 ?
		    "该办理结果已撤销" : "该办理结果已被替换，请下载新的结果");
	audit(r, "result.download", x.f.number, "ok", x.f.vid);
	return pdf_reply(r, &x, r->sess.subject, 0);
}
