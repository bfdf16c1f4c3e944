/*
 * catalog.c — the hall and its service guide (public).
 *
 * Routes: GET /halls, GET /halls/{hall}/categories, GET /items, GET /items/{id}
 * Tables: halls, hall_hours, categories, windows, window_categories, items, item_materials,
 *         departments, item_keywords (the words citizens search with)
 * Redis:  {hall:<code>}:waiting (hash category → waiting tickets, kept by the queue)
 */
#include "handlers.h"
#include "catalog.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"

#include <stdio.h>
#include <string.h>

int
hall_code_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    s[i] == '-'))
			return 0;
	return 1;
}

int
category_code_ok(const char *s)
{
	return s[0] >= 'A' && s[0] <= 'Z' && s[1] == '\0';
}

int
hall_find(struct req *r, const char *hall)
{
	char name[8];
	int rc;

	if (!hall_code_ok(hall))
		return req_fail(r, 404, "NOT_FOUND", "没有这个政务服务中心");
	rc = db_scalar(r->ctx, "SELECT 1 FROM halls WHERE code = ?", DBARGS(DBS(hall)), name,
	    sizeof name);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个政务服务中心");
	return 0;
}

static const char *const hall_cols[] = { "code", "name", "address", "phone", "open", "close" };

int
h_halls(struct req *r)
{
	json_t *halls = json_array(), *hours = json_array(), *o;
	static const char *const hour_cols[] = { "hall", "open", "close" };
	size_t i, j;
	int rc;

	rc = db_rows_json(r->ctx,
	    "SELECT h.code, h.name, h.address, h.phone,"
	    " DATE_FORMAT(MIN(hh.open_at), '%H:%i'), DATE_FORMAT(MAX(hh.close_at), '%H:%i')"
	    " FROM halls h LEFT JOIN hall_hours hh ON hh.hall = h.code"
	    " GROUP BY h.code, h.name, h.address, h.phone ORDER BY h.code",
	    DBNOARGS, hall_cols, "ssssSS", halls);
	if (rc >= 0)
		rc = db_rows_json(r->ctx,
		    "SELECT hall, DATE_FORMAT(open_at, '%H:%i'), DATE_FORMAT(close_at, '%H:%i')"
		    " FROM hall_hours ORDER BY hall, seq", DBNOARGS, hour_cols, "sss", hours);
	if (rc < 0) {
		json_decref(halls);
		json_decref(hours);
		return db_fail(r, rc);
	}
	/* Extension: the opening periods (a lunch break splits the day). */
	for (i = 0; i < json_array_size(halls); i++) {
		json_t *h = json_array_get(halls, i), *periods = json_array();

		for (j = 0; j < json_array_size(hours); j++) {
			json_t *p = json_array_get(hours, j);

			if (strcmp(json_string_value(json_object_get(p, "hall")),
			    json_string_value(json_object_get(h, "code"))) == 0)
				json_array_append_new(periods, json_pack("{s:O,s:O}",
				    "open", json_object_get(p, "open"),
				    "close", json_object_get(p, "close")));
		}
		json_object_set_new(h, "hours", periods);
	}
	json_decref(hours);
	o = json_object();
	json_object_set_new(o, "halls", halls);
	return req_ok(r, 200, o);
}

/* Waiting counts per category, as the queue keeps them.  0 or -1 (Redis down). */
int
catalog_waiting(struct ctx *c, const char *hall, json_t *counts)
{
	redisReply *rep = kv_cmd(c, "HGETALL {hall:%s}:waiting", hall);
	size_t i;

	if (rep == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_ARRAY)
		for (i = 0; i + 1 < rep->elements; i += 2) {
			long long n;

			if (rep->element[i]->str && rep->element[i + 1]->str &&
			    parse_ll(rep->element[i + 1]->str, 0, 1000000, &n) == 0)
				json_object_set_new(counts, rep->element[i]->str, json_integer(n));
		}
	freeReplyObject(rep);
	return 0;
}

