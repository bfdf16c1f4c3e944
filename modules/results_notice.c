/*
 * results_notice.c — the printable notices as A4 PDFs with their QR code.
 *
 * Route:  GET /case-notices/pdf?n=<token>   (public, like GET /case-notices?n=: the token is
 *         the capability; nginx keeps it out of the logs)
 * Tables: through h_notice (cases_view.c): case_notices, cases, case_materials, case_tracking
 * Redis:  none
 *
 * The PDF shows exactly what GET /case-notices shows (the JSON handler builds it; this one
 * only lays it out): 受理通知书 carries the tracking QR (扫码查询办理进度), 一次性告知书 and
 * 补正材料通知书 the QR of the notice itself, so the applicant reopens it on the phone.
 */
#include "handlers.h"
#include "cases.h"
#include "results.h"
#include "../fcgi/config.h"

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
	lines[k++] = strcmp(jsv(n, "kind"), "incomplete") == 0 ? "需补齐的材料" : "材料";
	lines[k++] = mt.data && mt.data[0] ? mt.data : "无";
	if (jsv(n, "note")[0]) {
		lines[k++] = "说明";
		lines[k++] = jsv(n, "note");
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
