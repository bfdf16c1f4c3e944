/*
 * catalog.c — the hall and its service guide, as the record holds them (see catalog.h; the
 * routes are catalog_api.c).
 *
 * Tables: halls, hall_hours, categories, windows, window_categories, items, item_materials,
 *         departments, item_keywords (the words citizens search with)
 * Redis:  {hall:<code>}:waiting (hash category → waiting tickets, kept by the queue)
 */
#include "catalog.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/kv.h"

#include <stdio.h>
#include <string.h>

int
hall_code_ok(const char *s)
{
	return str_in_set(s, 1, 32, CH_LOWER CH_DIGIT "_-");
}

int
category_code_ok(const char *s)
{
	return s[0] >= 'A' && s[0] <= 'Z' && s[1] == '\0';
}

int
hall_exists(struct ctx *c, const char *hall)
{
	char one[8];
	int rc;

	if (!hall_code_ok(hall))
		return E_NOT_FOUND;
	rc = db_scalar(c, "SELECT 1 FROM halls WHERE code = ?", DBARGS(DBS(hall)), one,
	    sizeof one);
	if (rc < 0)
		return rc;
	return rc == 0 ? E_NOT_FOUND : 0;
}

static const char *const hall_cols[] = { "code", "name", "address", "phone", "open", "close",
    "kind", "region", "region_name", "pickup" };

/* Each hall's "hours": its opening periods out of every hall's (hall, open, close) rows. */
static void
attach_hours(json_t *halls, json_t *hours)
{
	size_t i, j;

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
}

/* The end of reading a list and the rows that go under its members (rc: the last read's):
 * when both were read, attach puts the rows into the list, which goes to *out.  The rows
 * are freed either way, the list too after a failure.  0 or rc (a DB_* code). */
static int
list_with(int rc, json_t *list, json_t *rows, void (*attach)(json_t *, json_t *),
    json_t **out)
{
	if (rc >= 0) {
		attach(list, rows);
		*out = list;
	} else
		json_decref(list);
	json_decref(rows);
	return rc < 0 ? rc : 0;
}

