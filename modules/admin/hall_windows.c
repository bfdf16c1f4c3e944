/*
 * hall_windows.c — a hall's windows as its admin sets them: number, name, kind and the
 * categories each one calls (a window moved to another category, a new window).
 *
 * Routes: PUT /admin/halls/{hall}/windows/{number}   admin of the hall
 *         (the list: GET /halls/{hall}/categories shows how many windows serve each; the
 *         console's window list is part of the hall's directory)
 * Tables: windows, window_categories (written), categories (read), audit_log
 *         (admin.window, before and after).
 * Redis:  yc:catalog:gen through catalog_changed (the categories' window counts).
 *
 * Windows are never deleted here: a window in use has tickets, cases and staff naming it.
 * A change is read by the sign-in and the window's own routes at once (they read the
 * record); the queue's copy of the hall (queue/hall_config.c) takes it within its minute,
 * this process's at once.
 */
#include "handlers.h"
#include "../hall/catalog.h"
#include "../identity/identity.h"
#include "../queue/queue.h"
#include "../shared/audit.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = { "comprehensive", "pickup", "consult", NULL };

struct win_tx {
	struct req	*r;
	const char	*hall;
	long long	 number;
	const char	*name;
	const char	*kind;
	char		 cats[27];
	char		 before[200];
};

static int
win_tx(struct ctx *c, void *arg)
{
	struct win_tx *t = arg;
	json_t *d;
	char *txt, target[48], cs[2] = { 0, 0 };
	size_t i;
	int rc;

	if ((rc = db_exec(c, "INSERT INTO windows (hall, number, name, kind) VALUES (?, ?, ?, ?)"
	    " ON DUPLICATE KEY UPDATE name = VALUES(name), kind = VALUES(kind)",
	    DBARGS(DBS(t->hall), DBI(t->number), DBS(t->name), DBS(t->kind)), NULL, NULL)) != 0)
		return rc;
	if ((rc = db_exec(c, "DELETE FROM window_categories WHERE hall = ? AND window_no = ?",
	    DBARGS(DBS(t->hall), DBI(t->number)), NULL, NULL)) != 0)
		return rc;
	for (i = 0; t->cats[i]; i++) {
		cs[0] = t->cats[i];
		if ((rc = db_exec(c, "INSERT INTO window_categories (hall, window_no, category)"
		    " VALUES (?, ?, ?)", DBARGS(DBS(t->hall), DBI(t->number), DBS(cs)), NULL,
		    NULL)) != 0)
			return rc;
	}
	d = json_pack("{s:s?,s:{s:s,s:s,s:s}}", "before", t->before[0] ? t->before : NULL,
	    "after", "name", t->name, "kind", t->kind, "categories", t->cats);
	txt = d ? json_dumps(d, JSON_COMPACT) : NULL;
	fmt(target, sizeof target, "%s:%lld", t->hall, t->number);
	audit(t->r, "admin.window", target, "ok", txt ? txt : "");
	free(txt);
	json_decref(d);
	return 0;
}

static int
before_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct win_tx *t = arg;

	(void)ncol;
	(void)lens;
	fmt(t->before, sizeof t->before, "%s / %s / %s", v[0], v[1], v[2] ? v[2] : "");
	return 1;
}

int
h_admin_window_put(struct req *r)
{
	const char *hall = r->pathv[0], *num = r->pathv[1];
	json_t *a = json_object_get(r->body, "categories"), *v;
	struct win_tx t;
	char one[4], f[32];
	size_t i;
	int kind = -1, rc;

	if ((rc = require_admin_of_hall(r, hall)) != 0)
		return rc;
	memset(&t, 0, sizeof t);
	if (parse_ll(num, 1, 999, &t.number) != 0)
		req_fail_field(r, "number", "窗口号须为 1 至 999");
	in_str(r, r->body, "name", 1, 1, 50, &t.name);
	in_enum(r, r->body, "kind", 1, kinds, &kind);
	if (!json_is_array(a) || json_array_size(a) > 26)
		req_fail_field(r, "categories", "须为所叫业务类别代码的列表（可为空）");
	else
		json_array_foreach(a, i, v) {
			const char *s = json_string_value(v);

			fmt(f, sizeof f, "categories[%zu]", i);
			if (s == NULL || !category_code_ok(s) || strchr(t.cats, s[0]) != NULL) {
				req_fail_field(r, f, "须为不重复的一个大写字母");
				continue;
			}
			t.cats[strlen(t.cats)] = s[0];
		}
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	for (i = 0; t.cats[i]; i++) {
		char cs[2] = { t.cats[i], 0 };

		if ((rc = db_scalar(r->ctx, "SELECT 1 FROM categories WHERE hall = ? AND code = ?",
		    DBARGS(DBS(hall), DBS(cs)), one, sizeof one)) < 0)
			return db_fail(r, rc);
		if (rc == 0) {
			fmt(f, sizeof f, "categories[%zu]", i);
			req_fail_field(r, f, "本中心没有这个类别");
		}
	}
	if (in_has_errors(r))
		return req_invalid(r);
	t.r = r;
	t.hall = hall;
	t.kind = kinds[kind];
	if ((rc = db_query(r->ctx, "SELECT w.name, w.kind, GROUP_CONCAT(c.category ORDER BY"
	    " c.category SEPARATOR '') FROM windows w LEFT JOIN window_categories c ON c.hall ="
	    " w.hall AND c.window_no = w.number WHERE w.hall = ? AND w.number = ? GROUP BY w.name,"
	    " w.kind", DBARGS(DBS(hall), DBI(t.number)), before_row, &t)) < 0)
		return db_fail(r, rc);
	if ((rc = db_tx(r->ctx, win_tx, &t)) != 0)
		return db_fail(r, rc);
	queue_hall_changed(hall);
	catalog_changed(r->ctx);
	{
		json_t *cl = json_array();

		for (i = 0; t.cats[i]; i++)
			json_array_append_new(cl, json_stringn(&t.cats[i], 1));
		return req_ok(r, 200, json_pack("{s:{s:I,s:s,s:s,s:o}}", "window", "number",
		    (json_int_t)t.number, "name", t.name, "kind", t.kind, "categories", cl));
	}
}
