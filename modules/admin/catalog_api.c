/*
 * catalog_api.c — the region's catalog on the console (issue 21, part A).
 *
 * Routes: GET  /admin/items                          region_admin, admin
 *         GET  /admin/items/{id}                     region_admin, admin (with its trail)
 *         GET  /admin/items/{id}/versions/{version}  region_admin, admin
 *         PUT  /admin/items/{id}                     region_admin (create or change)
 *         POST /admin/items/{id}/retire|restore      region_admin
 *         GET  /admin/halls/{hall}/items             admin of the hall, region_admin
 *         GET  /admin/halls/{hall}/items/{id}        admin of the hall, region_admin
 *         PUT  /admin/halls/{hall}/items/{id}        admin of the hall, region_admin
 *         GET  /admin/bundles, /admin/bundles/{id}   region_admin, admin
 *         PUT  /admin/bundles/{id}                   region_admin
 *         POST /admin/bundles/{id}/retire|restore    region_admin
 *         GET  /admin/catalog/export?format=json|csv region_admin
 *         POST /admin/catalog/import?format=&dry_run= region_admin (the file as the body)
 * Tables: through catalog_items.c, bundles_admin.c, import_catalog.c; audit_log
 * Redis:  yc:catalog:gen (catalog_changed, after every change that committed)
 *
 * Each change is one transaction (db_tx) with its audit_catalog row (before and after);
 * the general audit_log gets one line once it committed.
 */
#include "handlers.h"
#include "catalog_admin.h"
#include "../hall/catalog.h"
#include "../shared/audit.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <stdlib.h>
#include <string.h>

static void
actor_of(struct req *r, char *out, size_t osz)
{
	if (fmt(out, osz, "staff:%s", r->sess.subject) < 0)
		str_copy(out, osz, "staff:?");
}

/* A hall's admin acts for their own hall only; the region's admin for any (403), and the
 * hall must exist (404). */
static int
require_hall_admin(struct req *r, const char *hall)
{
	if (r->sess.role != ROLE_REGION_ADMIN &&
	    (r->sess.role != ROLE_ADMIN || strcmp(r->sess.hall, hall) != 0))
		return req_err_msg(r, E_FORBIDDEN, "只能管理本中心的事项");
	return hall_find(r, hall);
}

/* errs (field → message) as the 400 reply; the status. */
static int
invalid(struct req *r, json_t *errs)
{
	const char *k;
	json_t *v;

	json_object_foreach(errs, k, v)
		req_fail_field(r, k, json_string_value(v));
	if (!in_has_errors(r))
		req_fail_field(r, "input", "输入有误");
	return req_invalid(r);
}

/* ------------------------------------------------------------ items */

int
h_adm_items(struct req *r)
{
	const char *q = NULL, *ret = NULL;
	json_t *list;
	int rc;

	q_str(r, "q", 0, 50, &q);
	q_str(r, "retired", 0, 1, &ret);
	if (ret && strcmp(ret, "1") != 0 && strcmp(ret, "0") != 0)
		req_fail_field(r, "retired", "为 1 或 0");
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = cat_item_list(r->ctx, q, ret && *ret == '1', &list)) != 0)
		return db_fail(r, rc);
	return req_ok(r, 200, json_pack("{s:o}", "items", list));
}

int
h_adm_item(struct req *r)
{
	const char *id = r->pathv[0];
	json_t *item = NULL, *versions = NULL, *trail = NULL, *halls = NULL;
	static const char *const hnames[] = { "hall", "accepts", "decides", "category" };
	int rc;

	if ((rc = cat_item_get(r->ctx, id, &item)) <= 0)
		return rc < 0 ? db_fail(r, rc) : req_err_msg(r, E_NOT_FOUND, "没有这个事项");
	halls = json_array();
	rc = cat_item_versions(r->ctx, id, &versions);
	if (rc == 0)
		rc = cat_audit_trail(r->ctx, "item", id, &trail);
	if (rc == 0)
		rc = db_rows_json(r->ctx, "SELECT hall, accepts, decides, category FROM hall_items"
		    " WHERE item = ? ORDER BY hall", DBARGS(DBS(id)), hnames, "sbbs", halls);
	if (rc < 0) {
		json_decref(item);
		json_decref(versions);
		json_decref(trail);
		json_decref(halls);
		return db_fail(r, rc);
	}
	return req_ok(r, 200, json_pack("{s:o,s:o,s:o,s:o}", "item", item, "versions", versions,
	    "halls", halls, "audit", trail));
}

