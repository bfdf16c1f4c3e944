/*
 * results_notice.c — the printable notices as A4 PDFs with their QR code.
 *
 * Routes: GET /case-notices/pdf?n=<token>   (public, like GET /case-notices?n=: the token is
 *         the capability; nginx keeps it out of the logs)
 *         POST /case-notices/refusals          (clerk at a window: 不予受理通知书)
 * Tables: through h_notice (cases_view.c): case_notices, cases, case_materials, case_tracking;
 *         items, audit_log (the refusal)
 * Redis:  none
 *
 * The PDF shows exactly what GET /case-notices shows (the JSON handler builds it; this one
 * only lays it out): 受理通知书 carries the tracking QR (扫码查询办理进度), 一次性告知书 and
 * 补正材料通知书 and 不予受理通知书 the QR of the notice itself, so the applicant reopens it
 * on the phone.
 *
 * 不予受理 (refusal to accept) creates no case: one case_notices row (kind 'refused') with the
 * item, the applicant's masked name, the reason and the window, and its audit row.  The clerk
 * prints it at once (staff/notice.html or the PDF); no SMS, so no phone is asked for.
 */
#include "handlers.h"
#include "../shared/audit.h"
#include "../cases/cases.h"
#include "../shared/pii.h"
#include "../../fcgi/db.h"
#include "results.h"
#include "../../fcgi/config.h"
#include "../cases/handlers.h"

#include <sodium.h>
#include <string.h>

#define LINES_MAX 24

