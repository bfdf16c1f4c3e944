/*
 * routes.c — the routes the admin room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 * A plain list: each part of the console appends its own lines.
 *
 * Reading the hall's settings is open to its manager as well (the figures they plan with);
 * every change is the hall admin's (the handlers check the hall).
 */
#include "handlers.h"
#include "../rooms.h"

#define CAT_READ   (ROLE_REGION_ADMIN | ROLE_ADMIN)
#define CAT_WRITE  ROLE_REGION_ADMIN
#define HALL_ADMIN (ROLE_REGION_ADMIN | ROLE_ADMIN)

const struct route admin_routes[] = {
	/* The region's catalog: items, a hall's choice of them, bundles, import/export. */
	{ M_GET,  "/admin/items",                      h_adm_items,         CAT_READ, 0, 0 },
	{ M_GET,  "/admin/items/{id}",                 h_adm_item,          CAT_READ, 0, 0 },
	{ M_GET,  "/admin/items/{id}/versions/{version}", h_adm_item_version, CAT_READ, 0, 0 },
	{ M_PUT,  "/admin/items/{id}",                 h_adm_item_put,      CAT_WRITE, 0, 0 },
	{ M_POST, "/admin/items/{id}/retire",          h_adm_item_retire,   CAT_WRITE, 0, 0 },
	{ M_POST, "/admin/items/{id}/restore",         h_adm_item_retire,   CAT_WRITE, 0, 0 },
	{ M_GET,  "/admin/halls/{hall}/items",         h_adm_hall_items,    HALL_ADMIN, 0, 0 },
	{ M_GET,  "/admin/halls/{hall}/items/{id}",    h_adm_hall_item,     HALL_ADMIN, 0, 0 },
	{ M_PUT,  "/admin/halls/{hall}/items/{id}",    h_adm_hall_item_put, HALL_ADMIN, 0, 0 },
	{ M_GET,  "/admin/bundles",                    h_adm_bundles,       CAT_READ, 0, 0 },
	{ M_GET,  "/admin/bundles/{id}",               h_adm_bundle,        CAT_READ, 0, 0 },
	{ M_PUT,  "/admin/bundles/{id}",               h_adm_bundle_put,    CAT_WRITE, 0, 0 },
	{ M_POST, "/admin/bundles/{id}/retire",        h_adm_bundle_retire, CAT_WRITE, 0, 0 },
	{ M_POST, "/admin/bundles/{id}/restore",       h_adm_bundle_retire, CAT_WRITE, 0, 0 },
	{ M_GET,  "/admin/catalog/export",             h_adm_export,        CAT_WRITE, 0, 0 },
	{ M_POST, "/admin/catalog/import",             h_adm_import,        CAT_WRITE,
	  4 * 1024 * 1024, RF_RAW_BODY },
	/* the hall: the administration's audit trail (hall_audit.c) */
	{ M_GET,    "/admin/halls/{hall}/audit",        h_admin_audit,
	  ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	/* the hall: windows (hall_windows.c) */
	{ M_GET,    "/admin/halls/{hall}/windows",      h_admin_windows,
	  ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_PUT,    "/admin/halls/{hall}/windows/{number}", h_admin_window_put, ROLE_ADMIN, 0, 0 },
	{ M_POST,   "/admin/halls/{hall}/windows/{number}/retire", h_admin_window_retire,
	  ROLE_ADMIN, 0, 0 },
	{ M_POST,   "/admin/halls/{hall}/windows/{number}/restore", h_admin_window_retire,
	  ROLE_ADMIN, 0, 0 },
	/* the hall: categories; the departments (hall_catalog.c) */
	{ M_GET,    "/admin/halls/{hall}/categories",   h_admin_categories,
	  ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_PUT,    "/admin/halls/{hall}/categories/{code}", h_admin_category_put,
	  ROLE_ADMIN, 0, 0 },
	{ M_POST,   "/admin/halls/{hall}/categories/{code}/retire", h_admin_category_retire,
	  ROLE_ADMIN, 0, 0 },
	{ M_POST,   "/admin/halls/{hall}/categories/{code}/restore", h_admin_category_retire,
	  ROLE_ADMIN, 0, 0 },
	{ M_GET,    "/admin/departments",               h_admin_departments,
	  ROLE_REGION_ADMIN | ROLE_ADMIN | ROLE_MANAGER, 0, 0 },
	{ M_PUT,    "/admin/departments/{code}",        h_admin_department_put, HALL_ADMIN, 0, 0 },
	{ M_POST,   "/admin/departments/{code}/retire", h_admin_department_retire,
	  HALL_ADMIN, 0, 0 },
	{ M_POST,   "/admin/departments/{code}/restore", h_admin_department_retire,
	  HALL_ADMIN, 0, 0 },
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
	/* the hall: a weekday's and a date's own slot plan (slots_api.c) */
	{ M_PUT,    "/admin/halls/{hall}/slot-plans/{category}/weekdays/{weekday}",
	  h_admin_slot_plan_weekday_put, ROLE_ADMIN, 0, 0 },
	{ M_DELETE, "/admin/halls/{hall}/slot-plans/{category}/weekdays/{weekday}",
	  h_admin_slot_plan_weekday_delete, ROLE_ADMIN, 0, 0 },
	{ M_PUT,    "/admin/halls/{hall}/slot-plans/{category}/dates/{date}",
	  h_admin_slot_plan_date_put, ROLE_ADMIN, 0, 0 },
	{ M_DELETE, "/admin/halls/{hall}/slot-plans/{category}/dates/{date}",
	  h_admin_slot_plan_date_delete, ROLE_ADMIN, 0, 0 },
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
