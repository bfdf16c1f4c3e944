/*
 * hall_windows.c — a hall's windows as its admin sets them: number, name, kind and the
 * categories each one calls (a window moved to another category, a new window).
 *
 * Routes: GET  /admin/halls/{hall}/windows                  manager, admin of the hall
 *         PUT  /admin/halls/{hall}/windows/{number}         admin of the hall
 *         POST /admin/halls/{hall}/windows/{number}/retire  admin of the hall
 *         POST /admin/halls/{hall}/windows/{number}/restore admin of the hall
 * Tables: windows, window_categories (written), categories, staff, queue_tickets (read),
 *         audit_log (admin.window, before and after).
 * Redis:  yc:catalog:gen through catalog_changed (the categories' window counts), the
 *         queue's yc:queue:cfg_gen through queue_hall_changed; staff:sessions:<id> and
 *         sess:<id> read (identity.h: who is signed in at the window).
 *
 * Windows are never deleted here: a window in use has tickets, cases and staff naming it.
 * It is retired instead: nobody signs in there, the queue neither calls to it nor shows it
 * on the board.  A window in use — a clerk signed in at it, or a ticket called or being
 * served there — is not retired (409 INVALID_STATE): the clerk signs out or finishes first.
 * A change is read by the sign-in and the window's own routes at once (they read the
 * record); every process's copy of the hall (queue/hall_config.c) within a second.
 */
#include "handlers.h"
#include "../hall/catalog.h"
#include "../identity/identity.h"
#include "../queue/queue.h"
#include "../shared/audit.h"
#include "../../fcgi/clock.h"
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
	/* The trail's before: "name / kind / categories" (nothing for a new window). */
	if ((rc = db_scalar(r->ctx, "SELECT CONCAT(w.name, ' / ', w.kind, ' / ',"
	    " COALESCE(GROUP_CONCAT(c.category ORDER BY c.category SEPARATOR ''), ''))"
	    " FROM windows w LEFT JOIN window_categories c ON c.hall = w.hall AND c.window_no ="
	    " w.number WHERE w.hall = ? AND w.number = ? GROUP BY w.name, w.kind",
	    DBARGS(DBS(hall), DBI(t.number)), t.before, sizeof t.before)) < 0)
		return db_fail(r, rc);
	if ((rc = db_tx(r->ctx, win_tx, &t)) != 0)
		return db_fail(r, rc);
	queue_hall_changed(r->ctx, hall);
	catalog_changed(r->ctx);
	{
		json_t *cl = json_array();

		for (i = 0; t.cats[i]; i++)
			json_array_append_new(cl, json_stringn(&t.cats[i], 1));
		return req_ok(r, 200, json_pack("{s:{s:I,s:s,s:s,s:o}}", "window", "number",
		    (json_int_t)t.number, "name", t.name, "kind", t.kind, "categories", cl));
	}
}

/* ------------------------------------------------------------------ the list, retiring */

static const char *const win_names[] = { "number", "name", "kind", "categories", "retired",
	"retired_at", "staff" };

int
h_admin_windows(struct req *r)
{
	const char *hall = r->pathv[0];
	json_t *a, *o;
	size_t i;
	int rc;

	if ((rc = admin_hall_rows(r, hall, "SELECT w.number, w.name, w.kind, (SELECT GROUP_CONCAT("
	    "c.category ORDER BY c.category SEPARATOR '') FROM window_categories c WHERE c.hall ="
	    " w.hall AND c.window_no = w.number), w.retired_at IS NOT NULL,"
	    " DATE_FORMAT(w.retired_at, '%Y-%m-%dT%H:%i:%s+08:00'), (SELECT COUNT(*) FROM staff s"
	    " WHERE s.hall = w.hall AND s.window_no = w.number) FROM windows w WHERE w.hall = ?"
	    " ORDER BY w.number", win_names, "issSbSi", &a)) != 0)
		return rc;
	/* "BC" → ["B","C"], as PUT takes them. */
	json_array_foreach(a, i, o) {
		const char *cs = json_string_value(json_object_get(o, "categories"));
		json_t *cl = json_array();

		for (; cs && *cs; cs++)
			json_array_append_new(cl, json_stringn(cs, 1));
		json_object_set_new(o, "categories", cl);
	}
	return req_ok(r, 200, json_pack("{s:o}", "windows", a));
}

