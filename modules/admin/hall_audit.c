/*
 * hall_audit.c — the audit trail of the hall's administration, for the console's "修改记录"
 * beside each record: who changed what, when, before and after.
 *
 * Routes: GET /admin/halls/{hall}/audit?action=admin.hours&target=demo:2026-12-05
 *         (manager, admin of the hall)
 * Tables: audit_log (read), staff (the actor's name).
 * Redis:  none.
 *
 * Only the administration's own actions (action "admin…") are read here; the rest of the
 * trail (sign-ins, cases) is not the console's to show.
 */
#include "handlers.h"
#include "../hall/catalog.h"
#include "../identity/identity.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <string.h>

#define AUDIT_ROWS 100

static int
action_ok(const char *a)
{
	return strncmp(a, "admin", 5) == 0 && str_in_set(a, 5, 64, CH_LOWER "._");
}

static const char *const audit_names[] = { "at", "actor", "actor_name", "action", "target",
	"result", "detail" };

int
h_admin_audit(struct req *r)
{
	const char *hall = r->pathv[0], *action = NULL, *target = NULL;
	json_t *list;
	int rc;

	if ((rc = require_manager_of_hall(r, hall)) != 0)
		return rc;
	q_str(r, "action", 1, 64, &action);
	q_str(r, "target", 0, 128, &target);
	if (action && !action_ok(action))
		req_fail_field(r, "action", "须为以 admin 开头的操作名，如 admin.hours");
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	list = json_array();
	rc = db_rows_json(r->ctx, "SELECT DATE_FORMAT(a.at, '%Y-%m-%dT%H:%i:%s+08:00'), a.actor,"
	    " COALESCE(s.name, a.actor), a.action, a.target, a.result, a.detail"
	    " FROM audit_log a LEFT JOIN staff s ON a.actor_kind = 'staff' AND s.id = a.actor"
	    " WHERE a.hall = ? AND a.action LIKE CONCAT(?, '%') AND (? = '' OR a.target = ?)"
	    " ORDER BY a.id DESC LIMIT ?", DBARGS(DBS(hall), DBS(action),
	    DBS(target ? target : ""), DBS(target ? target : ""), DBI(AUDIT_ROWS)), audit_names,
	    "sssssss", list);
	if (rc < 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	return req_ok(r, 200, json_pack("{s:o}", "audit", list));
}
