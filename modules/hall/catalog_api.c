/*
 * catalog_api.c — the hall and its service guide, public routes (the record: catalog.c).
 *
 * Routes: GET /halls, GET /halls/{hall}/categories, GET /items, GET /items/{id}
 * Tables and Redis keys: those of catalog.c.
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

int
h_categories(struct req *r)
{
	const char *hall = r->pathv[0];
	json_t *cats;
	int rc;

	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	rc = catalog_categories(r->ctx, hall, &cats);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == E_UNAVAILABLE)
		return req_unavailable(r);
	return req_ok(r, 200, json_pack("{s:o}", "categories", cats));
}

int
h_items(struct req *r)
{
	const char *hall = NULL, *q = NULL, *cat = NULL;
	char like[256];
	json_t *items;
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
	if (catalog_like_pattern(q ? q : "", like, sizeof like) != 0)
		return req_fail_field(r, "q", "内容过长"), req_invalid(r);
	if ((rc = catalog_items(r->ctx, hall, cat, q ? q : "", like, &items)) < 0)
		return db_fail(r, rc);
	return req_ok(r, 200, json_pack("{s:o}", "items", items));
}

int
h_item(struct req *r)
{
	json_t *item;
	int rc;

	if (strlen(r->pathv[0]) > 40)
		return req_err_msg(r, E_NOT_FOUND, "没有这个事项");
	rc = catalog_item_json(r->ctx, r->pathv[0], &item);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_NOT_FOUND, "没有这个事项");
	return req_ok(r, 200, json_pack("{s:o}", "item", item));
}
