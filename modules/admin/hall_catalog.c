/*
 * hall_catalog.c — a hall's categories (the queues: letter, name, description, order, kind,
 * 跨省通办, the average service time the wait is estimated with) and the departments that
 * decide items, as the administration sets them: read, create, change, retire, restore.
 *
 * Routes: GET  /admin/halls/{hall}/categories                   manager, admin of the hall
 *         PUT  /admin/halls/{hall}/categories/{code}            admin of the hall
 *         POST /admin/halls/{hall}/categories/{code}/retire     admin of the hall
 *         POST /admin/halls/{hall}/categories/{code}/restore    admin of the hall
 *         GET  /admin/departments                               region_admin, admin, manager
 *         PUT  /admin/departments/{code}                        region_admin, admin
 *         POST /admin/departments/{code}/retire, /restore       region_admin, admin
 * Tables: categories, departments (written: retired_at of migration 140); window_categories,
 *         items, staff, queue_tickets, appointments (read: what uses them); audit_log
 *         (admin.category, target <hall>:<code>; admin.department, target the code; before
 *         and after).
 * Redis:  yc:catalog:gen through catalog_changed; the queue's yc:queue:cfg_gen through
 *         queue_hall_changed; the slot plans' yc:appt:plan_gen through appt_plan_changed
 *         (each seen by every process within a second).
 *
 * Nothing here is ever deleted: a category or department that tickets, bookings, cases or
 * items name is retired, and a retired one is kept with all of that.  A retired category
 * takes no new tickets (queue/take.c) and no new bookings (its slots are not offered), is
 * left out of GET /halls/{hall}/categories (the kiosk, the phone) and of the slot plans'
 * editor; its tickets and bookings already there are served.  A retired department gets no
 * new items (catalog_items.c refuses the department field), its items stay.
 */
#include "handlers.h"
#include "../appointments/appointments.h"
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

static const char *const cat_kinds[] = { "service", "consult", NULL };

/* ------------------------------------------------------------------ categories */

static const char *const cat_names[] = { "code", "name", "description", "sort", "kind",
	"cross_province", "avg_service_minutes", "retired", "retired_at", "windows", "items" };

#define CAT_COLS "SELECT c.code, c.name, c.description, c.sort, c.kind, c.cross_province," \
	" c.avg_service_minutes, c.retired_at IS NOT NULL," \
	" DATE_FORMAT(c.retired_at, '%Y-%m-%dT%H:%i:%s+08:00')," \
	" (SELECT COUNT(*) FROM window_categories w JOIN windows x ON x.hall = w.hall AND" \
	"  x.number = w.window_no AND x.retired_at IS NULL WHERE w.hall = c.hall AND" \
	"  w.category = c.code)," \
	" (SELECT COUNT(*) FROM items i WHERE i.hall = c.hall AND i.category = c.code)" \
	" FROM categories c "
#define CAT_TYPES "ssSisbibSii"

/* One category as the console shows it: 1 found (*out owned), 0 not, or a DB_* code. */
static int
cat_get(struct ctx *c, const char *hall, const char *code, json_t **out)
{
	return db_row_json(c, CAT_COLS "WHERE c.hall = ? AND c.code = ?", DBARGS(DBS(hall),
	    DBS(code)), cat_names, CAT_TYPES, out);
}

int
h_admin_categories(struct req *r)
{
	const char *hall = r->pathv[0];
	json_t *a;
	int rc;

	if ((rc = admin_hall_rows(r, hall, CAT_COLS "WHERE c.hall = ? ORDER BY c.sort, c.code",
	    cat_names, CAT_TYPES, &a)) != 0)
		return rc;
	return req_ok(r, 200, json_pack("{s:o}", "categories", a));
}

/* The audit's before/after of a category (the fields an admin sets, and whether retired). */
static json_t *
cat_trail(const json_t *c)
{
	static const char *const keep[] = { "name", "description", "sort", "kind",
		"cross_province", "avg_service_minutes", "retired" };
	json_t *o;
	size_t i;

	if (c == NULL)
		return json_null();
	o = json_object();
	for (i = 0; i < NELEM(keep); i++)
		json_object_set(o, keep[i], json_object_get(c, keep[i]));
	return o;
}

