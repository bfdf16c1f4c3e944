/*
 * catalog_items.c — the region's items and their materials, versioned (catalog_admin.h).
 *
 * Tables: items, item_materials, item_keywords, item_versions, hall_items, categories,
 *         departments, halls (read), bundles and bundle_items (read: what holds an item),
 *         audit_catalog (before and after of every change), staff (read: names on the trail)
 * Redis:  none (the handlers call catalog_changed after a commit)
 *
 * Why materials never change in place: the cases room lists a case's checklist by joining
 * its case_materials rows with item_materials on (item, code).  If a material's text could
 * change under its code, every running case's checklist and receipt would change with it.
 * So a row, once written, keeps its content: a material that changes is a new row with a
 * new code, and the old row is marked retired_version and kept.  The item's own fields
 * that a receipt shows are read from item_versions by the version the notice was written
 * under (the triggers of migration 126 record it).
 */
#include "catalog_admin.h"
#include "../hall/catalog.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ reading */

static const char *const item_names[] = { "id", "hall", "name", "category", "department",
	"department_name", "kind", "promised_days", "legal_days", "cross_province",
	"must_attend", "fee", "basis", "description", "sort", "result_kind", "result_name",
	"result_valid_years", "result_electronic", "version", "retired_at" };
#define ITEM_TYPES "sssssssiibbsssissibiS"
#define ITEM_SELECT \
	"SELECT i.id, i.hall, i.name, i.category, i.department, d.name, i.kind," \
	" i.promised_days, i.legal_days, i.cross_province, i.must_attend, i.fee, i.basis," \
	" i.description, i.sort, i.result_kind, i.result_name, i.result_valid_years," \
	" i.result_electronic, i.version," \
	" DATE_FORMAT(i.retired_at, '%Y-%m-%dT%H:%i:%s+08:00')" \
	" FROM items i JOIN departments d ON d.code = i.department"
static const char *const mat_names[] = { "code", "name", "required", "waivable",
	"promise_allowed", "form", "copies", "note" };
#define MAT_TYPES "ssbbbsis"

int
cat_item_get(struct ctx *c, const char *id, json_t **out)
{
	json_t *rows = json_array(), *mats = json_array(), *kws = json_array(), *o;
	int rc;

	*out = NULL;
	rc = db_rows_json(c, ITEM_SELECT " WHERE i.id = ?", DBARGS(DBS(id)), item_names,
	    ITEM_TYPES, rows);
	if (rc > 0)
		rc = db_rows_json(c, "SELECT code, name, required, waivable, promise_allowed, form,"
		    " copies, note FROM item_materials WHERE item = ? AND retired_version IS NULL"
		    " ORDER BY sort, code", DBARGS(DBS(id)), mat_names, MAT_TYPES, mats);
	if (rc >= 0 && json_array_size(rows) == 1)
		rc = db_query(c, "SELECT keyword FROM item_keywords WHERE item = ? ORDER BY keyword",
		    DBARGS(DBS(id)), db_str_row, kws);
	if (rc < 0 || json_array_size(rows) != 1) {
		json_decref(rows);
		json_decref(mats);
		json_decref(kws);
		return rc < 0 ? rc : 0;
	}
	o = json_incref(json_array_get(rows, 0));
	json_object_set_new(o, "keywords", kws);
	json_object_set_new(o, "materials", mats);
	json_decref(rows);
	*out = o;
	return 1;
}