static const char *
jsv(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* "1. name（form，n 份）；2. …", bounded. */
static void
materials_text(json_t *mats, struct buf *b)
{
	json_t *m;
	size_t i;

	json_array_foreach(mats, i, m) {
		const char *state = jsv(m, "state"), *due = jsv(m, "due");

		buf_addf(b, "%s%zu. %s", i ? "；" : "", i + 1, jsv(m, "name"));
		if (strcmp(state, "waived") == 0)
			buf_addf(b, "（容缺，%s 前补交）", due);
		else if (strcmp(state, "requested") == 0)
			buf_adds(b, "（需补正）");
		else if (jsv(m, "form")[0])
			buf_addf(b, "（%s，%lld 份）", jsv(m, "form"),
			    (long long)json_integer_value(json_object_get(m, "copies")));
	}
	buf_add(b, "", 1);
}

int
h_notice_pdf(struct req *r)
{
	const char *lines[LINES_MAX + 2], *token = req_query(r, "n"), *caption;
	char qr[512], path[160], window[160];
	const char *base = config_get("public_base_url", "");
	json_t *n, *c, *mats;
	struct buf mt;
	size_t k = 0, bn = strlen(base);
	int rc;

	if ((rc = h_notice(r)) != 200)
		return rc;
	n = json_object_get(r->reply, "notice");
	c = json_object_get(n, "case");
	mats = c ? json_object_get(c, "materials") : json_object_get(n, "materials");
	buf_init(&mt, 16 * 1024);
	materials_text(mats, &mt);

	lines[k++] = "事项";
	lines[k++] = jsv(json_object_get(n, "item"), "name");
	lines[k++] = "实施部门";
	lines[k++] = jsv(json_object_get(n, "item"), "department");
	lines[k++] = "申请人";
	lines[k++] = jsv(n, "applicant");
	if (c) {
		lines[k++] = "办件编号";
		lines[k++] = jsv(c, "no");
		if (jsv(c, "deadline")[0]) {
			lines[k++] = "承诺办结日期";
			lines[k++] = jsv(c, "deadline");
		}
	}
	if (strcmp(jsv(n, "kind"), "refused") == 0) {
		lines[k++] = "不予受理理由";
		lines[k++] = jsv(n, "note");
	} else {
		lines[k++] = strcmp(jsv(n, "kind"), "incomplete") == 0 ? "需补齐的材料" : "材料";
		lines[k++] = mt.data && mt.data[0] ? mt.data : "无";
		if (jsv(n, "note")[0]) {
			lines[k++] = "说明";
			lines[k++] = jsv(n, "note");
		}
	}
	fmt(window, sizeof window, "%s %s", jsv(n, "window_name"), jsv(n, "clerk"));
	lines[k++] = "经办窗口";
	lines[k++] = window;
	lines[k++] = "日期";
	lines[k++] = jsv(n, "created_at");
	lines[k++] = "咨询电话";
	lines[k++] = jsv(json_object_get(n, "hall"), "phone");
	lines[k] = NULL;
	lines[k + 1] = NULL;

	while (bn > 0 && base[bn - 1] == '/')
		bn--;
	if (c && jsv(c, "track_url")[0]) {
		str_copy(qr, sizeof qr, jsv(c, "track_url"));
		caption = "扫码查询办理进度";
	} else {
		case_notice_url(token, path, sizeof path);
		fmt(qr, sizeof qr, "%.*s%s", (int)bn, base, path);
		caption = "扫码在手机上查看本告知书";
	}
	buf_free(&r->raw_reply);
	buf_init(&r->raw_reply, 16 * 1024 * 1024);
	rc = pdf_document(jsv(n, "title"), lines, qr, caption,
	    jsv(json_object_get(n, "hall"), "name"), &r->raw_reply);
	buf_free(&mt);
	json_decref(r->reply);
	r->reply = NULL;
	if (rc != 0)
		return req_bug(r, "PDF rendering failed");
	r->raw_type = "application/pdf";
	r->status = 200;
	req_header(r, "Content-Disposition", "inline; filename=\"notice.pdf\"");
	req_header(r, "Cache-Control", "no-store");
	return 200;
}

/*
 * POST /case-notices/refusals {"item","applicant":{"name"},"reason"} (clerk): 不予受理.
 * 201 {"notice_url","notice_pdf_url"}.
 */
int
h_notice_refuse(struct req *r)
{
	const char *item = NULL, *name = NULL, *reason = NULL;
	json_t *ap = json_object_get(r->body, "applicant");
	unsigned char sealed[PII_SEALED_MAX];
	char tok[CASE_TOKEN_MAX], hash[65], mask[64], now[20], url[160], pdf[200], one[4];
	long long staff = 0;
	int rc, n;

	in_str(r, r->body, "item", 1, 1, 40, &item);
	in_str(r, r->body, "reason", 1, 1, 200, &reason);
	{
		/* The error names "applicant.name", as POST /cases does. */
		json_t *tmp = json_object();

		json_object_set(tmp, "applicant.name", json_is_object(ap) ?
		    json_object_get(ap, "name") : NULL);
		in_str(r, tmp, "applicant.name", 1, 1, 20, &name);
		json_decref(tmp);	/* name stays valid: ap still holds the string */
	}
	if (in_has_errors(r))
		return req_invalid(r);
	rc = db_scalar(r->ctx, "SELECT 1 FROM items WHERE id = ? AND hall = ?",
	    DBARGS(DBS(item), DBS(r->sess.hall)), one, sizeof one);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail_field(r, "item", "本中心没有这个事项"), req_invalid(r);
	if ((n = case_token_new(tok, hash, sealed, sizeof sealed)) < 0)
		return req_bug(r, "cannot make a token");
	mask_name(name, mask, sizeof mask);
	parse_ll(r->sess.subject, 1, INT64_MAX, &staff);
	case_now(now);
	if ((rc = db_begin(r->ctx)) == 0) {
		rc = db_exec(r->ctx, "INSERT INTO case_notices (token_hash, token_enc, kind, hall, item,"
		    " case_id, applicant_mask, materials, note, window_no, created_by, created_at)"
		    " VALUES (?, ?, 'refused', ?, ?, NULL, ?, NULL, ?, ?, ?, ?)",
		    DBARGS(DBS(hash), DBSN((const char *)sealed, (size_t)n), DBS(r->sess.hall),
		    DBS(item), DBS(mask), DBS(reason), r->sess.window ? DBI(r->sess.window) : DBN,
		    staff ? DBI(staff) : DBN, DBS(now)), NULL, NULL);
		if (rc == 0) {
			audit(r, "case.refuse_accept", item, "ok", "");
			rc = db_commit(r->ctx);
		} else
			db_rollback(r->ctx);
	}
	if (rc != 0) {
		sodium_memzero(tok, sizeof tok);
		return db_fail(r, rc);
	}
	case_notice_url(tok, url, sizeof url);
	fmt(pdf, sizeof pdf, "/api/v1/case-notices/pdf?n=%s", tok);
	sodium_memzero(tok, sizeof tok);
	rc = req_ok(r, 201, json_pack("{s:s,s:s}", "notice_url", url, "notice_pdf_url", pdf));
	sodium_memzero(pdf, sizeof pdf);
	return rc;
}
