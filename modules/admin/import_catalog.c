/*
 * import_catalog.c — the catalog in and out as a file (catalog_admin.h): JSON (items and
 * bundles) or CSV (items, one line per material).  yichuang-admin catalog-import /
 * catalog-export, the console's POST /admin/catalog/import and GET /admin/catalog/export,
 * and the demo seed (sql/seed/catalog-demo.json) all go through cat_import.
 *
 * Tables: those of catalog_items.c and bundles_admin.c (through them)
 * Redis:  none
 *
 * An import is one transaction: every record is checked and written through the same
 * functions as the API's PUTs, every problem is collected (the transaction goes on to the
 * end so the file's problems are listed at once), and it commits only when there is none.
 * A dry run does all of it and rolls back: the preview is what the import would do, not a
 * second opinion about it.
 */
#include "catalog_admin.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAT_DRY_RUN 1000	/* db_tx: roll back, the run itself went well */
#define CSV_MAX_FIELDS 32
#define CSV_FIELD_MAX 2048	/* bytes of one field */

/* The CSV columns, in the order export writes them. */
static const char *const csv_cols[] = { "item_id", "hall", "name", "category", "department",
	"kind", "promised_days", "legal_days", "cross_province", "must_attend", "fee", "basis",
	"description", "sort", "result_kind", "result_name", "result_valid_years",
	"result_electronic", "keywords", "retired", "material_code", "material_name",
	"material_required", "material_waivable", "material_promise_allowed", "material_form",
	"material_copies", "material_note", NULL };
enum { C_ID, C_HALL, C_NAME, C_CATEGORY, C_DEPARTMENT, C_KIND, C_PROMISED, C_LEGAL, C_CROSS,
	C_ATTEND, C_FEE, C_BASIS, C_DESC, C_SORT, C_RKIND, C_RNAME, C_RYEARS, C_RELEC,
	C_KEYWORDS, C_RETIRED, C_MCODE, C_MNAME, C_MREQ, C_MWAIV, C_MPROM, C_MFORM, C_MCOPIES,
	C_MNOTE, C__MAX };
/* Which item member each item column is, and its type: s text, i integer, b boolean. */
static const struct col_member { int col; const char *member; char type; } item_map[] = {
	{ C_HALL, "hall", 's' }, { C_NAME, "name", 's' }, { C_CATEGORY, "category", 's' },
	{ C_DEPARTMENT, "department", 's' }, { C_KIND, "kind", 's' },
	{ C_PROMISED, "promised_days", 'i' }, { C_LEGAL, "legal_days", 'i' },
	{ C_CROSS, "cross_province", 'b' }, { C_ATTEND, "must_attend", 'b' },
	{ C_FEE, "fee", 's' }, { C_BASIS, "basis", 's' }, { C_DESC, "description", 's' },
	{ C_SORT, "sort", 'i' }, { C_RKIND, "result_kind", 's' },
	{ C_RNAME, "result_name", 's' }, { C_RYEARS, "result_valid_years", 'i' },
	{ C_RELEC, "result_electronic", 'b' },
};
static const struct col_member mat_map[] = {
	{ C_MCODE, "code", 's' }, { C_MNAME, "name", 's' }, { C_MREQ, "required", 'b' },
	{ C_MWAIV, "waivable", 'b' }, { C_MPROM, "promise_allowed", 'b' },
	{ C_MFORM, "form", 's' }, { C_MCOPIES, "copies", 'i' }, { C_MNOTE, "note", 's' },
};

static void
problem(json_t *problems, long line, const char *record, const char *field, const char *msg)
{
	json_array_append_new(problems, json_pack("{s:I,s:s,s:s,s:s}", "line", (json_int_t)line,
	    "record", record, "field", field, "message", msg));
}

/* ------------------------------------------------------------ CSV */

struct csv {
	const char	*p, *end;
	long		 line;		/* the line the cursor is on */
};