int
cat_item_list(struct ctx *c, const char *q, int with_retired, json_t **out)
{
	static const char *const names[] = { "id", "name", "hall", "category", "department",
		"department_name", "kind", "version", "retired_at", "materials" };
	char like[260];
	int rc;

	/* Literal: % and _ typed in the search are plain characters. */
	if (catalog_like_pattern(q ? q : "", like, sizeof like) != 0)
		return DB_FAIL;
	*out = json_array();
	rc = db_rows_json(c, "SELECT i.id, i.name, i.hall, i.category, i.department, d.name,"
	    " i.kind, i.version, DATE_FORMAT(i.retired_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " (SELECT COUNT(*) FROM item_materials m WHERE m.item = i.id"
	    "  AND m.retired_version IS NULL)"
	    " FROM items i JOIN departments d ON d.code = i.department"
	    " WHERE (? = 1 OR i.retired_at IS NULL) AND (? = '' OR i.id LIKE ? OR i.name LIKE ?"
	    "  OR EXISTS (SELECT 1 FROM item_keywords k WHERE k.item = i.id AND k.keyword LIKE ?))"
	    " ORDER BY i.hall, i.category, i.sort, i.id LIMIT 2000",
	    DBARGS(DBI(with_retired), DBS(q ? q : ""), DBS(like), DBS(like), DBS(like)), names,
	    "sssssssiSi", *out);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

/* Strings holding JSON (before_json, after_json, body) turned into JSON values. */
static void
parse_members(json_t *rows, const char *const *members, size_t n)
{
	size_t i, k;
	json_t *row;

	json_array_foreach(rows, i, row)
		for (k = 0; k < n; k++) {
			json_t *s = json_object_get(row, members[k]);

			if (json_is_string(s))
				json_object_set_new(row, members[k],
				    json_loads(json_string_value(s), 0, NULL));
		}
}

int
cat_audit_trail(struct ctx *c, const char *kind, const char *record, json_t **out)
{
	static const char *const names[] = { "id", "at", "actor", "actor_name", "action",
		"version", "before", "after" };
	static const char *const js[] = { "before", "after" };
	int rc;

	*out = json_array();
	rc = db_rows_json(c, "SELECT a.id, DATE_FORMAT(a.at, '%Y-%m-%dT%H:%i:%s+08:00'), a.actor,"
	    " s.name, a.action, a.version, a.before_json, a.after_json FROM audit_catalog a"
	    " LEFT JOIN staff s ON a.actor LIKE 'staff:%'"
	    "  AND s.id = CAST(SUBSTRING(a.actor, 7) AS UNSIGNED)"
	    " WHERE a.kind = ? AND a.record = ? ORDER BY a.id DESC LIMIT 100",
	    DBARGS(DBS(kind), DBS(record)), names, "isssSISS", *out);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	parse_members(*out, js, 2);
	return 0;
}

int
cat_audit_write(struct ctx *c, const char *actor, const char *action, const char *kind,
    const char *record, long long version, json_t *before, json_t *after)
{
	char at[32], *b = NULL, *a = NULL;
	int rc;

	sql_now(at, sizeof at);
	if (before)
		b = json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS);
	if (after)
		a = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
	rc = db_exec(c, "INSERT INTO audit_catalog (at, actor, action, kind, record, version,"
	    " before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	    DBARGS(DBS(at), DBS(actor), DBS(action), DBS(kind), DBS(record),
	    version > 0 ? DBI(version) : DBN, DBSO(b), DBSO(a)), NULL, NULL);
	free(b);
	free(a);
	return rc;
}

int
cat_put_end(struct ctx *c, int rc, const char *actor, int found, const char *kind,
    const char *id, long long version, json_t *before, struct cat_put *res)
{
	if (rc == 0)
		rc = cat_audit_write(c, actor, found ? "change" : "create", kind, id, version,
		    before, res->after);
	json_decref(before);
	if (rc != 0) {
		json_decref(res->after);
		res->after = NULL;
		return rc;
	}
	res->action = found ? "changed" : "created";
	return 0;
}

int
cat_item_versions(struct ctx *c, const char *id, json_t **out)
{
	static const char *const names[] = { "version", "at", "actor" };
	int rc;

	*out = json_array();
	rc = db_rows_json(c, "SELECT version, DATE_FORMAT(at, '%Y-%m-%dT%H:%i:%s+08:00'), actor"
	    " FROM item_versions WHERE item = ? ORDER BY version DESC", DBARGS(DBS(id)), names,
	    "iss", *out);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

int
cat_item_version(struct ctx *c, const char *id, long long version, json_t **out)
{
	static const char *const names[] = { "body" };
	static const char *const js[] = { "body" };
	json_t *rows = json_array();
	int rc;

	*out = NULL;
	rc = db_rows_json(c, "SELECT body FROM item_versions WHERE item = ? AND version = ?",
	    DBARGS(DBS(id), DBI(version)), names, "s", rows);
	if (rc > 0) {
		parse_members(rows, js, 1);
		*out = json_incref(json_object_get(json_array_get(rows, 0), "body"));
	}
	json_decref(rows);
	return rc < 0 ? rc : *out != NULL;
}

/* ------------------------------------------------------------ writing */

/* What a change compares: the item without what the record adds (version, retired_at,
 * department_name) and its materials without their codes. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

static json_t *
content(json_t *item)
{
	json_t *o = json_deep_copy(item), *m, *kws = json_object_get(o, "keywords"), *sorted;
	json_t *list[CAT_MAX_KEYWORDS * 2];
	size_t i, n = json_array_size(kws);

	if (n <= NELEM(list)) {		/* keywords are a set: compared in one order */
		for (i = 0; i < n; i++)
			list[i] = json_array_get(kws, i);
		qsort(list, n, sizeof list[0], cmp_str);
		sorted = json_array();
		for (i = 0; i < n; i++)
			json_array_append(sorted, list[i]);
		json_object_set_new(o, "keywords", sorted);
	}

	json_object_del(o, "version");
	json_object_del(o, "retired_at");
	json_object_del(o, "department_name");
	json_array_foreach(json_object_get(o, "materials"), i, m)
		json_object_del(m, "code");
	return o;
}