int
h_adm_item_version(struct req *r)
{
	long long v;
	json_t *body;
	int rc;

	if (parse_ll(r->pathv[1], 1, 4000000000LL, &v) != 0)
		return req_fail_field(r, "version", "须为正整数"), req_invalid(r);
	if ((rc = cat_item_version(r->ctx, r->pathv[0], v, &body)) <= 0)
		return rc < 0 ? db_fail(r, rc) : req_err_msg(r, E_NOT_FOUND, "没有这个版本");
	return req_ok(r, 200, json_pack("{s:s,s:I,s:o}", "id", r->pathv[0], "version",
	    (json_int_t)v, "item", body));
}

struct put_arg {
	int		(*put)(struct ctx *, const char *, json_t *, const char *, json_t *,
			    struct cat_put *);
	const char	*actor;
	json_t		*norm;
	json_t		*errs;
	struct cat_put	 res;
};

/* The write (cat_item_put or cat_bundle_put), tried again from a clean start when the
 * transaction is. */
static int
put_tx(struct ctx *c, void *arg)
{
	struct put_arg *a = arg;

	json_object_clear(a->errs);
	json_decref(a->res.after);
	a->res.after = NULL;
	return a->put(c, a->actor, a->norm, "", a->errs, &a->res);
}

/*
 * Write a normalised body (a->norm, NULL when a->errs says why it was refused) with a->put in
 * one transaction: 0 with a->res filled, or the reply set (400 naming the fields, a
 * refusal, 503) and its status.  Takes a->norm and a->errs.
 */
static int
put_run(struct req *r, struct put_arg *a, const struct db_field *refusals, size_t nrefusals)
{
	char actor[64];
	int rc;

	if (a->norm == NULL)
		rc = invalid(r, a->errs);
	else {
		actor_of(r, actor, sizeof actor);
		a->actor = actor;
		rc = db_tx(r->ctx, put_tx, a);
		a->actor = NULL;
		json_decref(a->norm);
		if (rc == E_INVALID_INPUT)
			rc = invalid(r, a->errs);
		else if (rc != 0)
			rc = rc > 0 ? req_err(r, rc) : db_fail_map(r, rc, refusals, nrefusals);
	}
	json_decref(a->errs);
	if (rc != 0) {
		json_decref(a->res.after);
		a->res.after = NULL;
	}
	return rc;
}

static const struct db_field item_refusals[] = {
	{ DBR_NO_PARENT, "fk_items_category", "category", "该中心没有这个业务类别" },
	{ DBR_NO_PARENT, "fk_items_department", "department", "没有这个部门" },
};

int
h_adm_item_put(struct req *r)
{
	struct put_arg a;
	char detail[64];
	int rc;

	memset(&a, 0, sizeof a);
	a.errs = json_object();
	a.put = cat_item_put;
	a.norm = cat_item_norm(r->body, r->pathv[0], "", a.errs);
	if ((rc = put_run(r, &a, DB_FIELDS(item_refusals))) != 0)
		return rc;
	if (strcmp(a.res.action, "unchanged") != 0) {
		catalog_changed(r->ctx);
		fmt(detail, sizeof detail, "version %lld", a.res.version);
		audit(r, strcmp(a.res.action, "created") == 0 ? "catalog.item.create" :
		    "catalog.item.change", r->pathv[0], "ok", detail);
	}
	return req_ok(r, strcmp(a.res.action, "created") == 0 ? 201 : 200,
	    json_pack("{s:s,s:o}", "action", a.res.action, "item", a.res.after));
}