/*
 * One record (RFC 4180: fields quoted with "" for a quote, CRLF or LF line ends) into f[]
 * (each malloc'd, NUL-terminated).  Returns the number of fields, 0 at the end, -1 on a
 * malformed record (*why says what).
 */
static int
csv_record(struct csv *s, char **f, int max, const char **why)
{
	struct buf b;
	int n = 0, quoted;

	if (s->p >= s->end)
		return 0;
	for (;;) {
		buf_init(&b, CSV_FIELD_MAX);
		quoted = s->p < s->end && *s->p == '"';
		if (quoted)
			s->p++;
		for (;;) {
			if (s->p >= s->end) {
				if (quoted) {
					*why = "引号没有闭合";
					goto bad;
				}
				break;
			}
			if (quoted && *s->p == '"') {
				if (s->p + 1 < s->end && s->p[1] == '"') {
					if (buf_add(&b, "\"", 1) != 0)
						goto long_field;
					s->p += 2;
					continue;
				}
				s->p++;
				quoted = 0;
				if (s->p < s->end && *s->p != ',' && *s->p != '\n' && *s->p != '\r') {
					*why = "引号后应为逗号或换行";
					goto bad;
				}
				continue;
			}
			if (!quoted && (*s->p == ',' || *s->p == '\n' || *s->p == '\r'))
				break;
			if (*s->p == '\n')
				s->line++;
			if (*s->p == '\0') {
				*why = "含有无效字符";
				goto bad;
			}
			if (buf_add(&b, s->p, 1) != 0)
				goto long_field;
			s->p++;
		}
		if (n >= max) {
			*why = "列数过多";
			goto bad;
		}
		if (buf_add(&b, "", 1) != 0)
			goto long_field;
		f[n++] = b.data ? b.data : strdup("");
		if (f[n - 1] == NULL) {
			*why = "内存不足";
			goto bad_nobuf;
		}
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == '\r')
			s->p++;
		if (s->p < s->end && *s->p == '\n') {
			s->p++;
			s->line++;
		}
		return n;
	}
long_field:
	*why = "某一项内容过长";
bad:
	buf_free(&b);
bad_nobuf:
	while (n > 0)
		free(f[--n]);
	return -1;
}

static json_t *
csv_value(const char *s, char type)
{
	long long v;

	if (*s == '\0')
		return NULL;
	if (type == 'i')
		return parse_ll(s, -1000000000LL, 1000000000LL, &v) == 0 ? json_integer(v) :
		    json_string(s);		/* the check says 须为整数 */
	if (type == 'b') {
		if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0 || strcmp(s, "是") == 0)
			return json_true();
		if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0 || strcmp(s, "否") == 0)
			return json_false();
		return json_string(s);		/* the check says 须为 true 或 false */
	}
	return json_string(s);
}

/* A CSV line read: its fields f[0..n), where each known column is among them (col_of:
 * C_* → index, or -1), and its line in the file. */
struct csv_line {
	char		**f;
	int		  n;
	const int	 *col_of;
	long		  at;
};

/* Column k of line l ("" when the file has no such column or the line is short). */
static const char *
csv_cell(const struct csv_line *l, int k)
{
	return l->col_of[k] >= 0 && l->col_of[k] < l->n ? l->f[l->col_of[k]] : "";
}

/* The members of o from l's columns by map (n entries): each non-empty one, typed. */
static void
csv_members(json_t *o, const struct csv_line *l, const struct col_member *map, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *v = csv_value(csv_cell(l, map[i].col), map[i].type);

		if (v)
			json_object_set_new(o, map[i].member, v);
	}
}

/* The header line into col_of: 0, or -1 with the problems (a column unknown, item_id or
 * material_name missing, the file empty or malformed). */
