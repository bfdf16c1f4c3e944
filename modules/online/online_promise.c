/*
 * online_promise.c — the online form's two rules of issue 19: 告知承诺 in place of a
 * certificate ({"materials":{"M3":{"promise":{"signed":true}}}}), and items that must be
 * applied for in person (items.must_attend: refused online, a booking offered instead).
 *
 * Routes: none of its own (POST /cases by a citizen, online_apply.c).
 * Tables: categories (read), item_materials (read), case_materials
 * Redis:  none.
 *
 * The 事后核查 tasks of the promised materials are opened when the clerk accepts the case at
 * the pre-review (online_review.c → cases/case_promise.c), not at submission: a case
 * returned or never accepted has nothing to verify.
 */
#include "online_int.h"
#include "../cases/case_promise.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <stdio.h>
#include <string.h>

int
online_must_attend(struct req *r, const struct form *f)
{
	const struct form_part *p = NULL;
	char cat_name[204] = "", url[160], msg[400];
	size_t i;
	int rc;

	for (i = 0; i < f->nparts && p == NULL; i++)
		if (f->parts[i].must_attend)
			p = &f->parts[i];
	if (p == NULL)
		return 0;
	rc = db_scalar(r->ctx, "SELECT name FROM categories WHERE hall = ? AND code = ?",
	    DBARGS(DBS(f->hall), DBS(p->category)), cat_name, sizeof cat_name);
	if (rc < 0)
		return db_fail(r, rc);
	fmt(msg, sizeof msg, "「%s」须申请人本人到政务服务中心现场办理，不能网上申请。"
	    "请预约「%s」后按时到场办理", p->name, cat_name[0] ? cat_name : p->category);
	fmt(url, sizeof url, "/book.html?hall=%s&category=%s", f->hall, p->category);
	req_fail_field(r, f->bundle[0] ? "bundle" : "item", msg);
	rc = req_err_msg(r, E_MUST_ATTEND, msg);
	json_decref(r->err_extra);
	r->err_extra = json_pack("{s:{s:s,s:s,s:s,s:s,s:s}}", "booking", "hall", f->hall,
	    "category", p->category, "category_name", cat_name, "item", p->item, "url", url);
	return rc;
}

void
online_promise_given(struct req *r, const struct form_mat *m, json_t *v, const char *field,
    struct given *g)
{
	char msg[300];
	const char *why;

	if (json_object_size(v) != 1 || json_object_get(v, "promise") == NULL) {
		req_fail_field(r, field, "须为上传文件编号、\"reuse\" 或 {\"promise\": {\"signed\": true}}");
		return;
	}
	if (!m->promise_allowed) {
		fmt(msg, sizeof msg, "%s不适用告知承诺制，请上传材料", m->name);
		req_fail_field(r, field, msg);
		return;
	}
	if ((why = promise_signed_check(json_object_get(v, "promise"))) != NULL) {
		req_fail_field(r, field, why);
		return;
	}
	g->promised = 1;
}

int
online_promise_rows(struct ctx *c, long long case_id, const struct form_mat *m)
{
	return case_material_rows(c, case_id, m->parts, NULL);
}