struct retire_arg {
	const char	*actor, *id, *why;
	int		 on, changed, bundle;
};

static int
retire_tx(struct ctx *c, void *arg)
{
	struct retire_arg *a = arg;

	return a->bundle ? cat_bundle_retire(c, a->actor, a->id, a->on, &a->changed) :
	    cat_item_retire(c, a->actor, a->id, a->on, &a->changed, &a->why);
}

static int
retire(struct req *r, int bundle, int on)
{
	struct retire_arg a = { NULL, r->pathv[0], NULL, on, 0, bundle };
	char actor[64], action[40];
	json_t *o = NULL;
	int rc;

	actor_of(r, actor, sizeof actor);
	a.actor = actor;
	rc = db_tx(r->ctx, retire_tx, &a);
	if (rc == E_NOT_FOUND)
		return req_err_msg(r, E_NOT_FOUND, bundle ? "没有这个一件事" : "没有这个事项");
	if (rc == E_INVALID_STATE)
		return req_err_msg(r, E_INVALID_STATE, a.why ? a.why :
		    "一件事中有已停用的事项，请先恢复这些事项或从一件事中移除");
	if (rc != 0)
		return rc > 0 ? req_err(r, rc) : db_fail(r, rc);
	if (a.changed) {
		catalog_changed(r->ctx);
		fmt(action, sizeof action, "catalog.%s.%s", bundle ? "bundle" : "item",
		    on ? "retire" : "restore");
		audit(r, action, a.id, "ok", "");
	}
	rc = bundle ? cat_bundle_get(r->ctx, a.id, &o) : cat_item_get(r->ctx, a.id, &o);
	if (rc <= 0)
		return rc < 0 ? db_fail(r, rc) : req_err(r, E_NOT_FOUND);
	return req_ok(r, 200, json_pack("{s:b,s:o}", "changed", a.changed,
	    bundle ? "bundle" : "item", o));
}

/* POST /admin/items/{id}/retire and …/restore */
int
h_adm_item_retire(struct req *r)
{
	return retire(r, 0, req_route_ends(r, "/retire"));
}

/* ------------------------------------------------------------ a hall's choices */

int
h_adm_hall_items(struct req *r)
{
	const char *hall = r->pathv[0];
	json_t *list;
	int rc;

	if ((rc = require_hall_admin(r, hall)) != 0)
		return rc;
	if ((rc = cat_hall_items(r->ctx, hall, &list)) != 0)
		return db_fail(r, rc);
	return req_ok(r, 200, json_pack("{s:s,s:o}", "hall", hall, "items", list));
}

int
h_adm_hall_item(struct req *r)
{
	const char *hall = r->pathv[0], *id = r->pathv[1];
	json_t *list, *row, *one = NULL, *trail;
	char rec[80];
	size_t i;
	int rc;

	if ((rc = require_hall_admin(r, hall)) != 0)
		return rc;
	if ((rc = cat_hall_items(r->ctx, hall, &list)) != 0)
		return db_fail(r, rc);
	json_array_foreach(list, i, row)
		if (strcmp(json_string_value(json_object_get(row, "id")), id) == 0)
			one = json_incref(row);
	json_decref(list);
	if (one == NULL)
		return req_err_msg(r, E_NOT_FOUND, "没有这个事项");
	fmt(rec, sizeof rec, "%s/%s", hall, id);
	if ((rc = cat_audit_trail(r->ctx, "hall_item", rec, &trail)) != 0) {
		json_decref(one);
		return db_fail(r, rc);
	}
	return req_ok(r, 200, json_pack("{s:o,s:o}", "choice", one, "audit", trail));
}

struct choose_arg {
	const char		*actor, *hall, *item;
	struct cat_choice	 ch;
	json_t			*errs, *after;
};

static int
choose_tx(struct ctx *c, void *arg)
{
	struct choose_arg *a = arg;

	json_object_clear(a->errs);
	json_decref(a->after);
	a->after = NULL;
	return cat_hall_choose(c, a->actor, a->hall, a->item, &a->ch, a->errs, &a->after);
}