static void
audit_change(struct req *r, const char *action, const char *target, json_t *before,
    json_t *after)
{
	json_t *d = json_pack("{s:o,s:o}", "before", before, "after", after);
	char *txt = d ? json_dumps(d, JSON_COMPACT) : NULL;

	audit(r, action, target, "ok", txt ? txt : "");
	free(txt);
	json_decref(d);
}

struct retire_tx {
	struct req	*r;
	int		 retire;
	const char	*sql, *action, *target;
	struct dbv	 k1, k2;
	int		 changed;
};

static int
retire_tx(struct ctx *c, void *arg)
{
	struct retire_tx *t = arg;
	char now[24];
	const char *at;
	uint64_t n = 0;
	int rc;

	sql_now(now, sizeof now);
	at = t->retire ? now : NULL;
	if ((rc = db_exec(c, t->sql, DBARGS(DBSO(at), t->k1, t->k2, DBSO(at)), &n, NULL)) != 0)
		return rc;
	t->changed = n > 0;
	if (t->changed)
		audit_change(t->r, t->action, t->target, json_pack("{s:b}", "retired", !t->retire),
		    json_pack("{s:b}", "retired", t->retire));
	return 0;
}

int
admin_retire(struct req *r, int retire, const char *sql, struct dbv k1, struct dbv k2,
    const char *action, const char *target, int *changed)
{
	struct retire_tx t = { r, retire, sql, action, target, k1, k2, 0 };
	int rc;

	rc = db_tx(r->ctx, retire_tx, &t);
	*changed = rc == 0 && t.changed;
	return rc;
}

struct cat_put {
	struct req	*r;
	const char	*hall, *code, *name, *desc, *kind;
	long long	 sort, avg;
	int		 cross;
	json_t		*before;	/* NULL: a new category */
};

static int
cat_put_tx(struct ctx *c, void *arg)
{
	struct cat_put *t = arg;
	json_t *after;
	char target[48];
	int rc;

	if (t->before == NULL)
		rc = db_exec(c, "INSERT INTO categories (hall, code, name, description, sort, kind,"
		    " cross_province, avg_service_minutes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		    DBARGS(DBS(t->hall), DBS(t->code), DBS(t->name), DBS(t->desc), DBI(t->sort),
		    DBS(t->kind), DBI(t->cross), DBI(t->avg)), NULL, NULL);
	else
		rc = db_exec(c, "UPDATE categories SET name = ?, description = ?, sort = ?, kind = ?,"
		    " cross_province = ?, avg_service_minutes = ? WHERE hall = ? AND code = ?",
		    DBARGS(DBS(t->name), DBS(t->desc), DBI(t->sort), DBS(t->kind), DBI(t->cross),
		    DBI(t->avg), DBS(t->hall), DBS(t->code)), NULL, NULL);
	if (rc != 0)
		return rc;
	if ((rc = cat_get(c, t->hall, t->code, &after)) <= 0)
		return rc < 0 ? rc : DB_FAIL;
	fmt(target, sizeof target, "%s:%s", t->hall, t->code);
	audit_change(t->r, "admin.category", target, cat_trail(t->before), cat_trail(after));
	json_decref(after);
	return 0;
}

/* The queue, the kiosk, the phone, the booking and the directory read categories: all of
 * them follow (each process within a second). */
static void
cat_changed(struct req *r, const char *hall)
{
	queue_hall_changed(r->ctx, hall);
	catalog_changed(r->ctx);
	appt_plan_changed(r->ctx);
}

int
h_admin_category_put(struct req *r)
{
	const char *hall = r->pathv[0], *code = r->pathv[1];
	struct cat_put t;
	json_t *after;
	int kind = 0, rc;

	if ((rc = require_admin_of_hall(r, hall)) != 0)
		return rc;
	memset(&t, 0, sizeof t);
	if (!category_code_ok(code))
		req_fail_field(r, "code", "类别代码须为一个大写字母（取号的字头，如 A）");
	in_str(r, r->body, "name", 1, 1, 50, &t.name);
	t.desc = "";
	in_str(r, r->body, "description", 0, 0, 300, &t.desc);
	t.sort = 0;
	in_int(r, r->body, "sort", 0, 0, 255, &t.sort);
	in_enum(r, r->body, "kind", 0, cat_kinds, &kind);
	in_bool(r, r->body, "cross_province", 0, &t.cross);
	t.avg = 10;
	in_int(r, r->body, "avg_service_minutes", 0, 1, 240, &t.avg);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	t.r = r;
	t.hall = hall;
	t.code = code;
	t.kind = cat_kinds[kind];
	if ((rc = cat_get(r->ctx, hall, code, &t.before)) < 0)
		return db_fail(r, rc);
	rc = db_tx(r->ctx, cat_put_tx, &t);
	json_decref(t.before);
	if (rc != 0)
		return db_fail(r, rc);
	cat_changed(r, hall);
	if ((rc = cat_get(r->ctx, hall, code, &after)) <= 0)
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "category gone after its write");
	return req_ok(r, t.before ? 200 : 201, json_pack("{s:o}", "category", after));
}