int
h_categories(struct req *r)
{
	static const char *const cols[] = { "code", "name", "description", "cross_province",
	    "avg", "windows" };
	const char *hall = r->pathv[0];
	json_t *cats, *counts, *o;
	size_t i;
	int rc;

	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	cats = json_array();
	rc = db_rows_json(r->ctx,
	    "SELECT c.code, c.name, c.description, c.cross_province, c.avg_service_minutes,"
	    " (SELECT COUNT(*) FROM window_categories wc WHERE wc.hall = c.hall AND"
	    "  wc.category = c.code)"
	    " FROM categories c WHERE c.hall = ? ORDER BY c.sort, c.code",
	    DBARGS(DBS(hall)), cols, "sssbii", cats);
	if (rc < 0) {
		json_decref(cats);
		return db_fail(r, rc);
	}
	counts = json_object();
	if (catalog_waiting(r->ctx, hall, counts) != 0) {
		json_decref(cats);
		json_decref(counts);
		return req_unavailable(r);
	}
	for (i = 0; i < json_array_size(cats); i++) {
		json_t *c = json_array_get(cats, i);
		json_t *w = json_object_get(counts, json_string_value(json_object_get(c, "code")));
		long long waiting = w ? json_integer_value(w) : 0;
		long long avg = json_integer_value(json_object_get(c, "avg"));
		long long windows = json_integer_value(json_object_get(c, "windows"));

		json_object_set_new(c, "waiting", json_integer(waiting));
		json_object_set_new(c, "eta_minutes",
		    json_integer(windows > 0 ? (waiting * avg + windows - 1) / windows : 0));
		json_object_del(c, "avg");
		json_object_del(c, "windows");
	}
	json_decref(counts);
	o = json_object();
	json_object_set_new(o, "categories", cats);
	return req_ok(r, 200, o);
}

/* Append the materials of each item (materials rows are ordered by item). */
static void
attach_materials(json_t *items, json_t *mats)
{
	size_t i, j;

	for (i = 0; i < json_array_size(items); i++)
		json_object_set_new(json_array_get(items, i), "materials", json_array());
	for (j = 0; j < json_array_size(mats); j++) {
		json_t *m = json_array_get(mats, j);
		const char *item = json_string_value(json_object_get(m, "item"));

		for (i = 0; i < json_array_size(items); i++) {
			json_t *it = json_array_get(items, i);

			if (strcmp(json_string_value(json_object_get(it, "id")), item) == 0) {
				json_object_del(m, "item");
				json_array_append(json_object_get(it, "materials"), m);
				break;
			}
		}
	}
}

static const char *const item_cols[] = { "id", "hall", "name", "category", "department",
    "department_name", "kind", "promised_days", "legal_days", "cross_province", "fee", "basis",
    "description" };
static const char *const mat_cols[] = { "item", "code", "name", "required", "waivable", "form",
    "copies", "note" };
#define ITEM_TYPES "sssssssiibsss"
#define MAT_TYPES  "sssbbsis"

/* Escape LIKE wildcards so a search for "50%" finds "50%". */
static int
like_pattern(const char *q, char *out, size_t osz)
{
	size_t o = 0;

	if (osz < 3)
		return -1;
	out[o++] = '%';
	for (; *q; q++) {
		if (o + 3 >= osz)
			return -1;
		if (*q == '%' || *q == '_' || *q == '\\')
			out[o++] = '\\';
		out[o++] = *q;
	}
	out[o++] = '%';
	out[o] = '\0';
	return 0;
}

/*
 * What `q` finds: a part of the item's name, a part of one of its keywords (item_keywords:
 * "执照" finds the items keyed 营业执照), or a whole keyword inside the query ("我要办营业执照").
 * Arguments: the LIKE pattern twice, then the query as typed twice (LOCATE is literal, so
 * % and _ in it are plain characters there too).
 */
#define ITEM_MATCH \
	"(i.name LIKE ? OR EXISTS (SELECT 1 FROM item_keywords k WHERE k.item = i.id AND" \
	" (k.keyword LIKE ? OR (? <> '' AND LOCATE(k.keyword, ?) > 0))))"

