/*
 * view_api.c — reading bookings.
 *
 * Routes: GET /me/appointments      → h_my_appointments (citizen: their last 50)
 *         GET /appointments/{token} → h_appointment_get (holder, staff or kiosk of the hall)
 * Tables: appointments, halls, categories, queue_tickets (APPT_ROW_COLS).
 * Redis:  none.
 */
#include "handlers.h"
#include "record.h"
#include "../identity/identity.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

static int
list_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct appt_row a;

	(void)ncol;
	appt_row_fill(&a, v, lens);
	json_array_append_new(arg, appt_row_json(&a));
	return 0;
}

int
h_my_appointments(struct req *r)
{
	long long cid;
	json_t *list;
	int rc;

	if ((rc = require_citizen(r, &cid)) != 0)
		return rc;
	list = json_array();
	rc = db_query(r->ctx, APPT_ROW_COLS "WHERE a.citizen_id = ?"
	    " ORDER BY a.day DESC, a.start_time DESC, a.id DESC LIMIT 50",
	    DBARGS(DBI(cid)), list_row, list);
	if (rc < 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	return req_ok(r, 200, json_pack("{s:o}", "appointments", list));
}

int
h_appointment_get(struct req *r)
{
	struct appt_row a;
	int rc;

	if ((rc = appt_row_of_path(r, APPT_VIEWER, &a)) != 0)
		return rc;
	return req_ok(r, 200, json_pack("{s:o}", "appointment", appt_row_json(&a)));
}