/* POST …/categories/{code}/retire and …/restore */
int
h_admin_category_retire(struct req *r)
{
	const int retire = req_route_ends(r, "/retire");
	const char *hall = r->pathv[0], *code = r->pathv[1];
	char target[48];
	json_t *after;
	int changed, rc;

	if ((rc = admin_hall(r, hall, require_admin_of_hall)) != 0)
		return rc;
	if (!category_code_ok(code))
		return req_err_msg(r, E_NOT_FOUND, "本中心没有这个类别");
	if ((rc = db_found(r, cat_get(r->ctx, hall, code, &after), "本中心没有这个类别")) != 0)
		return rc;
	json_decref(after);
	fmt(target, sizeof target, "%s:%s", hall, code);
	if ((rc = admin_retire(r, retire, "UPDATE categories SET retired_at = ? WHERE hall = ? AND"
	    " code = ? AND (retired_at IS NULL) = (? IS NOT NULL)", DBS(hall), DBS(code),
	    "admin.category", target, &changed)) != 0)
		return db_fail(r, rc);
	if (changed)
		cat_changed(r, hall);
	if ((rc = cat_get(r->ctx, hall, code, &after)) <= 0)
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "category gone after retiring it");
	return req_ok(r, 200, json_pack("{s:b,s:o}", "changed", changed, "category", after));
}


/* ------------------------------------------------------------------ departments */

static const char *const dept_names[] = { "code", "name", "hall", "retired", "retired_at",
	"items", "staff" };

#define DEPT_COLS "SELECT d.code, d.name, d.hall, d.retired_at IS NOT NULL," \
	" DATE_FORMAT(d.retired_at, '%Y-%m-%dT%H:%i:%s+08:00')," \
	" (SELECT COUNT(*) FROM items i WHERE i.department = d.code AND i.retired_at IS NULL)," \
	" (SELECT COUNT(*) FROM staff s WHERE s.department = d.code) FROM departments d "
#define DEPT_TYPES "ssSbSii"

/* 1–32 of [A-Za-z0-9_-] (as the catalog's import takes them). */
static int
dept_code_ok(const char *s)
{
	return str_in_set(s, 1, 32, CH_LOWER CH_UPPER CH_DIGIT "_-");
}

static int
dept_get(struct ctx *c, const char *code, json_t **out)
{
	return db_row_json(c, DEPT_COLS "WHERE d.code = ?", DBARGS(DBS(code)), dept_names,
	    DEPT_TYPES, out);
}

int
h_admin_departments(struct req *r)
{
	json_t *a = json_array();
	int rc;

	if ((rc = db_rows_json(r->ctx, DEPT_COLS "ORDER BY d.code", DBNOARGS, dept_names,
	    DEPT_TYPES, a)) < 0) {
		json_decref(a);
		return db_fail(r, rc);
	}
	return req_ok(r, 200, json_pack("{s:o}", "departments", a));
}

struct dept_put {
	struct req	*r;
	const char	*code, *name;
	const char	*hall;		/* the back office's hall (全市通办 routes cases there) */
	int		 retire;	/* -1: a put; 1 retire; 0 restore */
	int		 changed;
	json_t		*before;
};

