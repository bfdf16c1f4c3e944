/*
 * routes.c — the routes the cases room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 */
#include "handlers.h"
#include "../rooms.h"

const struct route cases_routes[] = {
	{ M_POST, "/cases",                   h_cases_post,
	  ROLE_CLERK | ROLE_HELPER | ROLE_CITIZEN, 0, 0 },
	{ M_POST, "/cases/{no}/actions",      h_cases_action_any,
	  ROLE_CLERK | ROLE_APPROVER | ROLE_MANAGER | ROLE_CITIZEN, 0, 0 },
	{ M_GET,  "/cases",                   h_cases_list,   ROLE_STAFF, 0, 0 },
	{ M_GET,  "/cases/{no}",              h_case_get,     ROLE_STAFF | ROLE_HELPER, 0, 0 },
	{ M_POST, "/cases/{no}/track-token",  h_case_track_token, ROLE_CLERK | ROLE_MANAGER, 0, 0 },
	{ M_POST, "/cases/{no}/helpers",      h_case_helper_assign, ROLE_CLERK | ROLE_MANAGER, 0, 0 },
	{ M_GET,  "/helper/cases",            h_helper_cases, ROLE_HELPER, 0, 0 },
	{ M_GET,  "/case-notices",            h_notice,       ROLE_ANY, 0, 0 },
	{ M_GET,  "/case-waivers",            h_case_waivers, ROLE_CLERK | ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_GET,  "/promise-checks",          h_promise_checks,
	  ROLE_APPROVER | ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_POST, "/promise-checks/{id}/close", h_promise_check_close, ROLE_APPROVER, 0, 0 },
};
const size_t cases_nroutes = NELEM(cases_routes);
