/*
 * staff_signin.c — the sign-in locks of staff accounts as the operator and a hall's manager
 * see them: lifting them (yichuang-admin staff-unlock) and each account's state
 * (GET /halls/{hall}/staff, staff_api.c).
 *
 * Tables: staff (read), audit_log (staff.unlock).
 * Redis:  the sign-in throttle {signin:<hall>}:* (signin_guard.c)
 */
#include "staff_signin.h"
#include "signin_guard.h"
#include "../hall/staff.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <stdio.h>

int
staff_unlock(struct ctx *c, const char *hall, const char *username, int *addresses,
    int *account, char *err, size_t esz)
{
	char id[24], detail[64];
	int rc;

	if ((rc = staff_id_of(c, hall, username, id, sizeof id)) != 1) {
		snprintf(err, esz, rc == 0 ? "no such account" : "database error");
		return -1;
	}
	if (signin_clear(c, hall, username, addresses, account) != 0) {
		snprintf(err, esz, "Redis is not reachable: the sign-in locks were not cleared");
		return -1;
	}
	snprintf(detail, sizeof detail, "locked addresses %d, account %s", *addresses,
	    *account ? "locked" : "not locked");
	staff_audit(c, hall, "staff.unlock", username, "ok", detail);
	return 0;
}

int
staff_sign_in_states(struct ctx *c, const char *hall, json_t *list)
{
	json_t *o, *st;
	size_t i;

	json_array_foreach(list, i, o) {
		if ((st = signin_state(c, hall, json_string_value(json_object_get(o,
		    "username")))) == NULL)
			return E_UNAVAILABLE;
		json_object_set_new(o, "sign_in", st);
	}
	return 0;
}