static int
material_same(json_t *a, json_t *b)
{
	json_t *x = json_deep_copy(a), *y = json_deep_copy(b);
	int same;

	json_object_del(x, "code");
	json_object_del(y, "code");
	same = json_equal(x, y);
	json_decref(x);
	json_decref(y);
	return same;
}

static int
refs_check(struct ctx *c, json_t *norm, const char *pfx, json_t *errs)
{
	const char *hall = json_string_value(json_object_get(norm, "hall"));
	char one[8];
	int rc;

	rc = db_scalar(c, "SELECT 1 FROM halls WHERE code = ?", DBARGS(DBS(hall)), one,
	    sizeof one);
	if (rc == 0)
		cat_problem(errs, pfx, "hall", "没有这个政务服务中心");
	if (rc > 0) {
		rc = db_scalar(c, "SELECT 1 FROM categories WHERE hall = ? AND code = ?",
		    DBARGS(DBS(hall), DBS(json_string_value(json_object_get(norm, "category")))),
		    one, sizeof one);
		if (rc == 0)
			cat_problem(errs, pfx, "category", "该中心没有这个业务类别");
	}
	if (rc >= 0) {
		const char *dept = json_string_value(json_object_get(norm, "department"));

		rc = db_scalar(c, "SELECT 1 FROM departments WHERE code = ?", DBARGS(DBS(dept)),
		    one, sizeof one);
		if (rc == 0)
			cat_problem(errs, pfx, "department", "没有这个部门");
		/* A retired department gets no new items; an item it already decides keeps it. */
		if (rc > 0) {
			rc = db_scalar(c, "SELECT 1 FROM departments d WHERE d.code = ? AND"
			    " (d.retired_at IS NULL OR EXISTS (SELECT 1 FROM items i WHERE i.id = ?"
			    " AND i.department = d.code))", DBARGS(DBS(dept),
			    DBS(json_string_value(json_object_get(norm, "id")))), one, sizeof one);
			if (rc == 0)
				cat_problem(errs, pfx, "department", "该部门已停用，不能再增加事项");
		}
	}
	return rc < 0 ? rc : 0;
}

#define S(o, k) json_string_value(json_object_get((o), (k)))
#define I(o, k) ((long long)json_integer_value(json_object_get((o), (k))))
#define B(o, k) (json_is_true(json_object_get((o), (k))) ? 1 : 0)

static int
item_row_write(struct ctx *c, json_t *n, long long version, int create)
{
	const struct dbv v[] = { DBS(S(n, "hall")), DBS(S(n, "name")), DBS(S(n, "category")),
	    DBS(S(n, "department")), DBS(S(n, "kind")), DBI(I(n, "promised_days")),
	    DBI(I(n, "legal_days")), DBI(B(n, "cross_province")), DBI(B(n, "must_attend")),
	    DBS(S(n, "fee")), DBS(S(n, "basis")), DBS(S(n, "description")),
	    DBI(I(n, "sort")), DBS(S(n, "result_kind")), DBS(S(n, "result_name")),
	    DBI(I(n, "result_valid_years")), DBI(B(n, "result_electronic")), DBI(version),
	    DBS(S(n, "id")) };

	/* The same values, in the same order, for a new item and a new version of one. */
	return db_exec(c, create ? "INSERT INTO items (hall, name, category, department, kind,"
	    " promised_days, legal_days, cross_province, must_attend, fee, basis,"
	    " description, sort, result_kind, result_name, result_valid_years,"
	    " result_electronic, version, id)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	    : "UPDATE items SET hall = ?, name = ?, category = ?, department = ?,"
	    " kind = ?, promised_days = ?, legal_days = ?, cross_province = ?, must_attend = ?,"
	    " fee = ?, basis = ?, description = ?, sort = ?, result_kind = ?, result_name = ?,"
	    " result_valid_years = ?, result_electronic = ?, version = ? WHERE id = ?",
	    v, NELEM(v), NULL, NULL);
}

