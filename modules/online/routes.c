/*
 * routes.c — the routes the online room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 */
#include "handlers.h"
#include "../rooms.h"

const struct route online_routes[] = {
	{ M_POST, "/uploads",                 h_upload_create, ROLE_CITIZEN | ROLE_CLERK,
	  12 * 1024 * 1024, RF_RAW_BODY },
	{ M_GET,  "/uploads/{id}",            h_upload_get,    ROLE_CITIZEN | ROLE_STAFF, 0, 0 },
	{ M_GET,  "/bundles",                 h_bundles,       ROLE_ANY, 0, 0 },
	{ M_GET,  "/me/cases",                h_my_cases,      ROLE_CITIZEN, 0, 0 },
	{ M_GET,  "/me/reusable-materials",   h_my_reusable,   ROLE_CITIZEN, 0, 0 },
	{ M_GET,  "/me/cases/{no}",           h_my_case,       ROLE_CITIZEN, 0, 0 },
	{ M_PUT,  "/me/cases/{no}/pickup",    h_my_case_pickup, ROLE_CITIZEN, 0, 0 },
	{ M_GET,  "/cases/{no}/uploads",      h_case_uploads,  ROLE_STAFF, 0, 0 },
};
const size_t online_nroutes = NELEM(online_routes);