/* Is the window in use?  1 (why set), 0, or a DB_* code (-1 from Redis: DB_DOWN). */
static int
window_in_use(struct ctx *c, const char *hall, long long number, const char **why)
{
	struct staff_ids { char id[16][48]; int n; } ids;
	char one[24], today[11];
	int rc, i;

	date_format_days(hall_day(hall_now()), today, sizeof today);
	rc = db_scalar(c, "SELECT number FROM queue_tickets WHERE hall = ? AND day = ? AND"
	    " active_window = ? LIMIT 1", DBARGS(DBS(hall), DBS(today), DBI(number)), one,
	    sizeof one);
	if (rc != 0) {
		*why = "该窗口正在办理叫到的号码，办结或转出后才能停用";
		return rc;
	}
	/* Every clerk of the hall may sign in at any window: look at each one's sessions. */
	for (i = 0;; i += 16) {
		json_t *a = json_array(), *v;
		size_t j;

		rc = db_rows_json(c, "SELECT id FROM staff WHERE hall = ? AND role = 'clerk' AND"
		    " disabled = 0 ORDER BY id LIMIT ? OFFSET ?", DBARGS(DBS(hall), DBI(16), DBI(i)),
		    (const char *const[]){ "id" }, "s", a);
		if (rc < 0) {
			json_decref(a);
			return rc;
		}
		ids.n = 0;
		json_array_foreach(a, j, v)
			str_copy(ids.id[ids.n++], sizeof ids.id[0],
			    json_string_value(json_object_get(v, "id")));
		json_decref(a);
		for (j = 0; j < (size_t)ids.n; j++) {
			int at = staff_session_at_window(c, ids.id[j], hall, (int)number);

			if (at < 0)
				return DB_DOWN;
			if (at > 0) {
				*why = "有工作人员正在该窗口登录办公，退出登录后才能停用";
				return 1;
			}
		}
		if (rc < 16)
			return 0;
	}
}

/* POST …/windows/{number}/retire and …/restore */
int
h_admin_window_retire(struct req *r)
{
	const int retire = req_route_ends(r, "/retire");
	const char *hall = r->pathv[0], *why = NULL;
	char retired[4], target[48];
	long long number;
	int changed, rc;

	if ((rc = admin_hall(r, hall, require_admin_of_hall)) != 0)
		return rc;
	if (parse_ll(r->pathv[1], 1, 999, &number) != 0)
		return req_err_msg(r, E_NOT_FOUND, "本中心没有这个窗口");
	rc = db_scalar(r->ctx, "SELECT retired_at IS NOT NULL FROM windows WHERE hall = ? AND"
	    " number = ?", DBARGS(DBS(hall), DBI(number)), retired, sizeof retired);
	if ((rc = db_found(r, rc, "本中心没有这个窗口")) != 0)
		return rc;
	if (retire && retired[0] == '0') {
		if ((rc = window_in_use(r->ctx, hall, number, &why)) < 0)
			return db_fail(r, rc);
		if (rc > 0)
			return req_err_msg(r, E_INVALID_STATE, why);
	}
	fmt(target, sizeof target, "%s:%lld", hall, number);
	if ((rc = admin_retire(r, retire, "UPDATE windows SET retired_at = ? WHERE hall = ? AND"
	    " number = ? AND (retired_at IS NULL) = (? IS NOT NULL)", DBS(hall), DBI(number),
	    "admin.window", target, &changed)) != 0)
		return db_fail(r, rc);
	if (changed) {
		queue_hall_changed(r->ctx, hall);
		catalog_changed(r->ctx);
	}
	return req_ok(r, 200, json_pack("{s:b,s:{s:I,s:b}}", "changed", changed, "window",
	    "number", (json_int_t)number, "retired", retire));
}
