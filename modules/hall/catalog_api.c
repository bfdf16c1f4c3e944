/*
 * catalog_api.c — the hall and its service guide, public routes (the record: catalog.c).
 *
 * Routes: GET /halls, GET /halls/{hall}/categories, GET /items, GET /items/{id}
 * Tables and Redis keys: those of catalog.c; categories and items read through each
 * process's copy (catalog_cache.c, and its key yc:catalog:gen).
 */
#include "handlers.h"
#include "catalog.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <string.h>

/* The reply other rooms' handlers share for a {hall} of their path. */
int
hall_find(struct req *r, const char *hall)
{
	int rc = hall_exists(r->ctx, hall);

	if (rc < 0)
		return db_fail(r, rc);
	if (rc > 0)
		return req_err_msg(r, rc, "没有这个政务服务中心");
	return 0;
}

int
h_halls(struct req *r)
{
	json_t *halls;
	int rc;

	if ((rc = catalog_halls(r->ctx, &halls)) < 0)
		return db_fail(r, rc);
	return req_ok(r, 200, json_pack("{s:o}", "halls", halls));
}

/* A reply body catalog_cache.c rendered: JSON, 200. */
static int
json_body_ok(struct req *r)
{
	r->raw_type = "application/json; charset=utf-8";
	r->status = 200;
	return 200;
}

int
h_categories(struct req *r)
{
	int rc = catalog_categories_reply(r->ctx, r->pathv[0], &r->raw_reply);

	if (rc != 0)
		r->raw_reply.len = 0;
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == E_NOT_FOUND)
		return req_err_msg(r, rc, "没有这个政务服务中心");
	if (rc == E_UNAVAILABLE)
		return req_unavailable(r);
	return json_body_ok(r);
}

void
catalog_q_category(struct req *r, const char **cat)
{
	if (q_str(r, "category", 0, 1, cat) == 0 && *cat && !category_code_ok(*cat))
		req_fail_field(r, "category", "须为一个大写字母");
}

int
h_items(struct req *r)
{
	const char *hall = NULL, *q = NULL, *cat = NULL;
	char like[256];
	int rc;

	q_str(r, "hall", 0, 32, &hall);
	q_str(r, "q", 0, 50, &q);
	catalog_q_category(r, &cat);
	if (hall && !hall_code_ok(hall))
		req_fail_field(r, "hall", "不是有效的中心编码");
	if (in_has_errors(r))
		return req_invalid(r);
	if (catalog_like_pattern(q ? q : "", like, sizeof like) != 0)
		return req_fail_field(r, "q", "内容过长"), req_invalid(r);
	rc = catalog_items_reply(r->ctx, hall, cat, q ? q : "", like, &r->raw_reply);
	if (rc < 0) {
		r->raw_reply.len = 0;
		return db_fail(r, rc);
	}
	return json_body_ok(r);
}

int
h_item(struct req *r)
{
	json_t *item;
	int rc;

	if (strlen(r->pathv[0]) > 40)
		return req_err_msg(r, E_NOT_FOUND, "没有这个事项");
	if ((rc = db_found(r, catalog_item_json(r->ctx, r->pathv[0], &item), "没有这个事项")) != 0)
		return rc;
	return req_ok(r, 200, json_pack("{s:o}", "item", item));
}
