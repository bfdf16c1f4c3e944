/*
 * routes.c — the admin room's routes: method, path below /api/v1, handler, roles, body limit,
 * flags.  A plain list: each part of the console appends its own lines.
 *
 * Reading the hall's settings is open to its manager as well (the figures they plan with);
 * every change is the hall admin's (the handlers check the hall).
 */
#include "handlers.h"
#include "../rooms.h"

const struct route admin_routes[] = {
	/* the hall: the administration's audit trail (hall_audit.c) */
	{ M_GET,    "/admin/halls/{hall}/audit",        h_admin_audit,
	  ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	/* the hall: windows (hall_windows.c) */
	{ M_PUT,    "/admin/halls/{hall}/windows/{number}", h_admin_window_put, ROLE_ADMIN, 0, 0 },
	/* the hall: opening hours (hours_api.c) */
	{ M_GET,    "/admin/halls/{hall}/hours",        h_admin_hours_get,
	  ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_PUT,    "/admin/halls/{hall}/hours",        h_admin_hours_put,         ROLE_ADMIN, 0, 0 },
	{ M_PUT,    "/admin/halls/{hall}/hours/{date}", h_admin_hours_date_put,    ROLE_ADMIN, 0, 0 },
	{ M_DELETE, "/admin/halls/{hall}/hours/{date}", h_admin_hours_date_delete, ROLE_ADMIN, 0, 0 },
	/* the hall: slot plans (slots_api.c) */
	{ M_GET,    "/admin/halls/{hall}/slot-plans",   h_admin_slot_plans_get,
	  ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_PUT,    "/admin/halls/{hall}/slot-plans/{category}", h_admin_slot_plan_put,
	  ROLE_ADMIN, 0, 0 },
	/* the hall: staff accounts (staff_api.c; the list is GET /halls/{hall}/staff) */
	{ M_POST,   "/admin/halls/{hall}/staff",            h_admin_staff_create, ROLE_ADMIN, 0, 0 },
	{ M_PATCH,  "/admin/halls/{hall}/staff/{username}", h_admin_staff_change, ROLE_ADMIN, 0, 0 },
	{ M_POST,   "/admin/halls/{hall}/staff/{username}/lock", h_admin_staff_lock,
	  ROLE_ADMIN, 0, 0 },
	{ M_POST,   "/admin/halls/{hall}/staff/{username}/unlock", h_admin_staff_unlock,
	  ROLE_ADMIN, 0, 0 },
	{ M_POST,   "/admin/halls/{hall}/staff/{username}/reset-password", h_admin_staff_reset,
	  ROLE_ADMIN, 0, 0 },
	/* the instance: the holiday calendar (calendar_api.c) */
	{ M_POST,   "/admin/calendar/preview",          h_admin_calendar_preview, ROLE_ADMIN, 0, 0 },
	{ M_POST,   "/admin/calendar",                  h_admin_calendar_load,    ROLE_ADMIN, 0, 0 },
	/* the instance: SMS providers' template codes (sms_api.c) */
	{ M_GET,    "/admin/sms-templates",             h_admin_sms_list, ROLE_ADMIN, 0, 0 },
	{ M_PUT,    "/admin/sms-templates/{name}",      h_admin_sms_put,  ROLE_ADMIN, 0, 0 },
};
const size_t admin_nroutes = NELEM(admin_routes);
