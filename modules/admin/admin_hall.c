/*
 * admin_hall.c — the {hall} of a console path, opened for reading (its manager or admin:
 * require_manager_of_hall) or for changing (its admin: require_admin_of_hall): the role
 * first (403), then that the hall exists (404), as the handlers of the hall's console check
 * them before anything else; the console's lists of a hall's rows read after that check;
 * and the 409 BOOKINGS_AFFECTED of a change (hours, slot plans,
 * the holiday calendar) that would take citizens' bookings away unless confirmed.
 *
 * Routes: none of its own (hall_catalog.c, hall_windows.c, hours_api.c, slots_api.c,
 *         calendar_api.c).
 * Tables: halls (read, through hall_find).
 * Redis:  none.
 */
#include "handlers.h"
#include "../hall/catalog.h"
#include "../identity/identity.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

int
admin_hall(struct req *r, const char *hall, int (*allowed)(struct req *, const char *))
{
	int rc;

	if ((rc = allowed(r, hall)) != 0)
		return rc;
	return hall_find(r, hall);
}

int
admin_hall_rows(struct req *r, const char *hall, const char *sql, const char *const *names,
    const char *types, json_t **out)
{
	int rc;

	*out = NULL;
	if ((rc = admin_hall(r, hall, require_manager_of_hall)) != 0)
		return rc;
	*out = json_array();
	if ((rc = db_rows_json(r->ctx, sql, DBARGS(DBS(hall)), names, types, *out)) < 0) {
		json_decref(*out);
		*out = NULL;
		return db_fail(r, rc);
	}
	return 0;
}

int
admin_bookings_affected(struct req *r, long long count, const char *msg)
{
	req_err_msg(r, E_BOOKINGS_AFFECTED, msg);
	json_decref(r->err_extra);
	r->err_extra = json_pack("{s:I}", "bookings", (json_int_t)count);
	return 409;
}