static int
csv_header(struct csv *s, int col_of[C__MAX], json_t *problems)
{
	char *f[CSV_MAX_FIELDS];
	const char *why = NULL;
	long at = s->line;
	int n, i, k, bad = 0;

	for (k = 0; k < C__MAX; k++)
		col_of[k] = -1;
	n = csv_record(s, f, CSV_MAX_FIELDS, &why);
	if (n <= 0) {
		problem(problems, at, "", "", n == 0 ? "文件为空" : why);
		return -1;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; csv_cols[k]; k++)
			if (strcmp(f[i], csv_cols[k]) == 0)
				break;
		if (csv_cols[k] == NULL) {
			problem(problems, at, "", f[i], "不认识的列名");
			bad = 1;
		} else
			col_of[k] = i;
		free(f[i]);
	}
	for (k = 0; k < C__MAX; k++)
		if (col_of[k] < 0 && (k == C_ID || k == C_MNAME)) {
			problem(problems, at, "", csv_cols[k], "缺少这一列");
			bad = 1;
		}
	return bad ? -1 : 0;
}

/* An item's first line: the item (id) with its columns, keywords split at "|". */
static json_t *
csv_item_new(const struct csv_line *l, const char *id)
{
	json_t *item = json_pack("{s:s,s:[],s:[]}", "id", id, "materials", "keywords");

	csv_members(item, l, item_map, NELEM(item_map));
	if (*csv_cell(l, C_KEYWORDS)) {
		char *kw = strdup(csv_cell(l, C_KEYWORDS)), *save = NULL, *w;

		for (w = kw ? strtok_r(kw, "|", &save) : NULL; w; w = strtok_r(NULL, "|", &save))
			json_array_append_new(json_object_get(item, "keywords"), json_string(w));
		free(kw);
	}
	if (*csv_cell(l, C_RETIRED))
		json_object_set_new(item, "retired", csv_value(csv_cell(l, C_RETIRED), 'b'));
	return item;
}

/* A later line of item (id): its item columns repeat the first line's, or are empty.
 * 1 when one differs (each a problem), else 0. */
static int
csv_item_again(const struct csv_line *l, const char *id, json_t *item, json_t *problems)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < NELEM(item_map); i++) {
		json_t *v = csv_value(csv_cell(l, item_map[i].col), item_map[i].type);

		if (v && !json_equal(v, json_object_get(item, item_map[i].member))) {
			problem(problems, l->at, id, csv_cols[item_map[i].col], "与该事项第一行不一致");
			bad = 1;
		}
		json_decref(v);
	}
	return bad;
}

/* One line into items (byid: id → index; ls: each item's lines): a new item or a later
 * line of one, and a material when any material column is filled.  1 when the line has a
 * problem (recorded), else 0. */
static int
csv_line_add(const struct csv_line *l, json_t *items, json_t *ls, json_t *byid,
    json_t *problems)
{
	const char *id = csv_cell(l, C_ID);
	json_t *item, *idx, *mat;
	size_t i;
	int bad = 0, any = 0;

	if (*id == '\0') {
		problem(problems, l->at, "", "item_id", "必填");
		return 1;
	}
	idx = json_object_get(byid, id);
	if (json_array_size(items) >= CAT_IMPORT_MAX && idx == NULL) {
		problem(problems, l->at, id, "item_id", "一次最多导入 2000 个事项");
		return 1;
	}
	if (idx == NULL) {
		item = csv_item_new(l, id);
		json_object_set_new(byid, id, json_integer((json_int_t)json_array_size(items)));
		json_array_append_new(items, item);
		json_array_append_new(ls, json_pack("{s:I,s:[]}", "line", (json_int_t)l->at,
		    "materials"));
	} else {
		item = json_array_get(items, (size_t)json_integer_value(idx));
		bad = csv_item_again(l, id, item, problems);
	}
	for (i = 0; i < NELEM(mat_map); i++)
		any |= *csv_cell(l, mat_map[i].col) != '\0';
	if (any) {	/* a line with any material column is a material */
		mat = json_object();
		csv_members(mat, l, mat_map, NELEM(mat_map));
		json_array_append_new(json_object_get(item, "materials"), mat);
		json_array_append_new(json_object_get(json_array_get(ls,
		    (size_t)json_integer_value(json_object_get(byid, id))), "materials"),
		    json_integer(l->at));
	}
	return bad;
}

