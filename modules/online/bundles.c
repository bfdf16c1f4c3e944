/*
 * bundles.c — 一件事一次办: the hall's bundles of items of several departments, each with its
 * application form (hall/forms.h says how a form is made).
 *
 * Routes: GET /bundles?hall= (public)
 * Tables: bundles (read; the forms through hall/forms.c)
 * Redis:  none
 */
#include "handlers.h"
#include "online.h"
#include "../../fcgi/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
id_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	(void)ncol;
	(void)lens;
	json_array_append_new(arg, json_string(v[0]));
	return 0;
}

int
h_bundles(struct req *r)
{
	const char *hall = NULL;
	json_t *ids = json_array(), *out = json_array(), *v;
	struct form *f;
	size_t i;
	int rc;

	q_str(r, "hall", 0, 32, &hall);
	if (in_has_errors(r)) {
		json_decref(ids);
		json_decref(out);
		return req_invalid(r);
	}
	rc = db_query(r->ctx, "SELECT id FROM bundles WHERE hall = ? AND retired_at IS NULL"
	    " ORDER BY sort, id",
	    DBARGS(DBS(hall ? hall : "demo")), id_row, ids);
	if (rc < 0 || (f = malloc(sizeof *f)) == NULL) {
		json_decref(ids);
		json_decref(out);
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "out of memory");
	}
	json_array_foreach(ids, i, v) {
		if ((rc = form_load(r->ctx, NULL, json_string_value(v), f)) < 0)
			break;
		if (f->found)
			json_array_append_new(out, form_json(f));
	}
	free(f);
	json_decref(ids);
	if (rc < 0) {
		json_decref(out);
		return db_fail(r, rc);
	}
	req_header(r, "Cache-Control", "public, max-age=60");
	return req_ok(r, 200, json_pack("{s:o}", "bundles", out));
}
