/*
 * routes.c — the routes the handover room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 * Who acts for which side of a sheet is checked in the room (handover.h, handover_on_side).
 */
#include "handlers.h"
#include "handover.h"
#include "../rooms.h"

#define HO_ACT (ROLE_CLERK | ROLE_APPROVER | ROLE_MANAGER)

const struct route handover_routes[] = {
	{ M_POST, "/handovers",                    h_handover_create,        HO_ACT,     0, 0 },
	{ M_GET,  "/handovers",                    h_handovers_list,         ROLE_STAFF, 0, 0 },
	{ M_POST, "/handovers/lookup",             h_handover_lookup,        ROLE_STAFF, 0, 0 },
	{ M_POST, "/handovers/receive",            h_handover_receive_token, HO_ACT,     0, 0 },
	{ M_GET,  "/handovers/{id}",               h_handover_get,           ROLE_STAFF, 0, 0 },
	{ M_GET,  "/handovers/{id}/qr.svg",        h_handover_qr,            ROLE_STAFF, 0, 0 },
	{ M_POST, "/handovers/{id}/receive",       h_handover_receive,       HO_ACT,     0, 0 },
	{ M_GET,  "/custody",                      h_custody_mine,           HO_ACT,     0, 0 },
};
const size_t handover_nroutes = NELEM(handover_routes);

const struct job handover_jobs[] = {
	{ "handover-overdue", 60 * 1000, job_handover_overdue },
};
const size_t handover_njobs = NELEM(handover_jobs);