int
h_adm_hall_item_put(struct req *r)
{
	struct choose_arg a;
	char actor[64];
	const char *cat = NULL;
	int rc;

	memset(&a, 0, sizeof a);
	a.hall = r->pathv[0];
	a.item = r->pathv[1];
	if ((rc = require_hall_admin(r, a.hall)) != 0)
		return rc;
	a.ch.decides = 1;
	in_bool(r, r->body, "accepts", 1, &a.ch.accepts);
	in_bool(r, r->body, "decides", 0, &a.ch.decides);
	if (in_str(r, r->body, "category", 0, 1, 1, &cat) == 0 && cat &&
	    (cat[0] < 'A' || cat[0] > 'Z'))
		req_fail_field(r, "category", "类别为一个大写字母 A–Z");
	if (in_has_errors(r))
		return req_invalid(r);
	a.ch.category = cat;
	actor_of(r, actor, sizeof actor);
	a.actor = actor;
	a.errs = json_object();
	rc = db_tx(r->ctx, choose_tx, &a);
	if (rc == E_INVALID_INPUT)
		rc = invalid(r, a.errs);
	else if (rc == E_NOT_FOUND)
		rc = req_err_msg(r, E_NOT_FOUND, "没有这个事项");
	else if (rc == E_INVALID_STATE)
		rc = req_err_msg(r, E_INVALID_STATE, "该事项已停用，不能选为本中心受理");
	else if (rc != 0)
		rc = rc > 0 ? req_err(r, rc) : db_fail(r, rc);
	json_decref(a.errs);
	if (rc != 0) {
		json_decref(a.after);
		return rc;
	}
	catalog_changed(r->ctx);
	audit(r, "catalog.hall_item.choose", a.item, "ok", a.ch.accepts ? "accepts" : "not accepted");
	return req_ok(r, 200, json_pack("{s:o}", "choice", a.after));
}

/* ------------------------------------------------------------ bundles */

int
h_adm_bundles(struct req *r)
{
	json_t *list;
	int rc;

	if ((rc = cat_bundle_list(r->ctx, &list)) != 0)
		return db_fail(r, rc);
	return req_ok(r, 200, json_pack("{s:o}", "bundles", list));
}

int
h_adm_bundle(struct req *r)
{
	json_t *b, *trail;
	int rc;

	if ((rc = cat_bundle_get(r->ctx, r->pathv[0], &b)) <= 0)
		return rc < 0 ? db_fail(r, rc) : req_err_msg(r, E_NOT_FOUND, "没有这个一件事");
	if ((rc = cat_audit_trail(r->ctx, "bundle", r->pathv[0], &trail)) != 0) {
		json_decref(b);
		return db_fail(r, rc);
	}
	return req_ok(r, 200, json_pack("{s:o,s:o}", "bundle", b, "audit", trail));
}

int
h_adm_bundle_put(struct req *r)
{
	struct put_arg a;
	json_t *full = NULL;
	int rc;

	memset(&a, 0, sizeof a);
	a.errs = json_object();
	a.put = cat_bundle_put;
	a.norm = cat_bundle_norm(r->body, r->pathv[0], "", a.errs);
	if ((rc = put_run(r, &a, NULL, 0)) != 0)
		return rc;
	json_decref(a.res.after);	/* the reply shows the bundle as read back */
	if (strcmp(a.res.action, "unchanged") != 0) {
		catalog_changed(r->ctx);
		audit(r, strcmp(a.res.action, "created") == 0 ? "catalog.bundle.create" :
		    "catalog.bundle.change", r->pathv[0], "ok", "");
	}
	if ((rc = cat_bundle_get(r->ctx, r->pathv[0], &full)) <= 0)
		return rc < 0 ? db_fail(r, rc) : req_err(r, E_NOT_FOUND);
	return req_ok(r, strcmp(a.res.action, "created") == 0 ? 201 : 200,
	    json_pack("{s:s,s:o}", "action", a.res.action, "bundle", full));
}

