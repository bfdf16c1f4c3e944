/*
 * handover_parse.c — the JSON of a hand-over sheet (handover_parse) and of its receipt
 * (handover_parse_receipt) into typed values, every field checked and each error named
 * (handover.h), before anything touches MariaDB.
 *
 * Routes: none here (handover_api.c and the rooms that send sheets call these).
 * Tables: none.  Redis: none.
 */
#include "handover.h"
#include "../cases/cases.h"
#include "../../fcgi/util.h"

#include <stdlib.h>
#include <string.h>

/* A string member: absent (0, *out NULL), or 1..maxc characters of valid UTF-8 (0), else a
 * field error (-1).  required: absence is an error too. */
static int
want_str(struct req *r, json_t *o, const char *key, const char *field, int required,
    size_t maxc, const char **out)
{
	json_t *v = json_object_get(o, key);
	const char *s;
	size_t n;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			req_fail_field(r, field, "必填");
		return required ? -1 : 0;
	}
	if (!json_is_string(v)) {
		req_fail_field(r, field, "须为文字");
		return -1;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	if (strlen(s) != n || !utf8_ok(s, n)) {
		req_fail_field(r, field, "含有无效字符");
		return -1;
	}
	if (utf8_len(s, n) < 1 || utf8_len(s, n) > maxc) {
		char msg[64];

		fmt(msg, sizeof msg, "须为 1–%zu 个字", maxc);
		req_fail_field(r, field, msg);
		return -1;
	}
	*out = s;
	return 0;
}

/* The case number member "no" (its errors named field): *out, or NULL after an error. */
static void
want_case_no(struct req *r, json_t *o, const char *field, const char **out)
{
	if (want_str(r, o, "no", field, 1, CASE_NO_MAX - 1, out) == 0 &&
	    !token_ok(*out, CASE_NO_MAX - 1)) {
		req_fail_field(r, field, "不是有效的办件编号");
		*out = NULL;
	}
}