/*
 * CSV → {"items": [...]} with, for each item, its first line and each material's line in
 * lines (items[k] = {"line": n, "materials": [n, ...]}), so problems name the file's line.
 */
static int
csv_to_json(const char *text, size_t len, json_t **doc, json_t **lines, json_t *problems)
{
	struct csv s = { text, text + len, 1 };
	char *f[CSV_MAX_FIELDS];
	int col_of[C__MAX], i, bad = 0;
	struct csv_line l = { f, 0, col_of, 0 };
	const char *why = NULL;
	json_t *items = json_array(), *ls = json_array(), *byid = json_object();

	*doc = NULL;
	*lines = NULL;
	if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
	    (unsigned char)text[2] == 0xBF)
		s.p += 3;		/* a spreadsheet's byte-order mark */
	if (csv_header(&s, col_of, problems) != 0)
		goto fail;
	for (;;) {
		l.at = s.line;
		l.n = csv_record(&s, f, CSV_MAX_FIELDS, &why);
		if (l.n == 0)
			break;
		if (l.n < 0) {
			problem(problems, l.at, "", "", why);
			goto fail;
		}
		if (l.n == 1 && f[0][0] == '\0') {	/* an empty line */
			free(f[0]);
			continue;
		}
		bad |= csv_line_add(&l, items, ls, byid, problems);
		for (i = 0; i < l.n; i++)
			free(f[i]);
	}
	if (bad)
		goto fail;
	json_decref(byid);
	*doc = json_pack("{s:o}", "items", items);
	*lines = ls;
	return 0;
fail:
	json_decref(items);
	json_decref(ls);
	json_decref(byid);
	return -1;
}

/* ------------------------------------------------------------ import */

struct import {
	const char	*actor;
	json_t		*doc;		/* {"items": [...], "bundles": [...]} */
	json_t		*lines;		/* CSV: each item's lines; NULL for JSON */
	int		 dry_run;
	json_t		*problems;	/* [{line, record, field, message}] */
	json_t		*items_out, *bundles_out;
	json_t		*counts;
};

/* A check's field errors ({"materials[2].name": msg}) as the file's problems. */
static void
problems_from(struct import *im, json_t *errs, size_t k, const char *kind, const char *id)
{
	const char *key;
	json_t *msg;
	char rec[64], field[160];

	fmt(rec, sizeof rec, "%s[%zu]", kind, k);
	json_object_foreach(errs, key, msg) {
		long line = 0;

		if (im->lines) {
			json_t *ls = json_array_get(im->lines, k);
			size_t j;

			line = (long)json_integer_value(json_object_get(ls, "line"));
			if (strncmp(key, "materials[", 10) == 0 &&
			    sscanf(key + 10, "%zu", &j) == 1 &&
			    json_array_get(json_object_get(ls, "materials"), j)) {
				const char *dot = strchr(key, '.');

				line = (long)json_integer_value(json_array_get(
				    json_object_get(ls, "materials"), j));
				fmt(field, sizeof field, "material_%s", dot ? dot + 1 : "");
			} else if (strcmp(key, "id") == 0)
				str_copy(field, sizeof field, "item_id");
			else if (strncmp(key, "keywords", 8) == 0)
				str_copy(field, sizeof field, "keywords");
			else
				str_copy(field, sizeof field, key);
		} else
			str_copy(field, sizeof field, key);
		problem(im->problems, line, id && *id ? id : rec, field, json_string_value(msg));
	}
}

static void
count(json_t *counts, const char *what)
{
	json_object_set_new(counts, what,
	    json_integer(json_integer_value(json_object_get(counts, what)) + 1));
}

static int
retired_flag(struct import *im, json_t *in, const char *kind, size_t k, const char *id,
    int *set)
{
	json_t *v = json_object_get(in, "retired");
	json_t *errs;

	*set = -1;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_boolean(v)) {
		*set = json_is_true(v);
		return 0;
	}
	errs = json_pack("{s:s}", "retired", "须为 true 或 false");
	problems_from(im, errs, k, kind, id);
	json_decref(errs);
	return -1;
}