/* The materials of the new version: kept rows (same code, same content) get their new
 * place; changed or new ones a new row with the next code; the rest are retired. */
static int
materials_write(struct ctx *c, json_t *n, json_t *cur, long long version, const char *pfx,
    json_t *errs)
{
	const char *id = S(n, "id");
	json_t *mats = json_object_get(n, "materials"), *m, *kept = json_object();
	char top[24], code[24], sub[96];
	long long next = 0;
	size_t i, j;
	int rc;

	rc = db_scalar(c, "SELECT COALESCE(MAX(CAST(SUBSTRING(code, 2) AS UNSIGNED)), 0)"
	    " FROM item_materials WHERE item = ?", DBARGS(DBS(id)), top, sizeof top);
	if (rc < 0 || parse_ll(top, 0, 1000000, &next) != 0)
		goto out;
	/* A code given names a current material, or one the item never used (a new material
	 * may bring its code: an imported catalog keeps its codes); new codes come after
	 * every code used or given. */
	json_array_foreach(mats, i, m) {
		const char *mc = S(m, "code");
		long long num = 0;

		if (mc == NULL)
			continue;
		if (parse_ll(mc + 1, 1, 1000000, &num) == 0 && num > next)
			next = num;
		for (j = 0; j < json_array_size(cur); j++)
			if (strcmp(S(json_array_get(cur, j), "code"), mc) == 0)
				break;
		if (j < json_array_size(cur))
			continue;
		rc = db_scalar(c, "SELECT 1 FROM item_materials WHERE item = ? AND code = ?",
		    DBARGS(DBS(id), DBS(mc)), top, sizeof top);
		if (rc < 0)
			goto out;
		if (rc > 0) {
			fmt(sub, sizeof sub, "%smaterials[%zu].", pfx ? pfx : "", i);
			cat_problem(errs, sub, "code", "该编号属于已停用的材料（新增材料不填编号）");
		}
	}
	if (json_object_size(errs) > 0) {
		rc = E_INVALID_INPUT;
		goto out;
	}
	json_array_foreach(mats, i, m) {
		const char *mc = S(m, "code");
		json_t *was = NULL;

		for (j = 0; mc && j < json_array_size(cur); j++)
			if (strcmp(S(json_array_get(cur, j), "code"), mc) == 0)
				was = json_array_get(cur, j);
		if (was && material_same(was, m)) {
			json_object_set_new(kept, mc, json_true());
			rc = db_exec(c, "UPDATE item_materials SET sort = ? WHERE item = ? AND code = ?",
			    DBARGS(DBI(i + 1), DBS(id), DBS(mc)), NULL, NULL);
		} else {
			if (mc != NULL && was == NULL)
				str_copy(code, sizeof code, mc);
			else
				fmt(code, sizeof code, "M%lld", ++next);
			rc = db_exec(c, "INSERT INTO item_materials (item, code, name, required,"
			    " waivable, promise_allowed, form, copies, note, sort, since_version)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    DBARGS(DBS(id), DBS(code), DBS(S(m, "name")), DBI(B(m, "required")),
			    DBI(B(m, "waivable")), DBI(B(m, "promise_allowed")), DBS(S(m, "form")),
			    DBI(I(m, "copies")), DBS(S(m, "note")), DBI(i + 1), DBI(version)),
			    NULL, NULL);
		}
		if (rc != 0)
			goto out;
	}
	json_array_foreach(cur, j, m)
		if (json_object_get(kept, S(m, "code")) == NULL &&
		    (rc = db_exec(c, "UPDATE item_materials SET retired_version = ?"
		    " WHERE item = ? AND code = ? AND retired_version IS NULL",
		    DBARGS(DBI(version), DBS(id), DBS(S(m, "code"))), NULL, NULL)) != 0)
			goto out;
	rc = 0;
out:
	json_decref(kept);
	return rc;
}

static int
keywords_write(struct ctx *c, json_t *n)
{
	json_t *k;
	size_t i;
	int rc;

	rc = db_exec(c, "DELETE FROM item_keywords WHERE item = ?", DBARGS(DBS(S(n, "id"))),
	    NULL, NULL);
	json_array_foreach(json_object_get(n, "keywords"), i, k)
		if (rc == 0)
			rc = db_exec(c, "INSERT INTO item_keywords (item, keyword) VALUES (?, ?)",
			    DBARGS(DBS(S(n, "id")), DBS(json_string_value(k))), NULL, NULL);
	return rc;
}