/* An integer member in [min, max]: absent (0, *out = -1 when not required), else -1. */
static int
want_int(struct req *r, json_t *o, const char *key, const char *field, int required,
    long long min, long long max, long long *out)
{
	json_t *v = json_object_get(o, key);
	char msg[64];

	*out = -1;
	if (v == NULL || json_is_null(v)) {
		if (required)
			req_fail_field(r, field, "必填");
		return required ? -1 : 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		fmt(msg, sizeof msg, "须为 %lld–%lld 的整数", min, max);
		req_fail_field(r, field, msg);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

/* "to": {"window":N|"department":"D"|"office":"…", "hall"?} or {"hall":"H"}. */
static void
parse_to(struct req *r, json_t *to, struct handover_end *e)
{
	const char *hall = NULL, *dept = NULL, *office = NULL;
	long long w = -1;
	int kinds;

	memset(e, 0, sizeof *e);
	e->kind = HO_HALL;
	if (!json_is_object(to)) {
		req_fail_field(r, "to", "须为对象：{\"window\"|\"department\"|\"hall\"|\"office\"}");
		return;
	}
	kinds = (json_object_get(to, "window") != NULL) + (json_object_get(to, "department") != NULL) +
	    (json_object_get(to, "office") != NULL);
	if (kinds > 1) {
		req_fail_field(r, "to", "只能填写窗口、部门、办理机构中的一项");
		return;
	}
	want_str(r, to, "hall", "to.hall", 0, 32, &hall);
	if (hall && !token_ok(hall, 32))
		req_fail_field(r, "to.hall", "不是有效的大厅代码");
	if (json_object_get(to, "window")) {
		e->kind = HO_WINDOW;
		if (want_int(r, to, "window", "to.window", 1, 1, 65535, &w) == 0)
			e->window = (int)w;
	} else if (json_object_get(to, "department")) {
		e->kind = HO_DEPARTMENT;
		want_str(r, to, "department", "to.department", 1, 32, &dept);
		if (dept && !token_ok(dept, 32))
			req_fail_field(r, "to.department", "不是有效的部门代码");
		else if (dept)
			str_copy(e->department, sizeof e->department, dept);
	} else if (json_object_get(to, "office")) {
		e->kind = HO_OFFICE;
		want_str(r, to, "office", "to.office", 1, HANDOVER_OFFICE_MAX, &office);
		if (office && utf8_blank(office))
			req_fail_field(r, "to.office", "不能为空");
		else if (office)
			str_copy(e->office, sizeof e->office, office);
	} else if (hall == NULL)
		req_fail_field(r, "to", "须填写 window、department、hall 或 office");
	str_copy(e->hall, sizeof e->hall, hall ? hall : r->sess.hall);
}

/* A list's element, named prefix ("cases[0]"), must be an object (shape: what it holds):
 * 1, or 0 with the field error. */
static int
elem_object(struct req *r, json_t *e, const char *prefix, const char *shape)
{
	if (json_is_object(e))
		return 1;
	req_fail_field(r, prefix, shape);
	return 0;
}

/* o's "code" (field names it), a material's code of 1–15 of [A-Za-z0-9_-], into *out;
 * NULL with the field error when it is not one. */
static void
want_mat_code(struct req *r, json_t *o, const char *field, int required, const char **out)
{
	if (want_str(r, o, "code", field, required, 15, out) == 0 && *out &&
	    !token_ok(*out, 15)) {
		req_fail_field(r, field, "不是有效的材料代码");
		*out = NULL;
	}
}

int
handover_parse(struct req *r, json_t *body, struct handover_in *in)
{
	json_t *cases, *c, *mats, *m;
	char f[96];
	size_t i, j, k;

	memset(in, 0, sizeof *in);
	if (!json_is_object(body)) {
		req_fail_field(r, "to", "必填");
		req_fail_field(r, "cases", "必填");
		return 0;
	}
	if (json_object_get(body, "to") == NULL)
		req_fail_field(r, "to", "必填");
	else
		parse_to(r, json_object_get(body, "to"), &in->to);
	want_str(r, body, "note", "note", 0, HANDOVER_NOTE_MAX, &in->note);
	cases = json_object_get(body, "cases");
	if (!json_is_array(cases) || json_array_size(cases) < 1 ||
	    json_array_size(cases) > HANDOVER_CASES_MAX) {
		fmt(f, sizeof f, "须为 1–%d 件办件的列表", HANDOVER_CASES_MAX);
		req_fail_field(r, "cases", f);
		return 0;
	}
	in->ncases = json_array_size(cases);
	in->cases = calloc(in->ncases, sizeof *in->cases);
	if (in->cases == NULL)
		return -1;
	json_array_foreach(cases, i, c) {
		struct handover_case_in *ci = &in->cases[i];

		fmt(f, sizeof f, "cases[%zu]", i);
		if (!elem_object(r, c, f, "须为对象：{\"no\",\"materials\"}"))
			continue;
		fmt(f, sizeof f, "cases[%zu].no", i);
		want_case_no(r, c, f, &ci->no);
		for (k = 0; ci->no && k < i; k++)
			if (in->cases[k].no && strcmp(in->cases[k].no, ci->no) == 0)
				req_fail_field(r, f, "同一办件在交接单上出现了两次");
		mats = json_object_get(c, "materials");
		fmt(f, sizeof f, "cases[%zu].materials", i);
		if (!json_is_array(mats) || json_array_size(mats) < 1 ||
		    json_array_size(mats) > HANDOVER_MATS_MAX) {
			req_fail_field(r, f, "须为 1–50 项材料的列表：[{\"code\",\"pages\"}]");
			continue;
		}
		ci->nmats = json_array_size(mats);
		json_array_foreach(mats, j, m) {
			struct handover_mat_in *mi = &ci->mats[j];

			fmt(f, sizeof f, "cases[%zu].materials[%zu]", i, j);
			if (!elem_object(r, m, f, "须为对象：{\"code\",\"pages\"}"))
				continue;
			fmt(f, sizeof f, "cases[%zu].materials[%zu].code", i, j);
			want_mat_code(r, m, f, 1, &mi->code);
			for (k = 0; mi->code && k < j; k++)
				if (ci->mats[k].code && strcmp(ci->mats[k].code, mi->code) == 0)
					req_fail_field(r, f, "同一材料出现了两次");
			fmt(f, sizeof f, "cases[%zu].materials[%zu].pages", i, j);
			want_int(r, m, "pages", f, 1, 1, HANDOVER_PAGES_MAX, &mi->pages);
		}
	}
	return 0;
}

int
handover_parse_receipt(struct req *r, json_t *body, struct handover_disc *d, size_t dmax,
    size_t *nd, const char **note)
{
	json_t *list, *o;
	char f[96];
	size_t i, k;
	int missing;

	*nd = 0;
	*note = NULL;
	if (body == NULL || json_is_null(body))
		return 0;
	if (!json_is_object(body)) {
		req_fail_field(r, "discrepancies", "须为对象");
		return 0;
	}
	want_str(r, body, "note", "note", 0, HANDOVER_NOTE_MAX, note);
	list = json_object_get(body, "discrepancies");
	if (list == NULL || json_is_null(list))
		return 0;
	if (!json_is_array(list) || json_array_size(list) > dmax) {
		fmt(f, sizeof f, "须为至多 %zu 项的列表", dmax);
		req_fail_field(r, "discrepancies", f);
		return 0;
	}
	json_array_foreach(list, i, o) {
		struct handover_disc *x = &d[i];

		memset(x, 0, sizeof *x);
		x->pages_received = -1;
		fmt(f, sizeof f, "discrepancies[%zu]", i);
		if (!elem_object(r, o, f,
		    "须为对象：{\"no\",\"code\",\"pages_received\"|\"missing\",\"note\"}"))
			continue;
		fmt(f, sizeof f, "discrepancies[%zu].no", i);
		want_case_no(r, o, f, &x->no);
		fmt(f, sizeof f, "discrepancies[%zu].code", i);
		want_mat_code(r, o, f, 0, &x->code);
		fmt(f, sizeof f, "discrepancies[%zu].pages_received", i);
		want_int(r, o, "pages_received", f, 0, 0, HANDOVER_PAGES_MAX, &x->pages_received);
		missing = 0;
		if (json_object_get(o, "missing") && !json_is_null(json_object_get(o, "missing"))) {
			if (!json_is_boolean(json_object_get(o, "missing"))) {
				fmt(f, sizeof f, "discrepancies[%zu].missing", i);
				req_fail_field(r, f, "须为 true 或 false");
			} else
				missing = json_is_true(json_object_get(o, "missing"));
		}
		x->missing = missing;
		fmt(f, sizeof f, "discrepancies[%zu].note", i);
		want_str(r, o, "note", f, 0, HANDOVER_NOTE_MAX, &x->note);
		fmt(f, sizeof f, "discrepancies[%zu]", i);
		if (x->missing && x->pages_received >= 0)
			req_fail_field(r, f, "pages_received 与 missing 只能填一项");
		else if (!x->missing && x->pages_received < 0)
			req_fail_field(r, f, "须填写 pages_received（实收页数）或 missing: true");
		else if (x->code == NULL && !x->missing)
			req_fail_field(r, f, "整卷缺失请填 missing: true；页数差异须写明材料代码 code");
		for (k = 0; x->no && k < i; k++)
			if (d[k].no && strcmp(d[k].no, x->no) == 0 &&
			    ((d[k].code == NULL && x->code == NULL) ||
			    (d[k].code && x->code && strcmp(d[k].code, x->code) == 0)))
				req_fail_field(r, f, "同一材料的差异出现了两次");
	}
	*nd = json_array_size(list);
	return 0;
}