/* POST /admin/bundles/{id}/retire and …/restore */
int
h_adm_bundle_retire(struct req *r)
{
	return retire(r, 1, req_route_ends(r, "/retire"));
}

/* ------------------------------------------------------------ import and export */

/* format= of the query (json, csv); *f; 0 or -1 with the field error recorded. */
static int
format_of(struct req *r, const char *def, enum cat_format *f)
{
	const char *s = NULL;

	if (q_str(r, "format", 0, 8, &s) != 0)
		return -1;
	if (s == NULL)
		s = def;
	if (strcmp(s, "json") == 0)
		*f = CAT_JSON;
	else if (strcmp(s, "csv") == 0)
		*f = CAT_CSV;
	else
		return req_fail_field(r, "format", "为 json 或 csv");
	return 0;
}

int
h_adm_export(struct req *r)
{
	enum cat_format f;
	json_t *doc;
	char *csv;
	size_t len;
	int rc;

	if (format_of(r, "json", &f) != 0)
		return req_invalid(r);
	req_header(r, "Cache-Control", "no-store");
	if (f == CAT_JSON) {
		if ((rc = cat_export_json(r->ctx, &doc)) != 0)
			return db_fail(r, rc);
		req_header(r, "Content-Disposition", "attachment; filename=\"catalog.json\"");
		return req_ok(r, 200, doc);
	}
	if ((rc = cat_export_csv(r->ctx, &csv, &len)) != 0)
		return db_fail(r, rc);
	buf_free(&r->raw_reply);
	buf_init(&r->raw_reply, len + 1);
	rc = buf_add(&r->raw_reply, csv, len);
	free(csv);
	if (rc != 0)
		return req_bug(r, "catalog CSV too large");
	req_header(r, "Content-Disposition", "attachment; filename=\"catalog.csv\"");
	r->raw_type = "text/csv; charset=utf-8";
	r->status = 200;
	return 200;
}

int
h_adm_import(struct req *r)
{
	const char *dry = NULL;
	enum cat_format f;
	json_t *report = NULL, *problems = NULL, *p;
	char actor[64], detail[80];
	size_t i;
	int rc;

	q_str(r, "dry_run", 0, 1, &dry);
	if (dry && strcmp(dry, "1") != 0 && strcmp(dry, "0") != 0)
		req_fail_field(r, "dry_run", "为 1 或 0");
	format_of(r, r->content_type && strstr(r->content_type, "csv") ? "csv" : "json", &f);
	if (r->raw_body == NULL || r->body_len == 0)
		req_fail_field(r, "file", "请上传目录文件");
	if (in_has_errors(r))
		return req_invalid(r);
	actor_of(r, actor, sizeof actor);
	rc = cat_import(r->ctx, actor, r->raw_body, r->body_len, f, dry && *dry == '1', &report,
	    &problems);
	if (rc == E_INVALID_INPUT) {
		json_array_foreach(problems, i, p) {
			char key[200];

			if (json_integer_value(json_object_get(p, "line")) > 0)
				fmt(key, sizeof key, "line %lld %s",
				    (long long)json_integer_value(json_object_get(p, "line")),
				    json_string_value(json_object_get(p, "field")));
			else
				fmt(key, sizeof key, "%s %s",
				    json_string_value(json_object_get(p, "record")),
				    json_string_value(json_object_get(p, "field")));
			req_fail_field(r, key, json_string_value(json_object_get(p, "message")));
		}
		json_decref(r->err_extra);
		r->err_extra = json_pack("{s:o}", "problems", problems);
		return req_invalid(r);
	}
	json_decref(problems);
	if (rc != 0)
		return rc > 0 ? req_err(r, rc) : db_fail(r, rc);
	if (!(dry && *dry == '1')) {
		catalog_changed(r->ctx);
		fmt(detail, sizeof detail, "%zu items, %zu bundles",
		    json_array_size(json_object_get(report, "items")),
		    json_array_size(json_object_get(report, "bundles")));
		audit(r, "catalog.import", f == CAT_CSV ? "csv" : "json", "ok", detail);
	}
	return req_ok(r, 200, report);
}