int
catalog_halls(struct ctx *c, json_t **out)
{
	json_t *halls = json_array(), *hours = json_array();
	static const char *const hour_cols[] = { "hall", "open", "close" };
	int rc;

	*out = NULL;
	rc = db_rows_json(c,
	    "SELECT h.code, h.name, h.address, h.phone,"
	    " DATE_FORMAT(MIN(hh.open_at), '%H:%i'), DATE_FORMAT(MAX(hh.close_at), '%H:%i'),"
	    " h.kind, h.region, rg.name,"
	    " EXISTS (SELECT 1 FROM windows w WHERE w.hall = h.code AND w.kind = 'pickup')"
	    " FROM halls h LEFT JOIN hall_hours hh ON hh.hall = h.code"
	    " LEFT JOIN regions rg ON rg.code = h.region"
	    " GROUP BY h.code, h.name, h.address, h.phone, h.kind, h.region, rg.name"
	    /* the city centre first: pages that take the first hall keep taking it */
	    " ORDER BY FIELD(h.kind, 'centre', 'district', 'station'), h.code",
	    DBNOARGS, hall_cols, "ssssSSsSSb", halls);
	if (rc >= 0)
		rc = db_rows_json(c,
		    "SELECT hall, DATE_FORMAT(open_at, '%H:%i'), DATE_FORMAT(close_at, '%H:%i')"
		    " FROM hall_hours ORDER BY hall, seq", DBNOARGS, hour_cols, "sss", hours);
	/* Extension: the opening periods (a lunch break splits the day). */
	return list_with(rc, halls, hours, attach_hours, out);
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

long long
catalog_eta_minutes(long long waiting, long long avg_minutes, long long windows)
{
	return windows > 0 ? (waiting * avg_minutes + windows - 1) / windows : 0;
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
    "description", "must_attend" };
static const char *const mat_cols[] = { "item", "code", "name", "required", "waivable", "form",
    "copies", "note", "promise_allowed" };
#define ITEM_TYPES "sssssssiibsssb"
#define MAT_TYPES  "sssbbsisb"

/* Escape LIKE wildcards so a search for "50%" finds "50%". */
int
catalog_like_pattern(const char *q, char *out, size_t osz)
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

/*
 * The items a hall offers (issue 21): the region's items the hall accepts (hall_items), in
 * the hall's category for them; an item without a row for its own hall (items.hall) is
 * accepted there under items.category, as before hall_items.  Retired items are not
 * offered.  Arguments: the hall three times, the category twice, then ITEM_MATCH's.
 */
#define HALL_CHOICE \
	" LEFT JOIN hall_items hi ON hi.item = i.id AND hi.hall = ?" \
	" WHERE i.retired_at IS NULL" \
	" AND (? IS NULL OR hi.accepts = 1 OR (hi.item IS NULL AND i.hall = ?))" \
	" AND (? IS NULL OR COALESCE(hi.category, i.category) = ?) AND " ITEM_MATCH

/* Items read by item_sql, each with its materials read by mat_sql (the same arguments),
 * into *out.  0 or a DB_* code (*out NULL). */
static int
items_with_materials(struct ctx *c, const char *item_sql, const char *mat_sql,
    const struct dbv *args, size_t nargs, json_t **out)
{
	json_t *items = json_array(), *mats = json_array();
	int rc;

	*out = NULL;
	rc = db_rows_json(c, item_sql, args, nargs, item_cols, ITEM_TYPES, items);
	if (rc >= 0)
		rc = db_rows_json(c, mat_sql, args, nargs, mat_cols, MAT_TYPES, mats);
	return list_with(rc, items, mats, attach_materials, out);
}

int
catalog_items(struct ctx *c, const char *hall, const char *cat, const char *q,
    const char *like, json_t **out)
{
	return items_with_materials(c,
	    "SELECT i.id, COALESCE(hi.hall, i.hall), i.name, COALESCE(hi.category, i.category),"
	    " i.department, d.name, i.kind,"
	    " i.promised_days, i.legal_days, i.cross_province, i.fee, i.basis, i.description,"
	    " i.must_attend"
	    " FROM items i JOIN departments d ON d.code = i.department" HALL_CHOICE
	    " ORDER BY COALESCE(hi.hall, i.hall), COALESCE(hi.category, i.category), i.sort, i.id",
	    "SELECT m.item, m.code, m.name, m.required, m.waivable, m.form, m.copies, m.note,"
	    " m.promise_allowed"
	    " FROM item_materials m JOIN items i ON i.id = m.item" HALL_CHOICE
	    " AND m.retired_version IS NULL ORDER BY m.item, m.sort, m.code",
	    DBARGS(DBSO(hall), DBSO(hall), DBSO(hall), DBSO(cat), DBSO(cat), DBS(like), DBS(like),
	    DBS(q), DBS(q)), out);
}

int
catalog_item_json(struct ctx *c, const char *id, json_t **out)
{
	json_t *items;
	int rc;

	*out = NULL;
	rc = items_with_materials(c,
	    "SELECT i.id, i.hall, i.name, i.category, i.department, d.name, i.kind,"
	    " i.promised_days, i.legal_days, i.cross_province, i.fee, i.basis, i.description,"
	    " i.must_attend"
	    " FROM items i JOIN departments d ON d.code = i.department WHERE i.id = ?",
	    "SELECT item, code, name, required, waivable, form, copies, note, promise_allowed"
	    " FROM item_materials WHERE item = ? AND retired_version IS NULL"
	    " ORDER BY sort, code", DBARGS(DBS(id)), &items);
	if (rc < 0)
		return rc;
	*out = json_incref(json_array_get(items, 0));
	json_decref(items);
	return *out != NULL;
}