static int
version_write(struct ctx *c, const char *id, long long version, const char *actor,
    json_t *body)
{
	char at[32], *s;
	int rc;

	sql_now(at, sizeof at);
	if ((s = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return DB_FAIL;
	rc = db_exec(c, "INSERT INTO item_versions (item, version, body, at, actor)"
	    " VALUES (?, ?, ?, ?, ?)", DBARGS(DBS(id), DBI(version), DBS(s), DBS(at),
	    DBS(actor)), NULL, NULL);
	free(s);
	return rc;
}

int
cat_item_put(struct ctx *c, const char *actor, json_t *norm, const char *pfx, json_t *errs,
    struct cat_put *res)
{
	const char *id = S(norm, "id");
	json_t *before = NULL, *a = NULL, *b = NULL;
	char ver[24];
	long long version = 0;
	int rc, found;

	memset(res, 0, sizeof *res);
	rc = db_scalar(c, "SELECT version FROM items WHERE id = ? FOR UPDATE", DBARGS(DBS(id)),
	    ver, sizeof ver);
	if (rc < 0)
		return rc;
	found = rc;
	if (found && parse_ll(ver, 1, 4000000000LL, &version) != 0)
		return DB_FAIL;
	if ((rc = refs_check(c, norm, pfx, errs)) != 0)
		return rc;
	if (json_object_size(errs) > 0)
		return E_INVALID_INPUT;
	if (found && (rc = cat_item_get(c, id, &before)) < 0)
		return rc;
	if (before) {
		a = content(before);
		b = content(norm);
		json_object_del(b, "department_name");
		if (json_equal(a, b)) {
			json_decref(a);
			json_decref(b);
			res->action = "unchanged";
			res->version = version;
			res->after = before;
			return 0;
		}
		json_decref(a);
		json_decref(b);
	}
	version = found ? version + 1 : 1;
	rc = item_row_write(c, norm, version, !found);
	if (rc == 0)
		rc = materials_write(c, norm, before ? json_object_get(before, "materials") : NULL,
		    version, pfx, errs);
	if (rc == 0)
		rc = keywords_write(c, norm);
	if (rc == 0)
		rc = cat_item_get(c, id, &res->after) == 1 ? 0 : DB_FAIL;
	if (rc == 0)
		rc = version_write(c, id, version, actor, res->after);
	if ((rc = cat_put_end(c, rc, actor, found, "item", id, version, before, res)) == 0)
		res->version = version;
	return rc;
}

int
cat_item_retire(struct ctx *c, const char *actor, const char *id, int on, int *changed,
    const char **why)
{
	json_t *before = NULL, *after = NULL;
	char at[32], held[8];
	uint64_t n = 0;
	int rc;

	*changed = 0;
	*why = NULL;
	if ((rc = cat_item_get(c, id, &before)) <= 0)
		return rc < 0 ? rc : E_NOT_FOUND;
	if (on && json_is_null(json_object_get(before, "retired_at"))) {
		rc = db_scalar(c, "SELECT 1 FROM bundle_items bi JOIN bundles b ON b.id = bi.bundle"
		    " WHERE bi.item = ? AND b.retired_at IS NULL LIMIT 1", DBARGS(DBS(id)), held,
		    sizeof held);
		if (rc != 0) {
			json_decref(before);
			if (rc > 0)
				*why = "该事项属于尚在使用的一件事，请先从一件事中移除或停用该一件事";
			return rc > 0 ? E_INVALID_STATE : rc;
		}
	}
	sql_now(at, sizeof at);
	rc = db_exec(c, on ? "UPDATE items SET retired_at = ? WHERE id = ? AND retired_at IS NULL"
	    : "UPDATE items SET retired_at = NULL WHERE (? IS NOT NULL) AND id = ?"
	    " AND retired_at IS NOT NULL", DBARGS(DBS(at), DBS(id)), &n, NULL);
	if (rc == 0 && n > 0 && (rc = cat_item_get(c, id, &after)) == 1)
		rc = cat_audit_write(c, actor, on ? "retire" : "restore", "item", id, 0, before,
		    after);
	else if (rc == 1)
		rc = DB_FAIL;
	json_decref(before);
	json_decref(after);
	if (rc == 0)
		*changed = n > 0;
	return rc;
}

/* ------------------------------------------------------------ a hall's choice */

int
cat_hall_items(struct ctx *c, const char *hall, json_t **out)
{
	static const char *const names[] = { "id", "name", "hall", "department", "retired_at",
		"accepts", "decides", "category", "chosen" };
	int rc;

	*out = json_array();
	rc = db_rows_json(c, "SELECT i.id, i.name, i.hall, i.department,"
	    " DATE_FORMAT(i.retired_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " COALESCE(hi.accepts, i.hall = ?), COALESCE(hi.decides, i.hall = ?),"
	    " COALESCE(hi.category, IF(i.hall = ?, i.category, NULL)), hi.item IS NOT NULL"
	    " FROM items i LEFT JOIN hall_items hi ON hi.item = i.id AND hi.hall = ?"
	    " ORDER BY i.hall = ? DESC, i.hall, i.category, i.sort, i.id LIMIT 5000",
	    DBARGS(DBS(hall), DBS(hall), DBS(hall), DBS(hall), DBS(hall)), names, "sssSSbbSb",
	    *out);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

static int
choice_get(struct ctx *c, const char *hall, const char *item, json_t **out)
{
	static const char *const names[] = { "hall", "item", "accepts", "decides", "category" };
	int rc = db_row_json(c, "SELECT hall, item, accepts, decides, category FROM hall_items"
	    " WHERE hall = ? AND item = ?", DBARGS(DBS(hall), DBS(item)), names, "ssbbs", out);

	return rc < 0 ? rc : 0;
}

int
cat_hall_choose(struct ctx *c, const char *actor, const char *hall, const char *item,
    const struct cat_choice *ch, json_t *errs, json_t **after)
{
	char home[40] = "", cat[8] = "", retired[8] = "", at[32], rec[80], one[8];
	const char *category = ch->category;
	json_t *before = NULL;
	int rc;

	*after = NULL;
	rc = db_scalar(c, "SELECT hall FROM items WHERE id = ? FOR UPDATE", DBARGS(DBS(item)),
	    home, sizeof home);
	if (rc <= 0)
		return rc < 0 ? rc : E_NOT_FOUND;
	rc = db_scalar(c, "SELECT category FROM items WHERE id = ?", DBARGS(DBS(item)), cat,
	    sizeof cat);
	if (rc >= 0)
		rc = db_scalar(c, "SELECT retired_at IS NOT NULL FROM items WHERE id = ?",
		    DBARGS(DBS(item)), retired, sizeof retired);
	if (rc < 0)
		return rc;
	if (category == NULL && strcmp(home, hall) == 0)
		category = cat;
	if (category == NULL)
		cat_problem(errs, "", "category", "必填：本中心办理该事项所用的业务类别");
	else {
		rc = db_scalar(c, "SELECT 1 FROM categories WHERE hall = ? AND code = ?",
		    DBARGS(DBS(hall), DBS(category)), one, sizeof one);
		if (rc < 0)
			return rc;
		if (rc == 0)
			cat_problem(errs, "", "category", "本中心没有这个业务类别");
	}
	if (json_object_size(errs) > 0)
		return E_INVALID_INPUT;
	if (ch->accepts && strcmp(retired, "1") == 0)
		return E_INVALID_STATE;
	if ((rc = choice_get(c, hall, item, &before)) < 0)
		return rc;
	if (before == NULL && strcmp(home, hall) == 0)	/* the default, as GET shows it */
		before = json_pack("{s:s,s:s,s:b,s:b,s:s}", "hall", hall, "item", item, "accepts",
		    1, "decides", 1, "category", cat);
	sql_now(at, sizeof at);
	rc = db_exec(c, "INSERT INTO hall_items (hall, item, accepts, decides, category,"
	    " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
	    " accepts = VALUES(accepts), decides = VALUES(decides), category = VALUES(category),"
	    " updated_at = VALUES(updated_at)", DBARGS(DBS(hall), DBS(item), DBI(ch->accepts),
	    DBI(ch->decides), DBS(category), DBS(at)), NULL, NULL);
	if (rc == 0)
		rc = choice_get(c, hall, item, after);
	fmt(rec, sizeof rec, "%s/%s", hall, item);
	if (rc == 0)
		rc = cat_audit_write(c, actor, "choose", "hall_item", rec, 0, before, *after);
	json_decref(before);
	if (rc != 0) {
		json_decref(*after);
		*after = NULL;
	}
	return rc;
}