/* The two lists of a catalog file, written in this order: items, then the bundles that
 * name them. */
struct import_kind {
	const char	*list, *kind;	/* "items", "item" */
	const char	*dup;		/* an id the file gives twice */
	json_t		*(*norm)(json_t *in, const char *id, const char *pfx, json_t *errs);
	int		 (*put)(struct ctx *c, const char *actor, json_t *norm, const char *pfx,
			    json_t *errs, struct cat_put *res);
	int		 versioned;	/* the report shows each one's version and counts it */
};
static const struct import_kind import_items = { "items", "item", "文件中重复的事项编号",
	cat_item_norm, cat_item_put, 1 };
static const struct import_kind import_bundles = { "bundles", "bundle",
	"文件中重复的一件事编号", cat_bundle_norm, cat_bundle_put, 0 };

/* Every record of one list checked and written: its problems into im, what was done into
 * out, and its "retired" flags into retire for after.  0 or the write's code. */
static int
import_list(struct ctx *c, struct import *im, const struct import_kind *ik, json_t *out,
    json_t *retire)
{
	json_t *list = json_object_get(im->doc, ik->list), *seen = json_object(), *in;
	size_t k;
	int rc = 0;

	json_array_foreach(list, k, in) {
		json_t *errs = json_object(), *norm, *done;
		const char *id = json_string_value(json_object_get(in, "id"));
		struct cat_put res;
		int set;

		if (id && json_object_get(seen, id)) {
			json_object_set_new(errs, "id", json_string(ik->dup));
			problems_from(im, errs, k, ik->list, id);
			json_decref(errs);
			continue;
		}
		if (id)
			json_object_set_new(seen, id, json_true());
		norm = ik->norm(in, NULL, "", errs);
		if (retired_flag(im, in, ik->list, k, id, &set) == 0 && set >= 0 && norm)
			json_array_append_new(retire, json_pack("{s:s,s:s,s:b}", "kind", ik->kind,
			    "id", id, "on", set));
		if (norm == NULL) {
			problems_from(im, errs, k, ik->list, id);
			json_decref(errs);
			continue;
		}
		rc = ik->put(c, im->actor, norm, "", errs, &res);
		json_decref(norm);
		if (rc == E_INVALID_INPUT) {
			problems_from(im, errs, k, ik->list, id);
			rc = 0;
		} else if (rc == 0) {
			done = json_pack("{s:s,s:s}", "id", id, "action", res.action);
			if (ik->versioned) {
				json_object_set_new(done, "version", json_integer(res.version));
				count(im->counts, res.action);
			}
			json_array_append_new(out, done);
			json_decref(res.after);
		}
		json_decref(errs);
		if (rc != 0)
			break;
	}
	json_decref(seen);
	return rc;
}

static int
import_tx(struct ctx *c, void *arg)
{
	struct import *im = arg;
	json_t *retire = json_array(), *x;
	size_t k;
	int rc = 0;

	/* Everything kept from a try that met a deadlock is rebuilt. */
	json_array_clear(im->problems);
	json_array_clear(im->items_out);
	json_array_clear(im->bundles_out);
	json_object_clear(im->counts);
	if ((rc = import_list(c, im, &import_items, im->items_out, retire)) != 0 ||
	    (rc = import_list(c, im, &import_bundles, im->bundles_out, retire)) != 0)
		goto out;
	/* Retiring last: a bundle retired by the same file no longer holds its items; bundles
	 * first, so an item and the bundle that held it can go together. */
	for (int pass = 0; pass < 2 && json_array_size(im->problems) == 0; pass++)
		json_array_foreach(retire, k, x) {
			const char *kind = json_string_value(json_object_get(x, "kind"));
			const char *id = json_string_value(json_object_get(x, "id"));
			int on = json_is_true(json_object_get(x, "on")), changed = 0;
			const char *why = NULL;

			if ((strcmp(kind, "bundle") == 0) != (pass == 0))
				continue;
			rc = pass == 0 ? cat_bundle_retire(c, im->actor, id, on, &changed) :
			    cat_item_retire(c, im->actor, id, on, &changed, &why);
			if (rc == E_INVALID_STATE) {
				problem(im->problems, 0, id, "retired", why ? why :
				    "一件事中有已停用的事项，不能恢复");
				rc = 0;
			}
			if (rc != 0)
				goto out;
			if (changed)
				count(im->counts, on ? "retired" : "restored");
		}
	if (json_array_size(im->problems) > 0)
		rc = E_INVALID_INPUT;
	else if (im->dry_run)
		rc = CAT_DRY_RUN;
out:
	json_decref(retire);
	return rc;
}

