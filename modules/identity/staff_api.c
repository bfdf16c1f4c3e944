/*
 * staff_api.c — a hall's staff accounts as its manager sees them, with their sign-in locks,
 * and unlocking an account's sign-in.
 *
 * Routes: GET  /halls/{hall}/staff                     manager, admin of the hall
 *         POST /halls/{hall}/staff/{username}/unlock   manager, admin of the hall
 *         PUT  /staff/me/phone                         any staff: their own phone for work
 *                                                      notices (sealed, masked in replies)
 * Tables: staff (read; phone_enc, phone_mask of the caller), audit_log (staff.unlock,
 *         staff.phone)
 * Redis:  the sign-in throttle {signin:<hall>}:* (signin_guard.c)
 *
 * Accounts are still made, reset and switched off by the operator (yichuang-admin); a
 * manager only sees them and lifts a sign-in lock — say a clerk who mistyped five times,
 * or an account someone outside has been guessing at — which is audited.
 */
#include "handlers.h"
#include "identity.h"
#include "signin_guard.h"
#include "staff_signin.h"
#include "../hall/staff.h"
#include "../shared/audit.h"
#include "../shared/pii.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <stdio.h>
#include <string.h>

#define STAFF_LIST_MAX 1000

static const char *const staff_names[] = { "username", "name", "role", "window", "department",
	"disabled" };
#define STAFF_COLS "SELECT username, name, role, window_no, department, disabled FROM staff "

int
h_staff_list(struct req *r)
{
	const char *hall = r->pathv[0];
	json_t *list;
	int rc;

	if ((rc = require_manager_of_hall(r, hall)) != 0)
		return rc;
	list = json_array();
	rc = db_rows_json(r->ctx, STAFF_COLS "WHERE hall = ? ORDER BY username LIMIT ?",
	    DBARGS(DBS(hall), DBI(STAFF_LIST_MAX)), staff_names, "sssISb", list);
	if (rc < 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	if (staff_sign_in_states(r->ctx, hall, list) != 0) {
		json_decref(list);
		return req_unavailable(r);
	}
	return req_ok(r, 200, json_pack("{s:o}", "staff", list));
}

int
h_staff_unlock(struct req *r)
{
	const char *hall = r->pathv[0], *user = r->pathv[1];
	char detail[64];
	json_t *list, *o;
	int rc, addresses = 0, account = 0;

	if ((rc = require_manager_of_hall(r, hall)) != 0)
		return rc;
	list = json_array();
	rc = db_rows_json(r->ctx, STAFF_COLS "WHERE hall = ? AND username = ?",
	    DBARGS(DBS(hall), DBS(user)), staff_names, "sssISb", list);
	if (rc <= 0) {
		json_decref(list);
		return rc < 0 ? db_fail(r, rc) :
		    req_err_msg(r, E_NOT_FOUND, "本中心没有这个工作人员账号");
	}
	if (signin_clear(r->ctx, hall, user, &addresses, &account) != 0) {
		json_decref(list);
		return req_unavailable(r);
	}
	fmt(detail, sizeof detail, "locked addresses %d, account %s", addresses,
	    account ? "locked" : "not locked");
	audit(r, "staff.unlock", user, "ok", detail);
	if (staff_sign_in_states(r->ctx, hall, list) != 0) {
		json_decref(list);
		return req_unavailable(r);
	}
	o = json_incref(json_array_get(list, 0));
	json_decref(list);
	return req_ok(r, 200, json_pack("{s:o}", "staff", o));
}

/* ---------------------------------------------------------------- PUT /staff/me/phone */

int
h_staff_phone(struct req *r)
{
	unsigned char sealed[PII_SEALED_MAX];
	const char *phone = NULL;
	char mask[32] = "";
	long long id = 0;
	uint64_t n = 0;
	int rc, ns = 0;

	in_str(r, r->body, "phone", 0, 11, 11, &phone);
	if (phone && !phone_ok(phone))
		req_fail_field(r, "phone", "手机号码无效");
	if (in_has_errors(r))
		return req_invalid(r);
	if (parse_ll(r->sess.subject, 1, INT64_MAX, &id) != 0)
		return req_err(r, E_FORBIDDEN);
	if (phone) {
		if ((ns = pii_seal(phone, sealed, sizeof sealed)) < 0)
			return req_bug(r, "cannot seal");
		mask_phone(phone, mask, sizeof mask);
	}
	rc = db_exec(r->ctx, "UPDATE staff SET phone_enc = ?, phone_mask = ? WHERE id = ?"
	    " AND hall = ?", DBARGS(phone ? DBSN((const char *)sealed, (size_t)ns) : DBN,
	    phone ? DBS(mask) : DBN, DBI(id), DBS(r->sess.hall)), &n, NULL);
	if (rc != 0)
		return db_fail(r, rc);
	audit(r, "staff.phone", r->sess.subject, "ok", phone ? "set" : "cleared");
	return req_ok(r, 200, json_pack("{s:o}", "phone", phone ? json_string(mask) :
	    json_null()));
}
