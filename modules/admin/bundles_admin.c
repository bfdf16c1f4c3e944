/*
 * bundles_admin.c — bundles (一件事一次办) as the region administers them (catalog_admin.h):
 * a name, the hall that offers it, its items in order, and the union of their materials.
 *
 * Tables: bundles, bundle_items, items, item_materials (read), halls (read), audit_catalog
 * Redis:  none
 *
 * A case filed under a bundle keeps its own parts (case_parts) and materials, so changing
 * a bundle's items changes what new applications ask for, never a running case.  The online
 * room offers a bundle only while every item of it is there for its hall (bundles.c), so
 * an item held by a bundle that is not retired cannot be retired (catalog_items.c).
 */
#include "catalog_admin.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <stdlib.h>
#include <string.h>

json_t *
cat_bundle_norm(json_t *in, const char *id, const char *pfx, json_t *errs)
{
	json_t *o, *v, *items, *list;
	size_t i, before = json_object_size(errs);
	char sub[96];

	if (!json_is_object(in)) {
		cat_problem(errs, pfx, "bundle", "须为对象");
		return NULL;
	}
	o = json_object();
	cat_norm_id(in, id, pfx, errs, o, "与地址中的一件事编号不一致");
	v = json_object_get(in, "hall");
	if (!json_is_string(v) || json_string_length(v) < 1 || json_string_length(v) > 32)
		cat_problem(errs, pfx, "hall", v == NULL ? "必填" : "须为中心编号");
	else
		json_object_set(o, "hall", v);
	v = json_object_get(in, "name");
	if (!json_is_string(v) || !utf8_ok(json_string_value(v), json_string_length(v)) ||
	    utf8_len(json_string_value(v), json_string_length(v)) < 1 ||
	    utf8_len(json_string_value(v), json_string_length(v)) > 200)
		cat_problem(errs, pfx, "name", v == NULL ? "必填" : "名称为 1–200 个字");
	else
		json_object_set(o, "name", v);
	v = json_object_get(in, "description");
	if (v == NULL || json_is_null(v))
		json_object_set_new(o, "description", json_string(""));
	else if (!json_is_string(v) || !utf8_ok(json_string_value(v), json_string_length(v)) ||
	    utf8_len(json_string_value(v), json_string_length(v)) > 500)
		cat_problem(errs, pfx, "description", "说明最多 500 个字");
	else
		json_object_set(o, "description", v);
	v = json_object_get(in, "sort");
	if (v == NULL || json_is_null(v))
		json_object_set_new(o, "sort", json_integer(0));
	else if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 65535)
		cat_problem(errs, pfx, "sort", "超出允许范围");
	else
		json_object_set(o, "sort", v);
	items = json_object_get(in, "items");
	list = json_array();
	json_object_set_new(o, "items", list);
	if (!json_is_array(items) || json_array_size(items) < 2 ||
	    json_array_size(items) > CAT_MAX_BUNDLE)
		cat_problem(errs, pfx, "items", "一件事包含 2–10 个事项（事项编号的列表）");
	else
		for (i = 0; i < json_array_size(items); i++) {
			json_t *it = json_array_get(items, i);

			fmt(sub, sizeof sub, "%sitems[%zu]", pfx ? pfx : "", i);
			if (!json_is_string(it) || !cat_id_ok(json_string_value(it))) {
				cat_problem(errs, sub, "", "须为事项编号");
				continue;
			}
			if (cat_listed(list, json_string_value(it)))
				cat_problem(errs, sub, "", "重复的事项");
			else
				json_array_append(list, it);
		}
	return cat_norm_end(o, errs, before);
}

/* The bundle as stored: {id, hall, name, description, sort, items: [ids]} (what a change
 * compares and the trail keeps), plus retired_at.  1, 0 or a DB_* code. */
static int
bundle_row(struct ctx *c, const char *id, json_t **out)
{
	static const char *const names[] = { "id", "hall", "name", "description", "sort",
		"retired_at" };
	json_t *rows = json_array(), *ids = json_array();
	int rc;

	*out = NULL;
	rc = db_rows_json(c, "SELECT id, hall, name, description, sort,"
	    " DATE_FORMAT(retired_at, '%Y-%m-%dT%H:%i:%s+08:00') FROM bundles WHERE id = ?",
	    DBARGS(DBS(id)), names, "ssssiS", rows);
	if (rc > 0) {
		static const char *const inames[] = { "item" };
		json_t *its = json_array(), *x;
		size_t i;

		rc = db_rows_json(c, "SELECT item FROM bundle_items WHERE bundle = ? ORDER BY sort",
		    DBARGS(DBS(id)), inames, "s", its);
		json_array_foreach(its, i, x)
			json_array_append(ids, json_object_get(x, "item"));
		json_decref(its);
		if (rc >= 0) {
			*out = json_incref(json_array_get(rows, 0));
			json_object_set(*out, "items", ids);
			rc = 1;
		}
	}
	json_decref(rows);
	json_decref(ids);
	return rc < 0 ? rc : *out != NULL;
}