int
cat_import(struct ctx *c, const char *actor, const char *text, size_t len, enum cat_format f,
    int dry_run, json_t **report, json_t **problems)
{
	struct import im;
	json_error_t jerr;
	int rc;

	memset(&im, 0, sizeof im);
	*report = NULL;
	*problems = json_array();
	im.actor = actor;
	im.dry_run = dry_run;
	im.problems = *problems;
	if (!utf8_ok(text, len)) {
		problem(*problems, 0, "", "", "文件不是 UTF-8 编码");
		return E_INVALID_INPUT;
	}
	if (f == CAT_CSV) {
		if (csv_to_json(text, len, &im.doc, &im.lines, *problems) != 0)
			return E_INVALID_INPUT;
	} else {
		im.doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
		if (im.doc == NULL) {
			problem(*problems, jerr.line, "", "", "不是有效的 JSON");
			return E_INVALID_INPUT;
		}
		if (!json_is_object(im.doc) ||
		    (json_object_get(im.doc, "items") && !json_is_array(json_object_get(im.doc,
		    "items"))) || (json_object_get(im.doc, "bundles") &&
		    !json_is_array(json_object_get(im.doc, "bundles")))) {
			problem(*problems, 0, "", "", "应为 {\"items\":[…],\"bundles\":[…]}");
			json_decref(im.doc);
			return E_INVALID_INPUT;
		}
		if (json_array_size(json_object_get(im.doc, "items")) > CAT_IMPORT_MAX ||
		    json_array_size(json_object_get(im.doc, "bundles")) > CAT_IMPORT_MAX) {
			problem(*problems, 0, "", "", "一次最多导入 2000 个事项和 2000 个一件事");
			json_decref(im.doc);
			return E_INVALID_INPUT;
		}
	}
	im.items_out = json_array();
	im.bundles_out = json_array();
	im.counts = json_object();
	rc = db_tx(c, import_tx, &im);
	if (rc == 0 || rc == CAT_DRY_RUN) {
		*report = json_pack("{s:b,s:O,s:O,s:O}", "dry_run", dry_run, "items",
		    im.items_out, "bundles", im.bundles_out, "counts", im.counts);
		rc = 0;
	}
	json_decref(im.doc);
	json_decref(im.lines);
	json_decref(im.items_out);
	json_decref(im.bundles_out);
	json_decref(im.counts);
	return rc;
}

/* ------------------------------------------------------------ export */

