/*
 * routes.c — the routes the consult room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 * The consultation record itself is written by POST /windows/{window}/finish (queue room).
 */
#include "handlers.h"
#include "../rooms.h"

const struct route consult_routes[] = {
	{ M_GET,  "/consult/referrals",             h_consult_referrals,       ROLE_CLERK | ROLE_APPROVER | ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_POST, "/consult/referrals/{id}/accept", h_consult_referral_accept, ROLE_CLERK | ROLE_APPROVER | ROLE_MANAGER, 0, 0 },
};
const size_t consult_nroutes = NELEM(consult_routes);
