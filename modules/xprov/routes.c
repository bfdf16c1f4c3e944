/*
 * routes.c — the routes the xprov room (跨省通办 收受分离) serves: method, path below /api/v1,
 * handler, roles, body limit, flags.  programs/assembly.c puts every room's table together.
 * Who of these roles may record a step is checked in the room (xprov_may_record): the
 * clerks signed in at a window that calls a 跨省通办 category, the hall's managers, and for
 * an incoming case's decision the approvers of its department.
 */
#include "handlers.h"
#include "../rooms.h"

#define XP_ACT (ROLE_CLERK | ROLE_APPROVER | ROLE_MANAGER)

const struct route xprov_routes[] = {
	{ M_POST, "/cases/{no}/cross-province",  h_xprov_step,     XP_ACT, 0, 0 },
	{ M_GET,  "/cases/{no}/cross-province",  h_xprov_get,      ROLE_STAFF, 0, 0 },
	{ M_GET,  "/cross-province/cases",       h_xprov_list,     ROLE_STAFF, 0, 0 },
	{ M_GET,  "/cross-province/figures",     h_xprov_figures,  ROLE_STAFF, 0, 0 },
	{ M_POST, "/cross-province/incoming",    h_xprov_incoming, ROLE_CLERK | ROLE_MANAGER, 0, 0 },
};
const size_t xprov_nroutes = NELEM(xprov_routes);