int
cat_export_json(struct ctx *c, json_t **out)
{
	json_t *ids = json_array(), *items = json_array(), *bundles = json_array(), *v, *o;
	size_t i;
	int rc;

	*out = NULL;
	rc = db_query(c, "SELECT id FROM items ORDER BY hall, category, sort, id", DBNOARGS,
	    db_str_row, ids);
	json_array_foreach(ids, i, v) {
		if (rc < 0 || (rc = cat_item_get(c, json_string_value(v), &o)) < 0)
			break;
		if (rc == 0)
			continue;
		json_object_set_new(o, "retired", json_boolean(!json_is_null(json_object_get(o,
		    "retired_at"))));
		json_object_del(o, "retired_at");
		json_object_del(o, "version");
		json_object_del(o, "department_name");
		json_array_append_new(items, o);
	}
	json_array_clear(ids);
	if (rc >= 0)
		rc = db_query(c, "SELECT id FROM bundles ORDER BY hall, sort, id", DBNOARGS, db_str_row,
		    ids);
	json_array_foreach(ids, i, v) {
		if (rc < 0 || (rc = cat_bundle_get(c, json_string_value(v), &o)) < 0)
			break;
		if (rc == 0)
			continue;
		json_array_append_new(bundles, json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:b}", "id",
		    json_object_get(o, "id"), "hall", json_object_get(o, "hall"), "name",
		    json_object_get(o, "name"), "description", json_object_get(o, "description"),
		    "sort", json_object_get(o, "sort"), "items", json_object_get(o, "items"),
		    "retired", !json_is_null(json_object_get(o, "retired_at"))));
		json_decref(o);
	}
	json_decref(ids);
	if (rc < 0) {
		json_decref(items);
		json_decref(bundles);
		return rc;
	}
	*out = json_pack("{s:s,s:i,s:o,s:o}", "format", "yichuang-catalog", "format_version", 1,
	    "items", items, "bundles", bundles);
	return 0;
}

static int
csv_field(struct buf *b, const char *s, int last)
{
	int rc = 0;

	if (strpbrk(s, ",\"\r\n") != NULL) {
		rc |= buf_add(b, "\"", 1);
		for (; *s; s++)
			rc |= *s == '"' ? buf_add(b, "\"\"", 2) : buf_add(b, s, 1);
		rc |= buf_add(b, "\"", 1);
	} else
		rc |= buf_adds(b, s);
	rc |= buf_adds(b, last ? "\r\n" : ",");
	return rc;
}

static void
cell(json_t *v, char *out, size_t osz)
{
	if (json_is_string(v))
		str_copy(out, osz, json_string_value(v));
	else if (json_is_integer(v))
		fmt(out, osz, "%lld", (long long)json_integer_value(v));
	else if (json_is_boolean(v))
		str_copy(out, osz, json_is_true(v) ? "1" : "0");
	else
		out[0] = '\0';
}

int
cat_export_csv(struct ctx *c, char **csv, size_t *len)
{
	json_t *doc, *it, *m, *kw;
	struct buf b;
	char val[C__MAX][1200];
	size_t i, j, k;
	int rc, err = 0;

	*csv = NULL;
	*len = 0;
	if ((rc = cat_export_json(c, &doc)) != 0)
		return rc;
	buf_init(&b, 64u * 1024 * 1024);
	for (k = 0; csv_cols[k]; k++)
		err |= csv_field(&b, csv_cols[k], csv_cols[k + 1] == NULL);
	json_array_foreach(json_object_get(doc, "items"), i, it) {
		size_t nm = json_array_size(json_object_get(it, "materials"));

		memset(val, 0, sizeof val);
		cell(json_object_get(it, "id"), val[C_ID], sizeof val[0]);
		for (k = 0; k < NELEM(item_map); k++)
			cell(json_object_get(it, item_map[k].member), val[item_map[k].col],
			    sizeof val[0]);
		cell(json_object_get(it, "retired"), val[C_RETIRED], sizeof val[0]);
		json_array_foreach(json_object_get(it, "keywords"), j, kw) {
			size_t at = strlen(val[C_KEYWORDS]);

			fmt(val[C_KEYWORDS] + at, sizeof val[0] - at, "%s%s", at ? "|" : "",
			    json_string_value(kw));
		}
		for (j = 0; j < (nm ? nm : 1); j++) {
			m = json_array_get(json_object_get(it, "materials"), j);
			for (k = 0; k < NELEM(mat_map); k++)
				cell(m ? json_object_get(m, mat_map[k].member) : NULL,
				    val[mat_map[k].col], sizeof val[0]);
			for (k = 0; k < C__MAX; k++)
				err |= csv_field(&b, val[k], k + 1 == C__MAX);
		}
	}
	json_decref(doc);
	if (err || buf_add(&b, "", 1) != 0) {
		buf_free(&b);
		return DB_FAIL;
	}
	*len = b.len - 1;
	*csv = b.data;
	return 0;
}