static int
dept_tx(struct ctx *c, void *arg)
{
	struct dept_put *t = arg;
	json_t *after;
	char now[24];
	uint64_t n = 0;
	int rc;

	sql_now(now, sizeof now);
	if (t->retire < 0 && t->before == NULL)
		rc = db_exec(c, "INSERT INTO departments (code, name, hall) VALUES (?, ?, ?)",
		    DBARGS(DBS(t->code), DBS(t->name), DBS(t->hall)), &n, NULL);
	else if (t->retire < 0)
		rc = db_exec(c, "UPDATE departments SET name = ?, hall = COALESCE(?, hall)"
		    " WHERE code = ?", DBARGS(DBS(t->name), DBSO(t->hall), DBS(t->code)), &n, NULL);
	else if (t->retire)
		rc = db_exec(c, "UPDATE departments SET retired_at = ? WHERE code = ? AND"
		    " retired_at IS NULL", DBARGS(DBS(now), DBS(t->code)), &n, NULL);
	else
		rc = db_exec(c, "UPDATE departments SET retired_at = NULL WHERE code = ? AND"
		    " retired_at IS NOT NULL", DBARGS(DBS(t->code)), &n, NULL);
	if (rc != 0)
		return rc;
	t->changed = n > 0;
	if (!t->changed)
		return 0;
	if ((rc = dept_get(c, t->code, &after)) <= 0)
		return rc < 0 ? rc : DB_FAIL;
	audit_change(t->r, "admin.department", t->code,
	    t->before ? json_pack("{s:O,s:O,s:O}", "name", json_object_get(t->before, "name"),
	    "hall", json_object_get(t->before, "hall"), "retired",
	    json_object_get(t->before, "retired")) : json_null(),
	    json_pack("{s:O,s:O,s:O}", "name", json_object_get(after, "name"), "hall",
	    json_object_get(after, "hall"), "retired", json_object_get(after, "retired")));
	json_decref(after);
	return 0;
}

static int
dept_write(struct req *r, struct dept_put *t)
{
	json_t *after;
	int rc, status;

	if ((rc = dept_get(r->ctx, t->code, &t->before)) < 0)
		return db_fail(r, rc);
	if (t->retire >= 0 && t->before == NULL)
		return req_err_msg(r, E_NOT_FOUND, "没有这个部门");
	status = t->retire < 0 && t->before == NULL ? 201 : 200;
	if (status == 201 && t->hall == NULL)	/* a new department sits in the writer's hall */
		t->hall = r->sess.hall;
	rc = db_tx(r->ctx, dept_tx, t);
	json_decref(t->before);
	if (rc != 0)
		return db_fail(r, rc);
	if (t->changed)
		catalog_changed(r->ctx);	/* items show their department's name */
	if ((rc = dept_get(r->ctx, t->code, &after)) <= 0)
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "department gone after its write");
	if (t->retire >= 0)
		return req_ok(r, 200, json_pack("{s:b,s:o}", "changed", t->changed, "department",
		    after));
	return req_ok(r, status, json_pack("{s:o}", "department", after));
}

int
h_admin_department_put(struct req *r)
{
	struct dept_put t;

	memset(&t, 0, sizeof t);
	t.r = r;
	t.code = r->pathv[0];
	t.retire = -1;
	if (!dept_code_ok(t.code))
		req_fail_field(r, "code", "部门代码须为 1–32 位字母、数字、_ 或 -");
	in_str(r, r->body, "name", 1, 1, 100, &t.name);
	in_str(r, r->body, "hall", 0, 1, 32, &t.hall);
	if (t.hall) {
		char one[8] = "";
		int rc = db_scalar(r->ctx, "SELECT 1 FROM halls WHERE code = ?", DBARGS(DBS(t.hall)),
		    one, sizeof one);

		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 0)
			req_fail_field(r, "hall", "没有这个服务大厅");
		else if (r->sess.role == ROLE_ADMIN && strcmp(t.hall, r->sess.hall) != 0)
			req_fail_field(r, "hall", "大厅管理员只能把部门设在本中心；其他大厅请由区域管理员设置");
	}
	if (in_has_errors(r))
		return req_invalid(r);
	return dept_write(r, &t);
}

/* POST /admin/departments/{code}/retire and …/restore */
int
h_admin_department_retire(struct req *r)
{
	const int retire = req_route_ends(r, "/retire");
	struct dept_put t;

	memset(&t, 0, sizeof t);
	t.r = r;
	t.code = r->pathv[0];
	t.retire = retire;
	if (!dept_code_ok(t.code))
		return req_err_msg(r, E_NOT_FOUND, "没有这个部门");
	return dept_write(r, &t);
}
