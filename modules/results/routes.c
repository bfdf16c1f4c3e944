/*
 * routes.c — the routes the results room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 */
#include "handlers.h"
#include "../rooms.h"

const struct route results_routes[] = {
	{ M_GET,  "/results/public-key",      h_result_public_key, ROLE_ANY, 0, 0 },
	{ M_GET,  "/verify/{vid}",            h_result_verify, ROLE_ANY, 0, 0 },
	{ M_GET,  "/cases/{no}/results",      h_case_results,  ROLE_STAFF, 0, 0 },
	{ M_GET,  "/results/{vid}/pdf",       h_result_pdf,    ROLE_STAFF, 0, 0 },
	{ M_POST, "/results/{vid}/revoke",    h_result_change, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_POST, "/results/{vid}/replace",   h_result_change, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_GET,  "/me/cases/{no}/results",   h_my_case_results, ROLE_CITIZEN, 0, 0 },
	{ M_GET,  "/me/cases/{no}/results/{vid}/pdf", h_my_result_pdf, ROLE_CITIZEN, 0, 0 },
	{ M_GET,  "/case-notices/pdf",        h_notice_pdf,    ROLE_ANY, 0, 0 },
	{ M_POST, "/case-notices/refusals",   h_notice_refuse, ROLE_CLERK, 0, 0 },
};
const size_t results_nroutes = NELEM(results_routes);
