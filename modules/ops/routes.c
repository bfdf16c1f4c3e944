/*
 * routes.c — the routes the ops room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 */
#include "handlers.h"
#include "../rooms.h"

const struct route ops_routes[] = {
	{ M_GET,  "/health",                  h_health,     ROLE_ANY, 0, 0 },
};
const size_t ops_nroutes = NELEM(ops_routes);