int
cat_bundle_get(struct ctx *c, const char *id, json_t **out)
{
	static const char *const inames[] = { "id", "name", "department", "department_name",
		"retired_at" };
	static const char *const mnames[] = { "item", "code", "name", "required", "waivable",
		"promise_allowed", "form", "copies", "note" };
	json_t *b, *items = json_array(), *mats = json_array(), *uni = json_array(), *m;
	size_t i, j;
	int rc;

	*out = NULL;
	if ((rc = bundle_row(c, id, &b)) <= 0) {
		json_decref(items);
		json_decref(mats);
		json_decref(uni);
		return rc;
	}
	rc = db_rows_json(c, "SELECT i.id, i.name, i.department, d.name,"
	    " DATE_FORMAT(i.retired_at, '%Y-%m-%dT%H:%i:%s+08:00') FROM bundle_items bi"
	    " JOIN items i ON i.id = bi.item JOIN departments d ON d.code = i.department"
	    " WHERE bi.bundle = ? ORDER BY bi.sort", DBARGS(DBS(id)), inames, "ssssS", items);
	if (rc >= 0)
		rc = db_rows_json(c, "SELECT m.item, m.code, m.name, m.required, m.waivable,"
		    " m.promise_allowed, m.form, m.copies, m.note FROM bundle_items bi"
		    " JOIN item_materials m ON m.item = bi.item AND m.retired_version IS NULL"
		    " WHERE bi.bundle = ? ORDER BY bi.sort, m.sort, m.code", DBARGS(DBS(id)),
		    mnames, "sssbbbsis", mats);
	if (rc < 0) {
		json_decref(b);
		json_decref(items);
		json_decref(mats);
		json_decref(uni);
		return rc;
	}
	/* The union: one line per material name, required when any item requires it, with
	 * the items (and their codes) that ask for it — what the applicant brings once. */
	json_array_foreach(mats, i, m) {
		const char *name = json_string_value(json_object_get(m, "name"));
		json_t *u = NULL, *ref;

		for (j = 0; j < json_array_size(uni); j++)
			if (strcmp(json_string_value(json_object_get(json_array_get(uni, j), "name")),
			    name) == 0)
				u = json_array_get(uni, j);
		if (u == NULL) {
			u = json_pack("{s:s,s:b,s:O,s:O,s:[]}", "name", name, "required", 0, "form",
			    json_object_get(m, "form"), "copies", json_object_get(m, "copies"),
			    "for");
			json_array_append_new(uni, u);
		}
		if (json_is_true(json_object_get(m, "required")))
			json_object_set_new(u, "required", json_true());
		if (json_integer_value(json_object_get(m, "copies")) >
		    json_integer_value(json_object_get(u, "copies")))
			json_object_set(u, "copies", json_object_get(m, "copies"));
		ref = json_pack("{s:O,s:O,s:O,s:O}", "item", json_object_get(m, "item"), "code",
		    json_object_get(m, "code"), "required", json_object_get(m, "required"),
		    "note", json_object_get(m, "note"));
		json_array_append_new(json_object_get(u, "for"), ref);
	}
	json_decref(mats);
	json_object_set_new(b, "item_details", items);
	json_object_set_new(b, "materials", uni);
	*out = b;
	return 1;
}