int
h_items(struct req *r)
{
	const char *hall = NULL, *q = NULL, *cat = NULL;
	char like[256];
	json_t *items, *mats, *o;
	int rc;

	q_str(r, "hall", 0, 32, &hall);
	q_str(r, "q", 0, 50, &q);
	q_str(r, "category", 0, 1, &cat);
	if (cat && !category_code_ok(cat))
		req_fail_field(r, "category", "须为一个大写字母");
	if (hall && !hall_code_ok(hall))
		req_fail_field(r, "hall", "不是有效的中心编码");
	if (in_has_errors(r))
		return req_invalid(r);
	if (like_pattern(q ? q : "", like, sizeof like) != 0)
		return req_fail_field(r, "q", "内容过长"), req_invalid(r);

	if (q == NULL)
		q = "";
	items = json_array();
	mats = json_array();
	rc = db_rows_json(r->ctx,
	    "SELECT i.id, i.hall, i.name, i.category, i.department, d.name, i.kind,"
	    " i.promised_days, i.legal_days, i.cross_province, i.fee, i.basis, i.description"
	    " FROM items i JOIN departments d ON d.code = i.department"
	    " WHERE (? IS NULL OR i.hall = ?) AND (? IS NULL OR i.category = ?) AND " ITEM_MATCH
	    " ORDER BY i.hall, i.category, i.sort, i.id",
	    DBARGS(DBSO(hall), DBSO(hall), DBSO(cat), DBSO(cat), DBS(like), DBS(like), DBS(q),
	    DBS(q)), item_cols, ITEM_TYPES, items);
	if (rc >= 0)
		rc = db_rows_json(r->ctx,
		    "SELECT m.item, m.code, m.name, m.required, m.waivable, m.form, m.copies, m.note"
		    " FROM item_materials m JOIN items i ON i.id = m.item"
		    " WHERE (? IS NULL OR i.hall = ?) AND (? IS NULL OR i.category = ?) AND "
		    ITEM_MATCH " ORDER BY m.item, m.sort, m.code",
		    DBARGS(DBSO(hall), DBSO(hall), DBSO(cat), DBSO(cat), DBS(like), DBS(like),
		    DBS(q), DBS(q)), mat_cols, MAT_TYPES, mats);
	if (rc < 0) {
		json_decref(items);
		json_decref(mats);
		return db_fail(r, rc);
	}
	attach_materials(items, mats);
	json_decref(mats);
	o = json_object();
	json_object_set_new(o, "items", items);
	return req_ok(r, 200, o);
}

int
catalog_item_json(struct ctx *c, const char *id, json_t **out)
{
	json_t *items = json_array(), *mats = json_array();
	int rc;

	*out = NULL;
	rc = db_rows_json(c,
	    "SELECT i.id, i.hall, i.name, i.category, i.department, d.name, i.kind,"
	    " i.promised_days, i.legal_days, i.cross_province, i.fee, i.basis, i.description"
	    " FROM items i JOIN departments d ON d.code = i.department WHERE i.id = ?",
	    DBARGS(DBS(id)), item_cols, ITEM_TYPES, items);
	if (rc > 0)
		rc = db_rows_json(c,
		    "SELECT item, code, name, required, waivable, form, copies, note"
		    " FROM item_materials WHERE item = ? ORDER BY sort, code",
		    DBARGS(DBS(id)), mat_cols, MAT_TYPES, mats);
	if (rc > 0) {
		attach_materials(items, mats);
		*out = json_incref(json_array_get(items, 0));
	}
	json_decref(items);
	json_decref(mats);
	return rc < 0 ? rc : *out != NULL;
}

int
h_item(struct req *r)
{
	json_t *item;
	int rc;

	if (strlen(r->pathv[0]) > 40)
		return req_fail(r, 404, "NOT_FOUND", "没有这个事项");
	rc = catalog_item_json(r->ctx, r->pathv[0], &item);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个事项");
	return req_ok(r, 200, json_pack("{s:o}", "item", item));
}