int
cat_bundle_list(struct ctx *c, json_t **out)
{
	static const char *const names[] = { "id", "hall", "name", "sort", "retired_at",
		"items" };
	int rc;

	*out = json_array();
	rc = db_rows_json(c, "SELECT b.id, b.hall, b.name, b.sort,"
	    " DATE_FORMAT(b.retired_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " (SELECT COUNT(*) FROM bundle_items bi WHERE bi.bundle = b.id)"
	    " FROM bundles b ORDER BY b.hall, b.sort, b.id LIMIT 2000", DBNOARGS, names,
	    "sssiSi", *out);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

static json_t *
bundle_content(json_t *b)
{
	json_t *o = json_deep_copy(b);

	json_object_del(o, "retired_at");
	return o;
}

int
cat_bundle_put(struct ctx *c, const char *actor, json_t *norm, const char *pfx,
    json_t *errs, struct cat_put *res)
{
	const char *id = json_string_value(json_object_get(norm, "id"));
	const char *hall = json_string_value(json_object_get(norm, "hall"));
	json_t *before = NULL, *it, *a, *b;
	char one[8], home[40], retired[8], sub[96];
	size_t i;
	int rc, found;

	memset(res, 0, sizeof *res);
	rc = db_scalar(c, "SELECT 1 FROM bundles WHERE id = ? FOR UPDATE", DBARGS(DBS(id)), one,
	    sizeof one);
	if (rc < 0)
		return rc;
	found = rc;
	rc = db_scalar(c, "SELECT 1 FROM halls WHERE code = ?", DBARGS(DBS(hall)), one,
	    sizeof one);
	if (rc < 0)
		return rc;
	if (rc == 0)
		cat_problem(errs, pfx, "hall", "没有这个政务服务中心");
	if (found && (rc = bundle_row(c, id, &before)) < 0)
		return rc;
	json_array_foreach(json_object_get(norm, "items"), i, it) {
		int held = 0;
		size_t j;
		json_t *x;

		/* An item the bundle already holds may have been retired with it; only an item
		 * added now must be in service. */
		json_array_foreach(before ? json_object_get(before, "items") : NULL, j, x)
			held |= json_equal(x, it);
		fmt(sub, sizeof sub, "%sitems[%zu]", pfx ? pfx : "", i);
		rc = db_scalar(c, "SELECT hall FROM items WHERE id = ?",
		    DBARGS(DBS(json_string_value(it))), home, sizeof home);
		if (rc > 0)
			rc = db_scalar(c, "SELECT retired_at IS NOT NULL FROM items WHERE id = ?",
			    DBARGS(DBS(json_string_value(it))), retired, sizeof retired);
		if (rc < 0) {
			json_decref(before);
			return rc;
		}
		if (rc == 0)
			cat_problem(errs, sub, "", "没有这个事项");
		else if (strcmp(retired, "1") == 0 && !held)
			cat_problem(errs, sub, "", "该事项已停用");
		else if (strcmp(home, hall) != 0)
			cat_problem(errs, sub, "", "该事项不属于这个中心");
	}
	if (json_object_size(errs) > 0) {
		json_decref(before);
		return E_INVALID_INPUT;
	}
	if (before) {
		a = bundle_content(before);
		b = bundle_content(norm);
		if (json_equal(a, b)) {
			json_decref(a);
			json_decref(b);
			res->action = "unchanged";
			res->after = before;
			return 0;
		}
		json_decref(a);
		json_decref(b);
	}
	rc = db_exec(c, found ? "UPDATE bundles SET hall = ?, name = ?, description = ?, sort = ?"
	    " WHERE id = ?" : "INSERT INTO bundles (hall, name, description, sort, id)"
	    " VALUES (?, ?, ?, ?, ?)", DBARGS(DBS(hall),
	    DBS(json_string_value(json_object_get(norm, "name"))),
	    DBS(json_string_value(json_object_get(norm, "description"))),
	    DBI(json_integer_value(json_object_get(norm, "sort"))), DBS(id)), NULL, NULL);
	if (rc == 0)
		rc = db_exec(c, "DELETE FROM bundle_items WHERE bundle = ?", DBARGS(DBS(id)), NULL,
		    NULL);
	json_array_foreach(json_object_get(norm, "items"), i, it)
		if (rc == 0)
			rc = db_exec(c, "INSERT INTO bundle_items (bundle, item, sort) VALUES (?, ?, ?)",
			    DBARGS(DBS(id), DBS(json_string_value(it)), DBI(i + 1)), NULL, NULL);
	if (rc == 0)
		rc = bundle_row(c, id, &res->after) == 1 ? 0 : DB_FAIL;
	return cat_put_end(c, rc, actor, found, "bundle", id, 0, before, res);
}

int
cat_bundle_retire(struct ctx *c, const char *actor, const char *id, int on, int *changed)
{
	json_t *before = NULL, *after = NULL;
	char at[32];
	uint64_t n = 0;
	int rc;

	*changed = 0;
	if ((rc = bundle_row(c, id, &before)) <= 0)
		return rc < 0 ? rc : E_NOT_FOUND;
	if (!on && !json_is_null(json_object_get(before, "retired_at"))) {
		/* Back in service only with every item of it in service. */
		rc = db_scalar(c, "SELECT 1 FROM bundle_items bi JOIN items i ON i.id = bi.item"
		    " WHERE bi.bundle = ? AND i.retired_at IS NOT NULL LIMIT 1", DBARGS(DBS(id)),
		    at, sizeof at);
		if (rc != 0) {
			json_decref(before);
			return rc > 0 ? E_INVALID_STATE : rc;
		}
	}
	sql_now(at, sizeof at);
	rc = db_exec(c, on ? "UPDATE bundles SET retired_at = ? WHERE id = ? AND retired_at IS NULL"
	    : "UPDATE bundles SET retired_at = NULL WHERE (? IS NOT NULL) AND id = ?"
	    " AND retired_at IS NOT NULL", DBARGS(DBS(at), DBS(id)), &n, NULL);
	if (rc == 0 && n > 0)
		rc = bundle_row(c, id, &after) == 1 ? 0 : DB_FAIL;
	if (rc == 0 && n > 0)
		rc = cat_audit_write(c, actor, on ? "retire" : "restore", "bundle", id, 0, before,
		    after);
	json_decref(before);
	json_decref(after);
	if (rc == 0)
		*changed = n > 0;
	return rc;
}
